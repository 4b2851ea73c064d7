// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cgfs/group.h"
#include "cgfs/loadavg.h"
#include "cgfs/proc.h"
#include "cgfs/procview.h"
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

/* ---- load ---- */

/* /proc/TID/stat fits. */
#define THREAD_STAT_MAX 1024
/* Where the walk stops at its limit (not a walk_tree result otherwise). */
#define LOAD_CUT 2

/* A thread the walk read in the cgroup at hand, and its start. */
struct thread_start {
	pid_t tid;
	uint64_t start;
};

struct load_walk {
	ino_t ino;        /* the group's directory's; 0: any */
	unsigned limit;
	const char *file; /* the thread list */
	struct loadavg_now *now;
	/* group_load_pids': the pids too (else the walk stops at the limit) */
	bool pids;
	void (*fn)(void *arg, pid_t pid, const uint64_t *start);
	void *arg;
	int n;            /* pids listed */
	struct thread_start *read; /* the cgroup's threads read, by tid */
	size_t nread, max;
};

/* Counts thread tid in now; its start (field 22) into *ret_start (NULL:
 * not wanted): true where it was read. */
static bool load_thread(struct loadavg_now *now, long tid, uint64_t *ret_start)
{
	char path[40], text[THREAD_STAT_MAX], state;
	uint64_t threads;

	now->looks++;
	snprintf(path, sizeof(path), "/proc/%ld/stat", tid);
	/* gone meanwhile: not counted */
	if (cgfile_read_at(AT_FDCWD, path, text, sizeof(text)) <= 0)
		return false;
	if (procview_task_state(text, &state, &threads) < 0)
		return false;
	now->threads++;
	if ((unsigned long)tid > now->last)
		now->last = (unsigned long)tid;
	if (state == 'R')
		now->running++;
	else if (state == 'D')
		now->uninterruptible++;
	return ret_start && procview_stat_start(text, ret_start) == 0;
}

static int by_tid(const void *a, const void *b)
{
	pid_t x = ((const struct thread_start *)a)->tid, y = ((const struct thread_start *)b)->tid;

	return (x > y) - (x < y);
}

/* Keeps tid's start for the cgroup's pids; one not kept (no memory) is
 * read again as a pid. */
static void keep_start(struct load_walk *lw, long tid, uint64_t start)
{
	size_t max = lw->max ? lw->max * 2 : 64;
	struct thread_start *v;

	if (lw->nread == lw->max) {
		v = realloc(lw->read, max * sizeof(*v));
		if (!v)
			return;
		lw->read = v;
		lw->max = max;
	}
	lw->read[lw->nread++] = (struct thread_start){ (pid_t)tid, start };
}

/* The cgroup's threads, up to the limit; their starts kept where the
 * pids are wanted. */
static void load_threads(struct load_walk *lw, int dfd)
{
	struct loadavg_now *now = lw->now;
	char *buf = NULL, *line, *save = NULL;
	uint64_t start;

	if (now->looks >= lw->limit) {
		now->cut = true;
		return;
	}
	now->looks++;
	if (cgfile_read_alloc_at(dfd, lw->file, PROCS_FILE_MAX, &buf) < 0)
		return; /* removed meanwhile */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long tid = strtol(line, NULL, 10);

		if (tid <= 0)
			continue;
		if (now->looks >= lw->limit) {
			now->cut = true;
			break;
		}
		if (load_thread(now, tid, lw->fn ? &start : NULL))
			keep_start(lw, tid, start);
	}
	free(buf);
	if (lw->nread > 1)
		qsort(lw->read, lw->nread, sizeof(*lw->read), by_tid);
}

/* The cgroup's pids, as pids_in lists them, each with its start where
 * load_threads read it. */
static void load_pids(struct load_walk *lw, int dfd)
{
	char *buf = NULL, *line, *save = NULL;
	struct thread_start key, *hit;

	if (cgfile_read_alloc_at(dfd, "cgroup.procs", PROCS_FILE_MAX, &buf) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long v = strtol(line, NULL, 10);

		if (v <= 0)
			continue;
		lw->n++;
		if (!lw->fn)
			continue;
		key.tid = (pid_t)v;
		hit = lw->nread ? bsearch(&key, lw->read, lw->nread, sizeof(key), by_tid) : NULL;
		lw->fn(lw->arg, (pid_t)v, hit ? &hit->start : NULL);
	}
	free(buf);
}

static int load_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name, char **data)
{
	struct load_walk *lw = arg;
	struct stat st;

	(void)w, (void)name, (void)data;
	if (pdfd < 0 && lw->ino && (fstat(dfd, &st) < 0 || st.st_ino != lw->ino))
		return -ESTALE;
	lw->nread = 0;
	if (!lw->now->cut)
		load_threads(lw, dfd);
	if (!lw->pids)
		return lw->now->cut ? LOAD_CUT : 0;
	load_pids(lw, dfd);
	return 0;
}

/* The walk of group_load_now (pids false) or group_load_pids: how many
 * pids, or -errno. */
static int load_walk(const struct cgroot *r, const char *path, struct load_walk *lw,
                     struct loadavg_now *ret)
{
	static const struct walk_ops ops = { load_pre, NULL };
	const struct cg_hier *h = primary(r);
	struct loadavg_now now = { 0 };
	int res;

	lw->file = h->version == 1 ? "tasks" : "cgroup.threads";
	lw->now = &now;
	res = walk_tree(h->base_fd, path, false, &ops, lw);
	free(lw->read);
	if (res < 0)
		return res;
	*ret = now;
	return lw->n;
}

int group_load_now(const struct cgroot *r, const char *path, ino_t ino, unsigned limit,
                   struct loadavg_now *ret)
{
	struct load_walk lw = { .ino = ino, .limit = limit };
	int res = load_walk(r, path, &lw, ret);

	return res < 0 ? res : 0;
}

int group_load_pids(const struct cgroot *r, const char *path, unsigned limit,
                    void (*fn)(void *arg, pid_t pid, const uint64_t *start), void *arg,
                    struct loadavg_now *ret)
{
	struct load_walk lw = { .limit = limit, .pids = true, .fn = fn, .arg = arg };

	return load_walk(r, path, &lw, ret);
}

void move_one(void *arg, pid_t pid)
{
	struct move_ctx *m = arg;
	char text[NUM_TEXT_MAX];

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
	char buf[EVENTS_TEXT_MAX], *p;

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
	char buf[STATE_TEXT_MAX];

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
	char buf[STATE_TEXT_MAX];

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
	char buf[STATE_TEXT_MAX];
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

/* What reading a process's cgroups takes, on the heap: a FUSE worker's
 * stack is no place for it (move_pid's was ~80 KiB). orig is that of
 * move_pid only: where the process was in each hierarchy. */
struct pid_cgroups {
	char text[PROC_CGROUP_MAX]; /* /proc/PID/cgroup */
	char tmp[PROC_CGROUP_MAX];  /* one line's path, or a path built from one */
	char cg[PATH_MAX];
	int len;
	char orig[][PATH_MAX];
};

/* pid's /proc/PID/cgroup, read into a new pid_cgroups with room for
 * norig paths in orig: 0, -ESRCH (no such process) or -ENOMEM. */
static int pid_cgroups_read(pid_t pid, size_t norig, struct pid_cgroups **ret)
{
	struct pid_cgroups *p = malloc(sizeof(*p) + norig * PATH_MAX);

	if (!p)
		return -ENOMEM;
	p->len = pid > 0 ? proc_read(pid, "cgroup", p->text, sizeof(p->text), NULL) : -ESRCH;
	if (p->len < 0) {
		free(p);
		return -ESRCH;
	}
	*ret = p;
	return 0;
}

/* The process's cgroup in hierarchy h as p->text shows it, copied into
 * p->tmp; NULL when it has no line for h. */
static const char *pid_cgroup_raw(struct pid_cgroups *p, const struct cg_hier *h)
{
	const char *ctrls = h->version == 2 ? NULL : h->h->options ? h->h->options : "";

	return proc_cgroup_path(p->text, ctrls, p->tmp, sizeof(p->tmp)) < 0 ? NULL : p->tmp;
}

/* The process's cgroup in hierarchy h relative to h's mount point
 * ("." for its top) into out; false when it has none we can name (no
 * line, or a cgroup outside our cgroup namespace: "/../x"). */
static bool pid_cgroup_for(struct pid_cgroups *p, const struct cg_hier *h, char *out,
                           size_t size)
{
	const char *raw = pid_cgroup_raw(p, h), *rel;
	int n;

	rel = raw ? proc_cgroup_relative(raw, h->h->mount_root ? h->h->mount_root : "/") : NULL;
	if (!rel)
		return false;
	n = snprintf(out, size, "%s", *rel ? rel : ".");
	return n >= 0 && (size_t)n < size;
}

/* Puts pid back where it was (p->orig) in the first n hierarchies. */
static void move_back(const struct cgroot *r, struct pid_cgroups *p, const bool *have,
                      size_t n, const char *num)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (have[j] && cgfile_join(p->tmp, sizeof(p->tmp), p->orig[j], "cgroup.procs") == 0)
			cgfile_write_at(r->h[j].mnt_fd, p->tmp, num);
}

static int move_pid(const struct cgroot *r, const char *path, pid_t pid)
{
	bool have[LAYOUT_MAX_HIER] = { false };
	struct pid_cgroups *p;
	char num[NUM_TEXT_MAX];
	size_t i;
	int res;

	if (pid <= 0)
		return -ESRCH;
	res = pid_cgroups_read(pid, r->n, &p);
	if (res < 0)
		return res;
	for (i = 0; i < r->n; i++)
		have[i] = pid_cgroup_for(p, &r->h[i], p->orig[i], PATH_MAX);
	res = cgfile_join(p->cg, sizeof(p->cg), path, GROUP_LEAF "/cgroup.procs");
	snprintf(num, sizeof(num), "%d", (int)pid);
	for (i = 0; res == 0 && i < r->n; i++) {
		res = cgfile_write_at(r->h[i].base_fd, p->cg, num);
		/* Undo: back where it was in the hierarchies already done. */
		if (res < 0)
			move_back(r, p, have, i, num);
	}
	free(p);
	return res;
}

int group_move_pid(const struct cgroot *r, const char *path, pid_t pid)
{
	bool made[LAYOUT_MAX_HIER] = { false };
	char lp[PATH_MAX];
	int res = move_pid(r, path, pid);

	if (res != -ENOENT)
		return res;
	/* No leaf yet (or not everywhere): the group's first process. The
	 * lock is held until it is in: an empty leaf is what a group whose
	 * processes have all ended looks like, and the autoremove watcher
	 * (group_remove_idle, under this lock) would remove the group in
	 * between. A leaf made for a process that could not move is taken
	 * back, for the same reason. */
	cgroot_lock(r);
	res = make_leaf(r, path, made);
	if (res == 0) {
		res = move_pid(r, path, pid);
		if (res < 0 && cgfile_join(lp, sizeof(lp), path, GROUP_LEAF) == 0)
			remove_made(r, lp, made);
	}
	cgroot_unlock(r);
	return res;
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
	struct pid_cgroups *p;
	const char *raw;
	size_t i;
	int res = pid_cgroups_read(pid, 0, &p);

	if (res < 0)
		return res;
	/* Every hierarchy cgfs moves processes in: a process held in a
	 * cgroup of one of them must not be pulled out of it there. */
	res = 1;
	for (i = 0; res == 1 && i < r->n; i++) {
		if (pid_cgroup_for(p, &r->h[i], p->cg, sizeof(p->cg)) &&
		    cg_inside(&r->h[i], p->cg, path))
			continue;
		raw = pid_cgroup_raw(p, &r->h[i]);
		/* A cgroup outside our namespace ("/../x") is no admission point. */
		if (!raw || strstr(raw, "/..") || !admit || !admit(arg, raw))
			res = 0;
	}
	free(p);
	return res;
}

int group_pid_inside(const struct cgroot *r, const char *path, pid_t pid)
{
	const struct cg_hier *h = hier_for(r, CTRL_FREEZER);
	struct pid_cgroups *p;
	int res = pid_cgroups_read(pid, 0, &p);

	if (res < 0)
		return res;
	if (!h)
		h = primary(r);
	res = pid_cgroup_for(p, h, p->cg, sizeof(p->cg)) && cg_inside(h, p->cg, path);
	free(p);
	return res;
}
