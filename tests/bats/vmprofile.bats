#!/usr/bin/env bats
# `keel spec --vm` on the host: the config it writes, and a busybox container
# run with it. The host has no pids controller, so these runs drop
# linux.resources.pids (the whole profile, limit included, runs in the VM:
# tests/vm/vmprofile.bats); a run that keeps it must fail cleanly.

load ../lib/common


# The --vm config with the edits common.bash makes to the default one, the
# test tool sysno in the rootfs, the bundle reachable by the mapped root.
vm_bundle() {
	rm -f "$BUNDLE/config.json"
	(cd "$BUNDLE" && "$KEEL" spec --vm "$@") || fail "keel spec --vm failed"
	cfg_edit ".process.terminal=false" \
		".process.env=[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"$MARK\"]" \
		"del .linux.resources.pids"
	cp "$TOOLS/sysno" "$BUNDLE/rootfs/bin/sysno"
	bundle_traversable
}

@test "vmprofile: keel spec --vm writes the hardened config" {
	rm -f "$BUNDLE/config.json"
	(cd "$BUNDLE" && "$KEEL" spec --vm) || fail "keel spec --vm failed"
	f=$BUNDLE/config.json
	jq -e . "$f" >/dev/null || fail "not JSON"
	[ "$(jq -c '[.linux.namespaces[].type]' "$f")" = \
	  '["pid","network","ipc","uts","mount","cgroup","user","time"]' ]
	# /etc/subuid has no range for root on this host: the documented default.
	[ "$(jq -c '.linux.uidMappings, .linux.gidMappings' "$f" | sort -u)" = \
	  '[{"containerID":0,"hostID":100000,"size":65536}]' ]
	[ "$(jq '.linux.resources.pids.limit' "$f")" = 4096 ]
	[ "$(jq -c '.linux.resources.devices' "$f")" = '[{"allow":false,"access":"rwm"}]' ]
	[ "$(jq '.process.noNewPrivileges' "$f")" = true ]
	[ "$(jq -c '.process.capabilities.bounding' "$f")" = '["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]' ]
	[ "$(jq -r '.linux.seccomp.defaultAction, .linux.seccomp.defaultErrnoRet' "$f" | tr '\n' ' ')" = "SCMP_ACT_ERRNO 1 " ]
	[ "$(jq '.linux.seccomp.syscalls[] | select(.names == ["clone3"]) | .errnoRet' "$f")" = 38 ]
	jq -e '[.linux.seccomp.syscalls[].names[]] | (index("read") != null) and (index("mount") == null) and (index("bpf") == null)' "$f" >/dev/null
	jq -e '.mounts[] | select(.destination == "/sys/fs/cgroup") | .options | index("ro") != null' "$f" >/dev/null
	# The default config has none of it.
	rm "$f"
	(cd "$BUNDLE" && "$KEEL" spec)
	[ "$(jq -c '.linux.seccomp, .linux.uidMappings, .linux.resources.pids' "$f" | sort -u)" = null ]
}

@test "vmprofile: keel spec --vm --rootless maps the caller and drops cgroup resources" {
	rm -f "$BUNDLE/config.json"
	(cd "$BUNDLE" && "$KEEL" spec --vm --rootless) || fail "keel spec --vm --rootless failed"
	f=$BUNDLE/config.json
	[ "$(jq -c '.linux.uidMappings' "$f")" = "[{\"containerID\":0,\"hostID\":$(id -u),\"size\":1}]" ]
	[ "$(jq -c '.linux.resources' "$f")" = null ]
	[ "$(jq -r '.linux.seccomp.defaultAction' "$f")" = SCMP_ACT_ERRNO ]
	jq -e '.linux.namespaces | map(.type) | index("network") != null' "$f" >/dev/null
}

@test "vmprofile: a busybox container runs as root mapped to host uid 100000" {
	vm_bundle
	cfg_edit '.process.args=["sh","-c","id -u; cat /proc/self/uid_map; grep CapEff /proc/self/status; exec sleep 30"]'
	keel_create "$ID" || fail "create: $(cat "$BATS_TEST_TMPDIR/$ID.err")"
	keel start "$ID"
	pid=$(pid_of "$ID")
	for i in $(seq 50); do [ "$(wc -l < "$BATS_TEST_TMPDIR/$ID.out")" -ge 3 ] && break; sleep 0.1; done
	mapfile -t out < "$BATS_TEST_TMPDIR/$ID.out"
	[ "${out[0]}" = 0 ] || fail "id -u: ${out[*]}"
	read -r a b c <<< "${out[1]}"
	[ "$a $b $c" = "0 100000 65536" ] || fail "uid_map ${out[1]}"
	[ "$(echo ${out[2]})" = "CapEff: 0000000020000420" ] || fail "${out[2]}"
	[ "$(stat -c %u /proc/$pid)" = 100000 ]
	for ns in user time pid net cgroup; do
		[ "$(readlink /proc/$pid/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ] || fail "$ns shared"
	done
	# An exec'd process joins the same namespaces and gets the same filter.
	run --separate-stderr keel exec "$ID" sh -c 'id -u; sysno mount'
	[ "$status" -eq 0 ] || fail "exec: $stderr"
	[ "${lines[*]}" = "0 errno 1 EPERM" ] || fail "$output"
}

@test "vmprofile: mount, keyctl, bpf, unshare refused; clone3, syscall 1000 ENOSYS; cgroupfs read-only" {
	vm_bundle
	cfg_edit '.process.args=["sh","-c","for c in mount keyctl bpf kexec_load perf_event_open clone3 1000; do echo $c $(sysno $c); done; unshare -U true && echo unshare ok; echo 1 > /sys/fs/cgroup/cgroup.procs && echo cgroup writable; touch /sys/x 2>/dev/null && echo sys writable; sysno getpid"]'
	run_ctr
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[ "${lines[0]}" = "mount errno 1 EPERM" ]
	[ "${lines[1]}" = "keyctl errno 1 EPERM" ]
	[ "${lines[2]}" = "bpf errno 1 EPERM" ]
	[ "${lines[3]}" = "kexec_load errno 1 EPERM" ]
	[ "${lines[4]}" = "perf_event_open errno 1 EPERM" ]
	[ "${lines[5]}" = "clone3 errno 38 ENOSYS" ]
	[ "${lines[6]}" = "1000 errno 38 ENOSYS" ]
	[ "${lines[7]}" = "ok 1" ] || fail "$output"
	[[ "$stderr" == *"unshare"*"Operation not permitted"* ]] || fail "$stderr"
	[[ "$stderr" == *"Read-only file system"* ]] || fail "$stderr"
}

# vm_sysno_each 'CALL ARGS with $v' V...: in a --vm container, one `sysno` line per V.
vm_sysno_each() {
	local call=$1
	shift
	vm_bundle
	cfg_edit ".process.args=[\"sh\",\"-c\",\"for v in $*; do echo \$(sysno $call); done\"]"
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${#lines[@]}" -eq $# ] || fail "$output"
}

@test "vmprofile: no vsock socket, not even with high bits set in the family" {
	# The kernel reads socket()'s family as an int: 40 | 1 << 32 is AF_VSOCK.
	run "$TOOLS/sysno" socket 0x100000028 1 0
	[[ "$output" == "ok "* || "$output" == "errno 97 EAFNOSUPPORT" ]] ||
		fail "control: the host's answer: $output"
	vm_sysno_each 'socket $v 1 0' 40 0x100000028 0xffffffff00000028 1 2 10
	[ "${lines[*]:0:3}" = "errno 1 EPERM errno 1 EPERM errno 1 EPERM" ] || fail "$output"
	[[ "${lines[3]}" == "ok "* && "${lines[4]}" == "ok "* && "${lines[5]}" == "ok "* ]] ||
		fail "unix, inet, inet6: $output"
}

@test "vmprofile: TIOCSTI and TIOCLINUX refused whatever the high bits; other ioctls reach the kernel" {
	# Control: unfiltered, TIOCSTI on a non-tty gets the kernel's ENOTTY.
	run "$TOOLS/sysno" ioctl 0 0x5412 0 < /dev/null
	[ "$output" = "errno 25 ENOTTY" ] || fail "control: $output"
	vm_sysno_each 'ioctl 0 $v 0' 0x5412 0x100005412 0xffffffff00005412 0x541C 0x5413 0x5401 0x80045430
	[ "${lines[*]:0:4}" = "errno 1 EPERM errno 1 EPERM errno 1 EPERM errno 1 EPERM" ] || fail "$output"
	[ "${lines[*]:4:3}" = "errno 25 ENOTTY errno 25 ENOTTY errno 25 ENOTTY" ] || fail "$output"
}

@test "vmprofile: the filter, not the caps, refuses mount (control: no filter, CAP_SYS_ADMIN mounts)" {
	vm_bundle
	caps='["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE","CAP_SYS_ADMIN"]'
	cfg_edit ".process.capabilities.bounding=$caps" ".process.capabilities.effective=$caps" \
		".process.capabilities.permitted=$caps" \
		'.process.args=["sh","-c","sysno mount; mount -t tmpfs none /tmp && echo mounted"]'
	run_ctr
	[ "${lines[0]}" = "errno 1 EPERM" ] || fail "$output"
	[ "${#lines[@]}" -eq 1 ] || fail "mounted under the filter: $output"
	cfg_edit 'del .linux.seccomp'
	run_ctr
	[ "$status" -eq 0 ] || fail "control: $stderr"
	# Unfiltered, the kernel reads the (NULL) arguments: EFAULT.
	[ "${lines[0]}" = "errno 14 EFAULT" ] || fail "control: $output"
	[ "${lines[1]}" = mounted ]
}

@test "vmprofile: a syscall the kernel has but the profile does not know gets ENOSYS, not EPERM" {
	# mseal (462, Linux 6.10) is newer than every name in the profile.
	run "$TOOLS/sysno" 462 0 0 0
	[ "$output" = "ok 0" ] || fail "control: the host kernel lacks mseal: $output"
	vm_bundle
	cfg_edit '.process.args=["sysno","462","0","0","0"]'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "errno 38 ENOSYS" ]
}

@test "vmprofile: with the pids limit the host refuses the container cleanly" {
	vm_bundle
	cfg_edit '.linux.resources.pids={"limit":4096}' '.process.args=["true"]'
	run_ctr
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"pids"*"linux.resources.pids.limit"* ]] || fail "$stderr"
	[ ! -e "$ROOT/$ID" ]
}
