/* Terminal: pty open/become, the master over SCM_RIGHTS (socketpair and a
 * --console-socket path), and the stdio proxy. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/process.h"
#include "runtime/util.h"
#include "tap.h"

/* Each test in a child that SIGALRM ends after 20 s. */
static void run20(const char *name, int (*fn)(void))
{
	run_timed(name, fn, 20);
}

/* Read everything from a pty master until the slave side is gone (EIO). */
static size_t drain(int fd, char *buf, size_t cap)
{
	size_t got = 0;

	for (;;) {
		ssize_t n = read(fd, buf + got, cap - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
		if (got == cap - 1)
			break;
	}
	buf[got] = '\0';
	return got;
}

/* The child opens a pty, sends the master over a socketpair, becomes the
 * slave's session and writes what it sees; we read it on the master. */
static int t_socketpair(void)
{
	int sv[2], master = -1;
	struct kerr *err = NULL;
	char buf[4096];
	pid_t pid;
	int st;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	pid = fork();
	if (pid == 0) {
		struct spec_process p = { .terminal = true, .has_console_size = true,
					  .console_height = 30, .console_width = 100 };
		struct winsize ws;
		int m, s, tty;

		close(sv[0]);
		if (terminal_open(&m, &s, &err) < 0 || terminal_send_fd(sv[1], m, &err) < 0)
			_exit(2);
		close(m);
		if (terminal_become(s, &p, &err) < 0)
			_exit(3);
		if (ioctl(0, TIOCGWINSZ, &ws) < 0 || ws.ws_row != 30 || ws.ws_col != 100)
			_exit(4);
		if (getsid(0) != getpid() || tcgetsid(0) != getpid())
			_exit(5);
		tty = open("/dev/tty", O_RDWR | O_CLOEXEC);	/* needs a controlling tty */
		if (tty < 0)
			_exit(6);
		printf("hello from the slave, fds %d %d %d\n", isatty(0), isatty(1), isatty(2));
		fflush(stdout);
		_exit(0);
	}
	close(sv[1]);
	CHECK(terminal_recv_fd(sv[0], &master, &err) == 0);
	CHECK(master > 2 && (fcntl(master, F_GETFD) & FD_CLOEXEC));
	drain(master, buf, sizeof(buf));
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(strstr(buf, "hello from the slave, fds 1 1 1"));
	return 0;
}

/* A message with two fds or none is refused. */
static int t_recv_exactly_one(void)
{
	int sv[2], fds[2] = { 0, 1 }, fd = -1;
	union { char buf[CMSG_SPACE(2 * sizeof(int))]; struct cmsghdr a; } u;
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	struct kerr *err = NULL;

	int base = dup(0);

	close(base);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	CHECK(sendmsg(sv[0], &msg, 0) == 1);
	CHECK(terminal_recv_fd(sv[1], &fd, &err) < 0 && fd == -1);
	kerr_free(&err);
	CHECK(write(sv[0], "y", 1) == 1);
	CHECK(terminal_recv_fd(sv[1], &fd, &err) < 0 && fd == -1);
	kerr_free(&err);
	/* and nothing leaked: the two received copies were closed */
	int probe = dup(0);
	CHECK(probe == base + 2);	/* base, base+1: the socketpair */
	return 0;
}

static int t_console_socket(void)
{
	char dir[] = "/tmp/keel-test-term-XXXXXX", *path;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct kerr *err = NULL;
	int l, c, a, m, s, got = -1;
	unsigned int n;
	char payload[64] = "";

	CHECK(mkdtemp(dir));
	path = xasprintf("%s/console.sock", dir);
	CHECK(terminal_connect_socket(path, &c, &err) < 0);
	CHECK(err && strstr(err->msg, path));
	kerr_free(&err);

	strcpy(sa.sun_path, path);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(l, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(l, 1) == 0);
	CHECK(terminal_connect_socket(path, &c, &err) == 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	CHECK(terminal_open(&m, &s, &err) == 0);
	CHECK(terminal_send_fd(c, m, &err) == 0);
	/* peek the payload (the pty name) before receiving the fd */
	CHECK(recv(a, payload, sizeof(payload) - 1, MSG_PEEK) > 0);
	CHECK(!strncmp(payload, "/dev/pts/", 9));
	CHECK(terminal_recv_fd(a, &got, &err) == 0);
	CHECK(got >= 0 && ioctl(got, TIOCGPTN, &n) == 0);
	/* the received master drives the same slave */
	CHECK(write(got, "ab\n", 3) == 3);
	char buf[8] = "";
	CHECK(read(s, buf, sizeof(buf)) >= 2 && !strncmp(buf, "ab", 2));
	unlink(path);
	rmdir(dir);
	free(path);
	return 0;
}

/* terminal_proxy: our stdin (a pipe) goes to the process on the pty, its
 * output comes back on our stdout, and the proxy ends when it exits. */
static int t_proxy(void)
{
	int in[2], out[2];
	pid_t pid;
	int st;
	char buf[4096];
	size_t got = 0;
	ssize_t n;

	CHECK(pipe(in) == 0 && pipe(out) == 0);
	pid = fork();
	if (pid == 0) {
		struct kerr *err = NULL;
		int m, s;
		pid_t g;

		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		if (terminal_open(&m, &s, &err) < 0)
			_exit(2);
		g = fork();
		if (g == 0) {
			char line[128];

			close(m);
			if (terminal_become(s, NULL, &err) < 0)
				_exit(3);
			if (!fgets(line, sizeof(line), stdin))
				_exit(4);
			line[strcspn(line, "\n")] = '\0';
			printf("got: <%s>\n", line);
			fflush(stdout);
			_exit(0);
		}
		close(s);
		if (terminal_proxy(m, &err) < 0)
			_exit(5);
		waitpid(g, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) + 10 * (WEXITSTATUS(st) != 0) : 9);
	}
	close(in[0]);
	close(out[1]);
	CHECK(write(in[1], "ping\n", 5) == 5);
	close(in[1]);
	while ((n = read(out[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(strstr(buf, "got: <ping>"));
	return 0;
}

/* With a tty on stdin: raw mode while proxying (restored after), the size
 * copied at the start, and SIGWINCH forwards a new size to the pty. */
static int t_proxy_winch(void)
{
	struct kerr *err = NULL;
	struct winsize ws = { .ws_row = 10, .ws_col = 20 };
	struct termios t;
	int am, as, out[2], st;
	char buf[4096];
	size_t got = 0;
	pid_t pid;

	CHECK(terminal_open(&am, &as, &err) == 0 && pipe(out) == 0);
	CHECK(ioctl(as, TIOCSWINSZ, &ws) == 0);
	pid = fork();
	if (pid == 0) {
		int m, s;
		pid_t g;

		dup2(as, 0);
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		if (terminal_open(&m, &s, &err) < 0)
			_exit(2);
		g = fork();
		if (g == 0) {
			struct winsize w;
			int said = 0;

			close(m);
			if (terminal_become(s, NULL, &err) < 0)
				_exit(3);
			for (int i = 0; i < 1000; i++) {
				if (ioctl(0, TIOCGWINSZ, &w) < 0)
					_exit(4);
				if (!said && w.ws_row == 10 && w.ws_col == 20) {
					printf("init\n");
					fflush(stdout);
					said = 1;
				}
				if (said && w.ws_row == 40 && w.ws_col == 120) {
					printf("resized\n");
					fflush(stdout);
					_exit(0);
				}
				usleep(10000);
			}
			_exit(5);
		}
		close(s);
		if (terminal_proxy(m, &err) < 0)
			_exit(6);
		waitpid(g, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 7);
	}
	close(out[1]);
	while (!strstr(buf, "init")) {
		ssize_t n = read(out[0], buf + got, sizeof(buf) - 1 - got);

		CHECK(n > 0);
		got += n;
		buf[got] = '\0';
	}
	/* in raw mode now */
	CHECK(tcgetattr(as, &t) == 0 && !(t.c_lflag & ICANON) && !(t.c_lflag & ECHO));
	ws = (struct winsize){ .ws_row = 40, .ws_col = 120 };
	CHECK(ioctl(as, TIOCSWINSZ, &ws) == 0);
	CHECK(kill(pid, SIGWINCH) == 0);
	for (;;) {
		ssize_t n = read(out[0], buf + got, sizeof(buf) - 1 - got);

		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(strstr(buf, "resized"));
	/* restored */
	CHECK(tcgetattr(as, &t) == 0 && (t.c_lflag & ICANON) && (t.c_lflag & ECHO));
	return 0;
}

/* In a private mount namespace with a fresh devpts instance (as in a
 * container): the pty comes from that instance, and the slave reached
 * through TIOCGPTPEER is its /dev/pts/0. */
static int t_devpts_instance(void)
{
	struct kerr *err = NULL;
	struct stat a, b;
	unsigned int n = 99;
	char link[64], target[64] = "";
	int m, s;
	ssize_t len;

	CHECK(unshare(CLONE_NEWNS) == 0);
	CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	CHECK(mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		    "newinstance,ptmxmode=0666,mode=0620") == 0);
	CHECK(mount("/dev/pts/ptmx", "/dev/ptmx", NULL, MS_BIND, NULL) == 0);
	CHECK(terminal_open(&m, &s, &err) == 0);
	CHECK(ioctl(m, TIOCGPTN, &n) == 0 && n == 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", s);
	len = readlink(link, target, sizeof(target) - 1);
	CHECK(len > 0);
	target[len] = '\0';
	CHECK(!strcmp(target, "/dev/pts/0"));
	CHECK(fstat(s, &a) == 0 && stat("/dev/pts/0", &b) == 0);
	CHECK(a.st_rdev == b.st_rdev && a.st_dev == b.st_dev);
	CHECK(write(s, "x\n", 2) == 2);
	char buf[8];
	CHECK(read(m, buf, sizeof(buf)) > 0 && buf[0] == 'x');
	return 0;
}

int main(void)
{
	tap_plan(6);
	run20("open/become/send over a socketpair: parent reads the slave's output", t_socketpair);
	run20("recv_fd refuses messages without exactly one fd", t_recv_exactly_one);
	run20("console socket: connect, payload is the pty name, fd works", t_console_socket);
	run20("proxy copies stdin to the pty and its output to stdout", t_proxy);
	run20("proxy on a tty: raw mode restored, SIGWINCH resizes the pty", t_proxy_winch);
	run20("a fresh devpts instance in a private mount ns: pty from it", t_devpts_instance);
	return tap_done();
}
