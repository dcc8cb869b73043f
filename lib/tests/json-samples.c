// SPDX-License-Identifier: LGPL-2.1
/*
 * Print sample --json documents, one per line as "<schema>\t<json>", built
 * from netlink messages parsed by libdaxpin and composed the way daxpinctl
 * composes them; cli/tests/test-schemas.sh validates them against
 * docs/schema/<schema>.json.
 */
#include <stdio.h>
#include <string.h>

#include "builder.h"
#include "lib/daxpin-json.h"

#define FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static void emit(const char *schema, struct json_object *o)
{
	printf("%s\t%s\n", schema, o ? json_object_to_json_string_ext(o, FLAGS)
				      : "null");
	json_object_put(o);
}

int main(void)
{
	static const char mi[] =
		"40 22 259:0 / /mnt/pmem0 rw - ext4 /dev/pmem0 rw,dax=always\n";
	struct daxpin_mounts m;
	struct daxpin_waits w = { 0 };
	struct daxpin_stats st = { 0 };
	struct daxpin_scan sc = { 0 };
	struct daxpin_bench b = { 0 };
	struct daxpin_config c;
	struct json_object *o, *arr;
	struct nl_msg *msg;
	unsigned int i;
	FILE *f;

	f = fmemopen((void *)mi, strlen(mi), "r");
	if (!f || daxpin_mounts_parse(f, &m))
		return 1;
	fclose(f);

	emit("waits", daxpin_waits_to_json(&w, &m));
	msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	for (i = 0; i < 12; i++) {
		struct daxpin_wait x;

		tb_sample_wait(&x, i);
		tb_put_wait(msg, DAXPIN_ATTR_WAIT, &x, false);
	}
	if (daxpin_msg_parse_waits(nlmsg_hdr(msg), &w))
		return 1;
	nlmsg_free(msg);
	emit("waits", daxpin_waits_to_json(&w, &m));

	{
		/* as daxpinctl kick builds it (cli/cmd-waits.c) */
		struct json_object *k = json_object_new_object();
		struct json_object *kicks = json_object_new_array();

		json_object_object_add(k, "id", json_object_new_uint64(1000));
		json_object_object_add(k, "was_idle", json_object_new_boolean(1));
		daxpin_json_add_holders(k, &w.waits[2]);	/* one holder */
		json_object_array_add(kicks, k);
		k = json_object_new_object();
		json_object_object_add(k, "id", json_object_new_uint64(1001));
		json_object_object_add(k, "was_idle", json_object_new_boolean(0));
		daxpin_json_add_holders(k, &w.waits[0]);	/* not known */
		json_object_array_add(kicks, k);
		o = json_object_new_object();
		json_object_object_add(o, "kicked_waits", kicks);
		emit("kick", o);
	}

	msg = tb_msg(DAXPIN_CMD_GET_STATS, NLM_F_MULTI);
	{
		struct daxpin_global g = {
			.version = "0.1.0", .waits_max = 64, .waits_active = 3,
			.has_summary = true, .waits_stalled = 1,
			.oldest_waited_ns = 12000000000ULL,
		};
		struct daxpin_sb_stats sb = { .fs = "ext4", .dev_major = 259 };
		struct daxpin_gp_stats gp = { .name = "synchronize_rcu",
					      .context = DAXPIN_GP_CTX_KILL_DAX,
					      .has_missed = true, .missed = 2 };

		g.scan_hist.count[0] = 1;
		sb.hist.count[9] = 2;
		gp.hist.count[31] = 3;
		tb_put_global(msg, &g, false);
		tb_put_sb(msg, &sb, false);
		sb.dev_minor = 7;
		tb_put_sb(msg, &sb, false);
		tb_put_gp(msg, &gp, false);
	}
	if (daxpin_msg_parse_stats(nlmsg_hdr(msg), &st))
		return 1;
	nlmsg_free(msg);
	for (i = 0; i < 2; i++) {
		o = daxpin_stats_to_json(&st, &m, i);
		json_object_object_add(o, "reset", json_object_new_boolean(i));
		emit("stats", o);
	}
	daxpin_stats_free(&st);
	o = daxpin_stats_to_json(&st, NULL, true);
	json_object_object_add(o, "reset", json_object_new_boolean(0));
	emit("stats", o);

	msg = tb_msg(DAXPIN_CMD_SCAN, 0);
	{
		struct daxpin_scan_page p = { .offset = 4096, .pfn = 9,
					      .has_pfn = true,
					      .refcount = 2, .dma_pinned = 1 };

		tb_put_u64(msg, DAXPIN_ATTR_SCAN_ENTRIES, 3, DAXPIN_ATTR_PAD, 0);
		tb_put_page(msg, &p, false);
	}
	if (daxpin_msg_parse_scan(nlmsg_hdr(msg), &sc))
		return 1;
	nlmsg_free(msg);
	o = json_object_new_object();
	arr = json_object_new_array();
	json_object_array_add(arr, daxpin_scan_to_json(&sc, "/mnt/pmem0/f"));
	json_object_object_add(o, "scans", arr);
	emit("scan", o);

	msg = tb_msg(DAXPIN_CMD_GET_CONFIG, 0);
	{
		struct daxpin_config in = { .max_waits = 64, .poll_ms = 100 };

		tb_put_config(msg, &in);
	}
	if (daxpin_msg_parse_config(nlmsg_hdr(msg), &c))
		return 1;
	nlmsg_free(msg);
	emit("config", daxpin_config_to_json(&c));

	msg = tb_msg(DAXPIN_CMD_BENCH_GP, 0);
	for (i = 0; i < DAXPIN_GP_NR; i++) {
		struct daxpin_bench_result r = { .primitive = i, .iterations = 20 };

		snprintf(r.name, sizeof(r.name), "%s", daxpin_gp_primitive_name(i));
		tb_put_bench(msg, &r, false);
	}
	if (daxpin_msg_parse_bench(nlmsg_hdr(msg), &b))
		return 1;
	nlmsg_free(msg);
	o = daxpin_bench_to_json(&b);
	json_object_object_add(o, "bench", json_object_new_string("gp"));
	json_object_object_add(o, "iterations", json_object_new_int64(20));
	emit("bench", o);

	for (i = DAXPIN_EVENT_WAIT_START; i <= DAXPIN_EVENT_KICKED; i++) {
		struct daxpin_event ev = { .type = i, .time_ns = 5,
					   .has_wait = true };

		tb_sample_wait(&ev.wait, i);
		ev.has_outcome = i == DAXPIN_EVENT_WAIT_END;
		ev.has_end_seq = i == DAXPIN_EVENT_WAIT_END;
		ev.end_seq = 17;
		ev.has_was_idle = i == DAXPIN_EVENT_KICKED;
		emit("monitor", daxpin_event_to_json(&ev, &m));
	}
	{
		struct daxpin_event ev = { .type = DAXPIN_EVENT_OVERRUN };

		emit("monitor", daxpin_event_to_json(&ev, &m));
	}
	{
		struct daxpin_event ev = { .type = DAXPIN_EVENT_OVERRUN, .time_ns = 5,
					   .has_dropped = true, .dropped = 1234 };

		emit("monitor", daxpin_event_to_json(&ev, &m));
	}
	o = daxpin_waits_to_json(&w, &m);
	json_object_object_add(o, "event", json_object_new_string("resync"));
	emit("monitor", o);

	/* hostile names: controls and bytes that are not UTF-8 (the JSON
	 * must stay valid UTF-8: test-schemas.sh decodes it strictly) */
	{
		struct daxpin_event ev = { .type = DAXPIN_EVENT_WAIT_START,
					   .time_ns = 5, .has_wait = true };
		struct daxpin_waits hw = { .waits = &ev.wait, .nr = 1 };

		tb_sample_wait(&ev.wait, 1);
		snprintf(ev.wait.comm, sizeof(ev.wait.comm), "a\nb\x1b[31m\xff");
		snprintf(ev.wait.path, sizeof(ev.wait.path), "/x\n\xff\xfe\xc3");
		emit("monitor", daxpin_event_to_json(&ev, &m));
		emit("waits", daxpin_waits_to_json(&hw, &m));
	}

	daxpin_waits_free(&w);
	daxpin_scan_free(&sc);
	daxpin_bench_free(&b);
	daxpin_mounts_free(&m);
	return 0;
}
