// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgfs/group.h"
#include "cgfs/util.h"
#include "group_int.h"

/* ---- walking a tree in bounded stack ----
 *
 * A tree below the base can be as deep as the kernel lets anyone make it
 * (thousands of levels, paths far beyond PATH_MAX), so no walk recurses
 * and none names a cgroup by its whole path: the walk holds one open
 * directory, the one it is in, and for each directory on the way down
 * the names of its subdirectories, read when it was entered, on the
 * heap. It goes down with openat(2) of a name and back up with ".."
 * (cgroups move only within their parent), checked to be the directory
 * it left (device and inode). */

/* The depth of the directory the walk is in (0 at the start). */
size_t walk_depth(const struct walk *w)
{
	return w->n ? w->n - 1 : 0;
}

/* The caller's data of the directory the walk is in. */
const char *walk_data(const struct walk *w)
{
	return w->n ? w->f[w->n - 1].data : NULL;
}

static int path_set(struct walk *w, size_t at, const char *name)
{
	size_t nl = strlen(name), need = at + (at ? 1 : 0) + nl + 1;

	if (vec_reserve(&w->path, &w->pathcap, need, 1, 256) < 0)
		return -ENOMEM;
	if (at)
		w->path[at++] = '/';
	memcpy(w->path + at, name, nl + 1);
	return 0;
}

/* The names being listed: NUL-terminated one after the other. */
struct name_list {
	char *names;
	size_t len, cap;
	bool groups_only;
};

static int name_add(void *arg, const char *name, unsigned char type, ino_t ino)
{
	struct name_list *l = arg;
	size_t nl = strlen(name) + 1;

	if (type != DT_DIR || (l->groups_only && name[0] == '.'))
		return 0;
	if (vec_reserve(&l->names, &l->cap, l->len + nl, 1, 512) < 0)
		return -ENOMEM;
	memcpy(l->names + l->len, name, nl);
	l->len += nl;
	return 0;
}

int list_names(int fd, bool groups_only, char **names, size_t *len)
{
	struct name_list l = { NULL, 0, 0, groups_only };
	int res = cgfile_dir_each(fd, name_add, &l);

	if (res < 0) {
		free(l.names);
		return res;
	}
	*names = l.names;
	*len = l.len;
	return 0;
}

/* Enters the directory open at fd (the walk's now): lists it, pushes it
 * with data (freed on failure). */
static int walk_push(struct walk *w, int fd, size_t pathlen, char *data)
{
	struct wframe *f;
	struct stat st;
	int res;

	if (vec_reserve(&w->f, &w->cap, w->n + 1, sizeof(*w->f), 16) < 0) {
		free(data);
		return -ENOMEM;
	}
	f = &w->f[w->n];
	memset(f, 0, sizeof(*f));
	res = fstat(fd, &st) < 0 ? -errno : list_names(fd, w->groups_only, &f->names, &f->len);
	if (res < 0) {
		free(data);
		return res;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->pathlen = pathlen;
	f->data = data;
	w->n++;
	return 0;
}

static void frame_free(struct wframe *f)
{
	free(f->names);
	free(f->data);
}

/* Back up from the top frame to its parent: the walk's fd becomes the
 * parent's, checked to be the directory the walk came down from. */
static int walk_up(struct walk *w)
{
	const struct wframe *p = &w->f[w->n - 2];
	struct stat st;
	int fd;

	fd = openat(w->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_dev != p->dev || st.st_ino != p->ino) {
		close(fd);
		return -ESTALE;
	}
	close(w->fd);
	w->fd = fd;
	return 0;
}

/* Walks the directory path below dfd and every directory below it,
 * parents first (ops->pre) and children first (ops->post), in bounded
 * stack whatever the depth. A directory gone meanwhile is passed over.
 * 0, what a callback stopped the walk with, or -errno (-ENOENT: no
 * path). */
int walk_tree(int dfd, const char *path, bool groups_only, const struct walk_ops *ops,
              void *arg)
{
	struct walk w = { .fd = -1, .groups_only = groups_only };
	char *data = NULL, *name;
	struct wframe *top;
	size_t at;
	int fd, res;

	w.fd = openat(dfd, *path ? path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.fd < 0)
		return -errno;
	res = path_set(&w, 0, "");
	if (res == 0)
		res = ops->pre(arg, &w, -1, w.fd, "", &data);
	if (res == 0)
		res = walk_push(&w, w.fd, 0, data);
	else
		free(data);
	if (res == WALK_SKIP)
		res = 0;
	while (res == 0 && w.n) {
		top = &w.f[w.n - 1];
		if (top->next < top->len) {
			name = top->names + top->next;
			top->next += strlen(name) + 1;
			fd = openat(w.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				if (errno != ENOENT)
					res = -errno;
				continue; /* gone meanwhile */
			}
			at = top->pathlen;
			data = NULL;
			res = path_set(&w, at, name);
			if (res == 0)
				res = ops->pre(arg, &w, w.fd, fd, name, &data);
			if (res == 0)
				res = walk_push(&w, fd, strlen(w.path), data);
			else
				free(data);
			if (res == 0) {
				close(w.fd);
				w.fd = fd;
				continue;
			}
			close(fd);
			w.path[at] = '\0';
			if (res == WALK_SKIP)
				res = 0;
			continue;
		}
		/* Done with the top: up to its parent, then post. */
		if (w.n == 1) {
			frame_free(top);
			w.n = 0;
			break;
		}
		res = walk_up(&w);
		if (res == 0) {
			const struct wframe *p = &w.f[w.n - 2];

			name = w.path + p->pathlen + (p->pathlen ? 1 : 0);
			res = ops->post ? ops->post(arg, &w, w.fd, name, top->data) : 0;
			w.path[p->pathlen] = '\0';
		}
		frame_free(top);
		w.n--;
	}
	while (w.n)
		frame_free(&w.f[--w.n]);
	free(w.f);
	free(w.path);
	if (w.fd >= 0)
		close(w.fd);
	return res;
}
