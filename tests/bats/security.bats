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
	attacker_ctr 6
	kc create --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/attack.out" 2>&1
	kc start "$ID"
	for i in $(seq 40); do kc exec "$ID" true || fail "exec $i failed"; done
	wait_stopped "$ID" 15
	assert_keel_untouched "$BATS_TEST_TMPDIR/attack.out"
	# It did race keel's exec'd processes: they refused it (non-dumpable).
	denied=$(awk '$1=="denied" {print $2}' "$BATS_TEST_TMPDIR/attack.out")
	[ "$denied" -gt 0 ] || fail "the attacker never met a keel process: $(cat "$BATS_TEST_TMPDIR/attack.out")"
}

@test "CVE-2019-5736 exec: with CAP_SYS_PTRACE the attacker only reaches a sealed copy" {
	keel_copy
	attacker_ctr 6
	add_cap_all_sets CAP_SYS_PTRACE
	kc create --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/attack.out" 2>&1
	kc start "$ID"
	for i in $(seq 40); do kc exec "$ID" true || fail "exec $i failed"; done
	wait_stopped "$ID" 15
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
	attacker_ctr 8
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
	for i in $(seq 12); do
		kc run --bundle "$BATS_TEST_TMPDIR/b2" "$ID2" </dev/null >/dev/null 2>&1 || fail "run $i failed"
	done
	wait_stopped "$ID" 15
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
