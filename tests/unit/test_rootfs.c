/* rootfs_prepare/pivot/finalize in a forked child with new namespaces, on a
 * busybox rootfs: the child checks its view from inside and reports to the
 * parent; the parent checks the host mount table is unchanged. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "namespaces/namespaces.h"
#include "runtime/util.h"
#include "tap.h"

static char top[] = "/tmp/keel-rootfs-XXXXXX";
static int report_fd = -1;

/* In the container: one result line to the parent. */
static void chk(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void chk(bool ok, const char *fmt, ...)
{
	char name[512], line[700];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s - %s\n", ok ? "ok" : "not ok", name);
	if (write(report_fd, line, strlen(line)) < 0)
		_exit(3);
	errno = saved;
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		printf("Bail out! setup failed: %s\n", cmd);
		exit(1);
	}
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* The top mount at `path` in /proc/self/mountinfo: its fs type and options. */
static bool mi_find(const char *path, char *fstype, char *opts)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096];
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char mp[1024], o[512], ty[128];
		char *sep = strstr(line, " - ");

		if (sscanf(line, "%*s %*s %*s %*s %1023s %511s", mp, o) != 2 || !sep)
			continue;
		if (sscanf(sep + 3, "%127s", ty) != 1)
			continue;
		if (strcmp(mp, path) == 0) {
			strcpy(fstype, ty);
			strcpy(opts, o);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* The optional fields ("shared:N master:M") of the top mount at `path`. */
static void mi_optional(const char *path, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096];

	*out = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char mp[1024];
		int off = 0;
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %1023s %*s%n", mp, &off) != 1 || !off)
			continue;
		if (strcmp(mp, path) == 0)
			snprintf(out, len, "%.*s", (int)(sep - (line + off)), line + off);
	}
	fclose(f);
}

static bool has_opt(const char *opts, const char *o)
{
	char buf[512], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", opts);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, o) == 0)
			return true;
	return false;
}

static void chk_mount(const char *path, const char *want_type, bool want_ro)
{
	char ty[128] = "", o[512] = "";
	bool f = mi_find(path, ty, o);

	chk(f && strcmp(ty, want_type) == 0 && (!want_ro || has_opt(o, "ro")),
	    "mount %s is %s%s (got %s %s)", path, want_type, want_ro ? " ro" : "",
	    f ? ty : "nothing", o);
}

static bool read_is(const char *path, const char *want)
{
	char buf[256] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, want) == 0;
}

static void chk_chr(const char *path, unsigned ma, unsigned mi)
{
	struct stat sb;
	bool ok = stat(path, &sb) == 0 && S_ISCHR(sb.st_mode) &&
		  major(sb.st_rdev) == ma && minor(sb.st_rdev) == mi;

	chk(ok, "%s is the char device %u:%u", path, ma, mi);
}

static void chk_link(const char *path, const char *target)
{
	char buf[256];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n >= 0)
		buf[n] = '\0';
	chk(n >= 0 && strcmp(buf, target) == 0, "%s is a symlink to %s", path, target);
}

static void chk_errno(int r, int want, const char *what)
{
	chk(r < 0 && errno == want, "%s fails with %s (got %s)", what, strerror(want),
	    r < 0 ? strerror(errno) : "success");
}

static struct spec_mount mnt(const char *dest, const char *type, const char *src, char **opts)
{
	struct spec_mount m = { 0 };

	m.destination = (char *)dest;
	m.type = (char *)type;
	m.source = (char *)src;
	m.options = opts;
	m.n_options = opts ? strv_len(opts) : 0;
	return m;
}

static char *o_proc[] = { "nosuid", "noexec", "nodev", NULL };
static char *o_dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
static char *o_pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
static char *o_shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
static char *o_mq[] = { "nosuid", "noexec", "nodev", NULL };
static char *o_sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
static char *o_cg[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
static char *o_bind[] = { "rbind", "rw", "rprivate", NULL };
static char *o_bindro[] = { "bind", "ro", NULL };
static char *o_tc[] = { "tmpcopyup", "mode=700", NULL };
static char *o_rro[] = { "rbind", "rro", NULL };
static char *o_idmap[] = { "bind", "idmap", NULL };
static struct spec_idmap idm_uid = { .container_id = 0, .host_id = 1000, .size = 1 };
static struct spec_idmap idm_gid = { .container_id = 0, .host_id = 2000, .size = 1 };
static char *masked[] = { "/proc/kcore", "/proc/keys", "/data/secret.txt", "/data/maskdir",
			  "/proc/does-not-exist", "/data/maskdir2", "/opt/tc/maskdir3", NULL };
/* The masked directories above, each with a file "inside". */
static const char *masked_dirs[] = { "/data/maskdir", "/data/maskdir2", "/opt/tc/maskdir3" };
static char *ro_paths[] = { "/proc/sys", "/proc/sysrq-trigger", "/data/rosub", "/nope/ro", NULL };

struct variant {
	const char *name;
	bool no_pivot;
	bool userns;
	const char *propagation;	/* linux.rootfsPropagation */
	bool host_ns;			/* keep the host's net and cgroup namespaces */
};

static void fill_spec(const struct variant *v, struct spec *s, struct spec_linux *l,
		      struct spec_mount *m, struct spec_device *d)
{
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	memset(l, 0, sizeof(*l));
	m[n++] = mnt("/proc", "proc", "proc", o_proc);
	m[n++] = mnt("/dev", "tmpfs", "tmpfs", o_dev);
	m[n++] = mnt("/dev/pts", "devpts", "devpts", o_pts);
	m[n++] = mnt("/dev/shm", "tmpfs", "shm", o_shm);
	m[n++] = mnt("/dev/mqueue", "mqueue", "mqueue", o_mq);
	m[n++] = mnt("/sys", "sysfs", "sysfs", o_sys);
	m[n++] = mnt("/sys/fs/cgroup", "cgroup", "cgroup", o_cg);
	m[n++] = mnt("/data", "bind", "data", o_bind);		/* relative to the bundle */
	m[n++] = mnt("/etc/bound", "none", NULL, o_bindro);	/* a file bind, source below */
	m[n++] = mnt("/opt/tc", "tmpfs", "tmpfs", o_tc);
	m[n++] = mnt("/rro", "bind", NULL, o_rro);
	if (!v->userns) {
		/* Idmapped mounts of the host's filesystem need the host's root. */
		m[n] = mnt("/idm", "bind", "data", o_idmap);
		m[n].uid_mappings = &idm_uid;
		m[n].n_uid_mappings = 1;
		m[n].gid_mappings = &idm_gid;
		m[n].n_gid_mappings = 1;
		n++;
	}
	m[8].source = xasprintf("%s/hostfile", top);
	m[10].source = xasprintf("%s/rrosrc", top);
	s->mounts = m;
	s->n_mounts = n;
	s->root_readonly = true;
	s->linux_ = l;
	l->rootfs_propagation = (char *)v->propagation;
	l->masked_paths = masked;
	l->readonly_paths = ro_paths;
	d[0] = (struct spec_device){ .type = "c", .path = "/dev/kmsg", .major = 1, .minor = 11,
				     .has_file_mode = true, .file_mode = 0620,
				     .has_uid = true, .uid = 12, .has_gid = true, .gid = 34 };
	d[1] = (struct spec_device){ .type = "p", .path = "/dev/sub/myfifo", .has_file_mode = true,
				     .file_mode = 0600 };
	l->devices = d;
	l->n_devices = 2;
}

/* Each masked directory: its own mount of an empty read-only tmpfs (nosuid,
 * nodev, noexec); what is written under one (nothing can be) is under no other. */
static void chk_masked_dirs(void)
{
	const size_t n = sizeof(masked_dirs) / sizeof(masked_dirs[0]);
	uint64_t ids[sizeof(masked_dirs) / sizeof(masked_dirs[0])];

	for (size_t i = 0; i < n; i++) {
		const char *d = masked_dirs[i];
		char p[256], ty[128] = "", o[512] = "";
		struct statx stx;
		struct stat sb;
		int fd;

		ids[i] = 0;
		chk(mi_find(d, ty, o) && strcmp(ty, "tmpfs") == 0 && has_opt(o, "ro") &&
		    has_opt(o, "nosuid") && has_opt(o, "nodev") && has_opt(o, "noexec"),
		    "masked %s: a ro,nosuid,nodev,noexec tmpfs (%s %s)", d, ty, o);
		if (statx(AT_FDCWD, d, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) == 0 &&
		    (stx.stx_mask & STATX_MNT_ID))
			ids[i] = stx.stx_mnt_id;
		for (size_t j = 0; j < i; j++)
			chk(ids[i] && ids[i] != ids[j], "masked %s and %s are separate mounts",
			    d, masked_dirs[j]);
		snprintf(p, sizeof(p), "%s/inside", d);
		chk(stat(p, &sb) < 0 && errno == ENOENT, "masked %s hides its files", d);
		if (stat(d, &sb) < 0)
			sb.st_mode = 0;
		chk(S_ISDIR(sb.st_mode) && (sb.st_mode & 07777) == 01777,
		    "masked %s: the tmpfs root, mode 1777 (%o)", d, sb.st_mode & 07777);
		snprintf(p, sizeof(p), "%s/new", d);
		chk_errno(open(p, O_WRONLY | O_CREAT, 0644), EROFS, "creating in a masked dir");
		chk_errno(mkdir(p, 0755), EROFS, "mkdir in a masked dir");
		fd = open(d, O_RDONLY | O_DIRECTORY);
		if (fd >= 0) {
			DIR *dir = fdopendir(fd);
			struct dirent *de;
			int entries = 0;

			while (dir && (de = readdir(dir)))
				entries += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
			chk(dir && entries == 0, "masked %s is empty (%d entries)", d, entries);
			if (dir)
				closedir(dir);
			else
				close(fd);
		} else {
			chk(false, "open masked %s: %s", d, strerror(errno));
		}
	}
	for (size_t i = 1; i < n; i++) {
		char p[256];
		struct stat sb;

		snprintf(p, sizeof(p), "%s/new", masked_dirs[i]);
		chk(stat(p, &sb) < 0 && errno == ENOENT, "nothing from %s shows under %s",
		    masked_dirs[0], masked_dirs[i]);
	}
}

/* pid 1 of the new pid namespace: build the root, then look around. */
static void container(const struct variant *v)
{
	struct spec s;
	struct spec_linux l;
	struct spec_mount m[16];
	struct spec_device d[2];
	struct rootfs_ctx ctx = { 0 };
	struct kerr *err = NULL;
	char bundle[512], rootfs[512];
	struct stat sb;
	int r;

	fill_spec(v, &s, &l, m, d);
	snprintf(bundle, sizeof(bundle), "%s", top);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", top);
	ctx.spec = &s;
	ctx.bundle = bundle;
	ctx.rootfs = rootfs;
	ctx.no_pivot = v->no_pivot;
	ctx.userns = v->userns;
	ctx.terminal = true;

	r = rootfs_prepare(&ctx, &err);
	chk(r == 0, "rootfs_prepare%s%s", err ? " # " : "", err ? kerr_text(err) : "");
	if (r < 0)
		_exit(2);
	r = rootfs_pivot(&ctx, &err);
	chk(r == 0, "rootfs_pivot%s%s", err ? " # " : "", err ? kerr_text(err) : "");
	if (r < 0)
		_exit(2);
	r = rootfs_finalize(&ctx, &err);
	chk(r == 0, "rootfs_finalize%s%s", err ? " # " : "", err ? kerr_text(err) : "");
	if (r < 0)
		_exit(2);

	if (getenv("KEEL_DUMP") && system("cat /proc/self/mountinfo >&2") != 0)
		_exit(5);
	chk(access("/bin/busybox", X_OK) == 0, "/bin/busybox is visible at /");
	chk(access(top, F_OK) < 0, "the host's %s is not visible", top);
	{
		char cwd[256];

		chk(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0, "cwd is /");
	}
	{
		char of[256];

		mi_optional("/", of, sizeof(of));
		if (!v->propagation)
			chk(strstr(of, "master:") != NULL, "/ is a slave mount (%s)", of);
		else if (strcmp(v->propagation, "private") == 0)
			chk(!strstr(of, "master:") && !strstr(of, "shared:"), "/ is private (%s)", of);
		else if (strcmp(v->propagation, "runbindable") == 0)
			chk(strstr(of, "unbindable") != NULL, "/ is unbindable (%s)", of);
	}
	chk_mount("/proc", "proc", false);
	chk_mount("/dev", "tmpfs", false);
	chk_mount("/dev/pts", "devpts", false);
	chk_mount("/dev/shm", "tmpfs", false);
	chk_mount("/dev/mqueue", "mqueue", false);
	chk_mount("/sys", "sysfs", true);
	chk_mount("/sys/fs/cgroup", "cgroup2", true);
	chk_mount("/opt/tc", "tmpfs", false);
	{
		char ty[128], o[512];

		chk(mi_find("/", ty, o) && has_opt(o, "ro"), "/ is mounted ro (%s)", o);
		chk(mi_find("/data", ty, o) && !has_opt(o, "ro"), "/data is a rw bind (%s)", o);
		chk(mi_find("/etc/bound", ty, o) && has_opt(o, "ro"), "/etc/bound is a ro bind (%s)", o);
		chk(mi_find("/rro/sub", ty, o) && has_opt(o, "ro"), "rro: /rro/sub is ro too (%s)", o);
		chk(mi_find("/proc/sys", ty, o) && has_opt(o, "ro"), "/proc/sys is ro (%s)", o);
	}
	chk_errno(mkdir("/newdir", 0755), EROFS, "mkdir /newdir on the ro root");
	chk_errno(open("/proc/sys/kernel/domainname", O_WRONLY), EROFS, "writing /proc/sys");
	chk_errno(mkdir("/sys/keel-test", 0755), EROFS, "mkdir in the ro /sys");
	chk_errno(mkdir("/sys/fs/cgroup/keel-test", 0755), EROFS, "mkdir in the ro cgroup");
	chk_errno(open("/data/rosub/f", O_WRONLY | O_CREAT, 0644), EROFS, "creating in readonly /data/rosub");
	chk(read_is("/data/secret.txt", ""), "masked /data/secret.txt reads empty");
	{
		char ty[128] = "", o[512] = "";
		bool m = mi_find("/proc/keys", ty, o);

		chk(m && read_is("/proc/keys", ""), "masked /proc/keys reads empty");
	}
	chk_masked_dirs();
	{
		int fd = open("/data/written", O_WRONLY | O_CREAT, 0644);

		chk(fd >= 0 && write(fd, "w", 1) == 1, "/data is writable");
		if (fd >= 0)
			close(fd);
	}
	chk(read_is("/etc/bound", "bound\n"), "file bind /etc/bound has the host content");
	chk(read_is("/opt/tc/keep", "kept\n"), "tmpcopyup copied /opt/tc/keep");
	chk(stat("/opt/tc", &sb) == 0 && (sb.st_mode & 07777) == 0700, "tmpcopyup tmpfs is mode 700 as asked");
	{
		int fd = open("/opt/tc/keep", O_WRONLY | O_TRUNC);

		chk(fd >= 0 && write(fd, "changed\n", 8) == 8, "the tmpcopyup copy is writable");
		if (fd >= 0)
			close(fd);
	}
	chk(read_is("/rro/sub/f", "sub\n"), "rro bind shows its submount");
	if (!v->userns) {
		int r = stat("/idm/secret.txt", &sb);

		chk(r == 0 && sb.st_uid == 1000 && sb.st_gid == 2000,
		    "idmapped bind shows root's file as 1000:2000 (%u:%u)", sb.st_uid, sb.st_gid);
		chk(stat("/data/secret.txt", &sb) == 0 && sb.st_uid == 0, "the plain bind still shows 0");
	}
	chk_chr("/dev/null", 1, 3);
	chk_chr("/dev/zero", 1, 5);
	chk_chr("/dev/full", 1, 7);
	chk_chr("/dev/random", 1, 8);
	chk_chr("/dev/urandom", 1, 9);
	chk_chr("/dev/tty", 5, 0);
	chk_chr("/dev/kmsg", 1, 11);
	if (!v->userns)
		chk(stat("/dev/kmsg", &sb) == 0 && (sb.st_mode & 07777) == 0620 && sb.st_uid == 12 &&
		    sb.st_gid == 34, "linux.devices mode and owner on /dev/kmsg");
	chk(stat("/dev/sub/myfifo", &sb) == 0 && S_ISFIFO(sb.st_mode) && (sb.st_mode & 0777) == 0600,
	    "linux.devices fifo /dev/sub/myfifo");
	chk_link("/dev/ptmx", "pts/ptmx");
	chk_link("/dev/fd", "/proc/self/fd");
	chk_link("/dev/stdin", "/proc/self/fd/0");
	chk_link("/dev/stdout", "/proc/self/fd/1");
	chk_link("/dev/stderr", "/proc/self/fd/2");
	chk(stat("/dev/console", &sb) == 0 && S_ISREG(sb.st_mode), "/dev/console exists for the terminal");
	chk(stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode), "/dev/shm is a directory");
	{
		int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);

		chk(fd >= 0, "/dev/ptmx opens a pty master");
		if (fd >= 0)
			close(fd);
	}
	chk(getpid() == 1 && read_is("/proc/self/stat", "") == false, "/proc is this pid namespace's");
	{
		int fd = open("/dev/null", O_WRONLY);

		chk(fd >= 0 && write(fd, "x", 1) == 1, "/dev/null is usable");
		if (fd >= 0)
			close(fd);
	}
	_exit(0);
}

static void setup_bundle(void)
{
	char here[1024], script[1200];
	const char *slash = strrchr(__FILE__, '/');

	snprintf(here, sizeof(here), "%.*s", slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
	snprintf(script, sizeof(script), "%s/../lib/mkrootfs.sh", here);
	sh("%s %s/rootfs", script, top);
	sh("cd %s && mkdir -p data/rosub data/maskdir data/maskdir2 rosrc rrosrc/sub "
	   "rootfs/opt/tc/maskdir3 && echo secret > data/secret.txt && touch data/maskdir/inside "
	   "data/maskdir2/inside rootfs/opt/tc/maskdir3/inside && echo bound > hostfile && "
	   "echo kept > rootfs/opt/tc/keep && echo sub > rrosrc/sub/f && "
	   "rm -rf rootfs/rro rootfs/data rootfs/etc/bound", top);
}

/* The child: new namespaces, then pid 1 of the new pid namespace. */
static int run_variant(const struct variant *v)
{
	int rep[2], sync[2];
	pid_t pid;
	int status, before, after;
	char buf[8192];
	size_t len = 0;
	ssize_t n;

	before = count_lines("/proc/self/mountinfo");
	if (pipe(rep) < 0 || pipe(sync) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pid_t inner;
		char c;

		close(rep[0]);
		close(sync[1]);
		report_fd = rep[1];
		if (v->userns) {
			if (unshare(CLONE_NEWUSER) < 0) {
				chk(false, "unshare(CLONE_NEWUSER): %s", strerror(errno));
				_exit(2);
			}
			/* The parent writes our uid/gid maps. */
			if (write(rep[1], "M\n", 2) != 2 || read(sync[0], &c, 1) != 1)
				_exit(2);
			if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
				_exit(2);
		}
		if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
			    (v->host_ns ? 0 : CLONE_NEWNET | CLONE_NEWCGROUP)) < 0) {
			chk(false, "unshare: %s", strerror(errno));
			_exit(2);
		}
		/* This namespace plays the host, with the bundle on a shared mount:
		 * the container's own mount namespace must not propagate into it. */
		{
			int before_ns, after_ns;

			if (mount(top, top, NULL, MS_BIND, NULL) < 0 ||
			    mount(NULL, top, NULL, MS_SHARED, NULL) < 0) {
				chk(false, "make %s a shared mount: %s", top, strerror(errno));
				_exit(2);
			}
			/* A submount in the rro source. */
			{
				char p[600];
				int fd;

				snprintf(p, sizeof(p), "%s/rrosrc/sub", top);
				if (mount("tmpfs", p, "tmpfs", 0, NULL) < 0)
					_exit(6);
				snprintf(p, sizeof(p), "%s/rrosrc/sub/f", top);
				fd = open(p, O_WRONLY | O_CREAT, 0644);
				if (fd < 0 || write(fd, "sub\n", 4) != 4)
					_exit(6);
				close(fd);
			}
			before_ns = count_lines("/proc/self/mountinfo");
			inner = fork();
			if (inner == 0) {
				if (unshare(CLONE_NEWNS) < 0)
					_exit(7);
				container(v);
			}
			if (inner < 0 || waitpid(inner, &status, 0) < 0)
				_exit(2);
			after_ns = count_lines("/proc/self/mountinfo");
			chk(before_ns == after_ns, "nothing propagated to a shared parent namespace (%d -> %d)",
			    before_ns, after_ns);
		}
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 4);
	}
	close(rep[1]);
	close(sync[0]);
	/* Read everything the container reports (and answer a map request). */
	while ((n = read(rep[0], buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += n;
		buf[len] = '\0';
		if (v->userns && strstr(buf, "M\n") == buf) {
			char p[64];
			int fd;
			const char *map = "0 0 65536\n";

			snprintf(p, sizeof(p), "/proc/%d/uid_map", pid);
			fd = open(p, O_WRONLY);
			if (fd < 0 || write(fd, map, strlen(map)) < 0)
				perror("uid_map");
			close(fd);
			snprintf(p, sizeof(p), "/proc/%d/gid_map", pid);
			fd = open(p, O_WRONLY);
			if (fd < 0 || write(fd, map, strlen(map)) < 0)
				perror("gid_map");
			close(fd);
			if (write(sync[1], "x", 1) != 1)
				perror("sync");
			memmove(buf, buf + 2, len - 1);
			len -= 2;
		}
	}
	close(rep[0]);
	close(sync[1]);
	waitpid(pid, &status, 0);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		bool ok = strncmp(line, "ok - ", 5) == 0;

		okf(ok, "[%s] %s", v->name, line + (ok ? 5 : 9));
	}
	okf(WIFEXITED(status) && WEXITSTATUS(status) == 0, "[%s] the container exited 0 (status %#x)",
	    v->name, status);
	{
		char p[600];

		snprintf(p, sizeof(p), "%s/data/written", top);
		okf(access(p, F_OK) == 0, "[%s] a write to the /data bind reached the host directory", v->name);
	}
	after = count_lines("/proc/self/mountinfo");
	okf(before == after && before > 0, "[%s] host mount table unchanged (%d -> %d lines)",
	    v->name, before, after);
	return 0;
}

/* rootfs_prepare() with one mount must fail with a message containing `want`. */
static void run_error(const char *rootfs_name, struct spec_mount m0, const char *want, const char *what)
{
	int rep[2];
	pid_t pid;
	int status;
	char buf[1024] = "";
	ssize_t n;

	if (pipe(rep) < 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct spec s = { 0 };
		struct spec_mount m[1] = { m0 };
		struct rootfs_ctx ctx = { 0 };
		struct kerr *err = NULL;
		char rootfs[512];
		char *text;

		close(rep[0]);
		if (unshare(CLONE_NEWNS) < 0)
			_exit(2);
		s.mounts = m;
		s.n_mounts = 1;
		snprintf(rootfs, sizeof(rootfs), "%s/%s", top, rootfs_name);
		ctx.spec = &s;
		ctx.bundle = top;
		ctx.rootfs = rootfs;
		if (rootfs_prepare(&ctx, &err) == 0)
			_exit(1);
		text = kerr_text(err);
		if (write(rep[1], text, strlen(text)) < 0)
			_exit(2);
		_exit(0);
	}
	close(rep[1]);
	n = read(rep[0], buf, sizeof(buf) - 1);
	if (n > 0)
		buf[n] = '\0';
	close(rep[0]);
	waitpid(pid, &status, 0);
	okf(WIFEXITED(status) && WEXITSTATUS(status) == 0 && strstr(buf, want),
	    "%s (%s)", what, buf);
}

/* No /dev in the spec: keel mounts a tmpfs there and populates it. */
static void run_default_dev(void)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct spec s = { 0 };
		struct spec_mount m[1] = { mnt("/proc", "proc", "proc", o_proc) };
		struct rootfs_ctx ctx = { 0 };
		struct kerr *err = NULL;
		char rootfs[512], ty[128], o[512];
		struct stat sb;

		if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0)
			_exit(2);
		if (fork() != 0) {
			wait(&status);
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 9);
		}
		s.mounts = m;
		s.n_mounts = 1;
		snprintf(rootfs, sizeof(rootfs), "%s/rootfs", top);
		ctx.spec = &s;
		ctx.bundle = top;
		ctx.rootfs = rootfs;
		if (rootfs_prepare(&ctx, &err) < 0 || rootfs_pivot(&ctx, &err) < 0 ||
		    rootfs_finalize(&ctx, &err) < 0)
			_exit(3);
		if (!mi_find("/dev", ty, o) || strcmp(ty, "tmpfs") != 0 || !has_opt(o, "nosuid"))
			_exit(4);
		if (stat("/dev", &sb) < 0 || (sb.st_mode & 07777) != 0755)
			_exit(5);
		if (stat("/dev/null", &sb) < 0 || !S_ISCHR(sb.st_mode) || lstat("/dev/ptmx", &sb) < 0 ||
		    !S_ISLNK(sb.st_mode) || lstat("/dev/core", &sb) < 0 || lstat("/dev/pts", &sb) < 0 ||
		    lstat("/dev/console", &sb) == 0)
			_exit(6);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	okf(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "no /dev in the spec: a 755 nosuid tmpfs with the standard nodes (exit %d)",
	    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static char *o_mode[] = { "mode=0755", NULL };
static char *o_badopt[] = { "nosuid", "bogus_fs_option=1", NULL };

static void run_errors(void)
{
	char want[600];

	sh("rm -rf %s/evil && mkdir -p %s/evil/etc && ln -s /etc %s/evil/proc && ln -s /etc %s/evil/sys",
	   top, top, top, top);
	run_error("evil", mnt("/proc", "proc", "proc", o_proc),
		  "mount destination /proc is a symlink in the rootfs", "a /proc symlink is refused");
	run_error("evil", mnt("/sys", "sysfs", "sysfs", o_sys),
		  "mount destination /sys is a symlink in the rootfs", "a /sys symlink is refused");
	snprintf(want, sizeof(want), "mount `/x` (bind): source `%s/nope`: No such file or directory", top);
	run_error("rootfs", mnt("/x", "bind", "nope", o_bind), want, "a missing bind source is named");
	run_error("rootfs", mnt("/t", "tmpfs", "tmpfs", o_badopt), "mount `/t` (tmpfs): Invalid argument",
		  "a bad tmpfs option names the destination and type");
	run_error("rootfs", mnt("/bin/busybox/x", "tmpfs", "tmpfs", o_mode), "mount `/bin/busybox/x` (tmpfs)",
		  "a destination below a file names the mount");
}

int main(void)
{
	static const struct variant variants[] = {
		{ "pivot_root", false, false, NULL, false },
		{ "no-pivot", true, false, NULL, false },
		{ "userns", false, true, NULL, false },
		{ "rshared", false, false, "rshared", false },
		{ "private", false, false, "private", false },
		{ "runbindable", true, false, "runbindable", false },
		/* sysfs and cgroup2 refused: binds of the host's instead */
		{ "userns-host-net-cgroup", false, true, NULL, true },
	};

	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	setup_bundle();
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		sh("rm -f %s/data/written", top);
		run_variant(&variants[i]);
	}
	run_errors();
	run_default_dev();
	{
		char p[600];

		snprintf(p, sizeof(p), "%s/rootfs/opt/tc/keep", top);
		okf(read_is(p, "kept\n"), "the tmpcopyup source in the rootfs is unchanged");
	}
	sh("rm -rf %s", top);
	return tap_done();
}
