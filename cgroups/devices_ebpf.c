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

struct prog {
	struct bpf_insn *insns;
	size_t len, cap;
};

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

static int access_mask(const char *access)
{
	int m = 0;

	if (!access)
		return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
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

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

/* Emit one rule; returns 1 when it matches everything (nothing after it can
 * run), 0 otherwise, -1 on a bad rule. */
static int emit_rule(struct prog *p, const struct spec_device_rule *r, size_t idx,
		     struct kerr **err)
{
	size_t jumps[4], n_jumps = 0;
	int acc = access_mask(r->access), type = 0;
	const char *t = r->type ? r->type : "a";

	if (acc < 0)
		return kerr_set(err, EINVAL, "cgroup: linux.resources.devices[%zu]: invalid "
				"access `%s`", idx, r->access);
	if (!strcmp(t, "c"))
		type = BPF_DEVCG_DEV_CHAR;
	else if (!strcmp(t, "b"))
		type = BPF_DEVCG_DEV_BLOCK;
	else if (strcmp(t, "a"))
		return kerr_set(err, EINVAL, "cgroup: linux.resources.devices[%zu]: invalid "
				"type `%s`", idx, t);
	if (acc == 0)
		return 0;	/* matches no access */
	if (type)
		jumps[n_jumps++] = emit(p, BPF_JMP | BPF_JNE | BPF_K, R_TYPE, 0, 0, type);
	if (acc != ACC_ALL) {
		emit(p, BPF_ALU | BPF_MOV | BPF_X, 1, R_ACCESS, 0, 0);
		if (r->allow) {
			emit(p, BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, ~acc & ACC_ALL);
			jumps[n_jumps++] = emit(p, BPF_JMP | BPF_JNE | BPF_K, 1, 0, 0, 0);
		} else {
			emit(p, BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, acc);
			jumps[n_jumps++] = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0, 0);
		}
	}
	if (r->has_major && r->major >= 0)
		jumps[n_jumps++] = emit(p, BPF_JMP | BPF_JNE | BPF_K, R_MAJOR, 0, 0,
					(int32_t)r->major);
	if (r->has_minor && r->minor >= 0)
		jumps[n_jumps++] = emit(p, BPF_JMP | BPF_JNE | BPF_K, R_MINOR, 0, 0,
					(int32_t)r->minor);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; i < n_jumps; i++)
		p->insns[jumps[i]].off = (int16_t)(p->len - jumps[i] - 1);
	return n_jumps == 0;
}

int cgroup_devices_program(const struct spec_device_rule *rules, size_t n,
			   struct bpf_insn **insns, size_t *len, struct kerr **err)
{
	struct prog p = { 0 };
	bool done = false;

	/* Prologue: split the context into type, access, major, minor. */
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, R_TYPE, 1, 0, 0);
	emit(&p, BPF_ALU | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, R_ACCESS, 1, 0, 0);
	emit(&p, BPF_ALU | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, R_MAJOR, 1, 4, 0);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, R_MINOR, 1, 8, 0);
	for (size_t i = n; i-- > 0 && !done;) {
		int r = emit_rule(&p, &rules[i], i, err);

		if (r < 0) {
			free(p.insns);
			return -1;
		}
		done = r == 1;
	}
	if (!done) {
		emit(&p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);	/* default deny */
		emit(&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
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
