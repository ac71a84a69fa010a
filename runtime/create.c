/* create, start and run: the runtime side of a container's birth.
 *
 * keel create clones the init straight into its namespaces and cgroup
 * (clone3 + CLONE_INTO_CGROUP), with no re-exec of the binary, then drives it
 * through a SOCK_SEQPACKET channel (sync.h): GO (maps written) -> PREPARED
 * (mounts done; createRuntime hooks run here) -> [TTY] -> READY. The init then
 * blocks opening <state>/exec.fifo for writing until `start` opens it for
 * reading. `run` makes no fifo: its init goes on to exec right after READY,
 * while keel records the state.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "lifecycle.h"
#include "fault.h"
#include "hooks.h"
#include "process.h"
#include "sync.h"
#include "util.h"
#include "../cgroups/cgroup.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

pid_t clone_into(unsigned long flags, int cgroup_fd, bool *into_cgroup, struct kerr **err)
{
	/* With CLONE_PARENT the child inherits the caller's exit signal. */
	struct clone_args ca = { .flags = flags,
				 .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD };
	long pid;

	if (into_cgroup)
		*into_cgroup = false;
	if (cgroup_fd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = cgroup_fd;
		pid = syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid >= 0) {
			if (into_cgroup)
				*into_cgroup = true;
			return pid;
		}
		/* Old kernel, or a cgroup that refuses direct placement:
		 * fall back; the caller then writes cgroup.procs. */
		ca.flags &= ~CLONE_INTO_CGROUP;
		ca.cgroup = 0;
	}
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0 && errno == ENOSYS)
		pid = syscall(SYS_clone, flags | ca.exit_signal, 0, 0, 0, 0);
	if (pid < 0)
		return kerr_errno(err, "clone");
	return pid;
}

int wait_exit_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return 255;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

int close_fds_from(int preserve, struct kerr **err)
{
	/* close_range(CLOEXEC) keeps our own fds usable until execve. */
	if (syscall(SYS_close_range, 3 + preserve, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) < 0)
		return kerr_errno(err, "close_range");
	for (int fd = 3; fd < 3 + preserve; fd++) {
		if (fcntl(fd, F_SETFD, 0) < 0)
			return kerr_errno(err, "preserve fd %d", fd);
	}
	return 0;
}

/* The annotations of the config as the state's parallel lists. */
static void state_set_annotations(struct kstate *st, const struct spec *s)
{
	st->annotation_keys = xzalloc((s->n_annotations + 1) * sizeof(char *));
	st->annotation_values = xzalloc((s->n_annotations + 1) * sizeof(char *));
	for (size_t i = 0; i < s->n_annotations; i++) {
		st->annotation_keys[i] = xstrdup(s->annotations[i].key);
		st->annotation_values[i] = xstrdup(s->annotations[i].value);
	}
}

/* Everything a failed create must undo, in one place. */
struct create_ctx {
	const struct kglobal *g;
	const struct kcreate_opts *o;
	struct spec *spec;
	char *config_text;
	size_t config_len;
	char *bundle, *rootfs;
	int rootfd, dirfd;
	bool dir_made;
	struct cgroup *cg;
	int console_sock;
	int sync[2];
	int fifo;		/* -1 for run: no exec.fifo, the init goes on after READY */
	bool run;
	bool state_saved;	/* state.json exists: later writes replace it */
	int ns_fds[NS_KINDS];
	pid_t pid;
	struct kstate st;
};

static void create_ctx_cleanup(struct create_ctx *c, bool failed)
{
	if (failed && c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	if (failed && c->cg) {
		struct kerr *e = NULL;

		if (cgroup_destroy(c->cg, true, &e) < 0)
			kerr_report(&e);
	}
	if (c->cg)
		cgroup_close(c->cg);
	if (failed && c->dir_made) {
		struct kerr *e = NULL;

		if (state_remove_dir(c->rootfd, c->o->id, &e) < 0)
			kerr_report(&e);
	}
	for (int i = 0; i < 2; i++)
		if (c->sync[i] >= 0)
			close(c->sync[i]);
	ns_close_all(c->ns_fds);
	if (c->fifo >= 0)
		close(c->fifo);
	if (c->console_sock >= 0)
		close(c->console_sock);
	if (c->dirfd >= 0)
		close(c->dirfd);
	if (c->rootfd >= 0)
		close(c->rootfd);
	free(c->st.created);
	free(c->st.cgroup_path);
	strv_free(c->st.annotation_keys);
	strv_free(c->st.annotation_values);
	spec_free(c->spec);
	free(c->config_text);
	free(c->bundle);
	free(c->rootfs);
}

/* The host ids of the container's uid/gid 0 (the ids themselves without maps). */
static uid_t host_id_of_root(const struct spec_idmap *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0)
			return m[i].host_id;
	return 0;
}

static int chown_to_container_root(int dirfd, const struct spec *s, struct kerr **err)
{
	const struct spec_linux *l = s->linux_;
	uid_t uid = host_id_of_root(l->uid_mappings, l->n_uid_mappings);
	gid_t gid = host_id_of_root(l->gid_mappings, l->n_gid_mappings);

	if (fchownat(dirfd, "exec.fifo", uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return kerr_errno(err, "chown exec.fifo to %u:%u", uid, gid);
	return 0;
}

static int load_config(struct create_ctx *c, struct kerr **err)
{
	const char *cfg = c->o->config ? c->o->config : "config.json";
	_cleanup_close_ int bfd = -1;
	const char *slash = strrchr(cfg, '/');

	c->bundle = realpath(c->o->bundle ? c->o->bundle : ".", NULL);
	if (!c->bundle)
		return kerr_errno(err, "bundle `%s`", c->o->bundle ? c->o->bundle : ".");
	bfd = open(c->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return kerr_errno(err, "open bundle `%s`", c->bundle);
	/* Like runc, a relative --config is relative to the bundle. */
	if (read_file_at(bfd, cfg, &c->config_text, &c->config_len, err) < 0)
		return kerr_wrap(err, "read config");
	if (spec_parse(c->config_text, c->config_len, slash ? slash + 1 : cfg, &c->spec, err) < 0)
		return -1;
	if (!c->spec->process)
		return kerr_set(err, EINVAL, "%s: process: required to create a container", cfg);
	/* Refused rather than ignored: a config asking for cache/memory-bandwidth
	 * allocation must not run without it. */
	if (c->spec->linux_ && c->spec->linux_->intel_rdt)
		return kerr_set(err, ENOTSUP, "%s: linux.intelRdt: Intel RDT (resctrl) is not supported by keel yet", cfg);
	if (!ns_wants_new(c->spec, NS_MOUNT) && !spec_find_ns(c->spec, NS_MOUNT))
		return kerr_set(err, EINVAL, "%s: linux.namespaces: a mount namespace is required", cfg);
	if (c->spec->root_path[0] == '/')
		c->rootfs = realpath(c->spec->root_path, NULL);
	else {
		_cleanup_free_ char *p = xasprintf("%s/%s", c->bundle, c->spec->root_path);

		c->rootfs = realpath(p, NULL);
	}
	if (!c->rootfs)
		return kerr_errno(err, "%s: root.path: `%s`", cfg, c->spec->root_path);
	return 0;
}

static int save_state(struct create_ctx *c, struct kerr **err)
{
	int r = c->state_saved ? state_write(c->dirfd, &c->st, err) :
				 state_write_first(c->dirfd, &c->st, err);

	if (r == 0)
		c->state_saved = true;
	return r;
}

static int setup_cgroup(struct create_ctx *c, struct kerr **err)
{
	const char *mgr = c->g->cgroup_manager ? c->g->cgroup_manager : "cgroupfs";
	int m = cgroup_manager_parse(mgr);
	const struct spec_linux *l = c->spec->linux_;

	if (c->g->systemd_cgroup)
		m = CGROUP_MANAGER_SYSTEMD;
	if (m < 0)
		return kerr_set(err, EINVAL, "--cgroup-manager: unknown manager `%s`", mgr);
	if (m == CGROUP_MANAGER_SYSTEMD)
		return kerr_set(err, ENOTSUP, "the systemd cgroup driver is not supported yet: use --cgroup-manager=cgroupfs");
	c->st.cgroup_manager = (char *)cgroup_manager_name(m);
	if (m == CGROUP_MANAGER_DISABLED) {
		c->st.cgroup_path = xstrdup("");
		return 0;
	}
	if (cgroup_path_resolve(l ? l->cgroups_path : NULL, c->o->id, &c->st.cgroup_path, err) < 0)
		return -1;
	/* Write-ahead: the cgroup is recorded before it exists, so a delete
	 * after we die removes it (or finds it never made). */
	if (save_state(c, err) < 0)
		return -1;
	fault_point("create-cgroup-recorded");
	if (cgroup_create(c->st.cgroup_path, l ? l->resources : NULL, &c->cg, err) < 0)
		return kerr_wrap(err, "cgroup `%s`", c->st.cgroup_path);
	return 0;
}

static void fill_state(struct create_ctx *c)
{
	c->st.oci_version = c->spec->oci_version;
	c->st.id = (char *)c->o->id;
	c->st.bundle = c->bundle;
	c->st.rootfs = c->rootfs;
	c->st.created = rfc3339_now();
	c->st.terminal = c->spec->process->terminal;
	c->st.systemd_cgroup = false;
	c->st.creating = true;
	state_set_annotations(&c->st, c->spec);
}

static int run_hooks(struct create_ctx *c, enum spec_hook_kind kind, const char *status,
		     struct kerr **err)
{
	_cleanup_free_ char *json = NULL;

	if (!c->spec->hooks.count[kind])
		return 0;
	json = state_to_oci_json(&c->st, status);
	return hooks_run(&c->spec->hooks, kind, json, err);
}

int write_pid_file(const char *path, pid_t pid, struct kerr **err)
{
	_cleanup_free_ char *dir = xstrdup(path);
	_cleanup_free_ char *base = xstrdup(path);
	_cleanup_close_ int dfd = -1;
	char *slash = strrchr(dir, '/');
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", pid);

	if (slash) {
		*slash = '\0';
		free(base);
		base = xstrdup(slash + 1);
		dfd = open(*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		dfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (dfd < 0)
		return kerr_errno(err, "pid file `%s`", path);
	if (write_file_atomic_at(dfd, base, buf, n, 0644, err) < 0)
		return kerr_wrap(err, "pid file `%s`", path);
	return 0;
}

/* The parent's half of the handshake with the init. */
static int drive_init(struct create_ctx *c, bool into_cg, int *tty_master, struct kerr **err)
{
	int sock = c->sync[0];
	int master = -1;
	const struct spec_linux *l = c->spec->linux_;

	if (ns_wants_new(c->spec, NS_USER) && ns_write_id_maps(c->pid, l, err) < 0)
		return -1;
	if (c->cg && !into_cg && cgroup_enter(c->cg, c->pid, err) < 0)
		return -1;
	if (init_waits_for_go(c->spec, ns_wants_new(c->spec, NS_USER), c->cg && !into_cg) &&
	    sync_send(sock, SYNC_GO, c->pid, -1, err) < 0)
		return -1;
	fault_point("create-go");
	/* Without the pause the point fires while the init may still be mounting. */
	if (init_pauses_for_hooks(c->spec) && sync_expect(sock, SYNC_PREPARED, NULL, NULL, err) < 0)
		return -1;
	fault_point("create-prepared");
	if (init_pauses_for_hooks(c->spec)) {
		if (run_hooks(c, HOOK_PRESTART, "creating", err) < 0 ||
		    run_hooks(c, HOOK_CREATE_RUNTIME, "creating", err) < 0)
			return -1;
		if (sync_send(sock, SYNC_HOOKS_DONE, 0, -1, err) < 0)
			return -1;
	}
	if (c->spec->process->terminal) {
		if (sync_expect(sock, SYNC_TTY, NULL, &master, err) < 0)
			return -1;
		if (c->console_sock >= 0) {
			int r = terminal_send_fd(c->console_sock, master, err);

			close(master);
			if (r < 0)
				return kerr_wrap(err, "console socket `%s`", c->o->console_socket);
		} else {
			*tty_master = master;
		}
	}
	return sync_expect(sock, SYNC_READY, NULL, NULL, err);
}

/* The init closed the sync socket (it died): reap it, and say how it died
 * when a signal killed it (it had no chance to report anything). */
static void init_died(struct create_ctx *c, struct kerr **err)
{
	char b;
	ssize_t r;
	int st;

	/* EOF, or ECONNRESET when it died with our last message unread. */
	r = recv(c->sync[0], &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (r > 0 || (r < 0 && errno != ECONNRESET))
		return;		/* alive: cleanup kills it */
	while (waitpid(c->pid, &st, 0) < 0)
		if (errno != EINTR)
			return;
	c->pid = 0;		/* reaped: its pid may be reused from now on */
	if (!WIFSIGNALED(st))
		return;
	kerr_free(err);
	kerr_set(err, 0, "container init killed by signal %d (%s) before it was ready",
		 WTERMSIG(st), strsignal(WTERMSIG(st)));
}

/* systemd socket activation (as runc): LISTEN_FDS fds from 3 on, meant for
 * us (LISTEN_PID), go to the container before the --preserve-fds ones. */
static int listen_fds(void)
{
	const char *n = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	long long v, p;

	if (!n || !pid || parse_i64(n, &v) < 0 || parse_i64(pid, &p) < 0 ||
	    p != getpid() || v <= 0 || v > 4096)
		return 0;
	return v;
}

static int spawn_init(struct create_ctx *c, int *tty_master, struct kerr **err)
{
	struct init_args a = {
		.spec = c->spec, .id = c->o->id, .bundle = c->bundle, .rootfs = c->rootfs,
		.no_pivot = c->o->no_pivot, .no_new_keyring = c->o->no_new_keyring,
		.new_userns = ns_wants_new(c->spec, NS_USER),
		.listen_fds = listen_fds(), .fifo = c->fifo,
		.state = &c->st,
		.parent_fds = { c->dirfd, c->rootfd, c->console_sock },
		.notify_sock = -1,
	};
	bool into_cg = false;

	a.preserve_fds = a.listen_fds + c->o->preserve_fds;
	if (ns_open_joined(c->spec, c->ns_fds, err) < 0)
		return -1;
	/* A joined pid namespace applies to our children only: join it here. */
	if (c->ns_fds[NS_PID] >= 0 && setns(c->ns_fds[NS_PID], CLONE_NEWPID) < 0)
		return kerr_errno(err, "join pid namespace");
	memcpy(a.ns_fds, c->ns_fds, sizeof(a.ns_fds));
	if (sync_pair(c->sync, err) < 0)
		return -1;
	a.sync = c->sync[1];
	c->pid = clone_into(ns_clone_flags(c->spec), c->cg ? cgroup_dirfd(c->cg) : -1, &into_cg, err);
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		close(c->sync[0]);
		a.wait_go = init_waits_for_go(c->spec, a.new_userns, c->cg && !into_cg);
		init_main(&a);
	}
	close(c->sync[1]);
	c->sync[1] = -1;
	/* Write-ahead: a delete after we die must find the init (pid and start
	 * time: the pid may be reused by then). It dies with us until READY
	 * (PDEATHSIG), but from READY on it outlives us. */
	c->st.pid = c->pid;
	c->st.pid_start = state_proc_start_time(c->pid);
	if (save_state(c, err) < 0)
		return -1;
	fault_point("create-clone");
	if (drive_init(c, into_cg, tty_master, err) < 0) {
		init_died(c, err);
		return -1;
	}
	fault_point("create-ready");
	return 0;
}

/* run: the init goes on by itself after READY (there is no exec.fifo); its
 * end of the sync socket closes at its execve, or at its death. Then the
 * poststart hooks. */
static int wait_started(struct create_ctx *c, struct kerr **err)
{
	char b;
	ssize_t r;

	do
		r = recv(c->sync[0], &b, 1, 0);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		return kerr_set(err, EPROTO, "container init: unexpected message after READY");
	if (r < 0 && errno != ECONNRESET)
		return kerr_errno(err, "wait for the container's process to start");
	hooks_run_poststart(&c->spec->hooks, &c->st);
	return 0;
}

/* The exec.fifo `start` opens to release the init (create only). */
static int make_fifo(struct create_ctx *c, struct kerr **err)
{
	if (mkfifoat(c->dirfd, "exec.fifo", 0600) < 0)
		return kerr_errno(err, "create exec.fifo");
	/* The init opens it as the container's root: in a user namespace
	 * that is an unprivileged host uid. */
	if (ns_wants_new(c->spec, NS_USER) && chown_to_container_root(c->dirfd, c->spec, err) < 0)
		return -1;
	c->fifo = openat(c->dirfd, "exec.fifo", O_PATH | O_CLOEXEC);
	if (c->fifo < 0)
		return kerr_errno(err, "open exec.fifo");
	return 0;
}

int lifecycle_create(const struct kglobal *g, const struct kcreate_opts *o, bool foreground_tty,
		     bool run, struct created *out, struct kerr **err)
{
	struct create_ctx c = { .g = g, .o = o, .rootfd = -1, .dirfd = -1, .console_sock = -1,
				.sync = { -1, -1 }, .fifo = -1, .run = run };
	int tty_master = -1;
	int ret = -1;

	for (int k = 0; k < NS_KINDS; k++)
		c.ns_fds[k] = -1;
	out->pid = 0;
	out->pidfd = -1;
	out->tty_master = -1;
	if (state_check_id(o->id, err) < 0 || load_config(&c, err) < 0)
		goto out;
	/* Before anything exists: a re-exec from a sealed copy starts over. */
	if (exeseal_ensure(exeseal_create_needed(c.spec), err) < 0)
		goto out;
	if (c.spec->process->terminal && !o->console_socket && !foreground_tty) {
		kerr_set(err, EINVAL, "process.terminal is true: --console-socket is required");
		goto out;
	}
	if (state_open_root(g->root ? g->root : KEEL_DEFAULT_ROOT, &c.rootfd, err) < 0 ||
	    state_create_dir(c.rootfd, o->id, &c.dirfd, err) < 0)
		goto out;
	c.dir_made = true;
	fault_point("create-dir");
	fill_state(&c);
	if (!run && make_fifo(&c, err) < 0)
		goto out;
	/* Written before state.json: a state.json means a whole config.json. */
	if (write_file_new_at(c.dirfd, "config.json", c.config_text, c.config_len, 0600, err) < 0)
		goto out;
	if (setup_cgroup(&c, err) < 0)
		goto out;
	fault_point("create-cgroup");
	if (o->console_socket && terminal_connect_socket(o->console_socket, &c.console_sock, err) < 0)
		goto out;
	if (spawn_init(&c, &tty_master, err) < 0)
		goto out;
	if (run)
		fault_point("run-created");
	c.st.creating = false;
	if (save_state(&c, err) < 0)
		goto out;
	fault_point("create-state");
	if (o->pid_file && write_pid_file(o->pid_file, c.pid, err) < 0)
		goto out;
	fault_point("create-return");
	if (run && wait_started(&c, err) < 0)
		goto out;
	out->pid = c.pid;
	out->pidfd = syscall(SYS_pidfd_open, c.pid, 0);
	out->tty_master = tty_master;
	tty_master = -1;
	ret = 0;
out:
	if (tty_master >= 0)
		close(tty_master);
	if (ret < 0 && o->pid_file && c.pid > 0)
		unlink(o->pid_file);
	create_ctx_cleanup(&c, ret < 0);
	return ret;
}

int container_create(const struct kglobal *g, const struct kcreate_opts *o, struct kerr **err)
{
	struct created c;

	if (lifecycle_create(g, o, false, false, &c, err) < 0)
		return -1;
	if (c.pidfd >= 0)
		close(c.pidfd);
	return 0;
}
