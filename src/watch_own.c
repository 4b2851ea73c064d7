// SPDX-License-Identifier: MIT
/*
 * Which events are cgfs's own: a mkdir or rmdir through cgfs is recorded
 * around its group_create() or group_remove(), under the tree lock, and
 * its events in every hierarchy then cost the watcher no check and no
 * invalidation. The protocol, and why it is sound, is in docs/OUTSIDE.md, "cgfs's own changes".
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "watch_int.h"

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
int own_on;

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
void own_supersede(const char *path)
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
bool own_change(const char *path, bool made)
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
void own_drain_begin(void)
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
void own_drain_end(void)
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

void own_free_all(void)
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
