#!/bin/sh
# Count the TAP results in build/test-results/*.tap: prints `N passed, N failed`
# and exits 1 if anything failed.
dir=$(cd "$(dirname "$0")/../.." && pwd)/build/test-results
set -- "$dir"/*.tap
[ -e "$1" ] || set --
if [ $# -gt 0 ]; then
	passed=$(cat "$@" | grep -c '^ok ')
	failed=$(cat "$@" | grep -c '^not ok ')
else
	passed=0 failed=0
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
