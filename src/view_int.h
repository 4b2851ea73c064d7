/* SPDX-License-Identifier: MIT */
/*
 * view's parts: what view.c shares with view_stat.c, and the files
 * view_stat.c renders for the table.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgfs/knobs.h"

/* The CPUs the group sees into bits (UNITS_CPU_WORDS words), and how
 * many in *ret_n (at least 1). 0 or -errno. */
int view_cpus(const struct knob_io *io, uint64_t *bits, unsigned *ret_n);

/* The group's meminfo knob, as its own file shows it, into a malloc'd
 * *ret; its length or -errno. */
int view_meminfo(const struct knob_io *io, char **ret);

/* A walk over the group's processes (view_walk_pids). */
struct view_walk {
	const struct knob_io *io;
	/* The start of the oldest, in ticks after boot; PROCVIEW_NONE for
	 * no process. */
	uint64_t start;
	unsigned seen; /* processes looked at */
};

/* A reader's walk looks at no more processes than this (its own cost:
 * a /proc file each). */
#define VIEW_PIDS_LOOKS 4096

/* Reads /proc/PID/stat of the processes of the group and the groups
 * below it, of at most VIEW_PIDS_LOOKS in the order the kernel lists
 * them, the oldest's start into w->start; a process that has gone
 * meanwhile is passed over. How many processes listed, or -errno
 * (-ENOENT where io cannot list them). */
int view_walk_pids(struct view_walk *w);

/* As view_walk_pids, and the group's threads in state R and D into
 * *ret_running and *ret_blocked (io's load_now), in one walk where io
 * has load_now (a process whose /proc/PID/stat the walk read as its
 * main thread's is not read again); else view_walk_pids, with counts
 * of 0. */
int view_walk_pids_load(struct view_walk *w, unsigned *ret_running, unsigned *ret_blocked);

/* The host file at path, however long up to max bytes, into a malloc'd
 * *ret of *ret_size bytes; its length, -EFBIG beyond max, or -errno. */
int view_host_file(const struct knob_io *io, const char *path, size_t max, char **ret,
                   size_t *ret_size);

/* The group's file in c's hierarchy, as view_host_file reads the
 * host's, from first bytes up to max. */
int view_group_file(const struct knob_io *io, enum cg_ctrl c, const char *file, size_t first,
                    size_t max, char **ret);

/* proc/swaps and proc/stat. */
int view_swaps_read(const struct knob_io *io, char **ret);
int view_stat_read(const struct knob_io *io, char **ret);

/* proc/diskstats (view_disk.c). */
int view_diskstats_read(const struct knob_io *io, char **ret);
