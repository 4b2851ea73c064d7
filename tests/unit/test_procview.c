// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/procview.c: the CPUs a quota gives (v1 and v2
 * files as the kernel prints them), narrowing a cpuset, cpu/online, and
 * cpuinfo on literal x86 and arm texts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cgfs/procview.h"
#include "cgfs/units.h"

static uint64_t bits[UNITS_CPU_WORDS];
static char out[8192];

/* x86: four CPUs, blocks ending in a blank line (flags shortened). */
static const char x86[] =
	"processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon A\ncpu MHz\t\t: 2200.000\n"
	"core id\t\t: 0\nflags\t\t: fpu vme\n\n"
	"processor\t: 1\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon B\ncpu MHz\t\t: 2200.000\n"
	"core id\t\t: 1\nflags\t\t: fpu vme\n\n"
	"processor\t: 2\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon C\ncpu MHz\t\t: 2200.000\n"
	"core id\t\t: 2\nflags\t\t: fpu vme\n\n"
	"processor\t: 10\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon D\ncpu MHz\t\t: 2200.000\n"
	"core id\t\t: 3\nflags\t\t: fpu vme\n\n";

/* 32-bit arm: per-CPU blocks, then a trailer without a processor line. */
static const char arm[] =
	"processor\t: 0\nmodel name\t: ARMv7 r0\nBogoMIPS\t: 38.40\n\n"
	"processor\t: 1\nmodel name\t: ARMv7 r1\nBogoMIPS\t: 38.40\n\n"
	"Hardware\t: BCM2835\nRevision\t: a02082\n";

static char *fixture(const char *name)
{
	static char buf[16384];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int count(const char *text, const char *what)
{
	int n = 0;

	for (; (text = strstr(text, what)); text++)
		n++;
	return n;
}

static void set_list(const char *list)
{
	assert_int_equal(units_parse_cpulist(list, bits), 0);
}

static void quota(int v, const char *q, const char *p, int want_res, uint64_t want)
{
	uint64_t n = 12345;

	assert_int_equal(procview_quota_cpus(v, q, p, &n), want_res);
	if (want_res == 0)
		assert_int_equal(n, want);
	else
		assert_int_equal(n, 12345);
}

static void test_quota_v1(void **state)
{
	(void)state;
	quota(1, "-1\n", "100000\n", 0, PROCVIEW_NO_QUOTA);
	quota(1, "200000\n", "100000\n", 0, 2);
	quota(1, "150000\n", "100000\n", 0, 2); /* rounded up */
	quota(1, "50000\n", "100000\n", 0, 1);
	quota(1, "1000\n", "1000000\n", 0, 1); /* never 0 */
	quota(1, "800000\n", "100000\n", 0, 8);
	quota(1, "100000\n", "0\n", -EIO, 0);
	quota(1, "junk\n", "100000\n", -EIO, 0);
	quota(1, "-2\n", "100000\n", -EIO, 0);
	quota(1, "100000\n", NULL, -EIO, 0);
	quota(3, "100000\n", "100000\n", -EINVAL, 0);
}

static void test_quota_v2(void **state)
{
	(void)state;
	quota(2, "max 100000\n", NULL, 0, PROCVIEW_NO_QUOTA);
	quota(2, "200000 100000\n", NULL, 0, 2);
	quota(2, "250000 100000\n", NULL, 0, 3);
	quota(2, "5000 10000\n", NULL, 0, 1);
	quota(2, "max\n", NULL, -EIO, 0);
	quota(2, "maxi 100000\n", NULL, -EIO, 0);
	quota(2, "100000 0\n", NULL, -EIO, 0);
	quota(2, "", NULL, -EIO, 0);
	quota(2, NULL, NULL, -EIO, 0);
	quota(2, "99999999999999999999999 100000\n", NULL, -EIO, 0);
}

static void test_narrow(void **state)
{
	char list[64];

	(void)state;
	set_list("0-3,8,10-11\n");
	assert_int_equal(procview_narrow(bits, PROCVIEW_NO_QUOTA), 7);
	assert_int_equal(procview_narrow(bits, 5), 5);
	assert_int_equal(units_format_cpulist(bits, list, sizeof(list)) > 0, 1);
	assert_string_equal(list, "0-3,8");
	assert_int_equal(procview_narrow(bits, 1), 1);
	units_format_cpulist(bits, list, sizeof(list));
	assert_string_equal(list, "0");
	set_list("65535");
	assert_int_equal(procview_narrow(bits, 2), 1);
	set_list("");
	assert_int_equal(procview_narrow(bits, 2), 0);
}

static void test_online(void **state)
{
	char small[4];

	(void)state;
	assert_int_equal(procview_online_render(1, out, sizeof(out)), 2);
	assert_string_equal(out, "0\n");
	assert_int_equal(procview_online_render(2, out, sizeof(out)), 4);
	assert_string_equal(out, "0-1\n");
	assert_int_equal(procview_online_render(128, out, sizeof(out)), 6);
	assert_string_equal(out, "0-127\n");
	assert_int_equal(procview_online_render(0, out, sizeof(out)), -EINVAL);
	assert_int_equal(procview_online_render(100, small, sizeof(small)), -ENOBUFS);
}

static void test_cpuinfo_all(void **state)
{
	(void)state;
	set_list("0-2,10");
	/* every CPU: the host's text, processor 10 now 3 */
	assert_int_equal(procview_cpuinfo_render(x86, bits, out, sizeof(out)), (int)strlen(x86) - 1);
	assert_non_null(strstr(out, "processor\t: 3\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon D"));
	assert_null(strstr(out, "processor\t: 10"));
	assert_memory_equal(out, x86, strlen(x86) - strlen(strstr(x86, "processor\t: 10")));
}

static void test_cpuinfo_some(void **state)
{
	static const char want[] =
		"processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon B\ncpu MHz\t\t: 2200.000\n"
		"core id\t\t: 1\nflags\t\t: fpu vme\n\n"
		"processor\t: 1\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon D\ncpu MHz\t\t: 2200.000\n"
		"core id\t\t: 3\nflags\t\t: fpu vme\n\n";

	(void)state;
	set_list("1,10");
	assert_int_equal(procview_cpuinfo_render(x86, bits, out, sizeof(out)), (int)strlen(want));
	assert_string_equal(out, want);
	/* a CPU cpuinfo does not list (offline): nothing of it */
	set_list("5");
	assert_int_equal(procview_cpuinfo_render(x86, bits, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_cpuinfo_arm(void **state)
{
	static const char want[] = "processor\t: 0\nmodel name\t: ARMv7 r1\nBogoMIPS\t: 38.40\n\n"
				   "Hardware\t: BCM2835\nRevision\t: a02082\n";

	(void)state;
	set_list("1");
	assert_int_equal(procview_cpuinfo_render(arm, bits, out, sizeof(out)), (int)strlen(want));
	assert_string_equal(out, want);
}

static void test_cpuinfo_odd(void **state)
{
	char small[16];

	(void)state;
	set_list("0");
	/* no processor lines at all (s390 prints "processor 0: ..."): as is */
	assert_int_equal(procview_cpuinfo_render("processor 0: version = FF\n", bits, out,
	                                         sizeof(out)),
	                 26);
	/* no trailing newline */
	assert_int_equal(procview_cpuinfo_render("processor : 0", bits, out, sizeof(out)), 13);
	assert_string_equal(out, "processor : 0");
	assert_int_equal(procview_cpuinfo_render("processor\t: x\n\n", bits, out, sizeof(out)), -EIO);
	assert_int_equal(procview_cpuinfo_render("processor\t: 99999999\n", bits, out, sizeof(out)),
	                 -EIO);
	assert_int_equal(procview_cpuinfo_render(x86, bits, small, sizeof(small)), -ENOBUFS);
	assert_int_equal(procview_cpuinfo_render(x86, bits, out, 0), -ENOBUFS);
	assert_int_equal(procview_cpuinfo_render("", bits, out, sizeof(out)), 0);
	/* no blank line between CPUs: each processor line begins a block */
	set_list("1");
	assert_int_equal(procview_cpuinfo_render("processor : 0\na : x\nprocessor : 1\na : y\n", bits,
	                                         out, sizeof(out)),
	                 20);
	assert_string_equal(out, "processor : 0\na : y\n");
	/* a CPU listed twice: its first block only */
	set_list("0-1");
	assert_int_equal(procview_cpuinfo_render("processor : 1\na : x\nprocessor : 1\na : y\n", bits,
	                                         out, sizeof(out)),
	                 20);
	assert_string_equal(out, "processor : 0\na : x\n");
	/* blank lines alone */
	assert_int_equal(procview_cpuinfo_render("\n\n", bits, out, sizeof(out)), 2);
}

/* This kernel's x86 text (four CPUs of one model, tests/unit/fixtures):
 * 250 % on CPUs 1-3 is CPUs 1, 2 and 3, shown as 0, 1 and 2. */
static void test_cpuinfo_fixture(void **state)
{
	const char *host = fixture("x86.cpuinfo");
	uint64_t n;
	int len;

	(void)state;
	assert_int_equal(procview_quota_cpus(2, "250000 100000\n", NULL, &n), 0);
	set_list("1-3");
	assert_int_equal(procview_narrow(bits, n), 3);
	len = procview_cpuinfo_render(host, bits, out, sizeof(out));
	assert_true(len > 0 && (size_t)len == strlen(host) / 4 * 3);
	assert_int_equal(count(out, "\nprocessor\t: "), 2);
	assert_memory_equal(out, "processor\t: 0\n", 14);
	assert_non_null(strstr(out, "\nprocessor\t: 2\n"));
	assert_null(strstr(out, "\nprocessor\t: 3\n"));
	/* the blocks kept: CPU 1's core id, 2's, 3's */
	assert_non_null(strstr(out, "core id\t\t: 1\n"));
	assert_null(strstr(out, "core id\t\t: 0\n"));
	assert_int_equal(count(out, "\n\n"), 3);
	/* v1 files: 50 % on the same set is CPU 1 alone */
	assert_int_equal(procview_quota_cpus(1, "50000\n", "100000\n", &n), 0);
	set_list("1-3");
	assert_int_equal(procview_narrow(bits, n), 1);
	len = procview_cpuinfo_render(host, bits, out, sizeof(out));
	assert_true(len > 0 && (size_t)len == strlen(host) / 4);
	assert_non_null(strstr(out, "core id\t\t: 1\n"));
}

static void test_cpuinfo_arm_fixture(void **state)
{
	const char *host = fixture("arm.cpuinfo");

	(void)state;
	set_list("1");
	assert_true(procview_cpuinfo_render(host, bits, out, sizeof(out)) > 0);
	assert_memory_equal(out, "processor\t: 0\n", 14);
	assert_int_equal(count(out, "processor\t:"), 1);
	assert_non_null(strstr(out, "\n\nHardware\t: BCM2835\n"));
}

/* /proc/PID/stat as this kernel prints it (a command with blanks and
 * parentheses): starttime is field 22. */
static void test_stat_start(void **state)
{
	static const char stat[] =
		"4242 (a (b) c) S 1 4242 4242 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 "
		"3664532 2334720 225 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
	uint64_t t = 7;

	(void)state;
	assert_int_equal(procview_stat_start(stat, &t), 0);
	assert_int_equal(t, 3664532);
	assert_int_equal(procview_stat_start("1 (init) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 "
	                                     "12\n",
	                                     &t),
	                 0);
	assert_int_equal(t, 12);
	t = 7;
	assert_int_equal(procview_stat_start("1 (init) S 0 1\n", &t), -EIO);
	assert_int_equal(procview_stat_start("no parenthesis", &t), -EIO);
	assert_int_equal(procview_stat_start("1 (x) S 0 1 1 0 -1 4 1 2 3 4 5 6 7 8 20 0 1 0 -5 9\n",
	                                     &t),
	                 -EIO);
	assert_int_equal(procview_stat_start("1 (x) S 0 1 1 0 -1 4 1 2 3 4 5 6 7 8 20 0 1 0 5x 9\n",
	                                     &t),
	                 -EIO);
	assert_int_equal(t, 7);
}

static void test_usage(void **state)
{
	uint64_t us = 7;

	(void)state;
	assert_int_equal(procview_usage_us(1, "123456789\n", &us), 0);
	assert_int_equal(us, 123456);
	assert_int_equal(procview_usage_us(2,
	                                   "usage_usec 2500000\nuser_usec 2000000\n"
	                                   "system_usec 500000\nnr_periods 0\n",
	                                   &us),
	                 0);
	assert_int_equal(us, 2500000);
	us = 7;
	assert_int_equal(procview_usage_us(2, "user_usec 2000000\n", &us), -EIO);
	assert_int_equal(procview_usage_us(2, "usage_usec x\n", &us), -EIO);
	assert_int_equal(procview_usage_us(1, "-1\n", &us), -EIO);
	assert_int_equal(procview_usage_us(3, "1\n", &us), -EINVAL);
	assert_int_equal(us, 7);
}

static void uptime(const char *host, uint64_t start, unsigned n, uint64_t usage, int want_res,
                   const char *want)
{
	struct procview_uptime u = { host, start, 100, n, usage };

	assert_int_equal(procview_uptime_render(&u, out, sizeof(out)), want_res);
	if (want_res > 0)
		assert_string_equal(out, want);
}

static void test_uptime(void **state)
{
	struct procview_uptime u = { "1.00 1.00\n", 0, 0, 1, 0 };
	char small[8];

	(void)state;
	/* host up 36645.32 s; the oldest process started at 30000.00 s */
	uptime("36645.32 15237.53\n", 3000000, 2, PROCVIEW_NONE, 17, "6645.32 13290.64\n");
	/* 1000 s of CPU time out of 2 x 6645.32 */
	uptime("36645.32 15237.53\n", 3000000, 2, 1000000000, 17, "6645.32 12290.64\n");
	/* busier than the time: idle 0 */
	uptime("36645.32 15237.53\n", 3000000, 1, UINT64_C(9000000000), 13, "6645.32 0.00\n");
	/* no process */
	uptime("36645.32 15237.53\n", PROCVIEW_NONE, 2, 5, 10, "0.00 0.00\n");
	/* started after the host's reading (a race): 0 */
	uptime("10.00 5.00\n", 2000, 1, PROCVIEW_NONE, 10, "0.00 0.00\n");
	/* ticks that are not hundredths: 250 a second */
	u.host = "100.00 1.00\n";
	u.start = 2500; /* 10 s */
	u.hz = 250;
	assert_int_equal(procview_uptime_render(&u, out, sizeof(out)), 12);
	assert_string_equal(out, "90.00 90.00\n");
	uptime("100 1.00\n", 0, 1, 0, -EIO, NULL);
	uptime("100.0 1.00\n", 0, 1, 0, -EIO, NULL);
	uptime("100.00\n", 0, 1, 0, -EIO, NULL);
	uptime("100.00 1.00 x\n", 0, 1, 0, -EIO, NULL);
	uptime("", 0, 1, 0, -EIO, NULL);
	uptime("1.00 1.00\n", 0, 0, 0, -EINVAL, NULL);
	u.hz = 0;
	assert_int_equal(procview_uptime_render(&u, out, sizeof(out)), -EINVAL);
	u.hz = 100;
	u.host = "99999.00 1.00\n";
	u.start = PROCVIEW_NONE;
	assert_int_equal(procview_uptime_render(&u, small, sizeof(small)), -ENOBUFS);
}

/* ---- swaps ---- */

static void test_swap_of(void **state)
{
	uint64_t total = 7, unused = 7;

	(void)state;
	/* as meminfo renders it, and as the host's file is */
	assert_int_equal(procview_swap_of("MemTotal:        524288 kB\nSwapCached:            0 kB\n"
	                                  "SwapTotal:       262144 kB\nSwapFree:        200000 kB\n",
	                                  &total, &unused),
	                 0);
	assert_int_equal(total, 262144);
	assert_int_equal(unused, 200000);
	assert_int_equal(procview_swap_of(fixture("host-noswap.meminfo"), &total, &unused), 0);
	assert_int_equal(total, 0);
	assert_int_equal(unused, 0);
	assert_int_equal(procview_swap_of(fixture("host-swap.meminfo"), &total, &unused), 0);
	assert_true(total > 0 && unused <= total);
	total = unused = 7;
	assert_int_equal(procview_swap_of("SwapTotal: 1 kB\n", &total, &unused), -EIO);
	assert_int_equal(procview_swap_of("SwapTotal: x kB\nSwapFree: 1 kB\n", &total, &unused),
	                 -EIO);
	assert_int_equal(procview_swap_of("SwapTotal: 1 MB\nSwapFree: 1 kB\n", &total, &unused),
	                 -EIO);
	assert_int_equal(procview_swap_of("SwapTotal: 1 kB\nSwapFree: 99999999999999999999 kB\n",
	                                  &total, &unused),
	                 -EIO);
	assert_int_equal(procview_swap_of("", &total, &unused), -EIO);
	assert_int_equal(procview_swap_of(NULL, &total, &unused), -EIO);
	assert_int_equal(total, 7);
	assert_int_equal(unused, 7);
}

#define HEADER "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
/* "none" padded with blanks to column 40, as the kernel pads a path */
#define NONE "none                                    "

static void test_swaps(void **state)
{
	char small[sizeof(HEADER)];

	(void)state;
	assert_int_equal(strlen(NONE), 40);
	assert_int_equal(procview_swaps_render(0, 0, out, sizeof(out)), (int)strlen(HEADER));
	assert_string_equal(out, HEADER);
	assert_int_equal(procview_swaps_render(1048576, 524288, out, sizeof(out)) > 0, 1);
	assert_string_equal(out, HEADER NONE "virtual\t\t1048576\t\t524288\t\t0\n");
	/* the kernel's second tab only below 10000000 */
	assert_int_equal(procview_swaps_render(16777216, 16777216, out, sizeof(out)) > 0, 1);
	assert_string_equal(out, HEADER NONE "virtual\t\t16777216\t0\t\t0\n");
	assert_int_equal(procview_swaps_render(20000000, 0, out, sizeof(out)) > 0, 1);
	assert_string_equal(out, HEADER NONE "virtual\t\t20000000\t20000000\t0\n");
	assert_int_equal(procview_swaps_render(9999999, 0, out, sizeof(out)) > 0, 1);
	assert_string_equal(out, HEADER NONE "virtual\t\t9999999\t\t9999999\t\t0\n");
	/* more free than total (a race between two counters): none used */
	assert_int_equal(procview_swaps_render(100, 200, out, sizeof(out)) > 0, 1);
	assert_string_equal(out, HEADER NONE "virtual\t\t100\t\t0\t\t0\n");
	assert_int_equal(procview_swaps_render(0, 0, small, sizeof(small) - 1), -ENOBUFS);
	assert_int_equal(procview_swaps_render(0, 0, small, sizeof(small)), (int)sizeof(small) - 1);
	assert_int_equal(procview_swaps_render(1, 0, small, sizeof(small)), -ENOBUFS);
}

/* ---- stat ---- */

static void test_task_state(void **state)
{
	static const char stat[] =
		"4242 (a) R 1 2 (b) D 1 4242 4242 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 7 0 "
		"3664532 2334720 225\n";
	uint64_t n = 9;
	char st = 'x';

	(void)state;
	/* the command "a) R 1 2 (b": the state is the one after the last ')' */
	assert_int_equal(procview_task_state(stat, &st, &n), 0);
	assert_int_equal(st, 'D');
	assert_int_equal(n, 7);
	assert_int_equal(procview_task_state("1 (init) S 0 1 1 0 -1 4 1 2 3 4 5 6 7 8 20 0 1 0 12\n",
	                                     &st, &n),
	                 0);
	assert_int_equal(st, 'S');
	assert_int_equal(n, 1);
	st = 'x';
	n = 9;
	assert_int_equal(procview_task_state("1 (init) S 0 1\n", &st, &n), -EIO);
	assert_int_equal(procview_task_state("1 (init)  S 0\n", &st, &n), -EIO);
	assert_int_equal(procview_task_state("1 (init)", &st, &n), -EIO);
	assert_int_equal(procview_task_state("no parenthesis", &st, &n), -EIO);
	assert_int_equal(procview_task_state("1 (x) R 0 1 1 0 -1 4 1 2 3 4 5 6 7 8 20 0 -1 0 1\n", &st,
	                                     &n),
	                 -EIO);
	assert_int_equal(st, 'x');
	assert_int_equal(n, 9);
}

static void test_cpu_ticks(void **state)
{
	uint64_t u = 7, s = 7;

	(void)state;
	/* v1 cpuacct.stat: USER_HZ ticks already */
	assert_int_equal(procview_cpu_ticks(1, "user 4534964\nsystem 3115955\n", 100, &u, &s), 0);
	assert_int_equal(u, 4534964);
	assert_int_equal(s, 3115955);
	/* v2 cpu.stat: microseconds */
	assert_int_equal(procview_cpu_ticks(2,
	                                    "usage_usec 73421464000\nuser_usec 43519364000\n"
	                                    "system_usec 29902100009\nnice_usec 43152000\n"
	                                    "core_sched.force_idle_usec 0\n",
	                                    100, &u, &s),
	                 0);
	assert_int_equal(u, 4351936);
	assert_int_equal(s, 2990210);
	assert_int_equal(procview_cpu_ticks(2, "user_usec 1000000\nsystem_usec 2500000\n", 250, &u,
	                                    &s),
	                 0);
	assert_int_equal(u, 250);
	assert_int_equal(s, 625);
	u = s = 7;
	assert_int_equal(procview_cpu_ticks(1, "user 1\n", 100, &u, &s), -EIO);
	assert_int_equal(procview_cpu_ticks(1, "user x\nsystem 1\n", 100, &u, &s), -EIO);
	assert_int_equal(procview_cpu_ticks(2, "usage_usec 1\n", 100, &u, &s), -EIO);
	/* user_usec is not user */
	assert_int_equal(procview_cpu_ticks(1, "user_usec 1\nsystem_usec 1\n", 100, &u, &s), -EIO);
	assert_int_equal(procview_cpu_ticks(2, NULL, 100, &u, &s), -EIO);
	assert_int_equal(procview_cpu_ticks(3, "", 100, &u, &s), -EINVAL);
	assert_int_equal(procview_cpu_ticks(2, "", 0, &u, &s), -EINVAL);
	assert_int_equal(u, 7);
	assert_int_equal(s, 7);
}

static void test_split(void **state)
{
	uint64_t r[3];

	(void)state;
	procview_split(10, 3, r);
	assert_int_equal(r[0], 4);
	assert_int_equal(r[1], 3);
	assert_int_equal(r[2], 3);
	procview_split(2, 3, r);
	assert_int_equal(r[0] + r[1] + r[2], 2);
	assert_int_equal(r[2], 0);
}

static void test_percpu(void **state)
{
	/* as this kernel prints cpuacct.usage_percpu_user: a blank at the end */
	static const char four[] = "2132934800000000 2218981600000000 100000000 1000000000 \n";
	uint64_t r[4];

	(void)state;
	set_list("0-3");
	assert_int_equal(procview_percpu_ticks(four, bits, 4, 100, r), 0);
	assert_int_equal(r[0], 213293480);
	assert_int_equal(r[1], 221898160);
	assert_int_equal(r[2], 10);
	assert_int_equal(r[3], 100);
	/* CPUs 1 and 3 seen: 0's and 2's time split over them */
	set_list("1,3");
	assert_int_equal(procview_percpu_ticks("300000000 1000000000 100000000 0\n", bits, 2, 100, r),
	                 0);
	assert_int_equal(r[0], 100 + 20);
	assert_int_equal(r[1], 0 + 20);
	/* a CPU seen beyond the file's (not possible there): 0 */
	set_list("0,5");
	assert_int_equal(procview_percpu_ticks("1000000000 2000000000\n", bits, 2, 100, r), 0);
	assert_int_equal(r[0], 200);
	assert_int_equal(r[1], 100);
	assert_int_equal(procview_percpu_ticks("", bits, 2, 100, r), 0);
	assert_int_equal(r[0] + r[1], 0);
	assert_int_equal(procview_percpu_ticks("1 x 2\n", bits, 2, 100, r), -EIO);
	assert_int_equal(procview_percpu_ticks("1 -2\n", bits, 2, 100, r), -EIO);
	assert_int_equal(procview_percpu_ticks("1 2\n3\n", bits, 2, 100, r), -EIO);
	assert_int_equal(procview_percpu_ticks(NULL, bits, 2, 100, r), -EIO);
	assert_int_equal(procview_percpu_ticks("1\n", bits, 0, 100, r), -EINVAL);
	assert_int_equal(procview_percpu_ticks("1\n", bits, 2, 0, r), -EINVAL);
}

/* This kernel's /proc/stat, shortened (its intr line has 500 numbers). */
static const char host_stat[] =
	"cpu  4347307 4315 2959658 2392669 15507 0 30292 0 0 0\n"
	"cpu0 2130848 1939 1479519 1245369 2679 0 14115 0 0 0\n"
	"cpu1 2216458 2376 1480138 1147300 12828 0 16177 0 0 0\n"
	"intr 78697796 0 0 0 1 1 2 0\n"
	"ctxt 321021173\n"
	"btime 1796599340\n"
	"processes 2161184\n"
	"procs_running 9\n"
	"procs_blocked 0\n"
	"softirq 89079949 0 5575399 4 191793 2687840 0 38 8799280 7 71825588\n";
#define HOST_REST                                                                      \
	"intr 78697796 0 0 0 1 1 2 0\nctxt 321021173\nbtime 1796649680\nprocesses 2161184\n" \
	"procs_running 2\nprocs_blocked 1\n"                                              \
	"softirq 89079949 0 5575399 4 191793 2687840 0 38 8799280 7 71825588\n"

static void test_stat(void **state)
{
	/* host up 51000.50 s; the group's oldest process started at
	 * 50340.00 s: up 660.50 s, 66050 ticks */
	uint64_t user[2] = { 1000, 70000 }, system[2] = { 50, 0 };
	struct procview_stat st = { host_stat, "51000.50 90000.00\n", 5034000, 100, 2,
		                    user, system, 2, 1 };

	(void)state;
	assert_int_equal(procview_stat_render(&st, out, sizeof(out)) > 0, 1);
	/* cpu1 busier than the uptime: idle 0 */
	assert_string_equal(out, "cpu  71000 0 50 65000 0 0 0 0 0 0\n"
	                         "cpu0 1000 0 50 65000 0 0 0 0 0 0\n"
	                         "cpu1 70000 0 0 0 0 0 0 0 0 0\n" HOST_REST);
	/* btime + the group's uptime is the host's btime + its uptime */
	assert_int_equal(1796649680 + 660, 1796599340 + 51000);
	/* one CPU, no process: uptime 0, btime now */
	st.ncpus = 1;
	st.start = PROCVIEW_NONE;
	st.running = 0;
	st.blocked = 0;
	assert_int_equal(procview_stat_render(&st, out, sizeof(out)) > 0, 1);
	assert_memory_equal(out, "cpu  1000 0 50 0 0 0 0 0 0 0\ncpu0 1000 0 50 0 0 0 0 0 0 0\nintr", 62);
	assert_non_null(strstr(out, "\nbtime 1796650340\n"));
	assert_non_null(strstr(out, "\nprocs_running 0\nprocs_blocked 0\n"));
}

static void test_stat_bad(void **state)
{
	uint64_t user[1] = { 0 }, system[1] = { 0 };
	struct procview_stat st = { host_stat, "100.00 50.00\n", 0, 100, 1, user, system, 0, 0 };
	char small[64];
	size_t len;

	(void)state;
	assert_int_equal(procview_stat_render(&st, small, sizeof(small)), -ENOBUFS);
	assert_int_equal(procview_stat_render(&st, out, 0), -ENOBUFS);
	st.host = "cpu  1 2 3\nbtime 5\nprocs_running 1\n";
	assert_int_equal(procview_stat_render(&st, out, sizeof(out)), -EIO);
	st.host = "btime x\nprocs_running 1\nprocs_blocked 0\n";
	assert_int_equal(procview_stat_render(&st, out, sizeof(out)), -EIO);
	st.host = "btime 5 6\nprocs_running 1\nprocs_blocked 0\n";
	assert_int_equal(procview_stat_render(&st, out, sizeof(out)), -EIO);
	/* the fewest lines it takes, no newline at the end, a line it does
	 * not know: as they are */
	st.host = "cpuX 1\nbtime 5\nprocs_running 1\nprocs_blocked 0";
	len = (size_t)procview_stat_render(&st, out, sizeof(out));
	assert_string_equal(out, "cpu  0 0 0 10000 0 0 0 0 0 0\ncpu0 0 0 0 10000 0 0 0 0 0 0\n"
	                         "cpuX 1\nbtime 5\nprocs_running 0\nprocs_blocked 0\n");
	assert_int_equal(len, strlen(out));
	st.host = host_stat;
	st.uptime = "100.00\n";
	assert_int_equal(procview_stat_render(&st, out, sizeof(out)), -EIO);
	st.uptime = "100.00 50.00\n";
	st.hz = 0;
	assert_int_equal(procview_stat_render(&st, out, sizeof(out)), -EINVAL);
	st.hz = 100;
	st.ncpus = 0;
	assert_int_equal(procview_stat_render(&st, out, sizeof(out)), -EINVAL);
}

/* out begins with s. */
static void prefix(const char *s)
{
	assert_memory_equal(out, s, strlen(s));
}

/* This kernel's whole /proc/stat (tests/unit/fixtures, intr shortened),
 * with v1's per-CPU files and v2's cpu.stat as they are printed here. */
static void test_stat_fixture(void **state)
{
	static char host[4096];
	uint64_t user[2], system[2];
	struct procview_stat st = { host, "51000.50 90000.00\n", PROCVIEW_NONE, 100, 2,
		                    user, system, 0, 0 };

	(void)state;
	snprintf(host, sizeof(host), "%s", fixture("host.stat"));
	/* v1, the group on CPU 1 only */
	set_list("1");
	st.ncpus = 1;
	assert_int_equal(procview_percpu_ticks("2132934800000000 2218981600000000 \n", bits, 1, 100,
	                                       user),
	                 0);
	assert_int_equal(procview_percpu_ticks("1493779600000000 1496410000000000 \n", bits, 1, 100,
	                                       system),
	                 0);
	assert_true(procview_stat_render(&st, out, sizeof(out)) > 0);
	prefix("cpu  435191640 0 299018960 0 0 0 0 0 0 0\ncpu0 ");
	assert_int_equal(count(out, "\ncpu"), 1);
	assert_non_null(strstr(out, "\nbtime 1796650340\n"));
	assert_non_null(strstr(out, "\nctxt "));
	assert_non_null(strstr(out, "\nsoftirq "));
	/* v2: split evenly over both CPUs */
	st.ncpus = 2;
	assert_int_equal(procview_cpu_ticks(2, "usage_usec 3000000\nuser_usec 2000010\n"
	                                       "system_usec 1000000\n",
	                                    100, &user[0], &system[0]),
	                 0);
	procview_split(user[0], 2, user);
	procview_split(system[0], 2, system);
	st.start = 5000000; /* up 1000.50 s */
	assert_true(procview_stat_render(&st, out, sizeof(out)) > 0);
	prefix("cpu  200 0 100 199800 0 0 0 0 0 0\n"
	       "cpu0 100 0 50 99900 0 0 0 0 0 0\n"
	       "cpu1 100 0 50 99900 0 0 0 0 0 0\nintr ");
	assert_non_null(strstr(out, "\nbtime 1796649340\n"));
}

/* ---- loadavg ---- */

/* loadavg counts threads by procview_task_state too: the command may
 * hold ") D " itself, and the last ')' ends it. */
static void test_stat_state(void **state)
{
	uint64_t n;
	char st;

	(void)state;
	assert_int_equal(procview_task_state("7 (a) S 1 (b) D 0 1 1 0 -1 4 1 2 3 4 5 6 7 8 20 0 1 0 1\n",
	                                     &st, &n), 0);
	assert_int_equal(st, 'D');
	assert_int_equal(n, 1);
	assert_int_equal(procview_task_state("9 (x) RS 1 1 1 0 -1 4 1 2 3 4 5 6 7 8 20 0 1 0 1\n", &st,
	                                     &n), -EIO);
	assert_int_equal(procview_task_state("9 x R 1", &st, &n), -EIO);
	assert_int_equal(procview_task_state("", &st, &n), -EIO);
}

static void test_loadavg_render(void **state)
{
	struct procview_loadavg l = { { 0, 0, 0 }, 0, 0, 0 };
	char small[20];

	(void)state;
	assert_int_equal(procview_loadavg_render(&l, out, sizeof(out)), 21);
	assert_string_equal(out, "0.00 0.00 0.00 0/0 0\n");
	/* the kernel's rounding: FIXED_1 / 200 added, the rest cut */
	l = (struct procview_loadavg){ { 164, 3072, 1023 }, 2, 3, 4194304 };
	procview_loadavg_render(&l, out, sizeof(out));
	assert_string_equal(out, "0.08 1.50 0.50 2/3 4194304\n");
	/* 0.995 and above print as the next hundredth: 2038/2048 does, 2037 not */
	l = (struct procview_loadavg){ { 2038, 2037, 1000UL * 2048 + 2047 }, 0, 1, 1 };
	procview_loadavg_render(&l, out, sizeof(out));
	assert_string_equal(out, "1.00 0.99 1001.00 0/1 1\n");
	assert_int_equal(procview_loadavg_render(&l, small, sizeof(small)), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quota_v1),    cmocka_unit_test(test_quota_v2),
		cmocka_unit_test(test_narrow),      cmocka_unit_test(test_online),
		cmocka_unit_test(test_cpuinfo_all), cmocka_unit_test(test_cpuinfo_some),
		cmocka_unit_test(test_cpuinfo_arm), cmocka_unit_test(test_cpuinfo_odd),
		cmocka_unit_test(test_cpuinfo_fixture), cmocka_unit_test(test_cpuinfo_arm_fixture),
		cmocka_unit_test(test_stat_start),  cmocka_unit_test(test_usage),
		cmocka_unit_test(test_uptime),      cmocka_unit_test(test_swap_of),
		cmocka_unit_test(test_swaps),       cmocka_unit_test(test_task_state),
		cmocka_unit_test(test_cpu_ticks),   cmocka_unit_test(test_split),
		cmocka_unit_test(test_percpu),      cmocka_unit_test(test_stat),
		cmocka_unit_test(test_stat_bad),    cmocka_unit_test(test_stat_fixture),
		cmocka_unit_test(test_stat_state), cmocka_unit_test(test_loadavg_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
