/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef DAXPIN_ATOMIC_FILE_H
#define DAXPIN_ATOMIC_FILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Writes the file's content; returns 0 or a negative errno. */
typedef int (*dxp_fill_fn)(FILE *f, void *arg);

/*
 * Replace @path with what @fill writes, through a temp file in the same
 * directory and rename(2): readers see the old file or the new one, never
 * half of one.  @durable adds an fsync before the rename (files under /etc;
 * /run is a tmpfs and only has to outlive the daemon).  Returns 0 or a
 * negative errno; on error @path is untouched and the temp file removed.
 */
int dxp_write_atomic(const char *path, mode_t mode, bool durable,
		     dxp_fill_fn fill, void *arg);

#endif
