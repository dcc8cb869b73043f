// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: daxpind.conf text through the daemon's configuration loader
 * (dxp_config_load_warn on a file, as daxpind -c FILE --check-config reads
 * it: required, with warnings), then a mount's policy resolved from it.
 * Only the loader's public interface: config.c is being split.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/config.h"

static int fd = -1;
static char path[64];

static void on_error(void *userdata, const char *file, unsigned line,
		     const char *key, const char *message)
{
	/* the reporter must be handed real strings */
	(void)strlen(file);
	(void)strlen(message);
	if (key)
		(void)strlen(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dxp_config_paths paths = { .main_file = path, .main_file_required = true };
	struct dxp_policy pol;
	struct dxp_origin origin[DXP_K_POLICY_MAX];
	struct dxp_config *c = NULL;

	if (size > 1 << 16)
		return 0;
	if (fd < 0) {
		/* a file only this process sees, rewritten for each input */
		fd = memfd_create("daxpind.conf", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (dxp_config_load_warn(&paths, on_error, on_error, NULL, &c) || !c)
		return 0;
	dxp_config_resolve(c, "/mnt/pmem0", "pmem0", &pol, origin);
	dxp_config_resolve(c, NULL, NULL, &pol, origin);
	for (size_t i = 0; i < c->n_sections; i++)
		if (c->sections[i].match)
			dxp_config_resolve(c, c->sections[i].match,
					   c->sections[i].match, &pol, origin);
	dxp_config_free(c);
	return 0;
}
