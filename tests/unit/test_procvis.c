// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgfs/procvis.h"

static void test_mountinfo(void **state)
{
	struct procvis_mode m;

	/* Off: no option, or one this host never shows. */
	assert_int_equal(procvis_parse_mountinfo(
		"21 26 0:20 / /proc rw,relatime shared:12 - proc proc rw\n", &m), 0);
	assert_int_equal(m.hidepid, 0);
	assert_false(m.has_gid);
	/* Numbers (older kernels) and names (5.8 on). */
	assert_int_equal(procvis_parse_mountinfo(
		"21 26 0:20 / /proc rw - proc proc rw,hidepid=2\n", &m), 0);
	assert_int_equal(m.hidepid, 2);
	assert_int_equal(procvis_parse_mountinfo(
		"21 26 0:20 / /proc rw - proc proc rw,gid=27,hidepid=noaccess", &m), 0);
	assert_int_equal(m.hidepid, 1);
	assert_true(m.has_gid);
	assert_int_equal(m.gid, 27);
	assert_int_equal(procvis_parse_mountinfo(
		"21 26 0:20 / /proc rw - proc proc rw,hidepid=ptraceable\n", &m), 0);
	assert_int_equal(m.hidepid, 4);
	/* A level unknown here hides. */
	assert_int_equal(procvis_parse_mountinfo(
		"21 26 0:20 / /proc rw - proc proc rw,hidepid=9\n", &m), 0);
	assert_int_equal(m.hidepid, 2);
	/* The last mount at /proc is the one on top; other places and file
	 * systems do not count. */
	assert_int_equal(procvis_parse_mountinfo(
		"21 26 0:20 / /proc rw - proc proc rw\n"
		"30 21 0:50 / /proc/sys/fs/binfmt_misc rw - binfmt_misc x rw\n"
		"40 26 0:51 / /srv/proc rw - proc proc rw,hidepid=2\n"
		"49 21 0:41 / /proc rw,relatime - proc proc rw,gid=5,hidepid=invisible\n"
		"50 26 0:52 / /proc2 rw - tmpfs tmpfs rw,hidepid=1\n", &m), 0);
	assert_int_equal(m.hidepid, 2);
	assert_int_equal(m.gid, 5);
	assert_int_equal(procvis_parse_mountinfo(
		"49 21 0:41 / /proc rw - proc proc rw,hidepid=invisible\n"
		"50 49 0:42 / /proc rw - proc proc rw\n", &m), 0);
	assert_int_equal(m.hidepid, 0);
	/* Optional fields before the separator. */
	assert_int_equal(procvis_parse_mountinfo(
		"21 26 0:20 / /proc rw shared:1 master:2 - proc proc rw,hidepid=1\n", &m), 0);
	assert_int_equal(m.hidepid, 1);
	/* None, or junk. */
	assert_int_equal(procvis_parse_mountinfo("", &m), -ENOENT);
	assert_int_equal(m.hidepid, 0);
	assert_int_equal(procvis_parse_mountinfo("21 26 0:20 / /proc rw proc proc\n"
	                                         "x\n\n - proc", &m), -ENOENT);
}

static const char status[] =
	"Name:\tsleep\n"
	"Tgid:\t42\n"
	"Uid:\t1000\t1001\t1002\t1003\n"
	"Gid:\t100\t100\t100\t100\n"
	"Groups:\t4 27 1000 \n"
	"NSpid:\t42\n";

static void test_status(void **state)
{
	unsigned ids[4];

	assert_int_equal(procvis_parse_ids(status, "Uid:", ids), 0);
	assert_int_equal(ids[0], 1000);
	assert_int_equal(ids[2], 1002);
	assert_int_equal(ids[3], 1003);
	assert_int_equal(procvis_parse_ids(status, "Gid:", ids), 0);
	assert_int_equal(ids[1], 100);
	assert_int_equal(procvis_parse_ids("Uid:\t1\t2\t3\n", "Uid:", ids), -EINVAL);
	assert_int_equal(procvis_parse_ids("Uid:\t1\t2\t3\tx\n", "Uid:", ids), -EINVAL);
	assert_int_equal(procvis_parse_ids("Name:\tx\n", "Uid:", ids), -EINVAL);
	assert_true(procvis_in_groups(status, 27));
	assert_true(procvis_in_groups(status, 1000));
	assert_false(procvis_in_groups(status, 2));
	assert_false(procvis_in_groups(status, 100)); /* Gid:, not Groups: */
	assert_false(procvis_in_groups("Groups:\n", 0));
	assert_false(procvis_in_groups("Name:\tx\n", 0));
}

static void test_may_see(void **state)
{
	const struct procvis_mode off = { 0 }, hide = { .hidepid = 2 },
	                          hide_g = { .hidepid = 2, .has_gid = true, .gid = 27 };
	const unsigned mine[4] = { 1000, 1000, 1000, 1000 }, gids[4] = { 100, 100, 100, 100 };
	const unsigned setuid[4] = { 1000, 0, 0, 0 }, other[4] = { 1001, 1001, 1001, 1001 };
	const unsigned setgid[4] = { 100, 5, 5, 5 };

	assert_true(procvis_may_see(&off, 1001, 100, false, mine, gids, 1000));
	assert_true(procvis_may_see(&hide, 1000, 100, false, mine, gids, 1000));
	assert_false(procvis_may_see(&hide, 1001, 100, false, mine, gids, 1000));
	assert_false(procvis_may_see(&hide, 1000, 100, false, other, gids, 1001));
	/* Running a set-uid or set-gid program, or not dumpable: hidden from
	 * its user too, as the kernel does. */
	assert_false(procvis_may_see(&hide, 1000, 100, false, setuid, gids, 0));
	assert_false(procvis_may_see(&hide, 1000, 100, false, mine, setgid, 1000));
	assert_false(procvis_may_see(&hide, 1000, 100, false, mine, gids, 0));
	assert_false(procvis_may_see(&hide, 1000, 101, false, mine, gids, 1000));
	/* Root and the gid= group see all. */
	assert_true(procvis_may_see(&hide, 0, 0, false, other, gids, 1001));
	assert_true(procvis_may_see(&hide_g, 1000, 100, true, other, gids, 1001));
	assert_false(procvis_may_see(&hide, 1000, 100, true, other, gids, 1001));
}

/* The filter on this host's own /proc: a list keeps its form. */
static void test_filter_root(void **state)
{
	char *buf = strdup("1\n2\n");
	int n;

	assert_non_null(buf);
	n = procvis_filter(getpid(), 0, 0, &buf, 4);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "1\n2\n", 4);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_may_see),
		cmocka_unit_test(test_filter_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
