// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "cgfs/budget.h"

#define USER_BUCKETS 256

/* A user holding at least one open handle. */
struct holder {
	uid_t uid;
	long open;
	size_t kept;
	struct holder *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct holder *holders[USER_BUCKETS];
static long total_cap = -1;
static long total_open; /* every user but root */
static size_t total_kept;

static struct holder **slot_of(uid_t uid)
{
	struct holder **pp = &holders[((uint32_t)uid * 2654435761u) % USER_BUCKETS];

	while (*pp && (*pp)->uid != uid)
		pp = &(*pp)->next;
	return pp;
}

/* Drops h's record once it holds nothing. */
static void holder_put(struct holder **pp)
{
	struct holder *h = *pp;

	if (h->open > 0 || h->kept > 0)
		return;
	*pp = h->next;
	free(h);
}

void budget_set_total(long total)
{
	pthread_mutex_lock(&lock);
	total_cap = total;
	pthread_mutex_unlock(&lock);
}

int budget_open(uid_t uid, long cap)
{
	struct holder **pp, *h;
	int res = 0;

	pthread_mutex_lock(&lock);
	pp = slot_of(uid);
	h = *pp;
	if (uid != 0 && cap >= 0 && (h ? h->open : 0) >= cap) {
		res = -EMFILE;
	} else if (uid != 0 && total_cap >= 0 && total_open >= total_cap) {
		res = -ENFILE;
	} else if (!h) {
		h = calloc(1, sizeof(*h));
		if (h) {
			h->uid = uid;
			*pp = h;
		} else {
			res = -ENOMEM;
		}
	}
	if (res == 0) {
		h->open++;
		total_open += uid != 0;
	}
	pthread_mutex_unlock(&lock);
	return res;
}

void budget_close(uid_t uid)
{
	struct holder **pp;

	pthread_mutex_lock(&lock);
	pp = slot_of(uid);
	if (*pp && (*pp)->open > 0) {
		(*pp)->open--;
		total_open -= uid != 0;
		holder_put(pp);
	}
	pthread_mutex_unlock(&lock);
}

bool budget_keep(uid_t uid, size_t bytes)
{
	struct holder *h;
	bool ok = false;

	pthread_mutex_lock(&lock);
	h = *slot_of(uid);
	if (h && h->open > 0 && bytes <= BUDGET_KEEP_USER - h->kept &&
	    bytes <= BUDGET_KEEP_TOTAL - total_kept) {
		h->kept += bytes;
		total_kept += bytes;
		ok = true;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

void budget_unkeep(uid_t uid, size_t bytes)
{
	struct holder **pp;

	pthread_mutex_lock(&lock);
	pp = slot_of(uid);
	if (*pp) {
		bytes = bytes < (*pp)->kept ? bytes : (*pp)->kept;
		(*pp)->kept -= bytes;
		total_kept -= bytes;
		holder_put(pp);
	}
	pthread_mutex_unlock(&lock);
}

void budget_usage(uid_t uid, long *ret_open, size_t *ret_kept)
{
	struct holder *h;

	pthread_mutex_lock(&lock);
	h = *slot_of(uid);
	*ret_open = h ? h->open : 0;
	*ret_kept = h ? h->kept : 0;
	pthread_mutex_unlock(&lock);
}

void budget_totals(long *ret_open, size_t *ret_kept)
{
	pthread_mutex_lock(&lock);
	*ret_open = total_open;
	*ret_kept = total_kept;
	pthread_mutex_unlock(&lock);
}
