/* linux.seccomp -> libseccomp -> BPF: the input is the seccomp object; it is
 * put into a minimal config, parsed, compiled and exported (seccomp_compile
 * exports to a memfd). Nothing is ever loaded into the kernel. */
#include "fuzz.h"
#include "runtime/process.h"
#include "spec/spec.h"

static const char head[] = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
			   "\"linux\":{\"seccomp\":";
static const char tail[] = "}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = sizeof(head) - 1 + size + sizeof(tail) - 1;
	struct seccomp_prog *prog = NULL;
	struct spec *s = NULL;
	struct kerr *err = NULL;
	char *json = malloc(len);

	if (!json)
		abort();
	memcpy(json, head, sizeof(head) - 1);
	memcpy(json + sizeof(head) - 1, data, size);
	memcpy(json + sizeof(head) - 1 + size, tail, sizeof(tail) - 1);
	if (spec_parse(json, len, "config.json", &s, &err) < 0) {
		FUZZ_CHECK(!s && err && err->msg);
		kerr_free(&err);
		free(json);
		return 0;
	}
	free(json);
	if (s->linux_ && s->linux_->seccomp) {
		const struct spec_seccomp *sc = s->linux_->seccomp;

		/* Errno values reach the filter as SECCOMP_RET_DATA (16 bits). */
		FUZZ_CHECK(!sc->has_default_errno_ret || sc->default_errno_ret <= 0xffff);
		for (size_t i = 0; i < sc->n_syscalls; i++)
			FUZZ_CHECK(!sc->syscalls[i].has_errno_ret ||
				   sc->syscalls[i].errno_ret <= 0xffff);
		if (seccomp_compile(s->linux_->seccomp, &prog, &err) == 0) {
			FUZZ_CHECK(prog && !err);
			seccomp_prog_free(prog);
		} else {
			FUZZ_CHECK(!prog && err && err->msg);
			kerr_free(&err);
		}
	}
	spec_free(s);
	return 0;
}
