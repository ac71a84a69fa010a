/* The OCI runtime config (config.md, config-linux.md), parsed and validated.
 *
 * Every optional scalar has a has_<name> flag; arrays come with a count;
 * absent strings are NULL. The parser owns all memory; spec_free() frees it.
 */
#ifndef KEEL_SPEC_H
#define KEEL_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "../runtime/error.h"

struct spec_kv {
	char *key;
	char *value;
};

struct spec_idmap {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct spec_mount {
	char *destination;
	char *type;
	char *source;
	char **options;		/* NULL-terminated, may be NULL */
	size_t n_options;
	struct spec_idmap *uid_mappings;
	size_t n_uid_mappings;
	struct spec_idmap *gid_mappings;
	size_t n_gid_mappings;
};

struct spec_rlimit {
	char *type;		/* "RLIMIT_NOFILE" as written */
	int resource;		/* RLIMIT_* value, resolved by the parser */
	uint64_t soft;
	uint64_t hard;
};

struct spec_caps {
	/* Each a NULL-terminated list of "CAP_*" names, NULL when absent. */
	char **bounding, **effective, **inheritable, **permitted, **ambient;
};

struct spec_user {
	uint32_t uid;
	uint32_t gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username;
};

struct spec_scheduler {
	char *policy;		/* "SCHED_OTHER", ... */
	int policy_value;
	bool has_nice;
	int32_t nice;
	bool has_priority;
	int32_t priority;
	char **flags;
	uint64_t runtime, deadline, period;
};

struct spec_io_priority {
	char *class;		/* "IOPRIO_CLASS_RT" | "IOPRIO_CLASS_BE" | "IOPRIO_CLASS_IDLE" */
	int class_value;
	int32_t priority;
};

struct spec_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height, console_width;
	char *cwd;
	char **env;		/* NULL-terminated */
	char **args;		/* NULL-terminated, at least one entry after validation */
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	char *apparmor_profile;
	char *selinux_label;
	bool has_capabilities;
	struct spec_caps capabilities;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int32_t oom_score_adj;
	struct spec_user user;
	struct spec_scheduler *scheduler;	/* NULL when absent */
	struct spec_io_priority *io_priority;	/* NULL when absent */
	char *exec_cpu_affinity_initial;
	char *exec_cpu_affinity_final;
};

struct spec_hook {
	char *path;
	char **args;		/* NULL-terminated, may be NULL */
	char **env;		/* NULL-terminated, may be NULL */
	bool has_timeout;
	int32_t timeout;	/* seconds, > 0 */
};

enum spec_hook_kind {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK_KINDS
};

struct spec_hooks {
	struct spec_hook *list[HOOK_KINDS];
	size_t count[HOOK_KINDS];
};

enum spec_ns_kind {
	NS_PID, NS_NETWORK, NS_MOUNT, NS_IPC, NS_UTS, NS_USER, NS_CGROUP, NS_TIME,
	NS_KINDS
};

struct spec_namespace {
	enum spec_ns_kind kind;
	char *path;		/* join this namespace; NULL: create a new one */
};

struct spec_time_offset {
	bool set;
	int64_t secs;
	uint32_t nanosecs;
};

struct spec_device {
	char *type;		/* "c", "u", "b" or "p" */
	char *path;
	int64_t major, minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid, has_gid;
	uint32_t uid, gid;
};

struct spec_device_rule {
	bool allow;
	char *type;		/* "a", "c" or "b"; NULL = "a" */
	bool has_major, has_minor;
	int64_t major, minor;	/* -1 = wildcard */
	char *access;		/* subset of "rwm"; NULL = "rwm" */
};

struct spec_weight_device {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

struct spec_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct spec_hugepage_limit {
	char *page_size;	/* "2MB", "1GB" */
	uint64_t limit;
};

struct spec_rdma {
	char *device;
	bool has_hca_handles, has_hca_objects;
	uint32_t hca_handles, hca_objects;
};

struct spec_resources {
	struct spec_device_rule *devices;
	size_t n_devices;

	struct {
		bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
		int64_t limit, reservation, swap, kernel, kernel_tcp;	/* -1 = unlimited */
		uint64_t swappiness;
		bool has_disable_oom_killer, disable_oom_killer;
		bool has_use_hierarchy, use_hierarchy;
		bool has_check_before_update, check_before_update;
	} memory;

	struct {
		bool has_shares, has_quota, has_burst, has_period;
		bool has_realtime_runtime, has_realtime_period, has_idle;
		uint64_t shares, burst, period, realtime_period;
		int64_t quota, realtime_runtime, idle;
		char *cpus, *mems;
	} cpu;

	struct {
		bool has_limit;
		int64_t limit;	/* <= 0: unlimited ("max") */
	} pids;

	struct {
		bool has_weight, has_leaf_weight;
		uint16_t weight, leaf_weight;
		struct spec_weight_device *weight_device;
		size_t n_weight_device;
		struct spec_throttle_device *throttle_read_bps, *throttle_write_bps;
		struct spec_throttle_device *throttle_read_iops, *throttle_write_iops;
		size_t n_throttle_read_bps, n_throttle_write_bps;
		size_t n_throttle_read_iops, n_throttle_write_iops;
	} block_io;

	struct spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;

	struct {
		bool has_class_id;
		uint32_t class_id;
		struct spec_kv *priorities;	/* value = decimal priority */
		size_t n_priorities;
	} network;

	struct spec_rdma *rdma;
	size_t n_rdma;

	struct spec_kv *unified;
	size_t n_unified;
};

struct spec_seccomp_arg {
	uint32_t index;
	uint64_t value;
	uint64_t value_two;
	char *op;		/* "SCMP_CMP_EQ", ... */
	int op_value;		/* enum scmp_compare, resolved by the parser */
};

struct spec_seccomp_syscall {
	char **names;		/* NULL-terminated */
	char *action;		/* "SCMP_ACT_ERRNO", ... */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	char *default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures;	/* "SCMP_ARCH_X86_64", ... */
	char **flags;		/* "SECCOMP_FILTER_FLAG_LOG", ... */
	char *listener_path;
	char *listener_metadata;
	struct spec_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

struct spec_intel_rdt {
	char *clos_id;
	char *l3_cache_schema;
	char *mem_bw_schema;
	bool enable_cmt, enable_mbm;
};

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_idmap *uid_mappings;
	size_t n_uid_mappings;
	struct spec_idmap *gid_mappings;
	size_t n_gid_mappings;
	struct spec_time_offset time_monotonic, time_boottime;
	struct spec_device *devices;
	size_t n_devices;
	char *cgroups_path;
	struct spec_resources *resources;	/* NULL when absent */
	char *rootfs_propagation;		/* "shared", "rprivate", ... */
	struct spec_seccomp *seccomp;		/* NULL when absent */
	struct spec_kv *sysctl;
	size_t n_sysctl;
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	bool has_personality;
	char *personality_domain;	/* "LINUX" | "LINUX32" */
	char **personality_flags;
	struct spec_intel_rdt *intel_rdt;	/* NULL when absent */
};

struct spec {
	char *oci_version;
	char *root_path;
	bool root_readonly;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_process *process;	/* NULL when absent (allowed for create) */
	char *hostname;
	char *domainname;
	struct spec_hooks hooks;
	struct spec_kv *annotations;
	size_t n_annotations;
	struct spec_linux *linux_;	/* NULL when absent */
};

/* Parse config text. `name` prefixes error messages: "config.json: process.args: ...".
 * Unknown fields are ignored; wrong types or values name the JSON path and the value,
 * e.g. `config.json: process.rlimits[0].hard: expected an unsigned integer, got "lots"`. */
int spec_parse(const char *json, size_t len, const char *name, struct spec **out, struct kerr **err);
/* Read and parse a file; `name` in errors is the file's base name. */
int spec_load(int dirfd, const char *path, struct spec **out, struct kerr **err);
void spec_free(struct spec *s);

/* Parse a process.json (exec --process) into a struct spec_process. */
int spec_parse_process(const char *json, size_t len, const char *name,
		       struct spec_process **out, struct kerr **err);
void spec_process_free(struct spec_process *p);

/* JSON nested deeper than this is refused before yajl sees it: yajl frees a
 * tree recursively (a few MB of "[" overflow the stack) and its generator
 * writes out of bounds past 128 levels (error messages and `update` print
 * parsed values). Real configs nest about 6 levels. */
#define SPEC_JSON_MAX_DEPTH 64
/* 0, or -1 with "<name>: invalid JSON: nesting deeper than 64 levels". Every
 * parser here checks it; call it before yajl_tree_parse() of other user JSON. */
int spec_json_check_depth(const char *json, size_t len, const char *name, struct kerr **err);

/* Parse a LinuxResources object (update -r FILE|-). */
int spec_parse_resources(const char *json, size_t len, const char *name,
			 struct spec_resources **out, struct kerr **err);
void spec_resources_free(struct spec_resources *r);

/* Cross-field checks the runtime spec requires (e.g. hostname needs a new uts
 * namespace, time offsets need a time namespace, uid mappings need a user
 * namespace, no duplicate namespace kinds). Called by spec_parse(). */
int spec_validate(const struct spec *s, const char *name, struct kerr **err);

/* Look-ups used by the runtime. */
const struct spec_namespace *spec_find_ns(const struct spec *s, enum spec_ns_kind kind);
const char *spec_ns_name(enum spec_ns_kind kind);	/* "pid", "network", ... */
const char *spec_hook_name(enum spec_hook_kind kind);	/* "createRuntime", ... */
int spec_ns_clone_flag(enum spec_ns_kind kind);	/* CLONE_NEWPID, ... */
const char *spec_annotation(const struct spec *s, const char *key);

/* Name tables shared with the CLI: return -1 when unknown. */
int spec_signal_parse(const char *name);	/* "TERM", "SIGTERM", "15", "SIGRTMIN+1" */
int spec_cap_parse(const char *name);		/* "CAP_SYS_ADMIN" -> 21 */
const char *spec_cap_name(int cap);
int spec_cap_count(void);			/* known capabilities: 0 .. count-1 */
int spec_rlimit_parse(const char *name);	/* "RLIMIT_NOFILE" */

/* `keel spec`: the default config, as pretty JSON. */
struct spec_default_opts {
	bool rootless;		/* --rootless: map only the caller, no cgroup resources */
	bool vm;		/* --vm: user namespace, every namespace, seccomp, pids limit */
	const char *subuid;	/* root's range for --vm (NULL: /etc/subuid) */
	const char *subgid;	/* NULL: /etc/subgid */
};
char *spec_default_json_opts(const struct spec_default_opts *o);
char *spec_default_json(bool rootless);
/* `keel features`: features.json. */
char *spec_features_json(void);

#endif
