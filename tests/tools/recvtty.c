/* A console-socket receiver for the tests.
 *
 *   recvtty [--accept-after FILE] [--read | --write LINE] SOCKETPATH
 *
 * Listens on an AF_UNIX stream socket at SOCKETPATH, accepts one connection
 * (with --accept-after: only once FILE exists, as engines accept only after
 * `create` returned, so the runtime must not wait for the accept),
 * receives exactly one message carrying SCM_RIGHTS with exactly one fd, and
 * checks that the fd is a pty master (TIOCGPTN works).  Then:
 *   --read (default)  copies the pty's output to stdout until EOF/EIO;
 *   --write LINE      writes LINE (C escapes \n \r \t \\ decoded) to the pty
 *                     first, then copies the output.
 * Any violation prints `recvtty: <what>` on stderr and exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	if (errno)
		fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	else
		fprintf(stderr, "recvtty: %s\n", what);
	exit(1);
}

static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		die("out of memory");
	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			*o++ = *s;
			continue;
		}
		s++;
		*o++ = *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s == 't' ? '\t' : *s;
	}
	*o = '\0';
	return out;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = 0;
		die("socket path too long");
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die(path);
	if (listen(fd, 1) < 0)
		die("listen");
	return fd;
}

/* Receive one message; it must carry exactly one fd. */
static int recv_one_fd(int conn)
{
	char data[256];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 8)];
	} ctl;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	int nfds = 0, fd = -1;
	ssize_t n;

	memset(ctl.buf, 0, sizeof(ctl.buf));
	n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		die("recvmsg");
	errno = 0;
	if (msg.msg_flags & MSG_CTRUNC)
		die("control data truncated (more fds than expected)");
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			die("unexpected control message");
		nfds += (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	}
	if (nfds != 1) {
		fprintf(stderr, "recvtty: expected exactly one fd, got %d\n", nfds);
		exit(1);
	}
	return fd;
}

static void copy_out(int fd)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno == EIO))
			return;		/* EIO: the slave side is all closed */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read pty");
		}
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			die("write stdout");
		fflush(stdout);
	}
}

/* Wait (up to 120 s) until `file` exists. */
static void wait_for(const char *file)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 12000; i++) {
		if (access(file, F_OK) == 0)
			return;
		nanosleep(&ts, NULL);
	}
	errno = 0;
	die("--accept-after: the file never appeared");
}

#define USAGE "usage: recvtty [--accept-after FILE] [--read | --write LINE] SOCKETPATH\n"

int main(int argc, char **argv)
{
	const char *path = NULL, *after = NULL;
	char *line = NULL;
	int lfd, conn, pty, i;
	unsigned int ptn;
	char extra;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--read"))
			continue;
		if (!strcmp(argv[i], "--write") && i + 1 < argc)
			line = unescape(argv[++i]);
		else if (!strcmp(argv[i], "--accept-after") && i + 1 < argc)
			after = argv[++i];
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else {
			fprintf(stderr, USAGE);
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, USAGE);
		return 2;
	}
	lfd = listen_on(path);
	if (after)
		wait_for(after);
	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	pty = recv_one_fd(conn);
	/* Exactly one message: the sender must close without sending more. */
	if (recv(conn, &extra, 1, MSG_DONTWAIT) > 0) {
		errno = 0;
		die("more than one message on the console socket");
	}
	close(conn);
	close(lfd);
	if (ioctl(pty, TIOCGPTN, &ptn) < 0)
		die("the received fd is not a pty master (TIOCGPTN)");
	if (line) {
		size_t len = strlen(line), off = 0;

		while (off < len) {
			ssize_t n = write(pty, line + off, len - off);

			if (n < 0)
				die("write pty");
			off += n;
		}
		free(line);
	}
	copy_out(pty);
	close(pty);
	return 0;
}
