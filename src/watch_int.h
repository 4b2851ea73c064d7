/* SPDX-License-Identifier: MIT */
/*
 * The watcher's parts (private to src/watch*.c; see docs/OUTSIDE.md):
 *  watch_table.c    the records of watched directories and their tables
 *  watch_own.c      telling cgfs's own mkdir/rmdir events from others'
 *  watch_suspect.c  groups found half made: refused, then completed
 *  watch_auto.c     transient groups (autoremove), removed once idle
 *  watch.c          watches, events, the thread, start and stop
 * Everything runs on the watcher thread, except what watch.h exports
 * (lookups' watch_check(), fs's watch_own_begin/end) and the state those
 * read, which says how it is shared.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgfs/cgfile.h"
#include "cgfs/group.h"
#include "cgfs/oatab.h"
#include "cgfs/util.h"
#include "cgfs/watch.h"

/* A group's directory (or the base), with its watch in each hierarchy:
 * allocated with room for w.r->n watches, and its name after them. */
struct wdir {
	struct wdir *parent, *child, *sibling;
	struct wdir **pprev; /* what points to it: its parent's child or a sibling's sibling */
	ino_t pino;         /* its directory's inode in the primary, or 0 */
	uint32_t id;        /* its index in w.byid */
	uint16_t seen;      /* resync: hierarchies where it was found */
	uint16_t depth;     /* 0 the base, 1 a tree root, 2.. groups */
	int wd[];           /* its watch in cgroot.h[i], or -1 */
};

/* A wd table entry is a record's id and a hierarchy's index. */
#define WD_HIER_BITS 4
#define ID_MAX (UINT32_MAX >> WD_HIER_BITS)
_Static_assert(LAYOUT_MAX_HIER <= (1 << WD_HIER_BITS) && LAYOUT_MAX_HIER <= 16,
               "a hierarchy's index fits an entry's low bits and seen");

struct strvec {
	char **v;
	size_t n, cap;
};

/* A group directory cgfs made in one hierarchy, to be watched. */
struct scan_req {
	char *path;
	int hier;
};

/* The watcher thread's state. */
struct watcher {
	struct watch_hooks hooks;
	const struct config *cfg;
	const struct cgroot *r;
	int ifd, efd;
	pthread_t thread;
	bool running;
	size_t nwatch, max_watch;
	struct wdir *base;
	struct oatab dirs;   /* name table: ids by (parent, name) */
	struct oatab wds;    /* wd table: (id, hierarchy) by wd */
	struct wdir **byid;  /* records by id (from 1), NULL where free */
	uint32_t *free_ids;  /* ids of freed records, to use again */
	size_t nids, idcap, nfree;
	struct strvec checks; /* paths to check once the events at hand are read */
	struct scan_req *scans; /* groups cgfs made, watched with the next checks */
	size_t nscans, scancap;
	bool resync;          /* the kernel dropped events */
	bool exhausted;       /* the watch budget is used up */
	bool gave_up;         /* degrade() was called */
	bool declared_due;    /* a declared group (or one above it) was removed */
};
extern struct watcher w;
/* Read by lookups without a lock: 1 until the first scan is done, and
 * for good once cgfs gave up watching. */
extern int watch_unwatched;
/* Set by watch_stop(), read by the thread without a lock. */
extern int watch_stopping;

const char *watch_base_name(const char *path);

/* watch_table.c: records, by id, by (parent, name) and by wd. */
void table_init(void);
char *dir_name(const struct wdir *d);
int dir_path(const struct wdir *d, char *out, size_t size);
struct wdir *dir_child(const struct wdir *d, const char *name);
struct wdir *dir_new(struct wdir *parent, const char *name);
struct wdir *dir_at(const char *path);
bool dir_watched(const struct wdir *d);
struct wdir *post_first(struct wdir *d);
struct wdir *post_next(struct wdir *d, const struct wdir *top);
void prune(struct wdir *d);
struct wdir *wd_dir(uint32_t e);
int wd_hier(uint32_t e);
uint32_t *wd_find(int wd);
int wd_add(struct wdir *d, int hier);
void wd_del(uint32_t *slot);
void tables_free(void);

/* watch_own.c: cgfs's own changes (docs/OUTSIDE.md). */
extern int own_on; /* the watcher reads events: records are kept */
bool own_change(const char *path, bool made);
void own_supersede(const char *path);
void own_drain_begin(void);
void own_drain_end(void);
void own_free_all(void);

/* watch_suspect.c: checks, half-made groups and their repair. */
void check_later(const char *path);
void checks_run(void);
int repairs_due(void);
void suspects_free(void);
void strvec_add(struct strvec *v, const char *s);
void strvec_clear(struct strvec *v);
int str_cmp(const void *a, const void *b);

/* watch_auto.c: transient groups (autoremove). auto_note: the group at
 * path was seen (dfd: its directory in the primary, open, or -1) or its
 * attributes changed: kept if marked, dropped if not. auto_forget: path
 * and everything below it were removed. auto_run: looks at the groups
 * due (removing the idle ones); ms until the next is due, or -1. */
void auto_init(void);
int auto_fd(void);
void auto_note(const char *path, int dfd);
void auto_forget(const char *path);
void auto_events(void);
int auto_run(void);
void auto_free(bool warn);

/* watch.c: what the kernel cached of a group's entry, dropped. */
void inval_path(const char *path);
