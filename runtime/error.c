#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "util.h"

static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

int kerr_set(struct kerr **err, int errnum, const char *fmt, ...)
{
	va_list ap;

	/* The first error is the cause; later ones are consequences. */
	if (!err || *err)
		return -1;
	*err = xzalloc(sizeof(**err));
	(*err)->errnum = errnum;
	va_start(ap, fmt);
	(*err)->msg = vformat(fmt, ap);
	va_end(ap);
	return -1;
}

int kerr_wrap(struct kerr **err, const char *fmt, ...)
{
	va_list ap;
	char *ctx, *msg;

	if (!err || !*err)
		return -1;
	va_start(ap, fmt);
	ctx = vformat(fmt, ap);
	va_end(ap);
	msg = xasprintf("%s: %s", ctx, (*err)->msg);
	free(ctx);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

char *kerr_text(const struct kerr *err)
{
	if (!err)
		return xstrdup("unknown error");
	if (err->errnum)
		return xasprintf("%s: %s", err->msg, strerror(err->errnum));
	return xstrdup(err->msg);
}

void kerr_free(struct kerr **err)
{
	if (!err || !*err)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}

int kerr_pass(struct kerr **err, struct kerr *e)
{
	if (err && !*err)
		*err = e;
	else
		kerr_free(&e);
	return -1;
}

void kerr_report(struct kerr **err)
{
	_cleanup_free_ char *text = kerr_text(err ? *err : NULL);

	klog(KLOG_ERROR, "%s", text);
	kerr_free(err);
}
