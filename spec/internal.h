/* Private to spec/: the parse context and typed field readers on yajl trees. */
#ifndef KEEL_SPEC_INTERNAL_H
#define KEEL_SPEC_INTERNAL_H

#include <yajl/yajl_tree.h>
#include "spec.h"

/* Where we are: the file name for messages and the JSON path being parsed. */
struct pctx {
	const char *name;
	struct kerr **err;
	char path[512];
	size_t len;
};

#define TRY(x) do { if ((x) < 0) return -1; } while (0)
/* Run a reader returning -1/0/1 and record presence in `has`. */
#define TRYH(has, x) do { int r_ = (x); if (r_ < 0) return -1; (has) = r_ > 0; } while (0)

/* Run parse_<x>(pc, obj[key], out) with the path extended; 0 when absent. */
#define SUB(fn, pc, obj, key, out) ({					\
	yajl_val sv_ = j_get(obj, key);					\
	int sr_ = 0;							\
	if (sv_) {							\
		size_t sm_ = pc_key(pc, key);				\
		sr_ = fn(pc, sv_, out) < 0 ? -1 : 1;			\
		pc_pop(pc, sm_);					\
	}								\
	sr_; })

/* Parse each element of obj[key] (an array) with fn into a new array. */
#define ARRAY(fn, pc, obj, key, arr, n) ({				\
	yajl_val av_;							\
	int ar_ = f_array(pc, obj, key, &av_);				\
	if (ar_ > 0) {							\
		size_t am_ = pc_key(pc, key), ai_;			\
		(n) = av_->u.array.len;					\
		(arr) = xzalloc((n) * sizeof(*(arr)));			\
		for (ai_ = 0, ar_ = 0; ai_ < (n) && !ar_; ai_++) {	\
			size_t ami_ = pc_idx(pc, ai_);			\
			ar_ = fn(pc, av_->u.array.values[ai_], &(arr)[ai_]); \
			pc_pop(pc, ami_);				\
		}							\
		pc_pop(pc, am_);					\
	}								\
	ar_; })

void pc_init(struct pctx *pc, const char *name, struct kerr **err);
size_t pc_key(struct pctx *pc, const char *key);
size_t pc_idx(struct pctx *pc, size_t i);
void pc_pop(struct pctx *pc, size_t mark);
/* "<name>: <path>: <what>, got <v as JSON>" (no ", got" part when v is NULL). */
int pc_fail(struct pctx *pc, yajl_val v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same for a field of the current object. */
int pc_fail_at(struct pctx *pc, const char *key, yajl_val v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int pc_missing(struct pctx *pc, const char *key);

/* The member `key` of an object, NULL when absent or null. */
yajl_val j_get(yajl_val obj, const char *key);

/* Value readers: 0 or -1 (message names the current path). */
int v_obj(struct pctx *pc, yajl_val v);
int v_str(struct pctx *pc, yajl_val v, char **out);
int v_u64(struct pctx *pc, yajl_val v, uint64_t *out);
int v_i64(struct pctx *pc, yajl_val v, int64_t *out);
int v_u32(struct pctx *pc, yajl_val v, uint32_t *out);
int v_i32(struct pctx *pc, yajl_val v, int32_t *out);

/* Field readers: -1 on error, 0 when absent (or null), 1 when set. */
int f_str(struct pctx *pc, yajl_val obj, const char *key, char **out);
int f_bool(struct pctx *pc, yajl_val obj, const char *key, bool *out);
int f_u64(struct pctx *pc, yajl_val obj, const char *key, uint64_t *out);
int f_i64(struct pctx *pc, yajl_val obj, const char *key, int64_t *out);
int f_u32(struct pctx *pc, yajl_val obj, const char *key, uint32_t *out);
int f_i32(struct pctx *pc, yajl_val obj, const char *key, int32_t *out);
int f_u16(struct pctx *pc, yajl_val obj, const char *key, uint16_t *out);
int f_strv(struct pctx *pc, yajl_val obj, const char *key, char ***out);
int f_map(struct pctx *pc, yajl_val obj, const char *key, struct spec_kv **out, size_t *n);
int f_array(struct pctx *pc, yajl_val obj, const char *key, yajl_val *out);
int f_object(struct pctx *pc, yajl_val obj, const char *key, yajl_val *out);
int f_idmaps(struct pctx *pc, yajl_val obj, const char *key, struct spec_idmap **out, size_t *n);

/* Parse helpers shared by the files of spec/. */
int parse_tree(const char *json, size_t len, const char *name, yajl_val *out, struct kerr **err);
int parse_process(struct pctx *pc, yajl_val v, struct spec_process *p);
int parse_linux(struct pctx *pc, yajl_val v, struct spec_linux *l);
int parse_resources(struct pctx *pc, yajl_val v, struct spec_resources *r);
void process_clear(struct spec_process *p);
void linux_clear(struct spec_linux *l);
void kv_free(struct spec_kv *kv, size_t n);

/* Name tables (names.c). */
int spec_ns_parse(const char *name);
int spec_sched_policy_parse(const char *name);
int spec_ioprio_class_parse(const char *name);
int spec_seccomp_op_parse(const char *name);
bool spec_seccomp_action_known(const char *name);
extern const char *const spec_seccomp_actions[];
extern const char *const spec_seccomp_ops[];
extern const char *const spec_rlimit_names[];

/* JSON generation (gen.c): a pretty-printing yajl_gen (tab indent), its text,
 * and key/value helpers for `keel spec` and `keel features`. */
void *spec_gen_new(void);
char *spec_gen_finish(void *gen);
struct yajl_gen_t;
void spec_gen_str(struct yajl_gen_t *g, const char *s);
void spec_gen_kv(struct yajl_gen_t *g, const char *k, const char *v);
void spec_gen_kint(struct yajl_gen_t *g, const char *k, long long v);
void spec_gen_kbool(struct yajl_gen_t *g, const char *k, bool v);
void spec_gen_kstrv(struct yajl_gen_t *g, const char *k, const char *const *v);
/* "seccomp": the --vm profile (seccomp_profile.c). */
void spec_gen_seccomp_profile(struct yajl_gen_t *g);

#endif
