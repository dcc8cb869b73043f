// SPDX-License-Identifier: LGPL-2.1
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daxpin-util.h"

/* three significant digits: 1.23, 12.3, 123 */
static void fmt3(char *buf, size_t len, uint64_t ns, uint64_t unit,
		 const char *suffix)
{
	double v = (double)ns / unit;
	int prec = v < 10 ? 2 : v < 100 ? 1 : 0;

	snprintf(buf, len, "%.*f%s", prec, v, suffix);
}

char *daxpin_fmt_duration(uint64_t ns, char *buf, size_t len)
{
	const uint64_t us = 1000, ms = 1000 * us, s = 1000 * ms;
	const uint64_t min = 60 * s, hour = 60 * min, day = 24 * hour;

	/* round-up at unit boundaries ("1000us") is avoided by the cutoffs */
	if (ns < us)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else if (ns < ms - 500)
		fmt3(buf, len, ns, us, "us");
	else if (ns < s - 500 * us)
		fmt3(buf, len, ns, ms, "ms");
	else if (ns < min)
		fmt3(buf, len, ns, s, "s");
	else if (ns < hour)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", ns / min,
			 (ns % min) / s);
	else if (ns < day)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", ns / hour,
			 (ns % hour) / min);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", ns / day,
			 (ns % day) / hour);
	return buf;
}

char *daxpin_fmt_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

int daxpin_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || end == s || *end != '\0')
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int daxpin_parse_time_ns(const char *s, uint64_t *out)
{
	static const struct { const char *suffix; double mult; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "sec", 1e9 }, { "ms", 1e6 },
		{ "msec", 1e6 }, { "min", 60e9 }, { "us", 1e3 },
	};
	char *end;
	double v;

	if (!strcasecmp(s, "infinity") || !strcasecmp(s, "off")) {
		*out = UINT64_MAX;
		return 0;
	}
	if (!*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -EINVAL;
	while (isspace((unsigned char)*end))
		end++;
	for (unsigned i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix))
			continue;
		v *= units[i].mult;
		if (v >= 1e18)		/* ~31 years: surely a typo */
			return -ERANGE;
		*out = (uint64_t)(v + 0.5);
		return 0;
	}
	return -EINVAL;
}

int daxpin_proc_stat_starttime(const char *stat_line, uint64_t *ticks)
{
	const char *p = strrchr(stat_line, ')');
	unsigned long long v;
	char *end;
	int field;

	if (!p)
		return -EINVAL;
	/* p ends field 2; each space before a field moves to the next one */
	for (field = 2; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EINVAL;
	}
	p++;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -EINVAL;
	*ticks = v;
	return 0;
}
