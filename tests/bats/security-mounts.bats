#!/usr/bin/env bats
# Escapes through mounts and /proc (issue 4): each test mounts the real
# attack against keel, shows the attack is in place (positive control) and
# checks the host is untouched.
#
#   fake /proc writes     CVE-2019-16884, CVE-2025-52881
#   /proc, /sys symlinks  CVE-2019-19921, CVE-2023-27561, CVE-2023-28642
#   mount-target races    CVE-2021-30465, CVE-2024-45310
#   writable sysfs        CVE-2023-25809 (cgroupfs part: tests/vm/security.bats)

load ../lib/common



bind_mount() { add_mount "{\"destination\":\"$1\",\"type\":\"bind\",\"source\":\"$2\",\"options\":[\"bind\"]}"; }

# A host process whose oom_score_adj is a procfs file the attack redirects
# keel's write to (a real procfs file: fstatfs alone cannot tell).
host_victim() {
	sleep 1000 &
	VICTIM=$!
	track_pid "$VICTIM"
	echo 7 > "/proc/$VICTIM/oom_score_adj"
}

# --- writes to /proc: sysctl, oom_score_adj (CVE-2019-16884, CVE-2025-52881) ---

@test "fake /proc: sysctl with a bundle file bound over /proc/sys/kernel/hostname lands in the real procfs" {
	echo decoy > "$BUNDLE/decoy"
	bind_mount /proc/sys/kernel/hostname "$BUNDLE/decoy"
	cfg_edit '.linux.sysctl={"kernel.hostname":"realname"}'
	spec_args sh -c 'echo "seen=$(cat /proc/sys/kernel/hostname)"; echo "uts=$(hostname)"'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	# Positive control: the decoy really is what the container sees there.
	echo "$output" | grep -qx 'seen=decoy' || fail "decoy not in place: $output"
	echo "$output" | grep -qx 'uts=realname' || fail "sysctl not applied: $output"
	[ "$(cat "$BUNDLE/decoy")" = decoy ] || fail "decoy written: $(cat "$BUNDLE/decoy")"
}

@test "fake /proc: sysctl redirected to another procfs file (a host process's oom_score_adj) lands in the real procfs" {
	host_victim
	bind_mount /proc/sys/kernel/hostname "/proc/$VICTIM/oom_score_adj"
	cfg_edit '.linux.sysctl={"kernel.hostname":"99"}'
	spec_args sh -c 'echo "seen=$(cat /proc/sys/kernel/hostname)"; echo "uts=$(hostname)"'
	run_ctr
	[ "$(cat "/proc/$VICTIM/oom_score_adj")" = 7 ] || fail "host process's oom_score_adj written"
	[ "$status" -eq 0 ] || fail "$stderr"
	echo "$output" | grep -qx 'seen=7' || fail "decoy not in place: $output"
	echo "$output" | grep -qx 'uts=99' || fail "sysctl not applied: $output"
}

@test "fake /proc: sysctl under a tmpfs over /proc/sys lands in the real procfs" {
	add_mount '{"destination":"/proc/sys","type":"tmpfs","source":"tmpfs","options":["size=64k"]}'
	cfg_edit '.linux.sysctl={"kernel.hostname":"undertmpfs"}'
	spec_args sh -c 'echo "entries=$(ls /proc/sys | wc -l)"; echo "uts=$(hostname)"'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	echo "$output" | grep -qx 'entries=0' || fail "tmpfs not in place: $output"
	echo "$output" | grep -qx 'uts=undertmpfs' || fail "sysctl not applied: $output"
}

@test "fake /proc: a bundle directory bound over /proc (fake sys/ and self/) redirects neither sysctl nor oomScoreAdj" {
	mkdir -p "$BUNDLE/fakeproc/sys/kernel" "$BUNDLE/fakeproc/self" "$BUNDLE/fakeproc/1"
	echo fake > "$BUNDLE/fakeproc/sys/kernel/hostname"
	echo 0 > "$BUNDLE/fakeproc/self/oom_score_adj"
	echo 0 > "$BUNDLE/fakeproc/1/oom_score_adj"
	bind_mount /proc "$BUNDLE/fakeproc"
	cfg_edit '.linux.sysctl={"kernel.hostname":"realproc"}' '.process.oomScoreAdj=123'
	spec_args sh -c 'echo "seen=$(cat /proc/sys/kernel/hostname)"; echo "uts=$(hostname)"'
	keel_create "$ID" || fail "$(cat "$BATS_TEST_TMPDIR/$ID.err")"
	[ "$(cat "/proc/$(pid_of "$ID")/oom_score_adj")" = 123 ] || fail "oomScoreAdj not applied"
	keel start "$ID"
	wait_status "$ID" stopped
	out=$(cat "$BATS_TEST_TMPDIR/$ID.out")
	echo "$out" | grep -qx 'seen=fake' || fail "fake /proc not in place: $out"
	echo "$out" | grep -qx 'uts=realproc' || fail "sysctl not applied: $out"
	[ "$(cat "$BUNDLE/fakeproc/sys/kernel/hostname")" = fake ] || fail "fake hostname written"
	[ "$(cat "$BUNDLE/fakeproc/self/oom_score_adj" "$BUNDLE/fakeproc/1/oom_score_adj")" = "$(printf '0\n0')" ] ||
		fail "fake oom_score_adj written"
	keel delete "$ID"
}

@test "fake /proc: oomScoreAdj with a host process's oom_score_adj bound over /proc/self/oom_score_adj lands on the init" {
	host_victim
	# /proc/self in the rootfs resolves to the init (pid 1 of the container).
	bind_mount /proc/self/oom_score_adj "/proc/$VICTIM/oom_score_adj"
	cfg_edit '.process.oomScoreAdj=321'
	# Children inherit the real value; pid 1's file is the decoy.
	spec_args sh -c 'echo "seen=$(cat /proc/1/oom_score_adj)"; echo "real=$(cat /proc/self/oom_score_adj)"'
	run_ctr
	[ "$(cat "/proc/$VICTIM/oom_score_adj")" = 7 ] || fail "host process's oom_score_adj written"
	[ "$status" -eq 0 ] || fail "$stderr"
	echo "$output" | grep -qx 'seen=7' || fail "decoy not in place: $output"
	echo "$output" | grep -qx 'real=321' || fail "oomScoreAdj not applied: $output"
}

# --- /proc and /sys as symlinks (CVE-2019-19921, CVE-2023-27561, CVE-2023-28642) ---

# symlink_refused DIR TARGET: rootfs/DIR -> TARGET makes create fail, naming it.
symlink_refused() {
	rm -rf "${BUNDLE:?}/rootfs/$1"
	ln -s "$2" "$BUNDLE/rootfs/$1"
	run_create "$ID"
	[ "$status" -ne 0 ] || fail "create succeeded with /$1 -> $2"
	[[ "$stderr" == *"mount destination /$1 is a symlink in the rootfs"* ]] || fail "$stderr"
	[ ! -d "$ROOT/$ID" ] || fail "state left"
}

@test "/proc as a symlink in the rootfs (absolute, to a host directory) is refused" {
	mkdir "$BATS_TEST_TMPDIR/hostdir"
	symlink_refused proc "$BATS_TEST_TMPDIR/hostdir"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/hostdir")" ] || fail "host dir written"
	! grep -q " $BATS_TEST_TMPDIR/hostdir " /proc/self/mountinfo || fail "host dir mounted"
}

@test "/proc as a relative symlink climbing out of the rootfs is refused" {
	mkdir -p "$BUNDLE/rootfs/fakeproc"
	symlink_refused proc ../../../../../../../../../tmp
}

@test "/sys as a symlink in the rootfs is refused" {
	mkdir -p "$BUNDLE/rootfs/fakesys"
	symlink_refused sys fakesys
}

@test "a symlink out of the rootfs in a mount destination's parent never mounts or creates on the host" {
	host=$BATS_TEST_TMPDIR/hostdir ctl=$BATS_TEST_TMPDIR/control
	mkdir "$host" "$ctl"
	echo f > "$BATS_TEST_TMPDIR/file"
	ln -s "$host" "$BUNDLE/rootfs/mnt"
	ln -s "../../../../../../../../..$host" "$BUNDLE/rootfs/rel"
	# Dangling in the rootfs: refused, its target is not created anywhere.
	add_mount '{"destination":"/mnt/sub","type":"tmpfs","source":"tmpfs","options":["size=64k"]}'
	run_create "$ID"
	[ "$status" -ne 0 ] || fail "create through a dangling symlink succeeded"
	[[ "$stderr" == *"\`/mnt\` in the rootfs is a dangling symlink"* ]] || fail "$stderr"
	[ -z "$(ls -A "$host")" ] || fail "created on the host: $(ls -A "$host")"
	[ ! -e "$BUNDLE/rootfs$host" ] || fail "dangling target created in the rootfs"
	# The symlinks resolve inside the root.
	mkdir -p "$BUNDLE/rootfs$host"
	idx=$(mount_idx /mnt/sub)
	cfg_edit "del .mounts[$idx]"
	add_mount '{"destination":"/mnt/sub","type":"tmpfs","source":"tmpfs","options":["size=64k"]}'
	bind_mount /rel/file "$BATS_TEST_TMPDIR/file"
	spec_args sh -c 'grep -c " /.*/hostdir/sub " /proc/self/mountinfo; cat /rel/file'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	# Inside, the mounts are where the symlinks lead within the root.
	[ "$(echo "$output" | head -1)" = 1 ] || fail "tmpfs not at /mnt/sub in the container: $output"
	[ -d "$BUNDLE/rootfs$host/sub" ] && [ -f "$BUNDLE/rootfs$host/file" ] || fail "not made inside the rootfs"
	[ -z "$(ls -A "$host")" ] || fail "created on the host: $(ls -A "$host")"
	! grep -q " $host" /proc/self/mountinfo || fail "host dir mounted"
	# Positive control: a string-path mkdir through the same symlink lands on the host.
	ln -s "$ctl" "$BUNDLE/rootfs/mnt2"
	mkdir -p "$BUNDLE/rootfs/mnt2/sub"
	[ -d "$ctl/sub" ] || fail "control: the symlink does not lead to the host"
}

# --- mount-target races (CVE-2021-30465, CVE-2024-45310) ---

# A host directory shared as a volume; the attacker swaps vol/x (a
# directory) with vol/y (a symlink to $1) as fast as it can.
start_race() {
	VOL=$BATS_TEST_TMPDIR/vol
	rm -rf "$VOL"
	mkdir -p "$VOL/x/mnt"
	ln -s "$1" "$VOL/y"
	"$TOOLS/swapper" "$VOL/x" "$VOL/y" 60 > "$BATS_TEST_TMPDIR/swaps" &
	RACER=$!
	track_pid "$RACER"
}

stop_race() {
	kill -TERM "$RACER"
	wait "$RACER" || true
	SWAPS=$(cat "$BATS_TEST_TMPDIR/swaps")
}

@test "race: swapping a volume directory with a symlink to the host never mounts or creates on the host" {
	sentinel=$BATS_TEST_TMPDIR/sentinel ctl=$BATS_TEST_TMPDIR/control
	mkdir -p "$sentinel" "$ctl/mnt"
	echo f > "$BATS_TEST_TMPDIR/file"

	# Positive control: through the racing path, a string-path mount (in a
	# throwaway mount namespace) and a string-path mkdir land on the host.
	start_race "$ctl"
	run unshare -m --propagation private sh -c '
		for i in $(seq 3000); do
			mount -t tmpfs ctl "$1/x/mnt" 2>/dev/null || continue
			grep -q " $2/mnt " /proc/self/mountinfo && { echo mounted-on-host; break; }
		done
		for i in $(seq 3000); do
			mkdir "$1/x/new" 2>/dev/null && [ -d "$2/new" ] && { echo created-on-host; break; }
			rmdir "$1/x/new" "$1/y/new" 2>/dev/null
		done' sh "$VOL" "$ctl"
	stop_race
	echo "control: $output, $SWAPS swaps"
	[[ "$output" == *mounted-on-host* ]] || fail "control: a naive mount never landed on the host ($SWAPS swaps)"
	[[ "$output" == *created-on-host* ]] || fail "control: a naive mkdir never landed on the host"
	[ "$SWAPS" -gt 1000 ] || fail "control: only $SWAPS swaps"

	# The attack on keel: containers start over and over with mounts whose
	# destinations pass through the racing directory.
	bind_mount /vol "$VOL"
	add_mount '{"destination":"/vol/x/mnt","type":"tmpfs","source":"tmpfs","options":["size=64k"]}'
	bind_mount /vol/x/file "$BATS_TEST_TMPDIR/file"
	add_mount '{"destination":"/vol/x/made/here","type":"tmpfs","source":"tmpfs","options":["size=64k"]}'
	spec_args true
	start_race "$sentinel"
	ok=0 failed=0 end=$((SECONDS + 5))
	while [ $SECONDS -lt $end ]; do
		if keel run --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null; then
			ok=$((ok + 1))
		else
			failed=$((failed + 1))
			KEEL_TIMEOUT=10 keel delete --force "$ID" >/dev/null 2>&1 || true
		fi
	done
	stop_race
	echo "keel: $ok started, $failed failed, $SWAPS swaps"
	[ $((ok + failed)) -ge 5 ] || fail "only $((ok + failed)) starts"
	[ "$SWAPS" -gt 1000 ] || fail "only $SWAPS swaps"
	[ -z "$(ls -A "$sentinel")" ] || fail "created on the host: $(ls -AR "$sentinel")"
	! grep -q " $sentinel" /proc/self/mountinfo || fail "host sentinel mounted"
}

# --- read-only sysfs (CVE-2023-25809: kernel filesystems are read-only unless asked) ---

@test "sysfs without options is mounted read-only; \"rw\" makes it writable" {
	idx=$(mount_idx /sys)
	cfg_edit ".mounts[$idx].options=[\"nosuid\",\"noexec\",\"nodev\"]"
	spec_args sh -c 'grep " /sys " /proc/self/mountinfo; touch /sys/kernel/x 2>&1; echo rc=$?'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *" /sys ro,"* ]] || fail "sysfs not read-only: $output"
	[[ "$output" == *"Read-only file system"* ]] || fail "$output"
	# The explicit opt-in.
	cfg_edit ".mounts[$idx].options=[\"nosuid\",\"noexec\",\"nodev\",\"rw\"]"
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *" /sys rw,"* ]] || fail "rw sysfs not read-write: $output"
}
