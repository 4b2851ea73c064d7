// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgfs/policy.h"

static void test_group_names(void **state)
{
	static const char *const good[] = { "web", "a", "A9", "db_1", "x@y", "a+b", "a-b",
		"0", "1234567890123456789012345678901234567890123456789012345678901234" };
	static const char *const bad[] = { "", ".self", ".hidden", "-x", "_x", "@x",
		"a b", "a/b", "a.b", "..", ".", "caf\xc3\xa9", "a\tb",
		"12345678901234567890123456789012345678901234567890123456789012345" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_int_equal(policy_group_name(good[i]), 0);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(policy_group_name(bad[i]), -EINVAL);
	for (i = 0; i < knob_count; i++)
		assert_int_equal(policy_group_name(knob_table[i].name), -EEXIST);
	assert_int_equal(policy_group_name("raw"), -EEXIST);
}

static void test_user(void **state)
{
	uid_t uid = 99;
	gid_t gid = 99;

	assert_int_equal(policy_user("root", &uid, &gid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(gid, 0);
	uid = 7;
	assert_int_equal(policy_user("no-such-user-cgfs", &uid, &gid), -EINVAL);
	assert_int_equal(uid, 7);
	assert_int_equal(policy_user("../etc", &uid, &gid), -EINVAL);
	assert_int_equal(policy_user("", &uid, &gid), -EINVAL);
}

static void test_owners(void **state)
{
	const struct knob *mem = knob_find("memory_limit_mb");
	const struct knob *procs = knob_find("procs");
	const struct knob *freeze = knob_find("freeze");

	assert_non_null(mem);
	assert_non_null(procs);
	assert_non_null(freeze);
	/* Caps at a tree root are the admin's; everything else the owner's. */
	assert_int_equal(policy_knob_owner(mem, 1, 1000), 0);
	assert_int_equal(policy_knob_owner(mem, 2, 1000), 1000);
	assert_int_equal(policy_knob_owner(procs, 1, 1000), 1000);
	assert_int_equal(policy_knob_owner(freeze, 1, 1000), 1000);
	assert_true(policy_may_write(0, mem, 1, 1000));
	assert_false(policy_may_write(1000, mem, 1, 1000));
	assert_true(policy_may_write(1000, mem, 2, 1000));
	assert_false(policy_may_write(1001, mem, 2, 1000));
	assert_true(policy_may_write(1000, procs, 1, 1000));
}

static void test_status_uid(void **state)
{
	uid_t uid = 5;

	assert_int_equal(policy_parse_status_uid("Name:\tsleep\nUid:\t1000\t0\t0\t0\nGid:\t1\n", &uid), 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(policy_parse_status_uid("Name:\tx\nUid: 0 0 0 0\n", &uid), 0);
	assert_int_equal(uid, 0);
	uid = 5;
	assert_int_equal(policy_parse_status_uid("Name:\tx\n", &uid), -EINVAL);
	assert_int_equal(policy_parse_status_uid("Name:\tx\nUid:\tabc\n", &uid), -EINVAL);
	assert_int_equal(policy_parse_status_uid("Name:\tx\nUid:\t-1\t0\n", &uid), -EINVAL);
	assert_int_equal(uid, 5);
}

static void test_may_move(void **state)
{
	/* Ourselves: root may move us; another uid may not. */
	if (getuid() == 0) {
		assert_int_equal(policy_may_move(0, getpid()), 0);
		assert_int_equal(policy_may_move(12345, getpid()), -EPERM);
	} else {
		assert_int_equal(policy_may_move(getuid(), getpid()), 0);
		assert_int_equal(policy_may_move(getuid() + 1, getpid()), -EPERM);
	}
	assert_int_equal(policy_may_move(0, 4194304 + 1), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_names),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_owners),
		cmocka_unit_test(test_status_uid),
		cmocka_unit_test(test_may_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
