#!/usr/bin/env bats
# The runtime contract of containerd's runc v2 shim (and other engines driving a
# runc-compatible binary), with keel invoked the way the shim invokes runc:
#   keel --root R --log B/log.json --log-format json create --bundle B --pid-file B/init.pid ID
#   keel ... start ID | state ID | ps --format json ID | kill [--all] ID <number>
#   keel ... exec --process F --detach --pid-file P [--console-socket S] ID
#   keel ... update --resources - ID | pause ID | resume ID | delete [--force] ID
# The shim reads `state` and `ps` with stdout and stderr combined, the pid file with
# Atoi, and a failure's message from the last {"level":"error","msg":...} of log.json.
# The same, end to end under containerd, is tests/integration/containerd.bats (VM).

load ../lib/common

# shim KEEL-ARGS...: keel with the shim's global options.
shim() { keel --log "$BUNDLE/log.json" --log-format json "$@"; }

# shim_create [ARGS...]: the shim's create of $ID; the container's stdio is keel's own
# (files $ID.out / $ID.err, stdin /dev/null).
shim_create() {
	shim create --bundle "$BUNDLE" --pid-file "$BUNDLE/init.pid" "$@" "$ID" </dev/null \
		>"$BATS_TEST_TMPDIR/$ID.out" 2>"$BATS_TEST_TMPDIR/$ID.err" 3>&-
}

# A pid file as the shim reads it: digits only, no newline, the pid state reports.
check_pid_file() {
	local f=$1 want=$2
	[ -f "$f" ] || fail "no pid file $f"
	[[ $(cat "$f") =~ ^[1-9][0-9]*$ ]] || fail "pid file: '$(cat "$f")'"
	[ "$(wc -c < "$f")" -eq "${#want}" ] || fail "pid file: $(od -c "$f")"
	[ "$(cat "$f")" = "$want" ] || fail "pid file $(cat "$f"), expected $want"
}

@test "create/start: pid file digits only; keel's fds 0-2 are the container's stdio, keel prints nothing" {
	spec_args sh -c 'read x; echo "out:$x"; echo err >&2; exit 3'
	echo line-in > "$BATS_TEST_TMPDIR/in"
	shim create --bundle "$BUNDLE" --pid-file "$BUNDLE/init.pid" "$ID" \
		<"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&-
	check_pid_file "$BUNDLE/init.pid" "$(pid_of "$ID")"
	shim start "$ID" </dev/null >"$BATS_TEST_TMPDIR/start.out" 2>&1
	wait_status "$ID" stopped
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = out:line-in ] || fail "stdout: $(cat "$BATS_TEST_TMPDIR/out")"
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = err ] || fail "stderr: $(cat "$BATS_TEST_TMPDIR/err")"
	[ ! -s "$BATS_TEST_TMPDIR/start.out" ] || fail "start printed: $(cat "$BATS_TEST_TMPDIR/start.out")"
	shim delete "$ID"
}

@test "state and ps --format json: stdout is the JSON alone, stderr empty" {
	spec_args sleep 60
	shim_create
	shim start "$ID"
	run --separate-stderr shim state "$ID"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || fail "state: $status, stderr '$stderr'"
	echo "$output" | jq -e '.status == "running" and (.pid|type == "number")'
	run --separate-stderr shim ps --format json "$ID"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || fail "ps: $status, stderr '$stderr'"
	echo "$output" | jq -e --argjson p "$(pid_of "$ID")" '. == [$p]'
	# Both again on a stopped container.
	shim kill "$ID" 9
	wait_status "$ID" stopped
	run --separate-stderr shim state "$ID"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || fail "state: $status, stderr '$stderr'"
	run --separate-stderr shim ps --format json "$ID"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || fail "ps: $status, stderr '$stderr'"
	echo "$output" | jq -e '. == []'
}

@test "kill ID <number>: signals by number (10, 1, 15)" {
	spec_args sh -c 'trap "echo usr1 >> /tmp/s" USR1; trap "echo hup >> /tmp/s" HUP
		trap "exit 42" TERM; echo ready > /tmp/s; while :; do sleep 100 & wait $!; done'
	cfg_edit '.root.readonly=false'
	rootfs_write tmp/s </dev/null
	shim_create
	shim start "$ID"
	local s=/proc/$(pid_of "$ID")/root/tmp/s
	for i in $(seq 50); do grep -q ready "$s" && break; sleep 0.1; done
	shim kill "$ID" 10
	for i in $(seq 50); do grep -q usr1 "$s" && break; sleep 0.1; done
	grep -q usr1 "$s" || fail "SIGUSR1 (10) not seen: $(cat "$s")"
	shim kill "$ID" 1
	for i in $(seq 50); do grep -q hup "$s" && break; sleep 0.1; done
	grep -q hup "$s" || fail "SIGHUP (1) not seen: $(cat "$s")"
	shim kill "$ID" 15
	wait_status "$ID" stopped
}

@test "kill of a stopped container: 'container not running'; kill --all succeeds" {
	spec_args true
	shim_create
	shim start "$ID"
	wait_status "$ID" stopped
	: > "$BUNDLE/log.json"
	run shim kill "$ID" 9
	[ "$status" -ne 0 ]
	# The shim maps this text to "process already finished".
	[[ $output == *"container not running"* ]] || fail "$output"
	jq -e 'select(.level == "error") | .msg | contains("container not running")' "$BUNDLE/log.json"
	run shim kill --all "$ID" 9
	[ "$status" -eq 0 ] || fail "kill --all: $output"
	shim delete "$ID"
}

@test "exec as the shim: --process F --detach --pid-file P; -d/-p/--tty/--detach spellings" {
	spec_args sleep 60
	shim_create
	shim start "$ID"
	cat > "$BATS_TEST_TMPDIR/p.json" <<-J
	{"args":["sh","-c","echo exec-out; sleep 30"],"cwd":"/","env":["PATH=/bin:/usr/bin","$MARK"],
	 "user":{"uid":0,"gid":0},"terminal":false}
	J
	shim exec --process "$BATS_TEST_TMPDIR/p.json" --detach --pid-file "$BATS_TEST_TMPDIR/e.pid" "$ID" \
		</dev/null >"$BATS_TEST_TMPDIR/e.out" 2>"$BATS_TEST_TMPDIR/e.err" 3>&-
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/e.pid")
	check_pid_file "$BATS_TEST_TMPDIR/e.pid" "$pid"
	[ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$(pid_of "$ID")/ns/pid)" ]
	for i in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/e.out" ] && break; sleep 0.1; done
	# Only the process wrote: keel's own stdout stayed silent.
	[ "$(cat "$BATS_TEST_TMPDIR/e.out")" = exec-out ] || fail "$(cat "$BATS_TEST_TMPDIR/e.out")"
	kill "$pid"
	# The short spellings.
	run keel exec -d -p "$BATS_TEST_TMPDIR/p.json" "$ID" </dev/null 3>&-
	[ "$status" -eq 0 ] || fail "exec -d -p: $output"
	local sock=$BATS_TEST_TMPDIR/tty.sock
	"$TOOLS/recvtty" --read "$sock" >"$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" 3>&- &
	track_pid $!
	for i in $(seq 30); do [ -S "$sock" ] && break; sleep 0.1; done
	run keel exec --tty --detach --console-socket "$sock" "$ID" sh -c 'tty; sleep 1'
	[ "$status" -eq 0 ] || fail "exec --tty --detach: $output"
}

@test "console socket: one SCM_RIGHTS message with one pty fd, sent before create returns" {
	spec_args sh -c 'tty; echo on-the-pty'
	cfg_edit '.process.terminal=true'
	local sock=$BATS_TEST_TMPDIR/tty.sock created=$BATS_TEST_TMPDIR/created
	# recvtty accepts only once create has returned, as an engine does.
	"$TOOLS/recvtty" --accept-after "$created" --read "$sock" \
		>"$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" 3>&- &
	local rpid=$!
	track_pid $rpid
	for i in $(seq 30); do [ -S "$sock" ] && break; sleep 0.1; done
	KEEL_TIMEOUT=20 shim_create --console-socket "$sock" ||
		fail "create with a console socket nobody accepts yet: $(cat "$BATS_TEST_TMPDIR/$ID.err")"
	touch "$created"
	shim start "$ID"
	wait $rpid || fail "recvtty: $(cat "$BATS_TEST_TMPDIR/tty.err")"
	grep -q '^/dev/pts/[0-9]' "$BATS_TEST_TMPDIR/tty.out"
	grep -q on-the-pty "$BATS_TEST_TMPDIR/tty.out"
	# Nothing of keel's went to its (non-terminal) stdio either.
	[ ! -s "$BATS_TEST_TMPDIR/$ID.out" ] && [ ! -s "$BATS_TEST_TMPDIR/$ID.err" ]
}

@test "a failing create: log.json's last error line is what the shim parses; stderr too, stdout empty" {
	spec_args /no/such/binary
	status=0
	shim create --bundle "$BUNDLE" --pid-file "$BUNDLE/init.pid" "$ID" </dev/null \
		>"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e" 3>&- || status=$?
	[ "$status" -ne 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/o" ] || fail "stdout: $(cat "$BATS_TEST_TMPDIR/o")"
	[ ! -e "$BUNDLE/init.pid" ] || fail "pid file left"
	# containerd decodes every line as {level, msg, time (RFC 3339)}, keeps the last error.
	local rfc='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'
	jq -e --arg re "$rfc" '(.level|type == "string") and (.msg|type == "string") and (.time|test($re))' \
		"$BUNDLE/log.json" >/dev/null || fail "log.json: $(cat "$BUNDLE/log.json")"
	local msg
	msg=$(jq -r 'select(.level == "error") | .msg' "$BUNDLE/log.json" | tail -1)
	[[ $msg == "keel: "*"/no/such/binary"* ]] || fail "last error: $msg"
	grep -qF "$msg" "$BATS_TEST_TMPDIR/e" || fail "stderr: $(cat "$BATS_TEST_TMPDIR/e")"
}

@test "the cgroup manager of create is remembered: later commands need no flag, a different one is ignored" {
	spec_args sleep 60
	keel --cgroup-manager disabled create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 3>&-
	[ "$(keel state "$ID" | jget - .status)" = created ]
	[ ! -e "/sys/fs/cgroup/unified/keel/$ID" ] || fail "a cgroup with --cgroup-manager disabled"
	keel create --bundle "$BUNDLE" "$ID2" </dev/null >/dev/null 2>&1 3>&-
	[ -d "/sys/fs/cgroup/unified/keel/$ID2" ] || fail "no cgroup for cgroupfs"
	# --systemd-cgroup on later commands (a shim configured for it repeats it) does not
	# switch the driver of a cgroupfs container; delete --force removes its cgroup.
	keel --systemd-cgroup start "$ID2"
	keel --systemd-cgroup kill --all "$ID2" 9
	keel --systemd-cgroup delete --force "$ID2"
	[ ! -e "/sys/fs/cgroup/unified/keel/$ID2" ] || fail "cgroup left"
	keel delete --force "$ID"
}

@test "the default --root is /run/keel for root, whatever XDG_RUNTIME_DIR says" {
	spec_args sleep 60
	local id=$ID-default-root
	XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg timeout 30 "$KEEL" create --bundle "$BUNDLE" "$id" \
		</dev/null >/dev/null 2>&1 3>&-
	local ok=0
	[ -d "/run/keel/$id" ] && [ ! -e "$BATS_TEST_TMPDIR/xdg" ] || ok=1
	timeout 30 "$KEEL" delete --force "$id"
	[ $ok -eq 0 ] || fail "state not in /run/keel/$id"
	[ ! -e "/run/keel/$id" ]
}

@test "update --resources - (the shim's form) and --resources FILE" {
	spec_args sleep 60
	shim_create
	local cg=/sys/fs/cgroup/unified/keel/$ID
	# cgroup.max.descendants needs no controller: it works on this host's unified hierarchy.
	echo '{"unified":{"cgroup.max.descendants":"5"}}' | shim update --resources - "$ID"
	[ "$(cat "$cg/cgroup.max.descendants")" = 5 ]
	echo '{"unified":{"cgroup.max.descendants":"7"}}' > "$BATS_TEST_TMPDIR/r.json"
	shim update --resources "$BATS_TEST_TMPDIR/r.json" "$ID"
	[ "$(cat "$cg/cgroup.max.descendants")" = 7 ]
	run shim update --resources - "$ID" <<< '{"unified":'
	[ "$status" -ne 0 ]
	[[ $output == keel:* ]] || fail "$output"
}

@test "pause/resume in the shim's form; single-dash long options (-no-pivot, -no-subreaper, -pid-file)" {
	spec_args sleep 60
	keel create -no-pivot -no-new-keyring -pid-file "$BUNDLE/p" -bundle "$BUNDLE" "$ID" \
		</dev/null >/dev/null 2>&1 3>&-
	check_pid_file "$BUNDLE/p" "$(pid_of "$ID")"
	shim start "$ID"
	shim pause "$ID"
	[ "$(status_of "$ID")" = paused ]
	shim resume "$ID"
	[ "$(status_of "$ID")" = running ]
	spec_args true
	run keel run -no-subreaper -b "$BUNDLE" "$ID2" </dev/null
	[ "$status" -eq 0 ] || fail "$output"
}

@test "delete of a missing container: 'does not exist' (the shim ignores that text); --force succeeds" {
	run --separate-stderr shim delete "$ID"
	[ "$status" -ne 0 ]
	[[ $stderr == *"does not exist"* ]] || fail "$stderr"
	# The shim's cleanup runs `delete --force` after its own `delete`.
	run shim delete --force "$ID"
	[ "$status" -eq 0 ] && [ -z "$output" ] || fail "delete --force: $status $output"
}
