/* SPDX-License-Identifier: MIT */
/*
 * The FUSE layer's parts (private to src/fs*.c):
 *  fs.c       the operation table and the operations on any node
 *  fs_node.c  node and file-handle tables; nodes of an earlier server
 *  fs_attr.c  what a node stands for in the real tree, its attributes
 *  fs_dir.c   directories: listing, mkdir, rmdir
 *  fs_file.c  knob and raw files: open, read, write, release
 *  fs_poll.c  poll(2) on events files, and the thread that wakes pollers
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgfs/budget.h"
#include "cgfs/fs.h"
#include "cgfs/log.h"
#include "cgfs/move.h"
#include "cgfs/nodeid.h"
#include "cgfs/pidns.h"
#include "cgfs/policy.h"
#include "cgfs/procvis.h"
#include "cgfs/slow.h"
#include "cgfs/util.h"
#include "cgfs/view.h"
#include "cgfs/watch.h"

#define RAW_DIR "raw"

enum node_kind {
	NODE_DIR,    /* the mount root, a tree root or a group */
	NODE_KNOB,   /* a friendly file of a group */
	NODE_RAWDIR, /* a group's raw/ */
	NODE_RAW,    /* one of the kernel's own files in raw/ */
	NODE_VIEWDIR, /* a directory of a group's view (proc/, sys/...) */
	NODE_VIEW,   /* a file of a group's view */
};

/* A snapshot of a node, taken under the lock, used outside it. */
struct nref {
	fuse_ino_t ino;
	char path[PATH_MAX];
	char name[NAME_MAX + 1];
	enum node_kind kind;
	int knob;   /* NODE_KNOB: knob_table row; NODE_VIEW*: view_table row */
	int hier;
	int depth;
	uid_t owner;
	gid_t gid;
	/* The group directory's stat(2), when the lookup that made this
	 * reference has just taken it (not for raw files): spares a reply
	 * a second one. */
	bool have_real;
	struct stat real;
};

/* An open knob or raw file, or an open directory. Writes through it are
 * authorised with the credentials of the process that opened it,
 * whoever writes: a handle passed to (or inherited by) a more privileged
 * program gains nothing (the kernel's own rule for cgroup.procs since
 * CVE-2021-4197). It counts towards its opener's max_open_files, and
 * costs the daemon this record and nothing else, except while a reader
 * is part-way through a value or listing: that is kept (so the reads add
 * up to one consistent rendering) within the opener's budget of kept
 * bytes (budget.h), and freed once a read reaches its end. */
struct ofile {
	pthread_mutex_t lock;
	char *buf;   /* the rendering a reader is part-way through, or NULL */
	int len;     /* length of the last rendering, -1 before the first */
	size_t kept; /* bytes of buf counted by budget_keep() */
	uid_t uid;   /* the opener's */
	/* events: what the last read from the start showed (fs_poll.c's
	 * poll_seen()), or NULL before the first; a few dozen bytes. */
	char *seen;
	/* buf is the rendering the open made (sized_open()), for the first
	 * read from the start. */
	bool from_open;
};

/* fs_node.c */
uint64_t fh_put(const struct fs *fs, void *p, void (*drop)(void *p));
void *fh_get(const struct fs *fs, uint64_t fh, bool take);
bool kind_is_dir(enum node_kind kind);
const char *entry_name(const struct nref *ref);
int node_hold(const struct nref *ref);
void node_forget(fuse_ino_t ino, uint64_t count);
int node_lookup(struct fs *fs, fuse_ino_t ino, struct nref *ref);
/* Limit knobs served from the kernel's page cache (fs_file.c), what the
 * node's pages may hold. What an open by pid does with the pages, text
 * being what it renders now: keeps them; drops them; or, when the value
 * is longer than the size the kernel has, is sent back (ESTALE) to look
 * the name up again, which gives the size (the kernel retries the open
 * once, with a lookup: that open is not sent back again). */
enum cache_verdict { CACHE_KEEP, CACHE_DROP, CACHE_RELOOK };
enum cache_verdict cache_open(fuse_ino_t ino, pid_t pid, const char *text, int len);
/* A file whose open checks its size (fs_file.c's sized_open()): what an
 * open by pid rendering len bytes tells the kernel. SIZE_SAME: the size
 * the kernel has is len. SIZE_RELOOK: the kernel's is smaller, and the
 * opener is sent back (ESTALE) to look the name up, once, as
 * cache_open() does. SIZE_OTHER: any other case (a larger size, a
 * smaller one after that lookup, no node): its attributes go stale. */
enum size_verdict { SIZE_SAME, SIZE_OTHER, SIZE_RELOOK };
enum size_verdict size_open(fuse_ino_t ino, pid_t pid, int len);
/* The size an attribute reply about to be sent gives the kernel. */
void cache_size(fuse_ino_t ino, off_t size);
/* An open of ino reads through the page cache: the removal of its group
 * must reach it (cache_forget_group()). */
void cache_served(fuse_ino_t ino);
/* The nodes cache_served() names whose group is path or below it: their
 * number, the node ids in *ret (malloc'd; fewer without memory). */
size_t cache_served_below(const char *path, fuse_ino_t **ret);
/* Around a read the kernel makes to fill the pages: begin before the
 * rendering (its ticket, 0 for no node), end once answered with what
 * was answered (NULL: unknown). */
uint64_t cache_fill_begin(fuse_ino_t ino);
void cache_fill_end(fuse_ino_t ino, uint64_t ticket, const char *text, int len);
/* This server has written the value: no open keeps the pages, and the
 * file's mtime is now. */
void cache_changed(fuse_ino_t ino);
/* For an attribute reply with text the value now: the file's mtime,
 * the time this server last saw it differ from what the pages hold (or
 * first served it); false without a node. A new mtime makes the kernel
 * drop the pages of a file still open (FUSE_CAP_AUTO_INVAL_DATA). */
bool cache_attr(fuse_ino_t ino, const char *text, int len, struct timespec *mtime);

/* fs_attr.c */
int raw_stat(struct fs *fs, const struct nref *ref, struct stat *st,
             enum raw_access *ret_access);
int node_same_group(struct fs *fs, const struct nref *ref);
int node_attr(fuse_req_t req, struct fs *fs, const struct nref *ref, struct stat *st);
void reply_entry(fuse_req_t req, struct fs *fs, const struct nref *ref);
int group_entry_ref(struct fs *fs, const struct nref *p, enum node_kind kind, int knob,
                    struct nref *ret);
bool view_on(const struct fs *fs, int row);
int raw_child_ref(struct fs *fs, const struct nref *p, const char *name, struct nref *ret);
int child_ref(struct fs *fs, const struct nref *p, const char *name, struct nref *ret);

/* fs_dir.c */
void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void reply_part(fuse_req_t req, struct ofile *of, char *fresh, int len, size_t start,
                size_t size);
void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                struct fuse_file_info *fi);
void fs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
int tree_make(struct fs *fs, const char *name);
int tree_on_demand(fuse_req_t req, struct fs *fs, const struct nref *p, const char *name,
                   struct nref *ret);
void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void fs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
               const char *newname, unsigned int flags);
void fs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name);
void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev);
void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
               struct fuse_file_info *fi);

/* fs_file.c */
int ofile_new(fuse_req_t req, struct ofile **ret);
void ofile_unkeep(struct ofile *of);
bool ofile_keep(struct ofile *of, char **buf, int len);
void ofile_drop(void *p);
void reply_part(fuse_req_t req, struct ofile *of, char *fresh, int len, size_t start,
                size_t size);
void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
              struct fuse_file_info *fi);
void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
off_t file_size(struct fs *fs, const struct nref *ref, const struct fuse_ctx *ctx,
                struct timespec *mtime);
bool knob_cached(const struct nref *ref);
bool file_sized(const struct nref *ref);
void attr_stale(struct fs *fs, fuse_ino_t ino);
/* The group at path (and every group below it) is gone: the limits read
 * through the page cache there have stale attributes, so that a read
 * through a descriptor opened before asks, and is refused. */
void cache_forget_group(struct fs *fs, const char *path);

/* fs_poll.c */
bool poll_is_events(const struct nref *ref);
/* What an events file shows now, as poll compares it: malloc'd, NULL
 * without memory. */
char *poll_seen(struct fs *fs, const struct nref *ref);
/* Drops the poller waiting on fh, if any (at its release). */
void poll_forget(uint64_t fh);
/* Ends the thread and drops every poller (at the session's end). */
void poll_stop(void);
void fs_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
             struct fuse_pollhandle *ph);

/* fs.c */
struct fs *fs_of(fuse_req_t req);
double fs_timeout(struct fs *fs);
