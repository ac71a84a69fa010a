/* Replays inputs through a fuzz target without libFuzzer: `replay FILE...`
 * calls LLVMFuzzerTestOneInput once per file. Built with ASan/UBSan against
 * build/asan/libkeel.a for `make check` (tests/fuzz/replay.sh); a sanitizer
 * report or a broken invariant aborts, LeakSanitizer checks at exit. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static int replay(const char *path)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* Exactly the file's size (at least 1 byte for malloc), as libFuzzer does. */
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		abort();
	n = read(fd, buf, st.st_size);
	close(fd);
	if (n != st.st_size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		free(buf);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++)
		if (replay(argv[i]) < 0)
			rc = 1;
	return rc;
}
