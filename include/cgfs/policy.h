/* SPDX-License-Identifier: MIT */
/*
 * policy: who may do what (cgfs(5), PERMISSIONS) and which names are
 * allowed. Pure decisions, except where a process or a user must be
 * looked up (policy_user, policy_may_move).
 */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cgfs/knobs.h"

/* A group name: [A-Za-z0-9][A-Za-z0-9_@+-]{0,63}. -EEXIST for the name of
 * a knob file or of a reserved entry ("raw", the view's "proc" and
 * "sys"), -EINVAL for anything else that does not match, 0 if allowed. */
int policy_group_name(const char *name);

/* The mount's administrator, who has root's part in it: makes and
 * removes trees, owns and writes the caps at tree roots, moves processes
 * without admission points (what is moved must still be the mover's own
 * unless the mover is root). Root when cgfs runs as root (the default);
 * when it runs without root, its own user (policy_set_admin(geteuid(),
 * getegid()) before serving), whose own tree is then the only one. */
void policy_set_admin(uid_t uid, gid_t gid);
uid_t policy_admin(void);
gid_t policy_admin_gid(void);

/* A user tree name: must be a user of the passwd database whose uid may
 * own a tree (policy_tree_uid), and the administrator's own when that is
 * not root. 0 and the uid/gid, -EINVAL (not a user or not a plausible
 * name) or -EPERM (root, the overflow uid, or another user than a
 * non-root administrator). */
int policy_user(const char *name, uid_t *ret_uid, gid_t *ret_gid);

/* Whether user (whose primary group is user_gid) is a member of the Unix
 * group called group, primary or supplementary, as the group database
 * says (getgrouplist(3), which is what a login gets). 1 or 0 (no such
 * group included), or -ENOMEM, -E2BIG (a group entry beyond 1 MiB, or
 * more than 65536 groups: the kernel's NGROUPS_MAX), -errno of the
 * database. */
int policy_user_in_group(const char *user, gid_t user_gid, const char *group);

/* Whether uid may own a tree: not root (uid 0, who needs none and whose
 * tree would be served as a user's), not the overflow uid (65534, and
 * /proc/sys/kernel/overflowuid if that differs: the uid every id the
 * kernel cannot map shows as, which no tree may belong to), not -1. */
bool policy_tree_uid(uid_t uid);

/* Whether caller may make or remove a directory in the one at depth
 * (0: the mount's root, whose directories are trees) whose tree tree_owner
 * owns: trees are the administrator's to make and remove, groups their
 * tree's owner's too. 0 or -EACCES. */
int policy_may_change_dir(uid_t caller, int depth, uid_t tree_owner);

/* Owner of knob k in a group at depth (1 = the user's tree root): the
 * caps at a tree root belong to the administrator (policy_admin),
 * everything else to the tree's owner. */
uid_t policy_knob_owner(const struct knob *k, int depth, uid_t tree_owner);

/* Whether caller may write knob k (owner check the kernel also makes
 * through default_permissions; kept here so root-bypass and stale
 * attributes cannot skip it): its owner, or the administrator. */
bool policy_may_write(uid_t caller, const struct knob *k, int depth,
                      uid_t tree_owner);

/* What raw/ does with one of the kernel's own files of a group. */
enum raw_access {
	RAW_HIDDEN,   /* not listed, cannot be looked up */
	RAW_READONLY, /* 0444: read through, every write refused */
	RAW_WRITABLE, /* 0644: read and written through unchanged */
};

/* The decision for the interface file name whose kernel permission bits
 * are kernel_mode (0644, 0444, 0200 as kernfs reports them). Writable
 * only for resource files (memory.*, cpu.* but not cpu.rt_*, cpuset.*,
 * io.*, blkio.*, pids.*, hugetlb.*) the kernel itself lets be written;
 * hidden: write-only files (actions, not values), release_agent and
 * devices.*; read-only: everything else (cgroup.*, tasks, ...). */
enum raw_access policy_raw_access(const char *name, mode_t kernel_mode);

/* Owner of a raw file with access a in a group at depth: the writable
 * files of a tree root are the admin's, like its caps. */
uid_t policy_raw_owner(enum raw_access a, int depth, uid_t tree_owner);

/* Whether caller may write a raw file with access a: its owner or the
 * administrator, and a read-only raw file refuses them too. */
bool policy_may_write_raw(uid_t caller, enum raw_access a, int depth,
                          uid_t tree_owner);

/* ---- moving processes: admission ----
 *
 * A process may enter a user's tree only from inside that tree or from
 * an admission point: a cgroup the administrator lets its processes
 * leave (cgfs.conf's admit). Patterns are absolute cgroup paths as
 * /proc/PID/cgroup shows them, separated by blanks; a component may use
 * fnmatch(3)'s globs (a leading dot matched only by a dot) and %U, the
 * tree owner's uid; a last component "**" matches the cgroup before it
 * and everything below. "none": no admission point. */

/* By default: the top of a hierarchy (a login on a host without
 * systemd), and a user's own slice, session scopes and user manager on
 * a systemd host. */
#define POLICY_ADMIT_DEFAULT \
	"/ /user.slice /user.slice/user-%U.slice /user.slice/user-%U.slice/session-*.scope " \
	"/user.slice/user-%U.slice/user@%U.service/**"
#define POLICY_ADMIT_MAX 1024

/* 0 if patterns is a valid admit value, -EINVAL (a pattern not starting
 * with '/', bytes outside printable ASCII, a backslash, '%' not before
 * 'U', "**" not as a whole last component, "." or ".." components) or
 * -E2BIG (longer than POLICY_ADMIT_MAX). */
int policy_admit_check(const char *patterns);

/* Whether cgroup path cg ("/a/b", as /proc/PID/cgroup shows it) is an
 * admission point for the tree of uid. */
bool policy_admitted(const char *patterns, const char *cg, uid_t uid);

/* Asks the group module whether pid may leave for the tree: in every
 * hierarchy, already inside the tree or at an admission point (policy
 * knows no cgroup paths): 1, 0 or -errno. */
typedef int (*policy_admitted_fn)(void *arg, pid_t pid);

/* Whether caller (the uid that opened procs) may move pid into a group
 * of the tree: root may move anything; anyone else only a process whose
 * real uid is theirs, AND, unless caller is the administrator, that
 * admitted() accepts (1). The process is
 * pinned by a pidfd before anything is read: on success *ret_pidfd
 * holds it, and the caller hands it to policy_moved() after the move.
 * 0, -ESRCH (no such process) or -EPERM. */
int policy_may_move(uid_t caller, pid_t pid, policy_admitted_fn admitted, void *arg,
                    int *ret_pidfd);

/* After the move: 0 if the pidfd's process still exists (so the pid that
 * was moved was the one checked), else -ESRCH. Closes pidfd. */
int policy_moved(int pidfd);

/* Real uid from the text of /proc/PID/status ("Uid:\tR\tE\tS\tF").
 * 0 or -EINVAL. */
int policy_parse_status_uid(const char *status, uid_t *ret_uid);
