#!/usr/bin/env bats
# The container process: args, env, cwd, user, rlimits, terminal, caps,
# noNewPrivileges, oomScoreAdj, sysctl, seccomp.

load ../lib/common


@test "args with spaces and quotes reach the process unchanged" {
	spec_args sh -c 'for a in "$@"; do echo "[$a]"; done' sh 'a b' '"q"' '' "it's"
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "$(printf '[a b]\n["q"]\n[]\n[it'"'"'s]')" ] || fail "$output"
}

@test "env and cwd" {
	cfg_edit ".process.env=[\"PATH=/bin:/usr/bin\",\"FOO=bar baz\",\"EMPTY=\",\"$MARK\"]" '.process.cwd="/etc"'
	spec_args sh -c 'echo "$FOO|$EMPTY|$PATH|$(pwd)"; env | grep -c .'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = "bar baz||/bin:/usr/bin|/etc" ] || fail "$output"
}

@test "a missing cwd is created" {
	cfg_edit '.process.cwd="/does/not/exist"' '.root.readonly=false'
	spec_args pwd
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = /does/not/exist ]
}

@test "the container gets only fds 0, 1, 2" {
	spec_args sh -c 'ls /proc/self/fd'
	run_ctr 5</dev/null
	[ "$status" -eq 0 ] || fail "$stderr"
	# ls itself holds one more: the directory it reads.
	[ "$(echo $output)" = "0 1 2 3" ] || fail "fds: $(echo $output)"
}

@test "user: uid, gid, umask, additionalGids" {
	cfg_edit '.process.user={"uid":1000,"gid":1000,"umask":63,"additionalGids":[10,29]}'
	spec_args sh -c 'id -u; id -g; umask; grep ^Groups: /proc/self/status; touch /tmp/f; stat -c "%a %u %g" /tmp/f'
	cfg_edit '.root.readonly=false'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	[ "${lines[2]}" = 0077 ]
	[ "$(echo ${lines[3]})" = "Groups: 10 29" ] || fail "${lines[3]}"
	[ "${lines[4]}" = "600 1000 1000" ] || fail "${lines[4]}"
}

@test "user: a name only in the container's /etc/passwd (exec -u NAME)" {
	cp "$BUNDLE/rootfs/etc/passwd" "$BATS_TEST_TMPDIR/p"
	echo 'ctronly:x:4242:4343::/home/ctronly:/bin/sh' >> "$BATS_TEST_TMPDIR/p"
	rootfs_write etc/passwd < "$BATS_TEST_TMPDIR/p"
	cp "$BUNDLE/rootfs/etc/group" "$BATS_TEST_TMPDIR/g"
	echo 'ctrgrp:x:4444:ctronly' >> "$BATS_TEST_TMPDIR/g"
	rootfs_write etc/group < "$BATS_TEST_TMPDIR/g"
	! grep -q ctronly /etc/passwd
	spec_args sleep 30
	keel_create "$ID"
	keel start "$ID"
	run keel exec -u ctronly "$ID" sh -c 'id -u; id -g; grep ^Groups: /proc/self/status'
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[0]}" = 4242 ]
	[ "${lines[1]}" = 4343 ]
	[[ "${lines[2]}" == *4444* ]] || fail "supplementary groups: ${lines[2]}"
	run keel exec -u nosuchuser "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *nosuchuser* ]] || fail "$output"
}

@test "rlimits" {
	cfg_edit '.process.rlimits=[{"type":"RLIMIT_NOFILE","soft":123,"hard":456},{"type":"RLIMIT_CORE","soft":0,"hard":0},{"type":"RLIMIT_NPROC","soft":777,"hard":888}]'
	spec_args sh -c 'ulimit -n; ulimit -Hn; ulimit -c; grep "Max processes" /proc/self/limits'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = 123 ]
	[ "${lines[1]}" = 456 ]
	[ "${lines[2]}" = 0 ]
	[ "$(echo ${lines[3]})" = "Max processes 777 888 processes" ] || fail "${lines[3]}"
}

@test "terminal: one pty master on the console socket, output read from it" {
	cfg_edit '.process.terminal=true'
	spec_args sh -c 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty; exit 6'
	sock=$BATS_TEST_TMPDIR/c.sock
	"$TOOLS/recvtty" --read "$sock" > "$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" 3>&- &
	rpid=$!
	track_pid $rpid
	for i in $(seq 30); do [ -S "$sock" ] && break; sleep 0.1; done
	run keel run --console-socket "$sock" --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 6 ] || fail "status $status: $output"
	wait $rpid || fail "recvtty: $(cat "$BATS_TEST_TMPDIR/tty.err")"
	tr -d '\r' < "$BATS_TEST_TMPDIR/tty.out" > "$BATS_TEST_TMPDIR/o"
	grep -qx '/dev/pts/[0-9]*' "$BATS_TEST_TMPDIR/o" || fail "$(cat "$BATS_TEST_TMPDIR/o")"
	grep -qx all-tty "$BATS_TEST_TMPDIR/o"
}

@test "terminal: input written to the pty reaches the process" {
	cfg_edit '.process.terminal=true'
	spec_args sh
	sock=$BATS_TEST_TMPDIR/c.sock
	"$TOOLS/recvtty" --write 'echo sum=$((40+2)); exit 9\n' "$sock" > "$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" 3>&- &
	rpid=$!
	track_pid $rpid
	for i in $(seq 30); do [ -S "$sock" ] && break; sleep 0.1; done
	run keel run --console-socket "$sock" --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 9 ] || fail "status $status: $output"
	wait $rpid || fail "recvtty: $(cat "$BATS_TEST_TMPDIR/tty.err")"
	grep -q 'sum=42' "$BATS_TEST_TMPDIR/tty.out"
}

@test "terminal without --console-socket is refused for a detached container" {
	cfg_edit '.process.terminal=true'
	spec_args true
	run_create "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *console* ]] || fail "$output"
}

@test "capabilities: the five sets" {
	# CAP_CHOWN 0, CAP_NET_RAW 13, CAP_SYS_ADMIN 21 -> 0x202001; CAP_NET_RAW -> 0x2000
	cfg_edit '.process.capabilities={"bounding":["CAP_CHOWN","CAP_NET_RAW","CAP_SYS_ADMIN"],"effective":["CAP_CHOWN","CAP_SYS_ADMIN"],"permitted":["CAP_CHOWN","CAP_NET_RAW","CAP_SYS_ADMIN"],"inheritable":["CAP_NET_RAW"],"ambient":["CAP_NET_RAW"]}'
	spec_args grep ^Cap /proc/self/status
	cfg_edit '.process.noNewPrivileges=false'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	# uid 0: execve makes the effective set the permitted one.
	for l in "CapInh: 0000000000002000" "CapPrm: 0000000000202001" "CapEff: 0000000000202001" \
		"CapBnd: 0000000000202001" "CapAmb: 0000000000002000"; do
		echo "$output" | sed 's/\t/ /' | grep -Fqx -- "$l" || fail "missing '$l' in: $output"
	done
}

@test "capabilities: a non-root user keeps only ambient ones" {
	cfg_edit '.process.user={"uid":1000,"gid":1000}' \
		'.process.capabilities={"bounding":["CAP_NET_RAW","CAP_CHOWN"],"effective":["CAP_NET_RAW","CAP_CHOWN"],"permitted":["CAP_NET_RAW","CAP_CHOWN"],"inheritable":["CAP_NET_RAW"],"ambient":["CAP_NET_RAW"]}'
	spec_args sh -c 'grep -E "^Cap(Eff|Amb)" /proc/self/status'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	echo "$output" | sed 's/\t/ /' | grep -Fqx "CapEff: 0000000000002000" || fail "$output"
	echo "$output" | sed 's/\t/ /' | grep -Fqx "CapAmb: 0000000000002000" || fail "$output"
}

@test "noNewPrivileges true and false" {
	cfg_edit '.process.noNewPrivileges=true'
	spec_args grep NoNewPrivs /proc/self/status
	run_ctr
	[ "$(echo $output)" = "NoNewPrivs: 1" ] || fail "$output"
	cfg_edit '.process.noNewPrivileges=false'
	run_ctr
	[ "$(echo $output)" = "NoNewPrivs: 0" ] || fail "$output"
}

@test "oomScoreAdj" {
	cfg_edit '.process.oomScoreAdj=543'
	spec_args cat /proc/self/oom_score_adj
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = 543 ]
}

@test "sysctl in the container's net and ipc namespaces" {
	cfg_edit '.linux.sysctl={"net.ipv4.ip_forward":"1","kernel.shmmax":"123456789","net.ipv4.ping_group_range":"0 0"}'
	spec_args sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax'
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	host_shm=$(cat /proc/sys/kernel/shmmax)
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "$(printf '1\n123456789')" ] || fail "$output"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	[ "$(cat /proc/sys/kernel/shmmax)" = "$host_shm" ]
}

@test "sysctl of a namespaced key without its namespace is refused" {
	ns_del network
	cfg_edit '.linux.sysctl={"net.ipv4.ip_forward":"1"}'
	spec_args true
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	run keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *net.ipv4.ip_forward* ]] || fail "$output"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
}

@test "seccomp: mkdir denied with errnoRet 42" {
	cfg_edit '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":42}]}'
	spec_args sh -c 'mkdir /tmp/d; echo rc=$?; touch /tmp/f && echo touch-ok'
	cfg_edit '.root.readonly=false'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$stderr" == *"No message of desired type"* ]] || fail "stderr: $stderr"
	[[ "$output" == *rc=1* ]]
	[[ "$output" == *touch-ok* ]]
}

@test "seccomp without noNewPrivileges and without CAP_SYS_ADMIN (podman's default): run and exec" {
	# The kernel refuses a filter from a process that has neither no_new_privs nor
	# CAP_SYS_ADMIN: keel must load it before dropping the capability.
	cfg_edit '.process.noNewPrivileges=false' \
		'.process.capabilities={"bounding":["CAP_CHOWN"],"effective":["CAP_CHOWN"],"permitted":["CAP_CHOWN"]}' \
		'.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":42}]}' \
		'.root.readonly=false'
	spec_args sh -c 'mkdir /tmp/d; echo rc=$?; grep -E "^(NoNewPrivs|CapEff)" /proc/self/status'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *rc=1* ]] || fail "the filter is not loaded: $output"
	echo "$output" | grep -Eq "NoNewPrivs:.0" || fail "$output"
	echo "$output" | grep -Eq "CapEff:.0000000000000001" || fail "$output"
	spec_args sleep 100
	keel_create "$ID"
	keel start "$ID"
	run --separate-stderr keel exec "$ID" sh -c 'mkdir /tmp/e; echo rc=$?'
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = rc=1 ] || fail "the filter is not loaded in exec: $output"
	keel delete -f "$ID"
}

@test "seccomp: ERRNO without errnoRet is EPERM" {
	cfg_edit '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}'
	cfg_edit '.root.readonly=false'
	spec_args sh -c 'mkdir /d; echo rc=$?'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *rc=1* ]] || fail "$output"
	[[ "$stderr" == *"Operation not permitted"* ]] || fail "stderr: $stderr"
}

@test "seccomp: defaultErrnoRet with an ALLOW default is refused" {
	cfg_edit '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":1,"syscalls":[{"names":["uname"],"action":"SCMP_ACT_ERRNO"}]}'
	spec_args true
	run keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
}

@test "seccomp: default action applies to unlisted syscalls" {
	# Default ERRNO(ENOSYS); every syscall of the host's table allowed but
	# getppid, mkdir and mkdirat.
	list=$(printf '"%s",' $(awk '$1 ~ /^#define/ && $2 ~ /^__NR_/ {sub("__NR_","",$2); print $2}' /usr/include/x86_64-linux-gnu/asm/unistd_64.h | grep -vx -e getppid -e mkdir -e mkdirat))
	cfg_edit ".linux.seccomp={\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":[{\"names\":[${list%,}],\"action\":\"SCMP_ACT_ALLOW\"}]}"
	spec_args sh -c 'mkdir /tmp/d; echo rc=$?'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *rc=1* ]] || fail "$output"
	[[ "$stderr" == *"Function not implemented"* ]] || fail "stderr: $stderr"
}

@test "seccomp: an args filter" {
	# kill(pid, SIGUSR1=10) denied with EPERM, other signals allowed.
	cfg_edit '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kill"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":1,"value":10,"op":"SCMP_CMP_EQ"}]}]}'
	spec_args sh -c 'trap "" USR1 USR2; kill -USR1 $$; echo usr1=$?; kill -USR2 $$; echo usr2=$?'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *usr1=1* ]] || fail "$output"
	[[ "$output" == *usr2=0* ]] || fail "$output"
}

@test "seccomp: an unknown syscall name is ignored (as runc and crun do)" {
	cfg_edit '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["no_such_syscall_xyz","mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}'
	cfg_edit '.root.readonly=false'
	spec_args sh -c 'mkdir /d; echo rc=$?'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *rc=1* ]] || fail "$output"
}

@test "seccomp: SCMP_ACT_NOTIFY hands the notify fd to listenerPath with the state" {
	sock=$BATS_TEST_TMPDIR/listener.sock
	"$REPO/build/tools/notifyrecv" "$sock" 39 > "$BATS_TEST_TMPDIR/listener.out" 2>&1 &
	rpid=$!
	track_pid $rpid
	for i in $(seq 30); do [ -S "$sock" ] && break; sleep 0.1; done
	cfg_edit ".linux.seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"$sock\",\"listenerMetadata\":\"meta-1\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}"
	cfg_edit '.root.readonly=false'
	spec_args sh -c 'mkdir /d; echo rc=$?'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	# 39 is ENOTEMPTY: the answer came from our listener, not from the kernel.
	[[ "$stderr" == *"not empty"* ]] || fail "stderr: $stderr"
	wait $rpid || fail "listener: $(cat "$BATS_TEST_TMPDIR/listener.out")"
	out=$(cat "$BATS_TEST_TMPDIR/listener.out")
	[ "$(jget - .fds[0] <<<"$out")" = seccompFd ] || fail "$out"
	[ "$(jget - .metadata <<<"$out")" = meta-1 ] || fail "$out"
	[ "$(jget - .state.id <<<"$out")" = "$ID" ] || fail "$out"
	[ "$(jget - .pid <<<"$out")" -gt 1 ] || fail "$out"
}

@test "linux.intelRdt is refused (not supported), nothing left behind" {
	cfg_edit '.linux.intelRdt={"closID":"c1","l3CacheSchema":"L3:0=ff"}'
	spec_args true
	run_ctr
	[ "$status" -eq 1 ] || fail "status $status"
	[[ "$stderr" == *"linux.intelRdt"*"not supported"* ]] || fail "$stderr"
	[ ! -e "$ROOT/$ID" ]
}
