/* Messages between keel and the processes it spawns (init, exec helpers):
 * one SOCK_SEQPACKET message each, optionally carrying one fd. */
#ifndef KEEL_SYNC_H
#define KEEL_SYNC_H

#include "error.h"

enum sync_type {
	SYNC_ERROR = 1,		/* child -> parent: text + errnum, the child exits */
	SYNC_GO,		/* parent -> child: maps written, cgroup joined */
	SYNC_PREPARED,		/* child -> parent: mounts done, run createRuntime hooks */
	SYNC_HOOKS_DONE,	/* parent -> child */
	SYNC_TTY,		/* child -> parent: the pty master (fd attached) */
	SYNC_PID,		/* exec helper -> parent: value = host pid of the process */
	SYNC_READY,		/* child -> parent: blocked on exec.fifo next / exec next */
};

struct sync_msg {
	int type;
	int errnum;
	long value;
	char text[3800];
};

int sync_pair(int fds[2], struct kerr **err);
int sync_send(int sock, int type, long value, int fd, struct kerr **err);
/* Report an error to the parent (from a child); frees *e. */
void sync_send_error(int sock, struct kerr **e);
/* Receive one message; an SYNC_ERROR message becomes *err (with `who` as context
 * for an unexpected EOF). *fd gets an attached fd or -1 (fd may be NULL). */
int sync_recv(int sock, struct sync_msg *m, int *fd, struct kerr **err);
/* Wait for the peer to close (0); a message instead is an error (its own
 * text for SYNC_ERROR). */
int sync_wait_eof(int sock, struct kerr **err);
/* Receive and require `type`. */
int sync_expect(int sock, int type, long *value, int *fd, struct kerr **err);

#endif
