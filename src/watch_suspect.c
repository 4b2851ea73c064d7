// SPDX-License-Identifier: MIT
/*
 * Groups found half made (a directory or leaf missing in some hierarchy:
 * a crash half-way through mkdir or rmdir, or another program): checked
 * WATCH_CHECK_MS after their events, refused at lookup while half made,
 * and completed by group_repair() once they stay so for WATCH_REPAIR_MS.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs/log.h"
#include "watch_int.h"

/* A group seen half made: refused at lookup until it is whole again. */
struct suspect {
	char *path;
	uint64_t due_ms; /* completed then if still half made; UINT64_MAX: not again */
	bool logged;     /* a refused lookup has been logged */
	struct suspect *next;
};

static int n_suspects;
static pthread_mutex_t suspects_lock = PTHREAD_MUTEX_INITIALIZER;
static struct suspect *suspects; /* protected by suspects_lock */

int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strvec_clear(struct strvec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	v->n = 0;
}

void strvec_add(struct strvec *v, const char *s)
{
	char *copy;

	if (vec_reserve(&v->v, &v->cap, v->n + 1, sizeof(*v->v), 64) < 0)
		return; /* checked again at the next event or repair */
	copy = strdup(s);
	if (copy)
		v->v[v->n++] = copy;
}

void check_later(const char *path)
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
		s->due_ms = (uint64_t)monotonic_ms() + WATCH_REPAIR_MS;
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

void suspects_free(void)
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

void checks_run(void)
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
int repairs_due(void)
{
	struct strvec due = { NULL, 0, 0 };
	uint64_t now = (uint64_t)monotonic_ms(), next = UINT64_MAX;
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
			config_caps_for(w.cfg, tree, &caps);
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

int watch_check(const struct cgroot *r, const char *path)
{
	struct suspect *s;
	bool suspect, log_it = false;

	if (__atomic_load_n(&watch_unwatched, __ATOMIC_ACQUIRE)) {
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
