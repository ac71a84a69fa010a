#!/bin/bash
# `make check`: every suite, each stage's TAP in build/test-results/, then the
# one-line summary. Runs every stage even when one fails; exits 1 if any did.
set -u
cd "$(dirname "$0")/../.."
out=build/test-results
rm -rf "$out"
mkdir -p "$out"
rc=0
stage() {	# stage NAME CMD...: run, tee TAP into $out/NAME.tap
	local name=$1
	shift
	echo "## $name"
	"$@" 2>&1 | tee "$out/$name.tap"
	[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "## $name FAILED"; rc=1; }
}
for t in build/unit/test_*; do
	[ -x "$t" ] && stage "unit-${t##*/}" "$t"
done
for t in build/asan/unit/test_*; do
	[ -x "$t" ] && stage "asan-${t##*/}" env ASAN_OPTIONS=detect_leaks=1 "$t"
done
# The fuzz corpora (tests/fuzz/corpus/) replayed through the targets under ASan/UBSan.
stage fuzz-replay tests/fuzz/replay.sh build/asan/replay
# Host suites: lifecycle, namespaces, mounts, process, hooks, bad configs, specs.
tests/lib/run-bats.sh tests/bats || rc=1
# The VM harness itself, from the host side.
[ -f tests/vm/harness.bats ] && { tests/lib/run-bats.sh tests/vm/harness.bats || rc=1; }
# cgroup v2 suites, in one VM boot.
stage vm tests/vm/check.sh
tests/lib/summary.sh || rc=1
exit $rc
