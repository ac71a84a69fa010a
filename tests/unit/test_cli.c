/* Unit tests for the option parser (runtime/cliparse.c). TAP output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cli.h"
#include "runtime/util.h"
#include "tap.h"

struct vals {
	const char *bundle, *pid_file;
	bool detach, tty, no_subreaper;
	int preserve;
	char **env;
};

static int parse(struct vals *v, char **argv, int *idx, bool *help, char **errmsg)
{
	struct cli_opt opts[] = {
		{ "bundle", 'b', CLI_STR, &v->bundle, "DIR", "bundle" },
		{ "pid-file", 0, CLI_STR, &v->pid_file, "FILE", "pid file" },
		{ "detach", 'd', CLI_FLAG, &v->detach, NULL, "detach" },
		{ "tty", 't', CLI_FLAG, &v->tty, NULL, "tty" },
		{ "no-subreaper", 0, CLI_FLAG, &v->no_subreaper, NULL, "x" },
		{ "preserve-fds", 0, CLI_INT, &v->preserve, "N", "fds" },
		{ "env", 'e', CLI_LIST, &v->env, "K=V", "env" },
		{ 0 },
	};
	struct kerr *err = NULL;
	int argc = 0, r;

	while (argv[argc])
		argc++;
	memset(v, 0, sizeof(*v));
	*idx = 1;
	r = cli_parse("create", opts, argc, argv, idx, help, &err);
	*errmsg = err ? kerr_text(err) : NULL;
	kerr_free(&err);
	return r;
}

#define ARGV(...) ((char *[]){ "create", __VA_ARGS__, NULL })

int main(void)
{
	struct vals v;
	char *msg = NULL;
	bool help = false;
	int idx, r;

	tap_plan(24);

	r = parse(&v, ARGV("--bundle", "/b", "--pid-file=/p", "-d", "id"), &idx, &help, &msg);
	ok(r == 0 && !strcmp(v.bundle, "/b") && !strcmp(v.pid_file, "/p") && v.detach && idx == 5,
	   "two dashes, `--opt value`, `--opt=value`, short flag, stops at id", msg);
	free(msg);

	r = parse(&v, ARGV("-no-subreaper", "-bundle=/x", "-pid-file", "/q", "id"), &idx, &help, &msg);
	ok(r == 0 && v.no_subreaper && !strcmp(v.bundle, "/x") && !strcmp(v.pid_file, "/q") &&
	   idx == 5, "one-dash long options", msg);
	free(msg);

	r = parse(&v, ARGV("-b", "/s", "id"), &idx, &help, &msg);
	ok(r == 0 && !strcmp(v.bundle, "/s") && idx == 3, "short option with separate value", msg);
	free(msg);

	r = parse(&v, ARGV("-b/s2", "id"), &idx, &help, &msg);
	ok(r == 0 && !strcmp(v.bundle, "/s2"), "short option with attached value", msg);
	free(msg);

	r = parse(&v, ARGV("-dt", "id"), &idx, &help, &msg);
	ok(r == 0 && v.detach && v.tty, "cluster of short flags", msg);
	free(msg);

	r = parse(&v, ARGV("-db", "/c", "id"), &idx, &help, &msg);
	ok(r == 0 && v.detach && !strcmp(v.bundle, "/c"), "cluster ending with a valued option", msg);
	free(msg);

	r = parse(&v, ARGV("--detach=false", "--tty=true", "id"), &idx, &help, &msg);
	ok(r == 0 && !v.detach && v.tty, "flag with =true/=false", msg);
	free(msg);

	r = parse(&v, ARGV("--detach=maybe", "id"), &idx, &help, &msg);
	ok(r < 0 && msg && strstr(msg, "invalid value `maybe`"), "bad flag value refused", msg);
	free(msg);

	r = parse(&v, ARGV("--bundle"), &idx, &help, &msg);
	ok(r < 0 && msg && strstr(msg, "`--bundle`") && strstr(msg, "needs a value"),
	   "missing value (long)", msg);
	free(msg);

	r = parse(&v, ARGV("-b"), &idx, &help, &msg);
	ok(r < 0 && msg && strstr(msg, "`-b`") && strstr(msg, "needs a value"),
	   "missing value (short)", msg);
	free(msg);

	r = parse(&v, ARGV("--x", "id"), &idx, &help, &msg);
	ok(r < 0 && msg && !strcmp(msg, "unknown option `--x` for `create`"), "unknown long option",
	   msg);
	free(msg);

	r = parse(&v, ARGV("-z", "id"), &idx, &help, &msg);
	ok(r < 0 && msg && strstr(msg, "unknown option `-z`"), "unknown short option", msg);
	free(msg);

	r = parse(&v, ARGV("--preserve-fds", "3", "id"), &idx, &help, &msg);
	ok(r == 0 && v.preserve == 3, "integer option", msg);
	free(msg);

	r = parse(&v, ARGV("--preserve-fds=three", "id"), &idx, &help, &msg);
	ok(r < 0 && msg && strstr(msg, "`three`"), "bad integer refused", msg);
	free(msg);

	r = parse(&v, ARGV("-e", "A=1", "--env=B=2", "-eC=3", "id"), &idx, &help, &msg);
	ok(r == 0 && strv_len(v.env) == 3 && !strcmp(v.env[0], "A=1") && !strcmp(v.env[1], "B=2") &&
	   !strcmp(v.env[2], "C=3"), "repeatable list option", msg);
	free(msg);
	strv_free(v.env);

	r = parse(&v, ARGV("--", "-d"), &idx, &help, &msg);
	ok(r == 0 && !v.detach && idx == 2, "`--` ends options", msg);
	free(msg);

	r = parse(&v, ARGV("id", "-d"), &idx, &help, &msg);
	ok(r == 0 && !v.detach && idx == 1, "options after the first argument are left alone", msg);
	free(msg);

	help = false;
	r = parse(&v, ARGV("--help"), &idx, &help, &msg);
	ok(r == 0 && help, "--help", msg);
	free(msg);
	help = false;
	r = parse(&v, ARGV("-h"), &idx, &help, &msg);
	ok(r == 0 && help, "-h", msg);
	free(msg);
	r = parse(&v, ARGV("--help"), &idx, NULL, &msg);
	ok(r < 0, "--help unknown where help is not offered", msg);
	free(msg);

	ok(cli_parse_duration("5s") == 5000 && cli_parse_duration("500ms") == 500 &&
	   cli_parse_duration("2m") == 120000 && cli_parse_duration("1m30s") == 90000 &&
	   cli_parse_duration("1.5s") == 1500, "durations", NULL);
	ok(cli_parse_duration("5") < 0 && cli_parse_duration("") < 0 && cli_parse_duration("s") < 0 &&
	   cli_parse_duration("5x") < 0, "bad durations refused", NULL);
	{
		long long b = 0, c = 0, d = 0, e = 0;

		ok(cli_parse_size("512m", &b) == 0 && b == 512LL << 20 && cli_parse_size("1G", &c) == 0 &&
		   c == 1LL << 30 && cli_parse_size("4096", &d) == 0 && d == 4096 &&
		   cli_parse_size("-1", &e) == 0 && e == -1, "sizes", NULL);
		ok(cli_parse_size("12q", &b) < 0 && cli_parse_size("", &b) < 0 &&
		   cli_parse_size("-5", &b) < 0 && cli_parse_size("99999999999999999t", &b) < 0,
		   "bad sizes refused", NULL);
	}
	return tap_done();
}
