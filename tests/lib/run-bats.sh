#!/bin/bash
# Run bats suites: tests/lib/run-bats.sh DIR|FILE...
# TAP goes to stdout and to build/test-results/<suite>.tap; exits non-zero if
# any suite fails.  KEEL / KEEL_NAME choose the runtime (see common.bash).
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
# KEEL_RESULTS: another directory for the TAP (e.g. a crun validation run).
out=${KEEL_RESULTS:-$repo/build/test-results}
mkdir -p "$out"
[ $# -gt 0 ] || set -- "$repo/tests/bats"
files=()
for a in "$@"; do
	if [ -d "$a" ]; then
		for f in "$a"/*.bats; do [ -e "$f" ] && files+=("$f"); done
	elif [ -f "$a" ]; then
		files+=("$a")
	else
		echo "run-bats: $a: no such suite" >&2
		exit 2
	fi
done
[ ${#files[@]} -gt 0 ] || { echo "run-bats: no .bats files in $*" >&2; exit 2; }
rc=0
for f in "${files[@]}"; do
	suite=$(basename "$f" .bats)
	echo "# suite $suite"
	bats --tap "$f" | tee "$out/$suite.tap"
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
done
exit $rc
