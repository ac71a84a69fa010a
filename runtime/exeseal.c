/* Keeping the host's keel binary out of a container's reach (CVE-2019-5736).
 *
 * keel never re-execs itself: the container's init and the exec'd process
 * are clones of the keel process, so until they execve the user's program
 * their /proc/<pid>/exe is the host's keel binary. A container process that
 * opens it (even O_PATH, to reopen it for writing through /proc/self/fd once
 * keel has exited) can overwrite keel on the host.
 *
 * The kernel lets a process follow /proc/<pid>/exe of another only if
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS) allows it; for a non-dumpable
 * target that needs CAP_SYS_PTRACE in the user namespace of the target's mm,
 * which for keel's clones is the host's (the mm was made by keel's execve).
 * So, in order of cost:
 *   1. Always: the clones are non-dumpable while they run keel code in the
 *      container (exeseal_nondumpable). execve of the user's program resets
 *      it. This closes the hole unless a container process can hold
 *      CAP_SYS_PTRACE in the host's user namespace.
 *   2. Nothing more when the binary cannot be written through that link
 *      anyway: it lives on a read-only mount, or it already is our sealed
 *      copy.
 *   3. Otherwise, when the container shares the host's user namespace and
 *      one of its processes may hold CAP_SYS_PTRACE, or when keel's clone
 *      joins a pid namespace that existing processes already live in (create
 *      joining a pid namespace, or none), keel re-execs itself once from a
 *      memfd copy sealed against any change (F_SEAL_SEAL|SHRINK|GROW|WRITE).
 *      The seals are the marker: a sealed /proc/self/exe is not copied again.
 * The decision is made before anything is created, so the re-exec'd keel
 * simply starts the command over. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lifecycle.h"
#include "log.h"
#include "util.h"

#define EXESEAL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define CAP_SYS_PTRACE_BIT 19

extern char **environ;
static char **saved_argv;

void exeseal_save_argv(char **argv)
{
	/* No copy on the start path: the CLI parser never permutes or edits
	 * main's argv, which the kernel NULL-terminates. */
	saved_argv = argv;
}

void exeseal_nondumpable(void)
{
	/* Cannot fail for the values 0 and 1. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Could a process that reaches this executable through /proc/<pid>/exe
 * write to it? Not if it is a fully sealed memfd or on a read-only mount. */
static bool exe_fd_exposed(int fd)
{
	struct statvfs sv;
	int seals = fcntl(fd, F_GET_SEALS);

	if (seals >= 0 && (seals & EXESEAL_SEALS) == EXESEAL_SEALS)
		return false;
	if (fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
		return false;
	return true;
}

bool exeseal_exe_exposed(pid_t pid)
{
	char path[64];
	_cleanup_close_ int fd = -1;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/exe");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	/* Unreadable: assume the worst. */
	return fd < 0 || exe_fd_exposed(fd);
}

bool exeseal_caps_ptrace(const struct spec_process *p)
{
	if (!p->has_capabilities || !p->capabilities.bounding)
		return true;	/* keel keeps all of root's capabilities */
	for (char **c = p->capabilities.bounding; *c; c++)
		if (spec_cap_parse(*c) == CAP_SYS_PTRACE_BIT)
			return true;
	return false;
}

static int copy_all(int dst, int src, struct kerr **err)
{
	struct stat sb;
	off_t left;

	if (fstat(src, &sb) < 0)
		return kerr_errno(err, "stat /proc/self/exe");
	left = sb.st_size;
	while (left > 0) {
		/* sendfile works from any filesystem into a memfd (copy_file_range
		 * may refuse across filesystems). */
		ssize_t n = sendfile(dst, src, NULL, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return kerr_set(err, n < 0 ? errno : EIO, "copy /proc/self/exe into a memfd");
		left -= n;
	}
	return 0;
}

/* Re-exec ourselves, same argv and environment, from a sealed memfd copy.
 * Returns only on failure. */
static int reexec_sealed(int exe, struct kerr **err)
{
	_cleanup_close_ int mfd = -1;

	if (!saved_argv)
		return kerr_set(err, EINVAL, "seal the keel binary: no argv saved");
	mfd = memfd_create("keel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return kerr_errno(err, "seal the keel binary: memfd_create");
	if (copy_all(mfd, exe, err) < 0)
		return kerr_wrap(err, "seal the keel binary");
	if (fcntl(mfd, F_ADD_SEALS, EXESEAL_SEALS) < 0)
		return kerr_errno(err, "seal the keel binary: F_ADD_SEALS");
	kdebug("re-exec from a sealed copy of the keel binary");
	syscall(SYS_execveat, mfd, "", saved_argv, environ, AT_EMPTY_PATH);
	return kerr_errno(err, "seal the keel binary: execveat");
}

int exeseal_ensure(bool needed, struct kerr **err)
{
	_cleanup_close_ int exe = -1;

	if (!needed)
		return 0;
	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return kerr_errno(err, "seal the keel binary: open /proc/self/exe");
	if (!exe_fd_exposed(exe))
		return 0;
	return reexec_sealed(exe, err);
}

/* Is the user namespace at `path` ours? */
static bool same_userns(const char *path)
{
	struct stat a, b;

	return stat(path, &a) == 0 && stat("/proc/self/ns/user", &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool exeseal_create_needed(const struct spec *s)
{
	const struct spec_namespace *user = spec_find_ns(s, NS_USER);
	bool host_userns = !user || (user->path && *user->path && same_userns(user->path));

	if (!host_userns)
		return false;
	/* Joining a pid namespace (or none): other processes see the init. */
	if (!ns_wants_new(s, NS_PID))
		return true;
	/* A new pid namespace: only processes exec'd into the created
	 * container see the init, with the config's bounding set. */
	return exeseal_caps_ptrace(s->process);
}

/* An exec that gives a process CAP_SYS_PTRACE leaves this mark in the state
 * dir: later execs into the container must then seal too. */
#define PTRACE_MARK "ptrace-exec"

int exeseal_exec_check(const struct exeseal_exec *x, bool *needed, struct kerr **err)
{
	bool this_ptrace = exeseal_caps_ptrace(x->proc);

	*needed = false;
	if (!x->host_userns)
		return 0;
	if (this_ptrace) {
		/* A created container's init is still keel, unsealed unless its
		 * own config allowed ptrace: this process could reach it. */
		if (x->created && !exeseal_caps_ptrace(x->spec->process) &&
		    exeseal_exe_exposed(x->init_pid))
			return kerr_set(err, EPERM, "exec: refusing CAP_SYS_PTRACE in container `%s` before it is "
					"started: its init still runs the host's keel binary", x->id);
		if (write_file_atomic_at(x->statedir, PTRACE_MARK, "", 0, 0600, err) < 0)
			return kerr_wrap(err, "exec");
	}
	*needed = this_ptrace || exeseal_caps_ptrace(x->spec->process) ||
		  faccessat(x->statedir, PTRACE_MARK, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	return 0;
}
