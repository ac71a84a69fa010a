/* Process setup for the container's init and for exec'd processes:
 * user, capabilities (libcap), seccomp (libseccomp), rlimits, terminal.
 *
 * The order the callers use (each step needs the privileges the next drops):
 *   process_resolve_user()      after pivot: names from the container's /etc/passwd
 *   process_set_rlimits(), process_set_scheduler(), process_set_io_priority()
 *   seccomp_compile()           early (slow part), before any privilege drop
 *   seccomp_prog_load()         here if no_new_privs is off (needs CAP_SYS_ADMIN)
 *   caps_drop_bounding()        while still root
 *   process_set_user()          setgroups/setresgid/setresuid keeping caps
 *   caps_apply()                effective/permitted/inheritable/ambient
 *   prctl(PR_SET_NO_NEW_PRIVS)  if asked
 *   seccomp_prog_load()         with no_new_privs: last, just before execve
 */
#ifndef KEEL_PROCESS_H
#define KEEL_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>
#include "../spec/spec.h"
#include "error.h"

/* --- user --- */
struct process_ids {
	uid_t uid;
	gid_t gid;
	gid_t *groups;		/* supplementary groups: additionalGids + /etc/group membership */
	size_t n_groups;
	char *home;		/* from /etc/passwd, for HOME if the env lacks it */
};
/* Resolve process.user against files under `rootfd` (the container's root,
 * "/" after pivot): /etc/passwd and /etc/group, never the host's. */
int process_resolve_user(int rootfd, const struct spec_user *u, struct process_ids *ids,
			 struct kerr **err);
/* "1000", "1000:1000", "name", "name:group" (exec -u), resolved in rootfd.
 * Sets u->uid and u->gid only. A numeric uid needs no passwd entry and gets
 * gid 0 unless one is given (as runc/crun); a name takes its passwd gid. */
int process_parse_user_arg(int rootfd, const char *arg, struct spec_user *u, struct kerr **err);
int process_set_user(const struct process_ids *ids, const struct spec_user *u, struct kerr **err);
/* The name of `uid` in rootfd's /etc/passwd (a file, as runc reads it; no NSS: keel is
 * linked statically), or NULL. */
char *process_user_name(int rootfd, uid_t uid);
void process_ids_free(struct process_ids *ids);

/* --- resources of the process --- */
int process_set_rlimits(const struct spec_process *p, struct kerr **err);
int process_set_scheduler(const struct spec_process *p, struct kerr **err);
int process_set_io_priority(const struct spec_process *p, struct kerr **err);
int process_set_personality(const struct spec_linux *l, struct kerr **err);

/* --- capabilities --- */
/* Drop from the bounding set everything not listed (NULL caps = keep all). */
int caps_drop_bounding(const struct spec_caps *caps, struct kerr **err);
/* Set effective/permitted/inheritable, then raise ambient. Inheritable stays
 * empty unless listed. Call after process_set_user (which keeps caps).
 * NULL caps: effective and permitted stay, inheritable and ambient are cleared. */
int caps_apply(const struct spec_caps *caps, struct kerr **err);

/* --- seccomp --- */
struct seccomp_prog;	/* a compiled BPF program */
/* Compile the config's filter; *out is NULL when s is NULL. When the default
 * action denies (errno, kill, trap), syscalls numbered above the highest one
 * the profile names (per architecture) get ENOSYS, so libc falls back. */
int seccomp_compile(const struct spec_seccomp *s, struct seccomp_prog **out, struct kerr **err);
/* The program as struct sock_filter[*n_insns] (for tests and fuzzers). */
const void *seccomp_prog_bpf(const struct seccomp_prog *prog, size_t *n_insns);
/* Install it (needs no_new_privs or CAP_SYS_ADMIN); honours the flags. */
int seccomp_prog_load(const struct seccomp_prog *prog, struct kerr **err);
/* Same, for filters with SCMP_ACT_NOTIFY: *listener gets the notify fd
 * (-1 when the program has no NOTIFY rule). */
int seccomp_load_listener(const struct seccomp_prog *prog, int *listener, struct kerr **err);
bool seccomp_prog_needs_listener(const struct seccomp_prog *prog);
void seccomp_prog_free(struct seccomp_prog *prog);

/* --- environment --- */
/* The env for execve: process.env plus PATH and HOME defaults if missing,
 * with exec's -e entries overriding. NULL-terminated, owned by the caller. */
char **process_build_env(char *const *env, char *const *extra, const char *home);
/* Check before start that `file` can be executed (searched in the env's PATH
 * like process_exec), so that create fails naming it, as runc does. */
int process_find_executable(const char *file, char *const *env, struct kerr **err);
/* execvp-like search of args[0] in the env's PATH (in the current root). */
int process_exec(char *const *args, char *const *env, struct kerr **err);

/* --- terminal --- */
/* Open a new pty in the current /dev/pts (the container's, after pivot):
 * master from /dev/ptmx, slave through TIOCGPTPEER (never by path). */
int terminal_open(int *master, int *slave, struct kerr **err);
/* Make `slave` the controlling terminal and fds 0-2 (setsid + TIOCSCTTY),
 * with the console size if given. */
int terminal_become(int slave, const struct spec_process *p, struct kerr **err);
/* Send exactly one fd (the master) in one SCM_RIGHTS message. */
int terminal_send_fd(int sockfd, int fd, struct kerr **err);
int terminal_recv_fd(int sockfd, int *fd, struct kerr **err);
/* Connect to the --console-socket path (AF_UNIX, SOCK_STREAM). */
int terminal_connect_socket(const char *path, int *sockfd, struct kerr **err);
/* Copy between the pty master and our stdio until the master closes (run/exec
 * in the foreground without a console socket). Puts our tty in raw mode if
 * stdin is a tty and restores it. */
int terminal_proxy(int master, struct kerr **err);

#endif
