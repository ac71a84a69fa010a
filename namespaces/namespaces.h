/* The container's filesystem view: rootfs, mounts, /dev, pivot_root, masking,
 * and path resolution confined to the root.
 *
 * Called by the container's init, in its new mount namespace (and user
 * namespace, if any), in this order:
 *   rootfs_prepare()    before the createContainer hooks
 *   rootfs_pivot()      after them
 *   rootfs_finalize()   masked/readonly paths, root readonly, propagation
 * Every path inside the container is resolved through file descriptors.
 */
#ifndef KEEL_NAMESPACES_H
#define KEEL_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>
#include "../spec/spec.h"
#include "../runtime/error.h"

struct rootfs_ctx {
	const struct spec *spec;
	const char *bundle;	/* absolute bundle dir: relative mount sources resolve here */
	const char *rootfs;	/* absolute path of the rootfs on the host */
	bool no_pivot;		/* --no-pivot: MS_MOVE + chroot instead of pivot_root */
	bool userns;		/* in a new user namespace: bind device nodes, don't mknod */
	bool terminal;		/* create /dev/console (a bind target for the pty) */
	int rootfd;		/* filled by rootfs_prepare: O_PATH fd of the rootfs */
};

int rootfs_prepare(struct rootfs_ctx *ctx, struct kerr **err);
int rootfs_pivot(struct rootfs_ctx *ctx, struct kerr **err);
int rootfs_finalize(struct rootfs_ctx *ctx, struct kerr **err);

/* Open `path` below `rootfd` as if rootfd were "/" (openat2 RESOLVE_IN_ROOT,
 * with a component-by-component fallback on kernels without openat2). */
int resolve_in_root(int rootfd, const char *path, int flags, mode_t mode, struct kerr **err);
/* mkdir -p below rootfd, never leaving it; returns an O_PATH fd of the leaf. */
int mkdirs_in_root(int rootfd, const char *path, mode_t mode, struct kerr **err);
/* Bind the file or directory `srcfd` names onto `dstfd` (any fds), by fd. */
int mount_bind_fd(int srcfd, int dstfd, struct kerr **err);
/* Tests: force the component-by-component fallback of resolve_in_root(). */
void resolve_force_fallback(bool on);

/* Mount options: "ro,nosuid,rbind,rprivate,tmpcopyup,mode=755" ->
 * flags, propagation flags, extra flags and the data string for mount(2). */
struct mount_opts {
	unsigned long flags;		/* MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC, ... */
	unsigned long clear;		/* flags explicitly turned off ("rw", "suid", ...) */
	unsigned long propagation;	/* MS_SHARED|MS_REC, ... (0 = none) */
	bool tmpcopyup;
	bool rro;			/* recursive read-only (mount_setattr) */
	bool idmap;
	bool idmap_recursive;		/* "ridmap" */
	char *data;			/* comma-joined options mount(2) passes to the fs */
};
int mount_opts_parse(char *const *options, size_t n, struct mount_opts *out, struct kerr **err);
void mount_opts_free(struct mount_opts *o);

/* --- Namespace creation and joining (ns.c) --- */

/* CLONE_NEW* flags for the namespaces the config creates (no path). Time is
 * not included: it is unshared by the init itself (CLONE_NEWTIME cannot be
 * given to clone()). */
unsigned long ns_clone_flags(const struct spec *s);
bool ns_wants_new(const struct spec *s, enum spec_ns_kind kind);
/* Open the `path` of every joined namespace; fds[k] = -1 when not joined. */
int ns_open_joined(const struct spec *s, int fds[NS_KINDS], struct kerr **err);
/* Open /proc/<pid>/ns/<kind> of a running container for exec; fds[k] = -1
 * when the container shares that namespace with us. */
int ns_open_container(pid_t pid, int fds[NS_KINDS], struct kerr **err);
/* setns() into every fd except `skip_mask` kinds (bit = 1 << kind);
 * the user namespace goes first so the others are permitted. */
int ns_join(int fds[NS_KINDS], unsigned skip_mask, struct kerr **err);
void ns_close_all(int fds[NS_KINDS]);
/* Write setgroups/uid_map/gid_map of `pid` from linux.uidMappings/gidMappings,
 * through a procfs handle verified with fstatfs. */
int ns_write_id_maps(pid_t pid, const struct spec_linux *l, struct kerr **err);
/* unshare(CLONE_NEWTIME) and write the offsets: children and the next execve
 * of the caller enter it. */
int ns_new_time(const struct spec_linux *l, struct kerr **err);

/* --- Verified procfs access (procfs.c) ---
 * Every write below /proc goes through these: the file is opened beneath a
 * handle on a procfs root (a private procfs instance of our pid namespace
 * where the kernel allows it) without crossing a mount or following a
 * symlink, so no mount of the container can redirect it. Paths are relative
 * to /proc ("sys/kernel/hostname", "self/oom_score_adj", "1234/uid_map"; a
 * leading "/proc/" is accepted); "self" means us. */
enum procfs_kind { PROCFS_NONE, PROCFS_PRIVATE, PROCFS_CLONE, PROCFS_HOST };
/* The handle, opened on first use and kept (close-on-exec). */
int procfs_root(struct kerr **err);
/* Which kind of handle procfs_root() got (tests, debug output). */
enum procfs_kind procfs_kind(void);
/* Tests: skip the handle kinds better than `kind` (PROCFS_NONE: none);
 * `walk`: the fallback for kernels without openat2. */
void procfs_force_kind(enum procfs_kind kind, bool walk);
/* Make the handle read-only once the writes are done: the init keeps it
 * (for exec.fifo) until it execs the user process. */
int procfs_seal(struct kerr **err);
/* Forget the handle: a process that entered other namespaces (the init)
 * opens its own. */
void procfs_reset(void);
int proc_open(const char *path, int flags, struct kerr **err);
/* Write `value` in one write(2). */
int proc_write(const char *path, const char *value, struct kerr **err);
/* Open what our `fd` refers to anew with `flags` (/proc/self/fd/N, by the
 * handle: not through the container's /proc). */
int proc_reopen(int fd, int flags, struct kerr **err);
/* Open /proc/<pid>/ns/<name> (pid may be "self"), checked to be nsfs. */
int proc_open_ns(const char *pid, const char *name, struct kerr **err);

#endif
