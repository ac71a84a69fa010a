/* config.json: the top level, root, mounts, hooks, annotations and the process. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "internal.h"
#include "../runtime/util.h"

/* --- process --- */

static int parse_caps(struct pctx *pc, yajl_val v, struct spec_caps *c)
{
	static const char *const keys[] = { "bounding", "effective", "inheritable",
					    "permitted", "ambient" };
	char ***lists[] = { &c->bounding, &c->effective, &c->inheritable,
			    &c->permitted, &c->ambient };
	size_t i, j;

	TRY(v_obj(pc, v));
	for (i = 0; i < 5; i++) {
		int r;

		TRY(r = f_strv(pc, v, keys[i], lists[i]));
		if (!r)
			continue;
		for (j = 0; (*lists[i])[j]; j++) {
			if (spec_cap_parse((*lists[i])[j]) >= 0)
				continue;
			size_t m = pc_key(pc, keys[i]);
			pc_idx(pc, j);
			pc_fail(pc, j_get(v, keys[i])->u.array.values[j], "unknown capability");
			pc_pop(pc, m);
			return -1;
		}
	}
	return 0;
}

static int parse_rlimit(struct pctx *pc, yajl_val v, struct spec_rlimit *rl)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "type"))
		return pc_missing(pc, "type");
	TRY(f_str(pc, v, "type", &rl->type));
	rl->resource = spec_rlimit_parse(rl->type);
	if (rl->resource < 0)
		return pc_fail_at(pc, "type", j_get(v, "type"), "unknown rlimit type");
	if (!j_get(v, "soft"))
		return pc_missing(pc, "soft");
	if (!j_get(v, "hard"))
		return pc_missing(pc, "hard");
	TRY(f_u64(pc, v, "soft", &rl->soft));
	TRY(f_u64(pc, v, "hard", &rl->hard));
	return 0;
}

static int parse_rlimits(struct pctx *pc, yajl_val v, struct spec_process *p)
{
	yajl_val a;
	size_t i, j, m;
	int r;

	TRY(r = f_array(pc, v, "rlimits", &a));
	if (!r)
		return 0;
	p->n_rlimits = a->u.array.len;
	p->rlimits = xzalloc(p->n_rlimits * sizeof(*p->rlimits));
	m = pc_key(pc, "rlimits");
	for (i = 0, r = 0; i < p->n_rlimits && !r; i++) {
		size_t mi = pc_idx(pc, i);

		r = parse_rlimit(pc, a->u.array.values[i], &p->rlimits[i]);
		for (j = 0; !r && j < i; j++)
			if (p->rlimits[j].resource == p->rlimits[i].resource)
				r = pc_fail(pc, NULL, "duplicate rlimit type %s", p->rlimits[i].type);
		pc_pop(pc, mi);
	}
	pc_pop(pc, m);
	return r;
}

static int parse_user(struct pctx *pc, yajl_val v, struct spec_user *u)
{
	yajl_val a;
	size_t i;
	int r;

	TRY(v_obj(pc, v));
	TRY(f_u32(pc, v, "uid", &u->uid));
	TRY(f_u32(pc, v, "gid", &u->gid));
	TRYH(u->has_umask, f_u32(pc, v, "umask", &u->umask));
	TRY(f_str(pc, v, "username", &u->username));
	TRY(r = f_array(pc, v, "additionalGids", &a));
	if (!r)
		return 0;
	u->n_additional_gids = a->u.array.len;
	u->additional_gids = xzalloc(u->n_additional_gids * sizeof(uint32_t));
	size_t m = pc_key(pc, "additionalGids");
	for (i = 0, r = 0; i < u->n_additional_gids && !r; i++) {
		size_t mi = pc_idx(pc, i);

		r = v_u32(pc, a->u.array.values[i], &u->additional_gids[i]);
		pc_pop(pc, mi);
	}
	pc_pop(pc, m);
	return r;
}

static int parse_scheduler(struct pctx *pc, yajl_val v, struct spec_scheduler *s)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "policy"))
		return pc_missing(pc, "policy");
	TRY(f_str(pc, v, "policy", &s->policy));
	s->policy_value = spec_sched_policy_parse(s->policy);
	if (s->policy_value < 0)
		return pc_fail_at(pc, "policy", j_get(v, "policy"), "unknown scheduler policy");
	TRYH(s->has_nice, f_i32(pc, v, "nice", &s->nice));
	if (s->has_nice && (s->nice < -20 || s->nice > 19))
		return pc_fail_at(pc, "nice", j_get(v, "nice"), "must be between -20 and 19");
	TRYH(s->has_priority, f_i32(pc, v, "priority", &s->priority));
	TRY(f_strv(pc, v, "flags", &s->flags));
	TRY(f_u64(pc, v, "runtime", &s->runtime));
	TRY(f_u64(pc, v, "deadline", &s->deadline));
	TRY(f_u64(pc, v, "period", &s->period));
	return 0;
}

static int parse_ioprio(struct pctx *pc, yajl_val v, struct spec_io_priority *io)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "class"))
		return pc_missing(pc, "class");
	TRY(f_str(pc, v, "class", &io->class));
	io->class_value = spec_ioprio_class_parse(io->class);
	if (io->class_value < 0)
		return pc_fail_at(pc, "class", j_get(v, "class"), "unknown I/O priority class");
	TRY(f_i32(pc, v, "priority", &io->priority));
	if (io->priority < 0 || io->priority > 7)
		return pc_fail_at(pc, "priority", j_get(v, "priority"), "must be between 0 and 7");
	return 0;
}

int parse_process(struct pctx *pc, yajl_val v, struct spec_process *p)
{
	yajl_val o;
	int r;

	TRY(v_obj(pc, v));
	TRY(f_bool(pc, v, "terminal", &p->terminal));
	TRY(r = f_object(pc, v, "consoleSize", &o));
	if (r) {
		size_t m = pc_key(pc, "consoleSize");

		p->has_console_size = true;
		r = f_u32(pc, o, "height", &p->console_height) < 0 ||
		    f_u32(pc, o, "width", &p->console_width) < 0 ? -1 : 0;
		pc_pop(pc, m);
		TRY(r);
	}
	TRY(f_str(pc, v, "cwd", &p->cwd));
	if (p->cwd && p->cwd[0] != '/')
		return pc_fail_at(pc, "cwd", j_get(v, "cwd"), "must be an absolute path");
	TRY(f_strv(pc, v, "env", &p->env));
	TRY(f_strv(pc, v, "args", &p->args));
	if (!p->args || !p->args[0])
		return pc_fail_at(pc, "args", NULL, "must not be empty");
	TRY(parse_rlimits(pc, v, p));
	TRY(f_str(pc, v, "apparmorProfile", &p->apparmor_profile));
	TRY(f_str(pc, v, "selinuxLabel", &p->selinux_label));
	TRYH(p->has_capabilities, SUB(parse_caps, pc, v, "capabilities", &p->capabilities));
	TRY(f_bool(pc, v, "noNewPrivileges", &p->no_new_privileges));
	TRYH(p->has_oom_score_adj, f_i32(pc, v, "oomScoreAdj", &p->oom_score_adj));
	if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
		return pc_fail_at(pc, "oomScoreAdj", j_get(v, "oomScoreAdj"),
				  "must be between -1000 and 1000");
	TRY(SUB(parse_user, pc, v, "user", &p->user));
	if (j_get(v, "scheduler")) {
		p->scheduler = xzalloc(sizeof(*p->scheduler));
		TRY(SUB(parse_scheduler, pc, v, "scheduler", p->scheduler));
	}
	if (j_get(v, "ioPriority")) {
		p->io_priority = xzalloc(sizeof(*p->io_priority));
		TRY(SUB(parse_ioprio, pc, v, "ioPriority", p->io_priority));
	}
	TRY(r = f_object(pc, v, "execCPUAffinity", &o));
	if (r) {
		size_t m = pc_key(pc, "execCPUAffinity");

		r = f_str(pc, o, "initial", &p->exec_cpu_affinity_initial) < 0 ||
		    f_str(pc, o, "final", &p->exec_cpu_affinity_final) < 0 ? -1 : 0;
		pc_pop(pc, m);
		TRY(r);
	}
	return 0;
}

void process_clear(struct spec_process *p)
{
	size_t i;

	free(p->cwd);
	strv_free(p->env);
	strv_free(p->args);
	for (i = 0; p->rlimits && i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	strv_free(p->capabilities.bounding);
	strv_free(p->capabilities.effective);
	strv_free(p->capabilities.inheritable);
	strv_free(p->capabilities.permitted);
	strv_free(p->capabilities.ambient);
	free(p->user.additional_gids);
	free(p->user.username);
	if (p->scheduler) {
		free(p->scheduler->policy);
		strv_free(p->scheduler->flags);
		free(p->scheduler);
	}
	if (p->io_priority) {
		free(p->io_priority->class);
		free(p->io_priority);
	}
	free(p->exec_cpu_affinity_initial);
	free(p->exec_cpu_affinity_final);
}

void spec_process_free(struct spec_process *p)
{
	if (!p)
		return;
	process_clear(p);
	free(p);
}

int spec_parse_process(const char *json, size_t len, const char *name,
		       struct spec_process **out, struct kerr **err)
{
	struct spec_process *p;
	struct pctx pc;
	yajl_val root;
	int r;

	*out = NULL;
	TRY(parse_tree(json, len, name, &root, err));
	pc_init(&pc, name, err);
	p = xzalloc(sizeof(*p));
	r = parse_process(&pc, root, p);
	yajl_tree_free(root);
	if (r < 0) {
		spec_process_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

/* --- mounts, hooks, top level --- */

static int parse_mount(struct pctx *pc, yajl_val v, struct spec_mount *m)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "destination"))
		return pc_missing(pc, "destination");
	TRY(f_str(pc, v, "destination", &m->destination));
	if (!m->destination[0])
		return pc_fail_at(pc, "destination", j_get(v, "destination"), "must not be empty");
	TRY(f_str(pc, v, "type", &m->type));
	TRY(f_str(pc, v, "source", &m->source));
	TRY(f_strv(pc, v, "options", &m->options));
	m->n_options = m->options ? strv_len(m->options) : 0;
	TRY(f_idmaps(pc, v, "uidMappings", &m->uid_mappings, &m->n_uid_mappings));
	TRY(f_idmaps(pc, v, "gidMappings", &m->gid_mappings, &m->n_gid_mappings));
	return 0;
}

static int parse_hook(struct pctx *pc, yajl_val v, struct spec_hook *h)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "path"))
		return pc_missing(pc, "path");
	TRY(f_str(pc, v, "path", &h->path));
	if (h->path[0] != '/')
		return pc_fail_at(pc, "path", j_get(v, "path"), "must be an absolute path");
	TRY(f_strv(pc, v, "args", &h->args));
	TRY(f_strv(pc, v, "env", &h->env));
	TRYH(h->has_timeout, f_i32(pc, v, "timeout", &h->timeout));
	if (h->has_timeout && h->timeout <= 0)
		return pc_fail_at(pc, "timeout", j_get(v, "timeout"), "must be greater than 0");
	return 0;
}


static int parse_hooks(struct pctx *pc, yajl_val v, struct spec_hooks *hooks)
{
	size_t k, i;

	TRY(v_obj(pc, v));
	for (k = 0; k < HOOK_KINDS; k++) {
		yajl_val a;
		int r;

		TRY(r = f_array(pc, v, spec_hook_name(k), &a));
		if (!r)
			continue;
		hooks->count[k] = a->u.array.len;
		hooks->list[k] = xzalloc(a->u.array.len * sizeof(struct spec_hook));
		size_t m = pc_key(pc, spec_hook_name(k));
		for (i = 0, r = 0; i < a->u.array.len && !r; i++) {
			size_t mi = pc_idx(pc, i);

			r = parse_hook(pc, a->u.array.values[i], &hooks->list[k][i]);
			pc_pop(pc, mi);
		}
		pc_pop(pc, m);
		TRY(r);
	}
	return 0;
}

static int parse_mounts(struct pctx *pc, yajl_val v, struct spec *s)
{
	yajl_val a;
	size_t i, m;
	int r;

	TRY(r = f_array(pc, v, "mounts", &a));
	if (!r)
		return 0;
	s->n_mounts = a->u.array.len;
	s->mounts = xzalloc(s->n_mounts * sizeof(*s->mounts));
	m = pc_key(pc, "mounts");
	for (i = 0, r = 0; i < s->n_mounts && !r; i++) {
		size_t mi = pc_idx(pc, i);

		r = parse_mount(pc, a->u.array.values[i], &s->mounts[i]);
		pc_pop(pc, mi);
	}
	pc_pop(pc, m);
	return r;
}

static int parse_root(struct pctx *pc, yajl_val v, struct spec *s)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "path"))
		return pc_missing(pc, "path");
	TRY(f_str(pc, v, "path", &s->root_path));
	if (!s->root_path[0])
		return pc_fail_at(pc, "path", j_get(v, "path"), "must not be empty");
	TRY(f_bool(pc, v, "readonly", &s->root_readonly));
	return 0;
}

static int parse_top(struct pctx *pc, yajl_val v, struct spec *s)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "ociVersion"))
		return pc_missing(pc, "ociVersion");
	TRY(f_str(pc, v, "ociVersion", &s->oci_version));
	if (!j_get(v, "root"))
		return pc_missing(pc, "root");
	TRY(SUB(parse_root, pc, v, "root", s));
	TRY(parse_mounts(pc, v, s));
	if (j_get(v, "process")) {
		s->process = xzalloc(sizeof(*s->process));
		TRY(SUB(parse_process, pc, v, "process", s->process));
	}
	TRY(f_str(pc, v, "hostname", &s->hostname));
	TRY(f_str(pc, v, "domainname", &s->domainname));
	TRY(SUB(parse_hooks, pc, v, "hooks", &s->hooks));
	TRY(f_map(pc, v, "annotations", &s->annotations, &s->n_annotations));
	if (j_get(v, "linux")) {
		s->linux_ = xzalloc(sizeof(*s->linux_));
		TRY(SUB(parse_linux, pc, v, "linux", s->linux_));
	}
	return 0;
}

void spec_free(struct spec *s)
{
	size_t i, k;

	if (!s)
		return;
	free(s->oci_version);
	free(s->root_path);
	for (i = 0; s->mounts && i < s->n_mounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		strv_free(s->mounts[i].options);
		free(s->mounts[i].uid_mappings);
		free(s->mounts[i].gid_mappings);
	}
	free(s->mounts);
	spec_process_free(s->process);
	free(s->hostname);
	free(s->domainname);
	for (k = 0; k < HOOK_KINDS; k++) {
		for (i = 0; s->hooks.list[k] && i < s->hooks.count[k]; i++) {
			free(s->hooks.list[k][i].path);
			strv_free(s->hooks.list[k][i].args);
			strv_free(s->hooks.list[k][i].env);
		}
		free(s->hooks.list[k]);
	}
	kv_free(s->annotations, s->n_annotations);
	if (s->linux_) {
		linux_clear(s->linux_);
		free(s->linux_);
	}
	free(s);
}

int spec_parse(const char *json, size_t len, const char *name, struct spec **out,
	       struct kerr **err)
{
	struct spec *s;
	struct pctx pc;
	yajl_val root;
	int r;

	*out = NULL;
	TRY(parse_tree(json, len, name, &root, err));
	pc_init(&pc, name, err);
	s = xzalloc(sizeof(*s));
	r = parse_top(&pc, root, s);
	yajl_tree_free(root);
	if (r < 0 || spec_validate(s, name, err) < 0) {
		spec_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int spec_load(int dirfd, const char *path, struct spec **out, struct kerr **err)
{
	_cleanup_free_ char *buf = NULL, *copy = xstrdup(path);
	size_t len;

	*out = NULL;
	TRY(read_file_at(dirfd, path, &buf, &len, err));
	return spec_parse(buf, len, basename(copy), out, err);
}
