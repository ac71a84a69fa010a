/* The cgroup v2 manager. keel writes cgroupfs itself, through a dirfd of each
 * container's cgroup (openat on that dirfd; never path concatenation then
 * open, never /proc/self/mountinfo per call).
 *
 * Layout: the v2 hierarchy is /sys/fs/cgroup when that is cgroup2, else
 * /sys/fs/cgroup/unified (hybrid hosts). keel never touches a v1 hierarchy.
 * linux.cgroupsPath: absolute = below the v2 root; relative = below the
 * default parent "/keel"; absent = "/keel/<id>".
 */
#ifndef KEEL_CGROUP_H
#define KEEL_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "../spec/spec.h"
#include "../runtime/error.h"

#define CGROUP_DEFAULT_PARENT "keel"

enum cgroup_manager { CGROUP_MANAGER_CGROUPFS, CGROUP_MANAGER_SYSTEMD, CGROUP_MANAGER_DISABLED };

struct cgroup;		/* opaque: the container's cgroup dirfd and path */

/* "cgroupfs"/"systemd"/"disabled" -> enum; -1 when unknown. */
int cgroup_manager_parse(const char *name);
const char *cgroup_manager_name(enum cgroup_manager m);

/* The path (relative to the v2 root, no leading '/') for a container. */
char *cgroup_path_for(const char *cgroups_path, const char *id);
/* The same with the reason on failure (a `..` component, the systemd
 * "slice:prefix:name" form, an invalid id). */
int cgroup_path_resolve(const char *cgroups_path, const char *id, char **out, struct kerr **err);

/* Create the cgroup (mkdir -p below the v2 root, enabling in each ancestor's
 * cgroup.subtree_control only the controllers `res` needs), then apply `res`.
 * Fails naming the controller and the resource when a needed controller is
 * unavailable. On any failure nothing is left behind (dirs it made are removed).
 * res may be NULL (the device filter is still installed: default deny plus the
 * standard devices). An existing cgroup with processes in it is refused. */
int cgroup_create(const char *path, const struct spec_resources *res, struct cgroup **out,
		  struct kerr **err);
/* Open an existing container cgroup (from the state's cgroup_path). */
int cgroup_open(const char *path, struct cgroup **out, struct kerr **err);
void cgroup_close(struct cgroup *cg);
const char *cgroup_get_path(const struct cgroup *cg);
/* The cgroup dir fd, for clone3(CLONE_INTO_CGROUP). */
int cgroup_dirfd(const struct cgroup *cg);

/* Move pid into the cgroup (cgroup.procs). */
int cgroup_enter(struct cgroup *cg, pid_t pid, struct kerr **err);
/* Apply resources; `update` = live change of a running container. */
int cgroup_apply(struct cgroup *cg, const struct spec_resources *res, bool update,
		 struct kerr **err);
/* Remove the cgroup (and leaf children), retrying while it drains; with
 * `kill`, kill everything in it first. A missing cgroup is success. */
int cgroup_destroy(struct cgroup *cg, bool kill, struct kerr **err);

int cgroup_freeze(struct cgroup *cg, bool frozen, struct kerr **err);	/* waits for cgroup.events */
int cgroup_is_frozen(struct cgroup *cg, bool *frozen, struct kerr **err);
/* Signal every process (cgroup.kill for SIGKILL where available). */
int cgroup_kill(struct cgroup *cg, int sig, struct kerr **err);
/* The pids in cgroup.procs (recursively), sorted. */
int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct kerr **err);

/* Stats in runc's `events --stats` schema: the value of "data". */
char *cgroup_stats_json(struct cgroup *cg, struct kerr **err);
/* Count of memory.events oom_kill, for `events`. */
int cgroup_oom_kills(struct cgroup *cg, uint64_t *count, struct kerr **err);

/* Cheap file access for the rebalancer: read/write one file of the cgroup. */
int cgroup_read(struct cgroup *cg, const char *file, char *buf, size_t size, struct kerr **err);
int cgroup_write(struct cgroup *cg, const char *file, const char *value, struct kerr **err);

#endif
