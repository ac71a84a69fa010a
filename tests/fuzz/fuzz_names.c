/* Name tables (spec/names.c): signals (`keel kill`), capabilities (config and
 * `exec --cap`), rlimits, namespaces, scheduler policies, I/O priority classes,
 * seccomp operators and actions. The input is a list of names, one per line;
 * each is checked for range and round trips. */
#include <ctype.h>
#include <signal.h>
#include <strings.h>
#include <sys/resource.h>

#include "fuzz.h"
#include "spec/internal.h"

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static void check_signal(const char *t)
{
	int sig = spec_signal_parse(t);
	char buf[80];

	FUZZ_CHECK(sig == -1 || (sig >= 1 && sig <= SIGRTMAX));
	if (all_digits(t) && strlen(t) <= 3) {
		int n = atoi(t);

		FUZZ_CHECK(sig == (n >= 1 && n <= SIGRTMAX ? n : -1));
		return;
	}
	/* Names: "SIG" is optional and case does not matter. */
	if (strlen(t) < 60 && strncasecmp(t, "SIG", 3) && !all_digits(t)) {
		snprintf(buf, sizeof(buf), "sig%s", t);
		FUZZ_CHECK(spec_signal_parse(buf) == sig);
	}
}

static void check_cap(const char *t)
{
	int cap = spec_cap_parse(t);

	FUZZ_CHECK(cap >= -1 && cap < spec_cap_count());
	if (cap >= 0) {
		const char *name = spec_cap_name(cap);

		FUZZ_CHECK(name && spec_cap_parse(name) == cap);
		FUZZ_CHECK(!strcasecmp(t, name) || !strcasecmp(t, name + 4));
	}
}

static void check_tables(const char *t)
{
	int r;

	r = spec_rlimit_parse(t);
	FUZZ_CHECK(r == -1 || (r >= 0 && r < RLIM_NLIMITS));
	r = spec_ns_parse(t);
	FUZZ_CHECK(r == -1 || (r < NS_KINDS && !strcmp(spec_ns_name(r), t) &&
			       spec_ns_clone_flag(r) != 0));
	r = spec_seccomp_op_parse(t);
	FUZZ_CHECK(r == -1 || (r >= 1 && r <= 7 && !strcmp(spec_seccomp_ops[r - 1], t)));
	r = spec_sched_policy_parse(t);
	FUZZ_CHECK(r >= -1 && r <= 6);
	r = spec_ioprio_class_parse(t);
	FUZZ_CHECK(r == -1 || (r >= 1 && r <= 3));
	if (spec_seccomp_action_known(t))
		FUZZ_CHECK(!strncmp(t, "SCMP_ACT_", 9));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *names[32];
	size_t n = fuzz_split(data, size, '\n', names, 32);
	int32_t k = 0;

	for (size_t i = 0; i < n; i++) {
		check_signal(names[i]);
		check_cap(names[i]);
		check_tables(names[i]);
	}
	/* Number -> name look-ups on arbitrary values. */
	memcpy(&k, data, size < sizeof(k) ? size : sizeof(k));
	FUZZ_CHECK(!spec_cap_name(k) || (k >= 0 && k < spec_cap_count()));
	FUZZ_CHECK(!spec_ns_name(k) || (k >= 0 && k < NS_KINDS));
	FUZZ_CHECK(spec_hook_name(k) != NULL);
	fuzz_strv_free(names, n);
	return 0;
}
