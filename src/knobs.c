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
#include <string.h>

#include "cgfs/units.h"
#include "knobs_int.h"

/* v1 memory prints "unlimited" as PAGE_COUNTER_MAX pages times the page
 * size: LONG_MAX rounded down to a page, 9223372036854771712 with 4 KiB
 * pages. Everything from LONG_MAX rounded down to 64 KiB (the largest
 * common page size) up means no limit. */
#define V1_MEM_UNLIMITED UINT64_C(0x7FFFFFFFFFFF0000)
/* PID_MAX_LIMIT: pids.max takes 0..PID_MAX_LIMIT or "max". */
#define PIDS_LIMIT UINT64_C(4194304)
#define WEIGHT_MIN UINT64_C(1)
#define WEIGHT_MAX UINT64_C(10000)

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
	int v = row_version(k, io), res;
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

static int check_autoremove(const char *value)
{
	int on;

	return knob_parse_autoremove(value, &on);
}

/* Kept by the group module on the group's directory in its primary
 * hierarchy, which exists wherever any controller is served; whether
 * the kernel keeps such marks is its question too. */
static bool any_served(const struct knob *k, const struct knob_io *io)
{
	int c;

	(void)k;
	for (c = 0; c < CTRL_MAX; c++)
		if (io->version(io->ctx, (enum cg_ctrl)c) > 0)
			return true;
	return false;
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
	  .v1_file = CFS_QUOTA_V1, .v1_aux = CFS_PERIOD_V1, .v2_file = CPU_MAX_V2,
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
	/* systemd's other simple resource controls. v1 has no protection
	 * and no zswap: no file there, so no knob. */
	{ VALUE("memory_low_mb", 0644, CTRL_MEMORY, true),
	  .v2_file = "memory.low", .get = size_get, .set = size_set, .check = check_size },
	{ VALUE("memory_min_mb", 0644, CTRL_MEMORY, true),
	  .v2_file = "memory.min", .get = size_get, .set = size_set, .check = check_size },
	{ VALUE("memory_zswap_limit_mb", 0644, CTRL_MEMORY, true),
	  .v2_file = "memory.zswap.max", .get = size_get, .set = size_set, .check = check_size },
	{ VALUE("cpu_period_us", 0644, CTRL_CPU, true),
	  .v1_file = CFS_PERIOD_V1, .v2_file = CPU_MAX_V2,
	  .get = period_get, .set = period_set, .check = check_period },
	{ VALUE("cpu_burst_percent", 0644, CTRL_CPU, true),
	  .v1_file = CFS_BURST_V1, .v2_file = CPU_BURST_V2,
	  .get = burst_get, .set = burst_set, .check = check_burst },
	{ VALUE("mems", 0644, CTRL_CPUSET, true),
	  .v1_file = "cpuset.mems", .v2_file = "cpuset.mems", .v2_aux = "cpuset.mems.effective",
	  .get = list_get, .set = list_set, .check = units_check_cpulist },
	/* v2 only; its files are in whichever hierarchy is v2, the
	 * freezer's on a pure v2 host (pressure_get finds it). */
	{ VALUE("pressure", 0444, CTRL_FREEZER, false),
	  .v2_file = "cpu.pressure", .get = pressure_get, .available = pressure_available },
	/* No kernel file: a mark the group module keeps (group_autoremove_*). */
	{ .name = "autoremove", .mode = 0644, .ctrl = CTRL_FREEZER, .kind = KNOB_AUTOREMOVE,
	  .check = check_autoremove, .available = any_served },
	/* Lines of "DEVICE VALUE" (knobs_io.c), one limit per whole disk. */
	{ VALUE("io_read_mbps", 0644, CTRL_IO, false), .lines = true, .admin_at_root = true,
	  .v1_file = "blkio.throttle.read_bps_device", .v2_file = IO_MAX_V2,
	  .get = iolimit_get, .set = iolimit_set, .check = check_io_bps },
	{ VALUE("io_write_mbps", 0644, CTRL_IO, false), .lines = true, .admin_at_root = true,
	  .v1_file = "blkio.throttle.write_bps_device", .v2_file = IO_MAX_V2,
	  .get = iolimit_get, .set = iolimit_set, .check = check_io_bps },
	{ VALUE("io_read_iops", 0644, CTRL_IO, false), .lines = true, .admin_at_root = true,
	  .v1_file = "blkio.throttle.read_iops_device", .v2_file = IO_MAX_V2,
	  .get = iolimit_get, .set = iolimit_set, .check = check_io_iops },
	{ VALUE("io_write_iops", 0644, CTRL_IO, false), .lines = true, .admin_at_root = true,
	  .v1_file = "blkio.throttle.write_iops_device", .v2_file = IO_MAX_V2,
	  .get = iolimit_get, .set = iolimit_set, .check = check_io_iops },
	/* Counters and states a program waits on (knobs_stat.c); its files
	 * here are the OOM sources, its other lines come from more. */
	{ VALUE("events", 0444, CTRL_MEMORY, false),
	  .v1_file = MEM_OOM_V1, .v2_file = MEM_EVENTS_V2,
	  .get = events_get, .available = events_available },
	/* The group's own device deny list (knobs_dev.c): a cgroup2 device
	 * program, no file. A cap: at a tree root the administrator's. */
	{ VALUE("devices_deny", 0644, CTRL_FREEZER, true), .lines = true, .may_clear = true,
	  .get = devices_get, .set = devices_set, .check = check_devices,
	  .available = devices_available },
};

const size_t knob_count = sizeof(knob_table) / sizeof(knob_table[0]);

/* struct caps and struct cgroot index fixed arrays by table row, and a
 * knob's node id carries its row (nodeid.h), which must name the same
 * knob to the server of the next version (docs/RESTART.md): new rows go
 * at the end, and no row moves. */
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
		return k->available(k, io);
	v = row_version(k, io);
	return v > 0 && io->exists(io->ctx, k->ctrl, file_of(k, v)) == 1;
}

/* ---- values as writers send them ---- */

/* The value in len bytes of write(2) data, blanks around it cut off,
 * into out; lines: blanks and newlines inside are kept (lines of
 * tokens), else any blank inside means several values. */
static int trim(const char *in, size_t len, char *out, size_t outsz, bool lines)
{
	size_t start = 0, end = len, i;

	/* write(2) data is bytes, not a string: a NUL inside is junk */
	if (memchr(in, '\0', len))
		return -EINVAL;
	while (start < end && is_blank(in[start]))
		start++;
	while (end > start && is_blank(in[end - 1]))
		end--;
	if (start == end || end - start >= outsz)
		return -EINVAL;
	for (i = start; i < end; i++)
		if ((!lines && is_blank(in[i])) || in[i] == '\r' || in[i] == '\v' || in[i] == '\f')
			return -EINVAL;
	memcpy(out, in + start, end - start);
	out[end - start] = '\0';
	return (int)(end - start);
}

int knob_trim(const char *in, size_t len, char *out, size_t outsz)
{
	return trim(in, len, out, outsz, false);
}

int knob_trim_lines(const char *in, size_t len, char *out, size_t outsz)
{
	return trim(in, len, out, outsz, true);
}

bool knob_blank(const char *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_blank(in[i]))
			return false;
	return true;
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

int knob_parse_autoremove(const char *value, int *ret_on)
{
	if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
		return -EINVAL;
	*ret_on = value[0] == '1';
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
