// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgfs/cgfile.h"
#include "cgfs/util.h"

/* getdents64's buffer: a cgroup directory of a few dozen files in one
 * call. */
#define DIR_BUF_SIZE 8192

/* ---- paths ---- */

int cgfile_join(char *out, size_t size, const char *a, const char *b)
{
	int n;

	if (!a || !*a)
		n = snprintf(out, size, "%s", b ? b : "");
	else if (!b || !*b)
		n = snprintf(out, size, "%s", a);
	else
		n = snprintf(out, size, "%s/%s", a, b);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

void cgfile_dirname(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;

	if (len >= size)
		len = size - 1;
	memcpy(out, path, len);
	out[len] = '\0';
}

bool cgfile_path_under(const char *path, const char *dir, size_t len)
{
	return strncmp(path, dir, len) == 0 && path[len] == '/';
}

/* ---- reading and writing ---- */

int cgfile_read(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n = 0;

	while (len + 1 < size) {
		size_t want = size - 1 - len;

		n = pread(fd, buf + len, want, (off_t)len);
		if (n <= 0)
			break;
		len += (size_t)n;
		/* A short read is the end: seq_file (cgroup and /proc files)
		 * and sysfs fill what was asked while they have anything left. */
		if ((size_t)n < want)
			break;
	}
	if (n < 0 && len == 0)
		return -errno;
	buf[len] = '\0';
	return (int)len;
}

int cgfile_read_at(int dfd, const char *path, char *buf, size_t size)
{
	int fd, res;

	fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	res = cgfile_read(fd, buf, size);
	close(fd);
	return res;
}

int cgfile_read_in(int dfd, const char *dir, const char *file, char *buf, size_t size)
{
	char p[PATH_MAX];
	int res = cgfile_join(p, sizeof(p), dir, file);

	return res < 0 ? res : cgfile_read_at(dfd, p, buf, size);
}

int cgfile_read_alloc_at(int dfd, const char *path, size_t max, char **ret)
{
	size_t len = 0, size = 4096;
	char *buf, *bigger;
	ssize_t n;
	int fd, r = 0;

	if (max > INT_MAX)
		max = INT_MAX;
	fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(size);
	if (!buf)
		r = -ENOMEM;
	while (r == 0) {
		if (len + 1 == size) {
			bigger = size <= max ? realloc(buf, size * 2) : NULL;
			if (!bigger) {
				r = size <= max ? -ENOMEM : -EFBIG;
				break;
			}
			buf = bigger;
			size *= 2;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0)
			len += (size_t)n;
	}
	close(fd);
	if (r == 0 && len > max)
		r = -EFBIG;
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*ret = buf;
	return (int)len;
}

int cgfile_read_text_at(int dfd, const char *path, size_t max, char **ret)
{
	char *text;
	int n = cgfile_read_alloc_at(dfd, path, max, &text);

	if (n < 0)
		return n;
	if (memchr(text, '\0', (size_t)n)) {
		free(text);
		return -EINVAL;
	}
	*ret = text;
	return n;
}

int cgfile_write_at(int dfd, const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, res;

	fd = openat(dfd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	res = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return res;
}

int cgfile_write_in(int dfd, const char *dir, const char *file, const char *text)
{
	char p[PATH_MAX];
	int res = cgfile_join(p, sizeof(p), dir, file);

	return res < 0 ? res : cgfile_write_at(dfd, p, text);
}

/* ---- held interface files ----
 *
 * Opening a cgroup file costs more than reading or writing it (a path
 * walk and kernfs's open), so each thread holds the knob files it used
 * last open and reads and writes them at offset 0. A file of a cgroup
 * removed meanwhile answers ENODEV: it is closed and its path opened
 * again, which finds the group made anew or nothing. A held file is used
 * only while its path still names the directory it was opened in (same
 * inode): v1 renames cgroups, and a group renamed from outside, another
 * made under its name, must not be read or written through the old one's
 * files. A file whose last read was empty is not held: seq_file answers a
 * read at 0 after an empty one from where it stopped, not afresh.
 *
 * Each thread's set is on a list, so that cgfile_held_close() closes
 * every thread's files of a removed group before the rmdir is answered
 * (a thread waiting for requests would otherwise hold them, and the
 * kernel frees a removed memory cgroup only once its files are closed).
 * A thread holds its set's lock while it uses a file of it, uncontended
 * but for such a removal: a file is never closed under a read or write. */
#define HELD_FILES 16 /* a v2 meminfo deep in a tree reads a dozen */
#define HELD_PATH 192

struct held {
	int dfd, fd, flags; /* fd < 0: a free slot */
	dev_t dev;          /* the group's directory when fd was opened */
	ino_t ino;
	unsigned long used;
	char path[HELD_PATH];
};

struct held_set {
	pthread_mutex_t lock; /* held by its thread while it uses a file */
	struct held_set *prev, *next;
	unsigned long clock;
	unsigned gen;
	struct held k[HELD_FILES];
};

static pthread_mutex_t sets_lock = PTHREAD_MUTEX_INITIALIZER; /* before any set's */
static struct held_set *sets;
static pthread_key_t sets_key;
static pthread_once_t sets_once = PTHREAD_ONCE_INIT;
static __thread struct held_set *held_mine;
static __thread bool held_none; /* no set could be made: nothing is held */
/* One more for every group removed outside: a thread then closes what it
 * held before its next use. */
static unsigned removals;

static void held_drop(struct held *k)
{
	close(k->fd);
	k->fd = -1;
}

/* A thread's end: its set leaves the list, its files are closed. */
static void held_set_free(void *p)
{
	struct held_set *s = p;
	size_t i;

	pthread_mutex_lock(&sets_lock);
	if (s->prev)
		s->prev->next = s->next;
	else
		sets = s->next;
	if (s->next)
		s->next->prev = s->prev;
	pthread_mutex_unlock(&sets_lock);
	for (i = 0; i < HELD_FILES; i++)
		if (s->k[i].fd >= 0)
			held_drop(&s->k[i]);
	pthread_mutex_destroy(&s->lock);
	free(s);
	held_mine = NULL;
	held_none = true;
}

static void sets_init(void)
{
	if (pthread_key_create(&sets_key, held_set_free) != 0)
		sets_key = (pthread_key_t)-1;
}

/* The calling thread's set, locked; NULL (nothing is held) if it could
 * not be made. */
static struct held_set *held_lock(void)
{
	struct held_set *s = held_mine;
	size_t i;

	if (!s && !held_none) {
		pthread_once(&sets_once, sets_init);
		s = calloc(1, sizeof(*s));
		if (!s || sets_key == (pthread_key_t)-1 || pthread_setspecific(sets_key, s) != 0) {
			free(s);
			held_none = true;
			return NULL;
		}
		pthread_mutex_init(&s->lock, NULL);
		for (i = 0; i < HELD_FILES; i++)
			s->k[i].fd = -1;
		s->gen = __atomic_load_n(&removals, __ATOMIC_ACQUIRE);
		pthread_mutex_lock(&sets_lock);
		s->next = sets;
		if (sets)
			sets->prev = s;
		sets = s;
		pthread_mutex_unlock(&sets_lock);
		held_mine = s;
	}
	if (s)
		pthread_mutex_lock(&s->lock);
	return s;
}

static void held_unlock(struct held_set *s)
{
	if (s)
		pthread_mutex_unlock(&s->lock);
}

void cgfile_held_forget(void)
{
	__atomic_add_fetch(&removals, 1, __ATOMIC_RELEASE);
}

void cgfile_held_close(const char *dir)
{
	size_t i, len = strlen(dir);
	struct held_set *s;

	if (len == 0)
		return;
	pthread_mutex_lock(&sets_lock);
	for (s = sets; s; s = s->next) {
		pthread_mutex_lock(&s->lock);
		for (i = 0; i < HELD_FILES; i++)
			if (s->k[i].fd >= 0 && cgfile_path_under(s->k[i].path, dir, len))
				held_drop(&s->k[i]);
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_unlock(&sets_lock);
}

/* With s locked: closes its files if a group was removed outside since. */
static void held_check(struct held_set *s)
{
	unsigned now = __atomic_load_n(&removals, __ATOMIC_ACQUIRE);
	size_t i;

	if (s->gen == now)
		return;
	s->gen = now;
	for (i = 0; i < HELD_FILES; i++)
		if (s->k[i].fd >= 0)
			held_drop(&s->k[i]);
}

void cgfile_held_check(void)
{
	struct held_set *s = held_mine;

	if (!s || s->gen == __atomic_load_n(&removals, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&s->lock);
	held_check(s);
	pthread_mutex_unlock(&s->lock);
}

/* The directory dir names now in dfd; none: what an open would say. */
static int dir_now(int dfd, const char *dir, struct cgfile_seen *seen, struct stat *st)
{
	if (seen && seen->dfd == dfd) {
		st->st_dev = seen->dev;
		st->st_ino = seen->ino;
		return 0;
	}
	if (fstatat(dfd, dir && *dir ? dir : ".", st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (seen)
		*seen = (struct cgfile_seen){ dfd, st->st_dev, st->st_ino };
	return 0;
}

/* An open file for dir/file (flags O_RDONLY or O_WRONLY), held or new;
 * *k is its slot, NULL if it is not held (then the caller closes it). */
static int held_open(struct held_set *s, int dfd, const char *dir, const char *file, int flags,
                     struct cgfile_seen *seen, struct held **ret)
{
	char p[PATH_MAX];
	struct held *k, *victim;
	struct stat st;
	int fd, res = cgfile_join(p, sizeof(p), dir, file);

	*ret = NULL;
	if (res < 0)
		return res;
	if (s)
		held_check(s);
	res = dir_now(dfd, dir, seen, &st);
	if (res < 0)
		return res;
	if (!s) {
		fd = openat(dfd, p, flags | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	victim = &s->k[0];
	for (k = s->k; k < s->k + HELD_FILES; k++) {
		if (k->fd >= 0 && k->dfd == dfd && k->flags == flags && strcmp(k->path, p) == 0) {
			if (k->dev != st.st_dev || k->ino != st.st_ino) {
				held_drop(k); /* another group under that name */
			} else {
				k->used = ++s->clock;
				*ret = k;
				return k->fd;
			}
		}
		if (victim->fd >= 0 && (k->fd < 0 || k->used < victim->used))
			victim = k;
	}
	fd = openat(dfd, p, flags | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (strlen(p) >= HELD_PATH)
		return fd;
	if (victim->fd >= 0)
		held_drop(victim);
	*victim = (struct held){ dfd, fd, flags, st.st_dev, st.st_ino, ++s->clock, "" };
	strcpy(victim->path, p);
	*ret = victim;
	return fd;
}

static void held_done(struct held *k, int fd, bool hold)
{
	if (!k)
		close(fd);
	else if (!hold)
		held_drop(k);
}

int cgfile_held_read(int dfd, const char *dir, const char *file, struct cgfile_seen *seen,
                     char *buf, size_t size)
{
	struct held_set *s = held_lock();
	struct held *k;
	int fd, n, again = 1;

retry:
	fd = held_open(s, dfd, dir, file, O_RDONLY, seen, &k);
	if (fd < 0) {
		held_unlock(s);
		return fd;
	}
	n = cgfile_read(fd, buf, size);
	held_done(k, fd, n > 0);
	if (n == -ENODEV && k && again--) {
		seen = NULL; /* removed: look again */
		goto retry;
	}
	held_unlock(s);
	return n;
}

int cgfile_held_write(int dfd, const char *dir, const char *file, struct cgfile_seen *seen,
                      const char *text)
{
	struct held_set *s = held_lock();
	size_t len = strlen(text);
	struct held *k;
	ssize_t n;
	int fd, again = 1;

retry:
	fd = held_open(s, dfd, dir, file, O_WRONLY, seen, &k);
	if (fd < 0) {
		held_unlock(s);
		return fd;
	}
	n = pwrite(fd, text, len, 0);
	if (n < 0) {
		n = -errno;
		held_done(k, fd, n != -ENODEV);
		if (n == -ENODEV && k && again--) {
			seen = NULL; /* removed: look again */
			goto retry;
		}
		held_unlock(s);
		return (int)n;
	}
	held_done(k, fd, true);
	held_unlock(s);
	return (size_t)n == len ? 0 : -EIO;
}

/* ---- directories ---- */

int cgfile_dir_each(int fd, int (*fn)(void *arg, const char *name, unsigned char type,
                    ino_t ino),
                    void *arg)
{
	struct dirent64 *de;
	ssize_t n, off;
	char *buf;
	int res = 0;

	buf = malloc(DIR_BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	while (res == 0 && (n = getdents64(fd, buf, DIR_BUF_SIZE)) > 0) {
		for (off = 0; res == 0 && off < n; off += de->d_reclen) {
			de = (struct dirent64 *)(buf + off);
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				res = fn(arg, de->d_name, de->d_type, de->d_ino);
		}
		/* Room for another entry left unused: the directory is at its
		 * end (file systems fill the buffer while they have entries),
		 * and one more call to hear so is saved. */
		if (res == 0 && (size_t)n + sizeof(*de) + NAME_MAX < DIR_BUF_SIZE)
			break;
	}
	if (res == 0 && n < 0)
		res = -errno;
	free(buf);
	return res;
}

int cgfile_dir_each_at(int dfd, const char *path,
                       int (*fn)(void *arg, const char *name, unsigned char type, ino_t ino),
                       void *arg)
{
	int fd, res;

	fd = openat(dfd, *path ? path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	res = cgfile_dir_each(fd, fn, arg);
	close(fd);
	return res;
}
