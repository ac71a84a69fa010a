# Polling helper shared by the VM and engine suites (they do not load common.bash).

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
