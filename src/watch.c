// SPDX-License-Identifier: MIT
/*
 * watch: outside changes to the real tree (see include/cgfs/watch.h).
 *
 * The kernel's cgroup file systems (v1 and cgroup2 alike, checked on the
 * machines this is built on) report IN_CREATE and IN_DELETE, with
 * IN_ISDIR, on a directory when a child cgroup is made or removed in it,
 * but nothing on the removed directory itself: no IN_DELETE_SELF and no
 * IN_IGNORED, and its watch stays until inotify_rm_watch(). So every
 * directory is watched, and every removal is handled from its parent's
 * event.
 *
 * This file holds the watches, the events and the thread; src/watch_int.h
 * lists the other parts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cgfs/declare.h"
#include "cgfs/log.h"
#include "cgfs/policy.h"
#include "watch_int.h"

#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR | \
                    IN_DONT_FOLLOW)
#define EVENT_BUF (64 * 1024)
#define WATCH_NICE (-10)
#define WATCH_STOP_MS 1000
/* Groups are checked this long after their first event: a mkdir or rmdir
 * is an event in every hierarchy, spread over a few hundred microseconds,
 * and a burst of them (a tool, or cgfs itself) then costs one check per
 * group, not one per batch of events read. */
#define WATCH_CHECK_MS 10
/* Declared groups made again in one go, at most. */
#define WATCH_DECLARED_MAX 64
#define MAX_WATCHES_FILE "/proc/sys/fs/inotify/max_user_watches"
/* Without that file: half of the kernel's default of 8192. */
#define WATCH_BUDGET_DEFAULT 4096

struct watcher w = { .ifd = -1, .efd = -1 };
int watch_unwatched;
int watch_stopping;

const char *watch_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Which directories are groups: a user's tree at depth 1, group names
 * below; dot-names (the .self leaf) and anything else are not ours. */
static bool is_group(const char *name, int depth)
{
	uid_t uid;
	gid_t gid;

	if (name[0] == '.')
		return false;
	if (depth == 1)
		return policy_user(name, &uid, &gid) == 0;
	return policy_group_name(name) == 0;
}

/* ---- the kernel's caches ---- */

/* None is asked for once this server is stopping: watch_stop() waits
 * for the thread while the session still answers. */
static void forget_entry(const struct wdir *dir, const char *name)
{
	if (!__atomic_load_n(&watch_stopping, __ATOMIC_ACQUIRE))
		w.hooks.forget_entry(w.hooks.ctx, dir->pino, dir->depth == 0, name);
}

/* Drops the kernel's entry for d and its node's attributes: d's
 * directory in the primary hierarchy is gone or was replaced. */
static void inval_dir(const struct wdir *d)
{
	const struct wdir *p = d->parent;

	if (p && (p->depth == 0 || p->pino))
		forget_entry(p, dir_name(d));
	if (d->pino && !__atomic_load_n(&watch_stopping, __ATOMIC_ACQUIRE))
		w.hooks.forget_inode(w.hooks.ctx, d->pino);
}

/* The same for a group known by path only. */
void inval_path(const char *path)
{
	char parent[PATH_MAX];
	const char *name = watch_base_name(path);
	struct stat st;

	cgfile_dirname(path, parent, sizeof(parent));
	if (group_stat(w.r, parent, &st) == 0 && !__atomic_load_n(&watch_stopping, __ATOMIC_ACQUIRE))
		w.hooks.forget_entry(w.hooks.ctx, st.st_ino, !*parent, name);
}

static void set_caching(bool on)
{
	w.hooks.set_caching(w.hooks.ctx, on);
}

/* ---- watches ---- */

static void unwatch_as(struct wdir *d, int hier, bool inval)
{
	uint32_t *slot;

	if (d->wd[hier] < 0)
		return;
	/* EINVAL when the kernel dropped it already: nothing to undo. */
	inotify_rm_watch(w.ifd, d->wd[hier]);
	slot = wd_find(d->wd[hier]);
	if (slot)
		wd_del(slot);
	d->wd[hier] = -1;
	w.nwatch--;
	if (hier == w.r->primary) {
		if (inval)
			inval_dir(d);
		d->pino = 0;
	}
}

static void unwatch(struct wdir *d, int hier)
{
	unwatch_as(d, hier, true);
}

/* Watches d's directory in hierarchy hier. -ENOSPC beyond the budget or
 * the kernel's limit; -ENOENT when it is gone already. */
/* inotify_add_watch() of the directory open at fd, through its
 * /proc/self/fd link, followed (it is ours and names the directory
 * itself): no path walk, whatever the depth. Without /proc, its absolute
 * path (rel below h's base) if that fits. -1 and errno on failure. */
static int watch_fd(const struct cg_hier *h, int fd, const char *rel)
{
	/* In the primary, a group's autoremove mark set or cleared (an
	 * extended attribute: watch_auto.c). */
	uint32_t mask = WATCH_MASK, extra = h == &w.r->h[w.r->primary] ? IN_ATTRIB : 0;
	char link[PATH_MAX];
	int wd, n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	wd = inotify_add_watch(w.ifd, link, (mask | extra) & ~IN_DONT_FOLLOW);
	if (wd >= 0 || errno != ENOENT)
		return wd;
	n = snprintf(link, sizeof(link), "%s/%s%s%s", h->h->mountpoint, h->base,
	             *rel ? "/" : "", rel);
	if (n < 0 || (size_t)n >= sizeof(link)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return inotify_add_watch(w.ifd, link, mask | extra);
}

/* Watches d's directory in hierarchy hier: dfd is it, open, or -1 to
 * open it by its path. -ENOSPC beyond the budget or the kernel's limit;
 * -ENOENT when it is gone already. */
static int watch_one(struct wdir *d, int hier, int dfd)
{
	const struct cg_hier *h = &w.r->h[hier];
	char rel[PATH_MAX];
	uint32_t *slot;
	struct wdir *od;
	struct stat st;
	int wd, oh, fd = dfd;

	if (dir_path(d, rel, sizeof(rel)) < 0)
		return -ENAMETOOLONG;
	if (d->wd[hier] < 0 && w.nwatch >= w.max_watch)
		return -ENOSPC;
	if (fd < 0)
		fd = openat(h->base_fd, *rel ? rel : ".", O_PATH | O_DIRECTORY | O_NOFOLLOW |
		            O_CLOEXEC);
	if (fd < 0)
		return -errno;
	wd = watch_fd(h, fd, rel);
	if (wd < 0 || fstat(fd, &st) < 0)
		wd = -errno;
	if (fd != dfd)
		close(fd);
	if (wd < 0)
		return wd;
	d->seen |= 1u << hier;
	if (wd == d->wd[hier])
		return 0;
	/* Another directory under the same name: removed and made again
	 * while events were lost. */
	unwatch(d, hier);
	slot = wd_find(wd);
	if (slot) {
		od = wd_dir(*slot);
		oh = wd_hier(*slot);
		wd_del(slot);
		od->wd[oh] = -1;
		w.nwatch--;
	}
	d->wd[hier] = wd;
	if (wd_add(d, hier) < 0) {
		d->wd[hier] = -1;
		inotify_rm_watch(w.ifd, wd);
		return -ENOMEM;
	}
	w.nwatch++;
	if (hier == w.r->primary)
		d->pino = st.st_ino;
	return 0;
}

/* scan(): the records of the directories on the walk's way down, by
 * depth below where it started. */
struct scan_ctx {
	struct wdir *start, **at;
	size_t cap;
	int hier;
	bool check;
};

static int scan_dir(void *arg, int dfd, const char *path, const char *name, int depth)
{
	struct scan_ctx *sc = arg;
	struct wdir *d, *parent;
	int res;

	if (__atomic_load_n(&watch_stopping, __ATOMIC_ACQUIRE))
		return -ECANCELED;
	if (depth == 0) {
		d = sc->start;
	} else {
		parent = sc->at[depth - 1];
		/* A group whose path does not fit is not served: not watched. */
		if (!is_group(name, parent->depth + 1) || strlen(path) >= GROUP_PATH_MAX)
			return GROUP_WALK_SKIP;
		d = dir_child(parent, name);
		if (!d)
			d = dir_new(parent, name);
		if (!d)
			return -ENOMEM;
	}
	if (vec_reserve(&sc->at, &sc->cap, (size_t)depth + 1, sizeof(*sc->at), 64) < 0)
		return -ENOMEM;
	sc->at[depth] = d;
	/* Listed (by the walk) after the watch is in place: nothing made
	 * meanwhile is missed. */
	res = watch_one(d, sc->hier, dfd);
	if (res < 0)
		return res == -ENOSPC || res == -ENOMEM ? res : GROUP_WALK_SKIP;
	if (sc->check)
		check_later(path);
	if (sc->hier == w.r->primary)
		auto_note(path, dfd);
	return 0;
}

/* Watches d and every group directory below it in hierarchy hier; with
 * check, every one found is checked for wholeness. Walked relative to
 * the directory above, on the heap: no recursion and no path look-ups. */
static int scan(struct wdir *d, int hier, bool check)
{
	struct scan_ctx sc = { d, NULL, 0, hier, check };
	char p[PATH_MAX];
	int res;

	if (dir_path(d, p, sizeof(p)) < 0)
		return 0;
	res = group_walk_in(w.r, hier, p, scan_dir, &sc);
	free(sc.at);
	if (res == -ENOSPC || res == -ENOMEM || res == -ECANCELED)
		return res;
	return 0;
}

/* d's directory and everything below it left hierarchy hier; inval:
 * what the kernel cached of them is dropped. Children first. */
static void drop(struct wdir *d, int hier, bool inval)
{
	struct wdir *c;

	for (c = post_first(d); c; c = post_next(c, d))
		unwatch_as(c, hier, inval);
}

static void scan_later(const char *path, int hier)
{
	char *copy;

	if (vec_reserve(&w.scans, &w.scancap, w.nscans + 1, sizeof(*w.scans), 64) < 0)
		goto now;
	copy = strdup(path);
	if (!copy)
		goto now;
	w.scans[w.nscans++] = (struct scan_req){ copy, hier };
	return;
now:
	/* No memory to wait: the group is checked as another program's. */
	check_later(path);
}

/* path (and what is below it) left hier before it was watched there. */
static void scan_cancel(const char *path, int hier)
{
	size_t i, n = strlen(path);

	for (i = 0; i < w.nscans;) {
		struct scan_req *q = &w.scans[i];

		if (q->hier == hier && strncmp(q->path, path, n) == 0 &&
		    (q->path[n] == '\0' || q->path[n] == '/')) {
			free(q->path);
			*q = w.scans[--w.nscans];
			continue;
		}
		i++;
	}
}

static int scan_cmp(const void *a, const void *b)
{
	const struct scan_req *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : x->hier - y->hier;
}

/* Watches the groups cgfs made that are still there, parents first;
 * one whose parent is not watched there is found when the parent is. */
static void scans_run(void)
{
	char parent[PATH_MAX];
	struct wdir *p, *c;
	size_t i;

	if (w.nscans > 1)
		qsort(w.scans, w.nscans, sizeof(*w.scans), scan_cmp);
	for (i = 0; i < w.nscans; i++) {
		const char *path = w.scans[i].path, *name = watch_base_name(path);
		int hier = w.scans[i].hier;

		snprintf(parent, sizeof(parent), "%.*s",
		         (int)(name > path ? name - path - 1 : 0), path);
		p = dir_at(parent);
		if (p && p->wd[hier] >= 0) {
			c = dir_child(p, name);
			if (!c)
				c = dir_new(p, name);
			if (c && scan(c, hier, true) == -ENOSPC)
				w.exhausted = true;
			if (c)
				prune(c);
		}
		free(w.scans[i].path);
	}
	w.nscans = 0;
}

/* ---- events ---- */

static void on_event(const struct inotify_event *ev)
{
	char p[PATH_MAX], dp[PATH_MAX];
	uint32_t *f;
	struct wdir *d, *c;
	bool made, mine;
	int hier;

	if (ev->mask & IN_Q_OVERFLOW) {
		w.resync = true;
		return;
	}
	f = wd_find(ev->wd);
	if (!f || !(ev->mask & IN_ISDIR))
		return;
	d = wd_dir(*f);
	hier = wd_hier(*f);
	if (dir_path(d, dp, sizeof(dp)) < 0)
		return;
	/* Its parent's watch reports it too: the directory's own will do. */
	if (ev->mask & IN_ATTRIB) {
		if (!ev->len && hier == w.r->primary)
			auto_note(dp, -1);
		return;
	}
	if (!ev->len)
		return;
	made = ev->mask & IN_CREATE;
	mine = (ev->mask & (IN_CREATE | IN_DELETE)) && own_change(dp, made);
	if (strcmp(ev->name, GROUP_LEAF) == 0) {
		if (!mine)
			check_later(dp);
		return;
	}
	/* A group deeper than a path can name is not served: not watched. */
	if (!is_group(ev->name, d->depth + 1) || cgfile_join(p, sizeof(p), dp, ev->name) < 0 ||
	    strlen(p) >= GROUP_PATH_MAX)
		return;
	mine = (ev->mask & (IN_CREATE | IN_DELETE)) && own_change(p, made);
	c = dir_child(d, ev->name);
	if ((ev->mask & (IN_DELETE | IN_MOVED_FROM)) && w.hooks.gone &&
	    !__atomic_load_n(&watch_stopping, __ATOMIC_ACQUIRE))
		w.hooks.gone(w.hooks.ctx, p);
	if ((ev->mask & (IN_DELETE | IN_MOVED_FROM)) && hier == w.r->primary) {
		auto_forget(p);
		/* cgfs's own rmdir too: a declared group comes back. */
		if (config_declares(w.cfg, p))
			w.declared_due = true;
	}
	if (mine && made) {
		scan_later(p, hier);
		return;
	}
	if (made && !mine)
		own_supersede(p);
	if (mine) {
		/* Dropped from the kernel's caches by the rmdir itself, and
		 * the files kept there by group_remove(). */
		scan_cancel(p, hier);
		if (c) {
			drop(c, hier, false);
			prune(c);
		}
		return;
	}
	if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
		if (!c)
			c = dir_new(d, ev->name);
		if (c && scan(c, hier, true) == -ENOSPC)
			w.exhausted = true;
		if (c)
			prune(c); /* gone again already */
		return;
	}
	/* Removed or renamed away: files the server threads keep open
	 * there are closed after their next request. */
	group_files_forget();
	/* Unknown to us (made and removed before we looked), it may still
	 * have been looked up meanwhile. */
	if (hier == w.r->primary && (!c || c->wd[hier] < 0) && (d->depth == 0 || d->pino))
		forget_entry(d, ev->name);
	if (c) {
		drop(c, hier, true);
		prune(c);
	}
	check_later(p);
}

static void close_all(void);

/* Gives up watching: past the budget, or no inotify at all. Every watch
 * is given back to the kernel (the budget is shared with root's other
 * programs). */
static void degrade(const char *why)
{
	if (w.gave_up)
		return;
	w.gave_up = true;
	log_warn("%s: outside changes to the cgroup tree are no longer watched; entries "
	         "are not cached any more and every lookup checks that its group is whole",
	         why);
	set_caching(false);
	__atomic_store_n(&watch_unwatched, 1, __ATOMIC_RELEASE);
	suspects_free();
	own_free_all();
	auto_free(true);
	close_all();
}

/* Everything is looked at again: the kernel dropped events. */
static int resync(void)
{
	struct wdir **all = NULL, *d;
	char p[PATH_MAX];
	size_t n = 0, cap = 0, i, k;
	int res = 0;

	w.resync = false;
	log_warn("inotify queue overflowed: looking at the whole tree again");
	/* Every record, parents first. */
	for (d = w.base; d; ) {
		if (vec_reserve(&all, &cap, n + 1, sizeof(*all), 256) < 0) {
			free(all);
			return -ENOMEM;
		}
		all[n++] = d;
		d->seen = 0;
		if (d->child) {
			d = d->child;
			continue;
		}
		while (d && !d->sibling)
			d = d->parent;
		if (d)
			d = d->sibling;
	}
	for (k = 0; res == 0 && k < w.r->n; k++)
		res = scan(w.base, (int)k, true);
	for (i = 0; res == 0 && i < n; i++) {
		for (k = 0; k < w.r->n; k++)
			if (all[i]->wd[k] >= 0 && !(all[i]->seen & (1u << k)))
				unwatch(all[i], (int)k);
		if (dir_path(all[i], p, sizeof(p)) == 0)
			check_later(p);
	}
	free(all);
	if (res == 0)
		prune(w.base);
	/* A removal among the events dropped may have been a declared group's. */
	w.declared_due = w.cfg && w.cfg->n_groups;
	return res;
}

static void read_events(void)
{
	char buf[EVENT_BUF] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;

	while ((n = read(w.ifd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			on_event(ev);
		}
	}
}

/* Watches the whole tree, while requests are served uncached and every
 * lookup checks its group (10,000 groups in 7 hierarchies: about 2 s on
 * a busy 2-CPU machine), then lets the kernel cache again. */
static int first_scan(void)
{
	uint64_t t0 = (uint64_t)monotonic_ms();
	size_t k;
	int res = 0;

	for (k = 0; res == 0 && k < w.r->n; k++)
		res = scan(w.base, (int)k, false);
	if (res == -ECANCELED)
		return res;
	if (res < 0) {
		degrade(res == -ENOSPC ? "the inotify watch budget is used up" : "out of memory");
		return res;
	}
	log_info("watching %zu directories in %zu hierarchies for outside changes "
	         "(budget %zu watches, %llu ms)", w.nwatch, w.r->n, w.max_watch,
	         (unsigned long long)((uint64_t)monotonic_ms() - t0));
	set_caching(true);
	__atomic_store_n(&watch_unwatched, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&own_on, 1, __ATOMIC_RELEASE);
	return 0;
}

static void *watch_main(void *arg)
{
	struct pollfd fds[3] = { { w.ifd, POLLIN, 0 }, { w.efd, POLLIN, 0 },
	                         { auto_fd(), POLLIN, 0 } };
	uint64_t checks_due = 0, now;
	int timeout, at;

	/* Runs for microseconds when woken, but until it has run the kernel
	 * serves stale entries: it goes before the busy threads of the
	 * machine. */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), WATCH_NICE) < 0)
		log_debug("watcher stays at the daemon's priority: %s", strerror(errno));
	if (first_scan() < 0)
		return NULL;
	/* One removed between the server's start and the first scan. */
	w.declared_due = w.cfg && w.cfg->n_groups;
	timeout = w.declared_due ? 0 : auto_run();
	for (;;) {
		if (poll(fds, 3, timeout) < 0 && errno != EINTR)
			break;
		if (fds[1].revents || __atomic_load_n(&watch_stopping, __ATOMIC_ACQUIRE))
			break;
		if (fds[0].revents & POLLIN) {
			/* An mkdir or rmdir of our own is an event in every
			 * hierarchy: wait for it to end and read them in one go
			 * rather than being woken for each. */
			cgroot_lock(w.r);
			cgroot_unlock(w.r);
			own_drain_begin();
			read_events();
			own_drain_end();
		}
		if (fds[2].revents & POLLIN)
			auto_events();
		if (w.resync && resync() == -ENOSPC)
			w.exhausted = true;
		if (w.exhausted) {
			degrade("the inotify watch budget is used up");
			break;
		}
		now = (uint64_t)monotonic_ms();
		if ((w.checks.n || w.nscans || w.declared_due) && !checks_due)
			checks_due = now + WATCH_CHECK_MS;
		if (checks_due && now >= checks_due) {
			scans_run();
			if (w.exhausted) {
				/* The budget ran out on a group cgfs made. */
				degrade("the inotify watch budget is used up");
				break;
			}
			checks_run();
			checks_due = 0;
			/* A bounded share at a time (a millisecond a group
			 * made): events are read, and caches kept true, between
			 * them. */
			if (w.declared_due)
				w.declared_due = declare_make(w.r, w.cfg, true, WATCH_DECLARED_MAX) ==
				                 WATCH_DECLARED_MAX;
			if (w.declared_due)
				checks_due = now + WATCH_CHECK_MS;
			/* The files it wrote stay open on this thread too. */
			group_files_check();
		}
		timeout = repairs_due();
		if (checks_due && (timeout < 0 || checks_due - now < (uint64_t)timeout))
			timeout = (int)(checks_due - now);
		at = auto_run();
		if (at >= 0 && (timeout < 0 || at < timeout))
			timeout = at;
	}
	return NULL;
}

/* ---- start and stop ---- */

/* Half of the per-user limit: the daemon runs as root, whose other
 * programs (systemd among them) need watches too. */
static size_t watch_budget(void)
{
	const char *env = getenv("CGFS_MAX_WATCHES");
	char buf[32];
	long v = 0;

	if (env && *env)
		return strtoul(env, NULL, 10);
	if (cgfile_read_at(AT_FDCWD, MAX_WATCHES_FILE, buf, sizeof(buf)) > 0)
		v = strtol(buf, NULL, 10);
	return v > 0 ? (size_t)v / 2 : WATCH_BUDGET_DEFAULT;
}

/* Closes the inotify instance and frees the tables; the stop eventfd
 * stays for watch_stop(). */
static void close_all(void)
{
	if (w.ifd >= 0)
		close(w.ifd);
	w.ifd = -1;
	tables_free();
}

int watch_start(const struct cgroot *r, const struct config *cfg,
                const struct watch_hooks *hooks)
{
	uint64_t t0 = (uint64_t)monotonic_ms();
	sigset_t all, old;
	int res;

	w.hooks = *hooks;
	w.cfg = cfg;
	w.r = r;
	table_init();
	res = cgroot_reconcile(w.r, is_group, cfg);
	if (res > 0)
		log_warn("completed %d half-made group%s at start (%llu ms)", res,
		         res == 1 ? "" : "s", (unsigned long long)((uint64_t)monotonic_ms() - t0));
	else if (res < 0)
		log_err("cannot look the tree over for half-made groups: %s", strerror(-res));
	/* Nothing is cached, and every lookup checks, until watched. */
	set_caching(false);
	__atomic_store_n(&watch_unwatched, 1, __ATOMIC_RELEASE);
	w.max_watch = watch_budget();
	w.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w.ifd < 0) {
		res = -errno;
		degrade("no inotify instance");
		return res;
	}
	auto_init();
	w.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w.base = w.efd < 0 ? NULL : dir_new(NULL, "");
	if (!w.base) {
		degrade("out of memory");
		return -ENOMEM;
	}
	/* Signals are for the session loop's threads, not this one. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	res = -pthread_create(&w.thread, NULL, watch_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (res < 0) {
		degrade("no watcher thread");
		return res;
	}
	w.running = true;
	return 0;
}

void watch_stop(void)
{
	uint64_t one = 1;

	/* Called while the session loop still answers (serve_loop's
	 * before_stop hook): a notification in flight waits only for
	 * requests that are being served, so the thread always ends. */
	__atomic_store_n(&watch_stopping, 1, __ATOMIC_RELEASE);
	if (w.running) {
		if (write(w.efd, &one, sizeof(one)) < 0)
			log_err("cannot wake the watcher: %s", strerror(errno));
		pthread_join(w.thread, NULL);
		w.running = false;
	}
	if (w.efd >= 0)
		close(w.efd);
	w.efd = -1;
	close_all();
	suspects_free();
	own_free_all();
	auto_free(false);
}
