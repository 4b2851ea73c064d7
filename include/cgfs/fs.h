/* SPDX-License-Identifier: MIT */
/*
 * fs: the FUSE low-level operations, translating requests into calls
 * of the group and policy layers. Node ids: include/cgfs/nodeid.h.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <fuse_lowlevel.h>

#include "cgfs/config.h"
#include "cgfs/group.h"

struct fs {
	struct cgroot *root;
	const struct config *cfg;
	double cache_timeout; /* entry and attribute timeout while caching, seconds */
	double timeout;       /* the one given now: cache_timeout or 0 */
	uint32_t epoch;       /* this server's number: file handles carry it */
	/* This server's session: it tells the kernel a cached limit's
	 * attributes are stale (src/fs_file.c), itself. */
	struct fuse_session *se;
};

extern const struct fuse_lowlevel_ops fs_ops;

/* Frees the node table (after the session loop ended). */
void fs_destroy_nodes(void);

/* Entries and attributes are cached for cache_timeout (on) or not at
 * all (off): the watcher says which (watch_hooks.set_caching). */
void fs_set_caching(struct fs *fs, bool on);

/* The group at path is gone from a hierarchy (watch_hooks.gone): a
 * poller waiting on an events file at or below it is looked at now. */
void fs_group_gone(struct fs *fs, const char *path);
