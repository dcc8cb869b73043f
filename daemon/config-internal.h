/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by config.c (loading), config-keys.c (keys and values) and
 * config-runtime.c (the runtime drop-in); nothing else includes this.
 */
#ifndef DAXPIND_CONFIG_INTERNAL_H
#define DAXPIND_CONFIG_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "daemon/config.h"

/* config-keys.c: parse @value for key @k into @sec (policy keys) or @c
 * (the others).  Returns 0, -ENOMEM, or -EINVAL with a human reason in
 * @why. */
int dxp_key_parse_policy(struct dxp_policy_section *sec, enum dxp_key k, const char *value,
			 const char **why);
int dxp_key_parse_global(struct dxp_config *c, enum dxp_key k, const char *value,
			 const char **why);

/* config.c: "[Mount /srv/pmem]", "[Device pmem0]" or "[Device /dev/pmem0]",
 * "[Policy]", "[Daemon]", "[Module]".  On success *match is malloc'd or
 * NULL. */
int dxp_config_parse_section(const char *name, enum dxp_section_kind *kind, char **match);

/* config.c: each section header and key of a file, in file order. */
struct dxp_ini_line {
	unsigned line;		/* where it began */
	char *section;		/* original case, as written */
	char *key;		/* NULL for a section header; "" for a syntax error */
	char *value;		/* NULL for headers and syntax errors */
	char kept;		/* first '#' or ';' inside an unquoted value, or 0 */
};

struct dxp_ini_index {
	struct dxp_ini_line *e;
	size_t n;
};

int dxp_ini_parse(FILE *f, struct dxp_ini_index *x);
void dxp_ini_index_free(struct dxp_ini_index *x);

#endif
