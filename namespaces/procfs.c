/* Verified procfs access. Everything keel writes below /proc (sysctls,
 * oom_score_adj, LSM labels, id maps, time offsets) goes through one handle
 * on the root of a procfs, and every file is opened beneath it without
 * crossing a mount or following a symlink. A container's mounts (a bind of a
 * file or of another procfs file over /proc/sys/..., a tmpfs over /proc/sys,
 * a fake /proc in the image) can then never redirect a write
 * (CVE-2019-16884, CVE-2025-52881).
 *
 * The handle, best first:
 *   1. a private procfs instance of our pid namespace (fsopen + fsmount):
 *      a detached mount nobody else can see or mount over;
 *   2. a detached clone of the /proc mount alone (open_tree OPEN_TREE_CLONE
 *      without AT_RECURSIVE: none of the mounts on top of it come along);
 *   3. /proc itself, where the in-root checks below are what protects us.
 * Each is checked to be the root directory of a procfs (fstatfs magic and
 * the procfs root inode).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "namespaces.h"
#include "../runtime/util.h"

#define PROC_ROOT_INO 1

static int proc_root = -1;
static enum procfs_kind proc_kind = PROCFS_NONE;
static enum procfs_kind forced_kind = PROCFS_NONE;
static bool force_walk;

void procfs_force_kind(enum procfs_kind kind, bool walk)
{
	procfs_reset();
	forced_kind = kind;
	force_walk = walk;
}

/* Is fd on a filesystem of this type (PROC_SUPER_MAGIC, NSFS_MAGIC)? */
static bool on_fs(int fd, long magic)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == magic;
}

static bool is_proc_root(int fd)
{
	struct stat sb;

	return on_fs(fd, PROC_SUPER_MAGIC) && fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	       sb.st_ino == PROC_ROOT_INO;
}

/* A new procfs instance of the caller's pid namespace, mounted nowhere. */
static int private_instance(void)
{
	int fs, mnt = -1, saved;

	fs = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -1;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			      MOUNT_ATTR_NOEXEC);
	saved = errno;
	close(fs);
	errno = saved;
	return mnt;
}

static int open_handle(void)
{
	int fd;

	fd = forced_kind > PROCFS_PRIVATE ? -1 : private_instance();
	if (fd >= 0 && is_proc_root(fd)) {
		proc_kind = PROCFS_PRIVATE;
		return fd;
	}
	if (fd >= 0)
		close(fd);
	/* EPERM: a user namespace that does not own our pid namespace, or a
	 * /proc that is not fully visible; ENOSYS: before Linux 5.2. */
	fd = forced_kind > PROCFS_CLONE ? -1 :
	     open_tree(AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd >= 0 && is_proc_root(fd)) {
		proc_kind = PROCFS_CLONE;
		return fd;
	}
	if (fd >= 0)
		close(fd);
	fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && is_proc_root(fd)) {
		proc_kind = PROCFS_HOST;
		return fd;
	}
	if (fd >= 0)
		close(fd);
	errno = EXDEV;
	return -1;
}

int procfs_root(struct kerr **err)
{
	if (proc_root >= 0)
		return proc_root;
	proc_root = open_handle();
	if (proc_root < 0)
		return kerr_set(err, errno, "no procfs to write to: /proc is not a procfs mount");
	return proc_root;
}

enum procfs_kind procfs_kind(void)
{
	return proc_kind;
}

int procfs_seal(struct kerr **err)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	/* /proc itself (kernels before 5.2) is not ours to change. */
	if (proc_root < 0 || proc_kind == PROCFS_HOST)
		return 0;
	if (mount_setattr(proc_root, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0 && errno != ENOSYS)
		return kerr_errno(err, "make the procfs handle read-only");
	return 0;
}

void procfs_reset(void)
{
	if (proc_root >= 0)
		close(proc_root);
	proc_root = -1;
	proc_kind = PROCFS_NONE;
}

/* The mount id of fd (statx, Linux 5.8), or 0 when the kernel cannot say. */
static unsigned long long mount_id(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
		return 0;
	return stx.stx_mnt_id;
}

/* Kernels without openat2 (or a seccomp filter that refuses it): one
 * component at a time, never following a symlink, and checking each step is
 * still the handle's procfs and mount. A bind of a file of the same procfs
 * instance shows only in the mount id: before Linux 5.8 that is unknown,
 * but the handle is then a detached mount (private or cloned) where nothing
 * can be mounted, except on kernels older than 5.2. */
static int walk_beneath(int root, const char *path, int flags)
{
	_cleanup_free_ char *buf = xstrdup(path);
	char *save = NULL, *comp, *next;
	unsigned long long rmnt = mount_id(root);
	struct stat rsb, sb;
	int cur = -1, fd;

	if (fstat(root, &rsb) < 0)
		return -1;
	comp = strtok_r(buf, "/", &save);
	while (comp) {
		bool last;

		next = strtok_r(NULL, "/", &save);
		last = !next;
		if (!strcmp(comp, "..") || !strcmp(comp, ".")) {
			errno = EXDEV;
			goto fail;
		}
		fd = openat(cur < 0 ? root : cur, comp,
			    last ? (flags | O_NOFOLLOW | O_CLOEXEC) : (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
		if (fd < 0) {
			struct stat lsb;

			/* O_DIRECTORY|O_NOFOLLOW on a symlink says ENOTDIR. */
			if (errno == ENOTDIR && fstatat(cur < 0 ? root : cur, comp, &lsb,
							AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lsb.st_mode))
				errno = ELOOP;
			goto fail;
		}
		if (cur >= 0)
			close(cur);
		cur = fd;
		if (fstat(cur, &sb) < 0)
			goto fail;
		if (S_ISLNK(sb.st_mode)) {
			errno = ELOOP;
			goto fail;
		}
		if (sb.st_dev != rsb.st_dev || (rmnt && mount_id(cur) != rmnt)) {
			errno = EXDEV;
			goto fail;
		}
		comp = next;
	}
	if (cur < 0)
		errno = EISDIR;
	return cur;
fail:
	if (cur >= 0) {
		int saved = errno;

		close(cur);
		errno = saved;
	}
	return -1;
}

static int open_beneath(int root, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_NOFOLLOW | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	int fd = force_walk ? -1 : syscall(SYS_openat2, root, path, &how, sizeof(how));

	/* EPERM: a seccomp filter that does not know openat2 yet. */
	if (!force_walk && (fd >= 0 || (errno != ENOSYS && errno != EPERM)))
		return fd;
	return walk_beneath(root, path, flags);
}

/* "self" is a symlink: replace it by our pid as the handle's procfs
 * numbers it (readlink of the handle's own "self", which no mount can hide
 * on a detached handle). Accepts "/proc/x", "x", "self/x", "<pid>/x". */
static char *proc_relpath(int root, const char *path)
{
	char pid[32];
	ssize_t n;

	if (!strncmp(path, "/proc/", 6))
		path += 6;
	while (*path == '/')
		path++;
	if (strncmp(path, "self/", 5) && strcmp(path, "self"))
		return xstrdup(path);
	n = readlinkat(root, "self", pid, sizeof(pid) - 1);
	if (n <= 0)
		return NULL;
	pid[n] = '\0';
	for (char *p = pid; *p; p++)
		if (!isdigit((unsigned char)*p)) {
			errno = EXDEV;
			return NULL;
		}
	return xasprintf("%s%s", pid, path + 4);
}

int proc_open(const char *path, int flags, struct kerr **err)
{
	_cleanup_free_ char *rel = NULL;
	int root = procfs_root(err), fd;

	if (root < 0)
		return -1;
	rel = proc_relpath(root, path);
	if (!rel)
		return kerr_errno(err, "open `%s`: resolve /proc/self", path);
	fd = open_beneath(root, rel, flags);
	if (fd < 0) {
		if (errno == EXDEV || errno == ELOOP)
			return kerr_set(err, EXDEV, "open `%s`: it is not the procfs file (a mount "
					"or a symlink is in the way)", path);
		return kerr_errno(err, "open `%s`", path);
	}
	/* Belt and braces: the file we got is on procfs. */
	if (!on_fs(fd, PROC_SUPER_MAGIC)) {
		close(fd);
		return kerr_set(err, EXDEV, "`%s` is not on procfs", path);
	}
	return fd;
}

int proc_write(const char *path, const char *value, struct kerr **err)
{
	_cleanup_close_ int fd = proc_open(path, O_WRONLY, err);
	size_t len = strlen(value);

	if (fd < 0)
		return -1;
	/* One write: the kernel takes id maps and most values whole. */
	if (write(fd, value, len) != (ssize_t)len)
		return kerr_errno(err, "write `%s` to `%s`", value, path);
	return 0;
}

int proc_open_ns(const char *pid, const char *name, struct kerr **err)
{
	_cleanup_free_ char *dir = xasprintf("%s/ns", pid);
	_cleanup_close_ int dfd = proc_open(dir, O_PATH | O_DIRECTORY, err);
	int fd;

	if (dfd < 0)
		return -1;
	/* The entries are magic links to the namespaces: followed on purpose. */
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "open `/proc/%s/ns/%s`", pid, name);
	if (!on_fs(fd, NSFS_MAGIC)) {
		close(fd);
		return kerr_set(err, EXDEV, "`/proc/%s/ns/%s` is not a namespace file", pid, name);
	}
	return fd;
}

int proc_reopen(int fd, int flags, struct kerr **err)
{
	char name[16];
	_cleanup_close_ int dfd = proc_open("self/fd", O_PATH | O_DIRECTORY, err);
	int nfd;

	if (dfd < 0)
		return -1;
	snprintf(name, sizeof(name), "%d", fd);
	/* fd/N is a magic link to the open file: followed on purpose. */
	nfd = openat(dfd, name, flags | O_CLOEXEC);
	if (nfd < 0)
		return kerr_errno(err, "reopen fd %d", fd);
	return nfd;
}
