// SPDX-License-Identifier: MIT
/* What a limit's pages may hold (src/fs_node.c, the cache_* calls that
 * fs_file.c makes): an open keeps the pages only when the last fill gave
 * just the value it renders and no fill is being answered; the latest
 * fill by ticket is the one that counts; a write or an unknown fill
 * forgets; the mtime moves when a value differs from the pages; a value
 * longer than the size the kernel has sends its opener back to look the
 * name up, once, and so does a view's or a counter's open (size_open()).
 * No FUSE session: the node table alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fs_int.h"

#define INO 0x1234567ull
#define PID 4242

static int setup(void **state)
{
	struct nref ref = { .ino = INO, .path = "alice/web", .kind = NODE_KNOB, .knob = 0 };

	(void)state;
	if (node_hold(&ref) < 0)
		return -1;
	cache_size(INO, 4096); /* the kernel has room for every value below */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	node_forget(INO, 1);
	return 0;
}

static enum cache_verdict open_by(pid_t pid, const char *text)
{
	return cache_open(INO, pid, text, (int)strlen(text));
}

static bool keeps(const char *text)
{
	return open_by(PID, text) == CACHE_KEEP;
}

static void fill(const char *text)
{
	uint64_t t = cache_fill_begin(INO);

	assert_true(t > 0);
	cache_fill_end(INO, t, text, text ? (int)strlen(text) : 0);
}

static void test_no_node(void **state)
{
	(void)state;
	assert_int_equal(cache_open(INO + 1, PID, "1\n", 2), CACHE_DROP);
	assert_int_equal(cache_fill_begin(INO + 1), 0);
	cache_fill_end(INO + 1, 0, "1\n", 2); /* nothing, no crash */
	cache_changed(INO + 1);
}

static void test_unfilled_never_kept(void **state)
{
	(void)state;
	assert_false(keeps("512\n"));
	assert_false(keeps(""));
}

static void test_kept_only_for_the_same_value(void **state)
{
	(void)state;
	fill("512\n");
	assert_true(keeps("512\n"));
	assert_true(keeps("512\n"));
	assert_false(keeps("256\n"));
	assert_false(keeps("512"));
	/* Longer than the fill, which cut the kernel's size to 4. */
	assert_int_equal(open_by(PID + 100, "5120\n"), CACHE_RELOOK);
	assert_int_equal(open_by(PID + 100, "5120\n"), CACHE_DROP);
	assert_false(keeps(""));
}

static void test_not_kept_while_filling(void **state)
{
	uint64_t t;

	(void)state;
	fill("512\n");
	t = cache_fill_begin(INO);
	assert_false(keeps("512\n"));
	cache_fill_end(INO, t, "512\n", 4);
	assert_true(keeps("512\n"));
}

static void test_latest_ticket_counts(void **state)
{
	uint64_t a, b;

	(void)state;
	a = cache_fill_begin(INO);
	b = cache_fill_begin(INO);
	assert_true(b > a);
	cache_fill_end(INO, b, "new\n", 4);
	assert_false(keeps("new\n")); /* a is still being answered */
	cache_fill_end(INO, a, "old\n", 4);
	assert_true(keeps("new\n"));
	assert_false(keeps("old\n"));
}

static void test_unknown_fill_forgets(void **state)
{
	(void)state;
	fill("512\n");
	fill(NULL);
	assert_false(keeps("512\n"));
	fill("7\n");
	assert_true(keeps("7\n"));
}

static void test_write_forgets_and_moves_mtime(void **state)
{
	struct timespec before, after;

	(void)state;
	fill("512\n");
	assert_true(cache_attr(INO, "512\n", 4, &before));
	cache_changed(INO);
	assert_false(keeps("512\n"));
	assert_true(cache_attr(INO, "512\n", 4, &after));
	assert_true(after.tv_sec > before.tv_sec ||
	            (after.tv_sec == before.tv_sec && after.tv_nsec > before.tv_nsec));
	/* An earlier fill ending after the write does not bring it back. */
	fill("9\n");
	assert_true(keeps("9\n"));
}

static void test_attr_mtime(void **state)
{
	struct timespec a, b, c;

	(void)state;
	assert_false(cache_attr(INO + 1, "1\n", 2, &a));
	assert_true(cache_attr(INO, "1\n", 2, &a));
	assert_true(a.tv_sec > 0); /* set when the node was made */
	fill("1\n");
	assert_true(cache_attr(INO, "1\n", 2, &b));
	assert_memory_equal(&a, &b, sizeof(a)); /* the same value: the same mtime */
	assert_true(cache_attr(INO, "2\n", 2, &c));
	assert_false(c.tv_sec == b.tv_sec && c.tv_nsec == b.tv_nsec);
}

static void test_ticket_of_a_write_outranks_older_fills(void **state)
{
	uint64_t t;

	(void)state;
	t = cache_fill_begin(INO);
	cache_changed(INO);
	cache_fill_end(INO, t, "old\n", 4); /* rendered before the write */
	assert_false(keeps("old\n"));
}

static void test_longer_than_the_kernel_has(void **state)
{
	(void)state;
	cache_size(INO, 4);
	fill("512\n");
	assert_true(keeps("512\n"));
	assert_int_equal(open_by(PID, "256\n"), CACHE_DROP); /* as long: no lookup */
	assert_int_equal(open_by(PID, "12345\n"), CACHE_RELOOK);
	assert_int_equal(open_by(PID + 1, "12345\n"), CACHE_RELOOK);
	/* Each opener's retry is let through, once. */
	assert_int_equal(open_by(PID, "12345\n"), CACHE_DROP);
	assert_int_equal(open_by(PID + 1, "12345\n"), CACHE_DROP);
	assert_int_equal(open_by(PID, "12345\n"), CACHE_RELOOK);
	/* The lookup gave the size. */
	cache_size(INO, 6);
	assert_int_equal(open_by(PID + 2, "12345\n"), CACHE_DROP);
	fill("12345\n");
	assert_int_equal(open_by(PID + 2, "12345\n"), CACHE_KEEP);
	/* A shorter fill cut the kernel's size. */
	fill("7\n");
	assert_int_equal(open_by(PID + 3, "7\n"), CACHE_KEEP);
	assert_int_equal(open_by(PID + 3, "12345\n"), CACHE_RELOOK);
}

static void test_size_unknown_looks_up(void **state)
{
	struct nref ref = { .ino = INO + 7, .path = "alice/db", .kind = NODE_KNOB, .knob = 0 };

	(void)state;
	assert_int_equal(node_hold(&ref), 0);
	assert_int_equal(cache_open(INO + 7, PID, "1\n", 2), CACHE_RELOOK);
	cache_size(INO + 7, 2);
	assert_int_equal(cache_open(INO + 7, PID + 9, "1\n", 2), CACHE_DROP);
	node_forget(INO + 7, 1);
}

/* A view's or a counter's open (size_open()): the same size, another
 * (its attributes go stale), or longer than the kernel has: sent back to
 * look up, once per opener. */
static void test_sized_open(void **state)
{
	struct nref ref = { .ino = INO + 30, .path = "alice/web", .kind = NODE_VIEW, .knob = 0 };

	(void)state;
	assert_int_equal(node_hold(&ref), 0);
	assert_int_equal(size_open(INO + 31, PID, 5), SIZE_OTHER); /* no node */
	assert_int_equal(size_open(INO + 30, PID, 0), SIZE_RELOOK); /* size unknown */
	assert_int_equal(size_open(INO + 30, PID, 0), SIZE_OTHER);  /* its retry */
	cache_size(INO + 30, 1500);
	assert_int_equal(size_open(INO + 30, PID, 1500), SIZE_SAME);
	assert_int_equal(size_open(INO + 30, PID, 1499), SIZE_OTHER);
	assert_int_equal(size_open(INO + 30, PID, 1501), SIZE_RELOOK);
	assert_int_equal(size_open(INO + 30, PID + 1, 1501), SIZE_RELOOK);
	assert_int_equal(size_open(INO + 30, PID, 1502), SIZE_OTHER);     /* retry: through */
	assert_int_equal(size_open(INO + 30, PID + 1, 1501), SIZE_OTHER);
	assert_int_equal(size_open(INO + 30, PID, 1501), SIZE_RELOOK);    /* a new open */
	cache_size(INO + 30, 1501); /* the lookup */
	assert_int_equal(size_open(INO + 30, PID + 2, 1501), SIZE_SAME);
	node_forget(INO + 30, 1);
}

static void test_served_below(void **state)
{
	struct nref a = { .ino = INO + 20, .path = "alice/web/db", .kind = NODE_KNOB };
	struct nref b = { .ino = INO + 21, .path = "alice/webx", .kind = NODE_KNOB };
	fuse_ino_t *v = NULL;
	size_t n;

	(void)state;
	assert_int_equal(node_hold(&a), 0);
	assert_int_equal(node_hold(&b), 0);
	cache_served(INO);      /* alice/web */
	cache_served(INO + 20); /* alice/web/db */
	cache_served(INO + 21); /* alice/webx: not below alice/web */
	cache_served(INO + 20); /* twice: listed once */
	n = cache_served_below("alice/web", &v);
	assert_int_equal(n, 2);
	assert_true((v[0] == INO && v[1] == INO + 20) || (v[0] == INO + 20 && v[1] == INO));
	free(v);
	node_forget(INO + 20, 1); /* off the list as it goes */
	n = cache_served_below("alice", &v);
	assert_int_equal(n, 2);
	free(v);
	node_forget(INO + 21, 1);
	n = cache_served_below("alice/web/db", &v);
	assert_int_equal(n, 0);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unfilled_never_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_only_for_the_same_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_kept_while_filling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_ticket_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_fill_forgets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_forgets_and_moves_mtime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attr_mtime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ticket_of_a_write_outranks_older_fills, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_longer_than_the_kernel_has, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_unknown_looks_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sized_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_served_below, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
