#!/usr/bin/env bats
# Escapes through cgroupfs (CVE-2023-25809), on a real cgroup v2 kernel (run inside the
# VM by tests/vm/check.sh): the container's /sys/fs/cgroup is read-only unless the config
# says "rw", and a "rw" one reaches the container's own cgroup only. The host-side
# mount and /proc attacks are in tests/bats/security-mounts.bats.

load lib

setup() { vm_setup; }
teardown() { vm_teardown; }

# Options of the /sys/fs/cgroup mount: cgroup_opts JSON-ARRAY.
cgroup_opts() { cfg --argjson o "$1" '(.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) = $o'; }

try_writes='mkdir /sys/fs/cgroup/escape 2>&1; echo +pids > /sys/fs/cgroup/cgroup.subtree_control 2>&1
	echo 1 > /sys/fs/cgroup/cgroup.freeze 2>&1; echo done'

@test "cgroupfs: read-only by default (EROFS), also when the options do not say \"ro\"" {
	cfg_sh "$try_writes"
	run keel run --bundle "$BUNDLE" "$ID" </dev/null
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(echo "$output" | grep -c 'Read-only file system')" = 3 ] || fail "writable: $output"
	# Neither "ro" nor "rw": still read-only.
	cgroup_opts '["nosuid","noexec","nodev","relatime"]'
	run keel run --bundle "$BUNDLE" "$ID" </dev/null
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(echo "$output" | grep -c 'Read-only file system')" = 3 ] || fail "writable: $output"
	[ ! -e "$CGROOT/escape" ] && [ ! -e "$CG/escape" ]
}

# rw_own_cgroup: the container makes a child cgroup through a "rw" mount; it
# must land in its own cgroup ($CG), and nothing else of the host is visible.
rw_own_cgroup() {
	cgroup_opts '["nosuid","noexec","nodev","relatime","rw"]'
	cfg_sh 'cat /proc/self/cgroup > /out/cgroup; ls /sys/fs/cgroup > /out/ls
		mkdir /sys/fs/cgroup/child && touch /out/ready; exec sleep 100000'
	start_bg
	until_true 20 test -e "$OUT/ready" || fail "$(cat "$BATS_TEST_TMPDIR/$ID.err")"
	[ -d "$CG/child" ] || fail "child not in the container's cgroup"
	[ ! -e "$CGROOT/child" ] || fail "child made at the host's root"
	# Positive control: the VM's own /init cgroup is there, the container cannot see it.
	[ -d "$CGROOT/init" ]
	! grep -qx init "$OUT/ls" || fail "the host's cgroups are visible: $(cat "$OUT/ls")"
	keel delete --force "$ID"
	[ ! -e "$CG" ]
}

@test "cgroupfs: a \"rw\" mount in a cgroup namespace is writable in the container's own cgroup only" {
	rw_own_cgroup
	[ "$(cat "$OUT/cgroup")" = "0::/" ] || fail "not in a cgroup namespace: $(cat "$OUT/cgroup")"
}

@test "cgroupfs: a \"rw\" mount without a cgroup namespace is the container's own cgroup, not the hierarchy" {
	cfg 'del(.linux.namespaces[] | select(.type == "cgroup"))'
	rw_own_cgroup
	[ "$(cat "$OUT/cgroup")" = "0::/keel/$ID" ] || fail "in a cgroup namespace: $(cat "$OUT/cgroup")"
}

# --- the AppArmor label write (CVE-2019-16884, CVE-2023-28642): the VM kernel has AppArmor ---

@test "fake /proc: an AppArmor exec label write with a file bound over /proc/self/attr/apparmor/exec lands in the real procfs" {
	[ "$(cat /sys/module/apparmor/parameters/enabled)" = Y ] || fail "AppArmor is not enabled in the VM"
	echo decoy > "$BATS_TEST_TMPDIR/decoy"
	cfg --arg d "$BATS_TEST_TMPDIR/decoy" \
		'.mounts += [{"destination":"/proc/self/attr/apparmor/exec","type":"bind","source":$d,"options":["bind"]}]
		 | .process.apparmorProfile="unconfined"'
	cfg_sh 'echo "seen=$(cat /proc/1/attr/apparmor/exec)"; echo "label=$(cat /proc/self/attr/apparmor/current)"'
	run keel run --bundle "$BUNDLE" "$ID" </dev/null
	[ "$status" -eq 0 ] || fail "$output"
	[ "$(cat "$BATS_TEST_TMPDIR/decoy")" = decoy ] || fail "decoy written: $(cat "$BATS_TEST_TMPDIR/decoy")"
	# Positive control: the decoy is what the container sees there.
	echo "$output" | grep -qx 'seen=decoy' || fail "decoy not in place: $output"
	echo "$output" | grep -qx 'label=unconfined' || fail "$output"
}
