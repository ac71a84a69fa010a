/* keel kill, and the helpers commands share to reach a container's processes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "util.h"
#include "../cgroups/cgroup.h"

int kc_open(const struct kglobal *g, const char *id, bool exclusive, struct kcontainer *c,
	    struct kerr **err)
{
	c->rootfd = c->dirfd = -1;
	c->st = NULL;
	c->status = NULL;
	if (!id || !*id)
		return kerr_set(err, 0, "container id missing");
	if (state_check_id(id, err) < 0)
		return -1;
	if (state_open_root(g->root, &c->rootfd, err) < 0)
		goto fail;
	if (state_open_dir(c->rootfd, id, exclusive, &c->dirfd, err) < 0)
		goto fail;
	if (state_read(c->dirfd, &c->st, err) < 0) {
		kerr_wrap(err, "container `%s`", id);
		goto fail;
	}
	c->status = state_status(c->dirfd, c->st);
	return 0;
fail:
	kc_close(c);
	return -1;
}

void kc_close(struct kcontainer *c)
{
	if (c->dirfd >= 0)
		close(c->dirfd);
	if (c->rootfd >= 0)
		close(c->rootfd);
	state_free(c->st);
	c->dirfd = c->rootfd = -1;
	c->st = NULL;
}

int kc_cgroup(const struct kstate *st, struct cgroup **cg, struct kerr **err)
{
	*cg = NULL;
	if (!st->cgroup_path || !*st->cgroup_path ||
	    (st->cgroup_manager && !strcmp(st->cgroup_manager, "disabled")))
		return 0;
	return cgroup_open(st->cgroup_path, cg, err);
}

int kc_pidfd(const struct kstate *st)
{
	int fd;

	if (st->pid <= 0)
		return -1;
	fd = syscall(SYS_pidfd_open, st->pid, 0);
	if (fd < 0)
		return -1;
	/* Checked after opening: the fd now pins this very process. */
	if (!state_pid_alive(st)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int proc_tree(pid_t root, pid_t **out, size_t *nout)
{
	pid_t *all = NULL, *parent = NULL, *res;
	size_t n = 0, cap = 0, nres = 0, i;
	struct dirent *de;
	bool grew = true;
	DIR *d = opendir("/proc");

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		pid_t pp;

		if (*end || pid <= 0)
			continue;
		if (proc_stat_read(dirfd(d), de->d_name, NULL, &pp, NULL) < 0 || pp < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			all = xrealloc(all, cap * sizeof(pid_t));
			parent = xrealloc(parent, cap * sizeof(pid_t));
		}
		all[n] = pid;
		parent[n] = pp;
		n++;
	}
	closedir(d);
	res = xmalloc((n + 1) * sizeof(pid_t));
	res[nres++] = root;
	/* Fixed point: add every process whose parent is already in. */
	while (grew) {
		grew = false;
		for (i = 0; i < n; i++) {
			bool in_set = false, parent_in = false;

			for (size_t j = 0; j < nres; j++) {
				if (res[j] == all[i])
					in_set = true;
				if (res[j] == parent[i])
					parent_in = true;
			}
			if (!in_set && parent_in) {
				res[nres++] = all[i];
				grew = true;
			}
		}
	}
	free(all);
	free(parent);
	qsort(res, nres, sizeof(pid_t), cmp_pid);
	*out = res;
	*nout = nres;
	return 0;
}

/* Whether pid is pid 1 of a pid namespace below ours (the last NSpid field is 1). */
static bool is_pidns_init(pid_t pid)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	char path[64];
	size_t cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (getline(&line, &cap, f) >= 0) {
		char *last;

		if (strncmp(line, "NSpid:", 6))
			continue;
		line[strcspn(line, "\n")] = 0;
		last = strrchr(line, '\t');
		return last && last != strchr(line, '\t') && !strcmp(last + 1, "1");
	}
	return false;
}

int kc_signal_tree(const struct kstate *st, int sig, struct kerr **err)
{
	_cleanup_close_ int pidfd = kc_pidfd(st);
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, i;

	if (pidfd < 0)
		return 0;
	/* SIGKILL to a pid namespace's init kills every process in it (the kernel
	 * does it): no need to read the stat of every process on the host. */
	if (sig == SIGKILL && is_pidns_init(st->pid)) {
		if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
			return kerr_errno(err, "signal %d to pid %d", sig, (int)st->pid);
		return 0;
	}
	if (proc_tree(st->pid, &pids, &n) < 0)
		return kerr_errno(err, "list the processes of container `%s`", st->id);
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
		return kerr_errno(err, "signal %d to pid %d", sig, (int)st->pid);
	for (i = 0; i < n; i++) {
		if (pids[i] != st->pid)
			kill(pids[i], sig);
	}
	return 0;
}

int container_kill(const struct kglobal *g, const char *id, int sig, bool all,
		   struct kerr **err)
{
	struct kcontainer c;
	struct cgroup *cg = NULL;
	int pidfd = -1, ret = -1;

	if (kc_open(g, id, true, &c, err) < 0)
		return -1;
	if (!strcmp(c.status, "stopped") || !strcmp(c.status, "creating")) {
		if (all) {
			ret = 0;
			goto out;
		}
		kerr_set(err, 0, "cannot kill container `%s`: container not running", id);
		goto out;
	}
	if (all) {
		if (kc_cgroup(c.st, &cg, err) < 0)
			goto out;
		if (cg) {
			if (cgroup_kill(cg, sig, err) < 0)
				goto out;
		} else if (kc_signal_tree(c.st, sig, err) < 0) {
			goto out;
		}
		ret = 0;
		goto out;
	}
	pidfd = kc_pidfd(c.st);
	if (pidfd < 0) {
		kerr_set(err, 0, "cannot kill container `%s`: container not running", id);
		goto out;
	}
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
		kerr_errno(err, "kill container `%s` (pid %d) with signal %d", id, (int)c.st->pid,
			   sig);
		goto out;
	}
	ret = 0;
out:
	if (pidfd >= 0)
		close(pidfd);
	if (cg)
		cgroup_close(cg);
	kc_close(&c);
	return ret;
}
