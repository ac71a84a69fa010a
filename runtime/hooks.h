/* OCI hooks (config.md "POSIX-platform Hooks"). */
#ifndef KEEL_HOOKS_H
#define KEEL_HOOKS_H

#include "../spec/spec.h"
#include "error.h"
#include "state.h"

/* Run every hook of `kind` in order, each with `state_json` on stdin, honouring
 * its timeout (the hook is killed and the run fails when it expires).
 * The caller chooses the namespaces by calling from the right process. The
 * first failing hook stops the list and fails with its path, exit status and
 * the tail of its stderr. */
int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind,
	      const char *state_json, struct kerr **err);

/* The poststart hooks with the state of `st` as "running"; a failure is only
 * a warning (runtime-spec). */
void hooks_run_poststart(const struct spec_hooks *hooks, const struct kstate *st);

/* The saved config (config.json in the state dir `dirfd`) when it may have hooks of
 * `kind`; *out NULL (and 0) when its text cannot hold that key: start and delete
 * would otherwise parse the whole config on every call to find no hook. */
int hooks_config_load(int dirfd, enum spec_hook_kind kind, struct spec **out, struct kerr **err);

#endif
