// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "cgfs/group.h"
#include "cgfs/log.h"
#include "group_int.h"

/* ---- remove ---- */

/* rmdir of name in dfd; EBUSY can outlive the last task's exit by a
 * moment (it is still being torn down), so it is retried briefly. 0 when
 * gone. */
static int rmdir_retry(int dfd, const char *name)
{
	int tries;

	for (tries = 0; tries < 200; tries++) {
		if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		sleep_ms(5);
	}
	return -errno;
}

static int rm_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name, char **data)
{
	return 0;
}

/* Removes one cgroup below the start, its children gone. A failure
 * stops the walk: none of its ancestors can go either, and each would
 * wait out rmdir_retry() in vain. */
static int rm_post(void *arg, struct walk *w, int pdfd, const char *name, char *data)
{
	return rmdir_retry(pdfd, name);
}

/* Removes path and every cgroup below it in one hierarchy, deepest
 * first, however deep. 0 (nothing there is 0 too) or the first -errno. */
static int rmdir_tree(int base_fd, const char *path)
{
	static const struct walk_ops ops = { rm_pre, rm_post };
	int res;

	res = walk_tree(base_fd, path, false, &ops, NULL);
	if (res == -ENOENT)
		return 0;
	if (res < 0)
		return res;
	return rmdir_retry(base_fd, *path ? path : ".");
}

/* Moves every process at and below path, in every hierarchy, to target's
 * leaf (made when the first one goes there), until none is left: a
 * process may fork while it is moved. */
static int evacuate(const struct cgroot *r, const char *path, const char *target)
{
	struct move_ctx m;
	char tl[PATH_MAX], tp[PATH_MAX];
	size_t i;
	int round, res;

	if ((res = cgfile_join(tl, sizeof(tl), target, GROUP_LEAF)) < 0 ||
	    (res = cgfile_join(tp, sizeof(tp), tl, "cgroup.procs")) < 0)
		return res;
	for (i = 0; i < r->n; i++) {
		m = (struct move_ctx){ &r->h[i], tl, tp, false };
		for (round = 0; round < EVACUATE_ROUNDS; round++)
			if (for_each_pid(r->h[i].base_fd, path, move_one, &m) <= 0)
				break;
		if (round == EVACUATE_ROUNDS)
			return -EBUSY;
	}
	return 0;
}

/* A cgfile_dir_each() callback: stops at a child group, notes the leaf. */
static int not_leaf(void *arg, const char *name, unsigned char type, ino_t ino)
{
	bool *leaf = arg;

	if (type != DT_DIR)
		return 0;
	if (strcmp(name, GROUP_LEAF) != 0)
		return 1;
	*leaf = true;
	return 0;
}

/* Removes path's directory in h, and its leaf first where it has one
 * (leaf: the primary hierarchy showed one; a leaf only some hierarchies
 * have is found by the kernel's EBUSY). 0 when gone; -errno otherwise,
 * with the leaf made again if it was removed. */
static int remove_dir_quick(const struct cg_hier *h, const char *path, const char *lp,
                            bool leaf)
{
	bool had_leaf = false;
	int res;

	if (leaf) {
		had_leaf = unlinkat(h->base_fd, lp, AT_REMOVEDIR) == 0;
		if (!had_leaf && errno != ENOENT)
			return -errno;
	}
	if (unlinkat(h->base_fd, path, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	res = -errno;
	if (!leaf && res == -EBUSY && unlinkat(h->base_fd, lp, AT_REMOVEDIR) == 0) {
		had_leaf = true;
		if (unlinkat(h->base_fd, path, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		res = -errno;
	}
	if (had_leaf && mkdirat(h->base_fd, lp, 0755) == 0)
		cpuset_inherit(h, lp, true);
	return res;
}

/* The common case, a group with no child groups and no processes, in two
 * rmdirs per hierarchy and no reading: the kernel itself refuses (EBUSY)
 * to remove a cgroup holding a task or a child. The primary hierarchy
 * goes last, the freezer's just before it, so a group the kernel refuses
 * somewhere stays listed and can be frozen and killed; a leaf removed
 * from a group the kernel then refuses is made again. 1 when the group is
 * gone, 0 when it needs the long way (listing, moving, retrying). */
static int remove_quick(const struct cgroot *r, const char *path)
{
	int order[LAYOUT_MAX_HIER], fz = r->by_ctrl[CTRL_FREEZER];
	char lp[PATH_MAX];
	size_t i, n = 0;
	bool leaf = false;

	if (cgfile_join(lp, sizeof(lp), path, GROUP_LEAF) < 0)
		return 0;
	/* Child groups: the long way at once (nothing is undone then). */
	if (cgfile_dir_each_at(primary(r)->base_fd, path, not_leaf, &leaf) != 0)
		return 0;
	for (i = 0; i < r->n; i++)
		if ((int)i != r->primary && (int)i != fz)
			order[n++] = (int)i;
	if (fz >= 0 && fz != r->primary)
		order[n++] = fz;
	order[n++] = r->primary;
	for (i = 0; i < n; i++)
		if (remove_dir_quick(&r->h[order[i]], path, lp, leaf) < 0)
			return 0;
	return 1;
}

static int remove_group(const struct cgroot *r, const char *path)
{
	char parent[PATH_MAX];
	struct stat st;
	size_t i;
	int res, first = 0;

	res = group_stat(r, path, &st);
	if (res < 0)
		return res;
	if (remove_quick(r, path))
		return 0;
	if (r->rmdir_mode == RMDIR_KILL) {
		res = group_kill(r, path);
		if (res == 0)
			res = wait_empty(r, path);
	} else {
		cgfile_dirname(path, parent, sizeof(parent));
		res = evacuate(r, path, parent);
	}
	if (res < 0)
		return res;
	for (i = 0; i < r->n; i++) {
		res = rmdir_tree(r->h[i].base_fd, path);
		if (res < 0 && !first)
			first = res;
	}
	if (first)
		log_err("removing /%s left something behind: %s", path, strerror(-first));
	return first;
}

int group_remove_try(const struct cgroot *r, const char *path)
{
	struct stat st;
	int res = group_stat(r, path, &st);

	if (res < 0)
		return res;
	res = remove_quick(r, path);
	if (res)
		cgfile_held_close(path);
	return res;
}

int group_evict(const struct cgroot *r, const char *path)
{
	int res;

	if (r->rmdir_mode != RMDIR_KILL)
		return 0;
	res = group_kill(r, path);
	return res < 0 ? res : wait_empty(r, path);
}

int group_remove(const struct cgroot *r, const char *path)
{
	int res = remove_group(r, path);

	cgfile_held_close(path);
	return res;
}

/* ---- transient groups: removed once idle, never emptied ---- */

/* Removes the leaf lp in every hierarchy, in group_move_pid()'s order:
 * a process moved in meanwhile is either in the leaf where it is
 * refused (EBUSY), or finds it gone and is moved back. On a refusal the
 * leaf is made again where it was removed: all or nothing. */
static int leaf_remove(const struct cgroot *r, const char *lp)
{
	bool gone[LAYOUT_MAX_HIER] = { false };
	size_t i, j;
	int res = 0;

	for (i = 0; i < r->n && res == 0; i++) {
		if (unlinkat(r->h[i].base_fd, lp, AT_REMOVEDIR) == 0)
			gone[i] = true;
		else if (errno != ENOENT)
			res = -errno;
	}
	for (j = 0; res < 0 && j < r->n; j++)
		if (gone[j] && mkdirat(r->h[j].base_fd, lp, 0755) == 0)
			cpuset_inherit(&r->h[j], lp, true);
	return res;
}

struct leaves {
	const struct cgroot *r;
	const char *start;
};

static int leaves_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
                      char **data)
{
	return 0;
}

/* A directory done below the start (its path from there in w->path):
 * removed if it is a leaf. Stops at the first leaf that stays. */
static int leaves_post(void *arg, struct walk *w, int pdfd, const char *name, char *data)
{
	const struct leaves *l = arg;
	char lp[PATH_MAX];
	int res;

	if (strcmp(name, GROUP_LEAF) != 0)
		return 0;
	res = cgfile_join(lp, sizeof(lp), l->start, w->path);
	return res < 0 ? res : leaf_remove(l->r, lp);
}

int group_remove_idle(const struct cgroot *r, const char *path)
{
	static const struct walk_ops ops = { leaves_pre, leaves_post };
	struct leaves l = { r, path };
	size_t i;
	int res;

	if (!strchr(path, '/'))
		return -EPERM;
	res = group_autoremove_get(r, path, -1);
	if (res == 1)
		res = group_idle(r, path, NULL);
	if (res <= 0)
		return res < 0 ? res : -EAGAIN;
	/* Without leaves nothing below can hold a process (cgfs puts them
	 * in leaves only), and none can be made: that takes the tree lock. */
	res = walk_tree(primary(r)->base_fd, path, false, &ops, &l);
	if (res < 0)
		return res;
	for (i = 0; i < r->n; i++) {
		res = rmdir_tree(r->h[i].base_fd, path);
		if (res < 0) {
			log_err("removing the transient group /%s left something behind: %s",
			        path, strerror(-res));
			break;
		}
	}
	cgfile_held_close(path);
	return res;
}
