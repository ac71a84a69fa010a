/* exec: run another process in a running container.
 *
 * keel forks a helper straight into the container's cgroup; the helper joins
 * the container's namespaces (a pid namespace applies to children only) and
 * clones the real process with CLONE_PARENT, so that keel is its parent and
 * gets its exit status. The process then takes the container's root,
 * terminal, user, caps and seccomp, reports READY and execs.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lifecycle.h"
#include "fault.h"
#include "log.h"
#include "process.h"
#include "sync.h"
#include "util.h"
#include "../cgroups/cgroup.h"

struct exec_ctx {
	const struct kexec_opts *o;
	struct spec *spec;
	struct spec_process *proc_file;	/* --process */
	struct spec_process proc;	/* what runs: a shallow copy with overrides */
	struct spec_caps caps;
	char **cap_lists[3];		/* owned lists built for --cap */
	struct spec_user user;
	struct kstate *st;
	int rootfd;			/* /proc/<pid>/root of the container's init */
	int statedir;
	bool created;			/* not started yet */
	int ns_fds[NS_KINDS];
	struct cgroup *cg;
	int sync[2];
	int console_sock;
};

static char **strv_with(char **base, char **extra)
{
	size_t n = strv_len(base), m = strv_len(extra);
	char **v = xzalloc((n + m + 1) * sizeof(char *));

	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(base[i]);
	for (size_t i = 0; i < m; i++)
		v[n + i] = xstrdup(extra[i]);
	return v;
}

/* The process: --process FILE, or the container's process with the flags applied. */
static int build_process(struct exec_ctx *c, struct kerr **err)
{
	const struct kexec_opts *o = c->o;

	if (o->process) {
		_cleanup_free_ char *text = NULL;
		size_t len;

		if (read_file_at(AT_FDCWD, o->process, &text, &len, err) < 0)
			return kerr_wrap(err, "--process");
		if (spec_parse_process(text, len, o->process, &c->proc_file, err) < 0)
			return -1;
		c->proc = *c->proc_file;
	} else {
		if (!o->args || !o->args[0])
			return kerr_set(err, EINVAL, "exec: no command given (args or --process)");
		c->proc = *c->spec->process;
		c->proc.args = o->args;
		c->proc.terminal = o->tty;
		c->proc.has_console_size = false;
	}
	if (o->cwd)
		c->proc.cwd = (char *)o->cwd;
	if (o->no_new_privs)
		c->proc.no_new_privileges = true;
	if (o->apparmor)
		c->proc.apparmor_profile = (char *)o->apparmor;
	if (o->process_label)
		c->proc.selinux_label = (char *)o->process_label;
	if (o->user) {
		if (process_parse_user_arg(c->rootfd, o->user, &c->user, err) < 0)
			return kerr_wrap(err, "--user `%s`", o->user);
		c->proc.user = c->user;
	}
	if (o->caps && o->caps[0]) {
		/* --cap adds to bounding, effective and permitted; never inheritable. */
		for (char **cp = o->caps; *cp; cp++)
			if (spec_cap_parse(*cp) < 0)
				return kerr_set(err, EINVAL, "--cap: unknown capability `%s`", *cp);
		c->caps = c->proc.has_capabilities ? c->proc.capabilities : (struct spec_caps){ 0 };
		c->cap_lists[0] = strv_with(c->caps.bounding, o->caps);
		c->cap_lists[1] = strv_with(c->caps.effective, o->caps);
		c->cap_lists[2] = strv_with(c->caps.permitted, o->caps);
		c->caps.bounding = c->cap_lists[0];
		c->caps.effective = c->cap_lists[1];
		c->caps.permitted = c->cap_lists[2];
		c->proc.capabilities = c->caps;
		c->proc.has_capabilities = true;
	}
	if (c->proc.terminal && !o->console_socket && o->detach)
		return kerr_set(err, EINVAL, "exec --tty --detach needs --console-socket");
	return 0;
}

/* In the final process: the container's root and the process attributes. */
static int exec_child(struct exec_ctx *c, struct kerr **err)
{
	struct spec_process *p = &c->proc;
	const struct spec_caps *caps = p->has_capabilities ? &p->capabilities : NULL;
	const struct spec_linux *l = c->spec->linux_;
	struct process_ids ids = { 0 };
	struct seccomp_prog *prog = NULL;
	char **env;

	if (fchdir(c->rootfd) < 0 || chroot(".") < 0)
		return kerr_errno(err, "enter the container's root");
	if (chdir(p->cwd ? p->cwd : "/") < 0)
		return kerr_errno(err, "cwd `%s`", p->cwd ? p->cwd : "/");
	if (cwd_check_inside(p->cwd ? p->cwd : "/", err) < 0)
		return -1;
	if (p->terminal) {
		int master, slave;

		if (terminal_open(&master, &slave, err) < 0 ||
		    sync_send(c->sync[1], SYNC_TTY, 0, master, err) < 0 ||
		    terminal_become(slave, p, err) < 0)
			return -1;
		close(master);
		close(slave);
	}
	if (process_resolve_user(c->rootfd, &p->user, &ids, err) < 0 ||
	    process_set_rlimits(p, err) < 0 || process_set_scheduler(p, err) < 0 ||
	    process_set_io_priority(p, err) < 0)
		return -1;
	if (l && process_set_personality(l, err) < 0)
		return -1;
	if (seccomp_compile(l ? l->seccomp : NULL, &prog, err) < 0)
		return -1;
	env = process_build_env(p->env, c->o->env, ids.home);
	if (process_find_executable(p->args[0], env, err) < 0)
		return -1;
	if (close_fds_from(c->o->preserve_fds, err) < 0)
		return -1;
	/* Without no_new_privs loading needs CAP_SYS_ADMIN: before the drop. */
	if (!p->no_new_privileges && seccomp_prog_load(prog, err) < 0)
		return -1;
	if (caps && caps_drop_bounding(caps, err) < 0)
		return -1;
	if (process_set_user(&ids, &p->user, err) < 0)
		return -1;
	if (caps_apply(caps, err) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return kerr_errno(err, "set no_new_privs");
	fault_point("exec-child");
	if (sync_send(c->sync[1], SYNC_READY, 0, -1, err) < 0 ||
	    (p->no_new_privileges && seccomp_prog_load(prog, err) < 0))
		return -1;
	/* On success the sync socket closes on exec: keel reads EOF. */
	return process_exec(p->args, env, err);
}

/* The helper in the container's cgroup: join, then clone the process. */
static void exec_helper(struct exec_ctx *c)
{
	struct kerr *err = NULL;
	pid_t pid;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The process cloned below runs keel's binary in the container's pid
	 * namespace until it execs: non-dumpable, its /proc/<pid>/exe is out
	 * of reach of the container's processes (exeseal.c). */
	exeseal_nondumpable();
	/* Wait until keel has made sure we are in the container's cgroup. */
	if (sync_expect(c->sync[1], SYNC_GO, NULL, NULL, &err) < 0)
		goto fail;
	if (ns_join(c->ns_fds, 0, &err) < 0)
		goto fail;
	pid = clone_into(CLONE_PARENT, -1, NULL, &err);
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		if (exec_child(c, &err) < 0)
			sync_send_error(c->sync[1], &err);
		_exit(127);
	}
	if (sync_send(c->sync[1], SYNC_PID, pid, -1, &err) < 0)
		goto fail;
	_exit(0);
fail:
	sync_send_error(c->sync[1], &err);
	_exit(1);
}

static int open_container(struct exec_ctx *c, const struct kglobal *g, struct kerr **err)
{
	_cleanup_close_ int rootfd = -1;
	const char *status;
	char path[64];

	if (state_open_root(g->root ? g->root : KEEL_DEFAULT_ROOT, &rootfd, err) < 0 ||
	    state_open_dir(rootfd, c->o->id, false, &c->statedir, err) < 0 ||
	    state_read(c->statedir, &c->st, err) < 0)
		return -1;
	status = state_status(c->statedir, c->st);
	c->created = strcmp(status, "created") == 0;
	if (strcmp(status, "running") != 0 && strcmp(status, "created") != 0)
		return kerr_set(err, EINVAL, "cannot exec in container `%s`: it is %s", c->o->id, status);
	if (spec_load(c->statedir, "config.json", &c->spec, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/root", c->st->pid);
	c->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->rootfd < 0)
		return kerr_errno(err, "open `%s`", path);
	if (ns_open_container(c->st->pid, c->ns_fds, err) < 0)
		return -1;
	/* The pid may have been reused since we read the state. */
	if (!state_pid_alive(c->st))
		return kerr_set(err, ESRCH, "container `%s` is not running", c->o->id);
	if (c->st->cgroup_path && *c->st->cgroup_path &&
	    cgroup_open(c->st->cgroup_path, &c->cg, err) < 0)
		return -1;
	return 0;
}

static void exec_ctx_free(struct exec_ctx *c)
{
	for (int i = 0; i < 2; i++)
		if (c->sync[i] >= 0)
			close(c->sync[i]);
	ns_close_all(c->ns_fds);
	if (c->rootfd >= 0)
		close(c->rootfd);
	if (c->statedir >= 0)
		close(c->statedir);
	if (c->console_sock >= 0)
		close(c->console_sock);
	if (c->cg)
		cgroup_close(c->cg);
	for (int i = 0; i < 3; i++)
		strv_free(c->cap_lists[i]);
	free(c->user.additional_gids);
	free(c->user.username);
	spec_process_free(c->proc_file);
	spec_free(c->spec);
	state_free(c->st);
}

/* The exec'd process is visible to the container's processes until it
 * execs: keel's binary must stay out of their reach (exeseal.c). Before
 * anything else is done: a re-exec starts over. */
static int exec_seal(struct exec_ctx *c, struct kerr **err)
{
	struct exeseal_exec x = {
		.id = c->o->id, .spec = c->spec, .proc = &c->proc,
		.host_userns = c->ns_fds[NS_USER] < 0, .created = c->created,
		.init_pid = c->st->pid, .statedir = c->statedir,
	};
	bool needed;

	if (exeseal_exec_check(&x, &needed, err) < 0)
		return -1;
	return exeseal_ensure(needed, err);
}

/* Collect the process's pid (from the helper), its tty and READY, in
 * whatever order they arrive: the helper and the process race. */
static int drive_exec(struct exec_ctx *c, pid_t helper, pid_t *pid, int *master, struct kerr **err)
{
	bool ready = false, tty = !c->proc.terminal;
	struct sync_msg m;

	*master = -1;
	*pid = 0;
	while (!ready || !tty || !*pid) {
		int fd = -1;

		if (sync_recv(c->sync[0], &m, &fd, err) < 0)
			return -1;
		if (m.type == SYNC_PID) {
			*pid = m.value;
			waitpid(helper, NULL, 0);
		} else if (m.type == SYNC_TTY && fd >= 0) {
			tty = true;
			*master = fd;
		} else if (m.type == SYNC_READY) {
			ready = true;
		} else {
			if (fd >= 0)
				close(fd);
			return kerr_set(err, EPROTO, "exec: unexpected message %d", m.type);
		}
	}
	if (*master >= 0 && c->console_sock >= 0) {
		int r = terminal_send_fd(c->console_sock, *master, err);

		close(*master);
		*master = -1;
		if (r < 0)
			return -1;
	}
	/* EOF: the exec happened (the socket closes on exec); an error: it did not. */
	return sync_wait_eof(c->sync[0], err);
}

int container_exec(const struct kglobal *g, const struct kexec_opts *o, struct kerr **err)
{
	struct exec_ctx c = { .o = o, .rootfd = -1, .statedir = -1, .sync = { -1, -1 },
			      .console_sock = -1 };
	pid_t helper, pid = 0;
	bool into_cg = false;
	int master = -1, ret = -1;

	for (int k = 0; k < NS_KINDS; k++)
		c.ns_fds[k] = -1;
	if (open_container(&c, g, err) < 0 || build_process(&c, err) < 0 ||
	    exec_seal(&c, err) < 0)
		goto out;
	if (o->console_socket && terminal_connect_socket(o->console_socket, &c.console_sock, err) < 0)
		goto out;
	if (sync_pair(c.sync, err) < 0)
		goto out;
	helper = clone_into(0, c.cg ? cgroup_dirfd(c.cg) : -1, &into_cg, err);
	if (helper < 0)
		goto out;
	if (helper == 0) {
		close(c.sync[0]);
		exec_helper(&c);
	}
	close(c.sync[1]);
	c.sync[1] = -1;
	fault_point("exec-helper");
	/* Direct placement can fail (e.g. EAGAIN at pids.max): like runc, move
	 * the helper in through cgroup.procs, before it forks the process. */
	if ((c.cg && !into_cg && cgroup_enter(c.cg, helper, err) < 0) ||
	    sync_send(c.sync[0], SYNC_GO, 0, -1, err) < 0) {
		kill(helper, SIGKILL);
		waitpid(helper, NULL, 0);
		goto out;
	}
	if (drive_exec(&c, helper, &pid, &master, err) < 0) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		goto out;
	}
	fault_point("exec-started");
	if (o->pid_file && write_pid_file(o->pid_file, pid, err) < 0)
		goto out;
	if (o->detach) {
		ret = 0;
		goto out;
	}
	forward_signals(pid);
	if (master >= 0) {
		struct kerr *e = NULL;

		if (terminal_proxy(master, &e) < 0)
			kerr_report(&e);
	}
	ret = wait_exit_status(pid);
out:
	if (master >= 0)
		close(master);
	exec_ctx_free(&c);
	return ret;
}
