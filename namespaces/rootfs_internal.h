/* Helpers shared by the rootfs files of namespaces/ (not a module interface). */
#ifndef KEEL_ROOTFS_INTERNAL_H
#define KEEL_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include "namespaces.h"

/* "/proc/self/fd/N": the way to hand an fd to mount(2). */
#define FD_PATH_LEN 32
void fd_path(int fd, char buf[FD_PATH_LEN]);

/* Mount a whole spec mount (mount.c). */
int mount_one(struct rootfs_ctx *ctx, const struct spec_mount *m, struct kerr **err);
/* Bind `srcfd` (O_PATH) onto `dstfd`; MS_RDONLY/MS_NOSUID/... in `flags` are
 * applied to the new mount (recursively when attr_rec) without touching the
 * flags the kernel locked. */
int mnt_bind_fd(int srcfd, int dstfd, bool recursive, unsigned long flags, bool attr_rec);
/* Apply MS_RDONLY/MS_NOSUID/... to the mount at `fd` (an O_PATH fd of its
 * root or a detached tree) without touching the flags the kernel locked. */
int mnt_setattr(int fd, unsigned long flags, bool recursive);
/* An idmapped bind (idmap.c), with the mount's uidMappings/gidMappings. */
int mnt_bind_idmapped(const struct spec_mount *m, int srcfd, int dstfd, bool recursive,
		      bool idmap_recursive, unsigned long flags, struct kerr **err);
/* Make the mount at `fd` read-only, keeping its other (possibly locked) flags. */
int mnt_remount_ro(int fd, bool recursive);
/* Cover the directory `dstfd` with an empty read-only tmpfs. The first one
 * made is kept in *tmpl (-1 before, closed by the caller) and the next ones
 * are clones of it: one superblock for all, each its own read-only mount.
 * Without the new mount API, a fresh tmpfs each time through mount(2). */
int mnt_tmpfs_ro(int dstfd, int *tmpl);
/* Create an empty regular file (and its parents) below the root; O_PATH fd. */
int mkfile_in_root(int rootfd, const char *path, mode_t mode, struct kerr **err);
/* Copy the content of directory `src` into `dst` (both O_RDONLY dir fds). */
int copy_tree(int src, int dst);

/* dev.c */
bool spec_has_mount_at(const struct spec *s, const char *dest);
int dev_mount_default(struct rootfs_ctx *ctx, struct kerr **err);
int dev_populate(struct rootfs_ctx *ctx, struct kerr **err);

/* linux.rootfsPropagation as mount flags (default MS_SLAVE|MS_REC). */
int root_propagation(const struct spec *s, unsigned long *out, struct kerr **err);

#endif
