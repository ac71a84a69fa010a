#!/bin/sh
# For validating the bats suites only: run crun as if it were keel.
#   KEEL=tests/lib/crun-wrapper.sh KEEL_NAME=crun tests/lib/run-bats.sh tests/bats
# crun refuses this hybrid cgroup host, so each call runs in a private mount
# namespace with a cgroup2 fs at /sys/fs/cgroup and crun's cgroup manager off.
# Global options (--root, --log, ...) pass through: crun spells them like keel.
set -eu
exec unshare -m --propagation private sh -c '
	mount -t cgroup2 cgroup2 /sys/fs/cgroup || exit 125
	exec crun --cgroup-manager=disabled "$@"' crun-wrapper "$@"
