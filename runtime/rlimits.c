/* Per-process resources: rlimits, the scheduler (sched_setattr), the I/O
 * priority (ioprio_set) and the execution domain (personality). */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "process.h"
#include "util.h"

int process_set_rlimits(const struct spec_process *p, struct kerr **err)
{
	for (size_t i = 0; p && i < p->n_rlimits; i++) {
		const struct spec_rlimit *r = &p->rlimits[i];
		struct rlimit lim = {
			.rlim_cur = r->soft == UINT64_MAX ? RLIM_INFINITY : r->soft,
			.rlim_max = r->hard == UINT64_MAX ? RLIM_INFINITY : r->hard,
		};

		if (prlimit(0, r->resource, &lim, NULL) < 0)
			return kerr_errno(err, "process.rlimits[%zu]: set %s (soft %llu, hard %llu)",
					  i, r->type ? r->type : "rlimit",
					  (unsigned long long)r->soft, (unsigned long long)r->hard);
	}
	return 0;
}

/* The kernel's struct sched_attr (glibc has no wrapper). */
struct keel_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static const struct {
	const char *name;
	int value;
} sched_policies[] = {
	{ "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 }, { "SCHED_BATCH", 3 },
	{ "SCHED_ISO", 4 }, { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 },
};

static const struct {
	const char *name;
	uint64_t value;
} sched_flags[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },
	{ "SCHED_FLAG_DL_OVERRUN", 0x04 }, { "SCHED_FLAG_KEEP_POLICY", 0x08 },
	{ "SCHED_FLAG_KEEP_PARAMS", 0x10 }, { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

int process_set_scheduler(const struct spec_process *p, struct kerr **err)
{
	const struct spec_scheduler *s = p ? p->scheduler : NULL;
	struct keel_sched_attr attr = { .size = sizeof(attr) };
	size_t i;

	if (!s)
		return 0;
	if (s->policy) {
		for (i = 0; i < N_ELEMS(sched_policies); i++)
			if (!strcmp(s->policy, sched_policies[i].name))
				break;
		if (i == N_ELEMS(sched_policies))
			return kerr_set(err, EINVAL, "process.scheduler.policy: unknown policy `%s`",
					s->policy);
		attr.sched_policy = sched_policies[i].value;
	} else {
		attr.sched_policy = s->policy_value;
	}
	for (size_t f = 0; s->flags && s->flags[f]; f++) {
		for (i = 0; i < N_ELEMS(sched_flags); i++)
			if (!strcmp(s->flags[f], sched_flags[i].name))
				break;
		if (i == N_ELEMS(sched_flags))
			return kerr_set(err, EINVAL, "process.scheduler.flags[%zu]: unknown flag `%s`",
					f, s->flags[f]);
		attr.sched_flags |= sched_flags[i].value;
	}
	attr.sched_nice = s->has_nice ? s->nice : 0;
	attr.sched_priority = s->has_priority ? (uint32_t)s->priority : 0;
	attr.sched_runtime = s->runtime;
	attr.sched_deadline = s->deadline;
	attr.sched_period = s->period;
	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
		return kerr_errno(err, "process.scheduler: sched_setattr(%s, nice %d, priority %d)",
				  s->policy ? s->policy : "policy", attr.sched_nice,
				  (int)attr.sched_priority);
	return 0;
}

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

int process_set_io_priority(const struct spec_process *p, struct kerr **err)
{
	const struct spec_io_priority *io = p ? p->io_priority : NULL;
	int class;

	if (!io)
		return 0;
	if (!io->class)
		class = io->class_value;
	else if (!strcmp(io->class, "IOPRIO_CLASS_RT"))
		class = 1;
	else if (!strcmp(io->class, "IOPRIO_CLASS_BE"))
		class = 2;
	else if (!strcmp(io->class, "IOPRIO_CLASS_IDLE"))
		class = 3;
	else
		return kerr_set(err, EINVAL, "process.ioPriority.class: unknown class `%s`", io->class);
	if (io->priority < 0 || io->priority > 7)
		return kerr_set(err, EINVAL, "process.ioPriority.priority: %d is not 0-7", io->priority);
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
		    class << IOPRIO_CLASS_SHIFT | io->priority) < 0)
		return kerr_errno(err, "process.ioPriority: ioprio_set(%s, %d)",
				  io->class ? io->class : "class", io->priority);
	return 0;
}

int process_set_personality(const struct spec_linux *l, struct kerr **err)
{
	unsigned long persona;

	if (!l || !l->has_personality)
		return 0;
	if (!l->personality_domain || !strcmp(l->personality_domain, "LINUX"))
		persona = PER_LINUX;
	else if (!strcmp(l->personality_domain, "LINUX32"))
		persona = PER_LINUX32;
	else
		return kerr_set(err, EINVAL, "linux.personality.domain: unknown domain `%s`",
				l->personality_domain);
	/* The spec defines no flags yet: refuse what we cannot honour. */
	if (l->personality_flags && l->personality_flags[0])
		return kerr_set(err, EINVAL, "linux.personality.flags: unsupported flag `%s`",
				l->personality_flags[0]);
	if (personality(persona) < 0)
		return kerr_errno(err, "linux.personality: personality(%s)",
				  l->personality_domain ? l->personality_domain : "LINUX");
	return 0;
}
