#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static int log_fd = -1;
static bool log_json;
static bool log_debug;
static bool log_stderr = true;

static const char *const level_names[] = { "debug", "info", "warning", "error" };

int klog_open(const char *path, bool json, struct kerr **err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return kerr_errno(err, "open log file `%s`", path);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	log_json = json;
	return 0;
}

void klog_set_debug(bool on) { log_debug = on; }
bool klog_debug_enabled(void) { return log_debug; }
void klog_set_stderr(bool on) { log_stderr = on; }

/* JSON string escaping for the log line (RFC 8259). */
static void json_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static void write_log_line(enum klog_level level, const char *msg)
{
	_cleanup_free_ char *now = rfc3339_now();
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	if (!f)
		return;
	/* Errors read the same as on stderr (`keel: <what>: <why>`): engines show
	 * them. In json a failure is one line holding one object: podman parses
	 * the whole (per-container) file as a single object, containerd's shim
	 * takes the last error line. */
	if (log_json) {
		fprintf(f, "{\"level\":\"%s\",\"msg\":\"", level_names[level]);
		if (level == KLOG_ERROR)
			fputs("keel: ", f);
		json_escape(f, msg);
		fprintf(f, "\",\"time\":\"%s\"}\n", now);
	} else {
		fprintf(f, "%s %s: %s%s\n", now, level_names[level],
			level == KLOG_ERROR ? "keel: " : "", msg);
	}
	fclose(f);
	/* One write per line: concurrent keel processes append whole lines. */
	(void)!write(log_fd, line, len);
	free(line);
}

void klog(enum klog_level level, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	if (level == KLOG_DEBUG && !log_debug)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	if (log_fd >= 0)
		write_log_line(level, msg);
	if (log_stderr || log_fd < 0) {
		if (level == KLOG_ERROR)
			fprintf(stderr, "keel: %s\n", msg);
		else
			fprintf(stderr, "keel: %s: %s\n", level_names[level], msg);
	}
}
