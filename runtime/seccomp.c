/* seccomp: compile linux.seccomp with libseccomp into a BPF program early
 * (while privileged, before the slow part matters), then install the raw
 * program with seccomp(2) as the very last step before execve. */
#include <ctype.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
/* libseccomp has its own seccomp_load(); keel's (process.h) installs an
 * exported program instead, and libseccomp's is never called here. */
#define seccomp_load libseccomp_load_unused
#include <seccomp.h>
#undef seccomp_load
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

static int export_bpf(scmp_filter_ctx ctx, struct seccomp_prog *prog, struct kerr **err)
{
	_cleanup_close_ int fd = -1;
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
	prog->insns = xmalloc(size);
	prog->n_insns = size / sizeof(struct sock_filter);
	if (pread(fd, prog->insns, size, 0) != size)
		return kerr_set(err, errno ? errno : EIO, "seccomp: read the BPF program back");
	return 0;
}

static int compile(const struct spec_seccomp *s, scmp_filter_ctx *pctx,
		   struct seccomp_prog *prog, struct kerr **err)
{
	uint32_t def, action;
	scmp_filter_ctx ctx;
	int r;

	if (parse_action(s->default_action, s->has_default_errno_ret, s->default_errno_ret, &def) < 0)
		return kerr_set(err, EINVAL, "linux.seccomp.defaultAction: unknown action `%s`",
				s->default_action ? s->default_action : "");
	if (s->has_default_errno_ret && !takes_errno(s->default_action))
		return kerr_set(err, EINVAL,
				"linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
				s->default_action);
	for (size_t i = 0; s->flags && s->flags[i]; i++) {
		size_t j, n = sizeof(filter_flags) / sizeof(filter_flags[0]);

		for (j = 0; j < n; j++)
			if (!strcmp(s->flags[i], filter_flags[j].name))
				break;
		if (j == n)
			return kerr_set(err, EINVAL, "linux.seccomp.flags: unknown flag `%s`", s->flags[i]);
		prog->flags |= filter_flags[j].flag;
	}

	ctx = *pctx = seccomp_init(def);
	if (!ctx)
		return kerr_set(err, EINVAL, "seccomp_init with default action %s", s->default_action);
	for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
		uint32_t arch = parse_arch(s->architectures[i]);

		if (!arch)
			return kerr_set(err, EINVAL, "linux.seccomp.architectures[%zu]: unknown architecture `%s`",
					i, s->architectures[i]);
		r = seccomp_arch_add(ctx, arch);
		if (r < 0 && r != -EEXIST)
			return kerr_set(err, -r, "linux.seccomp.architectures[%zu]: add `%s`",
					i, s->architectures[i]);
	}

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
	/* The kernel refuses TSYNC with NEW_LISTENER unless told how to fail. */
	if ((prog->flags & SECCOMP_FILTER_FLAG_TSYNC) &&
	    (prog->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		prog->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	return export_bpf(ctx, prog, err);
}

int seccomp_compile(const struct spec_seccomp *s, struct seccomp_prog **out, struct kerr **err)
{
	struct seccomp_prog *prog;
	scmp_filter_ctx ctx = NULL;
	int r;

	*out = NULL;
	if (!s)
		return 0;
	prog = xzalloc(sizeof(*prog));
	r = compile(s, &ctx, prog, err);
	if (ctx)
		seccomp_release(ctx);
	if (r < 0) {
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

int seccomp_load(const struct seccomp_prog *prog, struct kerr **err)
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
