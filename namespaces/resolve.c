/* Path resolution confined to a root directory fd. openat2(RESOLVE_IN_ROOT)
 * where the kernel has it; otherwise a walk of O_PATH|O_NOFOLLOW fds that
 * expands symlinks itself and clamps ".." at the root. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "namespaces.h"
#include "../runtime/util.h"

#define MAX_SYMLINKS 40

static bool force_fallback;

void resolve_force_fallback(bool on)
{
	force_fallback = on;
}

static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
	return syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

struct fdstack {
	int *fds;
	size_t n, cap;
};

static void stack_push(struct fdstack *s, int fd)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->fds = xrealloc(s->fds, s->cap * sizeof(int));
	}
	s->fds[s->n++] = fd;
}

static void stack_free(struct fdstack *s)
{
	/* fds[0] is the caller's root: not ours to close. */
	for (size_t i = 1; i < s->n; i++)
		close(s->fds[i]);
	free(s->fds);
}

/* Split the next component off *rest; returns NULL at the end. */
static char *next_component(char **rest)
{
	char *p = *rest, *c;

	while (*p == '/')
		p++;
	if (!*p)
		return NULL;
	c = p;
	while (*p && *p != '/')
		p++;
	if (*p)
		*p++ = '\0';
	*rest = p;
	return c;
}

static bool only_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return *p == '\0';
}

static int walk_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	struct fdstack st = { 0 };
	_cleanup_free_ char *buf = xstrdup(path);
	char *rest = buf, *comp;
	int links = 0, ret = -1, saved;

	stack_push(&st, rootfd);
	while ((comp = next_component(&rest))) {
		int cur = st.fds[st.n - 1], fd;
		bool last = only_slashes(rest);
		struct stat sb;

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (st.n > 1)
				close(st.fds[--st.n]);
			continue;
		}
		fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT && last && (flags & O_CREAT)) {
				ret = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
				goto out;
			}
			goto out;
		}
		if (fstat(fd, &sb) < 0) {
			close(fd);
			goto out;
		}
		if (S_ISLNK(sb.st_mode) && !(last && (flags & O_NOFOLLOW))) {
			char target[PATH_MAX];
			ssize_t len = readlinkat(fd, "", target, sizeof(target) - 1);
			char *nbuf;

			close(fd);
			if (len < 0)
				goto out;
			if (++links > MAX_SYMLINKS) {
				errno = ELOOP;
				goto out;
			}
			target[len] = '\0';
			if (target[0] == '/')
				while (st.n > 1)
					close(st.fds[--st.n]);
			nbuf = xasprintf("%s/%s", target, rest);
			free(buf);
			buf = nbuf;
			rest = buf;
			continue;
		}
		if (!last && !S_ISDIR(sb.st_mode)) {
			close(fd);
			errno = ENOTDIR;
			goto out;
		}
		stack_push(&st, fd);
	}
	/* The leaf is the top of the stack (the root itself for "/"). */
	{
		int leaf = st.fds[st.n - 1];
		struct stat sb;

		if (fstat(leaf, &sb) < 0)
			goto out;
		if ((flags & O_DIRECTORY) && !S_ISDIR(sb.st_mode)) {
			errno = ENOTDIR;
			goto out;
		}
		if ((flags & O_CREAT) && (flags & O_EXCL)) {
			errno = EEXIST;
			goto out;
		}
		if (flags & O_PATH) {
			ret = st.n > 1 ? steal_fd(&st.fds[--st.n]) : fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
			goto out;
		}
		if (S_ISLNK(sb.st_mode)) {
			errno = ELOOP;
			goto out;
		}
		/* Reopen the O_PATH fd for real I/O without another path walk
		 * (through the verified procfs handle, not whatever /proc is). */
		{
			ret = proc_reopen(leaf, flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW), NULL);
			if (ret < 0 && S_ISDIR(sb.st_mode))
				ret = openat(leaf, ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
		}
	}
out:
	saved = errno;
	stack_free(&st);
	errno = saved;
	return ret;
}

int resolve_in_root(int rootfd, const char *path, int flags, mode_t mode, struct kerr **err)
{
	int fd = -1;

	if (!force_fallback) {
		struct open_how how = {
			.flags = (unsigned)(flags | O_CLOEXEC),
			.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};

		fd = sys_openat2(rootfd, path, &how);
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS && errno != EPERM)
			return kerr_errno(err, "open `%s` in the rootfs", path);
		/* EPERM: a seccomp filter that does not know openat2 yet. */
	}
	fd = walk_in_root(rootfd, path, flags, mode);
	if (fd < 0)
		return kerr_errno(err, "open `%s` in the rootfs", path);
	return fd;
}

/* The prefixes of `path` as mkdir -p walks them: "/a", "/a/b", ... (each
 * "/" + components joined by "/"); NULL-terminated, *n of them. */
static char **prefixes(const char *path, size_t *n)
{
	_cleanup_free_ char *buf = xstrdup(path);
	char *rest = buf, *comp, *prev = "";
	char **v = xmalloc((strlen(path) / 2 + 2) * sizeof(*v));

	*n = 0;
	while ((comp = next_component(&rest))) {
		v[*n] = xasprintf("%s/%s", prev, comp);
		prev = v[(*n)++];
	}
	v[*n] = NULL;
	return v;
}

/* Resolve a directory below the root; *e is set (the caller frees it) on
 * failure. */
static int resolve_dir(int rootfd, const char *path, struct kerr **e)
{
	*e = NULL;
	return resolve_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0, e);
}

/* The common case costs one resolution: the whole path first. When it is
 * missing, the longest prefix that resolves is found going back up, and only
 * the components below it are created, each below its resolved parent and
 * resolved again after the mkdir, so a racing symlink can still not lead out
 * of the root. An error names the shortest prefix that fails, as a walk from
 * the root would. */
int mkdirs_in_root(int rootfd, const char *path, mode_t mode, struct kerr **err)
{
	size_t n, k;
	_cleanup_strv_ char **pre = prefixes(path, &n);
	struct kerr *e = NULL;
	int cur = -1, fd;

	if (n == 0) {
		cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
		if (cur < 0)
			return kerr_errno(err, "dup rootfs fd");
		return cur;
	}
	for (k = n; k > 0; k--) {
		struct kerr *ek;

		cur = resolve_dir(rootfd, pre[k - 1], &ek);
		if (cur >= 0)
			break;
		kerr_free(&e);
		e = ek;
	}
	if (k == n)
		return cur;
	/* pre[k] failed with `e`; cur is pre[k - 1] (-1: the root itself). */
	for (size_t i = k; i < n; i++) {
		const char *comp = strrchr(pre[i], '/') + 1;

		if (i > k)
			fd = resolve_dir(rootfd, pre[i], &e);
		else
			fd = -1;
		if (fd < 0 && e->errnum == ENOENT) {
			kerr_free(&e);
			if (mkdirat(cur >= 0 ? cur : rootfd, comp, mode) < 0 && errno != EEXIST) {
				int r = kerr_errno(err, "mkdir `%s` in the rootfs", pre[i]);

				if (cur >= 0)
					close(cur);
				return r;
			}
			fd = resolve_dir(rootfd, pre[i], &e);
			if (fd < 0 && e->errnum == ENOENT) {
				/* Still missing after mkdir: a symlink to nowhere. Its target
				 * is not created for it (it may name a host path). */
				kerr_free(&e);
				kerr_set(&e, ENOENT, "`%s` in the rootfs is a dangling symlink", pre[i]);
			}
		}
		if (cur >= 0)
			close(cur);
		if (fd < 0)
			return kerr_pass(err, e);
		cur = fd;
	}
	return cur;
}
