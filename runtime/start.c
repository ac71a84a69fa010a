/* start and run. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lifecycle.h"
#include "fault.h"
#include "hooks.h"
#include "process.h"
#include "util.h"

/* Open exec.fifo for reading: that releases the init blocked in its open for
 * writing. Then wait for its byte, or for the init to die. */
static int release_init(int dirfd, const struct kstate *st, struct kerr **err)
{
	_cleanup_close_ int fifo = openat(dirfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	_cleanup_close_ int pidfd = -1;
	struct pollfd p[2];
	char b;

	if (fifo < 0 && errno == ENOENT)
		return kerr_set(err, EINVAL, "container `%s` has already been started", st->id);
	if (fifo < 0)
		return kerr_errno(err, "open exec.fifo");
	/* Released now: gone with it is "created" (were we killed from here
	 * on, the init would run, or die writing to a fifo with no reader). */
	unlinkat(dirfd, "exec.fifo", 0);
	pidfd = syscall(SYS_pidfd_open, st->pid, 0);
	p[0] = (struct pollfd){ .fd = fifo, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	for (;;) {
		int n = poll(p, pidfd >= 0 ? 2 : 1, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kerr_errno(err, "poll exec.fifo");
		if (p[0].revents & (POLLIN | POLLHUP))
			break;
		if (p[1].revents)
			return kerr_set(err, ESRCH, "container init exited before start");
	}
	if (read(fifo, &b, 1) != 1)
		return kerr_set(err, ESRCH, "container init exited before start");
	/* The init holds the write end until its execve: EOF means the user
	 * process runs (poststart hooks come after that) or the init died. */
	p[0].events = POLLIN;
	for (;;) {
		ssize_t r;

		if (poll(p, 1, -1) < 0 && errno != EINTR)
			return kerr_errno(err, "poll exec.fifo");
		r = read(fifo, &b, 1);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			break;
	}
	return 0;
}

int container_start(const struct kglobal *g, const char *id, struct kerr **err)
{
	_cleanup_close_ int rootfd = -1, dirfd = -1;
	struct kstate *st = NULL;
	struct spec *spec = NULL;
	const char *status;
	int ret = -1;

	if (state_open_root(g->root ? g->root : KEEL_DEFAULT_ROOT, &rootfd, err) < 0 ||
	    state_open_dir(rootfd, id, true, &dirfd, err) < 0 || state_read(dirfd, &st, err) < 0)
		goto out;
	status = state_status(dirfd, st);
	if (strcmp(status, "created") != 0) {
		kerr_set(err, EINVAL, "cannot start container `%s`: it is %s", id, status);
		goto out;
	}
	if (release_init(dirfd, st, err) < 0)
		goto out;
	fault_point("start-released");
	if (hooks_config_load(dirfd, HOOK_POSTSTART, &spec, err) < 0)
		goto out;
	if (spec)
		hooks_run_poststart(&spec->hooks, st);
	ret = 0;
out:
	spec_free(spec);
	state_free(st);
	return ret;
}

static volatile pid_t forward_to;

static void forward_signal(int sig)
{
	if (forward_to > 0)
		kill(forward_to, sig);
}

/* While we wait in the foreground, signals meant for the container go to it. */
void forward_signals(pid_t pid)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
	struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };

	forward_to = pid;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int container_run(const struct kglobal *g, const struct kcreate_opts *o, struct kerr **err)
{
	struct created c;
	int status;

	if (lifecycle_create(g, o, !o->detach && !o->console_socket, true, &c, err) < 0)
		return -1;
	if (c.pidfd >= 0)
		close(c.pidfd);
	fault_point("run-started");
	if (o->detach) {
		if (c.tty_master >= 0)
			close(c.tty_master);
		return 0;
	}
	forward_signals(c.pid);
	if (c.tty_master >= 0) {
		struct kerr *e = NULL;

		if (terminal_proxy(c.tty_master, &e) < 0)
			kerr_report(&e);
		close(c.tty_master);
	}
	status = wait_exit_status(c.pid);
	forward_to = 0;
	fault_point("run-exited");
	if (!o->keep && container_delete(g, o->id, true, err) < 0)
		return -1;
	return status;
}
