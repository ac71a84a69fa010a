/* One spec mount: resolve/create the destination inside the root by fd,
 * mount onto the fd, then apply propagation and recursive attributes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "rootfs_internal.h"
#include "../runtime/util.h"

void fd_path(int fd, char buf[FD_PATH_LEN])
{
	snprintf(buf, FD_PATH_LEN, "/proc/self/fd/%d", fd);
}

static unsigned int flags_to_attr(unsigned long flags, unsigned int *clr)
{
	unsigned int a = 0;

	*clr = 0;
	if (flags & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (flags & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (flags & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (flags & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (flags & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
		*clr |= MOUNT_ATTR__ATIME;
		if (flags & MS_NOATIME)
			a |= MOUNT_ATTR_NOATIME;
		else if (flags & MS_STRICTATIME)
			a |= MOUNT_ATTR_STRICTATIME;
		else
			a |= MOUNT_ATTR_RELATIME;
	}
	return a;
}

/* The flags a remount must repeat so a user namespace may do it. */
static unsigned long locked_flags(int fd)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (fstatvfs(fd, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

int mnt_setattr(int fd, unsigned long flags, bool recursive)
{
	struct mount_attr attr = { 0 };
	unsigned int clr;
	char p[FD_PATH_LEN];

	attr.attr_set = flags_to_attr(flags, &clr);
	attr.attr_clr = clr;
	if (!attr.attr_set && !attr.attr_clr)
		return 0;
	if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
			  &attr, sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	/* Old kernel: MS_REMOUNT|MS_BIND, repeating the locked flags. */
	fd_path(fd, p);
	return mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | flags | locked_flags(fd), NULL);
}

int mnt_remount_ro(int fd, bool recursive)
{
	return mnt_setattr(fd, MS_RDONLY, recursive);
}

int mnt_bind_fd(int srcfd, int dstfd, bool recursive, unsigned long flags, bool attr_rec)
{
	char s[FD_PATH_LEN], d[FD_PATH_LEN];
	int tree, saved;

	tree = open_tree(srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
			 (recursive ? AT_RECURSIVE : 0));
	if (tree >= 0) {
		if (mnt_setattr(tree, flags, attr_rec) < 0 ||
		    move_mount(tree, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
			saved = errno;
			close(tree);
			errno = saved;
			return -1;
		}
		close(tree);
		return 0;
	}
	if (errno != ENOSYS)
		return -1;
	fd_path(srcfd, s);
	fd_path(dstfd, d);
	if (mount(s, d, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		return -1;
	if (!(flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
		       MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)))
		return 0;
	/* The fd still names the covered directory: reopen through the path. */
	{
		int top = open(d, O_PATH | O_CLOEXEC), r;

		if (top < 0)
			return -1;
		r = mnt_setattr(top, flags, false);
		saved = errno;
		close(top);
		errno = saved;
		return r;
	}
}

int mount_bind_fd(int srcfd, int dstfd, struct kerr **err)
{
	if (mnt_bind_fd(srcfd, dstfd, false, 0, false) < 0)
		return kerr_errno(err, "bind mount");
	return 0;
}

int mnt_tmpfs_ro(int dstfd, int *tmpl)
{
	char d[FD_PATH_LEN];
	int fs, mnt, r, saved;

	if (*tmpl >= 0)
		return mnt_bind_fd(*tmpl, dstfd, false, 0, false);
	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs >= 0) {
		mnt = -1;
		r = -1;
		/* A read-only superblock too, as mount(2) with MS_RDONLY makes:
		 * the masks share it, and a remount of one mount rw must not
		 * make any of them writable. */
		if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "0", 0) == 0 &&
		    fsconfig(fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) == 0 &&
		    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
			mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
		if (mnt >= 0)
			r = move_mount(mnt, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
		saved = errno;
		close(fs);
		/* Attached now, it can be cloned (a detached one only since 6.15). */
		if (r == 0)
			*tmpl = mnt;
		else if (mnt >= 0)
			close(mnt);
		errno = saved;
		return r;
	}
	if (errno != ENOSYS)
		return -1;
	fd_path(dstfd, d);
	return mount("tmpfs", d, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0");
}

int mkfile_in_root(int rootfd, const char *path, mode_t mode, struct kerr **err)
{
	_cleanup_free_ char *dir = xstrdup(path);
	_cleanup_close_ int dfd = -1;
	char *slash, *base;
	int fd;

	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = '\0';
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		base = slash + 1;
		dfd = mkdirs_in_root(rootfd, *dir ? dir : "/", 0755, err);
	} else {
		base = dir;
		dfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	}
	if (dfd < 0)
		return -1;
	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 && errno != EEXIST)
		return kerr_errno(err, "create `%s` in the rootfs", path);
	if (fd >= 0)
		close(fd);
	return resolve_in_root(rootfd, path, O_PATH, 0, err);
}

static int copy_file(int src, int dst)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(src, buf, sizeof(buf))) > 0)
		if (write_all(dst, buf, n) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}

static int copy_entry(int src, int dst, const char *name)
{
	struct stat sb;
	mode_t perm;
	int r = 0;

	if (fstatat(src, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	perm = sb.st_mode & 07777;
	if (S_ISDIR(sb.st_mode)) {
		_cleanup_close_ int s = -1, d = -1;

		if (mkdirat(dst, name, 0700) < 0)
			return -1;
		s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0 || copy_tree(s, d) < 0)
			return -1;
	} else if (S_ISREG(sb.st_mode)) {
		_cleanup_close_ int s = -1, d = -1;

		s = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		d = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (s < 0 || d < 0 || copy_file(s, d) < 0)
			return -1;
	} else if (S_ISLNK(sb.st_mode)) {
		char t[PATH_MAX];
		ssize_t n = readlinkat(src, name, t, sizeof(t) - 1);

		if (n < 0)
			return -1;
		t[n] = '\0';
		if (symlinkat(t, dst, name) < 0)
			return -1;
		/* Symlink ownership only; their mode is meaningless. */
		if (fchownat(dst, name, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
			return -1;
		return 0;
	} else {
		if (mknodat(dst, name, sb.st_mode, sb.st_rdev) < 0)
			return -1;
	}
	/* EINVAL: an owner not mapped in this user namespace; keep ours. */
	if (fchownat(dst, name, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
		r = -1;
	if (fchmodat(dst, name, perm, 0) < 0)
		r = -1;
	return r;
}

int copy_tree(int src, int dst)
{
	int dfd = fcntl(src, F_DUPFD_CLOEXEC, 0);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (dfd < 0)
		return -1;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_entry(src, dst, de->d_name) < 0) {
			r = -1;
			break;
		}
	}
	closedir(d);
	return r;
}
