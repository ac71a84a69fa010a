/* Stats in the schema of `runc events --stats` ("data"), from the v2
 * files; what the cgroup does not have (controller not enabled) is left out.
 * cpu: cpu.stat (usec -> ns); memory: memory.current/max/peak/events/stat,
 * memory.swap.*; pids: pids.current/max; blkio: io.stat; hugetlb:
 * hugetlb.<size>.current and .events. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "../runtime/util.h"

/* The whole file, or NULL when it is missing or unreadable. */
static char *slurp(int dirfd, const char *file)
{
	struct kerr *e = NULL;
	char *s = NULL;

	if (cg_read(dirfd, file, &s, &e) < 0) {
		kerr_free(&e);
		return NULL;
	}
	return s;
}

/* "key value" lines: the value of key. */
static bool kv_get(const char *text, const char *key, uint64_t *out)
{
	size_t n = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, n) && p[n] == ' ') {
			*out = strtoull(p + n + 1, NULL, 10);
			return true;
		}
	}
	return false;
}

/* A single-number file; "max" reads as UINT64_MAX (as runc reports it). */
static bool num_get(int dirfd, const char *file, uint64_t *out)
{
	_cleanup_free_ char *s = slurp(dirfd, file);

	if (!s)
		return false;
	*out = !strncmp(s, "max", 3) ? UINT64_MAX : strtoull(s, NULL, 10);
	return true;
}

static void sep(FILE *f, bool *first)
{
	if (!*first)
		fputc(',', f);
	*first = false;
}

/* `<res>.pressure` as runc's "psi": {"some":{"avg10":..,"avg60":..,"avg300":..,
 * "total":..},"full":{..}} (a member of the object `members` tracks);
 * nothing when unreadable. */
static void psi(int fd, const char *file, FILE *f, bool *members)
{
	_cleanup_free_ char *s = slurp(fd, file);
	bool first = true;

	if (!s)
		return;
	for (char *line = s, *nl; line && *line; line = nl) {
		char kind[8], a10[32], a60[32], a300[32];
		unsigned long long total;

		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (sscanf(line, "%7s avg10=%31[0-9.] avg60=%31[0-9.] avg300=%31[0-9.] total=%llu",
			   kind, a10, a60, a300, &total) != 5 ||
		    (strcmp(kind, "some") && strcmp(kind, "full")))
			continue;
		if (first) {
			sep(f, members);
			fputs("\"psi\":{", f);
		} else {
			fputc(',', f);
		}
		fprintf(f, "\"%s\":{\"avg10\":%s,\"avg60\":%s,\"avg300\":%s,\"total\":%llu}",
			kind, a10, a60, a300, total);
		first = false;
	}
	if (!first)
		fputc('}', f);
}

static void cpu_stats(int fd, FILE *f, bool *first)
{
	_cleanup_free_ char *st = slurp(fd, "cpu.stat");
	uint64_t v;
	bool f2 = true;

	if (!st)
		return;
	sep(f, first);
	fputs("\"cpu\":{\"usage\":{", f);
	if (kv_get(st, "usage_usec", &v) && v) {
		fprintf(f, "\"total\":%" PRIu64 ",", v * 1000);
	}
	fprintf(f, "\"kernel\":%" PRIu64 ",", kv_get(st, "system_usec", &v) ? v * 1000 : 0);
	fprintf(f, "\"user\":%" PRIu64 "},\"throttling\":{", kv_get(st, "user_usec", &v) ? v * 1000 : 0);
	if (kv_get(st, "nr_periods", &v) && v) {
		sep(f, &f2);
		fprintf(f, "\"periods\":%" PRIu64, v);
	}
	if (kv_get(st, "nr_throttled", &v) && v) {
		sep(f, &f2);
		fprintf(f, "\"throttledPeriods\":%" PRIu64, v);
	}
	if (kv_get(st, "throttled_usec", &v) && v) {
		sep(f, &f2);
		fprintf(f, "\"throttledTime\":%" PRIu64, v * 1000);
	}
	fputc('}', f);
	f2 = false;
	psi(fd, "cpu.pressure", f, &f2);
	fputc('}', f);
}

static void mem_entry(FILE *f, uint64_t limit, uint64_t usage, bool has_max, uint64_t max,
		      uint64_t failcnt)
{
	fprintf(f, "{\"limit\":%" PRIu64, limit);
	if (usage)
		fprintf(f, ",\"usage\":%" PRIu64, usage);
	if (has_max && max)
		fprintf(f, ",\"max\":%" PRIu64, max);
	fprintf(f, ",\"failcnt\":%" PRIu64 "}", failcnt);
}

static void memory_stats(int fd, FILE *f, bool *first)
{
	_cleanup_free_ char *stat = slurp(fd, "memory.stat"), *ev = slurp(fd, "memory.events");
	uint64_t cur, limit = UINT64_MAX, peak = 0, failcnt = 0, v, scur, smax;
	bool has_peak, f2 = true;

	if (!num_get(fd, "memory.current", &cur))
		return;
	num_get(fd, "memory.max", &limit);
	has_peak = num_get(fd, "memory.peak", &peak);
	if (ev)
		kv_get(ev, "max", &failcnt);
	sep(f, first);
	fputs("\"memory\":{", f);
	if (stat && kv_get(stat, "file", &v) && v)
		fprintf(f, "\"cache\":%" PRIu64 ",", v);
	fputs("\"usage\":", f);
	mem_entry(f, limit, cur, has_peak, peak, failcnt);
	if (num_get(fd, "memory.swap.current", &scur) && num_get(fd, "memory.swap.max", &smax)) {
		/* v1's memsw counted memory+swap; runc reports v2 the same way. */
		uint64_t l = smax == UINT64_MAX || limit == UINT64_MAX ? UINT64_MAX : smax + limit;

		fputs(",\"swap\":", f);
		mem_entry(f, l, scur + cur, false, 0, 0);
	}
	if (stat) {
		fputs(",\"raw\":{", f);
		for (char *line = stat, *nl; *line; line = nl + 1) {
			char *sp = strchr(line, ' ');

			nl = strchr(line, '\n');
			if (!nl)
				nl = line + strlen(line) - 1;
			if (!sp || sp > nl)
				continue;
			sep(f, &f2);
			fprintf(f, "\"%.*s\":%" PRIu64, (int)(sp - line), line,
				(uint64_t)strtoull(sp + 1, NULL, 10));
			if (!nl[1])
				break;
		}
		fputc('}', f);
	}
	f2 = false;
	psi(fd, "memory.pressure", f, &f2);
	fputc('}', f);
}

static void pids_stats(int fd, FILE *f, bool *first)
{
	uint64_t cur, max = 0;

	if (!num_get(fd, "pids.current", &cur))
		return;
	num_get(fd, "pids.max", &max);
	sep(f, first);
	fputs("\"pids\":{", f);
	if (cur)
		fprintf(f, "\"current\":%" PRIu64, cur);
	if (max && max != UINT64_MAX)
		fprintf(f, "%s\"limit\":%" PRIu64, cur ? "," : "", max);
	fputc('}', f);
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N".
 * An empty list is left out (runc's omitempty). */
static void blkio_list(FILE *f, const char *io, const char *name, const char *rkey,
		       const char *wkey, bool *first)
{
	_cleanup_free_ char *list = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&list, &len);
	bool f2 = true;

	if (!m)
		abort();
	for (const char *line = io; line && *line;) {
		unsigned maj, min;
		const char *nl = strchr(line, '\n');
		const char *keys[2] = { rkey, wkey }, *ops[2] = { "Read", "Write" };

		if (sscanf(line, "%u:%u", &maj, &min) == 2) {
			for (int k = 0; k < 2; k++) {
				_cleanup_free_ char *pat = xasprintf(" %s=", keys[k]);
				const char *p = strstr(line, pat);

				if (!p || (nl && p > nl))
					continue;
				sep(m, &f2);
				fprintf(m, "{\"major\":%u,\"minor\":%u,\"op\":\"%s\",\"value\":%llu}",
					maj, min, ops[k], strtoull(p + strlen(pat), NULL, 10));
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (fclose(m) != 0)
		abort();
	if (f2)
		return;
	sep(f, first);
	fprintf(f, "\"%s\":[%s]", name, list);
}

static void blkio_stats(int fd, FILE *f, bool *first)
{
	_cleanup_free_ char *io = slurp(fd, "io.stat");
	bool f2 = true;

	if (!io)
		return;
	sep(f, first);
	fputs("\"blkio\":{", f);
	if (*io) {
		blkio_list(f, io, "ioServiceBytesRecursive", "rbytes", "wbytes", &f2);
		blkio_list(f, io, "ioServicedRecursive", "rios", "wios", &f2);
	}
	psi(fd, "io.pressure", f, &f2);
	fputc('}', f);
}

static void hugetlb_stats(int fd, FILE *f, bool *first)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	bool f2 = true, any = false;
	DIR *d;

	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		_cleanup_free_ char *size = NULL, *evf = NULL, *ev = NULL;
		uint64_t usage = 0, failcnt = 0;

		if (strncmp(de->d_name, "hugetlb.", 8) || n < 17 ||
		    strcmp(de->d_name + n - 8, ".current") || strstr(de->d_name, ".rsvd."))
			continue;
		size = xasprintf("%.*s", (int)(n - 16), de->d_name + 8);
		num_get(fd, de->d_name, &usage);
		evf = xasprintf("hugetlb.%s.events", size);
		ev = slurp(fd, evf);
		if (ev)
			kv_get(ev, "max", &failcnt);
		if (!any) {
			sep(f, first);
			fputs("\"hugetlb\":{", f);
			any = true;
		}
		sep(f, &f2);
		fprintf(f, "\"%s\":{", size);
		if (usage)
			fprintf(f, "\"usage\":%" PRIu64 ",", usage);
		fprintf(f, "\"failcnt\":%" PRIu64 "}", failcnt);
	}
	closedir(d);
	if (any)
		fputc('}', f);
}

char *cgroup_stats_json(struct cgroup *cg, struct kerr **err)
{
	char *buf = NULL;
	size_t len = 0;
	bool first = true;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	fputc('{', f);
	cpu_stats(cg->dirfd, f, &first);
	memory_stats(cg->dirfd, f, &first);
	pids_stats(cg->dirfd, f, &first);
	blkio_stats(cg->dirfd, f, &first);
	hugetlb_stats(cg->dirfd, f, &first);
	fputc('}', f);
	if (fclose(f) != 0)
		abort();
	return buf;
}

int cgroup_oom_kills(struct cgroup *cg, uint64_t *count, struct kerr **err)
{
	_cleanup_free_ char *ev = NULL;

	*count = 0;
	if (!cg_has(cg->dirfd, "memory.events"))
		return 0;	/* no memory controller: nothing was OOM-killed by it */
	if (cg_read(cg->dirfd, "memory.events", &ev, err) < 0)
		return -1;
	kv_get(ev, "oom_kill", count);
	return 0;
}
