/* Capabilities: the bounding set (PR_CAPBSET_DROP), the effective/permitted/
 * inheritable sets (libcap) and the ambient set (PR_CAP_AMBIENT). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "log.h"
#include "process.h"
#include "util.h"

/* One name table for the whole runtime: spec/'s. */
static int cap_parse(const char *name)
{
	return spec_cap_parse(name);
}

static int last_cap(void)
{
	static int cached = -1;
	_cleanup_fclose_ FILE *f = NULL;
	int v;

	if (cached >= 0)
		return cached;
	f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	if (f && fscanf(f, "%d", &v) == 1 && v > 0 && v < 64)
		cached = v;
	else
		cached = CAP_LAST_CAP;
	return cached;
}

/* A set of capabilities as a bit mask; -1 with the unknown name reported. */
static int caps_mask(char *const *names, const char *set, uint64_t *mask, struct kerr **err)
{
	*mask = 0;
	for (size_t i = 0; names && names[i]; i++) {
		int c = cap_parse(names[i]);

		if (c < 0)
			return kerr_set(err, EINVAL, "capabilities.%s: unknown capability `%s`",
					set, names[i]);
		if (c > last_cap()) {
			/* Like runc: a capability the kernel does not know is ignored. */
			kdebug("capabilities.%s: %s is unknown to this kernel, ignored", set, names[i]);
			continue;
		}
		*mask |= 1ULL << c;
	}
	return 0;
}

int caps_drop_bounding(const struct spec_caps *caps, struct kerr **err)
{
	uint64_t keep;
	int last = last_cap();

	if (!caps)
		return 0;
	if (caps_mask(caps->bounding, "bounding", &keep, err) < 0)
		return -1;
	for (int c = 0; c <= last; c++) {
		if (keep & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)	/* not supported by this kernel */
				continue;
			return kerr_errno(err, "drop capability %d from the bounding set", c);
		}
	}
	return 0;
}

static void set_flag_mask(cap_t c, cap_flag_t flag, uint64_t mask)
{
	for (int i = 0; i < 64; i++) {
		cap_value_t v = i;

		if (mask & (1ULL << i))
			cap_set_flag(c, flag, 1, &v, CAP_SET);
	}
}

/* No capabilities in the config: keep effective and permitted, but nothing
 * inheritable or ambient leaks from keel's caller into the container. */
static int caps_clear_inheritable(struct kerr **err)
{
	cap_t c = cap_get_proc();
	int r;

	if (!c)
		return kerr_errno(err, "read the capabilities");
	r = cap_clear_flag(c, CAP_INHERITABLE) == 0 ? cap_set_proc(c) : -1;
	cap_free(c);
	if (r < 0)
		return kerr_errno(err, "clear the inheritable capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return kerr_errno(err, "clear the ambient capabilities");
	return 0;
}

int caps_apply(const struct spec_caps *caps, struct kerr **err)
{
	uint64_t eff, prm, inh, amb;
	cap_t c;

	if (!caps)
		return caps_clear_inheritable(err);
	if (caps_mask(caps->effective, "effective", &eff, err) < 0 ||
	    caps_mask(caps->permitted, "permitted", &prm, err) < 0 ||
	    caps_mask(caps->inheritable, "inheritable", &inh, err) < 0 ||
	    caps_mask(caps->ambient, "ambient", &amb, err) < 0)
		return -1;

	for (size_t i = 0; caps->effective && caps->effective[i]; i++) {
		int v = cap_parse(caps->effective[i]);

		if (v <= last_cap() && !(prm & (1ULL << v)))
			return kerr_set(err, EPERM,
					"capabilities.effective: `%s` is not in the permitted set",
					caps->effective[i]);
	}

	c = cap_init();
	if (!c)
		return kerr_errno(err, "cap_init");
	set_flag_mask(c, CAP_EFFECTIVE, eff);
	set_flag_mask(c, CAP_PERMITTED, prm);
	set_flag_mask(c, CAP_INHERITABLE, inh);
	if (cap_set_proc(c) < 0) {
		int saved = errno;

		cap_free(c);
		return kerr_set(err, saved, "set capabilities (effective %#llx, permitted %#llx, inheritable %#llx)",
				(unsigned long long)eff, (unsigned long long)prm,
				(unsigned long long)inh);
	}
	cap_free(c);

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		if (errno == EINVAL && !amb)
			return 0;	/* kernel without ambient capabilities */
		return kerr_errno(err, "clear the ambient capabilities");
	}
	for (size_t i = 0; caps->ambient && caps->ambient[i]; i++) {
		const char *name = caps->ambient[i];
		int v = cap_parse(name);

		if (v > last_cap())
			continue;
		/* The kernel only raises an ambient cap that is permitted and
		 * inheritable. runc's and crun's default specs list ambient caps
		 * without inheritable ones and both runtimes skip them: so do we. */
		if (!(prm & (1ULL << v)) || !(inh & (1ULL << v))) {
			kdebug("capabilities.ambient: skipping `%s`: not permitted and inheritable", name);
			continue;
		}
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0) < 0)
			return kerr_errno(err, "raise ambient capability `%s`", name);
	}
	return 0;
}
