/* swapper A B [SECONDS]: exchange A and B (renameat2 RENAME_EXCHANGE) as fast
 * as possible, for SECONDS (default 10) or until SIGTERM/SIGINT, then print
 * the number of exchanges done. The attacker of the mount-target race tests
 * (CVE-2021-30465, CVE-2024-45310): A a directory, B a symlink out of the
 * root, swapped under a runtime that resolves a mount destination. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	unsigned long long n = 0;
	time_t end;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: swapper A B [SECONDS]\n");
		return 2;
	}
	end = time(NULL) + (argc == 4 ? atoi(argv[3]) : 10);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop) {
		if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
			perror("renameat2");
			return 1;
		}
		/* Cheap enough to check every 1024 swaps. */
		if (!(++n & 1023) && time(NULL) >= end)
			break;
	}
	/* An even count leaves A and B as they were. */
	if ((n & 1) && renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) == 0)
		n++;
	printf("%llu\n", n);
	return 0;
}
