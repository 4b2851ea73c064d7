// SPDX-License-Identifier: MIT
/* The watcher's records (src/watch_table.c): a tree of directories found
 * by id, by parent and name, by path and by watch descriptor, without
 * inotify or cgroups. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "watch_int.h"

static struct cgroot root = { .n = 2 };

static int setup(void **state)
{
	(void)state;
	w.r = &root;
	table_init();
	w.base = dir_new(NULL, "");
	return w.base ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tables_free();
	return 0;
}

static void path_is(const struct wdir *d, const char *want)
{
	char p[PATH_MAX];

	assert_int_equal(dir_path(d, p, sizeof(p)), 0);
	assert_string_equal(p, want);
}

static void test_paths(void **state)
{
	struct wdir *alice, *web, *api, *bob;
	char small[8];

	(void)state;
	alice = dir_new(w.base, "alice");
	web = dir_new(alice, "web");
	api = dir_new(web, "api");
	bob = dir_new(w.base, "bob");
	assert_non_null(api);
	assert_non_null(bob);
	path_is(w.base, "");
	path_is(alice, "alice");
	path_is(api, "alice/web/api");
	path_is(bob, "bob");
	assert_int_equal(dir_path(api, small, sizeof(small)), -ENAMETOOLONG);
	assert_ptr_equal(dir_at("alice/web/api"), api);
	assert_ptr_equal(dir_at(""), w.base);
	assert_null(dir_at("alice/nope"));
	assert_ptr_equal(dir_child(alice, "web"), web);
	assert_null(dir_child(bob, "web"));
	assert_int_equal(api->depth, 3);
}

/* Many children with the same names under different parents, then the
 * unwatched ones pruned: what is watched stays reachable. */
static void test_many_and_prune(void **state)
{
	struct wdir *p[50], *c;
	char name[16];
	int i, k;

	(void)state;
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		p[i] = dir_new(w.base, name);
		assert_non_null(p[i]);
		for (k = 0; k < 40; k++) {
			snprintf(name, sizeof(name), "g%d", k);
			assert_non_null(dir_new(p[i], name));
		}
	}
	/* Watch g7 of every even user in hierarchy 1, and its parent. */
	for (i = 0; i < 50; i += 2) {
		c = dir_child(p[i], "g7");
		c->wd[1] = 1000 + i;
		assert_int_equal(wd_add(c, 1), 0);
		p[i]->wd[0] = 5000 + i;
		assert_int_equal(wd_add(p[i], 0), 0);
	}
	prune(w.base);
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "u%d/g7", i);
		if (i % 2 == 0) {
			c = dir_at(name);
			assert_non_null(c);
			assert_ptr_equal(wd_dir(*wd_find(1000 + i)), c);
			assert_int_equal(wd_hier(*wd_find(1000 + i)), 1);
			assert_ptr_equal(wd_dir(*wd_find(5000 + i)), p[i]);
			snprintf(name, sizeof(name), "u%d/g8", i);
			assert_null(dir_at(name));
		} else {
			snprintf(name, sizeof(name), "u%d", i);
			assert_null(dir_at(name)); /* gone, with its children */
		}
	}
	assert_null(wd_find(1001));
	/* Ids of freed records are used again. */
	c = dir_new(w.base, "again");
	assert_non_null(c);
	assert_true(c->id < 50 * 41);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_and_prune, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
