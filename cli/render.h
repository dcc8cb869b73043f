/* SPDX-License-Identifier: GPL-2.0 */
/* Human (table/text) rendering for daxpinctl; pure, writes to a FILE */
#ifndef _DAXPINCTL_RENDER_H_
#define _DAXPINCTL_RENDER_H_

#include <stdbool.h>
#include <stdio.h>

#include "lib/daxpin.h"

struct render_opts {
	bool human;	/* durations/sizes in human units */
	bool verbose;	/* more columns */
	bool hist;	/* histograms */
	bool only_sb;	/* render_stats: superblock table only */
};

const char *render_holders(char *buf, size_t len, const struct daxpin_wait *w);
void render_holder_lines(FILE *f, const char *indent,
			 const struct daxpin_wait *w);
void render_waits(FILE *f, const struct daxpin_waits *w,
		  const struct daxpin_mounts *mnts,
		  const struct render_opts *ro);
/* bcc-style log2 histogram; prints nothing when empty */
void render_hist(FILE *f, const struct daxpin_hist *h, const char *unit);
void render_stats(FILE *f, const struct daxpin_stats *s,
		  const struct daxpin_mounts *mnts,
		  const struct render_opts *ro);
void render_scan(FILE *f, const char *path, const struct daxpin_scan *s,
		 const struct render_opts *ro);
void render_bench(FILE *f, const struct daxpin_bench *b,
		  const struct render_opts *ro);
void render_config(FILE *f, const struct daxpin_config *c);
/* one line, newline included */
void render_event(FILE *f, const struct daxpin_event *ev,
		  const struct daxpin_mounts *mnts,
		  const struct render_opts *ro);
/* "1234" or "1.23ms" depending on ro->human, for a duration in ns */
const char *render_ns(char *buf, size_t len, unsigned long long ns,
		      const struct render_opts *ro);

#endif /* _DAXPINCTL_RENDER_H_ */
