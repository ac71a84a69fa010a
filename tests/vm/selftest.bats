#!/usr/bin/env bats
# Self-test of the cgroup v2 VM, run inside it by tests/vm/check.sh.
# Needs KEEL_VM_ROOTFS: a busybox rootfs made on the host by tests/lib/mkrootfs.sh.

setup() {
	[ -n "${KEEL_VM:-}" ] || { echo "selftest.bats runs inside the VM: tests/vm/check.sh" >&2; return 1; }
	[ -x "${KEEL_VM_ROOTFS:-}/bin/busybox" ] || { echo "KEEL_VM_ROOTFS unset or not a rootfs" >&2; return 1; }
}

# bundle DIR LIMIT ARGS...: an OCI bundle in DIR running ARGS with memory limit LIMIT bytes.
bundle() {
	local dir=$1 limit=$2 args="" a
	shift 2
	for a in "$@"; do
		a=${a//\\/\\\\}
		a=${a//$'\n'/\\n}
		a=${a//$'\t'/\\t}
		args="$args${args:+, }\"${a//\"/\\\"}\""
	done
	mkdir -p "$dir"
	cat > "$dir/config.json" <<J
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0}, "args": [$args],
    "env": ["PATH=/bin:/sbin:/usr/bin:/usr/sbin"], "cwd": "/",
    "noNewPrivileges": true
  },
  "root": {"path": "$KEEL_VM_ROOTFS", "readonly": true},
  "hostname": "selftest",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}
  ],
  "linux": {
    "resources": {"memory": {"limit": $limit}},
    "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"},
                   {"type": "network"}, {"type": "cgroup"}]
  }
}
J
}

@test "/sys/fs/cgroup is cgroup2 with memory, cpu, pids and io" {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
	for c in memory cpu pids io; do
		grep -qw "$c" /sys/fs/cgroup/cgroup.controllers
		grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control
	done
	# Our init left the root cgroup, so new children of the root can use the controllers.
	[ "$(cat /proc/1/cgroup)" = "0::/init" ]
	mkdir /sys/fs/cgroup/selftest-probe
	grep -qw memory /sys/fs/cgroup/selftest-probe/cgroup.controllers
	rmdir /sys/fs/cgroup/selftest-probe
}

@test "/dev/fd, /dev/stdout and process substitution work" {
	[ -d /dev/fd/ ]
	[ -e /dev/fd/0 ]
	[ "$(cat <(echo sub))" = sub ]
	echo via-dev-stdout > /dev/stdout
}

@test "crun run: memory.limit shows in the container's memory.max" {
	bundle "$BATS_TEST_TMPDIR/b" 33554432 cat /sys/fs/cgroup/memory.max
	run crun run --bundle "$BATS_TEST_TMPDIR/b" selftest-limit
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 33554432 ]
}

@test "crun run: a memory hog over the limit is OOM-killed" {
	bundle "$BATS_TEST_TMPDIR/b" 33554432 sh -c '
		e=/sys/fs/cgroup/memory.events
		echo "before $(grep oom_kill $e)"
		dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null
		echo "dd $?"
		echo "after $(grep oom_kill $e)"'
	run crun run --bundle "$BATS_TEST_TMPDIR/b" selftest-oom
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "before oom_kill 0" ]
	[ "${lines[1]}" = "dd 137" ]
	n=${lines[2]#after oom_kill }
	[ "$n" -ge 1 ]
}
