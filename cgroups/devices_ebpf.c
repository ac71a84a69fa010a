/* The devices controller on v2: a BPF_PROG_TYPE_CGROUP_DEVICE program,
 * assembled by hand and loaded with bpf(2) (no libbpf).
 *
 * The kernel runs the program on each device access with a
 * struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; },
 * access_type = (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*. It returns 1 to
 * allow, 0 to deny.
 *
 * OCI semantics: the last matching rule wins, default deny. The program
 * tests the rules in reverse order and returns at the first match.
 * Access matching: an allow rule matches when every requested access is in
 * its set ("rw" does not allow an "rwm" request); a deny rule matches when
 * any requested access is in its set (deny "w" refuses an "rw" open).
 *
 * The verifier's cost at load grows with the conditional jumps (each forks
 * a state), so the program keeps them few. Consecutive rules with the same
 * verdict (a run) can be tested in any order: a run is grouped by type (one
 * type test), then by access set (one access test), then by major (one
 * test, with the minors below 32 as one bitmask test); rules differing only
 * in c/b become one "a" rule. Every match jumps to one shared exit per
 * verdict. A run matching everything ends the program; a last run with the
 * default verdict is left out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "../runtime/log.h"
#include "../runtime/util.h"

/* Registers after the prologue. */
#define R_TYPE 2
#define R_ACCESS 3
#define R_MAJOR 4
#define R_MINOR 5
#define R_BIT 6		/* 1 << minor if minor < 32, else 0; set only when used */

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)
#define TYPE_ANY 0
#define NO_LABEL SIZE_MAX
/* Past this many type/major tests, test copies (see jump_ne_value): measured
 * on 6.18, about where the verifier's work with either is the same. */
#define MAX_PLAIN_VALUE_TESTS 16

/* A rule checked and reduced to numbers. */
struct drule {
	bool allow;
	int type;		/* TYPE_ANY or BPF_DEVCG_DEV_* */
	int acc;		/* BPF_DEVCG_ACC_* bits, 0 = matches nothing */
	int64_t major, minor;	/* -1 = any */
};

struct fixup {
	size_t insn, label;
};

struct prog {
	struct bpf_insn *insns;
	size_t len, cap;
	size_t *labels;		/* insn index of each label, NO_LABEL until bound */
	size_t n_labels, cap_labels;
	struct fixup *fix;
	size_t n_fix, cap_fix;
	bool need_bit;		/* the code tests R_BIT */
	bool copy_tests;	/* equality tests on a copy (see jump_ne_value) */
	size_t n_value_tests;
};

static void prog_free(struct prog *p)
{
	free(p->insns);
	free(p->labels);
	free(p->fix);
}

static size_t emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
		   int32_t imm)
{
	if (p->len == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->insns = xrealloc(p->insns, p->cap * sizeof(*p->insns));
	}
	p->insns[p->len] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
					      .off = off, .imm = imm };
	return p->len++;
}

static size_t new_label(struct prog *p)
{
	if (p->n_labels == p->cap_labels) {
		p->cap_labels = p->cap_labels ? p->cap_labels * 2 : 16;
		p->labels = xrealloc(p->labels, p->cap_labels * sizeof(*p->labels));
	}
	p->labels[p->n_labels] = NO_LABEL;
	return p->n_labels++;
}

static void bind(struct prog *p, size_t label)
{
	p->labels[label] = p->len;
}

/* if (reg <op> imm) goto label; labels are always ahead. */
static void jump(struct prog *p, uint8_t op, uint8_t reg, int32_t imm, size_t label)
{
	if (p->n_fix == p->cap_fix) {
		p->cap_fix = p->cap_fix ? p->cap_fix * 2 : 32;
		p->fix = xrealloc(p->fix, p->cap_fix * sizeof(*p->fix));
	}
	p->fix[p->n_fix].insn = emit(p, BPF_JMP | op | BPF_K, reg, 0, 0, imm);
	p->fix[p->n_fix++].label = label;
}

/* if (reg != imm) goto label: the verifier learns reg == imm on the
 * fall-through. When a later test on reg is then decided by that value, reg
 * becomes "precise" and states with different values of it no longer prune
 * each other: with many such tests the work grows with their square. Testing
 * a copy (w1 = reg ^ imm, ALU breaks the register link) costs two insns and
 * keeps it linear; worth it only for long programs. */
static void jump_ne_value(struct prog *p, uint8_t reg, int32_t imm, size_t label)
{
	p->n_value_tests++;
	if (!p->copy_tests) {
		jump(p, BPF_JNE, reg, imm, label);
		return;
	}
	emit(p, BPF_ALU | BPF_MOV | BPF_X, 1, reg, 0, 0);
	emit(p, BPF_ALU | BPF_XOR | BPF_K, 1, 0, 0, imm);
	jump(p, BPF_JNE, 1, 0, label);
}

static bool label_used(const struct prog *p, size_t label)
{
	for (size_t i = 0; i < p->n_fix; i++)
		if (p->fix[i].label == label)
			return true;
	return false;
}

static int resolve_jumps(struct prog *p, struct kerr **err)
{
	for (size_t i = 0; i < p->n_fix; i++) {
		size_t from = p->fix[i].insn, to = p->labels[p->fix[i].label];

		if (to == NO_LABEL || to <= from)
			return kerr_set(err, EINVAL, "cgroup: devices program: bad jump at %zu",
					from);
		if (to - from - 1 > INT16_MAX)
			return kerr_set(err, E2BIG, "cgroup: devices program too large (%zu "
					"insns)", p->len);
		p->insns[from].off = (int16_t)(to - from - 1);
	}
	return 0;
}

static int access_mask(const char *access)
{
	int m = 0;

	if (!access)
		return ACC_ALL;
	for (const char *c = access; *c; c++) {
		switch (*c) {
		case 'r': m |= BPF_DEVCG_ACC_READ; break;
		case 'w': m |= BPF_DEVCG_ACC_WRITE; break;
		case 'm': m |= BPF_DEVCG_ACC_MKNOD; break;
		default: return -1;
		}
	}
	return m;
}

static int parse_rule(const struct spec_device_rule *r, size_t idx, struct drule *d,
		      struct kerr **err)
{
	const char *t = r->type ? r->type : "a";

	d->allow = r->allow;
	d->acc = access_mask(r->access);
	if (d->acc < 0)
		return kerr_set(err, EINVAL, "cgroup: linux.resources.devices[%zu]: invalid "
				"access `%s`", idx, r->access);
	if (!strcmp(t, "c"))
		d->type = BPF_DEVCG_DEV_CHAR;
	else if (!strcmp(t, "b"))
		d->type = BPF_DEVCG_DEV_BLOCK;
	else if (!strcmp(t, "a"))
		d->type = TYPE_ANY;
	else
		return kerr_set(err, EINVAL, "cgroup: linux.resources.devices[%zu]: invalid "
				"type `%s`", idx, t);
	d->major = r->has_major && r->major >= 0 ? r->major : -1;
	d->minor = r->has_minor && r->minor >= 0 ? r->minor : -1;
	/* Device numbers the kernel passes fit in 32 bits (12 + 20 in fact): a
	 * bigger one matches nothing. */
	if (d->major > INT32_MAX || d->minor > INT32_MAX)
		d->acc = 0;
	return 0;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

/* Orders a run by access, major, minor: rules differing only in type are
 * neighbours, and rules of one major follow its wildcard-minor rule. */
static int cmp_rule(const void *a, const void *b)
{
	const struct drule *x = a, *y = b;

	if (x->acc != y->acc)
		return y->acc - x->acc;
	if (x->major != y->major)
		return cmp_i64(x->major, y->major);
	if (x->minor != y->minor)
		return cmp_i64(x->minor, y->minor);
	return x->type - y->type;
}

/* Sorts a run (rules of one verdict, order free) and merges rules that differ
 * only in type: c + b = a, as the kernel only asks for c or b. Drops
 * duplicates. Returns the new length. */
static size_t merge_run(struct drule *r, size_t k)
{
	size_t out = 0;

	qsort(r, k, sizeof(*r), cmp_rule);
	for (size_t i = 0, j; i < k; i = j) {
		bool c = false, b = false;

		for (j = i; j < k && r[j].acc == r[i].acc && r[j].major == r[i].major &&
			    r[j].minor == r[i].minor; j++) {
			c |= r[j].type != BPF_DEVCG_DEV_BLOCK;
			b |= r[j].type != BPF_DEVCG_DEV_CHAR;
		}
		r[out] = r[i];
		r[out++].type = c && b ? TYPE_ANY : c ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
	}
	return out;
}

static bool matches_all(const struct drule *r, int type)
{
	return r->type == type && r->acc == ACC_ALL && r->major < 0 && r->minor < 0;
}

static bool has_rule(const struct drule *r, size_t k, int type, int acc, int64_t major,
		     int64_t minor)
{
	for (size_t i = 0; i < k; i++)
		if (r[i].type == type && r[i].acc == acc && r[i].major == major &&
		    r[i].minor == minor)
			return true;
	return false;
}

/* The rules of one major with specific minors (r[0..m): one access set and
 * major, sorted by minor): one major test, then the minors below 32 as one
 * bitmask test, the others one by one. */
static void emit_major(struct prog *p, const struct drule *r, size_t m, int type, size_t exit)
{
	size_t next = new_label(p);
	uint32_t mask = 0;
	bool bitmask;

	for (size_t i = 0; i < m; i++)
		if (r[i].type == type && r[i].minor < 32)
			mask |= 1u << r[i].minor;
	bitmask = mask & (mask - 1);	/* two minors or more */
	jump_ne_value(p, R_MAJOR, (int32_t)r[0].major, next);
	if (bitmask) {
		p->need_bit = true;
		emit(p, BPF_ALU | BPF_MOV | BPF_X, 1, R_BIT, 0, 0);
		emit(p, BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, (int32_t)mask);
		jump(p, BPF_JNE, 1, 0, exit);
	}
	for (size_t i = 0; i < m; i++)
		if (r[i].type == type && (r[i].minor >= 32 || !bitmask))
			jump(p, BPF_JEQ, R_MINOR, (int32_t)r[i].minor, exit);
	bind(p, next);
}

/* The rules of a run with one type and access set. */
static void emit_access_group(struct prog *p, const struct drule *r, size_t k, int type,
			      int acc, size_t exit)
{
	size_t skip = NO_LABEL;
	bool any = false, allow = r[0].allow;

	for (size_t i = 0; i < k; i++)
		any |= r[i].type == type && r[i].acc == acc;
	if (!any)
		return;
	if (acc != ACC_ALL) {
		/* allow: every requested bit in acc; deny: any requested bit in acc */
		emit(p, BPF_ALU | BPF_MOV | BPF_X, 1, R_ACCESS, 0, 0);
		emit(p, BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, allow ? ~acc & ACC_ALL : acc);
		if (has_rule(r, k, type, acc, -1, -1)) {
			jump(p, allow ? BPF_JEQ : BPF_JNE, 1, 0, exit);
			return;
		}
		skip = new_label(p);
		jump(p, allow ? BPF_JNE : BPF_JEQ, 1, 0, skip);
	}
	/* The run is sorted by access, major, minor: a major's rules are
	 * together, its wildcard minor first. (No rule here matches every
	 * device: that one was handled by the caller or just above.) */
	for (size_t i = 0, j; i < k; i = j) {
		bool ours = false, whole = false;

		for (j = i; j < k && r[j].acc == r[i].acc && r[j].major == r[i].major; j++) {
			ours |= r[j].type == type;
			whole |= r[j].type == type && r[j].minor < 0;
		}
		if (r[i].acc != acc || !ours)
			continue;
		if (r[i].major < 0) {
			for (size_t m = i; m < j; m++)
				if (r[m].type == type && r[m].minor >= 0)
					jump(p, BPF_JEQ, R_MINOR, (int32_t)r[m].minor, exit);
		} else if (whole) {
			jump(p, BPF_JEQ, R_MAJOR, (int32_t)r[i].major, exit);
		} else {
			emit_major(p, r + i, j - i, type, exit);
		}
	}
	if (skip != NO_LABEL)
		bind(p, skip);
}

/* The rules of a run with one type (TYPE_ANY: no type test). */
static void emit_type_group(struct prog *p, const struct drule *r, size_t k, int type,
			    size_t exit)
{
	size_t skip;
	bool any = false;

	for (size_t i = 0; i < k; i++)
		any |= r[i].type == type;
	if (!any)
		return;
	if (type != TYPE_ANY) {
		for (size_t i = 0; i < k; i++)
			if (matches_all(&r[i], type)) {
				jump(p, BPF_JEQ, R_TYPE, type, exit);
				return;
			}
		skip = new_label(p);
		jump_ne_value(p, R_TYPE, type, skip);
	}
	for (int acc = ACC_ALL; acc > 0; acc--)
		emit_access_group(p, r, k, type, acc, exit);
	if (type != TYPE_ANY)
		bind(p, skip);
}

/* A run of rules with the same verdict, in any order. */
static void emit_run(struct prog *p, const struct drule *r, size_t k, size_t exit)
{
	emit_type_group(p, r, k, TYPE_ANY, exit);
	emit_type_group(p, r, k, BPF_DEVCG_DEV_CHAR, exit);
	emit_type_group(p, r, k, BPF_DEVCG_DEV_BLOCK, exit);
}

struct run {
	size_t start, len;
};

/* The body: runs of same-verdict rules, last rule first; a match jumps to
 * the shared exit of its verdict. Leaves d[0..*nd) merged and compact, so
 * that a second call emits the same runs. */
static void emit_body(struct prog *p, struct drule *d, size_t *nd)
{
	_cleanup_free_ struct run *runs = xmalloc((*nd + 1) * sizeof(*runs));
	size_t exits[2] = { new_label(p), new_label(p) };	/* deny, allow */
	size_t n_runs = 0, out = 0;
	bool final = false;		/* the verdict when nothing matched */

	for (size_t i = 0, j; i < *nd; i = j) {
		bool all = false;
		size_t k;

		for (j = i; j < *nd && d[j].allow == d[i].allow; j++)
			;
		k = merge_run(d + i, j - i);
		memmove(d + out, d + i, k * sizeof(*d));
		for (size_t m = 0; m < k; m++)
			all |= matches_all(&d[out + m], TYPE_ANY);
		out += k;
		if (all) {
			final = d[out - k].allow;	/* nothing after this run runs */
			break;
		}
		runs[n_runs++] = (struct run){ out - k, k };
	}
	*nd = out;
	/* A last run with the fall-through verdict changes nothing. */
	if (n_runs && d[runs[n_runs - 1].start].allow == final)
		n_runs--;
	for (size_t i = 0; i < n_runs; i++)
		emit_run(p, d + runs[i].start, runs[i].len, exits[d[runs[i].start].allow]);
	bind(p, exits[final]);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, final);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	if (label_used(p, exits[!final])) {
		bind(p, exits[!final]);
		emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, !final);
		emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
}

int cgroup_devices_program(const struct spec_device_rule *rules, size_t n,
			   struct bpf_insn **insns, size_t *len, struct kerr **err)
{
	_cleanup_free_ struct drule *d = xmalloc((n + 1) * sizeof(*d));
	struct prog body = { 0 }, p = { 0 };
	size_t nd = 0;

	/* In program order: the last rule first. */
	for (size_t i = n; i-- > 0;) {
		if (parse_rule(&rules[i], i, &d[nd], err) < 0)
			return -1;
		nd += d[nd].acc != 0;
	}
	emit_body(&body, d, &nd);
	if (body.n_value_tests > MAX_PLAIN_VALUE_TESTS) {
		prog_free(&body);
		body = (struct prog){ .copy_tests = true };
		emit_body(&body, d, &nd);
	}
	if (resolve_jumps(&body, err) < 0) {
		prog_free(&body);
		return -1;
	}
	/* Prologue: split the context into type, access, major, minor. */
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, R_TYPE, 1, 0, 0);
	emit(&p, BPF_ALU | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, R_ACCESS, 1, 0, 0);
	emit(&p, BPF_ALU | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, R_MAJOR, 1, 4, 0);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, R_MINOR, 1, 8, 0);
	if (body.need_bit) {
		/* R_BIT = minor < 32 ? 1 << minor : 0, without a branch. */
		emit(&p, BPF_ALU | BPF_MOV | BPF_X, 7, R_MINOR, 0, 0);
		emit(&p, BPF_ALU | BPF_AND | BPF_K, 7, 0, 0, 31);
		emit(&p, BPF_ALU | BPF_MOV | BPF_K, R_BIT, 0, 0, 1);
		emit(&p, BPF_ALU | BPF_LSH | BPF_X, R_BIT, 7, 0, 0);
		emit(&p, BPF_ALU64 | BPF_MOV | BPF_X, 7, R_MINOR, 0, 0);
		emit(&p, BPF_ALU64 | BPF_RSH | BPF_K, 7, 0, 0, 5);	/* 0 iff minor < 32 */
		emit(&p, BPF_ALU64 | BPF_ADD | BPF_K, 7, 0, 0, -1);	/* < 2^27 unless so */
		emit(&p, BPF_ALU64 | BPF_ARSH | BPF_K, 7, 0, 0, 63);	/* ~0 iff minor < 32 */
		emit(&p, BPF_ALU | BPF_AND | BPF_X, R_BIT, 7, 0, 0);
	}
	for (size_t i = 0; i < body.len; i++)
		emit(&p, body.insns[i].code, body.insns[i].dst_reg, body.insns[i].src_reg,
		     body.insns[i].off, body.insns[i].imm);
	prog_free(&body);
	*insns = p.insns;
	*len = p.len;
	return 0;
}

#define RULE(t, maj, min, acc) { .allow = true, .type = (char *)(t), .has_major = true, \
	.has_minor = true, .major = (maj), .minor = (min), .access = (char *)(acc) }
static const struct spec_device_rule default_rules[] = {
	RULE("c", -1, -1, "m"),
	RULE("b", -1, -1, "m"),
	RULE("c", 1, 3, "rwm"),		/* /dev/null */
	RULE("c", 1, 8, "rwm"),		/* /dev/random */
	RULE("c", 1, 7, "rwm"),		/* /dev/full */
	RULE("c", 5, 0, "rwm"),		/* /dev/tty */
	RULE("c", 5, 1, "rwm"),		/* /dev/console */
	RULE("c", 1, 5, "rwm"),		/* /dev/zero */
	RULE("c", 1, 9, "rwm"),		/* /dev/urandom */
	RULE("c", 136, -1, "rwm"),	/* /dev/pts/N */
	RULE("c", 5, 2, "rwm"),		/* /dev/ptmx */
};

struct spec_device_rule *cgroup_devices_with_defaults(const struct spec_device_rule *rules,
						      size_t n, size_t *out_n)
{
	size_t nd = sizeof(default_rules) / sizeof(default_rules[0]);
	struct spec_device_rule *all = xmalloc((n + nd) * sizeof(*all));

	if (n)
		memcpy(all, rules, n * sizeof(*all));
	memcpy(all + n, default_rules, sizeof(default_rules));
	*out_n = n + nd;
	return all;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* Before 5.11 BPF memory counts against RLIMIT_MEMLOCK; raising it needs
 * CAP_SYS_RESOURCE, which we may not have: best effort. */
static void raise_memlock(void)
{
	static bool done;
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	if (done)
		return;
	done = true;
	if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0)
		kdebug("cgroup: raising RLIMIT_MEMLOCK: %s (fine on kernels >= 5.11)",
		       strerror(errno));
}

static int load_program(const struct bpf_insn *insns, size_t len, struct kerr **err)
{
	static char log[4096];
	union bpf_attr attr;
	int fd;

	raise_memlock();
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)len;
	attr.license = (uintptr_t)"GPL";
	fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	/* Again with the verifier's log, for the message. */
	attr.log_buf = (uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	log[0] = '\0';
	fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	log[strcspn(log, "\n")] = '\0';
	return kerr_errno(err, "cgroup: load the devices program (%zu insns)%s%s", len,
			  log[0] ? ": " : "", log);
}

/* Ids of the device programs attached directly to the cgroup. */
static int query_attached(int dirfd, uint32_t *ids, uint32_t *n, struct kerr **err)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = dirfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uintptr_t)ids;
	attr.query.prog_cnt = *n;
	if (sys_bpf(BPF_PROG_QUERY, &attr) < 0)
		return kerr_errno(err, "cgroup: query the attached devices programs");
	*n = attr.query.prog_cnt;
	return 0;
}

int cgroup_devices_apply(struct cgroup *cg, const struct spec_device_rule *rules, size_t n,
			 struct kerr **err)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	_cleanup_close_ int prog = -1;
	uint32_t old[64], n_old = 64;
	union bpf_attr attr;
	size_t len;

	if (cgroup_devices_program(rules, n, &insns, &len, err) < 0)
		return -1;
	if (query_attached(cg->dirfd, old, &n_old, err) < 0)
		return -1;
	if (n_old > 64)
		n_old = 64;
	prog = load_program(insns, len, err);
	if (prog < 0)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = cg->dirfd;
	attr.attach_bpf_fd = prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return kerr_errno(err, "cgroup: attach the devices program to `%s`", cg->path);
	/* The new program is in force: now drop the old ones. */
	for (uint32_t i = 0; i < n_old; i++) {
		_cleanup_close_ int ofd = -1;

		memset(&attr, 0, sizeof(attr));
		attr.prog_id = old[i];
		ofd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (ofd < 0) {
			if (errno == ENOENT)
				continue;
			return kerr_errno(err, "cgroup: get devices program id %u", old[i]);
		}
		memset(&attr, 0, sizeof(attr));
		attr.target_fd = cg->dirfd;
		attr.attach_bpf_fd = ofd;
		attr.attach_type = BPF_CGROUP_DEVICE;
		if (sys_bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
			return kerr_errno(err, "cgroup: detach old devices program id %u",
					  old[i]);
	}
	return 0;
}
