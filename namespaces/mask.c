/* After pivot_root: masked paths, read-only paths, the read-only root. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rootfs_internal.h"
#include "../runtime/util.h"

/* ENOENT: nothing to mask or protect. */
static int open_optional(int rootfd, const char *path, int *fd, struct kerr **err)
{
	struct kerr *e = NULL;

	*fd = resolve_in_root(rootfd, path, O_PATH, 0, &e);
	if (*fd >= 0)
		return 0;
	if (e->errnum == ENOENT || e->errnum == ENOTDIR) {
		kerr_free(&e);
		return 0;
	}
	return kerr_pass(err, e);
}

static int mask_paths(struct rootfs_ctx *ctx, char **paths, struct kerr **err)
{
	_cleanup_close_ int null = -1, empty = -1;
	struct stat sb;

	if (!paths || !*paths)
		return 0;
	null = resolve_in_root(ctx->rootfd, "/dev/null", O_PATH, 0, err);
	if (null < 0)
		return kerr_wrap(err, "masked paths");
	/* Binding anything but the real /dev/null would unmask, not mask. */
	if (fstat(null, &sb) < 0 || !S_ISCHR(sb.st_mode) ||
	    major(sb.st_rdev) != 1 || minor(sb.st_rdev) != 3)
		return kerr_set(err, EPERM, "masked paths: /dev/null is not the null device");
	for (char **p = paths; *p; p++) {
		_cleanup_close_ int fd = -1;
		int r;

		if (open_optional(ctx->rootfd, *p, &fd, err) < 0)
			return kerr_wrap(err, "masked path");
		if (fd < 0)
			continue;
		if (fstat(fd, &sb) < 0)
			return kerr_errno(err, "masked path `%s`", *p);
		if (S_ISDIR(sb.st_mode))
			r = mnt_tmpfs_ro(fd, &empty);
		else
			r = mnt_bind_fd(null, fd, false, 0, false);
		if (r < 0)
			return kerr_errno(err, "mask `%s`", *p);
	}
	return 0;
}

static int readonly_paths(struct rootfs_ctx *ctx, char **paths, struct kerr **err)
{
	for (char **p = paths; p && *p; p++) {
		_cleanup_close_ int fd = -1;

		if (open_optional(ctx->rootfd, *p, &fd, err) < 0)
			return kerr_wrap(err, "readonly path");
		if (fd < 0)
			continue;
		if (mnt_bind_fd(fd, fd, true, MS_RDONLY, true) < 0)
			return kerr_errno(err, "make `%s` read-only", *p);
	}
	return 0;
}

int rootfs_finalize(struct rootfs_ctx *ctx, struct kerr **err)
{
	const struct spec_linux *l = ctx->spec->linux_;

	if (l && mask_paths(ctx, l->masked_paths, err) < 0)
		return -1;
	if (l && readonly_paths(ctx, l->readonly_paths, err) < 0)
		return -1;
	if (ctx->spec->root_readonly) {
		_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (root < 0 || mnt_remount_ro(root, false) < 0)
			return kerr_errno(err, "make the root read-only");
	}
	/* linux.rootfsPropagation is for the container's "/": only after
	 * pivot_root is that the rootfs mount, and it goes last because an
	 * unbindable "/" would refuse the mask binds above. */
	if (ctx->spec->linux_ && ctx->spec->linux_->rootfs_propagation) {
		unsigned long prop;

		if (root_propagation(ctx->spec, &prop, err) < 0)
			return -1;
		if (mount(NULL, "/", NULL, prop, NULL) < 0)
			return kerr_errno(err, "linux.rootfsPropagation `%s`",
					  ctx->spec->linux_->rootfs_propagation);
	}
	return 0;
}
