// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daxpind.conf keys: the key table, the value parsers and the wording of
 * values.  What a key is called, what it accepts and how its value reads
 * back (in "daxpinctl policy" and in the journal's "rule" fields) live
 * here, in one place.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/config-internal.h"
#include "daemon/config.h"
#include "lib/daxpin-util.h"

struct key_desc {
	const char *name;
	enum dxp_section_kind cls;	/* DXP_SEC_POLICY for per-section keys */
};

static const struct key_desc keys[DXP_K_MAX] = {
	[DXP_K_WARN_AFTER] = { "WarnAfterSec", DXP_SEC_POLICY },
	[DXP_K_NONTRANSIENT_AFTER] = { "NonTransientAfterSec", DXP_SEC_POLICY },
	[DXP_K_STALLED_WAKE] = { "StalledWake", DXP_SEC_POLICY },
	[DXP_K_STALLED_AFTER] = { "StalledAfterSec", DXP_SEC_POLICY },
	[DXP_K_ACTION] = { "Action", DXP_SEC_POLICY },
	[DXP_K_ACTION_AFTER] = { "ActionAfterSec", DXP_SEC_POLICY },
	[DXP_K_ACTION_SIGNAL] = { "ActionSignal", DXP_SEC_POLICY },
	[DXP_K_EXEC_HOOK] = { "ExecHook", DXP_SEC_POLICY },
	[DXP_K_EXEC_TIMEOUT] = { "ExecTimeoutSec", DXP_SEC_POLICY },
	[DXP_K_DRY_RUN] = { "DryRun", DXP_SEC_POLICY },
	[DXP_K_ACTION_TARGET] = { "ActionTarget", DXP_SEC_POLICY },
	[DXP_K_METRICS_PATH] = { "MetricsPath", DXP_SEC_DAEMON },
	[DXP_K_RATELIMIT_INTERVAL] = { "LogRateLimitIntervalSec", DXP_SEC_DAEMON },
	[DXP_K_RATELIMIT_BURST] = { "LogRateLimitBurst", DXP_SEC_DAEMON },
	[DXP_K_POLL_MS] = { "PollMSec", DXP_SEC_MODULE },
	[DXP_K_EVENT_BURST] = { "EventBurst", DXP_SEC_MODULE },
	[DXP_K_OPEN_READS] = { "OpenReads", DXP_SEC_MODULE },
	[DXP_K_COUNT_BREAKS] = { "CountBreaks", DXP_SEC_MODULE },
};

const char *dxp_key_name(enum dxp_key k)
{
	return (unsigned)k < DXP_K_MAX ? keys[k].name : "?";
}

int dxp_key_from_name(const char *name, enum dxp_key *out)
{
	for (unsigned i = 0; i < DXP_K_MAX; i++)
		if (!strcasecmp(name, keys[i].name)) {
			*out = i;
			return 0;
		}
	return -ENOENT;
}

bool dxp_key_valid_in(enum dxp_key k, enum dxp_section_kind kind)
{
	if ((unsigned)k >= DXP_K_MAX)
		return false;
	if (keys[k].cls == DXP_SEC_POLICY)
		return kind == DXP_SEC_POLICY || kind == DXP_SEC_MOUNT || kind == DXP_SEC_DEVICE;
	return keys[k].cls == kind;
}

/* ---- value parsers ---------------------------------------------------- */

int dxp_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "on" };
	static const char *const no[] = { "0", "no", "n", "false", "off" };

	for (unsigned i = 0; i < 5; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static const struct { const char *name; int sig; } signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
};

const char *dxp_signal_name(int sig)
{
	static const char *const full[] = {
		"SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGTERM",
	};
	for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].sig == sig)
			return full[i];
	return "?";
}

/* Only signals that can end an interruptible sleep and that make sense to
 * send to a task stuck in truncate; SIGSTOP and friends would make it worse. */
int dxp_parse_signal(const char *s, int *out)
{
	const char *n = s;
	char *end;
	long v;

	if (!strncasecmp(n, "SIG", 3))
		n += 3;
	for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (!strcasecmp(n, signals[i].name)) {
			*out = signals[i].sig;
			return 0;
		}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -EINVAL;
	for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].sig == v) {
			*out = (int)v;
			return 0;
		}
	return -EINVAL;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Parse @value for policy key @k into @sec.  Returns 0 or -EINVAL with a
 * human reason in @why. */
int dxp_key_parse_policy(struct dxp_policy_section *sec, enum dxp_key k, const char *value,
			 const char **why)
{
	struct dxp_policy *p = &sec->p;
	uint64_t ns;
	bool b;
	int r;

	switch (k) {
	case DXP_K_WARN_AFTER:
	case DXP_K_NONTRANSIENT_AFTER:
	case DXP_K_STALLED_AFTER:
	case DXP_K_ACTION_AFTER:
	case DXP_K_EXEC_TIMEOUT:
		/* Seconds, fractions allowed ("0.5"), or with a unit: ms, s,
		 * min; "infinity" (or "off") disables a threshold. */
		r = daxpin_parse_time_ns(value, &ns);
		if (r < 0) {
			*why = "expected seconds (e.g. 5, 0.5, 250ms) or \"infinity\"";
			return -EINVAL;
		}
		if (k == DXP_K_EXEC_TIMEOUT && (ns == 0 || ns == DXP_NEVER)) {
			*why = "ExecTimeoutSec must be finite and positive";
			return -EINVAL;
		}
		if (k == DXP_K_WARN_AFTER)
			p->warn_after_ns = ns;
		else if (k == DXP_K_NONTRANSIENT_AFTER)
			p->nontransient_after_ns = ns;
		else if (k == DXP_K_STALLED_AFTER)
			p->stalled_after_ns = ns;
		else if (k == DXP_K_ACTION_AFTER)
			p->action_after_ns = ns;
		else
			p->exec_timeout_ns = ns;
		return 0;
	case DXP_K_STALLED_WAKE:
	case DXP_K_DRY_RUN:
		if (dxp_parse_bool(value, &b) < 0) {
			*why = "expected a boolean (yes/no)";
			return -EINVAL;
		}
		if (k == DXP_K_STALLED_WAKE)
			p->stalled_wake = b;
		else
			p->dry_run = b;
		return 0;
	case DXP_K_ACTION:
		if (dxp_action_from_string(value, &p->action) < 0) {
			*why = "expected none, signal or exec";
			return -EINVAL;
		}
		return 0;
	case DXP_K_ACTION_TARGET:
		if (dxp_action_target_from_string(value, &p->action_target) < 0) {
			*why = "expected waiter or holder";
			return -EINVAL;
		}
		return 0;
	case DXP_K_ACTION_SIGNAL:
		if (dxp_parse_signal(value, &p->action_signal) < 0) {
			*why = "expected one of SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGKILL, SIGUSR1, SIGUSR2, SIGALRM";
			return -EINVAL;
		}
		return 0;
	case DXP_K_EXEC_HOOK: {
		char *dup;

		if (value[0] != '/') {
			*why = "ExecHook must be an absolute path";
			return -EINVAL;
		}
		dup = strdup(value);
		if (!dup) {
			*why = "out of memory";
			return -ENOMEM;
		}
		free(sec->exec_hook);
		sec->exec_hook = dup;
		p->exec_hook = dup;
		return 0;
	}
	default:
		*why = "not a policy key";
		return -EINVAL;
	}
}

int dxp_key_parse_global(struct dxp_config *c, enum dxp_key k, const char *value,
			 const char **why)
{
	uint32_t u;
	bool b;

	switch (k) {
	case DXP_K_METRICS_PATH: {
		char *dup;

		if (value[0] && value[0] != '/') {
			*why = "MetricsPath must be an absolute path (or empty to disable)";
			return -EINVAL;
		}
		dup = strdup(value);
		if (!dup)
			return -ENOMEM;
		free(c->metrics_path);
		c->metrics_path = dup;
		return 0;
	}
	case DXP_K_RATELIMIT_INTERVAL:
		if (daxpin_parse_time_ns(value, &c->ratelimit_interval_ns) < 0 ||
		    c->ratelimit_interval_ns == DXP_NEVER) {
			*why = "expected seconds (0 disables rate limiting)";
			return -EINVAL;
		}
		return 0;
	case DXP_K_RATELIMIT_BURST:
		if (parse_u32(value, &u) < 0) {
			*why = "expected a non-negative integer";
			return -EINVAL;
		}
		c->ratelimit_burst = u;
		return 0;
	case DXP_K_POLL_MS:
	case DXP_K_EVENT_BURST:
		if (parse_u32(value, &u) < 0 || (k == DXP_K_POLL_MS && u == 0)) {
			*why = k == DXP_K_POLL_MS ? "expected a positive integer (milliseconds)"
						  : "expected a non-negative integer (events per second)";
			return -EINVAL;
		}
		if (k == DXP_K_POLL_MS) {
			c->module.poll_ms = u;
			c->module.set |= DXP_MODCFG_POLL_MS;
		} else {
			c->module.event_burst = u;
			c->module.set |= DXP_MODCFG_EVENT_BURST;
		}
		return 0;
	case DXP_K_OPEN_READS:
	case DXP_K_COUNT_BREAKS:
		if (dxp_parse_bool(value, &b) < 0) {
			*why = "expected a boolean (yes/no)";
			return -EINVAL;
		}
		if (k == DXP_K_OPEN_READS) {
			c->module.open_reads = b;
			c->module.set |= DXP_MODCFG_OPEN_READS;
		} else {
			c->module.count_breaks = b;
			c->module.set |= DXP_MODCFG_COUNT_BREAKS;
		}
		return 0;
	default:
		*why = "not a global key";
		return -EINVAL;
	}
}

/* ---- formatting --------------------------------------------------------- */

static int fmt_time(char *buf, size_t len, uint64_t ns)
{
	if (ns == DXP_NEVER)
		return snprintf(buf, len, "infinity");
	if (ns % DXP_NSEC_PER_SEC == 0)
		return snprintf(buf, len, "%" PRIu64, ns / DXP_NSEC_PER_SEC);
	return snprintf(buf, len, "%.3f", (double)ns / 1e9);
}

int dxp_config_format(const struct dxp_config *c, const struct dxp_policy_section *sec,
		      enum dxp_key k, char *buf, size_t len)
{
	const struct dxp_policy *p = sec ? &sec->p : &c->global.p;

	switch (k) {
	case DXP_K_WARN_AFTER: return fmt_time(buf, len, p->warn_after_ns);
	case DXP_K_NONTRANSIENT_AFTER: return fmt_time(buf, len, p->nontransient_after_ns);
	case DXP_K_STALLED_WAKE: return snprintf(buf, len, "%s", p->stalled_wake ? "yes" : "no");
	case DXP_K_STALLED_AFTER: return fmt_time(buf, len, p->stalled_after_ns);
	case DXP_K_ACTION: return snprintf(buf, len, "%s", dxp_action_to_string(p->action));
	case DXP_K_ACTION_AFTER: return fmt_time(buf, len, p->action_after_ns);
	case DXP_K_ACTION_SIGNAL: return snprintf(buf, len, "%s", dxp_signal_name(p->action_signal));
	case DXP_K_EXEC_HOOK: return snprintf(buf, len, "%s", p->exec_hook ? p->exec_hook : "");
	case DXP_K_EXEC_TIMEOUT: return fmt_time(buf, len, p->exec_timeout_ns);
	case DXP_K_DRY_RUN: return snprintf(buf, len, "%s", p->dry_run ? "yes" : "no");
	case DXP_K_ACTION_TARGET:
		return snprintf(buf, len, "%s", dxp_action_target_to_string(p->action_target));
	case DXP_K_METRICS_PATH:
		return snprintf(buf, len, "%s", c->metrics_path ? c->metrics_path : "");
	case DXP_K_RATELIMIT_INTERVAL: return fmt_time(buf, len, c->ratelimit_interval_ns);
	case DXP_K_RATELIMIT_BURST: return snprintf(buf, len, "%u", c->ratelimit_burst);
	case DXP_K_POLL_MS:
		return c->module.set & DXP_MODCFG_POLL_MS
			? snprintf(buf, len, "%" PRIu32, c->module.poll_ms) : snprintf(buf, len, "(module)");
	case DXP_K_EVENT_BURST:
		return c->module.set & DXP_MODCFG_EVENT_BURST
			? snprintf(buf, len, "%" PRIu32, c->module.event_burst) : snprintf(buf, len, "(module)");
	case DXP_K_OPEN_READS:
		return c->module.set & DXP_MODCFG_OPEN_READS
			? snprintf(buf, len, "%s", c->module.open_reads ? "yes" : "no")
			: snprintf(buf, len, "(module)");
	case DXP_K_COUNT_BREAKS:
		return c->module.set & DXP_MODCFG_COUNT_BREAKS
			? snprintf(buf, len, "%s", c->module.count_breaks ? "yes" : "no")
			: snprintf(buf, len, "(module)");
	default:
		return -EINVAL;
	}
}
