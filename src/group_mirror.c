// SPDX-License-Identifier: MIT
/*
 * The hard limits a group's processes read from their own cgroup.
 *
 * A group's processes live in its .self leaf, so a runtime that sizes
 * itself from the files of its own cgroup (the JVM, Go, .NET, anything
 * in a cgroup namespace rooted there) reads the leaf's, not the group's.
 * The files of mirrored[] are kept the same in both: every write cgfs
 * makes to a group's file goes to its leaf too, and a leaf made later
 * copies them. The kernel holds these limits for the whole subtree on
 * both versions, v1's I/O throttling aside, which holds for its own
 * cgroup's tasks only: the copy changes what is read, not what is
 * enforced, and makes v1 I/O limits hold at all.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs/group.h"
#include "cgfs/log.h"
#include "group_int.h"

/* How a file's write goes to the group and the leaf. */
enum mirror_kind {
	MIRROR_VALUE,      /* one value: the group first */
	MIRROR_LINES,      /* v1 throttle: a line per device, each written alone */
	MIRROR_CFS_QUOTA,  /* v1 CFS: a child's quota/period may not pass */
	MIRROR_CFS_PERIOD, /* its parent's, so the leaf goes first when it falls */
};

struct mirror_file {
	enum cg_ctrl c;
	int version;
	const char *file;
	enum mirror_kind kind;
	/* What drops the bound this file puts on the others of its row
	 * set, for a leaf brought back in step (mirror_sync); NULL: none. */
	const char *loose;
};

/* In the order a new leaf takes them: the memory limit before memsw (v1
 * refuses memory > memsw), the CFS burst before the quota (the kernel
 * refuses a burst above the quota, and a new leaf has none). */
static const struct mirror_file mirrored[] = {
	{ CTRL_MEMORY, 1, "memory.limit_in_bytes", MIRROR_VALUE, NULL },
	{ CTRL_MEMORY, 1, "memory.memsw.limit_in_bytes", MIRROR_VALUE, "-1" },
	{ CTRL_MEMORY, 2, "memory.max", MIRROR_VALUE, NULL },
	{ CTRL_MEMORY, 2, "memory.swap.max", MIRROR_VALUE, NULL },
	/* Protection is handed down by use, and the leaf, a child claiming
	 * none, would get none of the group's without memory_recursiveprot
	 * on the mount: here the copy is what makes it hold. */
	{ CTRL_MEMORY, 2, "memory.low", MIRROR_VALUE, NULL },
	{ CTRL_MEMORY, 2, "memory.min", MIRROR_VALUE, NULL },
	{ CTRL_CPU, 1, "cpu.cfs_period_us", MIRROR_CFS_PERIOD, NULL },
	{ CTRL_CPU, 1, "cpu.cfs_burst_us", MIRROR_VALUE, NULL },
	{ CTRL_CPU, 1, "cpu.cfs_quota_us", MIRROR_CFS_QUOTA, "-1" },
	{ CTRL_CPU, 2, "cpu.max.burst", MIRROR_VALUE, NULL },
	{ CTRL_CPU, 2, "cpu.max", MIRROR_VALUE, "max" },
	{ CTRL_PIDS, 1, "pids.max", MIRROR_VALUE, NULL },
	{ CTRL_PIDS, 2, "pids.max", MIRROR_VALUE, NULL },
	{ CTRL_IO, 1, "blkio.throttle.read_bps_device", MIRROR_LINES, NULL },
	{ CTRL_IO, 1, "blkio.throttle.write_bps_device", MIRROR_LINES, NULL },
	{ CTRL_IO, 1, "blkio.throttle.read_iops_device", MIRROR_LINES, NULL },
	{ CTRL_IO, 1, "blkio.throttle.write_iops_device", MIRROR_LINES, NULL },
};

#define N_MIRRORED (sizeof(mirrored) / sizeof(mirrored[0]))
/* The most of one file copied (v1 throttle: a line per device). */
#define MIRROR_TEXT_MAX 4096

/* A group's pair of writes, and its leaf's first copy, go one at a time:
 * two writers of one knob, or a leaf made between a write to the group
 * and the write to the leaf, would leave the leaf with a value the group
 * no longer has. Locks are striped by the group's path, so that a slow
 * write (v1 reclaiming down to a lower limit) holds up few other groups. */
#define MIRROR_LOCKS 64
static pthread_mutex_t locks[MIRROR_LOCKS] = {
	[0 ... MIRROR_LOCKS - 1] = PTHREAD_MUTEX_INITIALIZER
};

static pthread_mutex_t *lock_of(const char *path)
{
	uint32_t hash = 2166136261u; /* FNV-1a */

	for (; *path; path++)
		hash = (hash ^ (unsigned char)*path) * 16777619u;
	return &locks[hash % MIRROR_LOCKS];
}

static bool serves(const struct cg_hier *h, const struct mirror_file *m)
{
	return h->version == m->version && (h->h->ctrls & (1u << m->c));
}

static const struct mirror_file *mirror_find(const struct cg_hier *h, const char *file)
{
	size_t i;

	for (i = 0; i < N_MIRRORED; i++)
		if (serves(h, &mirrored[i]) && strcmp(mirrored[i].file, file) == 0)
			return &mirrored[i];
	return NULL;
}

/* A file of dir as one line, its newline cut. */
static int read_line(const struct cg_hier *h, const char *dir, const char *file, char *buf,
                     size_t size)
{
	int res = cgfile_read_in(h->base_fd, dir, file, buf, size);

	if (res >= 0)
		buf[strcspn(buf, "\n")] = '\0';
	return res;
}

/* v1 refuses a quota/period ratio above the parent's, in a child and
 * in a parent lowered below a child. Whether writing text to the group's
 * file lowers the group's ratio: then the leaf, which holds the same
 * files, goes first. A change of several files (a new period: knobs_cfs.c
 * writes the period and the quota in the order that never passes a
 * bound) is decided write by write, so the two move in step. */
static bool ratio_falls(const struct cg_hier *h, const char *path,
                        const struct mirror_file *m, const char *text)
{
	char buf[NUM_TEXT_MAX];
	long long old, quota, now = strtoll(text, NULL, 10);

	if (read_line(h, path, m->file, buf, sizeof(buf)) < 0)
		return false;
	old = strtoll(buf, NULL, 10);
	if (m->kind == MIRROR_CFS_QUOTA)
		return now >= 0 && (old < 0 || now < old);
	if (read_line(h, path, "cpu.cfs_quota_us", buf, sizeof(buf)) < 0)
		return false;
	quota = strtoll(buf, NULL, 10);
	return quota >= 0 && now > old;
}

/* One file of the group and its leaf, in that order or the other: when
 * the second is refused, the first is put back and the error returned.
 * A group without a leaf (no process yet) is written alone. */
static int write_both(const struct cg_hier *h, const char *path, struct cgfile_seen *seen,
                      const char *lp, const char *file, const char *text, bool leaf_first)
{
	char old[MIRROR_TEXT_MAX];
	bool have_old = true;
	int res;

	if (leaf_first && read_line(h, lp, file, old, sizeof(old)) < 0)
		leaf_first = false; /* no leaf */
	if (!leaf_first)
		have_old = read_line(h, path, file, old, sizeof(old)) >= 0;
	if (leaf_first)
		res = cgfile_write_in(h->base_fd, lp, file, text);
	else
		res = cgfile_held_write(h->base_fd, path, file, seen, text);
	if (res < 0)
		return res;
	if (leaf_first)
		res = cgfile_held_write(h->base_fd, path, file, seen, text);
	else if ((res = cgfile_write_in(h->base_fd, lp, file, text)) == -ENOENT)
		return 0;
	if (res < 0 && have_old) {
		if (leaf_first)
			cgfile_write_in(h->base_fd, lp, file, old);
		else
			cgfile_held_write(h->base_fd, path, file, seen, old);
	}
	return res;
}

/* v1 throttle lines: the previous line of a device is not one the file
 * takes back in one write, so a leaf that refuses what its group took
 * is logged and the error returned. */
static int write_lines(const struct cg_hier *h, const char *path, struct cgfile_seen *seen,
                       const char *lp, const char *file, const char *text)
{
	int res = cgfile_held_write(h->base_fd, path, file, seen, text);

	if (res < 0)
		return res;
	res = cgfile_write_in(h->base_fd, lp, file, text);
	if (res == -ENOENT)
		return 0;
	if (res < 0)
		log_err("the limit %s of /%s/%s reached its group, not its leaf: %s", file,
		        h->base, path, strerror(-res));
	return res;
}

int mirror_write(const struct cg_hier *h, const char *path, struct cgfile_seen *seen,
                 const char *file, const char *text)
{
	const struct mirror_file *m = mirror_find(h, file);
	char lp[PATH_MAX];
	int res;

	if (!m || cgfile_join(lp, sizeof(lp), path, GROUP_LEAF) < 0)
		return cgfile_held_write(h->base_fd, path, file, seen, text);
	pthread_mutex_lock(lock_of(path));
	if (m->kind == MIRROR_LINES)
		res = write_lines(h, path, seen, lp, file, text);
	else
		res = write_both(h, path, seen, lp, file, text,
		                 m->kind != MIRROR_VALUE && ratio_falls(h, path, m, text));
	pthread_mutex_unlock(lock_of(path));
	return res;
}

/* Copies the group's files (with lines: all; else those that are one
 * value) to its leaf lp. */
static void copy_rows(const struct cg_hier *h, const char *lp, bool lines)
{
	char parent[PATH_MAX], text[MIRROR_TEXT_MAX], *line, *save = NULL;
	size_t i;

	cgfile_dirname(lp, parent, sizeof(parent));
	for (i = 0; i < N_MIRRORED; i++) {
		const struct mirror_file *m = &mirrored[i];

		if (!serves(h, m) || (!lines && m->kind == MIRROR_LINES) ||
		    cgfile_read_in(h->base_fd, parent, m->file, text, sizeof(text)) <= 0)
			continue;
		/* Each line as the kernel prints it is what the file takes. */
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (cgfile_write_in(h->base_fd, lp, m->file, line) < 0)
				log_err("cannot copy %s %s of /%s/%s to its leaf", m->file, line,
				        h->base, parent);
	}
}

void mirror_copy(const struct cg_hier *h, const char *lp)
{
	char parent[PATH_MAX];

	cgfile_dirname(lp, parent, sizeof(parent));
	pthread_mutex_lock(lock_of(parent));
	copy_rows(h, lp, true);
	pthread_mutex_unlock(lock_of(parent));
}

/* 1 if the leaf lp holds the values its group path holds (v1 throttle
 * lines aside), 0 if not, -ENOENT without a leaf. */
static int in_step(const struct cg_hier *h, const char *path, const char *lp)
{
	char g[MIRROR_TEXT_MAX], l[MIRROR_TEXT_MAX];
	size_t i;

	for (i = 0; i < N_MIRRORED; i++) {
		const struct mirror_file *m = &mirrored[i];

		if (!serves(h, m) || m->kind == MIRROR_LINES ||
		    read_line(h, path, m->file, g, sizeof(g)) < 0)
			continue;
		if (read_line(h, lp, m->file, l, sizeof(l)) < 0)
			return -ENOENT;
		if (strcmp(g, l) != 0)
			return 0;
	}
	return 1;
}

int mirror_sync(const struct cgroot *r, const char *path)
{
	char lp[PATH_MAX];
	size_t i, j;
	int fixed = 0;

	if (cgfile_join(lp, sizeof(lp), path, GROUP_LEAF) < 0)
		return 0;
	for (i = 0; i < r->n; i++) {
		const struct cg_hier *h = &r->h[i];

		pthread_mutex_lock(lock_of(path));
		if (in_step(h, path, lp) != 0) {
			pthread_mutex_unlock(lock_of(path));
			continue;
		}
		/* Whatever the leaf holds, the group's values then fit. */
		for (j = 0; j < N_MIRRORED; j++)
			if (serves(h, &mirrored[j]) && mirrored[j].loose)
				cgfile_write_in(h->base_fd, lp, mirrored[j].file, mirrored[j].loose);
		copy_rows(h, lp, false);
		pthread_mutex_unlock(lock_of(path));
		log_info("the limits of group /%s's leaf in %s were not its own: copied",
		         path, h->h->mountpoint);
		fixed++;
	}
	return fixed;
}
