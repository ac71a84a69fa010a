# Shared helpers for the engine suites (tests/integration/*.bats), run inside the cgroup v2
# VM by tests/vm/check.sh in the same boot as tests/vm/*.bats: `load lib` from a suite.
#
# KEEL        the runtime (default: the repo's ./keel)
# KEEL_IMAGE  the busybox OCI image-layout tarball (tests/integration/mkimage.sh), made on
#             the host by check.sh: build/images/keel-busybox.tar
# IMAGE       its name once imported: docker.io/library/keel-busybox:latest
#             (Cmd /bin/sh, PATH set; busybox applets, /etc/passwd with root, user 1000)

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${KEEL:=$REPO/keel}"
: "${KEEL_IMAGE:=$REPO/build/images/keel-busybox.tar}"
IMAGE=docker.io/library/keel-busybox:latest
CGROOT=/sys/fs/cgroup

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# The checks every engine suite makes in setup_file: in the VM, on cgroup v2, with the
# runtime and the image built on the host.
integration_setup_file() {
	[ -n "${KEEL_VM:-}" ] || fail "this suite runs inside the VM: tests/vm/check.sh $BATS_TEST_FILENAME"
	[ "$(stat -f -c %T $CGROOT)" = cgroup2fs ] || fail "$CGROOT is not cgroup2"
	[ -x "$KEEL" ] || fail "no runtime at $KEEL (make keel)"
	[ -f "$KEEL_IMAGE" ] || fail "no image at $KEEL_IMAGE (tests/integration/mkimage.sh)"
}

source "$(dirname "${BASH_SOURCE[0]}")/../lib/shared.bash"

# expect_eq WHAT GOT WANT: fails naming WHAT and both values.
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}
