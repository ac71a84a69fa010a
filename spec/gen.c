/* JSON generation shared by `keel spec` and `keel features`: a pretty
 * printing yajl_gen and small key/value helpers. */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "internal.h"
#include "../runtime/util.h"

void spec_gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void spec_gen_kv(yajl_gen g, const char *k, const char *v)
{
	spec_gen_str(g, k);
	spec_gen_str(g, v);
}

void spec_gen_kint(yajl_gen g, const char *k, long long v)
{
	spec_gen_str(g, k);
	yajl_gen_integer(g, v);
}

void spec_gen_kbool(yajl_gen g, const char *k, bool v)
{
	spec_gen_str(g, k);
	yajl_gen_bool(g, v);
}

/* key: [ strings... ] from a NULL-terminated list. */
void spec_gen_kstrv(yajl_gen g, const char *k, const char *const *v)
{
	spec_gen_str(g, k);
	yajl_gen_array_open(g);
	for (; *v; v++)
		spec_gen_str(g, *v);
	yajl_gen_array_close(g);
}

void *spec_gen_new(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		abort();
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "\t");
	return g;
}

char *spec_gen_finish(void *gen)
{
	yajl_gen g = gen;
	const unsigned char *buf;
	size_t len;
	char *s;

	yajl_gen_get_buf(g, &buf, &len);
	s = xasprintf("%.*s%s", (int)len, (const char *)buf,
		      len && buf[len - 1] == '\n' ? "" : "\n");
	yajl_gen_free(g);
	return s;
}
