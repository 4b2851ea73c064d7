/* SPDX-License-Identifier: MIT */
/*
 * knobs: the table of friendly files. One row per knob: name, mode,
 * controller, the v1 and v2 files behind it, and its get/set functions.
 * The row is the only place that names the files: get/set receive their
 * row and read its file names from it, so rows of one kind (a size in
 * MiB, a percent of a CPU, a weight, a count, a list) share one pair.
 *
 * get/set never touch the file system themselves: they go through a
 * struct knob_io that the group module implements on real cgroup
 * directories and unit tests implement on an in-memory map. So every
 * conversion, both directions, on v1 and v2, is testable without a kernel.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgfs/layout.h"

/* Rows knob_table may have: struct caps and struct cgroot keep fixed
 * arrays indexed by row. */
#define KNOB_TABLE_MAX 32
/* Largest value a knob accepts, and the largest text a knob renders. */
#define KNOB_VALUE_MAX 4096
#define KNOB_TEXT_MAX 4096

struct procview_loadavg;
struct dev_rule;

struct knob_io {
	void *ctx;
	/* 1 or 2: the version of the hierarchy serving c; 0 if none. */
	int (*version)(void *ctx, enum cg_ctrl c);
	/* Reads file (kernel name) of this group in c's hierarchy into buf,
	 * NUL-terminated; returns the length or -errno. A file name may
	 * start with "../" steps: the same file of an ancestor. */
	int (*read)(void *ctx, enum cg_ctrl c, const char *file, char *buf,
	            size_t size);
	/* Writes text to that file; 0 or -errno (the kernel's). */
	int (*write)(void *ctx, enum cg_ctrl c, const char *file,
	             const char *text);
	/* 1 if the file exists for this group, 0 if not. */
	int (*exists)(void *ctx, enum cg_ctrl c, const char *file);
	/* Optional (NULL: -ENOENT): reads a host file outside the cgroup
	 * tree (meminfo's /proc/meminfo) as read does. */
	int (*host_read)(void *ctx, const char *path, char *buf, size_t size);
	/* Optional (NULL: -ENOENT): calls fn(arg, text) with the text of
	 * file in every cgroup below this group in c's hierarchy (its .self
	 * leaf included, the group itself not) where the file exists, until
	 * fn returns nonzero; returns that, 0 or -errno. */
	int (*each_below)(void *ctx, enum cg_ctrl c, const char *file,
	                  int (*fn)(void *arg, const char *text), void *arg);
	/* Optional (NULL: -EINVAL): the device number of the block device
	 * node at path, which starts with "/dev/"; 0, -ENOENT if there is
	 * nothing there, -EINVAL if it is no block device or the path
	 * leaves /dev's own file system. */
	int (*block_dev)(void *ctx, const char *path, unsigned *ret_major,
	                 unsigned *ret_minor);
	/* Optional (NULL: -ENOENT): calls fn for every pid in the group and
	 * the groups below it; how many, or -errno. */
	int (*pids)(void *ctx, void (*fn)(void *arg, pid_t pid), void *arg);
	/* Optional (NULL: -ENOENT): how many of the group's threads (and
	 * its subgroups') are runnable (R) and in uninterruptible sleep (D)
	 * now, of at most LOADAVG_READ_LOOKS looked at; and in the same
	 * walk, as pids does, fn (NULL: none) for every pid of the group
	 * and the groups below it, with the start of the process (field 22
	 * of its /proc/PID/stat) where the walk has just read it as a
	 * thread's, else NULL. How many pids, or -errno. */
	int (*load_now)(void *ctx, void (*fn)(void *arg, pid_t pid, const uint64_t *start),
	                void *arg, unsigned *ret_running, unsigned *ret_blocked);
	/* Optional (NULL: -ENOENT): the group's load (view's loadavg): its
	 * threads now and its averages as the sampler keeps them; 0 or
	 * -errno. */
	int (*loadavg)(void *ctx, struct procview_loadavg *ret);
	/* Optional (NULL: -ENOENT): the group's own device deny rules
	 * (cgfs/devices.h), read back from the kernel into ret (at most
	 * max): how many, or -errno; with ret NULL, 0 if this group can
	 * hold a list at all (a cgroup2 directory, a kernel that runs
	 * device programs), else -errno. */
	int (*dev_rules)(void *ctx, struct dev_rule *ret, size_t max);
	/* Optional (NULL: -ENOENT): makes the n rules the group's own list
	 * (0: none); 0 or -errno, nothing changed on failure. */
	int (*dev_rules_set)(void *ctx, const struct dev_rule *rules, size_t n);
	/* Optional (NULL: -EINVAL): as block_dev, for a character or block
	 * device node: its type ('c' or 'b') too. */
	int (*dev_node)(void *ctx, const char *path, char *ret_type, unsigned *ret_major,
	                unsigned *ret_minor);
};

enum knob_kind {
	KNOB_VALUE,  /* get/set below do all the work */
	KNOB_PROCS,  /* group module: read/move pids in every hierarchy */
	KNOB_FREEZE, /* group module: freeze/thaw and wait for the state */
	KNOB_KILL,   /* group module: SIGKILL the whole subtree */
	KNOB_AUTOREMOVE, /* group module: a mark on the group's directory */
};

struct knob {
	const char *name;
	mode_t mode;          /* 0644 rw, 0444 ro, 0200 write-only */
	enum cg_ctrl ctrl;    /* its hierarchy */
	/* The file behind the knob, and the default availability probe;
	 * NULL where that version has no equivalent (no knob there). */
	const char *v1_file;
	const char *v2_file;
	/* Optional: a second file the conversion reads on that version (v1
	 * cpu's period, v2 cpuset's effective list, the v1 memory limit and
	 * memsw limit of each other). */
	const char *v1_aux;
	const char *v2_aux;
	bool cap;             /* admin cap: root-owned at a tree root; a config key */
	bool admin_at_root;   /* root-owned at a tree root, though no config key */
	bool lines;           /* the value is lines of tokens (knob_trim_lines) */
	bool may_clear;       /* a blank value (a lone newline) is a value: none */
	enum knob_kind kind;
	/* Renders the value, newline-terminated, into buf; length or -errno.
	 * NULL for write-only knobs. */
	int (*get)(const struct knob *k, const struct knob_io *io, char *buf, size_t size);
	/* Applies a trimmed value; validates all of it before the first
	 * write, and undoes its own earlier writes if a later one fails.
	 * NULL for read-only knobs and for PROCS/FREEZE/KILL. */
	int (*set)(const struct knob *k, const struct knob_io *io, const char *value);
	/* Parses a trimmed value without applying it: 0, -EINVAL, -ERANGE.
	 * NULL for read-only knobs. For PROCS/FREEZE/KILL this is the whole
	 * validation the group module relies on. */
	int (*check)(const char *value);
	/* Optional: whether this group's files provide the knob; when NULL,
	 * the knob is available iff io->exists() finds the file of the
	 * serving hierarchy's version. */
	bool (*available)(const struct knob *k, const struct knob_io *io);
};

extern const struct knob knob_table[];
extern const size_t knob_count;

/* The row named name, or NULL. */
const struct knob *knob_find(const char *name);

/* Whether this group's hierarchies provide k (see knob.available). */
bool knob_available(const struct knob *k, const struct knob_io *io);

/* Turns what a writer sent (len bytes, not NUL-terminated) into one
 * token in out: strips surrounding blanks and newlines. -EINVAL for an
 * empty value, a NUL byte, or more than one token; -EINVAL if it does not
 * fit in outsz (outsz <= KNOB_VALUE_MAX). */
int knob_trim(const char *in, size_t len, char *out, size_t outsz);

/* As knob_trim, for a row whose value is lines ("DEVICE VALUE"):
 * strips surrounding blanks and newlines and keeps the inner ones.
 * -EINVAL for an empty value, a NUL, CR, VT or FF byte, or if it does not
 * fit in outsz. */
int knob_trim_lines(const char *in, size_t len, char *out, size_t outsz);

/* Whether len bytes of write(2) data are blanks and newlines only (none
 * at all included): the empty value of a may_clear row. */
bool knob_blank(const char *in, size_t len);

/* Parses the pid written to procs: 1..INT_MAX decimal, else -EINVAL. */
int knob_parse_pid(const char *value, int *ret_pid);

/* Parses freeze/kill values: "0"/"1" -> 0/1; any other integer -ERANGE;
 * anything else -EINVAL. kill accepts only 1 (0 is -ERANGE). */
int knob_parse_freeze(const char *value, int *ret_on);
int knob_parse_kill(const char *value);

/* Parses autoremove values: "0"/"1" -> 0/1; anything else -EINVAL (a
 * switch, not a number: nothing is out of range). */
int knob_parse_autoremove(const char *value, int *ret_on);
