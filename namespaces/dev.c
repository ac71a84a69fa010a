/* /dev: the default tmpfs, the standard nodes, linux.devices, the symlinks. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rootfs_internal.h"
#include "../runtime/util.h"

bool spec_has_mount_at(const struct spec *s, const char *dest)
{
	size_t l = strlen(dest);

	for (size_t i = 0; i < s->n_mounts; i++) {
		const char *d = s->mounts[i].destination;

		if (!d || strncmp(d, dest, l) != 0)
			continue;
		/* "/dev" and "/dev/" but not "/dev/pts" */
		if (strspn(d + l, "/") == strlen(d + l))
			return true;
	}
	return false;
}

static bool spec_has_type(const struct spec *s, const char *type)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (s->mounts[i].type && strcmp(s->mounts[i].type, type) == 0)
			return true;
	return false;
}

int dev_mount_default(struct rootfs_ctx *ctx, struct kerr **err)
{
	_cleanup_close_ int fd = mkdirs_in_root(ctx->rootfd, "/dev", 0755, err);
	char p[FD_PATH_LEN];

	if (fd < 0)
		return kerr_wrap(err, "mount `/dev` (tmpfs)");
	fd_path(fd, p);
	if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0)
		return kerr_errno(err, "mount `/dev` (tmpfs)");
	return 0;
}

struct dev_node {
	const char *path;	/* inside the container, starts with /dev/ */
	char type;		/* 'c', 'b', 'p' ('u' is 'c') */
	unsigned major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

static const struct dev_node std_nodes[] = {
	{ "/dev/null", 'c', 1, 3, 0666, 0, 0 },
	{ "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
	{ "/dev/full", 'c', 1, 7, 0666, 0, 0 },
	{ "/dev/random", 'c', 1, 8, 0666, 0, 0 },
	{ "/dev/urandom", 'c', 1, 9, 0666, 0, 0 },
	{ "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

/* Split "/dev/a/b" into an O_PATH fd of "/dev/a" (created) and "b". */
static int parent_of(int rootfd, const char *path, char **base, struct kerr **err)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int fd;

	if (!slash || !slash[1])
		return kerr_set(err, EINVAL, "device `%s`: not a file path", path);
	*slash = '\0';
	fd = mkdirs_in_root(rootfd, *dir ? dir : "/", 0755, err);
	if (fd >= 0)
		*base = xstrdup(slash + 1);
	return fd;
}

/* What a rootfs (whose /dev is not a fresh tmpfs) already has at the node's
 * place: 1 the right node, 0 nothing (or a stale entry now removed), -1 an
 * error. A symlink, a regular file or another device in its place (say
 * /dev/null -> a host path, CVE-2025-31133) is removed, never followed:
 * the container gets the real node. */
static int existing_node(int dfd, const char *base, const struct dev_node *n, mode_t kind,
			 struct kerr **err)
{
	struct stat sb;

	if (fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return kerr_errno(err, "stat `%s`", n->path);
	}
	if ((sb.st_mode & S_IFMT) == kind &&
	    (kind == S_IFIFO || sb.st_rdev == makedev(n->major, n->minor)))
		return 1;
	if (S_ISDIR(sb.st_mode))
		return kerr_set(err, EEXIST, "device `%s`: a directory is in its place", n->path);
	if (unlinkat(dfd, base, 0) < 0)
		return kerr_errno(err, "device `%s`: remove what is in its place", n->path);
	return 0;
}

/* No mknod in a user namespace: bind the host's node onto a file. */
static int bind_host_node(int dfd, const char *base, const struct dev_node *n, struct kerr **err)
{
	_cleanup_close_ int src = -1, dst = -1;
	struct stat sb;
	int fd;

	/* Only a regular file is a bind target: anything else goes. */
	if (fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(sb.st_mode)) {
		if (S_ISDIR(sb.st_mode) || unlinkat(dfd, base, 0) < 0)
			return kerr_set(err, S_ISDIR(sb.st_mode) ? EEXIST : errno,
					"device `%s`: cannot replace what is in its place", n->path);
	}
	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
	if (fd < 0)
		return kerr_errno(err, "create `%s`", n->path);
	close(fd);
	src = open(n->path, O_PATH | O_CLOEXEC);
	if (src < 0)
		return kerr_errno(err, "device `%s`: host node", n->path);
	dst = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0 || mnt_bind_fd(src, dst, false, 0, false) < 0)
		return kerr_errno(err, "bind mount device `%s`", n->path);
	return 0;
}

/* The node `base` in the directory `dfd` (an O_PATH fd resolved in the root). */
static int make_node_at(struct rootfs_ctx *ctx, int dfd, const char *base,
			const struct dev_node *n, bool set_owner, struct kerr **err)
{
	mode_t kind = n->type == 'b' ? S_IFBLK : n->type == 'p' ? S_IFIFO : S_IFCHR;
	dev_t dev = makedev(n->major, n->minor);
	int have;

	if (ctx->userns && kind != S_IFIFO)
		return bind_host_node(dfd, base, n, err);
	/* mknodat first: on a fresh /dev tmpfs the place is empty, and mknodat
	 * never follows a symlink (EEXIST). Whatever is there is then judged
	 * by existing_node() exactly as before a second try. */
	if (mknodat(dfd, base, kind | (n->mode & 0777), dev) < 0) {
		int saved = errno;

		have = existing_node(dfd, base, n, kind, err);
		if (have < 0)
			return -1;
		if (have)
			return 0;	/* e.g. a /dev bound from the host already has it */
		if (saved != EEXIST) {
			errno = saved;
			return kerr_errno(err, "mknod `%s`", n->path);
		}
		if (mknodat(dfd, base, kind | (n->mode & 0777), dev) < 0)
			return kerr_errno(err, "mknod `%s`", n->path);
	}
	/* mknod applies the umask: set the exact mode asked for. */
	if (fchmodat(dfd, base, n->mode & 07777, 0) < 0)
		return kerr_errno(err, "chmod `%s`", n->path);
	if (set_owner && fchownat(dfd, base, n->uid, n->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return kerr_errno(err, "chown `%s` to %u:%u", n->path, n->uid, n->gid);
	return 0;
}

static bool under_dev(const char *p)
{
	if (strncmp(p, "/dev/", 5) != 0 || !p[5])
		return false;
	/* no ".." component: the node must stay below /dev */
	for (const char *c = p; (c = strstr(c, "..")); c += 2)
		if ((c == p || c[-1] == '/') && (c[2] == '/' || !c[2]))
			return false;
	return true;
}

/* A linux.devices entry: it replaces a standard node it redefines. */
static int spec_device(struct rootfs_ctx *ctx, const struct dev_node *n, bool set_owner,
		       struct kerr **err)
{
	_cleanup_free_ char *base = NULL;
	_cleanup_close_ int dfd = parent_of(ctx->rootfd, n->path, &base, err);
	struct stat sb;

	if (dfd < 0)
		return -1;
	if (!ctx->userns && fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) || S_ISFIFO(sb.st_mode)))
		unlinkat(dfd, base, 0);
	return make_node_at(ctx, dfd, base, n, set_owner, err);
}

static int spec_devices(struct rootfs_ctx *ctx, struct kerr **err)
{
	const struct spec_linux *l = ctx->spec->linux_;

	if (!l)
		return 0;
	for (size_t i = 0; i < l->n_devices; i++) {
		const struct spec_device *d = &l->devices[i];
		struct dev_node n = { 0 };

		if (!d->path || !under_dev(d->path))
			return kerr_set(err, EINVAL, "linux.devices[%zu].path: `%s` is not below /dev",
					i, d->path ? d->path : "");
		if (!d->type || strlen(d->type) != 1 || !strchr("cbup", d->type[0]))
			return kerr_set(err, EINVAL, "linux.devices[%zu].type: invalid `%s`",
					i, d->type ? d->type : "");
		n.path = d->path;
		n.type = d->type[0] == 'u' ? 'c' : d->type[0];
		n.major = d->major;
		n.minor = d->minor;
		n.mode = d->has_file_mode ? d->file_mode : 0666;
		n.uid = d->has_uid ? d->uid : 0;
		n.gid = d->has_gid ? d->gid : 0;
		if (spec_device(ctx, &n, d->has_uid || d->has_gid, err) < 0)
			return kerr_wrap(err, "linux.devices[%zu]", i);
	}
	return 0;
}

static int dev_symlink(int devfd, const char *target, const char *name, struct kerr **err)
{
	if (symlinkat(target, devfd, name) < 0 && errno != EEXIST)
		return kerr_errno(err, "symlink /dev/%s -> %s", name, target);
	return 0;
}

/* /dev/console: a regular file, the bind target of the pty. Whatever else a
 * rootfs has there (a symlink to a host path, CVE-2025-52565, or the real
 * console device, which must never be opened) is replaced, never followed. */
static int console_target(int devfd, struct kerr **err)
{
	struct stat sb;
	int fd;

	if (fstatat(devfd, "console", &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISREG(sb.st_mode))
			return 0;
		if (S_ISDIR(sb.st_mode) || unlinkat(devfd, "console", 0) < 0)
			return kerr_set(err, S_ISDIR(sb.st_mode) ? EEXIST : errno,
					"/dev/console: cannot replace what is in its place");
	}
	fd = openat(devfd, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return kerr_errno(err, "create /dev/console");
	close(fd);
	return 0;
}

int dev_populate(struct rootfs_ctx *ctx, struct kerr **err)
{
	_cleanup_close_ int devfd = mkdirs_in_root(ctx->rootfd, "/dev", 0755, err);

	if (devfd < 0)
		return -1;
	/* All below the one /dev resolved above: "/dev/" + a plain name. */
	for (size_t i = 0; i < sizeof(std_nodes) / sizeof(std_nodes[0]); i++)
		if (make_node_at(ctx, devfd, std_nodes[i].path + strlen("/dev/"), &std_nodes[i],
				 false, err) < 0)
			return -1;
	if (spec_devices(ctx, err) < 0)
		return -1;
	if (dev_symlink(devfd, "/proc/self/fd", "fd", err) < 0 ||
	    dev_symlink(devfd, "/proc/self/fd/0", "stdin", err) < 0 ||
	    dev_symlink(devfd, "/proc/self/fd/1", "stdout", err) < 0 ||
	    dev_symlink(devfd, "/proc/self/fd/2", "stderr", err) < 0)
		return -1;
	/* Whatever a rootfs already has as /dev/ptmx stays (EEXIST). */
	if (dev_symlink(devfd, "pts/ptmx", "ptmx", err) < 0)
		return -1;
	if (spec_has_type(ctx->spec, "proc") && dev_symlink(devfd, "/proc/kcore", "core", err) < 0)
		return -1;
	if ((mkdirat(devfd, "pts", 0755) < 0 && errno != EEXIST) ||
	    (mkdirat(devfd, "shm", 01777) < 0 && errno != EEXIST))
		return kerr_errno(err, "mkdir /dev/pts, /dev/shm");
	if (ctx->terminal)
		return console_target(devfd, err);
	return 0;
}
