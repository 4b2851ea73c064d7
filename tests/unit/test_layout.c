// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgfs/layout.h"

/* Reads FIXTURES/name, or returns NULL when it does not exist (a layout
 * without cgroup2 has no .controllers file). */
static char *fixture(const char *name)
{
	char path[4096], *buf;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* Parses the fixture set NAME.mountinfo, NAME.cgroup, NAME.controllers. */
static int parse_set(const char *mi_name, const char *cg_name, const char *ctl_name,
                     struct layout *l)
{
	char *mi = fixture(mi_name), *cg = fixture(cg_name);
	char *ctl = ctl_name ? fixture(ctl_name) : NULL;
	int r;

	assert_non_null(mi);
	assert_non_null(cg);
	r = layout_parse(mi, cg, ctl, l);
	free(mi);
	free(cg);
	free(ctl);
	return r;
}

static void load_set(const char *name, struct layout *l)
{
	char mi[256], cg[256], ctl[256];

	snprintf(mi, sizeof(mi), "%s.mountinfo", name);
	snprintf(cg, sizeof(cg), "%s.cgroup", name);
	snprintf(ctl, sizeof(ctl), "%s.controllers", name);
	assert_int_equal(parse_set(mi, cg, ctl, l), 0);
}

/* The hierarchy mounted at mountpoint, which must exist. */
static const struct hier *at(const struct layout *l, const char *mountpoint)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->hier[i].mountpoint, mountpoint) == 0)
			return &l->hier[i];
	fail_msg("no hierarchy at %s", mountpoint);
	return NULL;
}

static const struct hier *serving(const struct layout *l, enum cg_ctrl c)
{
	assert_in_range(l->by_ctrl[c], 0, (int)l->n - 1);
	return &l->hier[l->by_ctrl[c]];
}

/* by_ctrl and every hier.ctrls must tell the same story. */
static void assert_consistent(const struct layout *l)
{
	size_t i;
	int c;

	assert_in_range(l->n, 0, LAYOUT_MAX_HIER);
	for (i = 0; i < l->n; i++)
		for (c = 0; c < CTRL_MAX; c++)
			assert_int_equal(!!(l->hier[i].ctrls & (1u << c)), l->by_ctrl[c] == (int)i);
	if (l->v2 >= 0)
		assert_int_equal(l->hier[l->v2].version, 2);
	for (i = 0; i < l->n; i++)
		if (l->hier[i].version == 2)
			assert_int_equal(l->v2, (int)i);
}

static void test_hybrid(void **state)
{
	static const struct { enum cg_ctrl c; const char *mp; } want[] = {
		{ CTRL_CPU, "/sys/fs/cgroup/cpu" },         { CTRL_CPUACCT, "/sys/fs/cgroup/cpuacct" },
		{ CTRL_CPUSET, "/sys/fs/cgroup/cpuset" },   { CTRL_MEMORY, "/sys/fs/cgroup/memory" },
		{ CTRL_IO, "/sys/fs/cgroup/blkio" },        { CTRL_PIDS, "/sys/fs/cgroup/pids" },
		{ CTRL_FREEZER, "/sys/fs/cgroup/freezer" },
	};
	const struct hier *h;
	struct layout l;
	size_t i;

	load_set("hybrid", &l);
	assert_consistent(&l);
	assert_int_equal(l.n, 10); /* 9 v1 (devices, name=systemd too) + v2 */
	for (i = 0; i < sizeof(want) / sizeof(*want); i++) {
		h = serving(&l, want[i].c);
		assert_string_equal(h->mountpoint, want[i].mp);
		assert_int_equal(h->version, 1);
		assert_string_equal(h->options, want[i].mp + strlen("/sys/fs/cgroup/"));
		assert_int_equal(h->ctrls, 1u << want[i].c);
	}
	assert_string_equal(serving(&l, CTRL_IO)->options, "blkio");

	h = serving(&l, CTRL_MEMORY);
	assert_string_equal(h->own_cgroup, "/process_api/04aa3c3d17da422b2d8efc7b4325af1b");
	assert_string_equal(hier_own_relative(h), "process_api/04aa3c3d17da422b2d8efc7b4325af1b");
	assert_string_equal(serving(&l, CTRL_CPU)->own_cgroup, "/");
	assert_string_equal(hier_own_relative(serving(&l, CTRL_CPU)), "");

	/* v2 only has hugetlb here: it serves nothing, but is known. */
	assert_in_range(l.v2, 0, (int)l.n - 1);
	h = &l.hier[l.v2];
	assert_string_equal(h->mountpoint, "/sys/fs/cgroup/unified");
	assert_string_equal(h->mount_root, "/");
	assert_string_equal(h->options, "");
	assert_string_equal(h->own_cgroup, "/");
	assert_int_equal(h->ctrls, 0);

	h = at(&l, "/sys/fs/cgroup/systemd");
	assert_string_equal(h->options, "name=systemd");
	assert_int_equal(h->ctrls, 0);
	assert_string_equal(h->own_cgroup, "/");
	h = at(&l, "/sys/fs/cgroup/devices");
	assert_string_equal(h->options, "devices");
	assert_int_equal(h->ctrls, 0);
	layout_free(&l);
}

static void test_hybrid_without_controllers(void **state)
{
	struct layout l;

	/* Without cgroup.controllers v2 still offers nothing v1 has. */
	assert_int_equal(parse_set("hybrid.mountinfo", "hybrid.cgroup", NULL, &l), 0);
	assert_consistent(&l);
	assert_int_equal(l.hier[l.v2].ctrls, 0);
	assert_string_equal(serving(&l, CTRL_FREEZER)->mountpoint, "/sys/fs/cgroup/freezer");
	layout_free(&l);
}

static void test_pure_v1(void **state)
{
	const struct hier *h;
	struct layout l;

	load_set("v1", &l);
	assert_consistent(&l);
	assert_int_equal(l.v2, -1);
	/* systemd, net_cls+net_prio, cpu+cpuacct, cpuset, memory, blkio,
	 * freezer, devices, pids, perf_event, hugetlb; the memory bind mount
	 * is the same hierarchy again. */
	assert_int_equal(l.n, 11);

	h = serving(&l, CTRL_CPU);
	assert_ptr_equal(h, serving(&l, CTRL_CPUACCT));
	assert_string_equal(h->mountpoint, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(h->options, "cpuacct,cpu");
	assert_int_equal(h->ctrls, (1u << CTRL_CPU) | (1u << CTRL_CPUACCT));
	/* /proc/self/cgroup says "cpu,cpuacct": the order does not matter. */
	assert_string_equal(h->own_cgroup, "/system.slice/cgfs.service");
	assert_string_equal(hier_own_relative(h), "system.slice/cgfs.service");

	h = serving(&l, CTRL_MEMORY);
	assert_string_equal(h->mountpoint, "/sys/fs/cgroup/memory");
	assert_string_equal(h->mount_root, "/");
	assert_string_equal(serving(&l, CTRL_IO)->own_cgroup, "/system.slice");
	assert_string_equal(serving(&l, CTRL_FREEZER)->own_cgroup, "/");

	h = at(&l, "/sys/fs/cgroup/net_cls,net_prio");
	assert_string_equal(h->options, "net_prio,net_cls");
	assert_int_equal(h->ctrls, 0);
	assert_string_equal(h->own_cgroup, "/");
	/* seclabel, xattr and release_agent= are mount flags. */
	h = at(&l, "/sys/fs/cgroup/systemd");
	assert_string_equal(h->options, "name=systemd");
	assert_string_equal(h->own_cgroup, "/system.slice/cgfs.service");
	layout_free(&l);
}

static void test_pure_v2(void **state)
{
	const struct hier *h;
	struct layout l;
	int c;

	load_set("v2", &l);
	assert_consistent(&l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v2, 0);
	for (c = 0; c < CTRL_MAX; c++)
		assert_int_equal(l.by_ctrl[c], 0);
	h = &l.hier[0];
	assert_int_equal(h->version, 2);
	assert_string_equal(h->mountpoint, "/sys/fs/cgroup");
	assert_string_equal(h->own_cgroup, "/system.slice/cgfs.service");
	assert_string_equal(hier_own_relative(h), "system.slice/cgfs.service");
	layout_free(&l);
}

static void test_v2_partial_controllers(void **state)
{
	char *mi = fixture("v2.mountinfo");
	struct layout l;

	/* Controllers not in cgroup.controllers are not served, except the
	 * core files (freeze, cpu usage) that every v2 cgroup has. */
	assert_int_equal(layout_parse(mi, "0::/x\n", "memory\tpids\n", &l), 0);
	assert_consistent(&l);
	assert_int_equal(l.hier[0].ctrls, (1u << CTRL_MEMORY) | (1u << CTRL_PIDS) |
	                                  (1u << CTRL_FREEZER) | (1u << CTRL_CPUACCT));
	assert_int_equal(l.by_ctrl[CTRL_CPU], -1);
	assert_int_equal(l.by_ctrl[CTRL_IO], -1);
	layout_free(&l);
	assert_int_equal(layout_parse(mi, "0::/x\n", "", &l), 0);
	assert_int_equal(l.hier[0].ctrls, (1u << CTRL_FREEZER) | (1u << CTRL_CPUACCT));
	layout_free(&l);
	free(mi);
}

static void test_lxc_v2(void **state)
{
	const struct hier *h;
	struct layout l;

	load_set("lxc-v2", &l);
	assert_consistent(&l);
	assert_int_equal(l.n, 1);
	h = &l.hier[0];
	assert_string_equal(h->mount_root, "/lxc.payload.c1");
	assert_string_equal(h->mountpoint, "/sys/fs/cgroup");
	assert_string_equal(h->own_cgroup, "/lxc.payload.c1/init.scope");
	assert_string_equal(hier_own_relative(h), "init.scope");
	assert_int_equal(l.by_ctrl[CTRL_MEMORY], 0);
	assert_int_equal(l.by_ctrl[CTRL_IO], 0);
	layout_free(&l);
}

static void test_lxc_v1(void **state)
{
	const struct hier *h;
	struct layout l;

	load_set("lxc-v1", &l);
	assert_consistent(&l);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v2, -1);
	h = serving(&l, CTRL_CPU);
	assert_string_equal(h->mount_root, "/lxc/c1");
	assert_string_equal(hier_own_relative(h), "");
	assert_string_equal(hier_own_relative(serving(&l, CTRL_MEMORY)), "x");
	assert_string_equal(hier_own_relative(serving(&l, CTRL_PIDS)), "x/y");
	/* /lxc/c10 is a sibling of /lxc/c1, not below it. */
	h = at(&l, "/sys/fs/cgroup/systemd");
	assert_string_equal(h->own_cgroup, "/lxc/c10");
	assert_null(hier_own_relative(h));
	assert_int_equal(l.by_ctrl[CTRL_CPUSET], -1);
	assert_int_equal(l.by_ctrl[CTRL_FREEZER], -1);
	assert_int_equal(l.by_ctrl[CTRL_IO], -1);
	layout_free(&l);
}

static void test_escaped(void **state)
{
	const struct hier *h;
	struct layout l;

	assert_int_equal(parse_set("escaped.mountinfo", "escaped.cgroup", NULL, &l), 0);
	assert_consistent(&l);
	assert_int_equal(l.n, 2);
	h = serving(&l, CTRL_MEMORY);
	assert_string_equal(h->mountpoint, "/mnt/my cgroups/memory\\x");
	assert_string_equal(h->mount_root, "/a\tb");
	assert_string_equal(h->own_cgroup, "/a\tb/c d");
	assert_string_equal(hier_own_relative(h), "c d");
	assert_string_equal(l.hier[l.v2].mountpoint, "/mnt/my cgroups/unified");
	layout_free(&l);
}

static void test_malformed(void **state)
{
	static const char *const bad_mountinfo[] = {
		"malformed-nosep.mountinfo", "malformed-short.mountinfo",
		"malformed-escape.mountinfo", "malformed-relative.mountinfo",
	};
	struct layout l, before;
	size_t i;

	for (i = 0; i < sizeof(bad_mountinfo) / sizeof(*bad_mountinfo); i++) {
		memset(&l, 0x5a, sizeof(l));
		before = l;
		assert_int_equal(parse_set(bad_mountinfo[i], "hybrid.cgroup", NULL, &l), -EINVAL);
		/* *ret is left untouched on failure. */
		assert_memory_equal(&l, &before, sizeof(l));
	}
	assert_int_equal(parse_set("hybrid.mountinfo", "malformed.cgroup", NULL, &l), -EINVAL);

	/* More ways to get a line wrong. */
	assert_int_equal(layout_parse("1 2 0:1 / /x rw - cgroup cgroup\n", "", NULL, &l), -EINVAL);
	assert_int_equal(layout_parse("1 2 0:1 / /x\\040 rw - cgroup2 cgroup2 rw\n", "", NULL, &l), 0);
	assert_string_equal(l.hier[0].mountpoint, "/x ");
	layout_free(&l);
	assert_int_equal(layout_parse("1 2 0:1 / /x\\0 rw - cgroup2 cgroup2 rw\n", "", NULL, &l), -EINVAL);
	assert_int_equal(layout_parse("1 2 0:1 / /x\\000 rw - cgroup2 cgroup2 rw\n", "", NULL, &l), -EINVAL);
	assert_int_equal(layout_parse("1 2 0:1 / /x rw - cgroup2 cgroup2 rw\n", "x::/\n", NULL, &l), -EINVAL);
	assert_int_equal(layout_parse("1 2 0:1 / /x rw - cgroup2 cgroup2 rw\n", "0::relative\n", NULL, &l), -EINVAL);
	assert_int_equal(layout_parse("1 2 0:1 / /x rw - cgroup2 cgroup2 rw\n", ":/\n", NULL, &l), -EINVAL);
	/* Odd lines of other file systems are not our business. */
	assert_int_equal(layout_parse("what\n\n1 2 0:1 / /x rw - ext4\n", "", NULL, &l), 0);
	assert_int_equal(l.n, 0);
	layout_free(&l);
}

static void test_empty(void **state)
{
	struct layout l;
	int c;

	assert_int_equal(layout_parse("", "", NULL, &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.v2, -1);
	for (c = 0; c < CTRL_MAX; c++)
		assert_int_equal(l.by_ctrl[c], -1);
	layout_free(&l);
	assert_int_equal(layout_parse(NULL, NULL, NULL, &l), 0);
	layout_free(&l);
}

static void test_duplicates(void **state)
{
	static const char mi[] =
		"1 0 0:1 / /a rw - cgroup2 cgroup2 rw\n"
		"2 0 0:2 / /b rw - cgroup cgroup rw,cpuacct,cpu\n"
		"3 0 0:1 /sub /c rw - cgroup2 cgroup2 rw\n"
		"4 0 0:2 /sub /d rw - cgroup cgroup rw,cpu,cpuacct\n"
		"5 0 0:3 / /e rw - cgroup cgroup rw,name=systemd\n"
		"6 0 0:3 / /f rw - cgroup cgroup rw,xattr,name=systemd\n"
		/* Impossible on a real kernel: the first claim of cpu wins. */
		"7 0 0:4 / /g rw - cgroup cgroup rw,cpu,memory\n";
	struct layout l;

	assert_int_equal(layout_parse(mi, "2:cpu,cpuacct:/x\n0::/y\n", "cpu memory io", &l), 0);
	assert_consistent(&l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.hier[l.v2].mountpoint, "/a");
	assert_string_equal(serving(&l, CTRL_CPU)->mountpoint, "/b");
	assert_string_equal(serving(&l, CTRL_CPU)->own_cgroup, "/x");
	assert_string_equal(serving(&l, CTRL_MEMORY)->mountpoint, "/g");
	assert_string_equal(serving(&l, CTRL_MEMORY)->options, "cpu,memory");
	assert_string_equal(serving(&l, CTRL_IO)->mountpoint, "/a");
	assert_string_equal(l.hier[l.v2].own_cgroup, "/y");
	layout_free(&l);
}

static void test_too_many(void **state)
{
	static const char *const names[] = { "cpu", "memory", "pids", "freezer" };
	char mi[8192], line[256];
	struct layout l;
	size_t i, len = 0;

	/* 20 named hierarchies, then 4 that serve knobs and v2: named ones
	 * give way, nothing that serves a knob is lost. */
	mi[0] = '\0';
	for (i = 0; i < 20; i++) {
		snprintf(line, sizeof(line), "%zu 0 0:%zu / /n%zu rw - cgroup cgroup rw,name=n%zu\n",
		         i + 1, i + 1, i, i);
		len += strlen(strcpy(mi + len, line));
	}
	for (i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "%zu 0 0:%zu / /%s rw - cgroup cgroup rw,%s\n",
		         i + 30, i + 30, names[i], names[i]);
		len += strlen(strcpy(mi + len, line));
	}
	strcpy(mi + len, "40 0 0:40 / /u rw - cgroup2 cgroup2 rw\n");
	assert_int_equal(layout_parse(mi, "", "cpuset", &l), 0);
	assert_consistent(&l);
	assert_int_equal(l.n, LAYOUT_MAX_HIER);
	assert_string_equal(serving(&l, CTRL_CPU)->mountpoint, "/cpu");
	assert_string_equal(serving(&l, CTRL_FREEZER)->mountpoint, "/freezer");
	assert_string_equal(serving(&l, CTRL_CPUSET)->mountpoint, "/u");
	assert_string_equal(serving(&l, CTRL_CPUACCT)->mountpoint, "/u");
	layout_free(&l);
}

static void test_own_relative(void **state)
{
	static const struct { const char *root, *own, *want; } cases[] = {
		{ "/", "/a/b", "a/b" },           { "/", "/", "" },
		{ "/lxc/c1", "/lxc/c1/x", "x" },  { "/lxc/c1", "/lxc/c1", "" },
		{ "/lxc/c1", "/lxc/c10", NULL },  { "/lxc/c1", "/lxc", NULL },
		{ "/lxc/c1", "/other", NULL },    { "/..", "/../x", NULL },
		{ "/", "/../../x", NULL },        { "/a", "/a/../b", NULL },
		{ "/a", "/a/..b", "..b" },        { "/lxc/c1", "/", NULL },
		{ "/", "relative", NULL },        { "/", NULL, NULL },
	};
	struct hier h = { 0 };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *got;

		h.mount_root = (char *)cases[i].root;
		h.own_cgroup = (char *)cases[i].own;
		got = hier_own_relative(&h);
		if (!cases[i].want)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].want);
	}
	assert_null(hier_own_relative(NULL));
}

static void test_ctrl_name(void **state)
{
	static const char *const want[CTRL_MAX] = {
		"cpu", "cpuacct", "cpuset", "memory", "io", "pids", "freezer",
	};
	int c;

	for (c = 0; c < CTRL_MAX; c++)
		assert_string_equal(ctrl_name((enum cg_ctrl)c), want[c]);
	assert_null(ctrl_name(CTRL_MAX));
	assert_null(ctrl_name(CTRL_INVALID));
}

/* This host: whatever it has, layout_load must find a hierarchy and our
 * own place in it, as long as any cgroup file system is mounted. */
static void test_load_real_host(void **state)
{
	char line[8192];
	struct layout l;
	bool any = false;
	FILE *f;
	size_t i;

	f = fopen("/proc/self/mountinfo", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " - cgroup ") || strstr(line, " - cgroup2 "))
			any = true;
	fclose(f);
	if (!any) {
		print_message("skipping: /proc/self/mountinfo has no cgroup mount\n");
		skip();
	}
	assert_int_equal(layout_load(&l), 0);
	assert_consistent(&l);
	assert_true(l.n >= 1);
	for (i = 0; i < l.n; i++) {
		assert_int_equal(l.hier[i].mountpoint[0], '/');
		assert_non_null(l.hier[i].options);
	}
	if (l.v2 >= 0)
		assert_non_null(l.hier[l.v2].own_cgroup);
	layout_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hybrid),
		cmocka_unit_test(test_hybrid_without_controllers),
		cmocka_unit_test(test_pure_v1),
		cmocka_unit_test(test_pure_v2),
		cmocka_unit_test(test_v2_partial_controllers),
		cmocka_unit_test(test_lxc_v2),
		cmocka_unit_test(test_lxc_v1),
		cmocka_unit_test(test_escaped),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_own_relative),
		cmocka_unit_test(test_ctrl_name),
		cmocka_unit_test(test_load_real_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
