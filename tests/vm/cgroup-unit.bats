#!/usr/bin/env bats
# The cgroup manager's C test with real controllers (build/unit/test_cgroup_vm),
# run inside the cgroup v2 VM by tests/vm/check.sh. Build it on the host first:
# make build/unit/test_cgroup_vm

setup() {
	[ -n "${KEEL_VM:-}" ] || { echo "cgroup-unit.bats runs inside the VM: tests/vm/check.sh" >&2; return 1; }
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	T=$REPO/build/unit/test_cgroup_vm
	[ -x "$T" ] || { echo "$T missing: make build/unit/test_cgroup_vm" >&2; return 1; }
}

@test "cgroup manager: every resource, update, checkBeforeUpdate, OOM, io, devices" {
	run "$T"
	echo "$output"
	[ "$status" -eq 0 ]
	# The test ran (not the host-only skip) and every case passed.
	[[ "$output" == *"ok 1 - create with every resource"* ]]
	! grep -q '^not ok' <<<"$output"
	grep -q '^1\.\.[1-9]' <<<"$output"
}
