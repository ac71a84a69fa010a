#!/usr/bin/env bats
# Fault injection and leaks: keel (or the container's init) is SIGKILLed at each stage of
# create, run, start, exec and delete (KEEL_TEST_FAULT=<stage>, runtime/fault.h); after
# each, `keel list`, `keel state` and `keel delete --force` must work and leave no state
# dir, cgroup, mount or process. Then create/delete cycles in parallel must leak nothing
# (cgroups, mounts, state dirs, keel's own fds, processes).
#
# keel runs with $MARK in its environment: an init that has not exec'd yet (a clone of
# keel) carries it too, so `leftovers` finds any keel or init left behind.

load ../lib/common

# kf STAGE ARGS...: keel ARGS killed at STAGE; sets fstatus and ferr (its stderr).
kf() {
	local stage=$1
	shift
	fstatus=0
	KEEL_TEST_MARK=$TEST_TAG KEEL_TEST_FAULT=$stage keel "$@" </dev/null \
		>"$BATS_TEST_TMPDIR/kf.out" 2>"$BATS_TEST_TMPDIR/kf.err" || fstatus=$?
	ferr=$(cat "$BATS_TEST_TMPDIR/kf.err")
}

# km ARGS...: keel with $MARK, stdio to files (for the setup steps of a test).
km() {
	KEEL_TEST_MARK=$TEST_TAG keel "$@" </dev/null \
		>>"$BATS_TEST_TMPDIR/km.out" 2>>"$BATS_TEST_TMPDIR/km.err"
}

# After a fault: list, state, delete --force work; nothing is left.
recovers() {
	local what=$1 out
	run keel list
	[ "$status" -eq 0 ] || fail "$what: list failed: $output"
	run keel state "$ID"
	# No state.json yet is a clean error; anything else (a crash, a hang) is not.
	[ "$status" -le 1 ] || fail "$what: state exited $status: $output"
	[[ "$output" != *"Segmentation"* ]]
	run keel delete --force "$ID"
	[ "$status" -eq 0 ] || fail "$what: delete --force failed: $output"
	[ ! -e "$ROOT/$ID" ] || fail "$what: state dir left after delete --force"
	out=$(leftovers) || fail "$what: left behind: $out"
}

# killed_at CMD STAGE: keel CMD (create or run) of a sleeping container dies at STAGE
# (SIGKILL: status 137), and delete --force recovers everything.
killed_at() {
	spec_args sleep 100
	kf "$2" "$1" --bundle "$BUNDLE" "$ID"
	[ "$fstatus" -eq 137 ] || fail "$1 with fault $2 exited $fstatus: $ferr"
	recovers "$1 killed at $2"
}

@test "fault: create killed after the state dir is made and locked" { killed_at create create-dir; }
@test "fault: create killed after recording its cgroup, before making it" {
	killed_at create create-cgroup-recorded
}
@test "fault: create killed after the cgroup is made" { killed_at create create-cgroup; }

@test "fault: a cgroup recorded but never made by the killed create is not touched" {
	spec_args sleep 100
	cfg_edit ".linux.cgroupsPath=\"/keel/$ID-shared\""
	km create --bundle "$BUNDLE" "$ID"
	pid=$(pid_of "$ID")
	# Another container asking for the same cgroup, killed before it made it.
	kf create-cgroup-recorded create --bundle "$BUNDLE" "$ID2"
	[ "$fstatus" -eq 137 ] || fail "exited $fstatus: $ferr"
	grep -q "\"cgroupPath\":\"/\?keel/$ID-shared\"" "$ROOT/$ID2/state.json" ||
		fail "not recorded: $(cat "$ROOT/$ID2/state.json")"
	run keel delete --force "$ID2"
	[ "$status" -eq 0 ] || fail "delete: $output"
	[[ "$output" == *"left alone"* ]] || fail "no warning: $output"
	[ "$(status_of "$ID")" = created ] || fail "the other container's init was killed"
	[ -d "/sys/fs/cgroup/unified/keel/$ID-shared" ] || fail "the other container's cgroup was removed"
	grep -qx "$pid" "/sys/fs/cgroup/unified/keel/$ID-shared/cgroup.procs"
	recovers shared
}
@test "fault: create killed after clone (the init exists)" { killed_at create create-clone; }
@test "fault: create killed after the id maps and cgroup entry (GO sent)" {
	killed_at create create-go
}
@test "fault: create killed after the rootfs is prepared (PREPARED)" {
	killed_at create create-prepared
}
@test "fault: create killed after READY (the init outlives it)" { killed_at create create-ready; }
@test "fault: create killed after the state is written" { killed_at create create-state; }
@test "fault: create killed after the pid file, before it returns" {
	spec_args sleep 100
	kf create-return create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
	[ "$fstatus" -eq 137 ] || fail "exited $fstatus: $ferr"
	recovers create-return
}

@test "fault: create killed with a user namespace (maps written), init before READY" {
	ns_add user
	cfg_edit '.linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}]' \
		'.linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]'
	bundle_traversable
	killed_at create create-go
}

# init_killed STAGE: the init dies at STAGE before READY: create fails with one clean
# message, and cleans up by itself (no delete needed).
init_killed() {
	spec_args sleep 100
	kf "$1" create --bundle "$BUNDLE" "$ID"
	[ "$fstatus" -eq 1 ] || fail "create with the init killed at $1 exited $fstatus: $ferr"
	[ "$(printf '%s\n' "$ferr" | grep -c .)" -eq 1 ] || fail "not one line: $ferr"
	[[ "$ferr" == "keel: container init killed by signal "* ]] || fail "message: $ferr"
	[ ! -e "$ROOT/$ID" ] || fail "create left its state dir"
	out=$(leftovers) || fail "init killed at $1: create left: $out"
	recovers "init killed at $1"
}

@test "fault: init killed at its start" { init_killed init-start; }
@test "fault: init killed after GO (in its namespaces)" { init_killed init-go; }
@test "fault: init killed during rootfs preparation (rootfs bind-mounted)" {
	init_killed init-mounts
}
@test "fault: init killed after the mounts" { init_killed init-rootfs; }
@test "fault: init killed after pivot_root" { init_killed init-pivot; }

@test "fault: init killed after READY: create succeeds, the container is stopped" {
	spec_args sleep 100
	kf init-ready create --bundle "$BUNDLE" "$ID"
	[ "$fstatus" -eq 0 ] || fail "create exited $fstatus: $ferr"
	wait_status "$ID" stopped
	run keel delete "$ID"
	[ "$status" -eq 0 ] || fail "delete: $output"
	out=$(leftovers) || fail "left: $out"
}

@test "fault: init killed after start, before exec" {
	spec_args sleep 100
	kf init-started create --bundle "$BUNDLE" "$ID"
	[ "$fstatus" -eq 0 ] || fail "create exited $fstatus: $ferr"
	run keel start "$ID"
	wait_status "$ID" stopped
	recovers init-started
}

# --- run, start, exec, delete ---

@test "fault: run killed after create" { killed_at run run-created; }
@test "fault: run killed after start (the container runs on)" {
	killed_at run run-started
}
@test "fault: run killed after the container exited, before its delete" {
	spec_args true
	kf run-exited run --bundle "$BUNDLE" "$ID"
	[ "$fstatus" -eq 137 ] || fail "exited $fstatus: $ferr"
	[ "$(status_of "$ID")" = stopped ]
	recovers run-exited
}

@test "fault: start killed after releasing the init" {
	spec_args sleep 100
	km create --bundle "$BUNDLE" "$ID"
	kf start-released start "$ID"
	[ "$fstatus" -eq 137 ] || fail "start exited $fstatus: $ferr"
	# Released is no longer "created", though start died before returning.
	[ "$(status_of "$ID")" = running ] || fail "status $(status_of "$ID")"
	recovers start-released
}

# exec_killed STAGE STATUS ALIVE: keel exec dies at STAGE (or its process does: exec
# exits STATUS); ALIVE is how many exec'd processes may be left in the container (one once
# it has exec'd: delete --force kills it).
exec_killed() {
	local n want=$3
	spec_args sleep 100
	km create --bundle "$BUNDLE" "$ID"
	km start "$ID"
	kf "$1" exec "$ID" sleep 99
	[ "$fstatus" -eq "$2" ] || fail "exec with fault $1 exited $fstatus: $ferr"
	# The helper and a process that has not exec'd die with keel exec.
	for n in $(seq 30); do
		[ "$(marked_pids | wc -l)" -eq $((1 + want)) ] && break
		sleep 0.1
	done
	[ "$(marked_pids | wc -l)" -eq $((1 + want)) ] || fail "processes: $(marked_pids)"
	recovers "exec killed at $1"
}

@test "fault: exec killed after forking its helper" { exec_killed exec-helper 137 0; }
@test "fault: exec's process killed before READY: exec fails cleanly" {
	exec_killed exec-child 1 0
	[[ "$ferr" == "keel: "* ]] && [ "$(printf '%s\n' "$ferr" | grep -c .)" -eq 1 ] || fail "$ferr"
}
@test "fault: exec killed after the process started" { exec_killed exec-started 137 1; }

@test "fault: delete killed after the kill, then after the cgroup removal: delete again" {
	spec_args sleep 100
	km create --bundle "$BUNDLE" "$ID"
	km start "$ID"
	kf delete-killed delete --force "$ID"
	[ "$fstatus" -eq 137 ] || fail "delete exited $fstatus: $ferr"
	[ "$(status_of "$ID")" = stopped ]
	kf delete-cgroup delete --force "$ID"
	[ "$fstatus" -eq 137 ] || fail "delete exited $fstatus: $ferr"
	[ "$(status_of "$ID")" = stopped ]
	recovers "delete killed"
}

@test "fault: no fault set: the stage hooks are inert" {
	spec_args sleep 100
	kf "" create --bundle "$BUNDLE" "$ID"
	[ "$fstatus" -eq 0 ] || fail "$ferr"
	[ "$(status_of "$ID")" = created ]
	kf no-such-stage start "$ID"
	[ "$fstatus" -eq 0 ] || fail "$ferr"
	[ "$(status_of "$ID")" = running ]
}

# --- pid reuse ---

@test "fault: delete --force never signals a reused pid (start time check)" {
	spec_args sleep 100
	km create --bundle "$BUNDLE" "$ID"
	# A live process that is not the container: its pid recorded, with the old start time
	# (start times count clock ticks: make sure they differ).
	sleep 0.05
	KEEL_TEST_MARK=$TEST_TAG sleep 100 </dev/null >/dev/null 2>&1 3>&- &
	other=$!
	track_pid "$other"
	init=$(pid_of "$ID")
	kill -9 "$init"
	wait_status "$ID" stopped
	jedit "$ROOT/$ID/state.json" ".pid=$other"
	[ "$(status_of "$ID")" = stopped ]
	# Positive control: with its real start time the pid would be taken for the init.
	start=$(awk '{ sub(/.*\) /, ""); print $20 }' /proc/$other/stat)
	cp "$ROOT/$ID/state.json" "$BATS_TEST_TMPDIR/state.json"
	jedit "$BATS_TEST_TMPDIR/state.json" ".pidStart=$start"
	cp "$ROOT/$ID/state.json" "$BATS_TEST_TMPDIR/state.orig"
	cp "$BATS_TEST_TMPDIR/state.json" "$ROOT/$ID/state.json"
	[ "$(status_of "$ID")" != stopped ] || fail "control: the matching start time is not seen"
	cp "$BATS_TEST_TMPDIR/state.orig" "$ROOT/$ID/state.json"
	run keel delete --force "$ID"
	[ "$status" -eq 0 ] || fail "delete: $output"
	kill -0 "$other" || fail "delete --force killed an unrelated process with a reused pid"
	{ kill -9 "$other"; wait "$other"; } 2>/dev/null || true
}

# --- leaks ---

# fds_ok FILE: every keel in FILE reported "entry N exit M new: ..." and kept nothing but
# the cgroup root (a process-lifetime cache).
fds_ok() {
	local bad
	grep -q '^keel-test-fds: ' "$1" || { fail "no fd report in $1"; return 1; }
	bad=$(grep '^keel-test-fds: ' "$1" |
		sed -e 's/^keel-test-fds: entry \([0-9]*\) exit [0-9]* new://' \
		    -e 's| [0-9]*=/sys/fs/cgroup/unified$||' -e 's| [0-9]*=/sys/fs/cgroup$||' |
		grep -v '^[0-9]*$' || true)
	[ -z "$bad" ] || { fail "keel kept fds: $(echo "$bad" | sort | uniq -c | head -5)"; return 1; }
	bad=$(grep '^keel-test-fds: ' "$1" | awk '$5 - $3 != NF - 6' | head -3)
	[ -z "$bad" ] || fail "fd counts: $bad"
}

@test "leak control: the fd report counts inherited and kept fds" {
	local a b
	a=$(KEEL_TEST_FDS=1 keel list 2>&1 >/dev/null)
	b=$(KEEL_TEST_FDS=1 keel list 2>&1 >/dev/null 9</dev/null)
	[[ "$a" =~ ^keel-test-fds:\ entry\ ([0-9]+)\ exit\ ([0-9]+)\ new:$ ]] || fail "$a"
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || fail "$a"
	n=${BASH_REMATCH[1]}
	[ "$b" = "keel-test-fds: entry $((n + 1)) exit $((n + 1)) new:" ] || fail "with fd 9: $b"
	spec_args sleep 100
	KEEL_TEST_FDS=1 keel create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/c.err"
	grep -q "^keel-test-fds: entry $n exit $((n + 1)) new: [0-9]*=/sys/fs/cgroup/unified\$" \
		"$BATS_TEST_TMPDIR/c.err" || fail "$(cat "$BATS_TEST_TMPDIR/c.err")"
	fds_ok "$BATS_TEST_TMPDIR/c.err"
	# A report with a kept fd other than the cgroup root fails the check.
	echo "keel-test-fds: entry 3 exit 5 new: 4=/sys/fs/cgroup/unified 5=/run/x" > "$BATS_TEST_TMPDIR/bad"
	run fds_ok "$BATS_TEST_TMPDIR/bad"
	[ "$status" -ne 0 ]
}

# counts: this test's cgroups under keel's parent, mountinfo lines naming this test (the
# host's total is shared with other work), state dirs, keel-marked processes.
counts() {
	echo "cgroups=$(find /sys/fs/cgroup/unified/keel -mindepth 1 -type d -name "$ID*" 2>/dev/null | wc -l)" \
		"mounts=$(grep -c -e "$BATS_TEST_TMPDIR" -e "$TEST_TAG" /proc/self/mountinfo)" \
		"states=$(ls "$ROOT" 2>/dev/null | wc -l)" \
		"procs=$(marked_pids | wc -l)"
}

# kl ARGS...: keel with $MARK reporting its fds on stderr.
kl() { KEEL_TEST_MARK=$TEST_TAG KEEL_TEST_FDS=1 keel "$@" </dev/null >/dev/null; }

# cycles WORKER N MODE: N create/delete (MODE plain) or create/start/kill/delete (MODE
# kill) cycles; failures go to $BATS_TEST_TMPDIR/fail.
cycles() {
	local w=$1 n=$2 mode=$3 i id log=$BATS_TEST_TMPDIR/w$1.log
	for i in $(seq "$n"); do
		id=$ID-$w-$i
		kl create --bundle "$BUNDLE" "$id" 2>>"$log" ||
			{ echo "$id: create failed" >> "$BATS_TEST_TMPDIR/fail"; continue; }
		if [ "$mode" = kill ]; then
			kl start "$id" 2>>"$log" || echo "$id: start" >> "$BATS_TEST_TMPDIR/fail"
			kl kill "$id" KILL 2>>"$log" || echo "$id: kill" >> "$BATS_TEST_TMPDIR/fail"
		fi
		kl delete --force "$id" 2>>"$log" ||
			echo "$id: delete failed" >> "$BATS_TEST_TMPDIR/fail"
	done
}

leak_run() {
	local mode=$1 total=$2 before after w
	spec_args sleep 100
	km list
	before=$(counts)
	m0=$(wc -l < /proc/self/mountinfo)
	t0=$SECONDS
	for w in 1 2 3 4; do cycles "$w" $((total / 4)) "$mode" & done
	wait
	sleep 0.2
	after=$(counts)
	echo "# $mode x$total in $((SECONDS - t0)) s: before: $before; after: $after;" \
		"host mountinfo lines $m0 -> $(wc -l < /proc/self/mountinfo)" >&3
	[ ! -s "$BATS_TEST_TMPDIR/fail" ] || fail "$(head -5 "$BATS_TEST_TMPDIR/fail")"
	[ "$before" = "$after" ] || fail "before: $before; after: $after"
	cat "$BATS_TEST_TMPDIR"/w*.log > "$BATS_TEST_TMPDIR/all.log"
	[ "$(grep -c '^keel-test-fds: ' "$BATS_TEST_TMPDIR/all.log")" -ge "$total" ]
	fds_ok "$BATS_TEST_TMPDIR/all.log"
}

@test "leaks: 200 create/delete cycles, 4 in parallel" { leak_run plain 200; }
@test "leaks: 100 create/start/kill/delete cycles, 4 in parallel" { leak_run kill 100; }
