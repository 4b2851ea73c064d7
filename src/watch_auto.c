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
 * polled, AUTO_POLL_BATCH of them per AUTO_POLL_MS at most. docs/OUTSIDE.md
 * says why.
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

/* v1: each marked group is looked at every AUTO_POLL_MS while there are
 * at most AUTO_POLL_BATCH of them, less often beyond (a bound on the
 * watcher's work, whatever users mark). */
#define AUTO_POLL_MS 250
#define AUTO_POLL_BATCH 256
/* A removal the kernel refused (a process came, or one is still being
 * torn down): tried again this much later. */
#define AUTO_RETRY_MS 100
#define AUTO_EVENT_BUF 4096

struct auto_grp {
	char *path;
	int wd;       /* the watch on its cgroup.events, or -1: polled */
	uint64_t due; /* when to look at it (monotonic ms); 0: at its next event */
};

static struct auto_grp *autos; /* sorted by path */
static size_t nautos, autocap;
static int afd = -1;   /* inotify of the cgroup.events files */
static int v2_hier = -1; /* a serving v2 hierarchy, or -1 */

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
	w.nwatch--;
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

	if (afd < 0 || w.nwatch >= w.max_watch)
		return;
	n = snprintf(p, sizeof(p), "/proc/self/fd/%d/%s/cgroup.events",
	             w.r->h[v2_hier].base_fd, a->path);
	if (n < 0 || (size_t)n >= sizeof(p))
		return;
	a->wd = inotify_add_watch(afd, p, IN_MODIFY);
	if (a->wd >= 0)
		w.nwatch++;
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
	autos[i] = (struct auto_grp){ copy, -1, 0 };
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
					w.nwatch--;
				}
			}
			if (ev->mask & IN_Q_OVERFLOW)
				for (i = 0; i < nautos; i++)
					autos[i].due = now;
		}
	}
}

/* How long a polled group waits for its next look. */
static uint64_t poll_period(void)
{
	size_t polled = 0, i;

	for (i = 0; i < nautos; i++)
		if (autos[i].wd < 0)
			polled++;
	return AUTO_POLL_MS * (1 + polled / AUTO_POLL_BATCH);
}

/* Looks at one marked group: removed if idle. false when it is gone
 * (and dropped from the list). */
static bool auto_look(struct auto_grp *a, uint64_t now, uint64_t period)
{
	int res = group_idle(w.r, a->path);

	if (res == 1) {
		cgroot_lock(w.r);
		res = group_remove_idle(w.r, a->path);
		cgroot_unlock(w.r);
		if (res == 0) {
			log_info("removed transient group /%s: its last process is gone", a->path);
			auto_del(a);
			return false;
		}
	}
	if (res == -ENOENT || res == -EPERM) {
		auto_del(a);
		return false;
	}
	if (res == -EBUSY)
		a->due = now + AUTO_RETRY_MS;
	else if (res < 0 && res != -EAGAIN)
		a->due = now + period; /* logged by the removal, or tried again */
	else
		a->due = a->wd < 0 ? now + period : 0;
	return true;
}

int auto_run(void)
{
	uint64_t now = (uint64_t)monotonic_ms(), period = poll_period(), next = 0;
	size_t i = 0;

	while (i < nautos) {
		if (autos[i].due && autos[i].due <= now && !auto_look(&autos[i], now, period))
			continue; /* removed: the next one moved to i */
		if (autos[i].due && (!next || autos[i].due < next))
			next = autos[i].due;
		i++;
	}
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
