// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One temp-file-and-rename writer for everything daxpind writes: the runtime
 * drop-in, the restart state and the metrics file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/atomic-file.h"

/*
 * The temp name starts with a dot and does not end in the final suffix:
 * node_exporter's textfile collector (*.prom) and the drop-in scan (*.conf)
 * both pass over it, so nothing reads a file being written.
 */
static char *temp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *tmp;

	if (slash) {
		if (asprintf(&tmp, "%.*s/.%s.XXXXXX", (int)(slash - path), path,
			     slash + 1) < 0)
			return NULL;
	} else if (asprintf(&tmp, ".%s.XXXXXX", path) < 0) {
		return NULL;
	}
	return tmp;
}

int dxp_write_atomic(const char *path, mode_t mode, bool durable,
		     dxp_fill_fn fill, void *arg)
{
	char *tmp = temp_name(path);
	FILE *f;
	int fd, r;

	if (!tmp)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(tmp);
		return r;
	}
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		goto fail;
	}
	r = fill(f, arg);
	if (!r && fflush(f))
		r = -errno;
	if (!r && durable && fsync(fileno(f)) < 0)
		r = -errno;
	if (!r && fchmod(fileno(f), mode) < 0)
		r = -errno;
	if (fclose(f) && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (!r) {
		free(tmp);
		return 0;
	}
fail:
	unlink(tmp);
	free(tmp);
	return r;
}
