/* The container lifecycle: what the CLI calls once it has parsed options.
 * Each function returns 0 (or an exit status where said) or -1 with *err. */
#ifndef KEEL_CONTAINER_H
#define KEEL_CONTAINER_H

#include <stdbool.h>
#include "error.h"

/* Global options (runc/crun spelling). */
struct kglobal {
	const char *root;		/* --root, default KEEL_DEFAULT_ROOT */
	const char *log;		/* --log */
	const char *log_format;		/* --log-format text|json */
	bool debug;
	bool systemd_cgroup;		/* --systemd-cgroup */
	const char *cgroup_manager;	/* --cgroup-manager cgroupfs|systemd|disabled (NULL = cgroupfs) */
	const char *rootless;		/* --rootless true|false|auto (NULL = auto) */
};

struct kcreate_opts {
	const char *id;
	const char *bundle;		/* -b/--bundle, default "." */
	const char *config;		/* --config, default "config.json" in the bundle */
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	bool no_new_keyring;
	bool no_subreaper;		/* accepted, no effect (keel is not a long-lived parent) */
	int preserve_fds;
	/* run only */
	bool detach;
	bool keep;
};

struct kexec_opts {
	const char *id;
	const char *process;		/* --process FILE */
	char **args;			/* inline args, NULL-terminated */
	bool tty, detach, no_new_privs;
	const char *pid_file;
	const char *console_socket;
	char **env;			/* -e, NULL-terminated */
	const char *cwd;
	const char *user;		/* -u uid[:gid] */
	char **caps;			/* --cap, NULL-terminated */
	int preserve_fds;
	const char *process_label, *apparmor;
};

int container_create(const struct kglobal *g, const struct kcreate_opts *o, struct kerr **err);
int container_start(const struct kglobal *g, const char *id, struct kerr **err);
/* Returns the container's exit status (128+N for signal N), or -1. */
int container_run(const struct kglobal *g, const struct kcreate_opts *o, struct kerr **err);
/* Returns the process's exit status (0 when detached), or -1. */
int container_exec(const struct kglobal *g, const struct kexec_opts *o, struct kerr **err);
int container_kill(const struct kglobal *g, const char *id, int sig, bool all, struct kerr **err);
int container_delete(const struct kglobal *g, const char *id, bool force, struct kerr **err);

#endif
