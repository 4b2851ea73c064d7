/* SPDX-License-Identifier: MIT */
/*
 * The knobs module's parts (private to src/knobs*.c):
 *  knobs.c       the table, the kinds of rows and their get/set/check
 *  knobs_text.c  kernel text through knob_io, and values rendered as lines
 *  knobs_cfs.c   CFS bandwidth: cpu_percent, cpu_period_us, cpu_burst_percent
 *  knobs_stat.c  stat, events and meminfo: reports gathered from many files
 *  knobs_psi.c   pressure: the kernel's pressure stall information
 *  knobs_io.c    per-device I/O limits: io_read_mbps and its kin
 *  knobs_dev.c   the device deny list: devices_deny
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgfs/knobs.h"

/* Room for one number as text (a u64 is 20 digits), and for a short line
 * of kernel text: one number, or cpu.max's "QUOTA PERIOD". */
#define NUM_TEXT 32
#define LINE_TEXT 64

/* Kernel files named by more than one row, or by the functions behind a
 * row (stat, meminfo). A file only one row uses (of knob_table, or of the
 * io_files and stat_lines tables) is named in that row alone. */
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
#define CFS_QUOTA_V1 "cpu.cfs_quota_us"
#define CFS_PERIOD_V1 "cpu.cfs_period_us"
#define CFS_BURST_V1 "cpu.cfs_burst_us"
#define CPU_MAX_V2 "cpu.max"
#define CPU_BURST_V2 "cpu.max.burst"
#define IO_BFQ_V1 "blkio.bfq.weight"
#define IO_BFQ_V2 "io.bfq.weight"
#define IO_MAX_V2 "io.max"
#define CGROUP_EVENTS "cgroup.events"
#define MEM_EVENTS_V2 "memory.events"
#define MEM_OOM_V1 "memory.oom_control"
#define FREEZER_STATE_V1 "freezer.state"
#define HOST_MEMINFO "/proc/meminfo"

/* ---- knobs_text.c ---- */

/* ' ', '\t' or '\n': what knob_trim strips and kernel text ends with. */
bool is_blank(char c);
/* The version of the hierarchy serving c, or -ENOENT when none does. */
int need_version(const struct knob_io *io, enum cg_ctrl c);
/* The version serving k, or -ENOENT when none does or k has no file on
 * that version (memory_low_mb on v1). */
int row_version(const struct knob *k, const struct knob_io *io);
/* The version serving k once a value parsed (res, 0 or -errno): a value
 * that does not parse is refused even where no hierarchy serves k. */
int parsed_version(int res, const struct knob *k, const struct knob_io *io);
/* k's file, and its second file (or NULL), on hierarchy version v. */
const char *file_of(const struct knob *k, int v);
const char *aux_of(const struct knob *k, int v);
/* How version v writes "no limit": "-1" or "max". */
const char *no_limit(int v);
/* Reads a whole interface file into buf, trailing blanks removed;
 * length or -errno. */
int read_text(const struct knob_io *io, enum cg_ctrl c, const char *file, char *buf,
              size_t size);
/* A number as the kernel prints it: decimal, or "max" -> UNITS_MAX;
 * -EIO for anything else. */
int parse_kernel_u64(const char *s, uint64_t *ret);
/* A file holding one such number; 0 or -errno. */
int read_u64(const struct knob_io *io, enum cg_ctrl c, const char *file, uint64_t *ret);
/* The number of "key N" in a flat-keyed file; -ENODATA if the key is
 * absent, -EIO for a number not understood. */
/* The value of "key N" in flat-keyed text; -ENODATA if absent. */
int keyed_value(const char *text, const char *key, uint64_t *ret);
int read_keyed(const struct knob_io *io, enum cg_ctrl c, const char *file, const char *key,
               uint64_t *ret);
/* Writes v in decimal; 0 or the kernel's -errno. */
int write_u64(const struct knob_io *io, enum cg_ctrl c, const char *file, uint64_t v);
/* One line into buf: text, a number ("max" for UNITS_MAX), bytes in MiB,
 * hundredths of a percent. Length or -ENOBUFS. */
int put_line(char *buf, size_t size, const char *text);
int put_u64(char *buf, size_t size, uint64_t v);
int put_mib(char *buf, size_t size, uint64_t bytes);
int put_percent(char *buf, size_t size, uint64_t centi);

/* ---- knobs_cfs.c: the CFS bandwidth rows' functions ---- */

int percent_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size);
int percent_set(const struct knob *k, const struct knob_io *io, const char *value);
int check_percent(const char *value);
int period_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size);
int period_set(const struct knob *k, const struct knob_io *io, const char *value);
int check_period(const char *value);
int burst_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size);
int burst_set(const struct knob *k, const struct knob_io *io, const char *value);
int check_burst(const char *value);

/* ---- knobs_stat.c: the stat, events and meminfo rows' functions ---- */

int stat_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size);
bool stat_available(const struct knob *k, const struct knob_io *io);
int events_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size);
bool events_available(const struct knob *k, const struct knob_io *io);
int meminfo_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size);

/* ---- knobs_psi.c: pressure stall information ---- */

/* Resources cpu, memory, io (in that order); kinds some, full; averages
 * over 10, 60 and 300 seconds. */
#define PSI_RESOURCES 3
#define PSI_KINDS 2
#define PSI_AVGS 3

struct psi_line {
	uint32_t avg[PSI_AVGS]; /* hundredths of a percent */
	uint64_t total;         /* microseconds stalled since the group was made */
};

/* One resource's pressure file. has[1] is false where the kernel prints
 * no "full" line. */
struct psi {
	bool has[PSI_KINDS];
	struct psi_line line[PSI_KINDS];
};

/* The names of resource r, kind and average a, as the kernel spells them. */
const char *psi_resource_name(int r);
const char *psi_kind_name(int kind);
const char *psi_avg_name(int a);
/* Parses a pressure file's text: a "some" line, then an optional "full"
 * line, each "KIND avg10=D.DD avg60=D.DD avg300=D.DD total=N", the last
 * newline optional. 0, or -EIO for anything else. */
int psi_parse(const char *text, struct psi *ret);
/* Reads and parses resource r's file of this group: 0, -ENOENT where the
 * group has none (no v2 hierarchy, PSI off, no such file), -EIO for text
 * not understood, or the read's -errno. */
int psi_read(const struct knob_io *io, int r, struct psi *ret);
int pressure_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size);
bool pressure_available(const struct knob *k, const struct knob_io *io);

/* ---- knobs_io.c: per-device I/O limits ---- */

/* Rows whose v1 file is a blkio.throttle.*_device file; v2 io.max. */
int iolimit_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size);
int iolimit_set(const struct knob *k, const struct knob_io *io, const char *value);
/* The lines' form: bandwidth rows, IOPS rows. */
int check_io_bps(const char *value);
int check_io_iops(const char *value);

/* ---- knobs_dev.c: the device deny list ---- */

int devices_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size);
int devices_set(const struct knob *k, const struct knob_io *io, const char *value);
int check_devices(const char *value);
bool devices_available(const struct knob *k, const struct knob_io *io);
