#!/usr/bin/env bats
# Fault injection with cgroup controllers (run inside the VM by tests/vm/check.sh): keel or
# the init is SIGKILLed at the stages that touch the cgroup (KEEL_TEST_FAULT, see
# runtime/fault.h; the full list runs on the host in tests/bats/faults.bats), with memory
# and pids limits set; then `delete --force` must remove the cgroup (with its enabled
# controllers), the state dir and every process. Then create/delete cycles leak nothing.

load lib

setup() {
	vm_setup
	MARK=KEEL_TEST_MARK=$ID
	cfg_res '{"memory":{"limit":67108864},"pids":{"limit":64}}'
	cfg --arg m "$MARK" '.process.env += [$m] | .process.args=["sleep","100"]'
}
teardown() { vm_teardown; }

# kf STAGE ARGS...: keel ARGS (with $MARK) killed at STAGE; sets fstatus, ferr.
kf() {
	local stage=$1
	shift
	fstatus=0
	env "$MARK" KEEL_TEST_FAULT="$stage" timeout -k 5 "$KEEL_TIMEOUT" "$KEEL" --root "$ROOT" \
		"$@" </dev/null >"$BATS_TEST_TMPDIR/kf.out" 2>"$BATS_TEST_TMPDIR/kf.err" 3>&- ||
		fstatus=$?
	ferr=$(cat "$BATS_TEST_TMPDIR/kf.err")
}

# Nothing of the container is left after delete --force.
recovers() {
	local out
	run keel list
	[ "$status" -eq 0 ] || fail "$1: list: $output"
	run keel delete --force "$ID"
	[ "$status" -eq 0 ] || fail "$1: delete --force: $output"
	[ ! -e "$CG" ] || fail "$1: cgroup $CG left"
	until_true 3 test -z "$(marked_pids)" || fail "$1: processes left: $(marked_pids)"
	out=$(leftovers) || fail "$1: $out"
}

create_killed() {
	kf "$1" create --bundle "$BUNDLE" "$ID"
	[ "$fstatus" -eq 137 ] || fail "create with fault $1 exited $fstatus: $ferr"
	recovers "create killed at $1"
}

@test "vm fault: create killed after the cgroup (memory, pids) is made" {
	kf create-cgroup create --bundle "$BUNDLE" "$ID"
	[ "$fstatus" -eq 137 ] || fail "exited $fstatus: $ferr"
	[ "$(cat "$CG/memory.max")" = 67108864 ] || fail "the cgroup was not set up"
	recovers create-cgroup
}
@test "vm fault: create killed after clone (the init in the cgroup)" { create_killed create-clone; }
@test "vm fault: create killed after READY (the init outlives it)" { create_killed create-ready; }

@test "vm fault: init killed before READY: create fails cleanly and removes the cgroup" {
	kf init-rootfs create --bundle "$BUNDLE" "$ID"
	[ "$fstatus" -eq 1 ] || fail "exited $fstatus: $ferr"
	[[ "$ferr" == "keel: container init killed by signal "* ]] || fail "$ferr"
	[ ! -e "$CG" ] && [ ! -e "$ROOT/$ID" ] || fail "create left its cgroup or state"
	recovers init-rootfs
}

@test "vm fault: delete killed after the kill: delete again removes the cgroup" {
	keel create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	keel start "$ID"
	kf delete-killed delete --force "$ID"
	[ "$fstatus" -eq 137 ] || fail "exited $fstatus: $ferr"
	[ -e "$CG" ]
	recovers delete-killed
}

# 10 create/delete and 2 create/start/kill/delete cycles, 2 at a time, with limits.
@test "vm leaks: create/delete cycles with memory and pids limits remove their cgroups" {
	local w before after t0=$SECONDS
	count() {
		echo "cgroups=$(find "$CGROOT/keel" -mindepth 1 -type d -name "$ID*" 2>/dev/null | wc -l)" \
			"states=$(ls "$ROOT" 2>/dev/null | wc -l)" "procs=$(marked_pids | wc -l)" \
			"mounts=$(grep -c -e "$BATS_TEST_TMPDIR" /proc/self/mountinfo)"
	}
	worker() {
		local i id
		for i in $(seq 6); do
			id=$ID-$1-$i
			keel create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>>"$BATS_TEST_TMPDIR/fail" ||
				echo "$id: create" >> "$BATS_TEST_TMPDIR/fail"
			if [ $((i % 4)) -eq 0 ]; then
				keel start "$id" 2>>"$BATS_TEST_TMPDIR/fail" || echo "$id: start" >> "$BATS_TEST_TMPDIR/fail"
				keel kill "$id" KILL 2>>"$BATS_TEST_TMPDIR/fail" || echo "$id: kill" >> "$BATS_TEST_TMPDIR/fail"
			fi
			keel delete --force "$id" 2>>"$BATS_TEST_TMPDIR/fail" ||
				echo "$id: delete" >> "$BATS_TEST_TMPDIR/fail"
		done
	}
	keel list >/dev/null
	before=$(count)
	worker a &
	worker b &
	wait
	after=$(count)
	echo "# 12 cycles in $((SECONDS - t0)) s: before: $before; after: $after" >&3
	[ ! -s "$BATS_TEST_TMPDIR/fail" ] || fail "$(head -5 "$BATS_TEST_TMPDIR/fail")"
	[ "$before" = "$after" ] || fail "before: $before; after: $after"
}
