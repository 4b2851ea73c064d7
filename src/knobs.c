// SPDX-License-Identifier: MIT
/*
 * knobs: the table of friendly files and their conversions.
 *
 * Each knob is a row of knob_table plus a few small functions. They reach
 * the kernel only through struct knob_io, pick the v1 or v2 file from the
 * version of the hierarchy serving their controller, validate everything
 * before their first write, and undo their own writes when a later one is
 * refused, so that a refused value changes nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs/knobs.h"
#include "cgfs/meminfo.h"
#include "cgfs/units.h"

/* v1 memory prints "unlimited" as PAGE_COUNTER_MAX pages times the page
 * size: LONG_MAX rounded down to a page, 9223372036854771712 with 4 KiB
 * pages. Everything from LONG_MAX rounded down to 64 KiB (the largest
 * common page size) up means no limit. */
#define V1_MEM_UNLIMITED UINT64_C(0x7FFFFFFFFFFF0000)
#define MEM_LIMIT_V1 "memory.limit_in_bytes"
#define MEMSW_V1 "memory.memsw.limit_in_bytes"
/* The period cpu_percent's check assumes: the kernel's default. */
#define CFS_PERIOD_DEFAULT UINT64_C(100000)
/* PID_MAX_LIMIT: pids.max takes 0..PID_MAX_LIMIT or "max". */
#define PIDS_LIMIT UINT64_C(4194304)
#define WEIGHT_MIN UINT64_C(1)
#define WEIGHT_MAX UINT64_C(10000)

/* ---- reading and writing through knob_io ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* The version of the hierarchy serving c, or -ENOENT when none does. */
static int need_version(const struct knob_io *io, enum cg_ctrl c)
{
	int v = io->version(io->ctx, c);

	return v == 1 || v == 2 ? v : -ENOENT;
}

/* Reads a whole interface file, trailing newline and blanks removed. */
static int read_text(const struct knob_io *io, enum cg_ctrl c, const char *file, char *buf,
                     size_t size)
{
	int n = io->read(io->ctx, c, file, buf, size);

	if (n < 0)
		return n;
	if ((size_t)n >= size)
		n = (int)size - 1;
	buf[n] = '\0';
	while (n > 0 && is_blank(buf[n - 1]))
		buf[--n] = '\0';
	return n;
}

/* A number as the kernel prints it: decimal, or "max" -> UNITS_MAX.
 * Text we do not understand is the kernel's surprise, not the user's
 * mistake: -EIO. */
static int parse_kernel_u64(const char *s, uint64_t *ret)
{
	if (strcmp(s, "max") == 0) {
		*ret = UNITS_MAX;
		return 0;
	}
	return units_parse_uint(s, 0, UNITS_MAX - 1, 0, ret) < 0 ? -EIO : 0;
}

static int read_u64(const struct knob_io *io, enum cg_ctrl c, const char *file, uint64_t *ret)
{
	char buf[64];
	int res = read_text(io, c, file, buf, sizeof(buf));

	return res < 0 ? res : parse_kernel_u64(buf, ret);
}

/* The value of "key N" in a flat-keyed file (cpu.stat, memory.events,
 * cgroup.events, memory.oom_control, io.weight's "default N"). Keys are
 * whole words: "oom_kill" is not "oom_kill_disable". -ENODATA if absent. */
static int keyed_value(const char *text, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (*line) {
		const char *end = strchrnul(line, '\n');
		char num[32];
		size_t n;

		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			n = (size_t)(end - line) - klen - 1;
			if (n >= sizeof(num))
				return -EIO;
			memcpy(num, line + klen + 1, n);
			num[n] = '\0';
			return parse_kernel_u64(num, ret);
		}
		line = *end ? end + 1 : end;
	}
	return -ENODATA;
}

static int read_keyed(const struct knob_io *io, enum cg_ctrl c, const char *file,
                      const char *key, uint64_t *ret)
{
	char buf[KNOB_TEXT_MAX];
	int res = read_text(io, c, file, buf, sizeof(buf));

	return res < 0 ? res : keyed_value(buf, key, ret);
}

static int write_u64(const struct knob_io *io, enum cg_ctrl c, const char *file, uint64_t v)
{
	char text[32];

	snprintf(text, sizeof(text), "%" PRIu64, v);
	return io->write(io->ctx, c, file, text);
}

/* ---- rendering: every value is one line ---- */

static int put_line(char *buf, size_t size, const char *text)
{
	int n = snprintf(buf, size, "%s\n", text);

	return n < 0 || (size_t)n >= size ? -ENOBUFS : n;
}

static int put_u64(char *buf, size_t size, uint64_t v)
{
	char text[32];

	if (v == UNITS_MAX)
		return put_line(buf, size, "max");
	snprintf(text, sizeof(text), "%" PRIu64, v);
	return put_line(buf, size, text);
}

static int put_mib(char *buf, size_t size, uint64_t bytes)
{
	char text[32];
	int res = units_format_mib(bytes, text, sizeof(text));

	return res < 0 ? res : put_line(buf, size, text);
}

static int put_percent(char *buf, size_t size, uint64_t centi)
{
	char text[32];
	int res = units_format_percent(centi, text, sizeof(text));

	return res < 0 ? res : put_line(buf, size, text);
}

/* ---- memory ---- */

/* Bytes in a memory file; UNITS_MAX for no limit on either version. */
static int mem_read(const struct knob_io *io, int version, const char *file, uint64_t *ret)
{
	int res = read_u64(io, CTRL_MEMORY, file, ret);

	if (res == 0 && version == 1 && *ret >= V1_MEM_UNLIMITED)
		*ret = UNITS_MAX;
	return res;
}

/* v1 takes "-1" for no limit, v2 "max". */
static int mem_write(const struct knob_io *io, int version, const char *file, uint64_t bytes)
{
	if (bytes == UNITS_MAX)
		return io->write(io->ctx, CTRL_MEMORY, file, version == 1 ? "-1" : "max");
	return write_u64(io, CTRL_MEMORY, file, bytes);
}

/* a + b, where anything past the kernel's signed counters is no limit. */
static uint64_t mem_add(uint64_t a, uint64_t b)
{
	uint64_t sum;

	if (a == UNITS_MAX || b == UNITS_MAX || __builtin_add_overflow(a, b, &sum) ||
	    sum > (uint64_t)INT64_MAX)
		return UNITS_MAX;
	return sum;
}

static int mem_get(const struct knob_io *io, const char *v1_file, const char *v2_file,
                   char *buf, size_t size)
{
	int v = need_version(io, CTRL_MEMORY), res;
	uint64_t bytes;

	if (v < 0)
		return v;
	res = mem_read(io, v, v == 1 ? v1_file : v2_file, &bytes);
	return res < 0 ? res : put_mib(buf, size, bytes);
}

static int mem_set(const struct knob_io *io, const char *v1_file, const char *v2_file,
                   const char *value)
{
	uint64_t bytes;
	int v, res = units_parse_size(value, &bytes);

	if (res < 0)
		return res;
	v = need_version(io, CTRL_MEMORY);
	if (v < 0)
		return v;
	return mem_write(io, v, v == 1 ? v1_file : v2_file, bytes);
}

static int check_size(const char *value)
{
	uint64_t bytes;

	return units_parse_size(value, &bytes);
}

/* Writes file a, then file b (v1 memory files); when b is refused, puts a
 * back to its old value, so the pair changes together or not at all. */
static int mem_write_pair(const struct knob_io *io, const char *a, uint64_t a_new,
                          uint64_t a_old, const char *b, uint64_t b_new)
{
	int res = mem_write(io, 1, a, a_new);

	if (res < 0)
		return res;
	res = mem_write(io, 1, b, b_new);
	if (res < 0)
		mem_write(io, 1, a, a_old); /* the kernel held it a moment ago */
	return res;
}

/* v1 has no swap limit of its own, only memsw = memory + swap, and it
 * refuses memory > memsw (EINVAL). Moving the memory limit keeps the swap
 * allowance memsw - memory, writing in the order that never crosses:
 * memsw first when raising, memory first when lowering. */
static int memory_limit_set_v1(const struct knob_io *io, uint64_t bytes)
{
	uint64_t lim, sw, new_sw;
	int res;

	if (!io->exists(io->ctx, CTRL_MEMORY, MEMSW_V1))
		return mem_write(io, 1, MEM_LIMIT_V1, bytes);
	res = mem_read(io, 1, MEMSW_V1, &sw);
	if (res < 0)
		return res;
	if (sw == UNITS_MAX) /* swap unlimited: nothing to keep */
		return mem_write(io, 1, MEM_LIMIT_V1, bytes);
	res = mem_read(io, 1, MEM_LIMIT_V1, &lim);
	if (res < 0)
		return res;
	new_sw = mem_add(bytes, sw > lim ? sw - lim : 0);
	if (bytes == UNITS_MAX || bytes > lim)
		return mem_write_pair(io, MEMSW_V1, new_sw, sw, MEM_LIMIT_V1, bytes);
	return mem_write_pair(io, MEM_LIMIT_V1, bytes, lim, MEMSW_V1, new_sw);
}

static int memory_limit_get(const struct knob_io *io, char *buf, size_t size)
{
	return mem_get(io, MEM_LIMIT_V1, "memory.max", buf, size);
}

static int memory_limit_set(const struct knob_io *io, const char *value)
{
	uint64_t bytes;
	int v, res = units_parse_size(value, &bytes);

	if (res < 0)
		return res;
	v = need_version(io, CTRL_MEMORY);
	if (v < 0)
		return v;
	if (v == 2)
		return mem_write(io, 2, "memory.max", bytes);
	return memory_limit_set_v1(io, bytes);
}

static int memory_high_get(const struct knob_io *io, char *buf, size_t size)
{
	return mem_get(io, "memory.soft_limit_in_bytes", "memory.high", buf, size);
}

static int memory_high_set(const struct knob_io *io, const char *value)
{
	return mem_set(io, "memory.soft_limit_in_bytes", "memory.high", value);
}

/* v1 shows memsw - memory: the swap on top of the memory limit. */
static int memory_swap_get(const struct knob_io *io, char *buf, size_t size)
{
	uint64_t sw, lim = 0;
	int v = need_version(io, CTRL_MEMORY), res;

	if (v < 0)
		return v;
	if (v == 2)
		return mem_get(io, NULL, "memory.swap.max", buf, size);
	res = mem_read(io, 1, MEMSW_V1, &sw);
	if (res == 0 && sw != UNITS_MAX)
		res = mem_read(io, 1, MEM_LIMIT_V1, &lim);
	if (res < 0)
		return res;
	if (sw == UNITS_MAX)
		return put_mib(buf, size, UNITS_MAX);
	return put_mib(buf, size, sw > lim ? sw - lim : 0);
}

/* v1 memsw = memory limit + swap: without a memory limit there is nothing
 * to add a finite swap allowance to (-EINVAL). */
static int memory_swap_set(const struct knob_io *io, const char *value)
{
	uint64_t swap, lim;
	int v, res = units_parse_size(value, &swap);

	if (res < 0)
		return res;
	v = need_version(io, CTRL_MEMORY);
	if (v < 0)
		return v;
	if (v == 2)
		return mem_write(io, 2, "memory.swap.max", swap);
	if (swap == UNITS_MAX)
		return mem_write(io, 1, MEMSW_V1, UNITS_MAX);
	res = mem_read(io, 1, MEM_LIMIT_V1, &lim);
	if (res < 0)
		return res;
	if (lim == UNITS_MAX)
		return -EINVAL;
	return mem_write(io, 1, MEMSW_V1, mem_add(lim, swap));
}

static int memory_usage_get(const struct knob_io *io, char *buf, size_t size)
{
	return mem_get(io, "memory.usage_in_bytes", "memory.current", buf, size);
}

static int memory_peak_get(const struct knob_io *io, char *buf, size_t size)
{
	return mem_get(io, "memory.max_usage_in_bytes", "memory.peak", buf, size);
}

/* ---- cpu ---- */

/* v2 cpu.max: "QUOTA PERIOD" or "max PERIOD". */
static int parse_cpu_max(const char *text, uint64_t *ret_quota, uint64_t *ret_period)
{
	const char *sp = strchr(text, ' ');
	char quota[32];

	if (!sp || (size_t)(sp - text) >= sizeof(quota))
		return -EIO;
	memcpy(quota, text, (size_t)(sp - text));
	quota[sp - text] = '\0';
	if (parse_kernel_u64(quota, ret_quota) < 0 || parse_kernel_u64(sp + 1, ret_period) < 0 ||
	    *ret_period == UNITS_MAX)
		return -EIO;
	return 0;
}

/* The group's CFS quota (UNITS_MAX: none) and period, on either version. */
static int cpu_bandwidth(const struct knob_io *io, int v, uint64_t *quota, uint64_t *period)
{
	char buf[64];
	int res;

	if (v == 2) {
		res = read_text(io, CTRL_CPU, "cpu.max", buf, sizeof(buf));
		return res < 0 ? res : parse_cpu_max(buf, quota, period);
	}
	res = read_u64(io, CTRL_CPU, "cpu.cfs_period_us", period);
	if (res == 0)
		res = read_text(io, CTRL_CPU, "cpu.cfs_quota_us", buf, sizeof(buf));
	if (res < 0)
		return res;
	/* v1 spells "no quota" as a negative number (-1) */
	if (buf[0] == '-') {
		*quota = UNITS_MAX;
		return 0;
	}
	return parse_kernel_u64(buf, quota);
}

static int cpu_percent_get(const struct knob_io *io, char *buf, size_t size)
{
	uint64_t quota, period;
	int v = need_version(io, CTRL_CPU), res;

	if (v < 0)
		return v;
	res = cpu_bandwidth(io, v, &quota, &period);
	if (res < 0)
		return res;
	return put_percent(buf, size,
	                   quota == UNITS_MAX ? UNITS_MAX : units_quota_to_percent(quota, period));
}

/* The quota is computed for the group's current period and kept within
 * the kernel's bounds (-ERANGE) before anything is written. */
static int cpu_percent_set(const struct knob_io *io, const char *value)
{
	uint64_t centi, quota, period, unused_quota;
	char text[64];
	int v, res = units_parse_percent(value, &centi);

	if (res < 0)
		return res;
	v = need_version(io, CTRL_CPU);
	if (v < 0)
		return v;
	if (centi == UNITS_MAX)
		return io->write(io->ctx, CTRL_CPU, v == 1 ? "cpu.cfs_quota_us" : "cpu.max",
		                 v == 1 ? "-1" : "max");
	/* Only the period matters: v1 keeps it in a file of its own. */
	if (v == 1)
		res = read_u64(io, CTRL_CPU, "cpu.cfs_period_us", &period);
	else
		res = cpu_bandwidth(io, v, &unused_quota, &period);
	if (res < 0)
		return res;
	res = units_percent_to_quota(centi, period, &quota);
	if (res < 0)
		return res;
	if (v == 1)
		return write_u64(io, CTRL_CPU, "cpu.cfs_quota_us", quota);
	snprintf(text, sizeof(text), "%" PRIu64 " %" PRIu64, quota, period);
	return io->write(io->ctx, CTRL_CPU, "cpu.max", text);
}

/* Checked against the kernel's default period; set() uses the real one. */
static int check_percent(const char *value)
{
	uint64_t centi, quota;
	int res = units_parse_percent(value, &centi);

	if (res < 0 || centi == UNITS_MAX)
		return res;
	return units_percent_to_quota(centi, CFS_PERIOD_DEFAULT, &quota);
}

static int parse_weight(const char *value, uint64_t *ret)
{
	return units_parse_uint(value, WEIGHT_MIN, WEIGHT_MAX, 0, ret);
}

static int check_weight(const char *value)
{
	uint64_t w;

	return parse_weight(value, &w);
}

static int cpu_weight_get(const struct knob_io *io, char *buf, size_t size)
{
	uint64_t n;
	int v = need_version(io, CTRL_CPU), res;

	if (v < 0)
		return v;
	res = read_u64(io, CTRL_CPU, v == 1 ? "cpu.shares" : "cpu.weight", &n);
	if (res < 0)
		return res;
	return put_u64(buf, size, v == 1 ? units_shares_to_weight(n) : n);
}

static int cpu_weight_set(const struct knob_io *io, const char *value)
{
	uint64_t w;
	int v, res = parse_weight(value, &w);

	if (res < 0)
		return res;
	v = need_version(io, CTRL_CPU);
	if (v < 0)
		return v;
	if (v == 1)
		return write_u64(io, CTRL_CPU, "cpu.shares", units_weight_to_shares(w));
	return write_u64(io, CTRL_CPU, "cpu.weight", w);
}

/* ---- cpuset ---- */

/* v2 leaves cpuset.cpus empty until it is written: the group then uses
 * its parent's CPUs, which cpuset.cpus.effective shows. That is what a
 * new v1 group reads too (its cpus are copied from the parent). */
static int cpus_get(const struct knob_io *io, char *buf, size_t size)
{
	char text[KNOB_TEXT_MAX];
	int v = need_version(io, CTRL_CPUSET), res = v;

	if (v > 0)
		res = read_text(io, CTRL_CPUSET, "cpuset.cpus", text, sizeof(text));
	if (res == 0 && v == 2)
		res = read_text(io, CTRL_CPUSET, "cpuset.cpus.effective", text, sizeof(text));
	return res < 0 ? res : put_line(buf, size, text);
}

static int cpus_set(const struct knob_io *io, const char *value)
{
	int res = units_check_cpulist(value);

	if (res == 0)
		res = need_version(io, CTRL_CPUSET);
	return res < 0 ? res : io->write(io->ctx, CTRL_CPUSET, "cpuset.cpus", value);
}

/* ---- pids ---- */

static int check_pids(const char *value)
{
	uint64_t n;

	return units_parse_uint(value, 0, PIDS_LIMIT, 1, &n);
}

/* pids.max and pids.current read the same on v1 and v2. */
static int pids_get(const struct knob_io *io, const char *file, char *buf, size_t size)
{
	uint64_t n;
	int res = need_version(io, CTRL_PIDS);

	if (res >= 0)
		res = read_u64(io, CTRL_PIDS, file, &n);
	return res < 0 ? res : put_u64(buf, size, n);
}

static int pids_max_get(const struct knob_io *io, char *buf, size_t size)
{
	return pids_get(io, "pids.max", buf, size);
}

static int pids_current_get(const struct knob_io *io, char *buf, size_t size)
{
	return pids_get(io, "pids.current", buf, size);
}

static int pids_max_set(const struct knob_io *io, const char *value)
{
	uint64_t n;
	int res = units_parse_uint(value, 0, PIDS_LIMIT, 1, &n);

	if (res == 0)
		res = need_version(io, CTRL_PIDS);
	if (res < 0)
		return res;
	if (n == UNITS_MAX)
		return io->write(io->ctx, CTRL_PIDS, "pids.max", "max");
	return write_u64(io, CTRL_PIDS, "pids.max", n);
}

/* ---- io ---- */

/* The io weight files, preferred first. BFQ's (v1 and v2) and CFQ's
 * blkio.weight take 1..1000 (BFQ_MAX_WEIGHT), so they get the blkio
 * conversion; only v2's io.weight (iocost) takes 1..10000 as is. v2 files
 * print "default N" plus per-device lines; v1 files a plain N. */
struct io_file {
	const char *name;
	int version;
	bool keyed;
	bool blkio_range;
};

static const struct io_file io_files[] = {
	{ "blkio.bfq.weight", 1, false, true },
	{ "blkio.weight", 1, false, true },
	{ "io.bfq.weight", 2, true, true },
	{ "io.weight", 2, true, false },
};

static const struct io_file *io_file_for(const struct knob_io *io)
{
	int v = io->version(io->ctx, CTRL_IO);
	size_t i;

	for (i = 0; i < sizeof(io_files) / sizeof(io_files[0]); i++)
		if (io_files[i].version == v && io->exists(io->ctx, CTRL_IO, io_files[i].name))
			return &io_files[i];
	return NULL;
}

static bool io_weight_available(const struct knob_io *io)
{
	return io_file_for(io) != NULL;
}

static int io_weight_get(const struct knob_io *io, char *buf, size_t size)
{
	const struct io_file *f = io_file_for(io);
	uint64_t n;
	int res;

	if (!f)
		return -ENOENT;
	if (f->keyed)
		res = read_keyed(io, CTRL_IO, f->name, "default", &n);
	else
		res = read_u64(io, CTRL_IO, f->name, &n);
	if (res == -ENODATA)
		return -EIO; /* the kernel always prints a default line */
	if (res < 0)
		return res;
	return put_u64(buf, size, f->blkio_range ? units_blkio_to_weight(n) : n);
}

static int io_weight_set(const struct knob_io *io, const char *value)
{
	const struct io_file *f;
	uint64_t w, n;
	char text[32];
	int res = parse_weight(value, &w);

	if (res < 0)
		return res;
	f = io_file_for(io);
	if (!f)
		return -ENOENT;
	n = f->blkio_range ? units_weight_to_blkio(w) : w;
	snprintf(text, sizeof(text), "%s%" PRIu64, f->keyed ? "default " : "", n);
	return io->write(io->ctx, CTRL_IO, f->name, text);
}

/* ---- stat ---- */

enum stat_unit {
	STAT_COUNT,
	STAT_NS_SECONDS,
	STAT_US_SECONDS,
	STAT_BYTES_MIB,
};

struct stat_src {
	const char *file;
	const char *key; /* NULL: the file is one number */
	enum stat_unit unit;
};

struct stat_line {
	const char *name;
	enum cg_ctrl ctrl;
	struct stat_src v1, v2;
};

static const struct stat_line stat_lines[] = {
	{ "cpu_user_seconds", CTRL_CPUACCT,
	  { "cpuacct.usage_user", NULL, STAT_NS_SECONDS },
	  { "cpu.stat", "user_usec", STAT_US_SECONDS } },
	{ "cpu_system_seconds", CTRL_CPUACCT,
	  { "cpuacct.usage_sys", NULL, STAT_NS_SECONDS },
	  { "cpu.stat", "system_usec", STAT_US_SECONDS } },
	{ "memory_usage_mb", CTRL_MEMORY,
	  { "memory.usage_in_bytes", NULL, STAT_BYTES_MIB },
	  { "memory.current", NULL, STAT_BYTES_MIB } },
	{ "memory_peak_mb", CTRL_MEMORY,
	  { "memory.max_usage_in_bytes", NULL, STAT_BYTES_MIB },
	  { "memory.peak", NULL, STAT_BYTES_MIB } },
	{ "oom_kills", CTRL_MEMORY,
	  { "memory.oom_control", "oom_kill", STAT_COUNT },
	  { "memory.events", "oom_kill", STAT_COUNT } },
	{ "pids_current", CTRL_PIDS,
	  { "pids.current", NULL, STAT_COUNT },
	  { "pids.current", NULL, STAT_COUNT } },
	{ "throttled_seconds", CTRL_CPU,
	  { "cpu.stat", "throttled_time", STAT_NS_SECONDS },
	  { "cpu.stat", "throttled_usec", STAT_US_SECONDS } },
};

#define N_STAT_LINES (sizeof(stat_lines) / sizeof(stat_lines[0]))

/* The source of line l on this group, or NULL when it has none. */
static const struct stat_src *stat_source(const struct knob_io *io, const struct stat_line *l)
{
	int v = io->version(io->ctx, l->ctrl);
	const struct stat_src *src = v == 1 ? &l->v1 : v == 2 ? &l->v2 : NULL;

	return src && io->exists(io->ctx, l->ctrl, src->file) ? src : NULL;
}

/* "populated" as v2's cgroup.events says it; v1 has no such file, but its
 * pids counter is hierarchical, so pids.current > 0 means the same. */
static int stat_populated(const struct knob_io *io, uint64_t *ret)
{
	uint64_t n;
	int res;

	if (io->version(io->ctx, CTRL_FREEZER) == 2 &&
	    io->exists(io->ctx, CTRL_FREEZER, "cgroup.events"))
		return read_keyed(io, CTRL_FREEZER, "cgroup.events", "populated", ret);
	if (io->version(io->ctx, CTRL_PIDS) == 0 ||
	    !io->exists(io->ctx, CTRL_PIDS, "pids.current"))
		return -ENOENT;
	res = read_u64(io, CTRL_PIDS, "pids.current", &n);
	if (res == 0)
		*ret = n > 0;
	return res;
}

static bool stat_available(const struct knob_io *io)
{
	uint64_t n;
	size_t i;

	for (i = 0; i < N_STAT_LINES; i++)
		if (stat_source(io, &stat_lines[i]))
			return true;
	return stat_populated(io, &n) == 0;
}

/* The lines rendered so far into the caller's buffer. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static int out_line(struct out *o, const char *name, const char *value)
{
	int n = snprintf(o->buf + o->len, o->size - o->len, "%s %s\n", name, value);

	if (n < 0 || (size_t)n >= o->size - o->len)
		return -ENOBUFS;
	o->len += (size_t)n;
	return 0;
}

static void format_stat(enum stat_unit unit, uint64_t v, char *text, size_t size)
{
	switch (unit) {
	case STAT_NS_SECONDS:
		snprintf(text, size, "%" PRIu64 ".%06" PRIu64, v / 1000000000, v % 1000000000 / 1000);
		break;
	case STAT_US_SECONDS:
		snprintf(text, size, "%" PRIu64 ".%06" PRIu64, v / 1000000, v % 1000000);
		break;
	case STAT_BYTES_MIB:
		units_format_mib(v, text, size);
		break;
	case STAT_COUNT:
		snprintf(text, size, "%" PRIu64, v);
		break;
	}
}

/* One line; a key missing from its file (v2 cpu.stat without the cpu
 * controller has no throttled_usec) leaves the line out. */
static int stat_render_line(const struct knob_io *io, const struct stat_line *l, struct out *o)
{
	const struct stat_src *src = stat_source(io, l);
	char text[48];
	uint64_t v;
	int res;

	if (!src)
		return 0;
	if (src->key)
		res = read_keyed(io, l->ctrl, src->file, src->key, &v);
	else
		res = read_u64(io, l->ctrl, src->file, &v);
	if (res == -ENODATA)
		return 0;
	if (res < 0)
		return res;
	format_stat(src->unit, v, text, sizeof(text));
	return out_line(o, l->name, text);
}

static int stat_get(const struct knob_io *io, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	uint64_t populated;
	size_t i;
	int res;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	for (i = 0; i < N_STAT_LINES; i++) {
		res = stat_render_line(io, &stat_lines[i], &o);
		if (res < 0)
			return res;
	}
	res = stat_populated(io, &populated);
	if (res == 0)
		res = out_line(&o, "populated", populated ? "1" : "0");
	if (res < 0 && res != -ENOENT && res != -ENODATA)
		return res;
	return (int)o.len;
}

/* ---- meminfo ---- */

/* The files meminfo_render() takes, read into one allocation. */
struct meminfo_files {
	char host[MEMINFO_TEXT_MAX];
	char stat[MEMINFO_TEXT_MAX];
	char usage[32];
	char swap_usage[32];
	char lim[MEMINFO_MAX_DEPTH][32];
	char swlim[MEMINFO_MAX_DEPTH][32];
	const char *lims[MEMINFO_MAX_DEPTH];
	const char *swlims[MEMINFO_MAX_DEPTH];
};

/* file of the group, then of each ancestor, until one has none (v2's root
 * cgroup has no memory.max); 0 files is -ENOENT. */
static int read_up(const struct knob_io *io, const char *file, char (*out)[32],
                   const char **ptrs, size_t *ret_n)
{
	char path[3 * MEMINFO_MAX_DEPTH + 32] = "";
	size_t n;
	int res = 0;

	for (n = 0; n < MEMINFO_MAX_DEPTH; n++) {
		snprintf(path + 3 * n, sizeof(path) - 3 * n, "%s", file);
		res = read_text(io, CTRL_MEMORY, path, out[n], sizeof(out[n]));
		if (res < 0)
			break;
		ptrs[n] = out[n];
		memcpy(path + 3 * n, "../", 3);
	}
	*ret_n = n;
	return n > 0 ? 0 : res;
}

static int meminfo_read(const struct knob_io *io, int v, struct meminfo_files *f,
                        struct meminfo_src *src)
{
	int res = io->host_read ? io->host_read(io->ctx, "/proc/meminfo", f->host, sizeof(f->host))
	                        : -ENOENT;

	if (res >= 0)
		res = io->read(io->ctx, CTRL_MEMORY, "memory.stat", f->stat, sizeof(f->stat));
	if (res >= 0)
		res = read_text(io, CTRL_MEMORY, v == 1 ? "memory.usage_in_bytes" : "memory.current",
		                f->usage, sizeof(f->usage));
	/* v1's memory.stat has the smallest limit up the tree already */
	src->n_limits = res >= 0 && v == 1 && strstr(f->stat, "\nhierarchical_memory_limit ") ? 0 : 1;
	if (res >= 0 && v == 1 && src->n_limits)
		res = read_text(io, CTRL_MEMORY, MEM_LIMIT_V1, f->lim[0], sizeof(f->lim[0]));
	if (res >= 0 && v == 2)
		res = read_up(io, "memory.max", f->lim, f->lims, &src->n_limits);
	if (res < 0)
		return res;
	f->lims[0] = f->lim[0];
	/* v2 without swap accounting (swapaccount=0) has no swap files */
	if (v == 2 && read_up(io, "memory.swap.max", f->swlim, f->swlims, &src->n_swap_limits) == 0 &&
	    read_text(io, CTRL_MEMORY, "memory.swap.current", f->swap_usage, sizeof(f->swap_usage)) >= 0)
		src->swap_usage = f->swap_usage;
	src->version = v;
	src->host = f->host;
	src->stat = f->stat;
	src->usage = f->usage;
	src->limits = f->lims;
	src->swap_limits = f->swlims;
	return 0;
}

static int meminfo_get(const struct knob_io *io, char *buf, size_t size)
{
	struct meminfo_src src = { 0 };
	struct meminfo_files *f;
	int v = need_version(io, CTRL_MEMORY), res;

	if (v < 0)
		return v;
	f = malloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	res = meminfo_read(io, v, f, &src);
	if (res >= 0)
		res = meminfo_render(&src, buf, size);
	free(f);
	return res;
}

/* ---- procs, freeze, kill: validated here, carried out by group ---- */

static int check_pid(const char *value)
{
	int pid;

	return knob_parse_pid(value, &pid);
}

static int check_freeze(const char *value)
{
	int on;

	return knob_parse_freeze(value, &on);
}

static bool always(const struct knob_io *io)
{
	(void)io;
	return true;
}

/* ---- the table ---- */

#define VALUE_KNOB(n, m, c, f1, f2, is_cap, g, s, chk, avail)                              \
	{ .name = (n), .mode = (m), .ctrl = (c), .v1_file = (f1), .v2_file = (f2),           \
	  .cap = (is_cap), .kind = KNOB_VALUE, .get = (g), .set = (s), .check = (chk),       \
	  .available = (avail) }

const struct knob knob_table[] = {
	VALUE_KNOB("memory_limit_mb", 0644, CTRL_MEMORY, MEM_LIMIT_V1, "memory.max", true,
	           memory_limit_get, memory_limit_set, check_size, NULL),
	VALUE_KNOB("memory_high_mb", 0644, CTRL_MEMORY, "memory.soft_limit_in_bytes",
	           "memory.high", true, memory_high_get, memory_high_set, check_size, NULL),
	VALUE_KNOB("memory_swap_limit_mb", 0644, CTRL_MEMORY, MEMSW_V1, "memory.swap.max", true,
	           memory_swap_get, memory_swap_set, check_size, NULL),
	VALUE_KNOB("memory_usage_mb", 0444, CTRL_MEMORY, "memory.usage_in_bytes",
	           "memory.current", false, memory_usage_get, NULL, NULL, NULL),
	VALUE_KNOB("memory_peak_mb", 0444, CTRL_MEMORY, "memory.max_usage_in_bytes",
	           "memory.peak", false, memory_peak_get, NULL, NULL, NULL),
	VALUE_KNOB("cpu_percent", 0644, CTRL_CPU, "cpu.cfs_quota_us", "cpu.max", true,
	           cpu_percent_get, cpu_percent_set, check_percent, NULL),
	VALUE_KNOB("cpu_weight", 0644, CTRL_CPU, "cpu.shares", "cpu.weight", true,
	           cpu_weight_get, cpu_weight_set, check_weight, NULL),
	VALUE_KNOB("cpus", 0644, CTRL_CPUSET, "cpuset.cpus", "cpuset.cpus", true, cpus_get,
	           cpus_set, units_check_cpulist, NULL),
	VALUE_KNOB("pids_max", 0644, CTRL_PIDS, "pids.max", "pids.max", true, pids_max_get,
	           pids_max_set, check_pids, NULL),
	VALUE_KNOB("pids_current", 0444, CTRL_PIDS, "pids.current", "pids.current", false,
	           pids_current_get, NULL, NULL, NULL),
	VALUE_KNOB("io_weight", 0644, CTRL_IO, "blkio.bfq.weight", "io.bfq.weight", true,
	           io_weight_get, io_weight_set, check_weight, io_weight_available),
	{ .name = "freeze", .mode = 0644, .ctrl = CTRL_FREEZER, .v1_file = "freezer.state",
	  .v2_file = "cgroup.freeze", .kind = KNOB_FREEZE, .check = check_freeze },
	{ .name = "kill", .mode = 0200, .ctrl = CTRL_FREEZER, .v1_file = "freezer.state",
	  .v2_file = "cgroup.kill", .kind = KNOB_KILL, .check = knob_parse_kill },
	/* Every group has processes in whatever hierarchies exist: no probe. */
	{ .name = "procs", .mode = 0644, .ctrl = CTRL_PIDS, .v1_file = "cgroup.procs",
	  .v2_file = "cgroup.procs", .kind = KNOB_PROCS, .check = check_pid,
	  .available = always },
	VALUE_KNOB("stat", 0444, CTRL_CPUACCT, "cpuacct.usage_user", "cpu.stat", false, stat_get,
	           NULL, NULL, stat_available),
	VALUE_KNOB("meminfo", 0444, CTRL_MEMORY, "memory.stat", "memory.stat", false, meminfo_get,
	           NULL, NULL, NULL),
};

const size_t knob_count = sizeof(knob_table) / sizeof(knob_table[0]);

/* struct caps and struct cgroot index fixed arrays by table row. */
_Static_assert(sizeof(knob_table) / sizeof(knob_table[0]) <= KNOB_TABLE_MAX,
               "knob_table outgrew KNOB_TABLE_MAX");

const struct knob *knob_find(const char *name)
{
	size_t i;

	for (i = 0; i < knob_count; i++)
		if (strcmp(knob_table[i].name, name) == 0)
			return &knob_table[i];
	return NULL;
}

bool knob_available(const struct knob *k, const struct knob_io *io)
{
	int v;

	if (k->available)
		return k->available(io);
	v = io->version(io->ctx, k->ctrl);
	if (v != 1 && v != 2)
		return false;
	return io->exists(io->ctx, k->ctrl, v == 1 ? k->v1_file : k->v2_file) == 1;
}

/* ---- values as writers send them ---- */

int knob_trim(const char *in, size_t len, char *out, size_t outsz)
{
	size_t start = 0, end = len, i;

	/* write(2) data is bytes, not a string: a NUL inside is junk */
	if (memchr(in, '\0', len))
		return -EINVAL;
	while (start < end && is_blank(in[start]))
		start++;
	while (end > start && is_blank(in[end - 1]))
		end--;
	if (start == end)
		return -EINVAL;
	for (i = start; i < end; i++)
		if (is_blank(in[i]) || in[i] == '\r' || in[i] == '\v' || in[i] == '\f')
			return -EINVAL; /* several values */
	if (end - start >= outsz)
		return -EINVAL;
	memcpy(out, in + start, end - start);
	out[end - start] = '\0';
	return (int)(end - start);
}

int knob_parse_pid(const char *value, int *ret_pid)
{
	uint64_t n;

	/* a pid is positive; anything out of range is not a pid at all */
	if (units_parse_uint(value, 1, INT_MAX, 0, &n) < 0)
		return -EINVAL;
	*ret_pid = (int)n;
	return 0;
}

/* Like the kernel's cgroup.freeze and cgroup.kill, an integer out of range
 * is -ERANGE; only digits count as an integer here, so a sign is -EINVAL. */
int knob_parse_freeze(const char *value, int *ret_on)
{
	uint64_t n;
	int res = units_parse_uint(value, 0, 1, 0, &n);

	if (res < 0)
		return res;
	*ret_on = (int)n;
	return 0;
}

int knob_parse_kill(const char *value)
{
	uint64_t n;
	int res = units_parse_uint(value, 0, 1, 0, &n);

	if (res < 0)
		return res;
	return n == 1 ? 0 : -ERANGE;
}
