// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cgfs/budget.h"

static void assert_usage(uid_t uid, long open, size_t kept)
{
	long o;
	size_t k;

	budget_usage(uid, &o, &k);
	assert_int_equal(o, open);
	assert_int_equal(k, kept);
}

/* A user's cap is theirs: another user still opens, closing frees. */
static void test_per_user(void **state)
{
	int i;

	budget_set_total(-1);
	for (i = 0; i < 3; i++)
		assert_int_equal(budget_open(1000, 3), 0);
	assert_int_equal(budget_open(1000, 3), -EMFILE);
	assert_usage(1000, 3, 0);
	assert_int_equal(budget_open(1001, 3), 0);
	budget_close(1000);
	assert_int_equal(budget_open(1000, 3), 0);
	/* A cap lowered below what is held refuses the next one. */
	assert_int_equal(budget_open(1000, 1), -EMFILE);
	/* -1: no cap of the user's own. */
	assert_int_equal(budget_open(1000, -1), 0);
	for (i = 0; i < 4; i++)
		budget_close(1000);
	budget_close(1001);
	assert_usage(1000, 0, 0);
	assert_usage(1001, 0, 0);
	/* A close of nothing held changes nothing. */
	budget_close(1002);
	assert_usage(1002, 0, 0);
	/* A cap of 0: no file at all. */
	assert_int_equal(budget_open(1003, 0), -EMFILE);
	assert_usage(1003, 0, 0);
}

/* The total holds for every user but root; root is never refused. */
static void test_total(void **state)
{
	long open;
	size_t kept;

	budget_set_total(2);
	assert_int_equal(budget_open(1000, 10), 0);
	assert_int_equal(budget_open(1001, 10), 0);
	assert_int_equal(budget_open(1002, 10), -ENFILE);
	assert_usage(1002, 0, 0);
	assert_int_equal(budget_open(0, 0), 0);
	assert_int_equal(budget_open(0, 0), 0);
	budget_totals(&open, &kept);
	assert_int_equal(open, 2);
	/* The user's own cap is told first. */
	assert_int_equal(budget_open(1000, 1), -EMFILE);
	budget_close(1001);
	assert_int_equal(budget_open(1002, 10), 0);
	budget_close(1000);
	budget_close(1002);
	budget_close(0);
	budget_close(0);
	budget_totals(&open, &kept);
	assert_int_equal(open, 0);
	assert_usage(0, 0, 0);
	budget_set_total(-1);
}

/* Kept bytes: within the user's budget and the total, for users with a
 * handle open, and given back. */
static void test_keep(void **state)
{
	long open;
	size_t kept;
	uid_t u;

	assert_false(budget_keep(1000, 1)); /* no handle */
	assert_int_equal(budget_open(1000, -1), 0);
	assert_true(budget_keep(1000, BUDGET_KEEP_USER - 10));
	assert_false(budget_keep(1000, 11));
	assert_true(budget_keep(1000, 10));
	assert_usage(1000, 1, BUDGET_KEEP_USER);
	budget_unkeep(1000, 10);
	assert_usage(1000, 1, BUDGET_KEEP_USER - 10);
	/* The record stays while bytes are kept, even with no handle. */
	budget_close(1000);
	assert_usage(1000, 0, BUDGET_KEEP_USER - 10);
	budget_unkeep(1000, BUDGET_KEEP_USER - 10);
	assert_usage(1000, 0, 0);
	/* The total: every user's budget full leaves none for the next. */
	for (u = 2000; u < 2000 + BUDGET_KEEP_TOTAL / BUDGET_KEEP_USER; u++) {
		assert_int_equal(budget_open(u, -1), 0);
		assert_true(budget_keep(u, BUDGET_KEEP_USER));
	}
	assert_int_equal(budget_open(u, -1), 0);
	assert_false(budget_keep(u, 1));
	budget_unkeep(2000, 1);
	assert_true(budget_keep(u, 1));
	budget_unkeep(u, 1);
	budget_close(u);
	for (u = 2000; u < 2000 + BUDGET_KEEP_TOTAL / BUDGET_KEEP_USER; u++) {
		budget_unkeep(u, BUDGET_KEEP_USER);
		budget_close(u);
	}
	budget_totals(&open, &kept);
	assert_int_equal(open, 0);
	assert_int_equal(kept, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_user),
		cmocka_unit_test(test_total),
		cmocka_unit_test(test_keep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
