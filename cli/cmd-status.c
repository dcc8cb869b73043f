// SPDX-License-Identifier: GPL-2.0
/* daxpinctl status (placeholder until the full version lands) */
#include "builtin.h"

int cmd_status(int argc, char **argv, struct daxpinctl_opts *opts)
{
	fprintf(stderr, "daxpinctl status: not implemented yet\n");
	return DAXPINCTL_EXIT_FAIL;
}
