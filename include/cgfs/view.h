/* SPDX-License-Identifier: MIT */
/*
 * view: the files of a group's own /proc and /sys, laid out in the
 * group's directory as the paths a container binds them over
 * (proc/cpuinfo over /proc/cpuinfo, sys/devices/system/cpu/online over
 * /sys/devices/system/cpu/online). One row per directory or file; a
 * file renders through a struct knob_io, as a knob does, and answers for
 * the group it belongs to whoever reads it.
 */
#pragma once

#include <stddef.h>

#include "cgfs/knobs.h"

/* The parent of a top-level entry: the group's own directory. */
#define VIEW_TOP (-1)
/* Rows view_table may have: a row's node id carries its index. */
#define VIEW_TABLE_MAX 64

struct view_entry {
	const char *name;
	int parent;       /* the row of its directory, or VIEW_TOP */
	/* Served only where this knob row is (NULL: always). */
	const char *knob;
	/* Renders the file into a malloc'd NUL-terminated *ret; its length
	 * or -errno. NULL for a directory. */
	int (*read)(const struct knob_io *io, char **ret);
};

extern const struct view_entry view_table[];
extern const size_t view_count;

/* The row called name in directory parent (VIEW_TOP or a directory's
 * row): its index, or -ENOENT. */
int view_child(int parent, const char *name);

/* Whether row i is a directory. */
static inline int view_is_dir(int i)
{
	return view_table[i].read == NULL;
}
