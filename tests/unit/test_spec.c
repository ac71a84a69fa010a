/* spec/: parsing runc's, crun's and keel's default configs, every field of a
 * full config, exact error messages for malformed configs, validation, and the
 * name tables. TAP output. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sched.h>
#include <yajl/yajl_tree.h>

#include "spec/spec.h"
#include "runtime/util.h"
#include "tap.h"

/* JSON written with ' for " to keep the literals readable. */
static char *J(const char *s)
{
	char *r = xstrdup(s), *c;

	for (c = r; *c; c++)
		if (*c == '\'')
			*c = '"';
	return r;
}

static struct spec *parse(const char *json, char **errmsg)
{
	struct spec *s = NULL;
	struct kerr *err = NULL;

	*errmsg = NULL;
	if (spec_parse(json, strlen(json), "config.json", &s, &err) < 0) {
		*errmsg = xstrdup(err ? err->msg : "(no error set)");
		kerr_free(&err);
		if (s)
			*errmsg = xstrdup("spec set on failure");
		return NULL;
	}
	return s;
}

static struct spec *parse_ok(const char *what, const char *json)
{
	char *msg;
	struct spec *s = parse(json, &msg);

	okf(s != NULL, "%s parses%s%s", what, msg ? " # " : "", msg ? msg : "");
	free(msg);
	return s;
}

/* Parse a ' -quoted config and expect exactly `want` as the error. */
static void expect_error(const char *json, const char *want)
{
	char *j = J(json), *msg;
	struct spec *s = parse(j, &msg);

	okf(!s && msg && !strcmp(msg, want), "error: %s%s%s", want, msg && strcmp(msg, want) ? " # got: " : "",
	   msg && strcmp(msg, want) ? msg : "");
	spec_free(s);
	free(msg);
	free(j);
}

static void expect_valid(const char *what, const char *json)
{
	char *j = J(json);
	struct spec *s = parse_ok(what, j);

	spec_free(s);
	free(j);
}

static bool has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* Run `tool spec [args]` in a temporary directory and return config.json. */
static char *tool_spec(const char *tool, const char *arg)
{
	char dir[] = "/tmp/keel-test-spec.XXXXXX", *cmd, *buf = NULL, *path;
	size_t len;
	struct kerr *err = NULL;

	if (!mkdtemp(dir))
		return NULL;
	cmd = xasprintf("cd %s && %s spec %s >/dev/null 2>&1", dir, tool, arg);
	if (system(cmd) == 0) {
		path = xasprintf("%s/config.json", dir);
		if (read_file_at(-100, path, &buf, &len, &err) < 0)
			kerr_free(&err);
		unlink(path);
		free(path);
	}
	rmdir(dir);
	free(cmd);
	return buf;
}

static void test_runc_crun_defaults(void)
{
	const char *tools[] = { "runc", "crun" };
	size_t t;

	for (t = 0; t < 2; t++) {
		char *json = tool_spec(tools[t], "");
		struct spec *s;

		okf(json != NULL, "`%s spec` produced a config", tools[t]);
		if (!json)
			continue;
		s = parse_ok(tools[t], json);
		if (s) {
			struct spec_process *p = s->process;

			okf(s->oci_version && !strcmp(s->root_path, "rootfs") && s->root_readonly,
			   "%s: root", tools[t]);
			okf(p && p->terminal && !strcmp(p->args[0], "sh") && !p->args[1] &&
			   strv_len(p->env) == 2 && !strcmp(p->cwd, "/") && p->user.uid == 0,
			   "%s: process basics", tools[t]);
			okf(p && strv_len(p->capabilities.bounding) == 3 &&
			   has(p->capabilities.effective, "CAP_KILL") &&
			   has(p->capabilities.ambient, "CAP_AUDIT_WRITE"),
			   "%s: capabilities", tools[t]);
			okf(p && p->n_rlimits == 1 && p->rlimits[0].resource == RLIMIT_NOFILE &&
			   p->rlimits[0].hard == 1024 && p->rlimits[0].soft == 1024 &&
			   p->no_new_privileges, "%s: rlimits, noNewPrivileges", tools[t]);
			okf(s->n_mounts == 7 && !strcmp(s->mounts[2].destination, "/dev/pts") &&
			   has(s->mounts[2].options, "newinstance") && s->mounts[0].n_options == 0 &&
			   s->mounts[1].n_options == 4 && !strcmp(s->mounts[6].type, "cgroup"),
			   "%s: mounts", tools[t]);
			okf(s->linux_ && s->linux_->n_namespaces == 5 &&
			   spec_find_ns(s, NS_NETWORK) && !spec_find_ns(s, NS_USER) &&
			   s->linux_->resources && s->linux_->resources->n_devices == 1 &&
			   !s->linux_->resources->devices[0].allow &&
			   !strcmp(s->linux_->resources->devices[0].access, "rwm") &&
			   s->linux_->resources->devices[0].major == -1,
			   "%s: linux namespaces and devices", tools[t]);
			okf(s->linux_ && strv_len(s->linux_->masked_paths) == 10 &&
			   strv_len(s->linux_->readonly_paths) == 5 && s->hostname,
			   "%s: masked and readonly paths, hostname", tools[t]);
		}
		spec_free(s);
		free(json);
	}

	char *json = tool_spec("runc", "--rootless");
	struct spec *s = json ? parse_ok("runc --rootless", json) : NULL;

	okf(s && spec_find_ns(s, NS_USER) && s->linux_->n_uid_mappings == 1 &&
	   !spec_find_ns(s, NS_NETWORK), "runc --rootless: user namespace, mappings");
	spec_free(s);
	free(json);
}

/* runc's default capabilities in bounding, effective and permitted only. */
static bool runc_caps(const struct spec_caps *c)
{
	static const char *const want[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" };
	bool caps = strv_len(c->bounding) == 3 && strv_len(c->effective) == 3 &&
		    strv_len(c->permitted) == 3 && !c->inheritable && !c->ambient;

	for (size_t i = 0; i < 3; i++)
		caps = caps && has(c->bounding, want[i]) && has(c->effective, want[i]) &&
		       has(c->permitted, want[i]);
	return caps;
}

static struct spec *vm_default(const char *what, bool rootless, const char *subuid,
			       const char *subgid)
{
	struct spec_default_opts o = { .rootless = rootless, .vm = true,
				       .subuid = subuid, .subgid = subgid };
	char *json = spec_default_json_opts(&o);
	struct spec *s = parse_ok(what, json);

	free(json);
	return s;
}

static bool idmap_is(const struct spec_idmap *m, size_t n, uint32_t host, uint32_t size)
{
	return n == 1 && m[0].container_id == 0 && m[0].host_id == host && m[0].size == size;
}

static char *write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/keel-test-subid.XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

static void test_vm_defaults(void)
{
	static const enum spec_ns_kind all_ns[] = {
		NS_PID, NS_NETWORK, NS_MOUNT, NS_IPC, NS_UTS, NS_USER, NS_CGROUP, NS_TIME
	};
	char *subuid = write_tmp("alice:100000:65536\n# comment\nroot:bad:1\nroot:200000:0\n"
				 "root:300000:1000\nroot:400000:5\n");
	char *subgid = write_tmp("0:500000:70000\n");
	struct spec *s = vm_default("keel spec --vm", false, "/nonexistent/subuid",
				    "/nonexistent/subgid");
	bool ns = true;

	if (s) {
		struct spec_linux *l = s->linux_;

		for (size_t i = 0; i < sizeof(all_ns) / sizeof(all_ns[0]); i++)
			ns = ns && spec_find_ns(s, all_ns[i]);
		okf(ns && l->n_namespaces == 8, "keel spec --vm: every namespace, time included");
		okf(idmap_is(l->uid_mappings, l->n_uid_mappings, 100000, 65536) &&
		   idmap_is(l->gid_mappings, l->n_gid_mappings, 100000, 65536),
		   "keel spec --vm: no subuid/subgid: 0 -> 100000, 65536 ids");
		okf(runc_caps(&s->process->capabilities) && s->process->no_new_privileges,
		   "keel spec --vm: runc's caps, noNewPrivileges");
		okf(l->resources && l->resources->pids.has_limit && l->resources->pids.limit == 4096 &&
		   l->resources->n_devices == 1 && !l->resources->devices[0].allow,
		   "keel spec --vm: pids limit 4096, devices denied");
		okf(!strcmp(s->mounts[5].type, "sysfs") && has(s->mounts[5].options, "ro") &&
		   !strcmp(s->mounts[6].destination, "/sys/fs/cgroup") && has(s->mounts[6].options, "ro") &&
		   strv_len(l->masked_paths) == 11 && strv_len(l->readonly_paths) == 5 && s->root_readonly,
		   "keel spec --vm: /sys and cgroupfs read-only, masked and read-only paths");
		okf(l->seccomp && !strcmp(l->seccomp->default_action, "SCMP_ACT_ERRNO") &&
		   l->seccomp->n_syscalls > 1, "keel spec --vm: a seccomp allowlist");
	}
	spec_free(s);

	/* The first valid range of root (or uid 0) is taken. */
	s = vm_default("keel spec --vm (subuid, subgid)", false, subuid, subgid);
	if (s)
		okf(idmap_is(s->linux_->uid_mappings, s->linux_->n_uid_mappings, 300000, 1000) &&
		   idmap_is(s->linux_->gid_mappings, s->linux_->n_gid_mappings, 500000, 70000),
		   "keel spec --vm: root's ranges from /etc/subuid and /etc/subgid");
	spec_free(s);

	s = vm_default("keel spec --vm --rootless", true, subuid, subgid);
	if (s)
		okf(idmap_is(s->linux_->uid_mappings, s->linux_->n_uid_mappings, getuid(), 1) &&
		   idmap_is(s->linux_->gid_mappings, s->linux_->n_gid_mappings, getgid(), 1) &&
		   !s->linux_->resources && s->linux_->seccomp && spec_find_ns(s, NS_NETWORK) &&
		   !strcmp(s->mounts[5].type, "sysfs") && !has(s->mounts[2].options, "gid=5"),
		   "keel spec --vm --rootless: the caller mapped, no cgroup resources, own sysfs");
	spec_free(s);
	unlink(subuid);
	unlink(subgid);
	free(subuid);
	free(subgid);
}

static void test_keel_defaults(void)
{
	char *json = spec_default_json(false);
	struct spec *s = parse_ok("keel spec", json);
	if (s) {
		okf(runc_caps(&s->process->capabilities),
		   "keel spec: runc's 3 caps, no inheritable or ambient");
		okf(s->process->terminal && !strcmp(s->process->args[0], "sh") &&
		   s->process->no_new_privileges && s->process->n_rlimits == 1 &&
		   s->process->rlimits[0].resource == RLIMIT_NOFILE, "keel spec: process");
		okf(s->linux_->n_namespaces == 6 && spec_find_ns(s, NS_CGROUP) &&
		   spec_find_ns(s, NS_NETWORK) && !spec_find_ns(s, NS_USER), "keel spec: namespaces");
		okf(s->n_mounts == 7 && !strcmp(s->mounts[5].type, "sysfs") &&
		   has(s->mounts[5].options, "ro") && !strcmp(s->mounts[6].destination, "/sys/fs/cgroup") &&
		   !strcmp(s->mounts[6].type, "cgroup") && has(s->mounts[6].options, "ro"),
		   "keel spec: mounts");
		okf(s->linux_->resources && s->linux_->resources->n_devices == 1 &&
		   !s->linux_->resources->devices[0].allow &&
		   !s->linux_->resources->pids.has_limit && !s->linux_->seccomp &&
		   strv_len(s->linux_->masked_paths) == 11 &&
		   has(s->linux_->masked_paths, "/sys/devices/virtual/powercap") &&
		   strv_len(s->linux_->readonly_paths) == 5, "keel spec: devices, masked paths");
	}
	spec_free(s);
	free(json);

	json = spec_default_json(true);
	s = parse_ok("keel spec --rootless", json);
	if (s) {
		okf(spec_find_ns(s, NS_USER) && !spec_find_ns(s, NS_NETWORK) &&
		   s->linux_->n_uid_mappings == 1 && s->linux_->uid_mappings[0].host_id == getuid() &&
		   s->linux_->uid_mappings[0].container_id == 0 &&
		   s->linux_->n_gid_mappings == 1 && s->linux_->gid_mappings[0].host_id == getgid(),
		   "keel spec --rootless: user namespace maps 0 to the caller");
		okf(!strcmp(s->mounts[5].destination, "/sys") && has(s->mounts[5].options, "rbind") &&
		   !has(s->mounts[2].options, "gid=5"), "keel spec --rootless: /sys rbind");
	}
	spec_free(s);
	free(json);
}

static const char full_config[] =
	"{'ociVersion':'1.1.0','root':{'path':'/r','readonly':false},"
	"'hostname':'h','domainname':'d',"
	"'annotations':{'a.b':'c','x':'y'},"
	"'mounts':[{'destination':'/m','type':'bind','source':'/src','options':['rbind','ro'],"
	"  'uidMappings':[{'containerID':0,'hostID':1000,'size':10}],"
	"  'gidMappings':[{'containerID':1,'hostID':2000,'size':20}]}],"
	"'hooks':{'prestart':[{'path':'/bin/true'}],'createRuntime':[{'path':'/a','args':['a','b'],'env':['E=1'],'timeout':5}],"
	"  'createContainer':[{'path':'/b'},{'path':'/c'}],'startContainer':[{'path':'/d'}],"
	"  'poststart':[{'path':'/e'}],'poststop':[{'path':'/f'}]},"
	"'process':{'terminal':true,'consoleSize':{'height':24,'width':80},'cwd':'/w',"
	"  'env':['A=1'],'args':['a','b'],"
	"  'rlimits':[{'type':'RLIMIT_CORE','soft':1,'hard':18446744073709551615}],"
	"  'apparmorProfile':'ap','selinuxLabel':'sl',"
	"  'capabilities':{'bounding':['CAP_SYS_ADMIN'],'effective':[],'inheritable':['CAP_KILL'],'permitted':['CAP_BPF'],'ambient':['CAP_CHOWN']},"
	"  'noNewPrivileges':true,'oomScoreAdj':-500,"
	"  'user':{'uid':1,'gid':2,'umask':18,'additionalGids':[3,4],'username':'u'},"
	"  'scheduler':{'policy':'SCHED_DEADLINE','nice':-5,'priority':3,'flags':['SCHED_FLAG_RESET_ON_FORK'],'runtime':100,'deadline':200,'period':300},"
	"  'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':4},"
	"  'execCPUAffinity':{'initial':'0','final':'0-1'}},"
	"'linux':{'namespaces':[{'type':'pid'},{'type':'network','path':'/proc/1/ns/net'},{'type':'mount'},"
	"   {'type':'ipc'},{'type':'uts'},{'type':'user'},{'type':'cgroup'},{'type':'time'}],"
	"  'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
	"  'gidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
	"  'timeOffsets':{'monotonic':{'secs':-10,'nanosecs':5},'boottime':{'secs':20}},"
	"  'devices':[{'type':'c','path':'/dev/x','major':1,'minor':3,'fileMode':438,'uid':0,'gid':5},{'type':'p','path':'/dev/f'}],"
	"  'cgroupsPath':'/k/c',"
	"  'resources':{'devices':[{'allow':false,'access':'rwm'},{'allow':true,'type':'c','major':1,'minor':-1,'access':'rw'}],"
	"    'memory':{'limit':1000,'reservation':500,'swap':-1,'kernel':7,'kernelTCP':8,'swappiness':60,'disableOOMKiller':true,'useHierarchy':false,'checkBeforeUpdate':true},"
	"    'cpu':{'shares':1024,'quota':50000,'burst':10,'period':100000,'realtimeRuntime':-1,'realtimePeriod':3,'cpus':'0-1','mems':'0','idle':1},"
	"    'pids':{'limit':-1},"
	"    'blockIO':{'weight':500,'leafWeight':300,'weightDevice':[{'major':8,'minor':0,'weight':100}],"
	"       'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1000}],'throttleWriteBpsDevice':[{'major':8,'minor':1,'rate':2000}],"
	"       'throttleReadIOPSDevice':[{'major':8,'minor':2,'rate':3000}],'throttleWriteIOPSDevice':[{'major':8,'minor':3,'rate':4000}]},"
	"    'hugepageLimits':[{'pageSize':'2MB','limit':4096}],"
	"    'network':{'classID':7,'priorities':[{'name':'eth0','priority':9}]},"
	"    'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000}},"
	"    'unified':{'memory.high':'max'}},"
	"  'rootfsPropagation':'rslave',"
	"  'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'architectures':['SCMP_ARCH_X86_64'],"
	"    'flags':['SECCOMP_FILTER_FLAG_LOG'],'listenerPath':'/l','listenerMetadata':'md',"
	"    'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW','errnoRet':2,"
	"       'args':[{'index':1,'value':18446744073709551615,'valueTwo':2,'op':'SCMP_CMP_MASKED_EQ'}]}]},"
	"  'sysctl':{'net.ipv4.ip_forward':'1','kernel.shmmax':'1000','kernel.domainname':'x'},"
	"  'maskedPaths':['/proc/kcore'],'readonlyPaths':['/proc/sys'],'mountLabel':'ml',"
	"  'personality':{'domain':'LINUX32','flags':[]},"
	"  'intelRdt':{'closID':'g1','l3CacheSchema':'L3:0=ff','memBwSchema':'MB:0=50','enableCMT':true}},"
	"'unknownField':{'ignored':[1,2,3]}}";

static void test_full(void)
{
	char *j = J(full_config);
	struct spec *s = parse_ok("full config", j);
	struct spec_process *p;
	struct spec_linux *l;
	struct spec_resources *r;

	free(j);
	if (!s)
		return;
	p = s->process;
	l = s->linux_;
	r = l->resources;
	okf(!strcmp(s->oci_version, "1.1.0") && !strcmp(s->root_path, "/r") && !s->root_readonly &&
	   !strcmp(s->hostname, "h") && !strcmp(s->domainname, "d"), "full: top level");
	okf(s->n_annotations == 2 && !strcmp(spec_annotation(s, "a.b"), "c") &&
	   !spec_annotation(s, "nope"), "full: annotations");
	okf(s->n_mounts == 1 && !strcmp(s->mounts[0].type, "bind") &&
	   !strcmp(s->mounts[0].source, "/src") && s->mounts[0].n_options == 2 &&
	   s->mounts[0].n_uid_mappings == 1 && s->mounts[0].uid_mappings[0].host_id == 1000 &&
	   s->mounts[0].gid_mappings[0].size == 20, "full: mounts");
	okf(s->hooks.count[HOOK_PRESTART] == 1 && s->hooks.count[HOOK_CREATE_CONTAINER] == 2 &&
	   s->hooks.list[HOOK_CREATE_RUNTIME][0].has_timeout &&
	   s->hooks.list[HOOK_CREATE_RUNTIME][0].timeout == 5 &&
	   !strcmp(s->hooks.list[HOOK_CREATE_RUNTIME][0].args[1], "b") &&
	   !strcmp(s->hooks.list[HOOK_POSTSTOP][0].path, "/f") &&
	   s->hooks.count[HOOK_START_CONTAINER] == 1 && s->hooks.count[HOOK_POSTSTART] == 1 &&
	   !s->hooks.list[HOOK_PRESTART][0].has_timeout, "full: hooks");
	okf(p->terminal && p->has_console_size && p->console_height == 24 && p->console_width == 80 &&
	   !strcmp(p->cwd, "/w") && !strcmp(p->env[0], "A=1") && !strcmp(p->args[1], "b"),
	   "full: process basics");
	okf(p->n_rlimits == 1 && p->rlimits[0].resource == RLIMIT_CORE &&
	   p->rlimits[0].hard == UINT64_MAX && p->rlimits[0].soft == 1, "full: rlimits (u64 max)");
	okf(!strcmp(p->apparmor_profile, "ap") && !strcmp(p->selinux_label, "sl") &&
	   p->has_capabilities && !strcmp(p->capabilities.bounding[0], "CAP_SYS_ADMIN") &&
	   p->capabilities.effective && !p->capabilities.effective[0] &&
	   !strcmp(p->capabilities.ambient[0], "CAP_CHOWN") && p->no_new_privileges &&
	   p->has_oom_score_adj && p->oom_score_adj == -500, "full: process security");
	okf(p->user.uid == 1 && p->user.gid == 2 && p->user.has_umask && p->user.umask == 18 &&
	   p->user.n_additional_gids == 2 && p->user.additional_gids[1] == 4 &&
	   !strcmp(p->user.username, "u"), "full: user");
	okf(p->scheduler && p->scheduler->policy_value == 6 && p->scheduler->has_nice &&
	   p->scheduler->nice == -5 && p->scheduler->priority == 3 &&
	   p->scheduler->runtime == 100 && p->scheduler->deadline == 200 &&
	   p->scheduler->period == 300 && has(p->scheduler->flags, "SCHED_FLAG_RESET_ON_FORK"),
	   "full: scheduler");
	okf(p->io_priority && p->io_priority->class_value == 2 && p->io_priority->priority == 4 &&
	   !strcmp(p->exec_cpu_affinity_initial, "0") && !strcmp(p->exec_cpu_affinity_final, "0-1"),
	   "full: ioPriority, execCPUAffinity");
	okf(l->n_namespaces == 8 && !strcmp(spec_find_ns(s, NS_NETWORK)->path, "/proc/1/ns/net") &&
	   !spec_find_ns(s, NS_PID)->path && spec_find_ns(s, NS_TIME), "full: namespaces");
	okf(l->n_uid_mappings == 1 && l->uid_mappings[0].size == 65536 &&
	   l->gid_mappings[0].host_id == 100000, "full: id mappings");
	okf(l->time_monotonic.set && l->time_monotonic.secs == -10 && l->time_monotonic.nanosecs == 5 &&
	   l->time_boottime.set && l->time_boottime.secs == 20, "full: timeOffsets");
	okf(l->n_devices == 2 && l->devices[0].major == 1 && l->devices[0].minor == 3 &&
	   l->devices[0].has_file_mode && l->devices[0].file_mode == 438 && l->devices[0].gid == 5 &&
	   !l->devices[1].has_uid && !strcmp(l->devices[1].type, "p"), "full: devices");
	okf(!strcmp(l->cgroups_path, "/k/c") && !strcmp(l->rootfs_propagation, "rslave") &&
	   !strcmp(l->mount_label, "ml") && l->has_personality &&
	   !strcmp(l->personality_domain, "LINUX32") && strv_len(l->masked_paths) == 1 &&
	   strv_len(l->readonly_paths) == 1, "full: linux scalars");
	okf(l->intel_rdt && !strcmp(l->intel_rdt->clos_id, "g1") &&
	   !strcmp(l->intel_rdt->l3_cache_schema, "L3:0=ff") &&
	   !strcmp(l->intel_rdt->mem_bw_schema, "MB:0=50") && l->intel_rdt->enable_cmt &&
	   !l->intel_rdt->enable_mbm, "full: intelRdt");
	okf(l->n_sysctl == 3 && !strcmp(l->sysctl[1].key, "kernel.shmmax") &&
	   !strcmp(l->sysctl[1].value, "1000"), "full: sysctl");
	okf(l->seccomp && !strcmp(l->seccomp->default_action, "SCMP_ACT_ERRNO") &&
	   l->seccomp->has_default_errno_ret && l->seccomp->default_errno_ret == 1 &&
	   !strcmp(l->seccomp->architectures[0], "SCMP_ARCH_X86_64") &&
	   !strcmp(l->seccomp->flags[0], "SECCOMP_FILTER_FLAG_LOG") &&
	   !strcmp(l->seccomp->listener_path, "/l") && !strcmp(l->seccomp->listener_metadata, "md") &&
	   l->seccomp->n_syscalls == 1 && !strcmp(l->seccomp->syscalls[0].names[1], "write") &&
	   l->seccomp->syscalls[0].has_errno_ret && l->seccomp->syscalls[0].n_args == 1 &&
	   l->seccomp->syscalls[0].args[0].index == 1 &&
	   l->seccomp->syscalls[0].args[0].value == UINT64_MAX &&
	   l->seccomp->syscalls[0].args[0].value_two == 2 &&
	   l->seccomp->syscalls[0].args[0].op_value == 7, "full: seccomp");
	okf(r && r->n_devices == 2 && r->devices[1].allow && !strcmp(r->devices[1].type, "c") &&
	   r->devices[1].has_major && r->devices[1].major == 1 && r->devices[1].minor == -1 &&
	   !strcmp(r->devices[1].access, "rw"), "full: resources.devices");
	okf(r->memory.has_limit && r->memory.limit == 1000 && r->memory.reservation == 500 &&
	   r->memory.has_swap && r->memory.swap == -1 && r->memory.kernel == 7 &&
	   r->memory.kernel_tcp == 8 && r->memory.swappiness == 60 &&
	   r->memory.has_disable_oom_killer && r->memory.disable_oom_killer &&
	   r->memory.has_use_hierarchy && !r->memory.use_hierarchy &&
	   r->memory.check_before_update, "full: resources.memory");
	okf(r->cpu.has_shares && r->cpu.shares == 1024 && r->cpu.quota == 50000 &&
	   r->cpu.burst == 10 && r->cpu.period == 100000 && r->cpu.realtime_runtime == -1 &&
	   r->cpu.realtime_period == 3 && !strcmp(r->cpu.cpus, "0-1") && !strcmp(r->cpu.mems, "0") &&
	   r->cpu.has_idle && r->cpu.idle == 1, "full: resources.cpu");
	okf(r->pids.has_limit && r->pids.limit == -1, "full: resources.pids");
	okf(r->block_io.weight == 500 && r->block_io.leaf_weight == 300 &&
	   r->block_io.n_weight_device == 1 && r->block_io.weight_device[0].has_weight &&
	   !r->block_io.weight_device[0].has_leaf_weight &&
	   r->block_io.throttle_read_bps[0].rate == 1000 &&
	   r->block_io.throttle_write_bps[0].minor == 1 &&
	   r->block_io.throttle_read_iops[0].rate == 3000 &&
	   r->block_io.throttle_write_iops[0].rate == 4000, "full: resources.blockIO");
	okf(r->n_hugepage_limits == 1 && !strcmp(r->hugepage_limits[0].page_size, "2MB") &&
	   r->hugepage_limits[0].limit == 4096 && r->network.has_class_id &&
	   r->network.class_id == 7 && r->network.n_priorities == 1 &&
	   !strcmp(r->network.priorities[0].key, "eth0") &&
	   !strcmp(r->network.priorities[0].value, "9"), "full: hugepages, network");
	okf(r->n_rdma == 1 && !strcmp(r->rdma[0].device, "mlx5_1") && r->rdma[0].hca_handles == 3 &&
	   r->rdma[0].hca_objects == 10000 && r->n_unified == 1 &&
	   !strcmp(r->unified[0].key, "memory.high"), "full: rdma, unified");
	spec_free(s);
}

#define BASE "'ociVersion':'1.0.0','root':{'path':'rootfs'}"
#define PROC(x) "{" BASE ",'process':{'args':['sh'],'cwd':'/'," x "}}"
#define LINUX(x) "{" BASE ",'linux':{" x "}}"

static void test_errors(void)
{
	char *msg;

	parse("{", &msg);
	okf(msg && !strcmp(msg, "config.json: invalid JSON: parse error: premature EOF"),
	   "invalid JSON names yajl's reason # %s", msg);
	free(msg);
	parse("{} x", &msg);
	okf(msg && !strcmp(msg, "config.json: invalid JSON: parse error: trailing garbage"),
	   "trailing garbage # %s", msg);
	free(msg);
	expect_error(PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':'lots'}]"),
		     "config.json: process.rlimits[0].hard: expected an unsigned integer, got \"lots\"");
	expect_error("[1]", "config.json: expected an object, got [1]");
	expect_error("{'root':{'path':'r'}}", "config.json: ociVersion: required field is missing");
	expect_error("{'ociVersion':1,'root':{'path':'r'}}",
		     "config.json: ociVersion: expected a string, got 1");
	expect_error("{'ociVersion':'1.0.0'}", "config.json: root: required field is missing");
	expect_error("{'ociVersion':'1.0.0','root':{}}",
		     "config.json: root.path: required field is missing");
	expect_error("{'ociVersion':'1.0.0','root':'rootfs'}",
		     "config.json: root: expected an object, got \"rootfs\"");
	expect_error("{" BASE ",'process':{'args':[]}}", "config.json: process.args: must not be empty");
	expect_error("{" BASE ",'process':{'cwd':'/'}}", "config.json: process.args: must not be empty");
	expect_error("{" BASE ",'process':{'args':[1]}}",
		     "config.json: process.args[0]: expected a string, got 1");
	expect_error("{" BASE ",'mounts':[{'type':'tmpfs'}]}",
		     "config.json: mounts[0].destination: required field is missing");
	expect_error("{" BASE ",'mounts':[{'destination':'/a'},{'destination':'b'}]}",
		     "config.json: mounts[1].destination: must be an absolute path, got \"b\"");
	expect_error(PROC("'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]"),
		     "config.json: process.rlimits[0].type: unknown rlimit type, got \"RLIMIT_FOO\"");
	expect_error(PROC("'rlimits':[{'type':'RLIMIT_CORE','soft':1,'hard':1},{'type':'RLIMIT_CORE','soft':1,'hard':1}]"),
		     "config.json: process.rlimits[1]: duplicate rlimit type RLIMIT_CORE");
	expect_error(PROC("'capabilities':{'bounding':['CAP_KILL','CAP_FOO']}"),
		     "config.json: process.capabilities.bounding[1]: unknown capability, got \"CAP_FOO\"");
	expect_error(PROC("'terminal':'yes'"),
		     "config.json: process.terminal: expected a boolean, got \"yes\"");
	expect_error(PROC("'user':{'uid':-1}"),
		     "config.json: process.user.uid: expected an unsigned integer, got -1");
	expect_error(PROC("'user':{'uid':1.5}"),
		     "config.json: process.user.uid: expected an unsigned integer, got 1.5");
	expect_error(PROC("'user':{'uid':4294967296}"),
		     "config.json: process.user.uid: value out of range (max 4294967295), got 4294967296");
	expect_error(PROC("'user':{'additionalGids':[1,'x']}"),
		     "config.json: process.user.additionalGids[1]: expected an unsigned integer, got \"x\"");
	expect_error("{" BASE ",'process':{'args':['sh'],'cwd':'rel'}}", "config.json: process.cwd: must be an absolute path, got \"rel\"");
	expect_error(PROC("'scheduler':{'policy':'SCHED_FOO'}"),
		     "config.json: process.scheduler.policy: unknown scheduler policy, got \"SCHED_FOO\"");
	expect_error(PROC("'scheduler':{'nice':1}"),
		     "config.json: process.scheduler.policy: required field is missing");
	expect_error(PROC("'ioPriority':{'class':'IOPRIO_CLASS_X','priority':1}"),
		     "config.json: process.ioPriority.class: unknown I/O priority class, got \"IOPRIO_CLASS_X\"");
	expect_error(PROC("'oomScoreAdj':2000"),
		     "config.json: process.oomScoreAdj: must be between -1000 and 1000, got 2000");
	expect_error(PROC("'env':'A=1'"),
		     "config.json: process.env: expected an array of strings, got \"A=1\"");
	expect_error("{" BASE ",'annotations':{'a.b':1}}",
		     "config.json: annotations.\"a.b\": expected a string, got 1");
	expect_error("{" BASE ",'hooks':{'prestart':[{'path':'/x','timeout':0}]}}",
		     "config.json: hooks.prestart[0].timeout: must be greater than 0, got 0");
	expect_error("{" BASE ",'hooks':{'poststop':[{'args':['x']}]}}",
		     "config.json: hooks.poststop[0].path: required field is missing");
	expect_error(LINUX("'namespaces':[{'type':'bogus'}]"),
		     "config.json: linux.namespaces[0].type: unknown namespace type, got \"bogus\"");
	expect_error(LINUX("'namespaces':[{'type':'pid','path':'proc/1/ns/pid'}]"),
		     "config.json: linux.namespaces[0].path: must be an absolute path, got \"proc/1/ns/pid\"");
	expect_error(LINUX("'resources':{'memory':{'limit':'1G'}}"),
		     "config.json: linux.resources.memory.limit: expected an integer, got \"1G\"");
	expect_error(LINUX("'resources':{'devices':[{'allow':true,'access':'rwx'}]}"),
		     "config.json: linux.resources.devices[0].access: expected a combination of \"r\", \"w\" and \"m\", got \"rwx\"");
	expect_error(LINUX("'resources':{'devices':[{'access':'r'}]}"),
		     "config.json: linux.resources.devices[0].allow: required field is missing");
	expect_error(LINUX("'resources':{'blockIO':{'weight':70000}}"),
		     "config.json: linux.resources.blockIO.weight: value out of range (max 65535), got 70000");
	expect_error(LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':1,'op':'SCMP_CMP_FOO'}]}]}"),
		     "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator, got \"SCMP_CMP_FOO\"");
	expect_error(LINUX("'seccomp':{'defaultAction':'SCMP_ACT_NOPE'}"),
		     "config.json: linux.seccomp.defaultAction: unknown seccomp action, got \"SCMP_ACT_NOPE\"");
	expect_error(LINUX("'devices':[{'type':'x','path':'/dev/x'}]"),
		     "config.json: linux.devices[0].type: expected \"c\", \"u\", \"b\" or \"p\", got \"x\"");
	expect_error(LINUX("'devices':[{'type':'c','path':'/dev/x','major':1}]"),
		     "config.json: linux.devices[0].minor: required field is missing");
	expect_error(LINUX("'rootfsPropagation':'sideways'"),
		     "config.json: linux.rootfsPropagation: unknown propagation, got \"sideways\"");
	expect_error(LINUX("'personality':{'domain':'LINUX64'}"),
		     "config.json: linux.personality.domain: expected \"LINUX\" or \"LINUX32\", got \"LINUX64\"");
	expect_error(LINUX("'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':0}],'gidMappings':[]"),
		     "config.json: linux.uidMappings[0].size: required field is missing");
	expect_error(LINUX("'sysctl':{'net.ipv4.ip_forward':1}"),
		     "config.json: linux.sysctl.\"net.ipv4.ip_forward\": expected a string, got 1");
}

static void test_validation(void)
{
	expect_error("{" BASE ",'hostname':'h'}",
		     "config.json: hostname: setting the hostname requires a private UTS namespace");
	expect_error("{" BASE ",'domainname':'d','linux':{'namespaces':[{'type':'pid'}]}}",
		     "config.json: domainname: setting the domainname requires a private UTS namespace");
	expect_valid("hostname with uts", "{" BASE ",'hostname':'h','linux':{'namespaces':[{'type':'uts'}]}}");
	expect_error(LINUX("'timeOffsets':{'monotonic':{'secs':1}}"),
		     "config.json: linux.timeOffsets: time offsets require a time namespace");
	expect_error(LINUX("'namespaces':[{'type':'time','path':'/proc/1/ns/time'}],'timeOffsets':{'boottime':{'secs':1}}"),
		     "config.json: linux.timeOffsets: time offsets require a new time namespace, not one joined by path");
	expect_valid("time offsets with time ns",
		     LINUX("'namespaces':[{'type':'time'}],'timeOffsets':{'boottime':{'secs':1}}"));
	expect_error(LINUX("'uidMappings':[{'containerID':0,'hostID':1,'size':1}]"),
		     "config.json: linux.uidMappings: mappings require a user namespace");
	expect_error(LINUX("'namespaces':[{'type':'user'}]"),
		     "config.json: linux.uidMappings: a new user namespace needs uid mappings");
	expect_error(LINUX("'namespaces':[{'type':'user'}],'uidMappings':[{'containerID':0,'hostID':1,'size':1}]"),
		     "config.json: linux.gidMappings: a new user namespace needs gid mappings");
	expect_valid("user ns joined by path, no mappings",
		     LINUX("'namespaces':[{'type':'user','path':'/proc/1/ns/user'}]"));
	expect_error(LINUX("'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'pid'}]"),
		     "config.json: linux.namespaces[2]: duplicate namespace type \"pid\"");
	expect_error(LINUX("'sysctl':{'net.ipv4.ip_forward':'1'}"),
		     "config.json: linux.sysctl.\"net.ipv4.ip_forward\": sysctl requires a network namespace");
	expect_valid("net sysctl with joined netns",
		     LINUX("'namespaces':[{'type':'network','path':'/proc/1/ns/net'}],'sysctl':{'net.ipv4.ip_forward':'1'}"));
	expect_error(LINUX("'sysctl':{'kernel.shmmax':'1'}"),
		     "config.json: linux.sysctl.\"kernel.shmmax\": sysctl requires an IPC namespace");
	expect_error(LINUX("'namespaces':[{'type':'ipc'}],'sysctl':{'fs.mqueue.msg_max':'1','kernel.domainname':'x'}"),
		     "config.json: linux.sysctl.\"kernel.domainname\": sysctl requires a UTS namespace");
	expect_valid("ipc and uts sysctls",
		     LINUX("'namespaces':[{'type':'ipc'},{'type':'uts'}],'sysctl':{'fs/mqueue/msg_max':'1','kernel.sem':'1 2 3 4','kernel.hostname':'x','kernel.msg_next_id':'1','kernel.shm_rmid_forced':'1'}"));
	expect_error(LINUX("'namespaces':[{'type':'ipc'}],'sysctl':{'kernel.pid_max':'1'}"),
		     "config.json: linux.sysctl.\"kernel.pid_max\": sysctl is not in a separate kernel namespace");
	expect_error(LINUX("'namespaces':[{'type':'ipc'}],'sysctl':{'vm.swappiness':'1'}"),
		     "config.json: linux.sysctl.\"vm.swappiness\": sysctl is not in a separate kernel namespace");
	expect_valid("no process is allowed", "{" BASE "}");
}

static void test_process_resources(void)
{
	struct spec_process *p = NULL;
	struct spec_resources *r = NULL;
	struct kerr *err = NULL;
	char *j = J("{'args':['ls','-l'],'cwd':'/','env':['A=B'],'user':{'uid':5},'capabilities':{'bounding':['CAP_KILL']}}");

	okf(spec_parse_process(j, strlen(j), "process.json", &p, &err) == 0 && p &&
	   !strcmp(p->args[1], "-l") && p->user.uid == 5 && p->has_capabilities,
	   "spec_parse_process");
	spec_process_free(p);
	free(j);
	j = J("{'args':['ls'],'rlimits':[{'type':'RLIMIT_NOFILE','soft':'x','hard':1}]}");
	okf(spec_parse_process(j, strlen(j), "process.json", &p, &err) < 0 && err && !p &&
	   !strcmp(err->msg, "process.json: rlimits[0].soft: expected an unsigned integer, got \"x\""),
	   "spec_parse_process error # %s", err ? err->msg : "");
	kerr_free(&err);
	free(j);
	j = J("{'memory':{'limit':1048576,'swap':-1},'pids':{'limit':10},'cpu':{'cpus':'0'}}");
	okf(spec_parse_resources(j, strlen(j), "resources.json", &r, &err) == 0 && r &&
	   r->memory.limit == 1048576 && r->memory.has_swap && r->pids.limit == 10 &&
	   !r->cpu.has_shares && !strcmp(r->cpu.cpus, "0"), "spec_parse_resources");
	spec_resources_free(r);
	free(j);
	j = J("{'pids':{'limit':'many'}}");
	okf(spec_parse_resources(j, strlen(j), "-", &r, &err) < 0 && err && !r &&
	   !strcmp(err->msg, "-: pids.limit: expected an integer, got \"many\""),
	   "spec_parse_resources error # %s", err ? err->msg : "");
	kerr_free(&err);
	free(j);
	okf(spec_parse_resources("nope", 4, "r.json", &r, &err) < 0 && err &&
	   !strncmp(err->msg, "r.json: invalid JSON: ", 22), "spec_parse_resources invalid JSON");
	kerr_free(&err);
}

static int put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void test_load(void)
{
	char dir[] = "/tmp/keel-test-load.XXXXXX", *path, *json = spec_default_json(false);
	struct spec *s = NULL;
	struct kerr *err = NULL;

	if (!mkdtemp(dir))
		abort();
	path = xasprintf("%s/config.json", dir);
	okf(put(path, json) == 0 &&
	   spec_load(-100, path, &s, &err) == 0 && s && s->n_mounts == 7, "spec_load");
	spec_free(s);
	s = NULL;
	okf(put(path, "{\"ociVersion\":\"1\"}") == 0 &&
	   spec_load(-100, path, &s, &err) < 0 && err &&
	   !strcmp(err->msg, "config.json: root: required field is missing"),
	   "spec_load names the base name # %s", err ? err->msg : "");
	kerr_free(&err);
	unlink(path);
	okf(spec_load(-100, path, &s, &err) < 0 && err && err->errnum == ENOENT, "spec_load ENOENT");
	kerr_free(&err);
	rmdir(dir);
	free(path);
	free(json);
}

static void test_names(void)
{
	okf(spec_signal_parse("TERM") == SIGTERM && spec_signal_parse("SIGTERM") == SIGTERM &&
	   spec_signal_parse("sigterm") == SIGTERM && spec_signal_parse("15") == 15 &&
	   spec_signal_parse("kill") == SIGKILL && spec_signal_parse("SIGCHLD") == SIGCHLD &&
	   spec_signal_parse("CLD") == SIGCHLD && spec_signal_parse("SIGWINCH") == SIGWINCH,
	   "signal names");
	okf(spec_signal_parse("SIGRTMIN+3") == SIGRTMIN + 3 && spec_signal_parse("RTMAX-1") == SIGRTMAX - 1 &&
	   spec_signal_parse("rtmin") == SIGRTMIN && spec_signal_parse("SIGRTMAX") == SIGRTMAX &&
	   spec_signal_parse("64") == 64, "realtime signals");
	okf(spec_signal_parse("FOO") == -1 && spec_signal_parse("0") == -1 &&
	   spec_signal_parse("65") == -1 && spec_signal_parse("-1") == -1 &&
	   spec_signal_parse("RTMIN+40") == -1 && spec_signal_parse("RTMAX-31") == -1 &&
	   spec_signal_parse("RTMIN+") == -1 && spec_signal_parse("") == -1 &&
	   spec_signal_parse("SIG") == -1 && spec_signal_parse("15x") == -1,
	   "bad signals are -1");
	okf(spec_cap_parse("CAP_SYS_ADMIN") == 21 && spec_cap_parse("cap_chown") == 0 &&
	   spec_cap_parse("sys_admin") == 21 && spec_cap_parse("CAP_CHECKPOINT_RESTORE") == 40 &&
	   spec_cap_parse("CAP_NOPE") == -1 && spec_cap_count() == 41, "capability names");
	okf(!strcmp(spec_cap_name(21), "CAP_SYS_ADMIN") && !spec_cap_name(41) && !spec_cap_name(-1),
	   "capability numbers");
	okf(spec_rlimit_parse("RLIMIT_NOFILE") == RLIMIT_NOFILE && spec_rlimit_parse("RLIMIT_RTTIME") == RLIMIT_RTTIME &&
	   spec_rlimit_parse("RLIMIT_AS") == RLIMIT_AS && spec_rlimit_parse("NOFILE") == -1,
	   "rlimit names");
	okf(!strcmp(spec_ns_name(NS_NETWORK), "network") && !strcmp(spec_ns_name(NS_TIME), "time") &&
	   spec_ns_clone_flag(NS_PID) == CLONE_NEWPID && spec_ns_clone_flag(NS_USER) == CLONE_NEWUSER &&
	   spec_ns_clone_flag(NS_TIME) == 0x80, "namespace names and flags");
}

static void test_features(void)
{
	char *f = spec_features_json(), ebuf[128];
	yajl_val v = yajl_tree_parse(f, ebuf, sizeof(ebuf));
	const char *p_min[] = { "ociVersionMin", NULL }, *p_v2[] = { "linux", "cgroup", "v2", NULL };
	const char *p_caps[] = { "linux", "capabilities", NULL };
	const char *p_ops[] = { "linux", "seccomp", "operators", NULL };
	const char *p_mo[] = { "mountOptions", NULL };
	const char *p_ver[] = { "annotations", "io.github.keel.version", NULL };
	const char *p_known[] = { "linux", "seccomp", "knownFlags", NULL };
	const char *p_sup[] = { "linux", "seccomp", "supportedFlags", NULL };
	yajl_val caps, mo, known, sup;

	okf(v != NULL, "features.json is valid JSON");
	if (v) {
		caps = yajl_tree_get(v, p_caps, yajl_t_array);
		mo = yajl_tree_get(v, p_mo, yajl_t_array);
		yajl_val min = yajl_tree_get(v, p_min, yajl_t_string);

		okf(min && !strcmp(min->u.string, "1.0.0") &&
		   YAJL_IS_TRUE(yajl_tree_get(v, p_v2, yajl_t_any)) &&
		   caps && caps->u.array.len == 41 &&
		   yajl_tree_get(v, p_ops, yajl_t_array)->u.array.len == 7 &&
		   mo && mo->u.array.len == 37 && yajl_tree_get(v, p_ver, yajl_t_string),
		   "features.json content");
		known = yajl_tree_get(v, p_known, yajl_t_array);
		sup = yajl_tree_get(v, p_sup, yajl_t_array);
		okf(known && sup && known->u.array.len == 6 && sup->u.array.len >= 1 &&
		   sup->u.array.len <= 6 && !strcmp(sup->u.array.values[0]->u.string,
						    "SECCOMP_FILTER_FLAG_TSYNC"),
		   "features.json seccomp flags: TSYNC supported by the kernel");
	}
	yajl_tree_free(v);
	free(f);
}

int main(void)
{
	test_runc_crun_defaults();
	test_keel_defaults();
	test_vm_defaults();
	test_full();
	test_errors();
	test_validation();
	test_process_resources();
	test_load();
	test_names();
	test_features();
	return tap_done();
}
