/* SPDX-License-Identifier: MIT */
/*
 * watch: changes made to the real tree behind cgfs's back (systemd,
 * container runtimes, admins) and groups left half made.
 *
 * watch_start() first completes every half-made group below the base (a
 * crash half-way through mkdir or rmdir, or another program), then a
 * thread of its own watches the base and every group directory in every
 * serving hierarchy with one inotify instance: outside any request
 * handler, as the kernel requires of fuse_lowlevel_notify_*. Until that
 * thread has looked the whole tree over, nothing is cached (timeout 0)
 * and every lookup checks its group is whole.
 *
 *  - A group directory removed from the primary hierarchy has its entry
 *    and inode invalidated in the kernel, so the next request sees it
 *    gone. (Made ones need nothing: cgfs answers a failed lookup with an
 *    error, which the kernel never caches.)
 *  - A group found half made (its directory or leaf missing in some
 *    hierarchy) is refused at lookup with EIO, its cached entry dropped;
 *    if it stays half made for WATCH_REPAIR_MS it is completed
 *    (group_repair), which never loses a process.
 *  - Beyond the watch budget (half of fs.inotify.max_user_watches, or
 *    CGFS_MAX_WATCHES), or when the kernel has no watch left, cgfs logs
 *    it once and stops watching: entries and attributes are no longer
 *    cached (timeout 0) and every lookup checks its group is whole.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgfs/config.h"
#include "cgfs/group.h"

#define WATCH_REPAIR_MS 1000

/* How the watcher reports to whoever serves the tree (it knows nothing of
 * FUSE). Directories are named by their inode in the primary hierarchy;
 * is_base says the directory is the base (the mount's root). Called on
 * the watcher's thread, never from a request handler. */
struct watch_hooks {
	void *ctx;
	/* What the kernel cached of entry name in directory dir is stale. */
	void (*forget_entry)(void *ctx, ino_t dir, bool is_base, const char *name);
	/* What the kernel cached of directory dir's node is stale. */
	void (*forget_inode)(void *ctx, ino_t dir);
	/* Entries and attributes may be cached (true: every outside change
	 * is reported from now on), or not (false). */
	void (*set_caching)(void *ctx, bool on);
	/* The group at path (from the base) was removed or renamed away in
	 * some hierarchy, by cgfs or not; called once per hierarchy. */
	void (*gone)(void *ctx, const char *path);
};

/* Reconciles the tree and starts the watcher thread. Call once, after
 * the daemon forked to the background and before the session loop serves
 * (the kernel has cached nothing yet). Calls set_caching(false) first,
 * and set_caching(true) once the whole tree is watched. 0, or -errno when
 * there is no watcher (cgfs then serves without caching). */
int watch_start(const struct cgroot *r, const struct config *cfg,
                const struct watch_hooks *hooks);

/* Stops the thread and frees everything. Call while the session loop
 * still answers requests (serve_loop's before_stop hook): the kernel holds
 * a directory's lock while an entry in it is invalidated, so a
 * notification waits for the requests in flight there. No hook is called
 * once it has begun. */
void watch_stop(void);

/* Around cgfs's own group_create() (made) or group_remove() of path,
 * under the tree lock: begin before it, end with its result after it.
 * The events the change makes in every hierarchy then cost the watcher
 * no check and no invalidation, and a group made is watched with the
 * next checks (WATCH_CHECK_MS), not at once. 0 from begin (not watching,
 * no memory) makes end a no-op and the events another program's. */
uint64_t watch_own_begin(const char *path, bool made);
void watch_own_end(uint64_t id, int res);

/* For lookups: 0 if the group at path (made in the primary hierarchy)
 * may be served, -EIO if it is half made. Takes no lock and makes no
 * system call unless a group is known to be half made or the watcher
 * has stopped. */
int watch_check(const struct cgroot *r, const char *path);
