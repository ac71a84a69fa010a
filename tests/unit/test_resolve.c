/* resolve_in_root() / mkdirs_in_root(): symlinks and ".." never lead out of
 * the root, with openat2 and with the component-walking fallback. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "namespaces/namespaces.h"
#include "runtime/util.h"
#include "tap.h"

static char top[] = "/tmp/keel-resolve-XXXXXX";
static int rootfd;
static ino_t ino_inside, ino_outside, ino_root;

static void check(bool cond, const char *mode, const char *name, const char *why)
{
	char full[512];

	snprintf(full, sizeof(full), "[%s] %s", mode, name);
	ok(cond, full, why);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		fprintf(stderr, "setup failed: %s\n", cmd);
		exit(1);
	}
}

static ino_t ino_of(const char *p)
{
	struct stat sb;

	if (stat(p, &sb) < 0) {
		perror(p);
		exit(1);
	}
	return sb.st_ino;
}

/* The inode of top/<rel>. */
static ino_t ino_in(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	return ino_of(p);
}

/* Resolve and expect the inode `want` (0: expect failure with `want_errno`). */
static void expect(const char *mode, const char *path, int flags, ino_t want, int want_errno)
{
	struct kerr *err = NULL;
	int fd = resolve_in_root(rootfd, path, flags, 0644, &err);
	char name[512], why[256] = "";
	struct stat sb;
	bool ok;

	snprintf(name, sizeof(name), "%s -> %s", path,
		 want == ino_inside ? "root/secret" : want == ino_root ? "root" :
		 want ? "inside" : strerror(want_errno));
	if (want) {
		ok = fd >= 0 && fstat(fd, &sb) == 0 && sb.st_ino == want;
		if (fd < 0)
			snprintf(why, sizeof(why), "failed: %s", err ? strerror(err->errnum) : "?");
		else if (!ok)
			snprintf(why, sizeof(why), "wrong inode %lu%s", (unsigned long)sb.st_ino,
				 sb.st_ino == ino_outside ? " (ESCAPED THE ROOT)" : "");
	} else {
		ok = fd < 0 && err && err->errnum == want_errno;
		if (fd >= 0) {
			fstat(fd, &sb);
			snprintf(why, sizeof(why), "succeeded (inode %lu%s)", (unsigned long)sb.st_ino,
				 sb.st_ino == ino_outside ? ", ESCAPED THE ROOT" : "");
		} else
			snprintf(why, sizeof(why), "errno %s", err ? strerror(err->errnum) : "?");
	}
	check(ok, mode, name, why);
	if (fd >= 0)
		close(fd);
	kerr_free(&err);
}

static void run_mode(const char *mode)
{
	char p[512];
	struct kerr *err = NULL;
	int fd;

	expect(mode, "/secret", O_PATH, ino_inside, 0);
	expect(mode, "secret", O_RDONLY, ino_inside, 0);
	expect(mode, "../secret", O_PATH, ino_inside, 0);
	expect(mode, "/../../../secret", O_PATH, ino_inside, 0);
	expect(mode, "l_root/secret", O_PATH, ino_inside, 0);
	expect(mode, "l_root", O_PATH | O_DIRECTORY, ino_root, 0);
	expect(mode, "l_up/secret", O_PATH, ino_inside, 0);
	expect(mode, "l_abs", O_RDONLY, ino_inside, 0);
	expect(mode, "a/b/up", O_PATH, ino_inside, 0);
	expect(mode, "a/b/c/../../../../../secret", O_PATH, ino_inside, 0);
	expect(mode, "a/l_rel/secret", O_PATH, ino_inside, 0);
	expect(mode, "l_host", O_PATH, 0, ENOENT);
	expect(mode, "l_hostdir/secret", O_PATH, 0, ENOENT);
	expect(mode, "loop1", O_PATH, 0, ELOOP);
	expect(mode, "secret/x", O_PATH, 0, ENOTDIR);
	expect(mode, "missing", O_PATH, 0, ENOENT);
	expect(mode, "dir", O_PATH | O_DIRECTORY, ino_in("root/dir"), 0);
	expect(mode, "secret", O_PATH | O_DIRECTORY, 0, ENOTDIR);

	/* O_NOFOLLOW|O_PATH on a symlink: the link itself. */
	fd = resolve_in_root(rootfd, "l_abs", O_PATH | O_NOFOLLOW, 0, &err);
	{
		struct stat sb;
		bool ok = fd >= 0 && fstat(fd, &sb) == 0 && S_ISLNK(sb.st_mode);

		check(ok, mode, "O_NOFOLLOW gives the symlink", "not a symlink");
	}
	if (fd >= 0)
		close(fd);
	kerr_free(&err);

	/* Reading through the fd gives the inside content. */
	fd = resolve_in_root(rootfd, "l_up/secret", O_RDONLY, 0, &err);
	{
		char buf[32] = "";
		bool ok = fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && strncmp(buf, "inside", 6) == 0;

		check(ok, mode, "read l_up/secret gives the inside file", buf);
	}
	if (fd >= 0)
		close(fd);
	kerr_free(&err);

	/* O_CREAT through an escaping symlink creates inside the root. */
	snprintf(p, sizeof(p), "l_up/created-%s", mode);
	fd = resolve_in_root(rootfd, p, O_WRONLY | O_CREAT, 0644, &err);
	{
		char in[512], out[512];

		snprintf(in, sizeof(in), "%s/root/created-%s", top, mode);
		snprintf(out, sizeof(out), "%s/created-%s", top, mode);
		check(fd >= 0 && access(in, F_OK) == 0 && access(out, F_OK) < 0, mode,
		      "O_CREAT through l_up creates inside", err ? err->msg : "wrong place");
	}
	if (fd >= 0)
		close(fd);
	kerr_free(&err);

	/* mkdirs through escaping symlinks stays inside. */
	snprintf(p, sizeof(p), "l_up/mk-%s/x/../y", mode);
	fd = mkdirs_in_root(rootfd, p, 0755, &err);
	{
		char in[512], out[512];
		struct stat sb;

		snprintf(in, sizeof(in), "%s/root/mk-%s/y", top, mode);
		snprintf(out, sizeof(out), "%s/mk-%s", top, mode);
		check(fd >= 0 && fstat(fd, &sb) == 0 && sb.st_ino == ino_of(in) && access(out, F_OK) < 0,
		      mode, "mkdirs l_up/mk/x/../y stays inside", err ? err->msg : "wrong place");
	}
	if (fd >= 0)
		close(fd);
	kerr_free(&err);

	snprintf(p, sizeof(p), "l_hostdir/mk2-%s", mode);
	fd = mkdirs_in_root(rootfd, p, 0755, &err);
	{
		char out[512];

		snprintf(out, sizeof(out), "%s/outdir/mk2-%s", top, mode);
		check(access(out, F_OK) < 0, mode, "mkdirs through an absolute host path stays inside",
		      "created outside the root");
	}
	if (fd >= 0)
		close(fd);
	kerr_free(&err);

	fd = mkdirs_in_root(rootfd, "secret/sub", 0755, &err);
	check(fd < 0 && err, mode, "mkdirs below a file fails", "succeeded");
	if (fd >= 0)
		close(fd);
	kerr_free(&err);
}

int main(void)
{
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	sh("cd %s && mkdir -p root/a/b/c root/dir outdir && echo outside > secret && "
	   "echo inside > root/secret && cd root && ln -s / l_root && ln -s ../../.. l_up && "
	   "ln -s /secret l_abs && ln -s ../../../../secret a/b/up && ln -s .. a/l_rel && "
	   "ln -s %s/secret l_host && ln -s %s/outdir l_hostdir && ln -s loop2 loop1 && "
	   "ln -s loop1 loop2", top, top, top);
	ino_inside = ino_in("root/secret");
	ino_outside = ino_in("secret");
	ino_root = ino_in("root");
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/root", top);
		rootfd = open(p, O_PATH | O_DIRECTORY);
	}
	if (rootfd < 0)
		return 1;
	resolve_force_fallback(false);
	run_mode("openat2");
	resolve_force_fallback(true);
	run_mode("fallback");
	sh("rm -rf %s", top);
	return tap_done();
}
