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

/*
 * Multicast groups with a capability check (6.7, in 6.1.y from 6.1.68):
 * without it any local user could join the events group and read every
 * wait's task and file, so such a kernel is not built for at all.
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "no GENL_MCAST_CAP_NET_ADMIN (6.1.68+): the events group would be open to all"
#endif

/*
 * Linux 6.15 moved the fsdax layout-break wait into dax_break_layout(): it
 * sleeps on the page itself, not on page->_refcount, until the refcount is 0,
 * not 1.  daxpin_probe.c would never match there (COMPAT.md: what a port
 * would probe).  Kbuild defines DAXPIN_HAVE_DAX_BREAK_LAYOUT from the headers;
 * a kernel that has the symbol anyway is refused at load (daxpin_probe.c).
 */
#ifdef DAXPIN_HAVE_DAX_BREAK_LAYOUT
#error "daxpin does not know the dax_break_layout() wait of Linux 6.15+ (kmod/COMPAT.md)"
#endif

/*
 * PREEMPT_RT: the probe handlers run with preemption disabled (kprobe,
 * tracepoint) yet take spinlock_t locks, sleeping locks on RT, and call
 * dentry_path_raw().  Refuse to build rather than load a module that would
 * sleep in atomic context (kmod/COMPAT.md).
 */
#ifdef CONFIG_PREEMPT_RT
#error "daxpin does not support PREEMPT_RT: its probes take sleeping locks (kmod/COMPAT.md)"
#endif

#endif /* _DAXPIN_COMPAT_H */
