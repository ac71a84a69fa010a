/* `keel spec`: the default config.json, like runc's but without inheritable or
 * ambient capabilities. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "internal.h"
#include "../runtime/util.h"

static const char *const default_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL
};

static void gen_process(yajl_gen g)
{
	static const char *const args[] = { "sh", NULL };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"TERM=xterm", NULL
	};

	spec_gen_str(g, "process");
	yajl_gen_map_open(g);
	spec_gen_kbool(g, "terminal", true);
	spec_gen_str(g, "user");
	yajl_gen_map_open(g);
	spec_gen_kint(g, "uid", 0);
	spec_gen_kint(g, "gid", 0);
	yajl_gen_map_close(g);
	spec_gen_kstrv(g, "args", args);
	spec_gen_kstrv(g, "env", env);
	spec_gen_kv(g, "cwd", "/");
	spec_gen_str(g, "capabilities");
	yajl_gen_map_open(g);
	spec_gen_kstrv(g, "bounding", default_caps);
	spec_gen_kstrv(g, "effective", default_caps);
	spec_gen_kstrv(g, "permitted", default_caps);
	yajl_gen_map_close(g);
	spec_gen_str(g, "rlimits");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	spec_gen_kv(g, "type", "RLIMIT_NOFILE");
	spec_gen_kint(g, "hard", 1024);
	spec_gen_kint(g, "soft", 1024);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	spec_gen_kbool(g, "noNewPrivileges", true);
	yajl_gen_map_close(g);
}

static void gen_mount(yajl_gen g, const char *dest, const char *type, const char *src,
		      const char *const *opts)
{
	yajl_gen_map_open(g);
	spec_gen_kv(g, "destination", dest);
	spec_gen_kv(g, "type", type);
	spec_gen_kv(g, "source", src);
	if (opts)
		spec_gen_kstrv(g, "options", opts);
	yajl_gen_map_close(g);
}

static void gen_mounts(yajl_gen g, bool rootless)
{
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
	static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666",
					   "mode=0620", "gid=5", NULL };
	static const char *const pts_rootless[] = { "nosuid", "noexec", "newinstance",
						    "ptmxmode=0666", "mode=0620", NULL };
	static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777",
					   "size=65536k", NULL };
	static const char *const mqueue[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const sys_rootless[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const cgroup[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };

	spec_gen_str(g, "mounts");
	yajl_gen_array_open(g);
	gen_mount(g, "/proc", "proc", "proc", NULL);
	gen_mount(g, "/dev", "tmpfs", "tmpfs", dev);
	/* gid 5 (tty) is not mapped in a rootless user namespace. */
	gen_mount(g, "/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts);
	gen_mount(g, "/dev/shm", "tmpfs", "shm", shm);
	gen_mount(g, "/dev/mqueue", "mqueue", "mqueue", mqueue);
	/* A new sysfs needs a network namespace owned by our user namespace. */
	if (rootless)
		gen_mount(g, "/sys", "none", "/sys", sys_rootless);
	else
		gen_mount(g, "/sys", "sysfs", "sysfs", sys);
	gen_mount(g, "/sys/fs/cgroup", "cgroup", "cgroup", cgroup);
	yajl_gen_array_close(g);
}

static void gen_idmap(yajl_gen g, const char *key, unsigned id)
{
	spec_gen_str(g, key);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	spec_gen_kint(g, "containerID", 0);
	spec_gen_kint(g, "hostID", id);
	spec_gen_kint(g, "size", 1);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

static void gen_linux(yajl_gen g, bool rootless)
{
	static const char *const masked[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
		"/proc/sched_debug", "/sys/firmware", "/proc/scsi", NULL
	};
	static const char *const ro[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL
	};
	static const char *const ns_root[] = {
		"pid", "network", "ipc", "uts", "mount", "cgroup", NULL
	};
	static const char *const ns_rootless[] = {
		"pid", "ipc", "uts", "mount", "cgroup", "user", NULL
	};
	const char *const *ns;

	spec_gen_str(g, "linux");
	yajl_gen_map_open(g);
	if (rootless) {
		gen_idmap(g, "uidMappings", getuid());
		gen_idmap(g, "gidMappings", getgid());
	} else {
		/* Rootless containers cannot use the devices controller. */
		spec_gen_str(g, "resources");
		yajl_gen_map_open(g);
		spec_gen_str(g, "devices");
		yajl_gen_array_open(g);
		yajl_gen_map_open(g);
		spec_gen_kbool(g, "allow", false);
		spec_gen_kv(g, "access", "rwm");
		yajl_gen_map_close(g);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	spec_gen_str(g, "namespaces");
	yajl_gen_array_open(g);
	for (ns = rootless ? ns_rootless : ns_root; *ns; ns++) {
		yajl_gen_map_open(g);
		spec_gen_kv(g, "type", *ns);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	spec_gen_kstrv(g, "maskedPaths", masked);
	spec_gen_kstrv(g, "readonlyPaths", ro);
	yajl_gen_map_close(g);
}

/* The generator's buffer as a NUL-terminated string with a final newline. */


char *spec_default_json(bool rootless)
{
	yajl_gen g = spec_gen_new();

	yajl_gen_map_open(g);
	spec_gen_kv(g, "ociVersion", "1.1.0");
	gen_process(g);
	spec_gen_str(g, "root");
	yajl_gen_map_open(g);
	spec_gen_kv(g, "path", "rootfs");
	spec_gen_kbool(g, "readonly", true);
	yajl_gen_map_close(g);
	spec_gen_kv(g, "hostname", "keel");
	gen_mounts(g, rootless);
	gen_linux(g, rootless);
	yajl_gen_map_close(g);
	return spec_gen_finish(g);
}
