// SPDX-License-Identifier: MIT
/*
 * knobs_psi: pressure stall information (PSI) of a group, from the
 * cpu.pressure, memory.pressure and io.pressure files every cgroup v2
 * cgroup has while the kernel accounts pressure. The pressure row shows
 * them in the kernel's own line syntax, each line led by its resource;
 * stat adds the same figures as keys of its own.
 *
 * Only a v2 group has these files; v1 has no equivalent. The group is the
 * one in the hierarchy of the first controller v2 serves: every hierarchy
 * serving a controller holds the group's processes, so its figures are
 * the group's own.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "knobs_int.h"

static const char *const psi_resources[PSI_RESOURCES] = { "cpu", "memory", "io" };
static const char *const psi_files[PSI_RESOURCES] = { "cpu.pressure", "memory.pressure",
                                                      "io.pressure" };
static const char *const psi_kinds[PSI_KINDS] = { "some", "full" };
static const char *const psi_avg_names[PSI_AVGS] = { "avg10", "avg60", "avg300" };

/* Room for one kernel pressure file: two lines of about 70 bytes. */
#define PSI_FILE_TEXT 512
/* An average is a percent with two decimals: at most "100.00". */
#define PSI_AVG_INT_DIGITS 3

const char *psi_resource_name(int r)
{
	return psi_resources[r];
}

const char *psi_kind_name(int kind)
{
	return psi_kinds[kind];
}

const char *psi_avg_name(int a)
{
	return psi_avg_names[a];
}

/* The controller whose hierarchy is v2, or -ENOENT: no v2 group. */
static int psi_ctrl(const struct knob_io *io)
{
	int c;

	for (c = 0; c < CTRL_MAX; c++)
		if (io->version(io->ctx, (enum cg_ctrl)c) == 2)
			return c;
	return -ENOENT;
}

/* "NAME=" at *p; moves *p past it. */
static bool skip_name(const char **p, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(*p, name, n) != 0 || (*p)[n] != '=')
		return false;
	*p += n + 1;
	return true;
}

/* "D.DD" (1..3 digits, a dot, two digits) as hundredths. */
static bool parse_avg(const char **p, uint32_t *ret)
{
	const char *s = *p;
	uint32_t v = 0;
	int n = 0;

	while (*s >= '0' && *s <= '9' && n < PSI_AVG_INT_DIGITS) {
		v = v * 10 + (uint32_t)(*s++ - '0');
		n++;
	}
	if (n == 0 || s[0] != '.' || !(s[1] >= '0' && s[1] <= '9') ||
	    !(s[2] >= '0' && s[2] <= '9'))
		return false;
	*ret = v * 100 + (uint32_t)(s[1] - '0') * 10 + (uint32_t)(s[2] - '0');
	*p = s + 3;
	return true;
}

/* Decimal digits that fit a u64. */
static bool parse_total(const char **p, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;

	if (!(*s >= '0' && *s <= '9'))
		return false;
	while (*s >= '0' && *s <= '9') {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return false;
		s++;
	}
	*ret = v;
	*p = s;
	return true;
}

/* One line's fields after its kind: " avg10=D.DD avg60=D.DD avg300=D.DD
 * total=N", ending at a newline or the end of the text. */
static bool parse_fields(const char **p, struct psi_line *l)
{
	int a;

	for (a = 0; a < PSI_AVGS; a++)
		if (*(*p)++ != ' ' || !skip_name(p, psi_avg_names[a]) || !parse_avg(p, &l->avg[a]))
			return false;
	if (*(*p)++ != ' ' || !skip_name(p, "total") || !parse_total(p, &l->total))
		return false;
	if (**p == '\n')
		(*p)++;
	else if (**p != '\0')
		return false;
	return true;
}

int psi_parse(const char *text, struct psi *ret)
{
	const char *p = text;
	int kind;

	memset(ret, 0, sizeof(*ret));
	/* "some" first, then "full" if the kernel has it (cpu has it since
	 * Linux 5.13); each once, nothing else. */
	for (kind = 0; kind < PSI_KINDS && *p; kind++) {
		size_t n = strlen(psi_kinds[kind]);

		if (strncmp(p, psi_kinds[kind], n) != 0)
			return -EIO;
		p += n;
		if (!parse_fields(&p, &ret->line[kind]))
			return -EIO;
		ret->has[kind] = true;
	}
	return *p || !ret->has[0] ? -EIO : 0;
}

int psi_read(const struct knob_io *io, int r, struct psi *ret)
{
	char text[PSI_FILE_TEXT];
	int c = psi_ctrl(io), n;

	if (c < 0)
		return c;
	n = io->read(io->ctx, (enum cg_ctrl)c, psi_files[r], text, sizeof(text));
	/* psi=0 hides the files; a kernel that disables PSI at run time
	 * refuses the read */
	if (n == -EOPNOTSUPP)
		return -ENOENT;
	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(text))
		return -EIO; /* far longer than the kernel's two lines */
	text[n] = '\0';
	return psi_parse(text, ret);
}

bool pressure_available(const struct knob *k, const struct knob_io *io)
{
	int c = psi_ctrl(io), r;

	(void)k;
	if (c < 0)
		return false;
	for (r = 0; r < PSI_RESOURCES; r++)
		if (io->exists(io->ctx, (enum cg_ctrl)c, psi_files[r]) == 1)
			return true;
	return false;
}

static int put_psi_line(char *buf, size_t size, size_t *len, int r, int kind,
                        const struct psi_line *l)
{
	int n = snprintf(buf + *len, size - *len,
	                 "%s %s avg10=%" PRIu32 ".%02" PRIu32 " avg60=%" PRIu32 ".%02" PRIu32
	                 " avg300=%" PRIu32 ".%02" PRIu32 " total=%" PRIu64 "\n",
	                 psi_resources[r], psi_kinds[kind], l->avg[0] / 100, l->avg[0] % 100,
	                 l->avg[1] / 100, l->avg[1] % 100, l->avg[2] / 100, l->avg[2] % 100,
	                 l->total);

	if (n < 0 || (size_t)n >= size - *len)
		return -ENOBUFS;
	*len += (size_t)n;
	return 0;
}

/* A resource whose file is missing leaves its lines out; none at all is
 * -ENOENT (the group lost them since the probe). */
int pressure_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	struct psi p;
	size_t len = 0;
	int r, kind, res, found = 0;

	(void)k;
	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	for (r = 0; r < PSI_RESOURCES; r++) {
		res = psi_read(io, r, &p);
		if (res == -ENOENT)
			continue;
		if (res < 0)
			return res;
		found++;
		for (kind = 0; kind < PSI_KINDS; kind++) {
			if (!p.has[kind])
				continue;
			res = put_psi_line(buf, size, &len, r, kind, &p.line[kind]);
			if (res < 0)
				return res;
		}
	}
	return found ? (int)len : -ENOENT;
}
