/* SPDX-License-Identifier: MIT */
/*
 * oatab: an open-addressing hash table of nonzero 32-bit entries with
 * linear probing, for tables whose key lives in a record the entry names
 * (the watcher's name and watch tables). The table stores entries only;
 * hash() finds an entry's key through ctx. At most 3/4 full, at least
 * 1/8 full once grown, never smaller than OATAB_MIN_SLOTS slots.
 *
 * Look-up is open-coded by the caller, so the key comparison needs no
 * callback:
 *
 *	for (i = oatab_home(t, h); oatab_used(t, i); i = oatab_next(t, i))
 *		if (key of t->e[i] equals the key) ...
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OATAB_MIN_SLOTS 256

struct oatab {
	uint32_t *e;  /* slots; 0 is empty */
	size_t slots; /* a power of two, or 0 before the first oatab_add() */
	size_t n;     /* entries */
	uint64_t (*hash)(const void *ctx, uint32_t e);
	const void *ctx;
};

/* The first slot for a key hashed to h. */
size_t oatab_home(const struct oatab *t, uint64_t h);

static inline size_t oatab_next(const struct oatab *t, size_t i)
{
	return (i + 1) & (t->slots - 1);
}

/* Whether slot i holds an entry (false for every i of an empty table). */
static inline bool oatab_used(const struct oatab *t, size_t i)
{
	return t->slots && t->e[i];
}

/* Adds e (nonzero; its key must be readable through hash()). 0, or
 * -ENOMEM with the table unchanged. */
int oatab_add(struct oatab *t, uint32_t e);

/* Empties slot i, while the keys of the other entries are readable. */
void oatab_del(struct oatab *t, size_t i);

void oatab_free(struct oatab *t);
