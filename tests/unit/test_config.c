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

#include "cgfs/config.h"

#define GOOD FIXTURES "/good.conf"

static size_t slot(const char *knob)
{
	const struct knob *k = knob_find(knob);

	assert_non_null(k);
	assert_true(k->cap);
	return (size_t)(k - knob_table);
}

static void assert_value(const struct caps *c, const char *knob, const char *want)
{
	const char *got = c->value[slot(knob)];

	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
}

/* Every row not named in set[] must be unset. */
static void assert_only(const struct caps *c, const char *const *set, size_t n)
{
	size_t i, j;

	for (i = 0; i < KNOB_TABLE_MAX; i++) {
		bool named = false;

		for (j = 0; j < n; j++)
			named |= i == slot(set[j]);
		if (!named)
			assert_null(c->value[i]);
	}
}

static void test_good_file(void **state)
{
	static const char *const defaults[] = { "memory_limit_mb", "cpu_percent", "pids_max" };
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";

	assert_int_equal(config_load(GOOD, &cfg, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_value(&cfg.defaults, "memory_limit_mb", "4096");
	assert_value(&cfg.defaults, "cpu_percent", "200");
	assert_value(&cfg.defaults, "pids_max", "2000");
	assert_only(&cfg.defaults, defaults, 3);
	assert_int_equal(cfg.defaults.max_groups, 200);
	assert_int_equal(cfg.defaults.max_depth, 8);

	assert_int_equal(cfg.n_users, 3);
	assert_string_equal(cfg.users[0].name, "alice");
	assert_string_equal(cfg.users[1].name, "bob");
	assert_string_equal(cfg.users[2].name, "carol");
	/* A [user] section holds only what it sets. */
	assert_value(&cfg.users[0].caps, "memory_limit_mb", "16384");
	assert_value(&cfg.users[0].caps, "cpu_weight", "500");
	assert_value(&cfg.users[0].caps, "cpu_percent", NULL);
	assert_value(&cfg.users[1].caps, "cpus", "0-1");
	config_free(&cfg);
	/* Freeing twice is harmless: config_free leaves an empty config. */
	config_free(&cfg);
	assert_int_equal(cfg.n_users, 0);
}

static void test_caps_for(void **state)
{
	struct config cfg;
	struct caps c;

	assert_int_equal(config_load(GOOD, &cfg, NULL, 0), 0);

	config_caps_for(&cfg, "alice", &c);
	assert_value(&c, "memory_limit_mb", "16384");
	assert_value(&c, "cpu_percent", "200");
	assert_value(&c, "cpu_weight", "500");
	assert_value(&c, "pids_max", "2000");
	assert_value(&c, "cpus", NULL);
	assert_int_equal(c.max_groups, -1); /* "max" lifts the default */
	assert_int_equal(c.max_depth, 8);
	/* No copies: the result points into cfg. */
	assert_ptr_equal(c.value[slot("cpu_percent")], cfg.defaults.value[slot("cpu_percent")]);

	config_caps_for(&cfg, "bob", &c);
	assert_value(&c, "memory_limit_mb", "4096");
	assert_value(&c, "pids_max", "100");
	assert_value(&c, "cpus", "0-1");
	assert_int_equal(c.max_groups, 200);
	assert_int_equal(c.max_depth, 3);

	/* An empty section and an unknown user both get the defaults. */
	config_caps_for(&cfg, "carol", &c);
	assert_memory_equal(&c, &cfg.defaults, sizeof(c));
	config_caps_for(&cfg, "dave", &c);
	assert_memory_equal(&c, &cfg.defaults, sizeof(c));
	config_caps_for(&cfg, NULL, &c);
	assert_memory_equal(&c, &cfg.defaults, sizeof(c));
	config_free(&cfg);
}

static void test_parse_string(void **state)
{
	static const char text[] =
		"\xef\xbb\xbf[defaults]\r\n"
		"memory_limit_mb = 4096   ; comment\r\n"
		"memory_high_mb=2G\r\n"
		"cpu_weight : 300\r\n"
		"io_weight = 50 # another comment\r\n"
		"memory_swap_limit_mb = max\r\n"
		"memory_low_mb = 1G\r\n"
		"memory_min_mb = 256\r\n"
		"memory_zswap_limit_mb = 0\r\n"
		"cpu_period_us = 50000\r\n"
		"cpu_burst_percent = 12.5\r\n"
		"mems = 0\r\n"
		"devices_deny = c 1:7 r, /dev/null rw\r\n"
		"max_depth = 0\r\n"
		"[user a.b-c_d]\r\n"
		"max_groups = 5\r\n"
		"[user _x]\n"
		"[user 9]\n";
	struct config cfg;
	struct caps c;
	char err[CONFIG_ERR_MAX] = "";

	assert_int_equal(config_parse(text, "s.conf", &cfg, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_value(&cfg.defaults, "memory_limit_mb", "4096");
	assert_value(&cfg.defaults, "memory_high_mb", "2G");
	assert_value(&cfg.defaults, "cpu_weight", "300");
	assert_value(&cfg.defaults, "io_weight", "50");
	assert_value(&cfg.defaults, "memory_swap_limit_mb", "max");
	assert_value(&cfg.defaults, "memory_low_mb", "1G");
	assert_value(&cfg.defaults, "memory_min_mb", "256");
	assert_value(&cfg.defaults, "memory_zswap_limit_mb", "0");
	assert_value(&cfg.defaults, "cpu_period_us", "50000");
	assert_value(&cfg.defaults, "cpu_burst_percent", "12.5");
	assert_value(&cfg.defaults, "mems", "0");
	assert_value(&cfg.defaults, "devices_deny", "c 1:7 r, /dev/null rw");
	/* Not set: the built-in default, not "no limit". */
	assert_int_equal(cfg.defaults.max_groups, CONFIG_MAX_GROUPS_DEFAULT);
	assert_int_equal(cfg.defaults.max_depth, 0);
	assert_int_equal(cfg.n_users, 3);
	config_caps_for(&cfg, "a.b-c_d", &c);
	assert_int_equal(c.max_groups, 5);
	assert_int_equal(c.max_depth, 0);
	config_free(&cfg);
}

static void test_empty(void **state)
{
	static const char *const texts[] = { "", "\n\n", "; only\n# comments\n  \n", NULL };
	struct config cfg;
	struct caps c;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		assert_int_equal(config_parse(texts[i], "e.conf", &cfg, NULL, 0), 0);
		assert_only(&cfg.defaults, NULL, 0);
		assert_int_equal(cfg.defaults.max_groups, CONFIG_MAX_GROUPS_DEFAULT);
		assert_int_equal(cfg.defaults.max_depth, CONFIG_MAX_DEPTH_DEFAULT);
		assert_int_equal(cfg.n_users, 0);
		config_caps_for(&cfg, "alice", &c);
		assert_int_equal(c.max_groups, CONFIG_MAX_GROUPS_DEFAULT);
		assert_int_equal(c.max_depth, CONFIG_MAX_DEPTH_DEFAULT);
		/* Open files are limited even when nothing is said. */
		assert_int_equal(c.max_open_files, CONFIG_MAX_OPEN_FILES);
		assert_int_equal(cfg.max_open_total, CONFIG_MAX_OPEN_TOTAL);
		assert_false(cfg.user_open_caps);
		config_free(&cfg);
	}
	assert_int_equal(config_load(FIXTURES "/empty.conf", &cfg, NULL, 0), 0);
	assert_int_equal(cfg.n_users, 0);
	config_free(&cfg);
}

/* text is refused with msg, and the result is left untouched. */
static void expect_refused(const char *text, const char *msg)
{
	struct config cfg, before;
	char err[CONFIG_ERR_MAX] = "";

	memset(&cfg, 0x5a, sizeof(cfg));
	before = cfg;
	assert_int_equal(config_parse(text, "t.conf", &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	/* *ret is untouched on error. */
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void test_errors(void **state)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "[defaults]\nmemroy_limit_mb = 1\n",
		  "t.conf:2: unknown key 'memroy_limit_mb' in [defaults]" },
		{ "[user alice]\n\nMemory_limit_mb = 1\n",
		  "t.conf:3: unknown key 'Memory_limit_mb' in [user alice]" },
		{ "[defaults]\nprocs = 1\n", "t.conf:2: unknown key 'procs' in [defaults]" },
		{ "[defaults]\nio_write_mbps = /dev/sda 1\n",
		  "t.conf:2: unknown key 'io_write_mbps' in [defaults]" },
		{ "[defaults]\nmemory_usage_mb = 1\n",
		  "t.conf:2: unknown key 'memory_usage_mb' in [defaults]" },
		{ "; c\n[global]\n",
		  "t.conf:2: unknown section [global] (expected [defaults], [user NAME] or "
		  "[group USER/GROUP])" },
		{ "[defaults]\n\n\n[bogus]\n",
		  "t.conf:4: unknown section [bogus] (expected [defaults], [user NAME] or "
		  "[group USER/GROUP])" },
		{ "[user]\n", "t.conf:1: unknown section [user] (expected [defaults], [user NAME] or "
		  "[group USER/GROUP])" },
		{ "[users alice]\n",
		  "t.conf:1: unknown section [users alice] (expected [defaults], [user NAME] or "
		  "[group USER/GROUP])" },
		{ "[user -x]\n", "t.conf:1: invalid user name '-x' in section header" },
		{ "[user a b]\n", "t.conf:1: invalid user name 'a b' in section header" },
		{ "[user a/b]\n", "t.conf:1: invalid user name 'a/b' in section header" },
		{ "[user abcdefghijabcdefghijabcdefghijabc]\n",
		  "t.conf:1: invalid user name 'abcdefghijabcdefghijabcdefghijabc' in section header" },
		{ "[defaults\n", "t.conf:1: missing ']' in section header" },
		{ "[defaults] x\n", "t.conf:1: unexpected text after ']'" },
		{ "[user alice]\n[user bob]\n[user alice]\n", "t.conf:3: section [user alice] repeated" },
		{ "[defaults]\n[user bob]\n[defaults]\n", "t.conf:3: section [defaults] repeated" },
		{ "[defaults]\npids_max = 1\n  pids_max = 2\n",
		  "t.conf:3: key 'pids_max' repeated in [defaults]" },
		{ "[user bob]\nmax_groups = 1\nmax_groups = 2\n",
		  "t.conf:3: key 'max_groups' repeated in [user bob]" },
		{ "[defaults]\ncpu_weight = 0\n", "t.conf:2: value '0' for cpu_weight is out of range" },
		{ "[defaults]\ncpu_weight = 10001\n",
		  "t.conf:2: value '10001' for cpu_weight is out of range" },
		{ "[defaults]\ncpu_period_us = 999\n",
		  "t.conf:2: value '999' for cpu_period_us is out of range" },
		{ "[defaults]\ncpu_period_us = max\n",
		  "t.conf:2: value 'max' for cpu_period_us is not valid" },
		{ "[defaults]\ncpu_burst_percent = max\n",
		  "t.conf:2: value 'max' for cpu_burst_percent is not valid" },
		{ "[defaults]\nmemory_low_mb = 1GB\n",
		  "t.conf:2: value '1GB' for memory_low_mb is not valid" },
		{ "[defaults]\nmems = 1-0\n", "t.conf:2: value '1-0' for mems is not valid" },
		{ "[defaults]\nmemory_limit_mb = lots\n",
		  "t.conf:2: value 'lots' for memory_limit_mb is not valid" },
		{ "[defaults]\nmemory_limit_mb = 1 2\n",
		  "t.conf:2: value '1 2' for memory_limit_mb is not valid" },
		{ "[defaults]\nmemory_limit_mb =   ; nothing\n", "t.conf:2: no value for memory_limit_mb" },
		{ "[defaults]\nmax_groups = -1\n",
		  "t.conf:2: value '-1' for max_groups is not valid (a number or max)" },
		{ "[defaults]\nmax_depth = 3x\n",
		  "t.conf:2: value '3x' for max_depth is not valid (a number or max)" },
		{ "[defaults]\nmax_depth = unlimited\n",
		  "t.conf:2: value 'unlimited' for max_depth is not valid (a number or max)" },
		{ "[defaults]\nmax_groups = 99999999999\n",
		  "t.conf:2: value '99999999999' for max_groups is out of range" },
		{ "memory_limit_mb = 1\n[defaults]\n",
		  "t.conf:1: key 'memory_limit_mb' outside of a section" },
		{ "[defaults]\n= 5\n", "t.conf:2: missing key name before '='" },
		{ "[defaults]\njunk\n", "t.conf:2: expected 'key = value', '[section]' or a comment" },
		/* The first error wins, whoever found it. */
		{ "[defaults]\njunk\nbogus = 1\n",
		  "t.conf:2: expected 'key = value', '[section]' or a comment" },
		{ "[defaults]\nbogus = 1\njunk\n", "t.conf:2: unknown key 'bogus' in [defaults]" },
		{ "[defaults]\nbogus = 1\n[nope]\n", "t.conf:2: unknown key 'bogus' in [defaults]" },
		{ "[defaults]\nmax_open_files = -1\n",
		  "t.conf:2: value '-1' for max_open_files is not valid (a number or max)" },
		{ "[user bob]\nmax_open_files = 5\nmax_open_files = max\n",
		  "t.conf:3: key 'max_open_files' repeated in [user bob]" },
		{ "[defaults]\nmax_open_files_total = 1e6\n",
		  "t.conf:2: value '1e6' for max_open_files_total is not valid (a number or max)" },
		{ "[user bob]\nmax_open_files_total = 5\n",
		  "t.conf:2: max_open_files_total belongs in [defaults], not [user bob]" },
		{ "[defaults]\ntrees = yes\n",
		  "t.conf:2: value 'yes' for trees is not valid (none or auto)" },
		{ "[defaults]\ntrees = Auto\n",
		  "t.conf:2: value 'Auto' for trees is not valid (none or auto)" },
		{ "[defaults]\ntrees =\n",
		  "t.conf:2: value '' for trees is not valid (none or auto)" },
		{ "[defaults]\ntrees = auto\ntrees = none\n",
		  "t.conf:3: key 'trees' repeated in [defaults]" },
		{ "[user bob]\ntrees = auto\n",
		  "t.conf:2: trees belongs in [defaults], not [user bob]" },
		{ "[user bob]\ntrees_uids = 1-2\n",
		  "t.conf:2: trees_uids belongs in [defaults], not [user bob]" },
		{ "[user bob]\ntrees_group = users\n",
		  "t.conf:2: trees_group belongs in [defaults], not [user bob]" },
		{ "[defaults]\ntrees_uids = 1000\n", "t.conf:2: value '1000' for trees_uids "
		  "is not valid (MIN-MAX, two uids below 4294967295, MIN at most MAX)" },
		{ "[defaults]\ntrees_uids = 2000-1000\n", "t.conf:2: value '2000-1000' for "
		  "trees_uids is not valid (MIN-MAX, two uids below 4294967295, MIN at most MAX)" },
		{ "[defaults]\ntrees_uids = -5-10\n", "t.conf:2: value '-5-10' for trees_uids "
		  "is not valid (MIN-MAX, two uids below 4294967295, MIN at most MAX)" },
		{ "[defaults]\ntrees_uids = 0-4294967295\n", "t.conf:2: value '0-4294967295' for "
		  "trees_uids is not valid (MIN-MAX, two uids below 4294967295, MIN at most MAX)" },
		{ "[defaults]\ntrees_uids = 1000-99999999999999999999\n",
		  "t.conf:2: value '1000-99999999999999999999' for trees_uids is not valid "
		  "(MIN-MAX, two uids below 4294967295, MIN at most MAX)" },
		{ "[defaults]\ntrees_uids = 1000-2000x\n", "t.conf:2: value '1000-2000x' for "
		  "trees_uids is not valid (MIN-MAX, two uids below 4294967295, MIN at most MAX)" },
		{ "[defaults]\ntrees_uids = 1000-2000\ntrees_uids = 1-2\n",
		  "t.conf:3: key 'trees_uids' repeated in [defaults]" },
		{ "[defaults]\ntrees_group = -wheel\n",
		  "t.conf:2: value '-wheel' for trees_group is not valid (a group name)" },
		{ "[defaults]\ntrees_group = a/b\n",
		  "t.conf:2: value 'a/b' for trees_group is not valid (a group name)" },
		{ "[defaults]\ntrees_group = a\ntrees_group = b\n",
		  "t.conf:3: key 'trees_group' repeated in [defaults]" },
		{ "[defaults]\ndevices_deny = c 1:3 q\n",
		  "t.conf:2: value 'c 1:3 q' for devices_deny is not valid" },
		{ "[defaults]\ndevices_deny = c 5000:3 r\n",
		  "t.conf:2: value 'c 5000:3 r' for devices_deny is out of range" },
		/* A value does not continue on an indented line. */
		{ "[defaults]\ncpus = 0-1\n    ,3\n",
		  "t.conf:3: expected 'key = value', '[section]' or a comment" },
	};
	struct config cfg;
	char err[CONFIG_ERR_MAX];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		expect_refused(cases[i].text, cases[i].msg);
		/* No message buffer, or a tiny one, is fine too. */
		assert_int_equal(config_parse(cases[i].text, "t.conf", &cfg, NULL, 0), -EINVAL);
		assert_int_equal(config_parse(cases[i].text, "t.conf", &cfg, err, 4), -EINVAL);
		assert_string_equal(err, "t.c");
	}
}

static void test_long_line(void **state)
{
	char text[1024], err[CONFIG_ERR_MAX];
	struct config cfg;
	int n;

	n = snprintf(text, sizeof(text), "[defaults]\n; %0500d\ncpus = %0300d\n", 0, 0);
	assert_in_range(n, 800, sizeof(text) - 1);
	/* A long comment is fine; a long value line is refused, not cut. */
	assert_int_equal(config_parse(text, "l.conf", &cfg, err, sizeof(err)), -EINVAL);
	assert_memory_equal(err, "l.conf:3: line too long (at most ", 33);
}

static void test_load_errors(void **state)
{
	char path[] = "/tmp/cgfs-unit-config-XXXXXX", err[CONFIG_ERR_MAX];
	static const char nul_text[] = "[defaults]\n\npids_max = 1\0\n";
	struct config cfg;
	int fd;

	assert_int_equal(config_load("/nonexistent/cgfs.conf", &cfg, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/cgfs.conf: cannot read: No such file or directory");
	assert_int_equal(config_load(FIXTURES, &cfg, err, sizeof(err)), -EISDIR);
	assert_string_equal(err, FIXTURES ": cannot read: Is a directory");

	/* The file name and line are in every parse error from a file. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[defaults]\nmax_depth = x\n", 25), 25);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -EINVAL);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_string_equal(err + strlen(path),
	                    ":2: value 'x' for max_depth is not valid (a number or max)");

	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, nul_text, sizeof(nul_text) - 1, 0),
	                 (ssize_t)sizeof(nul_text) - 1);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err + strlen(path), ":3: NUL byte in the file");
	close(fd);
	unlink(path);
}

static void test_caps_for_null(void **state)
{
	struct caps c;

	memset(&c, 0x5a, sizeof(c));
	config_caps_for(NULL, "alice", &c);
	assert_only(&c, NULL, 0);
	assert_int_equal(c.max_groups, CONFIG_MAX_GROUPS_DEFAULT);
	assert_int_equal(c.max_depth, CONFIG_MAX_DEPTH_DEFAULT);
	assert_null(c.admit);
	assert_int_equal(c.max_open_files, CONFIG_MAX_OPEN_FILES);
	/* config_empty() is what an empty file gives. */
	{
		struct config e, p;

		config_empty(&e);
		assert_int_equal(config_parse("", "e.conf", &p, NULL, 0), 0);
		assert_memory_equal(&e.defaults, &p.defaults, sizeof(e.defaults));
		assert_int_equal(e.n_users, 0);
		config_free(&e);
		config_free(&p);
	}
}

/* The defaults of max_depth and max_groups hold where nothing sets them;
 * "max" lifts them, in [defaults] for everyone or in a [user] section
 * for one user, and a number replaces them. */
static void test_tree_limit_defaults(void **state)
{
	static const char text[] =
		"[defaults]\n"
		"max_depth = max\n"
		"[user alice]\n"
		"max_groups = max\n"
		"[user bob]\n"
		"max_depth = 5\n"
		"max_groups = 0\n"
		"[user carol]\n"
		"memory_limit_mb = 10\n";
	struct config cfg;
	struct caps c;
	char err[CONFIG_ERR_MAX] = "";

	assert_true(CONFIG_MAX_DEPTH_DEFAULT > 0 && CONFIG_MAX_DEPTH_DEFAULT < 100);
	assert_true(CONFIG_MAX_GROUPS_DEFAULT >= 1000 && CONFIG_MAX_GROUPS_DEFAULT < 10000);
	assert_int_equal(config_parse(text, "t.conf", &cfg, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(cfg.defaults.max_depth, -1);
	assert_int_equal(cfg.defaults.max_groups, CONFIG_MAX_GROUPS_DEFAULT);
	config_caps_for(&cfg, "alice", &c);
	assert_int_equal(c.max_depth, -1);
	assert_int_equal(c.max_groups, -1);
	config_caps_for(&cfg, "bob", &c);
	assert_int_equal(c.max_depth, 5);
	assert_int_equal(c.max_groups, 0);
	config_caps_for(&cfg, "carol", &c);
	assert_int_equal(c.max_depth, -1);
	assert_int_equal(c.max_groups, CONFIG_MAX_GROUPS_DEFAULT);
	config_caps_for(&cfg, "dave", &c);
	assert_int_equal(c.max_depth, -1);
	assert_int_equal(c.max_groups, CONFIG_MAX_GROUPS_DEFAULT);
	config_free(&cfg);
	/* "max" in a [user] section lifts a default [defaults] does not set. */
	assert_int_equal(config_parse("[user alice]\nmax_depth = max\n", "t.conf", &cfg, err,
	                              sizeof(err)), 0);
	config_caps_for(&cfg, "alice", &c);
	assert_int_equal(c.max_depth, -1);
	assert_int_equal(c.max_groups, CONFIG_MAX_GROUPS_DEFAULT);
	config_caps_for(&cfg, "bob", &c);
	assert_int_equal(c.max_depth, CONFIG_MAX_DEPTH_DEFAULT);
	config_free(&cfg);
}

static void test_admit(void **state)
{
	static const char text[] =
		"[defaults]\n"
		"admit = / /user.slice/user-%U.slice/**\n"
		"admit = /process_api/*\n"
		"[user alice]\n"
		"admit = none\n"
		"[user bob]\n"
		"memory_limit_mb = 10\n";
	struct config cfg;
	struct caps c;
	char err[CONFIG_ERR_MAX] = "";

	assert_int_equal(config_parse(text, "t.conf", &cfg, err, sizeof(err)), 0);
	/* Lines add up; a user's own admit replaces the default's. */
	assert_string_equal(cfg.defaults.admit, "/ /user.slice/user-%U.slice/** /process_api/*");
	config_caps_for(&cfg, "alice", &c);
	assert_string_equal(c.admit, "none");
	config_caps_for(&cfg, "bob", &c);
	assert_string_equal(c.admit, cfg.defaults.admit);
	config_caps_for(&cfg, "carol", &c);
	assert_string_equal(c.admit, cfg.defaults.admit);
	config_free(&cfg);
	/* Unset: NULL (the caller uses the built-in default). */
	assert_int_equal(config_parse("[defaults]\nmax_groups = 3\n", "t.conf", &cfg, err,
	                              sizeof(err)), 0);
	assert_null(cfg.defaults.admit);
	config_free(&cfg);
}

static void test_admit_errors(void **state)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "[defaults]\nadmit = user.slice\n", "t.conf:2: value 'user.slice' for admit" },
		{ "[defaults]\nadmit = /a/**/b\n", "t.conf:2: value '/a/**/b' for admit" },
		{ "[defaults]\nadmit =\n", "t.conf:2: value '' for admit" },
		{ "[defaults]\nadmit = /\nadmit = none\n", "t.conf:3: admit = none in [defaults]" },
		{ "[user alice]\nadmit = none\nadmit = /x\n", "t.conf:3: admit = none in [user alice]" },
	};
	struct config cfg;
	char err[CONFIG_ERR_MAX];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err[0] = '\0';
		assert_int_equal(config_parse(bad[i].text, "t.conf", &cfg, err, sizeof(err)), -EINVAL);
		if (strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0)
			fail_msg("'%s': got '%s'", bad[i].text, err);
	}
}

/* max_open_files per user over [defaults]; max_open_files_total once. */
static void test_max_open(void **state)
{
	static const char text[] =
		"[defaults]\n"
		"max_open_files = 300\n"
		"max_open_files_total = 5000\n"
		"[user alice]\n"
		"max_open_files = 10\n"
		"[user bob]\n"
		"max_open_files = max\n"
		"[user carol]\n"
		"max_groups = 4\n";
	struct config cfg;
	struct caps c;
	char err[CONFIG_ERR_MAX] = "";

	assert_int_equal(config_parse(text, "t.conf", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.max_open_total, 5000);
	assert_true(cfg.user_open_caps);
	config_caps_for(&cfg, "alice", &c);
	assert_int_equal(c.max_open_files, 10);
	config_caps_for(&cfg, "bob", &c);
	assert_int_equal(c.max_open_files, -1);
	config_caps_for(&cfg, "carol", &c);
	assert_int_equal(c.max_open_files, 300);
	config_caps_for(&cfg, "dave", &c);
	assert_int_equal(c.max_open_files, 300);
	config_free(&cfg);
	/* Only [defaults] sets it: no opener's name needs looking up. */
	assert_int_equal(config_parse("[defaults]\nmax_open_files = 0\n"
	                              "max_open_files_total = max\n[user a]\npids_max = 5\n",
	                              "t.conf", &cfg, err, sizeof(err)), 0);
	assert_false(cfg.user_open_caps);
	assert_int_equal(cfg.defaults.max_open_files, 0);
	assert_int_equal(cfg.max_open_total, -1);
	config_caps_for(&cfg, "a", &c);
	assert_int_equal(c.max_open_files, 0);
	config_free(&cfg);
}

/* trees, trees_uids, trees_group: who gets a tree on demand. */
static void test_trees(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";

	(void)state;
	/* Unset: none, the login range, no group. */
	assert_int_equal(config_parse("[defaults]\npids_max = 5\n", "t.conf", &cfg, err,
	                              sizeof(err)), 0);
	assert_int_equal(cfg.trees, CONFIG_TREES_NONE);
	assert_int_equal(cfg.trees_uid_min, CONFIG_TREES_UID_MIN);
	assert_int_equal(cfg.trees_uid_max, CONFIG_TREES_UID_MAX);
	assert_null(cfg.trees_group);
	assert_false(config_trees_uid(&cfg, 1000));
	config_free(&cfg);
	assert_false(config_trees_uid(NULL, 1000));

	assert_int_equal(config_parse("[defaults]\ntrees = auto   ; on demand\n", "t.conf", &cfg,
	                              err, sizeof(err)), 0);
	assert_int_equal(cfg.trees, CONFIG_TREES_AUTO);
	assert_false(config_trees_uid(&cfg, 999));
	assert_true(config_trees_uid(&cfg, 1000));
	assert_true(config_trees_uid(&cfg, 60000));
	assert_false(config_trees_uid(&cfg, 60001));
	assert_false(config_trees_uid(&cfg, 0));
	config_free(&cfg);

	assert_int_equal(config_parse("[user a]\npids_max = 5\n[defaults]\ntrees = auto\n"
	                              "trees_uids = 5000-5000\ntrees_group = cgfs-users\n",
	                              "t.conf", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.trees_uid_min, 5000);
	assert_int_equal(cfg.trees_uid_max, 5000);
	assert_string_equal(cfg.trees_group, "cgfs-users");
	assert_false(config_trees_uid(&cfg, 4999));
	assert_true(config_trees_uid(&cfg, 5000));
	assert_false(config_trees_uid(&cfg, 5001));
	config_free(&cfg);
	/* config_free leaves an empty config: no group, none. */
	assert_null(cfg.trees_group);
	assert_int_equal(cfg.trees, CONFIG_TREES_NONE);

	/* The widest range there is, and none with a range set. */
	assert_int_equal(config_parse("[defaults]\ntrees = none\ntrees_uids = 0-4294967294\n",
	                              "t.conf", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.trees_uid_max, 4294967294u);
	assert_false(config_trees_uid(&cfg, 1000));
	config_free(&cfg);
}

static void test_groups(void **state)
{
	static const char text[] =
		"[defaults]\n"
		"memory_limit_mb = 4096\n"
		"[group bob/web/db]          ; before its parent in the file\n"
		"pids_max = 100\n"
		"[group  alice/web ]\n"
		"memory_limit_mb = 512\n"
		"cpu_percent = 50\n"
		"[group alice/web-2]\n"
		"[group bob/web]\n"
		"cpus = 0\n";
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";

	(void)state;
	assert_int_equal(config_parse(text, "t.conf", &cfg, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	/* Sorted by path: a parent before what is declared below it. */
	assert_int_equal(cfg.n_groups, 4);
	assert_string_equal(cfg.groups[0].path, "alice/web");
	assert_string_equal(cfg.groups[1].path, "alice/web-2");
	assert_string_equal(cfg.groups[2].path, "bob/web");
	assert_string_equal(cfg.groups[3].path, "bob/web/db");
	assert_int_equal(cfg.groups[0].line, 5);
	assert_int_equal(cfg.groups[3].line, 3);
	assert_string_equal(cfg.groups[0].value[slot("memory_limit_mb")], "512");
	assert_string_equal(cfg.groups[0].value[slot("cpu_percent")], "50");
	assert_null(cfg.groups[0].value[slot("pids_max")]);
	assert_null(cfg.groups[1].value[slot("memory_limit_mb")]);
	assert_string_equal(cfg.groups[2].value[slot("cpus")], "0");
	assert_string_equal(cfg.groups[3].value[slot("pids_max")], "100");
	/* A [group] section sets nothing of the caps. */
	assert_value(&cfg.defaults, "memory_limit_mb", "4096");
	assert_value(&cfg.defaults, "pids_max", NULL);
	assert_int_equal(cfg.n_users, 0);

	assert_true(config_declares(&cfg, "alice"));
	assert_true(config_declares(&cfg, "alice/web"));
	assert_true(config_declares(&cfg, "alice/web-2"));
	assert_true(config_declares(&cfg, "bob/web"));
	assert_true(config_declares(&cfg, "bob/web/db"));
	assert_false(config_declares(&cfg, "alice/we"));
	assert_false(config_declares(&cfg, "alice/web/x"));
	assert_false(config_declares(&cfg, "alice/web-"));
	assert_false(config_declares(&cfg, "bob/web/d"));
	assert_false(config_declares(&cfg, "carol"));
	assert_false(config_declares(&cfg, "zz"));
	assert_false(config_declares(NULL, "alice"));
	config_free(&cfg);
	assert_int_equal(cfg.n_groups, 0);
	assert_false(config_declares(&cfg, "alice"));
}

static void test_group_limit(void **state)
{
	char err[CONFIG_ERR_MAX] = "";
	struct config cfg;
	size_t cap = (CONFIG_GROUPS_MAX + 1) * 32, len = 0;
	char *text = malloc(cap);
	int i;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < CONFIG_GROUPS_MAX; i++)
		len += (size_t)snprintf(text + len, cap - len, "[group alice/g%d]\n", i);
	assert_int_equal(config_parse(text, "t.conf", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.n_groups, CONFIG_GROUPS_MAX);
	config_free(&cfg);
	snprintf(text + len, cap - len, "[group alice/one-more]\n");
	assert_int_equal(config_parse(text, "t.conf", &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.conf:4097: more than 4096 [group] sections");
	free(text);
}

static void test_group_errors(void **state)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "[defaults]\n[group alice]\n",
		  "t.conf:2: invalid [group alice]: expected [group USER/GROUP], USER a user name" },
		{ "[group /web]\n",
		  "t.conf:1: invalid [group /web]: expected [group USER/GROUP], USER a user name" },
		{ "[group -x/web]\n",
		  "t.conf:1: invalid [group -x/web]: expected [group USER/GROUP], USER a user name" },
		{ "[group alice/../bob]\n",
		  "t.conf:1: invalid group name '..' in [group alice/../bob] (letters, digits, "
		  "'_', '@', '+' and '-', at most 64, starting with a letter or digit)" },
		{ "\n\n[group alice/web/]\n",
		  "t.conf:3: invalid group name '' in [group alice/web/] (letters, digits, "
		  "'_', '@', '+' and '-', at most 64, starting with a letter or digit)" },
		{ "[group alice//web]\n",
		  "t.conf:1: invalid group name '' in [group alice//web] (letters, digits, "
		  "'_', '@', '+' and '-', at most 64, starting with a letter or digit)" },
		{ "[group alice/.self]\n",
		  "t.conf:1: invalid group name '.self' in [group alice/.self] (letters, digits, "
		  "'_', '@', '+' and '-', at most 64, starting with a letter or digit)" },
		/* Odd bytes are not copied into the message. */
		{ "[group alice/w\x01\xff b]\n",
		  "t.conf:1: invalid group name 'w???b' in [group alice/w???b] (letters, digits, "
		  "'_', '@', '+' and '-', at most 64, starting with a letter or digit)" },
		{ "[group alice/web/memory_limit_mb]\n",
		  "t.conf:1: group name 'memory_limit_mb' in [group alice/web/memory_limit_mb] "
		  "is the name of a knob or reserved" },
		{ "[group alice/raw]\n",
		  "t.conf:1: group name 'raw' in [group alice/raw] is the name of a knob or reserved" },
		{ "[group alice/web]\nmemory_limit_mb = 1\n[group alice/web]\n",
		  "t.conf:3: section [group alice/web] repeated" },
		{ "[group alice/web]\nmemory_limit_mb = 4GB\n",
		  "t.conf:2: value '4GB' for memory_limit_mb is not valid" },
		{ "[group alice/web]\npids_max = 5\npids_max = 6\n",
		  "t.conf:3: key 'pids_max' repeated in [group alice/web]" },
		{ "[group alice/web]\nmemory_usage_mb = 1\n",
		  "t.conf:2: key 'memory_usage_mb' in [group alice/web] is not a knob a declared "
		  "group can set" },
		{ "[group alice/web]\nprocs = 1\n",
		  "t.conf:2: key 'procs' in [group alice/web] is not a knob a declared group can set" },
		{ "[group alice/web]\nfreeze = 1\n",
		  "t.conf:2: key 'freeze' in [group alice/web] is not a knob a declared group can set" },
		{ "[group alice/web]\nautoremove = 1\n",
		  "t.conf:2: key 'autoremove' in [group alice/web] is not a knob a declared group "
		  "can set" },
		{ "[group alice/web]\nmax_groups = 5\n",
		  "t.conf:2: key 'max_groups' in [group alice/web] is not a knob a declared group "
		  "can set" },
		{ "[group alice/web]\ncpu_percent =\n", "t.conf:2: no value for cpu_percent" },
		{ "[group a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/A/B/C/D/E/F/G/H]\n",
		  "t.conf:1: [group a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/A/B/C/D/E/F/"
		  "] is deeper than 32 groups" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		expect_refused(cases[i].text, cases[i].msg);
}

static void test_caps_allow_group(void **state)
{
	struct caps c = { .max_depth = 3, .max_groups = 5 };

	(void)state;
	assert_int_equal(caps_allow_group(&c, 1, 1), 0);
	assert_int_equal(caps_allow_group(&c, 3, -1), 0);
	assert_int_equal(caps_allow_group(&c, 4, -1), -EDQUOT);
	/* The root counts: 5 groups below it fill max_groups = 5. */
	assert_int_equal(caps_allow_group(&c, 1, 5), 0);
	assert_int_equal(caps_allow_group(&c, 1, 6), -EDQUOT);
	c.max_depth = -1;
	c.max_groups = -1;
	assert_int_equal(caps_allow_group(&c, 1000, 100000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_caps_for),
		cmocka_unit_test(test_parse_string),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_caps_for_null),
		cmocka_unit_test(test_tree_limit_defaults),
		cmocka_unit_test(test_admit),
		cmocka_unit_test(test_max_open),
		cmocka_unit_test(test_admit_errors),
		cmocka_unit_test(test_trees),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_group_limit),
		cmocka_unit_test(test_group_errors),
		cmocka_unit_test(test_caps_allow_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
