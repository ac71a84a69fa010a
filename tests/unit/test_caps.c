/* caps_drop_bounding / caps_apply: the sets in /proc/self/status of a child,
 * before and after a uid change and an execve. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/process.h"
#include "runtime/util.h"
#include "tap.h"

/* One "CapXxx:" line of a status text. */
static unsigned long long cap_field(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	if (!p)
		return ~0ULL;
	return strtoull(p + strlen(key), NULL, 16);
}

static unsigned long long my_cap(const char *key)
{
	char *s = NULL;
	unsigned long long v;

	if (read_file_at(AT_FDCWD, "/proc/self/status", &s, NULL, NULL) < 0)
		return ~0ULL;
	v = cap_field(s, key);
	free(s);
	return v;
}

#define B(c) (1ULL << (c))
enum { CHOWN = 0, KILL = 5, SETPCAP = 8, NET_BIND = 10, SYS_ADMIN = 21 };

static char *bnd[] = { "CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
static char *eff[] = { "CAP_CHOWN", "CAP_KILL", NULL };
static char *prm[] = { "CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
static char *inh[] = { "CAP_NET_BIND_SERVICE", NULL };
static char *amb[] = { "CAP_NET_BIND_SERVICE", NULL };

static int t_as_root(void)
{
	struct spec_caps c = { bnd, eff, inh, prm, amb };
	struct kerr *err = NULL;

	CHECK(caps_drop_bounding(&c, &err) == 0);
	CHECK(caps_apply(&c, &err) == 0);
	CHECK(my_cap("CapBnd:") == (B(CHOWN) | B(KILL) | B(NET_BIND)));
	CHECK(my_cap("CapEff:") == (B(CHOWN) | B(KILL)));
	CHECK(my_cap("CapPrm:") == (B(CHOWN) | B(KILL) | B(NET_BIND)));
	CHECK(my_cap("CapInh:") == B(NET_BIND));
	CHECK(my_cap("CapAmb:") == B(NET_BIND));
	return 0;
}

static int t_inheritable_empty(void)
{
	char *e[] = { "CAP_SYS_ADMIN", NULL };
	struct spec_caps c = { .bounding = NULL, .effective = e, .permitted = e };
	struct kerr *err = NULL;

	/* bounding absent while the object is present: everything is dropped */
	CHECK(caps_drop_bounding(&c, &err) == 0);
	CHECK(my_cap("CapBnd:") == 0);
	CHECK(caps_apply(&c, &err) == 0);
	CHECK(my_cap("CapInh:") == 0);
	CHECK(my_cap("CapAmb:") == 0);
	CHECK(my_cap("CapEff:") == B(SYS_ADMIN));
	return 0;
}

static int t_null_keeps_all(void)
{
	struct kerr *err = NULL;
	unsigned long long b = my_cap("CapBnd:"), e = my_cap("CapEff:");

	CHECK(caps_drop_bounding(NULL, &err) == 0);
	CHECK(caps_apply(NULL, &err) == 0);
	CHECK(my_cap("CapBnd:") == b && my_cap("CapEff:") == e);
	return 0;
}

static int t_unknown_name(void)
{
	char *e[] = { "CAP_CHOWN", "CAP_BOGUS", NULL };
	struct spec_caps c = { .effective = e };
	struct kerr *err = NULL;

	CHECK(caps_apply(&c, &err) < 0);
	CHECK(err && strstr(err->msg, "CAP_BOGUS") && strstr(err->msg, "effective"));
	kerr_free(&err);
	c = (struct spec_caps){ .bounding = e };
	CHECK(caps_drop_bounding(&c, &err) < 0);
	CHECK(err && strstr(err->msg, "CAP_BOGUS"));
	kerr_free(&err);
	return 0;
}

static int t_ambient_not_inheritable_skipped(void)
{
	struct spec_caps c = { .effective = eff, .permitted = prm, .ambient = amb };
	struct kerr *err = NULL;

	/* Like runc and crun: an ambient cap that is not inheritable is skipped. */
	CHECK(caps_apply(&c, &err) == 0);
	CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 10 /* CAP_NET_BIND_SERVICE */, 0, 0) == 0);
	/* effective beyond permitted names the cap */
	c = (struct spec_caps){ .effective = prm, .permitted = eff };
	CHECK(caps_apply(&c, &err) < 0);
	CHECK(err && strstr(err->msg, "CAP_NET_BIND_SERVICE") && strstr(err->msg, "permitted"));
	kerr_free(&err);
	return 0;
}

/* The real order: bounding, set_user (non-root, keepcaps), apply, execve;
 * the exec'd program keeps the ambient capability. */
static int t_non_root_exec(void)
{
	struct spec_caps c = { bnd, eff, inh, prm, amb };
	struct process_ids ids = { .uid = 1000, .gid = 1000 };
	struct kerr *err = NULL;
	int p[2];
	pid_t pid;
	int st;
	char buf[4096] = "";
	ssize_t n, got = 0;

	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "/bin/cat", "/proc/self/status", NULL };
		char *envp[] = { NULL };

		dup2(p[1], 1);
		if (caps_drop_bounding(&c, &err) < 0 || process_set_user(&ids, NULL, &err) < 0 ||
		    caps_apply(&c, &err) < 0)
			_exit(3);
		if (my_cap("CapEff:") != (B(CHOWN) | B(KILL)))
			_exit(4);
		execve(argv[0], argv, envp);
		_exit(5);
	}
	close(p[1]);
	while ((n = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(strstr(buf, "Uid:\t1000"));
	/* after execve as non-root: permitted/effective = ambient */
	CHECK(cap_field(buf, "CapAmb:") == B(NET_BIND));
	CHECK(cap_field(buf, "CapEff:") == B(NET_BIND));
	CHECK(cap_field(buf, "CapPrm:") == B(NET_BIND));
	CHECK(cap_field(buf, "CapInh:") == B(NET_BIND));
	CHECK(cap_field(buf, "CapBnd:") == (B(CHOWN) | B(KILL) | B(NET_BIND)));
	return 0;
}

int main(void)
{
	tap_plan(6);
	run("root: bounding, effective, permitted, inheritable, ambient exact", t_as_root);
	run("inheritable stays empty unless listed; absent bounding drops all", t_inheritable_empty);
	run("NULL capabilities change nothing", t_null_keeps_all);
	run("unknown capability name is an error naming it", t_unknown_name);
	run("ambient not inheritable is skipped; effective not permitted names the cap",
	    t_ambient_not_inheritable_skipped);
	run("non-root after set_user + execve keeps the ambient cap", t_non_root_exec);
	return tap_done();
}
