// SPDX-License-Identifier: MIT
/*
 * Attributes and entries: what a node stands for in the real tree, its
 * stat(2), and the references lookups make.
 */
#include "fs_int.h"

/* stat(2) of a raw file's real file, checked to be the file the node was
 * made from, and what raw/ may do with it. */
int raw_stat(struct fs *fs, const struct nref *ref, struct stat *st,
             enum raw_access *ret_access)
{
	int res;

	res = group_raw_stat(fs->root, ref->path, ref->hier, ref->name, st);
	if (res < 0)
		return res;
	if (!nodeid_is_of(ref->ino, st->st_ino))
		return -ENOENT;
	*ret_access = policy_raw_access(ref->name, st->st_mode);
	return *ret_access == RAW_HIDDEN ? -ENOENT : 0;
}

/* The real inode behind ref: the group's directory, or a raw file's own
 * file; checked to still be the one the node was made from. ret_access
 * (raw files only) may be NULL otherwise. */
static int node_real(struct fs *fs, const struct nref *ref, struct stat *real,
                     enum raw_access *ret_access)
{
	int res;

	if (ref->kind == NODE_RAW)
		return raw_stat(fs, ref, real, ret_access);
	res = group_stat(fs->root, ref->path, real);
	if (res < 0)
		return res == -ENOTDIR ? -ENOENT : res;
	if (ref->ino != FUSE_ROOT_ID && !nodeid_is_of(ref->ino, real->st_ino))
		return -ENOENT; /* removed and made again: another group now */
	return 0;
}

/* 0 if the group behind a knob's or raw file's node is still the one it
 * was made from: a group removed and made again under the same name (or
 * a tree given to another user) is another group, and a handle opened on
 * the first never reads or writes the second (-ENOENT). */
int node_same_group(struct fs *fs, const struct nref *ref)
{
	enum raw_access a;
	struct stat real;

	return node_real(fs, ref, &real, &a);
}

/* Checks that ref still is what it was, and fills st; a file's size is
 * its content as req's caller would read it now (file_size()). */
int node_attr(fuse_req_t req, struct fs *fs, const struct nref *ref, struct stat *st)
{
	enum raw_access a = RAW_HIDDEN;
	const struct knob *k;
	struct stat real;
	int res;

	if (ref->have_real && ref->kind != NODE_RAW) {
		real = ref->real;
	} else {
		res = node_real(fs, ref, &real, &a);
		if (res < 0)
			return res;
	}
	memset(st, 0, sizeof(*st));
	st->st_ino = ref->ino;
	st->st_atim = real.st_atim;
	st->st_mtim = real.st_mtim;
	st->st_ctim = real.st_ctim;
	st->st_blksize = 4096;
	switch (ref->kind) {
	case NODE_DIR:
	case NODE_RAWDIR:
	case NODE_VIEWDIR:
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		st->st_uid = ref->owner;
		st->st_gid = ref->gid;
		return 0;
	case NODE_KNOB:
		k = &knob_table[ref->knob];
		st->st_mode = S_IFREG | k->mode;
		st->st_uid = policy_knob_owner(k, ref->depth, ref->owner);
		break;
	case NODE_RAW:
		st->st_mode = S_IFREG | (a == RAW_WRITABLE ? 0644 : 0444);
		st->st_uid = policy_raw_owner(a, ref->depth, ref->owner);
		break;
	case NODE_VIEW:
		st->st_mode = S_IFREG | 0444;
		st->st_uid = ref->owner;
		break;
	}
	st->st_nlink = 1;
	st->st_gid = st->st_uid ? ref->gid : 0;
	st->st_size = file_size(fs, ref, fuse_req_ctx(req), &st->st_mtim);
	if (knob_cached(ref) || file_sized(ref))
		cache_size(ref->ino, st->st_size);
	/* Blocks to match: a file with fewer is taken for sparse, and cp(1)
	 * then copies st_size bytes instead of reading to the end. */
	st->st_blocks = (st->st_size + 511) / 512;
	return 0;
}

/* How long the kernel may keep ref's entry. A file's size changes with
 * its value, and where the kernel reads through its page cache (see
 * fs_read()) it reads no further than the size it has: a file's entry,
 * and with it its size, is looked up afresh at every open by name. A
 * limit's open sees to its size itself (fs_file.c's cached_open()), and
 * so does the open of a view or a counter (sized_open()). */
static double entry_timeout(struct fs *fs, const struct nref *ref)
{
	return kind_is_dir(ref->kind) || knob_cached(ref) || file_sized(ref) ? fs_timeout(fs) : 0;
}

void reply_entry(fuse_req_t req, struct fs *fs, const struct nref *ref)
{
	struct fuse_entry_param e;
	int res;

	memset(&e, 0, sizeof(e));
	res = node_attr(req, fs, ref, &e.attr);
	if (res == 0)
		res = node_hold(ref);
	if (res == 0 && (knob_cached(ref) || file_sized(ref)))
		cache_size(ref->ino, e.attr.st_size); /* a node of its own now */
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	e.ino = ref->ino;
	e.attr_timeout = fs_timeout(fs);
	e.entry_timeout = entry_timeout(fs, ref);
	if (fuse_reply_entry(req, &e) != 0)
		node_forget(ref->ino, 1); /* the kernel never got it */
}

/* Whether view row is served: its knob, if it names one, is. */
bool view_on(const struct fs *fs, int row)
{
	const struct knob *k = view_table[row].knob ? knob_find(view_table[row].knob) : NULL;

	return !view_table[row].knob || (k && fs->root->knob_on[k - knob_table]);
}

static uint64_t entry_ino(ino_t dir, enum node_kind kind, int index)
{
	switch (kind) {
	case NODE_KNOB:
		return nodeid_knob(dir, (unsigned)index);
	case NODE_VIEWDIR:
	case NODE_VIEW:
		return nodeid_view(dir, (unsigned)index);
	default:
		return nodeid_rawdir(dir);
	}
}

/* An entry of p's group that is not a group: a knob, raw/, or an entry
 * of its view (index: its row). */
int group_entry_ref(struct fs *fs, const struct nref *p, enum node_kind kind,
                    int knob, struct nref *ret)
{
	struct stat st;
	int res;

	res = node_real(fs, p, &st, NULL);
	if (res < 0)
		return res;
	snprintf(ret->path, sizeof(ret->path), "%s", p->path);
	ret->kind = kind;
	ret->knob = knob;
	ret->depth = p->depth;
	ret->owner = p->owner;
	ret->gid = p->gid;
	ret->ino = entry_ino(st.st_ino, kind, knob);
	ret->real = st;
	ret->have_real = true;
	return 0;
}

/* The file called name in raw/ of p's group. */
int raw_child_ref(struct fs *fs, const struct nref *p, const char *name,
                  struct nref *ret)
{
	struct raw_file f;
	struct stat st;
	int res;

	if (strlen(name) >= sizeof(ret->name))
		return -ENOENT;
	/* The raw/ of a group since removed is not that of its successor. */
	res = node_real(fs, p, &st, NULL);
	if (res == 0)
		res = group_raw_find(fs->root, p->path, name, &f);
	if (res < 0)
		return res;
	if (policy_raw_access(name, f.mode) == RAW_HIDDEN)
		return -ENOENT;
	snprintf(ret->path, sizeof(ret->path), "%s", p->path);
	snprintf(ret->name, sizeof(ret->name), "%s", name);
	ret->kind = NODE_RAW;
	ret->knob = -1;
	ret->hier = f.hier;
	ret->depth = p->depth;
	ret->owner = p->owner;
	ret->gid = p->gid;
	ret->ino = nodeid_raw(f.ino, (unsigned)f.hier);
	ret->have_real = false;
	return 0;
}

/* The entry called name in view directory row dir (VIEW_TOP: p's group
 * directory itself) of p's group. */
static int view_child_ref(struct fs *fs, const struct nref *p, int dir, const char *name,
                          struct nref *ret)
{
	int row = view_child(dir, name);

	if (row < 0 || !view_on(fs, row))
		return -ENOENT;
	return group_entry_ref(fs, p, view_is_dir(row) ? NODE_VIEWDIR : NODE_VIEW, row, ret);
}

/* The child called name of directory p, as a node reference. */
int child_ref(struct fs *fs, const struct nref *p, const char *name,
              struct nref *ret)
{
	const struct knob *k;
	struct stat st;
	int res;

	memset(ret, 0, sizeof(*ret));
	if (p->kind == NODE_RAWDIR)
		return raw_child_ref(fs, p, name, ret);
	if (p->kind == NODE_VIEWDIR)
		return view_child_ref(fs, p, p->knob, name, ret);
	if (p->kind != NODE_DIR)
		return -ENOTDIR;
	if (p->depth == 0) {
		res = policy_user(name, &ret->owner, &ret->gid);
		if (res < 0)
			return -ENOENT;
	} else {
		ret->owner = p->owner;
		ret->gid = p->gid;
		k = knob_find(name);
		if (k && fs->root->knob_on[k - knob_table])
			return group_entry_ref(fs, p, NODE_KNOB, (int)(k - knob_table), ret);
		if (strcmp(name, RAW_DIR) == 0)
			return group_entry_ref(fs, p, NODE_RAWDIR, -1, ret);
		if (view_child(VIEW_TOP, name) >= 0)
			return view_child_ref(fs, p, VIEW_TOP, name, ret);
		if (policy_group_name(name) < 0)
			return -ENOENT;
	}
	/* A group deeper than a path can name is not served. */
	res = snprintf(ret->path, sizeof(ret->path), "%s%s%s", p->path,
	               *p->path ? "/" : "", name);
	if (res < 0 || (size_t)res >= GROUP_PATH_MAX)
		return -ENAMETOOLONG;
	res = group_stat(fs->root, ret->path, &st);
	if (res < 0)
		return res == -ENOTDIR ? -ENOENT : res;
	/* A group made or removed half-way behind our back is not served. */
	res = watch_check(fs->root, ret->path);
	if (res < 0)
		return res;
	ret->kind = NODE_DIR;
	ret->knob = -1;
	ret->depth = p->depth + 1;
	ret->ino = nodeid_dir(st.st_ino, false);
	ret->real = st;
	ret->have_real = true;
	return 0;
}
