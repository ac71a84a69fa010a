#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

void cleanup_freep(void *p)
{
	free(*(void **)p);
}

void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

void cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

void cleanup_strvp(char ***v)
{
	strv_free(*v);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

void *xzalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *r;

	if (!s)
		return NULL;
	r = strdup(s);
	if (!r)
		abort();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		len -= r;
	}
	return 0;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, p + got, len - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

int read_file_at(int dirfd, const char *name, char **buf, size_t *len, struct kerr **err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *b;

	if (fd < 0)
		return kerr_errno(err, "open `%s`", name);
	b = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap)
			b = xrealloc(b, cap *= 2);
		r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return kerr_errno(err, "read `%s`", name);
		}
		if (r == 0)
			break;
		n += r;
	}
	b[n] = '\0';
	*buf = b;
	if (len)
		*len = n;
	return 0;
}

int write_file_at(int dirfd, const char *name, const void *buf, size_t len, struct kerr **err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return kerr_errno(err, "open `%s`", name);
	if (write_all(fd, buf, len) < 0)
		return kerr_errno(err, "write `%s`", name);
	return 0;
}

/* Create `name` (O_EXCL or O_TRUNC in `flags`) and write it whole; a failed
 * write removes it again. */
static int create_and_write(int dirfd, const char *name, int flags, const void *buf, size_t len,
			    mode_t mode, struct kerr **err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | flags,
					mode);

	if (fd < 0)
		return kerr_errno(err, "create `%s`", name);
	if (write_all(fd, buf, len) < 0) {
		int saved = errno;

		unlinkat(dirfd, name, 0);
		return kerr_set(err, saved, "write `%s`", name);
	}
	return 0;
}

int write_file_atomic_at(int dirfd, const char *name, const void *buf, size_t len,
			 mode_t mode, struct kerr **err)
{
	_cleanup_free_ char *tmp = xasprintf(".%s.%d.tmp", name, getpid());

	if (create_and_write(dirfd, tmp, O_TRUNC, buf, len, mode, err) < 0)
		return -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int saved = errno;

		unlinkat(dirfd, tmp, 0);
		return kerr_set(err, saved, "rename `%s` to `%s`", tmp, name);
	}
	return 0;
}

int write_file_new_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		      struct kerr **err)
{
	return create_and_write(dirfd, name, O_EXCL, buf, len, mode, err);
}

/* After strtoull/strtoll with errno cleared: the range error, or EINVAL
 * for text after the number. */
static int parsed_whole(const char *end)
{
	if (errno)
		return -1;
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	*out = strtoull(s, &end, 10);
	return parsed_whole(end);
}

int parse_i64(const char *s, long long *out)
{
	char *end;

	if (!s || !*s) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	*out = strtoll(s, &end, 10);
	return parsed_whole(end);
}

/* The proleptic Gregorian date of day `z` counted from 1970-01-01 (the
 * era/day-of-era method: 400-year eras of 146097 days, years from March). */
void civil_from_days(long long z, int *year, int *month, int *day)
{
	long long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;	/* days from 0000-03-01 to 1970-01-01 */
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(yoe + era * 400 + (*month <= 2));
}

char *rfc3339_now(void)
{
	struct timespec ts;
	long long days, secs;
	int y, mo, d;

	/* By hand: glibc's gmtime_r and strftime read /etc/localtime first. */
	clock_gettime(CLOCK_REALTIME, &ts);
	days = ts.tv_sec / 86400;
	secs = ts.tv_sec % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &mo, &d);
	return xasprintf("%04d-%02d-%02dT%02lld:%02lld:%02lld.%09ldZ", y, mo, d, secs / 3600,
			 secs / 60 % 60, secs % 60, ts.tv_nsec);
}
