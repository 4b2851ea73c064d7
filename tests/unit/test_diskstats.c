// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/procview_disk.c and proc/diskstats's row of the
 * view table: a group's /proc/diskstats from literal v2 io.stat and v1
 * blkio files (the throttling layer's, and CFQ's merged and time files)
 * over a literal host /proc/diskstats; text the kernel does not print;
 * and what the row reads, through an in-memory knob_io.
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

#include "cgfs/procview.h"
#include "cgfs/view.h"

/* cmocka before 1.1.6 has no assert_int_greater_or_equal. */
#define assert_nonneg(x) assert_true((x) >= 0)

static struct procview_disk d[PROCVIEW_DISKS_MAX];
static char out[65536];

static char *fixture(const char *name)
{
	char path[512], *buf = malloc(65536);
	FILE *f;
	size_t n;

	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The expected lines: the kernel's "%4d %7d %s" then 17 numbers. */
#define NVME_V2 " 259       0 nvme0n1 256 0 2048 0 1024 0 8192 0 0 0 0 0 0 0 0 0 0\n"
#define DM_V2 " 253       0 dm-0 256 0 2048 0 1024 0 8192 0 0 0 0 2 0 16 0 0 0\n"
/* ms reading: (1.5 s + 0.5 s) service and wait; writing 4.000000001 s;
 * weighted their sum, each summed in ns before the division. */
#define NVME_V1 " 259       0 nvme0n1 256 7 2048 2000 1024 33 8192 4000 0 0 6000 2 0 16 0 0 0\n"

static void v2_io_stat(void **state)
{
	char *host = fixture("host.diskstats"), *stat = fixture("v2.io.stat");
	size_t n = 0;

	(void)state;
	assert_int_equal(procview_iostat_add(stat, d, &n, PROCVIEW_DISKS_MAX), 0);
	assert_int_equal(n, 3);
	assert_int_equal(d[1].major, 253);
	assert_int_equal(d[1].bytes[2], 8192);
	/* 8:16 is in no host line; 8:0 (sda) did no I/O in the group */
	assert_int_equal(procview_diskstats_render(host, d, n, out, sizeof(out)),
	                 (int)strlen(NVME_V2 DM_V2));
	assert_string_equal(out, NVME_V2 DM_V2);
	free(host);
	free(stat);
}

static void v1_throttle_only(void **state)
{
	char *host = fixture("host.diskstats");
	char *bytes = fixture("v1.blkio.io_service_bytes_recursive");
	char *ios = fixture("v1.blkio.io_serviced_recursive");
	size_t n = 0;

	(void)state;
	assert_int_equal(procview_blkio_add(bytes, PROCVIEW_BLKIO_BYTES, d, &n, 8), 0);
	assert_int_equal(procview_blkio_add(ios, PROCVIEW_BLKIO_IOS, d, &n, 8), 0);
	assert_int_equal(n, 2); /* 259:0 and 7:1, the latter all 0 */
	assert_nonneg(procview_diskstats_render(host, d, n, out, sizeof(out)));
	assert_string_equal(out,
	                    " 259       0 nvme0n1 256 0 2048 0 1024 0 8192 0 0 0 0 2 0 16 0 0 0\n");
	free(host);
	free(bytes);
	free(ios);
}

static void v1_with_cfq(void **state)
{
	static const struct {
		const char *file;
		enum procview_blkio kind;
	} files[] = {
		{ "v1.blkio.io_service_bytes_recursive", PROCVIEW_BLKIO_BYTES },
		{ "v1.blkio.io_serviced_recursive", PROCVIEW_BLKIO_IOS },
		{ "v1.blkio.io_merged_recursive", PROCVIEW_BLKIO_MERGED },
		{ "v1.blkio.io_service_time_recursive", PROCVIEW_BLKIO_TIME_NS },
		{ "v1.blkio.io_wait_time_recursive", PROCVIEW_BLKIO_TIME_NS },
	};
	char *host = fixture("host.diskstats"), *text;
	size_t n = 0, i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		text = fixture(files[i].file);
		assert_int_equal(procview_blkio_add(text, files[i].kind, d, &n, 8), 0);
		free(text);
	}
	assert_nonneg(procview_diskstats_render(host, d, n, out, sizeof(out)));
	assert_string_equal(out, NVME_V1);
	free(host);
}

/* An empty group: the kernel's files name no disk (v1 its Total line). */
static void nothing_done(void **state)
{
	char *host = fixture("host.diskstats");
	size_t n = 0;

	(void)state;
	assert_int_equal(procview_blkio_add("Total 0\n", PROCVIEW_BLKIO_BYTES, d, &n, 8), 0);
	assert_int_equal(procview_iostat_add("", d, &n, 8), 0);
	assert_int_equal(n, 0);
	assert_int_equal(procview_diskstats_render(host, d, n, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* a disk listed with zeros makes no line */
	assert_int_equal(procview_iostat_add("7:0 rbytes=0 wbytes=0 rios=0 wios=0 dbytes=0 dios=0\n",
	                                     d, &n, 8),
	                 0);
	assert_int_equal(n, 1);
	assert_int_equal(procview_diskstats_render(host, d, n, out, sizeof(out)), 0);
	free(host);
}

/* The host's layout is copied: wide numbers, a name it gave. */
static void host_layout(void **state)
{
	const char host[] = "4095 1048575 odd.name-1 0 0 0 0 0 0 0 0 0 0 0\n"
	                    "   7       0 loop0 1 2 3 4 5 6 7 8 9 10 11\n";
	size_t n = 0;

	(void)state;
	assert_int_equal(procview_iostat_add("4095:1048575 wios=3 wbytes=1536\n7:0 rios=1\n", d,
	                                     &n, 8),
	                 0);
	assert_nonneg(procview_diskstats_render(host, d, n, out, sizeof(out)));
	assert_string_equal(out, "4095 1048575 odd.name-1 0 0 0 0 3 0 3 0 0 0 0 0 0 0 0 0 0\n"
	                         "   7       0 loop0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}

/* A host file naming a disk twice shows it once; past max, left out. */
static void once_and_bounded(void **state)
{
	const char host[] = "   7       0 loop0 0\n   7       0 again 0\n   7       1 loop1 0\n";
	size_t n = 0;

	(void)state;
	assert_int_equal(procview_iostat_add("7:0 rios=1\n7:1 rios=2\n", d, &n, 1), 0);
	assert_int_equal(n, 1);
	assert_nonneg(procview_diskstats_render(host, d, n, out, sizeof(out)));
	assert_string_equal(out, "   7       0 loop0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	n = 0;
	assert_int_equal(procview_blkio_add("7:0 Read 1\n7:1 Read 2\n7:2 Read 3\nTotal 6\n",
	                                    PROCVIEW_BLKIO_IOS, d, &n, 2),
	                 0);
	assert_int_equal(n, 2);
}

/* Counters add up to the most, never around. */
static void saturates(void **state)
{
	size_t n = 0;

	(void)state;
	assert_int_equal(procview_blkio_add("7:0 Read 18446744073709551615\n", PROCVIEW_BLKIO_TIME_NS,
	                                    d, &n, 8),
	                 0);
	assert_int_equal(procview_blkio_add("7:0 Read 5\n7:0 Write 18446744073709551615\n",
	                                    PROCVIEW_BLKIO_TIME_NS, d, &n, 8),
	                 0);
	assert_true(d[0].ns[0] == UINT64_MAX);
	assert_nonneg(
		procview_diskstats_render("7 0 loop0\n", d, n, out, sizeof(out)));
	assert_string_equal(out, "   7       0 loop0 0 0 0 18446744073709 0 0 0 18446744073709 0 0 "
	                         "18446744073709 0 0 0 0 0 0\n");
}

static void refused(void **state)
{
	static const char *const v2[] = {
		"8:0rbytes=1\n", "x:0 rbytes=1\n", "8: rbytes=1\n", "8:0 rbytes\n",
		"8:0 rbytes=-1\n", "8:0 rbytes=1x\n", "8:0 rbytes=18446744073709551616\n",
		"4096:0 rbytes=1\n", "8:1048576 rbytes=1\n", "8:0 rbytes=\n",
	};
	static const char *const v1[] = {
		"8:0 Read\n", "8:0 Read x\n", "8:0 Read 1 2\n", "Total x\n", "8-0 Read 1\n",
		"8:0 Read -1\n",
	};
	static const char *const host[] = { "x 0 sda\n", "8 0\n", "8\n", "8 x sda\n",
		                            "99999 0 sda\n" };
	size_t n, i;

	(void)state;
	for (i = 0; i < sizeof(v2) / sizeof(v2[0]); i++) {
		n = 0;
		assert_int_equal(procview_iostat_add(v2[i], d, &n, 8), -EIO);
	}
	for (i = 0; i < sizeof(v1) / sizeof(v1[0]); i++) {
		n = 0;
		assert_int_equal(procview_blkio_add(v1[i], PROCVIEW_BLKIO_BYTES, d, &n, 8), -EIO);
	}
	n = 0;
	assert_int_equal(procview_blkio_add("", (enum procview_blkio)9, d, &n, 8), -EINVAL);
	d[0] = (struct procview_disk){ .major = 8, .minor = 0, .ios = { 1 } };
	for (i = 0; i < sizeof(host) / sizeof(host[0]); i++)
		assert_int_equal(procview_diskstats_render(host[i], d, 1, out, sizeof(out)), -EIO);
	/* a buffer too small */
	assert_int_equal(procview_diskstats_render("8 0 sda\n", d, 1, out, 20), -ENOBUFS);
	assert_int_equal(procview_diskstats_render("8 0 sda\n", d, 1, out, 0), -ENOBUFS);
}

/* ---- the row, through an in-memory knob_io ---- */

struct fake {
	int version;
	const char *files[8][2]; /* name, text */
	const char *host;
	int reads;
};

static int fake_version(void *ctx, enum cg_ctrl c)
{
	return c == CTRL_IO ? ((struct fake *)ctx)->version : 0;
}

static int put(const char *text, char *buf, size_t size)
{
	size_t len = strlen(text);

	if (len >= size)
		len = size - 1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return (int)len;
}

static int fake_read(void *ctx, enum cg_ctrl c, const char *file, char *buf, size_t size)
{
	struct fake *f = ctx;
	size_t i;

	f->reads++;
	for (i = 0; c == CTRL_IO && i < 8 && f->files[i][0]; i++)
		if (strcmp(f->files[i][0], file) == 0)
			return put(f->files[i][1], buf, size);
	return -ENOENT;
}

static int fake_host_read(void *ctx, const char *path, char *buf, size_t size)
{
	struct fake *f = ctx;

	f->reads++;
	return strcmp(path, "/proc/diskstats") == 0 ? put(f->host, buf, size) : -ENOENT;
}

static int row_read(struct fake *f, char **ret)
{
	struct knob_io io = { .ctx = f, .version = fake_version, .read = fake_read,
		              .host_read = fake_host_read };
	int row = view_child(view_child(VIEW_TOP, "proc"), "diskstats");

	assert_true(row >= 0);
	assert_string_equal(view_table[row].knob, "io_read_mbps");
	return view_table[row].read(&io, ret);
}

static void row_v2(void **state)
{
	char *host = fixture("host.diskstats"), *stat = fixture("v2.io.stat"), *text = NULL;
	struct fake f = { 2, { { "io.stat", stat } }, host, 0 };

	(void)state;
	assert_int_equal(row_read(&f, &text), (int)strlen(NVME_V2 DM_V2));
	assert_string_equal(text, NVME_V2 DM_V2);
	assert_int_equal(f.reads, 2); /* io.stat and the host's file */
	free(text);
	/* no io.stat: the group's file says so */
	f.files[0][0] = "io.nonesuch";
	assert_int_equal(row_read(&f, &text), -ENOENT);
	f.version = 0;
	assert_int_equal(row_read(&f, &text), -ENOENT);
	free(host);
	free(stat);
}

static void row_v1(void **state)
{
	static const char *const names[] = {
		"blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_serviced_recursive",
		"blkio.io_merged_recursive", "blkio.io_service_time_recursive",
		"blkio.io_wait_time_recursive",
	};
	static const char *const fixtures[] = {
		"v1.blkio.io_service_bytes_recursive", "v1.blkio.io_serviced_recursive",
		"v1.blkio.io_merged_recursive", "v1.blkio.io_service_time_recursive",
		"v1.blkio.io_wait_time_recursive",
	};
	char *host = fixture("host.diskstats"), *texts[5], *text = NULL;
	struct fake f = { 1, { { 0 } }, host, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		texts[i] = fixture(fixtures[i]);
		f.files[i][0] = names[i];
		f.files[i][1] = texts[i];
	}
	assert_nonneg(row_read(&f, &text));
	assert_string_equal(text, NVME_V1);
	assert_int_equal(f.reads, 6);
	free(text);
	/* BFQ's names for the optional files */
	f.files[2][0] = "blkio.bfq.io_merged_recursive";
	f.files[3][0] = "blkio.bfq.io_service_time_recursive";
	f.files[4][0] = "blkio.bfq.io_wait_time_recursive";
	f.reads = 0;
	assert_nonneg(row_read(&f, &text));
	assert_string_equal(text, NVME_V1);
	assert_int_equal(f.reads, 9); /* at most two names per file, then the host's */
	free(text);
	/* the throttling layer's alone: no merged, no time */
	f.files[2][0] = NULL;
	f.reads = 0;
	assert_nonneg(row_read(&f, &text));
	assert_string_equal(text,
	                    " 259       0 nvme0n1 256 0 2048 0 1024 0 8192 0 0 0 0 2 0 16 0 0 0\n");
	assert_int_equal(f.reads, 9);
	free(text);
	/* a needed file missing, or one the kernel would not print */
	f.files[1][0] = NULL;
	assert_int_equal(row_read(&f, &text), -ENOENT);
	f.files[1][0] = names[1];
	f.files[1][1] = "259:0 Read many\n";
	assert_int_equal(row_read(&f, &text), -EIO);
	for (i = 0; i < 5; i++)
		free(texts[i]);
	free(host);
}

/* A group file longer than the first buffer is read whole. */
static void row_long_file(void **state)
{
	size_t size = 200000, len = 0, i;
	char *stat = malloc(size), *text = NULL;
	struct fake f = { 2, { { "io.stat", NULL } }, "   8       0 sda 0\n", 0 };

	(void)state;
	assert_non_null(stat);
	for (i = 0; i < 1000; i++)
		len += (size_t)snprintf(stat + len, size - len,
		                        "8:%zu rbytes=0 wbytes=0 rios=0 wios=0 dbytes=0 dios=0 "
		                        "cost.vrate=100.00 cost.usage=0 cost.wait=0\n",
		                        i + 100);
	snprintf(stat + len, size - len, "8:0 rios=3\n");
	f.files[0][1] = stat;
	assert_nonneg(row_read(&f, &text));
	assert_string_equal(text, "   8       0 sda 3 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	free(text);
	free(stat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v2_io_stat),     cmocka_unit_test(v1_throttle_only),
		cmocka_unit_test(v1_with_cfq),    cmocka_unit_test(nothing_done),
		cmocka_unit_test(host_layout),    cmocka_unit_test(once_and_bounded),
		cmocka_unit_test(saturates),      cmocka_unit_test(refused),
		cmocka_unit_test(row_v2),         cmocka_unit_test(row_v1),
		cmocka_unit_test(row_long_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
