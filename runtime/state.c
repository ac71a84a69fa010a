/* The state store: <root>/<id>/state.json, locked with flock on the dir fd. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "process.h"
#include "state.h"
#include "util.h"
#include "../cgroups/cgroup.h"

int state_check_id(const char *id, struct kerr **err)
{
	const char *p;

	if (!id || !*id)
		return kerr_set(err, 0, "invalid container id: empty");
	if (strlen(id) > 1024)
		return kerr_set(err, 0, "invalid container id `%.32s...`: longer than 1024 bytes", id);
	if (!strcmp(id, ".") || !strcmp(id, ".."))
		return kerr_set(err, 0, "invalid container id `%s`", id);
	for (p = id; *p; p++) {
		char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '+' || c == '-')
			continue;
		return kerr_set(err, 0,
				"invalid container id `%s`: only [A-Za-z0-9_.+-] are allowed", id);
	}
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *p;

	for (p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int state_open_root(const char *root, int *rootfd, struct kerr **err)
{
	int fd;

	if (!root || !*root)
		root = KEEL_DEFAULT_ROOT;
	/* Made once: every later command only opens it. */
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (mkdir_p(root, 0700) < 0)
			return kerr_errno(err, "create state root `%s`", root);
		fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return kerr_errno(err, "open state root `%s`", root);
	*rootfd = fd;
	return 0;
}

static int lock_dir(int fd, bool exclusive, const char *id, struct kerr **err)
{
	struct stat sb;

	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
		if (errno != EINTR)
			return kerr_errno(err, "lock container `%s`", id);
	}
	/* Deleted while we waited for the lock. */
	if (fstat(fd, &sb) < 0)
		return kerr_errno(err, "stat container `%s`", id);
	if (sb.st_nlink == 0)
		return kerr_set(err, 0, "container `%s` does not exist", id);
	return 0;
}

int state_create_dir(int rootfd, const char *id, int *dirfd, struct kerr **err)
{
	_cleanup_close_ int fd = -1;

	if (state_check_id(id, err) < 0)
		return -1;
	if (mkdirat(rootfd, id, 0700) < 0) {
		if (errno == EEXIST)
			return kerr_set(err, 0, "container `%s` already exists", id);
		return kerr_errno(err, "create state directory for `%s`", id);
	}
	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return kerr_errno(err, "open state directory for `%s`", id);
	if (lock_dir(fd, true, id, err) < 0)
		return -1;
	*dirfd = steal_fd(&fd);
	return 0;
}

int state_open_dir(int rootfd, const char *id, bool exclusive, int *dirfd, struct kerr **err)
{
	_cleanup_close_ int fd = -1;

	if (state_check_id(id, err) < 0)
		return -1;
	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return kerr_set(err, 0, "container `%s` does not exist", id);
		return kerr_errno(err, "open state directory of `%s`", id);
	}
	if (lock_dir(fd, exclusive, id, err) < 0)
		return -1;
	*dirfd = steal_fd(&fd);
	return 0;
}

static int remove_tree_at(int parentfd, const char *name)
{
	int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (fd < 0) {
		if (errno == ENOTDIR || errno == ELOOP)
			return unlinkat(parentfd, name, 0);
		return errno == ENOENT ? 0 : -1;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR) {
			if (remove_tree_at(dirfd(d), de->d_name) < 0)
				ret = -1;
		} else if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
			if (errno == EISDIR) {
				if (remove_tree_at(dirfd(d), de->d_name) < 0)
					ret = -1;
			} else {
				ret = -1;
			}
		}
	}
	closedir(d);
	if (ret < 0)
		return -1;
	if (unlinkat(parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* The files every container has: removed by name, the directory then goes
 * with one rmdir unless something else was left in it. */
static bool remove_known_files(int rootfd, const char *id)
{
	static const char *const known[] = { "state.json", "config.json", "exec.fifo" };
	_cleanup_close_ int fd = openat(rootfd, id, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return false;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		unlinkat(fd, known[i], 0);
	return unlinkat(rootfd, id, AT_REMOVEDIR) == 0;
}

int state_remove_dir(int rootfd, const char *id, struct kerr **err)
{
	if (state_check_id(id, err) < 0)
		return -1;
	if (remove_known_files(rootfd, id))
		return 0;
	if (remove_tree_at(rootfd, id) < 0)
		return kerr_errno(err, "remove state directory of `%s`", id);
	return 0;
}

/* --- state.json --- */

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_kv_str(yajl_gen g, const char *k, const char *v)
{
	gen_str(g, k);
	gen_str(g, v ? v : "");
}

static void gen_kv_int(yajl_gen g, const char *k, long long v)
{
	gen_str(g, k);
	yajl_gen_integer(g, v);
}

static void gen_kv_bool(yajl_gen g, const char *k, bool v)
{
	gen_str(g, k);
	yajl_gen_bool(g, v);
}

static void gen_annotations(yajl_gen g, const struct kstate *st, bool omit_empty)
{
	size_t i;

	if (omit_empty && (!st->annotation_keys || !st->annotation_keys[0]))
		return;
	gen_str(g, "annotations");
	yajl_gen_map_open(g);
	for (i = 0; st->annotation_keys && st->annotation_keys[i]; i++)
		gen_kv_str(g, st->annotation_keys[i],
			   st->annotation_values ? st->annotation_values[i] : "");
	yajl_gen_map_close(g);
}

static char *gen_finish(yajl_gen g, size_t *lenp)
{
	const unsigned char *buf;
	size_t len;
	char *out;

	yajl_gen_get_buf(g, &buf, &len);
	out = xmalloc(len + 1);
	memcpy(out, buf, len);
	out[len] = '\0';
	if (lenp)
		*lenp = len;
	yajl_gen_free(g);
	return out;
}

static int state_save(int dirfd, const struct kstate *st, bool first, struct kerr **err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (!g)
		abort();
	yajl_gen_map_open(g);
	gen_kv_str(g, "ociVersion", st->oci_version);
	gen_kv_str(g, "id", st->id);
	gen_kv_int(g, "pid", st->pid);
	gen_str(g, "pidStart");
	{
		char num[32];

		snprintf(num, sizeof(num), "%llu", st->pid_start);
		yajl_gen_number(g, num, strlen(num));
	}
	gen_kv_str(g, "bundle", st->bundle);
	gen_kv_str(g, "rootfs", st->rootfs);
	gen_kv_str(g, "created", st->created);
	gen_kv_str(g, "owner", st->owner);
	gen_annotations(g, st, false);
	gen_kv_str(g, "cgroupPath", st->cgroup_path);
	gen_kv_str(g, "cgroupManager", st->cgroup_manager);
	gen_kv_bool(g, "systemdCgroup", st->systemd_cgroup);
	gen_kv_bool(g, "terminal", st->terminal);
	gen_kv_bool(g, "detached", st->detached);
	if (st->creating)
		gen_kv_bool(g, "creating", true);
	yajl_gen_map_close(g);
	buf = gen_finish(g, &len);
	if ((first ? write_file_new_at(dirfd, "state.json", buf, len, 0600, err) :
		     write_file_atomic_at(dirfd, "state.json", buf, len, 0600, err)) < 0)
		return kerr_wrap(err, "save state of `%s`", st->id ? st->id : "?");
	return 0;
}

int state_write(int dirfd, const struct kstate *st, struct kerr **err)
{
	return state_save(dirfd, st, false, err);
}

int state_write_first(int dirfd, const struct kstate *st, struct kerr **err)
{
	return state_save(dirfd, st, true, err);
}

static char *tree_str(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);

	return xstrdup(v ? YAJL_GET_STRING(v) : "");
}

static bool tree_bool(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_any);

	return v && YAJL_IS_TRUE(v);
}

static unsigned long long tree_u64(yajl_val root, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);
	unsigned long long n = 0;

	if (!v || !YAJL_GET_NUMBER(v))
		return 0;
	if (parse_u64(YAJL_GET_NUMBER(v), &n) < 0)
		return 0;
	return n;
}

/* The name of a uid: the last one looked up is kept, as `list` asks for its
 * containers' owners in turn (usually all the same user). */
static const char *owner_of(uid_t uid)
{
	static char *name;
	static uid_t cached;
	_cleanup_close_ int root = -1;

	if (name && cached == uid)
		return name;
	free(name);
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	name = root >= 0 ? process_user_name(root, uid) : NULL;
	if (!name)
		name = xasprintf("%u", (unsigned)uid);
	cached = uid;
	return name;
}

void state_fill_owner(int dirfd, struct kstate *st)
{
	struct stat sb;

	if (st->owner && *st->owner)
		return;
	if (fstat(dirfd, &sb) < 0)
		return;
	free(st->owner);
	st->owner = xstrdup(owner_of(sb.st_uid));
}

int state_read(int dirfd, struct kstate **out, struct kerr **err)
{
	_cleanup_free_ char *buf = NULL;
	char errbuf[256] = "";
	const char *apath[] = { "annotations", NULL };
	yajl_val root, ann;
	struct kstate *st;

	if (read_file_at(dirfd, "state.json", &buf, NULL, err) < 0)
		return -1;
	root = yajl_tree_parse(buf, errbuf, sizeof(errbuf));
	if (!root || !YAJL_IS_OBJECT(root)) {
		if (root)
			yajl_tree_free(root);
		errbuf[strcspn(errbuf, "\n")] = '\0';
		return kerr_set(err, EINVAL, "state.json: invalid JSON: %s",
				*errbuf ? errbuf : "not an object");
	}
	st = xzalloc(sizeof(*st));
	st->oci_version = tree_str(root, "ociVersion");
	st->id = tree_str(root, "id");
	st->pid = (pid_t)tree_u64(root, "pid");
	st->pid_start = tree_u64(root, "pidStart");
	st->bundle = tree_str(root, "bundle");
	st->rootfs = tree_str(root, "rootfs");
	st->created = tree_str(root, "created");
	st->owner = tree_str(root, "owner");
	st->cgroup_path = tree_str(root, "cgroupPath");
	st->cgroup_manager = tree_str(root, "cgroupManager");
	st->systemd_cgroup = tree_bool(root, "systemdCgroup");
	st->terminal = tree_bool(root, "terminal");
	st->detached = tree_bool(root, "detached");
	st->creating = tree_bool(root, "creating");
	ann = yajl_tree_get(root, apath, yajl_t_object);
	st->annotation_keys = xzalloc(sizeof(char *) * ((ann ? ann->u.object.len : 0) + 1));
	st->annotation_values = xzalloc(sizeof(char *) * ((ann ? ann->u.object.len : 0) + 1));
	if (ann) {
		size_t i, n = 0;

		for (i = 0; i < ann->u.object.len; i++) {
			yajl_val v = ann->u.object.values[i];

			if (!YAJL_IS_STRING(v))
				continue;
			st->annotation_keys[n] = xstrdup(ann->u.object.keys[i]);
			st->annotation_values[n] = xstrdup(YAJL_GET_STRING(v));
			n++;
		}
	}
	yajl_tree_free(root);
	*out = st;
	return 0;
}

void state_free(struct kstate *st)
{
	if (!st)
		return;
	free(st->oci_version);
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	strv_free(st->annotation_keys);
	strv_free(st->annotation_values);
	free(st->cgroup_path);
	free(st->cgroup_manager);
	free(st);
}

/* --- status --- */

/* Fields of <dir>/stat (dir relative to dirfd, e.g. AT_FDCWD + "/proc/42"),
 * read after the command's closing ')': state is field 3, ppid 4, starttime 22. */
int proc_stat_read(int dirfd, const char *dir, char *state, pid_t *ppid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int field;

	snprintf(path, sizeof(path), "%s/stat", dir);
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read_all(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -1;
	p += 2;
	if (state)
		*state = *p;
	for (field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
		if (field == 3 && ppid)
			*ppid = (pid_t)strtol(p, NULL, 10);
	}
	if (start)
		*start = strtoull(p, NULL, 10);
	return 0;
}

static int proc_stat_fields(pid_t pid, char *state, unsigned long long *start)
{
	char dir[32];

	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	return proc_stat_read(AT_FDCWD, dir, state, NULL, start);
}

unsigned long long state_proc_start_time(pid_t pid)
{
	unsigned long long start = 0;

	if (pid <= 0 || proc_stat_fields(pid, NULL, &start) < 0)
		return 0;
	return start;
}

bool state_pid_alive(const struct kstate *st)
{
	unsigned long long start = 0;
	char pstate = 0;

	if (!st || st->pid <= 0)
		return false;
	if (kill(st->pid, 0) < 0 && errno != EPERM)
		return false;
	if (proc_stat_fields(st->pid, &pstate, &start) < 0)
		return false;
	if (pstate == 'Z' || pstate == 'X')
		return false;
	if (st->pid_start && start != st->pid_start)
		return false;	/* the pid was reused by another process */
	return true;
}

const char *state_status(int dirfd, const struct kstate *st)
{
	struct cgroup *cg = NULL;
	struct kerr *err = NULL;
	bool frozen = false;

	if (st->pid <= 0)
		return "creating";
	if (!state_pid_alive(st))
		return "stopped";
	if (st->creating)
		return "creating";
	if (faccessat(dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return "created";
	if (st->cgroup_path && *st->cgroup_path && cgroup_open(st->cgroup_path, &cg, &err) == 0) {
		if (cgroup_is_frozen(cg, &frozen, &err) < 0)
			frozen = false;
		cgroup_close(cg);
	}
	kerr_free(&err);
	return frozen ? "paused" : "running";
}

char *state_to_oci_json(const struct kstate *st, const char *status)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		abort();
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_map_open(g);
	gen_kv_str(g, "ociVersion", st->oci_version);
	gen_kv_str(g, "id", st->id);
	/* Like runc: no pid once the container has stopped (it may be reused). */
	gen_kv_int(g, "pid", status && !strcmp(status, "stopped") ? 0 : st->pid);
	gen_kv_str(g, "status", status);
	gen_kv_str(g, "bundle", st->bundle);
	gen_kv_str(g, "rootfs", st->rootfs);
	gen_kv_str(g, "created", st->created);
	gen_kv_str(g, "owner", st->owner);
	gen_annotations(g, st, true);
	yajl_gen_map_close(g);
	{
		size_t len;
		char *out = gen_finish(g, &len);

		/* yajl's beautifier ends with a newline; callers add their own. */
		while (len > 0 && out[len - 1] == '\n')
			out[--len] = '\0';
		return out;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list(int rootfd, char ***ids, struct kerr **err)
{
	int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t n = 0, cap = 16;
	char **v;
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return kerr_errno(err, "open state root");
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return kerr_errno(err, "read state root");
	}
	v = xmalloc(sizeof(char *) * cap);
	while ((de = readdir(d))) {
		struct stat sb;

		if (de->d_name[0] == '.')
			continue;
		if (state_check_id(de->d_name, NULL) < 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(sb.st_mode))
			continue;
		if (n + 1 >= cap)
			v = xrealloc(v, sizeof(char *) * (cap *= 2));
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	v[n] = NULL;
	qsort(v, n, sizeof(char *), cmp_str);
	*ids = v;
	return 0;
}
