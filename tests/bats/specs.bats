#!/usr/bin/env bats
# The default configs of `crun spec`, `runc spec` and `keel spec`, edited
# only for args and terminal, run under keel.

load ../lib/common

run_default_spec() {
	rm -f "$BUNDLE/config.json"
	(cd "$BUNDLE" && "$@") || fail "$* failed"
	jedit "$BUNDLE/config.json" '.process.terminal=false' \
		'.process.args=["sh","-c","echo ok; id -u; hostname"]'
	run --separate-stderr keel run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[ "${lines[0]}" = ok ] || fail "$output"
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = "$(jget "$BUNDLE/config.json" .hostname)" ]
	[ ! -e "$ROOT/$ID" ]
}

@test "specs: crun spec" {
	run_default_spec crun spec
}

@test "specs: runc spec" {
	run_default_spec runc spec
}

@test "specs: keel spec" {
	run_default_spec "$KEEL" spec
}
