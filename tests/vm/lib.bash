# Helpers for the VM suites that run keel on cgroup v2 (`load lib` from tests/vm/*.bats).
#
# Each test gets its own --root ($ROOT), bundle ($BUNDLE, rootfs = $KEEL_VM_ROOTFS read-only,
# a tmpfs /tmp and a bind mount /out of $OUT for results), and id ($ID; more ids are
# "$ID-x"). With no linux.cgroupsPath a container's cgroup is /sys/fs/cgroup/keel/<id>
# ($CG). teardown force-deletes what the test left and fails the test when any state dir
# or cgroup of it remains.
#
# KEEL the runtime (default: the repo's ./keel). jq and libcgroup's cgget are the host's.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${KEEL:=$REPO/keel}"
CGROOT=/sys/fs/cgroup
: "${KEEL_TIMEOUT:=60}"

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# Every runtime call is bounded; bats' fd 3 is never inherited (it would hang bats).
keel() { timeout -k 5 "$KEEL_TIMEOUT" "$KEEL" --root "$ROOT" "$@" 3>&-; }

vm_setup() {
	[ -n "${KEEL_VM:-}" ] || fail "this suite runs inside the VM: tests/vm/check.sh"
	[ -x "${KEEL_VM_ROOTFS:-}/bin/busybox" ] || fail "KEEL_VM_ROOTFS unset or not a rootfs"
	[ -x "$KEEL" ] || fail "no runtime at $KEEL (make keel)"
	[ "$(stat -f -c %T $CGROOT)" = cgroup2fs ] || fail "$CGROOT is not cgroup2"
	ID=kc$$t$BATS_TEST_NUMBER
	ROOT=$BATS_TEST_TMPDIR/root
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	OUT=$BATS_TEST_TMPDIR/out
	CG=$CGROOT/keel/$ID
	mkdir -p "$BUNDLE" "$OUT"
	(cd "$BUNDLE" && "$KEEL" spec) || fail "keel spec failed"
	cfg ".root.path=\"$KEEL_VM_ROOTFS\" | .process.terminal=false
	   | .process.env=[\"PATH=/bin:/sbin:/usr/bin:/usr/sbin\"]
	   | .mounts += [{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},
	                 {\"destination\":\"/out\",\"type\":\"bind\",\"source\":\"$OUT\",\"options\":[\"rbind\",\"rw\"]}]"
}

# cfg JQ-FILTER [JQ-ARGS...]: edit the bundle's config.json.
cfg() {
	local f=$BUNDLE/config.json
	jq "$@" "$f" > "$f.new" && mv "$f.new" "$f"
}

# The container runs `sh -c SCRIPT`.
cfg_sh() { cfg --arg s "$1" '.process.args=["sh","-c",$s]'; }

# cfg_res JSON: linux.resources (merged over the default device rule).
cfg_res() { cfg --argjson r "$1" '.linux.resources += $r'; }

# create_bg [ID]: keel create, the container's stdio to $BATS_TEST_TMPDIR/ID.{out,err}.
create_bg() {
	local id=${1:-$ID}
	keel create --bundle "$BUNDLE" "$id" </dev/null \
		>"$BATS_TEST_TMPDIR/$id.out" 2>"$BATS_TEST_TMPDIR/$id.err" ||
		{ cat "$BATS_TEST_TMPDIR/$id.err" >&2; return 1; }
}

# start_bg [ID]: create and start; fails with keel's messages.
start_bg() {
	local id=${1:-$ID}
	create_bg "$id" || { fail "create $id failed"; return 1; }
	keel start "$id" || fail "start $id failed"
}

jget() { jq -e -r "$2" "$1"; }
pid_of() { keel state "${1:-$ID}" | jq -r .pid; }
status_of() { keel state "${1:-$ID}" | jq -r .status; }

# The saved config of a container (what `keel update` records).
saved_cfg() { cat "$ROOT/${1:-$ID}/config.json"; }

# cgfile FILE [ID]: the cgroup file as read from cgroupfs.
cgfile() { cat "$CGROOT/keel/${2:-$ID}/$1"; }

# cgget_v FILE [ID]: the same file through libcgroup (an independent reader; it indents
# the continuation lines of a multi-line value with a tab).
cgget_v() {
	local v
	v=$(cgget -n -v -r "$1" "keel/${2:-$ID}") || return
	printf '%s\n' "$v" | sed 's/^\t//'
}

# expect_cg FILE VALUE [ID]: cgroupfs and cgget both read VALUE.
expect_cg() {
	local f=$1 want=$2 id=${3:-$ID} a b
	a=$(cgfile "$f" "$id") || fail "cannot read $f of keel/$id"
	b=$(cgget_v "$f" "$id") || fail "cgget cannot read $f of keel/$id"
	[ "$a" = "$want" ] || fail "$f of keel/$id is '$a', expected '$want'"
	[ "$b" = "$want" ] || fail "cgget: $f of keel/$id is '$b', expected '$want'"
}

# cgkey FILE KEY [ID]: the value of KEY in a flat-keyed file (memory.events, cpu.stat).
cgkey() { awk -v k="$2" '$1 == k { print $2 }' "$CGROOT/keel/${3:-$ID}/$1"; }

source "$(dirname "${BASH_SOURCE[0]}")/../lib/shared.bash"

# The block device of null_blk number N ("nullbN"), and its MAJOR:MINOR.
nullb() {
	if [ ! -b "/dev/nullb$1" ]; then
		# Another suite may have loaded null_blk with fewer devices.
		rmmod null_blk 2>/dev/null
		modprobe null_blk nr_devices=2 || fail "modprobe null_blk failed"
	fi
	until_true 2 test -b "/dev/nullb$1" || fail "/dev/nullb$1 missing after modprobe null_blk"
}
devnum() { cat "/sys/block/$1/dev"; }

# Background helpers (events watchers) killed in teardown.
track_pid() { echo "$1" >> "$BATS_TEST_TMPDIR/bg.pids"; }

# Things of this test left behind: state dirs, cgroups. Prints them; status 1 if any.
leftovers() {
	local left=0 p
	if [ -d "$ROOT" ] && [ -n "$(ls -A "$ROOT")" ]; then
		echo "state left in $ROOT: $(ls -A "$ROOT" | tr '\n' ' ')"
		left=1
	fi
	p=$(find "$CGROOT" -mindepth 1 -maxdepth 3 -type d -name "$ID*" 2>/dev/null)
	if [ -n "$p" ]; then
		echo "cgroups left: $(echo $p)"
		left=1
	fi
	return $left
}

vm_teardown() {
	local id p out
	if [ -f "$BATS_TEST_TMPDIR/bg.pids" ]; then
		for p in $(cat "$BATS_TEST_TMPDIR/bg.pids"); do kill -9 "$p" 2>/dev/null || true; done
	fi
	if [ -d "$ROOT" ]; then
		for id in $(ls "$ROOT"); do
			keel delete --force "$id" >/dev/null 2>&1 </dev/null || true
		done
	fi
	# A parent cgroup the test made through an absolute cgroupsPath (keel, like runc,
	# leaves parents).
	[ -z "${TEARDOWN_RMDIR:-}" ] || rmdir "$TEARDOWN_RMDIR" 2>/dev/null || true
	if ! out=$(leftovers); then
		echo "$out" >&2
		for p in $(find "$CGROOT" -depth -mindepth 1 -maxdepth 3 -type d -name "$ID*"); do
			echo 1 > "$p/cgroup.kill" 2>/dev/null
			sleep 0.2
			rmdir "$p" 2>/dev/null || true
		done
		return 1
	fi
}
