/*
 * The floor row of `make bench`: what the kernel alone charges for a container's
 * process. floor [-N] ROOTFS PROG: a child in new pid, ipc, uts, mount, cgroup and
 * (unless -N) network namespaces chroots into ROOTFS and execs PROG; the parent waits
 * and exits with its status. No mounts, no cgroup, no state: a runtime can't do less.
 * Built static (the Makefile's bench rule) so that no dynamic loading is in the floor.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

int main(int argc, char **argv)
{
	int flags = CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWCGROUP |
		    CLONE_NEWNET;
	int status;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "-N")) {
		flags &= ~CLONE_NEWNET;
		argc--;
		argv++;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: floor [-N] ROOTFS PROG\n");
		return 2;
	}
	pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0) {
		perror("floor: clone");
		return 1;
	}
	if (pid == 0) {
		char *args[] = { argv[2], NULL };
		char *env[] = { NULL };

		if (chroot(argv[1]) || chdir("/")) {
			perror("floor: chroot");
			_exit(127);
		}
		execve(argv[2], args, env);
		perror("floor: execve");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("floor: waitpid");
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
