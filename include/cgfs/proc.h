/* SPDX-License-Identifier: MIT */
/*
 * proc: reading /proc/PID files and parsing the two cgfs needs,
 * /proc/PID/cgroup and /proc/PID/status.
 *
 * The parsers take literal text (unit tests feed it) and never write to
 * it. One rule decides which line of /proc/PID/cgroup belongs to a
 * hierarchy: its controller set, compared as a set (order and all), so
 * "cpuacct,cpu" is "cpu,cpuacct" and "name=systemd" is a set of one.
 *
 * For group.c: proc_cgroup_path replaces cgroup_line_raw (v2 by NULL
 * ctrls, v1 by the layout hier's options, now compared as sets), and
 * proc_cgroup_path plus proc_cgroup_relative replace cgroup_line_for
 * (its "." for the mount's top stays the caller's); cg_inside is a path
 * comparison and stays. proc_read(pid, "cgroup", ...) reads the text.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- reading ---- */

/* An O_DIRECTORY descriptor of /proc/PID: files read through it stay
 * with the process it was opened for (a recycled pid makes them fail).
 * The descriptor, or -errno. */
int proc_open(pid_t pid);

/* /proc/PID/NAME into buf[size], NUL-terminated, in one read: proc
 * produces such a file whole, and the fields cgfs reads come first, so a
 * longer file is cut at size - 1 bytes rather than refused. If ret_owner
 * is not NULL it gets the file's owner (the process's /proc owner: its
 * effective uid if dumpable, else root). Returns the length (> 0), or
 * -errno (-ENODATA for an empty read). */
int proc_read(pid_t pid, const char *name, char *buf, size_t size, uid_t *ret_owner);

/* The same for NAME below a directory descriptor (proc_open's). */
int proc_read_at(int dfd, const char *name, char *buf, size_t size);

/* /proc/PID/NAME whole, for a file that may be long (a status with
 * thousands of groups): cgfile_read_alloc_at's contract, -EFBIG beyond max. */
int proc_read_all(pid_t pid, const char *name, size_t max, char **ret);

/* ---- /proc/PID/cgroup: lines "ID:CONTROLLERS:PATH" ---- */

/* One line; the strings point into the text and are not NUL-terminated. */
struct proc_cgroup {
	unsigned long id;  /* hierarchy ID; 0 for v2 */
	const char *ctrls; /* "cpu,cpuacct", "name=systemd", "" for v2 */
	size_t ctrls_len;
	const char *path;  /* "/a/b", as the caller's cgroup namespace shows it */
	size_t path_len;
};

/* The next line of the text at *pos, which moves past it. Empty lines
 * are skipped. 1 with *ret filled, 0 at the end, or -EINVAL for a line
 * that is not ID:CONTROLLERS:/PATH (ID decimal); *pos is past that line
 * too, so a caller may go on. */
int proc_cgroup_next(const char **pos, struct proc_cgroup *ret);

/* Whether comma list a holds the same items as b[blen], in any order
 * (items of a controller list are unique). */
bool proc_same_ctrls(const char *a, const char *b, size_t blen);

/* Whether line is the hierarchy whose controller list is ctrls (a
 * non-empty set, compared with proc_same_ctrls), or with ctrls NULL the
 * v2 hierarchy (ID 0, no controllers). */
bool proc_cgroup_is(const struct proc_cgroup *line, const char *ctrls);

/* The path of the first line of text that proc_cgroup_is(ctrls), copied
 * into out[size]. Malformed lines are skipped. Returns its length,
 * -ENOENT if there is none, or -ENAMETOOLONG if it does not fit. */
int proc_cgroup_path(const char *text, const char *ctrls, char *out, size_t size);

/* path (a cgroup as /proc/PID/cgroup shows it) relative to root (a
 * mount's root in the same hierarchy): "" when they are the same, "a/b"
 * without a leading slash below it. NULL when path is not below root or
 * either has a ".." component (a cgroup namespace shows cgroups outside
 * it that way: nothing below them can be named from our mounts). Points
 * into path. */
const char *proc_cgroup_relative(const char *path, const char *root);

/* ---- /proc/PID/status: lines "Key:\tvalue" ---- */

/* The value of the line whose key is key ("Uid", "NSpid"; a trailing
 * ':' in key is allowed), its leading blanks skipped; it ends at '\n' or
 * the end of the text. NULL when there is no such line. */
const char *proc_status_field(const char *status, const char *key);

/* The next blank-separated decimal of a value at *pos, which moves past
 * it: 1 with *ret, 0 at the end of the line, or -EINVAL for anything but
 * a decimal there (a sign, "12a", a number beyond ULONG_MAX). */
int proc_field_next(const char **pos, unsigned long *ret);

/* The decimals of field key into ids[max]: their number (0 for an empty
 * value), -ENOENT without the field, -EINVAL when one is not a decimal
 * or there are more than max. */
int proc_status_ids(const char *status, const char *key, unsigned long *ids, size_t max);
