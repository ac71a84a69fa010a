/* sysno SYSCALL [ARG...]: make one raw syscall and print its result, for
 * tests inside a busybox container (built static, copied into the rootfs).
 * SYSCALL is a number or one of the names below; ARGs are numbers (0x.. ok).
 * Prints "ok RET" or "errno N NAME" (e.g. "errno 38 ENOSYS"); exit 0 either
 * way, 2 on bad usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	long nr;
} names[] = {
	{ "mount", SYS_mount }, { "umount2", SYS_umount2 }, { "keyctl", SYS_keyctl },
	{ "add_key", SYS_add_key }, { "unshare", SYS_unshare }, { "setns", SYS_setns },
	{ "bpf", SYS_bpf }, { "perf_event_open", SYS_perf_event_open },
	{ "kexec_load", SYS_kexec_load }, { "userfaultfd", SYS_userfaultfd },
	{ "clock_settime", SYS_clock_settime }, { "reboot", SYS_reboot },
	{ "swapon", SYS_swapon }, { "init_module", SYS_init_module },
	{ "clone3", SYS_clone3 }, { "getpid", SYS_getpid }, { "socket", SYS_socket },
	{ "personality", SYS_personality }, { "ptrace", SYS_ptrace }, { "ioctl", SYS_ioctl },
};

static int number(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = (long)strtoul(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	long nr = -1, a[6] = { 0 }, r;
	size_t i;

	if (argc < 2 || argc > 8) {
		fprintf(stderr, "usage: sysno SYSCALL [ARG...]\n");
		return 2;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(argv[1], names[i].name))
			nr = names[i].nr;
	if (nr < 0 && number(argv[1], &nr) < 0) {
		fprintf(stderr, "sysno: unknown syscall `%s`\n", argv[1]);
		return 2;
	}
	for (i = 2; i < (size_t)argc; i++)
		if (number(argv[i], &a[i - 2]) < 0) {
			fprintf(stderr, "sysno: bad argument `%s`\n", argv[i]);
			return 2;
		}
	r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (r < 0)
		printf("errno %d %s\n", errno, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	else
		printf("ok %ld\n", r);
	return 0;
}
