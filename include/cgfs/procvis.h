/* SPDX-License-Identifier: MIT */
/*
 * procvis: which processes a reader of procs may see, as the daemon's own
 * /proc mount decides for /proc/PID (its hidepid= and gid= options, see
 * proc(5)). With hidepid off everyone sees every process. With hidepid
 * 1 (noaccess), 2 (invisible) or 4 (ptraceable) a user sees only the
 * processes the kernel lets them trace for reading: their own (real,
 * effective and saved uid and gid all theirs) and dumpable; root and the
 * members of the gid= group see all. noaccess still lists every pid in
 * /proc but hides what a process is, its cgroups included; procs would
 * tell that, so it hides the process there too.
 *
 * The options are read from /proc/self/mountinfo when first needed and
 * again whenever the kernel reports a change of the daemon's mounts (a
 * remount of /proc included).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct procvis_mode {
	int hidepid;  /* 0 off, 1 noaccess, 2 invisible, 4 ptraceable */
	bool has_gid; /* gid= given */
	gid_t gid;
};

/* Leaves out of a list of host pids, one a line (as cgroup.procs reads),
 * those the reader (uid and gid as FUSE reports them, reader its pid,
 * 0 if unknown) may not see in /proc. *buf (malloc'd, len bytes) may be
 * replaced; returns the new length, or -errno with *buf freed and NULL. */
int procvis_filter(pid_t reader, uid_t uid, gid_t gid, char **buf, int len);

/* ---- the pure parts, exposed for tests ---- */

/* The options of the proc mount at /proc in a mountinfo text (the last
 * one mounted there wins). 0, or -ENOENT with *ret all off when there is
 * none. */
int procvis_parse_mountinfo(const char *text, struct procvis_mode *ret);

/* The four ids of the line key ("Uid:" or "Gid:": real, effective,
 * saved, file system) of a /proc/PID/status text. 0 or -EINVAL. */
int procvis_parse_ids(const char *status, const char *key, unsigned ids[4]);

/* Whether the "Groups:" line of a /proc/PID/status text holds gid. */
bool procvis_in_groups(const char *status, gid_t gid);

/* The decision for one process: its uids and gids (real, effective,
 * saved) and the owner of its /proc/PID (its effective uid if it is
 * dumpable, else root), for a reader with uid and gid that is (or not)
 * in the mount's gid= group. */
bool procvis_may_see(const struct procvis_mode *m, uid_t uid, gid_t gid, bool in_group,
                     const unsigned uids[4], const unsigned gids[4], uid_t proc_owner);
