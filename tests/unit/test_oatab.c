// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cgfs/oatab.h"

/* Entry e stands for key[e]; the hash is chosen by the test. */
#define N 5000
static uint64_t key[N + 1];

static uint64_t hash_key(const void *ctx, uint32_t e)
{
	(void)ctx;
	return key[e];
}

/* A hash that sends every key to a few homes: long runs, and runs that
 * wrap past the table's last slot. */
static uint64_t hash_clumped(const void *ctx, uint32_t e)
{
	(void)ctx;
	return key[e] % 3;
}

static long find(const struct oatab *t, uint32_t e)
{
	size_t i;

	for (i = oatab_home(t, t->hash(t->ctx, e)); oatab_used(t, i); i = oatab_next(t, i))
		if (t->e[i] == e)
			return (long)i;
	return -1;
}

static void fill_keys(void)
{
	uint32_t e;

	for (e = 1; e <= N; e++)
		key[e] = (uint64_t)e * 7919u;
}

static void test_empty(void **state)
{
	struct oatab t = { .hash = hash_key };

	(void)state;
	fill_keys();
	assert_false(oatab_used(&t, 0));
	assert_int_equal(find(&t, 1), -1);
	oatab_free(&t);
}

static void test_add_find_grow(void **state)
{
	struct oatab t = { .hash = hash_key };
	uint32_t e;

	(void)state;
	fill_keys();
	for (e = 1; e <= N; e++)
		assert_int_equal(oatab_add(&t, e), 0);
	assert_int_equal(t.n, N);
	/* At most 3/4 full: 5000 entries need 8192 slots. */
	assert_true(4 * t.n <= 3 * t.slots);
	assert_int_equal(t.slots, 8192);
	for (e = 1; e <= N; e++)
		assert_true(find(&t, e) >= 0);
	oatab_free(&t);
	assert_int_equal(t.slots, 0);
}

/* Deleting from the middle of clumped runs keeps every other entry
 * reachable from its home, wrapped runs included. */
static void test_delete_in_runs(void **state)
{
	struct oatab t = { .hash = hash_clumped };
	uint32_t e;
	long i;

	(void)state;
	fill_keys();
	for (e = 1; e <= 150; e++)
		assert_int_equal(oatab_add(&t, e), 0);
	for (e = 1; e <= 150; e++)
		assert_true(find(&t, e) >= 0);
	for (e = 1; e <= 150; e += 2) {
		i = find(&t, e);
		assert_true(i >= 0);
		oatab_del(&t, (size_t)i);
		assert_int_equal(find(&t, e), -1);
	}
	for (e = 2; e <= 150; e += 2)
		assert_true(find(&t, e) >= 0);
	assert_int_equal(t.n, 75);
	oatab_free(&t);
}

static uint64_t hash_last(const void *ctx, uint32_t e)
{
	const struct oatab *t = ctx;
	uint64_t h;

	/* Search for a hash whose home is the last slot, plus e % 2. */
	for (h = 0; oatab_home(t, h) != t->slots - 1 - (key[e] & 1); h++)
		;
	return h;
}

static void test_delete_wrapped(void **state)
{
	struct oatab t = { .hash = hash_last };
	uint32_t e;

	(void)state;
	fill_keys();
	t.ctx = &t;
	for (e = 1; e <= 20; e++)
		assert_int_equal(oatab_add(&t, e), 0);
	assert_int_equal(t.slots, OATAB_MIN_SLOTS);
	/* The run starts at the table's end and goes on at slot 0. */
	assert_true(t.e[0] != 0);
	for (e = 1; e <= 20; e += 3) {
		long i = find(&t, e);

		assert_true(i >= 0);
		oatab_del(&t, (size_t)i);
	}
	for (e = 1; e <= 20; e++)
		assert_true((find(&t, e) >= 0) == ((e - 1) % 3 != 0));
	oatab_free(&t);
}

static void test_shrink(void **state)
{
	struct oatab t = { .hash = hash_key };
	uint32_t e;
	size_t big;

	(void)state;
	fill_keys();
	for (e = 1; e <= N; e++)
		assert_int_equal(oatab_add(&t, e), 0);
	big = t.slots;
	for (e = 1; e <= N - 100; e++)
		oatab_del(&t, (size_t)find(&t, e));
	assert_true(t.slots < big);
	assert_true(t.slots >= OATAB_MIN_SLOTS);
	for (e = N - 99; e <= N; e++)
		assert_true(find(&t, e) >= 0);
	for (e = N - 99; e <= N; e++)
		oatab_del(&t, (size_t)find(&t, e));
	assert_int_equal(t.n, 0);
	assert_int_equal(t.slots, OATAB_MIN_SLOTS);
	oatab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_add_find_grow),
		cmocka_unit_test(test_delete_in_runs),
		cmocka_unit_test(test_delete_wrapped),
		cmocka_unit_test(test_shrink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
