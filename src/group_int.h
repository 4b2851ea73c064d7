/* SPDX-License-Identifier: MIT */
/*
 * group's private declarations, shared by src/group*.c: the walk in
 * bounded stack, the knob_io of a real group, and the steps one part
 * takes from another (leaves, cpusets, pid moves, waits).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cgfs/cgfile.h"
#include "cgfs/group.h"
#include "cgfs/knobs.h"
#include "cgfs/loadavg.h"

/* Rounds of moving or signalling a group's processes before a removal or
 * a kill gives up (a process may fork while it is moved). */
#define EVACUATE_ROUNDS 100

/* /proc/PID/cgroup: a line per hierarchy, a dozen at most. */
#define PROC_CGROUP_MAX 8192
/* A number (a pid, a cap) or a v2 "+controller" as text. */
#define NUM_TEXT_MAX 32
/* A cpuset list as text (cpuset.cpus, .mems, the possible CPUs). */
#define CPULIST_TEXT_MAX 8192
/* The state files of a freezer (freezer.state, freezer.self_freezing). */
#define STATE_TEXT_MAX 64
/* cgroup.events: a few "key value" lines. */
#define EVENTS_TEXT_MAX 512

/* cgroup.procs of a large group can be long; 64 MiB is far beyond pid_max. */
#define PROCS_FILE_MAX (64u << 20)

/* ---- waits and set-up (group.c) ---- */

void sleep_ms(long ms);
/* Whether a wait that has lasted waited ms is over. */
bool wait_over(long waited);

const struct cg_hier *hier_for(const struct cgroot *r, enum cg_ctrl c);
const struct cg_hier *primary(const struct cgroot *r);

/* A knob_io on a real group. */
struct gio {
	const struct cgroot *r;
	const char *path;
	struct cgroot *probing; /* cgroot_open only: records exists() answers */
	struct cgfile_seen seen;       /* the group's directory, once looked up */
	bool mirror;                   /* writes go to its leaf too (mirror_write) */
};

void gio_init(struct knob_io *io, struct gio *g, const struct cgroot *r, const char *path);
void cpuset_inherit(const struct cg_hier *h, const char *path, bool made);
void v2_enable_below(const struct cgroot *r, const struct cg_hier *h, const char *path);

/* ---- walking a tree in bounded stack (group_walk.c) ---- */

struct wframe {
	char *names;   /* its subdirectories' names, each NUL-terminated */
	size_t len, next;
	dev_t dev;
	ino_t ino;
	size_t pathlen; /* walk.path's length here */
	char *data;     /* the caller's (walk_ops.pre), freed with the frame */
};

struct walk {
	int fd;          /* the directory of the top frame */
	struct wframe *f;
	size_t n, cap;
	char *path;      /* relative to the start ("" there); any length */
	size_t pathcap;
	bool groups_only; /* dot-names (leaves) are not entered */
};

struct walk_ops {
	/* A directory found: dfd is it, pdfd its parent (-1 for the start),
	 * name its name ("" for the start). 0 to enter it, WALK_SKIP to leave
	 * it (post is not called for it), anything else stops the walk and
	 * is its result. *data (NULL at first) is kept with its frame. */
	int (*pre)(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
	           char **data);
	/* A directory done, below the start: pdfd is its parent. 0 goes on,
	 * anything else stops the walk and is its result. May be NULL. */
	int (*post)(void *arg, struct walk *w, int pdfd, const char *name, char *data);
};

#define WALK_SKIP GROUP_WALK_SKIP

/* The depth of the directory the walk is in (0 at the start). */
size_t walk_depth(const struct walk *w);
/* The caller's data of the directory the walk is in. */
const char *walk_data(const struct walk *w);
/* The names of fd's subdirectories (not "." and ".."; not dot-names
 * either with groups_only), NUL-separated, into *names. */
int list_names(int fd, bool groups_only, char **names, size_t *len);
/* Walks the directory path below dfd and every directory below it,
 * parents first (ops->pre) and children first (ops->post), in bounded
 * stack whatever the depth. A directory gone meanwhile is passed over.
 * 0, what a callback stopped the walk with, or -errno (-ENOENT: no
 * path). */
int walk_tree(int dfd, const char *path, bool groups_only, const struct walk_ops *ops,
              void *arg);

/* ---- create (group_create.c) ---- */

/* Removes path in the hierarchies made[] says were made. */
void remove_made(const struct cgroot *r, const char *path, const bool *made);
/* The leaf lp of a group in one hierarchy, made if missing: 1 made, 0
 * there already, or -errno. */
int leaf_in(const struct cg_hier *h, const char *lp);
/* A group's leaf in every hierarchy where it is missing; all or nothing.
 * made (LAYOUT_MAX_HIER entries, false on entry) says where it was made. */
int make_leaf(const struct cgroot *r, const char *path, bool *made);
int apply_caps(const struct cgroot *r, const char *path, const struct caps *caps);

/* ---- the limits a leaf holds too (group_mirror.c) ---- */

/* Writes text to file of the group path in h, and to its leaf if it has
 * one and the file is one of those mirrored there, in the order the
 * kernel takes; all or nothing, but for v1 I/O throttle lines (logged).
 * 0 or the kernel's -errno. */
int mirror_write(const struct cg_hier *h, const char *path, struct cgfile_seen *seen,
                 const char *file, const char *text);
/* Copies the mirrored files of the group of leaf lp (made just now) to
 * it; what the kernel refuses is logged. */
void mirror_copy(const struct cg_hier *h, const char *lp);
/* Brings the leaf of the group path back in step where its values
 * differ from the group's (a leaf made by a cgfs that did not mirror
 * them, a raw write): how many hierarchies it copied in. v1 throttle
 * lines are left as they are. */
int mirror_sync(const struct cgroot *r, const char *path);

/* ---- processes (group_procs.c) ---- */

struct move_ctx {
	const struct cg_hier *h;
	const char *leaf;   /* the target's leaf below h->base_fd, */
	const char *target; /* and its cgroup.procs */
	bool ready;         /* the leaf is there */
};

/* Calls fn for every pid listed in cgroup.procs of path and every cgroup
 * below it in one hierarchy; returns how many it saw, or -errno. */
int for_each_pid(int base_fd, const char *path, void (*fn)(void *arg, pid_t pid), void *arg);
/* Counts the threads at and below path in the primary hierarchy, whose
 * directory must have inode ino (0: any), as loadavg_src.count does
 * (the thread lists: v1 tasks, v2 cgroup.threads; each thread's state
 * from /proc). */
/* As group_load_now (any inode), and in the same walk as for_each_pid
 * on the primary hierarchy: fn (NULL: none) for every pid listed, with
 * the start of the process (procview_stat_start) where the walk has
 * read it as a thread's (the pid listed among the threads of the same
 * cgroup, within limit), else NULL. How many pids, or -errno. */
int group_load_pids(const struct cgroot *r, const char *path, unsigned limit,
                    void (*fn)(void *arg, pid_t pid, const uint64_t *start), void *arg,
                    struct loadavg_now *ret);
int group_load_now(const struct cgroot *r, const char *path, ino_t ino, unsigned limit,
                   struct loadavg_now *ret);
/* A for_each_pid() callback: moves pid to the leaf of a struct move_ctx. */
void move_one(void *arg, pid_t pid);
/* Waits until no process is left at or below path: 0 or -EBUSY. */
int wait_empty(const struct cgroot *r, const char *path);
