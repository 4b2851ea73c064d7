// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/view.c's walk over a group's processes (uptime's
 * and stat's oldest process): its bound on a reader's cost, and a
 * process gone meanwhile passed over; and src/view_stat.c's reads of
 * v1's per-CPU files for proc/stat: a short one in a small buffer, a
 * long one whole, one beyond the bound left for cpuacct.stat.
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

/* ---- proc/stat's per-CPU files ---- */

/* usage_percpu_user and _sys: percpu_n CPUs of percpu_ns each; the
 * largest buffer a read of either was given, and how many reads. */
static unsigned percpu_n, percpu_reads, stat_reads;
static size_t percpu_biggest;
static const char *percpu_ns;

/* text into buf as cgfile_read does: what fits, NUL-terminated. */
static int fill(char *buf, size_t size, const char *text)
{
	size_t n = strlen(text);

	if (n > size - 1)
		n = size - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return (int)n;
}

static int stat_version(void *ctx, enum cg_ctrl c)
{
	(void)ctx;
	return c == CTRL_CPUACCT ? 1 : 0;
}

static int stat_read(void *ctx, enum cg_ctrl c, const char *file, char *buf, size_t size)
{
	size_t one = strlen(percpu_ns) + 1, i;
	char *text;
	int res;

	(void)ctx;
	if (c != CTRL_CPUACCT)
		return -ENOENT;
	if (strcmp(file, "cpuacct.stat") == 0) {
		stat_reads++;
		return fill(buf, size, "user 11\nsystem 21\n");
	}
	if (strcmp(file, "cpuacct.usage_percpu_user") != 0 &&
	    strcmp(file, "cpuacct.usage_percpu_sys") != 0)
		return -ENOENT;
	percpu_reads++;
	if (size > percpu_biggest)
		percpu_biggest = size;
	/* as the kernel prints it: a blank after each, then a newline */
	text = malloc(one * percpu_n + 2);
	assert_non_null(text);
	for (i = 0; i < percpu_n; i++)
		sprintf(text + i * one, "%s ", percpu_ns);
	strcpy(text + one * percpu_n, "\n");
	res = fill(buf, size, text);
	free(text);
	return res;
}

static int stat_host_read(void *ctx, const char *path, char *buf, size_t size)
{
	(void)ctx;
	if (strcmp(path, "/sys/devices/system/cpu/online") == 0)
		return fill(buf, size, "0-1\n");
	if (strcmp(path, "/proc/uptime") == 0)
		return fill(buf, size, "1000.00 500.00\n");
	if (strcmp(path, "/proc/stat") == 0)
		return fill(buf, size,
		            "cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\n"
		            "intr 5 0 1\nctxt 7\nbtime 100\nprocesses 9\n"
		            "procs_running 3\nprocs_blocked 1\nsoftirq 1 2\n");
	return -ENOENT;
}

/* As the server's walk: every pid, the start of the even ones as read
 * already (their main threads'), the odd ones' left to the caller. */
static int stat_load_now(void *ctx, void (*fn)(void *arg, pid_t pid, const uint64_t *start),
                         void *arg, unsigned *ret_running, unsigned *ret_blocked)
{
	uint64_t start;
	unsigned i;

	(void)ctx;
	for (i = 1; i <= npids; i++) {
		start = 1000000u - i;
		fn(arg, (pid_t)i, i % 2 == 0 ? &start : NULL);
	}
	*ret_running = 2;
	*ret_blocked = 1;
	return (int)npids;
}

static int stat_host_read_pids(void *ctx, const char *path, char *buf, size_t size)
{
	return strncmp(path, "/proc/", 6) == 0 && path[6] >= '0' && path[6] <= '9'
		       ? fake_host_read(ctx, path, buf, size)
		       : stat_host_read(ctx, path, buf, size);
}

static const struct knob_io stat_io = {
	.version = stat_version,
	.read = stat_read,
	.host_read = stat_host_read_pids,
	.pids = fake_pids,
	.load_now = stat_load_now,
};

/* The walk with load_now: the oldest of the first VIEW_PIDS_LOOKS, a
 * start given not read again, the counts load_now's. */
static void walk_load(unsigned n, pid_t g, uint64_t want_start, unsigned want_reads)
{
	struct view_walk w = { &stat_io, 0, 0 };
	unsigned running = 9, blocked = 9;

	npids = n;
	gone = g;
	reads = 0;
	assert_int_equal(view_walk_pids_load(&w, &running, &blocked), (int)n);
	assert_int_equal(w.start, want_start);
	assert_int_equal(reads, want_reads);
	assert_int_equal(running, 2);
	assert_int_equal(blocked, 1);
}

static void test_walk_load(void **state)
{
	(void)state;
	/* 10 pids: the 5 odd ones read */
	walk_load(10, 0, 1000000 - 10, 5);
	walk_load(0, 0, PROCVIEW_NONE, 0);
	/* the oldest (10) given; 9, read, gone meanwhile */
	walk_load(10, 9, 1000000 - 10, 5);
	/* the oldest (9) gone: the oldest given, 8 */
	walk_load(9, 9, 1000000 - 8, 5);
	/* the bound holds for the starts given too: the oldest of the
	 * first VIEW_PIDS_LOOKS, half of them read */
	walk_load(VIEW_PIDS_LOOKS + 100, 0, 1000000 - VIEW_PIDS_LOOKS, VIEW_PIDS_LOOKS / 2);
}

/* proc/stat with n possible CPUs of ns each: its cpu0 line as want. */
static void stat_of(unsigned n, const char *ns, const char *want_cpu0)
{
	char *text = NULL, *line;
	int res;

	npids = 0; /* no process: an uptime of 0, idle 0 */
	percpu_n = n;
	percpu_ns = ns;
	percpu_reads = stat_reads = 0;
	percpu_biggest = 0;
	res = view_stat_read(&stat_io, &text);
	assert_true(res > 0);
	assert_non_null(text);
	assert_int_equal(strlen(text), (size_t)res);
	line = strstr(text, "\ncpu0 ");
	assert_non_null(line);
	assert_memory_equal(line + 1, want_cpu0, strlen(want_cpu0));
	/* the rest is the host's, btime and the counts the group's */
	assert_non_null(strstr(text, "\ncpu1 "));
	assert_null(strstr(text, "\ncpu2 "));
	assert_non_null(strstr(text, "\nintr 5 0 1\nctxt 7\nbtime 1100\nprocesses 9\n"
	                             "procs_running 2\nprocs_blocked 1\nsoftirq 1 2\n"));
	free(text);
}

static void test_stat_percpu_short(void **state)
{
	(void)state;
	/* 4 CPUs of 1 s: each seen its own 100 ticks and half the others' */
	stat_of(4, "1000000000", "cpu0 200 0 200 0 0 0 0 0 0 0\n");
	assert_int_equal(percpu_reads, 2);
	assert_int_equal(stat_reads, 0);
	/* a small buffer, not one the size of the bound (an mmap each) */
	assert_true(percpu_biggest <= 4096);
}

static void test_stat_percpu_long(void **state)
{
	(void)state;
	/* 1000 CPUs of 1 s (11 bytes each): read whole all the same */
	stat_of(1000, "1000000000", "cpu0 50000 0 50000 0 0 0 0 0 0 0\n");
	assert_int_equal(stat_reads, 0);
	assert_true(percpu_reads > 2);
	assert_true(percpu_biggest > 11000 && percpu_biggest <= 4 * 11000);
}

static void test_stat_percpu_beyond(void **state)
{
	(void)state;
	/* longer than 1 MiB: cpuacct.stat's totals split over the two */
	stat_of(100000, "1000000000", "cpu0 6 0 11 0 0 0 0 0 0 0\n");
	assert_int_equal(stat_reads, 1);
	assert_int_equal(percpu_biggest, 1u << 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_all),
		cmocka_unit_test(test_walk_bound),
		cmocka_unit_test(test_walk_load),
		cmocka_unit_test(test_stat_percpu_short),
		cmocka_unit_test(test_stat_percpu_long),
		cmocka_unit_test(test_stat_percpu_beyond),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
