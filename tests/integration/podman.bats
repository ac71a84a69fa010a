#!/usr/bin/env bats
# podman 4.3 (through conmon 2.1.6) with keel as its OCI runtime, in the cgroup v2 VM:
#   tests/vm/check.sh podman.bats
# No systemd in the VM: cgroupfs manager, file events, overlay storage under /tmp (tmpfs),
# --network none. The image is the busybox OCI layout of mkimage.sh, loaded once.
# Most tests name keel with --runtime (podman then treats it as a plain-text runtime: it
# shows keel's stderr); the last ones go through contrib/podman/containers.conf, which
# lists keel as a JSON runtime (--log-format=json --log oci-log).

load lib

PM_ROOT=/tmp/keel-podman
PM_FLAGS=(--root "$PM_ROOT/root" --runroot "$PM_ROOT/run" --tmpdir "$PM_ROOT/tmp"
	--cgroup-manager cgroupfs --events-backend file --storage-driver overlay)

pm() { podman "${PM_FLAGS[@]}" --runtime "$KEEL" "$@"; }

# podman through the committed containers.conf, with keel found as `keel` (a wrapper that
# logs its argv and execs $KEEL: the name is what podman matches runtime_supports_json on).
pmconf() { CONTAINERS_CONF=$PM_ROOT/containers.conf podman "${PM_FLAGS[@]}" "$@"; }

setup_file() {
	integration_setup_file
	mkdir -p "$PM_ROOT/bin" "$PM_ROOT/tmp"
	printf '#!/bin/sh\necho "$*" >> %s/argv.log\nexec %s "$@"\n' "$PM_ROOT" "$KEEL" \
		> "$PM_ROOT/bin/keel"
	chmod +x "$PM_ROOT/bin/keel"
	sed "s|^keel = \\[|keel = [\"$PM_ROOT/bin/keel\",|" "$REPO/contrib/podman/containers.conf" \
		> "$PM_ROOT/containers.conf"
	grep -q "\"$PM_ROOT/bin/keel\"" "$PM_ROOT/containers.conf" || fail "containers.conf: no keel path"
	pm load -i "$KEEL_IMAGE" >&2
	pm image exists "$IMAGE" || fail "podman load: no $IMAGE"
}

# A failed test does not leave its containers to the next one.
teardown() {
	local ids
	ids=$(pm ps -aq 2>/dev/null) || true
	[ -z "$ids" ] || pm rm -f -t 0 $ids >&2 || true
}

# Container $1's cgroup directory, as podman's cgroupfs manager names it.
cg_of() { echo "$CGROOT/libpod_parent/libpod-$(pm inspect --format '{{.Id}}' "$1")"; }

state_of() { pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$1"; }
state_is() { [ "$(state_of "$1")" = "$2" ]; }

# Whether a process of cgroup $1 has the command line $2 (arguments joined by spaces).
cg_runs() {
	local p
	for p in $(cat "$1/cgroup.procs"); do
		[ "$(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null)" = "$2 " ] && return 0
	done
	return 1
}

# After `podman rm`: no keel state, no cgroup, no process of container id $1.
nothing_left() {
	local id=$1
	[ ! -e "/run/keel/$id" ] || fail "keel state /run/keel/$id left"
	[ ! -e "$CGROOT/libpod_parent/libpod-$id" ] || fail "cgroup libpod-$id left"
	! grep -qs "$id" /proc/[0-9]*/cgroup || fail "a process of $id left"
}

@test "podman info: keel as the OCI runtime, its version from keel --version" {
	# podman info is slow under TCG (~20 s): one call.
	run pm info --format '{{.Host.CgroupManager}} {{.Host.CgroupsVersion}}|{{.Host.OCIRuntime.Name}}|{{.Host.OCIRuntime.Path}}|{{.Host.OCIRuntime.Version}}'
	[ "$status" -eq 0 ] || fail "$output"
	expect_eq "info" "$output" "cgroupfs v2|$KEEL|$KEEL|$("$KEEL" --version)"
	[[ $output == *"|keel version "[0-9]* ]] || fail "$output"
}

@test "run --rm: output and exit code, nothing left" {
	run --separate-stderr pm run --rm --network none --name rm1 "$IMAGE" \
		sh -c 'echo out; echo err >&2; cat /etc/hostname >/dev/null; exit 3'
	expect_eq "status" "$status" 3
	expect_eq "stdout" "$output" out
	expect_eq "stderr" "$stderr" err
	run pm ps -aq --filter name=rm1
	expect_eq "podman ps" "$output" ""
	expect_eq "keel list" "$("$KEEL" list -q)" ""
}

@test "run -d, exec (status, stdin, -t, -d), pause/unpause, stop, start, kill, rm -f" {
	local id cg
	id=$(pm run -d --network none --name life "$IMAGE" \
		sh -c 'trap "exit 42" TERM; sleep 1000 & wait')
	cg=$(cg_of life)
	expect_eq "keel state" "$("$KEEL" state "$id" | jq -r .status)" running

	run --separate-stderr pm exec life sh -c 'echo in-exec; echo e >&2; exit 4'
	expect_eq "exec status" "$status" 4
	expect_eq "exec stdout" "$output" in-exec
	expect_eq "exec stderr" "$stderr" e
	run pm exec -i life sh -c 'read l; echo "got $l"' <<<"line1"
	expect_eq "exec -i" "$output" "got line1"
	run pm exec -t life sh -c 'tty; test -t 0 && echo tty0' </dev/null
	[ "$status" -eq 0 ] || fail "exec -t: $output"
	expect_eq "exec -t" "$(tr -d '\r' <<<"$output")" "$(printf '/dev/pts/0\ntty0')"
	pm exec -d life sleep 777
	until_true 10 cg_runs "$cg" "sleep 777" || fail "exec -d: no 'sleep 777' in $cg"

	pm pause life
	expect_eq "paused" "$(pm inspect --format '{{.State.Status}}' life)" paused
	expect_eq "cgroup.freeze" "$(cat "$cg/cgroup.freeze")" 1
	grep -qx "frozen 1" "$cg/cgroup.events" || fail "$(cat "$cg/cgroup.events")"
	pm unpause life
	expect_eq "unpaused" "$(pm inspect --format '{{.State.Status}}' life)" running
	grep -qx "frozen 0" "$cg/cgroup.events" || fail "$(cat "$cg/cgroup.events")"

	# SIGTERM reaches the container's init (sh's trap): exit code 42, no SIGKILL needed.
	run pm stop -t 20 life
	[ "$status" -eq 0 ] || fail "stop: $output"
	[[ $output != *SIGKILL* ]] || fail "stop needed SIGKILL: $output"
	expect_eq "after stop" "$(state_of life)" "exited 42"
	[ ! -e "$cg" ] || fail "cgroup $cg left after stop"

	pm start life
	expect_eq "restarted" "$(pm inspect --format '{{.State.Status}}' life)" running
	pm kill -s KILL life
	until_true 60 state_is life "exited 137" || fail "after kill: $(state_of life)"

	pm start life
	pm rm -f -t 0 life
	run pm ps -aq --filter name=life
	expect_eq "podman ps" "$output" ""
	nothing_left "$id"
}

@test "--memory: memory.max in the container's cgroup; podman update changes it" {
	local id cg
	id=$(pm run -d --network none --name mem --memory 64m "$IMAGE" sleep 1000)
	cg=$(cg_of mem)
	expect_eq "memory.max" "$(cat "$cg/memory.max")" 67108864
	expect_eq "memory.max inside" "$(pm exec mem cat /sys/fs/cgroup/memory.max)" 67108864
	pm update --memory 96m mem
	expect_eq "memory.max updated" "$(cat "$cg/memory.max")" 100663296
	pm rm -f -t 0 mem
	nothing_left "$id"
}

@test "--pid host: stop signals every process of the container (kill --all)" {
	local id cg
	id=$(pm run -d --network none --pid host --name hostpid "$IMAGE" \
		sh -c 'sleep 1001 & sleep 1002 & wait')
	cg=$(cg_of hostpid)
	until_true 10 test "$(wc -l < "$cg/cgroup.procs")" -eq 3 || fail "$(cat "$cg/cgroup.procs")"
	pm stop -t 20 hostpid
	[ ! -e "$cg" ] || fail "cgroup $cg left: $(cat "$cg/cgroup.procs")"
	! pgrep -f "sleep 100[12]" || fail "processes left"
	pm rm -f -t 0 hostpid
	nothing_left "$id"
}

@test "text runtime: podman shows keel's error and the exit code" {
	run -127 pm run --rm --network none "$IMAGE" /nonexistent
	[[ $output == *'keel: exec `/nonexistent`: No such file or directory'* ]] || fail "$output"
	expect_eq "keel list" "$("$KEEL" list -q)" ""
}

@test "contrib containers.conf: podman picks keel and runs" {
	: > "$PM_ROOT/argv.log"
	run pmconf run --rm --network none "$IMAGE" sh -c 'echo via-conf; exit 5'
	expect_eq "status" "$status" 5
	expect_eq "output" "$output" via-conf
	# The conf's `runtime = "keel"` found the wrapper through [engine.runtimes]; keel is
	# listed in runtime_supports_json, and there is no --systemd-cgroup (cgroupfs).
	grep -q "^--log-format=json --log [^ ]*/oci-log create " "$PM_ROOT/argv.log" ||
		fail "json flags not passed: $(cat "$PM_ROOT/argv.log")"
	! grep -q systemd "$PM_ROOT/argv.log" || fail "$(cat "$PM_ROOT/argv.log")"
}

@test "json runtime (contrib conf): oci-log holds ONE error object, podman shows its msg" {
	local id log
	run -127 pmconf run --network none --name bad "$IMAGE" /nonexistent
	[[ $output == *'keel: exec `/nonexistent`: No such file or directory'* ]] || fail "$output"
	id=$(pmconf inspect --format '{{.Id}}' bad)
	log=$(grep -o "\-\-log [^ ]*/$id/[^ ]*oci-log" "$PM_ROOT/argv.log" | tail -1 | cut -d' ' -f2)
	[ -f "$log" ] || fail "no oci-log in: $(cat "$PM_ROOT/argv.log")"
	expect_eq "oci-log lines" "$(wc -l < "$log")" 1
	# podman unmarshals the whole file as one object (as containerd reads the last line).
	jq -e '.level == "error" and (.msg | startswith("keel: exec `/nonexistent`")) and (.time | test("^[0-9]{4}-"))' \
		"$log" >/dev/null || fail "$(cat "$log")"
	pmconf rm -f -t 0 bad
	nothing_left "$id"
}
