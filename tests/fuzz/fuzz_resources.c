/* LinuxResources (`keel update --resources FILE`, linux.resources): the parser
 * (spec/parse_resources.c), then the pure conversions the cgroup manager
 * applies to a parsed value (cgroups/cgroup_internal.h): controllers needed,
 * cpu.weight, cpu.max, memory.swap.max, rdma.max, unified keys and the
 * devices BPF program (built, never loaded). No file is touched. */
#include <linux/bpf.h>

#include "cgroups/cgroup_internal.h"
#include "fuzz.h"
#include "spec/spec.h"

static void check_devices(const struct spec_resources *r)
{
	struct spec_device_rule *all;
	struct bpf_insn *insns = NULL;
	struct kerr *err = NULL;
	size_t n, len = 0;

	for (size_t i = 0; i < r->n_devices; i++) {
		const struct spec_device_rule *d = &r->devices[i];

		FUZZ_CHECK(d->major >= -1 && d->minor >= -1);
		/* The program compares 32-bit device numbers, as mknod does. */
		FUZZ_CHECK(d->major <= UINT32_MAX && d->minor <= UINT32_MAX);
		FUZZ_CHECK(!d->type || (strlen(d->type) == 1 && strchr("acb", d->type[0])));
		FUZZ_CHECK(!d->access || !d->access[strspn(d->access, "rwm")]);
	}
	all = cgroup_devices_with_defaults(r->devices, r->n_devices, &n);
	if (cgroup_devices_program(all, n, &insns, &len, &err) == 0) {
		FUZZ_CHECK(insns && len > 0);
		free(insns);
	} else {
		FUZZ_CHECK(err);
		kerr_free(&err);
	}
	free(all);
}

static void check_cgroup_values(const struct spec_resources *r)
{
	struct cgroup_need need[16];
	struct kerr *err = NULL;
	char *s = NULL, buf[32];
	size_t n;
	int rc;

	n = cgroup_needed_controllers(r, need, 16);
	FUZZ_CHECK(n <= 16);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(need[i].controller, need[j].controller));
	if (r->cpu.has_shares) {
		uint64_t w = cgroup_shares_to_weight(r->cpu.shares);

		FUZZ_CHECK(r->cpu.shares ? w >= 1 && w <= 10000 : w == 0);
	}
	if (r->block_io.has_weight) {
		uint64_t w = cgroup_blkio_to_io_weight(r->block_io.weight);

		FUZZ_CHECK(r->block_io.weight ? w >= 1 && w <= 10000 : w == 0);
	}
	s = cgroup_cpu_max_string(r->cpu.has_quota, r->cpu.quota, r->cpu.has_period,
				  r->cpu.period, NULL);
	FUZZ_CHECK(s && strchr(s, ' '));
	free(s);
	s = NULL;
	rc = cgroup_swap_max_string(r->memory.has_limit, r->memory.limit, r->memory.has_swap,
				    r->memory.swap, &s, &err);
	FUZZ_CHECK(rc == 1 || (rc == 0 && s && s[0] != '-') || (rc == -1 && err && !s));
	free(s);
	kerr_free(&err);
	for (size_t i = 0; i < r->n_rdma; i++) {
		s = NULL;
		rc = cgroup_rdma_max_string(&r->rdma[i], &s, &err);
		FUZZ_CHECK(rc == 0 || (rc == -1 && err && !s));
		free(s);
		kerr_free(&err);
	}
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *c = cgroup_unified_controller(r->unified[i].key, buf, sizeof(buf));

		(void)cgroup_unified_key_valid(r->unified[i].key);
		FUZZ_CHECK(!c || (c == buf && strlen(buf) < sizeof(buf) &&
				  !strncmp(buf, r->unified[i].key, strlen(buf))));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec_resources *r = NULL;
	struct kerr *err = NULL;

	if (spec_parse_resources((const char *)data, size, "resources.json", &r, &err) < 0) {
		FUZZ_CHECK(!r && err && err->msg && !strncmp(err->msg, "resources.json: ", 16));
		FUZZ_CHECK(fuzz_json_depth(data, size) <= SPEC_JSON_MAX_DEPTH ||
			   strstr(err->msg, "nesting deeper than"));
		kerr_free(&err);
		return 0;
	}
	FUZZ_CHECK(r && !err && fuzz_json_depth(data, size) <= SPEC_JSON_MAX_DEPTH);
	check_devices(r);
	check_cgroup_values(r);
	spec_resources_free(r);
	return 0;
}
