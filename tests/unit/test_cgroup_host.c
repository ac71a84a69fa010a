/* The cgroup manager on this host's v2 hierarchy (no controllers needed):
 * create, enter, pids, freeze/thaw, kill, devices program, unified keys,
 * stats, destroy; and a create that needs a missing controller fails
 * naming it and leaves nothing behind. Needs root and a cgroup v2 mount. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroup_internal.h"
#include "runtime/util.h"
#include "tap.h"
#include <yajl/yajl_tree.h>

static char base[64];

static bool exists(const char *rel)
{
	struct stat st;

	return fstatat(cgroup_root_fd(NULL), rel, &st, 0) == 0;
}

/* A child that sleeps until signalled. */
static pid_t sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static int wait_sig(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) ? WTERMSIG(st) : 1000 + WEXITSTATUS(st);
}

static bool events_frozen(struct cgroup *cg, char want)
{
	char buf[256];
	struct kerr *e = NULL;
	char *p;

	if (cgroup_read(cg, "cgroup.events", buf, sizeof(buf), &e) < 0) {
		kerr_free(&e);
		return false;
	}
	p = strstr(buf, "frozen ");
	return p && p[7] == want;
}

static void test_lifecycle(void)
{
	_cleanup_free_ char *path = xasprintf("%s/x", base), *sub = NULL;
	struct kerr *e = NULL;
	struct cgroup *cg = NULL;
	pid_t a, b, *pids = NULL;
	size_t n = 0;
	bool frozen = true;
	int subfd;
	char buf[64];

	OKE(cgroup_create(path, NULL, &cg, &e) == 0 && exists(path), "create keel-test-<pid>/x");
	if (!cg)
		exit(1);
	ok(!strcmp(cgroup_get_path(cg), path) && cgroup_dirfd(cg) >= 0, "path and dirfd", NULL);

	a = sleeper();
	OKE(cgroup_enter(cg, a, &e) == 0, "enter a forked child");
	/* A second child in a sub-cgroup, for the recursive listing. */
	mkdirat(cgroup_dirfd(cg), "sub", 0755);
	subfd = openat(cgroup_dirfd(cg), "sub", O_RDONLY | O_DIRECTORY);
	b = sleeper();
	snprintf(buf, sizeof(buf), "%d", b);
	OKE(subfd >= 0 && cg_write(subfd, "cgroup.procs", buf, &e) == 0, "child in sub-cgroup");
	close(subfd);
	{
		struct cgroup *dup = NULL;

		OKE(cgroup_create(path, NULL, &dup, &e) < 0 && e &&
		    strstr(e->msg, "already exists and has processes"),
		    "create refuses an existing cgroup with processes");
		ok(exists(path), "... and leaves it alone", path);
		cgroup_close(dup);
	}
	OKE(cgroup_pids(cg, &pids, &n, &e) == 0 && n == 2 && pids[0] == (a < b ? a : b) &&
	   pids[1] == (a < b ? b : a), "pids: recursive and sorted");
	free(pids);

	OKE(cgroup_freeze(cg, true, &e) == 0 && events_frozen(cg, '1'), "freeze: frozen 1");
	OKE(cgroup_is_frozen(cg, &frozen, &e) == 0 && frozen, "is_frozen after freeze");
	OKE(cgroup_freeze(cg, false, &e) == 0 && events_frozen(cg, '0'), "thaw: frozen 0");
	OKE(cgroup_is_frozen(cg, &frozen, &e) == 0 && !frozen, "is_frozen after thaw");

	OKE(cgroup_kill(cg, SIGTERM, &e) == 0, "kill SIGTERM");
	ok(wait_sig(a) == SIGTERM && wait_sig(b) == SIGTERM,
	   "both children (and the sub-cgroup's) got SIGTERM", NULL);

	a = sleeper();
	cgroup_enter(cg, a, &e);
	OKE(cgroup_freeze(cg, true, &e) == 0, "freeze again");
	OKE(cgroup_kill(cg, SIGKILL, &e) == 0 && wait_sig(a) == SIGKILL,
	   "kill SIGKILL (a frozen child)");
	cgroup_freeze(cg, false, &e);
	kerr_free(&e);

	a = sleeper();
	cgroup_enter(cg, a, &e);
	OKE(cgroup_destroy(cg, false, &e) < 0 && e && e->errnum == EBUSY &&
	    strstr(e->msg, "rmdir") && strstr(e->msg, path),
	    "destroy without kill of a busy cgroup fails (EBUSY, names it)");
	ok(exists(path), "... and leaves it", path);
	OKE(cgroup_destroy(cg, true, &e) == 0 && wait_sig(a) == SIGKILL, "destroy with kill");
	sub = xasprintf("%s/sub", path);
	ok(!exists(path) && !exists(sub), "destroy leaves nothing (sub-cgroup too)", NULL);
	OKE(cgroup_destroy(cg, false, &e) == 0, "destroying a missing cgroup succeeds");
	cgroup_close(cg);
}

static void test_missing_controller(void)
{
	_cleanup_free_ char *top = xasprintf("%s-mem", base), *path = xasprintf("%s/a/b", top);
	struct spec_resources r;
	struct kerr *e = NULL;
	struct cgroup *cg = NULL;
	int ret;

	memset(&r, 0, sizeof(r));
	r.memory.has_limit = true;
	r.memory.limit = 10 << 20;
	ret = cgroup_create(path, &r, &cg, &e);
	OKE(ret < 0 && e && strstr(e->msg, "controller `memory` is not available for "
				  "linux.resources.memory.limit"),
	   "memory limit without the controller: error names controller and resource");
	kerr_free(&e);
	ok(!exists(top), "failed create leaves no directory behind", top);

	/* A controller that is not asked for never matters. */
	memset(&r, 0, sizeof(r));
	r.pids.has_limit = false;
	ret = cgroup_create(path, &r, &cg, &e);
	OKE(ret == 0, "create with no controller needed");
	if (cg) {
		cgroup_destroy(cg, true, &e);
		cgroup_close(cg);
	}
	{
		_cleanup_free_ char *mid = xasprintf("%s/a", top);

		unlinkat(cgroup_root_fd(NULL), mid, AT_REMOVEDIR);
		unlinkat(cgroup_root_fd(NULL), top, AT_REMOVEDIR);
		ok(!exists(path) && !exists(top), "destroy removed it; parents cleaned", top);
	}
}

static void test_bad_paths(void)
{
	struct kerr *e = NULL;
	struct cgroup *cg = NULL;

	OKE(cgroup_create("/", NULL, &cg, &e) < 0 && !cg, "create refuses the root");
	OKE(cgroup_create("a/../b", NULL, &cg, &e) < 0 && !cg, "create refuses `..`");
	OKE(cgroup_create(NULL, NULL, &cg, &e) < 0 && !cg, "create refuses no path");
}

static void test_unified_and_files(void)
{
	_cleanup_free_ char *path = xasprintf("%s/u", base);
	struct spec_kv kv[1] = { { "cgroup.max.depth", "5" } };
	struct spec_resources r;
	struct kerr *e = NULL;
	struct cgroup *cg = NULL, *cg2 = NULL;
	char buf[64];
	char *stats;

	memset(&r, 0, sizeof(r));
	r.unified = kv;
	r.n_unified = 1;
	OKE(cgroup_create(path, &r, &cg, &e) == 0, "create with unified cgroup.max.depth");
	if (!cg)
		return;
	ok(cgroup_read(cg, "cgroup.max.depth", buf, sizeof(buf), &e) > 0 && !strcmp(buf, "5\n"),
	   "unified value read back", buf);
	/* A core ("cgroup.") key needs no controller: only the file is missing. */
	kv[0].key = "cgroup.nosuchfile";
	kv[0].value = "1";
	OKE(cgroup_apply(cg, &r, true, &e) < 0 && e && strstr(e->msg, "cgroup.nosuchfile") &&
	   strstr(e->msg, "no such file"), "unified key missing in the cgroup: error");
	kerr_free(&e);
	kv[0].key = "../cgroup.procs";
	OKE(cgroup_apply(cg, &r, true, &e) < 0 && e && strstr(e->msg, "invalid key"),
	   "unified key with a path refused");
	kerr_free(&e);
	OKE(cgroup_write(cg, "cgroup.max.descendants", "7", &e) == 0 &&
	   cgroup_read(cg, "cgroup.max.descendants", buf, sizeof(buf), &e) > 0 &&
	   !strcmp(buf, "7\n"), "cgroup_write/cgroup_read");
	OKE(cgroup_write(cg, "cgroup.max.depth", "bogus", &e) < 0 && e &&
	   strstr(e->msg, "cgroup: write cgroup.max.depth=bogus"),
	   "write error names file and value");
	kerr_free(&e);
	stats = cgroup_stats_json(cg, &e);
	ok(stats && !strncmp(stats, "{\"cpu\":{\"usage\":{", 17) &&
	   strstr(stats, "\"kernel\":") && !strstr(stats, "\"memory\""),
	   "stats: cpu present, memory omitted (no controller)", stats);
	{
		char ebuf[256] = "";
		yajl_val v = stats ? yajl_tree_parse(stats, ebuf, sizeof(ebuf)) : NULL;

		ok(v && YAJL_IS_OBJECT(v), "stats are valid JSON", ebuf);
		yajl_tree_free(v);
	}
	printf("# %s\n", stats ? stats : "(null)");
	free(stats);
	{
		uint64_t k = 99;

		OKE(cgroup_oom_kills(cg, &k, &e) == 0 && k == 0, "oom kills without memory: 0");
	}
	OKE(cgroup_open(path, &cg2, &e) == 0 && !strcmp(cgroup_get_path(cg2), path),
	   "open an existing cgroup");
	cgroup_close(cg2);
	OKE(cgroup_destroy(cg, false, &e) == 0 && !exists(path), "destroy empty cgroup");
	cgroup_close(cg);
}

/* Child: wait for the go byte, open /dev/null, exit 0 or errno. */
static pid_t opener(int *go)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		exit(1);
	pid = fork();
	if (pid == 0) {
		char c;
		int fd;

		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(100);
		fd = open("/dev/null", O_RDWR);
		_exit(fd < 0 ? errno : 0);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static int run_opener(struct cgroup *cg)
{
	int go, st;
	pid_t pid = opener(&go);
	struct kerr *e = NULL;

	if (cgroup_enter(cg, pid, &e) < 0) {
		kerr_free(&e);
		kill(pid, SIGKILL);
	}
	if (write(go, "x", 1) != 1)
		return -1;
	close(go);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int count_attached(struct cgroup *cg)
{
	union bpf_attr attr;
	uint32_t ids[8];

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = cgroup_dirfd(cg);
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uintptr_t)ids;
	attr.query.prog_cnt = 8;
	if (syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof(attr)) < 0)
		return -1;
	return (int)attr.query.prog_cnt;
}

static void test_devices(void)
{
	_cleanup_free_ char *path = xasprintf("%s/d", base);
	struct spec_device_rule deny_null[2] = {
		{ .allow = true, .type = "a" },
		{ .allow = false, .type = "c", .has_major = true, .major = 1, .has_minor = true,
		  .minor = 3, .access = "rwm" },
	};
	struct spec_device_rule kmsg_deny = { .allow = false, .access = "rwm" };
	struct spec_resources r;
	struct kerr *e = NULL;
	struct cgroup *cg = NULL;
	int rc;

	if (cgroup_create(path, NULL, &cg, &e) < 0) {
		OKE(false, "create for devices");
		kerr_free(&e);
		return;
	}
	ok(count_attached(cg) == 1, "create without resources installs the device filter", NULL);
	rc = run_opener(cg);
	ok(rc == 0, "default device filter allows /dev/null", strerror(rc));
	OKE(cgroup_devices_apply(cg, deny_null, 2, &e) == 0, "attach a devices program");
	rc = run_opener(cg);
	ok(rc == EPERM, "open /dev/null denied in the cgroup", strerror(rc));
	OKE(cgroup_devices_apply(cg, deny_null, 1, &e) == 0 && count_attached(cg) == 1,
	   "update: new program attached, old detached");
	rc = run_opener(cg);
	ok(rc == 0, "open /dev/null allowed after update", strerror(rc));
	/* Through cgroup_apply: a deny-all config still gets /dev/null. */
	memset(&r, 0, sizeof(r));
	r.devices = &kmsg_deny;
	r.n_devices = 1;
	OKE(cgroup_apply(cg, &r, true, &e) == 0 && count_attached(cg) == 1,
	   "apply deny-all (+ defaults)");
	rc = run_opener(cg);
	ok(rc == 0, "deny-all config: /dev/null still allowed (default devices)", strerror(rc));
	cgroup_destroy(cg, true, &e);
	cgroup_close(cg);
	kerr_free(&e);
}

int main(void)
{
	struct kerr *e = NULL;

	if (cgroup_root_fd(&e) < 0) {
		printf("1..1\nnot ok 1 - find the cgroup v2 root # %s\n", emsg(e));
		return 1;
	}
	snprintf(base, sizeof(base), "keel-test-%d", (int)getpid());
	test_lifecycle();
	test_missing_controller();
	test_bad_paths();
	test_unified_and_files();
	test_devices();
	unlinkat(cgroup_root_fd(NULL), base, AT_REMOVEDIR);
	ok(!exists(base), "nothing left of keel-test-<pid>", base);
	return tap_done();
}
