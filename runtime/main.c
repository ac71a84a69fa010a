/* keel: an OCI container runtime. The command line lives in cli.c. */
#include "cli.h"
#include "fault.h"

int main(int argc, char **argv)
{
	int ret;

	fault_fds_entry();
	ret = cli_main(argc, argv);
	fault_fds_exit();
	return ret;
}
