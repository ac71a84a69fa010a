/* Shared by the jget/jedit test tools: JSON path walking and printing on yajl. */
#ifndef KEEL_JTOOL_H
#define KEEL_JTOOL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

static char *jt_read(const char *file, size_t *len)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!f) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		exit(2);
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n < 2)
			buf = realloc(buf, cap *= 2);
	}
	if (!buf)
		abort();
	buf[n] = 0;
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

static yajl_val jt_parse(const char *text, const char *what)
{
	char ebuf[512];
	yajl_val v = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!v) {
		fprintf(stderr, "%s: invalid JSON: %s\n", what, ebuf);
		exit(2);
	}
	return v;
}

/* One path step: a key (idx < 0) or an array index. */
struct jt_step {
	char *key;
	long idx;
};

/* Parse ".a.b[0]", ".", ".[2]", `.a["x.y"]`, `."x.y"`. Returns the count of steps. */
static size_t jt_path(const char *p, struct jt_step *steps, size_t max)
{
	size_t n = 0;
	if (*p == '.')
		p++;
	while (*p) {
		if (n == max)
			goto bad;
		steps[n].key = NULL;
		steps[n].idx = -1;
		if (*p == '[' && p[1] == '"') {
			const char *e = strchr(p + 2, '"');
			if (!e || e[1] != ']')
				goto bad;
			steps[n].key = strndup(p + 2, e - p - 2);
			p = e + 2;
		} else if (*p == '[') {
			char *e;
			steps[n].idx = strtol(p + 1, &e, 10);
			if (e == p + 1 || *e != ']' || steps[n].idx < 0)
				goto bad;
			p = e + 1;
		} else if (*p == '"') {
			const char *e = strchr(p + 1, '"');
			if (!e)
				goto bad;
			steps[n].key = strndup(p + 1, e - p - 1);
			p = e + 1;
		} else {
			size_t l = strcspn(p, ".[");
			if (!l)
				goto bad;
			steps[n].key = strndup(p, l);
			p += l;
		}
		n++;
		if (*p == '.')
			p++;
	}
	return n;
bad:
	fprintf(stderr, "bad path: %s\n", p);
	exit(2);
}

static void jt_gen(yajl_gen g, yajl_val v)
{
	size_t i;
	switch (v->type) {
	case yajl_t_string:
		yajl_gen_string(g, (const unsigned char *)v->u.string, strlen(v->u.string));
		break;
	case yajl_t_number:
		yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
		break;
	case yajl_t_object:
		yajl_gen_map_open(g);
		for (i = 0; i < v->u.object.len; i++) {
			const char *k = v->u.object.keys[i];
			yajl_gen_string(g, (const unsigned char *)k, strlen(k));
			jt_gen(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
		break;
	case yajl_t_array:
		yajl_gen_array_open(g);
		for (i = 0; i < v->u.array.len; i++)
			jt_gen(g, v->u.array.values[i]);
		yajl_gen_array_close(g);
		break;
	case yajl_t_true:
		yajl_gen_bool(g, 1);
		break;
	case yajl_t_false:
		yajl_gen_bool(g, 0);
		break;
	default:
		yajl_gen_null(g);
		break;
	}
}

static void jt_print(FILE *f, yajl_val v, int pretty)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	if (pretty) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, "\t");
	}
	jt_gen(g, v);
	yajl_gen_get_buf(g, &buf, &len);
	fwrite(buf, 1, len, f);
	if (len && buf[len - 1] != '\n')
		fputc('\n', f);
	yajl_gen_free(g);
}

static yajl_val jt_key(yajl_val obj, const char *key, size_t *pos)
{
	size_t i;
	if (!obj || obj->type != yajl_t_object)
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (!strcmp(obj->u.object.keys[i], key)) {
			if (pos)
				*pos = i;
			return obj->u.object.values[i];
		}
	return NULL;
}

static yajl_val jt_step(yajl_val v, const struct jt_step *s)
{
	if (s->key)
		return jt_key(v, s->key, NULL);
	if (!v || v->type != yajl_t_array || (size_t)s->idx >= v->u.array.len)
		return NULL;
	return v->u.array.values[s->idx];
}

#endif
