/* Name tables: signals, capabilities, rlimits, namespaces, scheduler, I/O
 * priority classes, seccomp actions and operators. */
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const char *const signal_names[] = {
	[SIGHUP] = "HUP", [SIGINT] = "INT", [SIGQUIT] = "QUIT", [SIGILL] = "ILL",
	[SIGTRAP] = "TRAP", [SIGABRT] = "ABRT", [SIGBUS] = "BUS", [SIGFPE] = "FPE",
	[SIGKILL] = "KILL", [SIGUSR1] = "USR1", [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
	[SIGPIPE] = "PIPE", [SIGALRM] = "ALRM", [SIGTERM] = "TERM", [SIGSTKFLT] = "STKFLT",
	[SIGCHLD] = "CHLD", [SIGCONT] = "CONT", [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",
	[SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU", [SIGURG] = "URG", [SIGXCPU] = "XCPU",
	[SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",
	[SIGIO] = "IO", [SIGPWR] = "PWR", [SIGSYS] = "SYS",
};

static const struct { const char *name; int sig; } signal_aliases[] = {
	{ "IOT", SIGABRT }, { "CLD", SIGCHLD }, { "POLL", SIGIO },
};

/* A decimal number with nothing after it, or -1. */
static int small_number(const char *s)
{
	int n = 0;

	if (!*s || strlen(s) > 3)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n;
}

int spec_signal_parse(const char *name)
{
	int n;
	size_t i;

	if (!name)
		return -1;
	n = small_number(name);
	if (n >= 0)
		return n >= 1 && n <= SIGRTMAX ? n : -1;
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (i = 1; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (signal_names[i] && !strcasecmp(name, signal_names[i]))
			return (int)i;
	for (i = 0; i < sizeof(signal_aliases) / sizeof(signal_aliases[0]); i++)
		if (!strcasecmp(name, signal_aliases[i].name))
			return signal_aliases[i].sig;
	if (!strncasecmp(name, "RTMIN", 5) || !strncasecmp(name, "RTMAX", 5)) {
		bool min = !strncasecmp(name, "RTMIN", 5);
		int base = min ? SIGRTMIN : SIGRTMAX, sig;

		if (!name[5])
			return base;
		n = small_number(name + 6);
		if (n < 0 || (name[5] != '+' && name[5] != '-'))
			return -1;
		sig = name[5] == '+' ? base + n : base - n;
		return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
	}
	return -1;
}

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

#define N_CAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

int spec_cap_count(void)
{
	return N_CAPS;
}

/* Case-insensitive, "CAP_" optional (the CLI's --cap takes "sys_admin"). */
int spec_cap_parse(const char *name)
{
	int i;

	if (!name)
		return -1;
	/* Every config lists its capabilities four times: strip the prefix once and
	 * compare the first letter before the whole name (was 8% of a create). */
	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	for (i = 0; i < N_CAPS; i++)
		if ((name[0] | 0x20) == (cap_names[i][4] | 0x20) && !strcasecmp(name, cap_names[i] + 4))
			return i;
	return -1;
}

const char *spec_cap_name(int cap)
{
	return cap >= 0 && cap < N_CAPS ? cap_names[cap] : NULL;
}

static const struct { const char *name; int value; } rlimits[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

const char *const spec_rlimit_names[] = {
	"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
	"RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
	"RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
	"RLIMIT_RTPRIO", "RLIMIT_RTTIME", NULL
};

/* Exact names, as the runtime spec writes them. */
int spec_rlimit_parse(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
		if (!strcmp(name, rlimits[i].name))
			return rlimits[i].value;
	return -1;
}

static const char *const ns_names[NS_KINDS] = {
	[NS_PID] = "pid", [NS_NETWORK] = "network", [NS_MOUNT] = "mount",
	[NS_IPC] = "ipc", [NS_UTS] = "uts", [NS_USER] = "user",
	[NS_CGROUP] = "cgroup", [NS_TIME] = "time",
};

static const int ns_flags[NS_KINDS] = {
	[NS_PID] = CLONE_NEWPID, [NS_NETWORK] = CLONE_NEWNET, [NS_MOUNT] = CLONE_NEWNS,
	[NS_IPC] = CLONE_NEWIPC, [NS_UTS] = CLONE_NEWUTS, [NS_USER] = CLONE_NEWUSER,
	[NS_CGROUP] = CLONE_NEWCGROUP, [NS_TIME] = CLONE_NEWTIME,
};

const char *spec_hook_name(enum spec_hook_kind kind)
{
	static const char *const names[HOOK_KINDS] = {
		[HOOK_PRESTART] = "prestart",
		[HOOK_CREATE_RUNTIME] = "createRuntime",
		[HOOK_CREATE_CONTAINER] = "createContainer",
		[HOOK_START_CONTAINER] = "startContainer",
		[HOOK_POSTSTART] = "poststart",
		[HOOK_POSTSTOP] = "poststop",
	};

	if ((int)kind < 0 || kind >= HOOK_KINDS)
		return "unknown";
	return names[kind];
}

const char *spec_ns_name(enum spec_ns_kind kind)
{
	return (unsigned)kind < NS_KINDS ? ns_names[kind] : NULL;
}

int spec_ns_clone_flag(enum spec_ns_kind kind)
{
	return (unsigned)kind < NS_KINDS ? ns_flags[kind] : 0;
}

int spec_ns_parse(const char *name)
{
	int i;

	for (i = 0; name && i < NS_KINDS; i++)
		if (!strcmp(name, ns_names[i]))
			return i;
	return -1;
}

const struct spec_namespace *spec_find_ns(const struct spec *s, enum spec_ns_kind kind)
{
	size_t i;

	if (!s || !s->linux_)
		return NULL;
	for (i = 0; i < s->linux_->n_namespaces; i++)
		if (s->linux_->namespaces[i].kind == kind)
			return &s->linux_->namespaces[i];
	return NULL;
}

const char *spec_annotation(const struct spec *s, const char *key)
{
	size_t i;

	for (i = 0; s && i < s->n_annotations; i++)
		if (!strcmp(s->annotations[i].key, key))
			return s->annotations[i].value;
	return NULL;
}

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

static const struct { const char *name; int value; } sched_policies[] = {
	{ "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO },
	{ "SCHED_RR", SCHED_RR }, { "SCHED_BATCH", SCHED_BATCH },
	{ "SCHED_ISO", 4 }, { "SCHED_IDLE", SCHED_IDLE },
	{ "SCHED_DEADLINE", SCHED_DEADLINE },
};

int spec_sched_policy_parse(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(sched_policies) / sizeof(sched_policies[0]); i++)
		if (!strcmp(name, sched_policies[i].name))
			return sched_policies[i].value;
	return -1;
}

/* The kernel's IOPRIO_CLASS_* values (linux/ioprio.h). */
int spec_ioprio_class_parse(const char *name)
{
	if (!name)
		return -1;
	if (!strcmp(name, "IOPRIO_CLASS_RT"))
		return 1;
	if (!strcmp(name, "IOPRIO_CLASS_BE"))
		return 2;
	if (!strcmp(name, "IOPRIO_CLASS_IDLE"))
		return 3;
	return -1;
}

/* Indexed by enum scmp_compare (SCMP_CMP_NE == 1 ... SCMP_CMP_MASKED_EQ == 7). */
const char *const spec_seccomp_ops[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL
};

int spec_seccomp_op_parse(const char *name)
{
	int i;

	for (i = 0; name && spec_seccomp_ops[i]; i++)
		if (!strcmp(name, spec_seccomp_ops[i]))
			return i + 1;
	return -1;
}

const char *const spec_seccomp_actions[] = {
	"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
	"SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",
	"SCMP_ACT_NOTIFY", NULL
};

bool spec_seccomp_action_known(const char *name)
{
	size_t i;

	for (i = 0; name && spec_seccomp_actions[i]; i++)
		if (!strcmp(name, spec_seccomp_actions[i]))
			return true;
	return false;
}
