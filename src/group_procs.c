// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgfs/group.h"
#include "cgfs/log.h"
#include "cgfs/units.h"
#include "cgfs/util.h"
#include "group_int.h"

/* ---- processes ---- */

/* Calls fn (may be NULL) for every pid in cgroup.procs of the cgroup
 * open at dfd; returns how many it saw. */
static int pids_in(int dfd, void (*fn)(void *arg, pid_t pid), void *arg)
{
	char *buf = NULL, *line, *save = NULL;
	int n = 0;

	if (cgfile_read_alloc_at(dfd, "cgroup.procs", PROCS_FILE_MAX, &buf) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long v = strtol(line, NULL, 10);

		if (v > 0) {
			n++;
			if (fn)
				fn(arg, (pid_t)v);
		}
	}
	free(buf);
	return n;
}

struct pid_walk {
	void (*fn)(void *arg, pid_t pid);
	void *arg;
	int n;
};

static int pid_walk_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
                        char **data)
{
	struct pid_walk *pw = arg;

	pw->n += pids_in(dfd, pw->fn, pw->arg);
	return 0;
}

/* Calls fn for every pid listed in cgroup.procs of path and every cgroup
 * below it in one hierarchy; returns how many it saw, or -errno. */
int for_each_pid(int base_fd, const char *path,
                        void (*fn)(void *arg, pid_t pid), void *arg)
{
	static const struct walk_ops ops = { pid_walk_pre, NULL };
	struct pid_walk pw = { fn, arg, 0 };
	int res = walk_tree(base_fd, path, false, &ops, &pw);

	return res < 0 && res != -ENOENT ? res : pw.n;
}

void move_one(void *arg, pid_t pid)
{
	struct move_ctx *m = arg;
	char text[32];

	/* Made when the first process is to go there, not before. */
	if (!m->ready && leaf_in(m->h, m->leaf) >= 0)
		m->ready = true;

	snprintf(text, sizeof(text), "%d", (int)pid);
	/* ESRCH: it exited meanwhile, which is what we wanted anyway. */
	cgfile_write_at(m->h->base_fd, m->target, text);
}

static void kill_one(void *arg, pid_t pid)
{
	kill(pid, SIGKILL);
}

static int v2_frozen(const struct cg_hier *h, const char *path)
{
	char buf[512], *p;

	if (cgfile_read_in(h->base_fd, path, "cgroup.events", buf, sizeof(buf)) < 0)
		return -ENOENT;
	p = strstr(buf, "frozen ");
	return p ? p[7] == '1' : -EIO;
}

int group_freeze_ask(const struct cgroot *r, const char *path, bool on)
{
	const struct cg_hier *h = hier_for(r, CTRL_FREEZER);

	if (!h)
		return -EOPNOTSUPP;
	if (h->version == 1)
		return cgfile_write_in(h->base_fd, path, "freezer.state", on ? "FROZEN" : "THAWED");
	return cgfile_write_in(h->base_fd, path, "cgroup.freeze", on ? "1" : "0");
}

int group_freeze_state(const struct cgroot *r, const char *path)
{
	const struct cg_hier *h = hier_for(r, CTRL_FREEZER);
	char buf[64];

	if (!h)
		return -EOPNOTSUPP;
	if (h->version == 2)
		return v2_frozen(h, path);
	/* v1: reading the state also moves FREEZING on to FROZEN. */
	if (cgfile_read_in(h->base_fd, path, "freezer.state", buf, sizeof(buf)) < 0)
		return -ENOENT;
	return strncmp(buf, "FROZEN", 6) == 0;
}

int group_freeze_wait(const struct cgroot *r, const char *path)
{
	long waited = 0, step = 1;
	int res;

	/* The write only asks; the state says when every task stopped. */
	while ((res = group_freeze_state(r, path)) == 0) {
		if (wait_over(waited)) {
			group_freeze_ask(r, path, false);
			return -EBUSY;
		}
		sleep_ms(step);
		waited += step;
		if (step < 16)
			step *= 2;
	}
	return res < 0 ? res : 0;
}

int group_freeze(const struct cgroot *r, const char *path, bool on)
{
	int res = group_freeze_ask(r, path, on);

	return res < 0 || !on ? res : group_freeze_wait(r, path);
}

int group_kill_now(const struct cgroot *r, const char *path)
{
	const struct cg_hier *h = hier_for(r, CTRL_FREEZER);

	if (h && h->version == 2)
		return cgfile_write_in(h->base_fd, path, "cgroup.kill", "1");
	return -EWOULDBLOCK;
}

static int thaw_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
                    char **data)
{
	char buf[8];

	/* Below the start only (the caller thaws that), a cgroup frozen on
	 * its own, not one frozen through its parent. */
	if (pdfd >= 0 && cgfile_read_at(dfd, "freezer.self_freezing", buf, sizeof(buf)) > 0 &&
	    buf[0] == '1')
		cgfile_write_at(dfd, "freezer.state", "THAWED");
	return 0;
}

/* Thaws every v1 cgroup below path frozen on its own (a kill's processes
 * there would stay frozen, SIGKILL pending, for ever), leaves included,
 * in bounded stack whatever the depth. */
static void v1_thaw_below(const struct cg_hier *h, const char *path)
{
	static const struct walk_ops ops = { thaw_pre, NULL };

	walk_tree(h->base_fd, path, false, &ops, NULL);
}

int group_kill(const struct cgroot *r, const char *path)
{
	const struct cg_hier *h = hier_for(r, CTRL_FREEZER);
	char buf[8];
	int round, res;

	if (h && h->version == 2)
		return cgfile_write_in(h->base_fd, path, "cgroup.kill", "1");
	if (h) {
		/* v1 has no cgroup.kill: freeze so nothing can fork away while
		 * we signal, then thaw so the signals are delivered, below
		 * too. A v1 frozen process cannot die until thawed: inside a
		 * frozen ancestor, which we may not thaw, nothing is done. */
		if (cgfile_read_in(h->base_fd, path, "freezer.parent_freezing", buf, sizeof(buf)) > 0 &&
		    buf[0] == '1')
			return -EBUSY;
		res = group_freeze(r, path, true);
		if (res == 0) {
			res = for_each_pid(h->base_fd, path, kill_one, NULL);
			v1_thaw_below(h, path);
			cgfile_write_in(h->base_fd, path, "freezer.state", "THAWED");
			return res < 0 ? res : 0;
		}
		/* A task the freezer cannot stop (one waiting in the kernel,
		 * for a file system say) still dies of SIGKILL: signal in
		 * rounds below, as without a freezer, with the groups below
		 * thawed so that theirs can die too. */
		if (res != -EBUSY)
			return res;
		v1_thaw_below(h, path);
	} else {
		h = primary(r);
	}
	for (round = 0; round < EVACUATE_ROUNDS; round++) {
		res = for_each_pid(h->base_fd, path, kill_one, NULL);
		if (res <= 0)
			return res;
		sleep_ms(2);
	}
	return -EBUSY;
}

int wait_empty(const struct cgroot *r, const char *path)
{
	long waited = 0;
	size_t i;

	for (;;) {
		int n = 0;

		for (i = 0; i < r->n; i++) {
			int m = for_each_pid(r->h[i].base_fd, path, NULL, NULL);

			if (m > 0)
				n += m;
		}
		if (n == 0)
			return 0;
		if (wait_over(waited))
			return -EBUSY;
		sleep_ms(5);
		waited += 5;
	}
}

/* This process's cgroup in h as the text of /proc/PID/cgroup has it
 * (absolute in the hierarchy, "/..." outside our cgroup namespace), or
 * NULL. Cuts text at the end of that line. */
static char *cgroup_line_raw(const struct cg_hier *h, char *text)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		bool match;

		if (!c2)
			continue;
		*c2 = '\0';
		if (h->version == 2)
			match = c1 == line + 1 && line[0] == '0' && c1[1] == '\0';
		else
			match = strcmp(c1 + 1, h->h->options ? h->h->options : "") == 0;
		if (match)
			return c2 + 1;
	}
	return NULL;
}

/* Finds this process's cgroup (relative to h's mount point) in the text
 * of /proc/PID/cgroup. */
static bool cgroup_line_for(const struct cg_hier *h, char *text, char *out, size_t size)
{
	const char *root = h->h->mount_root ? h->h->mount_root : "/";
	size_t rl = strlen(root);
	char *p = cgroup_line_raw(h, text);

	if (!p)
		return false;
	/* Outside our cgroup namespace the kernel shows "/../x": no
	 * path we could name from our mounts. */
	if (strstr(p, "/..") || strcmp(p, "..") == 0)
		return false;
	if (strcmp(root, "/") && (strncmp(p, root, rl) || (p[rl] && p[rl] != '/')))
		return false;
	p += strcmp(root, "/") ? rl : 0;
	while (*p == '/')
		p++;
	snprintf(out, size, "%s", *p ? p : ".");
	return true;
}

static int move_pid(const struct cgroot *r, const char *path, pid_t pid)
{
	char orig[LAYOUT_MAX_HIER][PATH_MAX];
	bool have[LAYOUT_MAX_HIER] = { false };
	char text[8192], tmp[8192], lp[PATH_MAX], num[32], cg[64];
	size_t i, j;
	int res;

	snprintf(cg, sizeof(cg), "/proc/%d/cgroup", (int)pid);
	if (cgfile_read_at(AT_FDCWD, cg, text, sizeof(text)) < 0)
		return -ESRCH;
	for (i = 0; i < r->n; i++) {
		memcpy(tmp, text, sizeof(tmp));
		have[i] = cgroup_line_for(&r->h[i], tmp, orig[i], sizeof(orig[i]));
	}
	res = cgfile_join(lp, sizeof(lp), path, GROUP_LEAF "/cgroup.procs");
	if (res < 0)
		return res;
	snprintf(num, sizeof(num), "%d", (int)pid);
	for (i = 0; i < r->n; i++) {
		res = cgfile_write_at(r->h[i].base_fd, lp, num);
		if (res == 0)
			continue;
		/* Undo: back where it was in the hierarchies already done. */
		for (j = 0; j < i; j++) {
			char back[PATH_MAX];

			if (have[j] && cgfile_join(back, sizeof(back), orig[j], "cgroup.procs") == 0)
				cgfile_write_at(r->h[j].mnt_fd, back, num);
		}
		return res;
	}
	return 0;
}

int group_move_pid(const struct cgroot *r, const char *path, pid_t pid)
{
	int res = move_pid(r, path, pid);

	if (res != -ENOENT)
		return res;
	/* No leaf yet (or not everywhere): the group's first process. */
	cgroot_lock(r);
	res = make_leaf(r, path);
	cgroot_unlock(r);
	return res < 0 ? res : move_pid(r, path, pid);
}

/* Whether cg (relative to h's mount, "." its top) is path or below it. */
static bool cg_inside(const struct cg_hier *h, const char *cg, const char *path)
{
	char want[PATH_MAX];
	size_t wl;

	if (cgfile_join(want, sizeof(want), h->base, path) < 0)
		return false;
	wl = strlen(want);
	return strncmp(cg, want, wl) == 0 && (cg[wl] == '\0' || cg[wl] == '/');
}

int group_pid_admitted(const struct cgroot *r, const char *path, pid_t pid,
                       bool (*admit)(void *arg, const char *cg), void *arg)
{
	char text[8192], tmp[8192], cg[PATH_MAX], file[64];
	const char *raw;
	size_t i;
	int n;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	n = cgfile_read_at(AT_FDCWD, file, text, sizeof(text));
	if (n < 0)
		return -ESRCH;
	/* Every hierarchy cgfs moves processes in: a process held in a
	 * cgroup of one of them must not be pulled out of it there. */
	for (i = 0; i < r->n; i++) {
		memcpy(tmp, text, (size_t)n + 1);
		if (cgroup_line_for(&r->h[i], tmp, cg, sizeof(cg)) && cg_inside(&r->h[i], cg, path))
			continue;
		memcpy(tmp, text, (size_t)n + 1);
		raw = cgroup_line_raw(&r->h[i], tmp);
		/* A cgroup outside our namespace ("/../x") is no admission point. */
		if (!raw || strstr(raw, "/..") || !admit || !admit(arg, raw))
			return 0;
	}
	return 1;
}

int group_pid_inside(const struct cgroot *r, const char *path, pid_t pid)
{
	const struct cg_hier *h = hier_for(r, CTRL_FREEZER);
	char text[8192], cg[PATH_MAX], file[64];

	if (!h)
		h = primary(r);
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	if (pid <= 0 || cgfile_read_at(AT_FDCWD, file, text, sizeof(text)) < 0)
		return -ESRCH;
	return cgroup_line_for(h, text, cg, sizeof(cg)) && cg_inside(h, cg, path);
}
