// SPDX-License-Identifier: MIT
/*
 * knobs_io: the per-device I/O limits (io_read_mbps, io_write_mbps,
 * io_read_iops, io_write_iops), systemd's IOReadBandwidthMax= and its
 * kin. A value is lines of "DEVICE VALUE"; the kernel keeps one limit per
 * whole disk, in v1's blkio.throttle.*_device files ("MAJ:MIN N", 0 for
 * none) or in v2's io.max ("MAJ:MIN rbps=N wbps=N riops=N wiops=N").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgfs/units.h"
#include "knobs_int.h"

/* Linux's dev_t: 12 bits of major, 20 of minor. */
#define MAJOR_MAX 4095u
#define MINOR_MAX 1048575u
#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
/* blk-throttle keeps IOPS in an unsigned int, UINT_MAX meaning none. */
#define IOPS_MAX UINT64_C(4294967294)
#define UEVENT_TEXT 512

/* A row's limit: its v1 file's is the row's; on v2, its key in io.max. */
static const struct io_limit {
	const char *v1_file;
	const char *key;
	bool iops;
} io_limits[] = {
	{ "blkio.throttle.read_bps_device", "rbps", false },
	{ "blkio.throttle.write_bps_device", "wbps", false },
	{ "blkio.throttle.read_iops_device", "riops", true },
	{ "blkio.throttle.write_iops_device", "wiops", true },
};

static const struct io_limit *limit_of(const struct knob *k)
{
	size_t i;

	for (i = 0; i < sizeof(io_limits) / sizeof(io_limits[0]); i++)
		if (strcmp(io_limits[i].v1_file, k->v1_file) == 0)
			return &io_limits[i];
	return &io_limits[0]; /* not reached: every row is listed */
}

/* ---- values ---- */

/* Bandwidth: MiB/s as units_parse_size reads sizes ("512K" is 512 KiB/s),
 * kept in whole KiB/s, rounded down; "max" is none. */
static int parse_bps(const char *s, uint64_t *ret)
{
	uint64_t bytes;
	int res = units_parse_size(s, &bytes);

	if (res < 0)
		return res;
	if (bytes != UNITS_MAX)
		bytes &= ~(KIB - 1);
	if (bytes == 0)
		return -ERANGE;
	*ret = bytes;
	return 0;
}

/* IOPS: a count, with K, M or G for thousands, millions, billions. */
static int parse_iops(const char *s, uint64_t *ret)
{
	static const char suffixes[] = "kmg";
	char digits[NUM_TEXT];
	size_t len = strlen(s), i;
	uint64_t n, mult = 1;
	const char *sfx;
	int res;

	if (len == 0 || len >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, s, len + 1);
	sfx = strchr(suffixes, digits[len - 1] | 0x20);
	if (len > 1 && sfx) {
		for (i = 0; i <= (size_t)(sfx - suffixes); i++)
			mult *= 1000;
		digits[len - 1] = '\0';
	}
	res = units_parse_uint(digits, 0, UNITS_MAX - 1, mult == 1, &n);
	if (res < 0)
		return res;
	if (n == UNITS_MAX) {
		*ret = n;
		return 0;
	}
	if (__builtin_mul_overflow(n, mult, &n) || n == 0 || n > IOPS_MAX)
		return -ERANGE;
	*ret = n;
	return 0;
}

static int parse_value(const struct io_limit *l, const char *s, uint64_t *ret)
{
	return l->iops ? parse_iops(s, ret) : parse_bps(s, ret);
}

/* A limit as it reads back: IOPS as a count; bandwidth in MiB/s, or in
 * KiB/s with a K where it is no whole MiB. */
static int put_value(const struct io_limit *l, uint64_t v, char *buf, size_t size)
{
	int n;

	if (v == UNITS_MAX)
		n = snprintf(buf, size, "max");
	else if (l->iops)
		n = snprintf(buf, size, "%" PRIu64, v);
	else if (v % MIB == 0)
		n = snprintf(buf, size, "%" PRIu64, v / MIB);
	else
		n = snprintf(buf, size, "%" PRIu64 "K", v / KIB);
	return n < 0 || (size_t)n >= size ? -ENOBUFS : n;
}

/* ---- devices ---- */

struct io_line {
	unsigned major, minor;
	uint64_t value;
};

/* "MAJ:MIN" in decimal. */
static int parse_devnum(const char *s, unsigned *ret_major, unsigned *ret_minor)
{
	uint64_t maj, min;
	char text[NUM_TEXT];
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : 0;

	if (!colon || len >= sizeof(text))
		return -EINVAL;
	memcpy(text, s, len);
	text[len] = '\0';
	if (units_parse_uint(text, 0, MAJOR_MAX, 0, &maj) < 0 ||
	    units_parse_uint(colon + 1, 0, MINOR_MAX, 0, &min) < 0)
		return -EINVAL;
	*ret_major = (unsigned)maj;
	*ret_minor = (unsigned)min;
	return 0;
}

/* The kernel's record of block device maj:min (its uevent file): -EINVAL
 * where it has none. */
static int read_uevent(const struct knob_io *io, unsigned maj, unsigned min, char *buf,
                       size_t size)
{
	char path[64];
	int n;

	if (!io->host_read)
		return -EINVAL;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", maj, min);
	n = io->host_read(io->ctx, path, buf, size);
	if (n == -ENOENT || n == -ENOTDIR)
		return -EINVAL;
	if (n < 0)
		return n;
	if ((size_t)n >= size)
		n = (int)size - 1;
	buf[n] = '\0';
	return n;
}

/* The value of "KEY=" in uevent text, up to its newline, or NULL. */
static const char *uevent_value(const char *text, const char *key, size_t *ret_len)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (*p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			*ret_len = strcspn(p, "\n");
			return p;
		}
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	return NULL;
}

/* A device a limit may name: a whole disk, which blk-throttle wants (it
 * refuses a partition with ENODEV). -EINVAL for anything else. */
static int check_disk(const struct knob_io *io, unsigned maj, unsigned min)
{
	char text[UEVENT_TEXT];
	const char *type;
	size_t len;
	int res = read_uevent(io, maj, min, text, sizeof(text));

	if (res < 0)
		return res;
	type = uevent_value(text, "DEVTYPE", &len);
	return type && len == 4 && strncmp(type, "disk", 4) == 0 ? 0 : -EINVAL;
}

/* DEVICE as written: a path below /dev/ (which io resolves), or MAJ:MIN.
 * Without io only its form is checked. */
static int parse_device(const struct knob_io *io, const char *s, unsigned *ret_major,
                        unsigned *ret_minor)
{
	unsigned maj = 0, min = 0;
	int res;

	if (strncmp(s, "/dev/", 5) == 0) {
		if (!io)
			return s[5] ? 0 : -EINVAL;
		res = io->block_dev ? io->block_dev(io->ctx, s, &maj, &min) : -EINVAL;
	} else {
		res = parse_devnum(s, &maj, &min);
		if (res < 0 || !io)
			return res;
	}
	if (res == 0)
		res = check_disk(io, maj, min);
	if (res == 0) {
		*ret_major = maj;
		*ret_minor = min;
	}
	return res;
}

/* How a limit names its device: /dev/NAME when the kernel's name for it
 * leads back to it, else MAJ:MIN. */
static void device_name(const struct knob_io *io, unsigned maj, unsigned min, char *buf,
                        size_t size)
{
	char text[UEVENT_TEXT], path[UEVENT_TEXT];
	const char *name = NULL;
	unsigned m2, n2;
	size_t len = 0;

	if (read_uevent(io, maj, min, text, sizeof(text)) >= 0)
		name = uevent_value(text, "DEVNAME", &len);
	if (name && len > 0 && len < sizeof(path) - 6 && io->block_dev) {
		snprintf(path, sizeof(path), "/dev/%.*s", (int)len, name);
		if (io->block_dev(io->ctx, path, &m2, &n2) == 0 && m2 == maj && n2 == min) {
			snprintf(buf, size, "%s", path);
			return;
		}
	}
	snprintf(buf, size, "%u:%u", maj, min);
}

/* ---- what the user writes ---- */

/* The next line of *p (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **p)
{
	char *line = *p, *nl;

	if (!line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = NULL;
	}
	return line;
}

/* Splits a line into exactly two blank-separated tokens, in place. */
static int split_pair(char *line, char **ret_a, char **ret_b)
{
	char *a, *b, *rest;

	a = line + strspn(line, " \t");
	b = a + strcspn(a, " \t");
	if (*b == '\0' || b == a)
		return -EINVAL;
	*b++ = '\0';
	b += strspn(b, " \t");
	rest = b + strcspn(b, " \t");
	if (*b == '\0' || rest[strspn(rest, " \t")] != '\0')
		return -EINVAL;
	*rest = '\0';
	*ret_a = a;
	*ret_b = b;
	return 0;
}

/* Parses every line of value into ret (at most max, one per device);
 * blank lines are skipped. The count, or -EINVAL/-ERANGE/-ENOENT, before
 * anything is written. With io NULL, devices are checked for form only. */
static int parse_lines(const struct io_limit *l, const struct knob_io *io, const char *value,
                       struct io_line *ret, size_t max)
{
	char text[KNOB_VALUE_MAX], *p = text, *line, *dev, *val;
	size_t n = 0, i;
	int res;

	if (strlen(value) >= sizeof(text))
		return -EINVAL;
	strcpy(text, value);
	while ((line = next_line(&p))) {
		if (line[strspn(line, " \t")] == '\0')
			continue;
		if (n == max)
			return -EINVAL;
		res = split_pair(line, &dev, &val);
		if (res == 0)
			res = parse_value(l, val, &ret[n].value);
		if (res == 0)
			res = parse_device(io, dev, &ret[n].major, &ret[n].minor);
		if (res < 0)
			return res;
		for (i = 0; io && i < n; i++)
			if (ret[i].major == ret[n].major && ret[i].minor == ret[n].minor)
				return -EINVAL; /* one device, two limits */
		n++;
	}
	return n ? (int)n : -EINVAL;
}

/* ---- what the kernel shows ---- */

/* One line of the kernel's file: its device and this limit's value.
 * -ENODATA for an io.max line without its key, -EIO for text not
 * understood. */
static int parse_kernel_line(const struct io_limit *l, int v, char *line, struct io_line *ret)
{
	size_t klen = strlen(l->key);
	char *tok, *save = NULL;
	int res;

	tok = strtok_r(line, " \t", &save);
	if (!tok || parse_devnum(tok, &ret->major, &ret->minor) < 0)
		return -EIO;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (v == 2 && (strncmp(tok, l->key, klen) != 0 || tok[klen] != '='))
			continue;
		res = parse_kernel_u64(v == 2 ? tok + klen + 1 : tok, &ret->value);
		if (res == 0 && v == 1 && ret->value == 0)
			ret->value = UNITS_MAX; /* v1's "no limit" */
		return res;
	}
	return v == 2 ? -ENODATA : -EIO;
}

/* The limits the kernel holds for this group: count, or -errno (-EIO for
 * text not understood, -ENOBUFS for more than max devices or text that
 * fills the buffer). Devices without one of this row's kind are left
 * out. */
static int read_limits(const struct knob *k, const struct io_limit *l, const struct knob_io *io,
                       int v, struct io_line *ret, size_t max)
{
	char text[KNOB_TEXT_MAX], *p = text, *line;
	size_t n = 0, i;
	int res = read_text(io, k->ctrl, file_of(k, v), text, sizeof(text));

	if (res < 0)
		return res;
	/* as long as the buffer: maybe cut, and a cut number is another */
	if ((size_t)res >= sizeof(text) - 1)
		return -ENOBUFS;
	if (res == 0)
		return 0;
	while ((line = next_line(&p))) {
		if (n == max)
			return -ENOBUFS;
		res = parse_kernel_line(l, v, line, &ret[n]);
		if (res == -ENODATA)
			continue;
		if (res < 0)
			return res;
		for (i = 0; i < n; i++)
			if (ret[i].major == ret[n].major && ret[i].minor == ret[n].minor)
				return -EIO; /* the kernel shows a device once */
		if (ret[n].value != UNITS_MAX)
			n++;
	}
	return (int)n;
}

/* Sets (or with UNITS_MAX clears) one device's limit. */
static int write_limit(const struct knob *k, const struct io_limit *l, const struct knob_io *io,
                       int v, const struct io_line *d)
{
	char text[LINE_TEXT];

	if (d->value == UNITS_MAX)
		snprintf(text, sizeof(text), v == 2 ? "%u:%u %s=max" : "%u:%u 0", d->major,
		         d->minor, l->key);
	else if (v == 2)
		snprintf(text, sizeof(text), "%u:%u %s=%" PRIu64, d->major, d->minor, l->key,
		         d->value);
	else
		snprintf(text, sizeof(text), "%u:%u %" PRIu64, d->major, d->minor, d->value);
	return io->write(io->ctx, k->ctrl, file_of(k, v), text);
}

/* ---- the rows' functions ---- */

#define IO_LINES_MAX 64

int iolimit_get(const struct knob *k, const struct knob_io *io, char *buf, size_t size)
{
	const struct io_limit *l = limit_of(k);
	struct io_line d[IO_LINES_MAX];
	char name[UEVENT_TEXT], val[NUM_TEXT];
	int v = row_version(k, io), n, i, res;
	size_t len = 0;

	if (v < 0)
		return v;
	n = read_limits(k, l, io, v, d, IO_LINES_MAX);
	if (n < 0)
		return n;
	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		device_name(io, d[i].major, d[i].minor, name, sizeof(name));
		res = put_value(l, d[i].value, val, sizeof(val));
		if (res < 0)
			return res;
		res = snprintf(buf + len, size - len, "%s %s\n", name, val);
		if (res < 0 || (size_t)res >= size - len)
			return -ENOBUFS;
		len += (size_t)res;
	}
	return (int)len;
}

/* The old limit of device d among cur (n of them), or none. */
static uint64_t old_value(const struct io_line *cur, int n, const struct io_line *d)
{
	int i;

	for (i = 0; i < n; i++)
		if (cur[i].major == d->major && cur[i].minor == d->minor)
			return cur[i].value;
	return UNITS_MAX;
}

/* Every line is checked (devices included) before the first write; when
 * the kernel refuses a line, the lines before it get their old limits
 * back. */
int iolimit_set(const struct knob *k, const struct knob_io *io, const char *value)
{
	const struct io_limit *l = limit_of(k);
	struct io_line want[IO_LINES_MAX], cur[IO_LINES_MAX], old;
	int n = parse_lines(l, NULL, value, want, IO_LINES_MAX), v, ncur, i, res = 0;

	/* The form first: a group no hierarchy serves says so (-ENOENT)
	 * before its devices are looked up. */
	v = parsed_version(n < 0 ? n : 0, k, io);
	if (v < 0)
		return v;
	n = parse_lines(l, io, value, want, IO_LINES_MAX);
	if (n < 0)
		return n;
	ncur = read_limits(k, l, io, v, cur, IO_LINES_MAX);
	if (ncur < 0)
		return ncur;
	for (i = 0; i < n && res == 0; i++)
		res = write_limit(k, l, io, v, &want[i]);
	if (res == 0)
		return 0;
	for (i -= 2; i >= 0; i--) {
		old = want[i];
		old.value = old_value(cur, ncur, &want[i]);
		write_limit(k, l, io, v, &old); /* the kernel held it a moment ago */
	}
	return res;
}

static int iolimit_check(const struct io_limit *l, const char *value)
{
	struct io_line d[IO_LINES_MAX];
	int n = parse_lines(l, NULL, value, d, IO_LINES_MAX);

	return n < 0 ? n : 0;
}

int check_io_bps(const char *value)
{
	return iolimit_check(&io_limits[0], value);
}

int check_io_iops(const char *value)
{
	return iolimit_check(&io_limits[2], value);
}
