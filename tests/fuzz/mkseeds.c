// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus of fuzz-netlink (corpus/netlink/): one message of
 * each kind the module sends, built with the unit tests' builder
 * (lib/tests/builder.c, as daxpin.ko builds them), behind the harness's
 * selector byte.  tests/fuzz/run builds and runs it when the directory is
 * missing; the seeds are kept in the tree.
 *
 *   mkseeds DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tests/builder.h"

static const char *dir;

static void save(const char *name, unsigned char sel, struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(&sel, 1, 1, f) != 1 ||
	    fwrite(nlh, 1, nlh->nlmsg_len, f) != nlh->nlmsg_len || fclose(f)) {
		perror(path);
		exit(1);
	}
	nlmsg_free(msg);
}

int main(int argc, char **argv)
{
	struct nl_msg *msg;
	struct daxpin_wait w;
	unsigned int i;

	if (argc != 2)
		return 2;
	dir = argv[1];

	msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	tb_sample_wait(&w, 1);
	tb_put_wait(msg, DAXPIN_ATTR_WAIT, &w, true);
	save("waits", 0x30, msg);
	msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	tb_sample_wait(&w, 2);
	snprintf(w.comm, sizeof(w.comm), "a b\n\x1b[31m\xff");
	snprintf(w.path, sizeof(w.path), "/d 1\n\xfe\xc3");
	tb_put_wait(msg, DAXPIN_ATTR_WAIT, &w, false);
	save("waits-hostile", 0x00, msg);
	/* two holders (a hostile comm), truncated; then one that says none */
	msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	tb_sample_wait(&w, 7);
	snprintf(w.holders[1].comm, sizeof(w.holders[1].comm), "h\n\x1b[1m\xff");
	tb_put_wait(msg, DAXPIN_ATTR_WAIT, &w, true);
	tb_sample_wait(&w, 5);
	tb_put_wait(msg, DAXPIN_ATTR_WAIT, &w, false);
	save("waits-holders", 0x30, msg);
	{
		struct daxpin_waits_log log = { .has_seq = true, .has_lost = true,
						.has_last_id = true, .seq = 12, .lost = 2,
						.last_id = 40 };

		msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
		tb_sample_wait(&w, 3);
		w.ended = w.has_outcome = true;
		w.outcome = DAXPIN_OUTCOME_INTERRUPTED;
		w.end_seq = 11;
		tb_put_wait(msg, DAXPIN_ATTR_WAIT, &w, true);
		save("waits-ended", 0x06, msg);
		msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
		tb_put_waits_log(msg, &log, true);
		save("waits-log", 0x06, msg);
	}

	{
		struct daxpin_global g = { .version = "0.1.0", .waits_active = 2,
					   .has_summary = true };
		struct daxpin_sb_stats sb = { .fs = "ext4", .dev_major = 259,
					      .started = 4, .completed = 3 };
		struct daxpin_gp_stats gp = { .name = "synchronize_rcu", .count = 9 };

		g.scan_hist.count[3] = 5;
		sb.hist.count[10] = 7;
		gp.hist.count[2] = 1;
		msg = tb_msg(DAXPIN_CMD_GET_STATS, NLM_F_MULTI);
		tb_put_global(msg, &g, true);
		tb_put_sb(msg, &sb, false);
		tb_put_gp(msg, &gp, true);
		save("stats", 0x51, msg);
	}
	{
		struct daxpin_scan_page p = { .offset = 8192, .refcount = 3,
					      .dma_pinned = true };

		msg = tb_msg(DAXPIN_CMD_SCAN, NLM_F_MULTI);
		for (i = 0; i < 3; i++) {
			p.offset = 4096 * i;
			tb_put_page(msg, &p, i & 1);
		}
		nla_put_u64(msg, DAXPIN_ATTR_SCAN_ENTRIES, 12);
		nla_put_flag(msg, DAXPIN_ATTR_SCAN_TRUNCATED);
		save("scan", 0x12, msg);
	}
	for (i = DAXPIN_EVENT_WAIT_START; i <= DAXPIN_EVENT_KICKED; i++) {
		struct daxpin_event ev = { .type = i, .time_ns = 5, .has_wait = true };
		char name[32];

		tb_sample_wait(&ev.wait, i);
		ev.has_outcome = i == DAXPIN_EVENT_WAIT_END;
		ev.has_was_idle = i == DAXPIN_EVENT_KICKED;
		msg = tb_msg(DAXPIN_CMD_EVENT, 0);
		tb_put_event(msg, &ev, i & 1);
		snprintf(name, sizeof(name), "event-%u", i);
		save(name, 0x03 | (i & 1) << 4, msg);
	}
	{
		struct daxpin_event ev = { .type = DAXPIN_EVENT_OVERRUN, .time_ns = 5,
					   .has_dropped = true, .dropped = 1234 };

		msg = tb_msg(DAXPIN_CMD_EVENT, 0);
		tb_put_event(msg, &ev, true);
		save("event-overrun", 0x03 | 1 << 4, msg);
	}
	{
		struct daxpin_config c = { .mask = ~0u, .max_waits = 64, .poll_ms = 100,
					   .open_reads = true, .event_burst = 100 };

		msg = tb_msg(DAXPIN_CMD_GET_CONFIG, 0);
		tb_put_config(msg, &c);
		save("config", 0x04, msg);
	}
	{
		struct daxpin_bench_result r = { .name = "synchronize_rcu",
						 .iterations = 20, .min_ns = 1,
						 .median_ns = 2, .max_ns = 3 };

		msg = tb_msg(DAXPIN_CMD_BENCH_GP, 0);
		tb_put_bench(msg, &r, true);
		save("bench", 0x15, msg);
	}
	msg = tb_msg(DAXPIN_CMD_KICK, 0);
	nla_put_u8(msg, DAXPIN_ATTR_WAS_IDLE, 1);
	save("kick", 0x06, msg);
	return 0;
}
