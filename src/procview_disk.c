// SPDX-License-Identifier: MIT
/*
 * procview: proc/diskstats of a group.
 *
 * The counters are the group's cgroup files' (v2 io.stat, v1 blkio's
 * recursive files); the lines, their order and the names are the host's
 * /proc/diskstats, so a disk reads under the name iostat knows it by.
 * The layout is the kernel's (block/genhd.c, diskstats_show).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs/procview.h"
#include "cgfs/units.h"
#include "procview_int.h"

#define SECTOR 512
#define NSEC_PER_MSEC UINT64_C(1000000)
/* Linux's dev_t: 12 bits of major, 20 of minor. */
#define MAJOR_MAX 4095u
#define MINOR_MAX 1048575u

enum { RD, WR, DS };

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The decimal of len bytes at p, at most max. */
static int dec_of(const char *p, size_t len, uint64_t max, uint64_t *ret)
{
	uint64_t v;

	if (len == 0 || strspn(p, "0123456789") < len || units_parse_dec(p, len, &v) < 0 ||
	    v > max)
		return -EIO;
	*ret = v;
	return 0;
}

/* "MAJ:MIN" of len bytes at p. */
static int devnum_of(const char *p, size_t len, unsigned *ret_major, unsigned *ret_minor)
{
	const char *colon = memchr(p, ':', len);
	uint64_t maj, min;

	if (!colon || dec_of(p, (size_t)(colon - p), MAJOR_MAX, &maj) < 0 ||
	    dec_of(colon + 1, len - (size_t)(colon + 1 - p), MINOR_MAX, &min) < 0)
		return -EIO;
	*ret_major = (unsigned)maj;
	*ret_minor = (unsigned)min;
	return 0;
}

/* The disk maj:min among d[0..*n-1], appended while *n < max; NULL
 * beyond (its counters are left out). */
static struct procview_disk *disk_of(struct procview_disk *d, size_t *n, size_t max,
                                     unsigned maj, unsigned min)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (d[i].major == maj && d[i].minor == min)
			return &d[i];
	if (*n >= max)
		return NULL;
	d[*n] = (struct procview_disk){ .major = maj, .minor = min };
	return &d[(*n)++];
}

/* The next token of the line at *p (blank-separated), which moves past
 * it; its length, 0 at the line's end. */
static size_t token(const char **p, const char **ret)
{
	size_t len;

	*p += strspn(*p, " \t");
	*ret = *p;
	len = strcspn(*p, " \t\n");
	*p += len;
	return len;
}

/* Where v2's keys go: the counter array and the direction. */
static uint64_t *iostat_slot(struct procview_disk *disk, const char *key, size_t len)
{
	static const struct {
		const char *key;
		size_t field; /* 0 ios, 1 bytes */
		int dir;
	} keys[] = {
		{ "rbytes", 1, RD }, { "wbytes", 1, WR }, { "dbytes", 1, DS },
		{ "rios", 0, RD },   { "wios", 0, WR },   { "dios", 0, DS },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i].key) == len && memcmp(keys[i].key, key, len) == 0)
			return keys[i].field ? &disk->bytes[keys[i].dir] : &disk->ios[keys[i].dir];
	return NULL;
}

int procview_iostat_add(const char *text, struct procview_disk *d, size_t *n, size_t max)
{
	struct procview_disk *disk, spare = { 0 };
	const char *p, *tok, *eq;
	unsigned maj, min;
	uint64_t v, *slot;
	size_t len;

	for (p = text; *p; p += *p == '\n') {
		len = token(&p, &tok);
		if (len == 0)
			continue; /* a blank line */
		if (devnum_of(tok, len, &maj, &min) < 0)
			return -EIO;
		disk = disk_of(d, n, max, maj, min);
		if (!disk)
			disk = &spare; /* parsed all the same, and dropped */
		while ((len = token(&p, &tok)) > 0) {
			eq = memchr(tok, '=', len);
			if (!eq)
				return -EIO;
			slot = iostat_slot(disk, tok, (size_t)(eq - tok));
			if (!slot)
				continue; /* another policy's key: cost.*, use_delay... */
			if (dec_of(eq + 1, len - (size_t)(eq + 1 - tok), UINT64_MAX, &v) < 0)
				return -EIO;
			*slot = add_sat(*slot, v);
		}
	}
	return 0;
}

/* The direction a v1 line names; -1 for Sync, Async, Total. */
static int v1_dir(const char *op, size_t len)
{
	static const char *const dirs[] = { [RD] = "Read", [WR] = "Write", [DS] = "Discard" };
	int i;

	for (i = RD; i <= DS; i++)
		if (strlen(dirs[i]) == len && memcmp(dirs[i], op, len) == 0)
			return i;
	return -1;
}

static uint64_t *blkio_slot(struct procview_disk *disk, enum procview_blkio kind, int dir)
{
	switch (kind) {
	case PROCVIEW_BLKIO_BYTES:
		return &disk->bytes[dir];
	case PROCVIEW_BLKIO_IOS:
		return &disk->ios[dir];
	case PROCVIEW_BLKIO_MERGED:
		return &disk->merged[dir];
	default:
		return &disk->ns[dir];
	}
}

int procview_blkio_add(const char *text, enum procview_blkio kind, struct procview_disk *d,
                       size_t *n, size_t max)
{
	struct procview_disk *disk, spare = { 0 };
	const char *p, *dev, *op, *num, *rest;
	size_t len, oplen, numlen;
	unsigned maj, min;
	uint64_t v;
	int dir;

	if (kind < PROCVIEW_BLKIO_BYTES || kind > PROCVIEW_BLKIO_TIME_NS)
		return -EINVAL;
	for (p = text; *p; p += *p == '\n') {
		len = token(&p, &dev);
		if (len == 0)
			continue;
		oplen = token(&p, &op);
		numlen = token(&p, &num);
		if (len == 5 && memcmp(dev, "Total", 5) == 0 && oplen > 0 && numlen == 0) {
			if (dec_of(op, oplen, UINT64_MAX, &v) < 0)
				return -EIO;
			continue; /* the last line: "Total N" */
		}
		if (oplen == 0 || numlen == 0 || token(&p, &rest) > 0 ||
		    devnum_of(dev, len, &maj, &min) < 0)
			return -EIO;
		if (dec_of(num, numlen, UINT64_MAX, &v) < 0)
			return -EIO;
		dir = v1_dir(op, oplen);
		if (dir < 0)
			continue;
		disk = disk_of(d, n, max, maj, min);
		if (!disk)
			disk = &spare;
		*blkio_slot(disk, kind, dir) = add_sat(*blkio_slot(disk, kind, dir), v);
	}
	return 0;
}

/* ---- the file ---- */

static int disk_cmp(const void *a, const void *b)
{
	const struct procview_disk *x = a, *y = b;

	if (x->major != y->major)
		return x->major < y->major ? -1 : 1;
	return x->minor < y->minor ? -1 : x->minor > y->minor;
}

static bool disk_used(const struct procview_disk *disk)
{
	int i;

	for (i = RD; i <= DS; i++)
		if (disk->ios[i] || disk->merged[i] || disk->bytes[i] || disk->ns[i])
			return true;
	return false;
}

/* One disk's four numbers of a direction: completed, merged, sectors,
 * ms. */
#define DIR_FMT " %llu %llu %llu %llu"
#define DIR_ARGS(disk, i)                                                        \
	(unsigned long long)(disk)->ios[i], (unsigned long long)(disk)->merged[i], \
		(unsigned long long)((disk)->bytes[i] / SECTOR),                    \
		(unsigned long long)((disk)->ns[i] / NSEC_PER_MSEC)

static int disk_line(struct procview_out *o, const struct procview_disk *disk, const char *name,
                     size_t len)
{
	uint64_t weighted = add_sat(add_sat(disk->ns[RD], disk->ns[WR]), disk->ns[DS]);

	return procview_out_printf(o, "%4u %7u %.*s" DIR_FMT DIR_FMT " 0 0 %llu" DIR_FMT " 0 0\n",
	                  disk->major, disk->minor, (int)len, name, DIR_ARGS(disk, RD),
	                  DIR_ARGS(disk, WR), (unsigned long long)(weighted / NSEC_PER_MSEC),
	                  DIR_ARGS(disk, DS));
}

int procview_diskstats_render(const char *host, struct procview_disk *d, size_t n, char *buf,
                              size_t size)
{
	struct procview_out o = { buf, size, 0 };
	struct procview_disk key, *disk;
	const char *p, *tok, *name;
	size_t len, namelen;
	uint64_t maj, min;
	int res = 0;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	if (!host)
		return -EIO;
	if (n > 1)
		qsort(d, n, sizeof(*d), disk_cmp);
	for (p = host; *p && res == 0; p += strcspn(p, "\n"), p += *p == '\n') {
		len = token(&p, &tok);
		if (len == 0 && *p == '\n')
			continue; /* a blank line */
		if (dec_of(tok, len, MAJOR_MAX, &maj) < 0)
			return -EIO;
		len = token(&p, &tok);
		namelen = token(&p, &name);
		if (dec_of(tok, len, MINOR_MAX, &min) < 0 || namelen == 0)
			return -EIO;
		key.major = (unsigned)maj;
		key.minor = (unsigned)min;
		disk = n ? bsearch(&key, d, n, sizeof(*d), disk_cmp) : NULL;
		if (disk && disk_used(disk)) {
			res = disk_line(&o, disk, name, namelen);
			/* once: a host file naming a disk twice makes no more */
			*disk = (struct procview_disk){ .major = key.major, .minor = key.minor };
		}
	}
	return res < 0 ? res : (int)o.len;
}
