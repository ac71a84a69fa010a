/* cgroup v2: finding the hierarchy, paths, create/open/enter/destroy,
 * freeze, kill, pids, and raw file access. Resources are in resources.c,
 * the devices program in devices_ebpf.c, stats in stats.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "../runtime/log.h"
#include "../runtime/util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static int root_fd = -1;
static const char *root_path;

static bool is_cgroup2(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

int cgroup_root_fd(struct kerr **err)
{
	static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };

	if (root_fd >= 0)
		return root_fd;
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		int fd;

		if (!is_cgroup2(candidates[i]))
			continue;
		fd = open(candidates[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return kerr_errno(err, "cgroup: open `%s`", candidates[i]);
		root_fd = fd;
		root_path = candidates[i];
		return root_fd;
	}
	return kerr_set(err, ENOENT, "cgroup: no cgroup v2 hierarchy at /sys/fs/cgroup "
			"or /sys/fs/cgroup/unified");
}

const char *cgroup_root_path(void)
{
	return root_path;
}

int cgroup_manager_parse(const char *name)
{
	if (!name || !strcmp(name, "cgroupfs"))
		return CGROUP_MANAGER_CGROUPFS;
	if (!strcmp(name, "systemd"))
		return CGROUP_MANAGER_SYSTEMD;
	if (!strcmp(name, "disabled"))
		return CGROUP_MANAGER_DISABLED;
	return -1;
}

const char *cgroup_manager_name(enum cgroup_manager m)
{
	switch (m) {
	case CGROUP_MANAGER_CGROUPFS: return "cgroupfs";
	case CGROUP_MANAGER_SYSTEMD: return "systemd";
	case CGROUP_MANAGER_DISABLED: return "disabled";
	}
	return "unknown";
}

/* Normalise: drop empty and "." components, refuse "..". */
static int normalise(const char *in, const char *prefix, char **out, struct kerr **err)
{
	_cleanup_free_ char *copy = xstrdup(in);
	size_t cap = strlen(in) + (prefix ? strlen(prefix) : 0) + 2, len = 0;
	char *res = xzalloc(cap), *save = NULL;

	if (prefix) {
		len = strlen(prefix);
		memcpy(res, prefix, len);
	}
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			free(res);
			return kerr_set(err, EINVAL, "cgroup: linux.cgroupsPath `%s`: "
					"`..` components are not allowed", in);
		}
		if (len)
			res[len++] = '/';
		memcpy(res + len, c, strlen(c));
		len += strlen(c);
	}
	res[len] = '\0';
	if (!len) {
		free(res);
		return kerr_set(err, EINVAL, "cgroup: linux.cgroupsPath `%s` names the root", in);
	}
	*out = res;
	return 0;
}

int cgroup_path_resolve(const char *cgroups_path, const char *id, char **out, struct kerr **err)
{
	if (!cgroups_path || !*cgroups_path) {
		if (!id || !*id || strchr(id, '/') || !strcmp(id, ".") || !strcmp(id, ".."))
			return kerr_set(err, EINVAL, "cgroup: invalid container id `%s`",
					id ? id : "");
		*out = xasprintf(CGROUP_DEFAULT_PARENT "/%s", id);
		return 0;
	}
	if (cgroups_path[0] != '/' && strchr(cgroups_path, ':'))
		return kerr_set(err, ENOTSUP, "cgroup: linux.cgroupsPath `%s`: systemd cgroup "
				"driver not supported yet", cgroups_path);
	if (cgroups_path[0] == '/')
		return normalise(cgroups_path, NULL, out, err);
	return normalise(cgroups_path, CGROUP_DEFAULT_PARENT, out, err);
}

char *cgroup_path_for(const char *cgroups_path, const char *id)
{
	struct kerr *e = NULL;
	char *out = NULL;

	if (cgroup_path_resolve(cgroups_path, id, &out, &e) < 0) {
		kerr_free(&e);
		return NULL;
	}
	return out;
}

int cg_write(int dirfd, const char *file, const char *value, struct kerr **err)
{
	_cleanup_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return kerr_errno(err, "cgroup: write %s=%s", file, value);
	/* One write(2): cgroupfs parses each write as a whole. */
	if (write(fd, value, strlen(value)) < 0)
		return kerr_errno(err, "cgroup: write %s=%s", file, value);
	return 0;
}

int cg_read(int dirfd, const char *file, char **out, struct kerr **err)
{
	if (read_file_at(dirfd, file, out, NULL, err) < 0)
		return kerr_wrap(err, "cgroup: read");
	return 0;
}

bool cg_has(int dirfd, const char *file)
{
	return faccessat(dirfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Whether the space-separated list has the word. */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n) {
		if ((p == list || p[-1] == ' ' || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	}
	return false;
}

static bool has_procs(int dirfd)
{
	_cleanup_free_ char *procs = NULL;
	struct kerr *e = NULL;

	if (cg_read(dirfd, "cgroup.procs", &procs, &e) < 0) {
		kerr_free(&e);
		return false;
	}
	return procs[0] != '\0';
}

/* "populated 1" in cgroup.events: processes here or below. */
static bool is_populated(int dirfd)
{
	_cleanup_free_ char *ev = NULL;
	struct kerr *e = NULL;
	char *p;

	if (cg_read(dirfd, "cgroup.events", &ev, &e) < 0) {
		kerr_free(&e);
		return false;
	}
	p = strstr(ev, "populated ");
	return p && p[10] == '1';
}

/* Enable the needed controllers in `dirfd`'s subtree_control (dirfd is an
 * ancestor of the container's cgroup; `name` its path for messages). */
static int enable_controllers(int dirfd, const char *name, bool is_root,
			      const struct cgroup_need *need, size_t n, struct kerr **err)
{
	_cleanup_free_ char *avail = NULL, *enabled = NULL;

	if (!n)
		return 0;
	if (cg_read(dirfd, "cgroup.controllers", &avail, err) < 0 ||
	    cg_read(dirfd, "cgroup.subtree_control", &enabled, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *plus = NULL;

		if (has_word(enabled, need[i].controller))
			continue;
		if (!has_word(avail, need[i].controller))
			return kerr_set(err, ENOTSUP, "cgroup: controller `%s` is not available "
					"for %s", need[i].controller, need[i].resource);
		/* No internal processes: a non-root cgroup with processes of its own
		 * cannot delegate controllers; do not move anything to make room. */
		if (!is_root && has_procs(dirfd))
			return kerr_set(err, EBUSY, "cgroup: cannot enable controller `%s` in "
					"`%s` for %s: it has processes of its own",
					need[i].controller, name, need[i].resource);
		plus = xasprintf("+%s", need[i].controller);
		if (cg_write(dirfd, "cgroup.subtree_control", plus, err) < 0)
			return kerr_wrap(err, "cgroup: `%s`", name);
	}
	return 0;
}

static struct cgroup *cgroup_new(int dirfd, const char *path)
{
	struct cgroup *cg = xzalloc(sizeof(*cg));

	cg->dirfd = dirfd;
	cg->path = xstrdup(path);
	return cg;
}

#define MAX_DEPTH 64

static const struct spec_resources no_resources;

int cgroup_create(const char *path, const struct spec_resources *res, struct cgroup **out,
		  struct kerr **err)
{
	struct cgroup_need need[32];
	size_t n_need = res ? cgroup_needed_controllers(res, need, 32) : 0;
	_cleanup_free_ char *copy = NULL, *sofar = NULL;
	char *made[MAX_DEPTH], *save = NULL;
	size_t n_made = 0;
	int rootfd, cur = -1;
	struct cgroup *cg;

	if (!path || !*path || strstr(path, ".."))
		return kerr_set(err, EINVAL, "cgroup: invalid cgroup path `%s`", path ? path : "");
	rootfd = cgroup_root_fd(err);
	if (rootfd < 0)
		return -1;
	while (*path == '/')
		path++;
	if (!*path)	/* never the root itself: destroy would try to remove it */
		return kerr_set(err, EINVAL, "cgroup: invalid cgroup path `/`");
	copy = xstrdup(path);
	sofar = xzalloc(strlen(path) + 1);
	cur = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return kerr_errno(err, "cgroup: open `%s`", root_path);
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next;

		if (enable_controllers(cur, *sofar ? sofar : "/", !*sofar, need, n_need, err) < 0)
			goto fail;
		if (*sofar)
			strcat(sofar, "/");
		strcat(sofar, c);
		if (mkdirat(cur, c, 0755) == 0) {
			if (n_made == MAX_DEPTH) {
				kerr_set(err, EINVAL, "cgroup: `%s` is too deep", path);
				unlinkat(cur, c, AT_REMOVEDIR);
				goto fail;
			}
			made[n_made++] = xstrdup(sofar);
		} else if (errno != EEXIST) {
			kerr_errno(err, "cgroup: mkdir `%s/%s`", root_path, sofar);
			goto fail;
		}
		next = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			kerr_errno(err, "cgroup: open `%s/%s`", root_path, sofar);
			goto fail;
		}
		close(cur);
		cur = next;
	}
	/* Never share a live cgroup: another container (same id under another
	 * --root, or a leftover) would get our limits and our kill. */
	if ((!n_made || strcmp(made[n_made - 1], path)) && is_populated(cur)) {
		kerr_set(err, EEXIST, "cgroup: `%s/%s` already exists and has processes",
			 root_path, path);
		goto fail;
	}
	cg = cgroup_new(cur, path);
	cur = -1;
	/* Without linux.resources the device filter still goes in (default
	 * deny plus the standard devices), as runc does. */
	if (cgroup_apply(cg, res ? res : &no_resources, false, err) < 0) {
		cgroup_close(cg);
		goto fail;
	}
	for (size_t i = 0; i < n_made; i++)
		free(made[i]);
	*out = cg;
	return 0;
fail:
	if (cur >= 0)
		close(cur);
	while (n_made > 0) {
		char *d = made[--n_made];

		if (unlinkat(rootfd, d, AT_REMOVEDIR) < 0)
			kwarn("cgroup: cleanup: rmdir `%s/%s`: %s", root_path, d, strerror(errno));
		free(d);
	}
	return -1;
}

int cgroup_enable_ancestors(struct cgroup *cg, const struct spec_resources *res,
			    struct kerr **err)
{
	struct cgroup_need need[32];
	size_t n = cgroup_needed_controllers(res, need, 32);
	_cleanup_free_ char *copy = NULL, *sofar = NULL;
	char *save = NULL, *c, *next_c;
	int rootfd, cur, ret = -1;

	if (!n)
		return 0;
	rootfd = cgroup_root_fd(err);
	if (rootfd < 0)
		return -1;
	copy = xstrdup(cg->path);
	sofar = xzalloc(strlen(cg->path) + 1);
	cur = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return kerr_errno(err, "cgroup: open `%s`", root_path);
	/* Each ancestor, from the root down to the cgroup's parent. */
	for (c = strtok_r(copy, "/", &save); c; c = next_c) {
		int next;

		next_c = strtok_r(NULL, "/", &save);
		if (enable_controllers(cur, *sofar ? sofar : "/", !*sofar, need, n, err) < 0)
			goto out;
		if (!next_c)
			break;
		if (*sofar)
			strcat(sofar, "/");
		strcat(sofar, c);
		next = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			kerr_errno(err, "cgroup: open `%s/%s`", root_path, sofar);
			goto out;
		}
		close(cur);
		cur = next;
	}
	ret = 0;
out:
	close(cur);
	return ret;
}

int cgroup_open(const char *path, struct cgroup **out, struct kerr **err)
{
	int rootfd = cgroup_root_fd(err), fd;

	if (rootfd < 0)
		return -1;
	if (strstr(path, ".."))
		return kerr_set(err, EINVAL, "cgroup: invalid path `%s`", path);
	while (*path == '/')
		path++;
	fd = openat(rootfd, *path ? path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "cgroup: open `%s/%s`", root_path, path);
	*out = cgroup_new(fd, path);
	return 0;
}

void cgroup_close(struct cgroup *cg)
{
	if (!cg)
		return;
	if (cg->dirfd >= 0)
		close(cg->dirfd);
	free(cg->path);
	free(cg);
}

const char *cgroup_get_path(const struct cgroup *cg)
{
	return cg->path;
}

int cgroup_dirfd(const struct cgroup *cg)
{
	return cg->dirfd;
}

int cgroup_enter(struct cgroup *cg, pid_t pid, struct kerr **err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (cg_write(cg->dirfd, "cgroup.procs", buf, err) < 0)
		return kerr_wrap(err, "cgroup: enter `%s`", cg->path);
	return 0;
}

/* Every pid in cgroup.procs of dirfd and its descendants, appended. */
static int collect_pids(int dirfd, pid_t **pids, size_t *n, size_t *cap, int depth,
			struct kerr **err)
{
	_cleanup_free_ char *procs = NULL;
	DIR *d;
	struct dirent *de;
	int dfd;

	if (cg_read(dirfd, "cgroup.procs", &procs, err) < 0)
		return -1;
	for (char *p = procs, *end; *p; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*pids = xrealloc(*pids, *cap * sizeof(**pids));
		}
		(*pids)[(*n)++] = (pid_t)v;
	}
	if (depth > MAX_DEPTH)
		return 0;
	dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return kerr_errno(err, "cgroup: list children");
	}
	while ((de = readdir(d))) {
		int child;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		child = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (child < 0)
			continue;	/* removed meanwhile */
		if (collect_pids(child, pids, n, cap, depth + 1, err) < 0) {
			close(child);
			closedir(d);
			return -1;
		}
		close(child);
	}
	closedir(d);
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct kerr **err)
{
	size_t cap = 0, count = 0, w = 0;
	pid_t *list = NULL;

	if (collect_pids(cg->dirfd, &list, &count, &cap, 0, err) < 0) {
		free(list);
		return kerr_wrap(err, "cgroup: `%s`", cg->path);
	}
	if (count)
		qsort(list, count, sizeof(*list), cmp_pid);
	for (size_t i = 0; i < count; i++)
		if (!w || list[w - 1] != list[i])
			list[w++] = list[i];
	*pids = list;
	*n = w;
	return 0;
}

int cgroup_kill(struct cgroup *cg, int sig, struct kerr **err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;

	if (sig == SIGKILL && cg_has(cg->dirfd, "cgroup.kill"))
		return cg_write(cg->dirfd, "cgroup.kill", "1", err);
	if (cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return kerr_errno(err, "cgroup: kill %d with signal %d", (int)pids[i], sig);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* rmdir dirfd's children depth-first (name is dirfd's path for messages). */
static int rmdir_children(int dirfd, const char *name, int depth, struct kerr **err)
{
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return errno == ENOENT ? 0 : kerr_errno(err, "cgroup: list `%s`", name);
	}
	while ((de = readdir(d))) {
		int child;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		child = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (child >= 0 && depth < MAX_DEPTH) {
			_cleanup_free_ char *sub = xasprintf("%s/%s", name, de->d_name);

			ret = rmdir_children(child, sub, depth + 1, err);
		}
		if (child >= 0)
			close(child);
		if (ret < 0)
			break;
		if (unlinkat(dirfd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			ret = kerr_errno(err, "cgroup: rmdir `%s/%s/%s`", root_path, name,
					 de->d_name);
			break;
		}
	}
	closedir(d);
	return ret;
}

int cgroup_destroy(struct cgroup *cg, bool kill_first, struct kerr **err)
{
	long deadline = now_ms() + 1000, delay = 5;
	int rootfd = cgroup_root_fd(err);

	if (rootfd < 0)
		return -1;
	/* The usual case, a stopped container: nothing left to kill or wait for. */
	if (unlinkat(rootfd, cg->path, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	for (;;) {
		struct kerr *e = NULL;

		if (kill_first)
			cgroup_kill(cg, SIGKILL, &e);
		kerr_free(&e);
		if (rmdir_children(cg->dirfd, cg->path, 0, &e) == 0) {
			if (unlinkat(rootfd, cg->path, AT_REMOVEDIR) == 0 || errno == ENOENT)
				return 0;
			kerr_errno(&e, "cgroup: rmdir `%s/%s`", root_path, cg->path);
		}
		if (e->errnum != EBUSY || now_ms() >= deadline)
			return kerr_pass(err, e);
		kerr_free(&e);
		sleep_ms(delay);
		if (delay < 100)
			delay *= 2;
	}
}

/* "frozen 1" in cgroup.events. */
static int read_frozen(int dirfd, bool *frozen, struct kerr **err)
{
	_cleanup_free_ char *ev = NULL;
	char *p;

	if (cg_read(dirfd, "cgroup.events", &ev, err) < 0)
		return -1;
	p = strstr(ev, "frozen ");
	if (!p)
		return kerr_set(err, ENOTSUP, "cgroup: cgroup.events has no `frozen` "
				"(kernel without the v2 freezer?)");
	*frozen = p[7] == '1';
	return 0;
}

int cgroup_is_frozen(struct cgroup *cg, bool *frozen, struct kerr **err)
{
	return read_frozen(cg->dirfd, frozen, err);
}

int cgroup_freeze(struct cgroup *cg, bool frozen, struct kerr **err)
{
	_cleanup_close_ int ev = openat(cg->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	long deadline = now_ms() + 10000;
	bool state;

	if (ev < 0)
		return kerr_errno(err, "cgroup: open cgroup.events of `%s`", cg->path);
	if (cg_write(cg->dirfd, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
		return -1;
	/* cgroup.events raises POLLPRI on change; poll with a timeout anyway
	 * so a missed notification only costs a short delay. */
	for (;;) {
		struct pollfd pfd = { .fd = ev, .events = POLLPRI };
		long left;

		if (read_frozen(cg->dirfd, &state, err) < 0)
			return -1;
		if (state == frozen)
			return 0;
		left = deadline - now_ms();
		if (left <= 0)
			return kerr_set(err, ETIMEDOUT, "cgroup: `%s` did not become %s",
					cg->path, frozen ? "frozen" : "thawed");
		if (poll(&pfd, 1, left < 50 ? left : 50) < 0 && errno != EINTR)
			return kerr_errno(err, "cgroup: poll cgroup.events");
		if (pfd.revents & POLLPRI) {
			char buf[256];

			if (pread(ev, buf, sizeof(buf), 0) < 0) {
				/* only re-arms the notification */
			}
		}
	}
}

int cgroup_read(struct cgroup *cg, const char *file, char *buf, size_t size, struct kerr **err)
{
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (!cgroup_unified_key_valid(file))
		return kerr_set(err, EINVAL, "cgroup: invalid file name `%s`", file);
	if (!size)
		return kerr_set(err, EINVAL, "cgroup: read %s: empty buffer", file);
	fd = openat(cg->dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return kerr_errno(err, "cgroup: read %s", file);
	n = read(fd, buf, size - 1);
	if (n < 0)
		return kerr_errno(err, "cgroup: read %s", file);
	buf[n] = '\0';
	return (int)n;
}

int cgroup_write(struct cgroup *cg, const char *file, const char *value, struct kerr **err)
{
	if (!cgroup_unified_key_valid(file))
		return kerr_set(err, EINVAL, "cgroup: invalid file name `%s`", file);
	return cg_write(cg->dirfd, file, value, err);
}
