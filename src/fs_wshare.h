/* SPDX-License-Identifier: MIT */
/*
 * The ledger of the poll thread's inotify watches (private to fs_poll.c,
 * kept apart to be tested without inotify): which watches exist, which
 * users' pollers hold each, and whom each is charged to, so that no user
 * takes more than a share of them.
 *
 * A watch is one inotify watch descriptor (wd): the kernel gives one per
 * file and inotify instance, so every poller of a file holds the same
 * one. It counts once, towards the total and towards one user: the first
 * who held it; when that user's last poller lets go and others still
 * hold it, the next holder (in the order they came) is charged instead,
 * even beyond their share (a watch that exists costs nothing more; only
 * new ones are refused). Root (uid 0) has no share: only the total
 * bounds it, as it bounds everyone.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One user's pollers on one watch. */
struct wshare_holder {
	uid_t uid;
	unsigned n;
};

/* One watch: its holders in the order they came; h[0] is charged. */
struct wshare_watch {
	int wd;
	struct wshare_holder *h;
	size_t nh, hcap;
};

/* A user holding at least one watch. */
struct wshare_user {
	uid_t uid;
	size_t n;     /* watches charged to the user */
	size_t holds; /* watches the user holds */
};

struct wshare {
	size_t max;   /* watches in all, at most */
	size_t share; /* new watches a user but root may be charged, at most */
	struct wshare_watch *w;
	size_t nw, wcap;
	struct wshare_user *u;
	size_t nu, ucap;
};

/* An empty ledger of at most max watches, share of them per user. */
void wshare_init(struct wshare *s, size_t max, size_t share);

/* Frees the ledger's memory; it is empty (as wshare_init left it) after. */
void wshare_free(struct wshare *s);

/* Whether wd is a watch of the ledger. */
bool wshare_known(const struct wshare *s, int wd);

/* Whether a new watch may be charged to uid: fewer than max in all, and
 * fewer than share charged to uid (unless uid is 0). */
bool wshare_room(const struct wshare *s, uid_t uid);

/* One more poller of uid holds wd: a new watch is charged to uid (the
 * caller asked wshare_room() first), a known one is joined. 0, or
 * -ENOMEM with nothing changed. */
int wshare_hold(struct wshare *s, int wd, uid_t uid);

/* A poller of uid lets go of wd (which it held): true when none holds it
 * any more (it is out of the ledger: the caller removes the watch). */
bool wshare_release(struct wshare *s, int wd, uid_t uid);

/* The kernel ended wd (its file is gone): out of the ledger, whoever held
 * it. Nothing for a wd not in it. */
void wshare_drop(struct wshare *s, int wd);

/* Watches charged to uid now. */
size_t wshare_charged(const struct wshare *s, uid_t uid);
