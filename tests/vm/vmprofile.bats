#!/usr/bin/env bats
# `keel spec --vm` as written, pids limit included, on a cgroup v2 kernel (run inside
# the VM by tests/vm/check.sh; the host suite tests/bats/vmprofile.bats covers the rest
# without the pids controller). Needs build/tools/sysno (make tools) on the host.

load lib

setup() {
	vm_setup
	SYSNO=$REPO/build/tools/sysno
	[ -x "$SYSNO" ] || fail "$SYSNO missing: make tools"
	# A rootfs of our own with sysno in it, reachable by the mapped root.
	RFS=$BATS_TEST_TMPDIR/rootfs
	cp -a "$KEEL_VM_ROOTFS" "$RFS"
	cp "$SYSNO" "$RFS/bin/sysno"
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	rm "$BUNDLE/config.json"
	(cd "$BUNDLE" && "$KEEL" spec --vm) || fail "keel spec --vm failed"
	cfg ".root.path=\"$RFS\" | .process.terminal=false
	   | .process.env=[\"PATH=/bin:/sbin:/usr/bin:/usr/sbin\"]"
}
teardown() { vm_teardown; }

@test "vmprofile: root mapped to 100000, syscalls refused, ENOSYS above the profile, cgroupfs read-only, pids.max 4096" {
	[ "$(jq .linux.resources.pids.limit "$BUNDLE/config.json")" = 4096 ]
	cfg_sh 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map
		for c in mount keyctl unshare bpf 1000 clone3; do echo $c $(sysno $c); done
		unshare -U true 2>/dev/null || echo "unshare -U refused"
		echo 1 > /sys/fs/cgroup/pids.max 2>/dev/null || echo "cgroupfs read-only"
		cat /sys/fs/cgroup/pids.max'
	create_bg
	expect_cg pids.max 4096
	[ "$(stat -c %u /proc/$(pid_of))" = 100000 ]
	keel start "$ID"
	until_true 20 [ "$(status_of)" = stopped ] || fail "still $(status_of)"
	mapfile -t out < "$BATS_TEST_TMPDIR/$ID.out"
	[ "${out[0]} ${out[1]}" = "0 0" ] || fail "id: ${out[*]}"
	read -r a b c <<< "${out[2]}"
	[ "$a $b $c" = "0 100000 65536" ] || fail "uid_map ${out[2]}"
	read -r a b c <<< "${out[3]}"
	[ "$a $b $c" = "0 100000 65536" ] || fail "gid_map ${out[3]}"
	[ "${out[4]}" = "mount errno 1 EPERM" ]
	[ "${out[5]}" = "keyctl errno 1 EPERM" ]
	[ "${out[6]}" = "unshare errno 1 EPERM" ]
	[ "${out[7]}" = "bpf errno 1 EPERM" ]
	[ "${out[8]}" = "1000 errno 38 ENOSYS" ]
	[ "${out[9]}" = "clone3 errno 38 ENOSYS" ]
	[ "${out[10]}" = "unshare -U refused" ]
	[ "${out[11]}" = "cgroupfs read-only" ]
	[ "${out[12]}" = 4096 ]
	keel delete "$ID"
}
