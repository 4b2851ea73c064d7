/* SPDX-License-Identifier: MIT */
/*
 * layout: which cgroup hierarchies this host has, where they are mounted
 * and which of them serves each controller cgfs knows.
 *
 * Pure parsing (layout_parse) is separate from reading /proc (layout_load)
 * so unit tests can feed literal mountinfo and /proc/self/cgroup text.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Abstract controllers: v1 "blkio" and v2 "io" are both CTRL_IO. On v2,
 * CTRL_FREEZER (cgroup.freeze) and CTRL_CPUACCT (cpu.stat usage) are core
 * files every cgroup has, so a v2 hierarchy always serves them. */
enum cg_ctrl {
	CTRL_CPU,
	CTRL_CPUACCT,
	CTRL_CPUSET,
	CTRL_MEMORY,
	CTRL_IO,
	CTRL_PIDS,
	CTRL_FREEZER,
	CTRL_MAX,
	CTRL_INVALID = -22, /* -EINVAL */
};

#define LAYOUT_MAX_HIER 16

struct hier {
	int version;        /* 1 or 2 */
	char *mountpoint;   /* unescaped mount point, e.g. /sys/fs/cgroup/memory */
	char *mount_root;   /* mountinfo "root" field: the cgroup shown at mountpoint */
	char *own_cgroup;   /* our cgroup in this hierarchy (/proc/self/cgroup), or NULL */
	char *options;      /* v1: controller list from super options ("cpu,cpuacct",
	                     * "name=systemd"); v2: "" */
	unsigned ctrls;     /* bit (1u << enum cg_ctrl) for every controller served */
};

struct layout {
	struct hier hier[LAYOUT_MAX_HIER];
	size_t n;
	int by_ctrl[CTRL_MAX]; /* index into hier[] serving it, or -1 */
	int v2;                /* index of the cgroup2 hierarchy, or -1 */
};

/* Parses literal text. v2_controllers is the content of cgroup.controllers
 * at the cgroup2 mount point (may be NULL or "" when there is none).
 * A v1 hierarchy with a controller wins over v2 for that controller;
 * otherwise v2 serves it if listed (or if core: FREEZER, CPUACCT).
 * Only the first mount of each hierarchy is kept. Named v1 hierarchies
 * (name=systemd) are kept with ctrls == 0.
 * Returns 0, or -EINVAL on malformed text (nothing allocated then). */
int layout_parse(const char *mountinfo, const char *proc_cgroup,
                 const char *v2_controllers, struct layout *ret);

/* Reads /proc/self/mountinfo, /proc/self/cgroup and the v2 root's
 * cgroup.controllers, then layout_parse(). -ENOENT if no cgroup fs. */
int layout_load(struct layout *ret);

void layout_free(struct layout *l);

/* Our own cgroup relative to the hierarchy's mount point ("" when they are
 * the same, "a/b" otherwise, no leading slash); NULL when unknown or when
 * own_cgroup is not below mount_root. Points into h or is a static "". */
const char *hier_own_relative(const struct hier *h);

/* "cpu", "cpuacct", "cpuset", "memory", "io", "pids", "freezer" */
const char *ctrl_name(enum cg_ctrl c);
