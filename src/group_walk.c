// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgfs/group.h"
#include "cgfs/log.h"
#include "cgfs/units.h"
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
	char *bigger;

	if (need > w->pathcap) {
		size_t cap = w->pathcap ? w->pathcap : 256;

		while (cap < need)
			cap *= 2;
		bigger = realloc(w->path, cap);
		if (!bigger)
			return -ENOMEM;
		w->path = bigger;
		w->pathcap = cap;
	}
	if (at)
		w->path[at++] = '/';
	memcpy(w->path + at, name, nl + 1);
	return 0;
}

/* The names of fd's subdirectories (not "." and ".."; not dot-names
 * either with groups_only), NUL-separated, into *names. */
int list_names(int fd, bool groups_only, char **names, size_t *len)
{
	const size_t size = 8192;
	struct dirent64 *de;
	char *buf, *out = NULL, *bigger;
	size_t cap = 0, used = 0, nl;
	ssize_t n, off;
	int res = 0;

	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	while (res == 0 && (n = getdents64(fd, buf, size)) > 0) {
		for (off = 0; res == 0 && off < n; off += de->d_reclen) {
			de = (struct dirent64 *)(buf + off);
			if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, "..") || (groups_only && de->d_name[0] == '.'))
				continue;
			nl = strlen(de->d_name) + 1;
			if (used + nl > cap) {
				cap = cap ? 2 * cap : 512;
				while (used + nl > cap)
					cap *= 2;
				bigger = realloc(out, cap);
				if (!bigger) {
					res = -ENOMEM;
					break;
				}
				out = bigger;
			}
			memcpy(out + used, de->d_name, nl);
			used += nl;
		}
	}
	if (res == 0 && n < 0)
		res = -errno;
	free(buf);
	if (res < 0) {
		free(out);
		return res;
	}
	*names = out;
	*len = used;
	return 0;
}

/* Enters the directory open at fd (the walk's now): lists it, pushes it
 * with data (freed on failure). */
static int walk_push(struct walk *w, int fd, size_t pathlen, char *data)
{
	struct wframe *f, *bigger;
	struct stat st;
	int res;

	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;

		bigger = realloc(w->f, cap * sizeof(*bigger));
		if (!bigger) {
			free(data);
			return -ENOMEM;
		}
		w->f = bigger;
		w->cap = cap;
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
