/* Mount option strings (OCI config / mount(8)) -> mount(2) flags and data. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "namespaces.h"
#include "../runtime/util.h"

enum opt_kind { OPT_FLAG, OPT_CLEAR, OPT_PROP, OPT_TMPCOPYUP, OPT_RRO, OPT_RRW, OPT_IDMAP };

struct opt_def {
	const char *name;
	enum opt_kind kind;
	unsigned long flag;
};

static const struct opt_def opt_table[] = {
	{ "defaults",		OPT_FLAG,	0 },
	{ "ro",			OPT_FLAG,	MS_RDONLY },
	{ "rw",			OPT_CLEAR,	MS_RDONLY },
	{ "suid",		OPT_CLEAR,	MS_NOSUID },
	{ "nosuid",		OPT_FLAG,	MS_NOSUID },
	{ "dev",		OPT_CLEAR,	MS_NODEV },
	{ "nodev",		OPT_FLAG,	MS_NODEV },
	{ "exec",		OPT_CLEAR,	MS_NOEXEC },
	{ "noexec",		OPT_FLAG,	MS_NOEXEC },
	{ "sync",		OPT_FLAG,	MS_SYNCHRONOUS },
	{ "async",		OPT_CLEAR,	MS_SYNCHRONOUS },
	{ "dirsync",		OPT_FLAG,	MS_DIRSYNC },
	{ "remount",		OPT_FLAG,	MS_REMOUNT },
	{ "mand",		OPT_FLAG,	MS_MANDLOCK },
	{ "nomand",		OPT_CLEAR,	MS_MANDLOCK },
	{ "atime",		OPT_CLEAR,	MS_NOATIME },
	{ "noatime",		OPT_FLAG,	MS_NOATIME },
	{ "diratime",		OPT_CLEAR,	MS_NODIRATIME },
	{ "nodiratime",		OPT_FLAG,	MS_NODIRATIME },
	{ "relatime",		OPT_FLAG,	MS_RELATIME },
	{ "norelatime",		OPT_CLEAR,	MS_RELATIME },
	{ "strictatime",	OPT_FLAG,	MS_STRICTATIME },
	{ "nostrictatime",	OPT_CLEAR,	MS_STRICTATIME },
	{ "bind",		OPT_FLAG,	MS_BIND },
	{ "rbind",		OPT_FLAG,	MS_BIND | MS_REC },
	{ "private",		OPT_PROP,	MS_PRIVATE },
	{ "rprivate",		OPT_PROP,	MS_PRIVATE | MS_REC },
	{ "shared",		OPT_PROP,	MS_SHARED },
	{ "rshared",		OPT_PROP,	MS_SHARED | MS_REC },
	{ "slave",		OPT_PROP,	MS_SLAVE },
	{ "rslave",		OPT_PROP,	MS_SLAVE | MS_REC },
	{ "unbindable",		OPT_PROP,	MS_UNBINDABLE },
	{ "runbindable",	OPT_PROP,	MS_UNBINDABLE | MS_REC },
	{ "tmpcopyup",		OPT_TMPCOPYUP,	0 },
	{ "rro",		OPT_RRO,	0 },
	{ "rrw",		OPT_RRW,	0 },
	{ "idmap",		OPT_IDMAP,	0 },
	{ "ridmap",		OPT_IDMAP,	MS_REC },
};

static const struct opt_def *opt_find(const char *name)
{
	for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++)
		if (strcmp(opt_table[i].name, name) == 0)
			return &opt_table[i];
	return NULL;
}

static void data_append(char **data, const char *opt)
{
	char *n;

	if (!*data) {
		*data = xstrdup(opt);
		return;
	}
	n = xasprintf("%s,%s", *data, opt);
	free(*data);
	*data = n;
}

int mount_opts_parse(char *const *options, size_t n, struct mount_opts *out, struct kerr **err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const char *o = options[i];
		const struct opt_def *d;

		if (!o)
			break;
		if (!*o)
			continue;
		d = opt_find(o);
		if (!d) {
			data_append(&out->data, o);
			continue;
		}
		switch (d->kind) {
		case OPT_FLAG:
			out->flags |= d->flag;
			out->clear &= ~d->flag;
			break;
		case OPT_CLEAR:
			out->flags &= ~d->flag;
			out->clear |= d->flag;
			break;
		case OPT_PROP:
			/* Several propagation options: the last one wins, as in mount(8). */
			out->propagation = d->flag;
			break;
		case OPT_TMPCOPYUP:
			out->tmpcopyup = true;
			break;
		case OPT_RRO:
			out->rro = true;
			break;
		case OPT_RRW:
			out->rro = false;
			break;
		case OPT_IDMAP:
			out->idmap = true;
			if (d->flag & MS_REC)
				out->idmap_recursive = true;
			break;
		}
	}
	(void)err;
	return 0;
}

void mount_opts_free(struct mount_opts *o)
{
	if (!o)
		return;
	free(o->data);
	o->data = NULL;
}
