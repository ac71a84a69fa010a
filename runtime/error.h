/* keel's one error convention.
 *
 * A failing function fills a struct kerr (errno + message) and returns -1;
 * callers add context on the way up with kerr_wrap() and the top level
 * prints it once, as "keel: <what>: <why>", on stderr and in the log.
 */
#ifndef KEEL_ERROR_H
#define KEEL_ERROR_H

struct kerr {
	int errnum;	/* errno value, 0 when the message says it all */
	char *msg;	/* "<what>", context prefixed by kerr_wrap() */
};

/* Set *err (if not already set) and return -1. */
int kerr_set(struct kerr **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, with errno as the error number. */
#define kerr_errno(err, ...) kerr_set(err, errno, __VA_ARGS__)
/* Prefix the message with "<context>: "; returns -1. */
int kerr_wrap(struct kerr **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The full text, "what: strerror(errnum)"; owned by the caller. */
char *kerr_text(const struct kerr *err);
void kerr_free(struct kerr **err);
/* Hand the error `e` (from a call made with a local kerr) up to *err, unless
 * *err already holds one (then `e` is freed); returns -1. */
int kerr_pass(struct kerr **err, struct kerr *e);

/* Print "keel: <text>" to stderr and to the log; frees *err. */
void kerr_report(struct kerr **err);

#endif
