/* Terminals: a pty from the (container's) /dev/ptmx, the slave as the
 * controlling terminal, the master handed over a unix socket (SCM_RIGHTS)
 * or proxied to our own stdio. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "process.h"
#include "util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int terminal_open(int *master, int *slave, struct kerr **err)
{
	_cleanup_close_ int m = -1;
	int s, unlock = 0;

	*master = *slave = -1;
	m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return kerr_errno(err, "open /dev/ptmx");
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return kerr_errno(err, "unlock the pty (TIOCSPTLCK)");
	/* The slave through the master, never by a path someone could swap. */
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return kerr_errno(err, "open the pty slave (TIOCGPTPEER)");
	*master = steal_fd(&m);
	*slave = s;
	return 0;
}

int terminal_become(int slave, const struct spec_process *p, struct kerr **err)
{
	/* EPERM: already a session leader (e.g. exec'd by setsid). */
	if (setsid() < 0 && errno != EPERM)
		return kerr_errno(err, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return kerr_errno(err, "make the pty the controlling terminal (TIOCSCTTY)");
	if (p && p->has_console_size) {
		struct winsize ws = {
			.ws_row = p->console_height,
			.ws_col = p->console_width,
		};

		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return kerr_errno(err, "set the console size %ux%u",
					  p->console_width, p->console_height);
	}
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(slave, fd) < 0)
			return kerr_errno(err, "dup2 the pty to fd %d", fd);
	if (slave > 2)
		close(slave);
	return 0;
}

int terminal_send_fd(int sockfd, int fd, struct kerr **err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char name[64] = "keel";
	unsigned int n;
	struct iovec iov;
	struct msghdr msg = { 0 };
	struct cmsghdr *c;

	/* The payload is the pty's name, like other runtimes send. */
	if (ioctl(fd, TIOCGPTN, &n) == 0)
		snprintf(name, sizeof(name), "/dev/pts/%u", n);
	iov.iov_base = name;
	iov.iov_len = strlen(name);
	memset(&u, 0, sizeof(u));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	for (;;) {
		ssize_t r = sendmsg(sockfd, &msg, MSG_NOSIGNAL);

		if (r >= 0)
			return 0;
		if (errno != EINTR)
			return kerr_errno(err, "send the pty master over the console socket");
	}
}

static void close_cmsg_fds(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			close(fd);
		}
	}
}

int terminal_recv_fd(int sockfd, int *fd, struct kerr **err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	char payload[256];
	struct iovec iov = { .iov_base = payload, .iov_len = sizeof(payload) };
	struct msghdr msg = { 0 };
	struct cmsghdr *c;
	ssize_t r;

	*fd = -1;
	memset(&u, 0, sizeof(u));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	do
		r = recvmsg(sockfd, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return kerr_errno(err, "receive the pty master");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || (msg.msg_flags & MSG_CTRUNC) || c->cmsg_level != SOL_SOCKET ||
	    c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)) ||
	    CMSG_NXTHDR(&msg, c)) {
		close_cmsg_fds(&msg);
		return kerr_set(err, EBADMSG, "receive the pty master: expected exactly one fd");
	}
	memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

int terminal_connect_socket(const char *path, int *sockfd, struct kerr **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;

	*sockfd = -1;
	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return kerr_set(err, ENAMETOOLONG, "console socket `%s`", path ? path : "");
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kerr_errno(err, "console socket `%s`: socket", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return kerr_errno(err, "connect to the console socket `%s`", path);
	*sockfd = steal_fd(&fd);
	return 0;
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

/* Read what is there and write it all to `to`. 0 on data, 1 on EOF/hangup. */
static int pump(int from, int to)
{
	char buf[8192];
	ssize_t n;

	do
		n = read(from, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0)
		return 1;	/* EOF, or EIO once the slave side has closed */
	if (write_all(to, buf, n) < 0)
		return -1;
	return 0;
}

static int proxy_loop(int master, int sfd, bool in_tty, struct kerr **err)
{
	struct pollfd fds[3] = {
		{ .fd = master, .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};

	for (;;) {
		int r = poll(fds, sfd >= 0 ? 3 : 2, -1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return kerr_errno(err, "terminal: poll");
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = pump(master, STDOUT_FILENO);
			if (r < 0)
				return kerr_errno(err, "terminal: write to stdout");
			if (r > 0)
				return 0;
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
			r = pump(STDIN_FILENO, master);
			if (r < 0 && errno != EIO)
				return kerr_errno(err, "terminal: write to the pty");
			if (r != 0) {
				/* stdin ended: pass an EOF (the VEOF char) to the
				 * process and keep copying its output. */
				struct termios t;
				char eof = 4;

				if (tcgetattr(master, &t) == 0 && t.c_cc[VEOF])
					eof = t.c_cc[VEOF];
				if (!in_tty)
					(void)!write(master, &eof, 1);
				fds[1].fd = -1;
			}
		}
		if (sfd >= 0 && (fds[2].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) > 0 && in_tty)
				copy_winsize(STDIN_FILENO, master);
		}
	}
}

int terminal_proxy(int master, struct kerr **err)
{
	bool in_tty = isatty(STDIN_FILENO);
	struct termios saved, raw;
	bool restore = false;
	sigset_t mask, old;
	int sfd = -1, r;

	if (in_tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		/* Keep output post-processing so "\n" still returns the carriage. */
		raw.c_oflag |= OPOST;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
			restore = true;
		copy_winsize(STDIN_FILENO, master);
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &mask, &old) == 0)
		sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

	r = proxy_loop(master, sfd, in_tty, err);

	if (sfd >= 0) {
		close(sfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return r;
}
