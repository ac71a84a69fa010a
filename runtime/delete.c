/* keel delete: stop what is left, remove the cgroup, run poststop hooks,
 * remove the state directory. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"
#include "fault.h"
#include "hooks.h"
#include "log.h"
#include "util.h"
#include "../cgroups/cgroup.h"
#include "../spec/spec.h"

#define DELETE_WAIT_MS 5000

/* Kill the init (and everything it started) and wait until it is gone. */
static int kill_and_wait(const struct kstate *st, struct cgroup *cg, struct kerr **err)
{
	_cleanup_close_ int pidfd = kc_pidfd(st);

	if (cg) {
		if (cgroup_kill(cg, SIGKILL, err) < 0)
			return -1;
	} else if (kc_signal_tree(st, SIGKILL, err) < 0) {
		return -1;
	}
	if (pidfd < 0)
		return 0;
	/* The kill above may have raced a fork: signal the init directly too. */
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	for (int waited = 0; waited < DELETE_WAIT_MS; waited += 100) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		if (poll(&p, 1, 100) > 0)
			return 0;
	}
	return kerr_set(err, 0, "container `%s`: init (pid %d) did not exit after SIGKILL",
			st->id, (int)st->pid);
}

/* create records the cgroup before making it: killed in between, the path
 * may name a cgroup it never made (another container's, via cgroupsPath).
 * With no init of ours ever started, processes in it are not ours. */
static bool cgroup_not_ours(const struct kstate *st, struct cgroup *cg)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;

	if (!st->creating || st->pid > 0)
		return false;
	return cgroup_pids(cg, &pids, &n, NULL) == 0 && n > 0;
}

static void run_poststop(int dirfd, const struct kstate *st)
{
	struct spec *spec = NULL;
	struct kerr *err = NULL;
	_cleanup_free_ char *json = NULL;

	if (faccessat(dirfd, "config.json", F_OK, 0) < 0)
		return;
	if (hooks_config_load(dirfd, HOOK_POSTSTOP, &spec, &err) < 0)
		goto warn;
	if (!spec || !spec->hooks.count[HOOK_POSTSTOP])
		goto out;
	json = state_to_oci_json(st, "stopped");
	/* Hooks run with the bundle as their working directory, like runc's. */
	if (st->bundle && *st->bundle && chdir(st->bundle) < 0)
		kdebug("chdir `%s`: %s", st->bundle, strerror(errno));
	if (hooks_run(&spec->hooks, HOOK_POSTSTOP, json, &err) < 0)
		goto warn;
	goto out;
warn:
	{
		_cleanup_free_ char *text = kerr_text(err);

		kwarn("container `%s`: poststop hooks: %s", st->id, text);
	}
out:
	kerr_free(&err);
	spec_free(spec);
}

int container_delete(const struct kglobal *g, const char *id, bool force, struct kerr **err)
{
	_cleanup_close_ int rootfd = -1;
	_cleanup_close_ int dirfd = -1;
	struct kstate *st = NULL;
	struct cgroup *cg = NULL;
	const char *status;
	int ret = -1;

	if (!id || !*id)
		return kerr_set(err, 0, "container id missing");
	if (state_check_id(id, err) < 0)
		return -1;
	if (state_open_root(g->root, &rootfd, err) < 0)
		return -1;
	if (faccessat(rootfd, id, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		if (force)
			return 0;	/* runc: delete --force of a missing container succeeds */
		return kerr_set(err, 0, "container `%s` does not exist", id);
	}
	if (state_open_dir(rootfd, id, true, &dirfd, err) < 0) {
		if (force && faccessat(rootfd, id, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
			kerr_free(err);
			return 0;
		}
		return -1;
	}
	if (state_read(dirfd, &st, err) < 0) {
		/* A create that died before saving its state: nothing runs, clean up. */
		_cleanup_free_ char *text = kerr_text(*err);

		kwarn("container `%s`: %s; removing its state", id, text);
		kerr_free(err);
		return state_remove_dir(rootfd, id, err);
	}
	status = state_status(dirfd, st);
	if (!force && (!strcmp(status, "running") || !strcmp(status, "paused"))) {
		kerr_set(err, 0, "cannot delete container `%s`: it is %s (use --force)", id, status);
		goto out;
	}
	if (kc_cgroup(st, &cg, err) < 0) {
		/* The cgroup may be gone already; without it, kill the tree. */
		_cleanup_free_ char *text = kerr_text(*err);

		kdebug("container `%s`: %s", id, text);
		kerr_free(err);
		cg = NULL;
	}
	if (cg && cgroup_not_ours(st, cg)) {
		kwarn("container `%s`: cgroup `%s` was never set up by it and has processes: left alone",
		      id, st->cgroup_path);
		cgroup_close(cg);
		cg = NULL;
	}
	/* Stopped, what may be left in its cgroup dies in cgroup_destroy. */
	if (strcmp(status, "stopped") != 0) {
		if (cg && !strcmp(status, "paused"))
			cgroup_freeze(cg, false, NULL);
		if (kill_and_wait(st, cg, err) < 0)
			goto out;
	}
	fault_point("delete-killed");
	if (cg && cgroup_destroy(cg, true, err) < 0) {
		kerr_wrap(err, "delete container `%s`", id);
		goto out;
	}
	fault_point("delete-cgroup");
	run_poststop(dirfd, st);
	if (state_remove_dir(rootfd, id, err) < 0)
		goto out;
	ret = 0;
out:
	if (cg)
		cgroup_close(cg);
	state_free(st);
	return ret;
}
