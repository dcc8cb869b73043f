/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What daxpind already did for each wait, kept in a small file under
 * /run/daxpin so that a restart (kill -9, crash, upgrade) repeats no warning
 * and no action.
 *
 * Identity of a wait: (boot id, wait id, start time).  Wait ids are unique
 * only while daxpin.ko stays loaded -- a reload restarts them -- but a wait's
 * CLOCK_BOOTTIME start in nanoseconds does not repeat within a boot, so the
 * pair survives module reloads without needing a module load identity, and
 * the boot id makes a stale file (a /run that is not a tmpfs) harmless.
 */
#ifndef DAXPIND_STATE_H
#define DAXPIND_STATE_H

#include <stddef.h>
#include <stdint.h>

struct dxp_state_entry {
	uint64_t id;
	uint64_t start_ns;
	unsigned done;		/* DXP_DONE_* */
};

struct dxp_state {
	struct dxp_state_entry *e;
	size_t n;
};

/* A missing file, a file of another boot or a corrupt one loads as empty
 * (returns 0); only real I/O errors fail. */
int dxp_state_load(const char *path, const char *boot_id, struct dxp_state *out);
int dxp_state_save(const char *path, const char *boot_id, const struct dxp_state *s);
void dxp_state_free(struct dxp_state *s);
/* done flags recorded for (id, start), 0 if none */
unsigned dxp_state_lookup(const struct dxp_state *s, uint64_t id, uint64_t start_ns);
int dxp_state_read_boot_id(char *buf, size_t len);

#endif
