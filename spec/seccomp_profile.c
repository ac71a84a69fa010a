/* The seccomp profile of `keel spec --vm`: an allowlist as broad as the
 * common container defaults, so that ordinary programs run unchanged, while
 * whatever reaches kernel state shared with the host is refused with EPERM.
 *
 * Refused (absent from the lists below): mount and the new mount API, pivot_root,
 * unshare and setns, kexec, reboot, module loading, bpf, perf_event_open,
 * the keyring (keyctl, add_key, request_key), userfaultfd, io_uring, swapon/off,
 * clock_settime/settimeofday, acct, quotactl, syslog, sethostname/setdomainname
 * (the caps for those are dropped anyway), iopl/ioperm, open_by_handle_at and
 * name_to_handle_at, fanotify_init, kcmp, pidfd_getfd, process_madvise, NUMA
 * policy (mbind, set_mempolicy, migrate_pages, move_pages), memfd_secret and
 * the obsolete calls (uselib, ustat, sysfs, _sysctl, nfsservctl, vm86),
 * AF_VSOCK sockets, and the ioctls TIOCSTI and TIOCLINUX.
 * ptrace and process_vm_* stay allowed: since Linux 4.8 a tracer cannot step
 * around the filter, and the pid and user namespaces keep them in the container.
 *
 * Names are resolved per architecture by libseccomp; a name an architecture
 * lacks (arch_prctl on arm, cacheflush on x86) is skipped there. The runtime
 * answers numbers above the highest one named here with ENOSYS (runtime/seccomp.c). */
#include <yajl/yajl_gen.h>

#include "internal.h"

/* Files, descriptors, directories, polling, extended attributes. */
static const char *const allow_files[] = {
	"access", "faccessat", "faccessat2", "chdir", "fchdir", "getcwd", "chroot",
	"chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "chown32", "fchown", "fchown32",
	"fchownat", "lchown", "lchown32", "umask",
	"open", "openat", "openat2", "creat", "close", "close_range",
	"dup", "dup2", "dup3", "fcntl", "fcntl64", "flock",
	"read", "readv", "pread64", "preadv", "preadv2", "readahead",
	"write", "writev", "pwrite64", "pwritev", "pwritev2",
	"lseek", "_llseek", "sendfile", "sendfile64", "splice", "tee", "vmsplice",
	"copy_file_range", "fsync", "fdatasync", "sync", "syncfs", "sync_file_range",
	"arm_sync_file_range", "fadvise64", "fadvise64_64",
	"arm_fadvise64_64", "fallocate", "truncate", "truncate64", "ftruncate", "ftruncate64",
	"getdents", "getdents64", "mkdir", "mkdirat", "mknod", "mknodat", "rmdir",
	"link", "linkat", "symlink", "symlinkat", "readlink", "readlinkat",
	"unlink", "unlinkat", "rename", "renameat", "renameat2",
	"stat", "stat64", "lstat", "lstat64", "fstat", "fstat64", "newfstatat", "fstatat64",
	"statx", "statfs", "statfs64", "fstatfs", "fstatfs64",
	"utime", "utimes", "utimensat", "utimensat_time64", "futimesat",
	"getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr", "fsetxattr",
	"listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr", "fremovexattr",
	"inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "fanotify_mark",
	"select", "_newselect", "pselect6", "pselect6_time64", "poll", "ppoll", "ppoll_time64",
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_wait",
	"epoll_wait_old", "epoll_pwait", "epoll_pwait2",
	"eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create", "timerfd_settime",
	"timerfd_settime64", "timerfd_gettime", "timerfd_gettime64", "pipe", "pipe2",
	"memfd_create", "io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents",
	"io_pgetevents", "io_pgetevents_time64",
	"landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
	NULL
};

/* Memory. */
static const char *const allow_memory[] = {
	"brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise", "mincore",
	"mlock", "mlock2", "munlock", "mlockall", "munlockall", "msync", "remap_file_pages",
	"pkey_alloc", "pkey_free", "pkey_mprotect", "membarrier",
	NULL
};

/* Processes, threads, credentials, scheduling, signals. (clone, clone3 and
 * personality have their own rules below.) */
static const char *const allow_process[] = {
	"fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid",
	"waitpid", "kill", "tkill", "tgkill", "pidfd_open", "pidfd_send_signal",
	"getpid", "getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid",
	"getuid", "getuid32", "geteuid", "geteuid32", "getgid", "getgid32", "getegid",
	"getegid32", "getresuid", "getresuid32", "getresgid", "getresgid32",
	"getgroups", "getgroups32", "setuid", "setuid32", "setgid", "setgid32",
	"setreuid", "setreuid32", "setregid", "setregid32", "setresuid", "setresuid32",
	"setresgid", "setresgid32", "setgroups", "setgroups32", "setfsuid", "setfsuid32",
	"setfsgid", "setfsgid32", "capget", "capset", "prctl", "arch_prctl", "seccomp",
	"set_tid_address", "set_robust_list", "get_robust_list", "set_thread_area",
	"get_thread_area", "modify_ldt", "set_tls", "breakpoint", "cacheflush", "rseq",
	"futex", "futex_time64", "futex_waitv", "ptrace", "process_vm_readv", "process_vm_writev",
	"sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam",
	"sched_setparam", "sched_getscheduler", "sched_setscheduler", "sched_getattr",
	"sched_setattr", "sched_get_priority_max", "sched_get_priority_min",
	"sched_rr_get_interval", "sched_rr_get_interval_time64", "getpriority", "setpriority",
	"ioprio_get", "ioprio_set", "getrlimit", "ugetrlimit", "setrlimit", "prlimit64",
	"getrusage", "times", "uname", "sysinfo", "getcpu", "getrandom",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigsuspend",
	"rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
	"sigaction", "sigprocmask", "sigreturn", "sigpending", "sigsuspend", "signal",
	"sigaltstack", "pause", "alarm", "restart_syscall",
	NULL
};

/* Time (reading it; adjtimex/clock_adjtime only change the clock with
 * CAP_SYS_TIME in the host's user namespace). */
static const char *const allow_time[] = {
	"clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64",
	"clock_nanosleep", "clock_nanosleep_time64", "nanosleep", "gettimeofday", "time",
	"getitimer", "setitimer", "timer_create", "timer_settime", "timer_settime64",
	"timer_gettime", "timer_gettime64", "timer_getoverrun", "timer_delete",
	"adjtimex", "clock_adjtime", "clock_adjtime64",
	NULL
};

/* System V and POSIX IPC (the container has its own ipc namespace), sockets
 * (its own network namespace; socket itself has a rule below). */
static const char *const allow_ipc_net[] = {
	"shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop",
	"semtimedop_time64", "semctl", "msgget", "msgsnd", "msgrcv", "msgctl", "ipc",
	"mq_open", "mq_unlink", "mq_timedsend", "mq_timedsend_time64", "mq_timedreceive",
	"mq_timedreceive_time64", "mq_notify", "mq_getsetattr",
	"socketpair", "bind", "connect", "listen", "accept", "accept4", "getsockname",
	"getpeername", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
	"recvmmsg_time64", "send", "recv", "shutdown", "setsockopt", "getsockopt", "socketcall",
	NULL
};

static const char *const *const allow_groups[] = {
	allow_files, allow_memory, allow_process, allow_time, allow_ipc_net,
};

/* personality(2) values programs use: PER_LINUX, PER_LINUX32, UNAME26 alone
 * and with PER_LINUX32, and 0xffffffff (query). Others (READ_IMPLIES_EXEC,
 * ADDR_NO_RANDOMIZE...) weaken the process's own hardening. */
static const unsigned long personalities[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

/* clone(2) flags that create namespaces: NEWNS, NEWCGROUP, NEWUTS, NEWIPC,
 * NEWUSER, NEWPID, NEWNET. (CLONE_NEWTIME exists only for clone3/unshare.) */
#define CLONE_NS_FLAGS 0x7E020000UL
/* Address families that may be created: all below AF_VSOCK (40), and those
 * after it up to AF_MCTP (45, the last one in Linux 6.x). */
#define AF_VSOCK_FAMILY 40
#define AF_LAST_FAMILY 45
#define ERRNO_ENOSYS 38

static void gen_arg(yajl_gen g, unsigned index, unsigned long value, unsigned long two,
		    const char *op)
{
	yajl_gen_map_open(g);
	spec_gen_kint(g, "index", index);
	spec_gen_kint(g, "value", (long long)value);
	if (two)
		spec_gen_kint(g, "valueTwo", (long long)two);
	spec_gen_kv(g, "op", op);
	yajl_gen_map_close(g);
}

/* { "names": [name], "action": "SCMP_ACT_ALLOW", "args": [one arg] } */
static void gen_allow_if(yajl_gen g, const char *name, unsigned index, unsigned long value,
			 unsigned long two, const char *op)
{
	const char *names[] = { name, NULL };

	yajl_gen_map_open(g);
	spec_gen_kstrv(g, "names", names);
	spec_gen_kv(g, "action", "SCMP_ACT_ALLOW");
	spec_gen_str(g, "args");
	yajl_gen_array_open(g);
	gen_arg(g, index, value, two, op);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

static void gen_rule1(yajl_gen g, const char *name, unsigned long value, const char *op)
{
	gen_allow_if(g, name, 0, value, 0, op);
}

/* ioctl commands refused: TIOCSTI (pushes input into a terminal: from a host tty
 * the container inherited, into the host's shell) and TIOCLINUX (console
 * selection and paste). */
static const unsigned long denied_ioctls[] = { 0x5412, 0x541C };

/* Allow ioctl for the commands lo..hi (32 bits). The kernel reads the command
 * as an unsigned int, so the filter must ignore the high 32 bits of the
 * register, which no "<" or "!=" does: the range is covered by aligned blocks,
 * each one test "(cmd & mask) == start" with a mask of the low 32 bits. */
static void gen_ioctl_range(yajl_gen g, unsigned long lo, unsigned long hi)
{
	while (lo <= hi) {
		unsigned long size = 1;

		/* The largest block aligned at lo that ends within hi. */
		while (size < (1UL << 32) && (lo & (size * 2 - 1)) == 0 && lo + size * 2 - 1 <= hi)
			size *= 2;
		gen_allow_if(g, "ioctl", 1, 0xffffffffUL & ~(size - 1), lo, "SCMP_CMP_MASKED_EQ");
		lo += size;
	}
}

static void gen_ioctl(yajl_gen g)
{
	unsigned long lo = 0;

	for (size_t i = 0; i < sizeof(denied_ioctls) / sizeof(denied_ioctls[0]); i++) {
		if (denied_ioctls[i] > lo)
			gen_ioctl_range(g, lo, denied_ioctls[i] - 1);
		lo = denied_ioctls[i] + 1;
	}
	gen_ioctl_range(g, lo, 0xffffffffUL);
}

static void gen_syscalls(yajl_gen g)
{
	static const char *const clone3[] = { "clone3", NULL };
	size_t i;

	spec_gen_str(g, "syscalls");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	spec_gen_str(g, "names");
	yajl_gen_array_open(g);
	for (i = 0; i < sizeof(allow_groups) / sizeof(allow_groups[0]); i++)
		for (const char *const *n = allow_groups[i]; *n; n++)
			spec_gen_str(g, *n);
	yajl_gen_array_close(g);
	spec_gen_kv(g, "action", "SCMP_ACT_ALLOW");
	yajl_gen_map_close(g);

	for (i = 0; i < sizeof(personalities) / sizeof(personalities[0]); i++)
		gen_rule1(g, "personality", personalities[i], "SCMP_CMP_EQ");
	/* Threads and processes, but no new namespaces. The mask is "value", the
	 * expected result "valueTwo" (0, left out). */
	gen_rule1(g, "clone", CLONE_NS_FLAGS, "SCMP_CMP_MASKED_EQ");
	/* Every family but vsock, which reaches the host (or hypervisor) and is
	 * not covered by the network namespace. Not "!= 40": the filter sees
	 * all 64 bits of the register, the kernel only the int, so 40 with
	 * any high bit set would pass. Below 40, or exactly one of the others. */
	gen_rule1(g, "socket", AF_VSOCK_FAMILY, "SCMP_CMP_LT");
	for (i = AF_VSOCK_FAMILY + 1; i <= AF_LAST_FAMILY; i++)
		gen_rule1(g, "socket", i, "SCMP_CMP_EQ");
	/* (32-bit x86's socketcall(SYS_SOCKET) passes the family in memory, out
	 * of the filter's reach; libseccomp allows it along with socket.) */
	gen_ioctl(g);
	/* clone3 passes its flags in memory, out of the filter's reach: ENOSYS
	 * makes libc fall back to clone, whose flags are checked above. */
	yajl_gen_map_open(g);
	spec_gen_kstrv(g, "names", clone3);
	spec_gen_kv(g, "action", "SCMP_ACT_ERRNO");
	spec_gen_kint(g, "errnoRet", ERRNO_ENOSYS);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

void spec_gen_seccomp_profile(yajl_gen g)
{
#if defined(__x86_64__) || defined(__i386__)
	static const char *const arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
#elif defined(__aarch64__) || defined(__arm__)
	static const char *const arches[] = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL };
#else
	static const char *const arches[] = { "SCMP_ARCH_NATIVE", NULL };
#endif

	spec_gen_str(g, "seccomp");
	yajl_gen_map_open(g);
	spec_gen_kv(g, "defaultAction", "SCMP_ACT_ERRNO");
	spec_gen_kint(g, "defaultErrnoRet", 1);	/* EPERM */
	spec_gen_kstrv(g, "architectures", arches);
	gen_syscalls(g);
	yajl_gen_map_close(g);
}
