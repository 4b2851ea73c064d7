// SPDX-License-Identifier: MIT
/*
 * knobs_cfs: the CFS bandwidth knobs, a percent of one CPU over the
 * group's period (cpu_percent).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgfs/units.h"
#include "knobs_int.h"

/* The period cpu_percent's check assumes: the kernel's default. */
#define CFS_PERIOD_DEFAULT UINT64_C(100000)

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
