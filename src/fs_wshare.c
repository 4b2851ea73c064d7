// SPDX-License-Identifier: MIT
/*
 * The poll thread's ledger of watches (fs_wshare.h). Its arrays are
 * searched in turn: they hold at most s->max watches (POLL_WATCH_MAX,
 * 1024), and a user for each holder at most; a watch usually has one
 * holder. Every holder has its user's record, so passing a charge on
 * needs no memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs/util.h"
#include "fs_wshare.h"

void wshare_init(struct wshare *s, size_t max, size_t share)
{
	*s = (struct wshare){ .max = max, .share = share };
}

void wshare_free(struct wshare *s)
{
	size_t i;

	for (i = 0; i < s->nw; i++)
		free(s->w[i].h);
	free(s->w);
	free(s->u);
	wshare_init(s, s->max, s->share);
}

static struct wshare_watch *watch_of(const struct wshare *s, int wd)
{
	size_t i;

	for (i = 0; i < s->nw; i++)
		if (s->w[i].wd == wd)
			return &s->w[i];
	return NULL;
}

static struct wshare_user *user_of(const struct wshare *s, uid_t uid)
{
	size_t i;

	for (i = 0; i < s->nu; i++)
		if (s->u[i].uid == uid)
			return &s->u[i];
	return NULL;
}

bool wshare_known(const struct wshare *s, int wd)
{
	return watch_of(s, wd) != NULL;
}

size_t wshare_charged(const struct wshare *s, uid_t uid)
{
	const struct wshare_user *u = user_of(s, uid);

	return u ? u->n : 0;
}

bool wshare_room(const struct wshare *s, uid_t uid)
{
	if (s->nw >= s->max)
		return false;
	return uid == 0 || wshare_charged(s, uid) < s->share;
}

/* Makes room for one more user record: 0 or -ENOMEM. */
static int user_room(struct wshare *s, uid_t uid)
{
	if (user_of(s, uid))
		return 0;
	return vec_reserve(&s->u, &s->ucap, s->nu + 1, sizeof(*s->u), 8);
}

/* uid holds one watch more (user_room() made room for its record). */
static struct wshare_user *user_hold(struct wshare *s, uid_t uid)
{
	struct wshare_user *u = user_of(s, uid);

	if (!u) {
		u = &s->u[s->nu++];
		*u = (struct wshare_user){ .uid = uid };
	}
	u->holds++;
	return u;
}

/* uid holds one watch less (uncharged of it first); its record goes
 * with its last. */
static void user_unhold(struct wshare *s, uid_t uid)
{
	struct wshare_user *u = user_of(s, uid);

	if (u && --u->holds == 0)
		*u = s->u[--s->nu];
}

static void uncharge(struct wshare *s, uid_t uid)
{
	struct wshare_user *u = user_of(s, uid);

	if (u && u->n)
		u->n--;
}

/* Takes w out of the ledger, with its holders and its charge. */
static void watch_del(struct wshare *s, struct wshare_watch *w)
{
	size_t i;

	if (w->nh)
		uncharge(s, w->h[0].uid);
	for (i = 0; i < w->nh; i++)
		user_unhold(s, w->h[i].uid);
	free(w->h);
	*w = s->w[--s->nw];
}

int wshare_hold(struct wshare *s, int wd, uid_t uid)
{
	struct wshare_watch *w = watch_of(s, wd);
	size_t i;

	if (!w) {
		if (vec_reserve(&s->w, &s->wcap, s->nw + 1, sizeof(*s->w), 16) < 0 ||
		    user_room(s, uid) < 0)
			return -ENOMEM;
		w = &s->w[s->nw];
		*w = (struct wshare_watch){ .wd = wd };
		if (vec_reserve(&w->h, &w->hcap, 1, sizeof(*w->h), 1) < 0)
			return -ENOMEM;
		w->h[w->nh++] = (struct wshare_holder){ uid, 1 };
		user_hold(s, uid)->n++;
		s->nw++;
		return 0;
	}
	for (i = 0; i < w->nh; i++)
		if (w->h[i].uid == uid) {
			w->h[i].n++;
			return 0;
		}
	if (vec_reserve(&w->h, &w->hcap, w->nh + 1, sizeof(*w->h), 2) < 0 ||
	    user_room(s, uid) < 0)
		return -ENOMEM;
	w->h[w->nh++] = (struct wshare_holder){ uid, 1 };
	user_hold(s, uid);
	return 0;
}

bool wshare_release(struct wshare *s, int wd, uid_t uid)
{
	struct wshare_watch *w = watch_of(s, wd);
	size_t i;

	if (!w)
		return false;
	for (i = 0; i < w->nh && w->h[i].uid != uid; i++)
		;
	if (i == w->nh || --w->h[i].n > 0)
		return false;
	if (w->nh == 1) {
		watch_del(s, w);
		return true;
	}
	/* The charge passes on with the first holder's place. */
	if (i == 0) {
		uncharge(s, uid);
		user_of(s, w->h[1].uid)->n++;
	}
	user_unhold(s, uid);
	memmove(&w->h[i], &w->h[i + 1], (w->nh - i - 1) * sizeof(*w->h));
	w->nh--;
	return false;
}

void wshare_drop(struct wshare *s, int wd)
{
	struct wshare_watch *w = watch_of(s, wd);

	if (w)
		watch_del(s, w);
}
