// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgfs/group.h"
#include "cgfs/log.h"
#include "group_int.h"

/* ---- create ---- */

void remove_made(const struct cgroot *r, const char *path, const bool *made)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (made[i])
			unlinkat(r->h[i].base_fd, path, AT_REMOVEDIR);
}

/* v1's per-device I/O limit files (the v1 files of knob_table's io_*
 * limit rows, whose values are lines), and the most of one copied. */
static const char *const throttle_v1_files[] = {
	"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
	"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
};
#define THROTTLE_TEXT_MAX 4096

/* v1's blk-throttle is not hierarchical: a limit holds for the tasks of
 * its own cgroup only. A group's own processes live in its leaf, so a
 * leaf made now gets the group's limits (each line as the kernel prints
 * it, "MAJ:MIN N", is what the file takes). */
static void throttle_inherit(const struct cg_hier *h, const char *lp)
{
	char parent[PATH_MAX], text[THROTTLE_TEXT_MAX], *line, *save = NULL;
	size_t i;

	if (h->version != 1 || !(h->h->ctrls & (1u << CTRL_IO)))
		return;
	cgfile_dirname(lp, parent, sizeof(parent));
	for (i = 0; i < sizeof(throttle_v1_files) / sizeof(throttle_v1_files[0]); i++) {
		if (cgfile_read_in(h->base_fd, parent, throttle_v1_files[i], text,
		                   sizeof(text)) <= 0)
			continue;
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (cgfile_write_in(h->base_fd, lp, throttle_v1_files[i], line) < 0)
				log_err("cannot copy the I/O limit %s of /%s/%s to its leaf",
				        line, h->base, parent);
	}
}

/* v2's memory protection (the v2 files of memory_low_mb, memory_min_mb).
 * A group's own processes live in its leaf, a child cgroup that claims
 * no protection of its own: without memory_recursiveprot on the mount
 * the group's protection would not reach them, so the leaf holds the
 * group's (the kernel's text, bytes or "max", is what the file takes).
 * fresh: the leaf was just made (and has 0, which need not be copied). */
int protect_inherit(const struct cg_hier *h, const char *lp, bool fresh)
{
	static const char *const files[] = { "memory.low", "memory.min" };
	char parent[PATH_MAX], text[NUM_TEXT_MAX];
	size_t i;
	int res = 0, r;

	if (h->version != 2 || !(h->h->ctrls & (1u << CTRL_MEMORY)))
		return 0;
	cgfile_dirname(lp, parent, sizeof(parent));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		r = cgfile_read_in(h->base_fd, parent, files[i], text, sizeof(text));
		if (r == -ENOENT || (r > 0 && fresh && strcmp(text, "0\n") == 0))
			continue;
		if (r >= 0)
			r = cgfile_write_in(h->base_fd, lp, files[i], text);
		if (r < 0 && res == 0)
			res = r;
	}
	return res;
}

/* The leaf lp of a group in one hierarchy, made if missing; a v1 cpuset
 * leaf with no CPUs (made by someone else) is filled too, or it would
 * refuse every process. 1 made, 0 there already, or -errno. */
int leaf_in(const struct cg_hier *h, const char *lp)
{
	bool made = mkdirat(h->base_fd, lp, 0755) == 0;

	if (!made && errno != EEXIST)
		return -errno;
	cpuset_inherit(h, lp, made);
	if (made) {
		throttle_inherit(h, lp);
		if (protect_inherit(h, lp, true) < 0)
			log_err("cannot copy the memory protection of /%s/%s to its leaf", h->base, lp);
	}
	return made;
}

/* A group's leaf in every hierarchy where it is missing: it is made with
 * the group's first process, not with the group (a group that never holds
 * one costs half the cgroups). All or nothing; made[i] says where. */
int make_leaf(const struct cgroot *r, const char *path, bool *made)
{
	char lp[PATH_MAX];
	size_t i;
	int res = cgfile_join(lp, sizeof(lp), path, GROUP_LEAF);

	for (i = 0; res >= 0 && i < r->n; i++) {
		res = leaf_in(&r->h[i], lp);
		made[i] = res > 0;
	}
	if (res >= 0)
		return 0;
	remove_made(r, lp, made);
	return res;
}

/* On v2 the kernel can hold the group caps too: every group is two
 * cgroups (itself and its .self leaf), and the leaf is one level deeper. */
static int v2_tree_caps(const struct cgroot *r, const char *path, const struct caps *caps)
{
	char text[NUM_TEXT_MAX];
	size_t i;
	int res = 0;

	for (i = 0; i < r->n && res == 0; i++) {
		if (r->h[i].version != 2)
			continue;
		/* The kernel keeps both in an int: anything past is "max". */
		if (caps->max_groups >= 0) {
			if (2 * caps->max_groups + 1 > INT_MAX)
				snprintf(text, sizeof(text), "max");
			else
				snprintf(text, sizeof(text), "%ld", 2 * caps->max_groups + 1);
			res = cgfile_write_in(r->h[i].base_fd, path, "cgroup.max.descendants", text);
		}
		if (res == 0 && caps->max_depth >= 0) {
			if (caps->max_depth + 1 > INT_MAX)
				snprintf(text, sizeof(text), "max");
			else
				snprintf(text, sizeof(text), "%ld", caps->max_depth + 1);
			res = cgfile_write_in(r->h[i].base_fd, path, "cgroup.max.depth", text);
		}
	}
	return res;
}

int apply_caps(const struct cgroot *r, const char *path, const struct caps *caps)
{
	size_t i;
	int res = v2_tree_caps(r, path, caps);

	if (res < 0)
		return res;

	for (i = 0; i < knob_count && i < KNOB_TABLE_MAX; i++) {
		const struct knob *k = &knob_table[i];

		if (!caps->value[i] || !k->cap || !k->set)
			continue;
		if (!r->knob_on[i]) {
			log_warn("cap %s for /%s not applied: no such knob here (no %s "
			         "controller, or not the kernel file)", k->name, path,
			         ctrl_name(k->ctrl));
			continue;
		}
		res = group_knob_write(r, path, k, caps->value[i]);
		if (res < 0) {
			log_err("cap %s = %s for /%s refused by the kernel: %s", k->name,
			        caps->value[i], path, strerror(-res));
			return res;
		}
	}
	return 0;
}

int group_set_caps(const struct cgroot *r, const char *path, const struct caps *caps)
{
	int res;

	cgroot_lock(r);
	res = apply_caps(r, path, caps);
	cgroot_unlock(r);
	return res;
}

int group_create(const struct cgroot *r, const char *path, const struct caps *caps)
{
	bool made[LAYOUT_MAX_HIER] = { false };
	size_t k;
	int res;

	/* The primary hierarchy first: its EEXIST means the group exists. */
	for (k = 0; k < r->n; k++) {
		size_t i = k == 0 ? (size_t)r->primary : (k <= (size_t)r->primary ? k - 1 : k);
		const struct cg_hier *h = &r->h[i];

		if (mkdirat(h->base_fd, path, 0755) == 0) {
			made[i] = true;
		} else if (errno != EEXIST || i == (size_t)r->primary) {
			res = -errno;
			goto fail;
		}
		cpuset_inherit(h, path, made[i]);
		v2_enable_below(r, h, path);
	}
	if (caps) {
		res = apply_caps(r, path, caps);
		if (res < 0)
			goto fail;
	}
	return 0;
fail:
	remove_made(r, path, made);
	return res;
}
