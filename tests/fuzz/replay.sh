#!/bin/bash
# make check stage: replay tests/fuzz/corpus/<name>/ through DIR/fuzz_<name>
# (the fuzz targets linked with replay.c under ASan/UBSan). TAP, one test per
# target; on a failure each input is replayed alone to name the culprit.
set -u
cd "$(dirname "$0")/../.."
dir=${1:-build/asan/replay}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
targets=(tests/fuzz/fuzz_*.c)
echo "1..${#targets[@]}"
i=0 rc=0
for f in "${targets[@]}"; do
	n=${f##*/fuzz_}
	n=${n%.c}
	i=$((i + 1))
	bin=$dir/fuzz_$n
	inputs=(tests/fuzz/corpus/"$n"/*)
	if [ ! -x "$bin" ] || [ ! -f "${inputs[0]}" ]; then
		echo "not ok $i - fuzz replay $n # no binary ($bin) or no corpus"
		rc=1
		continue
	fi
	if out=$("$bin" "${inputs[@]}" 2>&1); then
		echo "ok $i - fuzz replay $n: ${#inputs[@]} inputs"
		continue
	fi
	echo "not ok $i - fuzz replay $n: ${#inputs[@]} inputs"
	rc=1
	for in in "${inputs[@]}"; do
		# (a subshell, so that bash's "Aborted" notice goes to /dev/null too)
		("$bin" "$in") >/dev/null 2>&1 || echo "# fails: $in"
	done
	echo "$out" | grep -E 'ERROR: |SUMMARY: |invariant failed|runtime error' | head -n 5 | sed 's/^/# /'
done
exit $rc
