/* SPDX-License-Identifier: MIT */
/*
 * slow: requests that wait for the kernel (a freeze until it takes hold,
 * a kill on v1, the long way of a removal) wait on a thread of their own,
 * which answers them, never on a serving thread: however many are
 * pending, everyone else's requests are answered as usual. A user has at
 * most SLOW_PER_USER of them in flight at a time.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Slow operations one uid (root too) may have in flight, and all uids
 * together (a bound on the threads they take). */
#define SLOW_PER_USER 8
#define SLOW_MAX 512

/* Reserves one slow operation for uid: 0, or -EAGAIN when uid (or every
 * uid together) has as many in flight as allowed. */
int slow_begin(uid_t uid);

/* Gives back a reservation that slow_run() was not given. */
void slow_end(uid_t uid);

/* Runs fn(arg) on a thread of its own, with the reservation uid took
 * (given back when fn returns); fn answers its request. Where no thread
 * can be made, and once slow_stop() has run, fn runs in the caller (its
 * waits are then cut short). Never fails. */
void slow_run(uid_t uid, void (*fn)(void *arg), void *arg);

/* For a server that stops while the session still answers: cuts every
 * wait short (group_cut_waits) and returns once every slow operation has
 * ended and answered. */
void slow_stop(void);
