#!/usr/bin/env bats
# Malformed configs (tests/bats/configs/NAME.json, the message expected in
# NAME.expect): each create fails with status 1, a message naming the
# file/path/value, and leaves nothing behind.

load ../lib/common

check_bad() {
	local name=$1 fix=$BATS_TEST_DIRNAME/configs/$1.json expect
	expect=$(cat "$BATS_TEST_DIRNAME/configs/$name.expect")
	sed "s/@MARK@/$TEST_TAG/" "$fix" > "$BUNDLE/config.json"
	local before=$BATS_TEST_TMPDIR/mi.before
	awk '{print $5}' /proc/self/mountinfo | sort > "$before"
	run_create "$ID"
	[ "$status" -eq 1 ] || fail "$name: status $status (stderr: $stderr)"
	[[ "$stderr" == *"$expect"* ]] || fail "$name: stderr does not name '$expect': $stderr"
	[[ "$stderr" == "$KEEL_NAME: "* ]] || fail "$name: message not '$KEEL_NAME: ...': $stderr"
	[ -z "$create_stdout" ] || fail "$name: stdout: $create_stdout"
	[ ! -e "$ROOT/$ID" ] || fail "$name: state dir left"
	[ -z "$(find /sys/fs/cgroup/unified -maxdepth 4 -type d -name "*$TEST_TAG*" 2>/dev/null)" ] || fail "$name: cgroup left"
	[ -z "$(marked_pids)" ] || fail "$name: process left: $(marked_pids)"
	awk '{print $5}' /proc/self/mountinfo | sort | comm -13 "$before" - > "$BATS_TEST_TMPDIR/mi.new"
	[ ! -s "$BATS_TEST_TMPDIR/mi.new" ] || fail "$name: new mounts: $(cat "$BATS_TEST_TMPDIR/mi.new")"
	run keel list -q
	[ -z "$output" ] || fail "$name: listed: $output"
}

@test "badconfig: the fixtures are there (at least 12)" {
	n=$(ls "$BATS_TEST_DIRNAME"/configs/*.json | wc -l)
	[ "$n" -ge 12 ]
	for f in "$BATS_TEST_DIRNAME"/configs/*.json; do
		[ -s "${f%.json}.expect" ] || fail "no .expect for $f"
	done
}

@test "badconfig: a missing config.json is named" {
	rm "$BUNDLE/config.json"
	run_create "$ID"
	[ "$status" -eq 1 ]
	[[ "$output" == *config.json* ]] || fail "$output"
	[ ! -e "$ROOT/$ID" ]
}

@test "badconfig: the exact message for a wrong type" {
	check_bad rlimit-hard-string
	[[ "$stderr" == *'process.rlimits[0].hard: expected an unsigned integer, got "lots"'* ]]
}

@test "badconfig: keel run fails the same way" {
	sed "s/@MARK@/$TEST_TAG/" "$BATS_TEST_DIRNAME/configs/unknown-capability.json" > "$BUNDLE/config.json"
	run keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 1 ]
	[[ "$output" == *CAP_FROBNICATE* ]] || fail "$output"
}

@test "badconfig: args-not-array" {
	check_bad args-not-array
}

@test "badconfig: bad-cwd-relative" {
	check_bad bad-cwd-relative
}

@test "badconfig: bad-rlimit-type" {
	check_bad bad-rlimit-type
}

@test "badconfig: bad-seccomp-action" {
	check_bad bad-seccomp-action
}

@test "badconfig: duplicate-namespace" {
	check_bad duplicate-namespace
}

@test "badconfig: hostname-without-uts" {
	check_bad hostname-without-uts
}

@test "badconfig: invalid-json" {
	check_bad invalid-json
}

@test "badconfig: missing-args" {
	check_bad missing-args
}

@test "badconfig: missing-executable" {
	check_bad missing-executable
}

@test "badconfig: missing-root" {
	check_bad missing-root
}

@test "badconfig: missing-rootfs" {
	check_bad missing-rootfs
}

@test "badconfig: negative-uid" {
	check_bad negative-uid
}

@test "badconfig: relative-mount-dest" {
	check_bad relative-mount-dest
}

@test "badconfig: rlimit-hard-string" {
	check_bad rlimit-hard-string
}

@test "badconfig: top-level-array" {
	check_bad top-level-array
}

@test "badconfig: uidmap-without-userns" {
	check_bad uidmap-without-userns
}

@test "badconfig: unknown-capability" {
	check_bad unknown-capability
}

@test "badconfig: unknown-namespace" {
	check_bad unknown-namespace
}
