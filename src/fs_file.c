// SPDX-License-Identifier: MIT
/*
 * Knob and raw files: open, read, write and release, and the open-file
 * records that carry the opener's authority.
 */
#include "fs_int.h"

/* getpwuid_r's buffer: a passwd line fits. */
#define PASSWD_BUF_SIZE 4096
/* A reply of at most this much is copied on the stack before the open
 * file's lock is let go (reply_part); a longer one into the heap. */
#define REPLY_COPY_MAX 4096
/* A limit's value up to this long is served from the page cache: one
 * page, filled by one read. */
#define CACHED_VALUE_MAX 4096

/* How many cgfs files uid may hold open: cgfs.conf's max_open_files for
 * the user of that uid ([user NAME] over [defaults]); -1 for none. The
 * passwd database is asked only if some [user] section sets it. */
static long open_cap(struct fs *fs, uid_t uid)
{
	struct passwd pw, *res = NULL;
	struct caps caps;
	char buf[PASSWD_BUF_SIZE];

	if (uid == 0)
		return -1;
	if (!fs->cfg->user_open_caps ||
	    getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return fs->cfg->defaults.max_open_files;
	config_caps_for(fs->cfg, res->pw_name, &caps);
	return caps.max_open_files;
}

/* A new handle for the caller, counted against their caps: -EMFILE
 * beyond their max_open_files, -ENFILE beyond max_open_files_total,
 * -ENOMEM. */
int ofile_new(fuse_req_t req, struct ofile **ret)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct ofile *of;
	int res;

	res = budget_open(ctx->uid, open_cap(fs_of(req), ctx->uid));
	if (res < 0)
		return res;
	of = calloc(1, sizeof(*of));
	if (!of) {
		budget_close(ctx->uid);
		return -ENOMEM;
	}
	pthread_mutex_init(&of->lock, NULL);
	of->len = -1;
	of->uid = ctx->uid;
	*ret = of;
	return 0;
}

/* Frees what of keeps between reads (of->lock held, or of unshared). */
void ofile_unkeep(struct ofile *of)
{
	free(of->buf);
	of->buf = NULL;
	budget_unkeep(of->uid, of->kept);
	of->kept = 0;
}

/* Keeps buf (len bytes, malloc'd) for the reads to come, if
 * the opener's budget allows: true if of now owns it. */
bool ofile_keep(struct ofile *of, char **buf, int len)
{
	char *small;

	if (!budget_keep(of->uid, (size_t)len + 1))
		return false;
	small = realloc(*buf, (size_t)len + 1); /* renderings leave room */
	of->buf = small ? small : *buf;
	of->kept = (size_t)len + 1;
	*buf = NULL;
	return true;
}

void ofile_drop(void *p)
{
	struct ofile *of = p;

	ofile_unkeep(of);
	free(of->seen);
	budget_close(of->uid);
	pthread_mutex_destroy(&of->lock);
	free(of);
}

/* Replies with bytes [start, start + size) of an open file's rendering
 * and unlocks of (if not NULL): fresh is a new rendering of len bytes
 * (the reply's to free), or NULL for of->buf. A rendering the reader is
 * part-way through is kept if the budget allows; one read to its end is
 * not. What of keeps is copied before the lock is let go: once the
 * kernel has the reply, the caller may close the file and RELEASE free
 * it on another thread while this one is still returning from writev(2). */
void reply_part(fuse_req_t req, struct ofile *of, char *fresh, int len, size_t start,
                size_t size)
{
	size_t n = start >= (size_t)len ? 0 : (size_t)len - start < size ? (size_t)len - start : size;
	bool end = start + n >= (size_t)len;
	char small[REPLY_COPY_MAX], *copy = NULL;
	const char *src = fresh;

	if (of && fresh) {
		ofile_unkeep(of);
		of->len = len;
		if (!end && ofile_keep(of, &fresh, len))
			src = of->buf;
	} else if (of) {
		src = of->buf;
	}
	if (n && src != fresh) {
		copy = n <= sizeof(small) ? small : malloc(n);
		if (copy)
			memcpy(copy, src + start, n);
	}
	if (of && end)
		ofile_unkeep(of);
	if (of)
		pthread_mutex_unlock(&of->lock);
	if (n && src != fresh && !copy)
		fuse_reply_err(req, ENOMEM);
	else
		fuse_reply_buf(req, n ? (copy ? copy : fresh + start) : NULL, n);
	if (copy != small)
		free(copy);
	free(fresh);
}

static bool knob_writable(const struct knob *k)
{
	return k->kind != KNOB_VALUE || k->set;
}

/* "raw/" before a raw file's name in log lines. */
static const char *entry_dir(const struct nref *ref)
{
	return ref->kind == NODE_RAW ? RAW_DIR "/" : "";
}

/* Whether the caller may open ref with access mode acc. root passes the
 * kernel's mode check: refuse here what the mode forbids. */
static int open_check(struct fs *fs, const struct fuse_ctx *ctx, const struct nref *ref,
                      int acc)
{
	const struct knob *k;
	enum raw_access a;
	struct stat st;
	int res;

	switch (ref->kind) {
	case NODE_DIR:
	case NODE_RAWDIR:
	case NODE_VIEWDIR:
		return -EISDIR;
	case NODE_VIEW:
		return acc != O_RDONLY ? -EACCES : 0;
	case NODE_RAW:
		res = raw_stat(fs, ref, &st, &a);
		if (res == 0 && acc != O_RDONLY &&
		    !policy_may_write_raw(ctx->uid, a, ref->depth, ref->owner))
			res = -EACCES;
		return res;
	case NODE_KNOB:
		break;
	}
	k = &knob_table[ref->knob];
	if (acc != O_RDONLY &&
	    (!knob_writable(k) || !policy_may_write(ctx->uid, k, ref->depth, ref->owner)))
		return -EACCES;
	if (acc != O_WRONLY && k->kind == KNOB_KILL)
		return -EACCES;
	return 0;
}

/* A limit: a value that changes when it is written and is the same for
 * every reader. Opened for reading, it is served from the kernel's page
 * cache; every open checks the pages against the value (cached_open()). */
bool knob_cached(const struct nref *ref)
{
	const struct knob *k;

	if (ref->kind != NODE_KNOB)
		return false;
	k = &knob_table[ref->knob];
	return k->kind == KNOB_VALUE && k->get && k->set;
}

/* A view (proc/, sys/) or a read-only counter (memory_usage_mb,
 * cpu_stat, ...): the same for every reader, changing on its own, read
 * directly (direct_io) but by its size where the kernel reads through
 * its page cache (splice(2), sendfile(2)). Its open renders it and sees
 * to that size (sized_open()), so that its entry is kept like a
 * directory's and an open by name costs no lookup. events is left out:
 * what its reads show is what poll compares with. */
bool file_sized(const struct nref *ref)
{
	const struct knob *k;

	if (ref->kind == NODE_VIEW)
		return true;
	if (ref->kind != NODE_KNOB)
		return false;
	k = &knob_table[ref->knob];
	return k->kind == KNOB_VALUE && k->get && !k->set && !poll_is_events(ref);
}

/* Tells the kernel ino's attributes are stale: its next read asks for
 * them (a new size, a new mtime that drops pages a file kept open
 * holds). Only attributes: no page lock is waited for, so it is safe in
 * any request. ENOENT: the kernel has no such inode, nothing to drop. */
void attr_stale(struct fs *fs, fuse_ino_t ino)
{
	int res;

	if (!fs->se)
		return;
	res = fuse_lowlevel_notify_inval_inode(fs->se, ino, -1, 0);
	if (res < 0 && res != -ENOENT)
		log_debug("invalidation of node %#llx: %s", (unsigned long long)ino,
		          strerror(-res));
}

void cache_forget_group(struct fs *fs, const char *path)
{
	fuse_ino_t *v = NULL;
	size_t i, n = cache_served_below(path, &v);

	for (i = 0; i < n; i++)
		attr_stale(fs, v[i]);
	free(v);
}

static int render(struct fs *fs, const struct nref *ref, const struct fuse_ctx *ctx,
                  char **buf);
static int render_checked(struct fs *fs, const struct nref *ref, const struct fuse_ctx *ctx,
                          char **buf);

/* A limit opened for reading: the value is rendered now, and the open
 * keeps the kernel's pages only if they hold just that (cache_open());
 * else they are dropped as it opens, and the attributes are stale, so a
 * read(2) asks for them again. A value longer than the size the kernel
 * has is -ESTALE: the kernel then looks the name up (which gives the
 * size) and opens once more, as splice(2) and sendfile(2) never ask for
 * the size themselves. A value too long for a page, or one that cannot
 * be read now, is read directly. 0 or -ESTALE. */
static int cached_open(fuse_req_t req, struct fs *fs, const struct nref *ref,
                       struct fuse_file_info *fi)
{
	char *buf = NULL;
	enum cache_verdict v;
	int res;

	res = render(fs, ref, fuse_req_ctx(req), &buf);
	if (res < 0 || res > CACHED_VALUE_MAX) {
		free(buf);
		return 0;
	}
	v = cache_open(ref->ino, fuse_req_ctx(req)->pid, buf, res);
	free(buf);
	if (v == CACHE_RELOOK)
		return -ESTALE;
	cache_served(ref->ino);
	fi->direct_io = 0;
	fi->keep_cache = v == CACHE_KEEP;
	if (!fi->keep_cache)
		attr_stale(fs, ref->ino);
	return 0;
}

/* A view or a counter opened for reading (file_sized()): rendered now,
 * for the first read to serve (*buf, *len); then as cached_open() for
 * the size: a rendering longer than the size the kernel has is -ESTALE
 * (the kernel looks the name up, which gives the size, and opens once
 * more), one of another length makes the attributes stale (a stat(2)
 * after the open asks for the size). A rendering that fails is left to
 * the read to report. 0, -ESTALE, or the -errno of a group gone. */
static int sized_open(fuse_req_t req, struct fs *fs, const struct nref *ref, char **buf,
                      int *len)
{
	enum size_verdict v;
	int res;

	/* A file of a group gone is refused here, as its lookup was. */
	res = node_same_group(fs, ref);
	if (res < 0)
		return res;
	res = render_checked(fs, ref, fuse_req_ctx(req), buf);
	if (res < 0) {
		free(*buf);
		*buf = NULL;
		return 0;
	}
	v = size_open(ref->ino, fuse_req_ctx(req)->pid, res);
	if (v == SIZE_RELOOK) {
		free(*buf);
		*buf = NULL;
		return -ESTALE;
	}
	if (v == SIZE_OTHER)
		attr_stale(fs, ref->ino);
	*len = res;
	return 0;
}

void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct fs *fs = fs_of(req);
	struct ofile *of;
	struct nref ref = { .path = "?", .kind = NODE_DIR };
	char *opened = NULL;
	int res, opened_len = 0;

	/* read(2) reaches fs_read() and a rendering of its own every time;
	 * what splice(2) put in the page cache (fs_read()) is dropped at
	 * every open. A limit opened for reading is the exception. */
	fi->direct_io = 1;
	fi->keep_cache = 0;
	res = node_lookup(fs, ino, &ref);
	if (res == 0)
		res = open_check(fs, ctx, &ref, fi->flags & O_ACCMODE);
	if (res == 0 && knob_cached(&ref) && (fi->flags & O_ACCMODE) == O_RDONLY)
		res = cached_open(req, fs, &ref, fi);
	else if (res == 0 && file_sized(&ref) && (fi->flags & O_ACCMODE) == O_RDONLY)
		res = sized_open(req, fs, &ref, &opened, &opened_len);
	if (res == 0)
		res = ofile_new(req, &of);
	if (res < 0) {
		free(opened);
		goto err;
	}
	if (opened && ofile_keep(of, &opened, opened_len)) {
		of->len = opened_len;
		of->from_open = true;
	}
	free(opened);
	fi->fh = fh_put(fs, of, ofile_drop);
	if (!fi->fh) {
		ofile_drop(of);
		res = -ENOMEM;
		goto err;
	}
	if (fuse_reply_open(req, fi) != 0)
		ofile_drop(fh_get(fs, fi->fh, true)); /* the kernel never got it */
	return;
err:
	log_debug("open of /%s/%s%s refused for uid %u pid %d: %s", ref.path, entry_dir(&ref),
	          entry_name(&ref), ctx->uid, ctx->pid, strerror(-res));
	fuse_reply_err(req, -res);
}

/* The kernel's lists of pids in raw/: procs' own rules hold for them. */
static bool raw_lists_pids(const char *name)
{
	return strcmp(name, "cgroup.procs") == 0 || strcmp(name, "tasks") == 0 ||
	       strcmp(name, "cgroup.threads") == 0;
}

/* Whether what ref reads depends on who reads it: the lists of pids,
 * which show each reader the processes it may see, as its pid namespace
 * numbers them. */
static bool per_reader(const struct nref *ref)
{
	if (ref->kind == NODE_RAW)
		return raw_lists_pids(ref->name);
	return ref->kind == NODE_KNOB && knob_table[ref->knob].kind == KNOB_PROCS;
}

/* render() of a node already checked to be its group's. */
static int render_checked(struct fs *fs, const struct nref *ref, const struct fuse_ctx *ctx,
                          char **buf)
{
	int res;

	if (ref->kind == NODE_RAW)
		res = group_raw_read(fs->root, ref->path, ref->hier, ref->name, buf);
	else if (ref->kind == NODE_VIEW)
		res = group_view_read(fs->root, ref->path, &view_table[ref->knob], buf);
	else
		res = group_knob_read(fs->root, ref->path, &knob_table[ref->knob], buf);
	if (res < 0 || !per_reader(ref))
		return res;
	/* Only the processes the reader may see in the daemon's /proc
	 * (hidepid=), as the reader's pid namespace has them (procs; raw
	 * files are the kernel's, untranslated). */
	res = procvis_filter(ctx->pid, ctx->uid, ctx->gid, buf, res);
	if (res >= 0 && ref->kind == NODE_KNOB)
		res = pidns_list_for(ctx->pid, buf, res);
	return res;
}

/* The whole content of a knob or raw file, fresh from the kernel, for
 * the reader ctx. */
static int render(struct fs *fs, const struct nref *ref, const struct fuse_ctx *ctx,
                  char **buf)
{
	int res;

	if (ref->kind != NODE_RAW && ref->kind != NODE_KNOB && ref->kind != NODE_VIEW)
		return -EISDIR;
	/* A file of a group removed (and perhaps made again) meanwhile is
	 * that group's: it has nothing to read, raw or knob. */
	res = node_same_group(fs, ref);
	if (res < 0)
		return res;
	return render_checked(fs, ref, ctx, buf);
}

/* The size stat(2) reports for a knob or raw file node_attr() has just
 * checked: the length of its content as ctx would read it now. The
 * kernel reads that many bytes through its page cache where it uses
 * one (see fs_read()), so it must be the true length. 0 for a file with
 * nothing to read (kill) or whose reading fails: the read says why. A
 * limit's mtime is set too (cache_attr()). */
off_t file_size(struct fs *fs, const struct nref *ref, const struct fuse_ctx *ctx,
                struct timespec *mtime)
{
	char *buf = NULL;
	int res;

	if (ref->kind == NODE_KNOB && knob_table[ref->knob].kind == KNOB_KILL)
		return 0;
	res = render_checked(fs, ref, ctx, &buf);
	if (res >= 0 && knob_cached(ref))
		cache_attr(ref->ino, buf, res, mtime);
	free(buf);
	return res < 0 ? 0 : res;
}

/* A read the kernel makes to fill a limit's pages: answered with a fresh
 * rendering, which is recorded (cache_fill_end()) as what the pages may
 * hold; a fill past the first page holds part of a value: unknown. */
static void cached_fill(fuse_req_t req, struct fs *fs, const struct nref *ref, size_t start,
                        size_t size)
{
	uint64_t ticket = cache_fill_begin(ref->ino);
	char *fresh = NULL;
	size_t n;
	int res;

	res = render(fs, ref, fuse_req_ctx(req), &fresh);
	if (res < 0) {
		fuse_reply_err(req, -res);
		cache_fill_end(ref->ino, ticket, NULL, 0);
		return;
	}
	n = start >= (size_t)res ? 0 : (size_t)res - start < size ? (size_t)res - start : size;
	fuse_reply_buf(req, n ? fresh + start : NULL, n);
	cache_fill_end(ref->ino, ticket, start ? NULL : fresh, res);
	free(fresh);
}

/* What a read of an events file showed (text, or the -errno res), for
 * poll: as poll_seen() puts it (of->lock held). Without memory, the
 * file polls readable until the next read. */
static void note_seen(struct ofile *of, const char *text, int res)
{
	char err[16];

	free(of->seen);
	if (!text)
		snprintf(err, sizeof(err), "!%d", -res);
	of->seen = strdup(text ? text : err);
}

void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
             struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct ofile *of = fh_get(fs, fi->fh, false);
	size_t start = off < 0 ? 0 : (size_t)off;
	char *fresh = NULL;
	struct nref ref;
	int res;

	res = node_lookup(fs, ino, &ref);
	/* A read the kernel makes for its page cache (splice(2) and
	 * sendfile(2) from Linux 6.5 on, mmap(2)) carries no lock owner,
	 * unlike a read(2) of a direct_io file; its pages then serve every
	 * opener of the file until the next open drops them. What differs
	 * by reader must not get there: refused, so that sendfile's users
	 * fall back to read(2). */
	if (res == 0 && fi->lock_owner == 0 && per_reader(&ref))
		res = -EINVAL;
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	if (fi->lock_owner == 0 && knob_cached(&ref)) {
		cached_fill(req, fs, &ref, start, size);
		return;
	}
	if (of)
		pthread_mutex_lock(&of->lock);
	/* The first read of a view or a counter serves what its open
	 * rendered. A read from the start renders afresh; one further on
	 * continues the rendering kept, or ends at the end of the last
	 * one. A file an earlier server opened, or one whose rendering was
	 * not kept, is rendered for each read. */
	if (of && of->from_open) {
		/* The first read, wherever it starts: what the open rendered,
		 * if its group is still there. */
		of->from_open = false;
		res = node_same_group(fs, &ref);
		if (res < 0) {
			ofile_unkeep(of);
			pthread_mutex_unlock(&of->lock);
			fuse_reply_err(req, -res);
			return;
		}
		res = of->len;
	} else if (of && start > 0 && (of->buf || (of->len >= 0 && start >= (size_t)of->len))) {
		res = of->len;
	} else {
		res = render(fs, &ref, fuse_req_ctx(req), &fresh);
		if (of && poll_is_events(&ref))
			note_seen(of, res < 0 ? NULL : fresh, res);
		if (res < 0) {
			if (of)
				pthread_mutex_unlock(&of->lock);
			fuse_reply_err(req, -res);
			return;
		}
	}
	reply_part(req, of, fresh, res, start, size);
}

/* A freeze still pending or a kill that waits, carried out on a thread
 * of its own (src/slow.c), which answers the write. */
struct slow_write {
	fuse_req_t req;
	struct fs *fs;
	size_t size;
	bool kill;     /* else a freeze, asked already */
	bool answered; /* the writer had its answer first (it is inside) */
	char path[];
};

static void slow_write_run(void *arg)
{
	struct slow_write *job = arg;
	int res;

	res = job->kill ? group_kill(job->fs->root, job->path)
	               : group_freeze_wait(job->fs->root, job->path);
	if (res < 0 && job->answered)
		log_warn("kill of /%s, written from inside it, failed: %s", job->path,
		         strerror(-res));
	else if (res < 0)
		log_debug("%s of /%s failed: %s", job->kill ? "kill" : "freeze", job->path,
		          strerror(-res));
	if (!job->answered) {
		if (res < 0)
			fuse_reply_err(job->req, -res);
		else
			fuse_reply_write(job->req, job->size);
	}
	free(job);
}

/* Hands a write over to slow_write_run with caller's reservation: 1 (the
 * request is answered there), or -ENOMEM with the reservation given
 * back. */
static int slow_write_start(struct fs *fs, fuse_req_t req, uid_t caller, const char *path,
                            size_t size, bool kill, bool answered)
{
	size_t len = strlen(path) + 1;
	struct slow_write *job = malloc(sizeof(*job) + len);

	if (!job) {
		slow_end(caller);
		return -ENOMEM;
	}
	*job = (struct slow_write){ req, fs, size, kill, answered };
	memcpy(job->path, path, len);
	slow_run(caller, slow_write_run, job);
	return 1;
}

/* A freeze takes hold once every task of the group has stopped: at once
 * as a rule, and when not, the write is answered when it has (or after
 * the wait time, thawed again, -EBUSY) by a thread of its own. A writer
 * inside the group cannot stop while it waits for its answer: it has its
 * answer at once, and the freeze takes hold once it has returned (as
 * v2's cgroup.freeze does for a writer inside). 0 or 1 as knob_write. */
static int freeze_write(struct fs *fs, fuse_req_t req, uid_t caller, pid_t writer,
                        const struct nref *ref, const char *value, size_t size)
{
	int on, res;

	res = knob_parse_freeze(value, &on);
	if (res < 0)
		return res;
	if (!on || group_pid_inside(fs->root, ref->path, writer) == 1)
		return group_freeze_ask(fs->root, ref->path, on);
	res = slow_begin(caller);
	if (res < 0)
		return res;
	res = group_freeze_ask(fs->root, ref->path, true);
	if (res == 0)
		res = group_freeze_state(fs->root, ref->path);
	if (res != 0) {
		slow_end(caller);
		return res < 0 ? res : 0;
	}
	return slow_write_start(fs, req, caller, ref->path, size, false, false);
}

/* v2 kills at once; v1 freezes, signals and thaws, on a thread of its
 * own. A writer inside the group would keep the freeze from taking hold
 * while it waits: it has its answer first, freezes as it returns, and
 * dies with the others. 0 or 1 as knob_write. */
static int kill_write(struct fs *fs, fuse_req_t req, uid_t caller, pid_t writer,
                      const struct nref *ref, const char *value, size_t size)
{
	bool answered = false;
	int res;

	res = knob_parse_kill(value);
	if (res < 0)
		return res;
	res = group_kill_now(fs->root, ref->path);
	if (res != -EWOULDBLOCK)
		return res;
	res = slow_begin(caller);
	if (res < 0)
		return res;
	if (group_pid_inside(fs->root, ref->path, writer) == 1 &&
	    group_freeze_ask(fs->root, ref->path, true) == 0) {
		fuse_reply_write(req, size);
		answered = true;
	}
	res = slow_write_start(fs, req, caller, ref->path, size, true, answered);
	if (res < 0 && answered) {
		/* Answered, but nothing will kill: leave nothing frozen. */
		log_err("kill of /%s from inside it: %s", ref->path, strerror(-res));
		group_freeze_ask(fs->root, ref->path, false);
		return 1;
	}
	return res;
}

/* 0 when the write is done, 1 when req is (or will be) answered
 * elsewhere, -errno. caller: whose request it is (the bound on slow
 * operations is theirs); uid: whose rights it has (the opener's). */
static int knob_write(struct fs *fs, fuse_req_t req, uid_t caller, uid_t uid, pid_t writer,
                      const struct nref *ref, const char *buf, size_t size)
{
	const struct knob *k = &knob_table[ref->knob];
	char value[KNOB_VALUE_MAX];
	int res = 0;

	/* A blank write to a may_clear row is its empty value. */
	value[0] = '\0';
	if (!k->may_clear || !knob_blank(buf, size))
		res = k->lines ? knob_trim_lines(buf, size, value, sizeof(value))
		               : knob_trim(buf, size, value, sizeof(value));
	if (res < 0)
		return res;
	if (!policy_may_write(uid, k, ref->depth, ref->owner))
		return -EACCES;
	if (k->kind == KNOB_PROCS)
		return move_written_pid(fs->root, fs->cfg, uid, writer, ref->path, ref->owner,
		                        value);
	if (k->kind == KNOB_FREEZE)
		return freeze_write(fs, req, caller, writer, ref, value, size);
	if (k->kind == KNOB_KILL)
		return kill_write(fs, req, caller, writer, ref, value, size);
	return group_knob_write(fs->root, ref->path, k, value);
}

/* The bytes go to the kernel as they came: values such as io.max's
 * "8:0 rbps=1000" are several tokens, so nothing is trimmed or parsed,
 * and the kernel's own parser has the last word. A NUL byte is no part
 * of any value the kernel takes. */
static int raw_write(struct fs *fs, uid_t uid, const struct nref *ref, const char *buf,
                     size_t size)
{
	enum raw_access a;
	struct stat st;
	int res;

	if (memchr(buf, '\0', size))
		return -EINVAL;
	res = raw_stat(fs, ref, &st, &a);
	if (res < 0)
		return res;
	if (!policy_may_write_raw(uid, a, ref->depth, ref->owner))
		return -EACCES;
	return group_raw_write(fs->root, ref->path, ref->hier, ref->name, buf, size);
}

/* Whose rights a write through fi has: its opener's. A file an earlier
 * server opened has no record here; it could be opened for writing only
 * by its owner or by root, so it writes with its owner's rights, never
 * more than its opener had. */
static uid_t writer_uid(struct fs *fs, const struct nref *ref, struct fuse_file_info *fi)
{
	struct ofile *of = fh_get(fs, fi->fh, false);
	enum raw_access a;
	struct stat st;

	if (of)
		return of->uid;
	if (ref->kind == NODE_KNOB)
		return policy_knob_owner(&knob_table[ref->knob], ref->depth, ref->owner);
	if (ref->kind == NODE_RAW && raw_stat(fs, ref, &st, &a) == 0)
		return policy_raw_owner(a, ref->depth, ref->owner);
	return ref->owner;
}

void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
              off_t off, struct fuse_file_info *fi)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct fs *fs = fs_of(req);
	struct nref ref = { .path = "?", .kind = NODE_DIR };
	uid_t uid = ctx->uid;
	int res;

	res = node_lookup(fs, ino, &ref);
	if (res < 0)
		goto err;
	/* One value per write, from the start: no partial or appended values. */
	if (off != 0 || size > KNOB_VALUE_MAX) {
		res = -EINVAL;
		goto err;
	}
	uid = writer_uid(fs, &ref, fi);
	if (ref.kind == NODE_RAW) {
		res = raw_write(fs, uid, &ref, buf, size);
	} else if (ref.kind == NODE_KNOB) {
		/* The group the file was opened on, not one made since
		 * under its name (raw files check their own inode). */
		res = node_same_group(fs, &ref);
		if (res == 0)
			res = knob_write(fs, req, ctx->uid, uid, ctx->pid, &ref, buf, size);
		/* Before the writer has its answer, so that its next read,
		 * through any file, shows what it wrote. */
		if (res == 0 && knob_cached(&ref)) {
			cache_changed(ino);
			attr_stale(fs, ino);
		}
	} else if (ref.kind == NODE_VIEW) {
		res = -EACCES; /* read-only for everyone, root too */
	} else {
		res = -EISDIR;
	}
	if (res < 0)
		goto err;
	if (res == 1)
		return;
	fuse_reply_write(req, size);
	return;
err:
	log_debug("write to /%s/%s%s refused for uid %u pid %d: %s (opened by uid %u)", ref.path,
	          entry_dir(&ref), entry_name(&ref), ctx->uid, ctx->pid, strerror(-res), uid);
	fuse_reply_err(req, -res);
}

void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ofile *of = fh_get(fs_of(req), fi->fh, true);

	poll_forget(fi->fh);
	if (of)
		ofile_drop(of);
	fuse_reply_err(req, 0);
}
