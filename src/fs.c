// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgfs/budget.h"
#include "cgfs/fs.h"
#include "cgfs/log.h"
#include "cgfs/nodeid.h"
#include "cgfs/pidns.h"
#include "cgfs/policy.h"
#include "cgfs/procvis.h"
#include "cgfs/slow.h"
#include "cgfs/watch.h"

#define NODE_BUCKETS 4096
#define RAW_DIR "raw"

_Static_assert(sizeof(((struct cgroot *)0)->knob_on) <= NODEID_KNOBS_MAX,
               "knob slots run into raw/'s");
_Static_assert(LAYOUT_MAX_HIER <= NODEID_HIERS_MAX, "raw file slots do not fit");
_Static_assert(NODEID_ROOT == FUSE_ROOT_ID, "the root's node id");

enum node_kind {
	NODE_DIR,    /* the mount root, a tree root or a group */
	NODE_KNOB,   /* a friendly file of a group */
	NODE_RAWDIR, /* a group's raw/ */
	NODE_RAW,    /* one of the kernel's own files in raw/ */
};

/* One looked-up entry. A knob, raw/ and a raw file carry the path,
 * depth and owner of the group they belong to. */
struct node {
	fuse_ino_t ino;
	uint64_t nlookup;  /* protected by nodes_lock */
	char *path;        /* group path relative to the base ("" = root) */
	char *name;        /* NODE_RAW: the kernel file's name; else NULL */
	enum node_kind kind;
	int knob;          /* NODE_KNOB: index in knob_table */
	int hier;          /* NODE_RAW: index in cgroot.h[] */
	int depth;         /* 0 root, 1 tree root, 2.. groups */
	uid_t owner;       /* the tree's owner (0 for the root) */
	gid_t gid;
	struct node *next; /* hash chain */
};

/* A snapshot of a node, taken under the lock, used outside it. */
struct nref {
	fuse_ino_t ino;
	char path[PATH_MAX];
	char name[NAME_MAX + 1];
	enum node_kind kind;
	int knob;
	int hier;
	int depth;
	uid_t owner;
	gid_t gid;
	/* The group directory's stat(2), when the lookup that made this
	 * reference has just taken it (not for raw files): spares a reply
	 * a second one. */
	bool have_real;
	struct stat real;
};

/* An open knob or raw file, or an open directory. Writes through it are
 * authorised with the credentials of the process that opened it,
 * whoever writes: a handle passed to (or inherited by) a more privileged
 * program gains nothing (the kernel's own rule for cgroup.procs since
 * CVE-2021-4197). It counts towards its opener's max_open_files, and
 * costs the daemon this record and nothing else, except while a reader
 * is part-way through a value or listing: that is kept (so the reads add
 * up to one consistent rendering) within the opener's budget of kept
 * bytes (budget.h), and freed once a read reaches its end. */
struct ofile {
	pthread_mutex_t lock;
	char *buf;   /* the rendering a reader is part-way through, or NULL */
	int len;     /* length of the last rendering, -1 before the first */
	size_t kept; /* bytes of buf counted by budget_keep() */
	uid_t uid;   /* the opener's */
};

static pthread_mutex_t nodes_lock = PTHREAD_MUTEX_INITIALIZER;
static struct node *nodes[NODE_BUCKETS];
/* Serialises tree changes so caps (max_groups) hold under parallel mkdirs. */

/* Open files and directories. A file handle is this server's epoch and an
 * index here, never a pointer: after a restart the kernel still holds the
 * handles an earlier server gave out, and the new one must know them for
 * what they are (stale) rather than follow them. */
struct fh_slot {
	void *p;
	void (*drop)(void *p); /* frees p if the kernel never releases it */
};

static pthread_mutex_t fh_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fh_slot *fh_tab;
static uint32_t fh_len, fh_cap, fh_hint;

/* 0 (no handle) when out of memory. */
static uint64_t fh_put(const struct fs *fs, void *p, void (*drop)(void *p))
{
	uint32_t i;

	pthread_mutex_lock(&fh_lock);
	for (i = fh_hint; i < fh_len && fh_tab[i].p; i++)
		;
	if (i == fh_len) {
		if (fh_len == fh_cap) {
			uint32_t cap = fh_cap ? fh_cap * 2 : 64;
			struct fh_slot *t = cap > fh_cap ? realloc(fh_tab, cap * sizeof(*t)) : NULL;

			if (!t) {
				pthread_mutex_unlock(&fh_lock);
				return 0;
			}
			fh_tab = t;
			fh_cap = cap;
		}
		fh_len++;
	}
	fh_tab[i].p = p;
	fh_tab[i].drop = drop;
	fh_hint = i + 1;
	pthread_mutex_unlock(&fh_lock);
	return ((uint64_t)fs->epoch << 32) | (i + 1);
}

/* The object behind fh, or NULL for a handle of another server. take
 * also removes it. */
static void *fh_get(const struct fs *fs, uint64_t fh, bool take)
{
	uint32_t i = (uint32_t)fh;
	void *p = NULL;

	if ((fh >> 32) != fs->epoch || i == 0)
		return NULL;
	pthread_mutex_lock(&fh_lock);
	if (i <= fh_len) {
		p = fh_tab[i - 1].p;
		if (take) {
			fh_tab[i - 1].p = NULL;
			if (i - 1 < fh_hint)
				fh_hint = i - 1;
		}
	}
	pthread_mutex_unlock(&fh_lock);
	return p;
}

static struct fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* The entry and attribute timeout: the watcher changes it at run time. */
static double fs_timeout(struct fs *fs)
{
	double t;

	__atomic_load(&fs->timeout, &t, __ATOMIC_ACQUIRE);
	return t;
}

void fs_set_caching(struct fs *fs, bool on)
{
	double t = on ? fs->cache_timeout : 0;

	__atomic_store(&fs->timeout, &t, __ATOMIC_RELEASE);
}

static size_t bucket(fuse_ino_t ino)
{
	return (size_t)((ino * 0x9E3779B97F4A7C15ull) >> 52) % NODE_BUCKETS;
}

static bool kind_is_dir(enum node_kind kind)
{
	return kind == NODE_DIR || kind == NODE_RAWDIR;
}

/* The entry's name within its group, for log lines. */
static const char *entry_name(const struct nref *ref)
{
	switch (ref->kind) {
	case NODE_KNOB:
		return knob_table[ref->knob].name;
	case NODE_RAWDIR:
		return RAW_DIR;
	case NODE_RAW:
		return ref->name;
	case NODE_DIR:
		break;
	}
	return "";
}

static struct node *node_find_locked(fuse_ino_t ino)
{
	struct node *n;

	for (n = nodes[bucket(ino)]; n; n = n->next)
		if (n->ino == ino)
			return n;
	return NULL;
}

static void nref_from(struct nref *ref, const struct node *n)
{
	ref->ino = n->ino;
	snprintf(ref->path, sizeof(ref->path), "%s", n->path);
	snprintf(ref->name, sizeof(ref->name), "%s", n->name ? n->name : "");
	ref->kind = n->kind;
	ref->knob = n->knob;
	ref->hier = n->hier;
	ref->depth = n->depth;
	ref->owner = n->owner;
	ref->gid = n->gid;
	ref->have_real = false;
}

static int node_get(fuse_ino_t ino, struct nref *ref)
{
	struct node *n;

	if (ino == FUSE_ROOT_ID) {
		memset(ref, 0, sizeof(*ref));
		ref->ino = FUSE_ROOT_ID;
		ref->kind = NODE_DIR;
		ref->knob = -1;
		return 0;
	}
	pthread_mutex_lock(&nodes_lock);
	n = node_find_locked(ino);
	if (n)
		nref_from(ref, n);
	pthread_mutex_unlock(&nodes_lock);
	return n ? 0 : -ESTALE;
}

static void node_free(struct node *n)
{
	free(n->path);
	free(n->name);
	free(n);
}

/* Gives n the path and name of ref, where they differ: the kernel may
 * reuse an inode number for a new group or file. */
static int node_names(struct node *n, const struct nref *ref)
{
	char *p = NULL, *nm = NULL;

	if (!n->path || strcmp(n->path, ref->path) != 0) {
		p = strdup(ref->path);
		if (!p)
			return -ENOMEM;
	}
	if (ref->kind == NODE_RAW && (!n->name || strcmp(n->name, ref->name) != 0)) {
		nm = strdup(ref->name);
		if (!nm) {
			free(p);
			return -ENOMEM;
		}
	}
	if (p) {
		free(n->path);
		n->path = p;
	}
	if (nm) {
		free(n->name);
		n->name = nm;
	}
	return 0;
}

/* Records one more kernel reference to ref (the kernel will FORGET it). */
static int node_ref(const struct nref *ref)
{
	struct node *n;
	int res = 0;

	pthread_mutex_lock(&nodes_lock);
	n = node_find_locked(ref->ino);
	if (n) {
		/* Keeping the old names on ENOMEM still leaves a valid node. */
		node_names(n, ref);
	} else {
		n = calloc(1, sizeof(*n));
		if (!n || node_names(n, ref) < 0) {
			if (n)
				node_free(n);
			res = -ENOMEM;
			goto out;
		}
		n->ino = ref->ino;
		n->next = nodes[bucket(n->ino)];
		nodes[bucket(n->ino)] = n;
	}
	n->kind = ref->kind;
	n->knob = ref->knob;
	n->hier = ref->hier;
	n->depth = ref->depth;
	n->owner = ref->owner;
	n->gid = ref->gid;
	n->nlookup++;
out:
	pthread_mutex_unlock(&nodes_lock);
	return res;
}

static void node_forget(fuse_ino_t ino, uint64_t count)
{
	struct node **pp, *n;

	pthread_mutex_lock(&nodes_lock);
	for (pp = &nodes[bucket(ino)]; (n = *pp); pp = &n->next) {
		if (n->ino != ino)
			continue;
		n->nlookup = n->nlookup > count ? n->nlookup - count : 0;
		if (n->nlookup == 0) {
			*pp = n->next;
			node_free(n);
		}
		break;
	}
	pthread_mutex_unlock(&nodes_lock);
}

void fs_destroy_nodes(void)
{
	struct node *n, *next;
	size_t i;

	/* A server stopped for an upgrade leaves files open in the kernel. */
	for (i = 0; i < fh_len; i++)
		if (fh_tab[i].p)
			fh_tab[i].drop(fh_tab[i].p);
	free(fh_tab);
	fh_tab = NULL;
	fh_len = fh_cap = fh_hint = 0;
	pthread_mutex_lock(&nodes_lock);
	for (i = 0; i < NODE_BUCKETS; i++) {
		for (n = nodes[i]; n; n = next) {
			next = n->next;
			node_free(n);
		}
		nodes[i] = NULL;
	}
	pthread_mutex_unlock(&nodes_lock);
}

/* ---- attributes ---- */

/* stat(2) of a raw file's real file, checked to be the file the node was
 * made from, and what raw/ may do with it. */
static int raw_stat(struct fs *fs, const struct nref *ref, struct stat *st,
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
static int node_same_group(struct fs *fs, const struct nref *ref)
{
	enum raw_access a;
	struct stat real;

	return node_real(fs, ref, &real, &a);
}

/* Checks that ref still is what it was, and fills st. */
static int node_attr(struct fs *fs, const struct nref *ref, struct stat *st)
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
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		st->st_uid = ref->owner;
		st->st_gid = ref->depth ? ref->gid : 0;
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
	}
	st->st_nlink = 1;
	st->st_gid = st->st_uid ? ref->gid : 0;
	return 0;
}

static void reply_entry(fuse_req_t req, struct fs *fs, const struct nref *ref)
{
	struct fuse_entry_param e;
	int res;

	memset(&e, 0, sizeof(e));
	res = node_attr(fs, ref, &e.attr);
	if (res == 0)
		res = node_ref(ref);
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	e.ino = ref->ino;
	e.attr_timeout = fs_timeout(fs);
	e.entry_timeout = e.attr_timeout;
	if (fuse_reply_entry(req, &e) != 0)
		node_forget(ref->ino, 1); /* the kernel never got it */
}

/* An entry of p's group that is not a group: a knob or raw/. */
static int group_entry_ref(struct fs *fs, const struct nref *p, enum node_kind kind,
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
	ret->ino = kind == NODE_KNOB ? nodeid_knob(st.st_ino, (unsigned)knob) : nodeid_rawdir(st.st_ino);
	ret->real = st;
	ret->have_real = true;
	return 0;
}

/* The file called name in raw/ of p's group. */
static int raw_child_ref(struct fs *fs, const struct nref *p, const char *name,
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

/* The child called name of directory p, as a node reference. */
static int child_ref(struct fs *fs, const struct nref *p, const char *name,
                     struct nref *ret)
{
	const struct knob *k;
	struct stat st;
	int res;

	memset(ret, 0, sizeof(*ret));
	if (p->kind == NODE_RAWDIR)
		return raw_child_ref(fs, p, name, ret);
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

/* ---- nodes an earlier server gave the kernel ---- */

/* After a restart the kernel still holds node ids the earlier server
 * handed out. They are made of kernel inode numbers, so the group behind
 * one can be found again: walk the tree for the inode, then look the path
 * up by name as the kernel would have. */
struct find {
	const struct cgroot *root;
	ino_t want;
	int hier;            /* -1: a group's directory; else raw files of h[hier] */
	char path[PATH_MAX];
	char name[NAME_MAX + 1];
};

static int find_raw(void *arg, const char *name, const struct raw_file *f)
{
	struct find *fd = arg;

	if (f->hier != fd->hier || f->ino != fd->want)
		return 0;
	snprintf(fd->name, sizeof(fd->name), "%s", name);
	return 1;
}

/* A group_walk() callback: stops (2) at the group wanted, or the group
 * of the raw file wanted, its path in f->path. Groups whose path does not
 * fit are not served, so not looked in. */
static int find_walk(void *arg, const char *path, ino_t ino, int depth)
{
	struct find *f = arg;

	if (depth == 0)
		return 0; /* the base */
	if (strlen(path) >= GROUP_PATH_MAX)
		return GROUP_WALK_SKIP;
	if ((f->hier < 0 && ino == f->want) ||
	    (f->hier >= 0 && group_raw_list(f->root, path, find_raw, f) == 1)) {
		strcpy(f->path, path);
		return 2;
	}
	return 0;
}

static int node_recover(struct fs *fs, fuse_ino_t ino, struct nref *ref)
{
	struct nref *cur = NULL, *next = NULL;
	struct find *f = NULL;
	char *comp, *save = NULL;
	unsigned index;
	ino_t real;
	enum nodeid_kind kind = nodeid_decode(ino, &real, &index);
	int res = -ESTALE;

	if (kind == NODEID_BAD ||
	    (kind == NODEID_KNOB && (index >= knob_count || !fs->root->knob_on[index])) ||
	    (kind == NODEID_RAW && index >= fs->root->n))
		return -ESTALE;
	f = calloc(1, sizeof(*f));
	cur = malloc(sizeof(*cur));
	next = malloc(sizeof(*next));
	if (!f || !cur || !next) {
		res = -ENOMEM;
		goto out;
	}
	f->root = fs->root;
	f->want = real;
	f->hier = kind == NODEID_RAW ? (int)index : -1;
	if (group_walk(fs->root, "", find_walk, f) != 2)
		goto out;
	node_get(FUSE_ROOT_ID, cur);
	for (comp = strtok_r(f->path, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		res = child_ref(fs, cur, comp, next);
		if (res < 0)
			goto out;
		*cur = *next;
	}
	if (kind == NODEID_DIR) {
		*ref = *cur;
		res = 0;
	} else if (kind == NODEID_KNOB) {
		res = group_entry_ref(fs, cur, NODE_KNOB, (int)index, ref);
	} else {
		res = group_entry_ref(fs, cur, NODE_RAWDIR, -1, kind == NODEID_RAWDIR ? ref : next);
		if (res == 0 && kind == NODEID_RAW)
			res = raw_child_ref(fs, next, f->name, ref);
	}
	if (res == 0 && ref->ino != ino)
		res = -ESTALE;
	if (res == 0)
		res = node_ref(ref); /* the kernel holds at least this one */
	if (res == 0)
		log_debug("node %#llx of an earlier server is /%s%s%s", (unsigned long long)ino,
		          ref->path, ref->kind == NODE_DIR ? "" : "/", entry_name(ref));
out:
	free(f);
	free(cur);
	free(next);
	return res < 0 ? res : 0;
}

/* The node the kernel calls ino: known, or one an earlier server made. */
static int node_lookup(struct fs *fs, fuse_ino_t ino, struct nref *ref)
{
	int res = node_get(ino, ref);

	if (res == -ESTALE)
		res = node_recover(fs, ino, ref);
	return res;
}

/* ---- operations ---- */

static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct fs *fs = userdata;

	budget_set_total(fs->cfg->max_open_total);
	/* O_TRUNC arrives with open() instead of as a separate SETATTR. */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fs_of(req);
	struct nref p, c;
	int res;

	res = node_lookup(fs, parent, &p);
	if (res == 0)
		res = child_ref(fs, &p, name, &c);
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	reply_entry(req, fs, &c);
}

static void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	node_forget(ino, nlookup);
	fuse_reply_none(req);
}

static void fs_forget_multi(fuse_req_t req, size_t count,
                            struct fuse_forget_data *forgets)
{
	size_t i;

	for (i = 0; i < count; i++)
		node_forget(forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct nref ref;
	struct stat st;
	int res;

	res = node_lookup(fs, ino, &ref);
	if (res == 0)
		res = node_attr(fs, &ref, &st);
	if (res < 0)
		fuse_reply_err(req, -res);
	else
		fuse_reply_attr(req, &st, fs_timeout(fs));
}

static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                       struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct nref ref;
	struct stat st;
	int res;

	res = node_lookup(fs, ino, &ref);
	if (res < 0)
		goto err;
	/* Only truncation (what "echo >" may send) is accepted, and ignored:
	 * knob and raw files have no stored content to cut. */
	if (to_set & ~(FUSE_SET_ATTR_SIZE)) {
		res = -EPERM;
		goto err;
	}
	if ((to_set & FUSE_SET_ATTR_SIZE) && kind_is_dir(ref.kind)) {
		res = -EISDIR;
		goto err;
	}
	res = node_attr(fs, &ref, &st);
	if (res < 0)
		goto err;
	fuse_reply_attr(req, &st, fs_timeout(fs));
	return;
err:
	fuse_reply_err(req, -res);
}

/* ---- open files and directories ---- */

/* How many cgfs files uid may hold open: cgfs.conf's max_open_files for
 * the user of that uid ([user NAME] over [defaults]); -1 for none. The
 * passwd database is asked only if some [user] section sets it. */
static long open_cap(struct fs *fs, uid_t uid)
{
	struct passwd pw, *res = NULL;
	struct caps caps;
	char buf[4096];

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
static int ofile_new(fuse_req_t req, struct ofile **ret)
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
static void ofile_unkeep(struct ofile *of)
{
	free(of->buf);
	of->buf = NULL;
	budget_unkeep(of->uid, of->kept);
	of->kept = 0;
}

/* Keeps buf (len bytes, malloc'd) for the reads to come, if
 * the opener's budget allows: true if of now owns it. */
static bool ofile_keep(struct ofile *of, char **buf, int len)
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

static void ofile_drop(void *p)
{
	struct ofile *of = p;

	ofile_unkeep(of);
	budget_close(of->uid);
	pthread_mutex_destroy(&of->lock);
	free(of);
}

/* ---- directories ---- */

struct dirbuf {
	char *data;
	size_t len, cap;
	fuse_req_t req;
};

static int dirbuf_add(struct dirbuf *b, const char *name, fuse_ino_t ino, mode_t mode)
{
	struct stat st = { .st_ino = ino, .st_mode = mode };
	size_t need = fuse_add_direntry(b->req, NULL, 0, name, NULL, 0);
	char *nd;

	if (b->len + need > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;

		while (cap < b->len + need)
			cap *= 2;
		nd = realloc(b->data, cap);
		if (!nd)
			return -ENOMEM;
		b->data = nd;
		b->cap = cap;
	}
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

/* A group's (or the root's) entries: knobs, raw/, child groups. */
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

static void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
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

/* Replies with bytes [start, start + size) of an open file's rendering
 * and unlocks of (if not NULL): fresh is a new rendering of len bytes
 * (the reply's to free), or NULL for of->buf. A rendering the reader is
 * part-way through is kept if the budget allows; one read to its end is
 * not. What of keeps is copied before the lock is let go: once the
 * kernel has the reply, the caller may close the file and RELEASE free
 * it on another thread while this one is still returning from writev(2). */
static void reply_part(fuse_req_t req, struct ofile *of, char *fresh, int len, size_t start,
                       size_t size)
{
	size_t n = start >= (size_t)len ? 0 : (size_t)len - start < size ? (size_t)len - start : size;
	bool end = start + n >= (size_t)len;
	char small[4096], *copy = NULL;
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

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
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

static void fs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ofile *of = fh_get(fs_of(req), fi->fh, true);

	if (of)
		ofile_drop(of);
	fuse_reply_err(req, 0);
}

static void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
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
	/* raw/ holds the kernel's files and nothing else. */
	if (p.kind == NODE_RAWDIR) {
		res = -EPERM;
		goto err;
	}
	if (ctx->uid != 0 && (p.depth == 0 || ctx->uid != p.owner)) {
		res = -EACCES;
		goto err;
	}
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

	cgroot_lock(fs->root);
	if (p.depth > 0 && caps.max_depth >= 0 && p.depth > caps.max_depth)
		res = -EDQUOT;
	if (res == 0 && p.depth > 0 && caps.max_groups >= 0) {
		n = group_count(fs->root, tree);
		if (n >= 0 && n - 1 >= caps.max_groups)
			res = -EDQUOT;
	}
	if (res == 0) {
		uint64_t own = watch_own_begin(c.path, true);

		if (p.depth == 0) {
			config_caps_for(fs->cfg, name, &caps);
			res = group_create(fs->root, c.path, &caps);
		} else {
			res = group_create(fs->root, c.path, NULL);
		}
		watch_own_end(own, res);
	}
	cgroot_unlock(fs->root);
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
	struct slow_rmdir *w = arg;
	uint64_t own;
	int res;

	res = group_evict(w->fs->root, w->path);
	if (res == 0) {
		cgroot_lock(w->fs->root);
		own = watch_own_begin(w->path, false);
		res = group_remove(w->fs->root, w->path);
		watch_own_end(own, res);
		cgroot_unlock(w->fs->root);
	}
	if (res < 0)
		log_debug("rmdir /%s refused for uid %u pid %d: %s", w->path, w->uid, w->pid,
		          strerror(-res));
	fuse_reply_err(w->req, -res);
	free(w);
}

/* 0 when the group went the quick way, 1 when the request is answered
 * on a thread of its own, -errno. */
static int rmdir_group(struct fs *fs, fuse_req_t req, const struct fuse_ctx *ctx, const char *path)
{
	struct slow_rmdir *w;
	uint64_t own;
	size_t len;
	int res;

	cgroot_lock(fs->root);
	own = watch_own_begin(path, false);
	res = group_remove_try(fs->root, path);
	watch_own_end(own, res == 1 ? 0 : res == 0 ? -EBUSY : res);
	cgroot_unlock(fs->root);
	if (res != 0)
		return res < 0 ? res : 0;
	res = slow_begin(ctx->uid);
	if (res < 0)
		return res;
	len = strlen(path) + 1;
	w = malloc(sizeof(*w) + len);
	if (!w) {
		slow_end(ctx->uid);
		return -ENOMEM;
	}
	*w = (struct slow_rmdir){ req, fs, ctx->uid, ctx->pid };
	memcpy(w->path, path, len);
	slow_run(ctx->uid, slow_rmdir_run, w);
	return 1;
}

static void fs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
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
	/* raw/ is part of its group: it goes when the group goes. */
	if (res == 0 && c.kind == NODE_RAWDIR)
		res = -EPERM;
	if (res == 0 && ctx->uid != 0 && (p.depth == 0 || ctx->uid != p.owner))
		res = -EACCES;
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

static void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fs_refuse(req);
}

static void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
                      fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	fs_refuse(req);
}

static void fs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
                    const char *newname)
{
	fs_refuse(req);
}

static void fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
                       const char *name)
{
	fs_refuse(req);
}

static void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
                     mode_t mode, dev_t rdev)
{
	fs_refuse(req);
}

static void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
                      mode_t mode, struct fuse_file_info *fi)
{
	fs_refuse(req);
}

/* ---- knob and raw files ---- */

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
		return -EISDIR;
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

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct fs *fs = fs_of(req);
	struct ofile *of;
	struct nref ref = { .path = "?", .kind = NODE_DIR };
	int res;

	res = node_lookup(fs, ino, &ref);
	if (res == 0)
		res = open_check(fs, ctx, &ref, fi->flags & O_ACCMODE);
	if (res == 0)
		res = ofile_new(req, &of);
	if (res < 0)
		goto err;
	fi->fh = fh_put(fs, of, ofile_drop);
	if (!fi->fh) {
		ofile_drop(of);
		res = -ENOMEM;
		goto err;
	}
	/* The value is rendered on read: its size is not known before. */
	fi->direct_io = 1;
	fi->keep_cache = 0;
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

/* The whole content of a knob or raw file, fresh from the kernel, for
 * the reader ctx. */
static int render(struct fs *fs, const struct nref *ref, const struct fuse_ctx *ctx,
                  char **buf)
{
	bool pids;
	int res;

	if (ref->kind != NODE_RAW && ref->kind != NODE_KNOB)
		return -EISDIR;
	/* A file of a group removed (and perhaps made again) meanwhile is
	 * that group's: it has nothing to read, raw or knob. */
	res = node_same_group(fs, ref);
	if (res < 0)
		return res;
	if (ref->kind == NODE_RAW) {
		res = group_raw_read(fs->root, ref->path, ref->hier, ref->name, buf);
		pids = raw_lists_pids(ref->name);
	} else {
		res = group_knob_read(fs->root, ref->path, &knob_table[ref->knob], buf);
		pids = knob_table[ref->knob].kind == KNOB_PROCS;
	}
	/* Only the processes the reader may see in the daemon's /proc
	 * (hidepid=), as the reader's pid namespace has them (procs; raw
	 * files are the kernel's, untranslated). */
	if (res >= 0 && pids)
		res = procvis_filter(ctx->pid, ctx->uid, ctx->gid, buf, res);
	if (res >= 0 && ref->kind == NODE_KNOB && pids)
		res = pidns_list_for(ctx->pid, buf, res);
	return res;
}

static void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct ofile *of = fh_get(fs, fi->fh, false);
	size_t start = off < 0 ? 0 : (size_t)off;
	char *fresh = NULL;
	struct nref ref;
	int res;

	res = node_lookup(fs, ino, &ref);
	if (res < 0) {
		fuse_reply_err(req, -res);
		return;
	}
	if (of)
		pthread_mutex_lock(&of->lock);
	/* A read from the start renders afresh; one further on continues
	 * the rendering kept, or ends at the end of the last one. A file an
	 * earlier server opened, or one whose rendering was not kept, is
	 * rendered for each read. */
	if (of && start > 0 && (of->buf || (of->len >= 0 && start >= (size_t)of->len))) {
		res = of->len;
	} else {
		res = render(fs, &ref, fuse_req_ctx(req), &fresh);
		if (res < 0) {
			if (of)
				pthread_mutex_unlock(&of->lock);
			fuse_reply_err(req, -res);
			return;
		}
	}
	reply_part(req, of, fresh, res, start, size);
}

struct admit_arg {
	struct fs *fs;
	const char *patterns; /* cgfs.conf's admit for the tree, or the default */
	uid_t owner;          /* the tree's */
	char tree[PATH_MAX];
};

static bool admission_point(void *arg, const char *cg)
{
	struct admit_arg *a = arg;

	return policy_admitted(a->patterns, cg, a->owner);
}

static int pid_admitted(void *arg, pid_t pid)
{
	struct admit_arg *a = arg;

	return group_pid_admitted(a->fs->root, a->tree, pid, admission_point, a);
}

/* A pid written to procs by writer (whose pid namespace names it) through
 * a handle opened by uid: who may move it is decided on the process
 * itself (pinned by a pidfd), and checked again once it has moved. */
static int procs_write(struct fs *fs, uid_t uid, pid_t writer, const struct nref *ref,
                       const char *value)
{
	struct admit_arg a = { .fs = fs, .owner = ref->owner };
	int res, pid, pidfd;
	struct pidns_view ns;
	struct caps caps;
	pid_t inner, back;

	res = knob_parse_pid(value, &pid);
	if (res < 0)
		return res;
	snprintf(a.tree, sizeof(a.tree), "%.*s", (int)strcspn(ref->path, "/"), ref->path);
	config_caps_for(fs->cfg, a.tree, &caps);
	a.patterns = caps.admit ? caps.admit : POLICY_ADMIT_DEFAULT;
	/* The writer's pid namespace names the process: judge and move the
	 * host's pid, and once it is pinned, make sure the writer's pid
	 * still names it (it may have exited and its pid been reused). */
	inner = pid;
	res = pidns_view_open(&ns, writer);
	if (res == 0)
		res = pidns_to_host(&ns, inner, &pid);
	if (res == 0)
		res = policy_may_move(uid, pid, pid_admitted, &a, &pidfd);
	if (res == 0 && (pidns_from_host(&ns, pid, &back) < 0 || back != inner)) {
		policy_moved(pidfd);
		res = -ESRCH;
	}
	pidns_view_close(&ns);
	if (res < 0)
		return res;
	res = group_move_pid(fs->root, ref->path, pid);
	if (policy_moved(pidfd) < 0 && res == 0) {
		log_warn("pid %d exited while it was moved into /%s", pid, ref->path);
		res = -ESRCH;
	}
	return res;
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
	struct slow_write *w = arg;
	int res;

	res = w->kill ? group_kill(w->fs->root, w->path) : group_freeze_wait(w->fs->root, w->path);
	if (res < 0 && w->answered)
		log_warn("kill of /%s, written from inside it, failed: %s", w->path,
		         strerror(-res));
	else if (res < 0)
		log_debug("%s of /%s failed: %s", w->kill ? "kill" : "freeze", w->path,
		          strerror(-res));
	if (!w->answered) {
		if (res < 0)
			fuse_reply_err(w->req, -res);
		else
			fuse_reply_write(w->req, w->size);
	}
	free(w);
}

/* Hands a write over to slow_write_run with caller's reservation: 1 (the
 * request is answered there), or -ENOMEM with the reservation given
 * back. */
static int slow_write_start(struct fs *fs, fuse_req_t req, uid_t caller, const char *path,
                            size_t size, bool kill, bool answered)
{
	size_t len = strlen(path) + 1;
	struct slow_write *w = malloc(sizeof(*w) + len);

	if (!w) {
		slow_end(caller);
		return -ENOMEM;
	}
	*w = (struct slow_write){ req, fs, size, kill, answered };
	memcpy(w->path, path, len);
	slow_run(caller, slow_write_run, w);
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
	int res;

	res = knob_trim(buf, size, value, sizeof(value));
	if (res < 0)
		return res;
	if (!policy_may_write(uid, k, ref->depth, ref->owner))
		return -EACCES;
	if (k->kind == KNOB_PROCS)
		return procs_write(fs, uid, writer, ref, value);
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

static void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
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
	if (off != 0 || size > 4096) {
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

static void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ofile *of = fh_get(fs_of(req), fi->fh, true);

	if (of)
		ofile_drop(of);
	fuse_reply_err(req, 0);
}

const struct fuse_lowlevel_ops fs_ops = {
	.init = fs_init,
	.lookup = fs_lookup,
	.forget = fs_forget,
	.forget_multi = fs_forget_multi,
	.getattr = fs_getattr,
	.setattr = fs_setattr,
	.mkdir = fs_mkdir,
	.rmdir = fs_rmdir,
	.unlink = fs_unlink,
	.rename = fs_rename,
	.link = fs_link,
	.symlink = fs_symlink,
	.mknod = fs_mknod,
	.create = fs_create,
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.release = fs_release,
	.opendir = fs_opendir,
	.readdir = fs_readdir,
	.releasedir = fs_releasedir,
};
