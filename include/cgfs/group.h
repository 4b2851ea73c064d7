/* SPDX-License-Identifier: MIT */
/*
 * group: a cgfs group across every serving hierarchy.
 *
 * A group is a path relative to the base ("" is the base itself, "alice"
 * a tree root, "alice/web" a group). It maps to BASE/PATH in each serving
 * hierarchy, with its processes in the hidden leaf BASE/PATH/.self so a
 * group may hold processes and children alike (v2's no-internal-process
 * rule), the same way on v1. Nothing here knows FUSE exists.
 */
#pragma once

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cgfs/config.h"
#include "cgfs/knobs.h"
#include "cgfs/layout.h"
#include "cgfs/view.h"

#define GROUP_LEAF ".self"
/* Where systemd 254 and later start the unit's processes
 * (DelegateSubgroup= in cgfs.service): a name systemd accepts (no leading
 * dot) that no user can have (':' cannot be in a user name), so it is
 * never taken for a tree. The daemon moves on from it into BASE/.self. */
#define GROUP_START_LEAF "cgfs:start"

/* A group is named by its path from the base, shorter than this: then
 * the paths of its leaf and of every interface file of it (kernel file
 * names are far shorter than 50 characters) fit PATH_MAX. A group deeper
 * than that (made outside cgfs) is not served (ENAMETOOLONG), but the
 * walks below (removal, counting, cpuset fitting) reach it through the
 * directories above it, however deep it is. */
#define GROUP_PATH_MAX (PATH_MAX - 64)

/* v1 files whose presence cgroot_open records (struct cgroot.v1_files):
 * the knob table's rows ask about one or two each. */
#define GROUP_V1_FILES_MAX 32

enum rmdir_mode {
	RMDIR_MIGRATE, /* move live processes to the parent group */
	RMDIR_KILL,    /* SIGKILL them */
};

struct cg_hier {
	const struct hier *h;  /* in the layout */
	int version;
	int base_fd;           /* O_PATH|O_DIRECTORY of BASE in this hierarchy */
	int mnt_fd;            /* O_PATH|O_DIRECTORY of the mount point */
	char *base;            /* BASE relative to the mount point, no leading '/' */
};

struct cgroot {
	struct layout layout;
	struct cg_hier h[LAYOUT_MAX_HIER]; /* serving hierarchies only */
	size_t n;
	int by_ctrl[CTRL_MAX];  /* index into h[], or -1 */
	int primary;            /* h[] index for identity, listing and procs */
	bool knob_on[KNOB_TABLE_MAX];       /* knob_table[i] available (probed on BASE/.self) */
	/* v1 answers of knob_io.exists, recorded while probing at start: a v1
	 * hierarchy's controllers, and so every non-root cgroup's files, stay
	 * as they are while it is mounted, so no write asks again. */
	struct { enum cg_ctrl c; const char *file; bool on; } v1_files[GROUP_V1_FILES_MAX];
	size_t n_v1_files;
	enum rmdir_mode rmdir_mode;
	/* Serialises changes to the tree: held around group_create and
	 * group_remove by their callers, by group_move_pid while it makes a
	 * group's leaf (so a leaf half made is never taken for damage), and
	 * by repairs. Take it with cgroot_lock(). */
	pthread_mutex_t tree_lock;
};

/* The tree's lock (struct cgroot.tree_lock); not recursive. */
void cgroot_lock(const struct cgroot *r);
void cgroot_unlock(const struct cgroot *r);

/* BASE relative to a hierarchy's mount point, malloc'd into *ret: base
 * (base=, any leading '/' dropped) or, when base is NULL, own (our own
 * cgroup there; fallback instead when own is the top) without a trailing
 * "/.self" (ours once we moved into our base's leaf) or "/cgfs:start"
 * (where systemd started us). Trailing '/' and anything after a newline
 * are dropped. 0, -ENOENT (own is NULL: our cgroup is outside the mount),
 * -EINVAL (not below the top of the hierarchy, a ".." in it, or our own
 * cgroup is a bare leaf), -ENOMEM. */
int group_base_path(const char *base, const char *own, const char *fallback, char **ret);

/* Takes ownership of *layout. base: path relative to every hierarchy's
 * mount point, or NULL for our own cgroup in each. Creates BASE (if
 * missing) and BASE/.self in every serving hierarchy, enables v2
 * controllers below BASE, and probes which knobs are available.
 * unified: a cgroup2 hierarchy that serves no controller (a hybrid host
 * whose controllers are all v1) serves all the same, after the others
 * and never primary: every group and its processes are in it too, where
 * the device programs of devices_deny apply to them.
 * Refuses a base that is the top of a hierarchy (-EINVAL). */
int cgroot_open(struct cgroot *r, struct layout *layout, const char *base,
                enum rmdir_mode mode, bool unified);
void cgroot_close(struct cgroot *r);

/* stat(2) of the group's directory in the primary hierarchy. */
int group_stat(const struct cgroot *r, const char *path, struct stat *ret);

/* Names of the child groups (not .self, not dot-names), calling fn for
 * each; stops and returns fn's value when it is non-zero. */
int group_children(const struct cgroot *r, const char *path,
                   int (*fn)(void *arg, const char *name, ino_t ino), void *arg);

/* Number of groups at and below path (path itself counts), however deep
 * the tree; -errno. */
int group_count(const struct cgroot *r, const char *path);

/* Calls fn for path and every group below it (directories of the primary
 * hierarchy but dot-names), parents first, in bounded stack whatever the
 * depth: with the group's path relative to the base (of any length: one
 * that does not fit PATH_MAX is ENAMETOOLONG to the other calls here),
 * the inode of its directory and its depth below path (0 for path). fn
 * returns 0 to go below the group, GROUP_WALK_SKIP not to, and anything
 * else stops the walk, which returns it. 0 when every group was seen;
 * -errno (-ENOENT: no path). */
#define GROUP_WALK_SKIP 1
int group_walk(const struct cgroot *r, const char *path,
               int (*fn)(void *arg, const char *path, ino_t ino, int depth), void *arg);

/* The same in hierarchy h[hier], with each directory open (dfd, read
 * only, valid during the call) and its name ("" for path): every step is
 * relative to the directory above, so a deep tree costs no path look-up.
 * -EINVAL for a hierarchy that does not serve. */
int group_walk_in(const struct cgroot *r, int hier, const char *path,
                  int (*fn)(void *arg, int dfd, const char *path, const char *name, int depth),
                  void *arg);

/* Writes caps to an existing group (a tree root) as group_create does,
 * under the tree lock: 0, or the kernel's refusal of the first cap it
 * refused (the caps before it are written). */
int group_set_caps(const struct cgroot *r, const char *path, const struct caps *caps);

/* Creates the group in every serving hierarchy and applies caps (may be
 * NULL). Its leaf is made with its first process (group_move_pid). On
 * any failure everything made is removed again. -EEXIST if it already
 * exists. */
int group_create(const struct cgroot *r, const char *path,
                 const struct caps *caps);

/* ---- whole groups ----
 *
 * A group is whole when its directory exists in every serving hierarchy
 * and its leaf in all of them or in none (a group without processes so
 * far has none). A crash half-way through group_create, group_remove or
 * the making of a leaf, or another program working in the real tree, can
 * leave it half made. */

/* Bit i of *ret_dirs (*ret_leaves) is set when h[i] holds the group's
 * directory (and its leaf). 0 or -errno. */
int group_presence(const struct cgroot *r, const char *path, unsigned *ret_dirs,
                   unsigned *ret_leaves);

/* 1 whole, 0 absent from every hierarchy, -EIO half made. */
int group_whole(const struct cgroot *r, const char *path);

/* Completes a half-made group: its directory is made where it is
 * missing, as group_create makes it, and its leaf where it is missing if
 * it has one anywhere; and the caps (NULL: none) of
 * the knobs served by those hierarchies are applied. Never removes
 * anything (completing loses no process). The parent must be whole.
 * Logs what it did. 1 repaired, 0 nothing to do, or -errno. */
int group_repair(const struct cgroot *r, const char *path, const struct caps *caps);

/* Completes every half-made group below the base (and the base's leaf),
 * parents first, where a group is a directory in any serving hierarchy
 * whose name is_group() accepts (depth 1: a user's tree root, whose caps
 * come from cfg, which may be NULL). A group that cannot be completed is
 * logged and left. Returns how many were repaired, or -errno. */
int cgroot_reconcile(const struct cgroot *r, bool (*is_group)(const char *name, int depth),
                     const struct config *cfg);

/* Removes the group and every descendant, deepest first, in every
 * hierarchy; live processes are migrated to the parent's leaf or killed
 * (cgroot.rmdir_mode). */
int group_remove(const struct cgroot *r, const char *path);

/* group_remove()'s quick way, which never waits: 1 when the group (no
 * child group, no process) is gone, 0 when it takes group_remove()
 * (which goes on from what this did: as a rule nothing, the kernel
 * refusing the first rmdir), -errno (-ENOENT: no such group). */
int group_remove_try(const struct cgroot *r, const char *path);

/* Empties a group before its removal where cgroot.rmdir_mode is kill:
 * kills its processes and waits until they are gone (outside the tree
 * lock). 0 (also in migrate mode: nothing to do), -EBUSY when processes
 * stay after the wait time, or as group_kill(). */
int group_evict(const struct cgroot *r, const char *path);

/* ---- transient groups (the autoremove knob) ----
 *
 * A group marked autoremove is removed once it has held processes and
 * none is left. The mark is an extended attribute of the group's
 * directory in the primary hierarchy: the kernel keeps it as long as the
 * cgroup, across restarts of cgfs, and only root can set it there. A
 * group "has held processes" when a leaf exists at or below it (a leaf is
 * made with a group's first process, and only then). Who removes it, and
 * when, is the watcher's business; these are its steps. */
#define GROUP_AUTOREMOVE_XATTR "user.cgfs.autoremove"

/* Whether the kernel keeps the mark on this host (asked of the base's
 * leaf in the primary hierarchy). */
bool group_autoremove_supported(const struct cgroot *r);

/* 1 if the group at path is marked, 0 if not (always for a tree root and
 * the base); -ENOENT (no group), or the kernel's -errno. dfd >= 0: the
 * group's directory, open, is asked instead of looking path up. */
int group_autoremove_get(const struct cgroot *r, const char *path, int dfd);

/* Marks (on) or unmarks the group. -EPERM at a tree root (only root
 * removes one) and at the base; -ENOENT, or the kernel's -errno. */
int group_autoremove_set(const struct cgroot *r, const char *path, bool on);

/* 1 when the group has held processes and holds none now, at or below
 * it (v2: cgroup.events says unpopulated; v1: every cgroup.procs below
 * it reads empty); 0 when a process is there or none ever was; -errno
 * (-ENOENT: no group). *ret_cost (may be NULL): how many cgroups it
 * read, at least 1, also on failure. */
int group_idle(const struct cgroot *r, const char *path, unsigned *ret_cost);

/* Removes the group and everything below it, in every hierarchy, if it
 * is marked and idle (checked here again), without moving or killing
 * anything: its leaves first, each in every hierarchy in the order
 * processes are moved (group_move_pid), so a process being moved in
 * meanwhile either keeps its leaf (-EBUSY, the group stays whole) or
 * finds it gone (its move fails and is undone). Call with the tree lock
 * held, outside any request. 0 removed; -EAGAIN not marked or not idle
 * (nothing done); -EBUSY a process came (the group stays, its leaves
 * whole); -ENOENT, -EPERM (a tree root or the base), or the first
 * -errno of a removal the kernel refused half-way (logged; the watcher
 * completes such a group). */
int group_remove_idle(const struct cgroot *r, const char *path);

/* The interface files every thread holds open (cgfile_held_*), for the
 * watcher and the server: a group was removed outside cgfs, so every
 * thread closes them before it uses one again (cgfile_held_forget); and
 * the calling thread closes them now if a group was removed since it
 * last looked, after every request (cgfile_held_check). Cannot fail.
 * group_remove() closes the removed group's files itself. */
void group_files_forget(void);
void group_files_check(void);

/* Renders knob k of the group into *buf (malloc'd, grown as needed,
 * newline-terminated); returns the length or -errno. */
int group_knob_read(const struct cgroot *r, const char *path,
                    const struct knob *k, char **buf);

/* Renders view file v (view.h) of the group into *buf (malloc'd);
 * returns the length or -errno (-EISDIR for a directory's row). */
int group_view_read(const struct cgroot *r, const char *path,
                    const struct view_entry *v, char **buf);

/* Applies a trimmed value to knob k (already checked for permission);
 * pid moves, freeze and kill included. 0 or -errno. */
int group_knob_write(const struct cgroot *r, const char *path,
                     const struct knob *k, const char *value);

/* Moves pid into the group's leaf in every serving hierarchy, making the
 * leaf first if the group has none yet (under tree_lock); on failure moves
 * it back where it was. */
int group_move_pid(const struct cgroot *r, const char *path, pid_t pid);

/* Whether pid may leave where it is for a group of the tree at path: 1
 * if in every serving hierarchy its cgroup is path or below it, or one
 * that admit() accepts (given the cgroup as /proc/PID/cgroup shows it,
 * "/user.slice/..."); 0 if not in one of them, -ESRCH if there is no
 * such process. */
int group_pid_admitted(const struct cgroot *r, const char *path, pid_t pid,
                       bool (*admit)(void *arg, const char *cg), void *arg);

/* 1 if the task pid (a thread id will do) is in path's group or below
 * it, in the freezer's hierarchy (the primary one without a freezer); 0
 * if not, -ESRCH if there is no such task. */
int group_pid_inside(const struct cgroot *r, const char *path, pid_t pid);

/* How long (ms) a freeze, a kill and a removal wait for the kernel before
 * they give up; GROUP_WAIT_MS unless set (before serving). */
#define GROUP_WAIT_MS 10000
void group_set_wait_ms(long ms);
/* true: every wait, running or to come, ends at once as if it had timed
 * out (a server stopping); false: waits last their time again. */
void group_cut_waits(bool cut);

/* Asks the kernel to freeze (on) or thaw the group and returns without
 * waiting: 0, -EOPNOTSUPP without a freezer, -ENOENT (no group) or the
 * kernel's -errno. */
int group_freeze_ask(const struct cgroot *r, const char *path, bool on);
/* 1 when every task of the group is frozen, 0 if not (yet), -ENOENT
 * when there is no such group, -EOPNOTSUPP without a freezer. */
int group_freeze_state(const struct cgroot *r, const char *path);
/* Waits until a freeze asked for has taken hold: 0; -EBUSY when it has
 * not after the wait time (the group is thawed again), or as
 * group_freeze_state. */
int group_freeze_wait(const struct cgroot *r, const char *path);
/* Freezes (waiting as group_freeze_wait) or thaws: as those two. */
int group_freeze(const struct cgroot *r, const char *path, bool on);

/* Kills the group at once where the kernel can (v2's cgroup.kill): 0 or
 * the kernel's -errno; -EWOULDBLOCK where it takes group_kill(), which
 * waits (v1: freeze, signal, thaw). */
int group_kill_now(const struct cgroot *r, const char *path);
/* SIGKILLs every process of the group and below. On v1 it freezes first
 * (nothing forks away), then signals and thaws; when the freeze cannot
 * take hold (a task waiting in the kernel) it signals in rounds until the
 * group is empty. 0, -EBUSY if processes outlive 100 rounds, -errno. */
int group_kill(const struct cgroot *r, const char *path);

/* ---- raw/: the kernel's own interface files of a group ---- */

/* One real file: where it is and what the kernel says of it. */
struct raw_file {
	int hier;    /* index in cgroot.h[] */
	ino_t ino;   /* the real file's inode number (unique in its hierarchy) */
	mode_t mode; /* its permission bits, as the kernel reports them */
};

/* Calls fn for every regular file of the group's directories, in name
 * order, once per name. A name several hierarchies have (v1's
 * cgroup.procs, tasks, ...) is taken from the hierarchy serving the
 * controller it is named after ("cpu.stat": cpu), else from the primary,
 * else from the first in h[]. Stops and returns fn's value when it is
 * non-zero. Which files a user sees is not decided here (see policy). */
int group_raw_list(const struct cgroot *r, const char *path,
                   int (*fn)(void *arg, const char *name, const struct raw_file *f),
                   void *arg);

/* The file called name, chosen as group_raw_list chooses; -ENOENT. */
int group_raw_find(const struct cgroot *r, const char *path, const char *name,
                   struct raw_file *ret);

/* stat(2) of file name of the group in hierarchy hier. */
int group_raw_stat(const struct cgroot *r, const char *path, int hier,
                   const char *name, struct stat *ret);

/* Reads the whole file into *buf (malloc'd, NUL-terminated); returns the
 * length or -errno (the kernel's). */
int group_raw_read(const struct cgroot *r, const char *path, int hier,
                   const char *name, char **buf);

/* Writes len bytes to the file unchanged, in one write(2); 0 or the
 * kernel's -errno. Callers check who may. */
int group_raw_write(const struct cgroot *r, const char *path, int hier,
                    const char *name, const char *data, size_t len);
