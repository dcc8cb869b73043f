// SPDX-License-Identifier: LGPL-2.1
/*
 * libdaxpin unit tests: messages are built in-process with libnl exactly as
 * daxpin.ko builds them, parsed by the pure parsers and rendered as JSON.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/netlink.h>

#include "builder.h"
#include "lib/daxpin.h"
#include "lib/daxpin-json.h"
#include "lib/daxpin-util.h"
#include "lib/daxpin-text.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static const char sample_mountinfo[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"40 22 259:0 / /mnt/pmem0 rw,relatime shared:20 - ext4 /dev/pmem0 rw,dax=always\n"
	"41 22 259:1 / /mnt/pmem\\0401 rw,relatime shared:21 - xfs /dev/pmem1 rw,attr2,dax=inode\n"
	"42 22 259:1 /dir\\0401 /srv/bind rw,relatime shared:21 - xfs /dev/pmem1 rw,attr2,dax=inode\n"
	"43 22 259:2 / /mnt/plain rw - ext4 /dev/pmem2 rw\n"
	"44 22 259:3 / /mnt/old rw - ext2 /dev/pmem3 rw,dax\n"
	"garbage line without separator\n";

static void load_sample_mounts(struct daxpin_mounts *m)
{
	FILE *f = fmemopen((void *)sample_mountinfo, strlen(sample_mountinfo),
			   "r");

	assert_non_null(f);
	assert_int_equal(daxpin_mounts_parse(f, m), 0);
	fclose(f);
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, key, &v));
	return v;
}

static void assert_holders_equal(const struct daxpin_wait *a,
				 const struct daxpin_wait *b)
{
	uint32_t i;

	assert_int_equal(a->nr_holders, b->nr_holders);
	assert_int_equal(a->holders_truncated, b->holders_truncated);
	assert_int_equal(a->no_holder, b->no_holder);
	for (i = 0; i < a->nr_holders; i++) {
		const struct daxpin_holder *x = &a->holders[i], *y = &b->holders[i];

		assert_int_equal(x->pid, y->pid);
		assert_int_equal(x->tgid, y->tgid);
		assert_int_equal(x->uid, y->uid);
		assert_string_equal(x->comm, y->comm);
		assert_int_equal(x->vm_start, y->vm_start);
		assert_int_equal(x->vm_end, y->vm_end);
		assert_int_equal(x->address, y->address);
		assert_int_equal(x->vm_flags, y->vm_flags);
		assert_int_equal(x->dma_pinned, y->dma_pinned);
		assert_int_equal(x->mm_pinned, y->mm_pinned);
	}
}

static void assert_wait_equal(const struct daxpin_wait *a,
			      const struct daxpin_wait *b)
{
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->tgid, b->tgid);
	assert_string_equal(a->comm, b->comm);
	assert_string_equal(a->fs, b->fs);
	assert_int_equal(a->dev_major, b->dev_major);
	assert_int_equal(a->dev_minor, b->dev_minor);
	assert_int_equal(a->ino, b->ino);
	assert_string_equal(a->path, b->path);
	assert_int_equal(a->offset, b->offset);
	assert_int_equal(a->pfn, b->pfn);
	assert_int_equal(a->has_pfn, b->has_pfn);
	assert_int_equal(a->has_path, b->has_path);
	assert_int_equal(a->path_truncated, b->path_truncated);
	assert_int_equal(a->start_ns, b->start_ns);
	assert_int_equal(a->waited_ns, b->waited_ns);
	assert_int_equal(a->rounds, b->rounds);
	assert_int_equal(a->refcount, b->refcount);
	assert_int_equal(a->kicks, b->kicks);
	assert_int_equal(a->dma_pinned, b->dma_pinned);
	assert_int_equal(a->idle, b->idle);
	assert_int_equal(a->stalled, b->stalled);
	assert_int_equal(a->page_gone, b->page_gone);
	assert_holders_equal(a, b);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->folio_order, b->folio_order);
}

/* ---- waits ---- */

static void test_waits_empty(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct daxpin_waits w = { 0 };
	struct json_object *o;

	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), 0);
	assert_int_equal(w.nr, 0);
	o = daxpin_waits_to_json(&w, NULL);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_FLAGS),
			    "{\"waits\":[]}");
	json_object_put(o);
	daxpin_waits_free(&w);
	nlmsg_free(msg);
}

static void check_one_wait(bool pad)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct daxpin_waits w = { 0 };
	struct daxpin_mounts m;
	struct daxpin_wait in;
	struct json_object *o, *e;

	tb_sample_wait(&in, 6);	/* stalled, idle, not pinned */
	in.dev_minor = 0;
	snprintf(in.path, sizeof(in.path), "/data/f 1");
	assert_int_equal(tb_put_wait(msg, DAXPIN_ATTR_WAIT, &in, pad), 0);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), 0);
	assert_int_equal(w.nr, 1);
	assert_wait_equal(&w.waits[0], &in);

	load_sample_mounts(&m);
	o = daxpin_waits_to_json(&w, &m);
	e = json_object_array_get_idx(jget(o, "waits"), 0);
	assert_non_null(e);
	assert_int_equal(json_object_get_uint64(jget(e, "id")), 1006);
	assert_int_equal(json_object_get_int(jget(e, "pid")), 4006);
	assert_string_equal(json_object_get_string(jget(e, "comm")), "trunc-6");
	assert_string_equal(json_object_get_string(jget(e, "fs")), "ext4");
	assert_string_equal(json_object_get_string(jget(e, "maj_min")), "259:0");
	/* JSON version 2: MAJ:MIN is maj_min, the wait time is in ns only */
	assert_false(json_object_object_get_ex(e, "dev", NULL));
	assert_false(json_object_object_get_ex(e, "waited_ms", NULL));
	assert_string_equal(json_object_get_string(jget(e, "path")),
			    "/mnt/pmem0/data/f 1");
	assert_true(json_object_get_boolean(jget(e, "path_absolute")));
	assert_int_equal(json_object_get_uint64(jget(e, "waited_ns")),
			 1234567890ULL + 6000000ULL);
	assert_true(json_object_get_boolean(jget(e, "stalled")));
	assert_true(json_object_get_boolean(jget(e, "idle")));
	assert_false(json_object_get_boolean(jget(e, "dma_pinned")));
	assert_int_equal(json_object_get_int(jget(e, "refcount")), 1);
	assert_int_equal(json_object_get_uint64(jget(e, "start_ns")),
			 5000000006ULL);
	assert_int_equal(json_object_get_uint64(jget(e, "offset")), 6 * 4096);
	/* no slash escaping in paths */
	assert_null(strstr(json_object_to_json_string_ext(o, JSON_FLAGS),
			   "\\/"));
	json_object_put(o);

	/* without a known mount: the fs-relative path, flagged */
	o = daxpin_wait_to_json(&w.waits[0], NULL);
	assert_string_equal(json_object_get_string(jget(o, "path")), "/data/f 1");
	assert_false(json_object_get_boolean(jget(o, "path_absolute")));
	json_object_put(o);

	daxpin_mounts_free(&m);
	daxpin_waits_free(&w);
	nlmsg_free(msg);
}

/* An ended-wait log record and the summary of a dump with a cursor. */
static void check_ended_log(bool pad)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct nl_msg *sum = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct daxpin_waits_log in_log = { .has_seq = true, .has_lost = true,
					   .has_last_id = true, .seq = 77, .lost = 3,
					   .last_id = 1234 };
	struct daxpin_waits_log log = { 0 };
	struct daxpin_waits w = { 0 };
	struct daxpin_wait in;

	tb_sample_wait(&in, 3);
	in.ended = in.has_outcome = true;
	in.outcome = DAXPIN_OUTCOME_INTERRUPTED;
	in.end_seq = 76;
	assert_int_equal(tb_put_wait(msg, DAXPIN_ATTR_WAIT, &in, pad), 0);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), 0);
	assert_int_equal(w.nr, 1);
	assert_true(w.waits[0].ended);
	assert_true(w.waits[0].has_outcome);
	assert_int_equal(w.waits[0].outcome, DAXPIN_OUTCOME_INTERRUPTED);
	assert_int_equal(w.waits[0].end_seq, 76);
	assert_int_equal(w.waits[0].id, in.id);
	/* a record message carries no summary */
	assert_int_equal(daxpin_msg_parse_waits_log(nlmsg_hdr(msg), &log), 0);
	assert_false(log.present);

	assert_int_equal(tb_put_waits_log(sum, &in_log, pad), 0);
	assert_int_equal(daxpin_msg_parse_waits_log(nlmsg_hdr(sum), &log), 0);
	assert_true(log.present);
	assert_int_equal(log.seq, 77);
	assert_int_equal(log.lost, 3);
	assert_int_equal(log.last_id, 1234);
	daxpin_waits_free(&w);
	nlmsg_free(msg);
	nlmsg_free(sum);
}

static void test_ended_log_roundtrip(void **state)
{
	check_ended_log(false);
	check_ended_log(true);
}

/* A record without its outcome or number, a summary in pieces: refused. */
static void test_ended_log_incomplete(void **state)
{
	struct daxpin_waits_log part = { .has_seq = true, .seq = 5 }, log = { 0 };
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct daxpin_waits w = { 0 };
	struct daxpin_wait in;

	tb_sample_wait(&in, 4);
	in.ended = true;		/* no OUTCOME */
	in.end_seq = 9;
	assert_int_equal(tb_put_wait(msg, DAXPIN_ATTR_WAIT, &in, false), 0);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), -ENODATA);
	assert_int_equal(w.nr, 0);
	nlmsg_free(msg);

	msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	assert_int_equal(tb_put_waits_log(msg, &part, false), 0);
	assert_int_equal(daxpin_msg_parse_waits_log(nlmsg_hdr(msg), &log), -ENODATA);
	assert_false(log.present);
	nlmsg_free(msg);

	/* a wrongly sized cursor */
	msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	assert_int_equal(nla_put_u32(msg, DAXPIN_ATTR_ENDED_SEQ, 5), 0);
	assert_int_equal(daxpin_msg_parse_waits_log(nlmsg_hdr(msg), &log), -EBADMSG);
	nlmsg_free(msg);
}

/* WAIT_END carries the end's number in the log. */
static void test_event_end_seq(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_EVENT, 0);
	struct daxpin_event in = { .type = DAXPIN_EVENT_WAIT_END, .time_ns = 9,
				   .has_wait = true, .has_outcome = true,
				   .outcome = DAXPIN_OUTCOME_COMPLETED,
				   .has_end_seq = true, .end_seq = 4242 }, ev;

	tb_sample_wait(&in.wait, 1);
	assert_int_equal(tb_put_event(msg, &in, true), 0);
	assert_int_equal(daxpin_msg_parse_event(nlmsg_hdr(msg), &ev), 0);
	assert_true(ev.has_end_seq);
	assert_int_equal(ev.end_seq, 4242);
	nlmsg_free(msg);
}

static void test_wait_roundtrip(void **state)
{
	check_one_wait(false);
}

static void test_wait_roundtrip_padded(void **state)
{
	check_one_wait(true);
}

/* 1,000 waits, one per message as the module dumps them, then all in one */
static void test_waits_huge(void **state)
{
	struct daxpin_waits w = { 0 };
	struct nl_msg *big = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct json_object *o;
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
		struct daxpin_wait in;

		tb_sample_wait(&in, i);
		assert_int_equal(tb_put_wait(msg, DAXPIN_ATTR_WAIT, &in, i & 1), 0);
		assert_int_equal(tb_put_wait(big, DAXPIN_ATTR_WAIT, &in, false), 0);
		assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), 0);
		nlmsg_free(msg);
	}
	assert_int_equal(w.nr, 1000);
	for (i = 0; i < 1000; i++) {
		struct daxpin_wait in;

		tb_sample_wait(&in, i);
		assert_wait_equal(&w.waits[i], &in);
	}
	o = daxpin_waits_to_json(&w, NULL);
	assert_int_equal(json_object_array_length(jget(o, "waits")), 1000);
	assert_int_equal(json_object_get_uint64(jget(
		json_object_array_get_idx(jget(o, "waits"), 999), "id")), 1999);
	json_object_put(o);
	daxpin_waits_free(&w);

	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(big), &w), 0);
	assert_int_equal(w.nr, 1000);
	assert_int_equal(w.waits[500].id, 1500);
	daxpin_waits_free(&w);
	nlmsg_free(big);
}

/* ---- holders ---- */

static struct nlattr *put_holder(struct nl_msg *msg, uint32_t tgid,
				 const char *comm)
{
	struct nlattr *h = nla_nest_start(msg, DAXPIN_WAIT_ATTR_HOLDER);

	nla_put_u32(msg, DAXPIN_HOLDER_ATTR_PID, tgid);
	nla_put_u32(msg, DAXPIN_HOLDER_ATTR_TGID, tgid);
	nla_put_string(msg, DAXPIN_HOLDER_ATTR_COMM, comm);
	nla_put_u32(msg, DAXPIN_HOLDER_ATTR_VM_FLAGS,
		    DAXPIN_HOLDER_VM_SHARED | DAXPIN_HOLDER_VM_LOCKED);
	return h;
}

/* More holders than kept: the first DAXPIN_HOLDERS_MAX, flagged truncated. */
static void test_holders_beyond_max(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_WAIT);
	struct daxpin_waits w = { 0 };
	struct json_object *o, *arr;
	unsigned int i;

	nla_put_u64(msg, DAXPIN_WAIT_ATTR_ID, 1);
	for (i = 0; i < DAXPIN_HOLDERS_MAX + 3; i++)
		nla_nest_end(msg, put_holder(msg, 100 + i, "pinner"));
	/* contradicts the names above: names win */
	nla_put_flag(msg, DAXPIN_WAIT_ATTR_NO_HOLDER);
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), 0);
	assert_int_equal(w.waits[0].nr_holders, DAXPIN_HOLDERS_MAX);
	assert_true(w.waits[0].holders_truncated);
	assert_false(w.waits[0].no_holder);
	assert_int_equal(w.waits[0].holders[0].tgid, 100);
	assert_int_equal(w.waits[0].holders[7].tgid, 107);

	o = daxpin_wait_to_json(&w.waits[0], NULL);
	arr = jget(o, "holders");
	assert_int_equal(json_object_array_length(arr), DAXPIN_HOLDERS_MAX);
	assert_string_equal(json_object_get_string(
		jget(json_object_array_get_idx(arr, 0), "comm")), "pinner");
	assert_true(json_object_get_boolean(
		jget(json_object_array_get_idx(arr, 0), "shared")));
	assert_true(json_object_get_boolean(
		jget(json_object_array_get_idx(arr, 0), "locked")));
	assert_false(json_object_get_boolean(
		jget(json_object_array_get_idx(arr, 0), "io")));
	assert_true(json_object_get_boolean(jget(o, "holders_truncated")));
	json_object_put(o);
	daxpin_waits_free(&w);
	nlmsg_free(msg);
}

/* null (not known), [] + no_holder (none): never confused. */
static void test_holders_none_vs_unknown(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_WAIT);
	struct daxpin_waits w = { 0 };
	struct json_object *o, *v;

	nla_put_u64(msg, DAXPIN_WAIT_ATTR_ID, 1);
	nla_nest_end(msg, nest);
	nest = nla_nest_start(msg, DAXPIN_ATTR_WAIT);
	nla_put_u64(msg, DAXPIN_WAIT_ATTR_ID, 2);
	nla_put_flag(msg, DAXPIN_WAIT_ATTR_NO_HOLDER);
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), 0);
	assert_int_equal(w.nr, 2);

	assert_false(daxpin_wait_holders_known(&w.waits[0]));
	o = daxpin_wait_to_json(&w.waits[0], NULL);
	assert_true(json_object_object_get_ex(o, "holders", &v));
	assert_null(v);
	assert_false(json_object_get_boolean(jget(o, "no_holder")));
	json_object_put(o);

	assert_true(daxpin_wait_holders_known(&w.waits[1]));
	o = daxpin_wait_to_json(&w.waits[1], NULL);
	assert_int_equal(json_object_array_length(jget(o, "holders")), 0);
	assert_true(json_object_get_boolean(jget(o, "no_holder")));
	json_object_put(o);
	daxpin_waits_free(&w);
	nlmsg_free(msg);
}

static void test_holder_malformed(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_WAIT);
	struct daxpin_waits w = { 0 };
	struct nlattr *h;
	uint16_t small = 1;

	/* a u64 address sent as u16 */
	nla_put_u64(msg, DAXPIN_WAIT_ATTR_ID, 1);
	h = put_holder(msg, 5, "p");
	nla_put(msg, DAXPIN_HOLDER_ATTR_ADDRESS, sizeof(small), &small);
	nla_nest_end(msg, h);
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), -EBADMSG);
	assert_int_equal(w.nr, 0);
	nlmsg_free(msg);

	/* a holder without its process: -ENODATA */
	msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	nest = nla_nest_start(msg, DAXPIN_ATTR_WAIT);
	nla_put_u64(msg, DAXPIN_WAIT_ATTR_ID, 1);
	h = nla_nest_start(msg, DAXPIN_WAIT_ATTR_HOLDER);
	nla_put_u64(msg, DAXPIN_HOLDER_ATTR_VM_START, 4096);
	nla_nest_end(msg, h);
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), -ENODATA);
	assert_int_equal(w.nr, 0);
	nlmsg_free(msg);

	/* the 9th, not kept, is checked all the same */
	msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	nest = nla_nest_start(msg, DAXPIN_ATTR_WAIT);
	nla_put_u64(msg, DAXPIN_WAIT_ATTR_ID, 1);
	for (small = 0; small < DAXPIN_HOLDERS_MAX; small++)
		nla_nest_end(msg, put_holder(msg, 5, "p"));
	h = put_holder(msg, 5, "p");
	nla_put(msg, DAXPIN_HOLDER_ATTR_COMM, 2, "ab");	/* no NUL */
	nla_nest_end(msg, h);
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), -EBADMSG);
	daxpin_waits_free(&w);
	nlmsg_free(msg);
}

/* ---- malformed input ---- */

static void test_wait_bad_size(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct daxpin_waits w = { 0 };
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_WAIT);
	uint16_t pid = 7;

	nla_put_u64(msg, DAXPIN_WAIT_ATTR_ID, 1);
	nla_put(msg, DAXPIN_WAIT_ATTR_PID, sizeof(pid), &pid);	/* u32 as u16 */
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), -EBADMSG);
	assert_int_equal(w.nr, 0);
	nlmsg_free(msg);

	/* u32 sent as u64: too long is as wrong as too short */
	msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	nest = nla_nest_start(msg, DAXPIN_ATTR_WAIT);
	nla_put_u64(msg, DAXPIN_WAIT_ATTR_ID, 1);
	nla_put_u64(msg, DAXPIN_WAIT_ATTR_REFCOUNT, 1);
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), -EBADMSG);
	assert_int_equal(w.nr, 0);

	daxpin_waits_free(&w);
	nlmsg_free(msg);
}

static void test_wait_missing_id(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct daxpin_waits w = { 0 };
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_WAIT);

	nla_put_u32(msg, DAXPIN_WAIT_ATTR_PID, 7);
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), -ENODATA);
	daxpin_waits_free(&w);
	nlmsg_free(msg);
}

static void test_wait_unterminated_string(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct daxpin_waits w = { 0 };
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_WAIT);

	nla_put_u64(msg, DAXPIN_WAIT_ATTR_ID, 1);
	nla_put(msg, DAXPIN_WAIT_ATTR_COMM, 4, "abcd");	/* no NUL */
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), -EBADMSG);
	daxpin_waits_free(&w);
	nlmsg_free(msg);
}

static void test_wait_string_too_long(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct daxpin_waits w = { 0 };
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_WAIT);

	nla_put_u64(msg, DAXPIN_WAIT_ATTR_ID, 1);
	nla_put_string(msg, DAXPIN_WAIT_ATTR_COMM, "a-comm-longer-than-16");
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), -EBADMSG);
	daxpin_waits_free(&w);
	nlmsg_free(msg);
}

static void test_unknown_attrs_ignored(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct daxpin_waits w = { 0 };
	struct nlattr *nest = nla_nest_start(msg, DAXPIN_ATTR_WAIT);

	nla_put_u64(msg, DAXPIN_WAIT_ATTR_ID, 77);
	nla_put_string(msg, 200, "from a newer module");	/* unknown */
	nla_nest_end(msg, nest);
	nla_put_u32(msg, 222, 5);	/* unknown top-level attribute */
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), 0);
	assert_int_equal(w.nr, 1);
	assert_int_equal(w.waits[0].id, 77);
	daxpin_waits_free(&w);
	nlmsg_free(msg);
}

/* the nest claims more bytes than the message holds */
static void test_wait_nest_overrun(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct daxpin_waits w = { 0 };
	struct daxpin_wait in;
	struct nlattr *first;
	int len;

	tb_sample_wait(&in, 1);
	tb_put_wait(msg, DAXPIN_ATTR_WAIT, &in, false);
	first = tb_attrs(msg, &len);
	first->nla_len += 64;
	assert_int_equal(daxpin_msg_parse_waits(nlmsg_hdr(msg), &w), -EBADMSG);
	assert_int_equal(w.nr, 0);
	daxpin_waits_free(&w);
	nlmsg_free(msg);
}

/*
 * Every truncation of a valid message, as if the datagram had been cut:
 * must be a clean error (or success when the cut falls between complete
 * top-level attributes), never a crash or a read past the end. The copy is
 * heap-allocated at exactly the truncated size so a sanitizer/valgrind
 * run catches overreads.
 */
static void test_truncated_everywhere(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_WAITS, NLM_F_MULTI);
	struct nlmsghdr *nlh;
	struct daxpin_wait in;
	uint32_t full, cut;
	unsigned int errors = 0;

	tb_sample_wait(&in, 3);
	tb_put_wait(msg, DAXPIN_ATTR_WAIT, &in, true);
	tb_put_wait(msg, DAXPIN_ATTR_WAIT, &in, false);
	full = nlmsg_hdr(msg)->nlmsg_len;

	for (cut = 0; cut < full; cut++) {
		struct daxpin_waits w = { 0 };
		int rc;

		nlh = malloc(cut < sizeof(*nlh) ? sizeof(*nlh) : cut);
		assert_non_null(nlh);
		memcpy(nlh, nlmsg_hdr(msg), cut < sizeof(*nlh) ? sizeof(*nlh) : cut);
		nlh->nlmsg_len = cut;
		rc = daxpin_msg_parse_waits(nlh, &w);
		if (rc) {
			assert_true(rc == -EBADMSG || rc == -ENODATA);
			assert_int_equal(w.nr, 0);
			errors++;
		} else {
			assert_true(w.nr <= 1);	/* the complete first one */
		}
		daxpin_waits_free(&w);
		free(nlh);
	}
	assert_true(errors > full / 2);
	nlmsg_free(msg);
}

/* random byte corruption: any result but a crash */
static void test_corruption_fuzz(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_STATS, NLM_F_MULTI);
	struct daxpin_global g = { .version = "0.1" };
	struct daxpin_sb_stats sb = { .fs = "ext4", .dev_major = 259 };
	uint32_t full;
	unsigned int i, seed = 12345;
	char *copy;

	g.scan_hist.count[3] = 5;
	sb.hist.count[10] = 7;
	tb_put_global(msg, &g, true);
	tb_put_sb(msg, &sb, false);
	full = nlmsg_hdr(msg)->nlmsg_len;
	copy = malloc(full);
	assert_non_null(copy);
	for (i = 0; i < 20000; i++) {
		struct daxpin_stats s = { 0 };
		unsigned int k;

		memcpy(copy, nlmsg_hdr(msg), full);
		for (k = 0; k < 3; k++) {
			seed = seed * 1103515245 + 12345;
			copy[NLMSG_HDRLEN + 4 + (seed >> 8) % (full - NLMSG_HDRLEN - 4)] =
				(char)(seed >> 16);
		}
		(void)daxpin_msg_parse_stats((struct nlmsghdr *)copy, &s);
		daxpin_stats_free(&s);
	}
	free(copy);
	nlmsg_free(msg);
}

static void test_short_message(void **state)
{
	struct nlmsghdr nlh = { .nlmsg_len = NLMSG_HDRLEN + 2 };
	struct daxpin_waits w = { 0 };
	struct daxpin_event ev;

	assert_int_equal(daxpin_msg_parse_waits(&nlh, &w), -EBADMSG);
	assert_int_equal(daxpin_msg_parse_event(&nlh, &ev), -EBADMSG);
	assert_int_equal(daxpin_msg_parse_waits(NULL, &w), -EBADMSG);
}

/* ---- stats ---- */

static void build_stats(struct nl_msg **msgs, unsigned int *nr, bool pad)
{
	struct daxpin_global g = {
		.version = "0.1.0", .waits_active = 2, .waits_max = 1024,
		.waits_dropped = 1, .events_sent = 99, .events_dropped = 3,
		.breaks = 123456, .reset_ns = 42000000000ULL,
		.has_summary = true, .waits_stalled = 1,
		.oldest_waited_ns = 7500000000ULL,
	};
	unsigned int i;

	g.scan_hist.count[0] = 10;
	g.scan_hist.count[6] = 3;
	g.scan_hist.count[31] = 1;
	*nr = 0;
	msgs[*nr] = tb_msg(DAXPIN_CMD_GET_STATS, NLM_F_MULTI);
	tb_put_global(msgs[(*nr)++], &g, pad);
	for (i = 0; i < 2; i++) {
		struct daxpin_sb_stats sb = {
			.dev_major = 259, .dev_minor = i, .started = 10 + i,
			.completed = 8, .interrupted = 1, .kicked = 2,
			.stalled = 1, .total_ns = 9000000, .max_ns = 5000000,
		};

		snprintf(sb.fs, sizeof(sb.fs), "%s", i ? "xfs" : "ext4");
		sb.hist.count[12] = 8;
		sb.hist.count[13] = 1;
		msgs[*nr] = tb_msg(DAXPIN_CMD_GET_STATS, NLM_F_MULTI);
		tb_put_sb(msgs[(*nr)++], &sb, pad);
	}
	for (i = 0; i < 2 * DAXPIN_GP_NR; i++) {
		struct daxpin_gp_stats gp = {
			.primitive = i % DAXPIN_GP_NR,
			.context = i / DAXPIN_GP_NR,
			.count = i, .total_ns = 1000 * i, .max_ns = 900 * i,
			.has_missed = i & 1, .missed = i,
		};

		snprintf(gp.name, sizeof(gp.name), "%s",
			 daxpin_gp_primitive_name(gp.primitive));
		gp.hist.count[4] = i;
		msgs[*nr] = tb_msg(DAXPIN_CMD_GET_STATS, NLM_F_MULTI);
		tb_put_gp(msgs[(*nr)++], &gp, pad);
	}
}

static void check_stats(bool pad)
{
	struct nl_msg *msgs[16];
	struct daxpin_stats s = { 0 };
	struct daxpin_mounts m;
	struct json_object *o, *h, *e;
	unsigned int i, nr;

	build_stats(msgs, &nr, pad);
	for (i = 0; i < nr; i++) {
		assert_int_equal(daxpin_msg_parse_stats(nlmsg_hdr(msgs[i]), &s), 0);
		nlmsg_free(msgs[i]);
	}
	assert_true(s.has_global);
	assert_string_equal(s.global.version, "0.1.0");
	assert_int_equal(s.global.breaks, 123456);
	assert_int_equal(s.global.scan_hist.count[6], 3);
	assert_int_equal(s.global.scan_hist.count[31], 1);
	assert_int_equal(daxpin_hist_total(&s.global.scan_hist), 14);
	assert_true(s.global.has_summary);
	assert_int_equal(s.global.waits_stalled, 1);
	assert_int_equal(s.global.oldest_waited_ns, 7500000000ULL);
	assert_int_equal(s.nr_sb, 2);
	assert_string_equal(s.sb[1].fs, "xfs");
	assert_int_equal(s.sb[1].started, 11);
	assert_int_equal(s.sb[0].hist.count[12], 8);
	assert_int_equal(s.nr_gp, 2 * DAXPIN_GP_NR);
	assert_int_equal(s.gp[5].context, DAXPIN_GP_CTX_KILL_DAX);
	assert_string_equal(s.gp[5].name, "synchronize_rcu_expedited");
	assert_true(s.gp[5].has_missed);
	assert_int_equal(s.gp[5].missed, 5);
	assert_false(s.gp[4].has_missed);

	load_sample_mounts(&m);
	o = daxpin_stats_to_json(&s, &m, true);
	assert_int_equal(json_object_get_int(jget(jget(o, "global"), "waits_max")), 1024);
	assert_int_equal(json_object_get_int(jget(jget(o, "global"), "waits_in_flight")), 2);
	assert_false(json_object_object_get_ex(jget(o, "global"), "waits_active", NULL));
	assert_int_equal(json_object_get_int(jget(jget(o, "global"), "waits_stalled")), 1);
	assert_int_equal(json_object_get_int64(jget(jget(o, "global"), "oldest_waited_ns")),
			 7500000000LL);
	h = jget(jget(o, "global"), "scan_hist");
	assert_int_equal(json_object_array_length(h), 3);	/* sparse */
	e = json_object_array_get_idx(h, 0);
	assert_int_equal(json_object_get_int(jget(e, "ge_us")), 0);
	assert_int_equal(json_object_get_int(jget(e, "lt_us")), 2);
	assert_int_equal(json_object_get_int(jget(e, "count")), 10);
	e = json_object_array_get_idx(h, 1);
	assert_int_equal(json_object_get_int(jget(e, "ge_us")), 64);
	assert_int_equal(json_object_get_int(jget(e, "lt_us")), 128);
	e = json_object_array_get_idx(jget(o, "superblocks"), 0);
	assert_string_equal(json_object_get_string(jget(e, "maj_min")), "259:0");
	assert_string_equal(json_object_get_string(jget(e, "mount_point")), "/mnt/pmem0");
	/* counts: kicks and stalls (kicked/stalled name events and states) */
	assert_int_equal(json_object_get_int(jget(e, "kicks")), 2);
	assert_int_equal(json_object_get_int(jget(e, "stalls")), 1);
	assert_false(json_object_object_get_ex(e, "kicked", NULL));
	assert_false(json_object_object_get_ex(e, "stalled", NULL));
	assert_false(json_object_object_get_ex(e, "mount", NULL));
	e = json_object_array_get_idx(jget(o, "grace_periods"), 5);
	assert_string_equal(json_object_get_string(jget(e, "context")), "kill_dax");
	assert_int_equal(json_object_get_int(jget(e, "missed")), 5);
	e = json_object_array_get_idx(jget(o, "grace_periods"), 4);
	assert_true(json_object_get_type(jget(e, "missed")) == json_type_null);
	json_object_put(o);

	/* without histograms, no hist keys */
	o = daxpin_stats_to_json(&s, NULL, false);
	assert_false(json_object_object_get_ex(jget(o, "global"), "scan_hist", NULL));
	e = json_object_array_get_idx(jget(o, "superblocks"), 0);
	assert_true(json_object_get_type(jget(e, "mount_point")) == json_type_null);
	json_object_put(o);

	daxpin_mounts_free(&m);
	daxpin_stats_free(&s);
}

static void test_stats(void **state)
{
	check_stats(false);
}

static void test_stats_padded(void **state)
{
	check_stats(true);
}

static void test_stats_empty_global_null(void **state)
{
	struct daxpin_stats s = { 0 };
	struct json_object *o = daxpin_stats_to_json(&s, NULL, true);

	assert_non_null(o);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_FLAGS),
		"{\"global\":null,\"superblocks\":[],\"grace_periods\":[]}");
	json_object_put(o);
}

static void test_hist_bad_bucket(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_STATS, NLM_F_MULTI);
	struct daxpin_stats s = { 0 };
	struct nlattr *nest, *hist;

	nest = nla_nest_start(msg, DAXPIN_ATTR_SB);
	nla_put_u32(msg, DAXPIN_SB_ATTR_DEV_MAJOR, 1);
	nla_put_u32(msg, DAXPIN_SB_ATTR_DEV_MINOR, 2);
	hist = nla_nest_start(msg, DAXPIN_SB_ATTR_HIST);
	nla_put_u64(msg, DAXPIN_HIST_BUCKETS + 1, 5);	/* bucket 32 */
	nla_nest_end(msg, hist);
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_stats(nlmsg_hdr(msg), &s), -EBADMSG);
	daxpin_stats_free(&s);
	nlmsg_free(msg);
}

/* ---- config, kick, scan, bench ---- */

static void test_config(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_GET_CONFIG, 0);
	struct daxpin_config in = {
		.max_waits = 4096, .poll_ms = 250, .open_reads = true,
		.count_breaks = false, .event_burst = 100,
	}, out;
	struct json_object *o;

	tb_put_config(msg, &in);
	assert_int_equal(daxpin_msg_parse_config(nlmsg_hdr(msg), &out), 0);
	assert_int_equal(out.mask, DAXPIN_CFG_MAX_WAITS | DAXPIN_CFG_POLL_MS |
			 DAXPIN_CFG_OPEN_READS | DAXPIN_CFG_COUNT_BREAKS |
			 DAXPIN_CFG_EVENT_BURST);
	assert_int_equal(out.max_waits, 4096);
	assert_int_equal(out.poll_ms, 250);
	assert_true(out.open_reads);
	assert_false(out.count_breaks);
	assert_int_equal(out.event_burst, 100);
	o = daxpin_config_to_json(&out);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_FLAGS),
		"{\"max_waits\":4096,\"poll_ms\":250,\"open_reads\":true,"
		"\"count_breaks\":false,\"event_burst\":100}");
	json_object_put(o);
	nlmsg_free(msg);

	/* rescue (appended later): parsed when present, in the JSON then */
	msg = tb_msg(DAXPIN_CMD_GET_CONFIG, 0);
	in.mask = DAXPIN_CFG_RESCUE;
	in.rescue = true;
	tb_put_config(msg, &in);
	assert_int_equal(daxpin_msg_parse_config(nlmsg_hdr(msg), &out), 0);
	assert_true(out.mask & DAXPIN_CFG_RESCUE);
	assert_true(out.rescue);
	o = daxpin_config_to_json(&out);
	assert_true(json_object_get_boolean(jget(o, "rescue")));
	json_object_put(o);
	nlmsg_free(msg);

	msg = tb_msg(DAXPIN_CMD_GET_CONFIG, 0);
	assert_int_equal(daxpin_msg_parse_config(nlmsg_hdr(msg), &out), -ENODATA);
	nlmsg_free(msg);
}

static void test_kick(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_KICK, 0);
	bool was_idle = false;

	nla_put_u64(msg, DAXPIN_ATTR_WAIT_ID, 42);
	nla_put_u8(msg, DAXPIN_ATTR_WAS_IDLE, 1);
	assert_int_equal(daxpin_msg_parse_kick(nlmsg_hdr(msg), &was_idle), 0);
	assert_true(was_idle);
	nlmsg_free(msg);

	msg = tb_msg(DAXPIN_CMD_KICK, 0);
	nla_put_u64(msg, DAXPIN_ATTR_WAIT_ID, 42);
	assert_int_equal(daxpin_msg_parse_kick(nlmsg_hdr(msg), &was_idle), -ENODATA);
	nlmsg_free(msg);

	msg = tb_msg(DAXPIN_CMD_KICK, 0);
	nla_put_u32(msg, DAXPIN_ATTR_WAS_IDLE, 1);	/* u8 sent as u32 */
	assert_int_equal(daxpin_msg_parse_kick(nlmsg_hdr(msg), &was_idle), -EBADMSG);
	nlmsg_free(msg);
}

static void test_scan(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_SCAN, 0);
	struct daxpin_scan s = { 0 };
	struct json_object *o, *p;
	unsigned int i;

	tb_put_u64(msg, DAXPIN_ATTR_SCAN_ENTRIES, 4, DAXPIN_ATTR_PAD, true);
	nla_put_flag(msg, DAXPIN_ATTR_SCAN_TRUNCATED);
	for (i = 0; i < 3; i++) {
		struct daxpin_scan_page pg = {
			.offset = i * 4096, .pfn = 0x1000 + i, .refcount = 2 + i,
			.dma_pinned = i == 1, .pmd = i == 2, .has_pfn = i != 2,
		};

		tb_put_page(msg, &pg, i == 0);
	}
	assert_int_equal(daxpin_msg_parse_scan(nlmsg_hdr(msg), &s), 0);
	assert_int_equal(s.nr, 3);
	assert_true(s.truncated);
	assert_int_equal(s.entries, 4);
	assert_int_equal(s.pages[2].offset, 8192);
	assert_true(s.pages[1].dma_pinned);
	assert_true(s.pages[2].pmd);
	o = daxpin_scan_to_json(&s, "/mnt/pmem0/f");
	assert_string_equal(json_object_get_string(jget(o, "path")), "/mnt/pmem0/f");
	assert_int_equal(json_object_get_int(jget(o, "busy")), 3);
	assert_true(json_object_get_boolean(jget(o, "truncated")));
	p = json_object_array_get_idx(jget(o, "pages"), 1);
	assert_int_equal(json_object_get_int(jget(p, "pfn")), 0x1001);
	assert_int_equal(json_object_get_int(jget(p, "refcount")), 3);
	/* a reader without CAP_SYS_ADMIN gets no pfn: null, not 0 */
	p = json_object_array_get_idx(jget(o, "pages"), 2);
	assert_true(json_object_object_get_ex(p, "pfn", NULL));
	assert_null(jget(p, "pfn"));
	json_object_put(o);
	daxpin_scan_free(&s);
	nlmsg_free(msg);

	/* no busy page */
	msg = tb_msg(DAXPIN_CMD_SCAN, 0);
	tb_put_u64(msg, DAXPIN_ATTR_SCAN_ENTRIES, 0, DAXPIN_ATTR_PAD, false);
	assert_int_equal(daxpin_msg_parse_scan(nlmsg_hdr(msg), &s), 0);
	assert_int_equal(s.nr, 0);
	assert_false(s.truncated);
	daxpin_scan_free(&s);
	nlmsg_free(msg);
}

static void test_bench(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_BENCH_GP, 0);
	struct daxpin_bench b = { 0 };
	struct json_object *o, *r;
	unsigned int i;

	for (i = 0; i < DAXPIN_GP_NR; i++) {
		struct daxpin_bench_result in = {
			.primitive = i, .iterations = 20,
			.min_ns = 1000 * (i + 1), .median_ns = 2000 * (i + 1),
			.max_ns = 9000 * (i + 1),
		};

		snprintf(in.name, sizeof(in.name), "%s",
			 daxpin_gp_primitive_name(i));
		tb_put_bench(msg, &in, i & 1);
	}
	assert_int_equal(daxpin_msg_parse_bench(nlmsg_hdr(msg), &b), 0);
	assert_int_equal(b.nr, 4);
	assert_string_equal(b.results[3].name, "synchronize_srcu_expedited");
	assert_int_equal(b.results[2].median_ns, 6000);
	o = daxpin_bench_to_json(&b);
	r = json_object_array_get_idx(jget(o, "results"), 1);
	assert_string_equal(json_object_get_string(jget(r, "name")),
			    "synchronize_rcu_expedited");
	assert_int_equal(json_object_get_int(jget(r, "max_ns")), 18000);
	json_object_put(o);
	daxpin_bench_free(&b);
	nlmsg_free(msg);
}

/* ---- events ---- */

static void test_events(void **state)
{
	static const uint32_t types[] = {
		DAXPIN_EVENT_WAIT_START, DAXPIN_EVENT_WAIT_END,
		DAXPIN_EVENT_STALLED, DAXPIN_EVENT_KICKED,
	};
	unsigned int i;

	for (i = 0; i < 4; i++) {
		struct nl_msg *msg = tb_msg(DAXPIN_CMD_EVENT, 0);
		struct daxpin_event in = { .type = types[i], .time_ns = 77 + i,
					   .has_wait = true }, out;
		struct json_object *o;

		tb_sample_wait(&in.wait, i);
		if (types[i] == DAXPIN_EVENT_WAIT_END) {
			in.has_outcome = true;
			in.outcome = DAXPIN_OUTCOME_INTERRUPTED;
		}
		if (types[i] == DAXPIN_EVENT_KICKED) {
			in.has_was_idle = true;
			in.was_idle = true;
			in.rescued = true;
		}
		tb_put_event(msg, &in, i & 1);
		assert_int_equal(daxpin_msg_parse_event(nlmsg_hdr(msg), &out), 0);
		assert_int_equal(out.type, types[i]);
		assert_int_equal(out.time_ns, 77 + i);
		assert_true(out.has_wait);
		assert_wait_equal(&out.wait, &in.wait);
		assert_int_equal(out.has_outcome, in.has_outcome);
		assert_int_equal(out.has_was_idle, in.has_was_idle);
		assert_int_equal(out.rescued, in.rescued);

		o = daxpin_event_to_json(&out, NULL);
		assert_string_equal(json_object_get_string(jget(o, "event")),
				    daxpin_event_type_name(types[i]));
		/* "event" names it: no raw wire type (JSON version 2) */
		assert_false(json_object_object_get_ex(o, "type", NULL));
		assert_int_equal(json_object_get_uint64(jget(jget(o, "wait"), "id")),
				 1000 + i);
		if (in.has_outcome)
			assert_string_equal(json_object_get_string(jget(o, "outcome")),
					    "interrupted");
		else
			assert_false(json_object_object_get_ex(o, "outcome", NULL));
		if (in.has_was_idle)
			assert_true(json_object_get_boolean(jget(o, "was_idle")));
		if (in.rescued)
			assert_true(json_object_get_boolean(jget(o, "rescued")));
		else
			assert_false(json_object_object_get_ex(o, "rescued", NULL));
		json_object_put(o);
		nlmsg_free(msg);
	}
	{
		/* daxpin.ko's overrun record: no wait, the dropped count */
		struct nl_msg *msg = tb_msg(DAXPIN_CMD_EVENT, 0);
		struct daxpin_event in = { .type = DAXPIN_EVENT_OVERRUN, .time_ns = 99,
					   .has_dropped = true, .dropped = 1ULL << 40 }, out;
		struct json_object *o;

		tb_put_event(msg, &in, true);
		assert_int_equal(daxpin_msg_parse_event(nlmsg_hdr(msg), &out), 0);
		assert_int_equal(out.type, DAXPIN_EVENT_OVERRUN);
		assert_false(out.has_wait);
		assert_true(out.has_dropped);
		assert_int_equal(out.dropped, 1ULL << 40);
		o = daxpin_event_to_json(&out, NULL);
		assert_string_equal(json_object_get_string(jget(o, "event")), "overrun");
		assert_int_equal(json_object_get_uint64(jget(o, "events_dropped")), 1ULL << 40);
		assert_int_equal(json_object_get_uint64(jget(o, "time_ns")), 99);
		json_object_put(o);
		nlmsg_free(msg);
	}
}

static void test_event_malformed(void **state)
{
	struct nl_msg *msg = tb_msg(DAXPIN_CMD_EVENT, 0);
	struct daxpin_event ev;
	struct nlattr *nest;

	/* no event at all */
	assert_int_equal(daxpin_msg_parse_event(nlmsg_hdr(msg), &ev), -ENODATA);
	/* event without a type */
	nest = nla_nest_start(msg, DAXPIN_ATTR_EVENT);
	nla_put_u64(msg, DAXPIN_EVENT_ATTR_TIME_NS, 5);
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_event(nlmsg_hdr(msg), &ev), -ENODATA);
	nlmsg_free(msg);

	/* wait inside the event is broken */
	msg = tb_msg(DAXPIN_CMD_EVENT, 0);
	nest = nla_nest_start(msg, DAXPIN_ATTR_EVENT);
	nla_put_u32(msg, DAXPIN_EVENT_ATTR_TYPE, DAXPIN_EVENT_STALLED);
	{
		struct nlattr *w = nla_nest_start(msg, DAXPIN_EVENT_ATTR_WAIT);

		nla_put_u32(msg, DAXPIN_WAIT_ATTR_ID, 5);	/* u64 as u32 */
		nla_nest_end(msg, w);
	}
	nla_nest_end(msg, nest);
	assert_int_equal(daxpin_msg_parse_event(nlmsg_hdr(msg), &ev), -EBADMSG);
	nlmsg_free(msg);
}

static void test_overrun_json(void **state)
{
	struct daxpin_event ev = { .type = DAXPIN_EVENT_OVERRUN };
	struct json_object *o = daxpin_event_to_json(&ev, NULL);

	assert_string_equal(json_object_to_json_string_ext(o, JSON_FLAGS),
			    "{\"event\":\"overrun\"}");
	json_object_put(o);
}

/* ---- NLMSG_ERROR / NLMSG_DONE with extended ack ---- */

static void test_nlmsgerr(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlmsgerr e = { .error = -EOPNOTSUPP };
	char text[DAXPIN_ERRMSG_LEN];
	const char *kmsg = "not a DAX file: its pages are page cache, never pinned media";

	/* capped ack with a message, like the kernel with NETLINK_CAP_ACK */
	nlmsg_put(msg, 0, 1, NLMSG_ERROR, 0, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	e.msg.nlmsg_len = NLMSG_HDRLEN + 24;
	nlmsg_append(msg, &e, sizeof(e), 0);
	nla_put_string(msg, NLMSGERR_ATTR_MSG, kmsg);
	nla_put_u32(msg, NLMSGERR_ATTR_OFFS, 20);
	assert_int_equal(daxpin_parse_nlmsgerr(nlmsg_hdr(msg), text, sizeof(text)),
			 -EOPNOTSUPP);
	assert_string_equal(text, kmsg);
	nlmsg_free(msg);

	/* uncapped: the request is echoed before the TLVs */
	msg = nlmsg_alloc();
	nlmsg_put(msg, 0, 1, NLMSG_ERROR, 0, NLM_F_ACK_TLVS);
	e.error = -ENOENT;
	e.msg.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + 12;
	nlmsg_append(msg, &e, sizeof(e), 0);
	{
		char echo[GENL_HDRLEN + 12] = { 0 };

		nlmsg_append(msg, echo, sizeof(echo), NLMSG_ALIGNTO);
	}
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "no such wait (it may have ended)");
	assert_int_equal(daxpin_parse_nlmsgerr(nlmsg_hdr(msg), text, sizeof(text)),
			 -ENOENT);
	assert_string_equal(text, "no such wait (it may have ended)");
	nlmsg_free(msg);

	/* plain ack */
	msg = nlmsg_alloc();
	nlmsg_put(msg, 0, 1, NLMSG_ERROR, 0, NLM_F_CAPPED);
	e.error = 0;
	nlmsg_append(msg, &e, sizeof(e), 0);
	assert_int_equal(daxpin_parse_nlmsgerr(nlmsg_hdr(msg), text, sizeof(text)), 0);
	assert_string_equal(text, "");
	nlmsg_free(msg);

	/* end of a dump that failed, with a message */
	msg = nlmsg_alloc();
	nlmsg_put(msg, 0, 1, NLMSG_DONE, 0, NLM_F_MULTI | NLM_F_ACK_TLVS);
	{
		int err = -EPERM;

		nlmsg_append(msg, &err, sizeof(err), 0);
	}
	nla_put_string(msg, NLMSGERR_ATTR_MSG, "daxpin reads need CAP_NET_ADMIN");
	assert_int_equal(daxpin_parse_nlmsgerr(nlmsg_hdr(msg), text, sizeof(text)),
			 -EPERM);
	assert_string_equal(text, "daxpin reads need CAP_NET_ADMIN");
	nlmsg_free(msg);

	/* truncated error message */
	{
		struct nlmsghdr h = { .nlmsg_len = NLMSG_HDRLEN + 2,
				      .nlmsg_type = NLMSG_ERROR };

		assert_int_equal(daxpin_parse_nlmsgerr(&h, text, sizeof(text)),
				 -EBADMSG);
	}
}

/* ---- mountinfo ---- */

static void test_mountinfo(void **state)
{
	struct daxpin_mounts m;
	const struct daxpin_mount *mnt;
	char buf[256];

	load_sample_mounts(&m);
	assert_int_equal(m.nr, 6);
	assert_string_equal(m.mounts[2].mnt_point, "/mnt/pmem 1");	/* \040 */

	mnt = daxpin_mounts_find(&m, 259, 0, "/a/b");
	assert_non_null(mnt);
	assert_string_equal(mnt->mnt_point, "/mnt/pmem0");
	assert_string_equal(daxpin_mount_dax_mode(mnt), "always");

	/* bind mount of a subdirectory wins for files below it */
	assert_int_equal(daxpin_mounts_abspath(&m, 259, 1, "/dir 1/x", buf,
					       sizeof(buf)), 0);
	assert_string_equal(buf, "/srv/bind/x");
	assert_int_equal(daxpin_mounts_abspath(&m, 259, 1, "dir 1", buf,
					       sizeof(buf)), 0);
	assert_string_equal(buf, "/srv/bind");
	/* ... but not for a sibling sharing the prefix */
	assert_int_equal(daxpin_mounts_abspath(&m, 259, 1, "/dir 10/x", buf,
					       sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/pmem 1/dir 10/x");
	/* relative path without leading slash */
	assert_int_equal(daxpin_mounts_abspath(&m, 259, 0, "f", buf,
					       sizeof(buf)), 0);
	assert_string_equal(buf, "/mnt/pmem0/f");
	/* root filesystem */
	assert_int_equal(daxpin_mounts_abspath(&m, 8, 1, "/etc/x", buf,
					       sizeof(buf)), 0);
	assert_string_equal(buf, "/etc/x");
	/* unknown device */
	assert_int_equal(daxpin_mounts_abspath(&m, 1, 1, "/x", buf,
					       sizeof(buf)), -ENOENT);
	/* too small */
	assert_int_equal(daxpin_mounts_abspath(&m, 259, 0, "/a/long/path", buf,
					       8), -ENAMETOOLONG);

	assert_string_equal(daxpin_mount_dax_mode(daxpin_mounts_find(&m, 259, 1, NULL)),
			    "inode");
	assert_null(daxpin_mount_dax_mode(daxpin_mounts_find(&m, 259, 2, NULL)));
	assert_string_equal(daxpin_mount_dax_mode(daxpin_mounts_find(&m, 259, 3, NULL)),
			    "always");
	daxpin_mounts_free(&m);
}

/* ---- util ---- */

static void test_util(void **state)
{
	char b[32];
	uint64_t v;

	assert_string_equal(daxpin_fmt_duration(0, b, sizeof(b)), "0ns");
	assert_string_equal(daxpin_fmt_duration(870, b, sizeof(b)), "870ns");
	assert_string_equal(daxpin_fmt_duration(12345, b, sizeof(b)), "12.3us");
	assert_string_equal(daxpin_fmt_duration(150000, b, sizeof(b)), "150us");
	assert_string_equal(daxpin_fmt_duration(999400, b, sizeof(b)), "999us");
	assert_string_equal(daxpin_fmt_duration(999600, b, sizeof(b)), "1.00ms");
	assert_string_equal(daxpin_fmt_duration(100000000, b, sizeof(b)), "100ms");
	assert_string_equal(daxpin_fmt_duration(4560000, b, sizeof(b)), "4.56ms");
	assert_string_equal(daxpin_fmt_duration(1250000000, b, sizeof(b)), "1.25s");
	assert_string_equal(daxpin_fmt_duration(123000000000ULL, b, sizeof(b)), "2m03s");
	assert_string_equal(daxpin_fmt_duration(3 * 86400000000000ULL +
					 4 * 3600000000000ULL, b, sizeof(b)), "3d04h");
	assert_string_equal(daxpin_fmt_size(512, b, sizeof(b)), "512 B");
	assert_string_equal(daxpin_fmt_size(4096, b, sizeof(b)), "4.0 KiB");
	assert_string_equal(daxpin_fmt_size(2 << 20, b, sizeof(b)), "2.0 MiB");

	assert_int_equal(daxpin_parse_u64("42", UINT64_MAX, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(daxpin_parse_u64("0x10", UINT64_MAX, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(daxpin_parse_u64("-1", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(daxpin_parse_u64("12abc", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(daxpin_parse_u64("", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(daxpin_parse_u64("99999999999999999999", UINT64_MAX, &v),
			 -ERANGE);
	assert_int_equal(daxpin_parse_u64("1001", 1000, &v), -ERANGE);
}

/* A /proc/PID/stat line: comm with spaces and ')', field 21 = 0, 22 = 4242 */
static void test_proc_stat_starttime(void **state)
{
	static const char line[] =
		"1234 (a) b (c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 3 1 0 0 "
		"20 0 1 0 4242 10000000 200 18446744073709551615 1 1 0 0 0 0 0 "
		"0 0 0 0 0 17 1 0 0 0 0 0\n";
	uint64_t t = 0;

	assert_int_equal(daxpin_proc_stat_starttime(line, &t), 0);
	assert_int_equal(t, 4242);
	assert_int_equal(daxpin_proc_stat_starttime("1234 (x) S 1 2", &t), -EINVAL);
	assert_int_equal(daxpin_proc_stat_starttime("no paren", &t), -EINVAL);
}

static void test_names(void **state)
{
	assert_string_equal(daxpin_event_type_name(DAXPIN_EVENT_KICKED), "kicked");
	assert_string_equal(daxpin_event_type_name(99), "unknown");
	assert_string_equal(daxpin_outcome_name(DAXPIN_OUTCOME_UNTRACKED), "untracked");
	assert_string_equal(daxpin_gp_context_name(DAXPIN_GP_CTX_LAYOUT_BREAK),
			    "layout_break");
	assert_string_equal(daxpin_strerror(-DAXPIN_ENOMODULE),
			    "daxpin kernel module not loaded");
	assert_int_equal(daxpin_hist_lo_us(0), 0);
	assert_int_equal(daxpin_hist_hi_us(0), 2);
	assert_int_equal(daxpin_hist_lo_us(10), 1024);
	assert_int_equal(daxpin_hist_hi_us(10), 2048);
}

/* ---- hostile names: ls -b escapes, valid UTF-8 JSON ---- */

static void test_escape(void **state)
{
	static const struct { const char *in; unsigned int flags; const char *out; } cases[] = {
		{ "plain-name_1.2", 0, "plain-name_1.2" },
		{ "a b", DAXPIN_ESC_SPACE, "a\\ b" },
		{ "a b", 0, "a b" },
		{ "x\ny", 0, "x\\ny" },
		{ "\a\b\t\n\v\f\r", 0, "\\a\\b\\t\\n\\v\\f\\r" },
		{ "\x1b[31mred", 0, "\\033[31mred" },
		{ "\x01\x1f\x7f", 0, "\\001\\037\\177" },
		{ "back\\slash", 0, "back\\\\slash" },
		{ "\xff\xfe", 0, "\\377\\376" },
		{ "caf\xc3\xa9", 0, "caf\xc3\xa9" },		/* valid UTF-8 kept */
		{ "\xe2\x82\xac\xf0\x9f\x98\x80", 0, "\xe2\x82\xac\xf0\x9f\x98\x80" },
		{ "\xc2\x9b" "1m", 0, "\\302\\2331m" },		/* C1 CSI */
		{ "a\xe2\x80\xae" "b", 0, "a\\342\\200\\256b" },	/* RLO */
		{ "\xc0\xaf", 0, "\\300\\257" },			/* overlong '/' */
		{ "\xed\xa0\x80", 0, "\\355\\240\\200" },		/* surrogate */
		{ "\xf4\x90\x80\x80", 0, "\\364\\220\\200\\200" },	/* > U+10FFFF */
		{ "\xe2\x82", 0, "\\342\\202" },			/* cut short */
		{ "", 0, "" },
	};
	char buf[64];
	size_t i, n;
	char *d;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = daxpin_escape(buf, sizeof(buf), cases[i].in, cases[i].flags);
		assert_string_equal(buf, cases[i].out);
		assert_int_equal(n, strlen(cases[i].out));
		d = daxpin_escape_dup(cases[i].in, cases[i].flags);
		assert_non_null(d);
		assert_string_equal(d, cases[i].out);
		free(d);
	}
	/* cut: never half an escape, the needed length returned */
	assert_int_equal(daxpin_escape(buf, 6, "ab\ncd", 0), 6);
	assert_string_equal(buf, "ab\\nc");
	assert_int_equal(daxpin_escape(buf, 5, "ab\ncd", 0), 6);
	assert_string_equal(buf, "ab\\n");
	assert_int_equal(daxpin_escape(buf, 4, "ab\ncd", 0), 6);
	assert_string_equal(buf, "ab");
	assert_int_equal(daxpin_escape(buf, 5, "\xff", 0), 4);
	assert_string_equal(buf, "\\377");
	assert_int_equal(daxpin_escape(buf, 4, "\xff", 0), 4);
	assert_string_equal(buf, "");
	assert_int_equal(daxpin_escape(NULL, 0, "\x1b", 0), 4);
	/* the worst case fits DAXPIN_ESC_SIZE */
	memset(buf, 0, sizeof(buf));
	{
		char in[15], out[DAXPIN_ESC_SIZE(sizeof(in))];

		memset(in, '\x01', sizeof(in) - 1);
		in[sizeof(in) - 1] = '\0';
		assert_int_equal(daxpin_escape(out, sizeof(out), in, 0),
				 sizeof(out) - 5);
	}
	/* the printf ring: eight live results */
	{
		const char *r[8];

		for (i = 0; i < 8; i++)
			r[i] = daxpin_esc(i % 2 ? "a b" : "a\nb", DAXPIN_ESC_SPACE);
		for (i = 0; i < 8; i++)
			assert_string_equal(r[i], i % 2 ? "a\\ b" : "a\\nb");
		assert_string_equal(daxpin_esc(NULL, 0), "");
	}
}

static void test_utf8(void **state)
{
	char *d;

	(void)state;
	assert_true(daxpin_utf8_valid("caf\xc3\xa9", 5));
	assert_false(daxpin_utf8_valid("\xff", 1));
	assert_false(daxpin_utf8_valid("\xc3", 1));
	assert_false(daxpin_utf8_valid("\xed\xa0\x80", 3));
	d = daxpin_utf8_dup("a\xff\xfe" "b\xc3\xa9\xe2\x82");
	assert_non_null(d);
	assert_string_equal(d, "a\xef\xbf\xbd\xef\xbf\xbd" "b\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd");
	free(d);
}

/* strictly: RFC 8259 grammar and UTF-8 (json-c's tokener flags) */
static struct json_object *parse_strict(const char *s)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	assert_non_null(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)strlen(s) + 1);
	if (!o)
		print_error("not strict JSON (%s): %s\n",
			    json_tokener_error_desc(json_tokener_get_error(tok)), s);
	json_tokener_free(tok);
	return o;
}

static void test_json_hostile_names(void **state)
{
	struct daxpin_mounts m = { 0 };
	struct daxpin_mount mnt = {
		.major = 259, .minor = 0, .root = "/", .mnt_point = "/mnt/\xff",
		.fstype = "ext4", .source = "/dev/pmem0",
	};
	struct daxpin_event ev = {
		.type = DAXPIN_EVENT_WAIT_START, .time_ns = 1, .has_wait = true,
	};
	struct daxpin_sb_stats sb = { .dev_major = 259, .dev_minor = 0 };
	struct json_object *o, *p, *w;
	char *s;

	(void)state;
	m.mounts = &mnt;
	m.nr = 1;
	tb_sample_wait(&ev.wait, 0);
	ev.wait.dev_minor = 0;
	snprintf(ev.wait.comm, sizeof(ev.wait.comm), "a\nb\x1b[31m\xff");
	snprintf(ev.wait.path, sizeof(ev.wait.path), "/d\n\x1b[31m\xff\xfe/f");
	snprintf(sb.fs, sizeof(sb.fs), "ext4\xfe");

	/* every renderer's document, serialized by json-c itself */
	o = daxpin_event_to_json(&ev, &m);
	p = parse_strict(json_object_to_json_string_ext(o, JSON_FLAGS));
	assert_non_null(p);
	w = jget(p, "wait");
	/* controls kept (escaped by json-c), bad bytes are U+FFFD */
	assert_string_equal(json_object_get_string(jget(w, "comm")),
			    "a\nb\x1b[31m\xef\xbf\xbd");
	assert_string_equal(json_object_get_string(jget(w, "path")),
			    "/mnt/\xef\xbf\xbd/d\n\x1b[31m\xef\xbf\xbd\xef\xbf\xbd/f");
	json_object_put(p);
	json_object_put(o);

	o = daxpin_sb_to_json(&sb, &m, false);
	p = parse_strict(json_object_to_json_string_ext(o, JSON_FLAGS));
	assert_non_null(p);
	assert_string_equal(json_object_get_string(jget(p, "mount_point")),
			    "/mnt/\xef\xbf\xbd");
	assert_string_equal(json_object_get_string(jget(p, "fs")),
			    "ext4\xef\xbf\xbd");
	json_object_put(p);
	json_object_put(o);

	/* a document built with plain json_object_new_string(): repaired */
	o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string("\xff\xfe\n"));
	s = daxpin_json_dumps(o, JSON_FLAGS);
	assert_non_null(s);
	assert_string_equal(s, "{\"path\":\"\xef\xbf\xbd\xef\xbf\xbd\\n\"}");
	p = parse_strict(s);
	assert_non_null(p);
	json_object_put(p);
	free(s);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waits_empty),
		cmocka_unit_test(test_wait_roundtrip),
		cmocka_unit_test(test_holders_beyond_max),
		cmocka_unit_test(test_holders_none_vs_unknown),
		cmocka_unit_test(test_holder_malformed),
		cmocka_unit_test(test_ended_log_roundtrip),
		cmocka_unit_test(test_ended_log_incomplete),
		cmocka_unit_test(test_event_end_seq),
		cmocka_unit_test(test_wait_roundtrip_padded),
		cmocka_unit_test(test_waits_huge),
		cmocka_unit_test(test_wait_bad_size),
		cmocka_unit_test(test_wait_missing_id),
		cmocka_unit_test(test_wait_unterminated_string),
		cmocka_unit_test(test_wait_string_too_long),
		cmocka_unit_test(test_unknown_attrs_ignored),
		cmocka_unit_test(test_wait_nest_overrun),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_corruption_fuzz),
		cmocka_unit_test(test_short_message),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_padded),
		cmocka_unit_test(test_stats_empty_global_null),
		cmocka_unit_test(test_hist_bad_bucket),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_kick),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_proc_stat_starttime),
		cmocka_unit_test(test_bench),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_event_malformed),
		cmocka_unit_test(test_overrun_json),
		cmocka_unit_test(test_nlmsgerr),
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_util),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_json_hostile_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
