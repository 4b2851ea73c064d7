// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgfs/proc.h"

/* The path of hierarchy ctrls in text, or "-" with the error's name. */
static const char *path_of(const char *text, const char *ctrls)
{
	static char out[256];
	int n = proc_cgroup_path(text, ctrls, out, sizeof(out));

	if (n == -ENOENT)
		return "-ENOENT";
	if (n < 0)
		return "-other";
	assert_int_equal((size_t)n, strlen(out));
	return out;
}

/* ---- /proc/PID/cgroup ---- */

static const char v1_text[] =
	"12:pids:/user.slice/user-1000.slice\n"
	"11:cpu,cpuacct:/user.slice\n"
	"10:net_cls,net_prio:/\n"
	"4:memory:/user.slice/user-1000.slice/session-2.scope\n"
	"1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n";

static void test_cgroup_v1(void **state)
{
	assert_string_equal(path_of(v1_text, "pids"), "/user.slice/user-1000.slice");
	assert_string_equal(path_of(v1_text, "cpu,cpuacct"), "/user.slice");
	assert_string_equal(path_of(v1_text, "name=systemd"),
	                    "/user.slice/user-1000.slice/session-2.scope");
	/* a set in another order than the line's */
	assert_string_equal(path_of(v1_text, "cpuacct,cpu"), "/user.slice");
	assert_string_equal(path_of(v1_text, "net_prio,net_cls"), "/");
	/* a part of a set, or more than it, is another hierarchy */
	assert_string_equal(path_of(v1_text, "cpu"), "-ENOENT");
	assert_string_equal(path_of(v1_text, "cpu,cpuacct,pids"), "-ENOENT");
	assert_string_equal(path_of(v1_text, "systemd"), "-ENOENT");
	assert_string_equal(path_of(v1_text, "freezer"), "-ENOENT");
	/* no v2 line, and "" names no hierarchy */
	assert_string_equal(path_of(v1_text, NULL), "-ENOENT");
	assert_string_equal(path_of(v1_text, ""), "-ENOENT");
}

static void test_cgroup_hybrid_v2(void **state)
{
	const char *hybrid = "5:freezer:/x\n1:name=systemd:/user.slice\n0::/user.slice/a.scope\n";

	assert_string_equal(path_of(hybrid, NULL), "/user.slice/a.scope");
	assert_string_equal(path_of(hybrid, "freezer"), "/x");
	assert_string_equal(path_of(hybrid, "name=systemd"), "/user.slice");
	assert_string_equal(path_of("0::/\n", NULL), "/");
	assert_string_equal(path_of("0::/\n", "memory"), "-ENOENT");
	/* v2 is ID 0 with no controllers, not any line with none */
	assert_string_equal(path_of("3::/odd\n", NULL), "-ENOENT");
	assert_string_equal(path_of("0:cpu:/odd\n", NULL), "-ENOENT");
	/* the first line of a hierarchy wins */
	assert_string_equal(path_of("0::/a\n0::/b\n", NULL), "/a");
}

static void test_cgroup_odd_text(void **state)
{
	char out[8], long_text[600];

	assert_string_equal(path_of("", NULL), "-ENOENT");
	assert_string_equal(path_of("\n\n", NULL), "-ENOENT");
	/* no trailing newline; empty lines between */
	assert_string_equal(path_of("4:memory:/m\n\n0::/v", NULL), "/v");
	assert_string_equal(path_of("4:memory:/m\n\n0::/v", "memory"), "/m");
	/* malformed lines are skipped by the lookup */
	assert_string_equal(path_of("garbage\nx:memory:/a\n4:memory:rel\n4:memory:/m\n",
	                            "memory"), "/m");
	/* odd bytes in a path are kept as they are; ':' after the second too */
	assert_string_equal(path_of("0::/a b\t\xff:c\n", NULL), "/a b\t\xff:c");
	assert_string_equal(path_of("0::/x\r\n", NULL), "/x\r");
	/* a path longer than the room is refused, not cut */
	assert_int_equal(proc_cgroup_path("0::/12345678\n", NULL, out, sizeof(out)),
	                 -ENAMETOOLONG);
	assert_int_equal(proc_cgroup_path("0::/123456\n", NULL, out, sizeof(out)), 7);
	assert_string_equal(out, "/123456");
	memset(long_text, 'a', sizeof(long_text));
	memcpy(long_text, "0::/", 4);
	long_text[sizeof(long_text) - 1] = '\0';
	assert_string_equal(path_of(long_text, NULL), "-other");
}

static void test_cgroup_next(void **state)
{
	const char *pos = "\n11:cpu,cpuacct:/a:b\nbad\n0::/\n", *start = pos;
	struct proc_cgroup l;

	assert_int_equal(proc_cgroup_next(&pos, &l), 1);
	assert_int_equal(l.id, 11);
	assert_int_equal(l.ctrls_len, 11);
	assert_memory_equal(l.ctrls, "cpu,cpuacct", 11);
	assert_int_equal(l.path_len, 4);
	assert_memory_equal(l.path, "/a:b", 4);
	assert_true(proc_cgroup_is(&l, "cpuacct,cpu"));
	assert_false(proc_cgroup_is(&l, NULL));
	/* a malformed line is reported, and passed */
	assert_int_equal(proc_cgroup_next(&pos, &l), -EINVAL);
	assert_int_equal(proc_cgroup_next(&pos, &l), 1);
	assert_int_equal(l.id, 0);
	assert_int_equal(l.ctrls_len, 0);
	assert_true(proc_cgroup_is(&l, NULL));
	assert_false(proc_cgroup_is(&l, ""));
	assert_int_equal(proc_cgroup_next(&pos, &l), 0);
	assert_int_equal(proc_cgroup_next(&pos, &l), 0);
	assert_ptr_equal(pos, start + strlen(start));
	/* every part is required: an ID, two colons, an absolute path */
	pos = ":memory:/x";
	assert_int_equal(proc_cgroup_next(&pos, &l), -EINVAL);
	pos = "4:memory:";
	assert_int_equal(proc_cgroup_next(&pos, &l), -EINVAL);
	pos = "4:memory/x";
	assert_int_equal(proc_cgroup_next(&pos, &l), -EINVAL);
	pos = "-4:memory:/x";
	assert_int_equal(proc_cgroup_next(&pos, &l), -EINVAL);
	/* an ID beyond any number is still not v2 */
	pos = "99999999999999999999999::/x";
	assert_int_equal(proc_cgroup_next(&pos, &l), 1);
	assert_false(proc_cgroup_is(&l, NULL));
}

static void test_same_ctrls(void **state)
{
	assert_true(proc_same_ctrls("cpu,cpuacct", "cpuacct,cpu", 11));
	assert_true(proc_same_ctrls("name=systemd", "name=systemd", 12));
	assert_true(proc_same_ctrls("", "", 0));
	assert_false(proc_same_ctrls("cpu", "cpuacct", 7));
	assert_false(proc_same_ctrls("cpu", "cpu,cpuacct", 11));
	assert_false(proc_same_ctrls("cpu,cpuacct", "cpu", 3));
	/* blen bounds b: what follows is not part of it */
	assert_true(proc_same_ctrls("cpu", "cpu,cpuacct", 3));
}

static void test_cgroup_relative(void **state)
{
	assert_string_equal(proc_cgroup_relative("/a/b", "/"), "a/b");
	assert_string_equal(proc_cgroup_relative("/a/b", "/a"), "b");
	assert_string_equal(proc_cgroup_relative("/a/b", "/a/"), "b");
	assert_string_equal(proc_cgroup_relative("/a", "/a"), "");
	assert_string_equal(proc_cgroup_relative("/", "/"), "");
	assert_null(proc_cgroup_relative("/lxc/c10", "/lxc/c1"));
	assert_null(proc_cgroup_relative("/b", "/a"));
	assert_null(proc_cgroup_relative("/../x", "/"));
	assert_null(proc_cgroup_relative("/a/..", "/"));
	assert_null(proc_cgroup_relative("/a", "/.."));
	assert_null(proc_cgroup_relative("a", "/"));
	/* a name that only starts with two dots is a name */
	assert_string_equal(proc_cgroup_relative("/..a/b", "/"), "..a/b");
}

/* ---- /proc/PID/status ---- */

static const char status[] =
	"Name:\tsleep\n"
	"Umask:\t0022\n"
	"UidX:\t7\n"
	"Uid:\t1000\t1001\t1002\t1003\n"
	"Gid:\t100\t100\t100\t100\n"
	"Groups:\t27 1000 \n"
	"NSpid:\t4242\t17\n"
	"Cpus_allowed_list:\t0-1";

static void test_status_field(void **state)
{
	const char *p;

	assert_non_null(p = proc_status_field(status, "Name"));
	assert_memory_equal(p, "sleep\n", 6);
	/* "Uid" is not "UidX", in whichever order they come */
	assert_non_null(p = proc_status_field(status, "Uid"));
	assert_memory_equal(p, "1000\t1001", 9);
	assert_non_null(p = proc_status_field(status, "UidX"));
	assert_memory_equal(p, "7\n", 2);
	assert_null(proc_status_field(status, "Ui"));
	assert_null(proc_status_field("UidX:\t7\n", "Uid"));
	/* a trailing colon in the key is the same key */
	assert_ptr_equal(proc_status_field(status, "Uid:"), proc_status_field(status, "Uid"));
	/* the last line, without a newline */
	assert_string_equal(proc_status_field(status, "Cpus_allowed_list"), "0-1");
	assert_null(proc_status_field(status, "Missing"));
	assert_null(proc_status_field("", "Uid"));
	/* a key only at the start of a line */
	assert_null(proc_status_field("Name:\tUid:\t5\n", "Uid"));
	/* an empty value */
	assert_string_equal(proc_status_field("Groups:\n", "Groups"), "\n");
	assert_string_equal(proc_status_field("Groups:", "Groups"), "");
}

static void test_status_ids(void **state)
{
	unsigned long ids[4];
	const char *p;
	unsigned long v;

	assert_int_equal(proc_status_ids(status, "Uid", ids, 4), 4);
	assert_int_equal(ids[0], 1000);
	assert_int_equal(ids[3], 1003);
	assert_int_equal(proc_status_ids(status, "Groups", ids, 4), 2);
	assert_int_equal(ids[1], 1000);
	assert_int_equal(proc_status_ids(status, "NSpid", ids, 4), 2);
	assert_int_equal(ids[1], 17);
	assert_int_equal(proc_status_ids("Groups:\t\n", "Groups", ids, 4), 0);
	assert_int_equal(proc_status_ids(status, "Missing", ids, 4), -ENOENT);
	/* more than room, or not decimals */
	assert_int_equal(proc_status_ids(status, "Uid", ids, 3), -EINVAL);
	assert_int_equal(proc_status_ids(status, "Name", ids, 4), -EINVAL);
	assert_int_equal(proc_status_ids(status, "Cpus_allowed_list", ids, 4), -EINVAL);
	assert_int_equal(proc_status_ids("X:\t12a\n", "X", ids, 4), -EINVAL);
	assert_int_equal(proc_status_ids("X:\t-1\n", "X", ids, 4), -EINVAL);
	assert_int_equal(proc_status_ids("X:\t+1\n", "X", ids, 4), -EINVAL);
	assert_int_equal(proc_status_ids("X:\t99999999999999999999999\n", "X", ids, 4), -EINVAL);

	/* the iterator stops at the line's end and not before */
	p = "1 \t 2\n3";
	assert_int_equal(proc_field_next(&p, &v), 1);
	assert_int_equal(v, 1);
	assert_int_equal(proc_field_next(&p, &v), 1);
	assert_int_equal(v, 2);
	assert_int_equal(proc_field_next(&p, &v), 0);
	assert_int_equal(proc_field_next(&p, &v), 0);
	assert_int_equal(*p, '\n');
}

/* ---- reading ---- */

static void test_read(void **state)
{
	char buf[4096], small[8];
	uid_t owner = 12345;
	char *all;
	int n, dfd;

	n = proc_read(getpid(), "status", buf, sizeof(buf), &owner);
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	assert_non_null(proc_status_field(buf, "Uid"));
	assert_int_equal(owner, geteuid());
	/* cut at size - 1, NUL-terminated */
	assert_int_equal(proc_read(getpid(), "status", small, sizeof(small), NULL), 7);
	assert_memory_equal(small, "Name:\t", 6);
	assert_int_equal(small[7], '\0');
	assert_int_equal(proc_read(getpid(), "no-such-file", buf, sizeof(buf), NULL), -ENOENT);

	dfd = proc_open(getpid());
	assert_true(dfd >= 0);
	assert_true(proc_read_at(dfd, "cgroup", buf, sizeof(buf)) > 0);
	assert_int_equal(proc_read_at(dfd, "no-such-file", buf, sizeof(buf)), -ENOENT);
	close(dfd);
	assert_int_equal(proc_open(-5), -ENOENT);

	n = proc_read_all(getpid(), "status", 1 << 20, &all);
	assert_true(n > 0);
	assert_non_null(proc_status_field(all, "Groups"));
	free(all);
	assert_int_equal(proc_read_all(getpid(), "status", 16, &all), -EFBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_v1),
		cmocka_unit_test(test_cgroup_hybrid_v2),
		cmocka_unit_test(test_cgroup_odd_text),
		cmocka_unit_test(test_cgroup_next),
		cmocka_unit_test(test_same_ctrls),
		cmocka_unit_test(test_cgroup_relative),
		cmocka_unit_test(test_status_field),
		cmocka_unit_test(test_status_ids),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
