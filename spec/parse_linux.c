/* config.json: the "linux" object except resources (parse_resources.c). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "../runtime/util.h"

static int parse_namespace(struct pctx *pc, yajl_val v, struct spec_namespace *ns)
{
	char *type = NULL;
	int kind;

	TRY(v_obj(pc, v));
	if (!j_get(v, "type"))
		return pc_missing(pc, "type");
	TRY(f_str(pc, v, "type", &type));
	kind = spec_ns_parse(type);
	free(type);
	if (kind < 0)
		return pc_fail_at(pc, "type", j_get(v, "type"), "unknown namespace type");
	ns->kind = kind;
	TRY(f_str(pc, v, "path", &ns->path));
	if (ns->path && ns->path[0] != '/')
		return pc_fail_at(pc, "path", j_get(v, "path"), "must be an absolute path");
	return 0;
}

static int parse_offset(struct pctx *pc, yajl_val v, struct spec_time_offset *t)
{
	TRY(v_obj(pc, v));
	t->set = true;
	TRY(f_i64(pc, v, "secs", &t->secs));
	TRY(f_u32(pc, v, "nanosecs", &t->nanosecs));
	if (t->nanosecs >= 1000000000)
		return pc_fail_at(pc, "nanosecs", j_get(v, "nanosecs"),
				  "must be less than 1000000000");
	return 0;
}

static int parse_device(struct pctx *pc, yajl_val v, struct spec_device *d)
{
	bool need_numbers;

	TRY(v_obj(pc, v));
	if (!j_get(v, "type"))
		return pc_missing(pc, "type");
	TRY(f_str(pc, v, "type", &d->type));
	if (strcmp(d->type, "c") && strcmp(d->type, "u") && strcmp(d->type, "b") &&
	    strcmp(d->type, "p"))
		return pc_fail_at(pc, "type", j_get(v, "type"), "expected \"c\", \"u\", \"b\" or \"p\"");
	if (!j_get(v, "path"))
		return pc_missing(pc, "path");
	TRY(f_str(pc, v, "path", &d->path));
	if (d->path[0] != '/')
		return pc_fail_at(pc, "path", j_get(v, "path"), "must be an absolute path");
	need_numbers = strcmp(d->type, "p") != 0;
	if (need_numbers && !j_get(v, "major"))
		return pc_missing(pc, "major");
	if (need_numbers && !j_get(v, "minor"))
		return pc_missing(pc, "minor");
	TRY(f_i64(pc, v, "major", &d->major));
	TRY(f_i64(pc, v, "minor", &d->minor));
	/* makedev() takes 32-bit numbers: a larger one would be truncated into
	 * another device's number (4294967297 into 1, /dev/mem's major). */
	if (d->major < 0 || d->major > UINT32_MAX)
		return pc_fail_at(pc, "major", j_get(v, "major"), "must be between 0 and %u", UINT32_MAX);
	if (d->minor < 0 || d->minor > UINT32_MAX)
		return pc_fail_at(pc, "minor", j_get(v, "minor"), "must be between 0 and %u", UINT32_MAX);
	TRYH(d->has_file_mode, f_u32(pc, v, "fileMode", &d->file_mode));
	TRYH(d->has_uid, f_u32(pc, v, "uid", &d->uid));
	TRYH(d->has_gid, f_u32(pc, v, "gid", &d->gid));
	return 0;
}

static int parse_seccomp_arg(struct pctx *pc, yajl_val v, struct spec_seccomp_arg *a)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "index"))
		return pc_missing(pc, "index");
	if (!j_get(v, "value"))
		return pc_missing(pc, "value");
	if (!j_get(v, "op"))
		return pc_missing(pc, "op");
	TRY(f_u32(pc, v, "index", &a->index));
	if (a->index > 5)
		return pc_fail_at(pc, "index", j_get(v, "index"), "must be between 0 and 5");
	TRY(f_u64(pc, v, "value", &a->value));
	TRY(f_u64(pc, v, "valueTwo", &a->value_two));
	TRY(f_str(pc, v, "op", &a->op));
	a->op_value = spec_seccomp_op_parse(a->op);
	if (a->op_value < 0)
		return pc_fail_at(pc, "op", j_get(v, "op"), "unknown seccomp operator");
	return 0;
}

/* The filter returns 16 bits of data (SECCOMP_RET_DATA): a larger errno
 * would be cut, 65536 into 0, which fakes success instead of failing. */
static int check_errno_ret(struct pctx *pc, yajl_val v, const char *key, bool has, uint32_t ret)
{
	if (has && ret > 0xffff)
		return pc_fail_at(pc, key, j_get(v, key), "must be between 0 and 65535");
	return 0;
}

static int parse_syscall(struct pctx *pc, yajl_val v, struct spec_seccomp_syscall *sc)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "names"))
		return pc_missing(pc, "names");
	TRY(f_strv(pc, v, "names", &sc->names));
	if (!sc->names[0])
		return pc_fail_at(pc, "names", NULL, "must not be empty");
	if (!j_get(v, "action"))
		return pc_missing(pc, "action");
	TRY(f_str(pc, v, "action", &sc->action));
	if (!spec_seccomp_action_known(sc->action))
		return pc_fail_at(pc, "action", j_get(v, "action"), "unknown seccomp action");
	TRYH(sc->has_errno_ret, f_u32(pc, v, "errnoRet", &sc->errno_ret));
	TRY(check_errno_ret(pc, v, "errnoRet", sc->has_errno_ret, sc->errno_ret));
	TRY(ARRAY(parse_seccomp_arg, pc, v, "args", sc->args, sc->n_args));
	return 0;
}

static int parse_seccomp(struct pctx *pc, yajl_val v, struct spec_seccomp *s)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "defaultAction"))
		return pc_missing(pc, "defaultAction");
	TRY(f_str(pc, v, "defaultAction", &s->default_action));
	if (!spec_seccomp_action_known(s->default_action))
		return pc_fail_at(pc, "defaultAction", j_get(v, "defaultAction"),
				  "unknown seccomp action");
	TRYH(s->has_default_errno_ret, f_u32(pc, v, "defaultErrnoRet", &s->default_errno_ret));
	TRY(check_errno_ret(pc, v, "defaultErrnoRet", s->has_default_errno_ret,
			    s->default_errno_ret));
	TRY(f_strv(pc, v, "architectures", &s->architectures));
	TRY(f_strv(pc, v, "flags", &s->flags));
	TRY(f_str(pc, v, "listenerPath", &s->listener_path));
	TRY(f_str(pc, v, "listenerMetadata", &s->listener_metadata));
	TRY(ARRAY(parse_syscall, pc, v, "syscalls", s->syscalls, s->n_syscalls));
	return 0;
}

static int parse_personality(struct pctx *pc, yajl_val v, struct spec_linux *l)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "domain"))
		return pc_missing(pc, "domain");
	TRY(f_str(pc, v, "domain", &l->personality_domain));
	if (strcmp(l->personality_domain, "LINUX") && strcmp(l->personality_domain, "LINUX32"))
		return pc_fail_at(pc, "domain", j_get(v, "domain"),
				  "expected \"LINUX\" or \"LINUX32\"");
	TRY(f_strv(pc, v, "flags", &l->personality_flags));
	l->has_personality = true;
	return 0;
}

static int parse_intel_rdt(struct pctx *pc, yajl_val v, struct spec_intel_rdt *rdt)
{
	TRY(v_obj(pc, v));
	TRY(f_str(pc, v, "closID", &rdt->clos_id));
	TRY(f_str(pc, v, "l3CacheSchema", &rdt->l3_cache_schema));
	TRY(f_str(pc, v, "memBwSchema", &rdt->mem_bw_schema));
	TRY(f_bool(pc, v, "enableCMT", &rdt->enable_cmt));
	TRY(f_bool(pc, v, "enableMBM", &rdt->enable_mbm));
	return 0;
}

static const char *const propagations[] = {
	"shared", "slave", "private", "unbindable",
	"rshared", "rslave", "rprivate", "runbindable", NULL
};

int parse_linux(struct pctx *pc, yajl_val v, struct spec_linux *l)
{
	yajl_val t;
	size_t i;
	int r;

	TRY(v_obj(pc, v));
	TRY(ARRAY(parse_namespace, pc, v, "namespaces", l->namespaces, l->n_namespaces));
	TRY(f_idmaps(pc, v, "uidMappings", &l->uid_mappings, &l->n_uid_mappings));
	TRY(f_idmaps(pc, v, "gidMappings", &l->gid_mappings, &l->n_gid_mappings));
	TRY(r = f_object(pc, v, "timeOffsets", &t));
	if (r) {
		size_t m = pc_key(pc, "timeOffsets");

		r = SUB(parse_offset, pc, t, "monotonic", &l->time_monotonic) < 0 ||
		    SUB(parse_offset, pc, t, "boottime", &l->time_boottime) < 0 ? -1 : 0;
		pc_pop(pc, m);
		TRY(r);
	}
	TRY(ARRAY(parse_device, pc, v, "devices", l->devices, l->n_devices));
	TRY(f_str(pc, v, "cgroupsPath", &l->cgroups_path));
	if (j_get(v, "resources")) {
		l->resources = xzalloc(sizeof(*l->resources));
		TRY(SUB(parse_resources, pc, v, "resources", l->resources));
	}
	TRY(f_str(pc, v, "rootfsPropagation", &l->rootfs_propagation));
	if (l->rootfs_propagation) {
		for (i = 0; propagations[i]; i++)
			if (!strcmp(propagations[i], l->rootfs_propagation))
				break;
		if (!propagations[i])
			return pc_fail_at(pc, "rootfsPropagation", j_get(v, "rootfsPropagation"),
					  "unknown propagation");
	}
	if (j_get(v, "seccomp")) {
		l->seccomp = xzalloc(sizeof(*l->seccomp));
		TRY(SUB(parse_seccomp, pc, v, "seccomp", l->seccomp));
	}
	TRY(f_map(pc, v, "sysctl", &l->sysctl, &l->n_sysctl));
	TRY(f_strv(pc, v, "maskedPaths", &l->masked_paths));
	TRY(f_strv(pc, v, "readonlyPaths", &l->readonly_paths));
	TRY(f_str(pc, v, "mountLabel", &l->mount_label));
	TRY(SUB(parse_personality, pc, v, "personality", l));
	if (j_get(v, "intelRdt")) {
		l->intel_rdt = xzalloc(sizeof(*l->intel_rdt));
		TRY(SUB(parse_intel_rdt, pc, v, "intelRdt", l->intel_rdt));
	}
	return 0;
}

static void seccomp_free(struct spec_seccomp *s)
{
	size_t i, j;

	if (!s)
		return;
	free(s->default_action);
	strv_free(s->architectures);
	strv_free(s->flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (i = 0; s->syscalls && i < s->n_syscalls; i++) {
		strv_free(s->syscalls[i].names);
		free(s->syscalls[i].action);
		for (j = 0; s->syscalls[i].args && j < s->syscalls[i].n_args; j++)
			free(s->syscalls[i].args[j].op);
		free(s->syscalls[i].args);
	}
	free(s->syscalls);
	free(s);
}

void linux_clear(struct spec_linux *l)
{
	size_t i;

	for (i = 0; l->namespaces && i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (i = 0; l->devices && i < l->n_devices; i++) {
		free(l->devices[i].type);
		free(l->devices[i].path);
	}
	free(l->devices);
	free(l->cgroups_path);
	spec_resources_free(l->resources);
	free(l->rootfs_propagation);
	seccomp_free(l->seccomp);
	kv_free(l->sysctl, l->n_sysctl);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
	free(l->personality_domain);
	strv_free(l->personality_flags);
	if (l->intel_rdt) {
		free(l->intel_rdt->clos_id);
		free(l->intel_rdt->l3_cache_schema);
		free(l->intel_rdt->mem_bw_schema);
		free(l->intel_rdt);
	}
}
