#!/bin/bash
# `make bench`: keel against crun and runc, side by side (see tests/bench/README.md).
#
#   tests/bench/bench.sh            host part, then the VM part; table in build/bench/results.md
#   tests/bench/bench.sh --host     host part only (markdown on stdout)
#   tests/bench/bench.sh --vm       the VM part (run inside tests/vm/run; markdown on stdout)
#
# Rounds alternate the runtimes (the order rotates each round) so that machine drift
# hits them alike; the table gives medians over rounds and keel/crun, keel/runc ratios.
# Knobs: BENCH_ROUNDS (host 5, VM 2), BENCH_RUNS (sequential runs and execs per round:
# host 100, VM 20), BENCH_CYCLES (create+start+delete cycles: host 20, VM 5),
# BENCH_PAR (parallel creates: host 50, VM 10), BENCH_SPEC (own: each runtime's default
# spec; keel: keel's for all), BENCH_ONLY (space-separated item names), BENCH_VM=0 (host only).
set -u
here=$(cd "$(dirname "$0")" && pwd -P)
top=$(cd "$here/../.." && pwd -P)
KEEL=${KEEL:-$top/keel}
JEDIT=${JEDIT:-$top/build/tools/jedit}
mode=all
case "${1:-}" in
--host) mode=host ;;
--vm) mode=vm ;;
--inner) mode=inner ;;
"") ;;
*) echo "usage: $0 [--host|--vm]" >&2; exit 2 ;;
esac

die() { echo "bench: $*" >&2; exit 1; }
now() { local t=${EPOCHREALTIME/./}; echo "$t"; }	# microseconds, no fork

# --- Runtimes -----------------------------------------------------------------------
# A runtime name maps to a command line. crun and runc on the hybrid host run inside a
# private mount namespace whose /sys/fs/cgroup is a pure cgroup2 mount (the inner mode of
# this script is started there once per measurement, so unshare is not timed).
rt_cmd() {	# rt_cmd RT: the runtime's argv prefix (global options included)
	local root=$W/state-$1
	case "$1" in
	keel) echo "$KEEL --root $root" ;;
	keel-nocg) echo "$KEEL --root $root --cgroup-manager=disabled" ;;
	crun) if [ "$IN_VM" = 1 ]; then echo "crun --root $root"
	      else echo "crun --root $root --cgroup-manager=disabled"; fi ;;
	runc) echo "runc --root $root" ;;
	esac
}
rt_spec() {	# the runtime whose `spec` gives RT's bundle
	case "$1" in keel*) echo keel ;; *) [ "$BENCH_SPEC" = keel ] && echo keel || echo "$1" ;; esac
}
needs_ns() { [ "$IN_VM" != 1 ] && case "$1" in crun|runc) true ;; *) false ;; esac; }

# Run `bench.sh --inner FN RT ARGS` where RT needs it: a private mount ns on the host.
in_env() {	# in_env RT FN ARGS...
	local rt=$1
	shift
	if needs_ns "$rt"; then
		unshare -m --propagation private /bin/bash -c \
			'mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$0" --inner "$@"' \
			"$here/bench.sh" "$@"
	else
		"$here/bench.sh" --inner "$@"
	fi
}

# --- Bundles ------------------------------------------------------------------------
bundle() {	# bundle SPEC NAME ARGS_JSON [EDITS...]: $W/b-SPEC-NAME with that spec
	local spec=$1 name=$2 args=$3 d=$W/b-$1-$2
	shift 3
	[ -f "$d/config.json" ] && return
	mkdir -p "$d"
	case "$spec" in
	keel) (cd "$d" && "$KEEL" spec) ;;
	*) (cd "$d" && "$spec" spec) ;;
	esac || die "$spec spec failed"
	"$JEDIT" "$d/config.json" '.process.terminal=false' ".process.args=$args" \
		".root.path=\"$W/rootfs\"" "$@" || die "cannot edit $d/config.json"
}
make_bundles() {
	local s
	for s in keel crun runc; do
		command -v "$s" >/dev/null || [ $s = keel ] || continue
		bundle $s true '["/bin/true"]'
		bundle $s sleep '["/bin/sleep","1000"]'
		bundle $s echo '["/bin/echo","ok"]' '.linux.cgroupsPath="/benchmem/ctr"'
	done
}

# --- Measurements (inner mode: run in the runtime's environment) --------------------
# Each prints one number: microseconds, or KiB for RSS.
m_run() {	# RT N: N sequential `run`s of /bin/true
	local R=$(rt_cmd "$1") b=$W/b-$(rt_spec "$1")-true i t0 t1
	t0=$(now)
	for ((i = 0; i < $2; i++)); do
		$R run -b "$b" "br$$-$i" > /dev/null || die "$1 run failed"
	done
	t1=$(now)
	echo $(((t1 - t0) / $2))
}
m_cycle() {	# RT N: N x (create + start + delete --force) of a detached sleep
	local R=$(rt_cmd "$1") b=$W/b-$(rt_spec "$1")-sleep i t0 t1 id
	t0=$(now)
	for ((i = 0; i < $2; i++)); do
		id=bc$$-$i
		$R create -b "$b" "$id" < /dev/null > /dev/null 2>&1 || die "$1 create failed"
		$R start "$id" || die "$1 start failed"
		$R delete --force "$id" || die "$1 delete failed"
	done
	t1=$(now)
	echo $(((t1 - t0) / $2))
}
m_exec() {	# RT N: N sequential `exec`s of /bin/true into one running container
	local R=$(rt_cmd "$1") b=$W/b-$(rt_spec "$1")-sleep i t0 t1 id=be$$
	$R create -b "$b" "$id" < /dev/null > /dev/null 2>&1 && $R start "$id" ||
		die "$1 create failed"
	t0=$(now)
	for ((i = 0; i < $2; i++)); do
		$R exec "$id" /bin/true || { $R delete --force "$id"; die "$1 exec failed"; }
	done
	t1=$(now)
	$R delete --force "$id"
	echo $(((t1 - t0) / $2))
}
m_rss() {	# RT create|exec: peak RSS (KiB) of the runtime process (GNU time)
	local R=$(rt_cmd "$1") b=$W/b-$(rt_spec "$1")-sleep id=bm$$ out=$W/rss.$$ kib
	if [ "$2" = create ]; then
		/usr/bin/time -f %M -o "$out" $R create -b "$b" "$id" < /dev/null > /dev/null 2>&1 ||
			die "$1 create failed"
	else
		$R create -b "$b" "$id" < /dev/null > /dev/null 2>&1 && $R start "$id" ||
			die "$1 create failed"
		/usr/bin/time -f %M -o "$out" $R exec "$id" /bin/true ||
			{ $R delete --force "$id"; die "$1 exec failed"; }
	fi
	$R delete --force "$id"
	kib=$(tail -n 1 "$out")
	rm -f "$out"
	echo "$kib"
}
m_par() {	# RT N: N creates at once; prints containers per second x 1000
	local R=$(rt_cmd "$1") b=$W/b-$(rt_spec "$1")-sleep i t0 t1 fail=0
	t0=$(now)
	for ((i = 0; i < $2; i++)); do
		$R create -b "$b" "bp$$-$i" < /dev/null > /dev/null 2>&1 &
	done
	for ((i = 0; i < $2; i++)); do wait -n || fail=1; done
	t1=$(now)
	for ((i = 0; i < $2; i++)); do $R delete --force "bp$$-$i" 2>/dev/null; done
	[ $fail = 0 ] || die "$1: a parallel create failed"
	echo $(($2 * 1000000000 / (t1 - t0)))
}
m_floor() {	# N [-N]: clone into new namespaces + chroot + exec /bin/true (floor.c)
	local i t0 t1 f=$top/build/bench/floor
	t0=$(now)
	for ((i = 0; i < $1; i++)); do
		"$f" ${2:-} "$W/rootfs" /bin/true || die "floor failed"
	done
	t1=$(now)
	echo $(((t1 - t0) / $1))
}
# Smallest memory.max (KiB) of a cgroup that holds the runtime process and, below it, the
# container's cgroup, under which `RT run` of `echo ok` still prints ok (binary search).
memok() {	# RT KIB: 0 if it works under KIB
	local R=$(rt_cmd "$1") b=$W/b-$(rt_spec "$1")-echo cg=/sys/fs/cgroup/benchmem out
	rmdir "$cg/ctr" "$cg/rt" "$cg" 2>/dev/null
	mkdir "$cg" && echo $(($2 * 1024)) > "$cg/memory.max" &&
		{ echo 0 > "$cg/memory.swap.max"; } 2>/dev/null; mkdir "$cg/rt" || die "cannot set up $cg"
	out=$(/bin/sh -c 'echo $$ > "$0/rt/cgroup.procs" && exec "$@"' \
		"$cg" $R run -b "$b" "bm$$" 2>/dev/null < /dev/null)
	$R delete --force "bm$$" > /dev/null 2>&1
	rmdir "$cg/ctr" "$cg/rt" "$cg" 2>/dev/null
	[ "$out" = ok ]
}
m_memmin() {	# RT
	local lo=64 hi=65536
	memok "$1" $hi || { echo NA; return; }
	while [ $((hi - lo)) -gt 4 ]; do	# KiB, to a page
		local mid=$(((lo + hi) / 2 / 4 * 4))
		if memok "$1" $mid; then hi=$mid; else lo=$mid; fi
	done
	echo $hi
}

inner() {
	local fn=$1
	shift
	"m_$fn" "$@"
}

# --- Driver -------------------------------------------------------------------------
# record ITEM RT VALUE >> $W/raw
measure_all() {
	local rts=$1 rounds=$2 r i rt list n
	for ((r = 0; r < rounds; r++)); do
		# Rotate the order each round.
		set -- $rts
		n=$#
		list=
		for ((i = 0; i < n; i++)); do
			set -- $rts
			shift $(((i + r) % n))
			list="$list $1"
		done
		for rt in $list; do
			echo "# round $((r + 1))/$rounds: $rt" >&2
			want run && rec run "$rt" "$(in_env "$rt" run "$rt" "$RUNS")"
			want cycle && rec cycle "$rt" "$(in_env "$rt" cycle "$rt" "$CYCLES")"
			want exec && [ "$rt" != keel-nocg ] && rec exec "$rt" "$(in_env "$rt" exec "$rt" "$RUNS")"
			want rss && [ "$rt" != keel-nocg ] &&
				rec rss-create "$rt" "$(in_env "$rt" rss "$rt" create)" &&
				rec rss-exec "$rt" "$(in_env "$rt" rss "$rt" exec)"
			want par && rec par "$rt" "$(in_env "$rt" par "$rt" "$PAR")"
		done
		want floor && rec floor floor "$(m_floor "$RUNS")" &&
			rec floor-nonet floor "$(m_floor "$RUNS" -N)"
	done
	if [ "$IN_VM" = 1 ] && want memmin; then
		for rt in keel crun; do
			echo "# memory.max search: $rt" >&2
			rec memmin "$rt" "$(m_memmin "$rt")"
		done
	fi
}
want() { [ -z "${BENCH_ONLY:-}" ] || case " $BENCH_ONLY " in *" $1 "*) true ;; *) false ;; esac; }
rec() { [ -n "$3" ] && echo "$1 $2 $3" >> "$W/raw"; }

# The table: medians over rounds, ratios against crun and runc.
table() {	# table TITLE RUNTIMES RATIOS ("a/b ...")
	echo "### $1"
	echo
	awk -v rts="$2" -v pairs="$3" -v runs="$RUNS" -v cycles="$CYCLES" -v par="$PAR" '
	function median(k,   n, i, j, t, a) {
		n = split(vals[k], a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{ k = $1 SUBSEP $2; vals[k] = vals[k] " " $3; have[k] = 1 }
	END {
		nr = split(rts, rt, " ")
		split("run cycle exec rss-create rss-exec par memmin", items, " ")
		name["run"] = "run /bin/true, ms each (" runs " sequential)"
		name["cycle"] = "create+start+delete, ms each (" cycles ")"
		name["exec"] = "exec /bin/true, ms each (" runs ")"
		name["rss-create"] = "peak RSS of create, KiB"
		name["rss-exec"] = "peak RSS of exec, KiB"
		name["par"] = par " parallel creates, containers/s (higher is better)"
		name["memmin"] = "smallest memory.max for run echo ok, KiB"
		scale["run"] = scale["cycle"] = scale["exec"] = 1000
		scale["par"] = 1000
		hdr = "| item |"; sep = "| --- |"
		for (i = 1; i <= nr; i++) { hdr = hdr " " rt[i] " |"; sep = sep " ---: |" }
		np = split(pairs, pr, " ")
		for (c = 1; c <= np; c++) { hdr = hdr " " pr[c] " |"; sep = sep " ---: |" }
		print hdr; print sep
		for (j = 1; j <= 7; j++) {
			it = items[j]; line = "| " name[it] " |"; any = 0
			for (i = 1; i <= nr; i++) {
				k = it SUBSEP rt[i]
				if (!(k in have)) { line = line " |"; continue }
				m[rt[i]] = median(k); any = 1
				v = m[rt[i]] == "NA" ? "n/a" : (scale[it] ? sprintf("%.2f", m[rt[i]] / scale[it]) : m[rt[i]])
				line = line " " v " |"
			}
			if (!any) continue
			for (c = 1; c <= np; c++) {
				split(pr[c], ab, "/")
				ka = it SUBSEP ab[1]; kb = it SUBSEP ab[2]
				if ((ka in have) && (kb in have) && m[ab[2]] + 0 > 0 && m[ab[1]] != "NA")
					line = line sprintf(" %.2f |", m[ab[1]] / m[ab[2]])
				else line = line " |"
			}
			print line; delete m
		}
		if (("floor" SUBSEP "floor") in have)
			printf "| floor: clone(pid,ipc,uts,mnt,cgroup,net) + chroot + exec /bin/true, ms each | %.2f |\n", \
				median("floor" SUBSEP "floor") / 1000
		if (("floor-nonet" SUBSEP "floor") in have)
			printf "| floor without the net ns, ms each | %.2f |\n", \
				median("floor-nonet" SUBSEP "floor") / 1000
	}' "$W/raw"
	echo
}

machine() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	echo "$cpu, $(nproc) CPUs, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')," \
		"load $(cut -d' ' -f1-3 /proc/loadavg)"
}

versions() {
	echo "keel $("$KEEL" --version 2>/dev/null | head -n 1 | awk '{print $NF}')," \
		"crun $(crun --version 2>/dev/null | sed -n 's/^crun version //p')," \
		"runc $(runc --version 2>/dev/null | sed -n 's/^runc version //p')"
}

part() {	# part host|vm: measure and print the markdown section
	local rts
	W=$(mktemp -d "${BENCH_TMP:-/tmp}/keel-bench.XXXXXX") || die "mktemp failed"
	export W
	trap 'rm -rf "$W"' EXIT
	cp -a "$top/build/bundle/rootfs" "$W/rootfs" || die "no rootfs (make rootfs)"
	make_bundles
	if [ "$IN_VM" = 1 ]; then
		rts="keel crun runc"
	else
		rts="keel keel-nocg crun runc"
	fi
	measure_all "$rts" "$ROUNDS"
	if [ "$IN_VM" = 1 ]; then
		table "VM (qemu TCG, cgroup v2 with controllers; $ROUNDS rounds, smaller counts: TCG is slow)" \
			"$rts" "keel/crun keel/runc"
		echo "Machine: $(machine); runtimes with cgroups (cgroupfs). $(versions)."
	else
		table "Host (hybrid cgroups; $ROUNDS rounds)" "$rts" "keel/crun keel-nocg/crun keel/runc"
		echo "Machine: $(machine). keel: cgroupfs on the unified hierarchy;" \
			"keel-nocg: --cgroup-manager=disabled; crun: --cgroup-manager=disabled and" \
			"runc: default (cgroupfs), both in a private mount namespace with cgroup2 at" \
			"/sys/fs/cgroup (pure v2 view of the unified hierarchy, no controllers). $(versions)."
	fi
	echo "Bundles: $( [ "$BENCH_SPEC" = keel ] && echo "keel spec for all" || echo "each runtime's own spec") (args edited, terminal off; busybox rootfs)."
	echo
}

export BENCH_SPEC=${BENCH_SPEC:-own}
case $mode in
inner)
	IN_VM=${KEEL_VM:-0}
	shift
	inner "$@"
	exit
	;;
esac
IN_VM=${KEEL_VM:-0}
export IN_VM
if [ "$IN_VM" = 1 ]; then
	ROUNDS=${BENCH_ROUNDS_VM:-2} RUNS=${BENCH_RUNS_VM:-20} CYCLES=${BENCH_CYCLES_VM:-5} PAR=${BENCH_PAR_VM:-10}
else
	ROUNDS=${BENCH_ROUNDS:-5} RUNS=${BENCH_RUNS:-100} CYCLES=${BENCH_CYCLES:-20} PAR=${BENCH_PAR:-50}
fi
[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$KEEL" ] || die "$KEEL missing (make keel)"
[ -x "$top/build/bench/floor" ] || die "build/bench/floor missing (make bench builds it)"
case $mode in
host|vm)
	part
	;;
all)
	out=$top/build/bench
	mkdir -p "$out"
	{
		echo "## keel benchmark ($(date -u '+%Y-%m-%d'))"
		echo
		"$0" --host || die "host part failed"
		if [ "${BENCH_VM:-1}" != 0 ]; then
			KEEL_VM_ENV="KEEL BENCH_ROUNDS_VM BENCH_RUNS_VM BENCH_CYCLES_VM BENCH_PAR_VM BENCH_SPEC BENCH_ONLY" \
				"$top/tests/vm/run" "$here/bench.sh" --vm || die "VM part failed"
		fi
	} > "$out/results.md.tmp" && mv "$out/results.md.tmp" "$out/results.md" || exit 1
	cat "$out/results.md"
	;;
esac
