/* The OCI seccomp listener (config-linux.md "seccomp", listenerPath): after
 * loading a filter with SCMP_ACT_NOTIFY, the init sends its notify fd to the
 * listener's unix socket, with the container process state as JSON:
 *   {"ociVersion","fds":["seccompFd"],"pid","metadata","state":{...}}
 * The socket is connected before pivot_root, while the host's path is visible. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lifecycle.h"
#include "process.h"
#include "util.h"

int notify_connect(const struct spec *s, int *sock, struct kerr **err)
{
	const struct spec_seccomp *sc = s->linux_ ? s->linux_->seccomp : NULL;

	*sock = -1;
	if (!sc || !sc->listener_path || !*sc->listener_path)
		return 0;
	if (terminal_connect_socket(sc->listener_path, sock, err) < 0)
		return kerr_wrap(err, "linux.seccomp.listenerPath");
	return 0;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static int send_with_fd(int sock, const char *msg, size_t len, int fd, struct kerr **err)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return kerr_errno(err, "send the seccomp notify fd to linux.seccomp.listenerPath");
	return 0;
}

int notify_load_and_send(const struct seccomp_prog *prog, int sock, const struct spec *s,
			 const struct kstate *st, struct kerr **err)
{
	_cleanup_free_ char *state = NULL, *msg = NULL;
	_cleanup_close_ int nfd = -1;
	size_t len = 0;
	FILE *f;
	int r;

	if (sock < 0)
		return seccomp_prog_load(prog, err);
	if (seccomp_load_listener(prog, &nfd, err) < 0)
		return -1;
	if (nfd < 0) {		/* no SCMP_ACT_NOTIFY rule: nothing to hand over */
		close(sock);
		return 0;
	}
	state = state_to_oci_json(st, "created");
	f = open_memstream(&msg, &len);
	if (!f)
		return kerr_errno(err, "open_memstream");
	fprintf(f, "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":%d,\"metadata\":", st->pid);
	json_string(f, s->linux_->seccomp->listener_metadata ? s->linux_->seccomp->listener_metadata : "");
	fprintf(f, ",\"state\":%s}", state);
	fclose(f);
	r = send_with_fd(sock, msg, len, nfd, err);
	close(sock);
	return r;
}
