// SPDX-License-Identifier: MIT
/* The pure parts of the group layer (the rest works on real cgroups and
 * is tested through a mount). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cgfs/group.h"

static void base_is(const char *base, const char *own, const char *fallback, const char *want)
{
	char *got = NULL;

	assert_int_equal(group_base_path(base, own, fallback, &got), 0);
	assert_string_equal(got, want);
	free(got);
}

static void base_fails(const char *base, const char *own, const char *fallback, int err)
{
	char *got = NULL;

	assert_int_equal(group_base_path(base, own, fallback, &got), err);
	assert_null(got);
}

/* base= as given: slashes at either end go, the rest stays. */
static void test_base_given(void **state)
{
	(void)state;
	base_is("/cgfs", NULL, NULL, "cgfs");
	base_is("cgfs", NULL, NULL, "cgfs");
	base_is("///a/b//", NULL, NULL, "a/b");
	base_is("/a/.self", NULL, NULL, "a/.self"); /* given: taken as it is */
	base_is("/a\nb", NULL, NULL, "a");
	/* own and fallback play no part when base is given. */
	base_is("/x", "/own", "/fb", "x");
}

static void test_base_refused(void **state)
{
	(void)state;
	base_fails("/", NULL, NULL, -EINVAL);
	base_fails("", NULL, NULL, -EINVAL);
	base_fails("////", NULL, NULL, -EINVAL);
	base_fails("/a/../b", NULL, NULL, -EINVAL);
	base_fails("/..", NULL, NULL, -EINVAL);
	base_fails("/a..b", NULL, NULL, -EINVAL); /* refused whole, to be safe */
}

/* No base=: our own cgroup, or the fallback when that is the top. */
static void test_base_own(void **state)
{
	(void)state;
	base_is(NULL, "/system.slice/cgfs.service", NULL, "system.slice/cgfs.service");
	base_is(NULL, "/system.slice/cgfs.service/.self", NULL, "system.slice/cgfs.service");
	base_is(NULL, "", "/delegated", "delegated");
	base_fails(NULL, "", NULL, -EINVAL);
	base_fails(NULL, NULL, "/fb", -ENOENT);
	base_fails(NULL, ".self", NULL, -EINVAL);
	base_fails(NULL, "/.self", NULL, -EINVAL);
	/* systemd's DelegateSubgroup=cgfs:start, as a leaf only. */
	base_is(NULL, "/system.slice/cgfs.service/cgfs:start", NULL, "system.slice/cgfs.service");
	base_is(NULL, "/a/xcgfs:start", NULL, "a/xcgfs:start");
	base_is(NULL, "/a/cgfs:start/b", NULL, "a/cgfs:start/b");
	base_is(NULL, "/a/b.self", NULL, "a/b.self");
	base_fails(NULL, "cgfs:start", NULL, -EINVAL);
	base_fails(NULL, "/cgfs:start", NULL, -EINVAL);
	base_is("/a/cgfs:start", NULL, NULL, "a/cgfs:start"); /* given: as it is */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_given),
		cmocka_unit_test(test_base_refused),
		cmocka_unit_test(test_base_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
