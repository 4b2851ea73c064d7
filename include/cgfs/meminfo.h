/* SPDX-License-Identifier: MIT */
/*
 * meminfo: /proc/meminfo as a memory cgroup sees it.
 *
 * Pure text in, text out: the host's /proc/meminfo and the group's own
 * interface files go in as the kernel printed them, the rendered file
 * comes out. The host's lines are kept in their order and layout; the
 * lines the group has counters for are replaced (label padded to column
 * 16, value right-aligned in 8 columns, " kB", as the kernel prints
 * them); every other line is the host's, byte for byte.
 */
#pragma once

#include <stddef.h>

/* Ancestors the v2 limit walk looks at, the group included. */
#define MEMINFO_MAX_DEPTH 64
/* Largest input file and largest output the renderer handles. */
#define MEMINFO_TEXT_MAX 8192

struct meminfo_src {
	int version;       /* 1 or 2: the memory hierarchy's */
	const char *host;  /* the host's /proc/meminfo */
	const char *stat;  /* memory.stat of the group */
	const char *usage; /* v1 memory.usage_in_bytes, v2 memory.current */
	/* v1: memory.limit_in_bytes of the group (memory.stat's
	 * hierarchical_memory_limit covers the ancestors); v2: memory.max of
	 * the group, its parent, ... up to below the root. */
	const char *const *limits;
	size_t n_limits;
	/* v2 only: memory.swap.max of the group and its ancestors, and
	 * memory.swap.current; n_swap_limits 0 or swap_usage NULL: no swap
	 * accounting. v1 takes both from memory.stat (hierarchical_memsw_limit,
	 * total_swap); without them it has no swap accounting. */
	const char *const *swap_limits;
	size_t n_swap_limits;
	const char *swap_usage;
};

/* Renders the group's meminfo into buf (NUL-terminated); returns its
 * length, -EIO when an input is not what the kernel prints (the host's
 * text has no MemTotal, a number does not parse, a counter the version
 * always has is missing), -EINVAL for a bad version, -ENOBUFS when buf is
 * too small. */
int meminfo_render(const struct meminfo_src *src, char *buf, size_t size);
