/* Pure parts of the cgroup manager: conversions, formatting, validation,
 * path computation, and the devices program (checked by running it in a
 * small interpreter of the instructions the builder emits). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/cgroup_internal.h"
#include "runtime/util.h"
#include "tap.h"

static void test_weights(void)
{
	static const struct { uint64_t shares, weight; } tab[] = {
		{ 0, 0 }, { 1, 1 }, { 2, 1 }, { 1024, 39 }, { 512, 20 }, { 2048, 79 },
		{ 262144, 10000 }, { 300000, 10000 }, { 100, 4 },
	};
	char why[128];
	bool good = true;

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		uint64_t w = cgroup_shares_to_weight(tab[i].shares);

		if (w != tab[i].weight) {
			snprintf(why, sizeof(why), "shares %lu -> %lu, want %lu",
				 (unsigned long)tab[i].shares, (unsigned long)w,
				 (unsigned long)tab[i].weight);
			good = false;
			break;
		}
	}
	ok(good, "cpu.shares -> cpu.weight table", why);
	ok(cgroup_blkio_to_io_weight(10) == 1 && cgroup_blkio_to_io_weight(1000) == 10000 &&
	   cgroup_blkio_to_io_weight(500) == 1 + (490 * 9999) / 990,
	   "blkio weight -> io.weight", NULL);
}

static void check_str(char *got, const char *want, const char *name)
{
	char why[160];

	snprintf(why, sizeof(why), "got `%s`, want `%s`", got ? got : "(null)", want);
	ok(got && !strcmp(got, want), name, why);
	free(got);
}

static void test_cpu_max(void)
{
	check_str(cgroup_cpu_max_string(true, 50000, true, 100000, NULL), "50000 100000",
		  "cpu.max quota+period");
	check_str(cgroup_cpu_max_string(true, 20000, false, 0, NULL), "20000 100000",
		  "cpu.max default period");
	check_str(cgroup_cpu_max_string(true, -1, true, 50000, NULL), "max 50000",
		  "cpu.max quota -1 -> max");
	check_str(cgroup_cpu_max_string(true, 0, false, 0, NULL), "max 100000",
		  "cpu.max quota 0 -> max");
	check_str(cgroup_cpu_max_string(false, 0, true, 250000, "30000"), "30000 250000",
		  "cpu.max period only keeps the current quota");
	check_str(cgroup_cpu_max_string(false, 0, true, 250000, NULL), "max 250000",
		  "cpu.max period only, no current quota");
}

static void test_swap(void)
{
	struct kerr *e = NULL;
	char *s = NULL;
	int r;

	r = cgroup_swap_max_string(true, 100 << 20, true, 300 << 20, &s, &e);
	ok(r == 0 && s && !strcmp(s, "209715200"), "swap = swap - limit", s);
	free(s);
	s = NULL;
	r = cgroup_swap_max_string(true, 100, true, -1, &s, &e);
	ok(r == 0 && s && !strcmp(s, "max"), "swap -1 -> max", s);
	free(s);
	s = NULL;
	r = cgroup_swap_max_string(true, 100, true, 100, &s, &e);
	ok(r == 0 && s && !strcmp(s, "0"), "swap == limit -> 0 (no swap)", s);
	free(s);
	s = NULL;
	ok(cgroup_swap_max_string(true, 100, false, 0, &s, &e) == 1 && !s,
	   "swap unset -> nothing written", NULL);
	ok(cgroup_swap_max_string(true, 100, true, 0, &s, &e) == 1 && !s,
	   "swap 0 -> nothing written", NULL);
	r = cgroup_swap_max_string(true, 200, true, 100, &s, &e);
	ok(r == -1 && e && strstr(e->msg, "swap=100") && strstr(e->msg, "limit=200"),
	   "swap < limit is an error naming both", e ? e->msg : "no error");
	kerr_free(&e);
	r = cgroup_swap_max_string(false, 0, true, 100, &s, &e);
	ok(r == -1 && e, "swap without limit is an error", NULL);
	kerr_free(&e);
}

static void test_unified(void)
{
	char buf[32];
	const char *c;

	ok(cgroup_unified_key_valid("memory.high"), "unified key memory.high valid", NULL);
	ok(cgroup_unified_key_valid("cgroup.max.depth"), "unified key cgroup.max.depth valid",
	   NULL);
	ok(!cgroup_unified_key_valid("../memory.max"), "unified key with .. refused", NULL);
	ok(!cgroup_unified_key_valid("a/memory.max"), "unified key with / refused", NULL);
	ok(!cgroup_unified_key_valid(".") && !cgroup_unified_key_valid("..") &&
	   !cgroup_unified_key_valid("") && !cgroup_unified_key_valid(NULL),
	   "unified key ., .., empty refused", NULL);
	c = cgroup_unified_controller("memory.high", buf, sizeof(buf));
	ok(c && !strcmp(c, "memory"), "memory.high needs memory", c);
	c = cgroup_unified_controller("io.latency", buf, sizeof(buf));
	ok(c && !strcmp(c, "io"), "io.latency needs io", c);
	ok(!cgroup_unified_controller("cgroup.max.depth", buf, sizeof(buf)),
	   "cgroup.* needs no controller", NULL);
	ok(!cgroup_unified_controller("nodot", buf, sizeof(buf)), "no prefix -> none", NULL);
}

static void test_rdma(void)
{
	struct spec_rdma d = { .device = "mlx4_0", .has_hca_handles = true, .hca_handles = 2,
			       .has_hca_objects = true, .hca_objects = 2000 };
	struct kerr *e = NULL;
	char *s = NULL;
	char long_name[300];

	ok(cgroup_rdma_max_string(&d, &s, &e) == 0 && s &&
	   !strcmp(s, "mlx4_0 hca_handle=2 hca_object=2000"), "rdma.max both limits", s);
	free(s);
	d.has_hca_handles = false;
	ok(cgroup_rdma_max_string(&d, &s, &e) == 0 && s && !strcmp(s, "mlx4_0 hca_object=2000"),
	   "rdma.max objects only", s);
	free(s);
	d.has_hca_objects = false;
	ok(cgroup_rdma_max_string(&d, &s, &e) == 0 && !s, "rdma.max nothing set", s);
	d.device = "mlx 0";
	ok(cgroup_rdma_max_string(&d, &s, &e) < 0 && e && strstr(e->msg, "`mlx 0`"),
	   "rdma device with a space refused", e ? e->msg : NULL);
	kerr_free(&e);
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	d.device = long_name;
	d.has_hca_handles = true;
	ok(cgroup_rdma_max_string(&d, &s, &e) == 0 && s && strlen(s) == 299 + 13,
	   "long rdma device name: no truncation or overflow", NULL);
	free(s);
}

static void check_path(const char *cp, const char *id, const char *want, const char *name)
{
	check_str(cgroup_path_for(cp, id), want, name);
}

static void test_paths(void)
{
	struct kerr *e = NULL;
	char *out = NULL;

	check_path(NULL, "c1", "keel/c1", "absent cgroupsPath -> keel/<id>");
	check_path("", "c1", "keel/c1", "empty cgroupsPath -> keel/<id>");
	check_path("/a/b", "c1", "a/b", "absolute path below the root");
	check_path("//a//./b/", "c1", "a/b", "absolute path normalised");
	check_path("x/y", "c1", "keel/x/y", "relative path below keel/");
	ok(!cgroup_path_for("/a/../b", "c1"), "`..` refused (absolute)", NULL);
	ok(!cgroup_path_for("a/..", "c1"), "`..` refused (relative)", NULL);
	ok(!cgroup_path_for("/", "c1"), "the root itself refused", NULL);
	ok(cgroup_path_resolve("system.slice:keel:c1", "c1", &out, &e) < 0 && e &&
	   strstr(e->msg, "systemd cgroup driver not supported"),
	   "systemd slice:prefix:name form refused with a clear error", e ? e->msg : NULL);
	kerr_free(&e);
	ok(cgroup_path_resolve("/a/../b", "c1", &out, &e) < 0 && e && strstr(e->msg, "/a/../b"),
	   "`..` error names the path", e ? e->msg : NULL);
	kerr_free(&e);
	ok(cgroup_manager_parse("systemd") == CGROUP_MANAGER_SYSTEMD &&
	   cgroup_manager_parse("cgroupfs") == CGROUP_MANAGER_CGROUPFS &&
	   cgroup_manager_parse("disabled") == CGROUP_MANAGER_DISABLED &&
	   cgroup_manager_parse("bogus") == -1 &&
	   !strcmp(cgroup_manager_name(CGROUP_MANAGER_SYSTEMD), "systemd"),
	   "manager names", NULL);
}

static void test_needs(void)
{
	struct spec_resources r;
	struct cgroup_need need[16];
	struct spec_kv kv[2] = { { "memory.high", "10M" }, { "cgroup.max.depth", "3" } };
	size_t n;

	memset(&r, 0, sizeof(r));
	ok(cgroup_needed_controllers(&r, need, 16) == 0, "no resources -> no controllers", NULL);
	r.memory.has_limit = true;
	r.memory.limit = 10;
	r.memory.has_reservation = true;
	r.pids.has_limit = true;
	r.cpu.has_shares = true;
	r.cpu.shares = 1024;
	r.unified = kv;
	r.n_unified = 2;
	n = cgroup_needed_controllers(&r, need, 16);
	ok(n == 3 && !strcmp(need[0].controller, "memory") &&
	   !strcmp(need[0].resource, "linux.resources.memory.limit") &&
	   !strcmp(need[1].controller, "cpu") && !strcmp(need[2].controller, "pids"),
	   "controllers needed: memory (for memory.limit), cpu, pids, deduplicated", NULL);
	memset(&r, 0, sizeof(r));
	r.unified = kv;
	r.n_unified = 2;
	n = cgroup_needed_controllers(&r, need, 16);
	ok(n == 1 && !strcmp(need[0].controller, "memory") &&
	   !strcmp(need[0].resource, "linux.resources.unified.memory.high"),
	   "unified key names its controller", n ? need[0].resource : NULL);
	memset(&r, 0, sizeof(r));
	r.memory.has_limit = true;	/* 0 = not set, as engines send it */
	r.memory.has_swap = true;
	r.cpu.has_shares = true;
	ok(cgroup_needed_controllers(&r, need, 16) == 0,
	   "memory.limit/swap and cpu.shares 0 need no controller", NULL);
	memset(&r, 0, sizeof(r));
	r.cpu.cpus = "0-1";
	r.n_hugepage_limits = 1;
	n = cgroup_needed_controllers(&r, need, 16);
	ok(n == 2 && !strcmp(need[0].controller, "cpuset") &&
	   !strcmp(need[1].controller, "hugetlb"), "cpuset and hugetlb", NULL);
}

/* An interpreter for the instruction subset the builder emits. It refuses
 * what the verifier would (an unset register, a load once r1 is no longer the
 * context) and what is undefined (a 32-bit shift by 32 or more). */
static int run_prog(const struct bpf_insn *p, size_t len, uint32_t type, uint32_t access,
		    uint32_t major, uint32_t minor, const char **why)
{
	uint64_t r[11] = { 0 };
	uint32_t ctx[3] = { (access << 16) | type, major, minor };
	unsigned set = 1u << 1 | 1u << 10;	/* registers holding a value */
	bool r1_ctx = true;

	for (size_t pc = 0, steps = 0; pc < len && steps < 10000; pc++, steps++) {
		const struct bpf_insn *i = &p[pc];
		bool uses_dst = BPF_CLASS(i->code) != BPF_LDX &&
				!(BPF_OP(i->code) == BPF_MOV && BPF_CLASS(i->code) != BPF_JMP) &&
				i->code != (BPF_JMP | BPF_EXIT) && i->code != (BPF_JMP | BPF_JA);
		bool uses_src = BPF_SRC(i->code) == BPF_X && i->code != (BPF_JMP | BPF_EXIT) &&
				BPF_CLASS(i->code) != BPF_LDX;

		if (i->dst_reg > 9 || (uses_dst && !(set & 1u << i->dst_reg)) ||
		    (uses_src && (i->src_reg > 10 || !(set & 1u << i->src_reg))) ||
		    (i->code == (BPF_JMP | BPF_EXIT) && !(set & 1u << 0))) {
			*why = "unset or bad register";
			return -1;
		}
		if (BPF_CLASS(i->code) == BPF_ALU || BPF_CLASS(i->code) == BPF_ALU64 ||
		    BPF_CLASS(i->code) == BPF_LDX) {
			set |= 1u << i->dst_reg;
			if (i->dst_reg == 1)
				r1_ctx = false;
		}
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			if (i->src_reg != 1 || !r1_ctx || i->off % 4 || i->off < 0 || i->off > 8) {
				*why = "bad load";
				return -1;
			}
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & (uint32_t)i->imm);
			break;
		case BPF_ALU | BPF_AND | BPF_X:
			r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & r[i->src_reg]);
			break;
		case BPF_ALU | BPF_XOR | BPF_K:
			r[i->dst_reg] = (uint32_t)(r[i->dst_reg] ^ (uint32_t)i->imm);
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> i->imm;
			break;
		case BPF_ALU | BPF_LSH | BPF_X:
			if (r[i->src_reg] >= 32) {
				*why = "32-bit shift by 32 or more";
				return -1;
			}
			r[i->dst_reg] = (uint32_t)((uint32_t)r[i->dst_reg] << r[i->src_reg]);
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			r[i->dst_reg] = (uint32_t)r[i->src_reg];
			break;
		case BPF_ALU | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint32_t)i->imm;
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[i->dst_reg] = r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_ALU64 | BPF_RSH | BPF_K:
			r[i->dst_reg] >>= i->imm & 63;
			break;
		case BPF_ALU64 | BPF_ARSH | BPF_K:
			r[i->dst_reg] = (uint64_t)((int64_t)r[i->dst_reg] >> (i->imm & 63));
			break;
		case BPF_ALU64 | BPF_ADD | BPF_K:
			r[i->dst_reg] += (uint64_t)(int64_t)i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (r[i->dst_reg] == (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			*why = "unknown instruction";
			return -1;
		}
	}
	*why = "fell off the end";
	return -1;
}

#define RD BPF_DEVCG_ACC_READ
#define WR BPF_DEVCG_ACC_WRITE
#define MK BPF_DEVCG_ACC_MKNOD
#define CH BPF_DEVCG_DEV_CHAR
#define BL BPF_DEVCG_DEV_BLOCK

static struct spec_device_rule rule(bool allow, const char *type, int64_t maj, int64_t min,
				    const char *acc)
{
	return (struct spec_device_rule){ .allow = allow, .type = (char *)type,
					  .has_major = maj != -2, .major = maj,
					  .has_minor = min != -2, .minor = min,
					  .access = (char *)acc };
}

static void test_devices(void)
{
	struct spec_device_rule rules[8], *all;
	struct bpf_insn *p = NULL;
	struct kerr *e = NULL;
	const char *why = NULL;
	size_t len = 0, n;
	int r;

	/* No rules: default deny. */
	r = cgroup_devices_program(NULL, 0, &p, &len, &e);
	ok(r == 0 && len == 8 && p[len - 1].code == (BPF_JMP | BPF_EXIT) &&
	   run_prog(p, len, CH, RD, 1, 3, &why) == 0, "empty rule list: deny everything", why);
	free(p);

	/* deny all, allow c 1:3 rw, deny c *:* w, allow b 8:* r */
	rules[0] = rule(false, NULL, -2, -2, "rwm");
	rules[1] = rule(true, "c", 1, 3, "rw");
	rules[2] = rule(false, "c", -1, -1, "w");
	rules[3] = rule(true, "b", 8, -1, "r");
	r = cgroup_devices_program(rules, 4, &p, &len, &e);
	ok(r == 0, "program builds", e ? e->msg : NULL);
	ok(run_prog(p, len, CH, RD, 1, 3, &why) == 1, "c 1:3 read allowed", why);
	ok(run_prog(p, len, CH, RD | WR, 1, 3, &why) == 0,
	   "c 1:3 read+write denied (a later deny w wins)", why);
	ok(run_prog(p, len, CH, MK, 1, 3, &why) == 0, "c 1:3 mknod not in rw", why);
	ok(run_prog(p, len, CH, RD, 1, 5, &why) == 0, "c 1:5 denied (default)", why);
	ok(run_prog(p, len, BL, RD, 8, 1, &why) == 1, "b 8:1 read allowed (minor wildcard)", why);
	ok(run_prog(p, len, BL, WR, 8, 1, &why) == 0, "b 8:1 write denied", why);
	ok(run_prog(p, len, CH, RD, 8, 1, &why) == 0, "c 8:1 is not b 8:1", why);
	free(p);

	/* allow all last: everything earlier is dead code, not emitted. */
	rules[0] = rule(false, "c", 1, 3, "rwm");
	rules[1] = rule(true, "a", -2, -2, "rwm");
	r = cgroup_devices_program(rules, 2, &p, &len, &e);
	ok(r == 0 && len == 8 && run_prog(p, len, CH, RD | WR, 1, 3, &why) == 1,
	   "allow-all last: shortest program, allows c 1:3", why);
	free(p);

	/* deny after allow-all: last match wins. */
	rules[0] = rule(true, NULL, -2, -2, NULL);
	rules[1] = rule(false, "c", 1, 3, "rwm");
	r = cgroup_devices_program(rules, 2, &p, &len, &e);
	ok(r == 0 && run_prog(p, len, CH, WR, 1, 3, &why) == 0 &&
	   run_prog(p, len, CH, WR, 1, 5, &why) == 1, "deny c 1:3 after allow-all", why);
	free(p);

	rules[0] = rule(true, "x", 1, 3, "rwm");
	ok(cgroup_devices_program(rules, 1, &p, &len, &e) < 0 && e && strstr(e->msg, "`x`"),
	   "bad type refused naming it", e ? e->msg : NULL);
	kerr_free(&e);
	rules[0] = rule(true, "c", 1, 3, "rwq");
	ok(cgroup_devices_program(rules, 1, &p, &len, &e) < 0 && e && strstr(e->msg, "rwq"),
	   "bad access refused naming it", e ? e->msg : NULL);
	kerr_free(&e);

	/* The defaults win over a leading deny-all, as with runc. */
	rules[0] = rule(false, NULL, -2, -2, "rwm");
	all = cgroup_devices_with_defaults(rules, 1, &n);
	r = cgroup_devices_program(all, n, &p, &len, &e);
	ok(r == 0 && run_prog(p, len, CH, RD | WR, 1, 3, &why) == 1 &&
	   run_prog(p, len, CH, RD | WR, 136, 4, &why) == 1 &&
	   run_prog(p, len, BL, MK, 7, 0, &why) == 1 &&
	   run_prog(p, len, BL, RD, 7, 0, &why) == 0 &&
	   run_prog(p, len, CH, RD, 1, 11, &why) == 0,
	   "deny-all + defaults: null, pts, mknod allowed; block read, kmsg denied", why);
	/* Grouped: one type test, two bitmask tests, no deny-all code; the
	 * rule-by-rule program was 64 insns. */
	okf(r == 0 && len <= 32, "deny-all + defaults: a grouped program (%zu insns)", len);
	free(p);
	free(all);
}

/* The OCI semantics, plainly: the last matching rule wins, default deny. */
static int reference(const struct spec_device_rule *r, size_t n, uint32_t type,
		     uint32_t access, uint32_t major, uint32_t minor)
{
	int verdict = 0;

	for (size_t i = 0; i < n; i++) {
		const char *t = r[i].type ? r[i].type : "a";
		const char *a = r[i].access ? r[i].access : "rwm";
		uint32_t set = 0;

		for (; *a; a++)
			set |= *a == 'r' ? RD : *a == 'w' ? WR : MK;
		if ((!strcmp(t, "c") && type != CH) || (!strcmp(t, "b") && type != BL))
			continue;
		if (r[i].has_major && r[i].major != -1 && r[i].major != major)
			continue;
		if (r[i].has_minor && r[i].minor != -1 && r[i].minor != minor)
			continue;
		if (r[i].allow ? (access & ~set) != 0 : (access & set) == 0)
			continue;
		verdict = r[i].allow;
	}
	return verdict;
}

static uint64_t rng_state = 0x6b65656c;	/* fixed seed: the same lists every run */

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* A device number for a rule: absent, -1, a common one, either side of the
 * 32-bit mask, random, or too big to match anything. */
static void random_number(bool *has, int64_t *v)
{
	static const int64_t common[] = { 0, 1, 2, 3, 5, 7, 8, 9, 31, 32, 33, 136 };

	*has = true;
	switch (rnd(8)) {
	case 0: *has = false; *v = -1; break;
	case 1: *v = -1; break;
	case 2: *v = rnd(40); break;
	case 3: *v = rnd(300); break;
	case 4: *v = (int64_t)UINT32_MAX - rnd(2) * 0x7fffffff; break;
	default: *v = common[rnd(sizeof(common) / sizeof(common[0]))]; break;
	}
}

static void random_rule(struct spec_device_rule *r)
{
	static const char *types[] = { NULL, "a", "c", "b", "c", "b" };
	static const char *acc[] = { NULL, "", "r", "w", "m", "rw", "wr", "rm", "wm", "rwm",
				     "mwr", "m", "rw" };

	r->allow = rnd(2);
	r->type = (char *)types[rnd(6)];
	r->access = (char *)acc[rnd(sizeof(acc) / sizeof(acc[0]))];
	random_number(&r->has_major, &r->major);
	random_number(&r->has_minor, &r->minor);
}

/* From few values, so that rules share a verdict, type, access and major
 * and the builder groups them: minors either side of the 32-bit mask. */
static void clustered_rule(struct spec_device_rule *r)
{
	static const char *types[] = { "c", "b", NULL };
	static const char *acc[] = { "rwm", "rw", "m" };
	static const int64_t minors[] = { -1, 0, 1, 2, 3, 30, 31, 32, 33 };

	r->allow = rnd(4) != 0;
	r->type = (char *)types[rnd(3)];
	r->access = (char *)acc[rnd(3)];
	r->has_major = r->has_minor = true;
	r->major = rnd(5) ? 1 + (int64_t)rnd(2) * 4 : -1;
	r->minor = minors[rnd(sizeof(minors) / sizeof(minors[0]))];
}

/* A request's device number: mostly one a rule names (or next to it), else
 * a common or random one. */
static uint32_t request_number(int64_t v)
{
	static const uint32_t common[] = { 0, 1, 2, 3, 5, 9, 31, 32, 33, 136 };

	if (v >= 0 && v <= 0xfffff && rnd(4))
		return (uint32_t)v + (rnd(5) ? 0 : 1);
	switch (rnd(3)) {
	case 0: return common[rnd(sizeof(common) / sizeof(common[0]))];
	case 1: return rnd(40);
	default: return rnd(1 << 20);
	}
}

/* The major of one rule with the minor of it or of another: requests that
 * hit rules, miss them narrowly, or cross them. */
static void random_request(const struct spec_device_rule *r, size_t n, uint32_t *major,
			   uint32_t *minor)
{
	const struct spec_device_rule *a = n ? &r[rnd(n)] : NULL;
	const struct spec_device_rule *b = n && rnd(2) ? &r[rnd(n)] : a;

	*major = request_number(a && a->has_major ? a->major : -1);
	*minor = request_number(b && b->has_minor ? b->minor : -1);
}

/* Random rule lists, random requests: the program answers as the OCI rules. */
static void test_devices_random(void)
{
	struct spec_device_rule rules[20], *all = NULL;
	size_t lists = 0, mismatches = 0, answers[2] = { 0, 0 }, longest = 0, copies = 0;
	char first[256] = "";

	for (int iter = 0; iter < 4000; iter++) {
		struct spec_device_rule *use = rules;
		struct bpf_insn *p = NULL;
		struct kerr *e = NULL;
		size_t n = rnd(21), len = 0;

		for (size_t i = 0; i < n; i++)
			(iter % 2 ? clustered_rule : random_rule)(&rules[i]);
		if (iter % 4 == 0) {
			all = cgroup_devices_with_defaults(rules, n, &n);
			use = all;
		}
		if (cgroup_devices_program(use, n, &p, &len, &e) < 0) {
			snprintf(first, sizeof(first), "list %d: %s", iter, e->msg);
			mismatches++;
			kerr_free(&e);
		}
		for (int q = 0; p && q < 200; q++) {
			uint32_t type = rnd(2) ? CH : BL, access = 1 + rnd(7);
			uint32_t major, minor;
			const char *why = "wrong answer";
			int want, got;

			random_request(use, n, &major, &minor);
			want = reference(use, n, type, access, major, minor);
			got = run_prog(p, len, type, access, major, minor, &why);

			if (got == want) {
				answers[got]++;
				continue;
			}
			if (!mismatches++)
				snprintf(first, sizeof(first), "list %d (%zu rules), %c %u:%u "
					 "access %u: got %d want %d (%s)", iter, n,
					 type == CH ? 'c' : 'b', major, minor, access, got, want,
					 why);
		}
		if (len > longest)
			longest = len;
		for (size_t i = 0; i < len; i++)
			if (p[i].code == (BPF_ALU | BPF_XOR | BPF_K)) {
				copies++;	/* the long-program form */
				break;
			}
		lists++;
		free(p);
		free(all);
		all = NULL;
	}
	ok(mismatches == 0 && lists == 4000, "random rule lists: the program answers as the "
	   "OCI rules", first);
	/* Not a vacuous pass: both answers were common, programs were real, in
	 * both the short and the long form. */
	okf(answers[0] > 100000 && answers[1] > 100000 && longest > 40 && copies > 100 &&
	    copies < 3000, "random rule lists: %zu denied, %zu allowed, longest program %zu "
	    "insns, %zu in the long form", answers[0], answers[1], longest, copies);
}

int main(void)
{
	test_weights();
	test_cpu_max();
	test_swap();
	test_unified();
	test_rdma();
	test_paths();
	test_needs();
	test_devices();
	test_devices_random();
	return tap_done();
}
