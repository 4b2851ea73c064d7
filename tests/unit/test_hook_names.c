// SPDX-License-Identifier: MIT
/* Unit tests for src/hook_names.c: what cgfs-oci-hook takes from a
 * runtime as a group, a knob and a pid, and what it refuses. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hook_names.h"

static void group_ok(const char *g)
{
	const char *why = hook_group_problem(g);

	if (why)
		fail_msg("group \"%s\" refused: %s", g, why);
}

/* Refused, with a reason that has want in it. */
static void group_bad(const char *g, const char *want)
{
	const char *why = hook_group_problem(g);

	if (!why || !strstr(why, want))
		fail_msg("group \"%s\": %s, want a reason with \"%s\"", g, why ? why : "taken", want);
}

static void test_group_good(void **state)
{
	(void)state;
	group_ok("alice/box");
	group_ok("alice/web/db");
	group_ok("alice/.hidden");
	group_ok("alice/..x");
	group_ok("alice/x..");
	group_ok("alice/a b");
	group_ok("cgfs-alice/run-1");
}

static void test_group_bad(void **state)
{
	char longlevel[NAME_MAX + 8], longpath[PATH_MAX + 8];
	size_t i;

	(void)state;
	group_bad("", "empty");
	group_bad("/alice/box", "absolute");
	group_bad("/", "absolute");
	group_bad("alice", "user's tree");
	group_bad("alice/", "empty level");
	group_bad("alice//box", "empty level");
	group_bad("alice/box/", "empty level");
	group_bad("alice/..", ". or ..");
	group_bad("alice/../bob", ". or ..");
	group_bad("../alice/box", ". or ..");
	group_bad("alice/./box", ". or ..");
	group_bad(".", ". or ..");
	group_bad("alice/bo\nx", "control");
	group_bad("alice/bo\tx", "control");
	group_bad("alice/bo\x7fx", "control");
	memcpy(longlevel, "a/", 2);
	memset(longlevel + 2, 'x', NAME_MAX + 1);
	longlevel[NAME_MAX + 3] = '\0';
	group_bad(longlevel, "NAME_MAX");
	for (i = 0; i < PATH_MAX; i++)
		longpath[i] = i % 2 ? '/' : 'a';
	longpath[PATH_MAX] = '\0';
	group_bad(longpath, "too long");
}

static void test_knob_names(void **state)
{
	char longname[NAME_MAX + 2];

	(void)state;
	assert_true(hook_knob_name_ok("memory_limit_mb"));
	assert_true(hook_knob_name_ok("cpus"));
	assert_true(hook_knob_name_ok("io_read_mbps"));
	assert_false(hook_knob_name_ok(""));
	assert_false(hook_knob_name_ok("procs"));
	assert_false(hook_knob_name_ok("../procs"));
	assert_false(hook_knob_name_ok("sub/pids_max"));
	assert_false(hook_knob_name_ok("Memory"));
	assert_false(hook_knob_name_ok("pids-max"));
	assert_false(hook_knob_name_ok("."));
	assert_false(hook_knob_name_ok("pids_max\n"));
	memset(longname, 'a', NAME_MAX + 1);
	longname[NAME_MAX + 1] = '\0';
	assert_false(hook_knob_name_ok(longname));
	longname[NAME_MAX] = '\0';
	assert_true(hook_knob_name_ok(longname));
}

static void test_pids(void **state)
{
	(void)state;
	assert_int_equal(hook_parse_pid("1"), 1);
	assert_int_equal(hook_parse_pid("4242"), 4242);
	assert_int_equal(hook_parse_pid("2147483647"), INT_MAX);
	assert_int_equal(hook_parse_pid("0"), -1);
	assert_int_equal(hook_parse_pid("-5"), -1);
	assert_int_equal(hook_parse_pid("+5"), -1);
	assert_int_equal(hook_parse_pid(" 5"), -1);
	assert_int_equal(hook_parse_pid("5 "), -1);
	assert_int_equal(hook_parse_pid("12x"), -1);
	assert_int_equal(hook_parse_pid(""), -1);
	assert_int_equal(hook_parse_pid("2147483648"), -1);
	assert_int_equal(hook_parse_pid("99999999999999999999999"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_good),
		cmocka_unit_test(test_group_bad),
		cmocka_unit_test(test_knob_names),
		cmocka_unit_test(test_pids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
