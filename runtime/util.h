/* Small helpers shared by every module: cleanup attributes, file I/O on
 * dirfds, string building. Everything that can fail takes a struct kerr. */
#ifndef KEEL_UTIL_H
#define KEEL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "error.h"

void cleanup_freep(void *p);
void cleanup_closep(int *fd);
void cleanup_fclosep(FILE **f);
void cleanup_strvp(char ***v);
#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclosep)))
#define _cleanup_strv_ __attribute__((cleanup(cleanup_strvp)))

/* Hand a resource out of a cleanup variable. */
static inline int steal_fd(int *fd) { int r = *fd; *fd = -1; return r; }
static inline void *steal_ptr(void *pp) { void **p = pp; void *r = *p; *p = NULL; return r; }

/* Allocation never fails: out of memory aborts (as crun does). */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void strv_free(char **v);
size_t strv_len(char *const *v);

/* Whole-file I/O relative to a dirfd (AT_FDCWD for plain paths).
 * read_file_at() NUL-terminates; *len (optional) excludes the NUL. */
int read_file_at(int dirfd, const char *name, char **buf, size_t *len, struct kerr **err);
int write_file_at(int dirfd, const char *name, const void *buf, size_t len, struct kerr **err);
/* Write to a temporary name in the same directory, then rename(): readers see
 * the old or the new content, never a torn one. */
int write_file_atomic_at(int dirfd, const char *name, const void *buf, size_t len,
			 mode_t mode, struct kerr **err);

/* Create `name`, which must not exist, and write it: for files in a directory
 * no reader looks at yet (a torn file there only means its writer died). */
int write_file_new_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		      struct kerr **err);

int write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len);

/* Parsing helpers: return 0 on success, -1 (errno=EINVAL/ERANGE) otherwise. */
int parse_u64(const char *s, unsigned long long *out);
int parse_i64(const char *s, long long *out);

/* RFC 3339 time with nanoseconds, UTC, e.g. 2026-11-21T01:03:10.123456789Z */
/* Year, month (1-12) and day (1-31) of day z counted from 1970-01-01. */
void civil_from_days(long long z, int *year, int *month, int *day);
char *rfc3339_now(void);

#endif
