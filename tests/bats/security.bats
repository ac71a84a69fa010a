#!/usr/bin/env bats
# Known runc/crun escape classes, each mounted for real against keel; the
# assertions are about the host being untouched. Every attack that needs a
# proof that its mechanism works has a positive control against an
# unprotected target in the same file.

load ../lib/common

setup_file() {
	# The CVE-2019-5736 attacker, static so it runs in the busybox rootfs.
	cc -static -O2 -o "$BATS_FILE_TMPDIR/exeattack" "$BATS_TEST_DIRNAME/../tools/exeattack.c" \
		|| return 1
}

# A copy of keel for attacks on the binary: a failing test must not destroy
# ./keel. kc runs it like keel() runs $KEEL (teardown deletes with ./keel).
keel_copy() {
	KC=$BATS_TEST_TMPDIR/kbin/keel
	mkdir -p "$(dirname "$KC")"
	cp "$KEEL" "$KC"
	KC_SUM=$(sha256sum < "$KC")
	KC_INODE=$(stat -c %d:%i "$KC")
}
kc() { timeout -k 5 "$KEEL_TIMEOUT" "$KC" --root "$ROOT" "$@" 3>&-; }

# The attacker runs as the container's init for $1 seconds.
attacker_ctr() {
	cp "$BATS_FILE_TMPDIR/exeattack" "$BUNDLE/rootfs/bin/exeattack"
	spec_args /bin/exeattack "$1" /bin/busybox
}

add_cap_all_sets() {
	jq ".process.capabilities |= with_entries(.value += [\"$1\"])" "$BUNDLE/config.json" \
		> "$BUNDLE/c.json" && mv "$BUNDLE/c.json" "$BUNDLE/config.json"
}

# Wait until container $1 has stopped (up to $2 seconds).
wait_stopped() {
	local i
	for i in $(seq $(( $2 * 10 ))); do
		[ "$(KEEL_TIMEOUT=5 keel state "$1" 2>/dev/null | jget - .status 2>/dev/null)" = stopped ] && return 0
		sleep 0.1
	done
	fail "container $1 still running"
}

# Run "$@" $1 times while the attacker ($ID) lives; a loaded machine may
# end the attacker early: at least 10 rounds must have raced it.
race() {
	local n=$1 i done=0
	shift
	for i in $(seq "$n"); do
		if "$@" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/race.err"; then
			done=$((done + 1))
			continue
		fi
		[ "$(KEEL_TIMEOUT=5 keel state "$ID" 2>/dev/null | jget - .status 2>/dev/null)" = running ] &&
			fail "round $i failed: $(cat "$BATS_TEST_TMPDIR/race.err")"
		break
	done
	[ "$done" -ge 10 ] || fail "only $done rounds before the attacker ended"
}

# The host binary is as it was and the attacker never wrote anything.
assert_keel_untouched() {
	local out=$1
	[ "$(sha256sum < "$KC")" = "$KC_SUM" ] || fail "host keel binary modified: $(head -c 40 "$KC" | od -c | head -2)"
	! grep '^wrote' "$out" || fail "the attacker wrote: $(cat "$out")"
	! grep -q "^seen $KC_INODE " "$out" || fail "the attacker reached the host keel binary ($KC_INODE)"
	grep -q '^denied' "$out" || fail "no attacker report: $(cat "$out")"
}

# --- CVE-2019-5736: overwriting the host runtime through /proc/<pid>/exe ---

@test "CVE-2019-5736 exec: default caps, keel exec never exposes the host binary" {
	keel_copy
	attacker_ctr 10
	kc create --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/attack.out" 2>&1
	kc start "$ID"
	race 40 kc exec "$ID" true
	wait_stopped "$ID" 20
	assert_keel_untouched "$BATS_TEST_TMPDIR/attack.out"
	# It did race keel's exec'd processes: they refused it (non-dumpable).
	denied=$(awk '$1=="denied" {print $2}' "$BATS_TEST_TMPDIR/attack.out")
	[ "$denied" -gt 0 ] || fail "the attacker never met a keel process: $(cat "$BATS_TEST_TMPDIR/attack.out")"
}

@test "CVE-2019-5736 exec: with CAP_SYS_PTRACE the attacker only reaches a sealed copy" {
	keel_copy
	attacker_ctr 10
	add_cap_all_sets CAP_SYS_PTRACE
	kc create --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/attack.out" 2>&1
	kc start "$ID"
	race 40 kc exec "$ID" true
	wait_stopped "$ID" 20
	assert_keel_untouched "$BATS_TEST_TMPDIR/attack.out"
	# CAP_SYS_PTRACE passes the dumpable check: what it reached were memfds.
	grep -q '^seen [0-9]*:[0-9]* 0$' "$BATS_TEST_TMPDIR/attack.out" \
		|| fail "the attacker never met a keel process: $(cat "$BATS_TEST_TMPDIR/attack.out")"
}

@test "CVE-2019-5736 exec --cap CAP_SYS_PTRACE: later execs seal too" {
	keel_copy
	spec_args sleep 60
	cfg_edit '.root.readonly=false'
	kc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	# Refused before start: the init is still the unsealed host binary.
	run kc exec --cap CAP_SYS_PTRACE "$ID" true
	[ "$status" -ne 0 ] || fail "exec with CAP_SYS_PTRACE into a created container succeeded"
	[[ "$output" == *"refusing CAP_SYS_PTRACE"* ]] || fail "$output"
	kc start "$ID"
	cp "$BATS_FILE_TMPDIR/exeattack" "$BUNDLE/rootfs/bin/exeattack"
	kc exec -d --cap CAP_SYS_PTRACE "$ID" sh -c '/bin/exeattack 5 /bin/busybox > /attack.out' \
		</dev/null >/dev/null 2>&1
	sleep 0.3
	for i in $(seq 40); do kc exec "$ID" true || fail "exec $i failed"; done
	sleep 6
	assert_keel_untouched "$BUNDLE/rootfs/attack.out"
	grep -q '^seen [0-9]*:[0-9]* 0$' "$BUNDLE/rootfs/attack.out" \
		|| fail "the attacker never met a keel process: $(cat "$BUNDLE/rootfs/attack.out")"
}

@test "CVE-2019-5736 create: an init joining a live pid namespace is sealed" {
	keel_copy
	attacker_ctr 12
	add_cap_all_sets CAP_SYS_PTRACE
	kc create --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/attack.out" 2>&1
	kc start "$ID"
	pid=$(pid_of "$ID")
	# A default container (no CAP_SYS_PTRACE) joining the attacker's pid ns.
	mkdir -p "$BATS_TEST_TMPDIR/b2"
	cp -al "$CACHE/rootfs" "$BATS_TEST_TMPDIR/b2/rootfs"
	(cd "$BATS_TEST_TMPDIR/b2" && "$KEEL" spec)
	jedit "$BATS_TEST_TMPDIR/b2/config.json" '.process.terminal=false' '.process.args=["true"]' \
		".process.env=[\"PATH=/bin\",\"$MARK\"]" \
		".linux.namespaces[$(jq '[.linux.namespaces[].type] | index("pid")' "$BATS_TEST_TMPDIR/b2/config.json")].path=\"/proc/$pid/ns/pid\""
	race 14 kc run --bundle "$BATS_TEST_TMPDIR/b2" "$ID2"
	wait_stopped "$ID" 20
	assert_keel_untouched "$BATS_TEST_TMPDIR/attack.out"
	grep -q '^seen [0-9]*:[0-9]* 0$' "$BATS_TEST_TMPDIR/attack.out" \
		|| fail "the attacker never met a keel process: $(cat "$BATS_TEST_TMPDIR/attack.out")"
}

@test "CVE-2019-5736 control: the attacker does overwrite an unprotected host binary in its pid ns" {
	# Only copies enter the pid namespace: the attacker writes to what it finds.
	victim=$BATS_TEST_TMPDIR/victim
	cp "$(command -v sleep)" "$victim"
	cp "$(command -v setpriv)" "$BATS_TEST_TMPDIR/setpriv"
	sum=$(sha256sum < "$victim")
	attacker_ctr 5
	keel_create "$ID"
	keel start "$ID"
	pid=$(pid_of "$ID")
	# A plain host binary, root without capabilities (like keel's exec'd
	# process after its drop), joined into the container's pid namespace.
	nsenter -t "$pid" -p -- "$BATS_TEST_TMPDIR/setpriv" --bounding-set=-all --inh-caps=-all \
		-- "$victim" 1
	wait_stopped "$ID" 10
	grep -q "^wrote $(stat -c %d:%i "$victim") " "$BATS_TEST_TMPDIR/$ID.out" \
		|| fail "the attack did not work on the control: $(cat "$BATS_TEST_TMPDIR/$ID.out")"
	[ "$(sha256sum < "$victim")" != "$sum" ] || fail "victim unchanged"
}

# --- CVE-2024-21626: leaked fds, cwd through /proc/self/fd ---

# The host pid's fds, sorted, space-separated.
fds_of() { ls "/proc/$1/fd" | sort -n | tr '\n' ' ' | sed 's/ $//'; }

@test "CVE-2024-21626 fds: run, create+start and exec hand over only 0, 1, 2" {
	spec_args sleep 60
	keel run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	[ "$(fds_of "$(pid_of "$ID")")" = "0 1 2" ] || fail "run: $(ls -l /proc/$(pid_of "$ID")/fd)"
	keel_create "$ID2"
	keel start "$ID2"
	[ "$(fds_of "$(pid_of "$ID2")")" = "0 1 2" ] || fail "create+start: $(ls -l /proc/$(pid_of "$ID2")/fd)"
	keel exec -d --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sleep 60 </dev/null >/dev/null 2>&1
	[ "$(fds_of "$(cat "$BATS_TEST_TMPDIR/p")")" = "0 1 2" ] || fail "exec: $(ls -l /proc/$(cat "$BATS_TEST_TMPDIR/p")/fd)"
}

@test "CVE-2024-21626 fds: --preserve-fds and LISTEN_FDS pass exactly those" {
	spec_args sleep 60
	export KEEL_KEEP_FD3=1
	f=$BATS_TEST_TMPDIR/f
	: > "$f"
	# fds 3-4 socket-activated, 5 preserved, 6 not.
	LISTEN_FDS=2 bash -c 'export LISTEN_PID=$$; exec "$0" --root "$1" run -d --preserve-fds 1 --bundle "$2" "$3"' \
		"$KEEL" "$ROOT" "$BUNDLE" "$ID" 3<"$f" 4<"$f" 5<"$f" 6<"$f" </dev/null >/dev/null 2>&1
	pid=$(pid_of "$ID")
	[ "$(fds_of "$pid")" = "0 1 2 3 4 5" ] || fail "run: $(ls -l /proc/$pid/fd)"
	tr '\0' '\n' < /proc/$pid/environ | grep -qx LISTEN_FDS=2 || fail "no LISTEN_FDS=2"
	tr '\0' '\n' < /proc/$pid/environ | grep -qx LISTEN_PID=1 || fail "no LISTEN_PID=1"
	# LISTEN_PID not ours: nothing is socket-activated.
	LISTEN_FDS=2 LISTEN_PID=1 "$KEEL" --root "$ROOT" create --preserve-fds 1 --bundle "$BUNDLE" "$ID2" \
		3<"$f" 4<"$f" 5<"$f" </dev/null >/dev/null 2>&1
	keel start "$ID2"
	[ "$(fds_of "$(pid_of "$ID2")")" = "0 1 2 3" ] || fail "create+start: $(ls -l /proc/$(pid_of "$ID2")/fd)"
	keel exec -d --preserve-fds 2 --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sleep 60 \
		3<"$f" 4<"$f" 5<"$f" </dev/null >/dev/null 2>&1
	[ "$(fds_of "$(cat "$BATS_TEST_TMPDIR/p")")" = "0 1 2 3 4" ] || fail "exec: $(ls -l /proc/$(cat "$BATS_TEST_TMPDIR/p")/fd)"
}

# The payload: from the cwd, climb and create a file in the host's /tmp.
ESCAPE_SH='touch ../../../../../../../../../../tmp/$0 2>/dev/null; pwd'

@test "CVE-2024-21626 run: process.cwd /proc/self/fd/N (N=3..30) never lands outside the root" {
	for n in $(seq 3 30); do
		cfg_edit ".process.cwd=\"/proc/self/fd/$n\"" \
			".process.args=[\"sh\",\"-c\",$(json_str "$ESCAPE_SH"),\"keel-escape-$TEST_TAG-$n\"]"
		run keel run --bundle "$BUNDLE" "$ID" </dev/null
		[ ! -e "/tmp/keel-escape-$TEST_TAG-$n" ] || { rm -f /tmp/keel-escape-$TEST_TAG-*; fail "escaped with fd $n: $output"; }
		if [ "$status" -eq 0 ]; then
			[[ "$output" == /* ]] || fail "fd $n: cwd $output"
		else
			[[ "$output" == *"keel: "*"/proc/self/fd/$n"* ]] || fail "fd $n: unclear error: $output"
		fi
		keel delete -f "$ID" >/dev/null 2>&1 || true
	done
}

@test "CVE-2024-21626 exec --cwd /proc/self/fd/N (N=3..30) never lands outside the root" {
	spec_args sleep 60
	keel_create "$ID"
	keel start "$ID"
	for n in $(seq 3 30); do
		run keel exec --cwd "/proc/self/fd/$n" "$ID" sh -c "$ESCAPE_SH" "keel-escape-$TEST_TAG-$n"
		[ ! -e "/tmp/keel-escape-$TEST_TAG-$n" ] || { rm -f /tmp/keel-escape-$TEST_TAG-*; fail "escaped with fd $n: $output"; }
		if [ "$status" -eq 0 ]; then
			[[ "$output" == /* ]] || fail "fd $n: cwd $output"
		else
			[[ "$output" == *"keel: "*"/proc/self/fd/$n"* ]] || fail "fd $n: unclear error: $output"
		fi
	done
}

# --- CVE-2022-29162 / CVE-2022-27650: inheritable and ambient capabilities ---

# Value of capability set $2 (CapInh, ...) in status text $1, as a number.
capset() { echo $(( 0x$(echo "$1" | awk -v s="$2:" '$1==s {print $2}') )); }
CAP_NET_ADMIN_BIT=$(( 1 << 12 ))

@test "CVE-2022-29162 caps: CapInh and CapAmb are 0 in run, exec and exec --cap; keel spec sets none" {
	[ "$(jq '.process.capabilities | (.inheritable // []) + (.ambient // []) | length' "$BUNDLE/config.json")" = 0 ] \
		|| fail "keel spec: $(jq -c .process.capabilities "$BUNDLE/config.json")"
	spec_args sleep 60
	keel_create "$ID"
	keel start "$ID"
	st=$(cat /proc/$(pid_of "$ID")/status)
	[ "$(capset "$st" CapInh)" = 0 ] && [ "$(capset "$st" CapAmb)" = 0 ] || fail "init: $st"
	st=$(keel exec "$ID" cat /proc/self/status)
	[ "$(capset "$st" CapInh)" = 0 ] && [ "$(capset "$st" CapAmb)" = 0 ] || fail "exec: $st"
	st=$(keel exec --cap CAP_NET_ADMIN "$ID" cat /proc/self/status)
	[ "$(capset "$st" CapInh)" = 0 ] && [ "$(capset "$st" CapAmb)" = 0 ] || fail "exec --cap: $st"
	[ $(( $(capset "$st" CapEff) & CAP_NET_ADMIN_BIT )) -ne 0 ] || fail "exec --cap CAP_NET_ADMIN: $st"
}

@test "caps: a config without capabilities gets no inheritable/ambient from keel's caller" {
	cfg_edit 'del .process.capabilities'
	spec_args cat /proc/self/status
	# keel itself runs with CAP_NET_ADMIN inheritable and ambient.
	run setpriv --inh-caps +net_admin --ambient-caps +net_admin -- grep -E '^Cap(Inh|Amb)' /proc/self/status
	[[ "$output" == *"CapAmb:"*"0000000000001000"* ]] || fail "setpriv did not raise them: $output"
	run setpriv --inh-caps +net_admin --ambient-caps +net_admin -- \
		"$KEEL" --root "$ROOT" run --bundle "$BUNDLE" "$ID" </dev/null 3>&-
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(capset "$output" CapInh)" = 0 ] && [ "$(capset "$output" CapAmb)" = 0 ] || fail "$output"
}

# A busybox with file capabilities cap_net_admin+ei (inheritable, effective).
capbox() {
	command -v setcap >/dev/null || fail "setcap (libcap2-bin) missing: contrib/install-deps check"
	mkdir -p "$BUNDLE/rootfs/capdir"
	cp "$BUNDLE/rootfs/bin/busybox" "$BUNDLE/rootfs/capdir/busybox"
	setcap cap_net_admin+ei "$BUNDLE/rootfs/capdir/busybox"
}

@test "CVE-2022-29162 caps: a file-inheritable binary gains nothing (run, exec --cap); control: asked-for inheritable does" {
	capbox
	# run as uid 1000 with CAP_NET_ADMIN in every set but inheritable.
	add_cap_all_sets CAP_NET_ADMIN
	cfg_edit '.process.capabilities.inheritable=[]' '.process.user={"uid":1000,"gid":1000}' \
		'.process.args=["/capdir/busybox","cat","/proc/self/status"]'
	run keel run --bundle "$BUNDLE" "$ID" </dev/null
	[ "$status" -eq 0 ] || fail "$output"
	[ $(( $(capset "$output" CapPrm) & CAP_NET_ADMIN_BIT )) -eq 0 ] || fail "run: gained CAP_NET_ADMIN: $output"
	spec_args sleep 60
	keel_create "$ID"
	keel start "$ID"
	run keel exec -u 1000 --cap CAP_NET_ADMIN "$ID" /capdir/busybox cat /proc/self/status
	[ "$status" -eq 0 ] || fail "$output"
	[ $(( $(capset "$output" CapPrm) & CAP_NET_ADMIN_BIT )) -eq 0 ] || fail "exec --cap: gained CAP_NET_ADMIN: $output"
	# Control: a process that asks for CAP_NET_ADMIN inheritable does gain it.
	cat > "$BATS_TEST_TMPDIR/p.json" <<-EOF2
	{"terminal": false, "user": {"uid": 1000, "gid": 1000}, "cwd": "/",
	 "env": ["PATH=/bin", "$MARK"], "args": ["/capdir/busybox", "cat", "/proc/self/status"],
	 "capabilities": {"bounding": ["CAP_NET_ADMIN"], "permitted": ["CAP_NET_ADMIN"],
	                  "effective": ["CAP_NET_ADMIN"], "inheritable": ["CAP_NET_ADMIN"]}}
	EOF2
	run keel exec --process "$BATS_TEST_TMPDIR/p.json" "$ID"
	[ "$status" -eq 0 ] || fail "$output"
	[ $(( $(capset "$output" CapEff) & CAP_NET_ADMIN_BIT )) -ne 0 ] || fail "control: no CAP_NET_ADMIN: $output"
}

# --- /dev: CVE-2025-31133 (/dev/null swapped), CVE-2025-52565 (/dev/console,
# /dev/pts symlinks), a /dev symlink ---

# Host sentinels: a file and an empty dir that nothing may touch.
host_sentinels() {
	HOSTF=$BATS_TEST_TMPDIR/host/sentinel
	HOSTD=$BATS_TEST_TMPDIR/host/dir
	mkdir -p "$HOSTD"
	echo sentinel > "$HOSTF"
	touch -d '2001-01-01' "$HOSTF" "$HOSTD"
	HOST_STAMP=$(stat -c '%Y %s %i' "$HOSTF" "$HOSTD")
}

assert_host_untouched() {
	[ "$(cat "$HOSTF")" = sentinel ] || fail "host file written: $(cat "$HOSTF")"
	[ "$(stat -c '%Y %s %i' "$HOSTF" "$HOSTD")" = "$HOST_STAMP" ] || fail "host sentinels changed"
	[ -z "$(ls -A "$HOSTD")" ] || fail "host dir got: $(ls -A "$HOSTD")"
	! grep -F " $BATS_TEST_TMPDIR/host" /proc/self/mountinfo || fail "mounted on the host"
}

# In the container: masked paths masked, /dev/null the null device.
DEV_CHECK='echo kcore=$(cat /proc/kcore 2>/dev/null | wc -c) timer_list=$(cat /proc/timer_list | wc -c) firmware=$(ls /sys/firmware | wc -l) null=$(stat -c %F:%t:%T /dev/null); echo x > /dev/null; echo after=$(cat /dev/null | wc -c)'
DEV_OK='kcore=0 timer_list=0 firmware=0 null=character special file:1:3'

# run with terminal false and true (foreground: keel proxies the pty).
run_dev_attack() {
	local t
	spec_args sh -c "$DEV_CHECK"
	for t in false true; do
		cfg_edit ".process.terminal=$t"
		run keel run --bundle "$BUNDLE" "$ID" </dev/null
		[ "$status" -eq 0 ] || fail "terminal $t: $output"
		[[ "$output" == *"$DEV_OK"* && "$output" == *"after=0"* ]] || fail "terminal $t: $output"
		assert_host_untouched
	done
}

# keel mounts a tmpfs on /dev unless the config mounts something there: the
# attacker's /dev is a bind-mounted directory (a volume, or a rootfs shared
# with another container) holding its entries.
dev_volume() {
	DEVVOL=$BATS_TEST_TMPDIR/devvol
	mkdir -p "$DEVVOL"
	cfg_edit ".mounts[$(mount_idx /dev)]={\"destination\":\"/dev\",\"type\":\"bind\",\"source\":\"$DEVVOL\",\"options\":[\"rbind\",\"nosuid\"]}"
}

@test "CVE-2025-31133 /dev/null a symlink to a host file (a /dev volume): replaced, masks hold" {
	host_sentinels
	dev_volume
	ln -s "$HOSTF" "$DEVVOL/null"
	run_dev_attack
}

@test "CVE-2025-31133 /dev/null a regular file (a /dev volume): replaced, masks hold" {
	host_sentinels
	dev_volume
	echo regular > "$DEVVOL/null"
	run_dev_attack
}

# dangling_then_inside PATH: PATH is a symlink to $HOSTD. Dangling in the rootfs, run is
# refused naming PATH; with $HOSTD present in the rootfs too, the attack stays inside it.
dangling_then_inside() {
	spec_args true
	run keel run --bundle "$BUNDLE" "$ID" </dev/null
	[ "$status" -ne 0 ] && [[ "$output" == "keel: "*"$1"* ]] || fail "$status: $output"
	assert_host_untouched
	mkdir -p "$BUNDLE/rootfs/$HOSTD"
	run_dev_attack
}

@test "CVE-2025-52565 /dev/console and /dev/pts symlinks to host paths" {
	host_sentinels
	dev_volume
	ln -s "$HOSTF" "$DEVVOL/console"
	ln -s "$HOSTD" "$DEVVOL/pts"
	# Its target present in the rootfs, devpts goes there, in the rootfs.
	dangling_then_inside /dev/pts
}

@test "/dev itself a symlink to a host directory" {
	host_sentinels
	rm -rf "$BUNDLE/rootfs/dev"
	ln -s "$HOSTD" "$BUNDLE/rootfs/dev"
	dangling_then_inside /dev
}

# --- exec -u ---

@test "exec -u: numeric uids need no passwd entry; names resolve only in the container" {
	host_only=$(cut -d: -f1 /etc/passwd | grep -vxF -f <(cut -d: -f1 "$BUNDLE/rootfs/etc/passwd") | head -1)
	[ -n "$host_only" ] || fail "no host-only user name"
	{ cat "$BUNDLE/rootfs/etc/passwd"; echo "ctronly:x:4242:4343::/:/bin/sh"; } > "$BATS_TEST_TMPDIR/passwd"
	rootfs_write etc/passwd < "$BATS_TEST_TMPDIR/passwd"
	! grep -q '^ctronly:' /etc/passwd || fail "ctronly exists on the host"
	spec_args sleep 60
	keel_create "$ID"
	keel start "$ID"
	run keel exec -u 1 "$ID" id -u
	[ "$status" -eq 0 ] && [ "$output" = 1 ] || fail "-u 1: $output"
	run keel exec -u 4321 "$ID" sh -c 'echo $(id -u):$(id -g)'
	[ "$status" -eq 0 ] && [ "$output" = 4321:0 ] || fail "-u 4321: $output"
	run keel exec -u ctronly "$ID" sh -c 'echo $(id -u):$(id -g)'
	[ "$status" -eq 0 ] && [ "$output" = 4242:4343 ] || fail "-u ctronly: $output"
	run keel exec -u "$host_only" "$ID" id -u
	[ "$status" -ne 0 ] || fail "-u $host_only (host only) ran: $output"
	[[ "$output" == "keel: "*"$host_only"*"container's /etc/passwd"* ]] || fail "unclear: $output"
}

# --- sanity: mountinfo ---

@test "mountinfo: the init and an exec'd process see no mount points outside their root" {
	spec_args sleep 60
	keel_create "$ID"
	keel start "$ID"
	n=$(jq '.mounts | length' "$BUNDLE/config.json")
	n=$(( n + $(jq '(.linux.maskedPaths // []) + (.linux.readonlyPaths // []) | length' "$BUNDLE/config.json") + 4 ))
	for who in 1 self; do
		mi=$(keel exec "$ID" cat /proc/$who/mountinfo)
		[ -n "$mi" ] || fail "no mountinfo"
		bad=$(echo "$mi" | awk '{print $5}' | grep -v '^/' || true)
		[ -z "$bad" ] || fail "$who: mount points outside the root: $bad"
		for host in "$BATS_TEST_TMPDIR" "$REPO" /run/keel /sys/fs/cgroup/unified/; do
			! echo "$mi" | awk '{print $5}' | grep -qF "$host" || fail "$who: host path $host: $mi"
		done
		[ "$(echo "$mi" | wc -l)" -le "$n" ] || fail "$who: more mounts than the config makes: $mi"
	done
}
