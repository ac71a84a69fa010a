/* The seccomp profile of `keel spec --vm` and the ENOSYS stub of
 * seccomp_compile: the profile's content, its compiled program run on crafted
 * seccomp_data by a small classic-BPF interpreter (every architecture of the
 * profile, whatever the host), and real filters installed in forked children. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <seccomp.h>

#include "runtime/process.h"
#include "runtime/util.h"
#include "tap.h"

#define ALLOW SECCOMP_RET_ALLOW
#define EPERM_RET (SECCOMP_RET_ERRNO | EPERM)
#define ENOSYS_RET (SECCOMP_RET_ERRNO | ENOSYS)
#define BAD_INSN 0xbadbadu
#define X32 0x40000000u

/* --- a classic BPF interpreter, for the instructions libseccomp and the
 * stub use; anything else returns BAD_INSN so that the test fails. --- */
static uint32_t bpf_run(const struct sock_filter *f, size_t n, const struct seccomp_data *d)
{
	uint32_t a = 0;
	size_t pc = 0;

	while (pc < n) {
		const struct sock_filter *i = &f[pc++];
		bool jump;

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k > sizeof(*d) - 4 || i->k % 4)
				return BAD_INSN;
			memcpy(&a, (const char *)d + i->k, 4);
			continue;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= i->k;
			continue;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			continue;
		case BPF_RET | BPF_K:
			return i->k;
		case BPF_JMP | BPF_JEQ | BPF_K: jump = a == i->k; break;
		case BPF_JMP | BPF_JGT | BPF_K: jump = a > i->k; break;
		case BPF_JMP | BPF_JGE | BPF_K: jump = a >= i->k; break;
		case BPF_JMP | BPF_JSET | BPF_K: jump = (a & i->k) != 0; break;
		default:
			fprintf(stderr, "# bpf: unknown opcode %#x at %zu\n", i->code, pc - 1);
			return BAD_INSN;
		}
		pc += jump ? i->jt : i->jf;
	}
	return BAD_INSN;	/* fell off the end */
}

static struct spec *vm_spec(void)
{
	struct spec_default_opts o = { .vm = true };
	_cleanup_free_ char *json = spec_default_json_opts(&o);
	struct spec *s = NULL;
	struct kerr *err = NULL;

	if (spec_parse(json, strlen(json), "keel spec --vm", &s, &err) < 0) {
		fprintf(stderr, "# %s\n", err->msg);
		kerr_free(&err);
	}
	return s;
}

static struct seccomp_prog *compile_ok(const struct spec_seccomp *sc)
{
	struct seccomp_prog *prog = NULL;
	struct kerr *err = NULL;

	if (seccomp_compile(sc, &prog, &err) < 0) {
		fprintf(stderr, "# compile: %s\n", err->msg);
		kerr_free(&err);
	}
	return prog;
}

/* The program's answer for (arch, nr, arg0). */
static uint32_t verdict2(const struct seccomp_prog *prog, uint32_t arch, uint32_t nr, uint64_t a0,
			 uint64_t a1)
{
	struct seccomp_data d = { .nr = (int)nr, .arch = arch, .args = { a0, a1 } };
	size_t n;
	const struct sock_filter *f = seccomp_prog_bpf(prog, &n);

	return bpf_run(f, n, &d);
}

static uint32_t verdict(const struct seccomp_prog *prog, uint32_t arch, uint32_t nr, uint64_t a0)
{
	return verdict2(prog, arch, nr, a0, 0);
}

/* --- the profile's content --- */

static bool allowed_plainly(const struct spec_seccomp *sc, const char *name)
{
	for (size_t i = 0; i < sc->n_syscalls; i++)
		for (char **n = sc->syscalls[i].names; *n; n++)
			if (!strcmp(*n, name) && !strcmp(sc->syscalls[i].action, "SCMP_ACT_ALLOW") &&
			    !sc->syscalls[i].n_args)
				return true;
	return false;
}

static bool named(const struct spec_seccomp *sc, const char *name)
{
	for (size_t i = 0; i < sc->n_syscalls; i++)
		for (char **n = sc->syscalls[i].names; *n; n++)
			if (!strcmp(*n, name))
				return true;
	return false;
}

static void test_content(const struct spec_seccomp *sc)
{
	static const char *const refused[] = {
		"mount", "umount2", "pivot_root", "move_mount", "fsopen", "open_tree", "unshare",
		"setns", "kexec_load", "kexec_file_load", "reboot", "init_module", "finit_module",
		"delete_module", "bpf", "perf_event_open", "keyctl", "add_key", "request_key",
		"userfaultfd", "io_uring_setup", "swapon", "swapoff", "clock_settime",
		"settimeofday", "acct", "quotactl", "syslog", "sethostname", "iopl", "ioperm",
		"open_by_handle_at", "name_to_handle_at", "fanotify_init", "kcmp", "pidfd_getfd",
		"mbind", "set_mempolicy", "uselib", "vm86", NULL
	};
	static const char *const allowed[] = {
		"read", "write", "openat", "close", "execve", "mmap", "futex", "rt_sigreturn",
		"exit_group", "wait4", "fork", "getdents64", "statx", "epoll_pwait", "rseq",
		"ptrace", "faccessat2", NULL
	};
	const char *bad = NULL;
	size_t i, unknown = 0;
	uint32_t arches[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32,
			      SCMP_ARCH_AARCH64, SCMP_ARCH_ARM };

	ok(!strcmp(sc->default_action, "SCMP_ACT_ERRNO") && sc->has_default_errno_ret &&
	   sc->default_errno_ret == EPERM, "profile: default action ERRNO(EPERM)", NULL);
#if defined(__x86_64__)
	ok(sc->architectures && !strcmp(sc->architectures[0], "SCMP_ARCH_X86_64") &&
	   !strcmp(sc->architectures[1], "SCMP_ARCH_X86") &&
	   !strcmp(sc->architectures[2], "SCMP_ARCH_X32") && !sc->architectures[3],
	   "profile: architectures x86_64, x86, x32", NULL);
#else
	ok(sc->architectures && sc->architectures[0], "profile: architectures", NULL);
#endif
	for (i = 0; refused[i] && !bad; i++)
		if (named(sc, refused[i]))
			bad = refused[i];
	ok(!bad, "profile: mount, kexec, bpf, keyctl, unshare, setns... not named", bad);
	bad = NULL;
	for (i = 0; allowed[i] && !bad; i++)
		if (!allowed_plainly(sc, allowed[i]))
			bad = allowed[i];
	ok(!bad, "profile: read, openat, execve, fork... allowed", bad);
	bad = NULL;
	/* Every name is a syscall of some architecture (catches typos). */
	for (i = 0; i < sc->n_syscalls; i++)
		for (char **n = sc->syscalls[i].names; *n; n++) {
			bool known = false;

			for (size_t a = 0; a < sizeof(arches) / sizeof(arches[0]); a++)
				known = known || seccomp_syscall_resolve_name_arch(arches[a], *n) >= 0;
			if (!known) {
				unknown++;
				bad = *n;
			}
		}
	ok(!unknown, "profile: every name is known to libseccomp", bad);
}

/* --- the compiled profile, per architecture --- */

struct expect {
	const char *what;
	uint32_t arch, nr;
	uint64_t a0;
	uint32_t ret;
};

static void check_verdicts(const struct seccomp_prog *prog, const char *name,
			   const struct expect *e, size_t n)
{
	char why[160] = "";

	for (size_t i = 0; i < n && !*why; i++) {
		uint32_t r = verdict(prog, e[i].arch, e[i].nr, e[i].a0);

		if (r != e[i].ret)
			snprintf(why, sizeof(why), "%s: got %#x, want %#x", e[i].what, r, e[i].ret);
	}
	ok(!*why, name, why);
}

#define CLONE_FLAGS_THREAD (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
			    CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

static void test_x86_verdicts(const struct seccomp_prog *prog)
{
	const uint32_t A64 = AUDIT_ARCH_X86_64, A32 = AUDIT_ARCH_I386;
	const struct expect x86_64[] = {
		{ "read", A64, 0, 0, ALLOW }, { "openat", A64, 257, 0, ALLOW },
		{ "mount", A64, 165, 0, EPERM_RET }, { "kexec_load", A64, 246, 0, EPERM_RET },
		{ "bpf", A64, 321, 0, EPERM_RET }, { "keyctl", A64, 250, 0, EPERM_RET },
		{ "unshare", A64, 272, CLONE_NEWUSER, EPERM_RET },
		{ "clone fork", A64, 56, SIGCHLD, ALLOW },
		{ "clone thread", A64, 56, CLONE_FLAGS_THREAD, ALLOW },
		{ "clone NEWUSER", A64, 56, CLONE_NEWUSER | SIGCHLD, EPERM_RET },
		{ "clone NEWNS", A64, 56, CLONE_NEWNS, EPERM_RET },
		{ "clone3", A64, 435, 0, ENOSYS_RET },
		{ "personality 0", A64, 135, 0, ALLOW },
		{ "personality query", A64, 135, 0xffffffff, ALLOW },
		{ "personality READ_IMPLIES_EXEC", A64, 135, 0x0400000, EPERM_RET },
		{ "socket AF_INET", A64, 41, 2, ALLOW }, { "socket AF_VSOCK", A64, 41, 40, EPERM_RET },
		{ "socket AF_UNIX", A64, 41, 1, ALLOW }, { "socket AF_KCM (41)", A64, 41, 41, ALLOW },
		{ "socket AF_MCTP (45)", A64, 41, 45, ALLOW }, { "socket 46", A64, 41, 46, EPERM_RET },
		/* The kernel reads an int: high bits must not smuggle AF_VSOCK through. */
		{ "socket AF_VSOCK | 1 << 32", A64, 41, 0x100000028ull, EPERM_RET },
		{ "socket AF_VSOCK sign-extended high", A64, 41, 0xffffffff00000028ull, EPERM_RET },
		{ "socket AF_INET | 1 << 32", A64, 41, 0x100000002ull, EPERM_RET },
		{ "set_mempolicy_home_node", A64, 450, 0, EPERM_RET },
		{ "1000", A64, 1000, 0, ENOSYS_RET }, { "0x3fffffff", A64, 0x3fffffff, 0, ENOSYS_RET },
	};
	const struct expect i386[] = {
		{ "read", A32, 3, 0, ALLOW },
		{ "socketcall SYS_CONNECT", A32, 102, 3, ALLOW },
		/* The family is in memory: libseccomp allows SYS_SOCKET with socket. */
		{ "socketcall SYS_SOCKET", A32, 102, 1, ALLOW },
		{ "socket AF_VSOCK", A32, 359, 40, EPERM_RET }, { "socket AF_INET", A32, 359, 2, ALLOW },
		{ "mount", A32, 21, 0, EPERM_RET }, { "kexec_load", A32, 283, 0, EPERM_RET },
		{ "clone NEWPID", A32, 120, CLONE_NEWPID, EPERM_RET }, { "clone3", A32, 435, 0, ENOSYS_RET },
		{ "1000", A32, 1000, 0, ENOSYS_RET },
	};
	const struct expect x32[] = {
		{ "read", A64, X32 + 0, 0, ALLOW }, { "mount", A64, X32 + 165, 0, EPERM_RET },
		{ "execve (x32's own)", A64, X32 + 520, 0, ALLOW },
		{ "500 (between the tables)", A64, X32 + 500, 0, ENOSYS_RET },
		{ "1000", A64, X32 + 1000, 0, ENOSYS_RET },
	};
	const struct expect other[] = {
		/* Not an architecture of the filter: libseccomp's bad-arch action,
		 * never the stub's ENOSYS. */
		{ "aarch64 read", AUDIT_ARCH_AARCH64, 63, 0, SECCOMP_RET_KILL_THREAD },
		{ "aarch64 1000", AUDIT_ARCH_AARCH64, 1000, 0, SECCOMP_RET_KILL_THREAD },
	};

	check_verdicts(prog, "x86_64: allow, EPERM, clone flags, clone3 ENOSYS, above max ENOSYS",
		       x86_64, sizeof(x86_64) / sizeof(x86_64[0]));
	check_verdicts(prog, "x86 (i386): read, mount EPERM, clone NEWPID EPERM, 1000 ENOSYS",
		       i386, sizeof(i386) / sizeof(i386[0]));
	check_verdicts(prog, "x32 (bit 30): read, mount EPERM, x32's own calls, above max ENOSYS",
		       x32, sizeof(x32) / sizeof(x32[0]));
	check_verdicts(prog, "another arch: bad-arch action, not ENOSYS",
		       other, sizeof(other) / sizeof(other[0]));
}

/* ioctl: refused exactly when the command's low 32 bits (all the kernel reads)
 * are TIOCSTI or TIOCLINUX, whatever the high 32 bits of the register hold.
 * Every command up to 0x20000 (the refused ones and the block edges near
 * them), then random ones. */
static void test_ioctl_commands(const struct seccomp_prog *prog)
{
	static const uint64_t highs[] = { 0, 0xffffffff00000000ull, 0x100000000ull, 0x8000000000000000ull };
	char why[160] = "";
	uint64_t seed = 42;
	long checked = 0;

	for (uint64_t i = 0; i < 0x20000 + 30000 && !*why; i++) {
		uint64_t low = i;

		if (i >= 0x20000) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			low = seed >> 32;
			if (i % 7 == 0)
				low = (low & ~0xffffull) | 0x5412;	/* TIOCSTI's low half elsewhere */
		}
		for (size_t h = 0; h < sizeof(highs) / sizeof(highs[0]) && !*why; h++) {
			uint64_t cmd = highs[h] | low;
			bool refuse = low == 0x5412 || low == 0x541C;
			uint32_t r = verdict2(prog, AUDIT_ARCH_X86_64, 16, 0, cmd);

			checked++;
			if (r != (refuse ? EPERM_RET : ALLOW))
				snprintf(why, sizeof(why), "ioctl %#llx: got %#x", (unsigned long long)cmd, r);
		}
	}
	/* 32-bit x86 (ioctl is 54 there): the same rules. */
	if (!*why && (verdict2(prog, AUDIT_ARCH_I386, 54, 0, 0x5412) != EPERM_RET ||
		      verdict2(prog, AUDIT_ARCH_I386, 54, 0, 0x5413) != ALLOW))
		snprintf(why, sizeof(why), "i386 ioctl: TIOCSTI not refused or TIOCGWINSZ refused");
	okf(!*why, "ioctl: only TIOCSTI and TIOCLINUX refused, high bits ignored (%ld commands)%s%s",
	    checked, *why ? ": " : "", why);
}

/* --- the stub on small profiles --- */

static char *low_names[] = { "read", "write", "exit_group", "exit", "rt_sigreturn", NULL };

static void test_stub_actions(void)
{
	struct spec_seccomp_syscall sc[] = { { .names = low_names, .action = "SCMP_ACT_ALLOW" } };
	struct spec_seccomp s = { .syscalls = sc, .n_syscalls = 1 };
	const char *actions[] = { "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
				  "SCMP_ACT_KILL", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG" };
	const uint32_t getpid_ret[] = { EPERM_RET, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_TRAP,
					SECCOMP_RET_KILL_THREAD, ALLOW, SECCOMP_RET_LOG };
	const uint32_t native = seccomp_arch_native();
	char why[160] = "";

	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]) && !*why; i++) {
		struct seccomp_prog *prog;
		int openat_nr = seccomp_syscall_resolve_name("openat");
		int getpid_nr = seccomp_syscall_resolve_name("getpid");
		bool denies = i < 4;
		uint32_t r1, r2;

		s.default_action = (char *)actions[i];
		prog = compile_ok(&s);
		if (!prog) {
			snprintf(why, sizeof(why), "%s: no program", actions[i]);
			break;
		}
		/* exit_group is the highest name: openat is above it, getpid below. */
		r1 = verdict(prog, native, openat_nr, 0);
		r2 = verdict(prog, native, getpid_nr, 0);
		if (r1 != (denies ? ENOSYS_RET : getpid_ret[i]) || r2 != getpid_ret[i])
			snprintf(why, sizeof(why), "%s: openat %#x, getpid %#x", actions[i], r1, r2);
		seccomp_prog_free(prog);
	}
	ok(!*why, "stub: ENOSYS above the highest name for ERRNO/KILL/TRAP defaults only", why);
}

/* Each arch is its own libseccomp program, chained through a bad-arch action
 * no rule uses: a rule with the action that would be the first choice (TRACE
 * 0xffff) keeps it, and another arch still reaches its own program. */
static void test_chain(void)
{
	static char *ppid[] = { "getppid", NULL }, *rd[] = { "read", NULL };
	static char *arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", NULL };
	struct spec_seccomp_syscall sc[] = {
		{ .names = ppid, .action = "SCMP_ACT_TRACE", .has_errno_ret = true, .errno_ret = 0xffff },
		{ .names = rd, .action = "SCMP_ACT_ALLOW" },
	};
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ERRNO", .architectures = arches,
				  .syscalls = sc, .n_syscalls = 2 };
	struct seccomp_prog *prog = compile_ok(&s);
	const struct expect e[] = {
		{ "x86_64 getppid", AUDIT_ARCH_X86_64, 110, 0, SECCOMP_RET_TRACE | 0xffff },
		{ "x86_64 read", AUDIT_ARCH_X86_64, 0, 0, ALLOW },
		{ "x86 getppid", AUDIT_ARCH_I386, 64, 0, SECCOMP_RET_TRACE | 0xffff },
		{ "x86 read", AUDIT_ARCH_I386, 3, 0, ALLOW },
		{ "x86 getpid", AUDIT_ARCH_I386, 20, 0, EPERM_RET },
		{ "arm read", AUDIT_ARCH_ARM, 3, 0, SECCOMP_RET_KILL_THREAD },
	};

	if (!prog) {
		ok(false, "chained per-arch programs", "no program");
		return;
	}
	check_verdicts(prog, "chained per-arch programs: a rule's TRACE 0xffff kept, x86 reached",
		       e, sizeof(e) / sizeof(e[0]));
	seccomp_prog_free(prog);
}

/* --- real filters in forked children --- */

static int load(const struct spec_seccomp *s)
{
	struct seccomp_prog *prog = compile_ok(s);
	struct kerr *err = NULL;

	if (!prog || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_prog_load(prog, &err) < 0)
		return -1;
	seccomp_prog_free(prog);
	return 0;
}

/* Exit codes tell what happened: no stdio once the filter is in. */
static int t_small_loaded(void)
{
	struct spec_seccomp_syscall sc[] = { { .names = low_names, .action = "SCMP_ACT_ALLOW" } };
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ERRNO", .syscalls = sc, .n_syscalls = 1 };

	if (load(&s) < 0)
		return 10;
	/* Known to the profile's range but not allowed: EPERM. */
	if (syscall(SYS_getpid) != -1 || errno != EPERM)
		syscall(SYS_exit_group, 11);
	/* The kernel has openat, the profile's highest name is below it: ENOSYS. */
	if (syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY) != -1 || errno != ENOSYS)
		syscall(SYS_exit_group, 12);
	if (syscall(1000) != -1 || errno != ENOSYS)
		syscall(SYS_exit_group, 13);
	syscall(SYS_exit_group, 0);
	return 1;
}

static char *ppid_names[] = { "getppid", NULL };

/* NEW_LISTENER (and TSYNC) still load with the stub in front. */
static int t_listener(void)
{
	char *flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", NULL };
	struct spec_seccomp_syscall sc[] = {
		{ .names = low_names, .action = "SCMP_ACT_ALLOW" },
		{ .names = ppid_names, .action = "SCMP_ACT_NOTIFY" },
	};
	struct spec_seccomp s = { .default_action = "SCMP_ACT_ERRNO", .flags = flags,
				  .syscalls = sc, .n_syscalls = 2 };
	struct seccomp_prog *prog = compile_ok(&s);
	struct kerr *err = NULL;
	int fd = -1;

	CHECK(prog && seccomp_prog_needs_listener(prog));
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	CHECK(seccomp_load_listener(prog, &fd, &err) == 0 && fd >= 0);
	if (syscall(1000) != -1 || errno != ENOSYS)
		syscall(SYS_exit_group, 12);
	syscall(SYS_exit_group, 0);
	return 1;
}

static int t_vm_loaded(void)
{
	struct spec *s = vm_spec();
	pid_t pid;
	int st;

	if (!s || load(s->linux_->seccomp) < 0)
		return 10;
	if (syscall(SYS_mount, "none", "/", "tmpfs", 0, NULL) != -1 || errno != EPERM)
		return 11;
	if (syscall(SYS_unshare, CLONE_NEWUSER) != -1 || errno != EPERM)
		return 12;
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		return 13;
	if (syscall(1000) != -1 || errno != ENOSYS)
		return 14;
	/* fork is clone without namespace flags. */
	pid = fork();
	if (pid == 0)
		_exit(7);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return 15;
	spec_free(s);
	return 0;
}

static void expect_exit0(const char *name, int (*fn)(void))
{
	int st = in_child(fn);
	char why[64];

	snprintf(why, sizeof(why), "wait status %#x", st);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, name, why);
}

int main(void)
{
	struct spec *s = vm_spec();
	struct seccomp_prog *prog = NULL;

	tap_plan(17);
	ok(s && s->linux_ && s->linux_->seccomp, "keel spec --vm parses, has linux.seccomp", NULL);
	if (!s || !s->linux_ || !s->linux_->seccomp)
		return tap_done();
	test_content(s->linux_->seccomp);
	prog = compile_ok(s->linux_->seccomp);
	ok(prog != NULL, "profile compiles", NULL);
	if (prog) {
		test_x86_verdicts(prog);
		test_ioctl_commands(prog);
	}
	test_stub_actions();
	test_chain();
	expect_exit0("loaded: getpid EPERM, openat (above the highest name) and 1000 ENOSYS",
		     t_small_loaded);
	expect_exit0("loaded with NEW_LISTENER and TSYNC: stub in front, listener fd", t_listener);
	expect_exit0("--vm profile loaded: mount/unshare EPERM, clone3 and 1000 ENOSYS, fork works",
		     t_vm_loaded);
	seccomp_prog_free(prog);
	spec_free(s);
	return tap_done();
}
