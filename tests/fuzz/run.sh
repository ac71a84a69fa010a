#!/bin/bash
# `make fuzz`: run each libFuzzer target of DIR (build/fuzz/fuzz_<name>) for
# SECONDS on its corpus. New inputs go to DIR/corpus/<name>/ (never into the
# repo); crashes to DIR/artifacts/. Prints each target's last stats line and
# exits 1 if any target crashed.
#   tests/fuzz/run.sh DIR SECONDS [NAME...]
#   tests/fuzz/run.sh --merge DIR [NAME...]   add the new inputs that bring new
#       edges to tests/fuzz/corpus/<name>/ (libFuzzer -merge=1 -use_counters=0:
#       new edges only, which keeps the committed corpus small), to commit
set -u
cd "$(dirname "$0")/../.."
merge=false
if [ "${1:-}" = --merge ]; then
	merge=true
	shift
fi
dir=${1:?usage: run.sh [--merge] DIR [SECONDS] [NAME...]}
shift
secs=60
$merge || { secs=${1:?seconds}; shift; }
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do
		n=${f##*/fuzz_}
		names+=("${n%.c}")
	done
fi
rc=0
mkdir -p "$dir/artifacts"
for n in "${names[@]}"; do
	bin=$dir/fuzz_$n
	seeds=tests/fuzz/corpus/$n
	work=$dir/corpus/$n
	dict=()
	[ -f "tests/fuzz/$n.dict" ] && dict=(-dict="tests/fuzz/$n.dict")
	[ -x "$bin" ] || { echo "fuzz: $bin is not built" >&2; rc=1; continue; }
	mkdir -p "$work" "$seeds"
	if $merge; then
		before=$(ls "$seeds" | wc -l)
		"$bin" -merge=1 -use_counters=0 "$seeds" "$work" >"$dir/$n.merge.log" 2>&1 ||
			{ echo "fuzz: $n: merge failed, see $dir/$n.merge.log" >&2; rc=1; }
		echo "$n: corpus $before -> $(ls "$seeds" | wc -l) inputs"
		continue
	fi
	log=$dir/$n.log
	echo "## $n: ${secs}s (log: $log)"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		"${dict[@]}" -artifact_prefix="$dir/artifacts/$n-" "$work" "$seeds" >"$log" 2>&1
	status=$?
	grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" |
		tr '\n' ' '
	echo
	if [ $status -ne 0 ]; then
		echo "fuzz: $n FAILED (exit $status):" >&2
		grep -E 'ERROR: |SUMMARY: |invariant failed|Test unit written' "$log" >&2
		rc=1
	fi
done
$merge || echo "fuzz: new inputs in $dir/corpus/; add the useful ones with: tests/fuzz/run.sh --merge $dir"
exit $rc
