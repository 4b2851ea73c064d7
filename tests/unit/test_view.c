// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/view.c's walk over a group's processes (uptime's
 * and stat's oldest process): its bound on a reader's cost, and a
 * process gone meanwhile passed over.
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

#include "cgfs/knobs.h"
#include "cgfs/procview.h"
#include "view_int.h"

/* Pids 1..npids; pid p started at tick 1000000 - p (the last the
 * oldest), but for pid gone, which has ended. */
static unsigned npids, reads;
static pid_t gone;

static int fake_pids(void *ctx, void (*fn)(void *arg, pid_t pid), void *arg)
{
	unsigned i;

	(void)ctx;
	for (i = 1; i <= npids; i++)
		fn(arg, (pid_t)i);
	return (int)npids;
}

static int fake_host_read(void *ctx, const char *path, char *buf, size_t size)
{
	int pid, n;

	(void)ctx;
	reads++;
	if (sscanf(path, "/proc/%d/stat", &pid) != 1)
		return -ENOENT;
	if (pid == gone)
		return -ESRCH;
	/* field 22, the start, after 18 fields past the state */
	n = snprintf(buf, size, "%d (p) S 1 1 1 0 -1 4 0 0 0 0 0 0 0 0 20 0 1 0 %u 0 0\n", pid,
	             1000000u - (unsigned)pid);
	return n;
}

static const struct knob_io io = {
	.host_read = fake_host_read,
	.pids = fake_pids,
};

static void walk(unsigned n, pid_t g, uint64_t want_start, int want_res, unsigned want_reads)
{
	struct view_walk w = { &io, 0, 0 };

	npids = n;
	gone = g;
	reads = 0;
	assert_int_equal(view_walk_pids(&w), want_res);
	assert_int_equal(w.start, want_start);
	assert_int_equal(reads, want_reads);
	assert_int_equal(w.seen, want_reads);
}

static void test_walk_all(void **state)
{
	(void)state;
	walk(10, 0, 1000000 - 10, 10, 10);
	/* none: no start */
	walk(0, 0, PROCVIEW_NONE, 0, 0);
	/* the oldest ended meanwhile: the next oldest */
	walk(10, 10, 1000000 - 9, 10, 10);
}

static void test_walk_bound(void **state)
{
	(void)state;
	/* exactly the bound: all of them */
	walk(VIEW_PIDS_LOOKS, 0, 1000000 - VIEW_PIDS_LOOKS, VIEW_PIDS_LOOKS, VIEW_PIDS_LOOKS);
	/* beyond: the oldest of the first VIEW_PIDS_LOOKS, no more /proc
	 * reads than that; the listing still says how many there are */
	walk(VIEW_PIDS_LOOKS + 904, 0, 1000000 - VIEW_PIDS_LOOKS, VIEW_PIDS_LOOKS + 904,
	     VIEW_PIDS_LOOKS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_all),
		cmocka_unit_test(test_walk_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
