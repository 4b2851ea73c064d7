// SPDX-License-Identifier: MIT
/*
 * view: the table of a group's /proc and /sys files, and what each reads
 * to render (the rendering itself is procview's and meminfo's).
 *
 * New rows go at the end and no row moves: a row's node id carries its
 * index (nodeid.h), which must name the same file to the next server.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgfs/procview.h"
#include "cgfs/units.h"
#include "cgfs/view.h"
#include "view_int.h"

#define HOST_CPUINFO "/proc/cpuinfo"
#define HOST_ONLINE "/sys/devices/system/cpu/online"
#define CPUSET_EFFECTIVE_V1 "cpuset.effective_cpus"
#define CPUSET_EFFECTIVE_V2 "cpuset.cpus.effective"
#define CFS_QUOTA_V1 "cpu.cfs_quota_us"
#define CFS_PERIOD_V1 "cpu.cfs_period_us"
#define CPU_MAX_V2 "cpu.max"
#define UP "../"
#define UP_LEN (sizeof(UP) - 1)
/* A cpuset list as the kernel prints it, and one quota file. */
#define LIST_TEXT_MAX 8192
#define NUM_TEXT_MAX 64
/* A host file is read into a buffer this size, doubled until it fits. */
#define HOST_FILE_FIRST 65536
#define ONLINE_TEXT_MAX 32
#define HOST_UPTIME "/proc/uptime"
#define CPUACCT_USAGE_V1 "cpuacct.usage"
#define CPU_STAT_V2 "cpu.stat"
/* /proc/PID/stat and cpu.stat fit; /proc/uptime and the file made. */
#define STAT_TEXT_MAX 1024
#define UPTIME_TEXT_MAX 64
/* Three averages, two counts and a pid. */
#define LOADAVG_TEXT_MAX 128

/* ---- the CPUs the group sees ---- */

/* The CPUs the group may run on: its effective cpuset, or the host's
 * online CPUs where no cpuset hierarchy serves it (or its cpuset is
 * empty, as a new v1 cpuset is). */
static int cpuset_of(const struct knob_io *io, uint64_t *bits)
{
	char text[LIST_TEXT_MAX];
	int v = io->version(io->ctx, CTRL_CPUSET), res = -ENOENT;
	size_t i;

	if (v == 1 || v == 2)
		res = io->read(io->ctx, CTRL_CPUSET, v == 1 ? CPUSET_EFFECTIVE_V1 : CPUSET_EFFECTIVE_V2,
		               text, sizeof(text));
	if (res > 0 && units_parse_cpulist(text, bits) == 0)
		for (i = 0; i < UNITS_CPU_WORDS; i++)
			if (bits[i])
				return 0;
	res = io->host_read ? io->host_read(io->ctx, HOST_ONLINE, text, sizeof(text)) : -ENOENT;
	if (res < 0)
		return res;
	return units_parse_cpulist(text, bits) < 0 ? -EIO : 0;
}

/* One level's quota, up steps above the group (path holds room). */
static int quota_at(const struct knob_io *io, int v, char *path, size_t up, uint64_t *ret)
{
	char quota[NUM_TEXT_MAX], period[NUM_TEXT_MAX];
	int res;

	strcpy(path + UP_LEN * up, v == 1 ? CFS_QUOTA_V1 : CPU_MAX_V2);
	res = io->read(io->ctx, CTRL_CPU, path, quota, sizeof(quota));
	/* v1 without a quota: no period needed (a read saved per level) */
	if (res >= 0 && v == 1 && strncmp(quota, "-1", 2) == 0 &&
	    (quota[2] == '\0' || quota[2] == '\n')) {
		*ret = PROCVIEW_NO_QUOTA;
		return 0;
	}
	if (res >= 0 && v == 1) {
		strcpy(path + UP_LEN * up, CFS_PERIOD_V1);
		res = io->read(io->ctx, CTRL_CPU, path, period, sizeof(period));
	}
	if (res < 0)
		return res;
	return procview_quota_cpus(v, quota, v == 1 ? period : NULL, ret);
}

/* The smallest CPU count a quota gives, the group's or an ancestor's (a
 * group runs no faster than any of them lets it); PROCVIEW_NO_QUOTA
 * without a cpu hierarchy or a quota. The walk ends at the first level
 * without the files (above the hierarchy's root). */
static int quota_cpus(const struct knob_io *io, uint64_t *ret)
{
	char path[UP_LEN * PROCVIEW_MAX_DEPTH + sizeof(CFS_PERIOD_V1)] = "";
	int v = io->version(io->ctx, CTRL_CPU), res;
	uint64_t n;
	size_t up;

	*ret = PROCVIEW_NO_QUOTA;
	if (v != 1 && v != 2)
		return 0;
	for (up = 0; up < PROCVIEW_MAX_DEPTH; up++) {
		res = quota_at(io, v, path, up, &n);
		if (res == -EIO)
			return res;
		if (res < 0)
			break;
		if (n < *ret)
			*ret = n;
		memcpy(path + UP_LEN * up, UP, UP_LEN);
	}
	return 0;
}

int view_cpus(const struct knob_io *io, uint64_t *bits, unsigned *ret_n)
{
	uint64_t quota;
	int res = cpuset_of(io, bits);

	if (res == 0)
		res = quota_cpus(io, &quota);
	if (res < 0)
		return res;
	*ret_n = procview_narrow(bits, quota);
	return *ret_n ? 0 : -EIO;
}

/* ---- the files ---- */

static int online_read(const struct knob_io *io, char **ret)
{
	uint64_t *bits = malloc(UNITS_CPU_WORDS * sizeof(*bits));
	char *buf = malloc(ONLINE_TEXT_MAX);
	unsigned n;
	int res = bits && buf ? view_cpus(io, bits, &n) : -ENOMEM;

	if (res == 0)
		res = procview_online_render(n, buf, ONLINE_TEXT_MAX);
	free(bits);
	if (res < 0)
		free(buf);
	else
		*ret = buf;
	return res;
}

/* A file of the host's (host) or the group's in c's hierarchy, read
 * into ever larger buffers from first up to max bytes; as
 * view_host_file. */
static int grow_read(const struct knob_io *io, bool host, enum cg_ctrl c, const char *path,
                     size_t first, size_t max, char **ret, size_t *ret_size)
{
	size_t size;
	char *buf;
	int res;

	if (host && !io->host_read)
		return -ENOENT;
	for (size = first; size <= max; size *= 2) {
		buf = malloc(size);
		if (!buf)
			return -ENOMEM;
		res = host ? io->host_read(io->ctx, path, buf, size)
		           : io->read(io->ctx, c, path, buf, size);
		if (res >= 0 && (size_t)res < size - 1) {
			*ret = buf;
			*ret_size = size;
			return res;
		}
		free(buf);
		if (res < 0)
			return res;
	}
	return -EFBIG;
}

int view_host_file(const struct knob_io *io, const char *path, size_t max, char **ret,
                   size_t *ret_size)
{
	return grow_read(io, true, 0, path, HOST_FILE_FIRST, max, ret, ret_size);
}

int view_group_file(const struct knob_io *io, enum cg_ctrl c, const char *file, size_t first,
                    size_t max, char **ret)
{
	size_t size;

	return grow_read(io, false, c, file, first, max, ret, &size);
}

/* The rendering is never longer than the host's text: blocks are left
 * out, and a processor's new number has no more digits than its own. */
static int cpuinfo_read(const struct knob_io *io, char **ret)
{
	uint64_t *bits = malloc(UNITS_CPU_WORDS * sizeof(*bits));
	char *host = NULL, *buf = NULL;
	size_t size = 0;
	unsigned n;
	int res = bits ? view_cpus(io, bits, &n) : -ENOMEM;

	if (res == 0)
		res = view_host_file(io, HOST_CPUINFO, PROCVIEW_CPUINFO_MAX, &host, &size);
	if (res >= 0) {
		buf = malloc(size);
		res = buf ? procview_cpuinfo_render(host, bits, buf, size) : -ENOMEM;
	}
	free(bits);
	free(host);
	if (res < 0)
		free(buf);
	else
		*ret = buf;
	return res;
}

/* ---- uptime ---- */

/* A pid recycled meanwhile is a younger process: the oldest stays the
 * oldest. One that has gone is passed over. start: the process's, read
 * already (NULL: read here). */
static void oldest_start(void *arg, pid_t pid, const uint64_t *start)
{
	struct view_walk *w = arg;
	char path[40], text[STAT_TEXT_MAX];
	uint64_t t;

	if (w->seen >= VIEW_PIDS_LOOKS)
		return;
	w->seen++;
	if (start) {
		if (*start < w->start)
			w->start = *start;
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (w->io->host_read(w->io->ctx, path, text, sizeof(text)) <= 0)
		return;
	if (procview_stat_start(text, &t) == 0 && t < w->start)
		w->start = t;
}

static void oldest_one(void *arg, pid_t pid)
{
	oldest_start(arg, pid, NULL);
}

int view_walk_pids(struct view_walk *w)
{
	w->start = PROCVIEW_NONE;
	w->seen = 0;
	if (!w->io->host_read || !w->io->pids)
		return -ENOENT;
	return w->io->pids(w->io->ctx, oldest_one, w);
}

int view_walk_pids_load(struct view_walk *w, unsigned *ret_running, unsigned *ret_blocked)
{
	int res;

	*ret_running = *ret_blocked = 0;
	if (!w->io->load_now || !w->io->host_read)
		return view_walk_pids(w);
	w->start = PROCVIEW_NONE;
	w->seen = 0;
	res = w->io->load_now(w->io->ctx, oldest_start, w, ret_running, ret_blocked);
	if (res < 0)
		*ret_running = *ret_blocked = 0;
	return res;
}

/* The CPU time the group has used, PROCVIEW_NONE where no hierarchy
 * counts it. */
static uint64_t usage_of(const struct knob_io *io)
{
	char text[STAT_TEXT_MAX];
	int v1 = io->version(io->ctx, CTRL_CPUACCT) == 1, v2 = io->version(io->ctx, CTRL_CPU) == 2;
	uint64_t us;

	if (v1 && io->read(io->ctx, CTRL_CPUACCT, CPUACCT_USAGE_V1, text, sizeof(text)) > 0 &&
	    procview_usage_us(1, text, &us) == 0)
		return us;
	if (v2 && io->read(io->ctx, CTRL_CPU, CPU_STAT_V2, text, sizeof(text)) > 0 &&
	    procview_usage_us(2, text, &us) == 0)
		return us;
	return PROCVIEW_NONE;
}

static int uptime_read(const struct knob_io *io, char **ret)
{
	struct view_walk w = { io, PROCVIEW_NONE, 0 };
	struct procview_uptime u = { 0 };
	uint64_t *bits = malloc(UNITS_CPU_WORDS * sizeof(*bits));
	char host[UPTIME_TEXT_MAX], *buf = malloc(UPTIME_TEXT_MAX);
	long hz = sysconf(_SC_CLK_TCK);
	int res = bits && buf ? view_cpus(io, bits, &u.ncpus) : -ENOMEM;

	if (res == 0 && (!io->host_read || !io->pids || hz <= 0))
		res = -ENOENT;
	if (res == 0)
		res = io->host_read(io->ctx, HOST_UPTIME, host, sizeof(host));
	if (res >= 0)
		res = view_walk_pids(&w);
	if (res >= 0) {
		u.host = host;
		u.start = w.start;
		u.hz = (unsigned long)hz;
		u.usage_us = usage_of(io);
		res = procview_uptime_render(&u, buf, UPTIME_TEXT_MAX);
	}
	free(bits);
	if (res < 0)
		free(buf);
	else
		*ret = buf;
	return res;
}

int view_meminfo(const struct knob_io *io, char **ret)
{
	const struct knob *k = knob_find("meminfo");
	char *buf = malloc(KNOB_TEXT_MAX);
	int res = !buf ? -ENOMEM : k && k->get ? k->get(k, io, buf, KNOB_TEXT_MAX) : -ENOENT;

	if (res < 0)
		free(buf);
	else
		*ret = buf;
	return res;
}

/* The group's threads now and its averages: the sampler's (group.c). */
static int loadavg_read(const struct knob_io *io, char **ret)
{
	struct procview_loadavg l;
	char *buf = malloc(LOADAVG_TEXT_MAX);
	int res = !buf ? -ENOMEM : io->loadavg ? io->loadavg(io->ctx, &l) : -ENOENT;

	if (res >= 0)
		res = procview_loadavg_render(&l, buf, LOADAVG_TEXT_MAX);
	if (res < 0)
		free(buf);
	else
		*ret = buf;
	return res;
}

/* ---- the table ---- */

enum {
	V_PROC,
	V_SYS,
	V_SYS_DEVICES,
	V_SYS_SYSTEM,
	V_SYS_CPU,
};

const struct view_entry view_table[] = {
	[V_PROC] = { "proc", VIEW_TOP, NULL, NULL },
	[V_SYS] = { "sys", VIEW_TOP, NULL, NULL },
	[V_SYS_DEVICES] = { "devices", V_SYS, NULL, NULL },
	[V_SYS_SYSTEM] = { "system", V_SYS_DEVICES, NULL, NULL },
	[V_SYS_CPU] = { "cpu", V_SYS_SYSTEM, NULL, NULL },
	{ "online", V_SYS_CPU, NULL, online_read },
	{ "cpuinfo", V_PROC, NULL, cpuinfo_read },
	{ "meminfo", V_PROC, "meminfo", view_meminfo },
	{ "uptime", V_PROC, NULL, uptime_read },
	{ "swaps", V_PROC, "meminfo", view_swaps_read },
	{ "stat", V_PROC, NULL, view_stat_read },
	{ "loadavg", V_PROC, NULL, loadavg_read },
	{ "diskstats", V_PROC, "io_read_mbps", view_diskstats_read },
};

const size_t view_count = sizeof(view_table) / sizeof(view_table[0]);

_Static_assert(sizeof(view_table) / sizeof(view_table[0]) <= VIEW_TABLE_MAX,
               "view_table outgrew VIEW_TABLE_MAX");

int view_child(int parent, const char *name)
{
	size_t i;

	for (i = 0; i < view_count; i++)
		if (view_table[i].parent == parent && strcmp(view_table[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}
