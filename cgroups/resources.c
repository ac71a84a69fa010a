/* linux.resources -> cgroup v2 files, following what crun/runc write on v2.
 *
 * Decisions (v1-only knobs on a v2 host):
 * - memory.swappiness, memory.kernel, memory.kernelTCP, disableOOMKiller,
 *   useHierarchy, cpu.realtime*, network.*, blockIO.leafWeight have no v2
 *   file: they are ignored with a debug log, as runc does on v2, so configs
 *   written for v1 hosts still start.
 * - memory.swap is OCI's memory+swap: memory.swap.max = swap - limit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_internal.h"
#include "../runtime/log.h"
#include "../runtime/util.h"

/* cpu.shares (2..262144, default 1024) maps linearly onto cpu.weight
 * (1..10000, default 100): weight = 1 + ((shares - 2) * 9999) / 262142.
 * So 2 -> 1, 1024 -> 39, 262144 -> 10000 (the mapping crun and runc use). */
uint64_t cgroup_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

/* blkio weight 10..1000 -> io.weight 1..10000, the same linear idea. */
uint64_t cgroup_blkio_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + ((weight - 10) * 9999) / 990;
}

char *cgroup_cpu_max_string(bool has_quota, int64_t quota, bool has_period, uint64_t period,
			    const char *cur_quota)
{
	uint64_t p = has_period && period ? period : 100000;

	if (has_quota)
		return quota > 0 ? xasprintf("%" PRId64 " %" PRIu64, quota, p)
				 : xasprintf("max %" PRIu64, p);
	return xasprintf("%s %" PRIu64, cur_quota ? cur_quota : "max", p);
}

int cgroup_swap_max_string(bool has_limit, int64_t limit, bool has_swap, int64_t swap,
			   char **out, struct kerr **err)
{
	/* 0 is what engines send for "not set". */
	if (!has_swap || swap == 0)
		return 1;
	if (swap < 0) {
		*out = xstrdup("max");
		return 0;
	}
	if (!has_limit || limit <= 0)
		return kerr_set(err, EINVAL, "cgroup: linux.resources.memory.swap=%" PRId64
				" needs a memory.limit (swap is memory+swap)", swap);
	if (swap < limit)
		return kerr_set(err, EINVAL, "cgroup: linux.resources.memory.swap=%" PRId64
				" is below memory.limit=%" PRId64 " (swap is memory+swap)",
				swap, limit);
	*out = xasprintf("%" PRId64, swap - limit);
	return 0;
}

int cgroup_rdma_max_string(const struct spec_rdma *d, char **out, struct kerr **err)
{
	*out = NULL;
	if (!d->device || !*d->device || strpbrk(d->device, " \t\n="))
		return kerr_set(err, EINVAL, "cgroup: linux.resources.rdma: invalid device `%s`",
				d->device ? d->device : "");
	if (d->has_hca_handles && d->has_hca_objects)
		*out = xasprintf("%s hca_handle=%u hca_object=%u", d->device, d->hca_handles,
				 d->hca_objects);
	else if (d->has_hca_handles)
		*out = xasprintf("%s hca_handle=%u", d->device, d->hca_handles);
	else if (d->has_hca_objects)
		*out = xasprintf("%s hca_object=%u", d->device, d->hca_objects);
	return 0;
}

bool cgroup_unified_key_valid(const char *key)
{
	return key && *key && !strchr(key, '/') && strcmp(key, ".") && strcmp(key, "..");
}

const char *cgroup_unified_controller(const char *key, char *buf, size_t size)
{
	static const char *const known[] = { "cpu", "cpuset", "io", "memory", "pids", "hugetlb",
					     "rdma", "misc" };
	const char *dot = strchr(key, '.');
	size_t n = dot ? (size_t)(dot - key) : 0;

	if (!n || n >= size)
		return NULL;
	memcpy(buf, key, n);
	buf[n] = '\0';
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(buf, known[i]))
			return buf;
	return NULL;
}

static void need(struct cgroup_need *out, size_t *n, size_t max, const char *ctrl,
		 const char *res)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(out[i].controller, ctrl))
			return;
	if (*n == max)
		return;
	out[*n].controller = ctrl;
	snprintf(out[*n].resbuf, sizeof(out[*n].resbuf), "%s", res);
	out[*n].resource = out[*n].resbuf;
	(*n)++;
}

size_t cgroup_needed_controllers(const struct spec_resources *r, struct cgroup_need *out,
				 size_t max)
{
	static const char *const unified_ctrl[] = { "cpu", "cpuset", "io", "memory", "pids",
						    "hugetlb", "rdma", "misc" };
	size_t n = 0;

	if (r->memory.has_limit && r->memory.limit)
		need(out, &n, max, "memory", "linux.resources.memory.limit");
	if (r->memory.has_reservation && r->memory.reservation)
		need(out, &n, max, "memory", "linux.resources.memory.reservation");
	if (r->memory.has_swap && r->memory.swap != 0)
		need(out, &n, max, "memory", "linux.resources.memory.swap");
	if (r->cpu.has_shares && r->cpu.shares)
		need(out, &n, max, "cpu", "linux.resources.cpu.shares");
	if (r->cpu.has_quota)
		need(out, &n, max, "cpu", "linux.resources.cpu.quota");
	if (r->cpu.has_period)
		need(out, &n, max, "cpu", "linux.resources.cpu.period");
	if (r->cpu.has_burst)
		need(out, &n, max, "cpu", "linux.resources.cpu.burst");
	if (r->cpu.has_idle)
		need(out, &n, max, "cpu", "linux.resources.cpu.idle");
	if (r->cpu.cpus && *r->cpu.cpus)
		need(out, &n, max, "cpuset", "linux.resources.cpu.cpus");
	if (r->cpu.mems && *r->cpu.mems)
		need(out, &n, max, "cpuset", "linux.resources.cpu.mems");
	if (r->pids.has_limit)
		need(out, &n, max, "pids", "linux.resources.pids.limit");
	if (r->block_io.has_weight)
		need(out, &n, max, "io", "linux.resources.blockIO.weight");
	if (r->block_io.n_weight_device)
		need(out, &n, max, "io", "linux.resources.blockIO.weightDevice");
	if (r->block_io.n_throttle_read_bps)
		need(out, &n, max, "io", "linux.resources.blockIO.throttleReadBpsDevice");
	if (r->block_io.n_throttle_write_bps)
		need(out, &n, max, "io", "linux.resources.blockIO.throttleWriteBpsDevice");
	if (r->block_io.n_throttle_read_iops)
		need(out, &n, max, "io", "linux.resources.blockIO.throttleReadIOPSDevice");
	if (r->block_io.n_throttle_write_iops)
		need(out, &n, max, "io", "linux.resources.blockIO.throttleWriteIOPSDevice");
	if (r->n_hugepage_limits)
		need(out, &n, max, "hugetlb", "linux.resources.hugepageLimits");
	if (r->n_rdma)
		need(out, &n, max, "rdma", "linux.resources.rdma");
	for (size_t i = 0; i < r->n_unified; i++) {
		char buf[32], res[128];
		const char *c = cgroup_unified_controller(r->unified[i].key, buf, sizeof(buf));

		if (!c)
			continue;
		for (size_t k = 0; k < sizeof(unified_ctrl) / sizeof(unified_ctrl[0]); k++) {
			if (strcmp(c, unified_ctrl[k]))
				continue;
			snprintf(res, sizeof(res), "linux.resources.unified.%s",
				 r->unified[i].key);
			need(out, &n, max, unified_ctrl[k], res);
		}
	}
	return n;
}

static int write_i64_or_max(int fd, const char *file, int64_t v, struct kerr **err)
{
	char buf[32];

	if (v < 0)
		snprintf(buf, sizeof(buf), "max");
	else
		snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cg_write(fd, file, buf, err);
}

static int apply_memory(struct cgroup *cg, const struct spec_resources *r, bool update,
			struct kerr **err)
{
	_cleanup_free_ char *swap = NULL;
	int fd = cg->dirfd, s;

	if (r->memory.has_swappiness)
		kdebug("cgroup: memory.swappiness=%" PRIu64 " ignored: no v2 equivalent",
		       r->memory.swappiness);
	if (r->memory.has_kernel || r->memory.has_kernel_tcp)
		kdebug("cgroup: memory.kernel/kernelTCP ignored: no v2 equivalent");
	if (r->memory.has_disable_oom_killer || r->memory.has_use_hierarchy)
		kdebug("cgroup: memory.disableOOMKiller/useHierarchy ignored on v2");

	s = cgroup_swap_max_string(r->memory.has_limit, r->memory.limit, r->memory.has_swap,
				   r->memory.swap, &swap, err);
	if (s < 0)
		return -1;
	if (r->memory.has_limit && update && r->memory.has_check_before_update &&
	    r->memory.check_before_update && r->memory.limit > 0) {
		_cleanup_free_ char *cur = NULL;
		unsigned long long current;

		if (cg_read(fd, "memory.current", &cur, err) < 0)
			return -1;
		cur[strcspn(cur, "\n")] = '\0';
		if (parse_u64(cur, &current) == 0 && (uint64_t)r->memory.limit < current)
			return kerr_set(err, EBUSY, "cgroup: memory.max=%" PRId64 " is below "
					"memory.current=%llu (checkBeforeUpdate)",
					r->memory.limit, current);
	}
	/* 0 is what engines send for "not set" (runc skips it too). */
	if (r->memory.has_limit && r->memory.limit &&
	    write_i64_or_max(fd, "memory.max", r->memory.limit, err) < 0)
		return -1;
	if (s == 0) {
		/* Without swap accounting (no memory.swap.max) swapped pages are not
		 * charged at all: there is nothing to limit. Docker sends a swap
		 * value by default, so this must not fail the container. */
		if (!cg_has(fd, "memory.swap.max"))
			kdebug("cgroup: memory.swap=%s ignored: no memory.swap.max (kernel "
			       "without swap accounting)", swap);
		else if (cg_write(fd, "memory.swap.max", swap, err) < 0)
			return -1;
	}
	if (r->memory.has_reservation && r->memory.reservation &&
	    write_i64_or_max(fd, "memory.low", r->memory.reservation, err) < 0)
		return -1;
	return 0;
}

static int apply_cpu(struct cgroup *cg, const struct spec_resources *r, struct kerr **err)
{
	int fd = cg->dirfd;
	char buf[64];

	if (r->cpu.has_realtime_runtime || r->cpu.has_realtime_period)
		kdebug("cgroup: cpu.realtimeRuntime/realtimePeriod ignored on v2");
	/* An idle group refuses cpu.weight: leave idle before setting a weight,
	 * enter it after. */
	if (r->cpu.has_idle && r->cpu.idle == 0 && cg_write(fd, "cpu.idle", "0", err) < 0)
		return -1;
	if (r->cpu.has_shares && r->cpu.shares) {
		snprintf(buf, sizeof(buf), "%" PRIu64, cgroup_shares_to_weight(r->cpu.shares));
		if (cg_write(fd, "cpu.weight", buf, err) < 0)
			return -1;
	}
	if (r->cpu.has_quota || r->cpu.has_period) {
		_cleanup_free_ char *cur = NULL, *line = NULL;

		if (!r->cpu.has_quota) {
			struct kerr *e = NULL;

			if (cg_read(fd, "cpu.max", &cur, &e) == 0)
				cur[strcspn(cur, " \n")] = '\0';
			kerr_free(&e);
		}
		line = cgroup_cpu_max_string(r->cpu.has_quota, r->cpu.quota, r->cpu.has_period,
					     r->cpu.period, cur);
		if (cg_write(fd, "cpu.max", line, err) < 0)
			return -1;
	}
	if (r->cpu.has_burst) {
		snprintf(buf, sizeof(buf), "%" PRIu64, r->cpu.burst);
		if (cg_write(fd, "cpu.max.burst", buf, err) < 0)
			return -1;
	}
	if (r->cpu.has_idle && r->cpu.idle != 0) {
		snprintf(buf, sizeof(buf), "%" PRId64, r->cpu.idle);
		if (cg_write(fd, "cpu.idle", buf, err) < 0)
			return -1;
	}
	if (r->cpu.cpus && *r->cpu.cpus && cg_write(fd, "cpuset.cpus", r->cpu.cpus, err) < 0)
		return -1;
	if (r->cpu.mems && *r->cpu.mems && cg_write(fd, "cpuset.mems", r->cpu.mems, err) < 0)
		return -1;
	return 0;
}

static int write_throttle(int fd, const char *key, const struct spec_throttle_device *t,
			  size_t n, struct kerr **err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[96];

		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major,
			 t[i].minor, key, t[i].rate);
		if (cg_write(fd, "io.max", buf, err) < 0)
			return -1;
	}
	return 0;
}

static int apply_io(struct cgroup *cg, const struct spec_resources *r, struct kerr **err)
{
	int fd = cg->dirfd;
	bool bfq = cg_has(fd, "io.bfq.weight");
	const char *wfile = bfq ? "io.bfq.weight" : "io.weight";
	char buf[96];

	if (r->block_io.has_leaf_weight)
		kdebug("cgroup: blockIO.leafWeight ignored on v2");
	if (r->block_io.has_weight) {
		/* io.bfq.weight takes the blkio range as is; io.weight its own. */
		snprintf(buf, sizeof(buf), "default %" PRIu64,
			 bfq ? (uint64_t)r->block_io.weight
			     : cgroup_blkio_to_io_weight(r->block_io.weight));
		if (cg_write(fd, wfile, buf, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < r->block_io.n_weight_device; i++) {
		const struct spec_weight_device *w = &r->block_io.weight_device[i];

		if (!w->has_weight)
			continue;
		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
			 bfq ? (uint64_t)w->weight : cgroup_blkio_to_io_weight(w->weight));
		if (cg_write(fd, wfile, buf, err) < 0)
			return -1;
	}
	if (write_throttle(fd, "rbps", r->block_io.throttle_read_bps,
			   r->block_io.n_throttle_read_bps, err) < 0 ||
	    write_throttle(fd, "wbps", r->block_io.throttle_write_bps,
			   r->block_io.n_throttle_write_bps, err) < 0 ||
	    write_throttle(fd, "riops", r->block_io.throttle_read_iops,
			   r->block_io.n_throttle_read_iops, err) < 0 ||
	    write_throttle(fd, "wiops", r->block_io.throttle_write_iops,
			   r->block_io.n_throttle_write_iops, err) < 0)
		return -1;
	return 0;
}

static int apply_hugetlb_rdma(struct cgroup *cg, const struct spec_resources *r,
			      struct kerr **err)
{
	char file[96], buf[32];

	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const char *size = r->hugepage_limits[i].page_size;

		if (!size || !cgroup_unified_key_valid(size) || strchr(size, '.') ||
		    strlen(size) > 32)
			return kerr_set(err, EINVAL, "cgroup: linux.resources.hugepageLimits[%zu]:"
					" invalid pageSize `%s`", i, size ? size : "");
		snprintf(file, sizeof(file), "hugetlb.%s.max", size);
		snprintf(buf, sizeof(buf), "%" PRIu64, r->hugepage_limits[i].limit);
		if (cg_write(cg->dirfd, file, buf, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < r->n_rdma; i++) {
		_cleanup_free_ char *line = NULL;

		if (cgroup_rdma_max_string(&r->rdma[i], &line, err) < 0)
			return -1;
		if (line && cg_write(cg->dirfd, "rdma.max", line, err) < 0)
			return -1;
	}
	return 0;
}

static int apply_unified(struct cgroup *cg, const struct spec_resources *r, struct kerr **err)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *key = r->unified[i].key, *val = r->unified[i].value;

		if (!cgroup_unified_key_valid(key))
			return kerr_set(err, EINVAL, "cgroup: linux.resources.unified: invalid key "
					"`%s` (must be a file name)", key ? key : "");
		if (!cg_has(cg->dirfd, key))
			return kerr_set(err, ENOENT, "cgroup: linux.resources.unified.%s: no such "
					"file in cgroup `%s`", key, cg->path);
		if (cg_write(cg->dirfd, key, val ? val : "", err) < 0)
			return -1;
	}
	return 0;
}

int cgroup_apply(struct cgroup *cg, const struct spec_resources *r, bool update,
		 struct kerr **err)
{
	if (!r)
		return 0;
	if (r->network.has_class_id || r->network.n_priorities)
		kdebug("cgroup: linux.resources.network ignored on v2");
	/* create enabled only what the config needed: an update may need more. */
	if (update && cgroup_enable_ancestors(cg, r, err) < 0)
		return -1;
	if (apply_memory(cg, r, update, err) < 0 || apply_cpu(cg, r, err) < 0 ||
	    (r->pids.has_limit &&
	     write_i64_or_max(cg->dirfd, "pids.max", r->pids.limit > 0 ? r->pids.limit : -1,
			      err) < 0) ||
	    apply_io(cg, r, err) < 0 || apply_hugetlb_rdma(cg, r, err) < 0 ||
	    apply_unified(cg, r, err) < 0)
		return -1;
	/* Devices last: on create the program goes in before any process enters;
	 * on update only when a rule list is given (an empty one means "keep"). */
	if (!update || r->n_devices) {
		size_t n = 0;
		struct spec_device_rule *all = cgroup_devices_with_defaults(r->devices,
									    r->n_devices, &n);
		int ret = cgroup_devices_apply(cg, all, n, err);

		free(all);
		return ret;
	}
	return 0;
}
