/* Unit tests for hooks_run (runtime/hooks.c). TAP output. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime/hooks.h"
#include "runtime/util.h"
#include "tap.h"

static char *run_hook(const char *script, int timeout, const char *state, int *r)
{
	char *args[] = { (char *)"sh", (char *)"-c", (char *)script, NULL };
	char *env[] = { (char *)"HOOKVAR=hv", (char *)"PATH=/usr/bin:/bin", NULL };
	struct spec_hook h = { .path = (char *)"/bin/sh", .args = args, .env = env,
			       .has_timeout = timeout > 0, .timeout = timeout };
	struct spec_hooks hooks = { 0 };
	struct kerr *err = NULL;
	char *text;

	hooks.list[HOOK_CREATE_RUNTIME] = &h;
	hooks.count[HOOK_CREATE_RUNTIME] = 1;
	*r = hooks_run(&hooks, HOOK_CREATE_RUNTIME, state, &err);
	text = err ? kerr_text(err) : NULL;
	kerr_free(&err);
	return text;
}

int main(void)
{
	char tmpl[] = "/tmp/keel-test-hooks.XXXXXX";
	_cleanup_free_ char *out = NULL, *script = NULL, *buf = NULL;
	struct timespec t0, t1;
	char *msg;
	int r;

	tap_plan(10);
	if (!mkdtemp(tmpl))
		abort();
	out = xasprintf("%s/out", tmpl);

	script = xasprintf("cat > %s; echo \"$HOOKVAR\" >> %s", out, out);
	msg = run_hook(script, 0, "{\"id\":\"c1\"}", &r);
	ok(r == 0, "hook succeeds", msg);
	free(msg);
	ok(read_file_at(AT_FDCWD, out, &buf, NULL, NULL) == 0 && !strcmp(buf, "{\"id\":\"c1\"}hv\n"),
	   "state on stdin, env passed", buf);

	msg = run_hook("echo first >&2; echo 'the reason' >&2; exit 3", 0, "{}", &r);
	ok(r < 0 && msg && !strcmp(msg, "hook `/bin/sh` (createRuntime) exited with status 3: the reason"),
	   "non-zero exit names the hook, status and last stderr line", msg);
	free(msg);

	msg = run_hook("exit 4", 0, "{}", &r);
	ok(r < 0 && msg && !strcmp(msg, "hook `/bin/sh` (createRuntime) exited with status 4"),
	   "non-zero exit without stderr", msg);
	free(msg);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	msg = run_hook("sleep 30", 1, "{}", &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ok(r < 0 && msg && !strcmp(msg, "hook `/bin/sh` (createRuntime) timed out after 1 s"),
	   "timeout kills the hook", msg);
	ok(t1.tv_sec - t0.tv_sec < 5, "timeout honoured promptly", NULL);
	free(msg);

	msg = run_hook("exit 0", 0, NULL, &r);
	ok(r == 0, "hook ignoring stdin is fine", msg);
	free(msg);

	{
		/* A hook that never reads a large state must not block or kill us. */
		char *big = xmalloc(300000);

		memset(big, 'x', 299999);
		big[299999] = '\0';
		msg = run_hook("exit 0", 5, big, &r);
		ok(r == 0, "unread large stdin", msg);
		free(msg);
		free(script);
		script = xasprintf("sleep 0.2; wc -c < /dev/stdin > %s", out);
		msg = run_hook(script, 5, big, &r);
		free(buf);
		buf = NULL;
		ok(r == 0 && read_file_at(AT_FDCWD, out, &buf, NULL, NULL) == 0 && atoi(buf) == 299999,
		   "large state fully delivered to a slow reader", buf ? buf : msg);
		free(msg);
		free(big);
	}

	{
		struct spec_hook h = { .path = (char *)"/nonexistent/hook" };
		struct spec_hooks hooks = { 0 };
		struct kerr *err = NULL;
		char *t;

		hooks.list[HOOK_POSTSTOP] = &h;
		hooks.count[HOOK_POSTSTOP] = 1;
		r = hooks_run(&hooks, HOOK_POSTSTOP, "{}", &err);
		t = err ? kerr_text(err) : NULL;
		ok(r < 0 && t && strstr(t, "`/nonexistent/hook` (poststop) exited with status 127") &&
		   strstr(t, "No such file"), "missing hook binary", t);
		free(t);
		kerr_free(&err);
	}
	{
		_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmpl);

		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpl);
	}
	return tap_done();
}
