/* keel's command line: the option parser, the commands main.c dispatches to,
 * and the helpers the commands share (kill.c, delete.c, commands.c). */
#ifndef KEEL_CLI_H
#define KEEL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "container.h"
#include "state.h"
#include "error.h"

struct cgroup;

/* --- option parsing --- */
enum cli_opt_kind { CLI_FLAG, CLI_STR, CLI_INT, CLI_LIST };

struct cli_opt {
	const char *name;	/* long name, used with one or two dashes */
	char short_name;	/* 0 = none */
	enum cli_opt_kind kind;
	void *dest;		/* bool *, const char **, int *, char *** (appended) */
	const char *metavar;	/* for help, e.g. "DIR" */
	const char *help;
};

/* Parse options of `cmd` from argv[*idx] on, stopping at the first non-option
 * argument or after "--". Long options: --name, -name, --name=value,
 * --name value; flags take an optional =true/=false; short options -x VALUE,
 * -xVALUE, and clusters of flags (-dt). "--help"/"-h" set *help (when help is
 * non-NULL). On return *idx is the first positional argument. */
int cli_parse(const char *cmd, const struct cli_opt *opts, int argc, char **argv, int *idx,
	      bool *help, struct kerr **err);
void cli_print_options(const struct cli_opt *opts);

/* Entry point used by main.c: returns the process exit status. */
int cli_main(int argc, char **argv);

/* --- a container opened for a command --- */
struct kcontainer {
	int rootfd;
	int dirfd;
	struct kstate *st;
	const char *status;
};
int kc_open(const struct kglobal *g, const char *id, bool exclusive, struct kcontainer *c,
	    struct kerr **err);
void kc_close(struct kcontainer *c);
/* Open the container's cgroup; *cg is NULL (and 0 returned) when it has none. */
int kc_cgroup(const struct kstate *st, struct cgroup **cg, struct kerr **err);
/* A pidfd of the init, opened then checked against pid_start; -1 if gone. */
int kc_pidfd(const struct kstate *st);
/* `root` and all its descendants (from /proc/<pid>/stat ppid), sorted. */
int proc_tree(pid_t root, pid_t **pids, size_t *n);
/* Signal the init's process tree (init first). */
int kc_signal_tree(const struct kstate *st, int sig, struct kerr **err);

/* --- commands (commands.c) --- */
int cmd_state(const struct kglobal *g, const char *id, struct kerr **err);
int cmd_list(const struct kglobal *g, const char *format, bool quiet, struct kerr **err);
int cmd_ps(const struct kglobal *g, const char *id, const char *format, char **ps_args,
	   struct kerr **err);
int cmd_spec(const char *bundle, bool rootless, bool vm, struct kerr **err);
int cmd_features(struct kerr **err);
int cmd_pause(const struct kglobal *g, const char *id, bool pause, struct kerr **err);

struct kupdate_opts {
	const char *resources;	/* FILE or "-" */
	const char *memory, *memory_reservation, *memory_swap;
	const char *cpu_shares, *cpu_quota, *cpu_period, *cpuset_cpus, *cpuset_mems;
	const char *pids_limit, *blkio_weight;
	const char *cpu_rt_period, *cpu_rt_runtime;
};
int cmd_update(const struct kglobal *g, const char *id, const struct kupdate_opts *o,
	       struct kerr **err);
int cmd_events(const struct kglobal *g, const char *id, bool stats, const char *interval,
	       struct kerr **err);
/* "5s", "500ms", "2m", "1h", "1.5s" -> milliseconds; -1 when invalid. */
long long cli_parse_duration(const char *s);
/* "512m", "1g", "1024", "-1" -> bytes; -1 with errno on error. */
int cli_parse_size(const char *s, long long *out);

#endif
