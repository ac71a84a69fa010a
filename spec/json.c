/* Typed readers over yajl trees that name the JSON path and value in errors. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "internal.h"
#include "../runtime/util.h"

void pc_init(struct pctx *pc, const char *name, struct kerr **err)
{
	pc->name = name;
	pc->err = err;
	pc->path[0] = 0;
	pc->len = 0;
}

/* The path grows on every key and index visited but is read only on an error: append
 * by hand (snprintf was a fifth of a config's parse). Truncates at the buffer's end. */
static void pc_put(struct pctx *pc, const char *s, size_t n)
{
	size_t room = sizeof(pc->path) - 1 - pc->len;

	if (n > room)
		n = room;
	memcpy(pc->path + pc->len, s, n);
	pc->len += n;
	pc->path[pc->len] = 0;
}

size_t pc_key(struct pctx *pc, const char *key)
{
	size_t mark = pc->len, n;
	bool quote = false;

	/* Keys that are not identifiers (annotations, sysctls) are quoted. */
	for (n = 0; key[n]; n++)
		if (!isalnum((unsigned char)key[n]) && key[n] != '_')
			quote = true;

	if (pc->len)
		pc_put(pc, ".", 1);
	if (quote)
		pc_put(pc, "\"", 1);
	pc_put(pc, key, n);
	if (quote)
		pc_put(pc, "\"", 1);
	return mark;
}

size_t pc_idx(struct pctx *pc, size_t i)
{
	size_t mark = pc->len;
	char buf[24], *p = buf + sizeof(buf);

	*--p = ']';
	do
		*--p = (char)('0' + i % 10);
	while (i /= 10);
	*--p = '[';
	pc_put(pc, p, (size_t)(buf + sizeof(buf) - p));
	return mark;
}

void pc_pop(struct pctx *pc, size_t mark)
{
	pc->len = mark;
	pc->path[mark] = 0;
}

static void gen_value(yajl_gen g, yajl_val v)
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
			yajl_gen_string(g, (const unsigned char *)v->u.object.keys[i],
					strlen(v->u.object.keys[i]));
			gen_value(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
		break;
	case yajl_t_array:
		yajl_gen_array_open(g);
		for (i = 0; i < v->u.array.len; i++)
			gen_value(g, v->u.array.values[i]);
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
	}
}

/* The value as compact JSON, cut to a readable length. */
static char *show(yajl_val v)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *s;

	if (!g)
		abort();
	gen_value(g, v);
	yajl_gen_get_buf(g, &buf, &len);
	if (len > 80)
		s = xasprintf("%.*s...", 72, (const char *)buf);
	else
		s = xasprintf("%.*s", (int)len, (const char *)buf);
	yajl_gen_free(g);
	return s;
}

static int vfail(struct pctx *pc, yajl_val v, const char *fmt, va_list ap)
{
	char *what, *got = v ? show(v) : NULL;

	if (vasprintf(&what, fmt, ap) < 0)
		abort();
	kerr_set(pc->err, 0, "%s: %s%s%s%s%s", pc->name, pc->path, pc->len ? ": " : "",
		 what, got ? ", got " : "", got ? got : "");
	free(what);
	free(got);
	return -1;
}

int pc_fail(struct pctx *pc, yajl_val v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(pc, v, fmt, ap);
	va_end(ap);
	return -1;
}

int pc_fail_at(struct pctx *pc, const char *key, yajl_val v, const char *fmt, ...)
{
	size_t mark = pc_key(pc, key);
	va_list ap;

	va_start(ap, fmt);
	vfail(pc, v, fmt, ap);
	va_end(ap);
	pc_pop(pc, mark);
	return -1;
}

int pc_missing(struct pctx *pc, const char *key)
{
	return pc_fail_at(pc, key, NULL, "required field is missing");
}

yajl_val j_get(yajl_val obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != yajl_t_object)
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (!strcmp(obj->u.object.keys[i], key))
			return obj->u.object.values[i] && obj->u.object.values[i]->type != yajl_t_null
				? obj->u.object.values[i] : NULL;
	return NULL;
}

int v_obj(struct pctx *pc, yajl_val v)
{
	if (v->type != yajl_t_object)
		return pc_fail(pc, v, "expected an object");
	return 0;
}

int v_str(struct pctx *pc, yajl_val v, char **out)
{
	if (v->type != yajl_t_string)
		return pc_fail(pc, v, "expected a string");
	free(*out);
	*out = xstrdup(v->u.string);
	return 0;
}

/* yajl keeps the number's text: parse that, so values above INT64_MAX work. */
static bool is_integer_text(const char *r, bool allow_minus)
{
	if (allow_minus && *r == '-')
		r++;
	return *r && strspn(r, "0123456789") == strlen(r);
}

int v_u64(struct pctx *pc, yajl_val v, uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (v->type != yajl_t_number || !is_integer_text(v->u.number.r, false))
		return pc_fail(pc, v, "expected an unsigned integer");
	errno = 0;
	x = strtoull(v->u.number.r, &end, 10);
	if (errno || *end)
		return pc_fail(pc, v, "value out of range");
	*out = x;
	return 0;
}

int v_i64(struct pctx *pc, yajl_val v, int64_t *out)
{
	char *end;
	long long x;

	if (v->type != yajl_t_number || !is_integer_text(v->u.number.r, true))
		return pc_fail(pc, v, "expected an integer");
	errno = 0;
	x = strtoll(v->u.number.r, &end, 10);
	if (errno || *end)
		return pc_fail(pc, v, "value out of range");
	*out = x;
	return 0;
}

int v_u32(struct pctx *pc, yajl_val v, uint32_t *out)
{
	uint64_t x;

	TRY(v_u64(pc, v, &x));
	if (x > UINT32_MAX)
		return pc_fail(pc, v, "value out of range (max %" PRIu32 ")", UINT32_MAX);
	*out = (uint32_t)x;
	return 0;
}

int v_i32(struct pctx *pc, yajl_val v, int32_t *out)
{
	int64_t x;

	TRY(v_i64(pc, v, &x));
	if (x > INT32_MAX || x < INT32_MIN)
		return pc_fail(pc, v, "value out of range for a 32-bit integer");
	*out = (int32_t)x;
	return 0;
}

/* Run a value reader on obj[key] with the path extended by key. */
#define FIELD(reader, pc, obj, key, out) ({				\
	yajl_val fv_ = j_get(obj, key);					\
	int fr_ = 0;							\
	if (fv_) {							\
		size_t m_ = pc_key(pc, key);				\
		fr_ = reader(pc, fv_, out) < 0 ? -1 : 1;		\
		pc_pop(pc, m_);						\
	}								\
	fr_; })

int f_str(struct pctx *pc, yajl_val obj, const char *key, char **out)
{
	return FIELD(v_str, pc, obj, key, out);
}

static int v_bool(struct pctx *pc, yajl_val v, bool *out)
{
	if (v->type != yajl_t_true && v->type != yajl_t_false)
		return pc_fail(pc, v, "expected a boolean");
	*out = v->type == yajl_t_true;
	return 0;
}

int f_bool(struct pctx *pc, yajl_val obj, const char *key, bool *out)
{
	return FIELD(v_bool, pc, obj, key, out);
}

int f_u64(struct pctx *pc, yajl_val obj, const char *key, uint64_t *out)
{
	return FIELD(v_u64, pc, obj, key, out);
}

int f_i64(struct pctx *pc, yajl_val obj, const char *key, int64_t *out)
{
	return FIELD(v_i64, pc, obj, key, out);
}

int f_u32(struct pctx *pc, yajl_val obj, const char *key, uint32_t *out)
{
	return FIELD(v_u32, pc, obj, key, out);
}

int f_i32(struct pctx *pc, yajl_val obj, const char *key, int32_t *out)
{
	return FIELD(v_i32, pc, obj, key, out);
}

static int v_u16(struct pctx *pc, yajl_val v, uint16_t *out)
{
	uint64_t x;

	TRY(v_u64(pc, v, &x));
	if (x > UINT16_MAX)
		return pc_fail(pc, v, "value out of range (max %u)", UINT16_MAX);
	*out = (uint16_t)x;
	return 0;
}

int f_u16(struct pctx *pc, yajl_val obj, const char *key, uint16_t *out)
{
	return FIELD(v_u16, pc, obj, key, out);
}

static int v_array(struct pctx *pc, yajl_val v, yajl_val *out)
{
	if (v->type != yajl_t_array)
		return pc_fail(pc, v, "expected an array");
	*out = v;
	return 0;
}

int f_array(struct pctx *pc, yajl_val obj, const char *key, yajl_val *out)
{
	return FIELD(v_array, pc, obj, key, out);
}

static int v_object(struct pctx *pc, yajl_val v, yajl_val *out)
{
	TRY(v_obj(pc, v));
	*out = v;
	return 0;
}

int f_object(struct pctx *pc, yajl_val obj, const char *key, yajl_val *out)
{
	return FIELD(v_object, pc, obj, key, out);
}

static int v_strv(struct pctx *pc, yajl_val v, char ***out)
{
	size_t i, n;
	char **sv;

	if (v->type != yajl_t_array)
		return pc_fail(pc, v, "expected an array of strings");
	n = v->u.array.len;
	strv_free(*out);
	*out = sv = xzalloc((n + 1) * sizeof(char *));
	for (i = 0; i < n; i++) {
		size_t m = pc_idx(pc, i);
		int r = v_str(pc, v->u.array.values[i], &sv[i]);

		pc_pop(pc, m);
		if (r < 0)
			return -1;
	}
	return 0;
}

int f_strv(struct pctx *pc, yajl_val obj, const char *key, char ***out)
{
	return FIELD(v_strv, pc, obj, key, out);
}

void kv_free(struct spec_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; kv && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

int f_map(struct pctx *pc, yajl_val obj, const char *key, struct spec_kv **out, size_t *n)
{
	yajl_val v = j_get(obj, key);
	size_t i, m;
	int r = 0;

	if (!v)
		return 0;
	m = pc_key(pc, key);
	if (v_obj(pc, v) < 0)
		r = -1;
	for (i = 0; !r && i < v->u.object.len; i++) {
		size_t mk = pc_key(pc, v->u.object.keys[i]);
		yajl_val e = v->u.object.values[i];

		if (e->type != yajl_t_string)
			r = pc_fail(pc, e, "expected a string");
		pc_pop(pc, mk);
	}
	pc_pop(pc, m);
	if (r)
		return r;
	kv_free(*out, *n);
	*n = v->u.object.len;
	*out = xzalloc(*n * sizeof(**out));
	for (i = 0; i < *n; i++) {
		(*out)[i].key = xstrdup(v->u.object.keys[i]);
		(*out)[i].value = xstrdup(v->u.object.values[i]->u.string);
	}
	return 1;
}

static int v_idmap(struct pctx *pc, yajl_val v, struct spec_idmap *m)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "containerID"))
		return pc_missing(pc, "containerID");
	if (!j_get(v, "hostID"))
		return pc_missing(pc, "hostID");
	if (!j_get(v, "size"))
		return pc_missing(pc, "size");
	TRY(f_u32(pc, v, "containerID", &m->container_id));
	TRY(f_u32(pc, v, "hostID", &m->host_id));
	TRY(f_u32(pc, v, "size", &m->size));
	if (!m->size)
		return pc_fail_at(pc, "size", j_get(v, "size"), "must be greater than 0");
	return 0;
}

int f_idmaps(struct pctx *pc, yajl_val obj, const char *key, struct spec_idmap **out, size_t *n)
{
	yajl_val a;
	size_t i, m;
	int r;

	TRY(r = f_array(pc, obj, key, &a));
	if (!r)
		return 0;
	free(*out);
	*n = a->u.array.len;
	*out = xzalloc(*n * sizeof(**out));
	m = pc_key(pc, key);
	for (i = 0; i < *n; i++) {
		size_t mi = pc_idx(pc, i);

		r = v_idmap(pc, a->u.array.values[i], &(*out)[i]);
		pc_pop(pc, mi);
		if (r < 0)
			break;
	}
	pc_pop(pc, m);
	return r < 0 ? -1 : 1;
}

/* Skip a comment at p (yajl accepts them), returning the position after it. */
static size_t skip_comment(const char *json, size_t len, size_t p)
{
	if (p + 1 >= len || (json[p + 1] != '/' && json[p + 1] != '*'))
		return p + 1;
	if (json[p + 1] == '/') {
		while (p < len && json[p] != '\n')
			p++;
		return p;
	}
	for (p += 2; p + 1 < len; p++)
		if (json[p] == '*' && json[p + 1] == '/')
			return p + 2;
	return len;
}

int spec_json_check_depth(const char *json, size_t len, const char *name, struct kerr **err)
{
	size_t depth = 0, p = 0;
	bool in_string = false;

	while (p < len && json[p]) {
		char c = json[p];

		if (in_string) {
			if (c == '\\')
				p++;
			else if (c == '"')
				in_string = false;
			p++;
			continue;
		}
		if (c == '/') {
			p = skip_comment(json, len, p);
			continue;
		}
		if (c == '"')
			in_string = true;
		else if ((c == '[' || c == '{') && ++depth > SPEC_JSON_MAX_DEPTH)
			return kerr_set(err, 0, "%s: invalid JSON: nesting deeper than %d levels",
					name, SPEC_JSON_MAX_DEPTH);
		else if ((c == ']' || c == '}') && depth)
			depth--;
		p++;
	}
	return 0;
}

int parse_tree(const char *json, size_t len, const char *name, yajl_val *out, struct kerr **err)
{
	char ebuf[256], *text;
	char *nl;

	*out = NULL;
	TRY(spec_json_check_depth(json, len, name, err));
	/* yajl wants a NUL-terminated buffer. */
	text = xmalloc(len + 1);
	memcpy(text, json, len);
	text[len] = 0;
	ebuf[0] = 0;
	*out = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	free(text);
	if (!*out) {
		/* yajl's reason may span lines (it shows the text); keep the first. */
		nl = strchr(ebuf, '\n');
		if (nl)
			*nl = 0;
		return kerr_set(err, 0, "%s: invalid JSON: %s", name, ebuf[0] ? ebuf : "parse error");
	}
	return 0;
}
