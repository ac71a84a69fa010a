/* Test hooks compiled into the shipped binary (each costs one getenv per
 * process and a strcmp per stage, nothing when the variables are unset).
 *
 *   KEEL_TEST_FAULT=<stage>  the process reaching fault_point("<stage>")
 *                            raises SIGKILL on itself: the fault-injection
 *                            suites kill keel (or the init) at each stage of
 *                            create/run/start/exec/delete and check that
 *                            `delete --force` leaves nothing behind.
 *   KEEL_TEST_FDS=1          keel prints "keel-test-fds: entry N exit M" on
 *                            stderr when its command returns (leak checks).
 *
 * Stage names are "<who>-<what>" (create-cgroup, init-pivot, ...): see the
 * calls, and tests/bats/faults.bats for the list the suites exercise.
 */
#ifndef KEEL_FAULT_H
#define KEEL_FAULT_H

void fault_point(const char *stage);

/* Around the command: count keel's open fds at entry, report at exit. */
void fault_fds_entry(void);
void fault_fds_exit(void);

#endif
