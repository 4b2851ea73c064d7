// SPDX-License-Identifier: MIT
/*
 * poll(2) on events files. An open events file polls readable once its
 * content differs from what it showed at its last read; a poller waiting
 * for that leaves its FUSE poll handle here, one per open file (so the
 * table is bounded by the open-file caps), and a thread of its own looks
 * at each waited-on group and wakes the poller when the content changed.
 *
 * When to look: where the group's memory.events or cgroup.events is a
 * cgroup v2 file, the kernel writes it (cgroup_file_notify) when a
 * counter or a state in it changes, which is IN_MODIFY on the file, as
 * for transient groups (watch_auto.c). A group without such a watch (v1,
 * the hosts' hybrid layout, or beyond the watch budget) is looked at
 * every POLL_TICK_MS.
 *
 * The watch budget is shared fairly (fs_wshare.h): all pollers of a file
 * hold its one watch, charged to the opener of the first poller's file,
 * and no user but root is charged more than POLL_WATCH_USER new
 * watches. A user who polls more groups than that has the rest looked
 * at every tick; the others' pollers still get watches. A group has
 * watches on all its v2 files or on none (a change of an unwatched one
 * would go unseen).
 *
 * A look reads a few files, and on v1 two per cgroup below the group
 * (users choose how many): the looks of every POLL_TICK_MS together
 * take at most POLL_BUDGET_US of this thread's time, those after a
 * kernel notification first, and those due beyond wait for the next
 * round, in turn.
 *
 * The wake-up (FUSE_NOTIFY_POLL) is written to the device from this
 * thread directly: the kernel handles it under its connection's spinlock
 * alone, taking no inode lock and waiting for no request, so it cannot
 * deadlock with a request in flight (unlike the invalidations, which go
 * through the supervisor's notifier).
 */
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <time.h>

#include "cgfs/knobs.h"
#include "fs_int.h"
#include "fs_wshare.h"

/* v1 and unwatched groups: looked at every POLL_TICK_MS; the looks take
 * at most POLL_BUDGET_US per POLL_TICK_MS (5% of a CPU). */
#define POLL_TICK_MS 250
#define POLL_BUDGET_US 12500
/* inotify watches on events files, at most, and the new ones a user
 * (root excepted) may be charged: 128, 64 groups with both files. */
#define POLL_WATCH_MAX 1024
#define POLL_WATCH_USER (POLL_WATCH_MAX / 8)
#define POLL_EVENT_BUF 4096
/* The two v2 files behind events, the sources of its wake-ups. */
#define POLL_FILES 2

static const struct {
	enum cg_ctrl ctrl;
	const char *file;
} poll_files[POLL_FILES] = {
	{ CTRL_MEMORY, "memory.events" },
	{ CTRL_FREEZER, "cgroup.events" },
};

/* A poller waiting on an open events file. */
struct pent {
	uint64_t fh;
	struct fuse_pollhandle *ph;
	uint64_t gen;       /* which registration of fh this is */
	uid_t uid;          /* the file's opener, charged for new watches */
	struct nref *ref;   /* its file */
	char *seen;         /* the content when it began to wait (poll_seen) */
	int wd[POLL_FILES]; /* the watches of its group's v2 files, or -1 */
	uint64_t due;       /* when to look at it (monotonic ms); 0: at an event */
};

static struct {
	pthread_mutex_t lock; /* protects everything below */
	struct fs *fs;
	struct pent *v;
	size_t n, cap;
	uint64_t gen;
	struct wshare ws; /* the watches, and whom they are charged to */
	size_t next[2]; /* where the next looks start: watched, the others */
	int ifd, efd;
	bool running;
	bool stopping;
	pthread_t thread;
} P = { .lock = PTHREAD_MUTEX_INITIALIZER, .ifd = -1, .efd = -1 };

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t now_ms(void)
{
	return now_us() / 1000;
}

bool poll_is_events(const struct nref *ref)
{
	return ref->kind == NODE_KNOB && strcmp(knob_table[ref->knob].name, "events") == 0;
}

/* What an events file shows now, as compared: its text, or "!" and the
 * errno of a reading that failed (no text starts so). malloc'd; NULL
 * only without memory. */
static char *seen_text(struct fs *fs, const char *path)
{
	const struct knob *k = knob_find("events");
	char *buf = NULL, err[16];
	int res = group_knob_read(fs->root, path, k, &buf);

	if (res >= 0)
		return buf;
	free(buf);
	snprintf(err, sizeof(err), "!%d", -res);
	return strdup(err);
}

char *poll_seen(struct fs *fs, const struct nref *ref)
{
	int res = node_same_group(fs, ref);
	char err[16];

	if (res == 0)
		return seen_text(fs, ref->path);
	snprintf(err, sizeof(err), "!%d", -res);
	return strdup(err);
}

static void wake_thread(void)
{
	uint64_t one = 1;

	if (P.efd >= 0 && write(P.efd, &one, sizeof(one)) < 0)
		log_debug("cannot wake the poll thread: %s", strerror(errno));
}

/* Entry e lets go of its watches; the last holder of one removes it
 * (inotify gives one wd per file and instance, shared). */
static void pent_unwatch(struct pent *e)
{
	size_t f;

	for (f = 0; f < POLL_FILES; f++) {
		if (e->wd[f] < 0)
			continue;
		if (wshare_release(&P.ws, e->wd[f], e->uid))
			inotify_rm_watch(P.ifd, e->wd[f]);
		e->wd[f] = -1;
	}
}

/* Takes entry i out of the table; its poll handle is the caller's. */
static struct fuse_pollhandle *pent_del(size_t i)
{
	struct fuse_pollhandle *ph = P.v[i].ph;

	pent_unwatch(&P.v[i]);
	free(P.v[i].ref);
	free(P.v[i].seen);
	P.v[i] = P.v[--P.n];
	return ph;
}

/* Whether an entry other than e holds a watch on its group's file f. */
static bool watched_by_other(const struct pent *e, size_t f)
{
	size_t j;

	for (j = 0; j < P.n; j++)
		if (&P.v[j] != e && P.v[j].wd[f] >= 0 && strcmp(P.v[j].ref->path, e->ref->path) == 0)
			return true;
	return false;
}

/* Says why e's file f has no watch: beyond the total or e's share. */
static void no_room(const struct pent *e, size_t f)
{
	if (P.ws.nw >= P.ws.max)
		log_debug("no watch on /%s/%s for uid %u: all %zu are in use; looked at every %d ms",
		          e->ref->path, poll_files[f].file, (unsigned)e->uid, P.ws.max,
		          POLL_TICK_MS);
	else
		log_debug("no watch on /%s/%s for uid %u: its share of %zu is in use; "
		          "looked at every %d ms",
		          e->ref->path, poll_files[f].file, (unsigned)e->uid, P.ws.share,
		          POLL_TICK_MS);
}

/* A watch for e on its group's file f at path p, within the total and
 * the share of e's user (beyond them, a watch other pollers hold is
 * joined still): its wd (*fresh if it is new), or -1 (said why). */
static int pent_watch_file(const struct pent *e, size_t f, const char *p, bool *fresh)
{
	bool room = wshare_room(&P.ws, e->uid);
	int wd;

	if (!room && !watched_by_other(e, f)) {
		no_room(e, f);
		return -1;
	}
	wd = inotify_add_watch(P.ifd, p, IN_MODIFY);
	if (wd < 0) {
		log_debug("no watch on /%s/%s (%s): looked at every %d ms", e->ref->path,
		          poll_files[f].file, strerror(errno), POLL_TICK_MS);
		return -1;
	}
	*fresh = !wshare_known(&P.ws, wd);
	/* A new watch beyond the share: the path named a new group's file
	 * since the others' watch was taken. */
	if ((*fresh && !room) || wshare_hold(&P.ws, wd, e->uid) < 0) {
		if (*fresh)
			inotify_rm_watch(P.ifd, wd);
		no_room(e, f);
		return -1;
	}
	return wd;
}

/* Watches the group's v2 events files, all or none (an unwatched one's
 * change would go unseen); a group with none is looked at every tick. */
static void pent_watch(struct pent *e)
{
	const struct cgroot *r = P.fs->root;
	bool fail = false, fresh[POLL_FILES] = { false };
	char p[PATH_MAX];
	size_t f;
	int h, n;

	for (f = 0; f < POLL_FILES; f++) {
		h = r->by_ctrl[poll_files[f].ctrl];
		if (P.ifd < 0 || h < 0 || r->h[h].version != 2)
			continue;
		n = snprintf(p, sizeof(p), "/proc/self/fd/%d/%s/%s", r->h[h].base_fd, e->ref->path,
		             poll_files[f].file);
		if (fail) {
			log_debug("no watch on /%s/%s: its group's other file has none; "
			          "looked at every %d ms",
			          e->ref->path, poll_files[f].file, POLL_TICK_MS);
			continue;
		}
		if (n < 0 || (size_t)n >= sizeof(p))
			e->wd[f] = -1; /* not under PATH_MAX: cannot be */
		else
			e->wd[f] = pent_watch_file(e, f, p, &fresh[f]);
		fail = e->wd[f] < 0;
	}
	if (fail) {
		pent_unwatch(e);
		return;
	}
	for (f = 0; f < POLL_FILES; f++)
		if (fresh[f])
			log_debug("watch %d on /%s/%s for uid %u, %zu charged to it", e->wd[f],
			          e->ref->path, poll_files[f].file, (unsigned)e->uid,
			          wshare_charged(&P.ws, e->uid));
}

static bool pent_watched(const struct pent *e)
{
	size_t f;

	for (f = 0; f < POLL_FILES; f++)
		if (e->wd[f] >= 0)
			return true;
	return false;
}

/* Looks at one due entry, i: wakes its poller if its group's events
 * differ from what it waits on. The reading is done without the lock
 * (held on entry and return); a registration replaced meanwhile is left
 * be. */
static void pent_look(size_t i, uint64_t now)
{
	struct fuse_pollhandle *ph = NULL;
	uint64_t fh = P.v[i].fh, gen = P.v[i].gen;
	struct nref *ref = malloc(sizeof(*ref));
	char *now_seen;

	if (ref)
		*ref = *P.v[i].ref;
	pthread_mutex_unlock(&P.lock);
	now_seen = ref ? poll_seen(P.fs, ref) : NULL;
	free(ref);
	pthread_mutex_lock(&P.lock);
	for (i = 0; i < P.n && (P.v[i].fh != fh || P.v[i].gen != gen); i++)
		;
	if (i < P.n && now_seen && strcmp(now_seen, P.v[i].seen) != 0)
		ph = pent_del(i);
	else if (i < P.n)
		P.v[i].due = pent_watched(&P.v[i]) ? 0 : now + POLL_TICK_MS;
	free(now_seen);
	if (ph) {
		fuse_lowlevel_notify_poll(ph);
		fuse_pollhandle_destroy(ph);
	}
}

/* Looks at the due entries, for at most POLL_BUDGET_US per
 * POLL_TICK_MS: first those with a watch (their files changed: as many
 * as there are watches, and a user's as many as their share), then those
 * looked at every tick, each from where the last round stopped. So the
 * many groups a user has beyond their share wait their turn, not the
 * watched ones of others. Returns the ms until the next is due, or -1
 * for none. */
static int poll_look(uint64_t now)
{
	static uint64_t round_end, spent;
	uint64_t t0;
	uint64_t next = 0;
	size_t k, i, pass;

	pthread_mutex_lock(&P.lock);
	if (now >= round_end) {
		round_end = now + POLL_TICK_MS;
		spent = 0;
	}
	for (pass = 0; pass < 2; pass++)
		for (k = 0; k < P.n; k++) {
			i = (P.next[pass] + k) % P.n;
			if (!P.v[i].due || P.v[i].due > now || pent_watched(&P.v[i]) != (pass == 0))
				continue;
			if (spent >= POLL_BUDGET_US) {
				P.next[pass] = i;
				pthread_mutex_unlock(&P.lock);
				return (int)(round_end - now);
			}
			t0 = now_us();
			pent_look(i, now);
			spent += now_us() - t0;
		}
	for (i = 0; i < P.n; i++)
		if (P.v[i].due && (!next || P.v[i].due < next))
			next = P.v[i].due;
	pthread_mutex_unlock(&P.lock);
	if (!next)
		return -1;
	return next > now ? (int)(next - now) : 0;
}

/* Marks the entries whose files the kernel wrote as due. */
static void poll_events(uint64_t now)
{
	char buf[POLL_EVENT_BUF] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	size_t i, f;
	char *p;

	while ((n = read(P.ifd, buf, sizeof(buf))) > 0) {
		pthread_mutex_lock(&P.lock);
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			for (i = 0; i < P.n; i++)
				for (f = 0; f < POLL_FILES; f++)
					if ((ev->mask & IN_Q_OVERFLOW) ||
					    (ev->wd >= 0 && P.v[i].wd[f] == ev->wd))
						P.v[i].due = now;
			/* A removed file: its entries are looked at every tick. */
			if (ev->mask & IN_IGNORED)
				wshare_drop(&P.ws, ev->wd);
			for (i = 0; (ev->mask & IN_IGNORED) && i < P.n; i++)
				for (f = 0; f < POLL_FILES; f++)
					if (P.v[i].wd[f] == ev->wd)
						P.v[i].wd[f] = -1;
		}
		pthread_mutex_unlock(&P.lock);
	}
}

static void *poll_thread(void *arg)
{
	struct pollfd pfd[2] = { { .fd = P.efd, .events = POLLIN }, { .fd = P.ifd, .events = POLLIN } };
	uint64_t junk;
	int t = -1;

	(void)arg;
	while (!__atomic_load_n(&P.stopping, __ATOMIC_ACQUIRE)) {
		if (poll(pfd, P.ifd >= 0 ? 2 : 1, t) < 0 && errno != EINTR)
			break;
		/* nonblocking: a failed read found nothing to drain */
		if (pfd[0].revents && read(P.efd, &junk, sizeof(junk)) < 0)
			junk = 0;
		if (P.ifd >= 0 && pfd[1].revents)
			poll_events(now_ms());
		t = poll_look(now_ms());
	}
	return NULL;
}

/* Starts the thread at the first waiter (P.lock held): 0 or -errno. */
static int poll_start(struct fs *fs)
{
	int err;

	if (P.running)
		return 0;
	P.fs = fs;
	wshare_init(&P.ws, POLL_WATCH_MAX, POLL_WATCH_USER);
	P.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (P.efd < 0)
		return -errno;
	P.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (P.ifd < 0)
		log_warn("no inotify instance for events files: they are looked at every %d ms",
		         POLL_TICK_MS);
	err = pthread_create(&P.thread, NULL, poll_thread, NULL);
	if (err) {
		close(P.efd);
		P.efd = -1;
		if (P.ifd >= 0)
			close(P.ifd);
		P.ifd = -1;
		return -err;
	}
	P.running = true;
	return 0;
}

/* Leaves ph waiting on fh (replacing fh's earlier one), opened by uid,
 * with seen the content the poller has: 0, or -errno with nothing kept
 * (ph and seen are the caller's then). */
static int poll_wait(struct fs *fs, uint64_t fh, uid_t uid, struct fuse_pollhandle *ph,
                     const struct nref *ref, char *seen)
{
	struct fuse_pollhandle *old = NULL;
	struct nref *copy = malloc(sizeof(*copy));
	struct pent *e = NULL;
	size_t i;
	int res;

	if (copy)
		*copy = *ref;
	pthread_mutex_lock(&P.lock);
	res = copy ? poll_start(fs) : -ENOMEM;
	for (i = 0; res == 0 && i < P.n; i++)
		if (P.v[i].fh == fh) {
			old = pent_del(i); /* one per open file */
			break;
		}
	if (res == 0)
		res = vec_reserve(&P.v, &P.cap, P.n + 1, sizeof(*P.v), 16);
	if (res == 0) {
		e = &P.v[P.n++];
		*e = (struct pent){ fh, ph, ++P.gen, uid, copy, seen, { -1, -1 }, 0 };
		pent_watch(e);
		/* A change before the watch took hold is found at once. */
		e->due = now_ms();
		wake_thread();
	}
	pthread_mutex_unlock(&P.lock);
	if (old)
		fuse_pollhandle_destroy(old);
	if (res < 0)
		free(copy);
	return res;
}

void fs_group_gone(struct fs *fs, const char *path)
{
	size_t i, len = strlen(path);
	bool any = false;

	/* A limit read through the page cache there: its next read asks for
	 * its attributes, and is refused. */
	cache_forget_group(fs, path);
	pthread_mutex_lock(&P.lock);
	/* The files watched there may not say so: the kernel does not
	 * notify a removed cgroup's files, and their watches end only when
	 * their inodes do, which can be minutes later. */
	for (i = 0; i < P.n; i++) {
		const char *e = P.v[i].ref->path;

		if (strncmp(e, path, len) == 0 && (e[len] == '\0' || e[len] == '/')) {
			P.v[i].due = now_ms();
			any = true;
		}
	}
	if (any)
		wake_thread();
	pthread_mutex_unlock(&P.lock);
}

void poll_forget(uint64_t fh)
{
	struct fuse_pollhandle *ph = NULL;
	size_t i;

	pthread_mutex_lock(&P.lock);
	for (i = 0; i < P.n; i++)
		if (P.v[i].fh == fh) {
			ph = pent_del(i);
			break;
		}
	pthread_mutex_unlock(&P.lock);
	if (ph)
		fuse_pollhandle_destroy(ph);
}

void poll_stop(void)
{
	struct fuse_pollhandle *ph;

	pthread_mutex_lock(&P.lock);
	if (!P.running) {
		pthread_mutex_unlock(&P.lock);
		return;
	}
	__atomic_store_n(&P.stopping, true, __ATOMIC_RELEASE);
	wake_thread();
	pthread_mutex_unlock(&P.lock);
	pthread_join(P.thread, NULL);
	pthread_mutex_lock(&P.lock);
	while (P.n) {
		ph = pent_del(P.n - 1);
		fuse_pollhandle_destroy(ph);
	}
	free(P.v);
	P.v = NULL;
	P.cap = 0;
	wshare_free(&P.ws);
	close(P.efd);
	if (P.ifd >= 0)
		close(P.ifd);
	P.efd = P.ifd = -1;
	P.running = false;
	P.stopping = false;
	pthread_mutex_unlock(&P.lock);
}

/* Readable (and POLLPRI, as the kernel's own cgroup.events) once the
 * content differs from the open file's last read; files other than
 * events, and events files an earlier server opened, always are. */
void fs_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
             struct fuse_pollhandle *ph)
{
	struct fs *fs = fs_of(req);
	struct ofile *of = fh_get(fs, fi->fh, false);
	unsigned mask = POLLIN | POLLRDNORM;
	struct nref ref = { .kind = NODE_DIR };
	char *now_seen;
	bool changed;

	if (node_lookup(fs, ino, &ref) < 0 || !poll_is_events(&ref) || !of) {
		if (!poll_is_events(&ref))
			mask |= POLLOUT | POLLWRNORM;
		goto reply;
	}
	now_seen = poll_seen(fs, &ref);
	if (!now_seen)
		goto reply;
	pthread_mutex_lock(&of->lock);
	changed = !of->seen || strcmp(of->seen, now_seen) != 0;
	pthread_mutex_unlock(&of->lock);
	if (changed) {
		free(now_seen);
		mask |= POLLPRI;
		goto reply;
	}
	mask = 0;
	if (!ph) {
		free(now_seen);
	} else if (poll_wait(fs, fi->fh, of->uid, ph, &ref, now_seen) == 0) {
		ph = NULL;
	} else {
		/* Nothing would wake it: readable, and the read says the rest. */
		free(now_seen);
		mask = POLLIN | POLLRDNORM;
	}
reply:
	if (ph)
		fuse_pollhandle_destroy(ph);
	fuse_reply_poll(req, mask);
}
