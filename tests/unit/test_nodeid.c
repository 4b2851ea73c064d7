// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cgfs/nodeid.h"

static void test_round_trip(void **state)
{
	const ino_t inos[] = { 1, 2, 4242, (ino_t)1 << 40, ((ino_t)1 << 54) - 1 };
	unsigned index;
	size_t i, k;
	ino_t real;

	(void)state;
	for (i = 0; i < sizeof(inos) / sizeof(inos[0]); i++) {
		ino_t ino = inos[i];

		assert_int_equal(nodeid_decode(nodeid_dir(ino, false), &real, &index), NODEID_DIR);
		assert_int_equal(real, ino);
		assert_int_equal(nodeid_decode(nodeid_rawdir(ino), &real, &index), NODEID_RAWDIR);
		assert_int_equal(real, ino);
		for (k = 0; k < NODEID_KNOBS_MAX; k++) {
			assert_int_equal(nodeid_decode(nodeid_knob(ino, (unsigned)k), &real, &index),
			                 NODEID_KNOB);
			assert_int_equal(real, ino);
			assert_int_equal(index, k);
		}
		for (k = 0; k < NODEID_VIEWS_MAX; k++) {
			assert_int_equal(nodeid_decode(nodeid_view(ino, (unsigned)k), &real, &index),
			                 NODEID_VIEW);
			assert_int_equal(real, ino);
			assert_int_equal(index, k);
		}
		for (k = 0; k < NODEID_HIERS_MAX; k++) {
			assert_int_equal(nodeid_decode(nodeid_raw(ino, (unsigned)k), &real, &index),
			                 NODEID_RAW);
			assert_int_equal(real, ino);
			assert_int_equal(index, k);
		}
	}
}

/* No two kinds of node of the same inode share an id, and every id made
 * from an inode is recognised as made from it, and from no other. */
static void test_distinct(void **state)
{
	uint64_t ids[2 + NODEID_KNOBS_MAX + NODEID_VIEWS_MAX + NODEID_HIERS_MAX];
	size_t n = 0, i, j;

	(void)state;
	ids[n++] = nodeid_dir(77, false);
	ids[n++] = nodeid_rawdir(77);
	for (i = 0; i < NODEID_KNOBS_MAX; i++)
		ids[n++] = nodeid_knob(77, (unsigned)i);
	for (i = 0; i < NODEID_VIEWS_MAX; i++)
		ids[n++] = nodeid_view(77, (unsigned)i);
	for (i = 0; i < NODEID_HIERS_MAX; i++)
		ids[n++] = nodeid_raw(77, (unsigned)i);
	for (i = 0; i < n; i++) {
		assert_true(nodeid_is_of(ids[i], 77));
		assert_false(nodeid_is_of(ids[i], 78));
		assert_true(ids[i] != NODEID_ROOT);
		for (j = i + 1; j < n; j++)
			assert_true(ids[i] != ids[j]);
	}
	assert_int_equal(nodeid_dir(77, true), NODEID_ROOT);
}

/* Every slot is one kind's: the view's rows fill the slots between
 * raw/'s and the raw files'. */
static void test_every_slot(void **state)
{
	unsigned slot, index;
	ino_t real;

	(void)state;
	assert_int_equal(NODEID_SLOT_VIEW, NODEID_SLOT_RAWDIR + 1);
	for (slot = 0; slot <= NODEID_SLOT_MASK; slot++)
		assert_int_not_equal(nodeid_decode(nodeid_make(5, slot), &real, &index), NODEID_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_distinct),
		cmocka_unit_test(test_every_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
