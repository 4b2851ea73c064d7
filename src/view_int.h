/* SPDX-License-Identifier: MIT */
/*
 * view's parts: what view.c shares with view_stat.c, and the files
 * view_stat.c renders for the table.
 */
#pragma once

#include <stdint.h>

#include "cgfs/knobs.h"

/* The CPUs the group sees into bits (UNITS_CPU_WORDS words), and how
 * many in *ret_n (at least 1). 0 or -errno. */
int view_cpus(const struct knob_io *io, uint64_t *bits, unsigned *ret_n);

/* The group's meminfo knob, as its own file shows it, into a malloc'd
 * *ret; its length or -errno. */
int view_meminfo(const struct knob_io *io, char **ret);

/* proc/swaps. */
int view_swaps_read(const struct knob_io *io, char **ret);
