/* Namespace creation and joining: clone flags, setns, id maps, time offsets. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "namespaces.h"
#include "../runtime/util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* /proc/<pid>/ns/<name> for each kind, in enum order. */
static const char *const ns_files[NS_KINDS] = {
	[NS_PID] = "pid", [NS_NETWORK] = "net", [NS_MOUNT] = "mnt", [NS_IPC] = "ipc",
	[NS_UTS] = "uts", [NS_USER] = "user", [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
};

static const int ns_flags[NS_KINDS] = {
	[NS_PID] = CLONE_NEWPID, [NS_NETWORK] = CLONE_NEWNET, [NS_MOUNT] = CLONE_NEWNS,
	[NS_IPC] = CLONE_NEWIPC, [NS_UTS] = CLONE_NEWUTS, [NS_USER] = CLONE_NEWUSER,
	[NS_CGROUP] = CLONE_NEWCGROUP, [NS_TIME] = CLONE_NEWTIME,
};

bool ns_wants_new(const struct spec *s, enum spec_ns_kind kind)
{
	const struct spec_namespace *ns = spec_find_ns(s, kind);

	return ns && !ns->path;
}

unsigned long ns_clone_flags(const struct spec *s)
{
	unsigned long flags = 0;

	for (int k = 0; k < NS_KINDS; k++)
		if (k != NS_TIME && ns_wants_new(s, k))
			flags |= ns_flags[k];
	return flags;
}

void ns_close_all(int fds[NS_KINDS])
{
	for (int k = 0; k < NS_KINDS; k++) {
		if (fds[k] >= 0)
			close(fds[k]);
		fds[k] = -1;
	}
}

int ns_open_joined(const struct spec *s, int fds[NS_KINDS], struct kerr **err)
{
	for (int k = 0; k < NS_KINDS; k++)
		fds[k] = -1;
	if (!s->linux_)
		return 0;
	for (size_t i = 0; i < s->linux_->n_namespaces; i++) {
		const struct spec_namespace *ns = &s->linux_->namespaces[i];

		if (!ns->path)
			continue;
		fds[ns->kind] = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fds[ns->kind] < 0) {
			kerr_errno(err, "open %s namespace `%s`", spec_ns_name(ns->kind), ns->path);
			ns_close_all(fds);
			return -1;
		}
	}
	return 0;
}

/* Whether we are in the namespace that `fd` names. */
static bool ns_is_ours(int fd, const char *name)
{
	_cleanup_close_ int self = proc_open_ns("self", name, NULL);
	struct stat theirs, ours;

	return self >= 0 && fstat(fd, &theirs) == 0 && fstat(self, &ours) == 0 &&
	       theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev;
}

int ns_open_container(pid_t pid, int fds[NS_KINDS], struct kerr **err)
{
	char pidstr[16];

	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	for (int k = 0; k < NS_KINDS; k++)
		fds[k] = -1;
	for (int k = 0; k < NS_KINDS; k++) {
		struct kerr *e = NULL;

		fds[k] = proc_open_ns(pidstr, ns_files[k], &e);
		if (fds[k] < 0 && e->errnum == ENOENT && k == NS_TIME) {
			kerr_free(&e);
			continue;	/* kernel without time namespaces */
		}
		if (fds[k] < 0) {
			ns_close_all(fds);
			procfs_reset();
			return kerr_pass(err, e);
		}
		if (ns_is_ours(fds[k], ns_files[k])) {
			close(fds[k]);	/* shared with us: nothing to join */
			fds[k] = -1;
		}
	}
	/* keel exec needs no procfs handle after this (and its child must not
	 * carry one into the container). */
	procfs_reset();
	return 0;
}

int ns_join(int fds[NS_KINDS], unsigned skip_mask, struct kerr **err)
{
	/* The user namespace first: it grants the capabilities for the others. */
	static const enum spec_ns_kind order[] = {
		NS_USER, NS_PID, NS_NETWORK, NS_IPC, NS_UTS, NS_CGROUP, NS_TIME, NS_MOUNT,
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum spec_ns_kind k = order[i];

		if (fds[k] < 0 || (skip_mask & (1u << k)))
			continue;
		if (setns(fds[k], ns_flags[k]) < 0)
			return kerr_errno(err, "join %s namespace", spec_ns_name(k));
	}
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n,
		     struct kerr **err)
{
	_cleanup_free_ char *buf = NULL;
	char path[64];
	size_t len = 0;
	FILE *f;

	if (n == 0)
		return 0;
	f = open_memstream(&buf, &len);
	if (!f)
		return kerr_errno(err, "open_memstream");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
	fclose(f);
	snprintf(path, sizeof(path), "%d/%s", pid, file);
	/* The kernel takes the whole map in one write. */
	return proc_write(path, buf, err);
}

int ns_write_id_maps(pid_t pid, const struct spec_linux *l, struct kerr **err)
{
	int r = write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err);

	if (r == 0)
		r = write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err);
	/* keel create needs no procfs handle after this: keep no fd. */
	procfs_reset();
	return r;
}

static int write_offset(int fd, int clock, const struct spec_time_offset *o, struct kerr **err)
{
	char buf[96];
	int n;

	if (!o->set)
		return 0;
	n = snprintf(buf, sizeof(buf), "%d %lld %u\n", clock, (long long)o->secs, o->nanosecs);
	if (write(fd, buf, n) != n)
		return kerr_errno(err, "write time namespace offset `%.*s`", n - 1, buf);
	return 0;
}

int ns_new_time(const struct spec_linux *l, struct kerr **err)
{
	_cleanup_close_ int fd = -1;

	if (unshare(CLONE_NEWTIME) < 0)
		return kerr_errno(err, "create time namespace");
	if (!l->time_monotonic.set && !l->time_boottime.set)
		return 0;
	fd = proc_open("self/timens_offsets", O_WRONLY, err);
	if (fd < 0)
		return -1;
	if (write_offset(fd, CLOCK_MONOTONIC, &l->time_monotonic, err) < 0)
		return -1;
	return write_offset(fd, CLOCK_BOOTTIME, &l->time_boottime, err);
}
