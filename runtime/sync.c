#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sync.h"
#include "util.h"

int sync_pair(int fds[2], struct kerr **err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return kerr_errno(err, "socketpair");
	return 0;
}

static int send_msg(int sock, const struct sync_msg *m, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)m, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int sync_send(int sock, int type, long value, int fd, struct kerr **err)
{
	struct sync_msg m = { .type = type, .value = value };

	if (send_msg(sock, &m, offsetof(struct sync_msg, text), fd) < 0)
		return kerr_errno(err, "sync: send");
	return 0;
}

void sync_send_error(int sock, struct kerr **e)
{
	struct sync_msg m = { .type = SYNC_ERROR };

	if (e && *e) {
		m.errnum = (*e)->errnum;
		snprintf(m.text, sizeof(m.text), "%s", (*e)->msg);
	} else {
		snprintf(m.text, sizeof(m.text), "container init failed");
	}
	send_msg(sock, &m, offsetof(struct sync_msg, text) + strlen(m.text) + 1, -1);
	kerr_free(e);
}

int sync_recv(int sock, struct sync_msg *m, int *fd, struct kerr **err)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;

	if (fd)
		*fd = -1;
	memset(m, 0, sizeof(*m));
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return kerr_errno(err, "sync: receive");
	if (n == 0)
		return kerr_set(err, 0, "container init exited unexpectedly");
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int got;

			memcpy(&got, CMSG_DATA(c), sizeof(int));
			if (fd)
				*fd = got;
			else
				close(got);
		}
	}
	if (m->type == SYNC_ERROR) {
		m->text[sizeof(m->text) - 1] = '\0';
		return kerr_set(err, m->errnum, "%s", m->text);
	}
	return 0;
}

int sync_expect(int sock, int type, long *value, int *fd, struct kerr **err)
{
	struct sync_msg m;

	if (sync_recv(sock, &m, fd, err) < 0)
		return -1;
	if (m.type != type) {
		if (fd && *fd >= 0)
			close(*fd);
		return kerr_set(err, EPROTO, "sync: expected message %d, got %d", type, m.type);
	}
	if (value)
		*value = m.value;
	return 0;
}

int sync_wait_eof(int sock, struct kerr **err)
{
	struct sync_msg m;
	char c;
	ssize_t n;

	/* Peek first: EOF is success and must not become an error. */
	do
		n = recv(sock, &c, 1, MSG_PEEK);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (sync_recv(sock, &m, NULL, err) < 0)
		return -1;
	return kerr_set(err, EPROTO, "sync: expected the end, got message %d", m.type);
}
