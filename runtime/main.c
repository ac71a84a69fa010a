/* keel: an OCI container runtime. The command line lives in cli.c. */
#include "cli.h"
#include "fault.h"
#include "lifecycle.h"

int main(int argc, char **argv)
{
	int ret;

	/* For a re-exec from a sealed copy of ourselves (exeseal.c). */
	exeseal_save_argv(argv);
	fault_fds_entry();
	ret = cli_main(argc, argv);
	fault_fds_exit();
	return ret;
}
