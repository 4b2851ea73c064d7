// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>

#include "cgfs/oatab.h"

/* Fibonacci hashing: the high bits of h times 2^64 / phi. */
size_t oatab_home(const struct oatab *t, uint64_t h)
{
	return (size_t)(h * 0x9E3779B97F4A7C15ull >> 32) & (t->slots - 1);
}

static void put(struct oatab *t, uint32_t e)
{
	size_t i;

	for (i = oatab_home(t, t->hash(t->ctx, e)); t->e[i]; i = oatab_next(t, i))
		;
	t->e[i] = e;
}

static int resize(struct oatab *t, size_t slots)
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
			put(t, old[i]);
	free(old);
	return 0;
}

int oatab_add(struct oatab *t, uint32_t e)
{
	if ((!t->slots || 4 * (t->n + 1) > 3 * t->slots) &&
	    resize(t, t->slots ? 2 * t->slots : OATAB_MIN_SLOTS) < 0)
		return -ENOMEM;
	put(t, e);
	t->n++;
	return 0;
}

/* The entries after slot i in its run move back where their home
 * allows, so that no look-up stops short of them. */
void oatab_del(struct oatab *t, size_t i)
{
	size_t j = i, home;

	for (;;) {
		j = oatab_next(t, j);
		if (!t->e[j])
			break;
		home = oatab_home(t, t->hash(t->ctx, t->e[j]));
		/* Stays if its home lies cyclically in (i, j]. */
		if (i <= j ? home > i && home <= j : home > i || home <= j)
			continue;
		t->e[i] = t->e[j];
		i = j;
	}
	t->e[i] = 0;
	t->n--;
	/* Fails harmlessly: the bigger table stays. */
	if (t->slots > OATAB_MIN_SLOTS && t->n < t->slots / 8)
		resize(t, t->slots / 2);
}

void oatab_free(struct oatab *t)
{
	free(t->e);
	t->e = NULL;
	t->slots = t->n = 0;
}
