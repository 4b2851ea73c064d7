/* SPDX-License-Identifier: MIT */
/*
 * procview: the /proc and /sys files a container binds over its own, as
 * a group sees them. Pure text in, text out, like meminfo: the host's
 * file and the group's interface files go in as the kernel printed them,
 * the rendered file comes out.
 *
 * The CPUs a group sees are those it may run on (its effective cpuset)
 * narrowed by its CFS quota: with a quota of q and a period of p, the
 * first ceil(q / p) of them, in CPU order. They are numbered from 0 in
 * that order (processor 0 is the first CPU seen, whatever its number on
 * the host).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "cgfs/units.h"

/* Ancestors the quota walk looks at, the group included. */
#define PROCVIEW_MAX_DEPTH 64
/* Largest host /proc/cpuinfo the renderer is given (bytes). */
#define PROCVIEW_CPUINFO_MAX (4u << 20)
/* No quota: every CPU of the cpuset. */
#define PROCVIEW_NO_QUOTA UINT64_MAX

/* The CPUs a CFS bandwidth limit gives, ceil(quota / period), from one
 * level's files: on v1 cpu.cfs_quota_us and cpu.cfs_period_us, on v2
 * cpu.max (period NULL). *ret is PROCVIEW_NO_QUOTA where there is no
 * limit ("-1", "max"). 0, -EIO for text the kernel does not print, or
 * -EINVAL for a bad version. */
int procview_quota_cpus(int version, const char *quota, const char *period, uint64_t *ret);

/* Keeps the first n CPUs of bits (UNITS_CPU_WORDS words), in CPU order;
 * returns how many are left (at most n). */
unsigned procview_narrow(uint64_t *bits, uint64_t n);

/* sys/devices/system/cpu/online of a group seeing n CPUs: "0\n" or
 * "0-N\n" (N = n - 1). Length, -EINVAL for n == 0, -ENOBUFS. */
int procview_online_render(unsigned n, char *buf, size_t size);

/* The host's /proc/cpuinfo with only the blocks of the CPUs in cpus (a
 * block: the lines up to and including a blank line, or up to the next
 * "processor : N" line; its CPU is the N of its processor line), their
 * processor lines numbered from 0 in the order kept (a CPU's first block
 * only); a block without a processor line (a trailer some architectures
 * print) is kept as it is, and so is every other line.
 * Length into buf (NUL-terminated); -EIO for a processor line whose
 * number does not parse, -ENOBUFS. */
int procview_cpuinfo_render(const char *host, const uint64_t *cpus, char *buf, size_t size);

/* ---- uptime ---- */

/* No process in the group, or no usage counter. */
#define PROCVIEW_NONE UINT64_MAX

/* The start of a process, in clock ticks after boot: field 22 of
 * /proc/PID/stat (after the command in parentheses, which may hold
 * blanks and parentheses itself). 0 or -EIO. */
int procview_stat_start(const char *stat, uint64_t *ret_ticks);

/* The CPU time a group has used, in microseconds: v1 cpuacct.usage
 * (nanoseconds), v2 the usage_usec line of cpu.stat. 0, -EIO, or
 * -EINVAL for a bad version. */
int procview_usage_us(int version, const char *text, uint64_t *ret);

struct procview_uptime {
	const char *host;   /* the host's /proc/uptime */
	uint64_t start;     /* the group's oldest process's start, in ticks
	                     * after boot; PROCVIEW_NONE for no process */
	unsigned long hz;   /* ticks a second (sysconf(_SC_CLK_TCK)) */
	unsigned ncpus;     /* the CPUs the group sees */
	uint64_t usage_us;  /* its CPU time; PROCVIEW_NONE when unknown */
};

/* The group's /proc/uptime, "S.CC I.CC\n": S the seconds since its
 * oldest process started (the host's uptime minus that start; 0 with no
 * process), I the idle time of the CPUs it sees over that time, S times
 * ncpus minus its CPU time (S times ncpus when that is unknown), never
 * below 0. Length into buf, -EIO for host text that is not
 * "S.CC I.CC", -EINVAL for hz or ncpus 0, -ENOBUFS. */
int procview_uptime_render(const struct procview_uptime *u, char *buf, size_t size);

/* ---- loadavg ---- */

/* Bits of fraction in a load average, as the kernel keeps them. */
#define PROCVIEW_LOAD_FSHIFT 11
#define PROCVIEW_LOAD_FIXED_1 (1UL << PROCVIEW_LOAD_FSHIFT)

struct procview_loadavg {
	unsigned long avg[3]; /* the 1, 5 and 15-minute averages, fixed point */
	unsigned running;     /* threads runnable now (state R) */
	unsigned threads;     /* every thread now */
	unsigned long last;   /* the highest thread id; 0 for none */
};

/* The state letter of /proc/PID/stat's text (field 3, after the command
 * in parentheses): 'R', 'S', 'D'...; -EIO for text the kernel does not
 * print. */
int procview_stat_state(const char *stat);

/* The group's /proc/loadavg, "A1 A5 A15 R/T LAST\n" as the kernel
 * prints its own: each average with two decimals, rounded as the kernel
 * rounds (FIXED_1 / 200 added, then the fraction's hundredths cut).
 * Length into buf, -ENOBUFS. */
int procview_loadavg_render(const struct procview_loadavg *l, char *buf, size_t size);
