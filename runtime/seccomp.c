/* seccomp: compile linux.seccomp with libseccomp into a BPF program early
 * (while privileged, before the slow part matters), prepend the ENOSYS stub
 * for syscalls newer than the profile, then install the raw program with
 * seccomp(2) as the very last step before execve.
 *
 * Entry points (also the fuzzers'): seccomp_compile() of a parsed
 * struct spec_seccomp, seccomp_prog_bpf() to look at the result,
 * seccomp_prog_free(); seccomp_prog_load()/seccomp_load_listener() install it. */
#include <ctype.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
/* libseccomp has its own seccomp_load(); keel's seccomp_prog_load() installs an
 * exported program instead (a different name: keel links libseccomp statically). */
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "process.h"
#include "util.h"

#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

struct seccomp_prog {
	struct sock_filter *insns;
	size_t n_insns;
	unsigned long flags;
};

/* The architectures of a filter being compiled: native plus the config's. */
struct arch_set {
	uint32_t arch[32];
	const char *name[32];	/* as in the config, for messages */
	size_t n;
};

static const struct {
	const char *name;
	unsigned long flag;
} filter_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_NEW_LISTENER", SECCOMP_FILTER_FLAG_NEW_LISTENER },
	{ "SECCOMP_FILTER_FLAG_TSYNC_ESRCH", SECCOMP_FILTER_FLAG_TSYNC_ESRCH },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

static const struct {
	const char *name;
	enum scmp_compare op;
} compare_ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* The libseccomp action for an OCI action name; errno_ret is used by ERRNO
 * and TRACE (EPERM when not given, as runc does). */
static int parse_action(const char *name, bool has_ret, uint32_t ret, uint32_t *out)
{
	uint32_t r = has_ret ? ret : EPERM;

	if (!name)
		return -1;
	if (!strcmp(name, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO(r);
	else if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(name, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE(r);
	else if (!strcmp(name, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		*out = SCMP_ACT_NOTIFY;
	else
		return -1;
	return 0;
}

/* defaultErrnoRet means something only for ERRNO and TRACE; with another
 * default action it is a mistake in the config and refused. (A rule's
 * errnoRet with another action is ignored, as runc does.) */
static bool takes_errno(const char *action)
{
	return action && (!strcmp(action, "SCMP_ACT_ERRNO") || !strcmp(action, "SCMP_ACT_TRACE"));
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64". */
static uint32_t parse_arch(const char *name)
{
	char buf[64];
	size_t i;

	if (!name || strncmp(name, "SCMP_ARCH_", 10) != 0 || strlen(name + 10) >= sizeof(buf))
		return 0;
	for (i = 0; name[10 + i]; i++)
		buf[i] = tolower((unsigned char)name[10 + i]);
	buf[i] = '\0';
	if (!strcmp(buf, "native"))
		return seccomp_arch_native();
	return seccomp_arch_resolve_name(buf);
}

static int parse_op(const struct spec_seccomp_arg *a, enum scmp_compare *op)
{
	if (!a->op) {
		if (a->op_value <= _SCMP_CMP_MIN || a->op_value >= _SCMP_CMP_MAX)
			return -1;
		*op = a->op_value;
		return 0;
	}
	for (size_t i = 0; i < sizeof(compare_ops) / sizeof(compare_ops[0]); i++)
		if (!strcmp(a->op, compare_ops[i].name)) {
			*op = compare_ops[i].op;
			return 0;
		}
	return -1;
}

/* Add the rule for one syscall. Arguments on distinct indexes are ANDed in
 * one rule; when an index repeats, each argument is its own rule (ORed), as
 * runc does, since libseccomp cannot AND two checks of one argument. */
static int add_rule(scmp_filter_ctx ctx, const char *name, int nr, uint32_t action,
		    const struct spec_seccomp_syscall *sc, const char *path, struct kerr **err)
{
	struct scmp_arg_cmp cmps[6];
	bool repeated = false;
	int r;

	if (sc->n_args > 6)
		repeated = true;	/* then some index repeats (or is invalid) */
	for (size_t i = 0; i < sc->n_args && !repeated; i++)
		for (size_t j = 0; j < i; j++)
			if (sc->args[i].index == sc->args[j].index)
				repeated = true;

	for (size_t i = 0; i < sc->n_args; i++) {
		const struct spec_seccomp_arg *a = &sc->args[i];
		enum scmp_compare op;

		if (a->index > 5)
			return kerr_set(err, EINVAL, "%s.args[%zu].index: %u is not 0-5 (syscall `%s`)",
					path, i, a->index, name);
		if (parse_op(a, &op) < 0)
			return kerr_set(err, EINVAL, "%s.args[%zu].op: unknown operator `%s` (syscall `%s`)",
					path, i, a->op ? a->op : "", name);
		cmps[repeated ? 0 : i] = (struct scmp_arg_cmp){
			.arg = a->index, .op = op, .datum_a = a->value, .datum_b = a->value_two,
		};
		if (repeated) {
			r = seccomp_rule_add_array(ctx, action, nr, 1, cmps);
			if (r < 0 && r != -EACCES)
				return kerr_set(err, -r, "%s: add rule for syscall `%s` (args[%zu])",
						path, name, i);
		}
	}
	if (repeated)
		return 0;
	r = seccomp_rule_add_array(ctx, action, nr, sc->n_args, cmps);
	/* -EACCES: the rule's action is the default one, nothing to add. */
	if (r < 0 && r != -EACCES)
		return kerr_set(err, -r, "%s: add rule for syscall `%s` with action %s",
				path, name, sc->action);
	return 0;
}

/* Append ctx's program to prog's. `chain` (when not 0) is the bad-arch
 * action of this context, an action no rule uses: each "return chain"
 * becomes a jump past the end of this program, into the next one. */
static int export_bpf(scmp_filter_ctx ctx, uint32_t chain, struct seccomp_prog *prog,
		      struct kerr **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ struct sock_filter *insns = NULL;
	size_t n, i;
	off_t size;
	int r;

	fd = memfd_create("keel-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "seccomp: memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return kerr_set(err, -r, "seccomp: export the BPF program");
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter))
		return kerr_set(err, EINVAL, "seccomp: exported program has a bad size %lld",
				(long long)size);
	insns = xmalloc(size);
	n = size / sizeof(struct sock_filter);
	if (pread(fd, insns, size, 0) != size)
		return kerr_set(err, errno ? errno : EIO, "seccomp: read the BPF program back");
	for (i = 0; chain && i < n; i++)
		if (insns[i].code == (BPF_RET | BPF_K) && insns[i].k == chain)
			insns[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, n - i - 1, 0, 0);
	prog->insns = xrealloc(prog->insns, (prog->n_insns + n) * sizeof(*insns));
	memcpy(prog->insns + prog->n_insns, insns, n * sizeof(*insns));
	prog->n_insns += n;
	return 0;
}

/* --- ENOSYS for syscalls newer than the profile ---
 *
 * A filter that denies by default would answer a syscall the profile has never
 * heard of (newer than the profile, or than libseccomp) with EPERM, and libc
 * takes EPERM as "refused", not "missing": it does not fall back to the older
 * call (clone3 -> clone, faccessat2 -> faccessat, fchmodat2 -> fchmodat...).
 * As runc does, a stub runs before libseccomp's program: per architecture, a
 * number above the highest one the profile names returns ENOSYS, while a known
 * syscall the profile leaves out still gets the default action.
 *
 * libseccomp cannot express ranges, so the stub is classic BPF prepended to
 * its exported program. libseccomp's program starts by loading the arch
 * itself, so the stub may leave anything in the accumulator. */

#define X32_SYSCALL_BIT 0x40000000u

/* Where an architecture's syscall numbers live. x86_64 and x32 share one
 * audit arch, x32's numbers having bit 30 set; x32's own calls (512-547) and
 * ARM's private calls (0xf0000...) are ranges of their own, so that naming
 * one of them does not lift the limit of the main table. */
static const struct arch_range {
	uint32_t arch;		/* SCMP_ARCH_* */
	uint32_t lo, hi;	/* [lo, hi); hi 0 = up to 2^32 */
} special_ranges[] = {
	{ SCMP_ARCH_X86_64, 0, X32_SYSCALL_BIT },
	{ SCMP_ARCH_X32, X32_SYSCALL_BIT, X32_SYSCALL_BIT + 512 },
	{ SCMP_ARCH_X32, X32_SYSCALL_BIT + 512, 2 * X32_SYSCALL_BIT },
	{ SCMP_ARCH_ARM, 0, 0x0f0000 },
	{ SCMP_ARCH_ARM, 0x0f0000, 0x100000 },
};

/* One range of one architecture with the highest number the profile names. */
struct range_max {
	uint32_t audit;		/* AUDIT_ARCH_* as in seccomp_data.arch */
	uint32_t lo, hi;
	uint32_t max;
	bool named;
};

/* The actions after which a syscall the profile does not know should rather
 * be ENOSYS. (ALLOW, LOG, TRACE and NOTIFY let the call reach the kernel or a
 * supervisor, which answer for themselves.) */
static bool denies_by_default(uint32_t def)
{
	return def == SCMP_ACT_KILL_PROCESS || def == SCMP_ACT_KILL_THREAD ||
	       def == SCMP_ACT_TRAP || (def & SECCOMP_RET_ACTION_FULL) == SCMP_ACT_ERRNO(0);
}

/* libseccomp's arch tokens are the audit values, except x32's. */
static uint32_t audit_arch(uint32_t arch)
{
	return arch == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : arch;
}

static size_t arch_ranges(const struct arch_set *as, struct range_max *out, size_t cap)
{
	size_t n = 0, i, j;
	bool special;

	for (i = 0; i < as->n; i++) {
		special = false;
		for (j = 0; j < sizeof(special_ranges) / sizeof(special_ranges[0]) && n < cap; j++)
			if (special_ranges[j].arch == as->arch[i]) {
				out[n++] = (struct range_max){ .audit = audit_arch(as->arch[i]),
					.lo = special_ranges[j].lo, .hi = special_ranges[j].hi };
				special = true;
			}
		if (!special && n < cap)
			out[n++] = (struct range_max){ .audit = audit_arch(as->arch[i]) };
	}
	return n;
}

static void note_nr(struct range_max *r, size_t n, uint32_t audit, int nr)
{
	for (size_t k = 0; k < n && nr >= 0; k++) {
		if (r[k].audit != audit || (uint32_t)nr < r[k].lo || (r[k].hi && (uint32_t)nr >= r[k].hi))
			continue;
		if (!r[k].named || (uint32_t)nr > r[k].max)
			r[k].max = nr;
		r[k].named = true;
	}
}

/* The highest number each range gets from the names of the profile
 * (whatever their action). Names an arch lacks resolve to negative numbers. */
static void find_maxima(const struct spec_seccomp *s, const struct arch_set *as,
			struct range_max *r, size_t n)
{
	for (size_t i = 0; i < s->n_syscalls; i++)
		for (char **name = s->syscalls[i].names; name && *name; name++)
			for (size_t a = 0; a < as->n; a++)
				note_nr(r, n, audit_arch(as->arch[a]),
					seccomp_syscall_resolve_name_arch(as->arch[a], *name));
}

/* The stub under construction. A jump target is a literal offset (< 0x100)
 * or one of these, resolved once the stub's length is known. */
enum { TO_NEXT_ARCH = 0x100, TO_ENOSYS, TO_PROGRAM };

/* Jumps are 8-bit: a stub longer than this could not reach its end. About 7
 * instructions per architecture; more than 28 arches make no stub at all. */
#define STUB_MAX 200

struct stub {
	struct sock_filter insn[STUB_MAX + 1];
	uint16_t jt[STUB_MAX], jf[STUB_MAX];
	size_t n;
	bool full;
};

static void emit(struct stub *st, uint16_t code, uint32_t k, uint16_t jt, uint16_t jf)
{
	if (st->n >= STUB_MAX) {
		st->full = true;
		return;
	}
	st->insn[st->n] = (struct sock_filter)BPF_STMT(code, k);
	st->jt[st->n] = jt;
	st->jf[st->n] = jf;
	st->n++;
}

/* One audit arch: when seccomp_data.arch matches, for each range of it,
 *   lo <= nr < hi:  nr > max ? ENOSYS : the program;
 * anything else goes to the program; another arch to the next block. */
static void emit_arch(struct stub *st, const struct range_max *r, size_t n, uint32_t audit)
{
	size_t start = st->n, i;

	emit(st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
	emit(st, BPF_JMP | BPF_JEQ | BPF_K, audit, 0, TO_NEXT_ARCH);
	emit(st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
	for (i = 0; i < n; i++) {
		if (r[i].audit != audit || !r[i].named)
			continue;
		/* Outside [lo, hi): skip this range's remaining checks. */
		if (r[i].lo)
			emit(st, BPF_JMP | BPF_JGE | BPF_K, r[i].lo, 0, r[i].hi ? 2 : 1);
		if (r[i].hi)
			emit(st, BPF_JMP | BPF_JGE | BPF_K, r[i].hi, 1, 0);
		emit(st, BPF_JMP | BPF_JGT | BPF_K, r[i].max, TO_ENOSYS, TO_PROGRAM);
	}
	emit(st, BPF_JMP | BPF_JA, 0, TO_PROGRAM, 0);
	for (i = start; i < st->n; i++)
		if (st->jf[i] == TO_NEXT_ARCH)
			st->jf[i] = st->n - i - 1;
}

/* ENOSYS is the stub's last instruction; the program follows it. */
static uint8_t target(const struct stub *st, size_t i, uint16_t t)
{
	if (t == TO_ENOSYS)
		return st->n - i - 1;
	if (t == TO_PROGRAM)
		return st->n - i;
	return t;
}

static void resolve(struct stub *st)
{
	for (size_t i = 0; i < st->n; i++) {
		if (st->insn[i].code == (BPF_JMP | BPF_JA)) {
			st->insn[i].k = target(st, i, st->jt[i]);
		} else if (BPF_CLASS(st->insn[i].code) == BPF_JMP) {
			st->insn[i].jt = target(st, i, st->jt[i]);
			st->insn[i].jf = target(st, i, st->jf[i]);
		}
	}
	st->insn[st->n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
}

static bool audit_named(const struct range_max *r, size_t n, uint32_t audit)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].audit == audit && r[i].named)
			return true;
	return false;
}

static void prepend_enosys_stub(const struct spec_seccomp *s, const struct arch_set *as,
				struct seccomp_prog *prog)
{
	struct range_max r[64];
	struct stub st = { .n = 0 };
	struct sock_filter *insns;
	size_t n = arch_ranges(as, r, 64), i, j;

	find_maxima(s, as, r, n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && r[j].audit != r[i].audit; j++)
			;
		if (j == i && audit_named(r, n, r[i].audit))	/* first range of its arch */
			emit_arch(&st, r, n, r[i].audit);
	}
	if (!st.n)
		return;
	emit(&st, BPF_JMP | BPF_JA, 0, TO_PROGRAM, 0);	/* another arch */
	if (st.full) {
		kdebug("seccomp: too many architectures for the ENOSYS stub, none added");
		return;
	}
	resolve(&st);
	insns = xmalloc((st.n + prog->n_insns) * sizeof(*insns));
	memcpy(insns, st.insn, st.n * sizeof(*insns));
	memcpy(insns + st.n, prog->insns, prog->n_insns * sizeof(*insns));
	free(prog->insns);
	prog->insns = insns;
	prog->n_insns += st.n;
}

static int parse_flags(const struct spec_seccomp *s, struct seccomp_prog *prog,
		       struct kerr **err)
{
	for (size_t i = 0; s->flags && s->flags[i]; i++) {
		size_t j, n = sizeof(filter_flags) / sizeof(filter_flags[0]);

		for (j = 0; j < n; j++)
			if (!strcmp(s->flags[i], filter_flags[j].name))
				break;
		if (j == n)
			return kerr_set(err, EINVAL, "linux.seccomp.flags: unknown flag `%s`", s->flags[i]);
		prog->flags |= filter_flags[j].flag;
	}
	return 0;
}

/* The native architecture, then the config's (each once). */
static int collect_arches(const struct spec_seccomp *s, struct arch_set *as, struct kerr **err)
{
	const size_t cap = sizeof(as->arch) / sizeof(as->arch[0]);

	as->arch[0] = seccomp_arch_native();
	as->name[0] = "native";
	as->n = 1;
	for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
		uint32_t arch = parse_arch(s->architectures[i]);
		size_t j;

		if (!arch)
			return kerr_set(err, EINVAL, "linux.seccomp.architectures[%zu]: unknown architecture `%s`",
					i, s->architectures[i]);
		for (j = 0; j < as->n && as->arch[j] != arch; j++)
			;
		if (j < as->n)
			continue;
		if (as->n == cap)
			return kerr_set(err, E2BIG, "linux.seccomp.architectures: more than %zu", cap);
		as->arch[as->n] = arch;
		as->name[as->n++] = s->architectures[i];
	}
	return 0;
}

/* A bad-arch action for chaining the per-arch programs: TRACE with a value
 * that neither the default action nor any rule uses (0: all 65535 taken). */
static uint32_t chain_action(const struct spec_seccomp *s, uint32_t def)
{
	for (uint32_t data = 0xffff; data > 0; data--) {
		uint32_t chain = SCMP_ACT_TRACE(data), action;
		bool used = chain == def;

		for (size_t i = 0; i < s->n_syscalls && !used; i++)
			used = parse_action(s->syscalls[i].action, s->syscalls[i].has_errno_ret,
					    s->syscalls[i].errno_ret, &action) == 0 && action == chain;
		if (!used)
			return chain;
	}
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, const struct spec_seccomp *s, struct seccomp_prog *prog,
		     struct kerr **err)
{
	uint32_t action;

	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct spec_seccomp_syscall *sc = &s->syscalls[i];
		_cleanup_free_ char *path = xasprintf("linux.seccomp.syscalls[%zu]", i);

		if (parse_action(sc->action, sc->has_errno_ret, sc->errno_ret, &action) < 0)
			return kerr_set(err, EINVAL, "%s.action: unknown action `%s`",
					path, sc->action ? sc->action : "");
		if (action == SCMP_ACT_NOTIFY)
			prog->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		for (size_t j = 0; sc->names && sc->names[j]; j++) {
			int nr = seccomp_syscall_resolve_name(sc->names[j]);

			if (nr == __NR_SCMP_ERROR) {
				kdebug("seccomp: unknown syscall `%s` skipped", sc->names[j]);
				continue;
			}
			if (add_rule(ctx, sc->names[j], nr, action, sc, path, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* One architecture's program, appended to prog. */
static int compile_arch(const struct spec_seccomp *s, const struct arch_set *as, size_t k,
			uint32_t def, uint32_t chain, struct seccomp_prog *prog, struct kerr **err)
{
	scmp_filter_ctx ctx = seccomp_init(def);
	int r = 0;

	if (!ctx)
		return kerr_set(err, EINVAL, "seccomp_init with default action %s", s->default_action);
	if (k > 0 && ((r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE)) < 0 ||
		      (r = seccomp_arch_add(ctx, as->arch[k])) < 0))
		kerr_set(err, -r, "linux.seccomp.architectures: add `%s`", as->name[k]);
	if (r == 0 && chain)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, chain);
	if (r < 0 && !*err)
		kerr_set(err, -r, "seccomp: set the bad-arch action");
	if (r == 0)
		r = add_rules(ctx, s, prog, err);
	if (r == 0)
		r = export_bpf(ctx, chain, prog, err);
	seccomp_release(ctx);
	return r < 0 ? -1 : 0;
}

/* Each architecture is compiled in its own libseccomp context and the
 * programs are chained (a call of another arch falls through to the next
 * program; the last one kills, libseccomp's default): libseccomp's cost
 * grows faster than linearly with the arches of one context: the profile of
 * `keel spec --vm` (3 arches) takes 5.5 ms of CPU this way, 11.5 ms in one. */
static int compile(const struct spec_seccomp *s, struct seccomp_prog *prog, struct kerr **err)
{
	struct arch_set arches = { .n = 0 };
	uint32_t def, chain;

	if (parse_action(s->default_action, s->has_default_errno_ret, s->default_errno_ret, &def) < 0)
		return kerr_set(err, EINVAL, "linux.seccomp.defaultAction: unknown action `%s`",
				s->default_action ? s->default_action : "");
	if (s->has_default_errno_ret && !takes_errno(s->default_action))
		return kerr_set(err, EINVAL,
				"linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
				s->default_action);
	if (parse_flags(s, prog, err) < 0 || collect_arches(s, &arches, err) < 0)
		return -1;
	chain = chain_action(s, def);
	if (!chain && arches.n > 1)
		return kerr_set(err, E2BIG, "linux.seccomp: every SCMP_ACT_TRACE value is in use");
	for (size_t k = 0; k < arches.n; k++)
		if (compile_arch(s, &arches, k, def, k + 1 < arches.n ? chain : 0, prog, err) < 0)
			return -1;
	/* The kernel refuses TSYNC with NEW_LISTENER unless told how to fail. */
	if ((prog->flags & SECCOMP_FILTER_FLAG_TSYNC) &&
	    (prog->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		prog->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	if (denies_by_default(def))
		prepend_enosys_stub(s, &arches, prog);
	return 0;
}

int seccomp_compile(const struct spec_seccomp *s, struct seccomp_prog **out, struct kerr **err)
{
	struct seccomp_prog *prog;

	*out = NULL;
	if (!s)
		return 0;
	prog = xzalloc(sizeof(*prog));
	if (compile(s, prog, err) < 0) {
		seccomp_prog_free(prog);
		return -1;
	}
	*out = prog;
	return 0;
}

static int load(const struct seccomp_prog *prog, struct kerr **err)
{
	struct sock_fprog fprog = {
		.len = (unsigned short)prog->n_insns,
		.filter = prog->insns,
	};
	int r;

	if (prog->n_insns > BPF_MAXINSNS)
		return kerr_set(err, E2BIG, "seccomp: program of %zu instructions", prog->n_insns);
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, prog->flags, &fprog);
	if (r < 0)
		return kerr_errno(err, "seccomp: load the filter (flags %#lx)", prog->flags);
	return r;
}

int seccomp_load_listener(const struct seccomp_prog *prog, int *listener, struct kerr **err)
{
	int r;

	*listener = -1;
	if (!prog)
		return 0;
	r = load(prog, err);
	if (r < 0)
		return -1;
	if (prog->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		*listener = r;
	return 0;
}

int seccomp_prog_load(const struct seccomp_prog *prog, struct kerr **err)
{
	int listener;

	/* With NEW_LISTENER the kernel returns the notify fd; this entry point
	 * has no use for it. */
	if (seccomp_load_listener(prog, &listener, err) < 0)
		return -1;
	if (listener >= 0)
		close(listener);
	return 0;
}

const void *seccomp_prog_bpf(const struct seccomp_prog *prog, size_t *n_insns)
{
	*n_insns = prog ? prog->n_insns : 0;
	return prog ? prog->insns : NULL;
}

bool seccomp_prog_needs_listener(const struct seccomp_prog *prog)
{
	return prog && (prog->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
}

void seccomp_prog_free(struct seccomp_prog *prog)
{
	if (!prog)
		return;
	free(prog->insns);
	free(prog);
}
