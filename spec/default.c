/* `keel spec`: the default config.json, like runc's (its three capabilities,
 * no new privileges, masked and read-only paths, every device denied) but
 * without inheritable or ambient capabilities.
 *
 * `keel spec --vm` hardens it so that the container behaves like a VM guest:
 * a user namespace whose root is an unprivileged host uid (root's range in
 * /etc/subuid and /etc/subgid, else 100000-165535), every namespace (time
 * too: with zero offsets no program sees a difference, exec joins it, and
 * linux.timeOffsets can then give the guest its own uptime), the seccomp
 * allowlist of seccomp_profile.c, and a pids limit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "internal.h"
#include "../runtime/util.h"

static const char *const default_caps[] = {
	"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL
};

/* The user namespace of --vm when /etc/subuid has no range for root (the
 * range podman and the shadow tools give the first user). */
#define VM_SUBID_START 100000
#define VM_SUBID_SIZE 65536
/* Tasks (processes and threads) in a --vm container: enough for a busy
 * guest, a wall for fork bombs. */
#define VM_PIDS_LIMIT 4096

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

static void gen_mounts(yajl_gen g, const struct spec_default_opts *o)
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
	gen_mount(g, "/dev/pts", "devpts", "devpts", o->rootless ? pts_rootless : pts);
	gen_mount(g, "/dev/shm", "tmpfs", "shm", shm);
	gen_mount(g, "/dev/mqueue", "mqueue", "mqueue", mqueue);
	/* A new sysfs needs a network namespace owned by our user namespace:
	 * plain rootless has none, --vm has one. */
	if (o->rootless && !o->vm)
		gen_mount(g, "/sys", "none", "/sys", sys_rootless);
	else
		gen_mount(g, "/sys", "sysfs", "sysfs", sys);
	gen_mount(g, "/sys/fs/cgroup", "cgroup", "cgroup", cgroup);
	yajl_gen_array_close(g);
}

static void gen_idmap(yajl_gen g, const char *key, const struct spec_idmap *m)
{
	spec_gen_str(g, key);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	spec_gen_kint(g, "containerID", m->container_id);
	spec_gen_kint(g, "hostID", m->host_id);
	spec_gen_kint(g, "size", m->size);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

/* Root's first range in a subordinate id file ("name:start:count" lines, the
 * name may be a number): 0 when found, -1 when not (or no file). */
static int subid_range(const char *file, struct spec_idmap *out)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		unsigned long start, count;
		char *p = strchr(line, ':'), *end;

		if (!p || (strncmp(line, "root:", 5) && strncmp(line, "0:", 2)))
			continue;
		errno = 0;
		start = strtoul(p + 1, &end, 10);
		if (errno || end == p + 1 || *end != ':')
			continue;
		p = end + 1;
		count = strtoul(p, &end, 10);
		if (errno || end == p || (*end && *end != '\n') || !count ||
		    start > 0xffffffffUL || count > 0xffffffffUL - start)
			continue;
		*out = (struct spec_idmap){ .container_id = 0, .host_id = start, .size = count };
		return 0;
	}
	return -1;
}

/* The user namespace's mappings: the caller alone when rootless (all an
 * unprivileged user may map), root's subordinate range for --vm. */
static void gen_idmaps(yajl_gen g, const struct spec_default_opts *o)
{
	struct spec_idmap uid = { 0, VM_SUBID_START, VM_SUBID_SIZE }, gid = uid;

	if (o->rootless) {
		uid = (struct spec_idmap){ 0, getuid(), 1 };
		gid = (struct spec_idmap){ 0, getgid(), 1 };
	} else {
		subid_range(o->subuid ? o->subuid : "/etc/subuid", &uid);
		subid_range(o->subgid ? o->subgid : "/etc/subgid", &gid);
	}
	gen_idmap(g, "uidMappings", &uid);
	gen_idmap(g, "gidMappings", &gid);
}

/* Rootless containers cannot use cgroup controllers (devices, pids): the
 * caller has no delegated cgroup. */
static void gen_resources(yajl_gen g, const struct spec_default_opts *o)
{
	if (o->rootless)
		return;
	spec_gen_str(g, "resources");
	yajl_gen_map_open(g);
	spec_gen_str(g, "devices");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	spec_gen_kbool(g, "allow", false);
	spec_gen_kv(g, "access", "rwm");
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	if (o->vm) {
		spec_gen_str(g, "pids");
		yajl_gen_map_open(g);
		spec_gen_kint(g, "limit", VM_PIDS_LIMIT);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_namespaces(yajl_gen g, const struct spec_default_opts *o)
{
	static const char *const ns_root[] = {
		"pid", "network", "ipc", "uts", "mount", "cgroup", NULL
	};
	static const char *const ns_rootless[] = {
		"pid", "ipc", "uts", "mount", "cgroup", "user", NULL
	};
	static const char *const ns_vm[] = {
		"pid", "network", "ipc", "uts", "mount", "cgroup", "user", "time", NULL
	};
	const char *const *ns = o->vm ? ns_vm : o->rootless ? ns_rootless : ns_root;

	spec_gen_str(g, "namespaces");
	yajl_gen_array_open(g);
	for (; *ns; ns++) {
		yajl_gen_map_open(g);
		spec_gen_kv(g, "type", *ns);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_linux(yajl_gen g, const struct spec_default_opts *o)
{
	static const char *const masked[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
		"/proc/sched_debug", "/sys/firmware", "/proc/scsi",
		/* RAPL energy counters: a power side channel on the host's work. */
		"/sys/devices/virtual/powercap", NULL
	};
	static const char *const ro[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL
	};

	spec_gen_str(g, "linux");
	yajl_gen_map_open(g);
	if (o->rootless || o->vm)
		gen_idmaps(g, o);
	gen_resources(g, o);
	gen_namespaces(g, o);
	spec_gen_kstrv(g, "maskedPaths", masked);
	spec_gen_kstrv(g, "readonlyPaths", ro);
	if (o->vm)
		spec_gen_seccomp_profile(g);
	yajl_gen_map_close(g);
}

char *spec_default_json_opts(const struct spec_default_opts *o)
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
	gen_mounts(g, o);
	gen_linux(g, o);
	yajl_gen_map_close(g);
	return spec_gen_finish(g);
}

char *spec_default_json(bool rootless)
{
	struct spec_default_opts o = { .rootless = rootless };

	return spec_default_json_opts(&o);
}
