/* Logging: --log FILE, --log-format text|json, --debug.
 * Without --log, messages go to stderr only. With --log, errors go to the
 * file (and to stderr unless --log was given by an engine that owns stdio:
 * see log_set_stderr()). In json each line is {"level","msg","time"}. */
#ifndef KEEL_LOG_H
#define KEEL_LOG_H

#include <stdbool.h>
#include "error.h"

enum klog_level { KLOG_DEBUG, KLOG_INFO, KLOG_WARNING, KLOG_ERROR };

/* Open (create/append) the log file now, so it exists even when nothing fails. */
int klog_open(const char *path, bool json, struct kerr **err);
void klog_set_debug(bool on);
bool klog_debug_enabled(void);
/* Whether messages are also copied to stderr (default true). */
void klog_set_stderr(bool on);
void klog(enum klog_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define kdebug(...) do { if (klog_debug_enabled()) klog(KLOG_DEBUG, __VA_ARGS__); } while (0)
#define kwarn(...) klog(KLOG_WARNING, __VA_ARGS__)

#endif
