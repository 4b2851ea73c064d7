// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgfs/group.h"
#include "cgfs/log.h"
#include "cgfs/util.h"
#include "group_int.h"

/* ---- whole groups: repairs after a crash or an outside change ---- */

/* Whether dir is a directory below the hierarchy's base. */
static bool dir_in(const struct cg_hier *h, const char *dir)
{
	struct stat st;

	return fstatat(h->base_fd, *dir ? dir : ".", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

int group_presence(const struct cgroot *r, const char *path, unsigned *ret_dirs,
                   unsigned *ret_leaves)
{
	char lp[PATH_MAX];
	unsigned dirs = 0, leaves = 0;
	size_t i;
	int res = cgfile_join(lp, sizeof(lp), path, GROUP_LEAF);

	if (res < 0)
		return res;
	for (i = 0; i < r->n; i++) {
		if (!dir_in(&r->h[i], path))
			continue;
		dirs |= 1u << i;
		if (dir_in(&r->h[i], lp))
			leaves |= 1u << i;
	}
	*ret_dirs = dirs;
	*ret_leaves = leaves;
	return 0;
}

int group_whole(const struct cgroot *r, const char *path)
{
	unsigned all = (1u << r->n) - 1, dirs, leaves;
	int res = group_presence(r, path, &dirs, &leaves);

	if (res < 0)
		return res;
	if (!dirs)
		return 0;
	return dirs == all && (leaves == 0 || leaves == all) ? 1 : -EIO;
}

/* Makes what is missing of the group in one hierarchy, as group_create
 * does: the directory, v1 cpuset filled from the parent, v2 controllers
 * enabled below it, and the leaf lp unless NULL. What exists is kept as
 * it is. */
static int complete_in(const struct cgroot *r, const struct cg_hier *h, const char *path,
                       const char *lp)
{
	bool made_dir;
	int res;

	made_dir = mkdirat(h->base_fd, path, 0755) == 0;
	if (!made_dir && errno != EEXIST)
		return -errno;
	cpuset_inherit(h, path, made_dir);
	v2_enable_below(r, h, path);
	res = lp ? leaf_in(h, lp) : 0;
	return res < 0 ? res : 0;
}

/* The caps of the knobs served by the hierarchies in mask (only these
 * lost their values with their directories). */
static void caps_in(const struct cgroot *r, const struct caps *caps, unsigned mask,
                    struct caps *ret)
{
	bool v2 = false;
	size_t i;

	*ret = *caps;
	for (i = 0; i < r->n; i++)
		if ((mask & (1u << i)) && r->h[i].version == 2)
			v2 = true;
	if (!v2)
		ret->max_groups = ret->max_depth = -1;
	for (i = 0; i < knob_count && i < KNOB_TABLE_MAX; i++) {
		int hi = r->by_ctrl[knob_table[i].ctrl];

		if (hi < 0 || !(mask & (1u << hi)))
			ret->value[i] = NULL;
	}
}

/* Names of the hierarchies in mask, for log lines (cut at HIER_NAMES_MAX). */
#define HIER_NAMES_MAX 512
static void hier_names(const struct cgroot *r, unsigned mask, char *out, size_t size)
{
	size_t i, len = 0;

	*out = '\0';
	for (i = 0; i < r->n && len < size; i++)
		if (mask & (1u << i))
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " " : "",
			                        r->h[i].h->mountpoint);
}

int group_repair(const struct cgroot *r, const char *path, const struct caps *caps)
{
	unsigned all, dirs, leaves, fixed = 0;
	char lp[PATH_MAX], names[HIER_NAMES_MAX];
	struct caps lost;
	size_t i;
	int res;

	res = group_presence(r, path, &dirs, &leaves);
	if (res < 0)
		return res;
	all = (1u << r->n) - 1;
	if (dirs == all && (leaves == 0 || leaves == all))
		return 0;
	res = cgfile_join(lp, sizeof(lp), path, GROUP_LEAF);
	for (i = 0; res == 0 && i < r->n; i++) {
		if ((dirs & (1u << i)) && (!leaves || (leaves & (1u << i))))
			continue;
		res = complete_in(r, &r->h[i], path, leaves ? lp : NULL);
		if (res == 0)
			fixed |= 1u << i;
	}
	hier_names(r, fixed, names, sizeof(names));
	if (fixed)
		log_warn("group /%s was half made: completed in %s", path, names);
	if (res < 0) {
		log_err("cannot complete half-made group /%s: %s", path, strerror(-res));
		return res;
	}
	if (caps) {
		caps_in(r, caps, fixed, &lost);
		res = apply_caps(r, path, &lost);
	}
	return res < 0 ? res : 1;
}

/* The child directories of a group in any serving hierarchy: bit i of
 * mask for each h[i] that has one by that name. */
struct child_ent {
	char *name;
	unsigned mask;
};

struct child_set {
	struct child_ent *v;
	size_t n, cap;
	unsigned leaves; /* the hierarchies where the group has its leaf */
};

static int child_add(struct child_set *s, const char *name, unsigned bit)
{
	if (vec_reserve(&s->v, &s->cap, s->n + 1, sizeof(*s->v), 16) < 0)
		return -ENOMEM;
	s->v[s->n].name = strdup(name);
	if (!s->v[s->n].name)
		return -ENOMEM;
	s->v[s->n++].mask = bit;
	return 0;
}

static int child_cmp(const void *a, const void *b)
{
	return strcmp(((const struct child_ent *)a)->name, ((const struct child_ent *)b)->name);
}

static void child_set_free(struct child_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
}

/* Completes path (found in the hierarchies of mask, listed in s) if it
 * is half made; 1 if it was repaired. */
static int reconcile_one(const struct cgroot *r, const char *path, int depth, unsigned mask,
                         const struct child_set *s, const struct config *cfg)
{
	unsigned all = (1u << r->n) - 1;
	struct caps caps;

	if (mask == all && s->leaves == all)
		mirror_sync(r, path);
	if (mask == all && (!s->leaves || s->leaves == all))
		return 0;
	if (depth == 1 && cfg)
		config_caps_for(cfg, path, &caps);
	/* One that cannot be completed is logged and left as it is; the
	 * rest of the tree is still looked over. */
	return group_repair(r, path, depth == 1 && cfg ? &caps : NULL) > 0;
}

/* One group on the way down (struct recon): its children and which is
 * next; its directory in each hierarchy it is in (device and inode, to
 * check the way back up); and the directories of those hierarchies its
 * child being walked is not in, kept open here until the walk is back. */
struct rframe {
	struct child_set s;
	size_t next;
	size_t pathlen;
	unsigned mask, stash;
	int fd[LAYOUT_MAX_HIER];
	dev_t dev[LAYOUT_MAX_HIER];
	ino_t ino[LAYOUT_MAX_HIER];
};

/* The walk of cgroot_reconcile(): all serving hierarchies at once, one
 * open directory per hierarchy (cur), frames on the heap. */
struct recon {
	const struct cgroot *r;
	struct rframe *f;
	size_t n, cap;
	int cur[LAYOUT_MAX_HIER];
	char *p; /* the path of the top frame */
};

/* Lists the directories open in cur for the hierarchies of mask: the
 * leaf, and the children by name with the hierarchies that have them. */
static int list_children_at(const int *cur, size_t nh, unsigned mask, struct child_set *s)
{
	char *names = NULL, *nm;
	size_t i, j, len;
	int res = 0;

	for (i = 0; res == 0 && i < nh; i++) {
		if (!(mask & (1u << i)))
			continue;
		res = list_names(cur[i], false, &names, &len);
		for (nm = names; res == 0 && nm && nm < names + len; nm += strlen(nm) + 1) {
			if (strcmp(nm, GROUP_LEAF) == 0)
				s->leaves |= 1u << i;
			else if (nm[0] != '.')
				res = child_add(s, nm, 1u << i);
		}
		free(names);
		names = NULL;
	}
	if (res < 0 || s->n < 2)
		return res;
	qsort(s->v, s->n, sizeof(*s->v), child_cmp);
	for (i = 1, j = 0; i < s->n; i++) {
		if (strcmp(s->v[i].name, s->v[j].name) == 0) {
			s->v[j].mask |= s->v[i].mask;
			free(s->v[i].name);
		} else {
			s->v[++j] = s->v[i];
		}
	}
	s->n = j + 1;
	return 0;
}

/* Pushes the group whose directories are open in cur (the hierarchies of
 * mask), its path in c->p: lists it and completes it if half made.
 * Returns 1 if it was repaired, 0, or -errno. */
static int recon_push(struct recon *c, unsigned mask, size_t pathlen, const struct config *cfg)
{
	struct rframe *t;
	struct stat st;
	size_t i;
	int res = 0;

	if (vec_reserve(&c->f, &c->cap, c->n + 1, sizeof(*c->f), 16) < 0)
		return -ENOMEM;
	t = &c->f[c->n];
	memset(t, 0, sizeof(*t));
	t->mask = mask;
	t->pathlen = pathlen;
	for (i = 0; i < LAYOUT_MAX_HIER; i++)
		t->fd[i] = -1;
	for (i = 0; res == 0 && i < c->r->n; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (fstat(c->cur[i], &st) < 0) {
			res = -errno;
			break;
		}
		t->dev[i] = st.st_dev;
		t->ino[i] = st.st_ino;
	}
	if (res == 0)
		res = list_children_at(c->cur, c->r->n, mask, &t->s);
	if (res < 0) {
		child_set_free(&t->s);
		return res;
	}
	c->n++;
	return reconcile_one(c->r, c->p, (int)c->n - 1, mask, &t->s, cfg);
}

/* Goes down into child ch of the top frame, named in c->p already: its
 * directories are opened relative to the top's; those of the hierarchies
 * it is not in wait in the top frame. 0, 1 (repaired), -ENOENT if it is
 * gone from every hierarchy, or -errno. */
static int recon_down(struct recon *c, const struct child_ent *ch, size_t pathlen,
                      const struct config *cfg)
{
	struct rframe *t = &c->f[c->n - 1];
	int nfd[LAYOUT_MAX_HIER];
	unsigned cm = 0;
	size_t i;

	for (i = 0; i < c->r->n; i++) {
		nfd[i] = -1;
		if (!(ch->mask & t->mask & (1u << i)))
			continue;
		nfd[i] = openat(c->cur[i], ch->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd[i] >= 0)
			cm |= 1u << i; /* else gone meanwhile there */
	}
	if (!cm)
		return -ENOENT;
	for (i = 0; i < c->r->n; i++) {
		if (!(t->mask & (1u << i)))
			continue;
		if (cm & (1u << i)) {
			close(c->cur[i]);
			c->cur[i] = nfd[i];
		} else {
			t->fd[i] = c->cur[i];
			t->stash |= 1u << i;
			c->cur[i] = -1;
		}
	}
	return recon_push(c, cm, pathlen, cfg);
}

/* Back up from the top frame to its parent: "..", checked to be where
 * the walk came from, in the hierarchies of the top; the parent's kept
 * directories for the others. */
static int recon_up(struct recon *c)
{
	struct rframe *t = &c->f[c->n - 1], *p = &c->f[c->n - 2];
	struct stat st;
	size_t i;
	int fd;

	for (i = 0; i < c->r->n; i++) {
		if (!(t->mask & (1u << i)))
			continue;
		fd = openat(c->cur[i], "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (fstat(fd, &st) < 0 || st.st_dev != p->dev[i] || st.st_ino != p->ino[i]) {
			close(fd);
			return -ESTALE;
		}
		close(c->cur[i]);
		c->cur[i] = fd;
	}
	for (i = 0; i < c->r->n; i++)
		if (p->stash & (1u << i)) {
			c->cur[i] = p->fd[i];
			p->fd[i] = -1;
		}
	p->stash = 0;
	child_set_free(&t->s);
	c->n--;
	c->p[p->pathlen] = '\0';
	return 0;
}

static void recon_free(struct recon *c)
{
	size_t i;

	while (c->n) {
		struct rframe *t = &c->f[--c->n];

		child_set_free(&t->s);
		for (i = 0; i < LAYOUT_MAX_HIER; i++)
			if (t->fd[i] >= 0)
				close(t->fd[i]);
	}
	for (i = 0; i < LAYOUT_MAX_HIER; i++)
		if (c->cur[i] >= 0)
			close(c->cur[i]);
	free(c->f);
	free(c->p);
}

/* Completes every half-made group below the base, parents first, in
 * bounded stack and with one open directory per hierarchy: each step is
 * relative to the one before, so a deep tree costs no path look-ups. A
 * group is named by its path, so one deeper than GROUP_PATH_MAX (not
 * served) is not looked at. */
int cgroot_reconcile(const struct cgroot *r, bool (*is_group)(const char *name, int depth),
                     const struct config *cfg)
{
	struct recon c = { .r = r };
	bool deep_logged = false;
	size_t i, nl, len;
	int res = 0, count = 0;

	for (i = 0; i < LAYOUT_MAX_HIER; i++)
		c.cur[i] = -1;
	c.p = malloc(GROUP_PATH_MAX);
	if (!c.p)
		return -ENOMEM;
	c.p[0] = '\0';
	for (i = 0; res == 0 && i < r->n; i++) {
		c.cur[i] = openat(r->h[i].base_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c.cur[i] < 0)
			res = -errno;
	}
	if (res == 0)
		res = recon_push(&c, (1u << r->n) - 1, 0, cfg);
	while (res >= 0 && c.n) {
		struct rframe *t = &c.f[c.n - 1];
		const struct child_ent *ch;

		count += res;
		res = 0;
		if (t->next == t->s.n) {
			if (c.n == 1)
				break;
			res = recon_up(&c);
			continue;
		}
		ch = &t->s.v[t->next++];
		if (!is_group(ch->name, (int)c.n))
			continue;
		nl = strlen(ch->name);
		if (t->pathlen + 1 + nl >= GROUP_PATH_MAX) {
			if (!deep_logged)
				log_info("groups below /%s are too deep to be served or looked over "
				         "(their paths would pass %d characters)", c.p,
				         GROUP_PATH_MAX - 1);
			deep_logged = true;
			continue;
		}
		len = t->pathlen;
		if (len)
			c.p[len++] = '/';
		memcpy(c.p + len, ch->name, nl + 1);
		res = recon_down(&c, ch, len + nl, cfg);
		if (res == -ENOENT) {
			c.p[t->pathlen] = '\0';
			res = 0;
		}
	}
	recon_free(&c);
	return res < 0 ? res : count;
}
