/* seccomp_compile / seccomp_prog_load: filters loaded in children with
 * no_new_privs, checked by the syscalls' results and by how children die. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/process.h"
#include "runtime/util.h"
#include "tap.h"

static int compile_and_load(const struct spec_seccomp *s)
{
	struct seccomp_prog *prog = NULL;
	struct kerr *err = NULL;

	if (seccomp_compile(s, &prog, &err) < 0 || !prog) {
		fprintf(stderr, "# compile: %s\n", err ? err->msg : "no program");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_prog_load(prog, &err) < 0) {
		fprintf(stderr, "# load: %s (%s)\n", err ? err->msg : "prctl", strerror(err ? err->errnum : errno));
		return -1;
	}
	seccomp_prog_free(prog);
	return 0;
}

static char *mkdir_names[] = { "mkdir", "mkdirat", "no_such_syscall_xyz", NULL };
static char *kill_names[] = { "kill", NULL };
static char *pipe2_names[] = { "pipe2", NULL };
static char *x86_arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };

static int t_errno_and_args(void)
{
	struct spec_seccomp_arg kill0[] = {
		{ .index = 1, .value = 0, .op = "SCMP_CMP_EQ" },
	};
	struct spec_seccomp_arg kill_usr[] = {
		{ .index = 1, .value = SIGUSR1, .op = "SCMP_CMP_EQ" },
		{ .index = 1, .value = SIGUSR2, .op = "SCMP_CMP_EQ" },
	};
	struct spec_seccomp_arg nonblock[] = {
		{ .index = 1, .value = O_NONBLOCK, .value_two = O_NONBLOCK, .op = "SCMP_CMP_MASKED_EQ" },
	};
	struct spec_seccomp_syscall sc[] = {
		{ .names = mkdir_names, .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = 42 },
		{ .names = kill_names, .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = 43,
		  .args = kill0, .n_args = 1 },
		{ .names = kill_names, .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = 45,
		  .args = kill_usr, .n_args = 2 },
		{ .names = pipe2_names, .action = "SCMP_ACT_ERRNO", .args = nonblock, .n_args = 1 },
	};
	struct spec_seccomp s = {
		.default_action = "SCMP_ACT_ALLOW", .architectures = x86_arches,
		.syscalls = sc, .n_syscalls = 4,
	};
	int p[2];

	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGURG, SIG_IGN);
	CHECK(compile_and_load(&s) == 0);
	errno = 0;
	CHECK(syscall(SYS_mkdir, "/tmp/keel-seccomp-never", 0700) < 0 && errno == 42);
	CHECK(mkdirat(AT_FDCWD, "/tmp/keel-seccomp-never", 0700) < 0 && errno == 42);
	CHECK(kill(getpid(), 0) < 0 && errno == 43);
	CHECK(kill(getpid(), SIGUSR1) < 0 && errno == 45);
	CHECK(kill(getpid(), SIGUSR2) < 0 && errno == 45);
	CHECK(kill(getpid(), SIGURG) == 0);
	CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0 && errno == EPERM);	/* default errnoRet */
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	return 0;
}

static char *getppid_names[] = { "getppid", NULL };

static int kill_with(const char *action)
{
	struct spec_seccomp_syscall sc[] = { { .names = getppid_names, .action = (char *)action } };
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sc, .n_syscalls = 1 };

	CHECK(compile_and_load(&s) == 0);
	syscall(SYS_getppid);
	return 0;	/* not reached when the action kills */
}

static int t_kill(void) { return kill_with("SCMP_ACT_KILL"); }
static int t_kill_process(void) { return kill_with("SCMP_ACT_KILL_PROCESS"); }
static int t_trap(void) { return kill_with("SCMP_ACT_TRAP"); }
static int t_log(void) { return kill_with("SCMP_ACT_LOG"); }

static char *allow_names[] = { "exit_group", "exit", "write", "rt_sigreturn", NULL };

static int t_default_errno(void)
{
	struct spec_seccomp_syscall sc[] = { { .names = allow_names, .action = "SCMP_ACT_ALLOW" } };
	struct spec_seccomp s = {
		.default_action = "SCMP_ACT_ERRNO", .has_default_errno_ret = true,
		.default_errno_ret = ENOSYS, .syscalls = sc, .n_syscalls = 1,
	};
	long r;

	CHECK(compile_and_load(&s) == 0);
	r = syscall(SYS_getuid);
	/* no stdio from here: exit codes tell */
	if (r != -1 || errno != ENOSYS)
		syscall(SYS_exit_group, 7);
	syscall(SYS_exit_group, 0);
	return 1;
}

static char *flags_ok[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
			    "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL };

static int t_flags(void)
{
	struct spec_seccomp_syscall sc[] = {
		{ .names = mkdir_names, .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = 42 },
	};
	struct spec_seccomp s = {
		.default_action = "SCMP_ACT_ALLOW", .flags = flags_ok, .syscalls = sc, .n_syscalls = 1,
	};

	CHECK(compile_and_load(&s) == 0);
	CHECK(mkdirat(AT_FDCWD, "/tmp/keel-seccomp-never", 0700) < 0 && errno == 42);
	return 0;
}

static int t_notify(void)
{
	struct spec_seccomp_syscall sc[] = { { .names = getppid_names, .action = "SCMP_ACT_NOTIFY" } };
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = sc, .n_syscalls = 1 };
	struct seccomp_prog *prog = NULL;
	struct kerr *err = NULL;
	int fd = -1;

	CHECK(seccomp_compile(&s, &prog, &err) == 0);
	CHECK(seccomp_prog_needs_listener(prog));
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	CHECK(seccomp_load_listener(prog, &fd, &err) == 0);
	CHECK(fd >= 0 && fcntl(fd, F_GETFD) >= 0);
	seccomp_prog_free(prog);
	return 0;
}

/* Compile errors name the offending value. */
static int compile_error(struct spec_seccomp *s, const char *needle)
{
	struct seccomp_prog *prog = NULL;
	struct kerr *err = NULL;
	int ok;

	if (seccomp_compile(s, &prog, &err) == 0) {
		seccomp_prog_free(prog);
		fprintf(stderr, "# compiled, expected an error with `%s`\n", needle);
		return 1;
	}
	ok = err && strstr(err->msg, needle) && !prog;
	if (!ok)
		fprintf(stderr, "# error `%s` lacks `%s`\n", err ? err->msg : "", needle);
	kerr_free(&err);
	return ok ? 0 : 1;
}

static int t_errors(void)
{
	char *bad_arch[] = { "SCMP_ARCH_PDP11", NULL };
	char *bad_flag[] = { "SECCOMP_FILTER_FLAG_BOGUS", NULL };
	struct spec_seccomp_arg bad_op[] = { { .index = 0, .op = "SCMP_CMP_ABOUT" } };
	struct spec_seccomp_syscall bad_act[] = { { .names = mkdir_names, .action = "SCMP_ACT_MAYBE" } };
	struct spec_seccomp_syscall bad_args[] = {
		{ .names = mkdir_names, .action = "SCMP_ACT_ERRNO", .args = bad_op, .n_args = 1 },
	};
	struct spec_seccomp s;

	s = (struct spec_seccomp){ .default_action = "SCMP_ACT_FROB" };
	CHECK(compile_error(&s, "SCMP_ACT_FROB") == 0);
	s = (struct spec_seccomp){ .default_action = "SCMP_ACT_ALLOW", .architectures = bad_arch };
	CHECK(compile_error(&s, "SCMP_ARCH_PDP11") == 0);
	s = (struct spec_seccomp){ .default_action = "SCMP_ACT_ALLOW", .flags = bad_flag };
	CHECK(compile_error(&s, "SECCOMP_FILTER_FLAG_BOGUS") == 0);
	s = (struct spec_seccomp){ .default_action = "SCMP_ACT_ALLOW", .syscalls = bad_act, .n_syscalls = 1 };
	CHECK(compile_error(&s, "SCMP_ACT_MAYBE") == 0);
	s = (struct spec_seccomp){ .default_action = "SCMP_ACT_ALLOW", .syscalls = bad_args, .n_syscalls = 1 };
	CHECK(compile_error(&s, "SCMP_CMP_ABOUT") == 0);
	s = (struct spec_seccomp){ .default_action = "SCMP_ACT_ALLOW", .has_default_errno_ret = true,
				   .default_errno_ret = 1 };
	CHECK(compile_error(&s, "defaultErrnoRet") == 0);

	struct seccomp_prog *prog = (void *)1;
	struct kerr *err = NULL;
	CHECK(seccomp_compile(NULL, &prog, &err) == 0 && prog == NULL);
	CHECK(seccomp_prog_load(NULL, &err) == 0);
	return 0;
}

static void expect_signal(const char *name, int (*fn)(void), int sig)
{
	int st = in_child(fn);
	char why[64];

	snprintf(why, sizeof(why), "status %#x, expected signal %d", st, sig);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == sig, name, why);
}

int main(void)
{
	tap_plan(9);
	run("ERRNO 42 on mkdir/mkdirat, arg rules EQ (AND/OR) and MASKED_EQ, unknown name skipped",
	    t_errno_and_args);
	expect_signal("SCMP_ACT_KILL kills the child with SIGSYS", t_kill, SIGSYS);
	expect_signal("SCMP_ACT_KILL_PROCESS kills with SIGSYS", t_kill_process, SIGSYS);
	expect_signal("SCMP_ACT_TRAP delivers SIGSYS", t_trap, SIGSYS);
	run("SCMP_ACT_LOG lets the call through", t_log);
	run("defaultAction ERRNO with defaultErrnoRet", t_default_errno);
	run("flags TSYNC, LOG, SPEC_ALLOW load", t_flags);
	run("SCMP_ACT_NOTIFY returns a listener fd", t_notify);
	run("errors name the action, arch, flag, operator", t_errors);
	return tap_done();
}
