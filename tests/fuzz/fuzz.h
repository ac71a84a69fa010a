/* Shared by the fuzz targets (tests/fuzz/fuzz_*.c): each defines
 * LLVMFuzzerTestOneInput, linked either with libFuzzer (`make fuzz`) or with
 * replay.c (`make check` replays tests/fuzz/corpus/<target>/ under ASan).
 * A broken invariant aborts, so both report it as a crash. */
#ifndef KEEL_FUZZ_H
#define KEEL_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

/* Split data at `sep` into exactly-sized NUL-terminated strings (so ASan sees
 * any read past one), at most `max`; returns the count. Free with fuzz_strv_free. */
static inline size_t fuzz_split(const uint8_t *data, size_t size, char sep, char **out,
				size_t max)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= size && n < max; i++) {
		if (i < size && data[i] != (uint8_t)sep)
			continue;
		out[n] = malloc(i - start + 1);
		if (!out[n])
			abort();
		memcpy(out[n], data + start, i - start);
		out[n][i - start] = '\0';
		n++;
		start = i + 1;
	}
	return n;
}

/* The deepest bracket nesting of JSON text up to its first NUL, strings and
 * escapes skipped; -1 when it has a '/' outside strings (a comment: not
 * worth a second comment parser here). The targets check with it that
 * input nested deeper than SPEC_JSON_MAX_DEPTH is refused as such. */
static inline int fuzz_json_depth(const uint8_t *data, size_t size)
{
	int depth = 0, max = 0;
	bool str = false;

	for (size_t i = 0; i < size && data[i]; i++) {
		if (str) {
			if (data[i] == '\\')
				i++;
			else if (data[i] == '"')
				str = false;
		} else if (data[i] == '/') {
			return -1;
		} else if (data[i] == '"') {
			str = true;
		} else if (data[i] == '[' || data[i] == '{') {
			if (++depth > max)
				max = depth;
		} else if ((data[i] == ']' || data[i] == '}') && depth) {
			depth--;
		}
	}
	return max;
}

static inline void fuzz_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

#endif
