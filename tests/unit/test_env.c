/* process_build_env and process_exec (PATH search in the env given, errors). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/process.h"
#include "runtime/util.h"
#include "tap.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static char dir[] = "/tmp/keel-test-env-XXXXXX";

static bool strv_eq(char **v, const char **want)
{
	size_t i;

	for (i = 0; want[i]; i++)
		if (!v[i] || strcmp(v[i], want[i])) {
			fprintf(stderr, "# env[%zu] = %s, want %s\n", i, v[i] ? v[i] : "(end)", want[i]);
			return false;
		}
	return v[i] == NULL;
}

static int t_build(void)
{
	char *env[] = { "A=1", "PATH=/x", "C=", NULL };
	char *extra[] = { "A=2", "B=3", "C=4", NULL };
	const char *want1[] = { "A=2", "PATH=/x", "C=4", "B=3", "HOME=/home/u", NULL };
	char *env2[] = { "HOME=/root2", NULL };
	const char *want2[] = { "HOME=/root2", DEFAULT_PATH, NULL };
	const char *want3[] = { DEFAULT_PATH, "HOME=/", NULL };
	char **v;

	v = process_build_env(env, extra, "/home/u");
	CHECK(strv_eq(v, want1));
	strv_free(v);
	v = process_build_env(env2, NULL, "/ignored");
	CHECK(strv_eq(v, want2));
	strv_free(v);
	v = process_build_env(NULL, NULL, NULL);
	CHECK(strv_eq(v, want3));
	strv_free(v);
	return 0;
}

static void put(const char *name, const char *text, mode_t mode)
{
	char *p = xasprintf("%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
		abort();
	close(fd);
	chmod(p, mode);
	free(p);
}

/* Run process_exec in a grandchild: its exit code, or 100 + errnum when
 * process_exec returned (with the message checked against `msg`). */
static int exec_status(char **args, char **env, const char *msg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct kerr *err = NULL;

		process_exec(args, env, &err);
		if (!err)
			_exit(99);
		if (msg && strcmp(err->msg, msg)) {
			fprintf(stderr, "# message `%s`, want `%s`\n", err->msg, msg);
			_exit(98);
		}
		_exit(100 + err->errnum);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int t_exec(void)
{
	char *path = xasprintf("PATH=/nonexistent:%s/a:%s/b", dir, dir);
	char *env[] = { path, NULL };
	char *noexec_env[] = { xasprintf("PATH=%s/a", dir), NULL };
	char *prog[] = { "keel-test-prog", "x", NULL };
	char *missing[] = { "keel-no-such-prog", NULL };
	char *noperm[] = { "keel-test-noperm", NULL };
	char *garbage[] = { "keel-test-garbage", NULL };
	char *abs_missing[] = { "/nonexistent/prog", NULL };
	char *empty[] = { NULL };

	/* found only through the env's PATH (b/), a/ holding a non-executable one */
	CHECK(exec_status(prog, env, NULL) == 7);
	CHECK(exec_status(missing, env, "exec `keel-no-such-prog`") == 100 + ENOENT);
	CHECK(exec_status(noperm, noexec_env, "exec `keel-test-noperm`") == 100 + EACCES);
	CHECK(exec_status(garbage, noexec_env, "exec `keel-test-garbage`") == 100 + ENOEXEC);
	CHECK(exec_status(abs_missing, env, "exec `/nonexistent/prog`") == 100 + ENOENT);
	CHECK(exec_status(empty, env, NULL) == 100 + EINVAL);
	/* the args reach the program */
	char *script = xasprintf("%s/b/keel-test-prog", dir);
	char *direct[] = { script, "y", NULL };
	CHECK(exec_status(direct, env, NULL) == 8);
	return 0;
}

/* rlimits, scheduler, I/O priority and personality live in rlimits.c; they
 * are tested here, each applied in a child and read back. */
static int t_rlimits(void)
{
	struct spec_rlimit rl[] = {
		{ .type = "RLIMIT_NOFILE", .resource = RLIMIT_NOFILE, .soft = 100, .hard = 200 },
		{ .type = "RLIMIT_CORE", .resource = RLIMIT_CORE, .soft = UINT64_MAX, .hard = UINT64_MAX },
	};
	struct spec_process p = { .rlimits = rl, .n_rlimits = 2 };
	struct kerr *err = NULL;
	struct rlimit got;

	CHECK(process_set_rlimits(&p, &err) == 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &got) == 0 && got.rlim_cur == 100 && got.rlim_max == 200);
	CHECK(getrlimit(RLIMIT_CORE, &got) == 0 && got.rlim_cur == RLIM_INFINITY);
	rl[0].soft = 300;	/* soft > hard */
	p.n_rlimits = 1;
	CHECK(process_set_rlimits(&p, &err) < 0);
	CHECK(err && strstr(err->msg, "RLIMIT_NOFILE") && err->errnum == EINVAL);
	kerr_free(&err);
	return 0;
}

struct sched_attr_rd {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};

static int t_scheduler(void)
{
	struct spec_scheduler sc = { .policy = "SCHED_BATCH", .has_nice = true, .nice = 5 };
	struct spec_io_priority io = { .class = "IOPRIO_CLASS_BE", .priority = 6 };
	struct spec_process p = { .scheduler = &sc, .io_priority = &io };
	struct sched_attr_rd a = { 0 };
	struct kerr *err = NULL;

	CHECK(process_set_scheduler(&p, &err) == 0);
	CHECK(syscall(SYS_sched_getattr, 0, &a, sizeof(a), 0) == 0);
	CHECK(a.policy == SCHED_BATCH && a.nice == 5);
	CHECK(process_set_io_priority(&p, &err) == 0);
	CHECK(syscall(SYS_ioprio_get, 1, 0) == (2 << 13 | 6));

	sc.policy = "SCHED_FIFO";
	sc.has_nice = false;
	sc.has_priority = true;
	sc.priority = 10;
	CHECK(process_set_scheduler(&p, &err) == 0);
	CHECK(sched_getscheduler(0) == SCHED_FIFO);

	sc.policy = "SCHED_SOMETIMES";
	CHECK(process_set_scheduler(&p, &err) < 0 && strstr(err->msg, "SCHED_SOMETIMES"));
	kerr_free(&err);
	io.class = "IOPRIO_CLASS_XX";
	CHECK(process_set_io_priority(&p, &err) < 0 && strstr(err->msg, "IOPRIO_CLASS_XX"));
	kerr_free(&err);
	return 0;
}

static int t_personality(void)
{
	struct spec_linux l = { .has_personality = true, .personality_domain = "LINUX32" };
	struct kerr *err = NULL;

	CHECK(process_set_personality(&l, &err) == 0);
	CHECK((personality(0xffffffff) & PER_MASK) == PER_LINUX32);
	l.personality_domain = "LINUX";
	CHECK(process_set_personality(&l, &err) == 0);
	CHECK((personality(0xffffffff) & PER_MASK) == PER_LINUX);
	l.personality_domain = "SOLARIS";
	CHECK(process_set_personality(&l, &err) < 0 && strstr(err->msg, "SOLARIS"));
	kerr_free(&err);
	return 0;
}

int main(void)
{
	char *cmd;

	if (!mkdtemp(dir))
		return 1;
	cmd = xasprintf("mkdir -p %s/a %s/b", dir, dir);
	if (system(cmd) != 0)
		return 1;
	free(cmd);
	put("a/keel-test-prog", "#!/bin/sh\nexit 3\n", 0644);
	put("b/keel-test-prog", "#!/bin/sh\n[ \"$1\" = x ] && exit 7\nexit 8\n", 0755);
	put("a/keel-test-noperm", "#!/bin/sh\nexit 0\n", 0644);
	put("a/keel-test-garbage", "\x01\x02garbage\n", 0755);

	tap_plan(5);
	run("build_env: -e overrides, PATH and HOME defaults", t_build);
	run("exec: PATH search in the given env, errors name the program", t_exec);
	run("rlimits set; error names the rlimit", t_rlimits);
	run("scheduler (sched_setattr) and I/O priority read back", t_scheduler);
	run("personality LINUX32/LINUX", t_personality);

	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_failures++;
	free(cmd);
	return tap_done();
}
