/* config.json: spec_parse() (parse + validate) and spec_parse_process() (the
 * process.json of `exec --process`) on the same bytes. Errors must name the
 * file; a parsed config must pass its own validation again. */
#include "fuzz.h"
#include "spec/spec.h"

static void check_error(int r, const void *out, struct kerr *err, const char *prefix)
{
	FUZZ_CHECK(r == -1);
	FUZZ_CHECK(out == NULL);
	FUZZ_CHECK(err && err->msg);
	FUZZ_CHECK(!strncmp(err->msg, prefix, strlen(prefix)));
}

static void check_spec(const struct spec *s)
{
	struct kerr *err = NULL;

	FUZZ_CHECK(s->oci_version && s->root_path && s->root_path[0]);
	FUZZ_CHECK(spec_validate(s, "config.json", &err) == 0 && !err);
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];

		FUZZ_CHECK(m->destination && m->destination[0] == '/');
		for (size_t j = 0; j < m->n_options; j++)
			FUZZ_CHECK(m->options[j]);
		FUZZ_CHECK(!m->options || !m->options[m->n_options]);
	}
	if (s->process)
		FUZZ_CHECK(s->process->args && s->process->args[0]);
	/* Device numbers reach makedev() and the BPF program as 32 bits. */
	for (size_t i = 0; s->linux_ && i < s->linux_->n_devices; i++) {
		const struct spec_device *d = &s->linux_->devices[i];

		FUZZ_CHECK(d->major >= 0 && d->major <= UINT32_MAX);
		FUZZ_CHECK(d->minor >= 0 && d->minor <= UINT32_MAX);
		FUZZ_CHECK(d->path && d->path[0] == '/');
	}
	for (size_t i = 0; s->linux_ && s->linux_->resources &&
			   i < s->linux_->resources->n_devices; i++) {
		const struct spec_device_rule *d = &s->linux_->resources->devices[i];

		FUZZ_CHECK(d->major >= -1 && d->major <= UINT32_MAX);
		FUZZ_CHECK(d->minor >= -1 && d->minor <= UINT32_MAX);
	}
	for (int k = 0; k < NS_KINDS; k++) {
		const struct spec_namespace *ns = spec_find_ns(s, k);

		FUZZ_CHECK(!ns || ns->kind == (enum spec_ns_kind)k);
	}
	for (size_t i = 0; i < s->n_annotations; i++)
		FUZZ_CHECK(spec_annotation(s, s->annotations[i].key));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec_process *p = NULL;
	struct spec *s = NULL;
	struct kerr *err = NULL;
	int r;

	/* Refused before yajl sees it (its generator overflows past 128 levels). */
	if (fuzz_json_depth(data, size) > SPEC_JSON_MAX_DEPTH) {
		FUZZ_CHECK(spec_parse((const char *)data, size, "config.json", &s, &err) < 0);
		FUZZ_CHECK(strstr(err->msg, "nesting deeper than"));
		kerr_free(&err);
		FUZZ_CHECK(spec_json_check_depth((const char *)data, size, "x", &err) < 0);
		kerr_free(&err);
		return 0;
	}
	r = spec_parse((const char *)data, size, "config.json", &s, &err);
	if (r == 0) {
		FUZZ_CHECK(s && !err);
		check_spec(s);
		spec_free(s);
	} else {
		check_error(r, s, err, "config.json: ");
		kerr_free(&err);
	}

	r = spec_parse_process((const char *)data, size, "process.json", &p, &err);
	if (r == 0) {
		FUZZ_CHECK(p && !err && p->args && p->args[0]);
		spec_process_free(p);
	} else {
		check_error(r, p, err, "process.json: ");
		kerr_free(&err);
	}
	return 0;
}
