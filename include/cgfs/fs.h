/* SPDX-License-Identifier: MIT */
/*
 * fs: the FUSE low-level operations. Node ids are derived from a real
 * inode number plus a slot: for a group's directory, its knob files and
 * its raw/, the inode of the group's directory in the primary hierarchy;
 * for a file in raw/, the inode of the kernel's file and its hierarchy.
 * So they are stable for the life of a group and mean the same thing to
 * every server instance.
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
	double timeout; /* entry and attribute timeout, seconds */
	uint32_t epoch; /* this server's number: file handles carry it */
};

extern const struct fuse_lowlevel_ops fs_ops;

/* Frees the node table (after the session loop ended). */
void fs_destroy_nodes(void);

/* The node id of a group's directory whose directory in the primary
 * hierarchy has inode real_ino; FUSE_ROOT_ID for the base. */
fuse_ino_t fs_dir_ino(ino_t real_ino, bool is_base);
