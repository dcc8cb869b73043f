// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: a netlink message from "the module" through libdaxpin's
 * parsers (lib/parse.c; selector 6 also the ended-wait log's records and
 * summary), the JSON renderers (lib/json.c) and daxpinctl's
 * text renderers (cli/render.c).  Input: one selector byte, then the
 * message (struct nlmsghdr first; nlmsg_len is what was received, as
 * libnl's receive path guarantees).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "cli/render.h"
#include "lib/daxpin-json.h"
#include "fuzz-check.h"

static const char mountinfo[] =
	"40 22 259:0 / /mnt/pmem0 rw - ext4 /dev/pmem0 rw,dax=always\n"
	"41 22 259:1 /d\\0401 /mnt/p\\012x rw - xfs /dev/pmem1 rw,dax=inode\n";

static struct daxpin_mounts *mounts(void)
{
	static struct daxpin_mounts m;
	static int loaded;
	FILE *f;

	if (!loaded) {
		f = fmemopen((void *)mountinfo, strlen(mountinfo), "r");
		if (!f || daxpin_mounts_parse(f, &m))
			abort();
		fclose(f);
		loaded = 1;
	}
	return &m;
}

static void one(unsigned int sel, const struct nlmsghdr *nlh)
{
	const struct daxpin_mounts *m = mounts();
	struct render_opts ro = { .human = sel & 0x10, .verbose = sel & 0x20,
				  .hist = sel & 0x40 };

	switch (sel % 8) {
	case 0: {
		struct daxpin_waits w = { 0 };

		/* twice: the parser accumulates a multipart dump */
		if (!daxpin_msg_parse_waits(nlh, &w))
			daxpin_msg_parse_waits(nlh, &w);
		fuzz_check_json_put(daxpin_waits_to_json(&w, m));
		FUZZ_CHECK_PRINTED(render_waits(f, &w, m, &ro));
		daxpin_waits_free(&w);
		break;
	}
	case 1: {
		struct daxpin_stats s = { 0 };

		daxpin_msg_parse_stats(nlh, &s);
		fuzz_check_json_put(daxpin_stats_to_json(&s, m, ro.hist));
		FUZZ_CHECK_PRINTED(render_stats(f, &s, m, &ro));
		daxpin_stats_free(&s);
		break;
	}
	case 2: {
		struct daxpin_scan s = { 0 };

		if (!daxpin_msg_parse_scan(nlh, &s))
			daxpin_msg_parse_scan(nlh, &s);
		fuzz_check_json_put(daxpin_scan_to_json(&s, "/mnt/pmem0/f\n"));
		FUZZ_CHECK_PRINTED(render_scan(f, "/mnt/pmem0/f\n", &s, &ro));
		daxpin_scan_free(&s);
		break;
	}
	case 3: {
		struct daxpin_event ev;

		memset(&ev, 0, sizeof(ev));
		if (daxpin_msg_parse_event(nlh, &ev))
			break;
		fuzz_check_json_put(daxpin_event_to_json(&ev, m));
		FUZZ_CHECK_PRINTED(render_event(f, &ev, m, &ro));
		break;
	}
	case 4: {
		struct daxpin_config c;

		memset(&c, 0, sizeof(c));
		if (daxpin_msg_parse_config(nlh, &c))
			break;
		fuzz_check_json_put(daxpin_config_to_json(&c));
		FUZZ_CHECK_PRINTED(render_config(f, &c));
		break;
	}
	case 5: {
		struct daxpin_bench b = { 0 };

		daxpin_msg_parse_bench(nlh, &b);
		fuzz_check_json_put(daxpin_bench_to_json(&b));
		FUZZ_CHECK_PRINTED(render_bench(f, &b, &ro));
		daxpin_bench_free(&b);
		break;
	}
	case 6: {
		struct daxpin_waits_log log;
		struct daxpin_waits w = { 0 };
		bool was_idle;

		daxpin_msg_parse_kick(nlh, &was_idle);
		/* a dump with a cursor: ended records and the summary */
		memset(&log, 0, sizeof(log));
		if (!daxpin_msg_parse_waits_log(nlh, &log) && log.present &&
		    !(log.has_seq && log.has_lost && log.has_last_id))
			abort();	/* a summary is whole or refused */
		if (!daxpin_msg_parse_waits(nlh, &w))
			for (size_t i = 0; i < w.nr; i++)
				if (w.waits[i].ended && !w.waits[i].has_outcome)
					abort();	/* a record has its outcome */
		fuzz_check_json_put(daxpin_waits_to_json(&w, m));
		daxpin_waits_free(&w);
		break;
	}
	default: {
		char msg[256];

		daxpin_parse_nlmsgerr(nlh, msg, sizeof(msg));
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsghdr *nlh;

	if (size < 1 + sizeof(struct nlmsghdr) || size > 1 << 20)
		return 0;
	/* aligned, exactly as long as what was received */
	nlh = malloc(size - 1);
	if (!nlh)
		return 0;
	memcpy(nlh, data + 1, size - 1);
	nlh->nlmsg_len = (uint32_t)(size - 1);
	one(data[0], nlh);
	free(nlh);
	return 0;
}
