/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daxpin: differences between the kernels daxpin builds against.
 * Feature tests, not version numbers, wherever the kernel allows it;
 * kmod/COMPAT.md explains each one.
 */
#ifndef _DAXPIN_COMPAT_H
#define _DAXPIN_COMPAT_H

#include <linux/version.h>
#include <net/genetlink.h>

/* Multicast groups with a capability check (6.7, backported to 6.1.y). */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define DAXPIN_MCAST_ADMIN_FLAGS	GENL_MCAST_CAP_NET_ADMIN
#else
#define DAXPIN_MCAST_ADMIN_FLAGS	0
#endif

#endif /* _DAXPIN_COMPAT_H */
