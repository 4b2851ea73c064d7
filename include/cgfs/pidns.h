/* SPDX-License-Identifier: MIT */
/*
 * pidns: pids as a caller in another pid namespace (a container) sees
 * them. The daemon's pids are the host's; a caller's are those of its
 * own pid namespace, which is the daemon's or one below it. Translation
 * is the kernel's own: the nsfs ioctls NS_GET_PID_IN_PIDNS and
 * NS_GET_PID_FROM_PIDNS (Linux 6.11 and later), else the NSpid: line of
 * /proc/PID/status, trusted only once NS_GET_PARENT has shown that the
 * process's namespace is the caller's or below it.
 *
 * A caller in the daemon's own namespace (every caller on a host without
 * containers) costs one readlink(2) and nothing else.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Most levels of pid namespaces the kernel nests (MAX_PID_NS_LEVEL = 32),
 * plus the initial one. */
#define PIDNS_MAX_LEVELS 33

/* The pid namespace of one caller, as the daemon sees it. */
struct pidns_view {
	bool same;   /* the daemon's own namespace: pids are the host's */
	bool blind;  /* caller unknown (pid 0): no pid can be translated */
	int fd;      /* O_RDONLY of /proc/CALLER/ns/pid, or -1 */
	dev_t dev;   /* st_dev and st_ino of that namespace */
	ino_t ino;
	int level;   /* its depth below the daemon's namespace (0 = same);
	              * -1 until the /proc fallback needs it */
	pid_t caller;
};

/* The view of caller (fuse_req_ctx()->pid: a pid in the daemon's
 * namespace, 0 if the caller is not visible there). 0, or -ESRCH if the
 * caller is gone, -EMFILE and the like. pidns_view_close() undoes it. */
int pidns_view_open(struct pidns_view *v, pid_t caller);
void pidns_view_close(struct pidns_view *v);

/* host (a pid in the daemon's namespace) as the caller sees it:
 * 0 and *ret, or -ESRCH if the caller's namespace does not see it. */
int pidns_from_host(struct pidns_view *v, pid_t host, pid_t *ret);

/* pid (as the caller wrote it, in its namespace) in the daemon's:
 * 0 and *ret, or -ESRCH if there is no such process in the caller's
 * namespace. */
int pidns_to_host(struct pidns_view *v, pid_t pid, pid_t *ret);

/* Rewrites a list of host pids, one a line (cgroup.procs), for the
 * caller: each pid translated, pids it does not see left out. *buf
 * (malloc'd, len bytes) is replaced by the new list; returns its length.
 * On failure -errno, and *buf is freed and NULL. */
int pidns_list(struct pidns_view *v, char **buf, int len);

/* pidns_list for caller, opening and closing its view. */
int pidns_list_for(pid_t caller, char **buf, int len);

/* Whether the translation ioctls are used (true where the kernel has
 * them). false forces the /proc fallback: for tests of old kernels. */
void pidns_use_ioctl(bool on);

/* ---- the pure parts, exposed for tests ---- */

/* The pids of the NSpid: line of a /proc/PID/status text, outermost (the
 * /proc mount's namespace) first, into ids[max]. Returns their number
 * (at least 1), or -EINVAL for a missing or malformed line. */
int pidns_parse_nspid(const char *status, pid_t *ids, size_t max);

/* A process whose NSpid has n levels, seen from a namespace `level`
 * levels below the daemon's: how many NS_GET_PARENT steps lead from the
 * process's namespace to the one at `level`, or -ESRCH if the process
 * lives above it (no pid there). */
int pidns_steps_up(int n, int level);

/* One line's worth of list rewriting: calls map(arg, pid) for every pid
 * of in[len] (one decimal a line; other lines are -EINVAL) and writes
 * the results, one a line, into a malloc'd *ret; a pid for which map
 * gives -ESRCH is left out, any other error stops. Returns the length. */
int pidns_map_list(const char *in, size_t len, int (*map)(void *arg, pid_t pid, pid_t *ret),
                   void *arg, char **ret);
