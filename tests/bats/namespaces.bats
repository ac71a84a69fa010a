#!/usr/bin/env bats
# Each namespace kind, joining by path, forbidden combinations.

load ../lib/common

# Run the container; its output in $output, status in $status.

@test "pid namespace: the process is pid 1" {
	spec_args sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" -le 3 ] || fail "sees ${lines[1]} processes"
}

@test "uts namespace: hostname and domainname" {
	cfg_edit '.hostname="keel-host"' '.domainname="keel.example"'
	spec_args sh -c 'hostname; cat /proc/sys/kernel/domainname'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = keel-host ]
	[ "${lines[1]}" = keel.example ]
	[ "$(hostname)" != keel-host ]
}

@test "ipc, net, mount, uts, pid namespaces differ from the host's" {
	spec_args sh -c 'for n in ipc net mnt uts pid; do readlink /proc/self/ns/$n; done'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	i=0
	for n in ipc net mnt uts pid; do
		[ "${lines[$i]}" != "$(readlink /proc/self/ns/$n)" ] || fail "$n is the host's"
		[[ "${lines[$i]}" == "$n:["* ]] || fail "${lines[$i]}"
		i=$((i + 1))
	done
}

@test "without a namespace entry the host's is kept" {
	ns_del network
	ns_del ipc
	spec_args sh -c 'readlink /proc/self/ns/net; readlink /proc/self/ns/ipc'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = "$(readlink /proc/self/ns/net)" ]
	[ "${lines[1]}" = "$(readlink /proc/self/ns/ipc)" ]
}

@test "net namespace: only lo" {
	spec_args sh -c 'ls /sys/class/net; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "$(printf 'lo\nlo')" ] || fail "$output"
}

@test "ipc namespace: host SysV objects are not visible" {
	spec_args sh -c 'tail -n +2 /proc/sysvipc/shm | wc -l'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = 0 ]
}

@test "user namespace with uid/gid mappings" {
	ns_add user
	bundle_traversable
	cfg_edit '.linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}]' \
		'.linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]'
	spec_args sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	read -r a b c <<< "${lines[2]}"
	[ "$a $b $c" = "0 100000 65536" ] || fail "uid_map ${lines[2]}"
	read -r a b c <<< "${lines[3]}"
	[ "$a $b $c" = "0 100000 65536" ] || fail "gid_map ${lines[3]}"
}

@test "user namespace: the process runs as the mapped host uid" {
	ns_add user
	bundle_traversable
	cfg_edit '.linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}]' \
		'.linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]'
	spec_args sleep 30
	keel_create "$ID" || fail "create: $(cat "$BATS_TEST_TMPDIR/$ID.err")"
	pid=$(pid_of "$ID")
	[ "$pid" -gt 0 ] || fail "pid '$pid', status $(status_of "$ID"): $(cat "$BATS_TEST_TMPDIR/$ID.err")"
	[ "$(stat -c %u /proc/$pid)" = 100000 ]
	[ "$(readlink /proc/$pid/ns/user)" != "$(readlink /proc/self/ns/user)" ]
}

@test "cgroup namespace: the container's cgroup is its root" {
	ns_add cgroup
	spec_args sh -c 'grep "^0::" /proc/self/cgroup; readlink /proc/self/ns/cgroup'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = "0::/" ]
	[ "${lines[1]}" != "$(readlink /proc/self/ns/cgroup)" ]
}

@test "time namespace with timeOffsets" {
	ns_add time
	cfg_edit '.linux.timeOffsets={"monotonic":{"secs":864000,"nanosecs":0},"boottime":{"secs":1728000,"nanosecs":0}}'
	spec_args sh -c 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	echo "$output" | grep -Eq '^monotonic +864000 +0$' || fail "$output"
	echo "$output" | grep -Eq '^boottime +1728000 +0$' || fail "$output"
	up=${lines[2]}
	host=$(cut -d. -f1 /proc/uptime)
	[ $((up - host)) -ge 1727990 ] || fail "uptime $up, host $host"
}

@test "time namespace with timeOffsets inside a user namespace" {
	ns_add user
	ns_add time
	bundle_traversable
	cfg_edit '.linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}]' \
		'.linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]' \
		'.linux.timeOffsets={"monotonic":{"secs":86400,"nanosecs":0}}'
	spec_args cat /proc/self/timens_offsets
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	echo "$output" | grep -Eq '^monotonic +86400 +0$' || fail "$output"
}

@test "join an existing net and uts namespace by path" {
	unshare --net --uts sh -c 'hostname joined-ns; exec sleep 60' </dev/null >/dev/null 2>&1 3>&- &
	holder=$!
	track_pid $holder
	for i in $(seq 30); do
		[ "$(readlink /proc/$holder/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.1
	done
	sleep 0.1
	cfg_edit ".linux.namespaces[$(ns_idx network)]={\"type\":\"network\",\"path\":\"/proc/$holder/ns/net\"}" \
		".linux.namespaces[$(ns_idx uts)]={\"type\":\"uts\",\"path\":\"/proc/$holder/ns/uts\"}"
	cfg_edit "del .hostname"
	spec_args sh -c 'readlink /proc/self/ns/net; hostname'
	run_ctr
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = "$(readlink /proc/$holder/ns/net)" ]
	[ "${lines[1]}" = joined-ns ]
}

@test "joining a namespace path of the wrong type fails" {
	cfg_edit ".linux.namespaces[$(ns_idx network)]={\"type\":\"network\",\"path\":\"/proc/self/ns/uts\"}"
	spec_args true
	run keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *network* || "$output" == */proc/self/ns/uts* ]] || fail "$output"
}

@test "hostname without a uts namespace is refused" {
	ns_del uts
	cfg_edit '.hostname="nope"'
	spec_args true
	run keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" == *hostname* || "$output" == *uts* || "$output" == *UTS* ]] || fail "$output"
	[ "$(hostname)" != nope ]
}

@test "duplicate namespace type is refused" {
	n=$(jq '.linux.namespaces|length' "$BUNDLE/config.json")
	cfg_edit ".linux.namespaces[$n]={\"type\":\"pid\"}"
	spec_args true
	run keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
}
