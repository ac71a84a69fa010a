#!/usr/bin/env bats
# keel on a real cgroup v2 kernel (run inside the VM by tests/vm/check.sh): every resource
# through config.json and through `keel update`, read back from cgroupfs and with libcgroup's
# cgget; limits that bite (OOM, pids, cpu.max), pause/resume, kill --all, devices, events,
# failure cleanup, and contrib/cgroup-tune.

load lib

setup() { vm_setup; }
teardown() { vm_teardown; }

M=1048576

# --- resources through config.json ---

@test "config: memory limit, reservation, swap -> memory.max, memory.low, memory.swap.max" {
	cfg_res "{\"memory\":{\"limit\":$((64 * M)),\"reservation\":$((32 * M)),\"swap\":$((96 * M))}}"
	create_bg
	expect_cg memory.max $((64 * M))
	expect_cg memory.low $((32 * M))
	expect_cg memory.swap.max $((32 * M))
	# The init waiting for start is in the cgroup already.
	[ "$(cgfile cgroup.procs)" = "$(pid_of)" ]
}

@test "config: cpu shares, quota/period, burst, cpus, mems -> cpu.weight, cpu.max, cpu.max.burst, cpuset" {
	cfg_res '{"cpu":{"shares":512,"quota":50000,"period":200000,"burst":20000,"cpus":"1","mems":"0"}}'
	create_bg
	expect_cg cpu.weight 20
	expect_cg cpu.max "50000 200000"
	expect_cg cpu.max.burst 20000
	expect_cg cpuset.cpus 1
	expect_cg cpuset.mems 0
	[ "$(cgfile cpuset.cpus.effective)" = 1 ]
}

@test "config: pids.limit, cpu.idle, hugepageLimits -> pids.max, cpu.idle, hugetlb.2MB.max" {
	cfg_res "{\"pids\":{\"limit\":42},\"cpu\":{\"idle\":1},\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":$((4 * M))}]}"
	create_bg
	expect_cg pids.max 42
	expect_cg cpu.idle 1
	expect_cg hugetlb.2MB.max $((4 * M))
}

@test "config: blockIO weight and throttle devices -> io.weight (or io.bfq.weight), io.max" {
	nullb 0
	local dev maj min
	dev=$(devnum nullb0)
	maj=${dev%:*} min=${dev#*:}
	# A per-device io.weight needs io.cost enabled on the device (EOPNOTSUPP otherwise).
	[ -e "$CGROOT/io.bfq.weight" ] || echo "$dev enable=1" > "$CGROOT/io.cost.qos"
	cfg_res "{\"blockIO\":{\"weight\":500,
		\"weightDevice\":[{\"major\":$maj,\"minor\":$min,\"weight\":1000}],
		\"throttleReadBpsDevice\":[{\"major\":$maj,\"minor\":$min,\"rate\":$M}],
		\"throttleWriteBpsDevice\":[{\"major\":$maj,\"minor\":$min,\"rate\":$((2 * M))}],
		\"throttleReadIOPSDevice\":[{\"major\":$maj,\"minor\":$min,\"rate\":100}],
		\"throttleWriteIOPSDevice\":[{\"major\":$maj,\"minor\":$min,\"rate\":200}]}}"
	create_bg
	if [ -e "$CG/io.bfq.weight" ]; then
		expect_cg io.bfq.weight "default 500
$dev 1000"
	else
		# 10..1000 maps linearly onto 1..10000: 1 + (500 - 10) * 9999 / 990.
		expect_cg io.weight "default 4950
$dev 10000"
	fi
	expect_cg io.max "$dev rbps=$M wbps=$((2 * M)) riops=100 wiops=200"
}

@test "config: unified keys are written as given" {
	cfg_res "{\"unified\":{\"memory.high\":\"$((48 * M))\",\"pids.max\":\"13\",\"cpu.weight\":\"77\"}}"
	create_bg
	expect_cg memory.high $((48 * M))
	expect_cg pids.max 13
	expect_cg cpu.weight 77
}

@test "config: linux.cgroupsPath absolute and relative" {
	TEARDOWN_RMDIR=$CGROOT/$ID-abs
	cfg_sh 'exec sleep 100000'
	cfg ".linux.cgroupsPath=\"/$ID-abs/c\""
	create_bg
	[ "$(cat "$CGROOT/$ID-abs/c/cgroup.procs")" = "$(pid_of)" ]
	grep -qx "0::/$ID-abs/c" "/proc/$(pid_of)/cgroup"
	cfg ".linux.cgroupsPath=\"$ID-rel\" | .linux.resources.pids={\"limit\":11}"
	create_bg "$ID-2"
	expect_cg pids.max 11 "$ID-rel"
	grep -qx "0::/keel/$ID-rel" "/proc/$(pid_of "$ID-2")/cgroup"
	keel delete --force "$ID"
	keel delete --force "$ID-2"
	[ ! -e "$CGROOT/$ID-abs/c" ] && [ ! -e "$CGROOT/keel/$ID-rel" ]
}

# A create that fails at a resource: status non-zero, keel names the problem, and neither
# the cgroup nor the state dir remains.
create_fails() {
	run -1 keel create --bundle "$BUNDLE" "$ID" </dev/null
	echo "$output"
	[[ "$output" == *"$1"* ]] || fail "keel's error does not mention '$1'"
	[ ! -e "$CG" ] || fail "cgroup $CG left behind"
	[ ! -e "$ROOT/$ID" ] || fail "state dir $ROOT/$ID left behind"
	[ -z "$(ls -A "$CGROOT/keel" 2>/dev/null | grep "^$ID")" ] || fail "cgroups left: $(ls "$CGROOT/keel")"
}

@test "config: unified keys '../x' and 'a/b' are refused and leave nothing" {
	cfg_res '{"unified":{"../x":"1"}}'
	create_fails '../x'
	cfg '.linux.resources.unified={"a/b":"1"}'
	create_fails 'a/b'
}

@test "failed create (cpus not in the cpuset) leaves no cgroup and no state" {
	cfg_res '{"cpu":{"cpus":"99"}}'
	create_fails 'cpuset.cpus'
}

@test "failed create (unknown unified key) leaves no cgroup and no state" {
	cfg_res '{"unified":{"memory.no_such_file":"1"}}'
	create_fails 'memory.no_such_file'
}

@test "failed create (bad hugepage size) leaves no cgroup and no state" {
	cfg_res '{"hugepageLimits":[{"pageSize":"3MB","limit":4194304}]}'
	create_fails '3MB'
}

# The init is charged for its own pages: with one page allowed the OOM
# killer ends it before READY, and keel says so instead of a socket error.
@test "failed create (init OOM-killed before it is ready) names the signal and leaves nothing" {
	cfg_res '{"memory":{"limit":4096}}'
	create_fails 'container init killed by signal 9'
}

# --- keel update ---

# The container keeps running as the same process after an update.
same_pid() {
	[ "$(pid_of)" = "$1" ] || fail "pid changed from $1 to $(pid_of)"
	[ "$(status_of)" = running ] || fail "status $(status_of) after update"
	kill -0 "$1" || fail "the init $1 is gone"
}

@test "update flags: --memory, --memory-reservation, --memory-swap; recorded; same pid" {
	cfg_sh 'exec sleep 100000'
	cfg_res "{\"memory\":{\"limit\":$((64 * M))}}"
	start_bg
	local pid
	pid=$(pid_of)
	keel update --memory 128M --memory-reservation 64m --memory-swap $((192 * M)) "$ID"
	expect_cg memory.max $((128 * M))
	expect_cg memory.low $((64 * M))
	expect_cg memory.swap.max $((64 * M))
	same_pid "$pid"
	saved_cfg | jq -e ".linux.resources.memory == {\"limit\":$((128 * M)),\"reservation\":$((64 * M)),\"swap\":$((192 * M))}"
	# -1: unlimited swap.
	keel update --memory-swap -1 "$ID"
	expect_cg memory.swap.max max
	expect_cg memory.max $((128 * M))
	saved_cfg | jq -e '.linux.resources.memory.swap == -1'
}

@test "update flags: --cpu-shares, --cpu-quota, --cpu-period, --cpuset-cpus, --cpuset-mems" {
	cfg_sh 'exec sleep 100000'
	start_bg
	local pid
	pid=$(pid_of)
	keel update --cpu-shares 2048 --cpu-quota 30000 --cpu-period 150000 \
		--cpuset-cpus 0 --cpuset-mems 0 "$ID"
	expect_cg cpu.weight 79
	expect_cg cpu.max "30000 150000"
	expect_cg cpuset.cpus 0
	expect_cg cpuset.mems 0
	# A period alone keeps the quota; quota -1 is no limit.
	keel update --cpu-period 100000 "$ID"
	expect_cg cpu.max "30000 100000"
	keel update --cpu-quota -1 "$ID"
	expect_cg cpu.max "max 100000"
	same_pid "$pid"
	saved_cfg | jq -e '.linux.resources.cpu | .shares == 2048 and .quota == -1 and .period == 100000 and .cpus == "0" and .mems == "0"'
}

@test "update flags: --pids-limit, --blkio-weight" {
	cfg_sh 'exec sleep 100000'
	start_bg
	local pid
	pid=$(pid_of)
	keel update --pids-limit 20 --blkio-weight 300 "$ID"
	expect_cg pids.max 20
	if [ -e "$CG/io.bfq.weight" ]; then
		expect_cg io.bfq.weight "default 300"
	else
		expect_cg io.weight "default 2930"
	fi
	keel update --pids-limit -1 "$ID"
	expect_cg pids.max max
	same_pid "$pid"
	saved_cfg | jq -e '.linux.resources.pids.limit == -1 and .linux.resources.blockIO.weight == 300'
}

@test "update -r FILE: burst, idle, throttle, hugepages, unified; recorded; same pid" {
	nullb 0
	local dev maj min pid
	dev=$(devnum nullb0)
	maj=${dev%:*} min=${dev#*:}
	cfg_sh 'exec sleep 100000'
	start_bg
	pid=$(pid_of)
	cat > "$BATS_TEST_TMPDIR/r.json" <<-J
	{"cpu":{"quota":40000,"period":100000,"burst":30000,"idle":1},
	 "blockIO":{"throttleReadBpsDevice":[{"major":$maj,"minor":$min,"rate":4096000}],
	            "throttleWriteIOPSDevice":[{"major":$maj,"minor":$min,"rate":77}]},
	 "hugepageLimits":[{"pageSize":"2MB","limit":$((8 * M))}],
	 "unified":{"memory.high":"$((40 * M))"}}
	J
	keel update -r "$BATS_TEST_TMPDIR/r.json" "$ID"
	expect_cg cpu.max "40000 100000"
	expect_cg cpu.max.burst 30000
	expect_cg cpu.idle 1
	expect_cg io.max "$dev rbps=4096000 wbps=max riops=max wiops=77"
	expect_cg hugetlb.2MB.max $((8 * M))
	expect_cg memory.high $((40 * M))
	saved_cfg | jq -e ".linux.resources | .cpu.burst == 30000 and .cpu.idle == 1
		and .hugepageLimits[0].limit == $((8 * M)) and .unified[\"memory.high\"] == \"$((40 * M))\"
		and .blockIO.throttleWriteIOPSDevice[0].rate == 77"
	# Leaving idle makes cpu.weight writable again.
	echo '{"cpu":{"idle":0,"shares":2048}}' > "$BATS_TEST_TMPDIR/r2.json"
	keel update --resources "$BATS_TEST_TMPDIR/r2.json" "$ID"
	expect_cg cpu.idle 0
	expect_cg cpu.weight 79
	same_pid "$pid"
}

@test "update -r - reads stdin; flags win over the file" {
	cfg_sh 'exec sleep 100000'
	start_bg
	local pid
	pid=$(pid_of)
	echo "{\"memory\":{\"limit\":$((80 * M))},\"pids\":{\"limit\":5}}" |
		keel update -r - --pids-limit 9 "$ID"
	expect_cg memory.max $((80 * M))
	expect_cg pids.max 9
	saved_cfg | jq -e ".linux.resources.memory.limit == $((80 * M)) and .linux.resources.pids.limit == 9"
	same_pid "$pid"
}

@test "update: checkBeforeUpdate refuses a limit below the usage, allows one above" {
	# 16 MiB in the container's tmpfs is charged to its cgroup and cannot be reclaimed.
	cfg_sh 'dd if=/dev/zero of=/tmp/fill bs=1M count=16 2>/dev/null; touch /out/ready; exec sleep 100000'
	cfg_res "{\"memory\":{\"limit\":$((64 * M))}}"
	start_bg
	until_true 20 test -e "$OUT/ready"
	[ "$(cgfile memory.current)" -gt $((16 * M)) ]
	echo "{\"memory\":{\"limit\":$((8 * M)),\"checkBeforeUpdate\":true}}" > "$BATS_TEST_TMPDIR/r.json"
	run -1 keel update -r "$BATS_TEST_TMPDIR/r.json" "$ID"
	echo "$output"
	[[ "$output" == *checkBeforeUpdate* ]]
	expect_cg memory.max $((64 * M))
	saved_cfg | jq -e ".linux.resources.memory.limit == $((64 * M))"
	echo "{\"memory\":{\"limit\":$((48 * M)),\"checkBeforeUpdate\":true}}" > "$BATS_TEST_TMPDIR/r.json"
	keel update -r "$BATS_TEST_TMPDIR/r.json" "$ID"
	expect_cg memory.max $((48 * M))
	[ "$(status_of)" = running ]
}

@test "update refuses unified '../x' and 'a/b', and a stopped container; nothing recorded" {
	cfg_sh 'exec sleep 100000'
	start_bg
	local before
	before=$(saved_cfg)
	run -1 keel update -r - "$ID" <<<'{"unified":{"../x":"1"}}'
	echo "$output"
	[[ "$output" == *'../x'* ]]
	run -1 keel update -r - "$ID" <<<'{"unified":{"a/b":"1"}}'
	echo "$output"
	[[ "$output" == *'a/b'* ]]
	[ "$(saved_cfg)" = "$before" ]
	[ ! -e "$CGROOT/keel/x" ] && [ ! -e "$CGROOT/x" ]
	keel kill "$ID" KILL
	until_true 5 eval '[ "$(status_of)" = stopped ]'
	run -1 keel update --pids-limit 3 "$ID"
	echo "$output"
	[[ "$output" == *stopped* ]]
}

@test "update enables controllers the create did not need (fresh parent)" {
	# A parent no container used yet: create enables nothing in it (no resources).
	local P=$CGROOT/$ID-fresh
	TEARDOWN_RMDIR=$P
	cfg_sh 'exec sleep 100000'
	cfg ".linux.cgroupsPath=\"/$ID-fresh/c\""
	start_bg
	[ ! -e "$P/c/memory.max" ] && [ ! -e "$P/c/pids.max" ]
	# Stats work without the controllers too.
	run keel events --stats "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e '.type == "stats"' <<<"$output"
	keel update --memory 50M --pids-limit 12 --cpu-quota 20000 "$ID"
	[ "$(cat "$P/c/memory.max")" = $((50 * M)) ]
	[ "$(cat "$P/c/pids.max")" = 12 ]
	[ "$(cat "$P/c/cpu.max")" = "20000 100000" ]
	[ "$(cgget -n -v -r pids.max "$ID-fresh/c")" = 12 ]
	keel delete --force "$ID"
	[ ! -e "$P/c" ]
}

@test "update of a paused container applies and it stays paused" {
	cfg_sh 'exec sleep 100000'
	start_bg
	keel pause "$ID"
	keel update --pids-limit 17 --memory 100M "$ID"
	expect_cg pids.max 17
	expect_cg memory.max $((100 * M))
	[ "$(status_of)" = paused ]
	grep -qx 'frozen 1' "$CG/cgroup.events"
	keel resume "$ID"
	[ "$(status_of)" = running ]
}

@test "exec joins the container's cgroup, also when pids.max is reached" {
	cfg_sh 'exec sleep 100000'
	cfg_res '{"pids":{"limit":1}}'
	start_bg
	# runc moves the exec'd process in through cgroup.procs (allowed past pids.max), crun
	# clones it into the cgroup (refused at pids.max): either is fine, running it
	# outside the container's cgroup is not.
	run keel exec "$ID" cat /proc/self/cgroup </dev/null
	echo "status $status: $output"
	[ "$status" -ne 0 ] || [ "$output" = "0::/" ] || fail "exec ran outside the container's cgroup: $output"
	keel update --pids-limit 5 "$ID"
	run keel exec "$ID" sh -c 'cat /proc/self/cgroup; echo $(( $(cat /sys/fs/cgroup/pids.current) ))' </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	# The cgroup namespace is rooted at the container's cgroup.
	[ "${lines[0]}" = "0::/" ]
	[ "${lines[1]}" -ge 2 ]
}

# --- limits that bite ---

@test "a memory hog is OOM-killed under memory.max: exit 137, memory.events oom_kill" {
	cfg_res "{\"memory\":{\"limit\":$((32 * M)),\"swap\":$((32 * M))}}"
	# tail keeps the whole "line" of /dev/zero (no newline ever): anonymous memory.
	cfg '.process.args=["tail","/dev/zero"]'
	run keel run --keep --bundle "$BUNDLE" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 137 ]
	[ "$(cgkey memory.events oom_kill)" -ge 1 ]
	[ "$(cgkey memory.events max)" -ge 1 ]
	[ "$(status_of)" = stopped ]
	keel delete "$ID"
	# Without --keep, run deletes the OOM-killed container and its cgroup itself.
	run keel run --bundle "$BUNDLE" "$ID-2" </dev/null
	[ "$status" -eq 137 ]
	[ ! -e "$CGROOT/keel/$ID-2" ] && [ ! -e "$ROOT/$ID-2" ]
}

@test "a fork loop stops at pids.max" {
	cfg_res '{"pids":{"limit":8}}'
	# The inner shell forks until the kernel refuses (ash then exits: "can't fork"); its
	# sleeps stay. The outer shell (the init) forked once and then only execs.
	cfg_sh 'sh -c "while :; do sleep 100000 & done"; echo $? > /out/done; exec sleep 100000'
	start_bg
	until_true 30 test -e "$OUT/done"
	[ "$(cat "$OUT/done")" -ne 0 ]
	# The init and 6 sleeps: the inner shell (the 8th) is gone.
	until_true 5 eval '[ "$(cgfile pids.current)" -eq 7 ]' || fail "pids.current $(cgfile pids.current)"
	[ "$(wc -l < "$CG/cgroup.procs")" -eq 7 ]
	[ "$(cgkey pids.events max)" -ge 1 ]
	grep -qi "fork" "$BATS_TEST_TMPDIR/$ID.err" || { cat "$BATS_TEST_TMPDIR/$ID.err"; false; }
}

@test "cpu.max throttles a busy loop (cpu.stat nr_throttled grows)" {
	cfg_res '{"cpu":{"quota":10000,"period":100000}}'
	cfg_sh 'while :; do :; done'
	start_bg
	local a b
	until_true 10 eval '[ "$(cgkey cpu.stat nr_throttled)" -ge 2 ]'
	a=$(cgkey cpu.stat nr_throttled)
	sleep 1
	b=$(cgkey cpu.stat nr_throttled)
	echo "nr_throttled $a -> $b"
	[ "$b" -gt "$a" ]
	[ "$(cgkey cpu.stat throttled_usec)" -gt 0 ]
	# 10% of one CPU: well under the wall time that passed.
	local nr_periods usage
	nr_periods=$(cgkey cpu.stat nr_periods)
	usage=$(cgkey cpu.stat usage_usec)
	echo "nr_periods $nr_periods usage_usec $usage"
	[ "$usage" -le $(( (nr_periods + 2) * 10000 + 50000 )) ]
}

# The counter's value ("" while being rewritten counts as 0).
counter() { local v; v=$(cat "$OUT/n" 2>/dev/null); echo "${v:-0}"; }

@test "pause stops progress, state says paused; resume restores it" {
	cfg_sh 'i=0; while :; do i=$((i+1)); echo $i > /out/n; sleep 0.1; done'
	create_bg
	run -1 keel pause "$ID"
	[[ "$output" == *"not running"* ]]
	keel start "$ID"
	until_true 10 eval '[ "$(counter)" -ge 3 ]'
	keel pause "$ID"
	[ "$(status_of)" = paused ]
	grep -qx 'frozen 1' "$CG/cgroup.events"
	local a b
	a=$(counter)
	sleep 1.5
	b=$(counter)
	[ "$a" = "$b" ] || fail "counter went from $a to $b while paused"
	keel resume "$ID"
	[ "$(status_of)" = running ]
	grep -qx 'frozen 0' "$CG/cgroup.events"
	until_true 10 eval '[ "$(counter)" -gt "$b" ]'
	run -1 keel resume "$ID"
	[[ "$output" == *"not paused"* ]]
}

@test "kill --all kills every process of the container (no pid namespace)" {
	cfg 'del(.linux.namespaces[] | select(.type == "pid"))'
	cfg_sh 'sleep 100000 & sleep 100000 & sleep 100000 & echo ok > /out/ready; wait'
	start_bg
	until_true 10 test -e "$OUT/ready"
	until_true 5 eval '[ "$(wc -l < "$CG/cgroup.procs")" -eq 4 ]'
	# ps lists exactly the cgroup's processes.
	[ "$(keel ps --format json "$ID")" = "[$(sort -n "$CG/cgroup.procs" | paste -sd,)]" ]
	keel kill --all "$ID" KILL
	until_true 5 eval '[ -z "$(cat "$CG/cgroup.procs")" ]' ||
		fail "left in the cgroup: $(cat "$CG/cgroup.procs")"
	until_true 5 eval '[ "$(status_of)" = stopped ]'
}

@test "delete removes the cgroup: created, stopped, and paused (--force)" {
	cfg_sh 'exec sleep 100000'
	create_bg
	[ -d "$CG" ]
	keel delete --force "$ID"
	[ ! -e "$CG" ]
	cfg_sh 'true'
	start_bg "$ID-s"
	until_true 5 eval '[ "$(status_of "$ID-s")" = stopped ]'
	[ -d "$CGROOT/keel/$ID-s" ]
	keel delete "$ID-s"
	[ ! -e "$CGROOT/keel/$ID-s" ]
	cfg_sh 'sleep 100000 & exec sleep 100000'
	start_bg "$ID-p"
	keel pause "$ID-p"
	keel delete --force "$ID-p"
	[ ! -e "$CGROOT/keel/$ID-p" ]
	[ -z "$(ls -A "$ROOT")" ]
}

@test "kill --all of a paused container kills everything" {
	cfg_sh 'sleep 100000 & sleep 100000 & exec sleep 100000'
	start_bg
	until_true 5 eval '[ "$(wc -l < "$CG/cgroup.procs")" -eq 3 ]'
	keel pause "$ID"
	keel kill --all "$ID" KILL
	until_true 5 eval '[ -z "$(cat "$CG/cgroup.procs")" ]' ||
		fail "left in the cgroup: $(cat "$CG/cgroup.procs")"
	until_true 5 eval '[ "$(status_of)" = stopped ]'
}

@test "delete removes the sub-cgroups a container made for itself" {
	# A read-write cgroup mount ("rw": read-only otherwise): the container (its own cgroup
	# namespace) makes a child cgroup and moves itself there, as systemd in a container does.
	cfg '(.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) |= map(if . == "ro" then "rw" else . end)'
	cfg_sh 'mkdir -p /sys/fs/cgroup/sub/deeper && echo $$ > /sys/fs/cgroup/sub/deeper/cgroup.procs && touch /out/ready; exec sleep 100000'
	start_bg
	until_true 20 test -e "$OUT/ready"
	grep -qx "0::/keel/$ID/sub/deeper" "/proc/$(pid_of)/cgroup"
	keel delete --force "$ID"
	[ ! -e "$CG" ]
}

# --- devices ---

@test "devices: an allowed block device can be opened, a denied one cannot" {
	nullb 0
	nullb 1
	local d0 d1
	d0=$(devnum nullb0)
	d1=$(devnum nullb1)
	cfg ".linux.devices = [
		{\"path\":\"/dev/nullb0\",\"type\":\"b\",\"major\":${d0%:*},\"minor\":${d0#*:}},
		{\"path\":\"/dev/nullb1\",\"type\":\"b\",\"major\":${d1%:*},\"minor\":${d1#*:}}]
	   | .linux.resources.devices = [{\"allow\":false,\"access\":\"rwm\"},
		{\"allow\":true,\"type\":\"b\",\"major\":${d0%:*},\"minor\":${d0#*:},\"access\":\"r\"}]"
	cfg_sh 'head -c 512 /dev/nullb0 | wc -c; head -c 512 /dev/nullb1 >/dev/null || echo nullb1-denied
		{ echo x > /dev/nullb0; } 2>/dev/null || echo nullb0-write-denied
		head -c 4 /dev/zero | wc -c'
	run keel run --bundle "$BUNDLE" "$ID" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 512 ]
	[[ "$output" == *"nullb1: Operation not permitted"* ]]
	[[ "$output" == *nullb1-denied* ]]
	[[ "$output" == *nullb0-write-denied* ]]
	# The default devices still work after a deny-all.
	[ "${lines[-1]}" = 4 ]
}

# --- events ---

@test "events --stats reports real usage in runc's schema" {
	cfg_sh 'sleep 100000 & exec sleep 100000'
	cfg_res "{\"memory\":{\"limit\":$((64 * M))},\"pids\":{\"limit\":50}}"
	start_bg
	until_true 5 eval '[ "$(wc -l < "$CG/cgroup.procs")" -eq 2 ]'
	run keel events --stats "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	jq -e --arg id "$ID" '.type == "stats" and .id == $id' <<<"$output"
	jq -e '.data.memory.usage.usage > 0 and .data.memory.usage.limit == 67108864' <<<"$output"
	jq -e '.data.pids.current >= 2 and .data.pids.limit == 50' <<<"$output"
	jq -e '.data.cpu.usage.total > 0' <<<"$output"
}

@test "events --interval 1s prints an oom event when a process inside is OOM-killed" {
	cfg_res "{\"memory\":{\"limit\":$((32 * M)),\"swap\":$((32 * M))}}"
	cfg_sh 'while [ ! -e /out/go ]; do sleep 0.1; done; tail /dev/zero; exec sleep 100000'
	start_bg
	keel events --interval 1s "$ID" > "$OUT/events" 2>&1 &
	track_pid $!
	until_true 20 grep -q '"type":"stats"' "$OUT/events"
	! grep -q '"type":"oom"' "$OUT/events"
	touch "$OUT/go"
	until_true 20 grep -q '"type":"oom"' "$OUT/events" || { cat "$OUT/events"; false; }
	grep -x "{\"type\":\"oom\",\"id\":\"$ID\"}" "$OUT/events"
	[ "$(cgkey memory.events oom_kill)" -ge 1 ]
	[ "$(status_of)" = running ]
}

@test "events --interval exits when the container stops" {
	cfg_sh 'while [ ! -e /out/stop ]; do sleep 0.1; done'
	start_bg
	keel events --interval 200ms "$ID" > "$OUT/events" 2>&1 &
	local ev=$!
	track_pid $ev
	until_true 20 grep -q '"type":"stats"' "$OUT/events"
	touch "$OUT/stop"
	until_true 10 eval '! kill -0 $ev 2>/dev/null' || fail "events still running after the container stopped"
	wait $ev
	jq -e --arg id "$ID" '.type == "stats" and .id == $id and .data.pids.current >= 1' < <(head -n 1 "$OUT/events")
}

# --- nothing left behind ---

@test "50 create/delete cycles leave no cgroup, no mount, no state" {
	cfg_sh 'exec sleep 100000'
	cfg_res "{\"memory\":{\"limit\":$((64 * M))},\"pids\":{\"limit\":20}}"
	local before after i
	before=$(wc -l < /proc/self/mountinfo)
	for i in $(seq 50); do
		create_bg "$ID-$i" || { cat "$BATS_TEST_TMPDIR/$ID-$i.err"; fail "create $i failed"; }
		[ -d "$CGROOT/keel/$ID-$i" ]
		keel delete --force "$ID-$i"
		[ ! -e "$CGROOT/keel/$ID-$i" ]
	done
	after=$(wc -l < /proc/self/mountinfo)
	[ "$before" -eq "$after" ] || fail "mountinfo had $before lines, now $after"
	[ -z "$(ls -A "$ROOT")" ]
	[ -z "$(find "$CGROOT" -name "$ID*")" ]
}

# --- contrib/cgroup-tune ---

@test "contrib/cgroup-tune: memory.high through cgset, the rest through keel update" {
	cfg_sh 'exec sleep 100000'
	start_bg
	local pid
	pid=$(pid_of)
	KEEL=$KEEL "$REPO/contrib/cgroup-tune" --root "$ROOT" "$ID" --memory-high 64M \
		--cpu-max "50000 100000" --memory 96M --pids-max 30
	expect_cg memory.high $((64 * M))
	expect_cg cpu.max "50000 100000"
	expect_cg memory.max $((96 * M))
	expect_cg pids.max 30
	saved_cfg | jq -e ".linux.resources | .cpu.quota == 50000 and .cpu.period == 100000
		and .memory.limit == $((96 * M)) and .pids.limit == 30"
	same_pid "$pid"
	# --show prints the values through cgget.
	run env KEEL="$KEEL" "$REPO/contrib/cgroup-tune" --root "$ROOT" "$ID" --show
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"memory.high: $((64 * M))"* ]]
	[[ "$output" == *"cpu.max: 50000 100000"* ]]
	# "max" quota.
	KEEL=$KEEL "$REPO/contrib/cgroup-tune" --root "$ROOT" "$ID" --cpu-max "max 200000" --memory-high max
	expect_cg cpu.max "max 200000"
	expect_cg memory.high max
}

@test "contrib/cgroup-tune: usage errors and an unknown container" {
	run -2 "$REPO/contrib/cgroup-tune"
	[[ "$output" == *usage* ]]
	run -2 "$REPO/contrib/cgroup-tune" x --cpu-max 50000
	[[ "$output" == *"--cpu-max"* ]]
	run -2 "$REPO/contrib/cgroup-tune" x --bogus 1
	[[ "$output" == *"--bogus"* ]]
	run -1 env KEEL="$KEEL" "$REPO/contrib/cgroup-tune" --root "$ROOT" nosuch --memory-high 1M
	echo "$output"
	[[ "$output" == *nosuch* ]]
}
