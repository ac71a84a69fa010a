# Shared setup for the bats suites: `load ../lib/common` from tests/bats/*.bats.
#
# Each test gets its own --root ($ROOT) and its own bundle ($BUNDLE, rootfs
# hard-linked from a cached busybox rootfs), so tests never see each other's
# containers.  Container ids are $ID and $ID2 (unique per test, so leftover
# cgroups can be traced to the test).  teardown force-deletes everything in
# $ROOT and fails the test if anything is left behind.
#
# KEEL      the runtime binary (default: the repo's ./keel)
# KEEL_NAME what the runtime calls itself in --version (default: keel)
#
# The rootfs files are hard links into the cache: a test that changes a file
# in the rootfs must replace it (rootfs_write), never modify it in place.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
source "$REPO/tests/lib/shared.bash"
: "${KEEL:=$REPO/keel}"
case $KEEL in /*) ;; *) KEEL=$PWD/$KEEL ;; esac
: "${KEEL_NAME:=keel}"
TOOLS=$REPO/build/tools
CACHE=$REPO/build/bundle-cache

# Every runtime call is bounded: a hung keel fails the test instead of the run.
: "${KEEL_TIMEOUT:=30}"
# fd 3 (bats' TAP pipe) is closed: a leaked copy would hang bats.  A test
# that passes its own fd 3 (--preserve-fds) sets KEEL_KEEP_FD3=1.
keel() {
	if [ -n "${KEEL_KEEP_FD3:-}" ]; then
		timeout -k 5 "$KEEL_TIMEOUT" "$KEEL" --root "$ROOT" "$@"
	else
		timeout -k 5 "$KEEL_TIMEOUT" "$KEEL" --root "$ROOT" "$@" 3>&-
	fi
}

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# run_ctr [RUN-OPTIONS]: keel run of $BUNDLE as $ID, stdout and stderr apart.
run_ctr() { run --separate-stderr keel run --bundle "$BUNDLE" "$@" "$ID"; }

# add_mount JSON: append a mount entry to the config.
add_mount() {
	local n
	n=$(jq '.mounts|length' "$BUNDLE/config.json")
	cfg_edit ".mounts[$n]=$1"
}

# The cached rootfs, made once per run.
cached_rootfs() {
	mkdir -p "$CACHE"
	"$REPO/tests/lib/mkrootfs.sh" "$CACHE/rootfs" >&2
}

setup() {
	[ -x "$KEEL" ] || fail "no runtime at $KEEL (make keel)"
	TEST_TAG=kt$$n${BATS_TEST_NUMBER}
	ID=$TEST_TAG
	ID2=$TEST_TAG-b
	ROOT=$BATS_TEST_TMPDIR/root
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	MARK=KEEL_TEST_MARK=$TEST_TAG
	mkdir -p "$BUNDLE"
	cached_rootfs
	cp -al "$CACHE/rootfs" "$BUNDLE/rootfs"
	grep -v '^[^ ]* [^ ]* [^ ]* [^ ]* /sys/fs/cgroup' /proc/self/mountinfo \
		| awk '{print $5}' | sort > "$BATS_TEST_TMPDIR/mounts.before"
	(cd "$BUNDLE" && "$KEEL" spec) || fail "$KEEL spec failed"
	# Every container process carries $MARK: teardown looks for leftovers by it.
	cfg_edit ".process.terminal=false" \
		".process.env=[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"TERM=xterm\",\"$MARK\"]"
}

# JSON string literal of $1.
json_str() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\n'/\\n}
	s=${s//$'\t'/\\t}
	printf '"%s"' "$s"
}

# JSON array of the arguments.
json_arr() {
	local out="" a
	for a in "$@"; do out+="${out:+,}$(json_str "$a")"; done
	printf '[%s]' "$out"
}

# jedit FILE EDIT... (build/tools/jedit; jq while jedit is not built).
jedit() {
	local f=$1
	shift
	if [ -x "$TOOLS/jedit" ]; then
		"$TOOLS/jedit" "$f" "$@"
		return
	fi
	local e prog="."
	for e in "$@"; do
		case $e in
		"del "*) prog+=" | del(${e#del })" ;;
		*) prog+=" | $e" ;;
		esac
	done
	jq "$prog" "$f" > "$f.tmp" && mv "$f.tmp" "$f"
}

# jget FILE|- PATH: prints strings raw, other values as JSON.
jget() {
	if [ -x "$TOOLS/jget" ]; then
		"$TOOLS/jget" "$@"
		return
	fi
	jq -e -r "$2" "$1"
}

cfg_edit() { jedit "$BUNDLE/config.json" "$@"; }
cfg_get() { jget "$BUNDLE/config.json" "$1"; }

# Index of the mount with destination $1 in config.json (read with jq).
mount_idx() { jq "[.mounts[].destination] | index(\"$1\")" "$BUNDLE/config.json"; }

# Index of the namespace of type $1.
ns_idx() { jq "[.linux.namespaces[].type] | index(\"$1\")" "$BUNDLE/config.json"; }

# Add a namespace of type $1 unless present.
ns_add() {
	local n
	n=$(jq '.linux.namespaces|length' "$BUNDLE/config.json")
	[ "$(ns_idx "$1")" = null ] && cfg_edit ".linux.namespaces[$n]={\"type\":\"$1\"}"
	return 0
}

# Remove the namespace of type $1 if present.
ns_del() {
	local i
	i=$(ns_idx "$1")
	[ "$i" = null ] || cfg_edit "del .linux.namespaces[$i]"
}

# spec_args ARG...: the container runs these args.
spec_args() { cfg_edit ".process.args=$(json_arr "$@")"; }

# Let a mapped (non-root on the host) container root reach the bundle: bats
# makes its temporary directories 0700.
bundle_traversable() {
	local d=$BUNDLE
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

# Replace a file in the rootfs (never write through the hard link).
rootfs_write() {
	local f=$BUNDLE/rootfs/$1
	rm -f "$f"
	mkdir -p "$(dirname "$f")"
	cat > "$f"
}

# keel create with the container's stdio to files (a create whose init kept
# bats' pipes open would hang `run`); keel's own stderr ends up in $ID.err too.
keel_create() {
	local id=${!#}
	keel create --bundle "$BUNDLE" "$@" </dev/null \
		>"$BATS_TEST_TMPDIR/$id.out" 2>"$BATS_TEST_TMPDIR/$id.err" 3>&-
}

# Like `run keel create --bundle $BUNDLE ARGS...` (sets status, output =
# stdout+stderr, stderr, create_stdout) but through files: a create that
# wrongly succeeds leaves an init holding whatever pipe it was given.
run_create() {
	local o=$BATS_TEST_TMPDIR/create.out e=$BATS_TEST_TMPDIR/create.err
	status=0
	keel create --bundle "$BUNDLE" "$@" </dev/null >"$o" 2>"$e" || status=$?
	create_stdout=$(cat "$o")
	stderr=$(cat "$e")
	output=$(cat "$o" "$e")
}

# Wait (up to ~5 s) until `keel state ID` says STATUS.
wait_status() {
	local id=$1 want=$2 i s=""
	for i in $(seq 50); do
		s=$(KEEL_TIMEOUT=5 keel state "$id" 2>/dev/null | jget - .status 2>/dev/null) || s=""
		[ "$s" = "$want" ] && return 0
		sleep 0.1
	done
	fail "container $id: status '$s', wanted '$want'"
}

status_of() { keel state "$1" | jget - .status; }
pid_of() { keel state "$1" | jget - .pid; }

# The checks that nothing of this test is left: state dirs, processes,
# mounts, cgroups.  Prints what is left; status 1 if anything is.
leftovers() {
	local left=0 i p
	if [ -d "$ROOT" ] && [ -n "$(ls -A "$ROOT" 2>/dev/null)" ]; then
		echo "state left in $ROOT: $(ls -A "$ROOT" | tr '\n' ' ')"
		left=1
	fi
	for i in $(seq 30); do
		p=$(marked_pids)
		[ -z "$p" ] && break
		sleep 0.1
	done
	if [ -n "$p" ]; then
		echo "processes left: $(echo $p)"
		for i in $p; do echo "  $i: $(tr '\0' ' ' < /proc/$i/cmdline 2>/dev/null)"; done
		left=1
	fi
	if grep -q " $BATS_TEST_TMPDIR" /proc/self/mountinfo; then
		echo "mounts left:"
		grep " $BATS_TEST_TMPDIR" /proc/self/mountinfo | awk '{print "  " $5}'
		left=1
	fi
	grep -v '^[^ ]* [^ ]* [^ ]* [^ ]* /sys/fs/cgroup' /proc/self/mountinfo \
		| awk '{print $5}' | sort > "$BATS_TEST_TMPDIR/mounts.after"
	# New mount points only (other work on this host may unmount things).
	p=$(comm -13 "$BATS_TEST_TMPDIR/mounts.before" "$BATS_TEST_TMPDIR/mounts.after")
	if [ -n "$p" ]; then
		echo "new host mounts: $(echo $p)"
		left=1
	fi
	p=$(find /sys/fs/cgroup/unified -maxdepth 4 -type d -name "*$TEST_TAG*" 2>/dev/null)
	if [ -n "$p" ]; then
		echo "cgroups left: $p"
		left=1
	fi
	return $left
}

kill_test_pids() {
	local p
	[ -f "$BATS_TEST_TMPDIR/bg.pids" ] || return 0
	for p in $(cat "$BATS_TEST_TMPDIR/bg.pids"); do
		kill -9 "$p" 2>/dev/null || true
	done
}

# Remember a background helper (recvtty, a namespace holder) for teardown.
track_pid() { echo "$1" >> "$BATS_TEST_TMPDIR/bg.pids"; }

teardown() {
	local id out
	kill_test_pids
	if [ -d "$ROOT" ]; then
		for id in $(ls "$ROOT"); do
			[ -d "$ROOT/$id" ] || continue
			KEEL_TIMEOUT=10 keel delete --force "$id" >/dev/null 2>&1 </dev/null 3>&- || true
		done
	fi
	[ -n "${TEARDOWN_EXTRA:-}" ] && eval "$TEARDOWN_EXTRA"
	if ! out=$(leftovers); then
		echo "$out" >&2
		# Clean up anyway so the next test starts clean, then fail.
		for id in $(marked_pids); do kill -9 "$id" 2>/dev/null || true; done
		for id in $(find /sys/fs/cgroup/unified -depth -mindepth 1 -type d -name "*$TEST_TAG*" 2>/dev/null); do
			sleep 0.2
			rmdir "$id" 2>/dev/null || true
		done
		return 1
	fi
}
