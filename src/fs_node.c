// SPDX-License-Identifier: MIT
/*
 * Nodes (what the kernel looked up) and file handles: the tables behind
 * node ids and fh values, and finding the node of an id an earlier server
 * gave the kernel.
 */
#include "fs_int.h"

#define NODE_BUCKETS 4096

_Static_assert(sizeof(((struct cgroot *)0)->knob_on) <= NODEID_KNOBS_MAX,
               "knob slots run into raw/'s");
_Static_assert(LAYOUT_MAX_HIER <= NODEID_HIERS_MAX, "raw file slots do not fit");
_Static_assert(VIEW_TABLE_MAX <= NODEID_VIEWS_MAX, "view slots run into raw files'");
_Static_assert(NODEID_ROOT == FUSE_ROOT_ID, "the root's node id");

/* One looked-up entry. A knob, raw/ and a raw file carry the path,
 * depth and owner of the group they belong to. */
struct node {
	fuse_ino_t ino;
	uint64_t nlookup;  /* protected by nodes_lock */
	char *path;        /* group path relative to the base ("" = root) */
	char *name;        /* NODE_RAW: the kernel file's name; else NULL */
	enum node_kind kind;
	int knob;          /* NODE_KNOB: index in knob_table; NODE_VIEW*: in view_table */
	int hier;          /* NODE_RAW: index in cgroot.h[] */
	int depth;         /* 0 root, 1 tree root, 2.. groups */
	uid_t owner;       /* the tree's owner (the administrator for the root) */
	gid_t gid;
	/* A limit knob served from the kernel's page cache (fs_file.c):
	 * what its pages may hold, as far as this server knows. */
	char *filled;      /* the last rendering a page-cache read was given, or NULL */
	int filled_len;
	uint64_t filled_ticket; /* that read's ticket (cache_fill_begin()) */
	uint64_t tickets;  /* tickets given out */
	unsigned fills;    /* page-cache reads being answered */
	long ksize;        /* the size the kernel has, as far as known; -1 unknown */
	/* On the list of limits an open was let read through the page
	 * cache (cache_served()), which the group's removal goes through. */
	bool served;
	struct node *snext, *sprev;
	struct timespec mtime; /* the file's mtime: see cache_attr() */
	struct node *next; /* hash chain */
};

static pthread_mutex_t nodes_lock = PTHREAD_MUTEX_INITIALIZER;
static struct node *nodes[NODE_BUCKETS];

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
static uint32_t fh_len, fh_hint;
static size_t fh_cap;

/* 0 (no handle) when out of memory. */
uint64_t fh_put(const struct fs *fs, void *p, void (*drop)(void *p))
{
	uint32_t i;

	pthread_mutex_lock(&fh_lock);
	for (i = fh_hint; i < fh_len && fh_tab[i].p; i++)
		;
	if (i == fh_len) {
		/* A handle is its index + 1 in 32 bits. */
		if (fh_len == UINT32_MAX - 1 ||
		    vec_reserve(&fh_tab, &fh_cap, (size_t)fh_len + 1, sizeof(*fh_tab), 64) < 0) {
			pthread_mutex_unlock(&fh_lock);
			return 0;
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
void *fh_get(const struct fs *fs, uint64_t fh, bool take)
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

static size_t bucket(fuse_ino_t ino)
{
	return (size_t)((ino * 0x9E3779B97F4A7C15ull) >> 52) % NODE_BUCKETS;
}

bool kind_is_dir(enum node_kind kind)
{
	return kind == NODE_DIR || kind == NODE_RAWDIR || kind == NODE_VIEWDIR;
}

/* The entry's name within its group, for log lines. */
const char *entry_name(const struct nref *ref)
{
	switch (ref->kind) {
	case NODE_KNOB:
		return knob_table[ref->knob].name;
	case NODE_RAWDIR:
		return RAW_DIR;
	case NODE_RAW:
		return ref->name;
	case NODE_VIEWDIR:
	case NODE_VIEW:
		return view_table[ref->knob].name;
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
		ref->owner = policy_admin();
		ref->gid = policy_admin_gid();
		return 0;
	}
	pthread_mutex_lock(&nodes_lock);
	n = node_find_locked(ino);
	if (n)
		nref_from(ref, n);
	pthread_mutex_unlock(&nodes_lock);
	return n ? 0 : -ESTALE;
}

static struct node *served_head; /* nodes_lock */

static void node_free(struct node *n)
{
	if (n->served) {
		if (n->sprev)
			n->sprev->snext = n->snext;
		else
			served_head = n->snext;
		if (n->snext)
			n->snext->sprev = n->sprev;
	}
	free(n->filled);
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
int node_hold(const struct nref *ref)
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
	/* A file this server has not served yet may have pages an earlier
	 * one left in the kernel: a new mtime makes the kernel drop them
	 * when it next asks for the attributes (cache_attr()). */
	if (!n->mtime.tv_sec) {
		clock_gettime(CLOCK_REALTIME, &n->mtime);
		n->ksize = -1;
	}
	n->nlookup++;
out:
	pthread_mutex_unlock(&nodes_lock);
	return res;
}

void node_forget(fuse_ino_t ino, uint64_t count)
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
	_cleanup_free_ struct nref *cur = NULL, *next = NULL;
	_cleanup_free_ struct find *f = NULL;
	char *comp, *save = NULL;
	unsigned index;
	ino_t real;
	enum nodeid_kind kind = nodeid_decode(ino, &real, &index);
	int res;

	if (kind == NODEID_BAD ||
	    (kind == NODEID_KNOB && (index >= knob_count || !fs->root->knob_on[index])) ||
	    (kind == NODEID_RAW && index >= fs->root->n) ||
	    (kind == NODEID_VIEW && (index >= view_count || !view_on(fs, (int)index))))
		return -ESTALE;
	f = calloc(1, sizeof(*f));
	cur = malloc(sizeof(*cur));
	next = malloc(sizeof(*next));
	if (!f || !cur || !next)
		return -ENOMEM;
	f->root = fs->root;
	f->want = real;
	f->hier = kind == NODEID_RAW ? (int)index : -1;
	if (group_walk(fs->root, "", find_walk, f) != 2)
		return -ESTALE;
	node_get(FUSE_ROOT_ID, cur);
	for (comp = strtok_r(f->path, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		res = child_ref(fs, cur, comp, next);
		if (res < 0)
			return res;
		*cur = *next;
	}
	if (kind == NODEID_DIR) {
		*ref = *cur;
		res = 0;
	} else if (kind == NODEID_KNOB) {
		res = group_entry_ref(fs, cur, NODE_KNOB, (int)index, ref);
	} else if (kind == NODEID_VIEW) {
		res = group_entry_ref(fs, cur, view_is_dir((int)index) ? NODE_VIEWDIR : NODE_VIEW,
		                      (int)index, ref);
	} else {
		res = group_entry_ref(fs, cur, NODE_RAWDIR, -1, kind == NODEID_RAWDIR ? ref : next);
		if (res == 0 && kind == NODEID_RAW)
			res = raw_child_ref(fs, next, f->name, ref);
	}
	if (res == 0 && ref->ino != ino)
		res = -ESTALE;
	if (res == 0)
		res = node_hold(ref); /* the kernel holds at least this one */
	if (res == 0)
		log_debug("node %#llx of an earlier server is /%s%s%s", (unsigned long long)ino,
		          ref->path, ref->kind == NODE_DIR ? "" : "/", entry_name(ref));
	return res < 0 ? res : 0;
}

/* The node the kernel calls ino: known, or one an earlier server made. */
int node_lookup(struct fs *fs, fuse_ino_t ino, struct nref *ref)
{
	int res = node_get(ino, ref);

	if (res == -ESTALE)
		res = node_recover(fs, ino, ref);
	return res;
}

/* ---- limit knobs in the kernel's page cache ----
 *
 * The kernel fills a cached file's pages with what READ answers, and
 * keeps them across opens only if OPEN says so (keep_cache). This server
 * says so only when the value it renders at that open is the one the
 * last page-cache read was given, and no such read is being answered:
 * so the pages hold that value or nothing. Every fill takes a ticket
 * before it renders; the rendering of the latest ticket is the one
 * recorded, whatever order the fills end in. */

static bool same_text(const char *a, int alen, const char *b, int blen)
{
	return a && alen == blen && memcmp(a, b, (size_t)alen) == 0;
}

/* The openers told to look the name up again (pid, node), the latest
 * RELOOK_MAX: the open that follows is that lookup's, and is not sent
 * back a second time. An opener whose entry others' relooks push out
 * before its retry arrives (within one lookup's time) sees ESTALE: the
 * views' sizes change on their own and anyone may open them, so the
 * ring is long (a scan of it happens only when a size grew). */
#define RELOOK_MAX 256
static struct {
	fuse_ino_t ino;
	pid_t pid;
} relooks[RELOOK_MAX];
static unsigned relook_next;

/* Whether (ino, pid) was sent back to look up; forgets it (nodes_lock
 * held). */
static bool relooked(fuse_ino_t ino, pid_t pid)
{
	unsigned i;

	for (i = 0; i < RELOOK_MAX; i++) {
		if (relooks[i].ino == ino && relooks[i].pid == pid) {
			relooks[i].ino = 0;
			return true;
		}
	}
	return false;
}

enum cache_verdict cache_open(fuse_ino_t ino, pid_t pid, const char *text, int len)
{
	enum cache_verdict v = CACHE_DROP;
	struct node *n;

	pthread_mutex_lock(&nodes_lock);
	n = node_find_locked(ino);
	if (!n) {
		v = CACHE_DROP;
	} else if (len > n->ksize && !relooked(ino, pid)) {
		/* The kernel would read it no further than the size it
		 * has: the opener looks the name up again first. */
		relooks[relook_next].ino = ino;
		relooks[relook_next].pid = pid;
		relook_next = (relook_next + 1) % RELOOK_MAX;
		v = CACHE_RELOOK;
	} else if (!n->fills && same_text(n->filled, n->filled_len, text, len)) {
		v = CACHE_KEEP;
	}
	pthread_mutex_unlock(&nodes_lock);
	return v;
}

enum size_verdict size_open(fuse_ino_t ino, pid_t pid, int len)
{
	enum size_verdict v = SIZE_OTHER;
	struct node *n;

	pthread_mutex_lock(&nodes_lock);
	n = node_find_locked(ino);
	if (n && len > n->ksize && !relooked(ino, pid)) {
		relooks[relook_next].ino = ino;
		relooks[relook_next].pid = pid;
		relook_next = (relook_next + 1) % RELOOK_MAX;
		v = SIZE_RELOOK;
	} else if (n && len == n->ksize) {
		v = SIZE_SAME;
	}
	pthread_mutex_unlock(&nodes_lock);
	return v;
}

void cache_served(fuse_ino_t ino)
{
	struct node *n;

	pthread_mutex_lock(&nodes_lock);
	n = node_find_locked(ino);
	if (n && !n->served) {
		n->served = true;
		n->sprev = NULL;
		n->snext = served_head;
		if (served_head)
			served_head->sprev = n;
		served_head = n;
	}
	pthread_mutex_unlock(&nodes_lock);
}

size_t cache_served_below(const char *path, fuse_ino_t **ret)
{
	size_t len = strlen(path), n = 0, cap = 0;
	fuse_ino_t *v = NULL, *bigger;
	struct node *x;

	pthread_mutex_lock(&nodes_lock);
	for (x = served_head; x; x = x->snext) {
		if (strncmp(x->path, path, len) != 0 || (x->path[len] && x->path[len] != '/'))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			bigger = realloc(v, cap * sizeof(*v));
			if (!bigger)
				break;
			v = bigger;
		}
		v[n++] = x->ino;
	}
	pthread_mutex_unlock(&nodes_lock);
	*ret = v;
	return n;
}

void cache_size(fuse_ino_t ino, off_t size)
{
	struct node *n;

	pthread_mutex_lock(&nodes_lock);
	n = node_find_locked(ino);
	if (n)
		n->ksize = (long)size;
	pthread_mutex_unlock(&nodes_lock);
}

uint64_t cache_fill_begin(fuse_ino_t ino)
{
	struct node *n;
	uint64_t t = 0;

	pthread_mutex_lock(&nodes_lock);
	n = node_find_locked(ino);
	if (n) {
		n->fills++;
		t = ++n->tickets;
	}
	pthread_mutex_unlock(&nodes_lock);
	return t;
}

void cache_fill_end(fuse_ino_t ino, uint64_t ticket, const char *text, int len)
{
	char *copy = NULL;
	struct node *n;

	if (text && len >= 0 && (copy = malloc((size_t)len + 1)))
		memcpy(copy, text, (size_t)len);
	pthread_mutex_lock(&nodes_lock);
	n = node_find_locked(ino);
	if (n && ticket) {
		n->fills--;
		/* A shorter answer than the size cut the kernel's size. */
		if (copy && len < n->ksize)
			n->ksize = len;
		if (ticket > n->filled_ticket) {
			/* Without the text (an error, no memory) nothing is
			 * known of the pages: no open keeps them. */
			free(n->filled);
			n->filled = copy;
			n->filled_len = copy ? len : 0;
			n->filled_ticket = ticket;
			copy = NULL;
		}
	}
	pthread_mutex_unlock(&nodes_lock);
	free(copy);
}

void cache_changed(fuse_ino_t ino)
{
	struct node *n;

	pthread_mutex_lock(&nodes_lock);
	n = node_find_locked(ino);
	if (n) {
		free(n->filled);
		n->filled = NULL;
		n->filled_ticket = n->tickets;
		clock_gettime(CLOCK_REALTIME, &n->mtime);
	}
	pthread_mutex_unlock(&nodes_lock);
}

bool cache_attr(fuse_ino_t ino, const char *text, int len, struct timespec *mtime)
{
	struct node *n;

	pthread_mutex_lock(&nodes_lock);
	n = node_find_locked(ino);
	if (n && n->filled && !same_text(n->filled, n->filled_len, text, len))
		clock_gettime(CLOCK_REALTIME, &n->mtime);
	if (n)
		*mtime = n->mtime;
	pthread_mutex_unlock(&nodes_lock);
	return n != NULL;
}
