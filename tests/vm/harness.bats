#!/usr/bin/env bats
# Tests of tests/vm/run itself, run on the HOST (each test boots a VM: ~5-10 s).
bats_require_minimum_version 1.5.0

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd -P)
	vmrun=$top/tests/vm/run
}

@test "run: CMD's exit status comes back, stdout and stderr stay apart" {
	run --separate-stderr "$vmrun" sh -c 'echo out; echo err >&2; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = out ]
	[ "$stderr" = err ]
}

@test "run: argv quoting, KEEL_VM_ENV, cwd, stdin, exact bytes of large output" {
	cd "$top/tests"
	export V1="it's \"quoted\" \$HOME \`x\`" V2=$'two\nlines\n' V3=
	unset V4
	KEEL_VM_ENV="V1 V2 V3 V4" run "$vmrun" sh -c '
		printf "[%s]\n" "$@" "$V1" "$V2" "${V3-unset}" "${V4-unset}" "$(pwd)" "$HOME"
		cat; seq 200000; echo end' zero "a b" "'" '$(false)' ''
	[ "$status" -eq 0 ]
	want=$(printf '[%s]\n' "a b" "'" '$(false)' '' "$V1" "$V2" "" unset "$top/tests" /root
		seq 200000; echo end)
	[ "$output" = "$want" ]
	# No console artefacts: not a single carriage return.
	[[ "$output" != *$'\r'* ]]
}

@test "run: output streams while CMD runs" {
	out=$BATS_TEST_TMPDIR/out
	"$vmrun" sh -c 'echo first; sleep 6; echo second' > "$out" &
	pid=$!
	for i in $(seq 600); do
		grep -q first "$out" && break
		sleep 0.1
	done
	grep -q first "$out"
	! grep -q second "$out"
	kill -0 "$pid"
	wait "$pid"
	[ "$(cat "$out")" = "$(printf 'first\nsecond')" ]
}

@test "run: KEEL_VM_TIMEOUT kills the VM with a clear message" {
	start=$SECONDS
	KEEL_VM_TIMEOUT=3 run --separate-stderr "$vmrun" sleep 600
	[ "$status" -eq 124 ]
	[[ "$stderr" == *"timed out after 3s"* ]]
	[ $((SECONDS - start)) -lt 30 ]
}

@test "run: the guest has cgroup2 with controllers and crun" {
	run "$vmrun" sh -c 'stat -f -c %T /sys/fs/cgroup; cat /sys/fs/cgroup/cgroup.subtree_control; command -v crun'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = cgroup2fs ]
	[[ " ${lines[1]} " == *" memory "* ]]
	[[ " ${lines[1]} " == *" pids "* ]]
}
