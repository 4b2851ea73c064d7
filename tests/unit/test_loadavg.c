// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/loadavg.c: the kernel's fixed-point averaging and
 * its rounding, the table of groups (its bound, expiry, a group made
 * again), and a sampling round on a fake count (its budget in looks,
 * groups waiting a round, the gone dropped).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cgfs/loadavg.h"

#define F1 PROCVIEW_LOAD_FIXED_1

/* ---- arithmetic ---- */

static void test_calc_one_period(void **state)
{
	(void)state;
	/* one task for 5 s: 164/2048, as the kernel has it (0.08) */
	assert_int_equal(loadavg_calc(0, LOADAVG_EXP_1, F1), 164);
	/* 1.00 decays by EXP_1 with nothing running */
	assert_int_equal(loadavg_calc(F1, LOADAVG_EXP_1, 0), LOADAVG_EXP_1);
	/* a falling load is rounded down: it reaches 0 */
	assert_int_equal(loadavg_calc(1, LOADAVG_EXP_15, 0), 0);
	/* a rising one up: one step short of 1.00 reaches it (cut, it
	 * would stay at 2047 for ever) */
	assert_int_equal(loadavg_calc(F1 - 1, LOADAVG_EXP_1, F1), F1);
}

static void test_constant_load_converges(void **state)
{
	unsigned long avg[3] = { 0, 0, 0 };
	unsigned n, i;

	(void)state;
	for (n = 1; n <= 64; n *= 4) {
		memset(avg, 0, sizeof(avg));
		/* a minute: 1 - 1/e of the way for the 1-minute average */
		for (i = 0; i < 12; i++)
			loadavg_update(avg, n, 1);
		assert_in_range(avg[0], n * F1 * 60 / 100, n * F1 * 66 / 100);
		assert_true(avg[1] < avg[0] && avg[2] < avg[1]);
		/* three hours: each at n exactly, and staying there */
		for (i = 0; i < 3 * 720; i++)
			loadavg_update(avg, n, 1);
		assert_int_equal(avg[0], n * F1);
		assert_int_equal(avg[1], n * F1);
		assert_int_equal(avg[2], n * F1);
		loadavg_update(avg, n, 1);
		assert_int_equal(avg[2], n * F1);
		/* and back to 0 once idle */
		for (i = 0; i < 3 * 720; i++)
			loadavg_update(avg, 0, 1);
		assert_int_equal(avg[0] + avg[1] + avg[2], 0);
	}
}

static void test_power_and_missed_periods(void **state)
{
	unsigned long one[3] = { 3 * F1, 3 * F1, 3 * F1 }, many[3];
	unsigned i;

	(void)state;
	assert_int_equal(loadavg_power(LOADAVG_EXP_1, 0), F1);
	assert_int_equal(loadavg_power(LOADAVG_EXP_1, 1), LOADAVG_EXP_1);
	assert_int_equal(loadavg_power(LOADAVG_EXP_1, 2), 1733);
	assert_int_equal(loadavg_power(F1, 1000), F1);
	/* twelve periods at once are twelve one by one, give or take the
	 * rounding of each step */
	memcpy(many, one, sizeof(one));
	for (i = 0; i < 12; i++)
		loadavg_update(one, 1, 1);
	loadavg_update(many, 1, 12);
	for (i = 0; i < 3; i++)
		assert_in_range(many[i], one[i] - 12, one[i] + 12);
	/* 0 periods count as one */
	memset(one, 0, sizeof(one));
	loadavg_update(one, 1, 0);
	assert_int_equal(one[0], 164);
}

/* ---- the table ---- */

static void test_table_bound_and_expiry(void **state)
{
	struct loadavg_table t;
	struct loadavg_entry *e;
	uint64_t now = 1000000;

	(void)state;
	assert_int_equal(loadavg_table_init(&t, 3), 0);
	assert_int_equal(loadavg_table_get(&t, 11, "a", now, &e), 1);
	assert_int_equal(loadavg_table_get(&t, 12, "b", now, &e), 1);
	assert_int_equal(loadavg_table_get(&t, 13, "c", now + 1000, &e), 1);
	assert_int_equal(loadavg_table_get(&t, 14, "d", now + 2000, &e), -ENOSPC);
	assert_int_equal(loadavg_table_get(&t, 0, "z", now, &e), -EINVAL);
	/* found again: the same entry, read now */
	assert_int_equal(loadavg_table_get(&t, 11, "a", now + 5000, &e), 0);
	assert_int_equal(e->ino, 11);
	assert_string_equal(e->path, "a");
	/* b, unread for LOADAVG_IDLE_MS, makes room; a and c were read since */
	assert_int_equal(loadavg_table_get(&t, 14, "d", now + LOADAVG_IDLE_MS, &e), 1);
	assert_int_equal(t.n, 3);
	assert_int_equal(loadavg_table_get(&t, 12, "b", now + LOADAVG_IDLE_MS, &e), -ENOSPC);
	/* a read before now (a round's due time is behind reads) expires nothing */
	assert_int_equal(loadavg_table_expire(&t, now), 0);
	assert_int_equal(loadavg_table_expire(&t, now + 1000 + LOADAVG_IDLE_MS), 1);
	assert_int_equal(loadavg_table_expire(&t, now + 2 * LOADAVG_IDLE_MS), 2);
	assert_int_equal(t.n, 0);
	loadavg_table_free(&t);
}

static void test_table_tree_share(void **state)
{
	struct loadavg_table t;
	struct loadavg_entry *e;

	(void)state;
	assert_int_equal(loadavg_table_init(&t, 8), 0);
	assert_int_equal(t.per_tree, 8 / LOADAVG_TREES_MIN);
	assert_int_equal(loadavg_table_get(&t, 1, "alice/a", 0, &e), 1);
	assert_int_equal(loadavg_table_get(&t, 2, "alice/a/b", 0, &e), 1);
	assert_int_equal(loadavg_table_get(&t, 3, "alice/c", 0, &e), -ENOSPC);
	assert_int_equal(loadavg_table_get(&t, 4, "alice", 0, &e), -ENOSPC);
	/* others' trees, a longer name too, are not alice's */
	assert_int_equal(loadavg_table_get(&t, 5, "bob/a", 0, &e), 1);
	assert_int_equal(loadavg_table_get(&t, 6, "alicex/a", 0, &e), 1);
	/* found again: still hers */
	assert_int_equal(loadavg_table_get(&t, 1, "alice/a", 10, &e), 0);
	/* an idle one of hers makes room for another (the idle others go
	 * too) */
	assert_int_equal(loadavg_table_get(&t, 3, "alice/c", LOADAVG_IDLE_MS, &e), 1);
	assert_int_equal(t.n, 2);
	loadavg_table_free(&t);
}

static void test_table_made_again(void **state)
{
	struct loadavg_table t;
	struct loadavg_entry *e;

	(void)state;
	assert_int_equal(loadavg_table_init(&t, 4), 0);
	t.per_tree = t.max;
	assert_int_equal(loadavg_table_get(&t, 20, "alice/box", 0, &e), 1);
	assert_int_equal(loadavg_sample(e, 4, LOADAVG_PERIOD_MS), 1);
	assert_true(e->avg[0] > 0);
	/* removed and made again: a new directory, a new history */
	assert_int_equal(loadavg_table_get(&t, 21, "alice/box", 6000, &e), 1);
	assert_int_equal(e->avg[0] + e->avg[1] + e->avg[2], 0);
	/* the same directory under another path (as the kernel could
	 * rename it): the same history, the path it is read by now */
	assert_int_equal(loadavg_table_get(&t, 20, "alice/crate", 7000, &e), 0);
	assert_string_equal(e->path, "alice/crate");
	assert_true(e->avg[0] > 0);
	loadavg_table_free(&t);
}

static void test_sample_periods(void **state)
{
	struct loadavg_table t;
	struct loadavg_entry *e;

	(void)state;
	assert_int_equal(loadavg_table_init(&t, 1), 0);
	assert_int_equal(loadavg_table_get(&t, 5, "g", 100, &e), 1);
	assert_int_equal(loadavg_sample(e, 1, 100 + LOADAVG_PERIOD_MS - 1), 0);
	assert_int_equal(e->avg[0], 0);
	assert_int_equal(loadavg_sample(e, 1, 100 + LOADAVG_PERIOD_MS), 1);
	assert_int_equal(e->avg[0], 164);
	assert_int_equal(loadavg_sample(e, 1, 100 + 4 * LOADAVG_PERIOD_MS + 10), 3);
	loadavg_table_free(&t);
}

/* ---- a round ---- */

/* The fake tree: group i (inode 100 + i) has need[i] looks, tasks[i]
 * active tasks; gone[i] says it was removed. */
#define FAKE_N 2048
static unsigned need[FAKE_N], tasks[FAKE_N], calls[FAKE_N], looked;
static bool gone[FAKE_N];

static int fake_count(const void *ctx, const char *path, ino_t ino, unsigned limit,
                      struct loadavg_now *ret)
{
	size_t i = ino - 100;

	(void)ctx, (void)path;
	assert_true(i < FAKE_N);
	calls[i]++;
	if (gone[i])
		return -ENOENT;
	*ret = (struct loadavg_now){ .running = tasks[i], .threads = tasks[i] };
	ret->looks = need[i] < limit ? need[i] : limit;
	ret->cut = need[i] > limit;
	looked += ret->looks;
	return 0;
}

static void fake_reset(void)
{
	memset(need, 0, sizeof(need));
	memset(tasks, 0, sizeof(tasks));
	memset(calls, 0, sizeof(calls));
	memset(gone, 0, sizeof(gone));
	looked = 0;
}

static void state_init(struct loadavg_state *s, size_t max, unsigned budget)
{
	pthread_mutex_init(&s->lock, NULL);
	assert_int_equal(loadavg_table_init(&s->t, max), 0);
	s->src = (struct loadavg_src){ fake_count, NULL };
	s->budget = budget;
}

static void state_free(struct loadavg_state *s)
{
	loadavg_table_free(&s->t);
	pthread_mutex_destroy(&s->lock);
}

static void test_round_budget(void **state)
{
	struct loadavg_state s;
	struct loadavg_entry *e;
	uint64_t now = 0;
	size_t i;

	(void)state;
	fake_reset();
	state_init(&s, 8, 7);
	s.t.per_tree = s.t.max; /* every group in one tree here */
	for (i = 0; i < 5; i++) {
		need[i] = 3;
		tasks[i] = 1;
		assert_int_equal(loadavg_table_get(&s.t, 100 + i, "g", now, &e), 1);
	}
	/* not due before a period has passed */
	assert_int_equal(loadavg_round(&s, now + LOADAVG_PERIOD_MS - 1), 0);
	assert_int_equal(calls[0], 0);
	/* 7 looks: groups 0 and 1 whole, 2 cut short waits */
	now += LOADAVG_PERIOD_MS;
	assert_int_equal(loadavg_round(&s, now), 0);
	assert_int_equal(s.t.v[0].avg[0], 164);
	assert_int_equal(s.t.v[1].avg[0], 164);
	assert_int_equal(s.t.v[2].avg[0], 0);
	assert_int_equal(calls[3], 0);
	assert_int_equal(s.t.cursor, 2);
	assert_true(looked <= 7);
	/* the next round starts with it: 2 and 3, each two periods at
	 * once (1 - (EXP_1/FIXED_1)^2 of the way), then 4 waits */
	now += LOADAVG_PERIOD_MS;
	looked = 0;
	assert_int_equal(loadavg_round(&s, now), 0);
	assert_int_equal(s.t.v[2].avg[0], 315);
	assert_int_equal(s.t.v[3].avg[0], 315);
	assert_int_equal(s.t.v[4].avg[0], 0);
	assert_int_equal(s.t.cursor, 4);
	/* 4, waiting three periods, gets them at once */
	now += LOADAVG_PERIOD_MS;
	assert_int_equal(loadavg_round(&s, now), 0);
	assert_true(s.t.v[4].avg[0] > 315);
	state_free(&s);
}

static void test_round_big_group_and_gone(void **state)
{
	struct loadavg_state s;
	struct loadavg_entry *e;

	(void)state;
	fake_reset();
	state_init(&s, 4, 10);
	need[0] = 1000; /* alone more than the budget: counted in part */
	tasks[0] = 2;
	need[1] = 1;
	gone[1] = true;
	assert_int_equal(loadavg_table_get(&s.t, 100, "big", 0, &e), 1);
	assert_int_equal(loadavg_table_get(&s.t, 101, "gone", 0, &e), 1);
	assert_int_equal(loadavg_round(&s, LOADAVG_PERIOD_MS), 0);
	assert_int_equal(looked, 10);
	assert_int_equal(s.t.v[0].avg[0], 2 * 164);
	/* the budget went to the big one: the gone one waits */
	assert_int_equal(calls[1], 0);
	assert_int_equal(loadavg_round(&s, 2 * LOADAVG_PERIOD_MS), 0);
	assert_int_equal(calls[1], 1);
	assert_int_equal(s.t.n, 1);
	assert_int_equal(s.t.v[1].ino, 0);
	/* unread for LOADAVG_IDLE_MS: dropped by a round */
	assert_int_equal(loadavg_round(&s, LOADAVG_IDLE_MS), 0);
	assert_int_equal(s.t.n, 0);
	state_free(&s);
}

/* A user making more groups than the table holds and reading them all:
 * her tree takes its share of the table and no more, the others' groups
 * still find room, and a round looks at no more than its budget however
 * many groups are due. */
static void test_flood_is_bounded(void **state)
{
	const size_t share = LOADAVG_GROUPS_MAX / LOADAVG_TREES_MIN;
	struct loadavg_state s;
	struct loadavg_entry *e;
	unsigned rounds, full = 0;
	char path[32];
	size_t i;

	(void)state;
	fake_reset();
	state_init(&s, LOADAVG_GROUPS_MAX, LOADAVG_BUDGET);
	for (i = 0; i < FAKE_N - 1; i++) {
		need[i] = 20;
		tasks[i] = 1;
		snprintf(path, sizeof(path), "alice/g%zu", i);
		if (loadavg_table_get(&s.t, 100 + i, path, 0, &e) == -ENOSPC)
			full++;
	}
	assert_int_equal(s.t.n, share);
	assert_int_equal(full, FAKE_N - 1 - share);
	assert_int_equal(loadavg_table_get(&s.t, 100 + FAKE_N - 1, "bob/web", 0, &e), 1);
	for (rounds = 1; rounds <= 3; rounds++) {
		looked = 0;
		assert_int_equal(loadavg_round(&s, rounds * LOADAVG_PERIOD_MS), 0);
		assert_true(looked <= LOADAVG_BUDGET);
		assert_true(looked > LOADAVG_BUDGET - 20);
	}
	/* every group had its turn: each is sampled within two rounds */
	for (i = 0; i < share; i++)
		assert_true(calls[i] >= 1);
	assert_true(calls[FAKE_N - 1] >= 1);
	state_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calc_one_period),
		cmocka_unit_test(test_constant_load_converges),
		cmocka_unit_test(test_power_and_missed_periods),
		cmocka_unit_test(test_table_bound_and_expiry),
		cmocka_unit_test(test_table_tree_share),
		cmocka_unit_test(test_table_made_again),
		cmocka_unit_test(test_sample_periods),
		cmocka_unit_test(test_round_budget),
		cmocka_unit_test(test_round_big_group_and_gone),
		cmocka_unit_test(test_flood_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
