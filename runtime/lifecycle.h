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
	int preserve_fds;
	int sync;		/* child end of the sync socket */
	int fifo;		/* O_PATH fd of <state>/exec.fifo */
	int ns_fds[NS_KINDS];	/* joined namespaces (pid is joined by the parent) */
	struct kstate *state;	/* for the createContainer/startContainer hooks */
	int notify_sock;		/* seccomp listenerPath connection, -1 if none */
	int parent_fds[3];	/* keel's own (state dir and its flock, ...): closed first */
};

/* The init's body: never returns (execs the user process or exits 1 after
 * sending SYNC_ERROR). */
void init_main(struct init_args *a) __attribute__((noreturn));

/* fork-like clone3 into namespaces `flags` and, when cgroup_fd >= 0, directly
 * into that cgroup. Returns the child's pid in the parent, 0 in the child. */
pid_t clone_into(unsigned long flags, int cgroup_fd, bool *into_cgroup, struct kerr **err);

/* The running state of a container created by this process (run keeps it). */
struct created {
	pid_t pid;
	int pidfd;
	int tty_master;		/* -1 unless a foreground terminal */
};
int lifecycle_create(const struct kglobal *g, const struct kcreate_opts *o, bool foreground_tty,
		     struct created *out, struct kerr **err);

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

/* Mark fds >= 3 close-on-exec except [3, 3 + preserve). */
int close_fds_from(int preserve, struct kerr **err);

#endif
