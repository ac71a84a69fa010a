/* Mount options (namespaces/mountopts.c): the input is a config's mounts[].options,
 * one option per line. Known options become flags, unknown ones are joined
 * into the data string in order; a flag is never both set and cleared. */
#include <sys/mount.h>

#include "fuzz.h"
#include "namespaces/namespaces.h"

static const unsigned long props[] = {
	0, MS_PRIVATE, MS_SHARED, MS_SLAVE, MS_UNBINDABLE,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *opts[64];
	size_t n = fuzz_split(data, size, '\n', opts, 64);
	struct mount_opts o, again;
	struct kerr *err = NULL;
	bool prop_ok = false;

	FUZZ_CHECK(mount_opts_parse(opts, n, &o, &err) == 0 && !err);
	FUZZ_CHECK(!(o.flags & o.clear));
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		if ((o.propagation & ~(unsigned long)MS_REC) == props[i])
			prop_ok = true;
	FUZZ_CHECK(prop_ok);
	FUZZ_CHECK(!o.idmap_recursive || o.idmap);
	FUZZ_CHECK(!o.data || o.data[0]);
	/* The data string is the unknown options, in order, joined by commas:
	 * an option is unknown when, alone, it parses into itself as data. */
	size_t cap = size + n + 1, len = 0;
	char *want = calloc(1, cap);

	FUZZ_CHECK(want);
	for (size_t i = 0; i < n; i++) {
		char *one[1] = { opts[i] };

		FUZZ_CHECK(mount_opts_parse(one, 1, &again, NULL) == 0);
		if (again.data) {
			FUZZ_CHECK(!strcmp(again.data, opts[i]));
			len += snprintf(want + len, cap - len, "%s%s", len ? "," : "", opts[i]);
		}
		mount_opts_free(&again);
	}
	FUZZ_CHECK(len ? o.data && !strcmp(o.data, want) : !o.data);
	free(want);
	mount_opts_free(&o);
	FUZZ_CHECK(!o.data);
	fuzz_strv_free(opts, n);
	return 0;
}
