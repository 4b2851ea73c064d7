/* SPDX-License-Identifier: MIT */
/*
 * loadavg: the load averages of groups, kept as the kernel keeps its own
 * (fixed point with PROCVIEW_LOAD_FSHIFT bits of fraction, a sample of
 * the runnable and uninterruptible tasks every 5 seconds, decayed with
 * the kernel's EXP_1, EXP_5 and EXP_15).
 *
 * A group has a history once its loadavg file is read: one sampler
 * thread, started at the first read, samples every group read in the
 * last LOADAVG_IDLE_MS, at most LOADAVG_GROUPS_MAX of them, and at most
 * LOADAVG_BUDGET looks (a thread's state or a directory) a round. The
 * counting itself is the caller's (a struct loadavg_src), so this module
 * knows no cgroup.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgfs/procview.h"

/* The kernel's constants: 1/exp(5 s / 1, 5 and 15 min) in fixed point. */
#define LOADAVG_EXP_1 1884UL
#define LOADAVG_EXP_5 2014UL
#define LOADAVG_EXP_15 2037UL
/* A sample every this many milliseconds, as the kernel's LOAD_FREQ. */
#define LOADAVG_PERIOD_MS 5000
/* Groups with a history at once; one more reads its counts now only. */
#define LOADAVG_GROUPS_MAX 1024
/* A tree (a user's, the first component of a group's path) has at most
 * LOADAVG_GROUPS_MAX / LOADAVG_TREES_MIN of them. */
#define LOADAVG_TREES_MIN 4
/* A group whose file nobody read for this long loses its history. */
#define LOADAVG_IDLE_MS (10 * 60 * 1000)
/* Looks (a thread's state, a directory) one round may take; groups
 * beyond it wait for the next round, which starts with them. */
#define LOADAVG_BUDGET 4096
/* Looks a reader's own count (loadavg's and stat's threads now) may
 * take; beyond, the counts are of the threads looked at. */
#define LOADAVG_READ_LOOKS 1024

/* A group counted now. */
struct loadavg_now {
	unsigned running;         /* threads in state R */
	unsigned uninterruptible; /* in state D */
	unsigned threads;         /* all threads seen */
	unsigned long last;       /* the highest thread id; 0 for none */
	unsigned looks;           /* threads and directories looked at */
	bool cut;                 /* stopped at the limit: counts are partial */
};

/* Counts the group whose directory is path with inode ino, looking at no
 * more than limit threads and directories; 0, -ESTALE if path is now
 * another directory, -ENOENT if it is gone, or -errno. */
struct loadavg_src {
	int (*count)(const void *ctx, const char *path, ino_t ino, unsigned limit,
	             struct loadavg_now *ret);
	const void *ctx;
};

/* ---- arithmetic ---- */

/* One period of the kernel's calc_load: load decayed by exp towards
 * active (both fixed point), rounded up while it rises. */
unsigned long loadavg_calc(unsigned long load, unsigned long exp, unsigned long active);

/* x (fixed point) to the power n, rounded at each step as the kernel's
 * fixed_power_int. */
unsigned long loadavg_power(unsigned long x, unsigned n);

/* avg[3] after periods periods (at least 1) with tasks active tasks
 * throughout (the kernel's calc_load_n for missed periods). */
void loadavg_update(unsigned long avg[3], unsigned tasks, unsigned periods);

/* ---- the table ---- */

struct loadavg_entry {
	ino_t ino;            /* 0: a free slot */
	char *path;           /* as last read */
	unsigned long avg[3];
	uint64_t read_ms;     /* its file's last read */
	uint64_t sampled_ms;  /* the time its averages stand for */
};

struct loadavg_table {
	struct loadavg_entry *v;
	size_t max, n;        /* slots, slots used */
	size_t per_tree;      /* slots one tree may use */
	size_t cursor;        /* where the next round starts */
};

/* max slots: 0 or -ENOMEM. */
int loadavg_table_init(struct loadavg_table *t, size_t max);
void loadavg_table_free(struct loadavg_table *t);

/* The entry for ino into *ret, its path set to path and its read time to
 * now: 0 found, 1 made (zero averages from now on), -ENOSPC with every
 * slot, or path's tree's share, taken by groups read in the last
 * LOADAVG_IDLE_MS, -EINVAL for ino 0, -ENOMEM. */
int loadavg_table_get(struct loadavg_table *t, ino_t ino, const char *path, uint64_t now,
                      struct loadavg_entry **ret);

/* Frees the slot of entry e. */
void loadavg_table_drop(struct loadavg_table *t, struct loadavg_entry *e);

/* Drops the entries not read since now - LOADAVG_IDLE_MS; how many. */
size_t loadavg_table_expire(struct loadavg_table *t, uint64_t now);

/* Folds a sample of tasks active tasks at now into e: the periods whole
 * since its last sample (none: nothing changes); how many. */
unsigned loadavg_sample(struct loadavg_entry *e, unsigned tasks, uint64_t now);

/* ---- the sampler ---- */

struct loadavg_state {
	pthread_mutex_t lock;      /* guards t and src */
	struct loadavg_table t;
	struct loadavg_src src;
	unsigned budget;           /* looks a round */
};

/* One round at now: counts the groups due from the cursor on (without
 * the lock) within s->budget looks, then folds their samples in and
 * drops the idle and the gone. A group that alone needs more than the
 * budget is counted in part, its first looks only. 0 or -ENOMEM. */
int loadavg_round(struct loadavg_state *s, uint64_t now);

/* The group at path (inode ino) into ret: its averages, from the history
 * its first read starts (zeros then), and now's counts. Without a slot
 * (or a sampler) each average is now's runnable and uninterruptible
 * tasks alone. Starts the sampler on src at the first call. 0. */
int loadavg_get(const struct loadavg_src *src, const char *path, ino_t ino,
                const struct loadavg_now *now, struct procview_loadavg *ret);

/* Ends the sampler and its histories (the server ending). */
void loadavg_stop(void);
