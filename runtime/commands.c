/* keel state, list, ps, spec, features, pause, resume, update, events. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cli.h"
#include "log.h"
#include "util.h"
#include "../cgroups/cgroup.h"
#include "../spec/spec.h"

int cmd_state(const struct kglobal *g, const char *id, struct kerr **err)
{
	struct kcontainer c;
	_cleanup_free_ char *json = NULL;

	if (kc_open(g, id, false, &c, err) < 0)
		return -1;
	state_fill_owner(c.dirfd, c.st);
	json = state_to_oci_json(c.st, c.status);
	kc_close(&c);
	printf("%s\n", json);
	return fflush(stdout) == 0 ? 0 : kerr_errno(err, "write state");
}

static char *tree_to_text(yajl_val v, bool pretty);

/* --- list --- */

struct row {
	char *cell[6];
};

static void print_table(struct row *rows, size_t n)
{
	size_t width[6] = { 0 }, i, j;

	/* Like a tabwriter with minwidth 12 and padding 3; the last column is not padded. */
	for (i = 0; i < n; i++)
		for (j = 0; j < 6; j++)
			if (strlen(rows[i].cell[j]) + 3 > width[j])
				width[j] = strlen(rows[i].cell[j]) + 3;
	for (j = 0; j < 6; j++)
		if (width[j] < 12)
			width[j] = 12;
	for (i = 0; i < n; i++) {
		for (j = 0; j < 5; j++)
			printf("%-*s", (int)width[j], rows[i].cell[j]);
		printf("%s\n", rows[i].cell[5]);
	}
}

int cmd_list(const struct kglobal *g, const char *format, bool quiet, struct kerr **err)
{
	_cleanup_close_ int rootfd = -1;
	_cleanup_strv_ char **ids = NULL;
	struct row *rows;
	size_t n = 0, printed = 0, i, j;
	bool json = !strcmp(format, "json");

	if (state_open_root(g->root, &rootfd, err) < 0 || state_list(rootfd, &ids, err) < 0)
		return -1;
	rows = xzalloc((strv_len(ids) + 1) * sizeof(*rows));
	rows[n++] = (struct row){ { xstrdup("ID"), xstrdup("PID"), xstrdup("STATUS"),
				    xstrdup("BUNDLE"), xstrdup("CREATED"), xstrdup("OWNER") } };
	if (json)
		printf("[");
	for (i = 0; ids[i]; i++) {
		_cleanup_close_ int dirfd = -1;
		struct kstate *st = NULL;
		struct kerr *e = NULL;
		const char *status;

		/* No lock: state.json is replaced atomically, and a create or delete
		 * holding its container's lock must not stall the whole list.
		 * Deleted meanwhile, or still being created: not listed. */
		dirfd = openat(rootfd, ids[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (dirfd < 0 || state_read(dirfd, &st, &e) < 0) {
			kerr_free(&e);
			continue;
		}
		status = state_status(dirfd, st);
		state_fill_owner(dirfd, st);
		if (quiet) {
			printf("%s\n", st->id);
		} else if (json) {
			_cleanup_free_ char *s = state_to_oci_json(st, status);
			_cleanup_free_ char *compact = NULL;
			yajl_val v = yajl_tree_parse(s, NULL, 0);

			compact = v ? tree_to_text(v, false) : xstrdup(s);
			yajl_tree_free(v);
			printf("%s%s", printed++ ? "," : "", compact);
		} else {
			rows[n++] = (struct row){ { xstrdup(st->id),
				xasprintf("%d", !strcmp(status, "stopped") ? 0 : (int)st->pid),
				xstrdup(status), xstrdup(st->bundle), xstrdup(st->created),
				xstrdup(st->owner) } };
		}
		state_free(st);
	}
	if (json)
		printf("]\n");
	else if (!quiet)
		print_table(rows, n);
	for (i = 0; i < n; i++)
		for (j = 0; j < 6; j++)
			free(rows[i].cell[j]);
	free(rows);
	return fflush(stdout) == 0 ? 0 : kerr_errno(err, "write list");
}

/* --- ps --- */

static int container_pids(const struct kcontainer *c, pid_t **pids, size_t *n, struct kerr **err)
{
	struct cgroup *cg = NULL;
	int r;

	*pids = NULL;
	*n = 0;
	if (!strcmp(c->status, "stopped") || !strcmp(c->status, "creating"))
		return 0;
	if (kc_cgroup(c->st, &cg, err) < 0)
		return -1;
	if (cg) {
		r = cgroup_pids(cg, pids, n, err);
		cgroup_close(cg);
		return r;
	}
	if (proc_tree(c->st->pid, pids, n) < 0)
		return kerr_errno(err, "list the processes of `%s`", c->st->id);
	return 0;
}

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Run ps with the given options and keep the header and the lines of `pids`. */
static int ps_table(char **ps_args, const pid_t *pids, size_t n, struct kerr **err)
{
	size_t nargs = strv_len(ps_args), i;
	_cleanup_free_ char **argv = xzalloc((nargs + 3) * sizeof(char *));
	_cleanup_fclose_ FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	int p[2], status, pid_col = -1, lineno = 0;
	pid_t child;

	argv[0] = (char *)"ps";
	if (nargs == 0)
		argv[1] = (char *)"-ef";
	for (i = 0; i < nargs; i++)
		argv[i + 1] = ps_args[i];
	if (pipe2(p, O_CLOEXEC) < 0)
		return kerr_errno(err, "ps: pipe");
	child = fork();
	if (child < 0) {
		close(p[0]);
		close(p[1]);
		return kerr_errno(err, "ps: fork");
	}
	if (child == 0) {
		dup2(p[1], STDOUT_FILENO);
		execvp("ps", argv);
		dprintf(STDERR_FILENO, "keel: exec `ps`: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	if (!f) {
		close(p[0]);
		waitpid(child, NULL, 0);
		return kerr_errno(err, "ps: read output");
	}
	while (getline(&line, &cap, f) > 0) {
		char *copy = xstrdup(line), *tok, *save = NULL;
		int col = 0;
		long pid = -1;

		for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save), col++) {
			if (lineno == 0 && !strcmp(tok, "PID"))
				pid_col = col;
			else if (lineno > 0 && col == pid_col)
				pid = strtol(tok, NULL, 10);
		}
		free(copy);
		if (lineno == 0 || has_pid(pids, n, pid))
			fputs(line, stdout);
		lineno++;
	}
	free(line);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return kerr_set(err, 0, "`ps` failed (exit status %d)",
				WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	if (pid_col < 0)
		return kerr_set(err, 0, "`ps` output has no PID column");
	return 0;
}

int cmd_ps(const struct kglobal *g, const char *id, const char *format, char **ps_args,
	   struct kerr **err)
{
	struct kcontainer c;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, i;
	int r;

	if (kc_open(g, id, false, &c, err) < 0)
		return -1;
	r = container_pids(&c, &pids, &n, err);
	kc_close(&c);
	if (r < 0)
		return -1;
	if (!strcmp(format, "json")) {
		printf("[");
		for (i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		return 0;
	}
	fflush(stdout);
	return ps_table(ps_args, pids, n, err);
}

/* --- spec, features --- */

int cmd_spec(const char *bundle, bool rootless, bool vm, struct kerr **err)
{
	_cleanup_close_ int dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *json = NULL;
	struct spec_default_opts o = { .rootless = rootless, .vm = vm };

	if (dirfd < 0)
		return kerr_errno(err, "open bundle `%s`", bundle);
	fd = openat(dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return kerr_set(err, 0, "config.json already exists in `%s`: remove it first",
					bundle);
		return kerr_errno(err, "create `%s/config.json`", bundle);
	}
	json = spec_default_json_opts(&o);
	if (!json || write_all(fd, json, strlen(json)) < 0 ||
	    (json[0] && json[strlen(json) - 1] != '\n' && write_all(fd, "\n", 1) < 0)) {
		int saved = errno;

		unlinkat(dirfd, "config.json", 0);
		return kerr_set(err, saved, "write `%s/config.json`", bundle);
	}
	return 0;
}

int cmd_features(struct kerr **err)
{
	_cleanup_free_ char *json = spec_features_json();

	if (!json)
		return kerr_set(err, 0, "features: not available");
	printf("%s%s", json, json[0] && json[strlen(json) - 1] == '\n' ? "" : "\n");
	return fflush(stdout) == 0 ? 0 : kerr_errno(err, "write features");
}

/* --- pause, resume --- */

static int need_cgroup(const struct kcontainer *c, const char *what, struct cgroup **cg,
		       struct kerr **err)
{
	if (kc_cgroup(c->st, cg, err) < 0)
		return kerr_wrap(err, "%s container `%s`", what, c->st->id);
	if (!*cg)
		return kerr_set(err, 0, "cannot %s container `%s`: it has no cgroup (cgroup manager disabled)",
				what, c->st->id);
	return 0;
}

int cmd_pause(const struct kglobal *g, const char *id, bool pause, struct kerr **err)
{
	struct kcontainer c;
	struct cgroup *cg = NULL;
	const char *what = pause ? "pause" : "resume";
	int ret = -1;

	if (kc_open(g, id, true, &c, err) < 0)
		return -1;
	if (pause && strcmp(c.status, "running") != 0) {
		kerr_set(err, 0, "cannot pause container `%s`: it is %s, not running", id, c.status);
		goto out;
	}
	if (!pause && strcmp(c.status, "paused") != 0) {
		kerr_set(err, 0, "cannot resume container `%s`: it is %s, not paused", id, c.status);
		goto out;
	}
	if (need_cgroup(&c, what, &cg, err) < 0)
		goto out;
	if (cgroup_freeze(cg, pause, err) < 0) {
		kerr_wrap(err, "%s container `%s`", what, id);
		goto out;
	}
	ret = 0;
out:
	if (cg)
		cgroup_close(cg);
	kc_close(&c);
	return ret;
}

/* --- update --- */

static void gen_tree(yajl_gen gen, yajl_val v)
{
	size_t i;

	if (!v) {
		yajl_gen_null(gen);
		return;
	}
	switch (v->type) {
	case yajl_t_string:
		yajl_gen_string(gen, (const unsigned char *)v->u.string, strlen(v->u.string));
		break;
	case yajl_t_number:
		yajl_gen_number(gen, v->u.number.r, strlen(v->u.number.r));
		break;
	case yajl_t_object:
		yajl_gen_map_open(gen);
		for (i = 0; i < v->u.object.len; i++) {
			yajl_gen_string(gen, (const unsigned char *)v->u.object.keys[i],
					strlen(v->u.object.keys[i]));
			gen_tree(gen, v->u.object.values[i]);
		}
		yajl_gen_map_close(gen);
		break;
	case yajl_t_array:
		yajl_gen_array_open(gen);
		for (i = 0; i < v->u.array.len; i++)
			gen_tree(gen, v->u.array.values[i]);
		yajl_gen_array_close(gen);
		break;
	case yajl_t_true:
		yajl_gen_bool(gen, 1);
		break;
	case yajl_t_false:
		yajl_gen_bool(gen, 0);
		break;
	default:
		yajl_gen_null(gen);
		break;
	}
}

static char *tree_to_text(yajl_val v, bool pretty)
{
	yajl_gen gen = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *out;

	if (!gen)
		abort();
	if (pretty) {
		yajl_gen_config(gen, yajl_gen_beautify, 1);
		yajl_gen_config(gen, yajl_gen_indent_string, "\t");
	}
	gen_tree(gen, v);
	yajl_gen_get_buf(gen, &buf, &len);
	out = xmalloc(len + 1);
	memcpy(out, buf, len);
	out[len] = '\0';
	yajl_gen_free(gen);
	return out;
}

static yajl_val new_object(void)
{
	yajl_val v = xzalloc(sizeof(*v));

	v->type = yajl_t_object;
	return v;
}

/* Merge `src` into the object `dst`: objects merge, everything else replaces.
 * Values are moved out of src (left NULL there). */
static void merge_into(yajl_val dst, yajl_val src)
{
	size_t i, j;

	for (i = 0; i < src->u.object.len; i++) {
		const char *key = src->u.object.keys[i];
		yajl_val sv = src->u.object.values[i];

		for (j = 0; j < dst->u.object.len; j++)
			if (!strcmp(dst->u.object.keys[j], key))
				break;
		if (j < dst->u.object.len && YAJL_IS_OBJECT(dst->u.object.values[j]) &&
		    YAJL_IS_OBJECT(sv)) {
			merge_into(dst->u.object.values[j], sv);
			continue;
		}
		if (j == dst->u.object.len) {
			dst->u.object.keys = xrealloc(dst->u.object.keys, (j + 1) * sizeof(char *));
			dst->u.object.values = xrealloc(dst->u.object.values, (j + 1) * sizeof(yajl_val));
			dst->u.object.keys[j] = xstrdup(key);
			dst->u.object.values[j] = NULL;
			dst->u.object.len++;
		}
		yajl_tree_free(dst->u.object.values[j]);
		dst->u.object.values[j] = sv;
		src->u.object.values[i] = NULL;
	}
}

/* The object at key in obj, made if missing (a non-object there is replaced). */
static yajl_val child_object(yajl_val obj, const char *key)
{
	yajl_val wrap = new_object(), got;
	const char *path[] = { key, NULL };

	got = yajl_tree_get(obj, path, yajl_t_object);
	if (got) {
		free(wrap);
		return got;
	}
	wrap->u.object.keys = xmalloc(sizeof(char *));
	wrap->u.object.values = xmalloc(sizeof(yajl_val));
	wrap->u.object.keys[0] = xstrdup(key);
	wrap->u.object.values[0] = new_object();
	wrap->u.object.len = 1;
	merge_into(obj, wrap);
	yajl_tree_free(wrap);
	return yajl_tree_get(obj, path, yajl_t_object);
}

static yajl_val parse_tree(const char *text, const char *name, struct kerr **err)
{
	char ebuf[256] = "";
	yajl_val v;

	/* The tree is printed again (tree_to_text): keep yajl_gen in its depth. */
	if (spec_json_check_depth(text, strlen(text), name, err) < 0)
		return NULL;
	v = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!v || !YAJL_IS_OBJECT(v)) {
		yajl_tree_free(v);
		ebuf[strcspn(ebuf, "\n")] = '\0';
		kerr_set(err, 0, "%s: invalid JSON: %s", name, *ebuf ? ebuf : "expected an object");
		return NULL;
	}
	return v;
}

/* The update flags as a LinuxResources JSON text. */
static int flags_json(const struct kupdate_opts *o, char **out, struct kerr **err)
{
	struct { const char *flag, *value, *group, *key; int kind; } f[] = {
		{ "memory", o->memory, "memory", "limit", 's' },
		{ "memory-reservation", o->memory_reservation, "memory", "reservation", 's' },
		{ "memory-swap", o->memory_swap, "memory", "swap", 's' },
		{ "cpu-shares", o->cpu_shares, "cpu", "shares", 'u' },
		{ "cpu-quota", o->cpu_quota, "cpu", "quota", 'i' },
		{ "cpu-period", o->cpu_period, "cpu", "period", 'u' },
		{ "cpu-rt-period", o->cpu_rt_period, "cpu", "realtimePeriod", 'u' },
		{ "cpu-rt-runtime", o->cpu_rt_runtime, "cpu", "realtimeRuntime", 'i' },
		{ "cpuset-cpus", o->cpuset_cpus, "cpu", "cpus", 'S' },
		{ "cpuset-mems", o->cpuset_mems, "cpu", "mems", 'S' },
		{ "pids-limit", o->pids_limit, "pids", "limit", 'i' },
		{ "blkio-weight", o->blkio_weight, "blockIO", "weight", 'u' },
	};
	const char *groups[] = { "memory", "cpu", "pids", "blockIO" };
	yajl_gen gen = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len, i, k;

	if (!gen)
		abort();
	yajl_gen_map_open(gen);
	for (k = 0; k < 4; k++) {
		bool open = false;

		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			long long v = 0;
			unsigned long long u = 0;
			char num[32];

			if (!f[i].value || strcmp(f[i].group, groups[k]))
				continue;
			if ((f[i].kind == 's' && cli_parse_size(f[i].value, &v) < 0) ||
			    (f[i].kind == 'i' && parse_i64(f[i].value, &v) < 0) ||
			    (f[i].kind == 'u' && parse_u64(f[i].value, &u) < 0)) {
				yajl_gen_free(gen);
				return kerr_set(err, 0, "invalid value `%s` for `--%s`", f[i].value,
						f[i].flag);
			}
			if (!open) {
				yajl_gen_string(gen, (const unsigned char *)groups[k], strlen(groups[k]));
				yajl_gen_map_open(gen);
				open = true;
			}
			yajl_gen_string(gen, (const unsigned char *)f[i].key, strlen(f[i].key));
			if (f[i].kind == 'S') {
				yajl_gen_string(gen, (const unsigned char *)f[i].value, strlen(f[i].value));
				continue;
			}
			if (f[i].kind == 'u')
				snprintf(num, sizeof(num), "%llu", u);
			else
				snprintf(num, sizeof(num), "%lld", v);
			yajl_gen_number(gen, num, strlen(num));
		}
		if (open)
			yajl_gen_map_close(gen);
	}
	yajl_gen_map_close(gen);
	yajl_gen_get_buf(gen, &buf, &len);
	*out = xmalloc(len + 1);
	memcpy(*out, buf, len);
	(*out)[len] = '\0';
	yajl_gen_free(gen);
	return 0;
}

static int read_resources_text(const char *file, char **text, struct kerr **err)
{
	if (strcmp(file, "-") != 0)
		return read_file_at(AT_FDCWD, file, text, NULL, err);
	return read_file_at(STDIN_FILENO, "/proc/self/fd/0", text, NULL, err) < 0 ?
	       kerr_wrap(err, "read resources from stdin") : 0;
}

/* Record the new resources in the saved config.json (linux.resources). */
static int save_resources(int dirfd, yajl_val res, struct kerr **err)
{
	_cleanup_free_ char *text = NULL, *out = NULL;
	yajl_val cfg, linux_obj, resources;
	int r;

	if (read_file_at(dirfd, "config.json", &text, NULL, err) < 0)
		return -1;
	cfg = parse_tree(text, "config.json", err);
	if (!cfg)
		return -1;
	linux_obj = child_object(cfg, "linux");
	resources = child_object(linux_obj, "resources");
	merge_into(resources, res);
	out = tree_to_text(cfg, true);
	yajl_tree_free(cfg);
	r = write_file_atomic_at(dirfd, "config.json", out, strlen(out), 0600, err);
	return r;
}

int cmd_update(const struct kglobal *g, const char *id, const struct kupdate_opts *o,
	       struct kerr **err)
{
	_cleanup_free_ char *file_text = NULL, *flag_text = NULL, *all_text = NULL;
	struct spec_resources *res = NULL;
	yajl_val tree = NULL, flags = NULL;
	struct kcontainer c;
	struct cgroup *cg = NULL;
	int ret = -1;

	if (kc_open(g, id, true, &c, err) < 0)
		return -1;
	if (!strcmp(c.status, "stopped")) {
		kerr_set(err, 0, "cannot update container `%s`: it is stopped", id);
		goto out;
	}
	if (need_cgroup(&c, "update", &cg, err) < 0)
		goto out;
	if (o->resources) {
		if (read_resources_text(o->resources, &file_text, err) < 0)
			goto out;
		tree = parse_tree(file_text, o->resources, err);
	} else {
		tree = new_object();
	}
	if (!tree || flags_json(o, &flag_text, err) < 0)
		goto out;
	flags = parse_tree(flag_text, "update flags", err);
	if (!flags)
		goto out;
	merge_into(tree, flags);	/* flags win over the file, like runc */
	all_text = tree_to_text(tree, false);
	if (spec_parse_resources(all_text, strlen(all_text),
				 o->resources ? o->resources : "update", &res, err) < 0)
		goto out;
	if (cgroup_apply(cg, res, true, err) < 0) {
		kerr_wrap(err, "update container `%s`", id);
		goto out;
	}
	if (save_resources(c.dirfd, tree, err) < 0) {
		kerr_wrap(err, "update container `%s`: record the new resources", id);
		goto out;
	}
	ret = 0;
out:
	yajl_tree_free(tree);
	yajl_tree_free(flags);
	if (res)
		spec_resources_free(res);
	if (cg)
		cgroup_close(cg);
	kc_close(&c);
	return ret;
}

/* --- events --- */

static int print_stats(struct cgroup *cg, const char *id, struct kerr **err)
{
	_cleanup_free_ char *data = cgroup_stats_json(cg, err);

	if (!data)
		return -1;
	printf("{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}\n", id, data);
	return fflush(stdout) == 0 ? 0 : kerr_errno(err, "write events");
}

int cmd_events(const struct kglobal *g, const char *id, bool stats, const char *interval,
	       struct kerr **err)
{
	long long ms = cli_parse_duration(interval);
	struct kcontainer c;
	struct kstate *st;
	struct cgroup *cg = NULL;
	uint64_t ooms = 0, now;
	int ret = -1;

	if (ms <= 0)
		return kerr_set(err, 0, "invalid --interval `%s`: expected a duration like 5s or 500ms",
				interval);
	if (kc_open(g, id, false, &c, err) < 0)
		return -1;
	if (!strcmp(c.status, "stopped")) {
		kerr_set(err, 0, "container `%s` is not running", id);
		kc_close(&c);
		return -1;
	}
	if (need_cgroup(&c, "get events of", &cg, err) < 0) {
		kc_close(&c);
		return -1;
	}
	/* Don't hold the lock while we watch: keep only the state. */
	st = steal_ptr(&c.st);
	kc_close(&c);
	if (stats) {
		ret = print_stats(cg, id, err);
		goto out;
	}
	if (cgroup_oom_kills(cg, &ooms, NULL) < 0)
		ooms = 0;
	for (;;) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

		if (!state_pid_alive(st))
			break;
		if (cgroup_oom_kills(cg, &now, NULL) == 0 && now > ooms) {
			ooms = now;
			printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
		}
		if (print_stats(cg, id, err) < 0)
			goto out;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	ret = 0;
out:
	cgroup_close(cg);
	state_free(st);
	return ret;
}
