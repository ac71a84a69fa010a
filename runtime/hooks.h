/* OCI hooks (config.md "POSIX-platform Hooks"). */
#ifndef KEEL_HOOKS_H
#define KEEL_HOOKS_H

#include "../spec/spec.h"
#include "error.h"

/* Run every hook of `kind` in order, each with `state_json` on stdin, honouring
 * its timeout (the hook is killed and the run fails when it expires).
 * The caller chooses the namespaces by calling from the right process. The
 * first failing hook stops the list and fails with its path, exit status and
 * the tail of its stderr. */
int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind,
	      const char *state_json, struct kerr **err);

#endif
