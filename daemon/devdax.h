/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef DAXPIND_DEVDAX_H
#define DAXPIND_DEVDAX_H

#include <stddef.h>

/* "dax0.0 (region0, 16.0 GiB), ..." from libdaxctl, or advice when none. */
void dxp_devdax_list(char *buf, size_t len);

#endif
