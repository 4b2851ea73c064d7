// SPDX-License-Identifier: MIT
/*
 * view: what proc/diskstats reads to render: the group's own counters
 * (v2 io.stat, v1 blkio's recursive files of its directory, so its .self
 * leaf and its subgroups count) and the host's /proc/diskstats for the
 * disks' names and order. A bounded number of files, whatever the group
 * holds: no walk over processes or cgroups.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "cgfs/procview.h"
#include "view_int.h"

#define HOST_DISKSTATS "/proc/diskstats"
/* Thousands of disks at about 100 bytes each. */
#define HOST_DISKSTATS_MAX (4u << 20)
#define IO_STAT_V2 "io.stat"
/* A cgroup file is read into a buffer this size, doubled up to the
 * most: 1024 disks of io.stat with every policy's keys, or of a v1
 * file's seven lines, fit. */
#define GROUP_FILE_FIRST 16384
#define GROUP_FILE_MAX (1u << 20)

/* v1's files: the throttling layer's, which count every I/O where
 * throttling is on; then CFQ's (kernels before 5.0) or BFQ's (with its
 * debug statistics) where the kernel has them, the first found. */
static const struct v1_src {
	enum procview_blkio kind;
	const char *file[2];
	bool needed;
} v1_srcs[] = {
	{ PROCVIEW_BLKIO_BYTES, { "blkio.throttle.io_service_bytes_recursive", NULL }, true },
	{ PROCVIEW_BLKIO_IOS, { "blkio.throttle.io_serviced_recursive", NULL }, true },
	{ PROCVIEW_BLKIO_MERGED,
	  { "blkio.io_merged_recursive", "blkio.bfq.io_merged_recursive" }, false },
	{ PROCVIEW_BLKIO_TIME_NS,
	  { "blkio.io_service_time_recursive", "blkio.bfq.io_service_time_recursive" }, false },
	{ PROCVIEW_BLKIO_TIME_NS,
	  { "blkio.io_wait_time_recursive", "blkio.bfq.io_wait_time_recursive" }, false },
};

/* The group's file in the io hierarchy, however long up to
 * GROUP_FILE_MAX, into a malloc'd *ret; its length, -EFBIG beyond, or
 * -errno. */
static int group_file(const struct knob_io *io, const char *file, char **ret)
{
	return view_group_file(io, CTRL_IO, file, GROUP_FILE_FIRST, GROUP_FILE_MAX, ret);
}

/* v2: io.stat's counters into d. */
static int v2_disks(const struct knob_io *io, struct procview_disk *d, size_t *n)
{
	char *text = NULL;
	int res = group_file(io, IO_STAT_V2, &text);

	if (res >= 0)
		res = procview_iostat_add(text, d, n, PROCVIEW_DISKS_MAX);
	free(text);
	return res;
}

/* v1: one source's counters added to d; an optional file the kernel
 * does not have under either name adds nothing. */
static int v1_add(const struct knob_io *io, const struct v1_src *src, struct procview_disk *d,
                  size_t *n)
{
	char *text = NULL;
	int res = -ENOENT;
	size_t i;

	for (i = 0; i < 2 && src->file[i] && res == -ENOENT; i++)
		res = group_file(io, src->file[i], &text);
	if (res == -ENOENT && !src->needed)
		return 0;
	if (res >= 0)
		res = procview_blkio_add(text, src->kind, d, n, PROCVIEW_DISKS_MAX);
	free(text);
	return res;
}

/* The group's counters into d; how many disks, or -errno. */
static int group_disks(const struct knob_io *io, struct procview_disk *d)
{
	int v = io->version(io->ctx, CTRL_IO), res = -ENOENT;
	size_t n = 0, i;

	if (v == 2)
		res = v2_disks(io, d, &n);
	else if (v == 1)
		for (i = 0, res = 0; i < sizeof(v1_srcs) / sizeof(v1_srcs[0]) && res == 0; i++)
			res = v1_add(io, &v1_srcs[i], d, &n);
	return res < 0 ? res : (int)n;
}

int view_diskstats_read(const struct knob_io *io, char **ret)
{
	struct procview_disk *d = calloc(PROCVIEW_DISKS_MAX, sizeof(*d));
	char *host = NULL, *buf = NULL;
	int n = d ? group_disks(io, d) : -ENOMEM, res = n;
	size_t size = 0;

	if (res >= 0)
		res = view_host_file(io, HOST_DISKSTATS, HOST_DISKSTATS_MAX, &host, &size);
	if (res >= 0) {
		size = PROCVIEW_DISKSTATS_SIZE(n, res);
		buf = malloc(size);
		res = buf ? procview_diskstats_render(host, d, (size_t)n, buf, size) : -ENOMEM;
	}
	free(d);
	free(host);
	if (res < 0)
		free(buf);
	else
		*ret = buf;
	return res;
}
