// SPDX-License-Identifier: MIT
/*
 * The watcher's records: one per watched directory, in a tree of their
 * own (parent, first child, next sibling), found by id, by parent and
 * name, and by watch descriptor. Walks of the tree are iterative: it is
 * as deep as the kernel lets anyone make the cgroup tree.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "watch_int.h"

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

/* A record's name follows its watches. */
char *dir_name(const struct wdir *d)
{
	return (char *)(d->wd + w.r->n);
}

/* d's path relative to the base ("" for the base), rebuilt from the
 * names of d and its parents. */
int dir_path(const struct wdir *d, char *out, size_t size)
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

/* The name table: record ids, keyed by parent and name. */
static uint64_t dir_hash_of(const struct wdir *parent, const char *name)
{
	return hash_str(name) ^ (uintptr_t)parent;
}

static uint64_t dir_hash(const void *ctx, uint32_t id)
{
	const struct wdir *d = w.byid[id];

	(void)ctx;
	return dir_hash_of(d->parent, dir_name(d));
}

/* d's child named name. */
struct wdir *dir_child(const struct wdir *d, const char *name)
{
	struct wdir *c;
	size_t i;

	for (i = oatab_home(&w.dirs, dir_hash_of(d, name)); oatab_used(&w.dirs, i);
	     i = oatab_next(&w.dirs, i)) {
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

	if (w.nfree)
		return w.free_ids[--w.nfree];
	if (!w.nids)
		w.nids = 1; /* 0 is no record */
	if (w.nids >= ID_MAX)
		return 0;
	/* Both grow to the same capacity: every id may be freed at once. */
	cap = w.idcap;
	if (vec_reserve(&w.byid, &cap, w.nids + 1, sizeof(*w.byid), OATAB_MIN_SLOTS) < 0)
		return 0;
	if (cap != w.idcap &&
	    vec_reserve(&w.free_ids, &w.idcap, cap, sizeof(*w.free_ids), cap) < 0)
		return 0;
	return (uint32_t)w.nids++;
}

static void id_put(uint32_t id)
{
	w.byid[id] = NULL;
	w.free_ids[w.nfree++] = id;
}

struct wdir *dir_new(struct wdir *parent, const char *name)
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
	if (oatab_add(&w.dirs, id) < 0) {
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

	for (i = oatab_home(&w.dirs, dir_hash(NULL, d->id)); w.dirs.e[i] != d->id;
	     i = oatab_next(&w.dirs, i))
		;
	oatab_del(&w.dirs, i);
	if (d->pprev) {
		*d->pprev = d->sibling;
		if (d->sibling)
			d->sibling->pprev = d->pprev;
	}
	id_put(d->id);
	free(d);
}

bool dir_watched(const struct wdir *d)
{
	size_t i;

	for (i = 0; i < w.r->n; i++)
		if (d->wd[i] >= 0)
			return true;
	return false;
}

/* The first record of d's subtree in post-order (children before their
 * parent): its deepest first child. */
struct wdir *post_first(struct wdir *d)
{
	while (d->child)
		d = d->child;
	return d;
}

/* The record after d in the post-order of top's subtree, or NULL after
 * top: found before d is visited, so that d may be freed. No recursion:
 * a tree is as deep as the kernel lets anyone make it. */
struct wdir *post_next(struct wdir *d, const struct wdir *top)
{
	if (d == top)
		return NULL;
	return d->sibling ? post_first(d->sibling) : d->parent;
}

/* Frees the records below d, and d, that no longer stand for a watched
 * directory (never the base). */
void prune(struct wdir *d)
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
static uint32_t wd_entry(const struct wdir *d, int hier)
{
	return d->id << WD_HIER_BITS | (uint32_t)hier;
}

struct wdir *wd_dir(uint32_t e)
{
	return w.byid[e >> WD_HIER_BITS];
}

int wd_hier(uint32_t e)
{
	return (int)(e & ((1u << WD_HIER_BITS) - 1));
}

static uint64_t wd_hash(const void *ctx, uint32_t e)
{
	(void)ctx;
	return (uint32_t)wd_dir(e)->wd[wd_hier(e)];
}

/* The slot of wd's entry, or NULL. */
uint32_t *wd_find(int wd)
{
	size_t i;

	for (i = oatab_home(&w.wds, (uint32_t)wd); oatab_used(&w.wds, i);
	     i = oatab_next(&w.wds, i))
		if (wd_dir(w.wds.e[i])->wd[wd_hier(w.wds.e[i])] == wd)
			return &w.wds.e[i];
	return NULL;
}

/* Records that d->wd[hier] (set already) stands for d in hier. */
int wd_add(struct wdir *d, int hier)
{
	return oatab_add(&w.wds, wd_entry(d, hier));
}

/* Removes an entry, before its record's wd changes. */
void wd_del(uint32_t *slot)
{
	oatab_del(&w.wds, (size_t)(slot - w.wds.e));
}

/* The record of the directory at path, or NULL. */
struct wdir *dir_at(const char *path)
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

void table_init(void)
{
	w.dirs = (struct oatab){ .hash = dir_hash };
	w.wds = (struct oatab){ .hash = wd_hash };
}

void tables_free(void)
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
	oatab_free(&w.dirs);
	oatab_free(&w.wds);
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
