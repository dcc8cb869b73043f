// SPDX-License-Identifier: GPL-2.0-or-later
/* The policy engine against a fake clock: "now" is just a number here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/policy.h"

#define S(x) ((uint64_t)((x) * 1e9))
#define T0 S(1000)		/* boot time when the wait started */

static struct daxpin_wait busy_wait(void)
{
	struct daxpin_wait w;

	memset(&w, 0, sizeof(w));
	w.id = 7;
	w.start_ns = T0;
	w.refcount = 2;
	w.dma_pinned = true;
	return w;
}

static void test_defaults(void **state)
{
	struct dxp_policy p;

	dxp_policy_defaults(&p);
	assert_int_equal(p.warn_after_ns, S(5));
	assert_int_equal(p.nontransient_after_ns, S(30));
	assert_true(p.stalled_wake);
	assert_int_equal(p.stalled_after_ns, S(1));
	assert_int_equal(p.action, DXP_ACTION_NONE);
	assert_int_equal(p.action_signal, 15);
	assert_false(p.dry_run);
}

static void test_warn_exactly_at_threshold(void **state)
{
	struct daxpin_wait w = busy_wait();
	struct dxp_track t = { 0 };
	struct dxp_policy p;
	uint64_t next;

	dxp_policy_defaults(&p);
	/* Just born: the next thing due is the warning, 5 s after start. */
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0, &next), 0);
	assert_int_equal(next, T0 + S(5));
	/* One nanosecond early: nothing, same deadline. */
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(5) - 1, &next), 0);
	assert_int_equal(next, T0 + S(5));
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(5), &next), DXP_DO_WARN);
	assert_true(t.done & DXP_DONE_WARN);
	/* Then the non-transient classification at 30 s. */
	assert_int_equal(next, T0 + S(30));
	/* Never twice. */
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(6), &next), 0);
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(30), &next), DXP_DO_NONTRANSIENT);
	/* Nothing else pending with Action=none and no stall: no timer. */
	assert_int_equal(next, DXP_NEVER);
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(3600), &next), 0);
	assert_int_equal(next, DXP_NEVER);
}

static void test_late_discovery_fires_everything_due(void **state)
{
	/* A daemon (re)started 40 s into a wait owes both messages now. */
	struct daxpin_wait w = busy_wait();
	struct dxp_track t = { 0 };
	struct dxp_policy p;
	uint64_t next;

	dxp_policy_defaults(&p);
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(40), &next),
			 DXP_DO_WARN | DXP_DO_NONTRANSIENT);
	assert_int_equal(next, DXP_NEVER);
}

static void test_restored_flags_repeat_nothing(void **state)
{
	struct daxpin_wait w = busy_wait();
	struct dxp_track t = { .done = DXP_DONE_WARN };
	struct dxp_policy p;
	uint64_t next;

	dxp_policy_defaults(&p);
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(10), &next), 0);
	assert_int_equal(next, T0 + S(30));
}

static void test_idle_page_is_not_classified_nontransient(void **state)
{
	struct daxpin_wait w = busy_wait();
	struct dxp_track t = { .done = DXP_DONE_WARN };
	struct dxp_policy p;
	uint64_t next;

	dxp_policy_defaults(&p);
	p.stalled_wake = false;
	w.idle = true;
	w.refcount = 1;
	w.stalled = true;
	dxp_track_saw_stalled(&t, &w, T0 + S(2));
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(31), &next), 0);
	assert_true(t.done & DXP_DONE_NONTRANSIENT);	/* judged, nothing said */
	assert_int_equal(next, DXP_NEVER);
}

static void test_stalled_kick_counts_from_learning(void **state)
{
	struct daxpin_wait w = busy_wait();
	struct dxp_track t = { .done = DXP_DONE_WARN };
	struct dxp_policy p;
	uint64_t next, learned = T0 + S(12.25);

	dxp_policy_defaults(&p);
	w.stalled = w.idle = true;
	w.refcount = 1;
	/* Not learned yet: no kick deadline at all. */
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, learned, &next), 0);
	assert_int_equal(next, T0 + S(30));
	dxp_track_saw_stalled(&t, &w, learned);
	dxp_track_saw_stalled(&t, &w, learned + S(0.5));	/* idempotent */
	assert_int_equal(t.stalled_since_ns, learned);
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, learned, &next), 0);
	assert_int_equal(next, learned + S(1));
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, learned + S(1), &next), DXP_DO_KICK);
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, learned + S(2), &next), 0);
}

static void test_stall_that_clears_rearms_fully(void **state)
{
	struct daxpin_wait w = busy_wait();
	struct dxp_track t = { .done = DXP_DONE_WARN | DXP_DONE_NONTRANSIENT };
	struct dxp_policy p;
	uint64_t next;

	dxp_policy_defaults(&p);
	w.stalled = true;
	dxp_track_saw_stalled(&t, &w, T0 + S(2));
	/* The page got pinned again before the kick was due. */
	w.stalled = false;
	dxp_track_saw_stalled(&t, &w, T0 + S(2.5));
	assert_int_equal(t.stalled_since_ns, 0);
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(3.5), &next), 0);
	assert_int_equal(next, DXP_NEVER);
	w.stalled = true;
	dxp_track_saw_stalled(&t, &w, T0 + S(4));
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(4.9), &next), 0);
	assert_int_equal(next, T0 + S(5));
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(5), &next), DXP_DO_KICK);
}

static void test_stalled_wake_off_never_kicks(void **state)
{
	struct daxpin_wait w = busy_wait();
	struct dxp_track t = { .done = DXP_DONE_WARN | DXP_DONE_NONTRANSIENT };
	struct dxp_policy p;
	uint64_t next;

	dxp_policy_defaults(&p);
	p.stalled_wake = false;
	w.stalled = true;
	dxp_track_saw_stalled(&t, &w, T0);
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(100), &next), 0);
	assert_int_equal(next, DXP_NEVER);
}

static void test_action_after(void **state)
{
	struct daxpin_wait w = busy_wait();
	struct dxp_track t = { 0 };
	struct dxp_policy p;
	uint64_t next;

	dxp_policy_defaults(&p);
	p.action = DXP_ACTION_SIGNAL;
	p.action_after_ns = S(2);
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(1), &next), 0);
	assert_int_equal(next, T0 + S(2));
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(2), &next), DXP_DO_ACTION);
	assert_int_equal(next, T0 + S(5));
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, T0 + S(3), &next), 0);
}

static void test_infinity_disables(void **state)
{
	struct daxpin_wait w = busy_wait();
	struct dxp_track t = { 0 };
	struct dxp_policy p;
	uint64_t next;

	dxp_policy_defaults(&p);
	p.warn_after_ns = DXP_NEVER;
	p.nontransient_after_ns = DXP_NEVER;
	p.action = DXP_ACTION_EXEC;
	p.action_after_ns = DXP_NEVER;
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, UINT64_MAX - 1, &next), 0);
	assert_int_equal(next, DXP_NEVER);
}

static void test_no_overflow_near_clock_end(void **state)
{
	struct daxpin_wait w = busy_wait();
	struct dxp_track t = { 0 };
	struct dxp_policy p;
	uint64_t next;

	dxp_policy_defaults(&p);
	w.start_ns = UINT64_MAX - S(1);
	/* start + 5 s would wrap; it must saturate to "never", not fire. */
	assert_int_equal(dxp_policy_evaluate(&p, &w, &t, UINT64_MAX - S(1), &next), 0);
	assert_int_equal(next, DXP_NEVER);
}

static void test_action_names(void **state)
{
	enum dxp_action a;

	assert_int_equal(dxp_action_from_string("Signal", &a), 0);
	assert_int_equal(a, DXP_ACTION_SIGNAL);
	assert_int_equal(dxp_action_from_string("exec", &a), 0);
	assert_int_equal(a, DXP_ACTION_EXEC);
	assert_int_equal(dxp_action_from_string("kill", &a), -22);
	assert_string_equal(dxp_action_to_string(DXP_ACTION_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_warn_exactly_at_threshold),
		cmocka_unit_test(test_late_discovery_fires_everything_due),
		cmocka_unit_test(test_restored_flags_repeat_nothing),
		cmocka_unit_test(test_idle_page_is_not_classified_nontransient),
		cmocka_unit_test(test_stalled_kick_counts_from_learning),
		cmocka_unit_test(test_stall_that_clears_rearms_fully),
		cmocka_unit_test(test_stalled_wake_off_never_kicks),
		cmocka_unit_test(test_action_after),
		cmocka_unit_test(test_infinity_disables),
		cmocka_unit_test(test_no_overflow_near_clock_end),
		cmocka_unit_test(test_action_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
