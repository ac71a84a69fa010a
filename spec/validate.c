/* Cross-field checks of a parsed config (config.md, config-linux.md). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "../runtime/util.h"

static const struct spec_namespace *ns(const struct spec *s, enum spec_ns_kind k)
{
	return spec_find_ns(s, k);
}

static int check_namespaces(const struct spec *s, const char *name, struct kerr **err)
{
	const struct spec_linux *l = s->linux_;
	const struct spec_namespace *user = ns(s, NS_USER);
	size_t i, j;

	for (i = 0; l && i < l->n_namespaces; i++)
		for (j = 0; j < i; j++)
			if (l->namespaces[i].kind == l->namespaces[j].kind)
				return kerr_set(err, 0, "%s: linux.namespaces[%zu]: duplicate namespace type \"%s\"",
						name, i, spec_ns_name(l->namespaces[i].kind));
	if (l && (l->n_uid_mappings || l->n_gid_mappings) && !user)
		return kerr_set(err, 0, "%s: linux.%s: mappings require a user namespace",
				name, l->n_uid_mappings ? "uidMappings" : "gidMappings");
	if (user && !user->path) {
		if (!l->n_uid_mappings)
			return kerr_set(err, 0, "%s: linux.uidMappings: a new user namespace needs uid mappings", name);
		if (!l->n_gid_mappings)
			return kerr_set(err, 0, "%s: linux.gidMappings: a new user namespace needs gid mappings", name);
	}
	if (s->hostname && !ns(s, NS_UTS))
		return kerr_set(err, 0, "%s: hostname: setting the hostname requires a private UTS namespace", name);
	if (s->domainname && !ns(s, NS_UTS))
		return kerr_set(err, 0, "%s: domainname: setting the domainname requires a private UTS namespace", name);
	if (l && (l->time_monotonic.set || l->time_boottime.set)) {
		const struct spec_namespace *t = ns(s, NS_TIME);

		if (!t)
			return kerr_set(err, 0, "%s: linux.timeOffsets: time offsets require a time namespace", name);
		if (t->path)
			return kerr_set(err, 0, "%s: linux.timeOffsets: time offsets require a new time namespace, not one joined by path", name);
	}
	return 0;
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* Which namespace a sysctl lives in, or -1 when it is not namespaced (the
 * same families runc accepts). */
static int sysctl_ns(const char *key)
{
	if (has_prefix(key, "net."))
		return NS_NETWORK;
	if (has_prefix(key, "fs.mqueue.") || has_prefix(key, "kernel.msg") ||
	    has_prefix(key, "kernel.sem") || has_prefix(key, "kernel.shm"))
		return NS_IPC;
	if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname"))
		return NS_UTS;
	return -1;
}

static int check_sysctls(const struct spec *s, const char *name, struct kerr **err)
{
	const struct spec_linux *l = s->linux_;
	size_t i;

	for (i = 0; l && i < l->n_sysctl; i++) {
		_cleanup_free_ char *key = xstrdup(l->sysctl[i].key);
		char *c;
		int kind;

		/* "net/ipv4/ip_forward" is the same as "net.ipv4.ip_forward". */
		for (c = key; *c; c++)
			if (*c == '/')
				*c = '.';
		kind = sysctl_ns(key);
		if (kind < 0)
			return kerr_set(err, 0, "%s: linux.sysctl.\"%s\": sysctl is not in a separate kernel namespace",
					name, l->sysctl[i].key);
		if (!ns(s, kind))
			return kerr_set(err, 0, "%s: linux.sysctl.\"%s\": sysctl requires %s namespace",
					name, l->sysctl[i].key, kind == NS_NETWORK ? "a network" :
					kind == NS_IPC ? "an IPC" : "a UTS");
	}
	return 0;
}

/* defaultErrnoRet only means something for an action that returns an errno. */
static int check_seccomp(const struct spec *s, const char *name, struct kerr **err)
{
	const struct spec_seccomp *sc = s->linux_ ? s->linux_->seccomp : NULL;

	if (!sc || !sc->has_default_errno_ret || !sc->default_action)
		return 0;
	if (strcmp(sc->default_action, "SCMP_ACT_ERRNO") && strcmp(sc->default_action, "SCMP_ACT_TRACE"))
		return kerr_set(err, 0, "%s: linux.seccomp.defaultErrnoRet: only valid with defaultAction "
				"SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s", name, sc->default_action);
	return 0;
}

int spec_validate(const struct spec *s, const char *name, struct kerr **err)
{
	size_t i;

	if (!s->oci_version)
		return kerr_set(err, 0, "%s: ociVersion: required field is missing", name);
	if (!s->root_path)
		return kerr_set(err, 0, "%s: root.path: required field is missing", name);
	if (s->process && (!s->process->args || !s->process->args[0]))
		return kerr_set(err, 0, "%s: process.args: must not be empty", name);
	for (i = 0; i < s->n_mounts; i++)
		if (!s->mounts[i].destination || s->mounts[i].destination[0] != '/')
			return kerr_set(err, 0, "%s: mounts[%zu].destination: must be an absolute path, got \"%s\"",
					name, i, s->mounts[i].destination ? s->mounts[i].destination : "");
	TRY(check_namespaces(s, name, err));
	TRY(check_sysctls(s, name, err));
	TRY(check_seccomp(s, name, err));
	return 0;
}
