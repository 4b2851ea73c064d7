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
#include "cgfs/util.h"
#include "cgfs/units.h"

#define EVACUATE_ROUNDS 100

/* How long a freeze, a kill and a removal wait for the kernel; once waits
 * are cut short (a server stopping), every wait ends as if it had run
 * that long. */
static atomic_long wait_ms = GROUP_WAIT_MS;
static atomic_bool waits_cut;

void group_set_wait_ms(long ms)
{
	atomic_store(&wait_ms, ms);
}

void group_cut_waits(bool cut)
{
	atomic_store(&waits_cut, cut);
}

/* Whether a wait that has lasted waited ms is over. */
static bool wait_over(long waited)
{
	return waited >= atomic_load(&wait_ms) || atomic_load(&waits_cut);
}

/* v2 controllers cgfs enables in cgroup.subtree_control, by kernel name. */
static const struct { enum cg_ctrl c; const char *name; } v2_ctrls[] = {
	{ CTRL_CPU, "cpu" },       { CTRL_CPUSET, "cpuset" }, { CTRL_MEMORY, "memory" },
	{ CTRL_IO, "io" },         { CTRL_PIDS, "pids" },
};

/* ---- small file helpers: every one returns a negative errno ---- */

static int join(char *out, size_t size, const char *a, const char *b)
{
	int n;

	if (!a || !*a)
		n = snprintf(out, size, "%s", b);
	else if (!b || !*b)
		n = snprintf(out, size, "%s", a);
	else
		n = snprintf(out, size, "%s/%s", a, b);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static void dirname_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;

	if (len >= size)
		len = size - 1;
	memcpy(out, path, len);
	out[len] = '\0';
}

/* The text of an open file from offset 0, NUL-terminated: its length, or
 * -errno if nothing could be read. */
static int read_fd(int fd, char *buf, size_t size)
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

static int read_at(int dfd, const char *path, char *buf, size_t size)
{
	int fd, res;

	fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	res = read_fd(fd, buf, size);
	close(fd);
	return res;
}

/* cgroup.procs of a large group can be long; 64 MiB is far beyond pid_max. */
#define PROCS_FILE_MAX (64u << 20)

static int read_all_at(int dfd, const char *path, char **ret)
{
	return read_file_at(dfd, path, PROCS_FILE_MAX, ret);
}

static int write_at(int dfd, const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	fd = openat(dfd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

static int write_in(int dfd, const char *dir, const char *file, const char *text)
{
	char p[PATH_MAX];
	int r = join(p, sizeof(p), dir, file);

	return r < 0 ? r : write_at(dfd, p, text);
}

static int read_in(int dfd, const char *dir, const char *file, char *buf, size_t size)
{
	char p[PATH_MAX];
	int r = join(p, sizeof(p), dir, file);

	return r < 0 ? r : read_at(dfd, p, buf, size);
}

/* ---- kept interface files ----
 *
 * Opening a cgroup file costs more than reading or writing it (a path
 * walk and kernfs's open), so each thread keeps the knob files it used
 * last open and reads and writes them at offset 0. A file of a cgroup
 * removed meanwhile answers ENODEV: it is closed and its path opened
 * again, which finds the group made anew or nothing. A kept file is used
 * only while its path still names the directory it was opened in (same
 * inode): v1 renames cgroups, and a group renamed from outside, another
 * made under its name, must not be read or written through the old one's
 * files. A file whose last read was empty is not kept: seq_file answers a
 * read at 0 after an empty one from where it stopped, not afresh.
 *
 * Each thread's set is on a list, so that group_remove() closes every
 * thread's files of the group before the rmdir is answered (a thread
 * waiting for requests would otherwise keep them, and the kernel frees a
 * removed memory cgroup only once its files are closed). A thread holds
 * its set's lock while it uses a file of it, uncontended but for such a
 * removal: a file is never closed under a read or write. */
#define KEPT_FILES 16 /* a v2 meminfo deep in a tree reads a dozen */
#define KEPT_PATH 192

struct kept {
	int dfd, fd, flags; /* fd < 0: a free slot */
	dev_t dev;          /* the group's directory when fd was opened */
	ino_t ino;
	unsigned long used;
	char path[KEPT_PATH];
};

struct kept_set {
	pthread_mutex_t lock; /* held by its thread while it uses a file */
	struct kept_set *prev, *next;
	unsigned long clock;
	unsigned gen;
	struct kept k[KEPT_FILES];
};

static pthread_mutex_t sets_lock = PTHREAD_MUTEX_INITIALIZER; /* before any set's */
static struct kept_set *sets;
static pthread_key_t sets_key;
static pthread_once_t sets_once = PTHREAD_ONCE_INIT;
static __thread struct kept_set *kept_mine;
static __thread bool kept_none; /* no set could be made: nothing is kept */
/* One more for every group removed outside: a thread then closes what it
 * kept before its next use. */
static unsigned removals;

static void kept_drop(struct kept *k)
{
	close(k->fd);
	k->fd = -1;
}

/* A thread's end: its set leaves the list, its files are closed. */
static void kept_set_free(void *p)
{
	struct kept_set *s = p;
	size_t i;

	pthread_mutex_lock(&sets_lock);
	if (s->prev)
		s->prev->next = s->next;
	else
		sets = s->next;
	if (s->next)
		s->next->prev = s->prev;
	pthread_mutex_unlock(&sets_lock);
	for (i = 0; i < KEPT_FILES; i++)
		if (s->k[i].fd >= 0)
			kept_drop(&s->k[i]);
	pthread_mutex_destroy(&s->lock);
	free(s);
	kept_mine = NULL;
	kept_none = true;
}

static void sets_init(void)
{
	if (pthread_key_create(&sets_key, kept_set_free) != 0)
		sets_key = (pthread_key_t)-1;
}

/* The calling thread's set, locked; NULL (nothing is kept) if it could
 * not be made. */
static struct kept_set *kept_lock(void)
{
	struct kept_set *s = kept_mine;
	size_t i;

	if (!s && !kept_none) {
		pthread_once(&sets_once, sets_init);
		s = calloc(1, sizeof(*s));
		if (!s || sets_key == (pthread_key_t)-1 || pthread_setspecific(sets_key, s) != 0) {
			free(s);
			kept_none = true;
			return NULL;
		}
		pthread_mutex_init(&s->lock, NULL);
		for (i = 0; i < KEPT_FILES; i++)
			s->k[i].fd = -1;
		s->gen = __atomic_load_n(&removals, __ATOMIC_ACQUIRE);
		pthread_mutex_lock(&sets_lock);
		s->next = sets;
		if (sets)
			sets->prev = s;
		sets = s;
		pthread_mutex_unlock(&sets_lock);
		kept_mine = s;
	}
	if (s)
		pthread_mutex_lock(&s->lock);
	return s;
}

static void kept_unlock(struct kept_set *s)
{
	if (s)
		pthread_mutex_unlock(&s->lock);
}

void group_files_forget(void)
{
	__atomic_add_fetch(&removals, 1, __ATOMIC_RELEASE);
}

/* path names dir or a file or directory below it. */
static bool path_under(const char *path, const char *dir, size_t len)
{
	return strncmp(path, dir, len) == 0 && path[len] == '/';
}

void group_files_close(const char *dir)
{
	size_t i, len = strlen(dir);
	struct kept_set *s;

	if (len == 0)
		return;
	pthread_mutex_lock(&sets_lock);
	for (s = sets; s; s = s->next) {
		pthread_mutex_lock(&s->lock);
		for (i = 0; i < KEPT_FILES; i++)
			if (s->k[i].fd >= 0 && path_under(s->k[i].path, dir, len))
				kept_drop(&s->k[i]);
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_unlock(&sets_lock);
}

/* With s locked: closes its files if a group was removed outside since. */
static void kept_check(struct kept_set *s)
{
	unsigned now = __atomic_load_n(&removals, __ATOMIC_ACQUIRE);
	size_t i;

	if (s->gen == now)
		return;
	s->gen = now;
	for (i = 0; i < KEPT_FILES; i++)
		if (s->k[i].fd >= 0)
			kept_drop(&s->k[i]);
}

void group_files_check(void)
{
	struct kept_set *s = kept_mine;

	if (!s || s->gen == __atomic_load_n(&removals, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&s->lock);
	kept_check(s);
	pthread_mutex_unlock(&s->lock);
}

/* The directory one operation's files are in, as first looked up during
 * the operation (dfd < 0: not yet): its files (meminfo reads two or
 * more) need one look-up, not one each. */
struct seen {
	int dfd;
	dev_t dev;
	ino_t ino;
};

/* The directory dir names now in dfd; none: what an open would say. */
static int dir_now(int dfd, const char *dir, struct seen *seen, struct stat *st)
{
	if (seen && seen->dfd == dfd) {
		st->st_dev = seen->dev;
		st->st_ino = seen->ino;
		return 0;
	}
	if (fstatat(dfd, dir && *dir ? dir : ".", st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (seen)
		*seen = (struct seen){ dfd, st->st_dev, st->st_ino };
	return 0;
}

/* An open file for dir/file (flags O_RDONLY or O_WRONLY), kept or new;
 * *k is its slot, NULL if it is not kept (then the caller closes it). */
static int kept_open(struct kept_set *s, int dfd, const char *dir, const char *file, int flags,
                     struct seen *seen, struct kept **ret)
{
	char p[PATH_MAX];
	struct kept *k, *victim;
	struct stat st;
	int fd, res = join(p, sizeof(p), dir, file);

	*ret = NULL;
	if (res < 0)
		return res;
	if (s)
		kept_check(s);
	res = dir_now(dfd, dir, seen, &st);
	if (res < 0)
		return res;
	if (!s) {
		fd = openat(dfd, p, flags | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	victim = &s->k[0];
	for (k = s->k; k < s->k + KEPT_FILES; k++) {
		if (k->fd >= 0 && k->dfd == dfd && k->flags == flags && strcmp(k->path, p) == 0) {
			if (k->dev != st.st_dev || k->ino != st.st_ino) {
				kept_drop(k); /* another group under that name */
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
	if (strlen(p) >= KEPT_PATH)
		return fd;
	if (victim->fd >= 0)
		kept_drop(victim);
	*victim = (struct kept){ dfd, fd, flags, st.st_dev, st.st_ino, ++s->clock, "" };
	strcpy(victim->path, p);
	*ret = victim;
	return fd;
}

static void kept_done(struct kept *k, int fd, bool keep)
{
	if (!k)
		close(fd);
	else if (!keep)
		kept_drop(k);
}

static int kept_read(int dfd, const char *dir, const char *file, struct seen *seen, char *buf,
                     size_t size)
{
	struct kept_set *s = kept_lock();
	struct kept *k;
	int fd, n, again = 1;

retry:
	fd = kept_open(s, dfd, dir, file, O_RDONLY, seen, &k);
	if (fd < 0) {
		kept_unlock(s);
		return fd;
	}
	n = read_fd(fd, buf, size);
	kept_done(k, fd, n > 0);
	if (n == -ENODEV && k && again--) {
		seen = NULL; /* removed: look again */
		goto retry;
	}
	kept_unlock(s);
	return n;
}

static int kept_write(int dfd, const char *dir, const char *file, struct seen *seen,
                      const char *text)
{
	struct kept_set *s = kept_lock();
	size_t len = strlen(text);
	struct kept *k;
	ssize_t n;
	int fd, again = 1;

retry:
	fd = kept_open(s, dfd, dir, file, O_WRONLY, seen, &k);
	if (fd < 0) {
		kept_unlock(s);
		return fd;
	}
	n = pwrite(fd, text, len, 0);
	if (n < 0) {
		n = -errno;
		kept_done(k, fd, n != -ENODEV);
		if (n == -ENODEV && k && again--) {
			seen = NULL; /* removed: look again */
			goto retry;
		}
		kept_unlock(s);
		return (int)n;
	}
	kept_done(k, fd, true);
	kept_unlock(s);
	return (size_t)n == len ? 0 : -EIO;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- knob_io on a real group ---- */

struct gio {
	const struct cgroot *r;
	const char *path;
	struct cgroot *probing; /* cgroot_open only: records exists() answers */
	struct seen seen;       /* the group's directory, once looked up */
};

static const struct cg_hier *hier_for(const struct cgroot *r, enum cg_ctrl c)
{
	if (c < 0 || c >= CTRL_MAX || r->by_ctrl[c] < 0)
		return NULL;
	return &r->h[r->by_ctrl[c]];
}

static int gio_version(void *ctx, enum cg_ctrl c)
{
	const struct cg_hier *h = hier_for(((struct gio *)ctx)->r, c);

	return h ? h->version : 0;
}

static int gio_read(void *ctx, enum cg_ctrl c, const char *file, char *buf, size_t size)
{
	struct gio *g = ctx;
	const struct cg_hier *h = hier_for(g->r, c);

	if (!h)
		return -ENOENT;
	if (g->probing)
		return read_in(h->base_fd, g->path, file, buf, size);
	return kept_read(h->base_fd, g->path, file, &g->seen, buf, size);
}

static int gio_write(void *ctx, enum cg_ctrl c, const char *file, const char *text)
{
	struct gio *g = ctx;
	const struct cg_hier *h = hier_for(g->r, c);

	if (!h)
		return -ENOENT;
	if (g->probing)
		return write_in(h->base_fd, g->path, file, text);
	return kept_write(h->base_fd, g->path, file, &g->seen, text);
}

/* A v1 file's presence as probed at start, or -1 when not probed. */
static int v1_file_probed(const struct cgroot *r, enum cg_ctrl c, const char *file)
{
	size_t i;

	for (i = 0; i < r->n_v1_files; i++)
		if (r->v1_files[i].c == c && strcmp(r->v1_files[i].file, file) == 0)
			return r->v1_files[i].on;
	return -1;
}

static int gio_exists(void *ctx, enum cg_ctrl c, const char *file)
{
	struct gio *g = ctx;
	const struct cg_hier *h = hier_for(g->r, c);
	struct cgroot *rec = g->probing;
	char p[PATH_MAX];
	int on;

	if (!h || join(p, sizeof(p), g->path, file) < 0)
		return 0;
	if (h->version == 1 && (on = v1_file_probed(g->r, c, file)) >= 0)
		return on;
	on = faccessat(h->base_fd, p, F_OK, 0) == 0;
	/* knob_io file names are string literals: the pointer stays valid. */
	if (rec && h->version == 1 &&
	    rec->n_v1_files < sizeof(rec->v1_files) / sizeof(rec->v1_files[0])) {
		rec->v1_files[rec->n_v1_files].c = c;
		rec->v1_files[rec->n_v1_files].file = file;
		rec->v1_files[rec->n_v1_files++].on = on;
	}
	return on;
}

/* /proc/meminfo (read on every meminfo read) stays open: a pread at
 * offset 0 makes seq_file generate the text afresh, and opening and
 * closing it cost a third of a read. */
static int host_read_kept(const char *path, char *buf, size_t size)
{
	static atomic_int meminfo_fd = -1;
	int fd = atomic_load(&meminfo_fd), none = -1;

	if (fd < 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (!atomic_compare_exchange_strong(&meminfo_fd, &none, fd)) {
			close(fd);
			fd = none;
		}
	}
	return read_fd(fd, buf, size);
}

static int gio_host_read(void *ctx, const char *path, char *buf, size_t size)
{
	(void)ctx;
	if (size > 0 && strcmp(path, "/proc/meminfo") == 0)
		return host_read_kept(path, buf, size);
	return read_at(AT_FDCWD, path, buf, size);
}

static void gio_init(struct knob_io *io, struct gio *g, const struct cgroot *r,
                     const char *path)
{
	g->r = r;
	g->path = path;
	g->probing = NULL;
	g->seen.dfd = -1;
	io->ctx = g;
	io->version = gio_version;
	io->read = gio_read;
	io->write = gio_write;
	io->exists = gio_exists;
	io->host_read = gio_host_read;
}

/* ---- set-up ---- */

static void cpuset_copy_parent(const struct cg_hier *h, int dfd, const char *dir, bool made);

/* A new v1 cpuset cgroup below the base inherits its parent's CPUs. */
static void cpuset_inherit(const struct cg_hier *h, const char *path, bool made)
{
	cpuset_copy_parent(h, h->base_fd, path, made);
}

/* v2 resource files of a child exist only once its parent lists the
 * controller in cgroup.subtree_control; one at a time, so that one the
 * kernel refuses does not hide the others. */
static void v2_enable_below(const struct cgroot *r, const struct cg_hier *h,
                            const char *path)
{
	char text[32];
	size_t i;

	if (h->version != 2)
		return;
	for (i = 0; i < sizeof(v2_ctrls) / sizeof(v2_ctrls[0]); i++) {
		if (hier_for(r, v2_ctrls[i].c) != h)
			continue;
		snprintf(text, sizeof(text), "+%s", v2_ctrls[i].name);
		if (write_in(h->base_fd, path, "cgroup.subtree_control", text) < 0)
			log_debug("cannot enable %s below /%s/%s", v2_ctrls[i].name,
			          h->base, path);
	}
}

/* Copies cpuset.cpus and cpuset.mems of dir's parent into dir, where
 * they are empty (a new v1 cpuset cgroup refuses tasks until both are).
 * made: cgfs has just made dir. Then, where it had to fill dir itself, it
 * also sets dir's cgroup.clone_children, which its children inherit: the
 * kernel fills every cpuset made below it at mkdir from then on, and a
 * cpuset write costs the kernel time in proportion to the number of
 * cpusets, a read does not. Cgroups cgfs did not make keep their flag. */
static void cpuset_copy_parent(const struct cg_hier *h, int dfd, const char *dir, bool made)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char parent[PATH_MAX], buf[4096];
	bool filled = false;
	size_t i;

	if (h->version != 1 || !(h->h->ctrls & (1u << CTRL_CPUSET)))
		return;
	/* Cloned by the kernel: it copies both or neither. */
	if (made && read_in(dfd, dir, files[0], buf, sizeof(buf)) > 1)
		return;
	dirname_of(dir, parent, sizeof(parent));
	for (i = 0; i < 2; i++) {
		if (!made && read_in(dfd, dir, files[i], buf, sizeof(buf)) > 1)
			continue;
		if (read_in(dfd, parent, files[i], buf, sizeof(buf)) < 0)
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		if (*buf && write_in(dfd, dir, files[i], buf) == 0)
			filled = true;
	}
	if (made && filled)
		write_in(dfd, dir, "cgroup.clone_children", "1");
}

/* mkdir -p of rel below the mount point. Only the components made here
 * are touched (v1 cpusets filled from their parent): cgroups that were
 * there before are not ours. */
static int mkdir_parents(const struct cg_hier *h, int dfd, const char *rel)
{
	char p[PATH_MAX];
	size_t i, len = strlen(rel);

	if (len >= sizeof(p))
		return -ENAMETOOLONG;
	for (i = 1; i <= len; i++) {
		if (rel[i] != '/' && rel[i] != '\0')
			continue;
		memcpy(p, rel, i);
		p[i] = '\0';
		if (mkdirat(dfd, p, 0755) == 0)
			cpuset_copy_parent(h, dfd, p, true);
		else if (errno != EEXIST)
			return -errno;
	}
	return 0;
}

static int own_pid_into_leaf(const struct cg_hier *h)
{
	char pid[32];

	/* v2: a cgroup with controllers in subtree_control may hold no
	 * processes. When the base is our own cgroup (systemd delegation),
	 * the daemon moves itself into the base's leaf. */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	return write_in(h->base_fd, GROUP_LEAF, "cgroup.procs", pid);
}

/* Where the service manager put us, for hierarchies it does not manage:
 * systemd's Delegate=yes places a unit in its own cgroup on v2 and in
 * name=systemd, but leaves v1 controllers such as cpuset at the top. */
static const char *delegated_path(const struct layout *l)
{
	const char *rel;
	size_t i;

	if (l->v2 >= 0 && (rel = hier_own_relative(&l->hier[l->v2])) && *rel)
		return rel;
	for (i = 0; i < l->n; i++)
		if (l->hier[i].options && strcmp(l->hier[i].options, "name=systemd") == 0 &&
		    (rel = hier_own_relative(&l->hier[i])) && *rel)
			return rel;
	return NULL;
}

static int open_hier(struct cg_hier *ch, const struct hier *h, const char *base,
                     const char *fallback)
{
	const char *rel = base;
	int r;

	ch->h = h;
	ch->version = h->version;
	ch->base_fd = ch->mnt_fd = -1;
	if (!rel)
		rel = hier_own_relative(h);
	if (!base && rel && !*rel && fallback)
		rel = fallback;
	if (!rel) {
		log_err("cannot place %s: own cgroup is outside its mount", h->mountpoint);
		return -EINVAL;
	}
	while (*rel == '/')
		rel++;
	if (!*rel || strstr(rel, "..")) {
		log_err("refusing base '/%s' in %s: not below the top of the hierarchy",
		        rel, h->mountpoint);
		return -EINVAL;
	}
	ch->base = strdup(rel);
	if (!ch->base)
		return -ENOMEM;
	ch->base[strcspn(ch->base, "\n")] = '\0';
	while (*ch->base && ch->base[strlen(ch->base) - 1] == '/')
		ch->base[strlen(ch->base) - 1] = '\0';
	/* Our own cgroup is our base's leaf once we moved there (v2), as
	 * a supervisor re-executed for an upgrade finds itself. */
	if (!base) {
		size_t bl = strlen(ch->base), ll = strlen("/" GROUP_LEAF);

		if (bl > ll && strcmp(ch->base + bl - ll, "/" GROUP_LEAF) == 0)
			ch->base[bl - ll] = '\0';
		else if (strcmp(ch->base, GROUP_LEAF) == 0)
			return -EINVAL;
	}
	ch->mnt_fd = open(h->mountpoint, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ch->mnt_fd < 0)
		return -errno;
	r = mkdir_parents(ch, ch->mnt_fd, ch->base);
	if (r < 0) {
		log_err("cannot create %s/%s: %s", h->mountpoint, ch->base, strerror(-r));
		return r;
	}
	ch->base_fd = openat(ch->mnt_fd, ch->base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ch->base_fd < 0)
		return -errno;
	if (mkdirat(ch->base_fd, GROUP_LEAF, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The lock is the one part of a tree that changes while it is shared as
 * const: the object itself is never const. */
void cgroot_lock(const struct cgroot *r)
{
	pthread_mutex_lock((pthread_mutex_t *)&r->tree_lock);
}

void cgroot_unlock(const struct cgroot *r)
{
	pthread_mutex_unlock((pthread_mutex_t *)&r->tree_lock);
}

int cgroot_open(struct cgroot *r, struct layout *layout, const char *base,
                enum rmdir_mode mode)
{
	int map[LAYOUT_MAX_HIER];
	size_t i;
	int c, res;

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->tree_lock, NULL);
	r->layout = *layout;
	memset(layout, 0, sizeof(*layout));
	r->rmdir_mode = mode;
	for (c = 0; c < CTRL_MAX; c++)
		r->by_ctrl[c] = -1;
	for (i = 0; i < LAYOUT_MAX_HIER; i++)
		map[i] = -1;

	/* A hierarchy serves if it is the chosen one for some controller. */
	for (c = 0; c < CTRL_MAX; c++) {
		int li = r->layout.by_ctrl[c];

		if (li < 0)
			continue;
		if (map[li] < 0) {
			map[li] = (int)r->n;
			res = open_hier(&r->h[r->n++], &r->layout.hier[li], base,
			                delegated_path(&r->layout));
			if (res < 0)
				goto fail;
		}
		r->by_ctrl[c] = map[li];
	}
	if (r->n == 0) {
		log_err("no cgroup hierarchy serves any knob on this host");
		res = -ENOENT;
		goto fail;
	}
	r->primary = 0;
	if (r->layout.v2 >= 0 && map[r->layout.v2] >= 0)
		r->primary = map[r->layout.v2];
	else if (r->by_ctrl[CTRL_FREEZER] >= 0)
		r->primary = r->by_ctrl[CTRL_FREEZER];

	for (i = 0; i < r->n; i++) {
		struct cg_hier *h = &r->h[i];

		if (h->version != 2)
			continue;
		if (!base)
			own_pid_into_leaf(h);
		v2_enable_below(r, h, "");
		cpuset_inherit(h, GROUP_LEAF, false);
	}
	for (i = 0; i < r->n; i++)
		cpuset_inherit(&r->h[i], GROUP_LEAF, false);

	{
		struct knob_io io;
		struct gio g;

		gio_init(&io, &g, r, GROUP_LEAF);
		g.probing = r;
		for (i = 0; i < knob_count && i < 32; i++)
			r->knob_on[i] = knob_available(&knob_table[i], &io);
	}
	return 0;
fail:
	cgroot_close(r);
	return res;
}

void cgroot_close(struct cgroot *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->h[i].base_fd >= 0)
			close(r->h[i].base_fd);
		if (r->h[i].mnt_fd >= 0)
			close(r->h[i].mnt_fd);
		free(r->h[i].base);
	}
	r->n = 0;
	layout_free(&r->layout);
}

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

struct wframe {
	char *names;   /* its subdirectories' names, each NUL-terminated */
	size_t len, next;
	dev_t dev;
	ino_t ino;
	size_t pathlen; /* walk.path's length here */
	char *data;     /* the caller's (walk_ops.pre), freed with the frame */
};

struct walk {
	int fd;          /* the directory of the top frame */
	struct wframe *f;
	size_t n, cap;
	char *path;      /* relative to the start ("" there); any length */
	size_t pathcap;
	bool groups_only; /* dot-names (leaves) are not entered */
};

struct walk_ops {
	/* A directory found: dfd is it, pdfd its parent (-1 for the start),
	 * name its name ("" for the start). 0 to enter it, WALK_SKIP to leave
	 * it (post is not called for it), anything else stops the walk and
	 * is its result. *data (NULL at first) is kept with its frame. */
	int (*pre)(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
	           char **data);
	/* A directory done, below the start: pdfd is its parent. 0 goes on,
	 * anything else stops the walk and is its result. May be NULL. */
	int (*post)(void *arg, struct walk *w, int pdfd, const char *name, char *data);
};

#define WALK_SKIP GROUP_WALK_SKIP

/* The depth of the directory the walk is in (0 at the start). */
static size_t walk_depth(const struct walk *w)
{
	return w->n ? w->n - 1 : 0;
}

/* The caller's data of the directory the walk is in. */
static const char *walk_data(const struct walk *w)
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
static int list_names(int fd, bool groups_only, char **names, size_t *len)
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
static int walk_tree(int dfd, const char *path, bool groups_only, const struct walk_ops *ops,
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

/* ---- reading the tree ---- */

static const struct cg_hier *primary(const struct cgroot *r)
{
	return &r->h[r->primary];
}

int group_stat(const struct cgroot *r, const char *path, struct stat *ret)
{
	const struct cg_hier *h = primary(r);

	if (fstatat(h->base_fd, *path ? path : ".", ret, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return S_ISDIR(ret->st_mode) ? 0 : -ENOTDIR;
}

static int children_in(int base_fd, const char *path,
                       int (*fn)(void *arg, const char *name, ino_t ino), void *arg)
{
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	fd = openat(base_fd, *path ? path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((de = readdir(d))) {
		/* Dot-names are ours (.self) or not groups at all. */
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		r = fn(arg, de->d_name, de->d_ino);
		if (r)
			break;
	}
	closedir(d);
	return r;
}

int group_children(const struct cgroot *r, const char *path,
                   int (*fn)(void *arg, const char *name, ino_t ino), void *arg)
{
	return children_in(primary(r)->base_fd, path, fn, arg);
}

struct gwalk {
	int (*fn)(void *arg, int dfd, const char *path, const char *name, int depth);
	void *arg;
	const char *start;
	char *path; /* start + the walk's path */
	size_t cap;
};

static int gwalk_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
                     char **data)
{
	struct gwalk *g = arg;
	size_t sl = strlen(g->start), wl = strlen(w->path), need = sl + 1 + wl + 1;
	char *bigger;

	if (need > g->cap) {
		bigger = realloc(g->path, need);
		if (!bigger)
			return -ENOMEM;
		g->path = bigger;
		g->cap = need;
	}
	if (!sl || !wl)
		snprintf(g->path, need, "%s%s", g->start, w->path);
	else
		snprintf(g->path, need, "%s/%s", g->start, w->path);
	return g->fn(g->arg, dfd, g->path, name, (int)walk_depth(w) + (pdfd >= 0));
}

int group_walk_in(const struct cgroot *r, int hier, const char *path,
                  int (*fn)(void *arg, int dfd, const char *path, const char *name, int depth),
                  void *arg)
{
	static const struct walk_ops ops = { gwalk_pre, NULL };
	struct gwalk g = { fn, arg, path, NULL, 0 };
	int res;

	if (hier < 0 || (size_t)hier >= r->n)
		return -EINVAL;
	res = walk_tree(r->h[hier].base_fd, path, true, &ops, &g);
	free(g.path);
	return res;
}

struct ino_walk {
	int (*fn)(void *arg, const char *path, ino_t ino, int depth);
	void *arg;
};

static int ino_walk_one(void *arg, int dfd, const char *path, const char *name, int depth)
{
	struct ino_walk *iw = arg;
	struct stat st;

	if (fstat(dfd, &st) < 0)
		return -errno;
	return iw->fn(iw->arg, path, st.st_ino, depth);
}

int group_walk(const struct cgroot *r, const char *path,
               int (*fn)(void *arg, const char *path, ino_t ino, int depth), void *arg)
{
	struct ino_walk iw = { fn, arg };

	return group_walk_in(r, r->primary, path, ino_walk_one, &iw);
}

static int count_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
                     char **data)
{
	(*(int *)arg)++;
	return 0;
}

int group_count(const struct cgroot *r, const char *path)
{
	static const struct walk_ops ops = { count_pre, NULL };
	int n = 0, res = walk_tree(primary(r)->base_fd, path, true, &ops, &n);

	return res < 0 ? res : n;
}

/* ---- create ---- */

static void remove_made(const struct cgroot *r, const char *path, const bool *made)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (made[i])
			unlinkat(r->h[i].base_fd, path, AT_REMOVEDIR);
}

/* The leaf lp of a group in one hierarchy, made if missing; a v1 cpuset
 * leaf with no CPUs (made by someone else) is filled too, or it would
 * refuse every process. 1 made, 0 there already, or -errno. */
static int leaf_in(const struct cg_hier *h, const char *lp)
{
	bool made = mkdirat(h->base_fd, lp, 0755) == 0;

	if (!made && errno != EEXIST)
		return -errno;
	cpuset_inherit(h, lp, made);
	return made;
}

/* A group's leaf in every hierarchy where it is missing: it is made with
 * the group's first process, not with the group (a group that never holds
 * one costs half the cgroups). All or nothing. */
static int make_leaf(const struct cgroot *r, const char *path)
{
	bool made[LAYOUT_MAX_HIER] = { false };
	char lp[PATH_MAX];
	size_t i;
	int res = join(lp, sizeof(lp), path, GROUP_LEAF);

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
	char text[32];
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
			res = write_in(r->h[i].base_fd, path, "cgroup.max.descendants", text);
		}
		if (res == 0 && caps->max_depth >= 0) {
			if (caps->max_depth + 1 > INT_MAX)
				snprintf(text, sizeof(text), "max");
			else
				snprintf(text, sizeof(text), "%ld", caps->max_depth + 1);
			res = write_in(r->h[i].base_fd, path, "cgroup.max.depth", text);
		}
	}
	return res;
}

static int apply_caps(const struct cgroot *r, const char *path, const struct caps *caps)
{
	size_t i;
	int res = v2_tree_caps(r, path, caps);

	if (res < 0)
		return res;

	for (i = 0; i < knob_count && i < 32; i++) {
		const struct knob *k = &knob_table[i];

		if (!caps->value[i] || !k->cap || !k->set)
			continue;
		if (!r->knob_on[i]) {
			log_warn("cap %s for /%s not applied: no %s controller here", k->name,
			         path, ctrl_name(k->ctrl));
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

/* ---- processes ---- */

/* Calls fn(arg, name) for each subdirectory of path, stopping at fn's
 * first non-zero value, which it returns; -errno (-ENOENT too) if path
 * cannot be listed. getdents64 itself: opendir(3) costs an fstat and two
 * fcntl more per directory, and a group removal lists a dozen or more. */
static int subdirs(int base_fd, const char *path, int (*fn)(void *arg, const char *name),
                   void *arg)
{
	const size_t size = 8192;
	struct dirent64 *de;
	char *buf;
	ssize_t n, off;
	int fd, res = 0;

	fd = openat(base_fd, *path ? path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(size);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (res == 0 && (n = getdents64(fd, buf, size)) > 0) {
		for (off = 0; res == 0 && off < n; off += de->d_reclen) {
			de = (struct dirent64 *)(buf + off);
			if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			res = fn(arg, de->d_name);
		}
		/* Room for another entry left unused: the directory is at its
		 * end (kernfs fills the buffer while it has entries). */
		if (res == 0 && (size_t)n + sizeof(*de) + NAME_MAX < size)
			break;
	}
	if (res == 0 && n < 0)
		res = -errno;
	free(buf);
	close(fd);
	return res;
}

/* Calls fn (may be NULL) for every pid in cgroup.procs of the cgroup
 * open at dfd; returns how many it saw. */
static int pids_in(int dfd, void (*fn)(void *arg, pid_t pid), void *arg)
{
	char *buf = NULL, *line, *save = NULL;
	int n = 0;

	if (read_all_at(dfd, "cgroup.procs", &buf) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long v = strtol(line, NULL, 10);

		if (v > 0) {
			n++;
			if (fn)
				fn(arg, (pid_t)v);
		}
	}
	free(buf);
	return n;
}

struct pid_walk {
	void (*fn)(void *arg, pid_t pid);
	void *arg;
	int n;
};

static int pid_walk_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
                        char **data)
{
	struct pid_walk *pw = arg;

	pw->n += pids_in(dfd, pw->fn, pw->arg);
	return 0;
}

/* Calls fn for every pid listed in cgroup.procs of path and every cgroup
 * below it in one hierarchy; returns how many it saw, or -errno. */
static int for_each_pid(int base_fd, const char *path,
                        void (*fn)(void *arg, pid_t pid), void *arg)
{
	static const struct walk_ops ops = { pid_walk_pre, NULL };
	struct pid_walk pw = { fn, arg, 0 };
	int res = walk_tree(base_fd, path, false, &ops, &pw);

	return res < 0 && res != -ENOENT ? res : pw.n;
}

struct move_ctx {
	const struct cg_hier *h;
	const char *leaf;   /* the target's leaf below h->base_fd, */
	const char *target; /* and its cgroup.procs */
	bool ready;         /* the leaf is there */
};

static void move_one(void *arg, pid_t pid)
{
	struct move_ctx *m = arg;
	char text[32];

	/* Made when the first process is to go there, not before. */
	if (!m->ready && leaf_in(m->h, m->leaf) >= 0)
		m->ready = true;

	snprintf(text, sizeof(text), "%d", (int)pid);
	/* ESRCH: it exited meanwhile, which is what we wanted anyway. */
	write_at(m->h->base_fd, m->target, text);
}

static void kill_one(void *arg, pid_t pid)
{
	kill(pid, SIGKILL);
}

static int v2_frozen(const struct cg_hier *h, const char *path)
{
	char buf[512], *p;

	if (read_in(h->base_fd, path, "cgroup.events", buf, sizeof(buf)) < 0)
		return -ENOENT;
	p = strstr(buf, "frozen ");
	return p ? p[7] == '1' : -EIO;
}

int group_freeze_ask(const struct cgroot *r, const char *path, bool on)
{
	const struct cg_hier *h = hier_for(r, CTRL_FREEZER);

	if (!h)
		return -EOPNOTSUPP;
	if (h->version == 1)
		return write_in(h->base_fd, path, "freezer.state", on ? "FROZEN" : "THAWED");
	return write_in(h->base_fd, path, "cgroup.freeze", on ? "1" : "0");
}

int group_freeze_state(const struct cgroot *r, const char *path)
{
	const struct cg_hier *h = hier_for(r, CTRL_FREEZER);
	char buf[64];

	if (!h)
		return -EOPNOTSUPP;
	if (h->version == 2)
		return v2_frozen(h, path);
	/* v1: reading the state also moves FREEZING on to FROZEN. */
	if (read_in(h->base_fd, path, "freezer.state", buf, sizeof(buf)) < 0)
		return -ENOENT;
	return strncmp(buf, "FROZEN", 6) == 0;
}

int group_freeze_wait(const struct cgroot *r, const char *path)
{
	long waited = 0, step = 1;
	int res;

	/* The write only asks; the state says when every task stopped. */
	while ((res = group_freeze_state(r, path)) == 0) {
		if (wait_over(waited)) {
			group_freeze_ask(r, path, false);
			return -EBUSY;
		}
		sleep_ms(step);
		waited += step;
		if (step < 16)
			step *= 2;
	}
	return res < 0 ? res : 0;
}

int group_freeze(const struct cgroot *r, const char *path, bool on)
{
	int res = group_freeze_ask(r, path, on);

	return res < 0 || !on ? res : group_freeze_wait(r, path);
}

int group_kill_now(const struct cgroot *r, const char *path)
{
	const struct cg_hier *h = hier_for(r, CTRL_FREEZER);

	if (h && h->version == 2)
		return write_in(h->base_fd, path, "cgroup.kill", "1");
	return -EWOULDBLOCK;
}

static int thaw_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
                    char **data)
{
	char buf[8];

	/* Below the start only (the caller thaws that), a cgroup frozen on
	 * its own, not one frozen through its parent. */
	if (pdfd >= 0 && read_at(dfd, "freezer.self_freezing", buf, sizeof(buf)) > 0 &&
	    buf[0] == '1')
		write_at(dfd, "freezer.state", "THAWED");
	return 0;
}

/* Thaws every v1 cgroup below path frozen on its own (a kill's processes
 * there would stay frozen, SIGKILL pending, for ever), leaves included,
 * in bounded stack whatever the depth. */
static void v1_thaw_below(const struct cg_hier *h, const char *path)
{
	static const struct walk_ops ops = { thaw_pre, NULL };

	walk_tree(h->base_fd, path, false, &ops, NULL);
}

int group_kill(const struct cgroot *r, const char *path)
{
	const struct cg_hier *h = hier_for(r, CTRL_FREEZER);
	char buf[8];
	int round, res;

	if (h && h->version == 2)
		return write_in(h->base_fd, path, "cgroup.kill", "1");
	if (h) {
		/* v1 has no cgroup.kill: freeze so nothing can fork away while
		 * we signal, then thaw so the signals are delivered, below
		 * too. A v1 frozen process cannot die until thawed: inside a
		 * frozen ancestor, which we may not thaw, nothing is done. */
		if (read_in(h->base_fd, path, "freezer.parent_freezing", buf, sizeof(buf)) > 0 &&
		    buf[0] == '1')
			return -EBUSY;
		res = group_freeze(r, path, true);
		if (res == 0) {
			res = for_each_pid(h->base_fd, path, kill_one, NULL);
			v1_thaw_below(h, path);
			write_in(h->base_fd, path, "freezer.state", "THAWED");
			return res < 0 ? res : 0;
		}
		/* A task the freezer cannot stop (one waiting in the kernel,
		 * for a file system say) still dies of SIGKILL: signal in
		 * rounds below, as without a freezer, with the groups below
		 * thawed so that theirs can die too. */
		if (res != -EBUSY)
			return res;
		v1_thaw_below(h, path);
	} else {
		h = primary(r);
	}
	for (round = 0; round < EVACUATE_ROUNDS; round++) {
		res = for_each_pid(h->base_fd, path, kill_one, NULL);
		if (res <= 0)
			return res;
		sleep_ms(2);
	}
	return -EBUSY;
}

static int wait_empty(const struct cgroot *r, const char *path)
{
	long waited = 0;
	size_t i;

	for (;;) {
		int n = 0;

		for (i = 0; i < r->n; i++) {
			int m = for_each_pid(r->h[i].base_fd, path, NULL, NULL);

			if (m > 0)
				n += m;
		}
		if (n == 0)
			return 0;
		if (wait_over(waited))
			return -EBUSY;
		sleep_ms(5);
		waited += 5;
	}
}

/* This process's cgroup in h as the text of /proc/PID/cgroup has it
 * (absolute in the hierarchy, "/..." outside our cgroup namespace), or
 * NULL. Cuts text at the end of that line. */
static char *cgroup_line_raw(const struct cg_hier *h, char *text)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		bool match;

		if (!c2)
			continue;
		*c2 = '\0';
		if (h->version == 2)
			match = c1 == line + 1 && line[0] == '0' && c1[1] == '\0';
		else
			match = strcmp(c1 + 1, h->h->options ? h->h->options : "") == 0;
		if (match)
			return c2 + 1;
	}
	return NULL;
}

/* Finds this process's cgroup (relative to h's mount point) in the text
 * of /proc/PID/cgroup. */
static bool cgroup_line_for(const struct cg_hier *h, char *text, char *out, size_t size)
{
	const char *root = h->h->mount_root ? h->h->mount_root : "/";
	size_t rl = strlen(root);
	char *p = cgroup_line_raw(h, text);

	if (!p)
		return false;
	/* Outside our cgroup namespace the kernel shows "/../x": no
	 * path we could name from our mounts. */
	if (strstr(p, "/..") || strcmp(p, "..") == 0)
		return false;
	if (strcmp(root, "/") && (strncmp(p, root, rl) || (p[rl] && p[rl] != '/')))
		return false;
	p += strcmp(root, "/") ? rl : 0;
	while (*p == '/')
		p++;
	snprintf(out, size, "%s", *p ? p : ".");
	return true;
}

static int move_pid(const struct cgroot *r, const char *path, pid_t pid)
{
	char orig[LAYOUT_MAX_HIER][PATH_MAX];
	bool have[LAYOUT_MAX_HIER] = { false };
	char text[8192], tmp[8192], lp[PATH_MAX], num[32], cg[64];
	size_t i, j;
	int res;

	snprintf(cg, sizeof(cg), "/proc/%d/cgroup", (int)pid);
	if (read_at(AT_FDCWD, cg, text, sizeof(text)) < 0)
		return -ESRCH;
	for (i = 0; i < r->n; i++) {
		memcpy(tmp, text, sizeof(tmp));
		have[i] = cgroup_line_for(&r->h[i], tmp, orig[i], sizeof(orig[i]));
	}
	res = join(lp, sizeof(lp), path, GROUP_LEAF "/cgroup.procs");
	if (res < 0)
		return res;
	snprintf(num, sizeof(num), "%d", (int)pid);
	for (i = 0; i < r->n; i++) {
		res = write_at(r->h[i].base_fd, lp, num);
		if (res == 0)
			continue;
		/* Undo: back where it was in the hierarchies already done. */
		for (j = 0; j < i; j++) {
			char back[PATH_MAX];

			if (have[j] && join(back, sizeof(back), orig[j], "cgroup.procs") == 0)
				write_at(r->h[j].mnt_fd, back, num);
		}
		return res;
	}
	return 0;
}

int group_move_pid(const struct cgroot *r, const char *path, pid_t pid)
{
	int res = move_pid(r, path, pid);

	if (res != -ENOENT)
		return res;
	/* No leaf yet (or not everywhere): the group's first process. */
	cgroot_lock(r);
	res = make_leaf(r, path);
	cgroot_unlock(r);
	return res < 0 ? res : move_pid(r, path, pid);
}

/* Whether cg (relative to h's mount, "." its top) is path or below it. */
static bool cg_inside(const struct cg_hier *h, const char *cg, const char *path)
{
	char want[PATH_MAX];
	size_t wl;

	if (join(want, sizeof(want), h->base, path) < 0)
		return false;
	wl = strlen(want);
	return strncmp(cg, want, wl) == 0 && (cg[wl] == '\0' || cg[wl] == '/');
}

int group_pid_admitted(const struct cgroot *r, const char *path, pid_t pid,
                       bool (*admit)(void *arg, const char *cg), void *arg)
{
	char text[8192], tmp[8192], cg[PATH_MAX], file[64];
	const char *raw;
	size_t i;
	int n;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	n = read_at(AT_FDCWD, file, text, sizeof(text));
	if (n < 0)
		return -ESRCH;
	/* Every hierarchy cgfs moves processes in: a process held in a
	 * cgroup of one of them must not be pulled out of it there. */
	for (i = 0; i < r->n; i++) {
		memcpy(tmp, text, (size_t)n + 1);
		if (cgroup_line_for(&r->h[i], tmp, cg, sizeof(cg)) && cg_inside(&r->h[i], cg, path))
			continue;
		memcpy(tmp, text, (size_t)n + 1);
		raw = cgroup_line_raw(&r->h[i], tmp);
		/* A cgroup outside our namespace ("/../x") is no admission point. */
		if (!raw || strstr(raw, "/..") || !admit || !admit(arg, raw))
			return 0;
	}
	return 1;
}

int group_pid_inside(const struct cgroot *r, const char *path, pid_t pid)
{
	const struct cg_hier *h = hier_for(r, CTRL_FREEZER);
	char text[8192], cg[PATH_MAX], file[64];

	if (!h)
		h = primary(r);
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	if (pid <= 0 || read_at(AT_FDCWD, file, text, sizeof(text)) < 0)
		return -ESRCH;
	return cgroup_line_for(h, text, cg, sizeof(cg)) && cg_inside(h, cg, path);
}

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

	if ((res = join(tl, sizeof(tl), target, GROUP_LEAF)) < 0 ||
	    (res = join(tp, sizeof(tp), tl, "cgroup.procs")) < 0)
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

/* A subdirs() callback: stops at a child group, notes the leaf. */
static int not_leaf(void *arg, const char *name)
{
	bool *leaf = arg;

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

	if (join(lp, sizeof(lp), path, GROUP_LEAF) < 0)
		return 0;
	/* Child groups: the long way at once (nothing is undone then). */
	if (subdirs(primary(r)->base_fd, path, not_leaf, &leaf) != 0)
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
		dirname_of(path, parent, sizeof(parent));
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
		group_files_close(path);
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

	group_files_close(path);
	return res;
}

/* ---- knobs ---- */

int group_knob_read(const struct cgroot *r, const char *path, const struct knob *k,
                    char **buf)
{
	struct knob_io io;
	struct gio g;
	char lp[PATH_MAX];
	struct stat st;
	int res;

	switch (k->kind) {
	case KNOB_PROCS:
		res = join(lp, sizeof(lp), path, GROUP_LEAF "/cgroup.procs");
		if (res == 0)
			res = read_all_at(primary(r)->base_fd, lp, buf);
		/* No leaf: no process has been in the group yet. */
		if (res == -ENOENT && group_stat(r, path, &st) == 0) {
			*buf = strdup("");
			res = *buf ? 0 : -ENOMEM;
		}
		return res;
	case KNOB_FREEZE:
		res = group_freeze_state(r, path);
		if (res < 0)
			return res;
		*buf = strdup(res ? "1\n" : "0\n");
		return *buf ? 2 : -ENOMEM;
	case KNOB_KILL:
		return -EACCES;
	case KNOB_VALUE:
		break;
	}
	if (!k->get)
		return -EACCES;
	*buf = malloc(KNOB_TEXT_MAX);
	if (!*buf)
		return -ENOMEM;
	gio_init(&io, &g, r, path);
	res = k->get(k, &io, *buf, KNOB_TEXT_MAX);
	if (res < 0) {
		free(*buf);
		*buf = NULL;
	}
	return res;
}

/* ---- v1 cpusets ---- */

static int cpus_of(int dfd, const char *dir, uint64_t *bits)
{
	char buf[8192];
	int res = read_in(dfd, dir, "cpuset.cpus", buf, sizeof(buf));

	return res < 0 ? res : units_parse_cpulist(buf, bits);
}

static int write_cpus(int dfd, const char *dir, const uint64_t *bits)
{
	char buf[8192];
	int res = units_format_cpulist(bits, buf, sizeof(buf));

	return res < 0 ? res : write_in(dfd, dir, "cpuset.cpus", buf);
}

/* v1 refuses a cpuset.cpus that is not a subset of the parent's (EBUSY
 * for the parent when a child would stick out): before narrowing a group,
 * fit every cgroup below it into allowed, deepest first. A child whose
 * CPUs all go away gets all of its parent's new set. Each directory's
 * frame keeps its new set as text, after a mark: '=' it keeps its CPUs,
 * '!' they are written when its children are done. */
struct fit {
	uint64_t *cur, *want; /* UNITS_CPU_WORDS each, on the heap */
	char text[8192];
};

static int fit_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
                   char **data)
{
	struct fit *f = arg;
	char buf[8192];
	bool empty = true, same = true;
	size_t i;
	int res;

	if (pdfd < 0) {
		/* The start: its children fit into allowed (f->want). */
		res = units_format_cpulist(f->want, f->text + 1, sizeof(f->text) - 1);
	} else {
		res = units_parse_cpulist(walk_data(w) + 1, f->want);
		if (res == 0)
			res = read_at(dfd, "cpuset.cpus", buf, sizeof(buf));
		if (res >= 0)
			res = units_parse_cpulist(buf, f->cur);
		for (i = 0; res == 0 && i < UNITS_CPU_WORDS; i++) {
			f->want[i] &= f->cur[i];
			empty = empty && !f->want[i];
		}
		/* All its CPUs go: it gets all of its parent's. */
		if (res == 0 && empty)
			res = units_parse_cpulist(walk_data(w) + 1, f->want);
		for (i = 0; res == 0 && i < UNITS_CPU_WORDS; i++)
			same = same && f->want[i] == f->cur[i];
		if (res == 0)
			res = units_format_cpulist(f->want, f->text + 1, sizeof(f->text) - 1);
	}
	if (res < 0)
		return res;
	f->text[0] = same ? '=' : '!';
	*data = strdup(f->text);
	return *data ? 0 : -ENOMEM;
}

static int fit_post(void *arg, struct walk *w, int pdfd, const char *name, char *data)
{
	return data[0] == '!' ? write_in(pdfd, name, "cpuset.cpus", data + 1) : 0;
}

static int cpuset_v1_fit(int dfd, const char *dir, const uint64_t *allowed)
{
	static const struct walk_ops ops = { fit_pre, fit_post };
	struct fit *f = malloc(sizeof(*f));
	int res = -ENOMEM;

	if (f) {
		f->cur = malloc(2 * UNITS_CPU_WORDS * sizeof(uint64_t));
		f->want = f->cur ? f->cur + UNITS_CPU_WORDS : NULL;
	}
	if (f && f->cur) {
		memcpy(f->want, allowed, UNITS_CPU_WORDS * sizeof(uint64_t));
		res = walk_tree(dfd, dir, false, &ops, f);
	}
	if (f)
		free(f->cur);
	free(f);
	return res;
}

/* -ERANGE when bits name a CPU past the highest this machine can have:
 * the kernel's own answer, on v1 and v2 (its list parser stops at
 * nr_cpu_ids, the possible CPUs), which the subset check of
 * cpuset_v1_set would turn into -EINVAL. */
static int cpus_in_range(const uint64_t *bits)
{
	uint64_t *possible = malloc(UNITS_CPU_WORDS * sizeof(uint64_t)), in_range;
	size_t w, first = 0, last = 0;
	char buf[4096];
	int res;

	if (!possible)
		return -ENOMEM;
	res = read_at(AT_FDCWD, "/sys/devices/system/cpu/possible", buf, sizeof(buf));
	if (res >= 0)
		res = units_parse_cpulist(buf, possible);
	for (w = 0; res == 0 && w < UNITS_CPU_WORDS; w++)
		if (possible[w])
			last = w * 64 + 63 - (size_t)__builtin_clzll(possible[w]);
	for (w = 0; res == 0 && w < UNITS_CPU_WORDS; w++, first += 64) {
		if (first > last)
			in_range = 0;
		else if (first + 63 <= last)
			in_range = UINT64_MAX;
		else
			in_range = (UINT64_C(1) << (last - first + 1)) - 1;
		if (bits[w] & ~in_range)
			res = -ERANGE;
	}
	free(possible);
	/* Without the file there is nothing to tell: the kernel will. */
	return res == -ERANGE || res == -ENOMEM ? res : 0;
}

static int cpuset_v1_set(const struct cgroot *r, const struct cg_hier *h, const char *path,
                         const struct knob *k, const struct knob_io *io, const char *value)
{
	uint64_t *want = malloc(2 * UNITS_CPU_WORDS * sizeof(uint64_t)), *par;
	char parent[PATH_MAX], lp[PATH_MAX];
	size_t w;
	int res;

	if (!want)
		return -ENOMEM;
	par = want + UNITS_CPU_WORDS;
	dirname_of(path, parent, sizeof(parent));
	res = units_parse_cpulist(value, want);
	if (res == 0)
		res = cpus_in_range(want);
	if (res == 0)
		res = cpus_of(h->base_fd, parent, par);
	/* What the kernel would refuse is refused before anything changes. */
	for (w = 0; res == 0 && w < UNITS_CPU_WORDS; w++)
		if (want[w] & ~par[w])
			res = -EINVAL;
	if (res == 0)
		res = cpuset_v1_fit(h->base_fd, path, want);
	if (res == 0)
		res = k->set(k, io, value);
	/* The group's own processes follow the group, wider or narrower
	 * (a group that never had one has no leaf). */
	if (res == 0 && join(lp, sizeof(lp), path, GROUP_LEAF) == 0 &&
	    (res = write_cpus(h->base_fd, lp, want)) == -ENOENT)
		res = 0;
	free(want);
	return res;
}

int group_knob_write(const struct cgroot *r, const char *path, const struct knob *k,
                     const char *value)
{
	const struct cg_hier *h;
	struct knob_io io;
	struct gio g;
	int res, v, pid;

	switch (k->kind) {
	case KNOB_PROCS:
		res = knob_parse_pid(value, &pid);
		return res < 0 ? res : group_move_pid(r, path, pid);
	case KNOB_FREEZE:
		res = knob_parse_freeze(value, &v);
		return res < 0 ? res : group_freeze(r, path, v);
	case KNOB_KILL:
		res = knob_parse_kill(value);
		return res < 0 ? res : group_kill(r, path);
	case KNOB_VALUE:
		break;
	}
	if (!k->set)
		return -EACCES;
	gio_init(&io, &g, r, path);
	h = hier_for(r, k->ctrl);
	if (k->ctrl == CTRL_CPUSET && h && h->version == 1) {
		res = k->check ? k->check(value) : 0;
		return res < 0 ? res : cpuset_v1_set(r, h, path, k, &io, value);
	}
	return k->set(k, &io, value);
}

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
	return join(p, size, path, name);
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
	struct raw_ent *bigger;

	if (strlen(name) > NAME_MAX)
		return 0; /* cannot happen: a directory entry's name */
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;

		bigger = realloc(v->e, cap * sizeof(*v->e));
		if (!bigger)
			return -ENOMEM;
		v->e = bigger;
		v->cap = cap;
	}
	v->e[v->n].f = *f;
	v->e[v->n].rank = rank;
	strcpy(v->e[v->n].name, name);
	v->n++;
	return 0;
}

/* Adds the regular files of the group's directory in hierarchy hier. */
static int raw_collect(const struct cgroot *r, const char *path, int hier, struct raw_vec *v)
{
	const struct cg_hier *h = &r->h[hier];
	struct raw_file f = { .hier = hier };
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, res = 0;

	fd = openat(h->base_fd, *path ? path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* not made in this one (yet) */
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while (res == 0 && (de = readdir(d))) {
		if (de->d_type != DT_REG)
			continue;
		/* The mode says whether the kernel lets it be read and written. */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		f.ino = st.st_ino;
		f.mode = st.st_mode & 07777;
		res = raw_vec_add(v, de->d_name, &f, raw_rank(r, de->d_name, hier));
	}
	closedir(d);
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
	return res < 0 ? res : read_all_at(h->base_fd, p, buf);
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
	int res = join(lp, sizeof(lp), path, GROUP_LEAF);

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
	for (i = 0; i < knob_count && i < 32; i++) {
		int hi = r->by_ctrl[knob_table[i].ctrl];

		if (hi < 0 || !(mask & (1u << hi)))
			ret->value[i] = NULL;
	}
}

/* Names of the hierarchies in mask, for log lines. */
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
	char lp[PATH_MAX], names[512];
	struct caps lost;
	size_t i;
	int res;

	res = group_presence(r, path, &dirs, &leaves);
	if (res < 0)
		return res;
	all = (1u << r->n) - 1;
	if (dirs == all && (leaves == 0 || leaves == all))
		return 0;
	res = join(lp, sizeof(lp), path, GROUP_LEAF);
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
	struct child_ent *bigger;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;

		bigger = realloc(s->v, cap * sizeof(*s->v));
		if (!bigger)
			return -ENOMEM;
		s->v = bigger;
		s->cap = cap;
	}
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
	struct rframe *t, *bigger;
	struct stat st;
	size_t i;
	int res = 0;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;

		bigger = realloc(c->f, cap * sizeof(*bigger));
		if (!bigger)
			return -ENOMEM;
		c->f = bigger;
		c->cap = cap;
	}
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
