/* SPDX-License-Identifier: LGPL-2.1 */
/* Small formatting and parsing helpers shared by daxpinctl and daxpind */
#ifndef _DAXPIN_UTIL_H_
#define _DAXPIN_UTIL_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Human-readable duration, three significant digits below a minute:
 * "0ns", "870ns", "12.3us", "150us", "4.56ms", "1.25s", then "2m03s",
 * "5h07m", "3d04h". Returns buf.
 */
char *daxpin_fmt_duration(uint64_t ns, char *buf, size_t len);
/* Human-readable size in IEC units: "512 B", "4.0 KiB", "2.0 MiB" */
char *daxpin_fmt_size(uint64_t bytes, char *buf, size_t len);
/*
 * Strict unsigned parse: decimal (or 0x hex), no sign, no trailing
 * garbage, no overflow, value <= max. 0 or -EINVAL / -ERANGE.
 */
int daxpin_parse_u64(const char *s, uint64_t max, uint64_t *out);
/*
 * A duration as daxpind.conf(5) writes it: seconds ("5", "0.5") or with a
 * unit (250ms, 2min, 100us), or "infinity"/"off" (UINT64_MAX).
 * 0, -EINVAL or -ERANGE (31 years or more).
 */
int daxpin_parse_time_ns(const char *s, uint64_t *out);
/*
 * The start time (field 22, clock ticks since boot) from one line of
 * /proc/PID/stat.  The command name (field 2) may hold spaces and ')', so
 * fields are counted from its last ')'.  0 or -EINVAL.
 */
int daxpin_proc_stat_starttime(const char *stat_line, uint64_t *ticks);

#ifdef __cplusplus
}
#endif

#endif /* _DAXPIN_UTIL_H_ */
