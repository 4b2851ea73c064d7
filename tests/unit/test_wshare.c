// SPDX-License-Identifier: MIT
/* The poll thread's ledger of watches (src/fs_wshare.c): one watch per
 * file however many poll it, charged to one user, no user beyond their
 * share of new ones, root bounded by the total alone, and charges that
 * pass on and go as the pollers do. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fs_wshare.h"

#define ALICE 1001
#define BOB 1002
#define CAROL 1003

/* A ledger of at most 8 watches, 2 per user. */
static int setup(void **state)
{
	static struct wshare s;

	wshare_init(&s, 8, 2);
	*state = &s;
	return 0;
}

static int teardown(void **state)
{
	wshare_free(*state);
	return 0;
}

static void hold(struct wshare *s, int wd, uid_t uid)
{
	assert_int_equal(wshare_hold(s, wd, uid), 0);
}

/* A user's share is reached with new watches; others still have room. */
static void test_share(void **state)
{
	struct wshare *s = *state;

	assert_true(wshare_room(s, ALICE));
	hold(s, 1, ALICE);
	hold(s, 2, ALICE);
	assert_int_equal(wshare_charged(s, ALICE), 2);
	assert_false(wshare_room(s, ALICE));
	assert_true(wshare_room(s, BOB));
	hold(s, 3, BOB);
	assert_int_equal(wshare_charged(s, BOB), 1);
	assert_int_equal(s->nw, 3);
	/* One let go: room again. */
	assert_true(wshare_release(s, 1, ALICE));
	assert_false(wshare_known(s, 1));
	assert_true(wshare_room(s, ALICE));
	assert_int_equal(wshare_charged(s, ALICE), 1);
}

/* Many pollers of one file, of one user or several, are one watch,
 * charged once; it goes with its last poller. */
static void test_shared(void **state)
{
	struct wshare *s = *state;

	hold(s, 5, ALICE);
	hold(s, 5, ALICE);
	hold(s, 5, BOB);
	hold(s, 5, ALICE);
	assert_int_equal(s->nw, 1);
	assert_int_equal(wshare_charged(s, ALICE), 1);
	assert_int_equal(wshare_charged(s, BOB), 0);
	/* Joining costs nothing: at her share, alice still holds more of
	 * the watches that exist. */
	hold(s, 6, ALICE);
	assert_false(wshare_room(s, ALICE));
	hold(s, 6, ALICE);
	assert_int_equal(wshare_charged(s, ALICE), 2);
	assert_false(wshare_release(s, 5, ALICE));
	assert_false(wshare_release(s, 5, BOB));
	assert_false(wshare_release(s, 5, ALICE));
	assert_true(wshare_release(s, 5, ALICE));
	assert_int_equal(s->nw, 1);
	assert_int_equal(wshare_charged(s, ALICE), 1);
	assert_int_equal(s->nu, 1); /* bob holds nothing: no record */
}

/* When the charged user's last poller goes, the charge passes to the
 * next who holds the watch (beyond their share if need be), not left
 * with the user who no longer polls. */
static void test_pass_on(void **state)
{
	struct wshare *s = *state;

	hold(s, 1, BOB);
	hold(s, 2, BOB);
	hold(s, 3, ALICE);
	hold(s, 3, BOB); /* bob polls alice's file too */
	hold(s, 3, CAROL);
	assert_int_equal(wshare_charged(s, ALICE), 1);
	assert_false(wshare_release(s, 3, ALICE));
	assert_int_equal(wshare_charged(s, ALICE), 0);
	assert_int_equal(wshare_charged(s, BOB), 3);
	assert_int_equal(wshare_charged(s, CAROL), 0);
	assert_true(wshare_room(s, ALICE));
	assert_false(wshare_room(s, BOB));
	/* A holder behind the first leaving changes no charge. */
	assert_false(wshare_release(s, 3, CAROL));
	assert_int_equal(wshare_charged(s, BOB), 3);
	assert_true(wshare_release(s, 3, BOB));
	assert_int_equal(wshare_charged(s, BOB), 2);
	assert_int_equal(s->nw, 2);
}

/* The total bounds everyone, root too; root has no share. */
static void test_total_and_root(void **state)
{
	struct wshare *s = *state;
	int wd;

	for (wd = 1; wd <= 5; wd++)
		hold(s, wd, 0);
	assert_int_equal(wshare_charged(s, 0), 5);
	assert_true(wshare_room(s, 0));
	hold(s, 6, ALICE);
	hold(s, 7, BOB);
	hold(s, 8, CAROL);
	assert_int_equal(s->nw, 8);
	assert_false(wshare_room(s, 0));
	assert_false(wshare_room(s, CAROL));
	/* An existing watch is still joined. */
	hold(s, 8, ALICE);
	assert_int_equal(s->nw, 8);
	assert_true(wshare_release(s, 1, 0));
	assert_true(wshare_room(s, CAROL));
}

/* A watch the kernel ended goes, charge and holders with it; an unknown
 * wd changes nothing. */
static void test_drop(void **state)
{
	struct wshare *s = *state;

	hold(s, 4, ALICE);
	hold(s, 4, BOB);
	hold(s, 9, BOB);
	wshare_drop(s, 4);
	wshare_drop(s, 77);
	assert_false(wshare_known(s, 4));
	assert_int_equal(s->nw, 1);
	assert_int_equal(wshare_charged(s, ALICE), 0);
	assert_int_equal(wshare_charged(s, BOB), 1);
	assert_int_equal(s->nu, 1);
	/* Its pollers letting go later finds nothing to do. */
	assert_false(wshare_release(s, 4, ALICE));
	assert_true(wshare_release(s, 9, BOB));
	assert_int_equal(s->nw, 0);
	assert_int_equal(s->nu, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pass_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_total_and_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
