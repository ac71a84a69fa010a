#!/usr/bin/env bats
# Mounts, the rootfs, /dev, masked and read-only paths.

load ../lib/common



# The mountinfo line (fields 5.. ) for mount point $1, from the container output.
mnt_line() { echo "$output" | awk -v m="$1" '$5==m' | tail -1; }

@test "default mounts: proc, sysfs, devpts, shm, mqueue" {
	spec_args cat /proc/self/mountinfo
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$(mnt_line /proc)" == *" - proc "* ]] || fail "/proc: $(mnt_line /proc)"
	[[ "$(mnt_line /sys)" == *" - sysfs "* ]] || fail "/sys: $(mnt_line /sys)"
	[[ "$(mnt_line /sys)" == *" ro,"* ]] || fail "/sys not ro: $(mnt_line /sys)"
	[[ "$(mnt_line /dev/pts)" == *" - devpts "* ]] || fail "/dev/pts: $(mnt_line /dev/pts)"
	[[ "$(mnt_line /dev/pts)" == *ptmxmode=666* || "$(mnt_line /dev/pts)" == *ptmxmode=0666* ]] || fail "/dev/pts: $(mnt_line /dev/pts)"
	[[ "$(mnt_line /dev/shm)" == *" - tmpfs "* ]] || fail "/dev/shm: $(mnt_line /dev/shm)"
	[[ "$(mnt_line /dev/mqueue)" == *" - mqueue "* ]] || fail "/dev/mqueue: $(mnt_line /dev/mqueue)"
	[[ "$(mnt_line /dev)" == *" - tmpfs "* ]] || fail "/dev: $(mnt_line /dev)"
}

@test "cgroup2 mount" {
	idx=$(mount_idx /sys/fs/cgroup)
	cfg_edit ".mounts[$idx]={\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup2\",\"source\":\"cgroup\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\"]}"
	ns_add cgroup
	spec_args sh -c 'cat /proc/self/mountinfo; ls /sys/fs/cgroup'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$(mnt_line /sys/fs/cgroup)" == *" - cgroup2 "* ]] || fail "$(mnt_line /sys/fs/cgroup)"
	[[ "$output" == *cgroup.procs* ]]
}

@test "tmpfs with options; a missing destination is created in the rootfs" {
	add_mount '{"destination":"/new/dir/t","type":"tmpfs","source":"tmpfs","options":["size=4m","mode=750","nosuid","nodev","noexec"]}'
	[ ! -e "$BUNDLE/rootfs/new" ]
	spec_args sh -c 'cat /proc/self/mountinfo; stat -c %a /new/dir/t; cp /bin/busybox /new/dir/t/bb && /new/dir/t/bb true; echo exec=$?'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	l=$(mnt_line /new/dir/t)
	[[ "$l" == *" - tmpfs "* ]] || fail "$l"
	for o in nosuid nodev noexec; do [[ "$l" == *"$o"* ]] || fail "no $o: $l"; done
	[[ "$l" == *size=4096k* ]] || fail "size: $l"
	echo "$output" | grep -qx 750
	echo "$output" | grep -qx 'exec=126' || fail "noexec did not stop exec: $output"
	[ -d "$BUNDLE/rootfs/new/dir/t" ] || fail "destination not made inside the rootfs"
}

@test "bind and rbind mounts of host paths, ro" {
	mkdir -p "$BATS_TEST_TMPDIR/h1" "$BATS_TEST_TMPDIR/h2"
	echo one > "$BATS_TEST_TMPDIR/h1/f"
	echo two > "$BATS_TEST_TMPDIR/h2/f"
	echo file > "$BATS_TEST_TMPDIR/single"
	add_mount "{\"destination\":\"/b1\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/h1\",\"options\":[\"bind\"]}"
	add_mount "{\"destination\":\"/b2\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/h2\",\"options\":[\"rbind\",\"ro\"]}"
	add_mount "{\"destination\":\"/etc/single\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/single\",\"options\":[\"bind\",\"ro\"]}"
	spec_args sh -c 'cat /b1/f /b2/f /etc/single; echo w > /b1/w; echo x > /b2/x 2>/dev/null || echo b2-ro'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "$(printf 'one\ntwo\nfile\nb2-ro')" ] || fail "$output"
	[ "$(cat "$BATS_TEST_TMPDIR/h1/w")" = w ]
	[ ! -e "$BATS_TEST_TMPDIR/h2/x" ]
	[ -f "$BUNDLE/rootfs/etc/single" ] || fail "file destination not created as a file"
}

@test "a bind mount of a missing source fails and names it" {
	add_mount "{\"destination\":\"/b\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/nosuch\",\"options\":[\"bind\"]}"
	spec_args true
	run keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *nosuch* ]] || fail "$output"
}

@test "tmpcopyup keeps the directory's contents" {
	add_mount '{"destination":"/etc","type":"tmpfs","source":"tmpfs","options":["tmpcopyup","mode=755"]}'
	spec_args sh -c 'cat /proc/self/mountinfo; cat /etc/hostname; grep -c . /etc/passwd; echo new > /etc/new'
	cfg_edit '.root.readonly=true'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$(mnt_line /etc)" == *" - tmpfs "* ]] || fail "$(mnt_line /etc)"
	echo "$output" | grep -qx keel-rootfs
	echo "$output" | grep -qx 4
	[ ! -e "$BUNDLE/rootfs/etc/new" ]
}

@test "root.readonly" {
	cfg_edit '.root.readonly=true'
	spec_args sh -c 'touch /x 2>&1; echo rc=$?; touch /tmp/y 2>&1; cat /proc/self/mountinfo'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$output" == *"Read-only file system"* ]] || fail "$output"
	[[ "$output" == *rc=1* ]]
	[[ "$(mnt_line /)" == *" / ro,"* ]] || fail "$(mnt_line /)"
	[ ! -e "$BUNDLE/rootfs/x" ]
	cfg_edit '.root.readonly=false'
	spec_args sh -c 'touch /x'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ -e "$BUNDLE/rootfs/x" ]
}

@test "rootfsPropagation private and shared" {
	cfg_edit '.linux.rootfsPropagation="private"'
	spec_args cat /proc/self/mountinfo
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$(mnt_line /)" != *shared:* && "$(mnt_line /)" != *master:* ]] || fail "private: $(mnt_line /)"
	cfg_edit '.linux.rootfsPropagation="shared"'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[[ "$(mnt_line /)" == *shared:* ]] || fail "shared: $(mnt_line /)"
}

@test "/dev: devices, links, pts, shm" {
	spec_args sh -c '
		for d in null zero full random urandom tty; do
			[ -c /dev/$d ] && echo "$d $(stat -c "%t:%T %a" /dev/$d)"
		done
		echo "ptmx $(readlink /dev/ptmx)"
		echo "fd $(readlink /dev/fd)"
		echo "stdin $(readlink /dev/stdin)"
		echo "stdout $(readlink /dev/stdout)"
		echo "stderr $(readlink /dev/stderr)"
		[ -d /dev/pts ] && echo pts
		[ -d /dev/shm ] && echo shm
		echo hi > /dev/null && head -c 4 /dev/zero | od -An -tx1 | tr -d " "
		echo x > /dev/full 2>/dev/null || echo full-ENOSPC
		[ -e /dev/sda ] || [ -e /dev/vda ] || echo no-disks'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	for l in "null 1:3 666" "zero 1:5 666" "full 1:7 666" "random 1:8 666" "urandom 1:9 666" "tty 5:0 666" \
		"ptmx pts/ptmx" "fd /proc/self/fd" "stdin /proc/self/fd/0" "stdout /proc/self/fd/1" \
		"stderr /proc/self/fd/2" pts shm 00000000 full-ENOSPC no-disks; do
		echo "$output" | grep -Fqx -- "$l" || fail "missing '$l' in: $output"
	done
}

@test "/dev/console with terminal" {
	cfg_edit '.process.terminal=true'
	spec_args sh -c 'tty; [ -c /dev/console ] && echo console-ok; ls /dev/pts'
	sock=$BATS_TEST_TMPDIR/c.sock
	"$TOOLS/recvtty" --read "$sock" > "$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" 3>&- &
	rpid=$!
	track_pid $rpid
	for i in $(seq 30); do [ -S "$sock" ] && break; sleep 0.1; done
	run keel run --console-socket "$sock" --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ] || fail "$output"
	wait $rpid || fail "recvtty: $(cat "$BATS_TEST_TMPDIR/tty.err")"
	tr -d '\r' < "$BATS_TEST_TMPDIR/tty.out" > "$BATS_TEST_TMPDIR/o"
	grep -qx '/dev/pts/0' "$BATS_TEST_TMPDIR/o" || fail "$(cat "$BATS_TEST_TMPDIR/o")"
	grep -qx console-ok "$BATS_TEST_TMPDIR/o"
}

@test "linux.devices are created" {
	cfg_edit '.linux.devices=[{"path":"/dev/mynull","type":"c","major":1,"minor":3,"fileMode":432,"uid":0,"gid":10},{"path":"/dev/sub/myzero","type":"c","major":1,"minor":5}]'
	spec_args sh -c 'stat -c "%t:%T %a %u %g" /dev/mynull; echo x > /dev/mynull && echo wrote; [ -c /dev/sub/myzero ] && echo zero'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "$(printf '1:3 660 0 10\nwrote\nzero')" ] || fail "$output"
}

@test "maskedPaths and readonlyPaths" {
	cfg_edit '.linux.maskedPaths=["/proc/kcore","/proc/acpi","/etc/hostname","/does/not/exist"]' \
		'.linux.readonlyPaths=["/proc/sys","/home"]'
	cfg_edit '.root.readonly=false'
	spec_args sh -c '
		echo "kcore $(cat /proc/kcore | wc -c)"
		echo "acpi $(ls -A /proc/acpi 2>/dev/null | wc -l)"
		echo "hostname [$(cat /etc/hostname)]"
		touch /home/x 2>/dev/null || echo home-ro
		echo 1 > /proc/sys/kernel/hostname 2>/dev/null || echo procsys-ro
		touch /tmp/ok && echo tmp-rw'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	for l in "kcore 0" "acpi 0" "hostname []" home-ro procsys-ro tmp-rw; do
		echo "$output" | grep -Fqx -- "$l" || fail "missing '$l' in: $output"
	done
}

@test "masked directories: each its own empty read-only tmpfs" {
	mkdir -p "$BUNDLE/rootfs/m1" "$BUNDLE/rootfs/m2" "$BUNDLE/rootfs/srv/m3"
	touch "$BUNDLE/rootfs/m1/in1" "$BUNDLE/rootfs/m2/in2" "$BUNDLE/rootfs/srv/m3/in3"
	cfg_edit '.linux.maskedPaths=["/m1","/proc/kcore","/m2","/proc/acpi","/srv/m3","/sys/firmware"]'
	spec_args sh -c '
		for d in /m1 /m2 /srv/m3 /proc/acpi /sys/firmware; do
			echo "$d $(ls -A $d | wc -l) $(stat -c %a $d)"
			touch $d/new 2>/dev/null && echo "$d written"
		done
		ls /m2 /srv/m3 /proc/acpi /sys/firmware | grep -x new
		cat /proc/self/mountinfo'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	for d in /m1 /m2 /srv/m3 /proc/acpi /sys/firmware; do
		echo "$output" | grep -Fqx "$d 0 1777" || fail "$d not empty: $output"
		[[ "$(mnt_line $d)" == *" ro,nosuid,nodev,noexec,"*" - tmpfs "* ]] || fail "$d: $(mnt_line $d)"
	done
	! echo "$output" | grep -E 'written|^new$' || fail "$output"
	# Five mounts, not one seen five times.
	ids=$(for d in /m1 /m2 /srv/m3 /proc/acpi /sys/firmware; do mnt_line $d | awk '{print $1}'; done)
	[ "$(echo "$ids" | sort -u | wc -l)" -eq 5 ] || fail "mount ids: $ids"
}

@test "--no-pivot" {
	spec_args sh -c 'cat /etc/hostname; ls /; cat /proc/self/mountinfo | grep -c " / "'
	run_ctr --no-pivot
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = keel-rootfs ]
	[[ "$output" == *bin* ]]
	[[ "$output" != *work* ]] || fail "host root visible: $output"
}

@test "mounts do not leak to the host" {
	add_mount '{"destination":"/t","type":"tmpfs","source":"tmpfs"}'
	spec_args sleep 30
	keel_create "$ID"
	keel start "$ID"
	! grep -q " $BUNDLE" /proc/self/mountinfo || fail "$(grep " $BUNDLE" /proc/self/mountinfo)"
	grep -q " /t " /proc/$(pid_of "$ID")/mountinfo
}
