/* The container's init: the child of keel create, already in its new
 * namespaces. It builds the container's world (mounts, /dev, tty, process
 * attributes), reports READY, blocks on exec.fifo until `start` (not for
 * `run`, which has no fifo), then drops
 * privileges and execs the user process. Until READY every error goes back to
 * keel create over the sync socket; after it, to the container's stderr. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lifecycle.h"
#include "fault.h"
#include "hooks.h"
#include "process.h"
#include "sync.h"
#include "util.h"

static int set_sysctls(const struct spec_linux *l, struct kerr **err)
{
	for (size_t i = 0; l && i < l->n_sysctl; i++) {
		_cleanup_free_ char *path = xasprintf("sys/%s", l->sysctl[i].key);

		/* Through the procfs handle opened before the config's mounts:
		 * a mount over /proc/sys cannot take the write elsewhere. */
		for (char *p = path + strlen("sys/"); *p; p++)
			if (*p == '.')
				*p = '/';
		if (strstr(path, "..") || proc_write(path, l->sysctl[i].value, err) < 0)
			return kerr_wrap(err, "sysctl `%s`", l->sysctl[i].key);
	}
	return 0;
}

static int set_uts(const struct spec *s, struct kerr **err)
{
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return kerr_errno(err, "set hostname `%s`", s->hostname);
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return kerr_errno(err, "set domainname `%s`", s->domainname);
	return 0;
}

/* A pty from the container's own devpts; the master goes to keel. */
static int setup_terminal(struct init_args *a, int rootfd, struct kerr **err)
{
	const struct spec_process *p = a->spec->process;
	_cleanup_close_ int master = -1, slave = -1, console = -1;

	if (terminal_open(&master, &slave, err) < 0)
		return -1;
	if (sync_send(a->sync, SYNC_TTY, 0, master, err) < 0)
		return -1;
	console = resolve_in_root(rootfd, "/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, err);
	if (console < 0)
		return kerr_wrap(err, "/dev/console");
	/* By fd (open_tree + move_mount): not through the container's /proc. */
	if (mount_bind_fd(slave, console, err) < 0)
		return kerr_wrap(err, "bind the pty onto /dev/console");
	return terminal_become(slave, p, err);
}

static int set_lsm_labels(const struct spec_process *p, struct kerr **err)
{
	if (p->apparmor_profile && *p->apparmor_profile) {
		_cleanup_free_ char *on = NULL;
		_cleanup_free_ char *v = xasprintf("exec %s", p->apparmor_profile);
		struct kerr *e = NULL;

		if (read_file_at(AT_FDCWD, "/sys/module/apparmor/parameters/enabled", &on, NULL, NULL) < 0 ||
		    on[0] != 'Y')
			return kerr_set(err, ENOTSUP, "process.apparmorProfile: AppArmor is not enabled on this host");
		/* attr/apparmor/ since Linux 5.8; the shared attr/exec before. */
		if (proc_write("self/attr/apparmor/exec", v, &e) < 0 &&
		    (e->errnum != ENOENT || proc_write("self/attr/exec", v, err) < 0)) {
			kerr_pass(err, e);
			return kerr_wrap(err, "apparmor profile `%s`", p->apparmor_profile);
		}
		kerr_free(&e);
	}
	if (p->selinux_label && *p->selinux_label) {
		if (access("/sys/fs/selinux/enforce", F_OK) < 0)
			return kerr_set(err, ENOTSUP, "process.selinuxLabel: SELinux is not enabled on this host");
		if (proc_write("self/attr/exec", p->selinux_label, err) < 0)
			return kerr_wrap(err, "selinux label `%s`", p->selinux_label);
	}
	return 0;
}

int cwd_check_inside(const char *cwd, struct kerr **err)
{
	char buf[PATH_MAX];

	/* The raw syscall: the kernel prefixes a directory that cannot be
	 * reached from our root with "(unreachable)" (glibc's getcwd might
	 * fall back to walking ".." instead). */
	if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0)
		return kerr_errno(err, "cwd `%s`: getcwd", cwd);
	if (buf[0] != '/')
		return kerr_set(err, EPERM, "cwd `%s`: is outside the container's root", cwd);
	return 0;
}

/* Like runc, a missing cwd is created (inside the root, as root). */
static int enter_cwd(int rootfd, const char *cwd, struct kerr **err)
{
	_cleanup_close_ int fd = -1;

	if (chdir(cwd) == 0)
		return cwd_check_inside(cwd, err);
	if (errno != ENOENT)
		return kerr_errno(err, "process.cwd `%s`", cwd);
	fd = mkdirs_in_root(rootfd, cwd, 0755, err);
	if (fd < 0)
		return kerr_wrap(err, "process.cwd");
	if (fchdir(fd) < 0)
		return kerr_errno(err, "process.cwd `%s`", cwd);
	return cwd_check_inside(cwd, err);
}

bool init_pauses_for_hooks(const struct spec *s)
{
	return s->hooks.count[HOOK_PRESTART] || s->hooks.count[HOOK_CREATE_RUNTIME];
}

bool init_waits_for_go(const struct spec *s, bool new_userns, bool cgroup_pending)
{
	const struct spec_seccomp *sc = s->linux_ ? s->linux_->seccomp : NULL;

	return new_userns || cgroup_pending || s->hooks.count[HOOK_CREATE_CONTAINER] ||
	       s->hooks.count[HOOK_START_CONTAINER] || (sc && sc->listener_path && *sc->listener_path);
}

/* Until READY: namespaces, mounts, hooks, terminal, process attributes. */
static int init_prepare(struct init_args *a, struct process_ids *ids, struct seccomp_prog **prog,
			char ***envp, struct kerr **err)
{
	const struct spec *s = a->spec;
	const struct spec_process *p = s->process;
	struct rootfs_ctx ctx = { .spec = s, .bundle = a->bundle, .rootfs = a->rootfs,
				  .no_pivot = a->no_pivot, .userns = a->new_userns,
				  .terminal = p->terminal, .rootfd = -1 };
	_cleanup_close_ int rootfd = -1;
	_cleanup_free_ char *json = NULL;
	long pid;

	if (a->wait_go) {
		if (sync_expect(a->sync, SYNC_GO, &pid, NULL, err) < 0)
			return -1;
		a->state->pid = pid;
	}
	fault_point("init-go");
	/* Root in a new user namespace, so what we create belongs to it. */
	if (a->new_userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return kerr_errno(err, "become root in the user namespace (is 0 mapped?)");
	/* A credential change clears the parent-death signal: re-arm it.  It
	 * also makes us non-dumpable, which hands our /proc/self files to the
	 * host's root, unwritable for the namespace's root (timens_offsets,
	 * oom_score_adj): dumpable again.  Safe: see the note in init_main. */
	if (a->new_userns) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	}
	if (ns_join(a->ns_fds, 1u << NS_PID, err) < 0)
		return -1;
	ns_close_all(a->ns_fds);
	/* Our own procfs handle, of the container's pid namespace, opened
	 * before any mount of the config exists. */
	procfs_reset();
	if (procfs_root(err) < 0)
		return -1;
	if (ns_wants_new(s, NS_TIME) && ns_new_time(s->linux_, err) < 0)
		return -1;
	/* A session keyring of its own, so the container sees none of the host's
	 * keys (EDQUOT/ENOSYS: keyrings unavailable, like runc we go on). */
	if (!a->no_new_keyring && syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, a->id) < 0 &&
	    errno != ENOSYS && errno != EDQUOT)
		return kerr_errno(err, "create a session keyring");
	if (set_uts(s, err) < 0 || rootfs_prepare(&ctx, err) < 0)
		return -1;
	fault_point("init-rootfs");
	if (init_pauses_for_hooks(s) &&
	    (sync_send(a->sync, SYNC_PREPARED, 0, -1, err) < 0 ||
	     sync_expect(a->sync, SYNC_HOOKS_DONE, NULL, NULL, err) < 0))
		return -1;
	if (s->hooks.count[HOOK_CREATE_CONTAINER]) {
		json = state_to_oci_json(a->state, "creating");
		if (hooks_run(&s->hooks, HOOK_CREATE_CONTAINER, json, err) < 0)
			return -1;
	}
	/* sysctls go before finalize: /proc/sys is usually a readonly path. */
	if (notify_connect(s, &a->notify_sock, err) < 0)
		return -1;
	if (rootfs_pivot(&ctx, err) < 0)
		return -1;
	fault_point("init-pivot");
	if (set_sysctls(s->linux_, err) < 0 || rootfs_finalize(&ctx, err) < 0)
		return -1;
	if (ctx.rootfd >= 0)
		close(ctx.rootfd);
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return kerr_errno(err, "open the container's root");
	if (p->terminal && setup_terminal(a, rootfd, err) < 0)
		return -1;
	if (p->has_oom_score_adj) {
		char v[16];

		snprintf(v, sizeof(v), "%d", p->oom_score_adj);
		if (proc_write("self/oom_score_adj", v, err) < 0)
			return kerr_wrap(err, "process.oomScoreAdj");
	}
	if (set_lsm_labels(p, err) < 0 || procfs_seal(err) < 0 ||
	    process_resolve_user(rootfd, &p->user, ids, err) < 0)
		return -1;
	if (process_set_rlimits(p, err) < 0 || process_set_scheduler(p, err) < 0 ||
	    process_set_io_priority(p, err) < 0)
		return -1;
	if (s->linux_ && process_set_personality(s->linux_, err) < 0)
		return -1;
	if (seccomp_compile(s->linux_ ? s->linux_->seccomp : NULL, prog, err) < 0)
		return -1;
	if (a->listen_fds > 0) {
		char n[32];
		char *listen[] = { n, "LISTEN_PID=1", NULL };

		snprintf(n, sizeof(n), "LISTEN_FDS=%d", a->listen_fds);
		*envp = process_build_env(p->env, listen, ids->home);
	} else {
		*envp = process_build_env(p->env, NULL, ids->home);
	}
	if (enter_cwd(rootfd, p->cwd ? p->cwd : "/", err) < 0)
		return -1;
	if (process_find_executable(p->args[0], *envp, err) < 0)
		return -1;
	return close_fds_from(a->preserve_fds, err);
}

/* After start: hooks, the privilege drop, exec. */
static int init_finish(struct init_args *a, struct process_ids *ids, struct seccomp_prog *prog,
		       char **env, struct kerr **err)
{
	const struct spec *s = a->spec;
	const struct spec_process *p = s->process;
	const struct spec_caps *caps = p->has_capabilities ? &p->capabilities : NULL;

	if (s->hooks.count[HOOK_START_CONTAINER]) {
		_cleanup_free_ char *json = state_to_oci_json(a->state, "created");

		if (hooks_run(&s->hooks, HOOK_START_CONTAINER, json, err) < 0)
			return -1;
	}
	/* Without no_new_privs the kernel wants CAP_SYS_ADMIN to load a filter:
	 * load it before the drop, as runc and crun do (podman's default). */
	if (!p->no_new_privileges &&
	    notify_load_and_send(prog, a->notify_sock, s, a->state, err) < 0)
		return -1;
	if (caps && caps_drop_bounding(caps, err) < 0)
		return -1;
	if (process_set_user(ids, &p->user, err) < 0)
		return -1;
	if (caps_apply(caps, err) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return kerr_errno(err, "set no_new_privs");
	if (p->no_new_privileges &&
	    notify_load_and_send(prog, a->notify_sock, s, a->state, err) < 0)
		return -1;
	return process_exec(p->args, env, err);
}

/* Blocks until `keel start` opens exec.fifo for reading, then writes one
 * byte. The write end stays open (close-on-exec): `start` sees EOF when the
 * user process has been exec'd, or when we died trying. */
static int wait_for_start(struct init_args *a, struct kerr **err)
{
	int fd;

	/* Through the procfs handle: the container's /proc may be anything. */
	fd = proc_reopen(a->fifo, O_WRONLY, err);
	if (fd < 0)
		return kerr_wrap(err, "open exec.fifo");
	if (write(fd, "0", 1) != 1)
		return kerr_errno(err, "write exec.fifo");
	close(a->fifo);
	return 0;
}

void init_main(struct init_args *a)
{
	struct process_ids ids = { 0 };
	struct seccomp_prog *prog = NULL;
	char **env = NULL;
	struct kerr *err = NULL;

	/* If keel create dies before READY, so do we. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Until it execs, the init is the host's keel binary: non-dumpable, so
	 * container processes cannot follow /proc/<pid>/exe to it (exeseal.c).
	 * In a new user namespace that would also make our own /proc/self
	 * files the host root's, unwritable for us: there it waits until
	 * those writes are done (before READY no exec can join us, and the
	 * namespace's root is not the host's root that owns the binary). */
	if (!a->new_userns)
		exeseal_nondumpable();
	/* The state dir's flock is shared with our copy of its fd: drop it. */
	for (int i = 0; i < 3; i++)
		if (a->parent_fds[i] >= 0)
			close(a->parent_fds[i]);
	fault_point("init-start");
	if (init_prepare(a, &ids, &prog, &env, &err) < 0) {
		sync_send_error(a->sync, &err);
		_exit(1);
	}
	prctl(PR_SET_PDEATHSIG, 0);
	exeseal_nondumpable();
	if (sync_send(a->sync, SYNC_READY, 0, -1, &err) < 0)
		_exit(1);
	/* For run (no fifo) the socket stays open: its close at our execve
	 * tells keel the process has started. */
	if (a->fifo >= 0)
		close(a->sync);
	fault_point("init-ready");
	if ((a->fifo >= 0 && wait_for_start(a, &err) < 0) || (fault_point("init-started"), 0) ||
	    init_finish(a, &ids, prog, env, &err) < 0) {
		int code = err && (err->errnum == ENOENT || err->errnum == 0) ? 127 : 126;

		kerr_report(&err);
		_exit(code);
	}
	_exit(127);
}
