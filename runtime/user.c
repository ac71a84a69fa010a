/* The container's user: names and groups come from the container's own
 * /etc/passwd and /etc/group (opened under the rootfs fd, never the host's
 * NSS), then setgroups/setresgid/setresuid keeping capabilities. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "process.h"
#include "util.h"

struct pw_entry {
	char *name;
	uid_t uid;
	gid_t gid;
	char *home;
};

static void pw_entry_clear(struct pw_entry *e)
{
	free(e->name);
	free(e->home);
	memset(e, 0, sizeof(*e));
}

/* Open a file under rootfd without ever leaving it: symlinks and ".." are
 * resolved inside the root. Returns NULL with errno set. */
static FILE *fopen_in_root(int rootfd, const char *name)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;
	FILE *f;

	fd = syscall(SYS_openat2, rootfd, name, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		fd = openat(rootfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f) {
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return f;
}

static int parse_id(const char *s, uint32_t *out)
{
	unsigned long long v;

	if (!s || !*s || parse_u64(s, &v) < 0 || v > UINT32_MAX - 1)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Split a colon-separated line in place; returns the number of fields. */
static int split_fields(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		fields[n++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

/* Open /<rel> of the container's root: 1 with *f set, 0 when it does not
 * exist (a rootfs without /etc/passwd or /etc/group), -1 on an error. */
static int open_db(int rootfd, const char *rel, FILE **f, struct kerr **err)
{
	*f = fopen_in_root(rootfd, rel);
	if (*f)
		return 1;
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	return kerr_errno(err, "open /%s in the container", rel);
}

/* Find a passwd entry by name (name != NULL) or by uid. 1 found, 0 not
 * found (including no /etc/passwd), -1 on a read error. */
static int passwd_find(int rootfd, const char *name, uid_t uid, struct pw_entry *out,
		       struct kerr **err)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int r = open_db(rootfd, "etc/passwd", &f, err);

	if (r <= 0)
		return r;
	while (getline(&line, &cap, f) >= 0) {
		char *fl[7];
		uint32_t pu, pg;
		int n;

		if (line[0] == '#')
			continue;
		n = split_fields(line, fl, 7);
		if (n < 4 || parse_id(fl[2], &pu) < 0 || parse_id(fl[3], &pg) < 0)
			continue;
		if (name ? strcmp(fl[0], name) != 0 : pu != uid)
			continue;
		out->name = xstrdup(fl[0]);
		out->uid = pu;
		out->gid = pg;
		out->home = n > 5 ? xstrdup(fl[5]) : NULL;
		return 1;
	}
	return 0;
}

char *process_user_name(int rootfd, uid_t uid)
{
	struct pw_entry e = { 0 };
	struct kerr *err = NULL;
	char *name;

	if (passwd_find(rootfd, NULL, uid, &e, &err) <= 0) {
		kerr_free(&err);
		return NULL;
	}
	name = e.name;
	e.name = NULL;
	pw_entry_clear(&e);
	return name;
}

/* Look up a group by name; 1 found, 0 not, -1 on error. */
static int group_lookup(int rootfd, const char *name, gid_t *gid, struct kerr **err)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int r = open_db(rootfd, "etc/group", &f, err);

	if (r <= 0)
		return r;
	while (getline(&line, &cap, f) >= 0) {
		char *fl[4];
		uint32_t g;

		if (line[0] == '#' || split_fields(line, fl, 4) < 3)
			continue;
		if (strcmp(fl[0], name) != 0 || parse_id(fl[2], &g) < 0)
			continue;
		*gid = g;
		return 1;
	}
	return 0;
}

static void add_group(struct process_ids *ids, gid_t g)
{
	for (size_t i = 0; i < ids->n_groups; i++)
		if (ids->groups[i] == g)
			return;
	ids->groups = xrealloc(ids->groups, (ids->n_groups + 1) * sizeof(gid_t));
	ids->groups[ids->n_groups++] = g;
}

/* Add every group of /etc/group whose member list names `user`. */
static int add_member_groups(int rootfd, const char *user, struct process_ids *ids,
			     struct kerr **err)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int r = open_db(rootfd, "etc/group", &f, err);

	if (r <= 0)
		return r;
	while (getline(&line, &cap, f) >= 0) {
		char *fl[4], *save = NULL, *m;
		uint32_t g;

		if (line[0] == '#' || split_fields(line, fl, 4) < 4)
			continue;
		if (parse_id(fl[2], &g) < 0)
			continue;
		for (m = strtok_r(fl[3], ",", &save); m; m = strtok_r(NULL, ",", &save))
			if (strcmp(m, user) == 0) {
				add_group(ids, g);
				break;
			}
	}
	return 0;
}

int process_resolve_user(int rootfd, const struct spec_user *u, struct process_ids *ids,
			 struct kerr **err)
{
	struct pw_entry pw = { 0 };
	int r;

	memset(ids, 0, sizeof(*ids));
	ids->uid = u->uid;
	ids->gid = u->gid;
	if (u->username) {
		r = passwd_find(rootfd, u->username, 0, &pw, err);
		if (r < 0)
			return -1;
		if (r == 0)
			return kerr_set(err, 0, "user `%s`: no such user in the container's /etc/passwd",
					u->username);
		ids->uid = pw.uid;
		ids->gid = pw.gid;
	} else {
		r = passwd_find(rootfd, NULL, u->uid, &pw, err);
		if (r < 0)
			return -1;
	}
	for (size_t i = 0; i < u->n_additional_gids; i++)
		add_group(ids, u->additional_gids[i]);
	if (pw.name && add_member_groups(rootfd, pw.name, ids, err) < 0) {
		pw_entry_clear(&pw);
		process_ids_free(ids);
		return -1;
	}
	ids->home = xstrdup(pw.home && *pw.home ? pw.home : "/");
	pw_entry_clear(&pw);
	return 0;
}

int process_parse_user_arg(int rootfd, const char *arg, struct spec_user *u, struct kerr **err)
{
	_cleanup_free_ char *user = NULL;
	struct pw_entry pw = { 0 };
	char *group;
	uint32_t id;
	int r;

	if (!arg || !*arg)
		return kerr_set(err, EINVAL, "user `%s`", arg ? arg : "");
	user = xstrdup(arg);
	group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	if (!*user || (group && !*group))
		return kerr_set(err, EINVAL, "user `%s`: expected uid[:gid] or name[:group]", arg);

	if (parse_id(user, &id) == 0) {
		/* Numeric, like runc and crun: gid 0 unless given, whatever
		 * /etc/passwd says (which may not even list the uid). */
		u->uid = id;
		u->gid = 0;
	} else {
		r = passwd_find(rootfd, user, 0, &pw, err);
		if (r < 0)
			return kerr_wrap(err, "user `%s`", arg);
		if (r == 0)
			return kerr_set(err, 0, "user `%s`: no such user in the container's /etc/passwd",
					user);
		u->uid = pw.uid;
		u->gid = pw.gid;
	}
	pw_entry_clear(&pw);

	if (group) {
		gid_t g = 0;

		if (parse_id(group, &id) == 0) {
			u->gid = id;
		} else {
			r = group_lookup(rootfd, group, &g, err);
			if (r < 0)
				return kerr_wrap(err, "user `%s`", arg);
			if (r == 0)
				return kerr_set(err, 0, "group `%s`: no such group in the container's /etc/group",
						group);
			u->gid = g;
		}
	}
	return 0;
}

int process_set_user(const struct process_ids *ids, const struct spec_user *u, struct kerr **err)
{
	if (setgroups(ids->n_groups, ids->groups) < 0) {
		/* In a user namespace with setgroups "deny" we cannot even clear
		 * the list; that is fine when no groups were asked for. */
		if (!(errno == EPERM && ids->n_groups == 0))
			return kerr_errno(err, "setgroups (%zu groups)", ids->n_groups);
		kdebug("setgroups denied, no supplementary groups needed");
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return kerr_errno(err, "prctl(PR_SET_KEEPCAPS)");
	if (setresgid(ids->gid, ids->gid, ids->gid) < 0)
		return kerr_errno(err, "setresgid(%u)", (unsigned)ids->gid);
	if (setresuid(ids->uid, ids->uid, ids->uid) < 0)
		return kerr_errno(err, "setresuid(%u)", (unsigned)ids->uid);
	umask(u && u->has_umask ? (mode_t)u->umask : 0022);
	return 0;
}

void process_ids_free(struct process_ids *ids)
{
	if (!ids)
		return;
	free(ids->groups);
	free(ids->home);
	ids->groups = NULL;
	ids->home = NULL;
	ids->n_groups = 0;
}
