// SPDX-License-Identifier: MIT
/*
 * knobs_stat: the stat, events and meminfo rows, reports gathered from
 * many files. stat's sources are the rows of stat_lines, then the
 * pressure files (knobs_psi.c); events' the rows of event_lines, then
 * populated and frozen; meminfo reads the memory rows' files of the group
 * and its ancestors and leaves the arithmetic to meminfo_render().
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs/meminfo.h"
#include "cgfs/units.h"
#include "knobs_int.h"

/* A file name's step up to the parent group. */
#define UP "../"
#define UP_LEN (sizeof(UP) - 1)

/* ---- stat ---- */

enum stat_unit {
	STAT_COUNT,
	/* A count kept only where it happened, not in ancestors (v1's
	 * oom_kill: in the victim's cgroup, the group's .self leaf or a
	 * subgroup's): every cgroup below the group is added up. */
	STAT_COUNT_BELOW,
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
	  { MEM_OOM_V1, "oom_kill", STAT_COUNT_BELOW },
	  { MEM_EVENTS_V2, "oom_kill", STAT_COUNT } },
	{ "pids_current", CTRL_PIDS,
	  { PIDS_CURRENT, NULL, STAT_COUNT },
	  { PIDS_CURRENT, NULL, STAT_COUNT } },
	{ "throttled_seconds", CTRL_CPU,
	  { CPU_STAT, "throttled_time", STAT_NS_SECONDS },
	  { CPU_STAT, "throttled_usec", STAT_US_SECONDS } },
};

#define N_STAT_LINES (sizeof(stat_lines) / sizeof(stat_lines[0]))

/* events' counters. v1 counts no OOM invocations and has no high
 * boundary: those lines are v2's alone. */
static const struct stat_line event_lines[] = {
	{ "oom", CTRL_MEMORY, { NULL, NULL, STAT_COUNT }, { MEM_EVENTS_V2, "oom", STAT_COUNT } },
	{ "oom_kill", CTRL_MEMORY,
	  { MEM_OOM_V1, "oom_kill", STAT_COUNT_BELOW },
	  { MEM_EVENTS_V2, "oom_kill", STAT_COUNT } },
	/* A charge refused at a limit counts in the cgroup whose limit it
	 * was; v2's memory.events adds its descendants' hits, and so does
	 * the sum below. */
	{ "max", CTRL_MEMORY,
	  { "memory.failcnt", NULL, STAT_COUNT_BELOW },
	  { MEM_EVENTS_V2, "max", STAT_COUNT } },
	{ "high", CTRL_MEMORY, { NULL, NULL, STAT_COUNT }, { MEM_EVENTS_V2, "high", STAT_COUNT } },
};

#define N_EVENT_LINES (sizeof(event_lines) / sizeof(event_lines[0]))

/* The source of line l on this group, or NULL when it has none. */
static const struct stat_src *stat_source(const struct knob_io *io, const struct stat_line *l)
{
	int v = io->version(io->ctx, l->ctrl);
	const struct stat_src *src = v == 1 ? &l->v1 : v == 2 ? &l->v2 : NULL;

	return src && src->file && io->exists(io->ctx, l->ctrl, src->file) ? src : NULL;
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

bool stat_available(const struct knob *k, const struct knob_io *io)
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
	case STAT_COUNT_BELOW:
		snprintf(text, size, "%" PRIu64, v);
		break;
	}
}

struct sum {
	const char *key;
	uint64_t total;
};

/* One number with the kernel's newline, as a file below holds it. */
static int parse_line_u64(const char *text, uint64_t *ret)
{
	char line[NUM_TEXT];
	size_t n = strcspn(text, "\n");

	if (n >= sizeof(line) || (text[n] && text[n + 1]))
		return -EIO;
	memcpy(line, text, n);
	line[n] = '\0';
	return parse_kernel_u64(line, ret);
}

/* A cgroup below without the key (an older kernel's file) adds 0. */
static int sum_add(void *arg, const char *text)
{
	struct sum *s = arg;
	uint64_t v;
	int res = s->key ? keyed_value(text, s->key, &v) : parse_line_u64(text, &v);

	if (res == -ENODATA)
		return 0;
	if (res < 0)
		return res;
	s->total = v > UINT64_MAX - s->total ? UINT64_MAX : s->total + v;
	return 0;
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
	if (res == 0 && src->unit == STAT_COUNT_BELOW && io->each_below) {
		struct sum sum = { src->key, v };

		res = io->each_below(io->ctx, l->ctrl, src->file, sum_add, &sum);
		v = sum.total;
	}
	if (res < 0)
		return res;
	format_stat(src->unit, v, text, sizeof(text));
	return out_line(o, l->name, text);
}

/* The pressure row's figures: RESOURCE_pressure_KIND_avgN in percent,
 * RESOURCE_pressure_KIND_total_seconds; none where the group has no
 * pressure files. */
static int stat_pressure(const struct knob_io *io, struct out *o)
{
	char name[64], text[NUM_TEXT];
	struct psi p;
	int r, kind, a, res;

	for (r = 0; r < PSI_RESOURCES; r++) {
		res = psi_read(io, r, &p);
		if (res == -ENOENT)
			continue;
		for (kind = 0; res == 0 && kind < PSI_KINDS; kind++) {
			const struct psi_line *l = &p.line[kind];

			if (!p.has[kind])
				continue;
			for (a = 0; res == 0 && a < PSI_AVGS; a++) {
				snprintf(name, sizeof(name), "%s_pressure_%s_%s", psi_resource_name(r),
				         psi_kind_name(kind), psi_avg_name(a));
				snprintf(text, sizeof(text), "%" PRIu32 ".%02" PRIu32, l->avg[a] / 100,
				         l->avg[a] % 100);
				res = out_line(o, name, text);
			}
			snprintf(name, sizeof(name), "%s_pressure_%s_total_seconds",
			         psi_resource_name(r), psi_kind_name(kind));
			format_stat(STAT_US_SECONDS, l->total, text, sizeof(text));
			if (res == 0)
				res = out_line(o, name, text);
		}
		if (res < 0)
			return res;
	}
	return 0;
}

/* The lines come from stat_lines, not from k's files (which name one
 * source each as the row's documentation). */
int stat_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
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
	res = stat_pressure(io, &o);
	return res < 0 ? res : (int)o.len;
}

/* ---- events ---- */

/* "frozen" as v2's cgroup.events says it, or v1's freezer.state FROZEN
 * (FREEZING is not yet frozen). */
static int events_frozen(const struct knob_io *io, uint64_t *ret)
{
	char text[LINE_TEXT];
	int v = io->version(io->ctx, CTRL_FREEZER), res;

	if (v == 2 && io->exists(io->ctx, CTRL_FREEZER, CGROUP_EVENTS))
		return read_keyed(io, CTRL_FREEZER, CGROUP_EVENTS, "frozen", ret);
	if (v != 1 || !io->exists(io->ctx, CTRL_FREEZER, FREEZER_STATE_V1))
		return -ENOENT;
	res = read_text(io, CTRL_FREEZER, FREEZER_STATE_V1, text, sizeof(text));
	if (res < 0)
		return res;
	*ret = strcmp(text, "FROZEN") == 0;
	return 0;
}

bool events_available(const struct knob *k, const struct knob_io *io)
{
	uint64_t n;
	size_t i;

	(void)k;
	for (i = 0; i < N_EVENT_LINES; i++)
		if (stat_source(io, &event_lines[i]))
			return true;
	return stat_populated(io, &n) == 0 || events_frozen(io, &n) == 0;
}

/* A 0/1 line from get, left out where its source is missing. */
static int events_flag(const struct knob_io *io, struct out *o, const char *name,
                       int (*get)(const struct knob_io *io, uint64_t *ret))
{
	uint64_t v;
	int res = get(io, &v);

	if (res == -ENOENT || res == -ENODATA)
		return 0;
	return res < 0 ? res : out_line(o, name, v ? "1" : "0");
}

int events_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	size_t i;
	int res = 0;

	(void)k;
	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	for (i = 0; res == 0 && i < N_EVENT_LINES; i++)
		res = stat_render_line(io, &event_lines[i], &o);
	if (res == 0)
		res = events_flag(io, &o, "populated", stat_populated);
	if (res == 0)
		res = events_flag(io, &o, "frozen", events_frozen);
	return res < 0 ? res : (int)o.len;
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

int meminfo_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
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
