/* Unit tests for the state store (runtime/state.c). TAP output. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/state.h"
#include "runtime/util.h"
#include "tap.h"

static void put_file(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
		printf("# create %s: %s\n", name, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static char *errtext(struct kerr **err)
{
	char *t = kerr_text(*err);

	kerr_free(err);
	return t;
}

static int expect_err(int r, struct kerr **err, const char *want, const char *name)
{
	_cleanup_free_ char *t = r < 0 ? errtext(err) : NULL;
	int good = r < 0 && t && strstr(t, want);

	ok(good, name, t ? t : "no error");
	return good;
}

static void test_ids(void)
{
	const char *good[] = { "a", "abc-DEF_1.2+3", "..a", "a..", NULL };
	const char *bad[] = { "", ".", "..", "a/b", "a b", "../x", "é", "a\nb", NULL };
	char long_id[1100];
	struct kerr *err = NULL;
	int all = 1;

	for (int i = 0; good[i]; i++)
		if (state_check_id(good[i], &err) < 0) {
			all = 0;
			kerr_free(&err);
		}
	ok(all, "valid ids accepted", NULL);
	all = 1;
	for (int i = 0; bad[i]; i++) {
		if (state_check_id(bad[i], &err) == 0)
			all = 0;
		kerr_free(&err);
	}
	ok(all, "invalid ids refused", NULL);
	memset(long_id, 'x', 1025);
	long_id[1025] = '\0';
	ok(state_check_id(long_id, &err) < 0, "id over 1024 bytes refused", NULL);
	kerr_free(&err);
	long_id[1024] = '\0';
	ok(state_check_id(long_id, &err) == 0, "id of 1024 bytes accepted", NULL);
	kerr_free(&err);
}

static struct kstate *sample(void)
{
	struct kstate *st = xzalloc(sizeof(*st));

	st->oci_version = xstrdup("1.1.0");
	st->id = xstrdup("c1");
	st->pid = 4242;
	st->pid_start = 123456789012ULL;
	st->bundle = xstrdup("/b/u n\"dle");
	st->rootfs = xstrdup("/b/rootfs");
	st->created = xstrdup("2026-11-21T01:03:10.123456789Z");
	st->owner = xstrdup("root");
	st->annotation_keys = xzalloc(3 * sizeof(char *));
	st->annotation_values = xzalloc(3 * sizeof(char *));
	st->annotation_keys[0] = xstrdup("org.a");
	st->annotation_values[0] = xstrdup("1");
	st->annotation_keys[1] = xstrdup("org.b");
	st->annotation_values[1] = xstrdup("two\nlines");
	st->cgroup_path = xstrdup("keel/c1");
	st->cgroup_manager = xstrdup("cgroupfs");
	st->systemd_cgroup = false;
	st->terminal = true;
	st->detached = true;
	return st;
}

static int no_hidden_files(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY);
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int clean = 1;

	while ((de = readdir(d)))
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			clean = 0;
	closedir(d);
	return clean;
}

static void test_round_trip(int rootfd)
{
	struct kerr *err = NULL;
	struct kstate *st = sample(), *back = NULL;
	int dirfd = -1, r;

	r = state_create_dir(rootfd, "c1", &dirfd, &err);
	ok(r == 0, "create dir", err ? err->msg : NULL);
	kerr_free(&err);
	r = state_write(dirfd, st, &err);
	ok(r == 0, "write state", err ? err->msg : NULL);
	kerr_free(&err);
	/* Rewrite: still atomic, no temporary left behind. */
	st->pid = 4243;
	r = state_write(dirfd, st, &err);
	kerr_free(&err);
	ok(r == 0 && no_hidden_files(dirfd), "rewrite leaves no temporary file", NULL);
	r = state_read(dirfd, &back, &err);
	ok(r == 0, "read state", err ? err->msg : NULL);
	kerr_free(&err);
	if (r == 0) {
		ok(!strcmp(back->id, "c1") && back->pid == 4243 &&
		   back->pid_start == 123456789012ULL && !strcmp(back->bundle, st->bundle) &&
		   !strcmp(back->rootfs, st->rootfs) && !strcmp(back->created, st->created) &&
		   !strcmp(back->owner, "root") && !strcmp(back->oci_version, "1.1.0"),
		   "scalar fields survive", NULL);
		ok(!strcmp(back->cgroup_path, "keel/c1") && !strcmp(back->cgroup_manager, "cgroupfs") &&
		   back->terminal && back->detached && !back->systemd_cgroup,
		   "runtime fields survive", NULL);
		ok(strv_len(back->annotation_keys) == 2 &&
		   !strcmp(back->annotation_keys[1], "org.b") &&
		   !strcmp(back->annotation_values[1], "two\nlines"), "annotations survive", NULL);
	}
	state_free(back);
	state_free(st);
	close(dirfd);
}

static void test_duplicate(int rootfd)
{
	struct kerr *err = NULL;
	_cleanup_free_ char *buf = NULL;
	int dirfd = -1, r;

	r = state_create_dir(rootfd, "c1", &dirfd, &err);
	expect_err(r, &err, "container `c1` already exists", "duplicate id refused");
	ok(dirfd == -1, "no fd handed out for a duplicate", NULL);
	r = state_open_dir(rootfd, "c1", false, &dirfd, &err);
	ok(r == 0 && read_file_at(dirfd, "state.json", &buf, NULL, &err) == 0 &&
	   strstr(buf, "4243"), "existing state untouched by the duplicate", NULL);
	kerr_free(&err);
	if (dirfd >= 0)
		close(dirfd);
}

static void test_missing_and_corrupt(int rootfd)
{
	struct kerr *err = NULL;
	struct kstate *st = NULL;
	int dirfd = -1, r;

	r = state_open_dir(rootfd, "nope", true, &dirfd, &err);
	expect_err(r, &err, "container `nope` does not exist", "missing container named");
	r = state_open_dir(rootfd, "../etc", true, &dirfd, &err);
	expect_err(r, &err, "invalid container id", "path-like id refused by open");
	r = state_create_dir(rootfd, "bad", &dirfd, &err);
	kerr_free(&err);
	r = state_read(dirfd, &st, &err);
	expect_err(r, &err, "state.json", "missing state.json refused");
	put_file(dirfd, "state.json", "{\"id\": ");
	r = state_read(dirfd, &st, &err);
	expect_err(r, &err, "state.json: invalid JSON", "corrupt state.json refused");
	close(dirfd);
}

static void test_lock(int rootfd)
{
	struct kerr *err = NULL;
	int dirfd = -1, status = 0;
	pid_t pid;

	if (state_open_dir(rootfd, "c1", true, &dirfd, &err) < 0) {
		ok(0, "exclusive lock held", err->msg);
		kerr_free(&err);
		return;
	}
	pid = fork();
	if (pid == 0) {
		int fd = openat(rootfd, "c1", O_RDONLY | O_DIRECTORY);

		_exit(flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exclusive lock excludes readers", NULL);
	close(dirfd);
	pid = fork();
	if (pid == 0) {
		int fd = openat(rootfd, "c1", O_RDONLY | O_DIRECTORY);

		_exit(flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "lock released on close", NULL);
}

static void test_status(int rootfd)
{
	struct kerr *err = NULL;
	struct kstate *st = sample();
	int dirfd = -1, p[2];
	pid_t child;
	char c;

	free(st->cgroup_path);
	st->cgroup_path = xstrdup("");
	if (state_create_dir(rootfd, "s1", &dirfd, &err) < 0) {
		ok(0, "status dir", err->msg);
		kerr_free(&err);
		return;
	}
	st->pid = 0;
	ok(!strcmp(state_status(dirfd, st), "creating"), "no pid yet: creating", NULL);

	if (pipe(p) < 0)
		abort();
	child = fork();
	if (child == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) < 0)	/* live until the parent closes the pipe */
			_exit(1);
		_exit(0);
	}
	close(p[0]);
	st->pid = child;
	st->pid_start = state_proc_start_time(child);
	ok(st->pid_start != 0, "start time read", NULL);
	ok(state_pid_alive(st), "live child is alive", NULL);
	ok(!strcmp(state_status(dirfd, st), "running"), "live child: running", state_status(dirfd, st));
	if (mkfifoat(dirfd, "exec.fifo", 0600) < 0)
		printf("# mkfifo: %s\n", strerror(errno));
	ok(!strcmp(state_status(dirfd, st), "created"), "exec.fifo present: created", NULL);
	unlinkat(dirfd, "exec.fifo", 0);

	st->pid_start++;
	ok(!state_pid_alive(st) && !strcmp(state_status(dirfd, st), "stopped"),
	   "reused pid (other start time): stopped", NULL);
	st->pid_start--;

	{
		_cleanup_free_ char *json = state_to_oci_json(st, "running");
		_cleanup_free_ char *want = xasprintf("\"pid\": %d", (int)child);

		ok(strstr(json, want) && strstr(json, "\"status\": \"running\"") &&
		   strstr(json, "\"annotations\"") && strstr(json, "\"ociVersion\": \"1.1.0\"") &&
		   !strstr(json, "cgroupPath") && !strstr(json, "pidStart"),
		   "OCI state JSON of a running container", json);
	}

	close(p[1]);	/* the child exits; not reaped yet: a zombie */
	usleep(100000);
	ok(!strcmp(state_status(dirfd, st), "stopped"), "zombie init: stopped", NULL);
	waitpid(child, NULL, 0);
	ok(!state_pid_alive(st) && !strcmp(state_status(dirfd, st), "stopped"),
	   "dead init: stopped", NULL);
	{
		_cleanup_free_ char *json = state_to_oci_json(st, "stopped");

		ok(strstr(json, "\"pid\": 0") != NULL, "stopped: pid 0 like runc", json);
	}
	strv_free(st->annotation_keys);
	strv_free(st->annotation_values);
	st->annotation_keys = st->annotation_values = NULL;
	{
		_cleanup_free_ char *json = state_to_oci_json(st, "stopped");

		ok(!strstr(json, "annotations"), "no annotations: key omitted", json);
	}
	state_free(st);
	close(dirfd);
}

static void test_list_and_remove(int rootfd)
{
	struct kerr *err = NULL;
	_cleanup_strv_ char **ids = NULL;
	int dirfd = -1, sub;

	put_file(rootfd, "stray-file", "x");
	mkdirat(rootfd, ".hidden", 0700);
	kerr_free(&err);
	ok(state_list(rootfd, &ids, &err) == 0 && strv_len(ids) == 3 && !strcmp(ids[0], "bad") &&
	   !strcmp(ids[1], "c1") && !strcmp(ids[2], "s1"), "list: sorted container dirs only",
	   NULL);
	kerr_free(&err);

	state_open_dir(rootfd, "c1", true, &dirfd, &err);
	mkdirat(dirfd, "sub", 0700);
	sub = openat(dirfd, "sub", O_RDONLY | O_DIRECTORY);
	put_file(sub, "f", "x");
	if (symlinkat("/etc/passwd", sub, "link") < 0)
		printf("# symlinkat: %s\n", strerror(errno));
	close(sub);
	kerr_free(&err);
	ok(state_remove_dir(rootfd, "c1", &err) == 0 &&
	   faccessat(rootfd, "c1", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && access("/etc/passwd", F_OK) == 0,
	   "remove dir recursively (symlink targets untouched)", err ? err->msg : NULL);
	kerr_free(&err);
	close(dirfd);
	ok(state_remove_dir(rootfd, "c1", &err) == 0, "removing a missing dir succeeds", NULL);
	kerr_free(&err);
	ok(state_remove_dir(rootfd, "..", &err) < 0, "remove refuses a bad id", NULL);
	kerr_free(&err);
}

/* The hand-made UTC date of rfc3339_now against glibc's gmtime_r, over
 * 1900..2400 (leap centuries, the epoch, negative days) and today. */
static void test_civil_dates(void)
{
	long long bad = 0, first_bad = 0;
	_cleanup_free_ char *now = rfc3339_now();
	struct tm tm;
	time_t t = time(NULL);
	char want[32];

	for (long long d = -25567; d <= 156000; d++) {
		time_t s = (time_t)(d * 86400 + 43210);
		int y, m, day;

		gmtime_r(&s, &tm);
		civil_from_days(d, &y, &m, &day);
		if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 || day != tm.tm_mday) {
			if (!bad++)
				first_bad = d;
		}
	}
	okf(bad == 0, "civil_from_days matches gmtime_r for 1900-2400 (%lld wrong, first day %lld)",
	    bad, first_bad);
	gmtime_r(&t, &tm);
	strftime(want, sizeof(want), "%Y-%m-%dT", &tm);
	ok(strncmp(now, want, strlen(want)) == 0 && strlen(now) == 30 && now[29] == 'Z',
	   "rfc3339_now: today's UTC date, nanoseconds, Z", now);
}

int main(void)
{
	char tmpl[] = "/tmp/keel-test-state.XXXXXX";
	_cleanup_free_ char *root = NULL;
	struct kerr *err = NULL;
	int rootfd = -1;

	tap_plan(39);
	if (!mkdtemp(tmpl))
		abort();
	root = xasprintf("%s/a/b/root", tmpl);
	test_ids();
	test_civil_dates();
	ok(state_open_root(root, &rootfd, &err) == 0, "open root (mkdir -p)", NULL);
	kerr_free(&err);
	{
		struct stat sb;

		ok(stat(root, &sb) == 0 && (sb.st_mode & 0777) == 0700, "root is 0700", NULL);
	}
	test_round_trip(rootfd);
	test_duplicate(rootfd);
	test_missing_and_corrupt(rootfd);
	test_lock(rootfd);
	test_status(rootfd);
	test_list_and_remove(rootfd);
	close(rootfd);
	{
		_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpl);

		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpl);
	}
	return tap_done();
}
