// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/meminfo.c: literal /proc/meminfo and memory.stat
 * text in (fixtures taken from this kernel's format), rendered text out,
 * checked line by line against the host's.
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

#include "cgfs/meminfo.h"

#define MiB 1048576ULL
#define HOST_TOTAL 24684092ULL /* kB, host-*.meminfo */
#define HOST_SWAP 2097148ULL

static char out[MEMINFO_TEXT_MAX];

static char *fixture(const char *name)
{
	static char bufs[4][MEMINFO_TEXT_MAX];
	static int next;
	char path[512];
	char *buf = bufs[next++ % 4];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, MEMINFO_TEXT_MAX - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The value of "Label:" in text, in kB; fails the test if absent. */
static unsigned long long value(const char *text, const char *label)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "\n%s:", label);
	if (strncmp(text, key + 1, strlen(key + 1)) == 0)
		p = text + strlen(key + 1);
	else {
		p = strstr(text, key);
		if (!p)
			fail_msg("no %s line", label);
		p += strlen(key);
	}
	return strtoull(p, NULL, 10);
}

/* The line of text that starts with "Label:", with its newline. */
static void line_of(const char *text, const char *label, char *ret, size_t size)
{
	size_t n = strlen(label);
	const char *p = text, *end;

	while (*p) {
		end = strchrnul(p, '\n');
		if (strncmp(p, label, n) == 0 && p[n] == ':') {
			snprintf(ret, size, "%.*s", (int)(end - p + 1), p);
			return;
		}
		p = *end ? end + 1 : end;
	}
	fail_msg("no %s line", label);
}

/* Same labels in the same order as the host; the lines cgfs does not own
 * byte for byte the host's; every owned line in the kernel's layout. */
static void check_layout(const char *host, const char *got, const char *const *kept)
{
	const char *h = host, *g = got;

	while (*h && *g) {
		const char *he = strchrnul(h, '\n'), *ge = strchrnul(g, '\n');
		const char *hc = memchr(h, ':', (size_t)(he - h));
		size_t i, ll = (size_t)(hc - h) + 1;
		int keep = 0;

		assert_non_null(hc);
		assert_true(strncmp(h, g, ll) == 0);
		for (i = 0; kept && kept[i]; i++)
			keep |= strlen(kept[i]) + 1 == ll && strncmp(kept[i], h, ll - 1) == 0;
		if (keep || !memmem(h, (size_t)(he - h), " kB", 3) || (size_t)(he - h) > 24 + 3) {
			assert_int_equal(he - h, ge - g);
			assert_memory_equal(h, g, (size_t)(he - h));
		} else {
			/* label to column 16, value right-aligned to column 24, " kB" */
			assert_int_equal(ge - g, 27);
			assert_memory_equal(g + 24, " kB", 3);
			assert_true(g[23] >= '0' && g[23] <= '9');
		}
		h = *he ? he + 1 : he;
		g = *ge ? ge + 1 : ge;
	}
	assert_int_equal(*h, '\0');
	assert_int_equal(*g, '\0');
}

static const char *const host_lines[] = {
	"NFS_Unstable", "Bounce", "WritebackTmp", "CommitLimit", "Committed_AS",
	"VmallocTotal", "VmallocUsed", "VmallocChunk", "ShmemPmdMapped", "FilePmdMapped",
	"Balloon", "HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp",
	"Hugepagesize", "Hugetlb", "DirectMap4k", "DirectMap2M", "DirectMap1G", NULL,
};

/* A copy of memory.stat text with key's value replaced. */
static const char *with(const char *stat, const char *key, const char *v)
{
	static char buf[MEMINFO_TEXT_MAX];
	const char *p = strstr(stat, key), *end;

	assert_non_null(p);
	end = strchr(p, '\n');
	snprintf(buf, sizeof(buf), "%.*s%s %s%s", (int)(p - stat), stat, key, v, end);
	return buf;
}

static int render_v1(const char *host, const char *stat, const char *limit, const char *usage)
{
	const char *lims[] = { limit };
	struct meminfo_src src = {
		.version = 1, .host = host, .stat = stat, .usage = usage,
		.limits = lims, .n_limits = 1,
	};

	return meminfo_render(&src, out, sizeof(out));
}

static int render_v2(const char *host, const char *const *lims, size_t n,
                     const char *const *swlims, size_t nsw, const char *swap_usage,
                     const char *usage)
{
	struct meminfo_src src = {
		.version = 2, .host = host, .stat = fixture("v2.memory.stat"), .usage = usage,
		.limits = lims, .n_limits = n, .swap_limits = swlims, .n_swap_limits = nsw,
		.swap_usage = swap_usage,
	};

	return meminfo_render(&src, out, sizeof(out));
}

/* Totals hold together whatever the input. */
static void check_totals(void)
{
	unsigned long long total = value(out, "MemTotal"), free = value(out, "MemFree");
	unsigned long long avail = value(out, "MemAvailable");

	assert_true(total > 0);
	assert_true(free <= total);
	assert_true(avail >= free && avail <= total);
	assert_true(value(out, "SwapFree") <= value(out, "SwapTotal"));
}

static void test_v1_limited(void **state)
{
	const char *host = fixture("host-swap.meminfo");
	int n;

	(void)state;
	/* memory.limit_in_bytes 512M, hierarchical_memory_limit (a parent) 256M */
	n = render_v1(host, fixture("v1.memory.stat"), "536870912\n", "209715200\n");
	assert_true(n > 0 && (size_t)n == strlen(out));
	check_layout(host, out, host_lines);
	check_totals();
	assert_int_equal(value(out, "MemTotal"), 262144);
	assert_int_equal(value(out, "MemFree"), 262144 - 204800);
	/* free + active_file + inactive_file (v1 has no slab counters) */
	assert_int_equal(value(out, "MemAvailable"), 262144 - 204800 + 53248 + 40960);
	assert_int_equal(value(out, "Buffers"), 0);
	assert_int_equal(value(out, "Cached"), 102400 - 1024);
	assert_int_equal(value(out, "SwapCached"), 1024);
	assert_int_equal(value(out, "Active"), 28672 + 53248);
	assert_int_equal(value(out, "Inactive"), 61440 + 40960);
	assert_int_equal(value(out, "Active(anon)"), 28672);
	assert_int_equal(value(out, "Inactive(anon)"), 61440);
	assert_int_equal(value(out, "Active(file)"), 53248);
	assert_int_equal(value(out, "Inactive(file)"), 40960);
	assert_int_equal(value(out, "Unevictable"), 3072);
	assert_int_equal(value(out, "Dirty"), 2048);
	assert_int_equal(value(out, "Writeback"), 1024);
	assert_int_equal(value(out, "AnonPages"), 81920);
	assert_int_equal(value(out, "Mapped"), 16384);
	assert_int_equal(value(out, "Shmem"), 8192);
	assert_int_equal(value(out, "AnonHugePages"), 4096);
	assert_int_equal(value(out, "Slab"), 0);
	assert_int_equal(value(out, "Mlocked"), 0);
	/* memsw 384M - memory 256M = 128M of swap, 32M of it used */
	assert_int_equal(value(out, "SwapTotal"), 131072);
	assert_int_equal(value(out, "SwapFree"), 131072 - 32768);
	/* the kernel's layout, byte for byte */
	assert_non_null(strstr(out, "MemTotal:         262144 kB\n"));
	assert_non_null(strstr(out, "Active(anon):      28672 kB\n"));
	assert_non_null(strstr(out, "Buffers:               0 kB\n"));
}

static void test_v1_unlimited(void **state)
{
	const char *host = fixture("host-swap.meminfo");
	const char *stat = with(fixture("v1.memory.stat"), "hierarchical_memory_limit",
	                        "9223372036854771712");
	char hl[128], gl[128];

	(void)state;
	assert_true(render_v1(host, stat, "9223372036854771712\n", "209715200\n") > 0);
	check_layout(host, out, host_lines);
	check_totals();
	assert_int_equal(value(out, "MemTotal"), HOST_TOTAL);
	line_of(host, "MemTotal", hl, sizeof(hl));
	line_of(out, "MemTotal", gl, sizeof(gl));
	assert_string_equal(hl, gl);
	assert_int_equal(value(out, "MemFree"), HOST_TOTAL - 204800);
	/* memsw 384M with memory unlimited: memsw alone bounds the swap */
	assert_int_equal(value(out, "SwapTotal"), 393216);
	assert_int_equal(value(out, "SwapFree"), 393216 - 32768);
}

static void test_limit_above_host(void **state)
{
	const char *host = fixture("host-noswap.meminfo");
	const char *lims[] = { "1099511627776\n", "max\n" }; /* 1 TiB */

	(void)state;
	assert_true(render_v2(host, lims, 2, NULL, 0, NULL, "104857600\n") > 0);
	check_totals();
	assert_int_equal(value(out, "MemTotal"), HOST_TOTAL);
	assert_true(render_v1(host, with(fixture("v1-noswap.memory.stat"),
	                                 "hierarchical_memory_limit", "1099511627776"),
	                      "1099511627776\n", "104857600\n") > 0);
	assert_int_equal(value(out, "MemTotal"), HOST_TOTAL);
}

static void test_usage_above_limit(void **state)
{
	const char *host = fixture("host-swap.meminfo");
	const char *lims[] = { "67108864\n" }; /* 64M */

	(void)state;
	/* usage can pass the limit for a moment (v2 memory.max lowered) */
	assert_true(render_v2(host, lims, 1, NULL, 0, NULL, "104857600\n") > 0);
	check_totals();
	assert_int_equal(value(out, "MemTotal"), 65536);
	assert_int_equal(value(out, "MemFree"), 0);
	assert_int_equal(value(out, "MemAvailable"), 65536);
	/* a limit below one kB still shows a non-zero MemTotal */
	lims[0] = "0\n";
	assert_true(render_v2(host, lims, 1, NULL, 0, NULL, "104857600\n") > 0);
	check_totals();
	assert_int_equal(value(out, "MemTotal"), 1);
}

static void test_v2_tree(void **state)
{
	const char *host = fixture("host-swap.meminfo");
	/* the group, its parent, the tree root, the base */
	const char *lims[] = { "max\n", "1073741824\n", "536870912\n", "max\n" };
	const char *swl[] = { "max\n", "268435456\n", "max\n" };

	(void)state;
	assert_true(render_v2(host, lims, 4, swl, 3, "16777216\n", "209715200\n") > 0);
	check_layout(host, out, host_lines);
	check_totals();
	assert_int_equal(value(out, "MemTotal"), 524288);
	assert_int_equal(value(out, "MemFree"), 524288 - 204800);
	/* free + file pages + reclaimable slab */
	assert_int_equal(value(out, "MemAvailable"), 524288 - 204800 + 53248 + 40960 + 6144);
	assert_int_equal(value(out, "Cached"), 102400 - 1024);
	assert_int_equal(value(out, "AnonPages"), 81920);
	assert_int_equal(value(out, "Slab"), 9216);
	assert_int_equal(value(out, "SReclaimable"), 6144);
	assert_int_equal(value(out, "KReclaimable"), 6144);
	assert_int_equal(value(out, "SUnreclaim"), 3072);
	assert_int_equal(value(out, "KernelStack"), 1024);
	assert_int_equal(value(out, "PageTables"), 2048);
	assert_int_equal(value(out, "Percpu"), 512);
	assert_int_equal(value(out, "AnonHugePages"), 4096);
	assert_int_equal(value(out, "SwapTotal"), 262144);
	assert_int_equal(value(out, "SwapFree"), 262144 - 16384);
	/* swap allowed beyond the host's: the host's */
	swl[1] = "max\n";
	assert_true(render_v2(host, lims, 4, swl, 3, "16777216\n", "209715200\n") > 0);
	assert_int_equal(value(out, "SwapTotal"), HOST_SWAP);
	assert_int_equal(value(out, "SwapFree"), HOST_SWAP - 16384);
	/* a swapless host: 0, whatever memory.swap.max says */
	assert_true(render_v2(fixture("host-noswap.meminfo"), lims, 4, swl, 3, "0\n",
	                      "209715200\n") > 0);
	assert_int_equal(value(out, "SwapTotal"), 0);
	assert_int_equal(value(out, "SwapFree"), 0);
}

static void test_v2_unlimited(void **state)
{
	const char *host = fixture("host-noswap.meminfo");
	const char *lims[] = { "max\n", "max\n" };

	(void)state;
	assert_true(render_v2(host, lims, 2, lims, 2, "0\n", "4096\n") > 0);
	check_layout(host, out, host_lines);
	check_totals();
	assert_int_equal(value(out, "MemTotal"), HOST_TOTAL);
	assert_int_equal(value(out, "MemFree"), HOST_TOTAL - 4);
}

static void test_no_swap_accounting(void **state)
{
	static const char *const kept[] = { "SwapTotal", "SwapFree", NULL };
	const char *host = fixture("host-swap.meminfo");
	const char *lims[] = { "268435456\n" };

	(void)state;
	/* v1 without memsw (swapaccount=0): the host's swap lines */
	assert_true(render_v1(host, fixture("v1-noswap.memory.stat"), "268435456\n",
	                      "104857600\n") > 0);
	check_layout(host, out, kept);
	check_totals();
	assert_int_equal(value(out, "MemTotal"), 262144);
	assert_int_equal(value(out, "SwapTotal"), HOST_SWAP);
	assert_int_equal(value(out, "SwapFree"), 2000000);
	/* v2 without memory.swap.* */
	assert_true(render_v2(host, lims, 1, NULL, 0, NULL, "104857600\n") > 0);
	check_layout(host, out, kept);
	assert_int_equal(value(out, "SwapFree"), 2000000);
}

static void test_errors(void **state)
{
	const char *host = fixture("host-noswap.meminfo");
	const char *stat = fixture("v1.memory.stat");
	const char *lims[] = { "max\n" };
	struct meminfo_src src = {
		.version = 3, .host = host, .stat = stat, .usage = "0\n", .limits = lims,
		.n_limits = 1,
	};
	char small[100];

	(void)state;
	assert_int_equal(meminfo_render(&src, out, sizeof(out)), -EINVAL);
	src.version = 1;
	assert_true(meminfo_render(&src, out, sizeof(out)) > 0);
	assert_int_equal(meminfo_render(&src, small, sizeof(small)), -ENOBUFS);
	assert_int_equal(meminfo_render(&src, small, 0), -ENOBUFS);
	src.usage = "lots\n";
	assert_int_equal(meminfo_render(&src, out, sizeof(out)), -EIO);
	src.usage = "-5\n";
	assert_int_equal(meminfo_render(&src, out, sizeof(out)), -EIO);
	src.usage = "0\n";
	lims[0] = "12ab\n";
	assert_int_equal(meminfo_render(&src, out, sizeof(out)), -EIO);
	lims[0] = "max\n";
	src.host = "MemFree: 5 kB\n";
	assert_int_equal(meminfo_render(&src, out, sizeof(out)), -EIO);
	src.host = "MemTotal:              0 kB\n";
	assert_int_equal(meminfo_render(&src, out, sizeof(out)), -EIO);
	src.host = host;
	src.stat = "total_cache 1x\n";
	assert_int_equal(meminfo_render(&src, out, sizeof(out)), -EIO);
	src.stat = NULL;
	assert_int_equal(meminfo_render(&src, out, sizeof(out)), -EIO);
	/* a host line without a colon or without a newline at the end is kept */
	src.stat = stat;
	src.host = "MemTotal:        1000 kB\nodd line\nMemFree:  9 kB";
	assert_true(meminfo_render(&src, out, sizeof(out)) > 0);
	assert_string_equal(out, "MemTotal:           1000 kB\nodd line\nMemFree:            1000 kB\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_limited),
		cmocka_unit_test(test_v1_unlimited),
		cmocka_unit_test(test_limit_above_host),
		cmocka_unit_test(test_usage_above_limit),
		cmocka_unit_test(test_v2_tree),
		cmocka_unit_test(test_v2_unlimited),
		cmocka_unit_test(test_no_swap_accounting),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
