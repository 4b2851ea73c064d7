// SPDX-License-Identifier: MIT
/*
 * knobs: the table of friendly files and their conversions.
 *
 * Each knob is a row of knob_table: its files, and the functions of its
 * kind (a size in MiB, a percent of a CPU, a weight, a count, a list) or,
 * where no kind fits, its own. The functions take every file name from
 * their row, reach the kernel only through struct knob_io, pick the v1 or
 * v2 file from the version of the hierarchy serving the row's controller,
 * validate everything before their first write, and undo their own writes
 * when a later one is refused, so that a refused value changes nothing.
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
/* The period cpu_percent's check assumes: the kernel's default. */
#define CFS_PERIOD_DEFAULT UINT64_C(100000)
/* PID_MAX_LIMIT: pids.max takes 0..PID_MAX_LIMIT or "max". */
#define PIDS_LIMIT UINT64_C(4194304)
#define WEIGHT_MIN UINT64_C(1)
#define WEIGHT_MAX UINT64_C(10000)
/* Room for one number as text (a u64 is 20 digits), and for a short line
 * of kernel text: one number, or cpu.max's "QUOTA PERIOD". */
#define NUM_TEXT 32
#define LINE_TEXT 64

/* Kernel files named by more than one row, or by the functions behind a
 * row (stat, meminfo). A file only one row uses (of knob_table, or of the
 * io_files and stat_lines tables below) is named in that row alone. */
#define MEM_LIMIT_V1 "memory.limit_in_bytes"
#define MEM_LIMIT_V2 "memory.max"
#define MEMSW_V1 "memory.memsw.limit_in_bytes"
#define MEM_SWAP_V2 "memory.swap.max"
#define MEM_SWAP_USAGE_V2 "memory.swap.current"
#define MEM_USAGE_V1 "memory.usage_in_bytes"
#define MEM_USAGE_V2 "memory.current"
#define MEM_PEAK_V1 "memory.max_usage_in_bytes"
#define MEM_PEAK_V2 "memory.peak"
#define CPUACCT_USER_V1 "cpuacct.usage_user"
#define CPU_STAT "cpu.stat"
#define PIDS_CURRENT "pids.current"
#define IO_BFQ_V1 "blkio.bfq.weight"
#define IO_BFQ_V2 "io.bfq.weight"
#define CGROUP_EVENTS "cgroup.events"
#define HOST_MEMINFO "/proc/meminfo"
/* A file name's step up to the parent group. */
#define UP "../"
#define UP_LEN (sizeof(UP) - 1)

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

/* The version serving k once a value parsed (res, 0 or -errno): a value
 * that does not parse is refused even where no hierarchy serves k. */
static int parsed_version(int res, const struct knob *k, const struct knob_io *io)
{
	return res < 0 ? res : need_version(io, k->ctrl);
}

/* k's file, and its second file, on hierarchy version v (1 or 2). */
static const char *file_of(const struct knob *k, int v)
{
	return v == 1 ? k->v1_file : k->v2_file;
}

static const char *aux_of(const struct knob *k, int v)
{
	return v == 1 ? k->v1_aux : k->v2_aux;
}

/* How version v writes "no limit". */
static const char *no_limit(int v)
{
	return v == 1 ? "-1" : "max";
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
	char buf[LINE_TEXT];
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
		char num[NUM_TEXT];
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
	char text[NUM_TEXT];

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
	char text[NUM_TEXT];

	if (v == UNITS_MAX)
		return put_line(buf, size, "max");
	snprintf(text, sizeof(text), "%" PRIu64, v);
	return put_line(buf, size, text);
}

static int put_mib(char *buf, size_t size, uint64_t bytes)
{
	char text[NUM_TEXT];
	int res = units_format_mib(bytes, text, sizeof(text));

	return res < 0 ? res : put_line(buf, size, text);
}

static int put_percent(char *buf, size_t size, uint64_t centi)
{
	char text[NUM_TEXT];
	int res = units_format_percent(centi, text, sizeof(text));

	return res < 0 ? res : put_line(buf, size, text);
}

/* ---- kind: a size in MiB (memory) ---- */

/* Bytes in one of k's files; UNITS_MAX for no limit on either version. */
static int mem_read(const struct knob *k, const struct knob_io *io, int v, const char *file,
                    uint64_t *ret)
{
	int res = read_u64(io, k->ctrl, file, ret);

	if (res == 0 && v == 1 && *ret >= V1_MEM_UNLIMITED)
		*ret = UNITS_MAX;
	return res;
}

static int mem_write(const struct knob *k, const struct knob_io *io, int v, const char *file,
                     uint64_t bytes)
{
	if (bytes == UNITS_MAX)
		return io->write(io->ctx, k->ctrl, file, no_limit(v));
	return write_u64(io, k->ctrl, file, bytes);
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

static int size_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	int v = need_version(io, k->ctrl), res;
	uint64_t bytes;

	if (v < 0)
		return v;
	res = mem_read(k, io, v, file_of(k, v), &bytes);
	return res < 0 ? res : put_mib(buf, size, bytes);
}

static int size_set(const struct knob *k, const struct knob_io *io, const char *value)
{
	uint64_t bytes;
	int v = parsed_version(units_parse_size(value, &bytes), k, io);

	return v < 0 ? v : mem_write(k, io, v, file_of(k, v), bytes);
}

static int check_size(const char *value)
{
	uint64_t bytes;

	return units_parse_size(value, &bytes);
}

/* ---- memory_limit_mb and memory_swap_limit_mb: v1's memsw ---- */

/* Writes file a, then file b (v1 memory files); when b is refused, puts a
 * back to its old value, so the pair changes together or not at all. */
static int mem_write_pair(const struct knob *k, const struct knob_io *io, const char *a,
                          uint64_t a_new, uint64_t a_old, const char *b, uint64_t b_new)
{
	int res = mem_write(k, io, 1, a, a_new);

	if (res < 0)
		return res;
	res = mem_write(k, io, 1, b, b_new);
	if (res < 0)
		mem_write(k, io, 1, a, a_old); /* the kernel held it a moment ago */
	return res;
}

/* v1 has no swap limit of its own, only memsw = memory + swap (k's second
 * file), and it refuses memory > memsw (EINVAL). Moving the memory limit
 * keeps the swap allowance memsw - memory, writing in the order that never
 * crosses: memsw first when raising, memory first when lowering. */
static int memory_limit_set_v1(const struct knob *k, const struct knob_io *io, uint64_t bytes)
{
	const char *mem = k->v1_file, *memsw = k->v1_aux;
	uint64_t lim, sw, new_sw;
	int res;

	if (!io->exists(io->ctx, k->ctrl, memsw))
		return mem_write(k, io, 1, mem, bytes);
	res = mem_read(k, io, 1, memsw, &sw);
	if (res < 0)
		return res;
	if (sw == UNITS_MAX) /* swap unlimited: nothing to keep */
		return mem_write(k, io, 1, mem, bytes);
	res = mem_read(k, io, 1, mem, &lim);
	if (res < 0)
		return res;
	new_sw = mem_add(bytes, sw > lim ? sw - lim : 0);
	if (bytes == UNITS_MAX || bytes > lim)
		return mem_write_pair(k, io, memsw, new_sw, sw, mem, bytes);
	return mem_write_pair(k, io, mem, bytes, lim, memsw, new_sw);
}

static int memory_limit_set(const struct knob *k, const struct knob_io *io, const char *value)
{
	uint64_t bytes;
	int v = parsed_version(units_parse_size(value, &bytes), k, io);

	if (v < 0)
		return v;
	if (v == 2)
		return mem_write(k, io, 2, k->v2_file, bytes);
	return memory_limit_set_v1(k, io, bytes);
}

/* v1 shows memsw - memory (k's file minus its second file): the swap on
 * top of the memory limit. */
static int memory_swap_get(const struct knob *k, const struct knob_io *io, char *buf,
                           size_t size)
{
	uint64_t sw, lim = 0;
	int v = need_version(io, k->ctrl), res;

	if (v < 0)
		return v;
	if (v == 2)
		return size_get(k, io, buf, size);
	res = mem_read(k, io, 1, k->v1_file, &sw);
	if (res == 0 && sw != UNITS_MAX)
		res = mem_read(k, io, 1, k->v1_aux, &lim);
	if (res < 0)
		return res;
	if (sw == UNITS_MAX)
		return put_mib(buf, size, UNITS_MAX);
	return put_mib(buf, size, sw > lim ? sw - lim : 0);
}

/* v1 memsw = memory limit + swap: without a memory limit there is nothing
 * to add a finite swap allowance to (-EINVAL). */
static int memory_swap_set(const struct knob *k, const struct knob_io *io, const char *value)
{
	uint64_t swap, lim;
	int v = parsed_version(units_parse_size(value, &swap), k, io), res;

	if (v < 0)
		return v;
	if (v == 2)
		return mem_write(k, io, 2, k->v2_file, swap);
	if (swap == UNITS_MAX)
		return mem_write(k, io, 1, k->v1_file, UNITS_MAX);
	res = mem_read(k, io, 1, k->v1_aux, &lim);
	if (res < 0)
		return res;
	if (lim == UNITS_MAX)
		return -EINVAL;
	return mem_write(k, io, 1, k->v1_file, mem_add(lim, swap));
}

/* ---- kind: a percent of one CPU (CFS quota / period) ---- */

/* v2 cpu.max: "QUOTA PERIOD" or "max PERIOD". */
static int parse_cpu_max(const char *text, uint64_t *ret_quota, uint64_t *ret_period)
{
	const char *sp = strchr(text, ' ');
	char quota[NUM_TEXT];

	if (!sp || (size_t)(sp - text) >= sizeof(quota))
		return -EIO;
	memcpy(quota, text, (size_t)(sp - text));
	quota[sp - text] = '\0';
	if (parse_kernel_u64(quota, ret_quota) < 0 || parse_kernel_u64(sp + 1, ret_period) < 0 ||
	    *ret_period == UNITS_MAX)
		return -EIO;
	return 0;
}

/* The group's CFS quota (UNITS_MAX: none) and period. v2 keeps both in
 * k's file; v1 the quota in k's file, the period in its second file. */
static int cpu_bandwidth(const struct knob *k, const struct knob_io *io, int v, uint64_t *quota,
                         uint64_t *period)
{
	char buf[LINE_TEXT];
	int res;

	if (v == 2) {
		res = read_text(io, k->ctrl, k->v2_file, buf, sizeof(buf));
		return res < 0 ? res : parse_cpu_max(buf, quota, period);
	}
	res = read_u64(io, k->ctrl, k->v1_aux, period);
	if (res == 0)
		res = read_text(io, k->ctrl, k->v1_file, buf, sizeof(buf));
	if (res < 0)
		return res;
	/* v1 spells "no quota" as a negative number (-1) */
	if (buf[0] == '-') {
		*quota = UNITS_MAX;
		return 0;
	}
	return parse_kernel_u64(buf, quota);
}

static int percent_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	uint64_t quota, period;
	int v = need_version(io, k->ctrl), res;

	if (v < 0)
		return v;
	res = cpu_bandwidth(k, io, v, &quota, &period);
	if (res < 0)
		return res;
	return put_percent(buf, size,
	                   quota == UNITS_MAX ? UNITS_MAX : units_quota_to_percent(quota, period));
}

/* The quota is computed for the group's current period and kept within
 * the kernel's bounds (-ERANGE) before anything is written. */
static int percent_set(const struct knob *k, const struct knob_io *io, const char *value)
{
	uint64_t centi, quota, period, unused_quota;
	char text[LINE_TEXT];
	int v = parsed_version(units_parse_percent(value, &centi), k, io), res;

	if (v < 0)
		return v;
	if (centi == UNITS_MAX)
		return io->write(io->ctx, k->ctrl, file_of(k, v), no_limit(v));
	/* Only the period matters: v1 keeps it in a file of its own. */
	if (v == 1)
		res = read_u64(io, k->ctrl, k->v1_aux, &period);
	else
		res = cpu_bandwidth(k, io, v, &unused_quota, &period);
	if (res < 0)
		return res;
	res = units_percent_to_quota(centi, period, &quota);
	if (res < 0)
		return res;
	if (v == 1)
		return write_u64(io, k->ctrl, k->v1_file, quota);
	snprintf(text, sizeof(text), "%" PRIu64 " %" PRIu64, quota, period);
	return io->write(io->ctx, k->ctrl, k->v2_file, text);
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

/* ---- kind: a weight 1..10000 on a curve ---- */

/* How a file's numbers map to the 1..10000 weight scale. */
enum curve {
	CURVE_NONE,   /* 1..10000 as is: v2 cpu.weight, iocost's io.weight */
	CURVE_SHARES, /* v1 cpu.shares 2..262144 */
	CURVE_BLKIO,  /* BFQ's and CFQ's 10..1000 (BFQ_MAX_WEIGHT), v1 and v2 */
};

/* A weight file: its name, its version, and how it prints the weight
 * (keyed: "default N" plus per-device lines, as v2 does; else N). */
struct weight_file {
	const char *name;
	int version;
	bool keyed;
	enum curve curve;
};

static uint64_t weight_from_file(enum curve c, uint64_t n)
{
	switch (c) {
	case CURVE_SHARES:
		return units_shares_to_weight(n);
	case CURVE_BLKIO:
		return units_blkio_to_weight(n);
	case CURVE_NONE:
		break;
	}
	return n;
}

static uint64_t weight_to_file(enum curve c, uint64_t w)
{
	switch (c) {
	case CURVE_SHARES:
		return units_weight_to_shares(w);
	case CURVE_BLKIO:
		return units_weight_to_blkio(w);
	case CURVE_NONE:
		break;
	}
	return w;
}

static int weight_read(const struct knob *k, const struct knob_io *io,
                       const struct weight_file *f, char *buf, size_t size)
{
	uint64_t n;
	int res;

	if (f->keyed) {
		res = read_keyed(io, k->ctrl, f->name, "default", &n);
		if (res == -ENODATA)
			return -EIO; /* the kernel always prints a default line */
	} else {
		res = read_u64(io, k->ctrl, f->name, &n);
	}
	return res < 0 ? res : put_u64(buf, size, weight_from_file(f->curve, n));
}

static int weight_write(const struct knob *k, const struct knob_io *io,
                        const struct weight_file *f, uint64_t w)
{
	char text[NUM_TEXT];

	snprintf(text, sizeof(text), "%s%" PRIu64, f->keyed ? "default " : "",
	         weight_to_file(f->curve, w));
	return io->write(io->ctx, k->ctrl, f->name, text);
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

/* A weight row's file: v1 shares on the curve, v2's weight as is. */
static struct weight_file row_weight_file(const struct knob *k, int v)
{
	return (struct weight_file){ file_of(k, v), v, false, v == 1 ? CURVE_SHARES : CURVE_NONE };
}

static int weight_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	int v = need_version(io, k->ctrl);
	struct weight_file f;

	if (v < 0)
		return v;
	f = row_weight_file(k, v);
	return weight_read(k, io, &f, buf, size);
}

static int weight_set(const struct knob *k, const struct knob_io *io, const char *value)
{
	uint64_t w;
	int v = parsed_version(parse_weight(value, &w), k, io);
	struct weight_file f;

	if (v < 0)
		return v;
	f = row_weight_file(k, v);
	return weight_write(k, io, &f, w);
}

/* ---- io_weight: a weight in whichever file the scheduler provides ---- */

/* Preferred first: BFQ's (the row's own files), then CFQ's blkio.weight
 * on v1 and iocost's io.weight on v2. */
static const struct weight_file io_files[] = {
	{ IO_BFQ_V1, 1, false, CURVE_BLKIO },
	{ "blkio.weight", 1, false, CURVE_BLKIO },
	{ IO_BFQ_V2, 2, true, CURVE_BLKIO },
	{ "io.weight", 2, true, CURVE_NONE },
};

static const struct weight_file *io_file_for(const struct knob *k, const struct knob_io *io)
{
	int v = io->version(io->ctx, k->ctrl);
	size_t i;

	for (i = 0; i < sizeof(io_files) / sizeof(io_files[0]); i++)
		if (io_files[i].version == v && io->exists(io->ctx, k->ctrl, io_files[i].name))
			return &io_files[i];
	return NULL;
}

static bool io_weight_available(const struct knob *k, const struct knob_io *io)
{
	return io_file_for(k, io) != NULL;
}

static int io_weight_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	const struct weight_file *f = io_file_for(k, io);

	return f ? weight_read(k, io, f, buf, size) : -ENOENT;
}

static int io_weight_set(const struct knob *k, const struct knob_io *io, const char *value)
{
	const struct weight_file *f;
	uint64_t w;
	int res = parse_weight(value, &w);

	if (res < 0)
		return res;
	f = io_file_for(k, io);
	return f ? weight_write(k, io, f, w) : -ENOENT;
}

/* ---- kind: a count, or "max" ---- */

static int count_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	uint64_t n;
	int v = need_version(io, k->ctrl), res = v;

	if (v > 0)
		res = read_u64(io, k->ctrl, file_of(k, v), &n);
	return res < 0 ? res : put_u64(buf, size, n);
}

/* The row's check() holds the range: what passes it parses here. */
static int count_set(const struct knob *k, const struct knob_io *io, const char *value)
{
	uint64_t n = 0;
	int res = k->check(value), v;

	if (res == 0)
		res = units_parse_uint(value, 0, UNITS_MAX - 1, 1, &n);
	v = parsed_version(res, k, io);
	if (v < 0)
		return v;
	if (n == UNITS_MAX)
		return io->write(io->ctx, k->ctrl, file_of(k, v), "max");
	return write_u64(io, k->ctrl, file_of(k, v), n);
}

static int check_pids(const char *value)
{
	uint64_t n;

	return units_parse_uint(value, 0, PIDS_LIMIT, 1, &n);
}

/* ---- kind: a list the kernel takes as written (cpuset) ---- */

/* An empty file is an inherited value, which k's second file shows: v2
 * leaves cpuset.cpus empty until it is written, the group then using its
 * parent's CPUs (cpuset.cpus.effective). That is what a new v1 group
 * reads too (its cpus are copied from the parent). */
static int list_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	char text[KNOB_TEXT_MAX];
	int v = need_version(io, k->ctrl), res = v;

	if (v > 0)
		res = read_text(io, k->ctrl, file_of(k, v), text, sizeof(text));
	if (res == 0 && aux_of(k, v))
		res = read_text(io, k->ctrl, aux_of(k, v), text, sizeof(text));
	return res < 0 ? res : put_line(buf, size, text);
}

static int list_set(const struct knob *k, const struct knob_io *io, const char *value)
{
	int v = parsed_version(k->check(value), k, io);

	return v < 0 ? v : io->write(io->ctx, k->ctrl, file_of(k, v), value);
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
	  { CPUACCT_USER_V1, NULL, STAT_NS_SECONDS },
	  { CPU_STAT, "user_usec", STAT_US_SECONDS } },
	{ "cpu_system_seconds", CTRL_CPUACCT,
	  { "cpuacct.usage_sys", NULL, STAT_NS_SECONDS },
	  { CPU_STAT, "system_usec", STAT_US_SECONDS } },
	{ "memory_usage_mb", CTRL_MEMORY,
	  { MEM_USAGE_V1, NULL, STAT_BYTES_MIB },
	  { MEM_USAGE_V2, NULL, STAT_BYTES_MIB } },
	{ "memory_peak_mb", CTRL_MEMORY,
	  { MEM_PEAK_V1, NULL, STAT_BYTES_MIB },
	  { MEM_PEAK_V2, NULL, STAT_BYTES_MIB } },
	{ "oom_kills", CTRL_MEMORY,
	  { "memory.oom_control", "oom_kill", STAT_COUNT },
	  { "memory.events", "oom_kill", STAT_COUNT } },
	{ "pids_current", CTRL_PIDS,
	  { PIDS_CURRENT, NULL, STAT_COUNT },
	  { PIDS_CURRENT, NULL, STAT_COUNT } },
	{ "throttled_seconds", CTRL_CPU,
	  { CPU_STAT, "throttled_time", STAT_NS_SECONDS },
	  { CPU_STAT, "throttled_usec", STAT_US_SECONDS } },
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
	    io->exists(io->ctx, CTRL_FREEZER, CGROUP_EVENTS))
		return read_keyed(io, CTRL_FREEZER, CGROUP_EVENTS, "populated", ret);
	if (io->version(io->ctx, CTRL_PIDS) == 0 ||
	    !io->exists(io->ctx, CTRL_PIDS, PIDS_CURRENT))
		return -ENOENT;
	res = read_u64(io, CTRL_PIDS, PIDS_CURRENT, &n);
	if (res == 0)
		*ret = n > 0;
	return res;
}

static bool stat_available(const struct knob *k, const struct knob_io *io)
{
	uint64_t n;
	size_t i;

	(void)k;
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
	char text[NUM_TEXT];
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

/* The lines come from stat_lines, not from k's files (which name one
 * source each as the row's documentation). */
static int stat_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	uint64_t populated;
	size_t i;
	int res;

	(void)k;
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
	char usage[NUM_TEXT];
	char swap_usage[NUM_TEXT];
	char lim[MEMINFO_MAX_DEPTH][NUM_TEXT];
	char swlim[MEMINFO_MAX_DEPTH][NUM_TEXT];
	const char *lims[MEMINFO_MAX_DEPTH];
	const char *swlims[MEMINFO_MAX_DEPTH];
};

/* file of the group, then of each ancestor, until one has none (v2's root
 * cgroup has no memory.max); 0 files is -ENOENT. */
static int read_up(const struct knob *k, const struct knob_io *io, const char *file,
                   char (*out)[NUM_TEXT], const char **ptrs, size_t *ret_n)
{
	char path[UP_LEN * MEMINFO_MAX_DEPTH + NAME_MAX + 1] = "";
	size_t n;
	int res = 0;

	for (n = 0; n < MEMINFO_MAX_DEPTH; n++) {
		snprintf(path + UP_LEN * n, sizeof(path) - UP_LEN * n, "%s", file);
		res = read_text(io, k->ctrl, path, out[n], sizeof(out[n]));
		if (res < 0)
			break;
		ptrs[n] = out[n];
		memcpy(path + UP_LEN * n, UP, UP_LEN);
	}
	*ret_n = n;
	return n > 0 ? 0 : res;
}

/* k's file is memory.stat; the rest are the memory rows' files. */
static int meminfo_read(const struct knob *k, const struct knob_io *io, int v,
                        struct meminfo_files *f, struct meminfo_src *src)
{
	int res = io->host_read ? io->host_read(io->ctx, HOST_MEMINFO, f->host, sizeof(f->host))
	                        : -ENOENT;

	if (res >= 0)
		res = io->read(io->ctx, k->ctrl, file_of(k, v), f->stat, sizeof(f->stat));
	if (res >= 0)
		res = read_text(io, k->ctrl, v == 1 ? MEM_USAGE_V1 : MEM_USAGE_V2, f->usage,
		                sizeof(f->usage));
	/* v1's memory.stat has the smallest limit up the tree already */
	src->n_limits = res >= 0 && v == 1 && strstr(f->stat, "\nhierarchical_memory_limit ") ? 0 : 1;
	if (res >= 0 && v == 1 && src->n_limits)
		res = read_text(io, k->ctrl, MEM_LIMIT_V1, f->lim[0], sizeof(f->lim[0]));
	if (res >= 0 && v == 2)
		res = read_up(k, io, MEM_LIMIT_V2, f->lim, f->lims, &src->n_limits);
	if (res < 0)
		return res;
	f->lims[0] = f->lim[0];
	/* v2 without swap accounting (swapaccount=0) has no swap files */
	if (v == 2 && read_up(k, io, MEM_SWAP_V2, f->swlim, f->swlims, &src->n_swap_limits) == 0 &&
	    read_text(io, k->ctrl, MEM_SWAP_USAGE_V2, f->swap_usage, sizeof(f->swap_usage)) >= 0)
		src->swap_usage = f->swap_usage;
	src->version = v;
	src->host = f->host;
	src->stat = f->stat;
	src->usage = f->usage;
	src->limits = f->lims;
	src->swap_limits = f->swlims;
	return 0;
}

static int meminfo_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	struct meminfo_src src = { 0 };
	struct meminfo_files *f;
	int v = need_version(io, k->ctrl), res;

	if (v < 0)
		return v;
	f = malloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	res = meminfo_read(k, io, v, f, &src);
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

static bool always(const struct knob *k, const struct knob_io *io)
{
	(void)k;
	(void)io;
	return true;
}

/* ---- the table ---- */

/* A value knob; its files and functions follow as designated fields. */
#define VALUE(n, m, c, is_cap) .name = (n), .mode = (m), .ctrl = (c), .cap = (is_cap), \
	.kind = KNOB_VALUE

const struct knob knob_table[] = {
	{ VALUE("memory_limit_mb", 0644, CTRL_MEMORY, true),
	  .v1_file = MEM_LIMIT_V1, .v1_aux = MEMSW_V1, .v2_file = MEM_LIMIT_V2,
	  .get = size_get, .set = memory_limit_set, .check = check_size },
	{ VALUE("memory_high_mb", 0644, CTRL_MEMORY, true),
	  .v1_file = "memory.soft_limit_in_bytes", .v2_file = "memory.high",
	  .get = size_get, .set = size_set, .check = check_size },
	{ VALUE("memory_swap_limit_mb", 0644, CTRL_MEMORY, true),
	  .v1_file = MEMSW_V1, .v1_aux = MEM_LIMIT_V1, .v2_file = MEM_SWAP_V2,
	  .get = memory_swap_get, .set = memory_swap_set, .check = check_size },
	{ VALUE("memory_usage_mb", 0444, CTRL_MEMORY, false),
	  .v1_file = MEM_USAGE_V1, .v2_file = MEM_USAGE_V2, .get = size_get },
	{ VALUE("memory_peak_mb", 0444, CTRL_MEMORY, false),
	  .v1_file = MEM_PEAK_V1, .v2_file = MEM_PEAK_V2, .get = size_get },
	{ VALUE("cpu_percent", 0644, CTRL_CPU, true),
	  .v1_file = "cpu.cfs_quota_us", .v1_aux = "cpu.cfs_period_us", .v2_file = "cpu.max",
	  .get = percent_get, .set = percent_set, .check = check_percent },
	{ VALUE("cpu_weight", 0644, CTRL_CPU, true),
	  .v1_file = "cpu.shares", .v2_file = "cpu.weight",
	  .get = weight_get, .set = weight_set, .check = check_weight },
	{ VALUE("cpus", 0644, CTRL_CPUSET, true),
	  .v1_file = "cpuset.cpus", .v2_file = "cpuset.cpus", .v2_aux = "cpuset.cpus.effective",
	  .get = list_get, .set = list_set, .check = units_check_cpulist },
	{ VALUE("pids_max", 0644, CTRL_PIDS, true),
	  .v1_file = "pids.max", .v2_file = "pids.max",
	  .get = count_get, .set = count_set, .check = check_pids },
	{ VALUE("pids_current", 0444, CTRL_PIDS, false),
	  .v1_file = PIDS_CURRENT, .v2_file = PIDS_CURRENT, .get = count_get },
	{ VALUE("io_weight", 0644, CTRL_IO, true),
	  .v1_file = IO_BFQ_V1, .v2_file = IO_BFQ_V2,
	  .get = io_weight_get, .set = io_weight_set, .check = check_weight,
	  .available = io_weight_available },
	{ .name = "freeze", .mode = 0644, .ctrl = CTRL_FREEZER, .v1_file = "freezer.state",
	  .v2_file = "cgroup.freeze", .kind = KNOB_FREEZE, .check = check_freeze },
	{ .name = "kill", .mode = 0200, .ctrl = CTRL_FREEZER, .v1_file = "freezer.state",
	  .v2_file = "cgroup.kill", .kind = KNOB_KILL, .check = knob_parse_kill },
	/* Every group has processes in whatever hierarchies exist: no probe. */
	{ .name = "procs", .mode = 0644, .ctrl = CTRL_PIDS, .v1_file = "cgroup.procs",
	  .v2_file = "cgroup.procs", .kind = KNOB_PROCS, .check = check_pid,
	  .available = always },
	{ VALUE("stat", 0444, CTRL_CPUACCT, false),
	  .v1_file = CPUACCT_USER_V1, .v2_file = CPU_STAT,
	  .get = stat_get, .available = stat_available },
	{ VALUE("meminfo", 0444, CTRL_MEMORY, false),
	  .v1_file = "memory.stat", .v2_file = "memory.stat", .get = meminfo_get },
};

const size_t knob_count = sizeof(knob_table) / sizeof(knob_table[0]);

_Static_assert(sizeof(knob_table) / sizeof(knob_table[0]) <= KNOB_MAX,
               "knob_table outgrew KNOB_MAX");

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
		return k->available(k, io);
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
