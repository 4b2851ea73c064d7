// SPDX-License-Identifier: MIT
/*
 * Transient groups: those marked autoremove (group.h) are removed once
 * they have held processes and none is left. The watcher learns of a
 * mark from its directory watches (setting or clearing an extended
 * attribute is IN_ATTRIB on the directory) and from its scans (every
 * group's mark is read when it is first watched, so a restart finds them
 * all), and keeps the marked groups here, sorted by path.
 *
 * When to look at one: where a cgroup v2 hierarchy serves, the kernel
 * writes "populated 0" to the group's cgroup.events when its last process
 * (at or below it) exits, and that is IN_MODIFY on the file: each marked
 * group's cgroup.events is watched, on an inotify instance of its own.
 * v1 has no such file and its only notice, the release agent, is one
 * program for the whole machine, root's: there the marked groups are
 * polled, every AUTO_POLL_MS. docs/OUTSIDE.md says why.
 *
 * A look reads a file or more per cgroup at and below the group, and
 * users choose how many groups they mark and how big: the looks of every
 * AUTO_POLL_MS together read at most AUTO_BUDGET cgroups, and those due
 * beyond wait for the next round, in turn.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgfs/log.h"
#include "watch_int.h"

/* v1: each marked group is looked at every AUTO_POLL_MS, as the budget
 * allows: at most AUTO_BUDGET cgroups read per AUTO_POLL_MS, on v1 and
 * v2 (up to ~100 us each on a busy VM: 5% of a CPU at most). */
#define AUTO_POLL_MS 250
#define AUTO_BUDGET 128
/* A removal the kernel refused (a process came, or one is still being
 * torn down): tried again this much later, doubling while it is refused,
 * up to AUTO_RETRY_MAX_MS. */
#define AUTO_RETRY_MS 100
#define AUTO_RETRY_MAX_MS 10000
/* cgroup.events watches: at most an eighth of the directory watches'
 * budget, so that marks never leave the tree's directories unwatched;
 * groups beyond are polled. */
#define AUTO_WATCH_SHARE 8
#define AUTO_EVENT_BUF 4096

struct auto_grp {
	char *path;
	int wd;         /* the watch on its cgroup.events, or -1: polled */
	uint64_t due;   /* when to look at it (monotonic ms); 0: at its next event */
	uint32_t retry; /* ms to wait after a refused removal, 0 before one */
};

static struct auto_grp *autos; /* sorted by path */
static size_t nautos, autocap;
static int afd = -1;   /* inotify of the cgroup.events files */
static int v2_hier = -1; /* a serving v2 hierarchy, or -1 */
static size_t nwatch;  /* watches on afd */
static size_t next_look; /* where the next round of looks starts */
static uint64_t round_end; /* when the budget is whole again */
static unsigned spent;     /* directories looked at in this round */

void auto_init(void)
{
	size_t i;

	for (i = 0; i < w.r->n; i++)
		if (w.r->h[i].version == 2)
			v2_hier = (int)i;
	if (v2_hier >= 0)
		afd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (v2_hier >= 0 && afd < 0)
		log_warn("no inotify instance for cgroup.events: transient groups are polled");
}

int auto_fd(void)
{
	return afd;
}

/* The first entry whose path is not below path in strcmp order. */
static size_t auto_lower(const char *path)
{
	size_t lo = 0, hi = nautos;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(autos[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct auto_grp *auto_find(const char *path)
{
	size_t i = auto_lower(path);

	return i < nautos && strcmp(autos[i].path, path) == 0 ? &autos[i] : NULL;
}

static void auto_unwatch(struct auto_grp *a)
{
	if (a->wd < 0)
		return;
	inotify_rm_watch(afd, a->wd);
	a->wd = -1;
	nwatch--;
}

static void auto_del(struct auto_grp *a)
{
	size_t i = (size_t)(a - autos);

	auto_unwatch(a);
	free(a->path);
	memmove(&autos[i], &autos[i + 1], (nautos - i - 1) * sizeof(*autos));
	nautos--;
}

/* Watches the group's cgroup.events in the v2 hierarchy, within the
 * watch budget; without a watch the group is polled. */
static void auto_watch(struct auto_grp *a)
{
	char p[PATH_MAX];
	int n;

	if (afd < 0 || nwatch >= w.max_watch / AUTO_WATCH_SHARE)
		return;
	n = snprintf(p, sizeof(p), "/proc/self/fd/%d/%s/cgroup.events",
	             w.r->h[v2_hier].base_fd, a->path);
	if (n < 0 || (size_t)n >= sizeof(p))
		return;
	a->wd = inotify_add_watch(afd, p, IN_MODIFY);
	if (a->wd >= 0)
		nwatch++;
}

static struct auto_grp *auto_add(const char *path)
{
	size_t i = auto_lower(path);
	char *copy = strdup(path);

	if (!copy || vec_reserve(&autos, &autocap, nautos + 1, sizeof(*autos), 16) < 0) {
		free(copy);
		log_err("out of memory: transient group /%s will not be removed", path);
		return NULL;
	}
	memmove(&autos[i + 1], &autos[i], (nautos - i) * sizeof(*autos));
	nautos++;
	autos[i] = (struct auto_grp){ copy, -1, 0, 0 };
	auto_watch(&autos[i]);
	return &autos[i];
}

void auto_note(const char *path, int dfd)
{
	struct auto_grp *a;
	int on;

	/* Tree roots and the base are never removed so. */
	if (!strchr(path, '/'))
		return;
	on = group_autoremove_get(w.r, path, dfd);
	a = nautos ? auto_find(path) : NULL;
	if (on <= 0) {
		if (a)
			auto_del(a);
		return;
	}
	if (!a)
		a = auto_add(path);
	if (a)
		a->due = (uint64_t)monotonic_ms(); /* it may be idle already */
}

void auto_forget(const char *path)
{
	size_t i = auto_lower(path), n = strlen(path);

	while (i < nautos && strncmp(autos[i].path, path, n) == 0) {
		if (autos[i].path[n] == '\0' || autos[i].path[n] == '/')
			auto_del(&autos[i]);
		else
			i++;
	}
}

void auto_events(void)
{
	char buf[AUTO_EVENT_BUF] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	uint64_t now = (uint64_t)monotonic_ms();
	ssize_t n;
	size_t i;
	char *p;

	while ((n = read(afd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			/* Few watches, and events only when a group fills or
			 * empties: a plain search will do. */
			for (i = 0; ev->wd >= 0 && i < nautos; i++) {
				if (autos[i].wd != ev->wd)
					continue;
				autos[i].due = now;
				if (ev->mask & IN_IGNORED) {
					autos[i].wd = -1; /* the kernel dropped it */
					nwatch--;
				}
			}
			if (ev->mask & IN_Q_OVERFLOW)
				for (i = 0; i < nautos; i++)
					autos[i].due = now;
		}
	}
}

/* Looks at one marked group: removed if idle. false when it is gone
 * (and dropped from the list). */
static bool auto_look(struct auto_grp *a, uint64_t now)
{
	unsigned cost;
	int res = group_idle(w.r, a->path, &cost);

	spent += cost;
	if (res == 1) {
		cgroot_lock(w.r);
		res = group_remove_idle(w.r, a->path);
		cgroot_unlock(w.r);
		if (res == 0) {
			log_debug("removed transient group /%s: its last process is gone", a->path);
			auto_del(a);
			return false;
		}
	}
	if (res == -ENOENT || res == -EPERM) {
		auto_del(a);
		return false;
	}
	if (res == 0 || res == -EAGAIN)
		a->retry = 0;
	else if (a->retry < AUTO_RETRY_MAX_MS)
		a->retry = a->retry ? 2 * a->retry : AUTO_RETRY_MS;
	if (a->retry)
		a->due = now + a->retry; /* refused (logged), or an error */
	else
		a->due = a->wd < 0 ? now + AUTO_POLL_MS : 0;
	return true;
}

int auto_run(void)
{
	uint64_t now = (uint64_t)monotonic_ms(), next = 0;
	size_t k, n = nautos, i;

	if (now >= round_end) {
		round_end = now + AUTO_POLL_MS;
		spent = 0;
	}
	/* One round over every group, from where the last one stopped:
	 * with the budget spent, those due wait for the next round. */
	for (k = 0; k < n && nautos; k++) {
		i = (next_look + k) % nautos;
		if (!autos[i].due || autos[i].due > now)
			continue;
		if (spent >= AUTO_BUDGET) {
			next_look = i;
			return (int)(round_end - now);
		}
		auto_look(&autos[i], now);
	}
	for (i = 0; i < nautos; i++)
		if (autos[i].due && (!next || autos[i].due < next))
			next = autos[i].due;
	if (!next)
		return -1;
	return next > now ? (int)(next - now) : 0;
}

void auto_free(bool warn)
{
	if (warn && nautos)
		log_warn("%zu transient group%s will not be removed once idle", nautos,
		         nautos == 1 ? "" : "s");
	while (nautos)
		auto_del(&autos[nautos - 1]);
	free(autos);
	autos = NULL;
	autocap = 0;
	if (afd >= 0)
		close(afd);
	afd = -1;
	v2_hier = -1;
}
