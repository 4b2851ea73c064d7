// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgfs/group.h"
#include "cgfs/util.h"
#include "group_int.h"

/* ---- raw/ ---- */

struct raw_ent {
	struct raw_file f;
	int rank;
	char name[NAME_MAX + 1];
};

struct raw_vec {
	struct raw_ent *e;
	size_t n, cap;
};

/* The controller a file is named after ("memory.max": memory, v1's
 * "blkio.weight": io), or CTRL_INVALID. */
static enum cg_ctrl raw_ctrl(const char *name)
{
	size_t len = strcspn(name, ".");
	int c;

	if (name[len] != '.')
		return CTRL_INVALID;
	if (len == 5 && !strncmp(name, "blkio", 5))
		return CTRL_IO;
	for (c = 0; c < CTRL_MAX; c++)
		if (strlen(ctrl_name(c)) == len && !strncmp(name, ctrl_name(c), len))
			return c;
	return CTRL_INVALID;
}

/* Which hierarchy's copy of a name several have is shown: lower wins. */
static int raw_rank(const struct cgroot *r, const char *name, int hier)
{
	enum cg_ctrl c = raw_ctrl(name);

	if (c != CTRL_INVALID && r->by_ctrl[c] == hier)
		return 0;
	return hier == r->primary ? 1 : 2 + hier;
}

static const struct cg_hier *raw_hier(const struct cgroot *r, int hier)
{
	return hier >= 0 && (size_t)hier < r->n ? &r->h[hier] : NULL;
}

/* The real file NAME of group PATH in hierarchy HIER: its hierarchy and
 * its path below that hierarchy's base. A name is one component. */
static int raw_path(const struct cgroot *r, const char *path, int hier, const char *name,
                    const struct cg_hier **ret_h, char *p, size_t size)
{
	const struct cg_hier *h = raw_hier(r, hier);

	if (!h || !*name || strchr(name, '/'))
		return -ENOENT;
	*ret_h = h;
	return cgfile_join(p, size, path, name);
}

int group_raw_stat(const struct cgroot *r, const char *path, int hier,
                   const char *name, struct stat *ret)
{
	const struct cg_hier *h;
	char p[PATH_MAX];
	int res = raw_path(r, path, hier, name, &h, p, sizeof(p));

	if (res < 0)
		return res;
	if (fstatat(h->base_fd, p, ret, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return S_ISREG(ret->st_mode) ? 0 : -ENOENT;
}

int group_raw_find(const struct cgroot *r, const char *path, const char *name,
                   struct raw_file *ret)
{
	struct raw_file best = { .hier = -1 };
	int best_rank = 0, rank;
	struct stat st;
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (group_raw_stat(r, path, (int)i, name, &st) < 0)
			continue;
		rank = raw_rank(r, name, (int)i);
		if (best.hier < 0 || rank < best_rank) {
			best = (struct raw_file){ (int)i, st.st_ino, st.st_mode & 07777 };
			best_rank = rank;
		}
	}
	if (best.hier < 0)
		return -ENOENT;
	*ret = best;
	return 0;
}

static int raw_vec_add(struct raw_vec *v, const char *name, const struct raw_file *f, int rank)
{
	if (strlen(name) > NAME_MAX)
		return 0; /* cannot happen: a directory entry's name */
	if (vec_reserve(&v->e, &v->cap, v->n + 1, sizeof(*v->e), 64) < 0)
		return -ENOMEM;
	v->e[v->n].f = *f;
	v->e[v->n].rank = rank;
	strcpy(v->e[v->n].name, name);
	v->n++;
	return 0;
}

/* The files of a group's directory in one hierarchy being collected. */
struct raw_dir {
	const struct cgroot *r;
	int fd;
	struct raw_file f;
	struct raw_vec *v;
};

static int raw_one(void *arg, const char *name, unsigned char type, ino_t ino)
{
	struct raw_dir *d = arg;
	struct stat st;

	if (type != DT_REG)
		return 0;
	/* The mode says whether the kernel lets it be read and written. */
	if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return 0;
	d->f.ino = st.st_ino;
	d->f.mode = st.st_mode & 07777;
	return raw_vec_add(d->v, name, &d->f, raw_rank(d->r, name, d->f.hier));
}

/* Adds the regular files of the group's directory in hierarchy hier. */
static int raw_collect(const struct cgroot *r, const char *path, int hier, struct raw_vec *v)
{
	struct raw_dir d = { r, -1, { .hier = hier }, v };
	int res;

	d.fd = openat(r->h[hier].base_fd, *path ? path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d.fd < 0)
		return errno == ENOENT ? 0 : -errno; /* not made in this one (yet) */
	res = cgfile_dir_each(d.fd, raw_one, &d);
	close(d.fd);
	return res;
}

static int raw_ent_cmp(const void *a, const void *b)
{
	const struct raw_ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->rank - y->rank;
}

int group_raw_list(const struct cgroot *r, const char *path,
                   int (*fn)(void *arg, const char *name, const struct raw_file *f),
                   void *arg)
{
	struct raw_vec v = { NULL, 0, 0 };
	size_t i;
	int res = 0;

	for (i = 0; res == 0 && i < r->n; i++)
		res = raw_collect(r, path, (int)i, &v);
	if (res == 0 && v.n)
		qsort(v.e, v.n, sizeof(*v.e), raw_ent_cmp);
	/* Sorted by name, then rank: the first of each run is the one shown. */
	for (i = 0; res == 0 && i < v.n; i++)
		if (i == 0 || strcmp(v.e[i].name, v.e[i - 1].name) != 0)
			res = fn(arg, v.e[i].name, &v.e[i].f);
	free(v.e);
	return res;
}

int group_raw_read(const struct cgroot *r, const char *path, int hier,
                   const char *name, char **buf)
{
	const struct cg_hier *h;
	char p[PATH_MAX];
	int res = raw_path(r, path, hier, name, &h, p, sizeof(p));

	/* cgroup.procs and tasks are the long ones: the same bound as procs. */
	return res < 0 ? res : cgfile_read_alloc_at(h->base_fd, p, PROCS_FILE_MAX, buf);
}

int group_raw_write(const struct cgroot *r, const char *path, int hier,
                    const char *name, const char *data, size_t len)
{
	const struct cg_hier *h;
	char p[PATH_MAX];
	ssize_t n;
	int fd, res = raw_path(r, path, hier, name, &h, p, sizeof(p));

	if (res < 0)
		return res;
	fd = openat(h->base_fd, p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	/* One write(2): the kernel parses each write as one whole value. */
	n = write(fd, data, len);
	res = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return res;
}
