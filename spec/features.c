/* `keel features`: what this build supports (runtime-spec features.md). */
#include <ctype.h>
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "internal.h"
#include "../runtime/util.h"

#ifndef KEEL_VERSION
#define KEEL_VERSION "unknown"
#endif

/* The mount options namespaces/ understands (its option parser's table). */
static const char *const mount_options[] = {
	"ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async",
	"dirsync", "remount", "mand", "nomand", "atime", "noatime", "diratime",
	"nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime",
	"bind", "rbind", "private", "rprivate", "shared", "rshared", "slave", "rslave",
	"unbindable", "runbindable", "tmpcopyup", "rro", "rrw", "idmap", "ridmap", NULL
};

static const char *const hooks[] = {
	"prestart", "createRuntime", "createContainer", "startContainer",
	"poststart", "poststop", NULL
};

static const char *const archs[] = {
	"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", NULL
};

#ifndef SECCOMP_SET_MODE_FILTER
#define SECCOMP_SET_MODE_FILTER 1
#endif

/* The seccomp flags runtime/seccomp.c knows, with their kernel values. */
static const struct { const char *name; unsigned long value; } seccomp_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", 1UL << 0 },
	{ "SECCOMP_FILTER_FLAG_LOG", 1UL << 1 },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 1UL << 2 },
	{ "SECCOMP_FILTER_FLAG_NEW_LISTENER", 1UL << 3 },
	{ "SECCOMP_FILTER_FLAG_TSYNC_ESRCH", 1UL << 4 },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1UL << 5 },
};

/* The kernel checks the flags before reading the (NULL) program: EFAULT means
 * the flag is known, EINVAL that it is not. Nothing is installed either way. */
static bool kernel_has_flag(unsigned long flag)
{
	/* WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER. */
	if (flag == 1UL << 5)
		flag |= 1UL << 3;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

/* Actions, with the API level each needs (KILL_PROCESS and LOG: 3, NOTIFY: 5). */
static unsigned action_api(const char *a)
{
	if (!strcmp(a, "SCMP_ACT_NOTIFY"))
		return 5;
	if (!strcmp(a, "SCMP_ACT_KILL_PROCESS") || !strcmp(a, "SCMP_ACT_LOG"))
		return 3;
	return 0;
}

/* libseccomp knows archs by lower-case names ("x86_64"). */
static bool arch_known(const char *arch)
{
	char name[32];
	size_t i;

	arch += strlen("SCMP_ARCH_");
	for (i = 0; arch[i] && i < sizeof(name) - 1; i++)
		name[i] = tolower((unsigned char)arch[i]);
	name[i] = 0;
	return seccomp_arch_resolve_name(name) != 0;
}

static void gen_seccomp(yajl_gen g)
{
	unsigned api = seccomp_api_get();
	size_t i;

	spec_gen_str(g, "seccomp");
	yajl_gen_map_open(g);
	spec_gen_kbool(g, "enabled", true);
	spec_gen_str(g, "actions");
	yajl_gen_array_open(g);
	for (i = 0; spec_seccomp_actions[i]; i++)
		if (api >= action_api(spec_seccomp_actions[i]))
			spec_gen_str(g, spec_seccomp_actions[i]);
	yajl_gen_array_close(g);
	spec_gen_kstrv(g, "operators", spec_seccomp_ops);
	spec_gen_str(g, "archs");
	yajl_gen_array_open(g);
	for (i = 0; archs[i]; i++)
		if (arch_known(archs[i]))
			spec_gen_str(g, archs[i]);
	yajl_gen_array_close(g);
	spec_gen_str(g, "knownFlags");
	yajl_gen_array_open(g);
	for (i = 0; i < sizeof(seccomp_flags) / sizeof(seccomp_flags[0]); i++)
		spec_gen_str(g, seccomp_flags[i].name);
	yajl_gen_array_close(g);
	spec_gen_str(g, "supportedFlags");
	yajl_gen_array_open(g);
	for (i = 0; i < sizeof(seccomp_flags) / sizeof(seccomp_flags[0]); i++)
		if (kernel_has_flag(seccomp_flags[i].value))
			spec_gen_str(g, seccomp_flags[i].name);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

static void gen_linux(yajl_gen g)
{
	int i;

	spec_gen_str(g, "linux");
	yajl_gen_map_open(g);
	spec_gen_str(g, "namespaces");
	yajl_gen_array_open(g);
	for (i = 0; i < NS_KINDS; i++)
		spec_gen_str(g, spec_ns_name(i));
	yajl_gen_array_close(g);
	spec_gen_str(g, "capabilities");
	yajl_gen_array_open(g);
	for (i = 0; i < spec_cap_count(); i++)
		spec_gen_str(g, spec_cap_name(i));
	yajl_gen_array_close(g);
	spec_gen_str(g, "cgroup");
	yajl_gen_map_open(g);
	spec_gen_kbool(g, "v1", false);
	spec_gen_kbool(g, "v2", true);
	spec_gen_kbool(g, "systemd", false);
	spec_gen_kbool(g, "systemdUser", false);
	spec_gen_kbool(g, "rdma", true);
	yajl_gen_map_close(g);
	gen_seccomp(g);
	/* The init writes the exec labels (/proc/self/attr); whether the host's
	 * kernel has the LSM enabled is checked when a config asks for one. */
	spec_gen_str(g, "apparmor");
	yajl_gen_map_open(g);
	spec_gen_kbool(g, "enabled", true);
	yajl_gen_map_close(g);
	spec_gen_str(g, "selinux");
	yajl_gen_map_open(g);
	spec_gen_kbool(g, "enabled", true);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

char *spec_features_json(void)
{
	yajl_gen g = spec_gen_new();
	const struct scmp_version *v = seccomp_version();
	char buf[64];

	yajl_gen_map_open(g);
	spec_gen_str(g, "ociVersionMin");
	spec_gen_str(g, "1.0.0");
	spec_gen_str(g, "ociVersionMax");
	spec_gen_str(g, "1.1.0");
	spec_gen_kstrv(g, "hooks", hooks);
	spec_gen_kstrv(g, "mountOptions", mount_options);
	gen_linux(g);
	spec_gen_str(g, "annotations");
	yajl_gen_map_open(g);
	spec_gen_str(g, "io.github.keel.version");
	spec_gen_str(g, KEEL_VERSION);
	if (v) {
		snprintf(buf, sizeof(buf), "%u.%u.%u", v->major, v->minor, v->micro);
		spec_gen_str(g, "io.github.seccomp.libseccomp.version");
		spec_gen_str(g, buf);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return spec_gen_finish(g);
}
