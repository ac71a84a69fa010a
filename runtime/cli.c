/* keel's command line: runc/crun-compatible options and command dispatch. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "util.h"
#include "../spec/spec.h"

#ifndef KEEL_VERSION
#define KEEL_VERSION "0.0.0"
#endif

/* --- commands --- */

struct command {
	const char *name;
	const char *alias;
	const char *args;	/* usage after [options] */
	const char *summary;
	int (*run)(const struct command *c, const struct kglobal *g, int argc, char **argv);
};

static void usage(const struct command *c, const struct cli_opt *opts)
{
	printf("Usage: keel %s [options]%s%s\n\n%s\n", c->name, *c->args ? " " : "", c->args,
	       c->summary);
	if (opts && opts->name) {
		printf("\nOptions:\n");
		cli_print_options(opts);
	}
}

static int fail(struct kerr **err)
{
	kerr_report(err);
	return 1;
}

/* Parse a command's options; returns 1 when done (help printed or error), 0 to go on. */
static int parse_cmd(const struct command *c, const struct cli_opt *opts, int argc, char **argv,
		     int *idx, int *status)
{
	struct kerr *err = NULL;
	bool help = false;

	*idx = 1;
	if (cli_parse(c->name, opts, argc, argv, idx, &help, &err) < 0) {
		*status = fail(&err);
		return 1;
	}
	if (help) {
		usage(c, opts);
		*status = 0;
		return 1;
	}
	return 0;
}

static const char *need_id(const struct command *c, int argc, char **argv, int idx,
			   int max_extra, int *status)
{
	struct kerr *err = NULL;

	if (idx >= argc) {
		kerr_set(&err, 0, "`%s` needs a container id (usage: keel %s [options] %s)",
			 c->name, c->name, c->args);
		*status = fail(&err);
		return NULL;
	}
	if (max_extra >= 0 && argc - idx - 1 > max_extra) {
		kerr_set(&err, 0, "`%s`: unexpected argument `%s`", c->name, argv[idx + 1 + max_extra]);
		*status = fail(&err);
		return NULL;
	}
	return argv[idx];
}

static void create_opts(struct kcreate_opts *o, struct cli_opt *opts, bool run)
{
	struct cli_opt common[] = {
		{ "bundle", 'b', CLI_STR, &o->bundle, "DIR", "the bundle directory (default: .)" },
		{ "config", 0, CLI_STR, &o->config, "FILE", "the config file (default: config.json in the bundle)" },
		{ "pid-file", 0, CLI_STR, &o->pid_file, "FILE", "write the init's pid to FILE" },
		{ "console-socket", 0, CLI_STR, &o->console_socket, "PATH", "send the pty master to this unix socket" },
		{ "no-pivot", 0, CLI_FLAG, &o->no_pivot, NULL, "do not use pivot_root" },
		{ "no-new-keyring", 0, CLI_FLAG, &o->no_new_keyring, NULL, "do not create a new session keyring" },
		{ "preserve-fds", 0, CLI_INT, &o->preserve_fds, "N", "pass N extra fds (from 3) to the container" },
		{ "no-subreaper", 0, CLI_FLAG, &o->no_subreaper, NULL, "accepted for compatibility" },
	};
	size_t n = sizeof(common) / sizeof(common[0]);

	memcpy(opts, common, sizeof(common));
	if (run) {
		opts[n++] = (struct cli_opt){ "detach", 'd', CLI_FLAG, &o->detach, NULL,
					      "detach from the container's process" };
		opts[n++] = (struct cli_opt){ "keep", 0, CLI_FLAG, &o->keep, NULL,
					      "keep the container's state after it exits" };
	}
	opts[n] = (struct cli_opt){ 0 };
}

static int do_create(const struct command *c, const struct kglobal *g, int argc, char **argv)
{
	struct kcreate_opts o = { .bundle = "." };
	struct cli_opt opts[12];
	struct kerr *err = NULL;
	bool run = !strcmp(c->name, "run");
	int idx, status;

	create_opts(&o, opts, run);
	if (parse_cmd(c, opts, argc, argv, &idx, &status))
		return status;
	if (!(o.id = need_id(c, argc, argv, idx, 0, &status)))
		return status;
	if (run) {
		status = container_run(g, &o, &err);
		return status < 0 ? fail(&err) : status;
	}
	if (container_create(g, &o, &err) < 0)
		return fail(&err);
	return 0;
}

static int do_simple(const struct command *c, const struct kglobal *g, int argc, char **argv)
{
	struct cli_opt opts[] = { { 0 } };
	struct kerr *err = NULL;
	const char *id;
	int idx, status, r;

	if (parse_cmd(c, opts, argc, argv, &idx, &status))
		return status;
	if (!(id = need_id(c, argc, argv, idx, 0, &status)))
		return status;
	if (!strcmp(c->name, "start"))
		r = container_start(g, id, &err);
	else if (!strcmp(c->name, "state"))
		r = cmd_state(g, id, &err);
	else if (!strcmp(c->name, "pause"))
		r = cmd_pause(g, id, true, &err);
	else
		r = cmd_pause(g, id, false, &err);
	return r < 0 ? fail(&err) : 0;
}

static int do_exec(const struct command *c, const struct kglobal *g, int argc, char **argv)
{
	struct kexec_opts o = { 0 };
	struct cli_opt opts[] = {
		{ "process", 'p', CLI_STR, &o.process, "FILE", "a process.json to run instead of ARGS" },
		{ "tty", 't', CLI_FLAG, &o.tty, NULL, "allocate a pseudo-TTY" },
		{ "detach", 'd', CLI_FLAG, &o.detach, NULL, "detach from the process" },
		{ "pid-file", 0, CLI_STR, &o.pid_file, "FILE", "write the process's pid to FILE" },
		{ "console-socket", 0, CLI_STR, &o.console_socket, "PATH", "send the pty master to this unix socket" },
		{ "env", 'e', CLI_LIST, &o.env, "NAME=VALUE", "set an environment variable (repeatable)" },
		{ "cwd", 0, CLI_STR, &o.cwd, "DIR", "working directory in the container" },
		{ "user", 'u', CLI_STR, &o.user, "UID[:GID]", "run as this user" },
		{ "cap", 'c', CLI_LIST, &o.caps, "CAP", "add a capability (repeatable)" },
		{ "no-new-privs", 0, CLI_FLAG, &o.no_new_privs, NULL, "set no_new_privileges" },
		{ "preserve-fds", 0, CLI_INT, &o.preserve_fds, "N", "pass N extra fds (from 3) to the process" },
		{ "process-label", 0, CLI_STR, &o.process_label, "LABEL", "SELinux label of the process" },
		{ "apparmor", 0, CLI_STR, &o.apparmor, "PROFILE", "AppArmor profile of the process" },
		{ 0 },
	};
	struct kerr *err = NULL;
	int idx, status = 1;

	if (parse_cmd(c, opts, argc, argv, &idx, &status))
		goto out;
	if (!(o.id = need_id(c, argc, argv, idx, -1, &status)))
		goto out;
	o.args = argv + idx + 1;
	if (!o.process && !o.args[0]) {
		kerr_set(&err, 0, "`exec` needs a command to run or --process FILE");
		status = fail(&err);
		goto out;
	}
	status = container_exec(g, &o, &err);
	if (status < 0)
		status = fail(&err);
out:
	strv_free(o.env);
	strv_free(o.caps);
	return status;
}

static int do_kill(const struct command *c, const struct kglobal *g, int argc, char **argv)
{
	bool all = false;
	struct cli_opt opts[] = {
		{ "all", 'a', CLI_FLAG, &all, NULL, "signal every process of the container" },
		{ 0 },
	};
	struct kerr *err = NULL;
	const char *id;
	int idx, status, sig = SIGTERM;

	if (parse_cmd(c, opts, argc, argv, &idx, &status))
		return status;
	if (!(id = need_id(c, argc, argv, idx, 1, &status)))
		return status;
	if (idx + 1 < argc) {
		sig = spec_signal_parse(argv[idx + 1]);
		if (sig < 0) {
			kerr_set(&err, 0, "invalid signal: %s", argv[idx + 1]);
			return fail(&err);
		}
	}
	if (container_kill(g, id, sig, all, &err) < 0)
		return fail(&err);
	return 0;
}

static int do_delete(const struct command *c, const struct kglobal *g, int argc, char **argv)
{
	bool force = false;
	struct cli_opt opts[] = {
		{ "force", 'f', CLI_FLAG, &force, NULL, "kill the container first if it runs" },
		{ 0 },
	};
	struct kerr *err = NULL;
	const char *id;
	int idx, status;

	if (parse_cmd(c, opts, argc, argv, &idx, &status))
		return status;
	if (!(id = need_id(c, argc, argv, idx, 0, &status)))
		return status;
	if (container_delete(g, id, force, &err) < 0)
		return fail(&err);
	return 0;
}

static int check_format(const char *format, struct kerr **err)
{
	if (strcmp(format, "table") && strcmp(format, "json"))
		return kerr_set(err, 0, "invalid format `%s`: expected table or json", format);
	return 0;
}

static int do_ps(const struct command *c, const struct kglobal *g, int argc, char **argv)
{
	const char *format = "table";
	struct cli_opt opts[] = {
		{ "format", 'f', CLI_STR, &format, "table|json", "output format" },
		{ 0 },
	};
	struct kerr *err = NULL;
	const char *id;
	int idx, status;
	char **rest;

	if (parse_cmd(c, opts, argc, argv, &idx, &status))
		return status;
	if (!(id = need_id(c, argc, argv, idx, -1, &status)))
		return status;
	if (check_format(format, &err) < 0)
		return fail(&err);
	rest = argv + idx + 1;
	if (rest[0] && !strcmp(rest[0], "--"))
		rest++;
	if (cmd_ps(g, id, format, rest, &err) < 0)
		return fail(&err);
	return 0;
}

static int do_list(const struct command *c, const struct kglobal *g, int argc, char **argv)
{
	const char *format = "table";
	bool quiet = false;
	struct cli_opt opts[] = {
		{ "format", 'f', CLI_STR, &format, "table|json", "output format" },
		{ "quiet", 'q', CLI_FLAG, &quiet, NULL, "print only the ids" },
		{ 0 },
	};
	struct kerr *err = NULL;
	int idx, status;

	if (parse_cmd(c, opts, argc, argv, &idx, &status))
		return status;
	if (idx < argc) {
		kerr_set(&err, 0, "`list`: unexpected argument `%s`", argv[idx]);
		return fail(&err);
	}
	if (check_format(format, &err) < 0 || cmd_list(g, format, quiet, &err) < 0)
		return fail(&err);
	return 0;
}

static int do_spec(const struct command *c, const struct kglobal *g, int argc, char **argv)
{
	const char *bundle = ".";
	bool rootless = false, vm = false;
	struct cli_opt opts[] = {
		{ "bundle", 'b', CLI_STR, &bundle, "DIR", "where to write config.json (default: .)" },
		{ "rootless", 0, CLI_FLAG, &rootless, NULL, "a config for a rootless container" },
		{ "vm", 0, CLI_FLAG, &vm, NULL,
		  "a hardened config: user namespace, seccomp allowlist, pids limit" },
		{ 0 },
	};
	struct kerr *err = NULL;
	int idx, status;

	if (parse_cmd(c, opts, argc, argv, &idx, &status))
		return status;
	if (idx < argc) {
		kerr_set(&err, 0, "`spec`: unexpected argument `%s`", argv[idx]);
		return fail(&err);
	}
	if (cmd_spec(bundle, rootless, vm, &err) < 0)
		return fail(&err);
	return 0;
}

static int do_features(const struct command *c, const struct kglobal *g, int argc, char **argv)
{
	struct cli_opt opts[] = { { 0 } };
	struct kerr *err = NULL;
	int idx, status;

	if (parse_cmd(c, opts, argc, argv, &idx, &status))
		return status;
	if (cmd_features(&err) < 0)
		return fail(&err);
	return 0;
}

static int do_update(const struct command *c, const struct kglobal *g, int argc, char **argv)
{
	struct kupdate_opts o = { 0 };
	struct cli_opt opts[] = {
		{ "resources", 'r', CLI_STR, &o.resources, "FILE|-", "a LinuxResources JSON file, - for stdin" },
		{ "memory", 'm', CLI_STR, &o.memory, "BYTES", "memory limit (e.g. 512m)" },
		{ "memory-reservation", 0, CLI_STR, &o.memory_reservation, "BYTES", "memory soft limit" },
		{ "memory-swap", 0, CLI_STR, &o.memory_swap, "BYTES", "memory plus swap limit (-1 = unlimited)" },
		{ "cpu-shares", 0, CLI_STR, &o.cpu_shares, "N", "CPU shares (relative weight)" },
		{ "cpu-share", 0, CLI_STR, &o.cpu_shares, "N", "same as --cpu-shares (runc's spelling)" },
		{ "cpu-rt-period", 0, CLI_STR, &o.cpu_rt_period, "US", "CPU realtime period in microseconds" },
		{ "cpu-rt-runtime", 0, CLI_STR, &o.cpu_rt_runtime, "US", "CPU realtime runtime in microseconds" },
		{ "cpu-quota", 0, CLI_STR, &o.cpu_quota, "US", "CPU CFS quota in microseconds" },
		{ "cpu-period", 0, CLI_STR, &o.cpu_period, "US", "CPU CFS period in microseconds" },
		{ "cpuset-cpus", 0, CLI_STR, &o.cpuset_cpus, "LIST", "CPUs to use (0-3,5)" },
		{ "cpuset-mems", 0, CLI_STR, &o.cpuset_mems, "LIST", "memory nodes to use" },
		{ "pids-limit", 0, CLI_STR, &o.pids_limit, "N", "maximum number of processes" },
		{ "blkio-weight", 0, CLI_STR, &o.blkio_weight, "N", "block IO weight (10-1000)" },
		{ 0 },
	};
	struct kerr *err = NULL;
	const char *id;
	int idx, status;

	if (parse_cmd(c, opts, argc, argv, &idx, &status))
		return status;
	if (!(id = need_id(c, argc, argv, idx, 0, &status)))
		return status;
	if (cmd_update(g, id, &o, &err) < 0)
		return fail(&err);
	return 0;
}

static int do_events(const struct command *c, const struct kglobal *g, int argc, char **argv)
{
	const char *interval = "5s";
	bool stats = false;
	struct cli_opt opts[] = {
		{ "stats", 0, CLI_FLAG, &stats, NULL, "print the stats once and exit" },
		{ "interval", 0, CLI_STR, &interval, "DURATION", "time between stats (default 5s)" },
		{ 0 },
	};
	struct kerr *err = NULL;
	const char *id;
	int idx, status;

	if (parse_cmd(c, opts, argc, argv, &idx, &status))
		return status;
	if (!(id = need_id(c, argc, argv, idx, 0, &status)))
		return status;
	if (cmd_events(g, id, stats, interval, &err) < 0)
		return fail(&err);
	return 0;
}

static int do_help(const struct command *c, const struct kglobal *g, int argc, char **argv);

static const struct command commands[] = {
	{ "create", NULL, "ID", "Create a container from a bundle; `start` runs its process.", do_create },
	{ "start", NULL, "ID", "Run the process of a created container.", do_simple },
	{ "run", NULL, "ID", "Create and start a container.", do_create },
	{ "exec", NULL, "ID [COMMAND [ARGS...]]", "Run a new process in a running container.", do_exec },
	{ "kill", NULL, "ID [SIGNAL]", "Send a signal (default SIGTERM) to the container's init.", do_kill },
	{ "delete", "rm", "ID", "Remove a stopped container (--force: any container).", do_delete },
	{ "state", NULL, "ID", "Print the state of a container as JSON.", do_simple },
	{ "list", "ls", "", "List the containers.", do_list },
	{ "ps", NULL, "ID [PS OPTIONS]", "Show the processes of a container.", do_ps },
	{ "pause", NULL, "ID", "Freeze every process of a container.", do_simple },
	{ "resume", NULL, "ID", "Thaw a paused container.", do_simple },
	{ "update", NULL, "ID", "Change the resource limits of a running container.", do_update },
	{ "events", NULL, "ID", "Print container stats and events (OOM) as JSON lines.", do_events },
	{ "spec", NULL, "", "Write a default config.json in the bundle directory.", do_spec },
	{ "features", NULL, "", "Print the features keel supports as JSON.", do_features },
	{ "help", NULL, "[COMMAND]", "Show help for keel or a command.", do_help },
	{ 0 },
};

static const struct command *find_command(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++) {
		if (!strcmp(c->name, name) || (c->alias && !strcmp(c->alias, name)))
			return c;
	}
	return NULL;
}

static void print_version(void)
{
	printf("keel version %s\nspec: 1.1.0\n+SECCOMP +CAP +YAJL\n", KEEL_VERSION);
}

static void global_opts(struct kglobal *g, bool *version, struct cli_opt *opts)
{
	struct cli_opt o[] = {
		{ "root", 0, CLI_STR, &g->root, "DIR", "state directory (default " KEEL_DEFAULT_ROOT ")" },
		{ "log", 0, CLI_STR, &g->log, "FILE", "log file (default: stderr)" },
		{ "log-format", 0, CLI_STR, &g->log_format, "text|json", "log format (default text)" },
		{ "debug", 0, CLI_FLAG, &g->debug, NULL, "debug logging" },
		{ "systemd-cgroup", 0, CLI_FLAG, &g->systemd_cgroup, NULL, "use the systemd cgroup manager" },
		{ "cgroup-manager", 0, CLI_STR, &g->cgroup_manager, "cgroupfs|systemd|disabled", "cgroup manager" },
		{ "rootless", 0, CLI_STR, &g->rootless, "true|false|auto", "rootless mode (default auto)" },
		{ "version", 'v', CLI_FLAG, version, NULL, "print the version" },
		{ 0 },
	};

	memcpy(opts, o, sizeof(o));
}

static void global_usage(const struct cli_opt *opts)
{
	const struct command *c;

	printf("Usage: keel [global options] COMMAND [options] [arguments]\n\n"
	       "keel runs OCI containers (runc/crun compatible).\n\nCommands:\n");
	for (c = commands; c->name; c++)
		printf("   %-10s %s\n", c->name, c->summary);
	printf("\nGlobal options:\n");
	cli_print_options(opts);
	printf("\n`keel COMMAND --help` shows the options of a command.\n");
}

static int do_help(const struct command *c, const struct kglobal *g, int argc, char **argv)
{
	const struct command *target;
	char *hargv[3];
	struct kerr *err = NULL;

	if (argc < 2) {
		struct cli_opt opts[10];
		struct kglobal dummy = { 0 };
		bool v = false;

		global_opts(&dummy, &v, opts);
		global_usage(opts);
		return 0;
	}
	target = find_command(argv[1]);
	if (!target) {
		kerr_set(&err, 0, "unknown command `%s`", argv[1]);
		return fail(&err);
	}
	hargv[0] = argv[1];
	hargv[1] = (char *)"--help";
	hargv[2] = NULL;
	return target->run(target, g, 2, hargv);
}

static int check_globals(const struct kglobal *g, struct kerr **err)
{
	if (g->log_format && strcmp(g->log_format, "text") && strcmp(g->log_format, "json"))
		return kerr_set(err, 0, "invalid --log-format `%s`: expected text or json",
				g->log_format);
	if (g->cgroup_manager && strcmp(g->cgroup_manager, "cgroupfs") &&
	    strcmp(g->cgroup_manager, "systemd") && strcmp(g->cgroup_manager, "disabled"))
		return kerr_set(err, 0,
				"invalid --cgroup-manager `%s`: expected cgroupfs, systemd or disabled",
				g->cgroup_manager);
	if (g->rootless && strcmp(g->rootless, "true") && strcmp(g->rootless, "false") &&
	    strcmp(g->rootless, "auto"))
		return kerr_set(err, 0, "invalid --rootless `%s`: expected true, false or auto",
				g->rootless);
	return 0;
}

int cli_main(int argc, char **argv)
{
	struct kglobal g = { .root = KEEL_DEFAULT_ROOT };
	struct cli_opt opts[10];
	const struct command *c;
	struct kerr *err = NULL;
	bool help = false, version = false;
	int idx = 1;

	global_opts(&g, &version, opts);
	if (cli_parse("keel", opts, argc, argv, &idx, &help, &err) < 0)
		return fail(&err);
	if (version) {
		print_version();
		return 0;
	}
	if (help) {
		global_usage(opts);
		return 0;
	}
	if (check_globals(&g, &err) < 0)
		return fail(&err);
	if (g.systemd_cgroup && !g.cgroup_manager)
		g.cgroup_manager = "systemd";
	klog_set_debug(g.debug);
	if (g.log && klog_open(g.log, g.log_format && !strcmp(g.log_format, "json"), &err) < 0)
		return fail(&err);
	if (idx >= argc) {
		global_usage(opts);
		kerr_set(&err, 0, "no command given (see `keel --help`)");
		return fail(&err);
	}
	c = find_command(argv[idx]);
	if (!c) {
		kerr_set(&err, 0, "unknown command `%s` (see `keel --help`)", argv[idx]);
		return fail(&err);
	}
	kdebug("command: %s", c->name);
	return c->run(c, &g, argc - idx, argv + idx);
}
