/* Test hooks: see fault.h. */
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fault.h"

static const char *fault_stage;
static bool fault_loaded;
static int fds_at_entry = -1;

void fault_point(const char *stage)
{
	/* Read once: the init and exec children inherit the loaded value. */
	if (!fault_loaded) {
		fault_stage = getenv("KEEL_TEST_FAULT");
		fault_loaded = true;
	}
	if (!fault_stage || strcmp(fault_stage, stage) != 0)
		return;
	raise(SIGKILL);
	/* Still here: we are the init of a pid namespace, which ignores
	 * signals it sends itself. A trap's forced SIGILL still kills it. */
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	__builtin_trap();
}

/* Open fds (not counting the one reading /proc/self/fd); marks them in `seen`. */
static int scan_fds(bool *seen, size_t nseen)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd == dirfd(d))
			continue;
		n++;
		if (fd >= 0 && (size_t)fd < nseen)
			seen[fd] = true;
	}
	closedir(d);
	return n;
}

#define FAULT_MAX_FDS 1024
static bool fds_entry[FAULT_MAX_FDS];

void fault_fds_entry(void)
{
	if (getenv("KEEL_TEST_FDS"))
		fds_at_entry = scan_fds(fds_entry, FAULT_MAX_FDS);
}

/* "keel-test-fds: entry N exit M new: FD=TARGET ...": what keel opened and
 * kept (a process-lifetime cache such as the cgroup root is expected). */
void fault_fds_exit(void)
{
	bool now[FAULT_MAX_FDS] = { false };
	int n;

	if (fds_at_entry < 0)
		return;
	n = scan_fds(now, FAULT_MAX_FDS);
	fprintf(stderr, "keel-test-fds: entry %d exit %d new:", fds_at_entry, n);
	for (int fd = 0; fd < FAULT_MAX_FDS; fd++) {
		char link[64], target[256];
		ssize_t len;

		if (!now[fd] || fds_entry[fd])
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		len = readlink(link, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = '\0';
		fprintf(stderr, " %d=%s", fd, target);
	}
	fprintf(stderr, "\n");
}
