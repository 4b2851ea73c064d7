/* SPDX-License-Identifier: MIT */
/*
 * nodeid: the node ids cgfs gives the kernel, derived from real inode
 * numbers so that they are stable for the life of a group and mean the
 * same thing to every server instance (a restart keeps the kernel's ids).
 *
 * An id is (inode << NODEID_SLOT_BITS) | slot. A group's directory, its
 * knobs and its raw/ use the inode of the group's directory in the
 * primary hierarchy with slots DIR, KNOB + knob index, RAWDIR and VIEW +
 * the row of a file or directory of its /proc and /sys view. A raw
 * file uses the inode of the real file, unique only within its own
 * hierarchy, with slot RAW + the hierarchy's index: slots below RAW never
 * take that form, so no two ids meet. The mount's root is NODEID_ROOT.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define NODEID_ROOT 1 /* FUSE_ROOT_ID */
#define NODEID_SLOT_BITS 10
#define NODEID_SLOT_MASK ((uint64_t)(1u << NODEID_SLOT_BITS) - 1)
#define NODEID_SLOT_DIR 0
#define NODEID_SLOT_KNOB 1
#define NODEID_SLOT_RAWDIR 0x3f
#define NODEID_SLOT_VIEW 0x40
#define NODEID_SLOT_RAW 512
#define NODEID_KNOBS_MAX (NODEID_SLOT_RAWDIR - NODEID_SLOT_KNOB)
#define NODEID_VIEWS_MAX (NODEID_SLOT_RAW - NODEID_SLOT_VIEW)
#define NODEID_HIERS_MAX ((1u << NODEID_SLOT_BITS) - NODEID_SLOT_RAW)

enum nodeid_kind {
	NODEID_BAD,    /* no id cgfs gives has this slot */
	NODEID_DIR,    /* a tree root or a group */
	NODEID_KNOB,   /* index: the knob */
	NODEID_RAWDIR, /* a group's raw/ */
	NODEID_RAW,    /* index: the hierarchy of a file in raw/ */
	NODEID_VIEW,   /* index: the row of a view file or directory */
};

static inline uint64_t nodeid_make(ino_t real, unsigned slot)
{
	return ((uint64_t)real << NODEID_SLOT_BITS) | slot;
}

/* The id of a group's directory whose directory in the primary
 * hierarchy has inode real; NODEID_ROOT for the base. */
static inline uint64_t nodeid_dir(ino_t real, bool is_base)
{
	return is_base ? NODEID_ROOT : nodeid_make(real, NODEID_SLOT_DIR);
}

static inline uint64_t nodeid_knob(ino_t dir, unsigned knob)
{
	return nodeid_make(dir, NODEID_SLOT_KNOB + knob);
}

static inline uint64_t nodeid_rawdir(ino_t dir)
{
	return nodeid_make(dir, NODEID_SLOT_RAWDIR);
}

/* A file or directory of a group's view: row in view_table. */
static inline uint64_t nodeid_view(ino_t dir, unsigned row)
{
	return nodeid_make(dir, NODEID_SLOT_VIEW + row);
}

/* A file in raw/: real is the kernel file's own inode in hierarchy hier. */
static inline uint64_t nodeid_raw(ino_t real, unsigned hier)
{
	return nodeid_make(real, NODEID_SLOT_RAW + hier);
}

/* Whether id was made from real: a group or a real file removed and
 * made again has another inode, so it is another node. */
static inline bool nodeid_is_of(uint64_t id, ino_t real)
{
	return (id & ~NODEID_SLOT_MASK) == nodeid_make(real, 0);
}

/* What id stands for, the inode it was made from in *real and the knob
 * or hierarchy in *index (0 otherwise). Not for NODEID_ROOT. */
static inline enum nodeid_kind nodeid_decode(uint64_t id, ino_t *real, unsigned *index)
{
	unsigned slot = (unsigned)(id & NODEID_SLOT_MASK);

	*real = (ino_t)(id >> NODEID_SLOT_BITS);
	*index = 0;
	if (slot == NODEID_SLOT_DIR)
		return NODEID_DIR;
	if (slot < NODEID_SLOT_RAWDIR) {
		*index = slot - NODEID_SLOT_KNOB;
		return NODEID_KNOB;
	}
	if (slot == NODEID_SLOT_RAWDIR)
		return NODEID_RAWDIR;
	if (slot >= NODEID_SLOT_RAW) {
		*index = slot - NODEID_SLOT_RAW;
		return NODEID_RAW;
	}
	if (slot >= NODEID_SLOT_VIEW) {
		*index = slot - NODEID_SLOT_VIEW;
		return NODEID_VIEW;
	}
	return NODEID_BAD;
}
