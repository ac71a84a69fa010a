#!/usr/bin/env bats
# create/start/run/state/kill/delete/list/ps/spec/features and the CLI surface.

load ../lib/common

@test "create: status created, init blocked until start" {
	spec_args sh -c 'echo started > /tmp/x; echo hello'
	cfg_edit '.root.readonly=false'
	keel_create "$ID"
	[ "$(status_of "$ID")" = created ]
	pid=$(pid_of "$ID")
	[ "$pid" -gt 0 ]
	kill -0 "$pid"
	sleep 0.3
	[ ! -e "$BUNDLE/rootfs/tmp/x" ] || fail "the process ran before start"
	[ "$(status_of "$ID")" = created ]
	run keel start "$ID"
	[ "$status" -eq 0 ] || fail "start: $output"
	wait_status "$ID" stopped
	[ -e "$BUNDLE/rootfs/tmp/x" ]
	grep -qx hello "$BATS_TEST_TMPDIR/$ID.out"
	keel delete "$ID"
	[ ! -e "$ROOT/$ID" ]
}

@test "start: running, then stopped after the process exits" {
	spec_args sh -c 'read x < /dev/null; sleep 1'
	keel_create "$ID"
	keel start "$ID"
	[ "$(status_of "$ID")" = running ]
	wait_status "$ID" stopped
}

@test "state: OCI fields, nothing on stderr" {
	spec_args sleep 10
	cfg_edit '.annotations={"org.keel.test":"yes"}'
	keel_create "$ID"
	run --separate-stderr keel state "$ID"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ] || fail "stderr: $stderr"
	echo "$output" > "$BATS_TEST_TMPDIR/s.json"
	s=$BATS_TEST_TMPDIR/s.json
	[ "$(jget "$s" .ociVersion)" = "$(cfg_get .ociVersion)" ]
	[ "$(jget "$s" .id)" = "$ID" ]
	[ "$(jget "$s" .status)" = created ]
	[[ "$(jget "$s" .pid)" =~ ^[1-9][0-9]*$ ]]
	[ "$(jget "$s" .bundle)" = "$BUNDLE" ]
	[ "$(jget "$s" .rootfs)" = "$BUNDLE/rootfs" ]
	[[ "$(jget "$s" .created)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$ ]] \
		|| fail "created: $(jget "$s" .created)"
	[ "$(jget "$s" .owner)" = root ]
	[ "$(jget "$s" '.annotations["org.keel.test"]')" = yes ]
}

@test "state of a missing container fails" {
	run keel state nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *nosuch* ]]
}

@test "run: exit status of the process" {
	spec_args sh -c 'echo out; echo err >&2; exit 7'
	run --separate-stderr keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 7 ]
	[ "$output" = out ]
	[ "$stderr" = err ]
	[ ! -e "$ROOT/$ID" ] || fail "state kept without --keep"
}

@test "run: 128+N when the process dies of signal N" {
	# Without a pid namespace: an init ignores TERM it has no handler for.
	ns_del pid
	for sig in KILL:137 TERM:143; do
		spec_args sleep 30
		keel run --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 3>&- &
		runpid=$!
		wait_status "$ID" running
		keel kill "$ID" "${sig%:*}"
		st=0
		wait $runpid || st=$?
		[ "$st" -eq "${sig#*:}" ] || fail "run after SIG${sig%:*}: status $st"
		for i in $(seq 30); do [ -e "$ROOT/$ID" ] || break; sleep 0.1; done
		[ ! -e "$ROOT/$ID" ] || keel delete --force "$ID"
	done
}

@test "run --detach returns while the container runs" {
	spec_args sleep 30
	keel run --detach --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 3>&-
	[ "$(status_of "$ID")" = running ]
	keel kill "$ID" KILL
	wait_status "$ID" stopped
	keel delete "$ID"
}

@test "run --keep keeps the state" {
	spec_args true
	run keel run --keep --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ "$(status_of "$ID")" = stopped ]
	keel delete "$ID"
	run keel state "$ID"
	[ "$status" -ne 0 ]
}

@test "kill: signal names and numbers, default TERM" {
	for sig in TERM SIGTERM 15 KILL ""; do
		spec_args sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
		keel_create "$ID"
		keel start "$ID"
		if [ -n "$sig" ]; then
			keel kill "$ID" "$sig"
		else
			keel kill "$ID"
		fi
		wait_status "$ID" stopped
		keel delete "$ID"
	done
}

@test "kill: the default signal is TERM (the process sees TERM)" {
	spec_args sh -c 'trap "echo TERMED > /dev/shm/t; exit 0" TERM; echo up > /dev/shm/up; while :; do sleep 0.1; done'
	cfg_edit ".mounts[$(mount_idx /dev/shm)]={\"destination\":\"/dev/shm\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR\",\"options\":[\"rbind\"]}"
	keel_create "$ID"
	keel start "$ID"
	for i in $(seq 30); do [ -e "$BATS_TEST_TMPDIR/up" ] && break; sleep 0.1; done
	keel kill "$ID"
	wait_status "$ID" stopped
	grep -qx TERMED "$BATS_TEST_TMPDIR/t"
}

@test "kill: a stopped container: not running; --all succeeds" {
	spec_args true
	keel_create "$ID"
	keel start "$ID"
	wait_status "$ID" stopped
	run keel kill "$ID" KILL
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]] || fail "output: $output"
	run keel kill --all "$ID" KILL
	[ "$status" -eq 0 ] || fail "kill --all: $output"
}

@test "kill: a bad signal name is refused" {
	spec_args sleep 10
	keel_create "$ID"
	run keel kill "$ID" NOSUCHSIG
	[ "$status" -ne 0 ]
	[ "$(status_of "$ID")" = created ]
}

@test "delete: a running container needs --force" {
	spec_args sleep 30
	keel_create "$ID"
	keel start "$ID"
	pid=$(pid_of "$ID")
	run keel delete "$ID"
	[ "$status" -ne 0 ]
	[ "$(status_of "$ID")" = running ]
	run keel delete --force "$ID"
	[ "$status" -eq 0 ] || fail "$output"
	[ ! -e "$ROOT/$ID" ]
	for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$pid" 2>/dev/null
}

@test "delete --force of a created container" {
	spec_args sleep 30
	keel_create "$ID"
	keel delete --force "$ID"
	run keel state "$ID"
	[ "$status" -ne 0 ]
}

@test "delete of a missing container fails" {
	run keel delete nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *nosuch* ]]
}

@test "duplicate id refused, the first container untouched" {
	spec_args sleep 30
	keel_create "$ID"
	pid=$(pid_of "$ID")
	run_create "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$ID"* ]]
	[[ "$output" == *"already exists"* ]] || fail "output: $output"
	[ "$(status_of "$ID")" = created ]
	[ "$(pid_of "$ID")" = "$pid" ]
	kill -0 "$pid"
	keel start "$ID"
	[ "$(status_of "$ID")" = running ]
}

@test "--pid-file: digits only, no newline" {
	spec_args sleep 10
	keel_create --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
	run od -c "$BATS_TEST_TMPDIR/pid"
	grep -qE '^[1-9][0-9]*$' "$BATS_TEST_TMPDIR/pid"
	[ "$(tail -c1 "$BATS_TEST_TMPDIR/pid" | od -An -c | tr -d ' ')" != '\n' ] || fail "trailing newline"
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(pid_of "$ID")" ]
}

@test "list: -q, table, json" {
	spec_args sleep 10
	keel_create "$ID"
	keel_create "$ID2"
	run keel list -q
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' "$ID" "$ID2")" ]
	run keel list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == ID* || "${lines[0]}" == NAME* ]]
	[[ "${lines[0]}" == *STATUS* ]]
	[[ "${lines[1]}" == "$ID "*created* ]]
	[[ "${lines[2]}" == "$ID2 "*created* ]]
	run keel list --format json
	[ "$status" -eq 0 ]
	echo "$output" > "$BATS_TEST_TMPDIR/l.json"
	[ "$(jget "$BATS_TEST_TMPDIR/l.json" '.[0].id')" = "$ID" ]
	[ "$(jget "$BATS_TEST_TMPDIR/l.json" '.[1].status')" = created ]
}

@test "list of an empty root" {
	run keel list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "ps --format json: an array of host pids" {
	spec_args sh -c 'sleep 30 & sleep 30'
	keel_create "$ID"
	keel start "$ID"
	sleep 0.3
	run keel ps --format json "$ID"
	[ "$status" -eq 0 ] || fail "$output"
	echo "$output" > "$BATS_TEST_TMPDIR/ps.json"
	n=$(jq length "$BATS_TEST_TMPDIR/ps.json")
	[ "$n" -ge 2 ] || fail "ps: $output"
	jq -e 'all(.[]; type=="number")' "$BATS_TEST_TMPDIR/ps.json"
	jq -e --argjson p "$(pid_of "$ID")" 'index($p) != null' "$BATS_TEST_TMPDIR/ps.json"
	for p in $(jq '.[]' "$BATS_TEST_TMPDIR/ps.json"); do
		tr '\0' '\n' < /proc/$p/environ | grep -qx "$MARK" || fail "$p is not in the container"
	done
}

@test "spec: writes config.json, refuses to overwrite" {
	d=$BATS_TEST_TMPDIR/s
	mkdir "$d"
	(cd "$d" && "$KEEL" spec)
	jq -e '.ociVersion and .process.args and .root.path=="rootfs" and (.linux.namespaces|length>0)' "$d/config.json"
	cp "$d/config.json" "$d/orig"
	run bash -c "cd '$d' && '$KEEL' spec"
	[ "$status" -ne 0 ]
	[[ "$output" == *config.json* ]]
	cmp "$d/config.json" "$d/orig"
	run "$KEEL" spec --bundle "$d"
	[ "$status" -ne 0 ]
	rm "$d/config.json"
	"$KEEL" spec --bundle "$d"
	cmp "$d/config.json" "$d/orig"
}

@test "spec --rootless: a user namespace with mappings" {
	d=$BATS_TEST_TMPDIR/s
	mkdir "$d"
	(cd "$d" && "$KEEL" spec --rootless)
	jq -e '[.linux.namespaces[].type] | index("user") != null' "$d/config.json"
	jq -e '.linux.uidMappings|length>0' "$d/config.json"
	jq -e '.linux.gidMappings|length>0' "$d/config.json"
}

@test "features: valid JSON" {
	run --separate-stderr "$KEEL" features
	[ "$status" -eq 0 ]
	echo "$output" > "$BATS_TEST_TMPDIR/f.json"
	jq -e '.ociVersionMin and .ociVersionMax and (.hooks|index("prestart")!=null) and (.linux.namespaces|index("pid")!=null) and (.linux.capabilities|index("CAP_SYS_ADMIN")!=null) and (.mountOptions|length>0)' "$BATS_TEST_TMPDIR/f.json"
}

@test "--version: first line" {
	run "$KEEL" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "$KEEL_NAME version "[0-9]* ]] || fail "${lines[0]}"
	[[ "$output" == *spec:* ]] || fail "no spec: line"
}

@test "--help for every command" {
	run "$KEEL" --help
	[ "$status" -eq 0 ]
	for c in create start run state kill delete list ps exec spec features pause resume update events; do
		[[ "$output" == *"$c"* ]] || fail "--help does not list $c"
	done
	for c in create start run state kill delete list ps exec spec features; do
		run "$KEEL" "$c" --help
		[ "$status" -eq 0 ] || fail "$c --help: status $status"
		[[ "${output,,}" == *usage* ]] || fail "$c --help: $output"
	done
}

@test "unknown command and unknown option fail" {
	run "$KEEL" frobnicate
	[ "$status" -ne 0 ]
	[[ "$output" == *frobnicate* ]]
	run_create --frobnicate "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *frobnicate* ]]
}

@test "--log with --log-format json: JSON lines, file made even on success" {
	log=$BATS_TEST_TMPDIR/log.json
	spec_args true
	"$KEEL" --root "$ROOT" --log "$log" --log-format json run --bundle "$BUNDLE" "$ID"
	[ -f "$log" ] || fail "no log file after success"
	run "$KEEL" --root "$ROOT" --log "$log" --log-format json state nosuch
	[ "$status" -ne 0 ]
	[ -s "$log" ] || fail "empty log after a failure"
	while IFS= read -r l; do
		echo "$l" | jq -e '(.level|type=="string") and (.msg|type=="string") and (.time|type=="string")' \
			|| fail "bad log line: $l"
	done < "$log"
	grep -q nosuch "$log"
}

@test "--log-format=json as podman passes it: one object per failure whose msg is the stderr line; text too" {
	local log=$BATS_TEST_TMPDIR/oci-log tlog=$BATS_TEST_TMPDIR/log.txt
	run --separate-stderr "$KEEL" --root "$ROOT" --log-format=json --log "$log" state nosuch
	[ "$status" -eq 1 ] || fail "$status"
	[ "$(wc -l < "$log")" -eq 1 ] || fail "$(cat "$log")"
	# podman reads the file as ONE object: the whole file must parse as a single value.
	[ "$(jq -s length "$log")" -eq 1 ] || fail "$(cat "$log")"
	[ "$(jq -r .level "$log")" = error ] || fail "$(cat "$log")"
	[ "$(jq -r .msg "$log")" = "$stderr" ] || fail "msg '$(jq -r .msg "$log")' != stderr '$stderr'"
	[[ $stderr == "keel: "*nosuch* ]] || fail "$stderr"
	run "$KEEL" --root "$ROOT" --log-format json --log "$log" kill nosuch
	[ "$(wc -l < "$log")" -eq 2 ] || fail "$(cat "$log")"
	[[ "$(tail -1 "$log" | jq -r .msg)" == "keel: "*nosuch* ]] || fail "$(cat "$log")"
	run --separate-stderr "$KEEL" --root "$ROOT" --log-format=text --log "$tlog" state nosuch
	[ "$status" -eq 1 ] || fail "$status"
	[ "$(wc -l < "$tlog")" -eq 1 ] || fail "$(cat "$tlog")"
	[[ "$(cat "$tlog")" == *" error: $stderr" ]] || fail "'$(cat "$tlog")' lacks '$stderr'"
	run "$KEEL" --root "$ROOT" --log-format=xml --log "$tlog" state nosuch
	[ "$status" -eq 1 ]
	[[ $output == *"invalid --log-format \`xml\`"* ]] || fail "$output"
}

@test "option spellings: -no-subreaper, --bundle=DIR, --bundle DIR, -b DIR" {
	spec_args true
	run keel run -no-subreaper --bundle="$BUNDLE" "$ID"
	[ "$status" -eq 0 ] || fail "$output"
	run keel run --no-subreaper --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ] || fail "$output"
	run keel run -b "$BUNDLE" "$ID"
	[ "$status" -eq 0 ] || fail "$output"
	cd "$BUNDLE"
	run keel run "$ID"
	[ "$status" -eq 0 ] || fail "$output"
}

@test "invalid ids are refused" {
	for bad in .. "a/b" ""; do
		run_create "$bad"
		[ "$status" -ne 0 ] || fail "id '$bad' accepted"
	done
}
