// SPDX-License-Identifier: MIT
/*
 * knobs_cfs: the CFS bandwidth knobs: the quota as a percent of one CPU
 * (cpu_percent), the period it is measured over (cpu_period_us) and the
 * burst on top of it (cpu_burst_percent).
 *
 * The kernel checks the three together at every write (quota and burst
 * within its bounds, burst <= quota, on v1 a quota/period ratio within
 * the parent's), so a change to more than one file is written in the
 * order that never crosses a bound, and undone when a later write is
 * refused.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cgfs/units.h"
#include "knobs_int.h"

/* The period cpu_percent's check assumes: the kernel's default. */
#define CFS_PERIOD_DEFAULT UINT64_C(100000)
/* The kernel's bounds (kernel/sched/core.c): a period of 1 ms to 1 s, a
 * quota of at least 1 ms (units_percent_to_quota's). */
#define CFS_PERIOD_MIN UINT64_C(1000)
#define CFS_PERIOD_MAX UINT64_C(1000000)

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

/* A CFS quota (UNITS_MAX: none) and period: v2 keeps both in v2_max,
 * v1 in v1_quota and v1_period. */
static int bandwidth_of(const struct knob_io *io, enum cg_ctrl c, int v, const char *v1_quota,
                        const char *v1_period, const char *v2_max, uint64_t *quota,
                        uint64_t *period)
{
	char buf[LINE_TEXT];
	int res;

	if (v == 2) {
		res = read_text(io, c, v2_max, buf, sizeof(buf));
		return res < 0 ? res : parse_cpu_max(buf, quota, period);
	}
	res = read_u64(io, c, v1_period, period);
	if (res == 0)
		res = read_text(io, c, v1_quota, buf, sizeof(buf));
	if (res < 0)
		return res;
	/* v1 spells "no quota" as a negative number (-1) */
	if (buf[0] == '-') {
		*quota = UNITS_MAX;
		return 0;
	}
	return parse_kernel_u64(buf, quota);
}

/* The group's CFS quota and period. v2 keeps both in k's file; v1 the
 * quota in k's file, the period in its second file. */
static int cpu_bandwidth(const struct knob *k, const struct knob_io *io, int v, uint64_t *quota,
                         uint64_t *period)
{
	return bandwidth_of(io, k->ctrl, v, k->v1_file, k->v1_aux, k->v2_file, quota, period);
}

int percent_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
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
int percent_set(const struct knob *k, const struct knob_io *io, const char *value)
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
int check_percent(const char *value)
{
	uint64_t centi, quota;
	int res = units_parse_percent(value, &centi);

	if (res < 0 || centi == UNITS_MAX)
		return res;
	return units_percent_to_quota(centi, CFS_PERIOD_DEFAULT, &quota);
}

/* ---- the whole bandwidth: quota, period and burst ---- */

struct cfs {
	uint64_t quota;  /* UNITS_MAX: none */
	uint64_t period;
	uint64_t burst;  /* 0 where the kernel has no burst file */
	bool has_burst;
};

static const char *burst_file(int v)
{
	return v == 1 ? CFS_BURST_V1 : CPU_BURST_V2;
}

static int cfs_read(const struct knob_io *io, enum cg_ctrl c, int v, struct cfs *ret)
{
	int res = bandwidth_of(io, c, v, CFS_QUOTA_V1, CFS_PERIOD_V1, CPU_MAX_V2, &ret->quota,
	                       &ret->period);

	ret->burst = 0;
	ret->has_burst = res == 0 && io->exists(io->ctx, c, burst_file(v)) == 1;
	if (ret->has_burst)
		res = read_u64(io, c, burst_file(v), &ret->burst);
	return res;
}

/* One file of a bandwidth change: what it gets, and what it had. */
struct cfs_step {
	const char *file;
	char text[LINE_TEXT];
	char old[LINE_TEXT];
};

static void quota_text(int v, const struct cfs *b, char *buf, size_t size)
{
	if (v == 1 && b->quota == UNITS_MAX)
		snprintf(buf, size, "-1");
	else if (v == 1)
		snprintf(buf, size, "%" PRIu64, b->quota);
	else if (b->quota == UNITS_MAX)
		snprintf(buf, size, "max %" PRIu64, b->period);
	else
		snprintf(buf, size, "%" PRIu64 " %" PRIu64, b->quota, b->period);
}

static void number_step(struct cfs_step *s, const char *file, uint64_t to, uint64_t from)
{
	s->file = file;
	snprintf(s->text, sizeof(s->text), "%" PRIu64, to);
	snprintf(s->old, sizeof(s->old), "%" PRIu64, from);
}

/* The steps from old to new, in the order that never crosses a bound:
 * a longer period first (the ratio falls) and the burst last (it stays
 * below the quota); a shorter one the other way round. */
static size_t cfs_steps(int v, const struct cfs *old, const struct cfs *new,
                        struct cfs_step *s)
{
	size_t n = 0, i;

	if (v == 1)
		number_step(&s[n++], CFS_PERIOD_V1, new->period, old->period);
	s[n].file = v == 1 ? CFS_QUOTA_V1 : CPU_MAX_V2;
	quota_text(v, new, s[n].text, sizeof(s[n].text));
	quota_text(v, old, s[n].old, sizeof(s[n].old));
	n++;
	if (old->has_burst)
		number_step(&s[n++], burst_file(v), new->burst, old->burst);
	for (i = 0; new->period < old->period && i < n / 2; i++) {
		struct cfs_step t = s[i];

		s[i] = s[n - 1 - i];
		s[n - 1 - i] = t;
	}
	return n;
}

/* Writes new over old; when the kernel refuses a step, puts the earlier
 * ones back (last first: the same path backwards) and returns its error. */
static int cfs_apply(const struct knob_io *io, enum cg_ctrl c, int v, const struct cfs *old,
                     const struct cfs *new)
{
	struct cfs_step s[3];
	size_t n = cfs_steps(v, old, new, s), i, done;
	int res = 0;

	for (done = 0; done < n && res == 0; done++)
		if (strcmp(s[done].text, s[done].old) != 0)
			res = io->write(io->ctx, c, s[done].file, s[done].text);
	if (res == 0)
		return 0;
	for (i = done - 1; i-- > 0;)
		if (strcmp(s[i].text, s[i].old) != 0)
			io->write(io->ctx, c, s[i].file, s[i].old); /* held a moment ago */
	return res;
}

/* ---- cpu_period_us: the period, the quota and burst keeping their share ---- */

static int parse_period(const char *value, uint64_t *ret)
{
	return units_parse_uint(value, CFS_PERIOD_MIN, CFS_PERIOD_MAX, 0, ret);
}

int check_period(const char *value)
{
	uint64_t p;

	return parse_period(value, &p);
}

int period_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	struct cfs b;
	int v = need_version(io, k->ctrl), res;

	if (v < 0)
		return v;
	res = cfs_read(io, k->ctrl, v, &b);
	return res < 0 ? res : put_u64(buf, size, b.period);
}

/* The quota and the burst are set again for the new period from the
 * percentages cpu_percent and cpu_burst_percent read, so that they read
 * the same after (exactly, for a period of 10 ms or more: a hundredth of
 * a percent is then 1 us or more); a quota that would fall below 1 ms,
 * or either past 2^44-1 us, is -ERANGE. */
int period_set(const struct knob *k, const struct knob_io *io, const char *value)
{
	struct cfs old, new;
	uint64_t period;
	int v = parsed_version(parse_period(value, &period), k, io), res;

	if (v < 0)
		return v;
	res = cfs_read(io, k->ctrl, v, &old);
	if (res < 0)
		return res;
	new = old;
	new.period = period;
	if (old.quota != UNITS_MAX)
		res = units_percent_to_quota(units_quota_to_percent(old.quota, old.period), period,
		                             &new.quota);
	if (res == 0)
		res = units_percent_to_burst(units_quota_to_percent(old.burst, old.period), period,
		                             &new.burst);
	return res < 0 ? res : cfs_apply(io, k->ctrl, v, &old, &new);
}

/* ---- cpu_burst_percent: the burst, a percent of one CPU like the quota ---- */

/* A percent, not "max": the kernel has no unlimited burst. */
static int parse_burst(const char *value, uint64_t *ret_centi)
{
	int res = units_parse_percent(value, ret_centi);

	return res == 0 && *ret_centi == UNITS_MAX ? -EINVAL : res;
}

int check_burst(const char *value)
{
	uint64_t centi, burst;
	int res = parse_burst(value, &centi);

	return res < 0 ? res : units_percent_to_burst(centi, CFS_PERIOD_DEFAULT, &burst);
}

int burst_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	struct cfs b;
	int v = need_version(io, k->ctrl), res;

	if (v < 0)
		return v;
	res = cfs_read(io, k->ctrl, v, &b);
	if (res == 0 && !b.has_burst)
		res = -ENOENT;
	return res < 0 ? res : put_percent(buf, size, units_quota_to_percent(b.burst, b.period));
}

/* One write: the kernel refuses a burst above the quota (-EINVAL). */
int burst_set(const struct knob *k, const struct knob_io *io, const char *value)
{
	uint64_t centi, burst;
	struct cfs b;
	int v = parsed_version(parse_burst(value, &centi), k, io), res;

	if (v < 0)
		return v;
	res = cfs_read(io, k->ctrl, v, &b);
	if (res == 0)
		res = units_percent_to_burst(centi, b.period, &burst);
	return res < 0 ? res : write_u64(io, k->ctrl, file_of(k, v), burst);
}
