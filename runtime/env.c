/* The process environment and execve with a PATH search in the container's
 * own PATH (the env being exec'd, not keel's). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Length of the key of "KEY=VALUE" (the whole string when there is no '='). */
static size_t key_len(const char *kv)
{
	return strcspn(kv, "=");
}

static ssize_t find_key(char **v, size_t n, const char *kv)
{
	size_t k = key_len(kv);

	for (size_t i = 0; i < n; i++)
		if (key_len(v[i]) == k && !strncmp(v[i], kv, k))
			return i;
	return -1;
}

char **process_build_env(char *const *env, char *const *extra, const char *home)
{
	size_t n_env = strv_len(env), n_extra = strv_len(extra), n = 0;
	char **v = xzalloc((n_env + n_extra + 3) * sizeof(char *));

	for (size_t i = 0; i < n_env; i++)
		v[n++] = xstrdup(env[i]);
	for (size_t i = 0; i < n_extra; i++) {
		ssize_t at = find_key(v, n, extra[i]);

		if (at >= 0) {
			free(v[at]);
			v[at] = xstrdup(extra[i]);
		} else {
			v[n++] = xstrdup(extra[i]);
		}
	}
	if (find_key(v, n, "PATH=") < 0)
		v[n++] = xstrdup("PATH=" DEFAULT_PATH);
	if (find_key(v, n, "HOME=") < 0)
		v[n++] = xasprintf("HOME=%s", home && *home ? home : "/");
	v[n] = NULL;
	return v;
}

static const char *env_get(char *const *env, const char *key)
{
	size_t k = strlen(key);

	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], key, k) && env[i][k] == '=')
			return env[i] + k + 1;
	return NULL;
}

int process_find_executable(const char *file, char *const *env, struct kerr **err)
{
	const char *path = env_get(env, "PATH");
	_cleanup_free_ char *dirs = NULL;
	char *save = NULL;

	if (strchr(file, '/')) {
		if (access(file, X_OK) < 0)
			return kerr_errno(err, "exec `%s`", file);
		return 0;
	}
	dirs = xstrdup(path ? path : DEFAULT_PATH);
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *full = xasprintf("%s/%s", d, file);
		struct stat sb;

		if (stat(full, &sb) == 0 && S_ISREG(sb.st_mode) && access(full, X_OK) == 0)
			return 0;
	}
	return kerr_set(err, 0, "exec `%s`: executable file not found in $PATH", file);
}

int process_exec(char *const *args, char *const *env, struct kerr **err)
{
	const char *name = args ? args[0] : NULL;
	const char *path, *p;
	int saved = ENOENT;

	if (!name || !*name)
		return kerr_set(err, EINVAL, "exec: process.args is empty");
	if (strchr(name, '/')) {
		execve(name, args, env);
		return kerr_errno(err, "exec `%s`", name);
	}
	path = env_get(env, "PATH");
	if (!path)
		path = DEFAULT_PATH;
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');
		_cleanup_free_ char *file = NULL;

		/* An empty element means the current directory, as in execvp. */
		if (end == p)
			file = xstrdup(name);
		else
			file = xasprintf("%.*s/%s", (int)(end - p), p, name);
		execve(file, args, env);
		switch (errno) {
		case ENOENT:
		case ENOTDIR:
		case ESTALE:
		case ENODEV:
		case ETIMEDOUT:
			break;
		case EACCES:
			/* Keep looking, but report this if nothing else runs. */
			saved = EACCES;
			break;
		default:
			return kerr_errno(err, "exec `%s`", name);
		}
		if (!*end)
			break;
		p = end;
	}
	return kerr_set(err, saved, "exec `%s`", name);
}
