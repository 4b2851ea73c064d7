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
 * Everything below the thread's loop runs on the watcher thread only,
 * except watch_check() (lookups) and the suspect list it reads.
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

#include "cgfs/log.h"
#include "cgfs/policy.h"
#include "cgfs/supervise.h"
#include "cgfs/watch.h"

#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR | \
                    IN_DONT_FOLLOW)
#define EVENT_BUF (64 * 1024)
#define BUCKETS_MIN 256
#define WATCH_NICE (-10)
#define WATCH_STOP_MS 1000
/* Groups are checked this long after their first event: a mkdir or rmdir
 * is an event in every hierarchy, spread over a few hundred microseconds,
 * and a burst of them (a tool, or cgfs itself) then costs one check per
 * group, not one per batch of events read. */
#define WATCH_CHECK_MS 10
#define MAX_WATCHES_FILE "/proc/sys/fs/inotify/max_user_watches"

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

/* An open-addressing table (see oa_put()). */
struct oa {
	uint32_t *e;
	size_t slots, n;
	size_t (*home)(uint32_t e);
};

/* A wd table entry is a record's id and a hierarchy's index. */
#define REF_HIER_BITS 4
#define ID_MAX (UINT32_MAX >> REF_HIER_BITS)
_Static_assert(LAYOUT_MAX_HIER <= (1 << REF_HIER_BITS) && LAYOUT_MAX_HIER <= 16,
               "a hierarchy's index fits an entry's low bits and seen");

/* A group seen half made: refused at lookup until it is whole again. */
struct suspect {
	char *path;
	uint64_t due_ms; /* completed then if still half made; UINT64_MAX: not again */
	bool logged;     /* a refused lookup has been logged */
	struct suspect *next;
};

struct strvec {
	char **v;
	size_t n, cap;
};

/* A group directory cgfs made in one hierarchy, to be watched. */
struct scan_req {
	char *path;
	int hier;
};

static size_t dir_home(uint32_t id);
static size_t ref_home(uint32_t e);

static struct {
	struct fuse_session *se;
	struct fs *fs;
	const char *mountpoint;
	const struct cgroot *r;
	int ifd, efd;
	pthread_t thread;
	bool running;
	size_t nwatch, max_watch;
	struct wdir *base;
	struct oa dirs;      /* name table: ids by (parent, name) */
	struct oa refs;      /* wd table */
	struct wdir **byid;  /* records by id (from 1), NULL where free */
	uint32_t *free_ids;  /* ids of freed records, to use again */
	size_t nids, idcap, nfree;
	struct strvec checks; /* paths to check once the events at hand are read */
	struct scan_req *scans; /* groups cgfs made, watched with the next checks */
	size_t nscans, scancap;
	bool resync;          /* the kernel dropped events */
	bool exhausted;       /* the watch budget is used up */
	bool gave_up;         /* degrade() was called */
} w = { .ifd = -1, .efd = -1, .dirs = { .home = dir_home }, .refs = { .home = ref_home } };

/* Read by lookups without a lock: 1 until the first scan is done, and
 * for good once cgfs gave up watching. */
static int unwatched;
static double cache_timeout; /* fs.timeout while watching */
/* Between the watcher and watch_stop(), without a lock. */
static int stopping, in_notify;
static int n_suspects;
static pthread_mutex_t suspects_lock = PTHREAD_MUTEX_INITIALIZER;
static struct suspect *suspects; /* protected by suspects_lock */

/* A group cgfs itself makes or removes (fs.c, under the tree lock): see
 * watch_own_begin(). */
enum own_state { OWN_ACTIVE, OWN_ENDED, OWN_DRAINING };
struct own {
	uint64_t id;
	char *path;
	bool made;  /* mkdir, else rmdir */
	bool failed;
	enum own_state state;
	struct own *next;
};
static pthread_mutex_t own_lock = PTHREAD_MUTEX_INITIALIZER;
static struct own *owns;  /* protected by own_lock */
static uint64_t own_next; /* protected by own_lock */
static int own_on;        /* the watcher reads events: records are kept */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static int join(char *out, size_t size, const char *a, const char *b)
{
	int n = snprintf(out, size, "%s%s%s", a, *a ? "/" : "", b);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static const char *base_name(const char *path)
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

/* ---- the name and wd tables ---- */

/* A record's name follows its watches. */
static char *dir_name(const struct wdir *d)
{
	return (char *)(d->wd + w.r->n);
}

/* d's path relative to the base ("" for the base), rebuilt from the
 * names of d and its parents. */
static int dir_path(const struct wdir *d, char *out, size_t size)
{
	const struct wdir *p;
	size_t len = 0, n;

	for (p = d; p->parent; p = p->parent)
		len += strlen(dir_name(p)) + (p->parent->parent ? 1 : 0);
	if (len >= size)
		return -ENAMETOOLONG;
	out[len] = '\0';
	for (p = d; p->parent; p = p->parent) {
		n = strlen(dir_name(p));
		len -= n;
		memcpy(out + len, dir_name(p), n);
		if (p->parent->parent)
			out[--len] = '/';
	}
	return 0;
}

/*
 * Both tables are open addressing with linear probing over nonzero
 * 32-bit entries (0: empty), whose key is found through the record
 * (home() gives an entry's first slot). At most 3/4 full, at least 1/8
 * full, none smaller than BUCKETS_MIN slots.
 */
static size_t oa_next(const struct oa *t, size_t i)
{
	return (i + 1) & (t->slots - 1);
}

static void oa_put(struct oa *t, uint32_t e)
{
	size_t i;

	for (i = t->home(e); t->e[i]; i = oa_next(t, i))
		;
	t->e[i] = e;
}

static int oa_resize(struct oa *t, size_t slots)
{
	uint32_t *old = t->e;
	size_t i, nold = t->slots;

	t->e = calloc(slots, sizeof(*t->e));
	if (!t->e) {
		t->e = old;
		return -ENOMEM;
	}
	t->slots = slots;
	for (i = 0; i < nold; i++)
		if (old[i])
			oa_put(t, old[i]);
	free(old);
	return 0;
}

/* e's key must be readable through its record. */
static int oa_add(struct oa *t, uint32_t e)
{
	if ((!t->slots || 4 * (t->n + 1) > 3 * t->slots) &&
	    oa_resize(t, t->slots ? 2 * t->slots : BUCKETS_MIN) < 0)
		return -ENOMEM;
	oa_put(t, e);
	t->n++;
	return 0;
}

/* Empties slot i, while the keys of the other entries are readable: the
 * entries after it in its run move back where their home allows. */
static void oa_del(struct oa *t, size_t i)
{
	size_t j = i, home;

	for (;;) {
		j = oa_next(t, j);
		if (!t->e[j])
			break;
		home = t->home(t->e[j]);
		/* Stays if its home lies cyclically in (i, j]. */
		if (i <= j ? home > i && home <= j : home > i || home <= j)
			continue;
		t->e[i] = t->e[j];
		i = j;
	}
	t->e[i] = 0;
	t->n--;
	/* Fails harmlessly: the bigger table stays. */
	if (t->slots > BUCKETS_MIN && t->n < t->slots / 8)
		oa_resize(t, t->slots / 2);
}

static void oa_free(struct oa *t)
{
	free(t->e);
	t->e = NULL;
	t->slots = t->n = 0;
}

static size_t mix(uint64_t v, const struct oa *t)
{
	return (size_t)(v * 0x9E3779B97F4A7C15ull >> 32) & (t->slots - 1);
}

/* The name table: record ids, keyed by parent and name. */
static size_t dir_home_of(const struct wdir *parent, const char *name)
{
	return mix(hash_str(name) ^ (uintptr_t)parent, &w.dirs);
}

static size_t dir_home(uint32_t id)
{
	const struct wdir *d = w.byid[id];

	return dir_home_of(d->parent, dir_name(d));
}

/* d's child named name. */
static struct wdir *dir_child(const struct wdir *d, const char *name)
{
	struct wdir *c;
	size_t i;

	if (!w.dirs.slots)
		return NULL;
	for (i = dir_home_of(d, name); w.dirs.e[i]; i = oa_next(&w.dirs, i)) {
		c = w.byid[w.dirs.e[i]];
		if (c->parent == d && strcmp(dir_name(c), name) == 0)
			return c;
	}
	return NULL;
}

/* An id for a new record: a freed one, or the next one. 0 when out of
 * memory or ids. */
static uint32_t id_get(void)
{
	size_t cap;
	void *t;

	if (w.nfree)
		return w.free_ids[--w.nfree];
	if (!w.nids)
		w.nids = 1; /* 0 is no record */
	if (w.nids >= w.idcap) {
		cap = w.idcap ? 2 * w.idcap : BUCKETS_MIN;
		if (cap - 1 > ID_MAX)
			return 0;
		t = realloc(w.byid, cap * sizeof(*w.byid));
		if (!t)
			return 0;
		w.byid = t;
		t = realloc(w.free_ids, cap * sizeof(*w.free_ids));
		if (!t)
			return 0;
		w.free_ids = t;
		w.idcap = cap;
	}
	return (uint32_t)w.nids++;
}

static void id_put(uint32_t id)
{
	w.byid[id] = NULL;
	w.free_ids[w.nfree++] = id;
}

static struct wdir *dir_new(struct wdir *parent, const char *name)
{
	size_t size = sizeof(struct wdir) + w.r->n * sizeof(int) + strlen(name) + 1, i;
	struct wdir *d;
	uint32_t id;

	id = id_get();
	d = id ? calloc(1, size) : NULL;
	if (!d) {
		if (id)
			id_put(id);
		return NULL;
	}
	d->id = id;
	w.byid[id] = d;
	for (i = 0; i < w.r->n; i++)
		d->wd[i] = -1;
	strcpy(dir_name(d), name);
	d->parent = parent;
	d->depth = parent ? parent->depth + 1 : 0;
	if (oa_add(&w.dirs, id) < 0) {
		id_put(id);
		free(d);
		return NULL;
	}
	if (parent) {
		d->sibling = parent->child;
		if (d->sibling)
			d->sibling->pprev = &d->sibling;
		d->pprev = &parent->child;
		parent->child = d;
	}
	return d;
}

static void dir_free(struct wdir *d)
{
	size_t i;

	for (i = dir_home(d->id); w.dirs.e[i] != d->id; i = oa_next(&w.dirs, i))
		;
	oa_del(&w.dirs, i);
	if (d->pprev) {
		*d->pprev = d->sibling;
		if (d->sibling)
			d->sibling->pprev = d->pprev;
	}
	id_put(d->id);
	free(d);
}

static bool dir_watched(const struct wdir *d)
{
	size_t i;

	for (i = 0; i < w.r->n; i++)
		if (d->wd[i] >= 0)
			return true;
	return false;
}

/* The first record of d's subtree in post-order (children before their
 * parent): its deepest first child. */
static struct wdir *post_first(struct wdir *d)
{
	while (d->child)
		d = d->child;
	return d;
}

/* The record after d in the post-order of top's subtree, or NULL after
 * top: found before d is visited, so that d may be freed. No recursion:
 * a tree is as deep as the kernel lets anyone make it. */
static struct wdir *post_next(struct wdir *d, const struct wdir *top)
{
	if (d == top)
		return NULL;
	return d->sibling ? post_first(d->sibling) : d->parent;
}

/* Frees the records below d, and d, that no longer stand for a watched
 * directory (never the base). */
static void prune(struct wdir *d)
{
	struct wdir *c, *next;

	for (c = post_first(d); c; c = next) {
		next = post_next(c, d);
		if (c != w.base && !c->child && !dir_watched(c))
			dir_free(c);
	}
}

/* The wd table: a record's id and a hierarchy's index, keyed by the
 * record's wd in that hierarchy. */
static uint32_t ref_of(const struct wdir *d, int hier)
{
	return d->id << REF_HIER_BITS | (uint32_t)hier;
}

static struct wdir *ref_dir(uint32_t e)
{
	return w.byid[e >> REF_HIER_BITS];
}

static int ref_hier(uint32_t e)
{
	return (int)(e & ((1u << REF_HIER_BITS) - 1));
}

static size_t ref_home_of(int wd)
{
	return mix((uint32_t)wd, &w.refs);
}

static size_t ref_home(uint32_t e)
{
	return ref_home_of(ref_dir(e)->wd[ref_hier(e)]);
}

/* The slot of wd's entry, or NULL. */
static uint32_t *ref_find(int wd)
{
	size_t i;

	if (!w.refs.slots)
		return NULL;
	for (i = ref_home_of(wd); w.refs.e[i]; i = oa_next(&w.refs, i))
		if (ref_dir(w.refs.e[i])->wd[ref_hier(w.refs.e[i])] == wd)
			return &w.refs.e[i];
	return NULL;
}

/* Records that d->wd[hier] (set already) stands for d in hier. */
static int ref_add(struct wdir *d, int hier)
{
	return oa_add(&w.refs, ref_of(d, hier));
}

/* Removes an entry, before its record's wd changes. */
static void ref_del(uint32_t *slot)
{
	oa_del(&w.refs, (size_t)(slot - w.refs.e));
}

/* ---- the kernel's caches ---- */

/* Invalidations go through the supervisor (supervise_notify_entry()),
 * which may wait for a directory's lock; none is asked for once this
 * server is stopping or its session has ended. */
static bool may_notify(void)
{
	if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE) || fuse_session_exited(w.se))
		return false;
	__atomic_store_n(&in_notify, 1, __ATOMIC_RELEASE);
	return true;
}

static void notify_done(void)
{
	__atomic_store_n(&in_notify, 0, __ATOMIC_RELEASE);
}

static void notify_entry(fuse_ino_t parent, const char *name)
{
	if (!may_notify())
		return;
	/* Sent by the supervisor: see supervise_notify_entry(). */
	supervise_notify_entry(parent, name);
	notify_done();
}

static void notify_inode(fuse_ino_t ino)
{
	if (!may_notify())
		return;
	supervise_notify_inode(ino);
	notify_done();
}

/* Drops the kernel's entry for d and its node's attributes: d's
 * directory in the primary hierarchy is gone or was replaced. */
static void inval_dir(const struct wdir *d)
{
	const char *name = dir_name(d);
	const struct wdir *p = d->parent;

	if (p && (p->depth == 0 || p->pino))
		notify_entry(fs_dir_ino(p->pino, p->depth == 0), name);
	if (d->pino)
		notify_inode(fs_dir_ino(d->pino, false));
}

/* The same for a group known by path only. */
static void inval_path(const char *path)
{
	char parent[PATH_MAX];
	const char *name = base_name(path);
	struct stat st;

	snprintf(parent, sizeof(parent), "%.*s", (int)(name > path ? name - path - 1 : 0),
	         path);
	if (group_stat(w.r, parent, &st) == 0)
		notify_entry(fs_dir_ino(st.st_ino, !*parent), name);
}

/* ---- watches ---- */

static void unwatch_as(struct wdir *d, int hier, bool inval)
{
	uint32_t *slot;

	if (d->wd[hier] < 0)
		return;
	/* EINVAL when the kernel dropped it already: nothing to undo. */
	inotify_rm_watch(w.ifd, d->wd[hier]);
	slot = ref_find(d->wd[hier]);
	if (slot)
		ref_del(slot);
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
	char link[PATH_MAX];
	int wd, n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	wd = inotify_add_watch(w.ifd, link, WATCH_MASK & ~IN_DONT_FOLLOW);
	if (wd >= 0 || errno != ENOENT)
		return wd;
	n = snprintf(link, sizeof(link), "%s/%s%s%s", h->h->mountpoint, h->base,
	             *rel ? "/" : "", rel);
	if (n < 0 || (size_t)n >= sizeof(link)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return inotify_add_watch(w.ifd, link, WATCH_MASK);
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
	slot = ref_find(wd);
	if (slot) {
		od = ref_dir(*slot);
		oh = ref_hier(*slot);
		ref_del(slot);
		od->wd[oh] = -1;
		w.nwatch--;
	}
	d->wd[hier] = wd;
	if (ref_add(d, hier) < 0) {
		d->wd[hier] = -1;
		inotify_rm_watch(w.ifd, wd);
		return -ENOMEM;
	}
	w.nwatch++;
	if (hier == w.r->primary)
		d->pino = st.st_ino;
	return 0;
}

static void check_later(const char *path);

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
	struct wdir *d, *parent, **bigger;
	int res;

	if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
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
	if ((size_t)depth >= sc->cap) {
		size_t cap = sc->cap ? 2 * sc->cap : 64;

		bigger = realloc(sc->at, cap * sizeof(*bigger));
		if (!bigger)
			return -ENOMEM;
		sc->at = bigger;
		sc->cap = cap;
	}
	sc->at[depth] = d;
	/* Listed (by the walk) after the watch is in place: nothing made
	 * meanwhile is missed. */
	res = watch_one(d, sc->hier, dfd);
	if (res < 0)
		return res == -ENOSPC || res == -ENOMEM ? res : GROUP_WALK_SKIP;
	if (sc->check)
		check_later(path);
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

/* ---- suspects ---- */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strvec_clear(struct strvec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	v->n = 0;
}

static void strvec_add(struct strvec *v, const char *s)
{
	char **bigger, *copy;

	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 64;

		bigger = realloc(v->v, cap * sizeof(*v->v));
		if (!bigger)
			return; /* checked again at the next event or repair */
		v->v = bigger;
		v->cap = cap;
	}
	copy = strdup(s);
	if (copy)
		v->v[v->n++] = copy;
}

static void check_later(const char *path)
{
	strvec_add(&w.checks, path);
}

static struct suspect *suspect_find_locked(const char *path)
{
	struct suspect *s;

	for (s = suspects; s; s = s->next)
		if (strcmp(s->path, path) == 0)
			return s;
	return NULL;
}

/* Marks path half made; its grace period starts again. Returns whether
 * it was not marked before. */
static bool suspect_mark(const char *path)
{
	struct suspect *s;
	bool fresh = false;

	pthread_mutex_lock(&suspects_lock);
	s = suspect_find_locked(path);
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (s && !(s->path = strdup(path))) {
			free(s);
			s = NULL;
		}
		if (s) {
			s->next = suspects;
			suspects = s;
			__atomic_add_fetch(&n_suspects, 1, __ATOMIC_RELEASE);
			fresh = true;
		}
	}
	if (s)
		s->due_ms = now_ms() + WATCH_REPAIR_MS;
	pthread_mutex_unlock(&suspects_lock);
	return fresh;
}

static void suspect_clear(const char *path)
{
	struct suspect **pp, *s;

	if (!__atomic_load_n(&n_suspects, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&suspects_lock);
	for (pp = &suspects; (s = *pp); pp = &s->next)
		if (strcmp(s->path, path) == 0) {
			*pp = s->next;
			__atomic_sub_fetch(&n_suspects, 1, __ATOMIC_RELEASE);
			free(s->path);
			free(s);
			break;
		}
	pthread_mutex_unlock(&suspects_lock);
}

static void suspects_free(void)
{
	struct suspect *s, *next;

	pthread_mutex_lock(&suspects_lock);
	for (s = suspects; s; s = next) {
		next = s->next;
		free(s->path);
		free(s);
	}
	suspects = NULL;
	__atomic_store_n(&n_suspects, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&suspects_lock);
}

/* Whether a group is half made, as far as our own mkdir and rmdir go:
 * one of them in progress is waited for, not taken for a half group. */
static bool half_made(const char *path)
{
	int res = group_whole(w.r, path);

	if (res != -EIO)
		return false;
	cgroot_lock(w.r);
	res = group_whole(w.r, path);
	cgroot_unlock(w.r);
	return res == -EIO;
}

static void checks_run(void)
{
	struct strvec *v = &w.checks;
	size_t i;

	if (v->n > 1)
		qsort(v->v, v->n, sizeof(*v->v), str_cmp);
	for (i = 0; i < v->n; i++) {
		if (i && strcmp(v->v[i], v->v[i - 1]) == 0)
			continue;
		if (!half_made(v->v[i])) {
			suspect_clear(v->v[i]);
			continue;
		}
		if (suspect_mark(v->v[i]))
			log_debug("group /%s is half made (outside change?): refused until "
			         "whole, completed if it stays so for %d ms", v->v[i],
			         WATCH_REPAIR_MS);
		/* What the kernel cached of it must be asked for again. */
		if (*v->v[i])
			inval_path(v->v[i]);
	}
	strvec_clear(v);
}

/* Completes the groups that stayed half made for their grace period,
 * parents first. Returns the poll timeout until the next one is due. */
static int repairs_due(void)
{
	struct strvec due = { NULL, 0, 0 };
	uint64_t now = now_ms(), next = UINT64_MAX;
	struct suspect *s;
	struct caps caps;
	size_t i;
	int res;

	pthread_mutex_lock(&suspects_lock);
	for (s = suspects; s; s = s->next) {
		if (s->due_ms <= now) {
			strvec_add(&due, s->path);
			s->due_ms = UINT64_MAX; /* until something changes it again */
		} else if (s->due_ms < next) {
			next = s->due_ms;
		}
	}
	pthread_mutex_unlock(&suspects_lock);
	if (due.n > 1)
		qsort(due.v, due.n, sizeof(*due.v), str_cmp);
	for (i = 0; i < due.n; i++) {
		const char *tree = due.v[i];
		bool root = *tree && !strchr(tree, '/');

		if (root)
			config_caps_for(w.fs->cfg, tree, &caps);
		cgroot_lock(w.r);
		res = group_whole(w.r, tree);
		if (res == -EIO)
			res = group_repair(w.r, tree, root ? &caps : NULL);
		cgroot_unlock(w.r);
		if (res >= 0)
			suspect_clear(tree);
	}
	strvec_clear(&due);
	free(due.v);
	if (next == UINT64_MAX)
		return -1;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

/* ---- our own changes ---- */

/*
 * A mkdir or rmdir through cgfs is an event in every hierarchy for the
 * group (and, for rmdir, its leaf and everything below), all of it made
 * under the tree lock by a group_create() or group_remove() that either
 * succeeded, leaving the group whole or gone, or failed. Those events
 * need no check of the group and no invalidation (the kernel dropped the
 * entry of what was removed itself), and a group made is watched only
 * WATCH_CHECK_MS later, with the checks: one removed by then (a script's
 * mkdir, run, rmdir) costs the watcher no watch, listing or check at all.
 *
 * Which events are ours: fs.c records the path and the kind of change
 * before the first system call (watch_own_begin) and the result after
 * the last (watch_own_end), both under the tree lock; the watcher reads
 * events only after it has taken that lock once, so an operation's events
 * are read in one go, and a record is dropped after the first read of
 * the whole queue that began after the operation ended (all its events
 * were queued by then). An event of the same kind for the same path from
 * another program in that window is taken for ours: it can only be the
 * same change racing ours (a mkdir of the same name would have made ours
 * fail). A failed operation's events are the watcher's as usual: its
 * record stops matching, and the group is checked.
 */

static struct own *own_find_locked(const char *path, bool made)
{
	size_t n;
	struct own *o;

	for (o = owns; o; o = o->next) {
		if (o->failed || o->made != made)
			continue;
		n = strlen(o->path);
		if (strncmp(o->path, path, n) != 0)
			continue;
		/* The group itself; for a removal, anything below it too. */
		if (path[n] == '\0' || (!made && path[n] == '/'))
			return o;
	}
	return NULL;
}

/* Whether a and b are the same path or one is below the other. */
static bool path_related(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), k = n < m ? n : m;

	if (strncmp(a, b, k) != 0)
		return false;
	return n == m || (n < m ? b[n] == '/' : a[m] == '/');
}

/* Another program made the directory at path: a removal of ours there
 * or around it is over, and later removals there are not ours. */
static void own_supersede(const char *path)
{
	struct own *o;

	if (!__atomic_load_n(&owns, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&own_lock);
	for (o = owns; o; o = o->next)
		if (!o->made && path_related(o->path, path))
			o->failed = true; /* checked when it goes */
	pthread_mutex_unlock(&own_lock);
}

/* Whether a change (made or removed) of the directory at path is one
 * of cgfs's own. */
static bool own_change(const char *path, bool made)
{
	bool mine;

	if (!__atomic_load_n(&owns, __ATOMIC_ACQUIRE))
		return false;
	pthread_mutex_lock(&own_lock);
	mine = own_find_locked(path, made) != NULL;
	pthread_mutex_unlock(&own_lock);
	return mine;
}

uint64_t watch_own_begin(const char *path, bool made)
{
	struct own *o;
	uint64_t id = 0;

	if (!__atomic_load_n(&own_on, __ATOMIC_ACQUIRE))
		return 0;
	o = calloc(1, sizeof(*o));
	if (o && !(o->path = strdup(path))) {
		free(o);
		o = NULL;
	}
	if (!o)
		return 0; /* its events are taken for another program's */
	o->made = made;
	pthread_mutex_lock(&own_lock);
	o->id = id = ++own_next;
	o->next = owns;
	__atomic_store_n(&owns, o, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&own_lock);
	return id;
}

void watch_own_end(uint64_t id, int res)
{
	struct own *o;

	if (!id)
		return;
	pthread_mutex_lock(&own_lock);
	for (o = owns; o; o = o->next)
		if (o->id == id) {
			o->state = OWN_ENDED;
			o->failed = res < 0;
			break;
		}
	pthread_mutex_unlock(&own_lock);
}

/* Before a read of the whole queue: what ended by now is read in it. */
static void own_drain_begin(void)
{
	struct own *o;

	if (!__atomic_load_n(&owns, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&own_lock);
	for (o = owns; o; o = o->next)
		if (o->state == OWN_ENDED)
			o->state = OWN_DRAINING;
	pthread_mutex_unlock(&own_lock);
}

/* After it: those records go; a failed operation's group is checked. */
static void own_drain_end(void)
{
	struct own **pp, *o, *done = NULL;

	if (!__atomic_load_n(&owns, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&own_lock);
	for (pp = &owns; (o = *pp);) {
		if (o->state != OWN_DRAINING) {
			pp = &o->next;
			continue;
		}
		*pp = o->next;
		o->next = done;
		done = o;
	}
	pthread_mutex_unlock(&own_lock);
	for (o = done; o; o = done) {
		done = o->next;
		if (o->failed)
			check_later(o->path);
		free(o->path);
		free(o);
	}
}

static void own_free_all(void)
{
	struct own *o, *next;

	__atomic_store_n(&own_on, 0, __ATOMIC_RELEASE);
	pthread_mutex_lock(&own_lock);
	for (o = owns; o; o = next) {
		next = o->next;
		free(o->path);
		free(o);
	}
	__atomic_store_n(&owns, NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&own_lock);
}

static void scan_later(const char *path, int hier)
{
	struct scan_req *bigger;
	char *copy;

	if (w.nscans == w.scancap) {
		size_t cap = w.scancap ? 2 * w.scancap : 64;

		bigger = realloc(w.scans, cap * sizeof(*w.scans));
		if (!bigger)
			goto now;
		w.scans = bigger;
		w.scancap = cap;
	}
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

/* The record of the directory at path, or NULL. */
static struct wdir *dir_at(const char *path)
{
	char name[NAME_MAX + 1];
	struct wdir *d = w.base;
	size_t n;

	while (d && *path) {
		n = strcspn(path, "/");
		if (n > NAME_MAX)
			return NULL;
		memcpy(name, path, n);
		name[n] = '\0';
		d = dir_child(d, name);
		path += n + (path[n] == '/');
	}
	return d;
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
		const char *path = w.scans[i].path, *name = base_name(path);
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
	f = ref_find(ev->wd);
	if (!f || !(ev->mask & IN_ISDIR) || !ev->len)
		return;
	d = ref_dir(*f);
	hier = ref_hier(*f);
	if (dir_path(d, dp, sizeof(dp)) < 0)
		return;
	made = ev->mask & IN_CREATE;
	mine = (ev->mask & (IN_CREATE | IN_DELETE)) && own_change(dp, made);
	if (strcmp(ev->name, GROUP_LEAF) == 0) {
		if (!mine)
			check_later(dp);
		return;
	}
	/* A group deeper than a path can name is not served: not watched. */
	if (!is_group(ev->name, d->depth + 1) || join(p, sizeof(p), dp, ev->name) < 0 ||
	    strlen(p) >= GROUP_PATH_MAX)
		return;
	mine = (ev->mask & (IN_CREATE | IN_DELETE)) && own_change(p, made);
	c = dir_child(d, ev->name);
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
		notify_entry(fs_dir_ino(d->pino, d->depth == 0), ev->name);
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
	double zero = 0;

	if (w.gave_up)
		return;
	w.gave_up = true;
	log_warn("%s: outside changes to the cgroup tree are no longer watched; entries "
	         "are not cached any more and every lookup checks that its group is whole",
	         why);
	__atomic_store(&w.fs->timeout, &zero, __ATOMIC_RELEASE);
	__atomic_store_n(&unwatched, 1, __ATOMIC_RELEASE);
	suspects_free();
	own_free_all();
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
		if (n == cap) {
			struct wdir **bigger = realloc(all, (cap = cap ? 2 * cap : 256) * sizeof(*all));

			if (!bigger) {
				free(all);
				return -ENOMEM;
			}
			all = bigger;
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
	uint64_t t0 = now_ms();
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
	         (unsigned long long)(now_ms() - t0));
	__atomic_store(&w.fs->timeout, &cache_timeout, __ATOMIC_RELEASE);
	__atomic_store_n(&unwatched, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&own_on, 1, __ATOMIC_RELEASE);
	return 0;
}

static void *watch_main(void *arg)
{
	struct pollfd fds[2] = { { w.ifd, POLLIN, 0 }, { w.efd, POLLIN, 0 } };
	uint64_t checks_due = 0, now;
	int timeout = -1;

	/* Runs for microseconds when woken, but until it has run the kernel
	 * serves stale entries: it goes before the busy threads of the
	 * machine. */
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), WATCH_NICE) < 0)
		log_debug("watcher stays at the daemon's priority: %s", strerror(errno));
	if (first_scan() < 0)
		return NULL;
	for (;;) {
		if (poll(fds, 2, timeout) < 0 && errno != EINTR)
			break;
		if (fds[1].revents || __atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
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
		if (w.resync && resync() == -ENOSPC)
			w.exhausted = true;
		if (w.exhausted) {
			degrade("the inotify watch budget is used up");
			break;
		}
		now = now_ms();
		if ((w.checks.n || w.nscans) && !checks_due)
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
		}
		timeout = repairs_due();
		if (checks_due && (timeout < 0 || checks_due - now < (uint64_t)timeout))
			timeout = (int)(checks_due - now);
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
	FILE *f;

	if (env && *env)
		return strtoul(env, NULL, 10);
	f = fopen(MAX_WATCHES_FILE, "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			v = strtol(buf, NULL, 10);
		fclose(f);
	}
	return v > 0 ? (size_t)v / 2 : 4096;
}

static void tables_free(void)
{
	size_t i;

	/* The watches went with the inotify instance: records only, all of
	 * them, so no tree links need keeping. */
	for (i = 1; i < w.nids; i++)
		free(w.byid[i]);
	w.base = NULL;
	free(w.byid);
	free(w.free_ids);
	w.byid = NULL;
	w.free_ids = NULL;
	w.nids = w.idcap = w.nfree = 0;
	oa_free(&w.dirs);
	oa_free(&w.refs);
	w.nwatch = 0;
	strvec_clear(&w.checks);
	free(w.checks.v);
	w.checks = (struct strvec){ NULL, 0, 0 };
	for (i = 0; i < w.nscans; i++)
		free(w.scans[i].path);
	free(w.scans);
	w.scans = NULL;
	w.nscans = w.scancap = 0;
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

int watch_start(struct fuse_session *se, struct fs *fs, const char *mountpoint)
{
	uint64_t t0 = now_ms();
	double zero = 0;
	sigset_t all, old;
	int res;

	w.se = se;
	w.fs = fs;
	w.r = fs->root;
	w.mountpoint = mountpoint;
	res = cgroot_reconcile(w.r, is_group, fs->cfg);
	if (res > 0)
		log_warn("completed %d half-made group%s at start (%llu ms)", res,
		         res == 1 ? "" : "s", (unsigned long long)(now_ms() - t0));
	else if (res < 0)
		log_err("cannot look the tree over for half-made groups: %s", strerror(-res));
	/* Nothing is cached, and every lookup checks, until watched. */
	cache_timeout = fs->timeout;
	__atomic_store(&fs->timeout, &zero, __ATOMIC_RELEASE);
	__atomic_store_n(&unwatched, 1, __ATOMIC_RELEASE);
	w.max_watch = watch_budget();
	w.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w.ifd < 0) {
		res = -errno;
		degrade("no inotify instance");
		return res;
	}
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
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
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
}

int watch_check(const struct cgroot *r, const char *path)
{
	struct suspect *s;
	bool suspect, log_it = false;

	if (__atomic_load_n(&unwatched, __ATOMIC_ACQUIRE)) {
		if (group_whole(r, path) != -EIO)
			return 0;
		log_debug("lookup of half-made group /%s refused", path);
		return -EIO;
	}
	if (!__atomic_load_n(&n_suspects, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&suspects_lock);
	suspect = suspect_find_locked(path) != NULL;
	pthread_mutex_unlock(&suspects_lock);
	/* Made whole meanwhile (a mkdir through cgfs): the watcher will
	 * see it too. */
	if (!suspect || group_whole(r, path) != -EIO)
		return 0;
	pthread_mutex_lock(&suspects_lock);
	s = suspect_find_locked(path);
	if (s && !s->logged)
		log_it = s->logged = true;
	pthread_mutex_unlock(&suspects_lock);
	if (log_it)
		log_warn("lookup of half-made group /%s refused (EIO)", path);
	return -EIO;
}
