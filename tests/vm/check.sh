#!/bin/bash
# tests/vm/check.sh [FILE [BATS-ARGS...]]: run the VM suites in ONE cgroup v2 VM.
#   tests/vm/check.sh                              every tests/vm/*.bats (not harness.bats)
#                                                  and the engine suites tests/integration/*.bats
#   tests/vm/check.sh tests/vm/selftest.bats       one suite
#   tests/vm/check.sh selftest.bats -f 'OOM'       one test (BATS-ARGS go to bats)
#   tests/vm/check.sh containerd.bats              a suite of tests/integration/
# Exits non-zero if any test fails. Build first (make keel ...): writes in the VM are lost.
# Inside the VM, KEEL_VM_ROOTFS is a busybox rootfs (tests/lib/mkrootfs.sh, made here on
# the host), KEEL_IMAGE an OCI image-layout tarball of busybox (tests/integration/mkimage.sh,
# also made here) and KEEL_VM=1; add names to KEEL_VM_ENV to pass more variables in.
set -eu
here=$(cd "$(dirname "$0")" && pwd -P)
top=$(cd "$here/../.." && pwd -P)

files=()
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
	f=$1
	shift
	[ -f "$f" ] || [ ! -f "$here/$f" ] || f=$here/$f
	[ -f "$f" ] || [ ! -f "$top/tests/integration/$f" ] || f=$top/tests/integration/$f
	[ -f "$f" ] || { echo "check.sh: no such suite: $f" >&2; exit 2; }
	files=("$(cd "$(dirname "$f")" && pwd -P)/$(basename "$f")")
else
	for f in "$here"/*.bats; do
		# harness.bats tests tests/vm/run itself, from the host.
		[ "$(basename "$f")" = harness.bats ] || files+=("$f")
	done
	for f in "$top"/tests/integration/*.bats; do
		[ -e "$f" ] && files+=("$f")
	done
fi

rootfs=$top/build/vm/rootfs
"$top/tests/lib/mkrootfs.sh" "$rootfs"
export KEEL_VM_ROOTFS=$rootfs
export KEEL_IMAGE=$top/build/images/keel-busybox.tar
"$top/tests/integration/mkimage.sh" "$KEEL_IMAGE"
export KEEL_VM_ENV="${KEEL_VM_ENV:-} KEEL_VM_ROOTFS KEEL_IMAGE"
cd "$top"
exec "$here/run" bats --tap "${files[@]}" "$@"
