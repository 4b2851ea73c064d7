/* SPDX-License-Identifier: MIT */
/*
 * cgfs-bench's private interface: the run's state, the harness every case
 * uses (helpers, mounts and hierarchies, processes, samples, the table)
 * and the cases themselves, one file each.
 *
 * Functions that can fail return 0 (or a count) or -errno, as in src/.
 */
#pragma once

#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgfs/layout.h"

#define TREE "daemon"       /* cgfs tree root: a passwd user every Debian has (no tree for root) */
/* Case 5's other trees: users the run adds to a copy of the passwd
 * database that only its own mount namespace sees (bench.c). */
#define TREES 100                   /* TREE and TREES - 1 others */
#define OTHER_TREE "bench-t%02d"    /* their names, 1 .. TREES - 1 */
#define OTHER_UID 2000000000u       /* + n: a uid no range of systemd's uses */
#define KNOB "memory_limit_mb"
#define UNCACHED "memory_usage_mb" /* a knob the page cache does not serve */
/* What the cases write to KNOB, and the same in the kernel's file. */
#define KNOB_MB "512"
#define KNOB_BYTES "536870912"

#define CASE_MAX 7          /* cases are 1..CASE_MAX; BENCH_CASES picks some */
#define CASE_BIT(n) (1u << (n))
#define CASES_ALL ((CASE_BIT(CASE_MAX + 1) - 1) & ~CASE_BIT(0))

#define MAX_DAEMONS 8       /* servers the worker runs at once */
#define MAX_ROWS 64         /* of the table */
#define MAX_SERIES 96       /* samples kept, one per variant or step */
#define MOUNT_WAIT_MS 10000 /* for a server to mount */
#define STOP_WAIT_MS 5000   /* for a process to end after SIGTERM, then SIGKILL */
#define POLL_MS 10          /* the step of those waits */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the run's state (harness.c) ---- */

/* What the worker tells the supervisor, in memory both share. */
struct shared {
	pid_t daemon[MAX_DAEMONS]; /* started by the worker, 0 once reaped */
};

struct bench {
	const char *cgfs, *nullfs;
	char cmdline[4096];
	char base[64];             /* "cgfs-bench-PID": no slash */
	char mnt_cgfs[64], mnt_null[64], mnt_lxcfs[64], mnt_tcgfs[64], mnt_tnull[64];
	char conf[64], log[64], lxcfs_pidfile[64], tlog_cgfs[64], tlog_null[64];
	char passwd[64];           /* the passwd copy bound over /etc/passwd */
	bool passwd_bound;         /* its bind mount, in the run's namespace */
	pid_t cgfs_pid, null_pid;
	double factor;
	int groups;
	int tree_groups;           /* case 5: groups in each other tree */
	unsigned cases;            /* bit n: case n */
	double readers_seconds;
	struct layout layout;      /* the cgroup hierarchies, as cgfs reads them */
	int primary;               /* layout.hier[] index cgfs lists groups from */
	struct shared *shm;
};

extern struct bench B;

/* ---- small helpers (harness.c) ---- */

double now_us(void);
void sleep_ms(long ms);
/* A progress line on stderr. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* n times BENCH_FACTOR, at least 1. */
size_t scaled(size_t n);
/* cat(1): open, read until EOF, close. */
int read_whole(const char *path);
/* echo TEXT > PATH: open with O_TRUNC, one write, close. */
int write_whole(const char *path, const char *text);
/* A small file's first line, without its newline. */
int read_line(const char *path, char *buf, size_t size);
/* snprintf into out; -ENAMETOOLONG if it does not fit. */
int path_of(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Path of REL below the run's base in hierarchy h ("" if too long). */
void real_path(char *out, size_t size, int h, const char *rel);

/* ---- mounts and hierarchies (harness.c) ---- */

/* Loads B.layout (layout_load) and B.primary anew: 0, -ENOENT when no
 * hierarchy serves, or layout_load's -errno (B.layout then unchanged). */
int find_hierarchies(void);

static inline const struct hier *hier_at(size_t i)
{
	return &B.layout.hier[i];
}

/* Whether cgfs puts groups in hierarchy i: it serves a controller. */
static inline bool hier_serves(size_t i)
{
	return B.layout.hier[i].ctrls != 0;
}

/* The hierarchy cgfs uses for c, or -1. */
static inline int hier_of(enum cg_ctrl c)
{
	return B.layout.by_ctrl[c];
}

/* Whether a file system of type (NULL: any) is mounted at mnt. */
bool mounted(const char *mnt, const char *type);

/* ---- processes (harness.c) ---- */

/* Starts argv in a process group of its own, output to log; its pid. */
pid_t start_daemon(char *const argv[], const char *log);
/* 0 once pid has mounted type at mnt; -ECHILD if it died, -ETIMEDOUT. */
int wait_mounted(pid_t pid, const char *mnt, const char *type);
/* SIGTERM, then SIGKILL after STOP_WAIT_MS; reaps it. */
int stop_daemon(pid_t pid);
/* Runs argv to its end with stdout to /dev/null; 0 if it exited 0. */
int run_tool(char *const argv[]);
/* The "KEY: N kB" line of /proc/PID/FILE (status, smaps_rollup), or -1. */
long proc_kib(pid_t pid, const char *file, const char *key);
/* cgfs's server, below its supervisor pid, or -1. */
pid_t child_of(pid_t pid);
/* cgfs's memory (KiB): supervisor, server and notifier, or -1. */
long daemon_kib(void);

/* ---- samples and the interleaved runner (stats.c) ---- */

struct series {
	char name[64];
	double *v;   /* µs per operation */
	size_t n, cap;
};

/* A new named series, listed in the distributions; NULL when full. */
struct series *series_new(const char *name);
int series_add(struct series *s, double v);
/* The median, and the mean of the middle 80%: both sort s in place. */
double series_median(struct series *s);
double series_trimmed(struct series *s);

struct variant {
	const char *name;
	int (*op)(void *arg); /* one timed operation: 0 or -errno */
	void *arg;
	size_t iters;
	struct series *s;     /* set by run_interleaved */
};

/* Runs every variant iters times in rotating rounds, after warmup
 * untimed runs each; the first failure stops it (-errno). */
int run_interleaved(struct variant *v, size_t nv, size_t rounds, size_t warmup);
/* Every series: n, p10, median, p90, mean, trimmed mean. */
void print_details(void);

/* ---- the table (table.c) ---- */

struct row {
	char id[4];
	char what[44];
	char cgfs[16];
	char ref_name[40];
	char ref[16];
	char ratio[12];
	char target[28];
	char verdict[8];
};

/* A new, empty row (the last one again once the table is full). */
struct row *row_new(const char *id, const char *what);
/* "12.34 us", "123 us" or "-" for NaN. */
void fmt_us(char *out, size_t size, double us);
/* A row comparing two times: ratio = cgfs / reference; target_max
 * INFO_ONLY (any < 0) means no target. */
#define INFO_ONLY (-1.0)
void row_times(const char *id, const char *what, double cgfs, const char *ref_name,
               double ref, double target_max, const char *target);
void row_error(const char *id, const char *what, const char *why);
void print_table(void);

/* ---- operations the cases share ---- */

/* Reads a file to EOF, or writes text to it (case_knob.c). */
struct file_op {
	char path[PATH_MAX];
	const char *text; /* NULL: read */
};

int op_file(void *arg);

/* The three steps of a lifecycle, timed apart when steps[] is set. */
enum { STEP_CREATE, STEP_LIMITS, STEP_REMOVE, STEP_N };

/* A group's lifecycle through cgfs (case_lifecycle.c). */
struct lc_cgfs {
	char path[PATH_MAX];           /* the group, through the mount */
	struct series *steps[STEP_N];  /* or NULL */
};

int op_lifecycle_cgfs(void *arg);

/* The same lifecycle by direct system calls in every hierarchy. */
struct direct {
	const char *group;  /* below the base, e.g. "root/d" */
	const char *parent; /* its parent, e.g. "root" */
	bool same_work;     /* also v1 cpuset filling (where the kernel did not), v2 controllers */
	struct series *steps[STEP_N]; /* or NULL */
};

int op_lifecycle_direct(void *arg);

/* opendir, readdir to the end, closedir (case_scale.c). */
struct listing {
	char path[PATH_MAX];
	long count;
};

int op_list(void *arg);

/* ---- pinning (case_knob.c) ---- */

extern cpu_set_t all_cpus; /* the worker's own mask at start */

/* The CPU of all_cpus that was idlest over a short look, or -1. */
int idlest_cpu(void);
/* cpu >= 0: the bench, both servers and extra (when > 0) on that CPU;
 * ALL_CPUS (any < 0): back to all_cpus. */
#define ALL_CPUS (-1)
void pin_all(int cpu, pid_t extra);

/* ---- the cases, each adding its rows to the table ---- */

void case_knob(bool write);     /* 1: read, 2: write */
void case_lifecycle(void);      /* 3 */
void case_meminfo(void);        /* 4 */
void case_scale(void);          /* 5 */
void case_concurrency(void);    /* 6 */
void case_trace(void);          /* 7: FUSE requests per operation */
void print_trace(void);
