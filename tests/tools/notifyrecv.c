/* notifyrecv SOCKET ERRNO: a seccomp listener (OCI listenerPath) for tests.
 * Accepts one connection, receives the state JSON with exactly one fd (the
 * seccomp notify fd), prints the JSON on stdout, then answers every notified
 * syscall with -ERRNO until the container goes away. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "notifyrecv: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[65536], cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int ls, s, nfd = -1, nfds = 0, answer;
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: notifyrecv SOCKET ERRNO\n");
		return 2;
	}
	answer = atoi(argv[2]);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0)
		die("listen");
	s = accept(ls, NULL, NULL);
	if (s < 0)
		die("accept");
	n = recvmsg(s, &mh, 0);
	if (n <= 0)
		die("recvmsg");
	buf[n] = '\0';
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			nfds += (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(&nfd, CMSG_DATA(c), sizeof(int));
		}
	if (nfds != 1) {
		fprintf(stderr, "notifyrecv: expected exactly one fd, got %d\n", nfds);
		return 1;
	}
	printf("%s\n", buf);
	fflush(stdout);
	for (;;) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;

		memset(&req, 0, sizeof(req));
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR)
				continue;
			return 0;	/* ENOENT/EBADF...: the filter's tasks are gone */
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.error = -answer;
		ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}
