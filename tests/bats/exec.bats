#!/usr/bin/env bats
# keel exec into a running container.

load ../lib/common

# A running container with a long sleep as init.
start_ctr() {
	spec_args sleep 60
	keel_create "$ID"
	keel start "$ID"
}

@test "exec: inline args, output and exit status" {
	start_ctr
	run --separate-stderr keel exec "$ID" sh -c 'echo out; echo err >&2; exit 5'
	[ "$status" -eq 5 ] || fail "status $status: $output / $stderr"
	[ "$output" = out ]
	[ "$stderr" = err ]
	run keel exec "$ID" true
	[ "$status" -eq 0 ]
}

@test "exec: runs in the container's namespaces and root" {
	start_ctr
	run keel exec "$ID" cat /etc/hostname
	[ "$status" -eq 0 ] || fail "status $status: $output"
	[ "$output" = keel-rootfs ]
	for ns in pid mnt uts ipc net; do
		want=$(readlink /proc/$(pid_of "$ID")/ns/$ns)
		got=$(keel exec "$ID" readlink /proc/self/ns/$ns)
		[ "$got" = "$want" ] || fail "$ns: $got != $want"
	done
}

@test "exec --process FILE" {
	start_ctr
	cat > "$BATS_TEST_TMPDIR/p.json" <<-EOF
	{"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/etc",
	 "env": ["PATH=/bin:/usr/bin", "FOO=bar", "$MARK"],
	 "args": ["sh", "-c", "echo \$FOO \$(pwd); exit 3"]}
	EOF
	run keel exec --process "$BATS_TEST_TMPDIR/p.json" "$ID"
	[ "$status" -eq 3 ] || fail "status $status: $output"
	[ "$output" = "bar /etc" ]
}

@test "exec -e and --cwd" {
	start_ctr
	run keel exec -e FOO=1 -e BAR=two --cwd /tmp "$ID" sh -c 'echo $FOO $BAR $(pwd)'
	[ "$status" -eq 0 ] || fail "$output"
	[ "$output" = "1 two /tmp" ]
	# The config's env stays.
	run keel exec "$ID" sh -c 'echo $KEEL_TEST_MARK'
	[ "$output" = "$TEST_TAG" ]
}

@test "exec -u 1000:1000 and -u 1" {
	start_ctr
	run keel exec -u 1000:1000 "$ID" id
	[ "$status" -eq 0 ]
	[[ "$output" == "uid=1000(user) gid=1000(user)"* ]] || fail "$output"
	run keel exec -u 1 "$ID" id -u
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "exec --cap adds a capability, CapInh stays 0" {
	start_ctr
	# CAP_SYS_ADMIN is bit 21 (0x200000), not in the default set.
	run keel exec "$ID" grep CapEff /proc/self/status
	eff=$(( 0x${output##*[[:space:]]} ))
	[ $(( eff & 0x200000 )) -eq 0 ] || fail "CAP_SYS_ADMIN already there: $output"
	run keel exec --cap CAP_SYS_ADMIN "$ID" cat /proc/self/status
	[ "$status" -eq 0 ]
	for set in CapEff CapPrm CapBnd; do
		v=$(echo "$output" | awk -v s="$set:" '$1==s {print $2}')
		[ $(( 0x$v & 0x200000 )) -ne 0 ] || fail "$set $v lacks CAP_SYS_ADMIN"
	done
	v=$(echo "$output" | awk '$1=="CapInh:" {print $2}')
	[ $(( 0x$v )) -eq 0 ] || fail "CapInh $v"
}

@test "exec --no-new-privs" {
	cfg_edit '.process.noNewPrivileges=false'
	start_ctr
	run keel exec "$ID" grep NoNewPrivs /proc/self/status
	[[ "$output" == *"	0" ]] || fail "without: $output"
	run keel exec --no-new-privs "$ID" grep NoNewPrivs /proc/self/status
	[[ "$output" == *"	1" ]] || fail "with: $output"
}

@test "exec -d with --pid-file" {
	start_ctr
	keel exec -d --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sleep 30 </dev/null >/dev/null 2>&1 3>&-
	pid=$(cat "$BATS_TEST_TMPDIR/p")
	[[ "$pid" =~ ^[1-9][0-9]*$ ]]
	grep -q sleep /proc/$pid/cmdline
	[ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$(pid_of "$ID")/ns/pid)" ]
}

@test "exec -t with --console-socket (recvtty)" {
	start_ctr
	sock=$BATS_TEST_TMPDIR/tty.sock
	"$TOOLS/recvtty" --read "$sock" > "$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" 3>&- &
	rpid=$!
	track_pid $rpid
	for i in $(seq 30); do [ -S "$sock" ] && break; sleep 0.1; done
	run keel exec -t --console-socket "$sock" "$ID" sh -c 'tty; echo hello-pty; exit 4'
	[ "$status" -eq 4 ] || fail "status $status: $output"
	wait $rpid || fail "recvtty: $(cat "$BATS_TEST_TMPDIR/tty.err")"
	grep -q '^/dev/pts/[0-9]' "$BATS_TEST_TMPDIR/tty.out"
	grep -q hello-pty "$BATS_TEST_TMPDIR/tty.out"
}

@test "exec -t --console-socket: input reaches the process" {
	start_ctr
	sock=$BATS_TEST_TMPDIR/tty.sock
	"$TOOLS/recvtty" --write 'echo in-$((6*7)); exit 3\n' "$sock" > "$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" 3>&- &
	rpid=$!
	track_pid $rpid
	for i in $(seq 30); do [ -S "$sock" ] && break; sleep 0.1; done
	run keel exec -t --console-socket "$sock" "$ID" sh
	[ "$status" -eq 3 ] || fail "status $status: $output"
	wait $rpid || fail "recvtty: $(cat "$BATS_TEST_TMPDIR/tty.err")"
	grep -q in-42 "$BATS_TEST_TMPDIR/tty.out"
}

@test "exec --preserve-fds" {
	start_ctr
	echo passed-through > "$BATS_TEST_TMPDIR/f"
	KEEL_KEEP_FD3=1 run keel exec --preserve-fds 1 "$ID" sh -c 'cat <&3' 3<"$BATS_TEST_TMPDIR/f"
	[ "$status" -eq 0 ] || fail "status $status: $output"
	[ "$output" = passed-through ]
	# Without it fd 3 is not there.
	KEEL_KEEP_FD3=1 run keel exec "$ID" sh -c 'cat <&3' 3<"$BATS_TEST_TMPDIR/f"
	[ "$status" -ne 0 ]
}

@test "exec into a stopped or missing container fails" {
	spec_args true
	keel_create "$ID"
	keel start "$ID"
	wait_status "$ID" stopped
	run keel exec "$ID" true
	[ "$status" -ne 0 ]
	run keel exec nosuch true
	[ "$status" -ne 0 ]
	[[ "$output" == *nosuch* ]]
}

@test "exec of a missing executable names it" {
	start_ctr
	run keel exec "$ID" /no/such/binary
	[ "$status" -ne 0 ]
	[[ "$output" == */no/such/binary* ]] || fail "$output"
}
