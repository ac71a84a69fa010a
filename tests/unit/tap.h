/* TAP output for the unit tests: "1..N", "ok N - name",
 * "not ok N - name # why", and an exit status that is non-zero on any failure
 * (or, when a plan was given first, on a count other than the plan).
 * Include it once, from the test's .c file. */
#ifndef KEEL_TESTS_TAP_H
#define KEEL_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/error.h"

static int tap_count, tap_failures, tap_planned = -1;

/* The plan up front: tap_done() then checks that exactly n tests ran. */
static inline void tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

/* One result; why (may be NULL) goes after "# " on a failure. */
static inline void ok(bool cond, const char *name, const char *why)
{
	tap_count++;
	if (cond) {
		printf("ok %d - %s\n", tap_count, name);
	} else {
		printf("not ok %d - %s # %s\n", tap_count, name, why ? why : "");
		tap_failures++;
	}
	fflush(stdout);
}

/* One result whose name is a printf format. */
static inline void okf(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void okf(bool cond, const char *fmt, ...)
{
	char name[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	tap_count++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", tap_count, name);
	if (!cond)
		tap_failures++;
	fflush(stdout);
}

/* The exit status of main(); prints the plan here if none was given first. */
static inline int tap_done(void)
{
	if (tap_planned < 0) {
		printf("1..%d\n", tap_count);
	} else if (tap_count != tap_planned) {
		printf("# planned %d, ran %d\n", tap_planned, tap_count);
		return 1;
	}
	return tap_failures ? 1 : 0;
}

/* fn in a forked child (killed by SIGALRM after `alarm_s` seconds unless 0);
 * returns its wait status. The child exits 0 when fn returns 0. */
static inline int in_child_timed(int (*fn)(void), unsigned alarm_s)
{
	pid_t pid;
	int st = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (alarm_s)
			alarm(alarm_s);
		_exit(fn() == 0 ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return st;
}

static inline int in_child(int (*fn)(void))
{
	return in_child_timed(fn, 0);
}

/* A test that passes when fn, run in a child, returns 0. The child says
 * why it failed on stderr (CHECK). */
static inline void run_timed(const char *name, int (*fn)(void), unsigned alarm_s)
{
	int st = in_child_timed(fn, alarm_s);
	char why[64];

	snprintf(why, sizeof(why), "child failed (status %#x)", (unsigned)st);
	ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, name, why);
}

static inline void run(const char *name, int (*fn)(void))
{
	run_timed(name, fn, 0);
}

/* In a test function run in a child: fail it, naming the condition. */
#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	return 1; } } while (0)

/* An error's text for a "# why" (valid until the next call). */
static inline const char *emsg(struct kerr *e)
{
	static char buf[512];
	char *t;

	if (!e)
		return "no error";
	t = kerr_text(e);
	snprintf(buf, sizeof(buf), "%s", t);
	free(t);
	return buf;
}

/* ok() with the error of a `struct kerr *e` in scope (read after cond ran),
 * then cleared. */
#define OKE(cond, name) do { bool c_ = (cond); ok(c_, name, emsg(e)); kerr_free(&e); } while (0)

#endif
