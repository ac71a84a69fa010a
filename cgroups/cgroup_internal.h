/* Internals of the cgroup v2 manager, shared by the cgroups/ sources and the unit
 * tests. The pure functions here (conversions, formatting, validation, the
 * device program builder) touch no files, so tests can check them anywhere. */
#ifndef KEEL_CGROUP_INTERNAL_H
#define KEEL_CGROUP_INTERNAL_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cgroup.h"

struct cgroup {
	int dirfd;		/* O_RDONLY|O_DIRECTORY: usable by openat, bpf attach, clone3 */
	char *path;		/* relative to the v2 root, no leading '/' */
};

/* The v2 root (found once per process): an O_PATH|O_DIRECTORY fd, and its path. */
int cgroup_root_fd(struct kerr **err);
const char *cgroup_root_path(void);

/* cpu.shares (cgroup v1, 2..262144) -> cpu.weight (v2, 1..10000); 0 = unset -> 0. */
uint64_t cgroup_shares_to_weight(uint64_t shares);
/* blkio weight (10..1000) -> io.weight (1..10000). */
uint64_t cgroup_blkio_to_io_weight(uint64_t weight);
/* The cpu.max line; `cur_quota` is the quota already in place ("max" or a
 * number; NULL = "max"), kept when only the period changes. Caller frees. */
char *cgroup_cpu_max_string(bool has_quota, int64_t quota, bool has_period, uint64_t period,
			    const char *cur_quota);
/* memory.swap.max for OCI swap (memory+swap) and limit. Returns 0 with *out
 * set (caller frees), 1 when nothing is to be written, -1 with *err. */
int cgroup_swap_max_string(bool has_limit, int64_t limit, bool has_swap, int64_t swap,
			   char **out, struct kerr **err);
/* The rdma.max line for one device ("mlx4_0 hca_handle=2 hca_object=2000");
 * *out NULL when neither limit is set. */
int cgroup_rdma_max_string(const struct spec_rdma *d, char **out, struct kerr **err);
/* A unified key must be a plain file name: no '/', not "", "." or "..". */
bool cgroup_unified_key_valid(const char *key);
/* The controller a unified key needs ("memory" for "memory.high"), or NULL
 * when it needs none (cgroup.*, unknown prefixes). Writes into buf. */
const char *cgroup_unified_controller(const char *key, char *buf, size_t size);

/* The controllers `res` needs, each with the resource that needs it (a JSON
 * path like "linux.resources.memory.limit"). Returns the count (<= max). */
struct cgroup_need {
	const char *controller;
	const char *resource;	/* static, or points into res (unified keys): not owned */
	char resbuf[128];
};
size_t cgroup_needed_controllers(const struct spec_resources *res, struct cgroup_need *out,
				 size_t max);

/* Enable the controllers `res` needs in every ancestor of the cgroup (for a
 * live update that needs a controller its create did not). */
int cgroup_enable_ancestors(struct cgroup *cg, const struct spec_resources *res,
			    struct kerr **err);

/* Devices: the BPF_PROG_TYPE_CGROUP_DEVICE program for a rule list (default
 * deny, last matching rule wins). *insns is malloc'd. */
int cgroup_devices_program(const struct spec_device_rule *rules, size_t n,
			   struct bpf_insn **insns, size_t *len, struct kerr **err);
/* The rule list keel installs: the config's rules, then the devices every
 * container gets (as runc does: mknod of any device; /dev/null, zero, full,
 * random, urandom, tty, console, ptmx, pts/N rwm), which so win over a
 * leading deny-all. Shallow copy: strings point into `rules` or static data. */
struct spec_device_rule *cgroup_devices_with_defaults(const struct spec_device_rule *rules,
						      size_t n, size_t *out_n);
/* Load the program and attach it (BPF_F_ALLOW_MULTI), then detach the
 * device programs that were attached before: no unfiltered window. */
int cgroup_devices_apply(struct cgroup *cg, const struct spec_device_rule *rules, size_t n,
			 struct kerr **err);

/* Write "value" to `file` of the cgroup; errors read
 * "cgroup: write <file>=<value>: <strerror>". */
int cg_write(int dirfd, const char *file, const char *value, struct kerr **err);
/* Read a whole cgroup file (NUL-terminated, caller frees). */
int cg_read(int dirfd, const char *file, char **out, struct kerr **err);
/* Whether the file exists in the cgroup. */
bool cg_has(int dirfd, const char *file);

#endif
