/* proc_open(): files are opened beneath a verified procfs handle, never
 * through a symlink, a magic link, ".." or a mount on top of /proc. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "namespaces/namespaces.h"
#include "runtime/util.h"
#include "tap.h"

static const char *const kinds[] = { "", "private", "clone", "host" };

static bool opens(const char *path)
{
	struct kerr *e = NULL;
	int fd = proc_open(path, O_RDONLY, &e);

	kerr_free(&e);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool refused(const char *path)
{
	struct kerr *e = NULL;
	int fd = proc_open(path, O_RDONLY, &e);
	bool r = fd < 0 && e && e->errnum == EXDEV;

	if (fd >= 0)
		close(fd);
	kerr_free(&e);
	return r;
}

/* "Pid:" of self/status is our pid. */
static bool self_is_us(void)
{
	char buf[4096], want[32];
	struct kerr *e = NULL;
	int fd = proc_open("/proc/self/status", O_RDONLY, &e);
	ssize_t n;

	kerr_free(&e);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	snprintf(want, sizeof(want), "\nPid:\t%d\n", getpid());
	return strstr(buf, want) != NULL;
}

static void paths(enum procfs_kind k, bool walk)
{
	const char *w = walk ? ", walk" : "";

	procfs_force_kind(k, walk);
	okf(opens("self/status") && opens("sys/kernel/hostname"), "[%s%s] plain files open", kinds[k], w);
	okf(procfs_kind() == k, "[%s%s] the handle is of that kind (got %d)", kinds[k], w, procfs_kind());
	okf(self_is_us(), "[%s%s] self is our pid", kinds[k], w);
	okf(refused("mounts"), "[%s%s] a symlink is refused", kinds[k], w);
	okf(refused("self/root/etc/hostname"), "[%s%s] a magic link is refused", kinds[k], w);
	okf(refused("sys/../self/status"), "[%s%s] .. is refused", kinds[k], w);
}

/* In a private mount namespace, another procfs file bound over
 * /proc/sys/kernel/hostname: the handle never sees it. */
static int bound_over(void)
{
	CHECK(unshare(CLONE_NEWNS) == 0);
	CHECK(mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) == 0);
	CHECK(mount("/proc/self/comm", "/proc/sys/kernel/hostname", NULL, MS_BIND, NULL) == 0);
	for (int walk = 0; walk <= 1; walk++) {
		for (int k = PROCFS_PRIVATE; k <= PROCFS_CLONE; k++) {
			procfs_force_kind(k, walk);
			CHECK(procfs_kind() == PROCFS_NONE);
			CHECK(opens("sys/kernel/hostname"));
			CHECK(procfs_kind() == (enum procfs_kind)k);
		}
		/* /proc itself as the handle: the mount is detected, not crossed. */
		procfs_force_kind(PROCFS_HOST, walk);
		CHECK(refused("sys/kernel/hostname"));
		CHECK(procfs_kind() == PROCFS_HOST);
	}
	return 0;
}

/* After procfs_seal() the handle reads but no longer writes. */
static int sealed(void)
{
	struct kerr *e = NULL;
	int fd;

	procfs_force_kind(PROCFS_NONE, false);
	CHECK(procfs_root(&e) >= 0);
	CHECK(procfs_seal(&e) == 0);
	CHECK(opens("self/status"));
	fd = proc_open("self/oom_score_adj", O_WRONLY, &e);
	CHECK(fd < 0 && e && e->errnum == EROFS);
	kerr_free(&e);
	return 0;
}

int main(void)
{
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	for (int walk = 0; walk <= 1; walk++)
		for (int k = PROCFS_PRIVATE; k <= PROCFS_HOST; k++)
			paths(k, walk);
	run("a mount over a /proc file never redirects the handle (openat2 and walk)", bound_over);
	run("a sealed handle is read-only", sealed);
	procfs_force_kind(PROCFS_NONE, false);
	return tap_done();
}
