/* The cgroup manager with real controllers: runs in the cgroup v2 VM
 * (tests/vm/cgroup-unit.bats). Creates a cgroup with every resource set,
 * reads each file back, updates, checks checkBeforeUpdate, OOM kill counts,
 * the no-internal-processes refusal, stats, and the devices program.
 * On the host (no KEEL_VM=1) it only says where it runs. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroup_internal.h"
#include "runtime/util.h"
#include "tap.h"
#include <yajl/yajl_tree.h>

static char base[64];
static int bmaj = 254, bmin;	/* null_blk's nullb0 */

static bool exists(const char *rel)
{
	struct stat st;

	return fstatat(cgroup_root_fd(NULL), rel, &st, 0) == 0;
}

/* The file's content (first line unless `all`), compared with want. */
static void expect(struct cgroup *cg, const char *file, const char *want)
{
	char buf[512], name[160], why[700];
	struct kerr *e = NULL;

	if (cgroup_read(cg, file, buf, sizeof(buf), &e) < 0) {
		snprintf(buf, sizeof(buf), "(%s)", emsg(e));
		kerr_free(&e);
	}
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(name, sizeof(name), "%s = %s", file, want);
	snprintf(why, sizeof(why), "got `%s`", buf);
	ok(!strcmp(buf, want), name, why);
}

/* A child that waits for a byte on *go, then touches `mb` MiB, writes a
 * byte to *ready and sleeps (or opens /dev/null and exits with errno). */
static pid_t child(int *go, int *ready, int mb, bool open_null)
{
	int p[2], q[2];
	pid_t pid;

	if (pipe(p) < 0 || pipe(q) < 0)
		exit(1);
	pid = fork();
	if (pid == 0) {
		char c;

		close(p[1]);
		close(q[0]);
		if (read(p[0], &c, 1) != 1)
			_exit(100);
		if (open_null) {
			int fd = open("/dev/null", O_RDWR);

			_exit(fd < 0 ? errno : 0);
		}
		if (mb) {
			volatile char *m = malloc((size_t)mb << 20);

			if (!m)
				_exit(101);
			/* volatile: the compiler may not drop the writes */
			for (size_t i = 0; i < ((size_t)mb << 20); i += 4096)
				m[i] = 1;
		}
		if (write(q[1], "r", 1) != 1)
			_exit(102);
		for (;;)
			pause();
	}
	close(p[0]);
	close(q[1]);
	*go = p[1];
	*ready = q[0];
	return pid;
}

/* Start a child in cg; returns its pid after it is ready (or exited). */
static pid_t start_in(struct cgroup *cg, int mb, bool open_null, int *status)
{
	int go, ready;
	pid_t pid = child(&go, &ready, mb, open_null);
	struct kerr *e = NULL;
	char c;

	if (cgroup_enter(cg, pid, &e) < 0) {
		printf("# enter: %s\n", emsg(e));
		kerr_free(&e);
	}
	if (write(go, "g", 1) != 1)
		printf("# go: %s\n", strerror(errno));
	close(go);
	if (read(ready, &c, 1) != 1 && status)
		waitpid(pid, status, 0);
	close(ready);
	return pid;
}

/* Run a shell command inside cg; its exit status (or 128 + signal). */
static int run_in(struct cgroup *cg, const char *cmd)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct kerr *e = NULL;

		if (cgroup_enter(cg, getpid(), &e) < 0)
			_exit(125);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(126);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_full(void)
{
	_cleanup_free_ char *path = xasprintf("%s/full", base);
	struct spec_weight_device wd = { .major = bmaj, .minor = bmin, .has_weight = true,
					 .weight = 200 };
	struct spec_throttle_device rbps = { bmaj, bmin, 1048576 }, wiops = { bmaj, bmin, 100 };
	struct spec_hugepage_limit hp = { "2MB", 4194304 };
	struct spec_kv kv[2] = { { "memory.high", "50331648" }, { "memory.oom.group", "1" } };
	struct spec_device_rule dev[1] = { { .allow = false, .access = "rwm" } };
	struct spec_resources r;
	struct kerr *e = NULL;
	struct cgroup *cg = NULL;
	char want[64], cmd[128], *stats;
	pid_t pid;
	int st;

	memset(&r, 0, sizeof(r));
	r.memory.has_limit = true;
	r.memory.limit = 64 << 20;
	r.memory.has_reservation = true;
	r.memory.reservation = 16 << 20;
	r.memory.has_swap = true;
	r.memory.swap = 96 << 20;
	r.memory.has_swappiness = true;		/* ignored on v2 */
	r.memory.swappiness = 10;
	r.cpu.has_shares = true;
	r.cpu.shares = 2048;
	r.cpu.has_quota = true;
	r.cpu.quota = 50000;
	r.cpu.has_period = true;
	r.cpu.period = 200000;
	r.cpu.has_burst = true;
	r.cpu.burst = 10000;
	r.cpu.has_idle = true;
	r.cpu.idle = 0;
	r.cpu.cpus = "0";
	r.cpu.mems = "0";
	r.pids.has_limit = true;
	r.pids.limit = 100;
	r.block_io.has_weight = true;
	r.block_io.weight = 500;
	r.block_io.weight_device = &wd;
	r.block_io.n_weight_device = 1;
	r.block_io.throttle_read_bps = &rbps;
	r.block_io.n_throttle_read_bps = 1;
	r.block_io.throttle_write_iops = &wiops;
	r.block_io.n_throttle_write_iops = 1;
	r.hugepage_limits = &hp;
	r.n_hugepage_limits = 1;
	r.unified = kv;
	r.n_unified = 2;
	r.devices = dev;
	r.n_devices = 1;

	OKE(cgroup_create(path, &r, &cg, &e) == 0, "create with every resource");
	if (!cg)
		return;
	expect(cg, "memory.max", "67108864");
	expect(cg, "memory.low", "16777216");
	expect(cg, "memory.swap.max", "33554432");
	expect(cg, "cpu.weight", "79");
	expect(cg, "cpu.max", "50000 200000");
	expect(cg, "cpu.max.burst", "10000");
	expect(cg, "cpu.idle", "0");
	expect(cg, "cpuset.cpus", "0");
	expect(cg, "cpuset.mems", "0");
	expect(cg, "pids.max", "100");
	snprintf(want, sizeof(want), "default %lu", (unsigned long)cgroup_blkio_to_io_weight(500));
	expect(cg, "io.weight", want);
	{
		char buf[512];
		struct kerr *e2 = NULL;

		snprintf(want, sizeof(want), "%d:%d %lu", bmaj, bmin,
			 (unsigned long)cgroup_blkio_to_io_weight(200));
		cgroup_read(cg, "io.weight", buf, sizeof(buf), &e2);
		ok(strstr(buf, want) != NULL, "io.weight has the device weight", buf);
		kerr_free(&e2);
	}
	snprintf(want, sizeof(want), "%d:%d rbps=1048576 wbps=max riops=max wiops=100", bmaj,
		 bmin);
	expect(cg, "io.max", want);
	expect(cg, "hugetlb.2MB.max", "4194304");
	expect(cg, "memory.high", "50331648");
	expect(cg, "memory.oom.group", "1");

	/* The process side: limits in force, devices program in force. */
	pid = start_in(cg, 0, true, &st);
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "deny-all devices config: /dev/null still allowed (defaults)", NULL);

	snprintf(cmd, sizeof(cmd), "dd if=/dev/nullb0 of=/dev/null bs=4k count=1 2>/dev/null");
	ok(run_in(cg, cmd) != 0, "deny-all devices config: reading nullb0 denied", cmd);

	/* Update. */
	memset(&r, 0, sizeof(r));
	r.memory.has_limit = true;
	r.memory.limit = 32 << 20;
	r.memory.has_swap = true;
	r.memory.swap = -1;
	r.cpu.has_period = true;
	r.cpu.period = 100000;
	r.cpu.has_idle = true;
	r.cpu.idle = 1;
	r.pids.has_limit = true;
	r.pids.limit = 0;
	OKE(cgroup_apply(cg, &r, true, &e) == 0, "update");
	expect(cg, "memory.max", "33554432");
	expect(cg, "memory.swap.max", "max");
	expect(cg, "cpu.max", "50000 100000");
	expect(cg, "cpu.idle", "1");
	expect(cg, "pids.max", "max");
	memset(&r, 0, sizeof(r));
	r.cpu.has_quota = true;
	r.cpu.quota = -1;
	r.memory.has_limit = true;
	r.memory.limit = -1;
	OKE(cgroup_apply(cg, &r, true, &e) == 0, "update to unlimited");
	/* Leaving idle and setting a weight in one update (idle refuses weights). */
	memset(&r, 0, sizeof(r));
	r.cpu.has_idle = true;
	r.cpu.idle = 0;
	r.cpu.has_shares = true;
	r.cpu.shares = 1024;
	OKE(cgroup_apply(cg, &r, true, &e) == 0, "update: idle 0 and shares together");
	expect(cg, "cpu.idle", "0");
	expect(cg, "cpu.weight", "39");
	expect(cg, "cpu.max", "max 100000");
	expect(cg, "memory.max", "max");

	/* checkBeforeUpdate: a child holding 8 MiB, a 1 MiB limit refused. */
	pid = start_in(cg, 8, false, NULL);
	memset(&r, 0, sizeof(r));
	r.memory.has_limit = true;
	r.memory.limit = 1 << 20;
	r.memory.has_check_before_update = true;
	r.memory.check_before_update = true;
	OKE(cgroup_apply(cg, &r, true, &e) < 0 && e && strstr(e->msg, "memory.current") &&
	   strstr(e->msg, "memory.max=1048576"), "checkBeforeUpdate refuses a limit below usage");
	kerr_free(&e);
	expect(cg, "memory.max", "max");
	r.memory.limit = 256 << 20;
	OKE(cgroup_apply(cg, &r, true, &e) == 0, "checkBeforeUpdate allows a limit above usage");

	r.memory.has_swap = true;
	r.memory.swap = 1 << 20;
	OKE(cgroup_apply(cg, &r, true, &e) < 0 && e && strstr(e->msg, "swap"),
	   "swap below limit refused");
	kerr_free(&e);

	stats = cgroup_stats_json(cg, &e);
	ok(stats && strstr(stats, "\"memory\":{") && strstr(stats, "\"usage\":{\"limit\":268435456,") &&
	   strstr(stats, "\"pids\":{\"current\":1}") && strstr(stats, "\"raw\":{\"anon\":") &&
	   strstr(stats, "\"hugetlb\":{") && strstr(stats, "\"2MB\":{\"failcnt\":0}") &&
	   strstr(stats, "\"cpu\":{\"usage\":{\"total\":"),
	   "stats: cpu, memory (limit, raw), pids, hugetlb", stats);
	{
		char ebuf[256] = "";
		yajl_val v = stats ? yajl_tree_parse(stats, ebuf, sizeof(ebuf)) : NULL;

		ok(v && YAJL_IS_OBJECT(v), "stats are valid JSON", ebuf);
		yajl_tree_free(v);
	}
	printf("# %s\n", stats ? stats : "(null)");
	free(stats);
	reap(pid);

	OKE(cgroup_destroy(cg, true, &e) == 0 && !exists(path), "destroy");
	cgroup_close(cg);
}

/* With bfq loaded, io.bfq.weight takes the blkio weight as is. */
static void test_bfq(void)
{
	_cleanup_free_ char *path = xasprintf("%s/bfq", base);
	struct spec_weight_device wd = { .major = bmaj, .minor = bmin, .has_weight = true,
					 .weight = 200 };
	struct spec_resources r;
	struct kerr *e = NULL;
	struct cgroup *cg = NULL;
	struct spec_device_rule allow_blk = { .allow = true, .type = "b", .has_major = true,
					      .major = bmaj, .has_minor = true, .minor = bmin,
					      .access = "r" };
	char cmd[128], buf[512], want[128], *stats;

	snprintf(cmd, sizeof(cmd), "modprobe bfq && echo bfq > /sys/dev/block/%d:%d/queue/scheduler",
		 bmaj, bmin);
	ok(system(cmd) == 0, "bfq scheduler on the null_blk device", cmd);
	memset(&r, 0, sizeof(r));
	r.block_io.has_weight = true;
	r.block_io.weight = 500;
	r.block_io.weight_device = &wd;
	r.block_io.n_weight_device = 1;
	r.devices = &allow_blk;
	r.n_devices = 1;
	OKE(cgroup_create(path, &r, &cg, &e) == 0, "create with blockIO weights (bfq)");
	if (!cg)
		return;
	expect(cg, "io.bfq.weight", "default 500");
	snprintf(want, sizeof(want), "%d:%d 200", bmaj, bmin);
	cgroup_read(cg, "io.bfq.weight", buf, sizeof(buf), &e);
	ok(strstr(buf, want) != NULL, "io.bfq.weight has the device weight", buf);
	kerr_free(&e);

	/* The device rule lets dd read nullb0; io.stat shows up in the stats. */
	snprintf(cmd, sizeof(cmd), "dd if=/dev/nullb0 of=/dev/null bs=4k count=16 iflag=direct "
		 "2>/dev/null");
	ok(run_in(cg, cmd) == 0, "allow b MAJ:MIN r: reading nullb0 works", cmd);
	snprintf(cmd, sizeof(cmd), "dd if=/dev/zero of=/dev/nullb0 bs=4k count=1 2>/dev/null");
	ok(run_in(cg, cmd) != 0, "allow b MAJ:MIN r: writing nullb0 denied", cmd);
	stats = cgroup_stats_json(cg, &e);
	snprintf(want, sizeof(want), "{\"major\":%d,\"minor\":%d,\"op\":\"Read\",\"value\":65536}",
		 bmaj, bmin);
	ok(stats && strstr(stats, "\"ioServiceBytesRecursive\":[") && strstr(stats, want),
	   "stats: blkio bytes read", stats);
	free(stats);
	OKE(cgroup_destroy(cg, true, &e) == 0, "destroy");
	cgroup_close(cg);
}

static void test_oom(void)
{
	_cleanup_free_ char *path = xasprintf("%s/oom", base);
	struct spec_resources r;
	struct kerr *e = NULL;
	struct cgroup *cg = NULL;
	uint64_t kills = 0;
	pid_t pid;
	int st = 0;

	memset(&r, 0, sizeof(r));
	r.memory.has_limit = true;
	r.memory.limit = 16 << 20;
	r.memory.has_swap = true;
	r.memory.swap = 16 << 20;
	OKE(cgroup_create(path, &r, &cg, &e) == 0, "create with 16M, no swap");
	if (!cg)
		return;
	OKE(cgroup_oom_kills(cg, &kills, &e) == 0 && kills == 0, "no OOM kills yet");
	pid = start_in(cg, 64, false, &st);
	if (!WIFSIGNALED(st)) {
		char buf[512];

		snprintf(buf, sizeof(buf), "cat /proc/%d/cgroup; cat /sys/fs/cgroup/%s/memory.max "
			 "/sys/fs/cgroup/%s/memory.current /sys/fs/cgroup/%s/memory.events "
			 "| sed 's/^/# /'", pid, path, path, path);
		if (system(buf) != 0)
			printf("# %s failed\n", buf);
		reap(pid);
	}
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "a 64M child is OOM-killed", NULL);
	OKE(cgroup_oom_kills(cg, &kills, &e) == 0 && kills >= 1, "memory.events oom_kill counted");
	OKE(cgroup_destroy(cg, true, &e) == 0, "destroy");
	cgroup_close(cg);
}

static void test_internal_processes(void)
{
	_cleanup_free_ char *busy = xasprintf("%s/busy", base);
	_cleanup_free_ char *inner = xasprintf("%s/busy/c", base);
	struct spec_resources r;
	struct kerr *e = NULL;
	struct cgroup *cg = NULL, *c2 = NULL;
	pid_t pid;

	if (cgroup_create(busy, NULL, &cg, &e) < 0) {
		OKE(false, "create busy");
		kerr_free(&e);
		return;
	}
	pid = start_in(cg, 0, false, NULL);
	memset(&r, 0, sizeof(r));
	r.pids.has_limit = true;
	r.pids.limit = 10;
	OKE(cgroup_create(inner, &r, &c2, &e) < 0 && e && strstr(e->msg, "processes of its own") &&
	   strstr(e->msg, "`pids`"), "no controllers enabled on a cgroup with processes");
	kerr_free(&e);
	ok(!exists(inner), "refused create leaves nothing", inner);
	reap(pid);
	cgroup_destroy(cg, true, &e);
	cgroup_close(cg);
	kerr_free(&e);
}

static void test_devices(void)
{
	_cleanup_free_ char *path = xasprintf("%s/dev", base);
	struct spec_device_rule rules[2] = {
		{ .allow = true, .access = "rwm" },
		{ .allow = false, .type = "c", .has_major = true, .major = 1, .has_minor = true,
		  .minor = 3, .access = "rwm" },
	};
	struct kerr *e = NULL;
	struct cgroup *cg = NULL;
	pid_t pid;
	int st;

	if (cgroup_create(path, NULL, &cg, &e) < 0) {
		OKE(false, "create dev");
		kerr_free(&e);
		return;
	}
	OKE(cgroup_devices_apply(cg, rules, 2, &e) == 0, "devices program: deny c 1:3");
	pid = start_in(cg, 0, true, &st);
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == EPERM, "open /dev/null denied in the cgroup",
	   NULL);
	OKE(cgroup_devices_apply(cg, rules, 1, &e) == 0, "update to allow-all");
	pid = start_in(cg, 0, true, &st);
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "open /dev/null allowed after update", NULL);
	cgroup_destroy(cg, true, &e);
	cgroup_close(cg);
	kerr_free(&e);
}

int main(void)
{
	struct kerr *e = NULL;

	if (!getenv("KEEL_VM")) {
		printf("1..0 # SKIP needs the cgroup v2 VM: tests/vm/check.sh "
		       "tests/vm/cgroup-unit.bats\n");
		return 0;
	}
	if (cgroup_root_fd(&e) < 0) {
		printf("1..1\nnot ok 1 - cgroup v2 root # %s\n", emsg(e));
		return 1;
	}
	/* The null_blk device 254:0 for the io tests. */
	if (system("modprobe null_blk >/dev/null 2>&1") != 0)
		printf("# modprobe null_blk failed\n");
	{
		FILE *f = fopen("/sys/block/nullb0/dev", "r");

		if (!f || fscanf(f, "%d:%d", &bmaj, &bmin) != 2)
			printf("# no /sys/block/nullb0/dev\n");
		if (f)
			fclose(f);
	}
	/* Per-device io.weight needs iocost enabled on the device. */
	{
		char q[64];

		snprintf(q, sizeof(q), "%d:%d enable=1", bmaj, bmin);
		if (write_file_at(cgroup_root_fd(NULL), "io.cost.qos", q, strlen(q), &e) < 0)
			printf("# io.cost.qos: %s\n", emsg(e));
		kerr_free(&e);
	}
	snprintf(base, sizeof(base), "keel-vm-test-%d", (int)getpid());
	test_full();
	test_bfq();
	test_oom();
	test_internal_processes();
	test_devices();
	unlinkat(cgroup_root_fd(NULL), base, AT_REMOVEDIR);
	ok(!exists(base), "nothing left behind", base);
	return tap_done();
}
