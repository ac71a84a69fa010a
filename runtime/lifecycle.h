/* Internal to the lifecycle (create.c, init.c, exec.c, start/run). */
#ifndef KEEL_LIFECYCLE_H
#define KEEL_LIFECYCLE_H

#include <stdbool.h>
#include <sys/types.h>
#include "container.h"
#include "state.h"
#include "../spec/spec.h"
#include "../namespaces/namespaces.h"

/* What the init (a clone of keel create) needs; it lives in the child's
 * copy of keel's memory, so nothing is serialised. */
struct init_args {
	const struct spec *spec;
	const char *id;
	const char *bundle;
	const char *rootfs;
	bool no_pivot;
	bool no_new_keyring;
	bool new_userns;
	int preserve_fds;	/* LISTEN_FDS + --preserve-fds */
	int listen_fds;		/* systemd socket activation: LISTEN_FDS */
	int sync;		/* child end of the sync socket */
	int fifo;		/* O_PATH fd of <state>/exec.fifo; -1: run, no wait */
	int ns_fds[NS_KINDS];	/* joined namespaces (pid is joined by the parent) */
	struct kstate *state;	/* for the createContainer/startContainer hooks */
	int notify_sock;		/* seccomp listenerPath connection, -1 if none */
	int parent_fds[3];	/* keel's own (state dir and its flock, ...): closed first */
	bool wait_go;		/* init_waits_for_go(): set in the child after the clone */
};

/* The init's body: never returns (execs the user process or exits 1 after
 * sending SYNC_ERROR). */
void init_main(struct init_args *a) __attribute__((noreturn));
/* Whether the init stops after its mounts (SYNC_PREPARED) for keel to run the
 * prestart/createRuntime hooks: each message is a wakeup on both sides, so
 * without such hooks neither side asks or waits. */
bool init_pauses_for_hooks(const struct spec *s);
/* Whether the init waits for SYNC_GO (which carries its host pid) before it starts: only
 * when keel has work to do first (user-ns maps, moving it into its cgroup) or the init
 * needs its pid (the state given to createContainer/startContainer hooks and to the
 * seccomp listener). Both sides decide alike from the same inputs. */
bool init_waits_for_go(const struct spec *s, bool new_userns, bool cgroup_pending);

/* fork-like clone3 into namespaces `flags` and, when cgroup_fd >= 0, directly
 * into that cgroup. Returns the child's pid in the parent, 0 in the child. */
pid_t clone_into(unsigned long flags, int cgroup_fd, bool *into_cgroup, struct kerr **err);

/* The running state of a container created by this process (run keeps it). */
struct created {
	pid_t pid;
	int pidfd;
	int tty_master;		/* -1 unless a foreground terminal */
};
/* create, or with `run` create and start: the user process has been exec'd
 * (and the poststart hooks run) when it returns. */
int lifecycle_create(const struct kglobal *g, const struct kcreate_opts *o, bool foreground_tty,
		     bool run, struct created *out, struct kerr **err);

/* Forward the usual termination and job signals to pid while we wait. */
void forward_signals(pid_t pid);

/* Wait for `pid` (our child); returns the exit status as a shell reports it. */
int wait_exit_status(pid_t pid);

/* seccomp listenerPath: connect (before pivot), then load the filter and
 * send its notify fd with the state (sock < 0: a plain load). */
struct seccomp_prog;
int notify_connect(const struct spec *s, int *sock, struct kerr **err);
int notify_load_and_send(const struct seccomp_prog *prog, int sock, const struct spec *s,
			 const struct kstate *st, struct kerr **err);

/* --pid-file: the decimal pid, no newline, written by rename. */
int write_pid_file(const char *path, pid_t pid, struct kerr **err);

/* After chdir to a process's cwd: refuse a cwd outside the current root
 * (e.g. /proc/self/fd/N of a leaked host directory fd, CVE-2024-21626). */
int cwd_check_inside(const char *cwd, struct kerr **err);

/* Mark fds >= 3 close-on-exec except [3, 3 + preserve). */
int close_fds_from(int preserve, struct kerr **err);

/* exeseal.c: the host's keel binary out of the container's reach
 * (CVE-2019-5736); see there for the rules. */
void exeseal_save_argv(char **argv);
/* PR_SET_DUMPABLE 0: for clones that run keel code in the container. */
void exeseal_nondumpable(void);
/* Could /proc/<pid>/exe (pid 0: ourselves) be opened for writing? */
bool exeseal_exe_exposed(pid_t pid);
/* Does the process's bounding set (or no capabilities list) allow CAP_SYS_PTRACE? */
bool exeseal_caps_ptrace(const struct spec_process *p);
/* Must create/run seal before cloning the init? */
bool exeseal_create_needed(const struct spec *s);
struct exeseal_exec {
	const char *id;
	const struct spec *spec;	/* the container's config */
	const struct spec_process *proc;	/* what exec runs */
	bool host_userns;		/* the container shares our user namespace */
	bool created;			/* not started: the init still runs keel */
	pid_t init_pid;
	int statedir;
};
/* exec: *needed when it must seal; fails (EPERM) for CAP_SYS_PTRACE into a
 * created container whose init is exposed. */
int exeseal_exec_check(const struct exeseal_exec *x, bool *needed, struct kerr **err);
/* If needed and /proc/self/exe is exposed, re-exec from a sealed memfd copy
 * (does not return then). 0 when nothing was needed. */
int exeseal_ensure(bool needed, struct kerr **err);

#endif
