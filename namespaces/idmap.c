/* Idmapped bind mounts ("idmap"/"ridmap"): a throwaway user namespace with
 * the mount's uidMappings/gidMappings is attached to a detached clone of the
 * source tree (mount_setattr MOUNT_ATTR_IDMAP), which is then moved into
 * place. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rootfs_internal.h"
#include "../runtime/util.h"

static int write_map(const char *pid, const char *file, const struct spec_idmap *m, size_t n)
{
	char path[64], line[96];
	_cleanup_free_ char *buf = xstrdup("");
	struct kerr *e = NULL;

	for (size_t i = 0; i < n; i++) {
		char *nb;

		snprintf(line, sizeof(line), "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
		nb = xasprintf("%s%s", buf, line);
		free(buf);
		buf = nb;
	}
	snprintf(path, sizeof(path), "%s/%s", pid, file);
	if (proc_write(path, buf, &e) < 0) {
		errno = e->errnum ? e->errnum : EIO;
		kerr_free(&e);
		return -1;
	}
	return 0;
}

/* A user namespace with the mount's mappings, held by an fd. */
static int idmap_userns(const struct spec_mount *m)
{
	int go[2], back[2], saved, fd = -1, proc;
	char self[32] = "", c;
	struct kerr *e = NULL;
	ssize_t n;
	pid_t pid;

	/* Opened before the fork: the child names itself through it. */
	proc = procfs_root(&e);
	if (proc < 0) {
		errno = e->errnum ? e->errnum : EXDEV;
		kerr_free(&e);
		return -1;
	}
	if (pipe2(go, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(back, O_CLOEXEC) < 0) {
		close(go[0]);
		close(go[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		/* Exists only so its user namespace can be opened. Its pid as
		 * the procfs handle knows it (we may be in a pid namespace the
		 * handle is not of) tells the parent where it is, and that
		 * unshare is done. */
		close(go[1]);
		close(back[0]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		n = readlinkat(proc, "self", self, sizeof(self) - 1);
		if (n <= 0 || write(back[1], self, n) != n)
			_exit(1);
		close(back[1]);
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	saved = errno;
	close(go[0]);
	close(back[1]);
	if (pid < 0) {
		close(go[1]);
		close(back[0]);
		errno = saved;
		return -1;
	}
	n = read(back[0], self, sizeof(self) - 1);
	close(back[0]);
	if (n <= 0) {
		errno = ECHILD;
		goto out;
	}
	self[n] = '\0';
	if (write_map(self, "uid_map", m->uid_mappings, m->n_uid_mappings) < 0 ||
	    write_map(self, "gid_map", m->gid_mappings, m->n_gid_mappings) < 0)
		goto out;
	fd = proc_open_ns(self, "user", &e);
	if (fd < 0) {
		errno = e->errnum ? e->errnum : EXDEV;
		kerr_free(&e);
	}
out:
	saved = errno;
	close(go[1]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	errno = saved;
	return fd;
}

int mnt_bind_idmapped(const struct spec_mount *m, int srcfd, int dstfd, bool recursive,
		      bool idmap_recursive, unsigned long flags, struct kerr **err)
{
	_cleanup_close_ int userns = -1, tree = -1;
	struct mount_attr attr = { 0 };

	if (!m->n_uid_mappings || !m->n_gid_mappings)
		return kerr_set(err, EINVAL, "idmap needs uidMappings and gidMappings on the mount");
	userns = idmap_userns(m);
	if (userns < 0)
		return kerr_errno(err, "user namespace for the id mapping");
	tree = open_tree(srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
			 (recursive ? AT_RECURSIVE : 0));
	if (tree < 0)
		return kerr_errno(err, "clone the source");
	attr.attr_set = MOUNT_ATTR_IDMAP;
	attr.userns_fd = userns;
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (idmap_recursive ? AT_RECURSIVE : 0),
			  &attr, sizeof(attr)) < 0)
		return kerr_errno(err, "idmap");
	if (mnt_setattr(tree, flags, false) < 0)
		return kerr_errno(err, "mount flags");
	if (move_mount(tree, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return kerr_errno(err, "attach");
	return 0;
}
