/* LinuxResources: linux.resources in config.json and the file of `update -r`. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "../runtime/util.h"

static int parse_device_rule(struct pctx *pc, yajl_val v, struct spec_device_rule *d)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "allow"))
		return pc_missing(pc, "allow");
	TRY(f_bool(pc, v, "allow", &d->allow));
	TRY(f_str(pc, v, "type", &d->type));
	if (d->type && strcmp(d->type, "a") && strcmp(d->type, "c") && strcmp(d->type, "b"))
		return pc_fail_at(pc, "type", j_get(v, "type"), "expected \"a\", \"c\" or \"b\"");
	TRYH(d->has_major, f_i64(pc, v, "major", &d->major));
	TRYH(d->has_minor, f_i64(pc, v, "minor", &d->minor));
	if (!d->has_major)
		d->major = -1;
	if (!d->has_minor)
		d->minor = -1;
	/* Device numbers are 32 bits (the BPF program compares them as such):
	 * a larger one would be truncated into another device's number. */
	if (d->major < -1 || d->major > UINT32_MAX)
		return pc_fail_at(pc, "major", j_get(v, "major"), "must be -1 or a device number");
	if (d->minor < -1 || d->minor > UINT32_MAX)
		return pc_fail_at(pc, "minor", j_get(v, "minor"), "must be -1 or a device number");
	TRY(f_str(pc, v, "access", &d->access));
	if (d->access && d->access[strspn(d->access, "rwm")])
		return pc_fail_at(pc, "access", j_get(v, "access"),
				  "expected a combination of \"r\", \"w\" and \"m\"");
	return 0;
}

static int parse_memory(struct pctx *pc, yajl_val v, struct spec_resources *r)
{
	TRY(v_obj(pc, v));
	TRYH(r->memory.has_limit, f_i64(pc, v, "limit", &r->memory.limit));
	TRYH(r->memory.has_reservation, f_i64(pc, v, "reservation", &r->memory.reservation));
	TRYH(r->memory.has_swap, f_i64(pc, v, "swap", &r->memory.swap));
	TRYH(r->memory.has_kernel, f_i64(pc, v, "kernel", &r->memory.kernel));
	TRYH(r->memory.has_kernel_tcp, f_i64(pc, v, "kernelTCP", &r->memory.kernel_tcp));
	TRYH(r->memory.has_swappiness, f_u64(pc, v, "swappiness", &r->memory.swappiness));
	if (r->memory.has_swappiness && r->memory.swappiness > 100)
		return pc_fail_at(pc, "swappiness", j_get(v, "swappiness"),
				  "must be between 0 and 100");
	TRYH(r->memory.has_disable_oom_killer,
	     f_bool(pc, v, "disableOOMKiller", &r->memory.disable_oom_killer));
	TRYH(r->memory.has_use_hierarchy, f_bool(pc, v, "useHierarchy", &r->memory.use_hierarchy));
	TRYH(r->memory.has_check_before_update,
	     f_bool(pc, v, "checkBeforeUpdate", &r->memory.check_before_update));
	return 0;
}

static int parse_cpu(struct pctx *pc, yajl_val v, struct spec_resources *r)
{
	TRY(v_obj(pc, v));
	TRYH(r->cpu.has_shares, f_u64(pc, v, "shares", &r->cpu.shares));
	TRYH(r->cpu.has_quota, f_i64(pc, v, "quota", &r->cpu.quota));
	TRYH(r->cpu.has_burst, f_u64(pc, v, "burst", &r->cpu.burst));
	TRYH(r->cpu.has_period, f_u64(pc, v, "period", &r->cpu.period));
	TRYH(r->cpu.has_realtime_runtime,
	     f_i64(pc, v, "realtimeRuntime", &r->cpu.realtime_runtime));
	TRYH(r->cpu.has_realtime_period,
	     f_u64(pc, v, "realtimePeriod", &r->cpu.realtime_period));
	TRY(f_str(pc, v, "cpus", &r->cpu.cpus));
	TRY(f_str(pc, v, "mems", &r->cpu.mems));
	TRYH(r->cpu.has_idle, f_i64(pc, v, "idle", &r->cpu.idle));
	return 0;
}

static int parse_pids(struct pctx *pc, yajl_val v, struct spec_resources *r)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "limit"))
		return pc_missing(pc, "limit");
	TRYH(r->pids.has_limit, f_i64(pc, v, "limit", &r->pids.limit));
	return 0;
}

static int parse_weight_device(struct pctx *pc, yajl_val v, struct spec_weight_device *d)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "major"))
		return pc_missing(pc, "major");
	if (!j_get(v, "minor"))
		return pc_missing(pc, "minor");
	TRY(f_i64(pc, v, "major", &d->major));
	TRY(f_i64(pc, v, "minor", &d->minor));
	TRYH(d->has_weight, f_u16(pc, v, "weight", &d->weight));
	TRYH(d->has_leaf_weight, f_u16(pc, v, "leafWeight", &d->leaf_weight));
	return 0;
}

static int parse_throttle(struct pctx *pc, yajl_val v, struct spec_throttle_device *d)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "major"))
		return pc_missing(pc, "major");
	if (!j_get(v, "minor"))
		return pc_missing(pc, "minor");
	if (!j_get(v, "rate"))
		return pc_missing(pc, "rate");
	TRY(f_i64(pc, v, "major", &d->major));
	TRY(f_i64(pc, v, "minor", &d->minor));
	TRY(f_u64(pc, v, "rate", &d->rate));
	return 0;
}

static int parse_block_io(struct pctx *pc, yajl_val v, struct spec_resources *r)
{
	typeof(r->block_io) *b = &r->block_io;

	TRY(v_obj(pc, v));
	TRYH(b->has_weight, f_u16(pc, v, "weight", &b->weight));
	TRYH(b->has_leaf_weight, f_u16(pc, v, "leafWeight", &b->leaf_weight));
	TRY(ARRAY(parse_weight_device, pc, v, "weightDevice", b->weight_device,
		  b->n_weight_device));
	TRY(ARRAY(parse_throttle, pc, v, "throttleReadBpsDevice", b->throttle_read_bps,
		  b->n_throttle_read_bps));
	TRY(ARRAY(parse_throttle, pc, v, "throttleWriteBpsDevice", b->throttle_write_bps,
		  b->n_throttle_write_bps));
	TRY(ARRAY(parse_throttle, pc, v, "throttleReadIOPSDevice", b->throttle_read_iops,
		  b->n_throttle_read_iops));
	TRY(ARRAY(parse_throttle, pc, v, "throttleWriteIOPSDevice", b->throttle_write_iops,
		  b->n_throttle_write_iops));
	return 0;
}

static int parse_hugepage(struct pctx *pc, yajl_val v, struct spec_hugepage_limit *h)
{
	TRY(v_obj(pc, v));
	if (!j_get(v, "pageSize"))
		return pc_missing(pc, "pageSize");
	if (!j_get(v, "limit"))
		return pc_missing(pc, "limit");
	TRY(f_str(pc, v, "pageSize", &h->page_size));
	TRY(f_u64(pc, v, "limit", &h->limit));
	return 0;
}

static int parse_priority(struct pctx *pc, yajl_val v, struct spec_kv *kv)
{
	uint32_t prio;

	TRY(v_obj(pc, v));
	if (!j_get(v, "name"))
		return pc_missing(pc, "name");
	if (!j_get(v, "priority"))
		return pc_missing(pc, "priority");
	TRY(f_str(pc, v, "name", &kv->key));
	TRY(f_u32(pc, v, "priority", &prio));
	kv->value = xasprintf("%u", prio);
	return 0;
}

static int parse_network(struct pctx *pc, yajl_val v, struct spec_resources *r)
{
	TRY(v_obj(pc, v));
	TRYH(r->network.has_class_id, f_u32(pc, v, "classID", &r->network.class_id));
	TRY(ARRAY(parse_priority, pc, v, "priorities", r->network.priorities,
		  r->network.n_priorities));
	return 0;
}

static int parse_rdma(struct pctx *pc, yajl_val v, struct spec_resources *r)
{
	size_t i;

	TRY(v_obj(pc, v));
	r->n_rdma = v->u.object.len;
	r->rdma = xzalloc(r->n_rdma * sizeof(*r->rdma));
	for (i = 0; i < r->n_rdma; i++) {
		struct spec_rdma *d = &r->rdma[i];
		yajl_val e = v->u.object.values[i];
		size_t m = pc_key(pc, v->u.object.keys[i]);
		int rc = v_obj(pc, e);

		d->device = xstrdup(v->u.object.keys[i]);
		if (!rc) {
			int a = f_u32(pc, e, "hcaHandles", &d->hca_handles);
			int b = a < 0 ? -1 : f_u32(pc, e, "hcaObjects", &d->hca_objects);

			d->has_hca_handles = a > 0;
			d->has_hca_objects = b > 0;
			rc = a < 0 || b < 0 ? -1 : 0;
		}
		pc_pop(pc, m);
		TRY(rc);
	}
	return 0;
}

int parse_resources(struct pctx *pc, yajl_val v, struct spec_resources *r)
{
	TRY(v_obj(pc, v));
	TRY(ARRAY(parse_device_rule, pc, v, "devices", r->devices, r->n_devices));
	TRY(SUB(parse_memory, pc, v, "memory", r));
	TRY(SUB(parse_cpu, pc, v, "cpu", r));
	TRY(SUB(parse_pids, pc, v, "pids", r));
	TRY(SUB(parse_block_io, pc, v, "blockIO", r));
	TRY(ARRAY(parse_hugepage, pc, v, "hugepageLimits", r->hugepage_limits,
		  r->n_hugepage_limits));
	TRY(SUB(parse_network, pc, v, "network", r));
	TRY(SUB(parse_rdma, pc, v, "rdma", r));
	TRY(f_map(pc, v, "unified", &r->unified, &r->n_unified));
	return 0;
}

void spec_resources_free(struct spec_resources *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; r->devices && i < r->n_devices; i++) {
		free(r->devices[i].type);
		free(r->devices[i].access);
	}
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->block_io.weight_device);
	free(r->block_io.throttle_read_bps);
	free(r->block_io.throttle_write_bps);
	free(r->block_io.throttle_read_iops);
	free(r->block_io.throttle_write_iops);
	for (i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	kv_free(r->network.priorities, r->network.n_priorities);
	for (i = 0; r->rdma && i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	kv_free(r->unified, r->n_unified);
	free(r);
}

int spec_parse_resources(const char *json, size_t len, const char *name,
			 struct spec_resources **out, struct kerr **err)
{
	struct spec_resources *r;
	struct pctx pc;
	yajl_val root;
	int rc;

	*out = NULL;
	TRY(parse_tree(json, len, name, &root, err));
	pc_init(&pc, name, err);
	r = xzalloc(sizeof(*r));
	rc = parse_resources(&pc, root, r);
	yajl_tree_free(root);
	if (rc < 0) {
		spec_resources_free(r);
		return -1;
	}
	*out = r;
	return 0;
}
