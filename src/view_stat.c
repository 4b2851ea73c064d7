// SPDX-License-Identifier: MIT
/*
 * view: what proc/swaps and proc/stat read to render.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cgfs/procview.h"
#include "cgfs/units.h"
#include "view_int.h"

/* The header and one line of numbers. */
#define SWAPS_TEXT_MAX 256

/* The group's swap as its meminfo shows it, so both files agree. */
int view_swaps_read(const struct knob_io *io, char **ret)
{
	uint64_t total = 0, unused = 0;
	char *meminfo = NULL, *buf = malloc(SWAPS_TEXT_MAX);
	int res = buf ? view_meminfo(io, &meminfo) : -ENOMEM;

	if (res >= 0)
		res = procview_swap_of(meminfo, &total, &unused);
	if (res == 0)
		res = procview_swaps_render(total, unused, buf, SWAPS_TEXT_MAX);
	free(meminfo);
	if (res < 0)
		free(buf);
	else
		*ret = buf;
	return res;
}

/* ---- stat ---- */

#define HOST_STAT "/proc/stat"
#define HOST_UPTIME "/proc/uptime"
/* The host's /proc/stat: its intr line has a number per interrupt. */
#define HOST_STAT_MAX (4u << 20)
#define CPUACCT_STAT_V1 "cpuacct.stat"
#define PERCPU_USER_V1 "cpuacct.usage_percpu_user"
#define PERCPU_SYS_V1 "cpuacct.usage_percpu_sys"
#define CPU_STAT_V2 "cpu.stat"
/* A usage_percpu file: 21 bytes a possible CPU at most. It is read into
 * a buffer of PERCPU_TEXT_FIRST bytes (enough for some 190 CPUs),
 * doubled until it fits: a buffer the size of the bound would be an
 * mmap(2) and a munmap(2) of its own at each read (main.c's fixed
 * M_MMAP_THRESHOLD), the munmap a TLB flush of every CPU the server
 * runs on. */
#define PERCPU_TEXT_FIRST 4096
#define PERCPU_TEXT_MAX (1u << 20)
#define STAT_TEXT_MAX 1024
#define UPTIME_TEXT_MAX 64

/* The group's v1 file into *text (*size bytes, doubled as needed, up to
 * PERCPU_TEXT_MAX); its length, -ENOENT where it is longer than that. */
static int percpu_read(const struct knob_io *io, const char *file, char **text, size_t *size)
{
	char *bigger;
	int res;

	for (;;) {
		res = io->read(io->ctx, CTRL_CPUACCT, file, *text, *size);
		if (res < 0 || (size_t)res < *size - 1)
			return res;
		if (*size >= PERCPU_TEXT_MAX)
			return -ENOENT;
		bigger = malloc(*size * 2);
		if (!bigger)
			return -ENOMEM;
		free(*text);
		*text = bigger;
		*size *= 2;
	}
}

/* v1's time per CPU seen, from the per-CPU files; -ENOENT where the
 * kernel has none (before 4.7) or one is longer than its bound. */
static int percpu_v1(const struct knob_io *io, const uint64_t *bits, unsigned n, unsigned long hz,
                     uint64_t *user, uint64_t *system)
{
	size_t size = PERCPU_TEXT_FIRST;
	char *text = malloc(size);
	int res = text ? percpu_read(io, PERCPU_USER_V1, &text, &size) : -ENOMEM;

	if (res >= 0)
		res = procview_percpu_ticks(text, bits, n, hz, user);
	if (res >= 0)
		res = percpu_read(io, PERCPU_SYS_V1, &text, &size);
	if (res >= 0)
		res = procview_percpu_ticks(text, bits, n, hz, system);
	free(text);
	return res;
}

/* The group's user and system time on each CPU seen: v1 per CPU where
 * the kernel counts it so, else (v1's cpuacct.stat, v2's cpu.stat) the
 * total split evenly; 0 where no hierarchy counts it. */
static int cpu_times(const struct knob_io *io, const uint64_t *bits, unsigned n, unsigned long hz,
                     uint64_t *user, uint64_t *system)
{
	char text[STAT_TEXT_MAX];
	int v1 = io->version(io->ctx, CTRL_CPUACCT) == 1, v2 = io->version(io->ctx, CTRL_CPU) == 2;
	uint64_t u = 0, s = 0;
	int res = -ENOENT;

	if (v1) {
		res = percpu_v1(io, bits, n, hz, user, system);
		if (res != -ENOENT)
			return res;
		res = io->read(io->ctx, CTRL_CPUACCT, CPUACCT_STAT_V1, text, sizeof(text));
	} else if (v2) {
		res = io->read(io->ctx, CTRL_CPU, CPU_STAT_V2, text, sizeof(text));
	}
	if (res >= 0)
		res = procview_cpu_ticks(v1 ? 1 : 2, text, hz, &u, &s);
	if (res < 0 && res != -ENOENT)
		return res;
	procview_split(u, n, user);
	procview_split(s, n, system);
	return 0;
}

int view_stat_read(const struct knob_io *io, char **ret)
{
	struct view_walk w = { io, 0, 0 };
	struct procview_stat s = { 0 };
	unsigned running = 0, blocked = 0;
	uint64_t *bits = malloc(UNITS_CPU_WORDS * sizeof(*bits)), *user = NULL, *system = NULL;
	char uptime[UPTIME_TEXT_MAX], *host = NULL, *buf = NULL;
	long hz = sysconf(_SC_CLK_TCK);
	size_t size = 0;
	int res = bits ? view_cpus(io, bits, &s.ncpus) : -ENOMEM;

	if (res == 0 && (!io->host_read || hz <= 0))
		res = -ENOENT;
	if (res == 0) {
		user = calloc(s.ncpus, sizeof(*user));
		system = calloc(s.ncpus, sizeof(*system));
		res = user && system ? cpu_times(io, bits, s.ncpus, (unsigned long)hz, user, system)
		                     : -ENOMEM;
	}
	if (res == 0)
		res = view_walk_pids_load(&w, &running, &blocked);
	/* the host's uptime after the walk: no process starts after it */
	if (res >= 0)
		res = io->host_read(io->ctx, HOST_UPTIME, uptime, sizeof(uptime));
	if (res >= 0)
		res = view_host_file(io, HOST_STAT, HOST_STAT_MAX, &host, &size);
	if (res >= 0) {
		size = (size_t)res + PROCVIEW_STAT_EXTRA(s.ncpus);
		buf = malloc(size);
		s = (struct procview_stat){ host, uptime, w.start, (unsigned long)hz, s.ncpus,
			                    user, system, running, blocked };
		res = buf ? procview_stat_render(&s, buf, size) : -ENOMEM;
	}
	free(bits);
	free(user);
	free(system);
	free(host);
	if (res < 0)
		free(buf);
	else
		*ret = buf;
	return res;
}
