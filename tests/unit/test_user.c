/* process_resolve_user / process_parse_user_arg / process_set_user against a
 * temporary rootfs, including an /etc/passwd symlink pointing outside it. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/process.h"
#include "runtime/util.h"
#include "tap.h"

static char top[] = "/tmp/keel-test-user-XXXXXX";

static void put(const char *dir, const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
		abort();
	close(fd);
	free(p);
}

static void mkdir_sub(const char *sub)
{
	char *p = xasprintf("%s/%s", top, sub);

	if (mkdir(p, 0755) < 0)
		abort();
	free(p);
}

static int open_root(const char *sub)
{
	char *p = xasprintf("%s/%s", top, sub);
	int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(p);
	return fd;
}

static bool has_group(const struct process_ids *ids, gid_t g)
{
	for (size_t i = 0; i < ids->n_groups; i++)
		if (ids->groups[i] == g)
			return true;
	return false;
}

static int t_resolve_uid(void)
{
	int root = open_root("r1");
	uint32_t extra[] = { 77, 10 };
	struct spec_user u = { .uid = 1000, .gid = 1000, .additional_gids = extra, .n_additional_gids = 2 };
	struct process_ids ids;
	struct kerr *err = NULL;

	CHECK(process_resolve_user(root, &u, &ids, &err) == 0);
	CHECK(ids.uid == 1000 && ids.gid == 1000);
	CHECK(ids.home && !strcmp(ids.home, "/home/alice"));
	/* additionalGids + wheel(10) + audio(63), no duplicate 10 */
	CHECK(has_group(&ids, 77) && has_group(&ids, 10) && has_group(&ids, 63));
	CHECK(!has_group(&ids, 100));	/* users lists only bob */
	CHECK(ids.n_groups == 3);
	process_ids_free(&ids);
	return 0;
}

static int t_resolve_name(void)
{
	int root = open_root("r1");
	struct spec_user u = { .username = "bob" };
	struct process_ids ids;
	struct kerr *err = NULL;

	CHECK(process_resolve_user(root, &u, &ids, &err) == 0);
	CHECK(ids.uid == 1001 && ids.gid == 100);
	CHECK(!strcmp(ids.home, "/home/bob"));
	CHECK(has_group(&ids, 100) && ids.n_groups == 1);
	process_ids_free(&ids);

	u.username = "mallory";
	CHECK(process_resolve_user(root, &u, &ids, &err) < 0);
	CHECK(err && strstr(err->msg, "mallory"));
	kerr_free(&err);
	return 0;
}

static int t_resolve_unknown_uid(void)
{
	int root = open_root("r1");
	struct spec_user u = { .uid = 4321, .gid = 7 };
	struct process_ids ids;
	struct kerr *err = NULL;

	CHECK(process_resolve_user(root, &u, &ids, &err) == 0);
	CHECK(ids.uid == 4321 && ids.gid == 7 && ids.n_groups == 0);
	CHECK(!strcmp(ids.home, "/"));
	process_ids_free(&ids);
	return 0;
}

static int t_no_passwd(void)
{
	int root = open_root("empty");
	struct spec_user u = { .uid = 5, .gid = 6 };
	struct process_ids ids;
	struct kerr *err = NULL;

	CHECK(process_resolve_user(root, &u, &ids, &err) == 0);
	CHECK(ids.uid == 5 && ids.gid == 6 && !strcmp(ids.home, "/"));
	process_ids_free(&ids);
	struct spec_user v = { 0 };
	CHECK(process_parse_user_arg(root, "1", &v, &err) == 0);
	CHECK(v.uid == 1 && v.gid == 0);
	CHECK(process_parse_user_arg(root, "alice", &v, &err) < 0);
	kerr_free(&err);
	return 0;
}

/* etc/passwd -> an absolute and a relative symlink leaving the root: the
 * host-side file must never be read. */
static int t_symlink_escape(void)
{
	const char *subs[] = { "evil-abs", "evil-rel" };

	for (int i = 0; i < 2; i++) {
		int root = open_root(subs[i]);
		struct spec_user u = { .username = "evil" };
		struct spec_user v = { 0 };
		struct process_ids ids;
		struct kerr *err = NULL;

		CHECK(root >= 0);
		CHECK(process_resolve_user(root, &u, &ids, &err) < 0);
		kerr_free(&err);
		u.username = NULL;
		u.uid = 4242;
		CHECK(process_resolve_user(root, &u, &ids, &err) == 0);
		CHECK(!strcmp(ids.home, "/"));	/* not /outside-home */
		CHECK(ids.n_groups == 0);
		process_ids_free(&ids);
		CHECK(process_parse_user_arg(root, "evil", &v, &err) < 0);
		kerr_free(&err);
		CHECK(process_parse_user_arg(root, "4242", &v, &err) == 0);
		CHECK(v.uid == 4242 && v.gid == 0);	/* not 4243 from the outside file */
	}
	return 0;
}

static int t_parse_arg(void)
{
	int root = open_root("r1");
	struct spec_user u = { 0 };
	struct kerr *err = NULL;

	CHECK(process_parse_user_arg(root, "1", &u, &err) == 0);
	CHECK(u.uid == 1 && u.gid == 0);	/* daemon:x:1:1, but numeric means gid 0 */
	CHECK(process_parse_user_arg(root, "3333", &u, &err) == 0);
	CHECK(u.uid == 3333 && u.gid == 0);
	CHECK(process_parse_user_arg(root, "1000:5", &u, &err) == 0);
	CHECK(u.uid == 1000 && u.gid == 5);
	CHECK(process_parse_user_arg(root, "alice", &u, &err) == 0);
	CHECK(u.uid == 1000 && u.gid == 1000);
	CHECK(process_parse_user_arg(root, "alice:wheel", &u, &err) == 0);
	CHECK(u.uid == 1000 && u.gid == 10);
	CHECK(process_parse_user_arg(root, "bob:0", &u, &err) == 0);
	CHECK(u.uid == 1001 && u.gid == 0);
	CHECK(process_parse_user_arg(root, "alice:nosuch", &u, &err) < 0);
	CHECK(err && strstr(err->msg, "nosuch"));
	kerr_free(&err);
	CHECK(process_parse_user_arg(root, "nosuch", &u, &err) < 0);
	CHECK(err && strstr(err->msg, "nosuch"));
	kerr_free(&err);
	CHECK(process_parse_user_arg(root, ":1", &u, &err) < 0);
	kerr_free(&err);
	CHECK(process_parse_user_arg(root, "1:", &u, &err) < 0);
	kerr_free(&err);
	return 0;
}

static int t_set_user(void)
{
	gid_t groups[] = { 10, 63 };
	struct process_ids ids = { .uid = 1000, .gid = 1001, .groups = groups, .n_groups = 2 };
	struct spec_user u = { .has_umask = true, .umask = 027 };
	struct kerr *err = NULL;
	uid_t r, e, s;
	gid_t gr, ge, gs, got[8];
	mode_t old;
	char *status = NULL;

	CHECK(process_set_user(&ids, &u, &err) == 0);
	CHECK(getresuid(&r, &e, &s) == 0 && r == 1000 && e == 1000 && s == 1000);
	CHECK(getresgid(&gr, &ge, &gs) == 0 && gr == 1001 && ge == 1001 && gs == 1001);
	CHECK(getgroups(8, got) == 2 && got[0] == 10 && got[1] == 63);
	old = umask(0);
	CHECK(old == 027);
	/* keepcaps: the permitted set survived the uid change */
	CHECK(read_file_at(AT_FDCWD, "/proc/self/status", &status, NULL, &err) == 0);
	CHECK(strstr(status, "CapPrm:\t0000000000000000") == NULL);
	free(status);
	return 0;
}

static int t_set_user_default_umask(void)
{
	struct process_ids ids = { .uid = 0, .gid = 0 };
	struct kerr *err = NULL;
	gid_t got[4];

	umask(077);
	CHECK(process_set_user(&ids, NULL, &err) == 0);
	CHECK(umask(0) == 0022);
	CHECK(getgroups(4, got) == 0);
	return 0;
}

int main(void)
{
	if (!mkdtemp(top))
		return 1;
	mkdir_sub("r1");
	mkdir_sub("r1/etc");
	put(top, "r1/etc/passwd",
	    "root:x:0:0:root:/root:/bin/sh\n"
	    "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n"
	    "# a comment\n"
	    "broken line\n"
	    "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
	    "bob:x:1001:100::/home/bob:/bin/sh\n");
	put(top, "r1/etc/group",
	    "root:x:0:\n"
	    "wheel:x:10:root,alice\n"
	    "audio:x:63:alice,bob2\n"
	    "users:x:100:bob\n"
	    "alice:x:1000:\n");
	mkdir_sub("empty");
	/* outside the roots: a passwd the container must never see */
	put(top, "shadow-outside",
	    "evil:x:4242:4243::/outside-home:/bin/sh\n");
	put(top, "group-outside", "evilgrp:x:4243:evil\n");
	for (int i = 0; i < 2; i++) {
		const char *sub = i ? "evil-rel" : "evil-abs";
		char *e = xasprintf("%s/etc", sub);
		char *target = i ? xstrdup("../../shadow-outside") : xasprintf("%s/shadow-outside", top);
		char *gtarget = i ? xstrdup("../../group-outside") : xasprintf("%s/group-outside", top);
		char *l = xasprintf("%s/%s/passwd", top, e), *g = xasprintf("%s/%s/group", top, e);

		mkdir_sub(sub);
		mkdir_sub(e);
		if (symlink(target, l) < 0 || symlink(gtarget, g) < 0)
			return 1;
		free(e); free(target); free(gtarget); free(l); free(g);
	}

	tap_plan(8);
	run("resolve by uid: home, additionalGids + /etc/group membership", t_resolve_uid);
	run("resolve by username; unknown username is an error naming it", t_resolve_name);
	run("uid without passwd entry: home /", t_resolve_unknown_uid);
	run("no /etc/passwd: numeric ids work, names fail", t_no_passwd);
	run("/etc/passwd symlink out of the root is not followed to the host", t_symlink_escape);
	run("exec -u forms: uid, uid:gid, name, name:group", t_parse_arg);
	run("set_user: groups, resuid/resgid, umask, caps kept", t_set_user);
	run("set_user: default umask 0022, empty groups", t_set_user_default_umask);

	char *cmd = xasprintf("rm -rf '%s'", top);
	if (system(cmd) != 0)
		tap_failures++;
	free(cmd);
	return tap_done();
}
