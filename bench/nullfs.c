// SPDX-License-Identifier: MIT
/*
 * nullfs: the FUSE floor for the benchmark. A low-level server with one
 * file, "knob", that reads back a constant and accepts any write (and
 * "slow", the same after NULL_SLOW_MS, for tests/integration/serve.sh:
 * a slow request must hold up no other; with NULLFS_SLOW_GATE=FILE in
 * the environment, a read of "slow" creates FILE.started and answers
 * only once FILE is gone, so the test needs no timing). It is
 * mounted, threaded and timed out the way cgfs is (same mount options,
 * direct_io, ATOMIC_O_TRUNC, 1 s entry/attr timeouts, the same session
 * loop, src/serve.c, with as many threads; -s for one thread), so the gap
 * between the two is what cgfs does, not what FUSE costs.
 *
 * Directories, for a group's lifecycle (bench case 3): mkdir makes one
 * anywhere (at most NULL_DIRS_MAX, nested as deep as wanted), and each
 * holds three files named as cgfs's limits (dir_files[]) that behave as
 * "knob" does; rmdir removes one that has no directory below it (its
 * files go with it, as a group's do). Inode numbers only grow: a
 * directory takes NULL_INO_STRIDE of them (itself, then its files), and
 * none is used again, so an inode the kernel still holds never names
 * another node. The table is kept in inode order (binary search by
 * inode); a name is found by a scan of it, which costs nothing at the few
 * directories the bench keeps.
 *
 *     nullfs [-f] [-d] [-s] MOUNTPOINT
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fuse_lowlevel.h>

#include "cgfs/serve.h"

#define NULL_INO 2
#define NULL_NAME "knob"
#define SLOW_INO 3
#define SLOW_NAME "slow"
#define NULL_SLOW_MS 300
#define GATE_MAX_MS 60000
#define NULL_TIMEOUT 1.0 /* cgfs's fs.timeout */
#define NULL_DIRS_MAX 65536
#define NULL_INO_FIRST 16 /* the first directory's */
#define NULL_NFILES 3
#define NULL_INO_STRIDE (1 + NULL_NFILES)
#define ROOT_ENTRIES 4 /* ".", "..", knob, slow */
#define DIR_ENTRIES (2 + NULL_NFILES)

static const char null_value[] = "512\n";
static const char *const dir_files[NULL_NFILES] = { "memory_limit_mb", "cpu_percent",
                                                    "pids_max" };

struct null_dir {
	fuse_ino_t ino;    /* its files are ino + 1 .. ino + NULL_NFILES */
	fuse_ino_t parent; /* FUSE_ROOT_ID or another directory's ino */
	unsigned nsub;     /* directories below it */
	char *name;
};

/* Every directory, in inode order (new ones go last). */
static struct null_dir *dirs;
static size_t ndirs, dirs_cap;
static unsigned root_nsub;
static fuse_ino_t next_ino = NULL_INO_FIRST;
static pthread_mutex_t dirs_lock = PTHREAD_MUTEX_INITIALIZER;

/* The directory with inode ino, or NULL; under dirs_lock. */
static struct null_dir *dir_at(fuse_ino_t ino)
{
	size_t lo = 0, hi = ndirs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (dirs[mid].ino == ino)
			return &dirs[mid];
		if (dirs[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The directory named name in parent, or NULL; under dirs_lock. */
static struct null_dir *dir_named(fuse_ino_t parent, const char *name)
{
	size_t i;

	for (i = 0; i < ndirs; i++)
		if (dirs[i].parent == parent && strcmp(dirs[i].name, name) == 0)
			return &dirs[i];
	return NULL;
}

enum null_kind { KIND_NONE, KIND_DIR, KIND_FILE };

/* What ino is now; under dirs_lock. */
static enum null_kind kind_of(fuse_ino_t ino)
{
	fuse_ino_t base;

	if (ino == FUSE_ROOT_ID)
		return KIND_DIR;
	if (ino == NULL_INO || ino == SLOW_INO)
		return KIND_FILE;
	if (ino < NULL_INO_FIRST)
		return KIND_NONE;
	base = ino - (ino - NULL_INO_FIRST) % NULL_INO_STRIDE;
	if (!dir_at(base))
		return KIND_NONE;
	return base == ino ? KIND_DIR : KIND_FILE;
}

/* The file named name in directory parent (0: none); under dirs_lock. */
static fuse_ino_t file_named(fuse_ino_t parent, const char *name)
{
	int i;

	if (parent == FUSE_ROOT_ID)
		return strcmp(name, NULL_NAME) == 0 ? NULL_INO :
		       strcmp(name, SLOW_NAME) == 0 ? SLOW_INO : 0;
	for (i = 0; i < NULL_NFILES; i++)
		if (strcmp(name, dir_files[i]) == 0)
			return parent + 1 + (fuse_ino_t)i;
	return 0;
}

/* A directory's or a file's attributes; under dirs_lock. */
static void null_stat(fuse_ino_t ino, enum null_kind kind, struct stat *st)
{
	const struct null_dir *d;

	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_blksize = 4096;
	if (kind == KIND_DIR) {
		d = ino == FUSE_ROOT_ID ? NULL : dir_at(ino);
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2 + (d ? d->nsub : root_nsub);
	} else {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
	}
}

static void null_init(void *userdata, struct fuse_conn_info *conn)
{
	/* As cgfs: O_TRUNC comes with OPEN, not as a SETATTR of its own. */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
}

/* The entry the kernel gets for ino; under dirs_lock. */
static void fill_entry(struct fuse_entry_param *e, fuse_ino_t ino, enum null_kind kind)
{
	memset(e, 0, sizeof(*e));
	e->ino = ino;
	e->attr_timeout = NULL_TIMEOUT;
	e->entry_timeout = NULL_TIMEOUT;
	null_stat(ino, kind, &e->attr);
}

/* A directory's child: 0 and its inode and kind, or -errno; under
 * dirs_lock. As cgfs, a name not there is an error (no negative entry). */
static int child_of(fuse_ino_t parent, const char *name, fuse_ino_t *ino,
                    enum null_kind *kind)
{
	const struct null_dir *d;

	switch (kind_of(parent)) {
	case KIND_NONE:
		return -ENOENT;
	case KIND_FILE:
		return -ENOTDIR;
	case KIND_DIR:
		break;
	}
	*ino = file_named(parent, name);
	*kind = KIND_FILE;
	if (*ino)
		return 0;
	d = dir_named(parent, name);
	if (!d)
		return -ENOENT;
	*ino = d->ino;
	*kind = KIND_DIR;
	return 0;
}

static void null_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	enum null_kind kind;
	fuse_ino_t ino;
	int r;

	pthread_mutex_lock(&dirs_lock);
	r = child_of(parent, name, &ino, &kind);
	if (r == 0)
		fill_entry(&e, ino, kind);
	pthread_mutex_unlock(&dirs_lock);
	if (r == 0)
		fuse_reply_entry(req, &e);
	else
		fuse_reply_err(req, -r);
}

static void null_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	enum null_kind kind;
	struct stat st;

	pthread_mutex_lock(&dirs_lock);
	kind = kind_of(ino);
	if (kind != KIND_NONE)
		null_stat(ino, kind, &st);
	pthread_mutex_unlock(&dirs_lock);
	if (kind == KIND_NONE)
		fuse_reply_err(req, ENOENT);
	else
		fuse_reply_attr(req, &st, NULL_TIMEOUT);
}

/* Only a truncation can arrive (without ATOMIC_O_TRUNC); it is ignored. */
static void null_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
                         int to_set, struct fuse_file_info *fi)
{
	null_getattr(req, ino, fi);
}

/* A new directory name in parent, with its three files. */
static int dir_make(fuse_ino_t parent, const char *name, fuse_ino_t *ino)
{
	struct null_dir *d, *more;
	enum null_kind kind;
	fuse_ino_t old;
	char *copy;
	int r = child_of(parent, name, &old, &kind);

	if (r == 0)
		return -EEXIST;
	if (r != -ENOENT)
		return r;
	if (ndirs >= NULL_DIRS_MAX)
		return -ENOSPC;
	if (ndirs == dirs_cap) {
		size_t cap = dirs_cap ? dirs_cap * 2 : 16;

		more = realloc(dirs, cap * sizeof(*dirs));
		if (!more)
			return -ENOMEM;
		dirs = more;
		dirs_cap = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	if (parent == FUSE_ROOT_ID)
		root_nsub++;
	else
		dir_at(parent)->nsub++;
	d = &dirs[ndirs++];
	d->ino = next_ino;
	d->parent = parent;
	d->nsub = 0;
	d->name = copy;
	next_ino += NULL_INO_STRIDE;
	*ino = d->ino;
	return 0;
}

static void null_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct fuse_entry_param e;
	fuse_ino_t ino;
	int r;

	pthread_mutex_lock(&dirs_lock);
	r = dir_make(parent, name, &ino);
	if (r == 0)
		fill_entry(&e, ino, KIND_DIR);
	pthread_mutex_unlock(&dirs_lock);
	if (r == 0)
		fuse_reply_entry(req, &e);
	else
		fuse_reply_err(req, -r);
}

/* Removes directory name of parent: its files go with it. */
static int dir_remove(fuse_ino_t parent, const char *name)
{
	enum null_kind kind;
	struct null_dir *d;
	fuse_ino_t ino;
	size_t i;
	int r = child_of(parent, name, &ino, &kind);

	if (r < 0)
		return r;
	if (kind != KIND_DIR)
		return -ENOTDIR;
	d = dir_at(ino);
	if (d->nsub)
		return -ENOTEMPTY;
	if (parent == FUSE_ROOT_ID)
		root_nsub--;
	else
		dir_at(parent)->nsub--;
	free(d->name);
	i = (size_t)(d - dirs);
	memmove(d, d + 1, (ndirs - i - 1) * sizeof(*d));
	ndirs--;
	return 0;
}

static void null_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	int r;

	pthread_mutex_lock(&dirs_lock);
	r = dir_remove(parent, name);
	pthread_mutex_unlock(&dirs_lock);
	fuse_reply_err(req, -r);
}

/* Entry k of directory ino's fixed ones (".", "..", its files): 0 and
 * its name and inode, or -1 past them; under dirs_lock. */
static int fixed_entry(fuse_ino_t ino, off_t k, const char **name, fuse_ino_t *child,
                       mode_t *mode)
{
	const struct null_dir *d = ino == FUSE_ROOT_ID ? NULL : dir_at(ino);

	*mode = S_IFDIR;
	if (k == 0) {
		*name = ".";
		*child = ino;
	} else if (k == 1) {
		*name = "..";
		*child = d ? d->parent : FUSE_ROOT_ID;
	} else if (!d && k < ROOT_ENTRIES) {
		*name = k == 2 ? NULL_NAME : SLOW_NAME;
		*child = k == 2 ? NULL_INO : SLOW_INO;
		*mode = S_IFREG;
	} else if (d && k < DIR_ENTRIES) {
		*name = dir_files[k - 2];
		*child = ino + 1 + (fuse_ino_t)(k - 2);
		*mode = S_IFREG;
	} else {
		return -1;
	}
	return 0;
}

/* The listing from offset off: the fixed entries have offsets 1 to
 * DIR_ENTRIES, those after them the inode of the directory before them,
 * so that a listing goes on right whatever was made or removed meanwhile. */
static size_t list_dir(fuse_req_t req, fuse_ino_t ino, char *buf, size_t size, off_t off)
{
	const char *name;
	struct stat st;
	fuse_ino_t child;
	size_t len = 0, one, lo = 0, hi = ndirs;
	mode_t mode;

	memset(&st, 0, sizeof(st));
	for (; off < DIR_ENTRIES && fixed_entry(ino, off, &name, &child, &mode) == 0; off++) {
		st.st_ino = child;
		st.st_mode = mode;
		one = fuse_add_direntry(req, buf + len, size - len, name, &st, off + 1);
		if (one > size - len)
			return len;
		len += one;
	}
	while (lo < hi) { /* the first directory after inode off */
		size_t mid = lo + (hi - lo) / 2;

		if (dirs[mid].ino <= (fuse_ino_t)off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ndirs; lo++) {
		if (dirs[lo].parent != ino)
			continue;
		st.st_ino = dirs[lo].ino;
		st.st_mode = S_IFDIR;
		one = fuse_add_direntry(req, buf + len, size - len, dirs[lo].name, &st,
		                        (off_t)dirs[lo].ino);
		if (one > size - len)
			break;
		len += one;
	}
	return len;
}

static void null_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                         struct fuse_file_info *fi)
{
	char *buf = malloc(size ? size : 1);
	enum null_kind kind;
	size_t len = 0;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_lock(&dirs_lock);
	kind = kind_of(ino);
	if (kind == KIND_DIR && off >= 0)
		len = list_dir(req, ino, buf, size, off);
	pthread_mutex_unlock(&dirs_lock);
	if (kind == KIND_DIR)
		fuse_reply_buf(req, buf, len);
	else
		fuse_reply_err(req, kind == KIND_NONE ? ENOENT : ENOTDIR);
	free(buf);
}

static void null_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	enum null_kind kind;

	pthread_mutex_lock(&dirs_lock);
	kind = kind_of(ino);
	pthread_mutex_unlock(&dirs_lock);
	if (kind != KIND_FILE) {
		fuse_reply_err(req, kind == KIND_DIR ? EISDIR : ENOENT);
		return;
	}
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fuse_reply_open(req, fi);
}

/* A slow read: NULL_SLOW_MS, or held while the gate file exists (at
 * most GATE_MAX_MS, so that a test that dies frees the server). */
static void slow_wait(void)
{
	const char *gate = getenv("NULLFS_SLOW_GATE");
	struct timespec slow = { 0, NULL_SLOW_MS * 1000000L }, tick = { 0, 1000000L };
	char started[4096];
	int fd, ms;

	if (!gate || !*gate) {
		nanosleep(&slow, NULL);
		return;
	}
	snprintf(started, sizeof(started), "%s.started", gate);
	fd = open(started, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	for (ms = 0; ms < GATE_MAX_MS && access(gate, F_OK) == 0; ms++)
		nanosleep(&tick, NULL);
}

static void null_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                      struct fuse_file_info *fi)
{
	size_t len = sizeof(null_value) - 1;

	if (ino == SLOW_INO && off == 0)
		slow_wait();

	if (off < 0 || (size_t)off >= len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	len -= (size_t)off;
	fuse_reply_buf(req, null_value + off, len < size ? len : size);
}

static void null_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
                       off_t off, struct fuse_file_info *fi)
{
	fuse_reply_write(req, size);
}

static void null_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops null_ops = {
	.init = null_init,
	.lookup = null_lookup,
	.getattr = null_getattr,
	.setattr = null_setattr,
	.mkdir = null_mkdir,
	.rmdir = null_rmdir,
	.open = null_open,
	.read = null_read,
	.write = null_write,
	.release = null_release,
	.readdir = null_readdir,
};

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts = { 0 };
	struct fuse_session *se;
	int ret = 1;

	if (fuse_parse_cmdline(&args, &opts) != 0)
		return 2;
	if (opts.show_help || !opts.mountpoint) {
		printf("usage: %s [-f] [-d] [-s] MOUNTPOINT\n", argv[0]);
		fuse_cmdline_help();
		ret = opts.show_help ? 0 : 2;
		goto out_args;
	}
	/* cgfs's mount options, so the kernel takes the same paths. */
	if (fuse_opt_add_arg(&args, "-oallow_other,default_permissions,"
	                            "fsname=nullfs,subtype=nullfs") != 0)
		goto out_args;
	se = fuse_session_new(&args, &null_ops, sizeof(null_ops), NULL);
	if (!se)
		goto out_args;
	if (fuse_session_mount(se, opts.mountpoint) != 0)
		goto out_session;
	if (fuse_daemonize(opts.foreground) != 0)
		goto out_unmount;
	/* cgfs's server loop and thread count (src/main.c). */
	ret = serve_loop(se, opts.singlethread ? 1 :
	                     opts.max_threads < 1 ? 1 :
	                     opts.max_threads > 256 ? 256 : (int)opts.max_threads,
	                 NULL, NULL) < 0;

out_unmount:
	fuse_session_unmount(se);
out_session:
	fuse_session_destroy(se);
out_args:
	free(opts.mountpoint);
	fuse_opt_free_args(&args);
	return ret;
}
