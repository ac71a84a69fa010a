#!/usr/bin/env bats
# OCI hooks: each kind runs, gets the state on stdin, in order; timeouts and
# failures.

load ../lib/common

# The hooks write into $H, bind-mounted at /hk in the container (for the
# hooks that run after pivot_root).
hooks_setup() {
	H=$BATS_TEST_TMPDIR/hk
	mkdir -p "$H"
	local n
	n=$(jq '.mounts|length' "$BUNDLE/config.json")
	cfg_edit ".mounts[$n]={\"destination\":\"/hk\",\"type\":\"bind\",\"source\":\"$H\",\"options\":[\"rbind\"]}"
}

# hook NAME [SHELL-SNIPPET-AFTER]: the JSON of a hook saving stdin to NAME.json.
hook() {
	local script='s=$(cat); for d in /hk '"$H"'; do if [ -d "$d" ]; then printf "%s" "$s" > "$d/$0.json"; echo "$0" >> "$d/order"; break; fi; done; '"${2:-exit 0}"
	printf '{"path":"/bin/sh","args":["sh","-c",%s,"%s"],"env":["PATH=/bin:/usr/bin","%s"]}' \
		"$(json_str "$script")" "$1" "$MARK"
}

all_hooks() {
	cfg_edit ".hooks={\"prestart\":[$(hook prestart)],\"createRuntime\":[$(hook createRuntime)],\"createContainer\":[$(hook createContainer)],\"startContainer\":[$(hook startContainer)],\"poststart\":[$(hook poststart)],\"poststop\":[$(hook poststop)]}"
}

@test "hooks: every kind runs, in order, with the state on stdin" {
	hooks_setup
	all_hooks
	spec_args sh -c 'echo ran >> /hk/order'
	keel_create "$ID"
	[ "$(cat "$H/order")" = "$(printf 'prestart\ncreateRuntime\ncreateContainer')" ] || fail "after create: $(cat "$H/order")"
	keel start "$ID"
	wait_status "$ID" stopped
	keel delete "$ID"
	[ "$(cat "$H/order")" = "$(printf 'prestart\ncreateRuntime\ncreateContainer\nstartContainer\nran\npoststart\npoststop')" ] \
		|| [ "$(cat "$H/order")" = "$(printf 'prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\nran\npoststop')" ] \
		|| fail "order: $(cat "$H/order")"
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		[ "$(jget "$H/$h.json" .id)" = "$ID" ] || fail "$h: $(cat "$H/$h.json")"
		[ "$(jget "$H/$h.json" .bundle)" = "$BUNDLE" ] || fail "$h: $(cat "$H/$h.json")"
	done
	for h in prestart createRuntime createContainer; do
		[ "$(jget "$H/$h.json" .status)" = creating ] || fail "$h: $(cat "$H/$h.json")"
		[ "$(jget "$H/$h.json" .pid)" -gt 0 ] || fail "$h: no pid"
	done
	[ "$(jget "$H/startContainer.json" .status)" = created ]
	[ "$(jget "$H/poststart.json" .status)" = running ] || [ "$(jget "$H/poststart.json" .status)" = stopped ] \
		|| fail "poststart: $(cat "$H/poststart.json")"
	[ "$(jget "$H/poststop.json" .status)" = stopped ]
}

@test "hooks: keel run runs them all" {
	hooks_setup
	all_hooks
	spec_args true
	run keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(wc -l < "$H/order")" -eq 6 ] || fail "$(cat "$H/order")"
	tail -1 "$H/order" | grep -qx poststop
}

@test "hooks: run's poststart sees the container's process already exec'd" {
	hooks_setup
	# The init is keel until its execve: comm tells which one the hook saw;
	# a slow startContainer hook holds the init back from its execve.
	cfg_edit ".hooks={\"startContainer\":[$(hook startContainer 'sleep 1')],\"poststart\":[$(hook poststart 'cat /proc/$(printf "%s" "$s" | jq .pid)/comm > '"$H"'/comm')]}"
	spec_args sleep 2
	run keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(cat "$H/comm")" = sleep ] || fail "poststart saw: $(cat "$H/comm")"
}

@test "hooks: createContainer runs in the container's namespaces, createRuntime on the host" {
	hooks_setup
	cr='readlink /proc/self/ns/uts > '"$H"'/cr.uts'
	cc='readlink /proc/self/ns/uts > "$d/cc.uts"'
	cfg_edit ".hooks={\"createRuntime\":[$(hook createRuntime "$cr")],\"createContainer\":[$(hook createContainer "$cc")]}"
	spec_args sleep 10
	keel_create "$ID"
	[ "$(cat "$H/cr.uts")" = "$(readlink /proc/self/ns/uts)" ]
	[ "$(cat "$H/cc.uts")" = "$(readlink /proc/$(pid_of "$ID")/ns/uts)" ]
}

@test "hooks: a failing createRuntime hook fails create and cleans up" {
	hooks_setup
	cfg_edit ".hooks={\"createRuntime\":[$(hook createRuntime 'exit 3')]}"
	spec_args sleep 30
	run_create "$ID"
	[ "$status" -ne 0 ]
	[ -s "$H/createRuntime.json" ]
	[ ! -e "$ROOT/$ID" ] || fail "state left: $(ls "$ROOT")"
	[ -z "$(marked_pids)" ] || fail "processes left: $(marked_pids)"
}

@test "hooks: a failing prestart hook fails run, the process never runs" {
	hooks_setup
	cfg_edit ".hooks={\"prestart\":[$(hook prestart 'exit 1')]}"
	spec_args sh -c 'echo ran > /hk/ran'
	run keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ ! -e "$H/ran" ]
	[ ! -e "$ROOT/$ID" ]
}

@test "hooks: timeout is honoured, nothing left behind" {
	hooks_setup
	h=$(hook prestart 'exec sleep 20')
	cfg_edit ".hooks={\"prestart\":[${h%\}},\"timeout\":1}]}"
	spec_args sleep 30
	start=$SECONDS
	run_create "$ID"
	[ "$status" -ne 0 ]
	[ $((SECONDS - start)) -lt 10 ] || fail "took $((SECONDS - start)) s"
	[ ! -e "$ROOT/$ID" ]
	[ -z "$(marked_pids)" ] || fail "processes left: $(marked_pids)"
}

@test "hooks: a failing poststop hook only warns" {
	hooks_setup
	cfg_edit ".hooks={\"poststop\":[$(hook poststop 'exit 2')]}"
	spec_args true
	keel_create "$ID"
	keel start "$ID"
	wait_status "$ID" stopped
	run keel delete "$ID"
	[ "$status" -eq 0 ] || fail "$output"
	[ -s "$H/poststop.json" ]
	[ ! -e "$ROOT/$ID" ]
}

@test "hooks: a failing poststart hook only warns (runtime-spec)" {
	hooks_setup
	cfg_edit ".hooks={\"poststart\":[$(hook poststart 'exit 1')]}"
	spec_args sleep 30
	keel_create "$ID"
	run keel start "$ID"
	[ "$status" -eq 0 ] || fail "$output"
	[ -s "$H/poststart.json" ]
	[ "$(status_of "$ID")" = running ]
}

@test "hooks: args and env reach the hook" {
	hooks_setup
	cfg_edit ".hooks={\"prestart\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"echo \\\"\$0 \$1 \$FOO\\\" > $H/out\",\"first\",\"second\"],\"env\":[\"FOO=bar\",\"$MARK\"]}]}"
	spec_args true
	run keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(cat "$H/out")" = "first second bar" ]
}

@test "hooks: a missing hook binary fails create and names it" {
	cfg_edit '.hooks={"prestart":[{"path":"/no/such/hook"}]}'
	spec_args true
	run_create "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == */no/such/hook* ]] || fail "$output"
	[ ! -e "$ROOT/$ID" ]
}
