/* mount_opts_parse(): option strings -> flags, clears, propagation, data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "namespaces/namespaces.h"
#include "runtime/util.h"
#include "tap.h"

struct tcase {
	const char *opts;	/* comma-separated, as in config.json's array */
	unsigned long flags, clear, prop;
	bool tmpcopyup, rro, idmap;
	const char *data;
};

static const struct tcase cases[] = {
	{ "", 0, 0, 0, false, false, false, NULL },
	{ "ro", MS_RDONLY, 0, 0, false, false, false, NULL },
	{ "rw", 0, MS_RDONLY, 0, false, false, false, NULL },
	{ "ro,rw", 0, MS_RDONLY, 0, false, false, false, NULL },
	{ "rw,ro", MS_RDONLY, 0, 0, false, false, false, NULL },
	{ "nosuid,nodev,noexec", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, 0, false, false, false, NULL },
	{ "suid,dev,exec", 0, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, false, false, false, NULL },
	{ "sync", MS_SYNCHRONOUS, 0, 0, false, false, false, NULL },
	{ "async", 0, MS_SYNCHRONOUS, 0, false, false, false, NULL },
	{ "dirsync", MS_DIRSYNC, 0, 0, false, false, false, NULL },
	{ "remount", MS_REMOUNT, 0, 0, false, false, false, NULL },
	{ "mand", MS_MANDLOCK, 0, 0, false, false, false, NULL },
	{ "nomand", 0, MS_MANDLOCK, 0, false, false, false, NULL },
	{ "noatime", MS_NOATIME, 0, 0, false, false, false, NULL },
	{ "atime", 0, MS_NOATIME, 0, false, false, false, NULL },
	{ "nodiratime", MS_NODIRATIME, 0, 0, false, false, false, NULL },
	{ "diratime", 0, MS_NODIRATIME, 0, false, false, false, NULL },
	{ "relatime", MS_RELATIME, 0, 0, false, false, false, NULL },
	{ "norelatime", 0, MS_RELATIME, 0, false, false, false, NULL },
	{ "strictatime", MS_STRICTATIME, 0, 0, false, false, false, NULL },
	{ "nostrictatime", 0, MS_STRICTATIME, 0, false, false, false, NULL },
	{ "bind", MS_BIND, 0, 0, false, false, false, NULL },
	{ "rbind", MS_BIND | MS_REC, 0, 0, false, false, false, NULL },
	{ "private", 0, 0, MS_PRIVATE, false, false, false, NULL },
	{ "rprivate", 0, 0, MS_PRIVATE | MS_REC, false, false, false, NULL },
	{ "shared", 0, 0, MS_SHARED, false, false, false, NULL },
	{ "rshared", 0, 0, MS_SHARED | MS_REC, false, false, false, NULL },
	{ "slave", 0, 0, MS_SLAVE, false, false, false, NULL },
	{ "rslave", 0, 0, MS_SLAVE | MS_REC, false, false, false, NULL },
	{ "unbindable", 0, 0, MS_UNBINDABLE, false, false, false, NULL },
	{ "runbindable", 0, 0, MS_UNBINDABLE | MS_REC, false, false, false, NULL },
	{ "shared,rprivate", 0, 0, MS_PRIVATE | MS_REC, false, false, false, NULL },
	{ "tmpcopyup", 0, 0, 0, true, false, false, NULL },
	{ "rro", 0, 0, 0, false, true, false, NULL },
	{ "rro,rrw", 0, 0, 0, false, false, false, NULL },
	{ "idmap", 0, 0, 0, false, false, true, NULL },
	{ "ridmap", 0, 0, 0, false, false, true, NULL },
	{ "mode=755", 0, 0, 0, false, false, false, "mode=755" },
	{ "nosuid,strictatime,mode=755,size=65536k", MS_NOSUID | MS_STRICTATIME, 0, 0,
	  false, false, false, "mode=755,size=65536k" },
	{ "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5", MS_NOSUID | MS_NOEXEC, 0, 0,
	  false, false, false, "newinstance,ptmxmode=0666,mode=0620,gid=5" },
	{ "rbind,ro,rprivate,tmpcopyup,uid=1000", MS_BIND | MS_REC | MS_RDONLY, 0, MS_PRIVATE | MS_REC,
	  true, false, false, "uid=1000" },
	{ "RO", 0, 0, 0, false, false, false, "RO" },
};

static char **split(const char *s, size_t *n)
{
	char **v = xzalloc(sizeof(char *) * (strlen(s) + 2));
	char *copy = xstrdup(s), *tok, *save = NULL;

	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		v[(*n)++] = xstrdup(tok);
	free(copy);
	return v;
}

static bool streq_null(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int main(void)
{
	size_t ncases = sizeof(cases) / sizeof(cases[0]);

	tap_plan((int)ncases + 2);
	for (size_t i = 0; i < ncases; i++) {
		const struct tcase *c = &cases[i];
		struct mount_opts o;
		struct kerr *err = NULL;
		size_t n;
		char **v = split(c->opts, &n);
		bool good = mount_opts_parse(v, n, &o, &err) == 0 &&
			  o.flags == c->flags && o.clear == c->clear && o.propagation == c->prop &&
			  o.tmpcopyup == c->tmpcopyup && o.rro == c->rro && o.idmap == c->idmap &&
			  streq_null(o.data, c->data);
		char name[256], why[256];

		snprintf(name, sizeof(name), "\"%s\"", c->opts);
		snprintf(why, sizeof(why), "flags %#lx clear %#lx prop %#lx data %s",
			 o.flags, o.clear, o.propagation, o.data ? o.data : "(null)");
		ok(good, name, why);
		mount_opts_free(&o);
		kerr_free(&err);
		strv_free(v);
	}
	/* A NULL-terminated list with n larger than the list stops at NULL. */
	{
		char *v[] = { "ro", NULL };
		struct mount_opts o;
		bool good = mount_opts_parse(v, 5, &o, NULL) == 0 && o.flags == MS_RDONLY && !o.data;

		ok(good, "NULL terminates the list", NULL);
		mount_opts_free(&o);
	}
	/* "ridmap" is recursive, "idmap" is not. */
	{
		char *a[] = { "idmap" }, *b[] = { "ridmap" };
		struct mount_opts oa, ob;
		bool good = mount_opts_parse(a, 1, &oa, NULL) == 0 && mount_opts_parse(b, 1, &ob, NULL) == 0 &&
			    !oa.idmap_recursive && ob.idmap_recursive;

		ok(good, "ridmap is recursive", NULL);
		mount_opts_free(&oa);
		mount_opts_free(&ob);
	}
	return tap_done();
}
