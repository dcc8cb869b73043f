/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef DAXPIND_CONFIG_H
#define DAXPIND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/policy.h"
#include "daemon/source.h"

/* Every key the daemon knows; policy keys first (they are per section). */
enum dxp_key {
	DXP_K_WARN_AFTER,
	DXP_K_NONTRANSIENT_AFTER,
	DXP_K_STALLED_WAKE,
	DXP_K_STALLED_AFTER,
	DXP_K_ACTION,
	DXP_K_ACTION_AFTER,
	DXP_K_ACTION_SIGNAL,
	DXP_K_EXEC_HOOK,
	DXP_K_EXEC_TIMEOUT,
	DXP_K_DRY_RUN,
	DXP_K_ACTION_TARGET,
	DXP_K_POLICY_MAX,
	/* [Daemon] */
	DXP_K_METRICS_PATH = DXP_K_POLICY_MAX,
	DXP_K_RATELIMIT_INTERVAL,
	DXP_K_RATELIMIT_BURST,
	/* [Module] */
	DXP_K_POLL_MS,
	DXP_K_EVENT_BURST,
	DXP_K_OPEN_READS,
	DXP_K_COUNT_BREAKS,
	DXP_K_MAX,
};

enum dxp_section_kind {
	DXP_SEC_POLICY,
	DXP_SEC_MOUNT,
	DXP_SEC_DEVICE,
	DXP_SEC_DAEMON,
	DXP_SEC_MODULE,
};

struct dxp_origin {
	const char *file;		/* NULL: built-in default */
	unsigned line;
};

struct dxp_policy_section {
	enum dxp_section_kind kind;
	char *match;			/* mount point or device name */
	uint64_t set;			/* 1 << enum dxp_key for keys given */
	struct dxp_policy p;
	char *exec_hook;		/* owned; p.exec_hook points here */
	struct dxp_origin origin[DXP_K_POLICY_MAX];
};

struct dxp_config {
	struct dxp_policy_section global;	/* [Policy]: always complete */
	struct dxp_policy_section *sections;	/* [Mount ...] / [Device ...] */
	size_t n_sections;

	char *metrics_path;		/* NULL or "": no textfile */
	uint64_t ratelimit_interval_ns;
	unsigned ratelimit_burst;
	struct dxp_module_config module;
	struct dxp_origin origin[DXP_K_MAX];	/* for non-policy keys */

	char **files;			/* files read, in order; origins point here */
	size_t n_files;
};

struct dxp_config_paths {
	const char *main_file;		/* e.g. /etc/daxpin/daxpind.conf */
	bool main_file_required;	/* given by the operator (-c): missing is an error */
	const char *const *dropin_dirs;	/* NULL-terminated, in precedence order */
};

/* Called once per problem found: "file:line: message". */
typedef void (*dxp_config_error_fn)(void *userdata, const char *file, unsigned line,
				    const char *key, const char *message);

/* ---- config.c: loading ---------------------------------------------------- */

/*
 * Read the main file (missing is fine unless main_file_required) and every
 * *.conf in each drop-in dir (sorted), later files overriding earlier ones.
 * A file or directory that cannot be read (a directory given as a file
 * included) is a problem like a bad value, reported at line 0.  Returns 0,
 * or -EINVAL after reporting each problem through @err, or -ENOMEM.
 */
int dxp_config_load(const struct dxp_config_paths *paths, dxp_config_error_fn err,
		    void *userdata, struct dxp_config **out);
/* The same, and @warn (may be NULL) hears what loads but may not be what was
 * meant: a '#' or ';' kept inside an unquoted value (it would have begun a
 * comment after whitespace, and did with the parser daxpind used before). */
int dxp_config_load_warn(const struct dxp_config_paths *paths, dxp_config_error_fn err,
			 dxp_config_error_fn warn, void *userdata, struct dxp_config **out);
void dxp_config_free(struct dxp_config *c);

/* Effective policy for a wait on @mountpoint / @devname (either may be NULL).
 * Precedence: [Policy] < [Device name] < [Mount path]. */
void dxp_config_resolve(const struct dxp_config *c, const char *mountpoint,
			const char *devname, struct dxp_policy *out,
			struct dxp_origin origin[DXP_K_POLICY_MAX]);

/* ---- config-keys.c: keys, values and their wording -------------------------- */

const char *dxp_key_name(enum dxp_key k);
int dxp_key_from_name(const char *name, enum dxp_key *out);
bool dxp_key_valid_in(enum dxp_key k, enum dxp_section_kind kind);
/* Formats the value of @k in @sec (policy keys) or @c (others). */
int dxp_config_format(const struct dxp_config *c, const struct dxp_policy_section *sec,
		      enum dxp_key k, char *buf, size_t len);

int dxp_parse_bool(const char *s, bool *out);
int dxp_parse_signal(const char *s, int *out);
const char *dxp_signal_name(int sig);

/* ---- config-runtime.c: the runtime drop-in ---------------------------------- */

/*
 * Set (value != NULL) or remove (value == NULL) @key in section @section of
 * the runtime drop-in @file, after checking that the value parses.  The file
 * is rewritten atomically.  Returns 0, -EINVAL (message in @errbuf) or errno.
 */
int dxp_config_runtime_set(const char *file, const char *section, const char *key,
			   const char *value, char *errbuf, size_t errlen);
/* Put @file back to @len bytes of @saved (NULL: remove it), atomically. */
int dxp_config_runtime_restore(const char *file, const char *saved, size_t len);

#endif
