/* The command-line option parser (separate from cli.c so tests link it alone). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static const struct cli_opt *find_long(const struct cli_opt *opts, const char *name, size_t len)
{
	for (; opts && opts->name; opts++) {
		if (strlen(opts->name) == len && !strncmp(opts->name, name, len))
			return opts;
	}
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *opts, char c)
{
	for (; opts && opts->name; opts++) {
		if (opts->short_name && opts->short_name == c)
			return opts;
	}
	return NULL;
}

static int set_value(const char *cmd, const struct cli_opt *o, const char *spelled,
		     const char *value, struct kerr **err)
{
	long long n;

	switch (o->kind) {
	case CLI_FLAG:
		if (!value || !strcmp(value, "true") || !strcmp(value, "1"))
			*(bool *)o->dest = true;
		else if (!strcmp(value, "false") || !strcmp(value, "0"))
			*(bool *)o->dest = false;
		else
			return kerr_set(err, 0, "invalid value `%s` for `%s` of `%s`: expected true or false",
					value, spelled, cmd);
		return 0;
	case CLI_STR:
		*(const char **)o->dest = value;
		return 0;
	case CLI_INT:
		if (parse_i64(value, &n) < 0 || n < 0 || n > 1 << 30)
			return kerr_set(err, 0, "invalid value `%s` for `%s` of `%s`: expected a number",
					value, spelled, cmd);
		*(int *)o->dest = (int)n;
		return 0;
	case CLI_LIST: {
		char ***list = o->dest;
		size_t len = strv_len(*list);

		*list = xrealloc(*list, (len + 2) * sizeof(char *));
		(*list)[len] = xstrdup(value);
		(*list)[len + 1] = NULL;
		return 0;
	}
	}
	return 0;
}

static bool is_help(const char *name, size_t len)
{
	return (len == 4 && !strncmp(name, "help", 4)) || (len == 1 && name[0] == 'h');
}

static int parse_long(const char *cmd, const struct cli_opt *opts, const char *arg,
		      const char *name, int argc, char **argv, int *idx, bool *help,
		      struct kerr **err)
{
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_opt *o = find_long(opts, name, len);
	_cleanup_free_ char *spelled = xasprintf("--%.*s", (int)len, name);
	const char *value = eq ? eq + 1 : NULL;

	if (!o) {
		if (help && is_help(name, len) && !eq) {
			*help = true;
			return 0;
		}
		return kerr_set(err, 0, "unknown option `%s` for `%s`", arg, cmd);
	}
	if (o->kind != CLI_FLAG && !value) {
		if (*idx + 1 >= argc)
			return kerr_set(err, 0, "option `%s` of `%s` needs a value", spelled, cmd);
		value = argv[++*idx];
	}
	return set_value(cmd, o, spelled, value, err);
}

static int parse_short(const char *cmd, const struct cli_opt *opts, const char *arg,
		       int argc, char **argv, int *idx, bool *help, struct kerr **err)
{
	const char *p;

	for (p = arg + 1; *p; p++) {
		const struct cli_opt *o = find_short(opts, *p);
		char spelled[3] = { '-', *p, '\0' };

		if (!o) {
			if (help && *p == 'h') {
				*help = true;
				continue;
			}
			return kerr_set(err, 0, "unknown option `%s` for `%s`",
					p == arg + 1 ? arg : spelled, cmd);
		}
		if (o->kind == CLI_FLAG) {
			if (set_value(cmd, o, spelled, NULL, err) < 0)
				return -1;
			continue;
		}
		/* -bDIR, -b=DIR or -b DIR */
		if (p[1])
			return set_value(cmd, o, spelled, p[1] == '=' ? p + 2 : p + 1, err);
		if (*idx + 1 >= argc)
			return kerr_set(err, 0, "option `%s` of `%s` needs a value", spelled, cmd);
		return set_value(cmd, o, spelled, argv[++*idx], err);
	}
	return 0;
}

int cli_parse(const char *cmd, const struct cli_opt *opts, int argc, char **argv, int *idx,
	      bool *help, struct kerr **err)
{
	for (; *idx < argc; ++*idx) {
		const char *arg = argv[*idx];

		if (!strcmp(arg, "--")) {
			++*idx;
			break;
		}
		if (arg[0] != '-' || !arg[1])
			break;
		if (arg[1] == '-') {
			if (parse_long(cmd, opts, arg, arg + 2, argc, argv, idx, help, err) < 0)
				return -1;
			continue;
		}
		/* One dash: a long name (-no-subreaper, -bundle=x) wins over a cluster. */
		if (arg[2]) {
			const char *eq = strchr(arg + 1, '=');
			size_t len = eq ? (size_t)(eq - arg - 1) : strlen(arg + 1);

			if (len > 1 && (find_long(opts, arg + 1, len) ||
					(help && is_help(arg + 1, len)))) {
				if (parse_long(cmd, opts, arg, arg + 1, argc, argv, idx, help,
					       err) < 0)
					return -1;
				continue;
			}
		}
		if (parse_short(cmd, opts, arg, argc, argv, idx, help, err) < 0)
			return -1;
	}
	return 0;
}

void cli_print_options(const struct cli_opt *opts)
{
	for (; opts && opts->name; opts++) {
		char left[64];

		if (opts->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", opts->short_name, opts->name,
				 opts->metavar ? " " : "", opts->metavar ? opts->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", opts->name,
				 opts->metavar ? " " : "", opts->metavar ? opts->metavar : "");
		printf("   %-32s %s\n", left, opts->help ? opts->help : "");
	}
	printf("   %-32s %s\n", "-h, --help", "show help");
}


long long cli_parse_duration(const char *s)
{
	static const struct { const char *unit; double ms; } units[] = {
		{ "ns", 1e-6 }, { "us", 1e-3 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 },
	};
	double total = 0;
	const char *p = s;

	if (!s || !*s)
		return -1;
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		size_t i, best = 0, best_len = 0;

		if (end == p || v < 0)
			return -1;
		p = end;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].unit);

			if (!strncmp(p, units[i].unit, l) && l > best_len) {
				best = i;
				best_len = l;
			}
		}
		if (!best_len)
			return -1;
		/* "m" must not eat the "m" of "ms": the longest unit won above. */
		total += v * units[best].ms;
		p += best_len;
	}
	if (total > 1e15)
		return -1;
	return (long long)total;
}

int cli_parse_size(const char *s, long long *out)
{
	char *end;
	long long v, mul = 1;

	if (!s || !*s)
		goto bad;
	if (!strcmp(s, "-1")) {
		*out = -1;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		goto bad;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mul = 1LL << 10; end++; break;
	case 'm': case 'M': mul = 1LL << 20; end++; break;
	case 'g': case 'G': mul = 1LL << 30; end++; break;
	case 't': case 'T': mul = 1LL << 40; end++; break;
	default: goto bad;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || v > (long long)(9223372036854775807LL / mul))
		goto bad;
	*out = v * mul;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
