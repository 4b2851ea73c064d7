// SPDX-License-Identifier: MIT
/*
 * Directories: listing, mkdir and rmdir, and the operations cgfs refuses.
 */
#include "fs_int.h"

/* A listing grows from one page. */
#define DIRBUF_FIRST 4096

struct dirbuf {
	char *data;
	size_t len, cap;
	fuse_req_t req;
};

static int dirbuf_add(struct dirbuf *b, const char *name, fuse_ino_t ino, mode_t mode)
{
	struct stat st = { .st_ino = ino, .st_mode = mode };
	size_t need = fuse_add_direntry(b->req, NULL, 0, name, NULL, 0);

	if (vec_reserve(&b->data, &b->cap, b->len + need, 1, DIRBUF_FIRST) < 0)
		return -ENOMEM;
	fuse_add_direntry(b->req, b->data + b->len, need, name, &st, (off_t)(b->len + need));
	b->len += need;
	return 0;
}

static int dirbuf_add_group(void *arg, const char *name, ino_t ino)
{
	/* A directory made behind cgfs's back under a name lookup does not
	 * resolve to a group (raw, a knob's, a dot-name) is not listed. */
	if (policy_group_name(name) < 0)
		return 0;
	return dirbuf_add(arg, name, nodeid_dir(ino, false), S_IFDIR);
}

static int dirbuf_add_user(void *arg, const char *name, ino_t ino)
{
	uid_t uid;
	gid_t gid;

	/* A directory in the base that is not a user's tree is not ours. */
	if (policy_user(name, &uid, &gid) < 0)
		return 0;
	return dirbuf_add(arg, name, nodeid_dir(ino, false), S_IFDIR);
}

static int dirbuf_add_raw(void *arg, const char *name, const struct raw_file *f)
{
	if (policy_raw_access(name, f->mode) == RAW_HIDDEN)
		return 0;
	return dirbuf_add(arg, name, nodeid_raw(f->ino, (unsigned)f->hier), S_IFREG);
}

/* The entries of view directory row dir (VIEW_TOP: the group's own
 * directory) of the group whose directory is dir_ino. */
static int dirbuf_fill_view(struct fs *fs, struct dirbuf *b, int dir, ino_t dir_ino)
{
	size_t i;
	int res = 0;

	for (i = 0; res == 0 && i < view_count; i++)
		if (view_table[i].parent == dir && view_on(fs, (int)i))
			res = dirbuf_add(b, view_table[i].name, nodeid_view(dir_ino, (unsigned)i),
			                 view_is_dir((int)i) ? S_IFDIR : S_IFREG);
	return res;
}

/* A group's (or the root's) entries: knobs, raw/, its view, child groups. */
static int dirbuf_fill_group(struct fs *fs, struct dirbuf *b, const struct nref *ref,
                             ino_t dir_ino)
{
	size_t i;
	int res = 0;

	for (i = 0; res == 0 && ref->depth > 0 && i < knob_count; i++)
		if (fs->root->knob_on[i])
			res = dirbuf_add(b, knob_table[i].name,
			                 nodeid_knob(dir_ino, (unsigned)i), S_IFREG);
	if (res == 0 && ref->depth > 0)
		res = dirbuf_add(b, RAW_DIR, nodeid_rawdir(dir_ino), S_IFDIR);
	if (res == 0 && ref->depth > 0)
		res = dirbuf_fill_view(fs, b, VIEW_TOP, dir_ino);
	if (res == 0)
		res = group_children(fs->root, ref->path,
		                     ref->depth ? dirbuf_add_group : dirbuf_add_user, b);
	return res;
}

static void dirbuf_drop(struct dirbuf *b)
{
	free(b->data);
	free(b);
}

/* The listing of directory ino, as of now: *ret (malloc'd) and its
 * length, or -errno. */
static int dir_build(struct fs *fs, fuse_req_t req, fuse_ino_t ino, char **ret)
{
	struct dirbuf *b;
	struct nref ref;
	struct stat st;
	int res;

	res = node_lookup(fs, ino, &ref);
	if (res == 0 && !kind_is_dir(ref.kind))
		res = -ENOTDIR;
	if (res == 0)
		res = group_stat(fs->root, ref.path, &st);
	if (res < 0)
		return res;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->req = req;
	res = dirbuf_add(b, ".", ino, S_IFDIR);
	if (res == 0)
		res = dirbuf_add(b, "..", FUSE_ROOT_ID, S_IFDIR);
	if (res == 0 && ref.kind == NODE_RAWDIR)
		res = group_raw_list(fs->root, ref.path, dirbuf_add_raw, b);
	else if (res == 0 && ref.kind == NODE_VIEWDIR)
		res = dirbuf_fill_view(fs, b, ref.knob, st.st_ino);
	else if (res == 0)
		res = dirbuf_fill_group(fs, b, &ref, st.st_ino);
	if (res == 0 && b->len > INT_MAX - 1)
		res = -EFBIG;
	if (res < 0) {
		dirbuf_drop(b);
		return res;
	}
	*ret = b->data;
	res = (int)b->len;
	free(b);
	return res;
}

/* Where the first entry at or after off begins in a listing: a listing
 * made anew (the one the reader began is no longer kept) may differ from
 * it, and a reply must begin with a whole entry. Each entry's off is
 * where the next begins. */
static size_t dir_entry_at(const char *data, size_t len, off_t off)
{
	struct fuse_dirent d;
	size_t pos = 0;

	while (pos < len && (off_t)pos < off && len - pos >= sizeof(d)) {
		memcpy(&d, data + pos, sizeof(d));
		if (d.off <= pos)
			break;
		pos = (size_t)d.off;
	}
	return pos < len ? pos : len;
}

void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct ofile *of = NULL;
	char *data = NULL;
	int res;

	res = ofile_new(req, &of);
	if (res == 0)
		res = dir_build(fs, req, ino, &data);
	if (res < 0)
		goto err;
	/* What the first readdir lists: kept if the budget allows, else
	 * listed again then. */
	of->len = res;
	if (!ofile_keep(of, &data, res))
		of->len = -1;
	free(data);
	fi->fh = fh_put(fs, of, ofile_drop);
	if (!fi->fh) {
		res = -ENOMEM;
		goto err;
	}
	fi->cache_readdir = 0;
	if (fuse_reply_open(req, fi) != 0)
		ofile_drop(fh_get(fs, fi->fh, true)); /* the kernel never got it */
	return;
err:
	if (of)
		ofile_drop(of);
	log_debug("opendir refused for uid %u pid %d: %s", fuse_req_ctx(req)->uid,
	          fuse_req_ctx(req)->pid, strerror(-res));
	fuse_reply_err(req, -res);
}

void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct ofile *of = fh_get(fs, fi->fh, false);
	size_t start = off < 0 ? 0 : (size_t)off;
	char *fresh = NULL;
	int len;

	if (of)
		pthread_mutex_lock(&of->lock);
	if (of && (of->buf || (of->len >= 0 && start >= (size_t)of->len))) {
		len = of->len; /* kept, or read to its end already */
	} else {
		/* From the start again, not kept, or opened by an earlier
		 * server: list afresh. */
		len = dir_build(fs, req, ino, &fresh);
		if (len < 0) {
			if (of)
				pthread_mutex_unlock(&of->lock);
			fuse_reply_err(req, -len);
			return;
		}
		if (start > 0)
			start = dir_entry_at(fresh, (size_t)len, off);
	}
	reply_part(req, of, fresh, len, start, size);
}

void fs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ofile *of = fh_get(fs_of(req), fi->fh, true);

	if (of)
		ofile_drop(of);
	fuse_reply_err(req, 0);
}

/* Makes the group at path, the watcher told it is cgfs's own doing.
 * Under the tree lock. */
static int make_locked(struct fs *fs, const char *path, const struct caps *caps)
{
	uint64_t own = watch_own_begin(path, true);
	int res = group_create(fs->root, path, caps);

	watch_own_end(own, res);
	return res;
}

/* The tree of the user called name (a valid tree name), with its caps:
 * what root's mkdir at the top makes, and what a lookup by its user makes
 * with trees = auto. -EEXIST when it exists already. */
int tree_make(struct fs *fs, const char *name)
{
	struct caps caps;
	int res;

	config_caps_for(fs->cfg, name, &caps);
	cgroot_lock(fs->root);
	res = make_locked(fs, name, &caps);
	cgroot_unlock(fs->root);
	return res;
}

/* A lookup at the top found no tree called name. With trees = auto, the
 * tree of an entitled user is made by that user's own lookup, and by
 * nobody else's: another user's, or root's, finds what exists. A daemon
 * without root makes its own user's tree the same way, whatever trees
 * says (it is the only tree it serves). 0 and the tree in *ret, -ENOENT
 * where nothing is made, or why making failed. */
int tree_on_demand(fuse_req_t req, struct fs *fs, const struct nref *p, const char *name,
                   struct nref *ret)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	const char *group = fs->cfg ? fs->cfg->trees_group : NULL;
	uid_t uid;
	gid_t gid;
	int res;

	/* The configuration first: it costs no look-up of any database. */
	if (policy_admin() != 0 && ctx->uid == policy_admin())
		group = NULL;
	else if (!config_trees_uid(fs->cfg, ctx->uid))
		return -ENOENT;
	if (policy_user(name, &uid, &gid) < 0 || uid != ctx->uid)
		return -ENOENT;
	if (group) {
		res = policy_user_in_group(name, gid, group);
		if (res <= 0) {
			log_debug("no tree on demand for %s: not in group %s (%s)", name, group,
			          res < 0 ? strerror(-res) : "not a member");
			return -ENOENT;
		}
	}
	/* A tree made since (by root's mkdir, or by another lookup of the
	 * user's own, each under the lock) is the one asked for. */
	res = tree_make(fs, name);
	if (res < 0 && res != -EEXIST) {
		log_debug("tree on demand for %s (uid %u pid %d) not made: %s", name, ctx->uid,
		          ctx->pid, strerror(-res));
		return res;
	}
	if (res == 0)
		log_info("tree /%s made on demand by its user (uid %u pid %d)", name, ctx->uid,
		         ctx->pid);
	return child_ref(fs, p, name, ret);
}

void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct fs *fs = fs_of(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct nref p, c;
	struct caps caps;
	char tree[PATH_MAX];
	int res, n;

	res = node_lookup(fs, parent, &p);
	if (res < 0)
		goto err;
	if (!kind_is_dir(p.kind)) {
		res = -ENOTDIR;
		goto err;
	}
	/* raw/ holds the kernel's files and nothing else; a view, the
	 * files it is made of. */
	if (p.kind == NODE_RAWDIR || p.kind == NODE_VIEWDIR) {
		res = -EPERM;
		goto err;
	}
	res = policy_may_change_dir(ctx->uid, p.depth, p.owner);
	if (res < 0)
		goto err;
	memset(&c, 0, sizeof(c));
	if (p.depth == 0) {
		res = policy_user(name, &c.owner, &c.gid);
	} else {
		res = policy_group_name(name);
		snprintf(tree, sizeof(tree), "%.*s", (int)strcspn(p.path, "/"), p.path);
		config_caps_for(fs->cfg, tree, &caps);
	}
	if (res < 0)
		goto err;
	n = snprintf(c.path, sizeof(c.path), "%s%s%s", p.path, *p.path ? "/" : "", name);
	if (n < 0 || (size_t)n >= GROUP_PATH_MAX) {
		res = -ENAMETOOLONG;
		goto err;
	}

	if (p.depth == 0) {
		res = tree_make(fs, c.path);
	} else {
		cgroot_lock(fs->root);
		res = caps_allow_group(&caps, p.depth, -1);
		if (res == 0 && caps.max_groups >= 0)
			res = caps_allow_group(&caps, p.depth, group_count(fs->root, tree));
		if (res == 0)
			res = make_locked(fs, c.path, NULL);
		cgroot_unlock(fs->root);
	}
	if (res < 0)
		goto err;
	res = child_ref(fs, &p, name, &c);
	if (res < 0)
		goto err;
	log_debug("mkdir /%s by uid %u pid %d", c.path, ctx->uid, ctx->pid);
	reply_entry(req, fs, &c);
	return;
err:
	log_debug("mkdir %s refused for uid %u pid %d: %s", name, ctx->uid, ctx->pid,
	          strerror(-res));
	fuse_reply_err(req, -res);
}

/* The long way of a removal (processes to move or kill, child groups):
 * on a thread of its own, killing (rmdir=kill) outside the tree lock. */
struct slow_rmdir {
	fuse_req_t req;
	struct fs *fs;
	uid_t uid;
	pid_t pid;
	char path[];
};

static void slow_rmdir_run(void *arg)
{
	struct slow_rmdir *job = arg;
	uint64_t own;
	int res;

	res = group_evict(job->fs->root, job->path);
	if (res == 0) {
		cgroot_lock(job->fs->root);
		own = watch_own_begin(job->path, false);
		res = group_remove(job->fs->root, job->path);
		watch_own_end(own, res);
		cgroot_unlock(job->fs->root);
	}
	if (res < 0)
		log_debug("rmdir /%s refused for uid %u pid %d: %s", job->path, job->uid, job->pid,
		          strerror(-res));
	else
		cache_forget_group(job->fs, job->path);
	fuse_reply_err(job->req, -res);
	free(job);
}

/* 0 when the group went the quick way, 1 when the request is answered
 * on a thread of its own, -errno. */
static int rmdir_group(struct fs *fs, fuse_req_t req, const struct fuse_ctx *ctx, const char *path)
{
	struct slow_rmdir *job;
	uint64_t own;
	size_t len;
	int res;

	cgroot_lock(fs->root);
	own = watch_own_begin(path, false);
	res = group_remove_try(fs->root, path);
	watch_own_end(own, res == 1 ? 0 : res == 0 ? -EBUSY : res);
	cgroot_unlock(fs->root);
	if (res == 1)
		cache_forget_group(fs, path);
	if (res != 0)
		return res < 0 ? res : 0;
	res = slow_begin(ctx->uid);
	if (res < 0)
		return res;
	len = strlen(path) + 1;
	job = malloc(sizeof(*job) + len);
	if (!job) {
		slow_end(ctx->uid);
		return -ENOMEM;
	}
	*job = (struct slow_rmdir){ req, fs, ctx->uid, ctx->pid };
	memcpy(job->path, path, len);
	slow_run(ctx->uid, slow_rmdir_run, job);
	return 1;
}

void fs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fs_of(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct nref p, c;
	int res;

	res = node_lookup(fs, parent, &p);
	if (res == 0)
		res = child_ref(fs, &p, name, &c);
	if (res == 0 && !kind_is_dir(c.kind))
		res = -ENOTDIR;
	/* raw/ and the view are part of their group: they go with it. */
	if (res == 0 && (c.kind == NODE_RAWDIR || c.kind == NODE_VIEWDIR))
		res = -EPERM;
	if (res == 0)
		res = policy_may_change_dir(ctx->uid, p.depth, p.owner);
	if (res == 0)
		res = rmdir_group(fs, req, ctx, c.path);
	if (res == 1)
		return;
	if (res < 0)
		log_debug("rmdir %s refused for uid %u pid %d: %s", name, ctx->uid,
		          ctx->pid, strerror(-res));
	fuse_reply_err(req, -res);
}

static void fs_refuse(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	log_debug("operation outside the contract refused for uid %u pid %d: %s",
	          ctx->uid, ctx->pid, strerror(EPERM));
	fuse_reply_err(req, EPERM);
}

void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fs_refuse(req);
}

void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
               fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	fs_refuse(req);
}

void fs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
             const char *newname)
{
	fs_refuse(req);
}

void fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
                const char *name)
{
	fs_refuse(req);
}

void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
              mode_t mode, dev_t rdev)
{
	fs_refuse(req);
}

void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
               mode_t mode, struct fuse_file_info *fi)
{
	fs_refuse(req);
}
