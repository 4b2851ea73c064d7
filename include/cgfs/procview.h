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

/* Where field (3 or more: 3 is the state) of /proc/PID/stat's text
 * starts, counted after the command's last ')'; NULL for text the
 * kernel does not print. */
const char *procview_stat_field(const char *stat, int field);

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

/* How long the group has been up, in hundredths of a second, into
 * *ret_up: the host's uptime (the first number of host_uptime, its
 * /proc/uptime) minus start (ticks after boot, hz a second), 0 when start
 * is later or PROCVIEW_NONE; and the host's uptime into *ret_host (NULL:
 * not wanted). 0, -EIO for host text that is not "S.CC I.CC", -EINVAL
 * for hz 0. */
int procview_up(const char *host_uptime, uint64_t start, unsigned long hz, uint64_t *ret_up,
                uint64_t *ret_host);

/* The group's /proc/uptime, "S.CC I.CC\n": S the seconds since its
 * oldest process started (the host's uptime minus that start; 0 with no
 * process), I the idle time of the CPUs it sees over that time, S times
 * ncpus minus its CPU time (S times ncpus when that is unknown), never
 * below 0. Length into buf, -EIO for host text that is not
 * "S.CC I.CC", -EINVAL for hz or ncpus 0, -ENOBUFS. */
int procview_uptime_render(const struct procview_uptime *u, char *buf, size_t size);

/* ---- swaps (procview_stat.c) ---- */

/* SwapTotal and SwapFree of a meminfo text, in kB: lines "Key:<blanks>N
 * kB". 0, or -EIO where either is missing or does not parse. */
int procview_swap_of(const char *meminfo, uint64_t *ret_total, uint64_t *ret_unused);

/* The group's /proc/swaps: the kernel's header line, then, for a total
 * above 0, one line for the group: "none", type "virtual", size total,
 * used total - unused (0 if unused is larger), priority 0, padded as the
 * kernel pads its lines. Length into buf, -ENOBUFS. */
int procview_swaps_render(uint64_t total, uint64_t unused, char *buf, size_t size);

/* ---- stat (procview_stat.c) ---- */

/* The state of a task, from its /proc/PID/stat or /proc/PID/task/TID/stat
 * (the letter after the command in parentheses), and its number of
 * threads (field 20). 0 or -EIO. */
int procview_task_state(const char *stat, char *ret_state, uint64_t *ret_threads);

/* The group's user and system CPU time, in ticks of hz a second: v1
 * cpuacct.stat ("user N" and "system N" lines, already in ticks of
 * USER_HZ, which sysconf(_SC_CLK_TCK) is), v2 the user_usec and
 * system_usec lines of cpu.stat. 0, -EIO, or -EINVAL for a bad version
 * or hz 0. */
int procview_cpu_ticks(int version, const char *text, unsigned long hz, uint64_t *ret_user,
                       uint64_t *ret_system);

/* total split over n CPUs into ret[0..n-1]: total / n each, one more for
 * the first total % n, so that they add up to total. */
void procview_split(uint64_t total, unsigned n, uint64_t *ret);

/* v1 cpuacct.usage_percpu_user or cpuacct.usage_percpu_sys (nanoseconds
 * per possible CPU, CPU 0 first, blank-separated) as ticks of hz a
 * second on each of the n CPUs seen (cpus: UNITS_CPU_WORDS words, n CPUs
 * set) into ret[0..n-1], in CPU order: a CPU seen has its own time, and
 * the time of the CPUs not seen is split over those seen
 * (procview_split). 0, -EIO for text that is not that, -EINVAL for n or
 * hz 0. */
int procview_percpu_ticks(const char *text, const uint64_t *cpus, unsigned n, unsigned long hz,
                          uint64_t *ret);

struct procview_stat {
	const char *host;       /* the host's /proc/stat */
	const char *uptime;     /* the host's /proc/uptime */
	uint64_t start;         /* as procview_uptime's */
	unsigned long hz;       /* ticks a second (sysconf(_SC_CLK_TCK)) */
	unsigned ncpus;         /* the CPUs the group sees */
	const uint64_t *user;   /* ncpus entries: user time on each, ticks */
	const uint64_t *system; /* and system time */
	uint64_t running;       /* the group's tasks in state R */
	uint64_t blocked;       /* and in state D */
};

/* Bytes procview_stat_render may add to the host's text. */
#define PROCVIEW_STAT_EXTRA(ncpus) (((size_t)(ncpus) + 1) * 240 + 128)

/* The group's /proc/stat: a "cpu" line, then one "cpuN" line per CPU
 * seen (N from 0), ten fields each as the kernel prints them: user,
 * nice (0), system, idle, iowait (0), irq (0), softirq (0), steal (0),
 * guest (0), guest_nice (0). A CPU's idle is the group's uptime
 * (procview_up) in ticks minus its user and system time, never below 0;
 * the cpu line's fields are the sums of the cpuN lines'. Then the host's
 * lines but its cpu lines, in its order, each as it is but btime (the
 * host's, plus its uptime minus the group's, in whole seconds: btime
 * plus the group's uptime is now), procs_running and procs_blocked (the
 * group's). Length into buf, -EIO for host text without btime,
 * procs_running and procs_blocked lines of one number or uptime text
 * procview_up refuses, -EINVAL for hz or ncpus 0, -ENOBUFS. */
int procview_stat_render(const struct procview_stat *s, char *buf, size_t size);
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

/* The group's /proc/loadavg, "A1 A5 A15 R/T LAST\n" as the kernel
 * prints its own: each average with two decimals, rounded as the kernel
 * rounds (FIXED_1 / 200 added, then the fraction's hundredths cut).
 * Length into buf, -ENOBUFS. */
int procview_loadavg_render(const struct procview_loadavg *l, char *buf, size_t size);

/* ---- diskstats (procview_disk.c) ---- */

/* Disks a group's file shows at most: those past it in the cgroup files
 * are left out. */
#define PROCVIEW_DISKS_MAX 1024

/* One disk's counters of the group, as its cgroup files give them. */
struct procview_disk {
	unsigned major, minor;
	uint64_t ios[3];     /* completed: read, write, discard */
	uint64_t merged[3];  /* merged (v1 with CFQ or BFQ's debug files) */
	uint64_t bytes[3];   /* bytes */
	uint64_t ns[3];      /* time, nanoseconds (v1: service plus wait) */
};

/* Which v1 blkio file a text is, and so which counters it adds to. */
enum procview_blkio {
	PROCVIEW_BLKIO_BYTES,   /* *io_service_bytes_recursive: bytes */
	PROCVIEW_BLKIO_IOS,     /* *io_serviced_recursive: ios */
	PROCVIEW_BLKIO_MERGED,  /* *io_merged_recursive: merged */
	PROCVIEW_BLKIO_TIME_NS, /* *io_service_time_recursive and
	                         * *io_wait_time_recursive: ns */
};

/* Adds the lines of a v2 io.stat ("MAJ:MIN key=N...": rbytes wbytes rios
 * wios dbytes dios; other keys passed over) to the disks d[0..*n-1],
 * appending a disk not there yet while *n < max. 0, or -EIO for a line
 * that is not that. */
int procview_iostat_add(const char *text, struct procview_disk *d, size_t *n, size_t max);

/* Adds the lines of a v1 blkio file of kind ("MAJ:MIN Read N",
 * "... Write N", "... Discard N"; the Sync, Async and Total lines, and
 * the last "Total N", passed over) likewise. 0, -EIO, or -EINVAL for a
 * bad kind. */
int procview_blkio_add(const char *text, enum procview_blkio kind, struct procview_disk *d,
                       size_t *n, size_t max);

/* Bytes procview_diskstats_render needs at most: a line per disk of n,
 * and the names, which are the host's. */
#define PROCVIEW_DISKSTATS_SIZE(n, host_len) ((size_t)(n) * 400 + (size_t)(host_len) + 1)

/* The group's /proc/diskstats: for each line of the host's (in its
 * order) whose device is a disk of d with a counter above 0, the line
 * "%4u %7u NAME" (the host's major, minor and name) and 17 numbers, as
 * the kernel prints them: reads completed, merged, sectors (bytes / 512),
 * ms; writes the same four; I/Os in progress (0), ms doing I/O (0),
 * weighted ms (the sum of the read, write and discard ns, in ms);
 * discards the same four as reads; flushes completed (0) and ms (0).
 * A disk's line comes once, at its first host line. Sorts d and clears
 * the counters of the disks it shows. Length into buf, -EIO for a host line that does not start
 * with "MAJ MIN NAME", -ENOBUFS. */
int procview_diskstats_render(const char *host, struct procview_disk *d, size_t n, char *buf,
                              size_t size);
