/* The container's root: propagation, the rootfs bind, the spec mounts in
 * order, /dev, then pivot_root (or MS_MOVE + chroot). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rootfs_internal.h"
#include "../runtime/fault.h"
#include "../runtime/util.h"

static const struct {
	const char *name;
	unsigned long flags;
} propagation_table[] = {
	{ "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
	{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

int root_propagation(const struct spec *s, unsigned long *out, struct kerr **err)
{
	const char *p = s->linux_ ? s->linux_->rootfs_propagation : NULL;

	*out = MS_SLAVE | MS_REC;
	if (!p || !*p)
		return 0;
	for (size_t i = 0; i < sizeof(propagation_table) / sizeof(propagation_table[0]); i++)
		if (strcmp(propagation_table[i].name, p) == 0) {
			*out = propagation_table[i].flags;
			return 0;
		}
	return kerr_set(err, EINVAL, "linux.rootfsPropagation: unknown value `%s`", p);
}

/* The mount point (in this namespace) of the mount holding `path`. */
static char *mount_point_of(const char *path)
{
	_cleanup_fclose_ FILE *f = NULL;
	struct statx stx;
	char line[4096];

	if (statx(AT_FDCWD, path, 0, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
		return NULL;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long id;
		char mp[4096];

		/* Mount points with spaces are octal-escaped, never split. */
		if (sscanf(line, "%llu %*s %*s %*s %4095s", &id, mp) == 2 && id == stx.stx_mnt_id)
			return xstrdup(mp);
	}
	return NULL;
}

/* pivot_root refuses a new root whose parent mount is shared, and a shared
 * parent would also carry the rootfs bind back to the host: make it private
 * (runc does the same for rootfsPropagation "shared"/"rshared"). */
static int rootfs_parent_private(const char *rootfs, struct kerr **err)
{
	_cleanup_free_ char *mp = mount_point_of(rootfs);

	if (!mp)
		return kerr_errno(err, "find the mount of the rootfs `%s`", rootfs);
	if (mount(NULL, mp, NULL, MS_PRIVATE, NULL) < 0)
		return kerr_errno(err, "make `%s` (the mount holding the rootfs) private", mp);
	return 0;
}

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* /proc and /sys must be real directories: a symlink would let the image
 * redirect a kernel filesystem anywhere in the container. */
static int check_not_symlink(int rootfd, const char *dest, struct kerr **err)
{
	_cleanup_free_ char *dir = xstrdup(dest);
	_cleanup_close_ int dfd = -1;
	struct stat sb;
	char *slash, *base;

	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	base = slash + 1;
	/* "/proc": the root itself is the parent, no need to resolve it. */
	if (*dir)
		dfd = resolve_in_root(rootfd, dir, O_PATH | O_DIRECTORY, 0, NULL);
	if (*dir && dfd < 0)
		return 0;	/* missing parent: mkdirs will create real directories */
	if (fstatat(*dir ? dfd : rootfd, base, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode))
		return kerr_set(err, 0, "mount destination %s is a symlink in the rootfs", dest);
	return 0;
}

/* Our own cgroup v2 directory on the host ("/sys/fs/cgroup[/unified]/<path>"
 * from the "0::<path>" line of /proc/self/cgroup, read through the procfs
 * handle). A fallback bind of the whole hierarchy would hand the container
 * every other cgroup of the host (CVE-2023-25809). */
static char *own_cgroup_dir(void)
{
	_cleanup_close_ int fd = proc_open("self/cgroup", O_RDONLY, NULL);
	_cleanup_fclose_ FILE *f = NULL;
	const char *base = "/sys/fs/cgroup";
	char line[4096];
	struct stat sb;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "re");
	if (!f)
		return NULL;
	fd = -1;
	if (stat("/sys/fs/cgroup/unified", &sb) == 0 && S_ISDIR(sb.st_mode))
		base = "/sys/fs/cgroup/unified";
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "0::/", 4) && !strstr(line, "/.."))
			return xasprintf("%s%s", base, line + 3);
	}
	return NULL;
}

/* The host filesystem a kernel mount falls back to when the kernel refuses
 * a new instance (EPERM in a user namespace that does not own the right ns).
 * None for cgroupfs: without a cgroup namespace the own cgroup is bound
 * anyway, and inside one /proc/self/cgroup does not name the host path. */
static char *fallback_source(const char *type)
{
	if (streq(type, "sysfs"))
		return xstrdup("/sys");
	if (streq(type, "mqueue"))
		return xstrdup("/dev/mqueue");
	return NULL;
}

static int bind_host_path(const char *src, int dstfd, unsigned long flags)
{
	int sfd = open(src, O_PATH | O_CLOEXEC), r, saved;

	if (sfd < 0)
		return -1;
	/* The read-only etc. of a fallback covers everything below it too. */
	r = mnt_bind_fd(sfd, dstfd, true, flags, true);
	saved = errno;
	close(sfd);
	errno = saved;
	return r;
}

/* devpts: a private instance, ptmx usable by everyone unless the spec says. */
static char *devpts_data(const char *data)
{
	char *d = xstrdup(data ? data : ""), *n;

	if (!strstr(d, "newinstance")) {
		n = xasprintf("%s%snewinstance", d, *d ? "," : "");
		free(d);
		d = n;
	}
	if (!strstr(d, "ptmxmode=")) {
		n = xasprintf("%s,ptmxmode=0666", d);
		free(d);
		d = n;
	}
	return d;
}

/* Drop "gid=N" (unmapped in a user namespace makes devpts fail EINVAL). */
static char *without_gid(const char *data)
{
	_cleanup_free_ char *copy = xstrdup(data);
	char *out = xstrdup(""), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *n;

		if (strncmp(tok, "gid=", 4) == 0)
			continue;
		n = xasprintf("%s%s%s", out, *out ? "," : "", tok);
		free(out);
		out = n;
	}
	return out;
}

static bool is_cgroupfs(const char *type)
{
	return streq(type, "cgroup") || streq(type, "cgroup2");
}

/* Without a cgroup namespace a cgroup2 mount would show the host's whole
 * hierarchy: the container gets its own cgroup directory instead. */
static int bind_own_cgroup(int dstfd, unsigned long flags)
{
	_cleanup_free_ char *own = own_cgroup_dir();

	if (!own) {
		errno = ENOENT;
		return -1;
	}
	return bind_host_path(own, dstfd, flags);
}

static int fs_mount(struct rootfs_ctx *ctx, const struct spec_mount *m, const char *type,
		    struct mount_opts *o, int dstfd)
{
	const char *fstype = type;
	unsigned long flags = o->flags & ~(MS_BIND | MS_REC);
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *fb = NULL;
	char d[FD_PATH_LEN];

	/* Kernel filesystems that reach outside the container are read-only
	 * unless the config says "rw" (CVE-2023-25809). */
	if ((streq(type, "sysfs") || is_cgroupfs(type)) && !(o->clear & MS_RDONLY))
		flags |= MS_RDONLY;
	if (is_cgroupfs(type) && !spec_find_ns(ctx->spec, NS_CGROUP))
		return bind_own_cgroup(dstfd, flags);
	/* keel is cgroup v2 only: a "cgroup" (v1) mount becomes cgroup2. */
	if (streq(type, "cgroup"))
		fstype = "cgroup2";
	data = streq(type, "devpts") ? devpts_data(o->data) : (o->data ? xstrdup(o->data) : NULL);
	fd_path(dstfd, d);
	if (mount(m->source ? m->source : fstype, d, fstype, flags, data) == 0)
		return 0;
	if (errno == EINVAL && streq(type, "devpts") && strstr(data, "gid=")) {
		_cleanup_free_ char *nd = without_gid(data);

		if (mount(m->source ? m->source : fstype, d, fstype, flags, nd) == 0)
			return 0;
		errno = EINVAL;
	}
	if ((errno == EPERM || errno == EBUSY) && (fb = fallback_source(type))) {
		int saved = errno;

		if (bind_host_path(fb, dstfd, flags) == 0)
			return 0;
		errno = saved;
	}
	return -1;
}

static char *bind_source(struct rootfs_ctx *ctx, const char *src)
{
	if (src[0] == '/' || !ctx->bundle)
		return xstrdup(src);
	return xasprintf("%s/%s", ctx->bundle, src);
}

/* The tmpfs root takes the covered directory's owner and mode, unless the
 * options set them. */
static bool has_data_opt(const char *data, const char *key)
{
	size_t l = strlen(key);

	for (const char *p = data; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : "")
		if (strncmp(p, key, l) == 0)
			return true;
	return false;
}

static int tmpcopyup(int olddir, int rootfd, const char *dest, const char *data)
{
	_cleanup_close_ int top = resolve_in_root(rootfd, dest, O_RDONLY | O_DIRECTORY, 0, NULL);
	struct stat sb;

	if (top < 0)
		return -1;
	if (copy_tree(olddir, top) < 0)
		return -1;
	if (fstat(olddir, &sb) < 0)
		return -1;
	if (!has_data_opt(data, "uid=") && !has_data_opt(data, "gid=") &&
	    fchown(top, sb.st_uid, sb.st_gid) < 0 && errno != EINVAL)
		return -1;
	if (has_data_opt(data, "mode="))
		return 0;
	return fchmod(top, sb.st_mode & 07777);
}

int mount_one(struct rootfs_ctx *ctx, const struct spec_mount *m, struct kerr **err)
{
	const char *dest = m->destination;
	const char *type = m->type && *m->type ? m->type : NULL;
	_cleanup_close_ int dstfd = -1, srcfd = -1, olddir = -1, top = -1;
	struct mount_opts o;
	const char *label;
	bool bind;
	int ret = -1;

	if (!dest || !*dest)
		return kerr_set(err, EINVAL, "mount: empty destination");
	if (mount_opts_parse(m->options, m->n_options, &o, err) < 0)
		return kerr_wrap(err, "mount `%s`", dest);
	bind = (o.flags & MS_BIND) || streq(type, "bind") || streq(type, "rbind");
	if (streq(type, "rbind"))
		o.flags |= MS_BIND | MS_REC;
	label = type ? type : "bind";
	if (o.idmap && !bind) {
		kerr_set(err, ENOTSUP, "mount `%s` (%s): idmap is supported on bind mounts only", dest, label);
		goto out;
	}
	if (streq(type, "proc") || streq(type, "sysfs"))
		if (check_not_symlink(ctx->rootfd, dest, err) < 0)
			goto out;

	if (bind) {
		_cleanup_free_ char *src = NULL;
		struct stat sb;

		if (!m->source) {
			kerr_set(err, EINVAL, "mount `%s` (%s): no source", dest, label);
			goto out;
		}
		src = bind_source(ctx, m->source);
		srcfd = open(src, O_PATH | O_CLOEXEC);
		if (srcfd < 0 || fstat(srcfd, &sb) < 0) {
			kerr_errno(err, "mount `%s` (%s): source `%s`", dest, label, src);
			goto out;
		}
		if (S_ISDIR(sb.st_mode))
			dstfd = mkdirs_in_root(ctx->rootfd, dest, 0755, err);
		else
			dstfd = mkfile_in_root(ctx->rootfd, dest, 0644, err);
		if (dstfd < 0) {
			kerr_wrap(err, "mount `%s` (%s)", dest, label);
			goto out;
		}
		if (o.idmap) {
			if (mnt_bind_idmapped(m, srcfd, dstfd, o.flags & MS_REC, o.idmap_recursive,
					      o.flags & ~(MS_BIND | MS_REC), err) < 0) {
				kerr_wrap(err, "mount `%s` (%s)", dest, label);
				goto out;
			}
		} else if (mnt_bind_fd(srcfd, dstfd, o.flags & MS_REC, o.flags & ~(MS_BIND | MS_REC), false) < 0) {
			kerr_errno(err, "mount `%s` (%s)", dest, label);
			goto out;
		}
	} else {
		if (!type) {
			kerr_set(err, EINVAL, "mount `%s`: no type", dest);
			goto out;
		}
		dstfd = mkdirs_in_root(ctx->rootfd, dest, 0755, err);
		if (dstfd < 0) {
			kerr_wrap(err, "mount `%s` (%s)", dest, label);
			goto out;
		}
		if (o.tmpcopyup) {
			olddir = openat(dstfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (olddir < 0) {
				kerr_errno(err, "mount `%s` (%s): tmpcopyup", dest, label);
				goto out;
			}
		}
		if (fs_mount(ctx, m, type, &o, dstfd) < 0) {
			kerr_errno(err, "mount `%s` (%s)", dest, label);
			goto out;
		}
		if (olddir >= 0 && tmpcopyup(olddir, ctx->rootfd, dest, o.data) < 0) {
			kerr_errno(err, "mount `%s` (%s): tmpcopyup", dest, label);
			goto out;
		}
	}
	if (o.propagation || o.rro) {
		char p[FD_PATH_LEN];

		/* Reopen: dstfd names the covered directory, not the new mount. */
		top = resolve_in_root(ctx->rootfd, dest, O_PATH, 0, err);
		if (top < 0) {
			kerr_wrap(err, "mount `%s` (%s)", dest, label);
			goto out;
		}
		fd_path(top, p);
		if (o.propagation && mount(NULL, p, NULL, o.propagation, NULL) < 0) {
			kerr_errno(err, "mount `%s` (%s): propagation", dest, label);
			goto out;
		}
		if (o.rro && mnt_remount_ro(top, true) < 0) {
			kerr_errno(err, "mount `%s` (%s): rro", dest, label);
			goto out;
		}
	}
	ret = 0;
out:
	mount_opts_free(&o);
	return ret;
}

int rootfs_prepare(struct rootfs_ctx *ctx, struct kerr **err)
{
	const struct spec *s = ctx->spec;
	const char *pname = s->linux_ && s->linux_->rootfs_propagation ?
			    s->linux_->rootfs_propagation : "rslave";
	unsigned long prop;

	ctx->rootfd = -1;
	if (root_propagation(s, &prop, err) < 0)
		return -1;
	/* Nothing done below may reach the host: / becomes a slave first, except
	 * when the config asks for shared propagation on purpose. */
	if (mount(NULL, "/", NULL, (prop & MS_SHARED) ? prop : MS_SLAVE | MS_REC, NULL) < 0)
		return kerr_errno(err, "make / %s", (prop & MS_SHARED) ? pname : "rslave");
	if ((prop & MS_SHARED) && rootfs_parent_private(ctx->rootfs, err) < 0)
		return -1;
	if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
		/* As with runc and crun, the mapped root must reach the rootfs. */
		if (errno == EACCES && ctx->userns)
			return kerr_set(err, EACCES, "bind mount the rootfs `%s`: the container's root "
					"(uid %u on the host) cannot reach it: the rootfs and its parent "
					"directories must be searchable by that uid", ctx->rootfs,
					s->linux_ && s->linux_->n_uid_mappings ?
					s->linux_->uid_mappings[0].host_id : 0);
		return kerr_errno(err, "bind mount the rootfs `%s`", ctx->rootfs);
	}
	/* The rootfs mount itself gets the configured propagation (an
	 * unbindable "/" would make every bind source unusable). */
	if (!(prop & MS_SHARED) && prop != (MS_SLAVE | MS_REC) &&
	    mount(NULL, ctx->rootfs, NULL, prop, NULL) < 0)
		return kerr_errno(err, "make the rootfs %s", pname);
	ctx->rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx->rootfd < 0)
		return kerr_errno(err, "open the rootfs `%s`", ctx->rootfs);
	fault_point("init-mounts");
	if (!spec_has_mount_at(s, "/dev") && dev_mount_default(ctx, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n_mounts; i++)
		if (mount_one(ctx, &s->mounts[i], err) < 0)
			return -1;
	return dev_populate(ctx, err);
}

int rootfs_pivot(struct rootfs_ctx *ctx, struct kerr **err)
{
	if (fchdir(ctx->rootfd) < 0)
		return kerr_errno(err, "chdir to the rootfs `%s`", ctx->rootfs);
	if (ctx->no_pivot) {
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			return kerr_errno(err, "move the rootfs `%s` to /", ctx->rootfs);
		if (chroot(".") < 0)
			return kerr_errno(err, "chroot to the rootfs `%s`", ctx->rootfs);
	} else {
		/* Stack the old root under the new one, then detach it. */
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return kerr_errno(err, "pivot_root to the rootfs `%s`", ctx->rootfs);
		/* The unmount must not reach the host through a shared old root. */
		if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			return kerr_errno(err, "make the old root rslave");
		if (umount2(".", MNT_DETACH) < 0)
			return kerr_errno(err, "detach the old root");
	}
	if (chdir("/") < 0)
		return kerr_errno(err, "chdir /");
	return 0;
}
