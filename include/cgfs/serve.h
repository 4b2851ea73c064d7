/* SPDX-License-Identifier: MIT */
/*
 * serve: the session loop. A fixed pool of threads reads requests from
 * the session's device and processes them; a stop request lets every
 * request already read finish and be answered before the loop returns,
 * so a graceful restart loses nothing. Nothing here knows about cgroups:
 * bench/nullfs.c runs the same loop for a fair floor.
 */
#pragma once

#include <fuse_lowlevel.h>

/* How long (microseconds) the reading thread polls the device after a
 * request before it sleeps there: see src/serve.c. */
#define SERVE_SPIN_US 50

/* Runs se with nthreads threads until the file system is unmounted or
 * serve_stop() is called (SIGTERM, SIGINT and SIGHUP call it: install
 * nothing else for them). before_stop (may be NULL) runs when a stop is
 * asked for, while every thread still serves. 0 on either, -errno on a
 * device error. */
int serve_loop(struct fuse_session *se, int nthreads, void (*before_stop)(void *arg),
               void *arg);

/* fn (NULL: none) runs in a serving thread after each request it
 * answered, before it waits for the next; set before serve_loop(). */
void serve_after_each(void (*fn)(void));

/* Sets that time (0: sleep at once); call before serve_loop(). */
void serve_set_spin(unsigned us);

/* Async-signal-safe: asks a running serve_loop() to stop. */
void serve_stop(void);
