#!/usr/bin/env bats
# keel under containerd 1.6 (Debian's containerd, its runc v2 shim and ctr), inside the
# cgroup v2 VM (tests/vm/check.sh runs tests/integration/*.bats). One containerd per file
# (setup_file): CRI disabled, root, state and sockets under /tmp; the busybox image of
# tests/integration/mkimage.sh imported with `ctr images import`. keel is the shim's
# runtime binary through `ctr run --runc-binary`; the shim keeps keel's state under
# /run/containerd/runc/default and puts a task's cgroup at /default/<id>.
#
# The tests from "run -d" to "task delete" share one detached task, d1 (TCG is slow).

load lib

CD=/tmp/keel-ctrd
KR=/run/containerd/runc/default
CTR_TIMEOUT=120
M=1048576

ctr() { timeout -k 5 "$CTR_TIMEOUT" /usr/bin/ctr --address "$CD/containerd.sock" "$@" 3>&-; }
kstate() { "$KEEL" --root "$KR" state "$1"; }

# --- a minimal CRI client: protobuf by hand, gRPC over HTTP/2 with curl ---
# varint N; pb_msg FIELD (stdin becomes a length-delimited field); pb_str FIELD S;
# pb_int FIELD N (a varint field).
byte() { printf "\\$(printf %03o "$1")"; }
varint() {
	local n=$1
	while [ "$n" -ge 128 ]; do byte $(((n & 127) | 128)); n=$((n >> 7)); done
	byte "$n"
}
pb_msg() {
	local f
	f=$(mktemp "$CD/pb.XXXXXX")
	cat > "$f"
	byte $(($1 << 3 | 2))
	varint "$(stat -c %s "$f")"
	cat "$f"
	rm -f "$f"
}
pb_str() { printf %s "$2" | pb_msg "$1"; }
pb_int() { byte $(($1 << 3)); varint "$2"; }

# cri SOCKET METHOD < REQUEST: one unary call of runtime.v1.RuntimeService; the
# response message (without the gRPC frame) on stdout; fails unless grpc-status is 0.
cri() {
	local sock=$1 method=$2 req resp hdr n
	req=$(mktemp "$CD/req.XXXXXX") resp=$(mktemp "$CD/resp.XXXXXX") hdr=$(mktemp "$CD/hdr.XXXXXX")
	{ cat > "$req.msg"; n=$(stat -c %s "$req.msg")
	  byte 0; byte $((n >> 24 & 255)); byte $((n >> 16 & 255)); byte $((n >> 8 & 255)); byte $((n & 255))
	  cat "$req.msg"; } > "$req"
	timeout -k 5 "$CTR_TIMEOUT" curl -sS --http2-prior-knowledge --unix-socket "$sock" \
		-H 'content-type: application/grpc' -H 'te: trailers' --data-binary @"$req" \
		-D "$hdr" -o "$resp" "http://localhost/runtime.v1.RuntimeService/$method" ${CRI_CURL_OPTS:-} 3>&- ||
		{ fail "curl $method failed"; return 1; }
	grep -qi '^grpc-status: *0' "$hdr" ||
		{ fail "$method: $(tr -d '\r' < "$hdr" | grep -i '^grpc-')"; return 1; }
	tail -c +6 "$resp"
	rm -f "$req" "$req.msg" "$resp" "$hdr"
}

# ctr with a pty of its own (-t needs one): `script` runs it, status = ctr's.
ctr_tty() {
	local cmd="/usr/bin/ctr --address $CD/containerd.sock $*"
	timeout -k 5 "$CTR_TIMEOUT" script -qefc "$cmd" /dev/null </dev/null 3>&-
}

setup_file() {
	integration_setup_file
	rm -rf "$CD"
	mkdir -p "$CD"
	cat > "$CD/config.toml" <<-T
	version = 2
	root = "$CD/root"
	state = "$CD/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri"]
	[grpc]
	  address = "$CD/containerd.sock"
	[ttrpc]
	  address = "$CD/containerd.sock.ttrpc"
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$CD/opt"
	T
	containerd --config "$CD/config.toml" </dev/null >"$CD/containerd.log" 2>&1 3>&- &
	echo $! > "$CD/pid"
	until_true 60 ctr version >/dev/null 2>&1 ||
		{ cat "$CD/containerd.log" >&2; fail "containerd did not start"; }
	ctr images import "$KEEL_IMAGE" >&2 || fail "ctr images import $KEEL_IMAGE failed"
	ctr images ls -q | grep -qx "$IMAGE" || fail "$IMAGE not in ctr images ls"
}

teardown_file() {
	local t p
	for t in $(ctr tasks ls -q 2>/dev/null); do
		ctr tasks kill -a -s SIGKILL "$t" >/dev/null 2>&1
		ctr tasks delete -f "$t" >/dev/null 2>&1
	done
	for t in $(ctr containers ls -q 2>/dev/null); do ctr containers rm "$t" >/dev/null 2>&1; done
	# The shims outlive containerd: end those of this containerd, by pid.
	for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $CD/(cri/)?containerd.sock"); do
		kill "$p" 2>/dev/null
	done
	[ -f "$CD/pid" ] && kill "$(cat "$CD/pid")" 2>/dev/null
	[ -f "$CD/cri/pid" ] && kill "$(cat "$CD/cri/pid")" 2>/dev/null
	true
}

@test "ctr run --rm: the container's stdout and exit status reach ctr's user" {
	run --separate-stderr ctr run --rm --runc-binary "$KEEL" "$IMAGE" rm1 \
		sh -c 'echo hello from the container; echo to stderr >&2; exit 7'
	echo "$output / $stderr"
	[ "$status" -eq 7 ]
	expect_eq stdout "$output" "hello from the container"
	expect_eq stderr "$stderr" "to stderr"
	! ctr containers info rm1 >/dev/null 2>&1
	[ ! -e "$KR/rm1" ] && [ ! -e "$CGROOT/default/rm1" ]
}

@test "ctr run -d: keel created the task (its state, its cgroup /default/d1)" {
	ctr run -d --runc-binary "$KEEL" "$IMAGE" d1 sh -c \
		'trap "echo usr1 >> /tmp/sigs" USR1; trap "echo hup >> /tmp/sigs" HUP
		 trap "exit 42" TERM; while :; do sleep 1000 & wait $!; done'
	run ctr tasks ls
	echo "$output"
	[[ $output == *"d1 "*RUNNING* ]]
	# keel's own view, through the root the shim gave it.
	local pid
	pid=$(kstate d1 | jq -r .pid)
	expect_eq "keel state d1 .status" "$(kstate d1 | jq -r .status)" running
	expect_eq "ctr task pid" "$(ctr tasks ls | awk '$1 == "d1" { print $2 }')" "$pid"
	expect_eq "cgroup of the init" "$(sed -n 's/^0:://p' /proc/$pid/cgroup)" /default/d1
	[[ $(tr '\0' ' ' < /proc/$pid/cmdline) == "sh -c "* ]]
}

@test "ctr task exec (no tty): stdout, stderr and exit status of the process" {
	run --separate-stderr ctr tasks exec --exec-id e1 d1 sh -c 'echo out; echo err >&2; exit 5'
	echo "$output / $stderr"
	[ "$status" -eq 5 ]
	expect_eq stdout "$output" out
	expect_eq stderr "$stderr" err
}

@test "ctr task exec -t: the process gets a pty (console socket), status comes back" {
	run ctr_tty tasks exec -t --exec-id e2 d1 sh -c "'tty; stty size; exit 3'"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ ${output//$'\r'/} == *"/dev/pts/"*[0-9]* ]]
}

@test "ctr task ps: the pids keel reports are the cgroup's" {
	ctr tasks exec -d --exec-id sleeper d1 sleep 1000
	run ctr tasks ps d1
	echo "$output"
	[ "$status" -eq 0 ]
	local got want
	got=$(echo "$output" | awk 'NR > 1 { print $1 }' | sort -n | tr '\n' ' ')
	want=$(sort -n "$CGROOT/default/d1/cgroup.procs" | tr '\n' ' ')
	expect_eq "task ps pids" "$got" "$want"
	[ "$(echo "$got" | wc -w)" -ge 3 ]
}

@test "ctr task pause / resume: cgroup.freeze, ctr and keel agree" {
	ctr tasks pause d1
	[[ $(ctr tasks ls) == *"d1 "*PAUSED* ]]
	expect_eq cgroup.freeze "$(cat "$CGROOT/default/d1/cgroup.freeze")" 1
	expect_eq "keel status" "$(kstate d1 | jq -r .status)" paused
	ctr tasks resume d1
	[[ $(ctr tasks ls) == *"d1 "*RUNNING* ]]
	expect_eq cgroup.freeze "$(cat "$CGROOT/default/d1/cgroup.freeze")" 0
	expect_eq "keel status" "$(kstate d1 | jq -r .status)" running
}

@test "ctr task metrics: read from the task's cgroup" {
	run ctr tasks metrics d1
	echo "$output"
	[ "$status" -eq 0 ]
	local n
	n=$(echo "$output" | awk '$1 == "pids.current" { print $2 }')
	expect_eq pids.current "$n" "$(cat "$CGROOT/default/d1/pids.current")"
}

@test "ctr task kill: signals by number reach the init (USR1, HUP), TERM ends it with 42" {
	ctr tasks kill -s SIGUSR1 d1
	until_true 20 grep -q usr1 /proc/"$(kstate d1 | jq -r .pid)"/root/tmp/sigs
	ctr tasks kill -s SIGHUP d1
	until_true 20 grep -q hup /proc/"$(kstate d1 | jq -r .pid)"/root/tmp/sigs
	ctr tasks kill d1
	until_true 30 eval '[[ $(ctr tasks ls) == *"d1 "*STOPPED* ]]' || fail "d1 did not stop"
	expect_eq "keel status" "$(kstate d1 | jq -r .status)" stopped
}

@test "ctr task kill on a stopped task: 'process already finished'; --all succeeds" {
	run ctr tasks kill -s SIGKILL d1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"process already finished"* ]]
	ctr tasks kill --all -s SIGKILL d1
}

@test "ctr task delete: the exit status (42); keel's state and the cgroup are gone" {
	run ctr tasks delete d1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *42* ]]
	[ ! -e "$KR/d1" ] && [ ! -e "$CGROOT/default/d1" ]
	ctr containers rm d1
}

@test "ctr run --memory-limit: memory.max in the task's cgroup; an OOM ends it with 137" {
	# ctr's spec mounts no cgroupfs in the container: read the cgroup from here. USR1
	# turns the init into a memory hog.
	ctr run -d --runc-binary "$KEEL" --memory-limit $((32 * M)) "$IMAGE" oom1 sh -c \
		'trap "exec tail /dev/zero" USR1; while :; do sleep 1000 & wait $!; done'
	expect_eq memory.max "$(cat "$CGROOT/default/oom1/memory.max")" $((32 * M))
	ctr tasks kill -s SIGUSR1 oom1
	until_true 60 eval '[[ $(ctr tasks ls) == *"oom1 "*STOPPED* ]]' || fail "oom1 did not stop"
	local n
	n=$(awk '$1 == "oom_kill" { print $2 }' "$CGROOT/default/oom1/memory.events")
	[ "$n" -ge 1 ] || fail "memory.events oom_kill: $n"
	run ctr tasks delete oom1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *137* ]]
	ctr containers rm oom1
	[ ! -e "$KR/oom1" ] && [ ! -e "$CGROOT/default/oom1" ]
}

@test "ctr run -t: the container's process has a pty" {
	run ctr_tty run --rm -t --runc-binary "$KEEL" "$IMAGE" t1 sh -c "'tty; exit 4'"
	echo "$output"
	[ "$status" -eq 4 ]
	[[ ${output//$'\r'/} == *"/dev/pts/"*[0-9]* ]]
}

@test "a runtime error reaches ctr's user as keel's own message (from log.json)" {
	run ctr run --rm --runc-binary "$KEEL" "$IMAGE" err1 /no/such/binary
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"OCI runtime create failed: keel: "*"/no/such/binary"* ]]
	ctr containers rm err1 >/dev/null 2>&1 || true
	[ ! -e "$KR/err1" ] && [ ! -e "$CGROOT/default/err1" ]
}

@test "containerd's config (contrib/containerd/config.toml): a CRI pod runs on BinaryName, in Root" {
	# A second containerd, CRI enabled, importing the committed snippet with BinaryName
	# pointed at a wrapper that records the shim's calls and execs keel. The pod sandbox
	# (host network: no CNI) runs the busybox image as its "pause" image.
	local d=$CD/cri sock id
	mkdir -p "$d/cni"
	printf '#!/bin/sh\necho "$*" >> %s/calls\nexec %s "$@"\n' "$d" "$KEEL" > "$d/keel"
	chmod +x "$d/keel"
	cat > "$d/config.toml" <<-T
	version = 2
	root = "$d/root"
	state = "$d/state"
	[grpc]
	  address = "$d/containerd.sock"
	[ttrpc]
	  address = "$d/containerd.sock.ttrpc"
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$d/opt"
	[plugins."io.containerd.grpc.v1.cri"]
	  sandbox_image = "$IMAGE"
	  disable_apparmor = true
	  [plugins."io.containerd.grpc.v1.cri".cni]
	    bin_dir = "$d/cni"
	    conf_dir = "$d/cni"
	T
	# The snippet's sections, merged as its comment says.
	sed -e "s|/usr/local/bin/keel|$d/keel|" -e '/^version *=/d' \
		"$REPO/contrib/containerd/config.toml" >> "$d/config.toml"
	grep -q "BinaryName = \"$d/keel\"" "$d/config.toml" || fail "no BinaryName in the snippet"
	containerd --config "$d/config.toml" </dev/null >"$d/containerd.log" 2>&1 3>&- &
	echo $! > "$d/pid"
	sock=$d/containerd.sock
	until_true 60 ctr --address "$sock" version >/dev/null 2>&1 ||
		{ cat "$d/containerd.log" >&2; fail "containerd (CRI) did not start"; }
	/usr/bin/ctr --address "$sock" -n k8s.io images import "$KEEL_IMAGE" >&2 3>&-
	# RunPodSandbox{config{metadata{name,uid,namespace}, linux{security_context{
	#   namespace_options{network: NODE, pid: POD}}}}, runtime_handler: "keel"}
	id=$( { { pb_str 1 keelpod; pb_str 2 uid-keel-1; pb_str 3 default; } | pb_msg 1
		{ { pb_int 1 2 | pb_msg 1; } | pb_msg 2; } | pb_msg 8; } | pb_msg 1 |
		{ cat; pb_str 2 keel; } | cri "$sock" RunPodSandbox | tail -c +3) ||
		{ tail -20 "$d/containerd.log" >&2; fail "RunPodSandbox failed"; }
	echo "sandbox $id"
	[[ $id =~ ^[0-9a-f]{64}$ ]] || fail "sandbox id '$id'"
	cat "$d/calls"
	grep -q "^--root /run/containerd/keel/k8s.io .*create --bundle .* $id\$" "$d/calls" ||
		fail "no create of $id by $d/keel with Root /run/containerd/keel"
	grep -q "^--root /run/containerd/keel/k8s.io .*start $id\$" "$d/calls" || fail "no start of $id"
	# SystemdCgroup is not set: the shim must not pass --systemd-cgroup.
	! grep -q -- --systemd-cgroup "$d/calls" || fail "--systemd-cgroup passed"
	pb_str 1 "$id" | cri "$sock" StopPodSandbox >/dev/null
	pb_str 1 "$id" | cri "$sock" RemovePodSandbox >/dev/null
	[ ! -e "/run/containerd/keel/k8s.io/$id" ] || fail "keel state of the sandbox left"
	kill "$(cat "$d/pid")"
}

@test "nothing left: no keel state, no task cgroup" {
	[ -z "$(ls -A "$KR")" ] || fail "state left in $KR: $(ls -A "$KR")"
	[ -z "$(ls -A /run/containerd/keel/k8s.io 2>/dev/null)" ] ||
		fail "state left in /run/containerd/keel/k8s.io: $(ls -A /run/containerd/keel/k8s.io)"
	[ -z "$(find "$CGROOT/default" -mindepth 1 -type d)" ] || fail "cgroups left: $(find "$CGROOT/default" -mindepth 1 -type d)"
}
