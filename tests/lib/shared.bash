# Helpers shared by the host suites (common.bash), the VM suites (tests/vm/lib.bash)
# and the engine suites (tests/integration/lib.bash).

# until_true SECONDS CMD...: retry CMD every 0.1 s until it succeeds.
until_true() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# Host pids of processes carrying $MARK in their environment (one grep for all
# of /proc: suites scan often).
marked_pids() {
	grep -lzx -- "$MARK" /proc/[0-9]*/environ 2>/dev/null |
		sed -e 's|^/proc/||' -e 's|/environ$||' | grep -vx "$$" || true
}
