/* The state store: one directory per container under --root (default /run/keel).
 *
 *   <root>/<id>/            created with mkdir (atomic; EEXIST = duplicate id)
 *   <root>/<id>/state.json  replaced by rename (write_file_atomic_at); create
 *                           writes it ahead (cgroup path, then init pid and
 *                           start time) so that delete can undo a create
 *                           killed at any point. Its first version is
 *                           written in place: torn, it can only mean that
 *                           create died before making anything (delete
 *                           then just removes the directory)
 *   <root>/<id>/config.json the config as it was at create (exec reads it)
 *   <root>/<id>/exec.fifo   present while the container is "created"
 *
 * Commands on one container are serialised by flock() on the directory fd.
 */
#ifndef KEEL_STATE_H
#define KEEL_STATE_H

#include <stdbool.h>
#include <sys/types.h>
#include "error.h"

#define KEEL_DEFAULT_ROOT "/run/keel"

struct kstate {
	char *oci_version;
	char *id;
	pid_t pid;			/* host pid of the container's init, 0 before it exists */
	unsigned long long pid_start;	/* /proc/<pid>/stat starttime: detects pid reuse */
	char *bundle;			/* absolute */
	char *rootfs;			/* absolute */
	char *created;			/* RFC 3339 */
	char *owner;			/* the creator's user name: "" until state_fill_owner */
	char **annotation_keys;		/* parallel NULL-terminated lists */
	char **annotation_values;
	char *cgroup_path;		/* relative to the cgroup v2 mount, "" when disabled */
	char *cgroup_manager;		/* "cgroupfs", "systemd" or "disabled": remembered for delete */
	bool systemd_cgroup;
	bool terminal;
	bool detached;
	bool creating;			/* written ahead by create: not "created" yet */
};

/* Validate an id (non-empty, [A-Za-z0-9_.+-], not "." or "..", <= 1024 bytes). */
int state_check_id(const char *id, struct kerr **err);

/* Make <root> (mode 0700) if needed and open it. */
int state_open_root(const char *root, int *rootfd, struct kerr **err);
/* Create <root>/<id> exclusively and lock it; *dirfd is the locked dir.
 * A duplicate id fails with "container `ID` already exists" and touches nothing. */
int state_create_dir(int rootfd, const char *id, int *dirfd, struct kerr **err);
/* Open and lock an existing container's dir; "container `ID` does not exist". */
int state_open_dir(int rootfd, const char *id, bool exclusive, int *dirfd, struct kerr **err);
/* Remove the directory and everything in it. */
int state_remove_dir(int rootfd, const char *id, struct kerr **err);

int state_write(int dirfd, const struct kstate *st, struct kerr **err);
/* The first state_write of a new container (state.json must not exist). */
int state_write_first(int dirfd, const struct kstate *st, struct kerr **err);
int state_read(int dirfd, struct kstate **st, struct kerr **err);
/* The owner, as runc's list shows it: the host's name of the state dir's uid
 * (looked up here, not at create, which has no use for it). */
void state_fill_owner(int dirfd, struct kstate *st);
void state_free(struct kstate *st);

/* The live status: "creating", "created", "running", "paused" or "stopped".
 * No init yet, or a live init of a create that has not finished (or died
 * before it did), is "creating"; a dead init (or a reused pid) is "stopped";
 * an existing exec.fifo is "created"; a frozen cgroup is "paused". */
const char *state_status(int dirfd, const struct kstate *st);
bool state_pid_alive(const struct kstate *st);
/* Read state, ppid and starttime (any may be NULL) from <dir>/stat, dir being
 * relative to dirfd ("/proc/42" with AT_FDCWD, or "42" with a /proc dirfd). */
int proc_stat_read(int dirfd, const char *dir, char *state, pid_t *ppid, unsigned long long *start);
/* Read /proc/<pid>/stat's starttime; 0 on failure. */
unsigned long long state_proc_start_time(pid_t pid);

/* The JSON `keel state` prints (OCI state + created/owner like runc). */
char *state_to_oci_json(const struct kstate *st, const char *status);
/* The ids in <root>, sorted; NULL-terminated. */
int state_list(int rootfd, char ***ids, struct kerr **err);

#endif
