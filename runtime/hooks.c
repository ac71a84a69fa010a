/* OCI hooks: fork/exec each hook with the state on stdin, under its timeout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "log.h"
#include "util.h"

#define TAIL_MAX 4096

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keep the last TAIL_MAX bytes of the hook's stderr, and copy it to ours. */
static void tail_append(char *tail, size_t *len, const char *buf, size_t n)
{
	if (write_all(STDERR_FILENO, buf, n) < 0) {
		/* our stderr is gone; the tail still goes into the error */
	}
	if (n >= TAIL_MAX) {
		memcpy(tail, buf + n - TAIL_MAX, TAIL_MAX);
		*len = TAIL_MAX;
		return;
	}
	if (*len + n > TAIL_MAX) {
		size_t drop = *len + n - TAIL_MAX;

		memmove(tail, tail + drop, *len - drop);
		*len -= drop;
	}
	memcpy(tail + *len, buf, n);
	*len += n;
}

static void drain(int fd, char *tail, size_t *len)
{
	char buf[1024];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		tail_append(tail, len, buf, n);
}

static char *last_line(char *tail, size_t len)
{
	char *p;

	tail[len] = '\0';
	while (len > 0 && (tail[len - 1] == '\n' || tail[len - 1] == '\r'))
		tail[--len] = '\0';
	p = strrchr(tail, '\n');
	return p ? p + 1 : tail;
}

static void child_exec(const struct spec_hook *h, int in, int errw)
{
	char *const default_args[] = { h->path, NULL };
	char *const empty_env[] = { NULL };

	/* The hook's stdout goes to our stderr, its stderr to the capture pipe. */
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0 || dup2(in, STDIN_FILENO) < 0 ||
	    dup2(errw, STDERR_FILENO) < 0)
		_exit(127);
	if (in > STDERR_FILENO)
		close(in);
	if (errw > STDERR_FILENO)
		close(errw);
	signal(SIGPIPE, SIG_DFL);
	execve(h->path, h->args && h->args[0] ? h->args : default_args,
	       h->env ? h->env : empty_env);
	dprintf(STDERR_FILENO, "exec `%s`: %s\n", h->path, strerror(errno));
	_exit(127);
}

static int run_one(const struct spec_hook *h, const char *kind, const char *state_json,
		   struct kerr **err)
{
	int in[2] = { -1, -1 }, ep[2] = { -1, -1 };
	char tail[TAIL_MAX + 1];
	size_t tail_len = 0;
	long long deadline = h->has_timeout && h->timeout > 0 ?
			     now_ms() + (long long)h->timeout * 1000 : -1;
	_cleanup_close_ int pidfd = -1;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	bool err_open = true, timed_out = false;
	size_t in_off = 0, in_len = state_json ? strlen(state_json) : 0;
	int status = 0, ret = -1;
	pid_t pid = -1;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		kerr_errno(err, "hook `%s` (%s): pipe", h->path, kind);
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		kerr_errno(err, "hook `%s` (%s): fork", h->path, kind);
		goto out;
	}
	if (pid == 0)
		child_exec(h, in[0], ep[1]);
	close(in[0]);
	close(ep[1]);
	in[0] = ep[1] = -1;

	/* A hook that ignores stdin must not kill us with SIGPIPE; the state is
	 * written from the poll loop so a hook that reads slowly gets all of it. */
	sigaction(SIGPIPE, &ign, &old);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(ep[0], F_SETFL, O_NONBLOCK);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		struct pollfd pfd[3];
		int nfds = 0, timeout = -1, r, in_slot = -1;
		pid_t w;

		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			kerr_errno(err, "hook `%s` (%s): wait", h->path, kind);
			goto out;
		}
		if (deadline >= 0) {
			long long left = deadline - now_ms();

			if (left <= 0) {
				kill(pid, SIGKILL);
				while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
					;
				timed_out = true;
				break;
			}
			timeout = (int)left;
		}
		if (pidfd >= 0)
			pfd[nfds++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		else if (timeout < 0 || timeout > 20)
			timeout = 20;	/* no pidfd: poll for the exit */
		if (in[1] >= 0 && in_off >= in_len) {
			close(in[1]);
			in[1] = -1;
		}
		if (in[1] >= 0) {
			in_slot = nfds;
			pfd[nfds++] = (struct pollfd){ .fd = in[1], .events = POLLOUT };
		}
		if (err_open)
			pfd[nfds++] = (struct pollfd){ .fd = ep[0], .events = POLLIN };
		r = poll(pfd, nfds, timeout);
		if (r > 0 && in_slot >= 0 && pfd[in_slot].revents) {
			ssize_t w = write(in[1], state_json + in_off, in_len - in_off);

			if (w > 0) {
				in_off += w;
			} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
				close(in[1]);	/* EPIPE: the hook does not read its stdin */
				in[1] = -1;
			}
		}
		if (r < 0 && errno != EINTR) {
			kerr_errno(err, "hook `%s` (%s): poll", h->path, kind);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			goto out;
		}
		if (err_open && r > 0 && pfd[nfds - 1].revents) {
			char buf[1024];
			ssize_t n = read(ep[0], buf, sizeof(buf));

			if (n > 0)
				tail_append(tail, &tail_len, buf, n);
			else if (n == 0 || (errno != EAGAIN && errno != EINTR))
				err_open = false;
		}
	}
	sigaction(SIGPIPE, &old, NULL);
	/* Whatever is already written; a daemon keeping the pipe open can't hold us. */
	drain(ep[0], tail, &tail_len);

	if (timed_out) {
		kerr_set(err, 0, "hook `%s` (%s) timed out after %d s", h->path, kind, h->timeout);
		goto out;
	}
	if (WIFSIGNALED(status)) {
		char *line = last_line(tail, tail_len);

		kerr_set(err, 0, "hook `%s` (%s) killed by signal %d%s%s", h->path, kind,
			 WTERMSIG(status), *line ? ": " : "", line);
		goto out;
	}
	if (WEXITSTATUS(status) != 0) {
		char *line = last_line(tail, tail_len);

		kerr_set(err, 0, "hook `%s` (%s) exited with status %d%s%s", h->path, kind,
			 WEXITSTATUS(status), *line ? ": " : "", line);
		goto out;
	}
	ret = 0;
out:
	if (pid > 0)
		sigaction(SIGPIPE, &old, NULL);
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	return ret;
}

int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind,
	      const char *state_json, struct kerr **err)
{
	size_t i;

	if (!hooks || (int)kind < 0 || kind >= HOOK_KINDS)
		return 0;
	for (i = 0; i < hooks->count[kind]; i++) {
		const struct spec_hook *h = &hooks->list[kind][i];

		kdebug("running %s hook `%s`", spec_hook_name(kind), h->path);
		if (run_one(h, spec_hook_name(kind), state_json, err) < 0)
			return -1;
	}
	return 0;
}

void hooks_run_poststart(const struct spec_hooks *hooks, const struct kstate *st)
{
	_cleanup_free_ char *json = NULL;
	struct kerr *e = NULL;

	if (!hooks->count[HOOK_POSTSTART])
		return;
	json = state_to_oci_json(st, "running");
	if (hooks_run(hooks, HOOK_POSTSTART, json, &e) < 0) {
		_cleanup_free_ char *t = kerr_text(e);

		kwarn("%s", t);
		kerr_free(&e);
	}
}

int hooks_config_load(int dirfd, enum spec_hook_kind kind, struct spec **out, struct kerr **err)
{
	_cleanup_free_ char *text = NULL;
	const char *key = spec_hook_name(kind);
	size_t len;

	*out = NULL;
	if (read_file_at(dirfd, "config.json", &text, &len, err) < 0)
		return -1;
	/* A JSON key equal to `key` is spelled out, or has an escaped character (\\u). */
	if (!memmem(text, len, key, strlen(key)) && !memmem(text, len, "\\u", 2))
		return 0;
	return spec_parse(text, len, "config.json", out, err);
}
