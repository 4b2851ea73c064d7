// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "cgfs/devices.h"
#include "cgfs/group.h"
#include "cgfs/log.h"
#include "cgfs/util.h"
#include "cgfs/units.h"
#include "group_int.h"

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
bool wait_over(long waited)
{
	return waited >= atomic_load(&wait_ms) || atomic_load(&waits_cut);
}

/* v2 controllers cgfs enables in cgroup.subtree_control, by kernel name. */
static const struct { enum cg_ctrl c; const char *name; } v2_ctrls[] = {
	{ CTRL_CPU, "cpu" },       { CTRL_CPUSET, "cpuset" }, { CTRL_MEMORY, "memory" },
	{ CTRL_IO, "io" },         { CTRL_PIDS, "pids" },
};

/* Waits ms milliseconds (the kernel's steps: freezing, a task exiting). */
void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- knob_io on a real group ---- */

const struct cg_hier *hier_for(const struct cgroot *r, enum cg_ctrl c)
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
		return cgfile_read_in(h->base_fd, g->path, file, buf, size);
	return cgfile_held_read(h->base_fd, g->path, file, &g->seen, buf, size);
}

static int gio_write(void *ctx, enum cg_ctrl c, const char *file, const char *text)
{
	struct gio *g = ctx;
	const struct cg_hier *h = hier_for(g->r, c);

	if (!h)
		return -ENOENT;
	if (g->probing)
		return cgfile_write_in(h->base_fd, g->path, file, text);
	if (g->mirror)
		return mirror_write(h, g->path, &g->seen, file, text);
	return cgfile_held_write(h->base_fd, g->path, file, &g->seen, text);
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

	if (!h || cgfile_join(p, sizeof(p), g->path, file) < 0)
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

/* The host files a view reads at every read of its own (proc/meminfo
 * and proc/swaps /proc/meminfo, proc/stat /proc/stat and /proc/uptime,
 * proc/uptime /proc/uptime) stay open: a pread at offset 0 makes
 * seq_file generate the text afresh, and opening and closing them cost
 * a third of a read. */
static const char *const held_paths[] = { "/proc/meminfo", "/proc/stat", "/proc/uptime" };
static atomic_int held_fds[] = { -1, -1, -1 };

_Static_assert(sizeof(held_paths) / sizeof(held_paths[0]) ==
               sizeof(held_fds) / sizeof(held_fds[0]), "one fd per held path");

/* The held fd of host path i (held_paths), opened at its first read;
 * or -errno. */
static int held_fd(size_t i)
{
	int fd = atomic_load(&held_fds[i]), none = -1;

	if (fd >= 0)
		return fd;
	fd = open(held_paths[i], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!atomic_compare_exchange_strong(&held_fds[i], &none, fd)) {
		close(fd);
		fd = none;
	}
	return fd;
}

static int gio_host_read(void *ctx, const char *path, char *buf, size_t size)
{
	size_t i;
	int fd;

	(void)ctx;
	for (i = 0; size > 0 && i < sizeof(held_paths) / sizeof(held_paths[0]); i++) {
		if (strcmp(path, held_paths[i]) != 0)
			continue;
		fd = held_fd(i);
		return fd < 0 ? fd : cgfile_read(fd, buf, size);
	}
	return cgfile_read_at(AT_FDCWD, path, buf, size);
}

/* each_below's walk: the file read in each directory below the start. */
struct below {
	const char *file;
	int (*fn)(void *arg, const char *text);
	void *arg;
	char text[KNOB_TEXT_MAX];
};

static int below_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
                     char **data)
{
	struct below *b = arg;
	int res;

	(void)w, (void)name, (void)data;
	if (pdfd < 0)
		return 0;
	res = cgfile_read_at(dfd, b->file, b->text, sizeof(b->text));
	if (res == -ENOENT)
		return 0; /* removed meanwhile */
	return res < 0 ? res : b->fn(b->arg, b->text);
}

static int gio_each_below(void *ctx, enum cg_ctrl c, const char *file,
                          int (*fn)(void *arg, const char *text), void *arg)
{
	static const struct walk_ops ops = { below_pre, NULL };
	struct gio *g = ctx;
	const struct cg_hier *h = hier_for(g->r, c);
	struct below *b;
	int res;

	if (!h)
		return -ENOENT;
	b = malloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	*b = (struct below){ .file = file, .fn = fn, .arg = arg };
	res = walk_tree(h->base_fd, g->path, false, &ops, b);
	free(b);
	return res;
}

/* The daemon resolves a device path the user wrote, as root: only below
 * /dev and within /dev's own file system (devtmpfs, which only root and
 * udev write), so neither a symbolic link a user made (in /dev/shm, or
 * anywhere else) nor a path into a directory the user may not search can
 * make it look at anything the user cannot see with ls -l /dev. */
static int dev_node_stat(const char *path, struct stat *ret)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int dev = -1, fd = -1;

	if (strncmp(path, "/dev/", 5) != 0 || path[5] == '\0')
		return -EINVAL;
	dev = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, dev, path + 5, &how, sizeof(how));
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -EINVAL;
	return fstat(fd, ret) < 0 ? -errno : 0;
}

static int gio_block_dev(void *ctx, const char *path, unsigned *ret_major,
                         unsigned *ret_minor)
{
	struct stat st;
	int res = dev_node_stat(path, &st);

	(void)ctx;
	if (res < 0)
		return res;
	if (!S_ISBLK(st.st_mode))
		return -EINVAL;
	*ret_major = major(st.st_rdev);
	*ret_minor = minor(st.st_rdev);
	return 0;
}

static int gio_dev_node(void *ctx, const char *path, char *ret_type, unsigned *ret_major,
                        unsigned *ret_minor)
{
	struct stat st;
	int res = dev_node_stat(path, &st);

	(void)ctx;
	if (res < 0)
		return res;
	if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode))
		return -EINVAL;
	*ret_type = S_ISBLK(st.st_mode) ? 'b' : 'c';
	*ret_major = major(st.st_rdev);
	*ret_minor = minor(st.st_rdev);
	return 0;
}

/* The group's directory in the cgroup2 hierarchy, if cgfs serves one
 * (the device programs' place), open for bpf(2); *ret_h its hierarchy. */
static int v2_dir(const struct gio *g, const struct cg_hier **ret_h)
{
	size_t i;
	int fd;

	for (i = 0; i < g->r->n; i++) {
		if (g->r->h[i].version != 2)
			continue;
		fd = openat(g->r->h[i].base_fd, *g->path ? g->path : ".",
		            O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		*ret_h = &g->r->h[i];
		return fd < 0 ? -errno : fd;
	}
	return -ENOENT;
}

static int gio_dev_rules(void *ctx, struct dev_rule *ret, size_t max)
{
	const struct cg_hier *h;
	_cleanup_close_ int fd = v2_dir(ctx, &h);

	if (fd < 0)
		return fd;
	return ret ? devices_read(fd, ret, max) : devices_supported(fd);
}

static int gio_dev_rules_set(void *ctx, const struct dev_rule *rules, size_t n)
{
	const struct cg_hier *h;
	_cleanup_close_ int fd = v2_dir(ctx, &h);

	return fd < 0 ? fd : devices_write(fd, h->mnt_fd, rules, n);
}

static int gio_pids(void *ctx, void (*fn)(void *arg, pid_t pid), void *arg)
{
	struct gio *g = ctx;

	return for_each_pid(primary(g->r)->base_fd, g->path, fn, arg);
}

/* The sampler's count of a group it keeps (r: the server's tree). */
static int load_count(const void *ctx, const char *path, ino_t ino, unsigned limit,
                      struct loadavg_now *ret)
{
	return group_load_now(ctx, path, ino, limit, ret);
}

/* The group counted now, as a reader may (LOADAVG_READ_LOOKS). */
static int load_read(const struct gio *g, struct stat *st, struct loadavg_now *now)
{
	int res = group_stat(g->r, g->path, st);

	if (res == 0)
		res = group_load_now(g->r, g->path, st->st_ino, LOADAVG_READ_LOOKS, now);
	return res == -ESTALE ? -ENOENT : res;
}

/* Counted now (the reader's own cost, bounded); the averages are the
 * sampler's. */
static int gio_loadavg(void *ctx, struct procview_loadavg *ret)
{
	struct gio *g = ctx;
	struct loadavg_src src = { load_count, g->r };
	struct loadavg_now now;
	struct stat st;
	int res = load_read(g, &st, &now);

	return res < 0 ? res : loadavg_get(&src, g->path, st.st_ino, &now, ret);
}

/* proc/stat's counts and pids in one walk: no history, so no inode to
 * check the path against (a stat(2) and an fstat(2) a read saved). */
static int gio_load_now(void *ctx, void (*fn)(void *arg, pid_t pid, const uint64_t *start),
                        void *arg, unsigned *ret_running, unsigned *ret_blocked)
{
	const struct gio *g = ctx;
	struct loadavg_now now;
	int res = group_load_pids(g->r, g->path, LOADAVG_READ_LOOKS, fn, arg, &now);

	if (res >= 0) {
		*ret_running = now.running;
		*ret_blocked = now.uninterruptible;
	}
	return res;
}

void gio_init(struct knob_io *io, struct gio *g, const struct cgroot *r,
              const char *path)
{
	g->r = r;
	g->path = path;
	g->probing = NULL;
	g->seen.dfd = -1;
	g->mirror = false;
	io->ctx = g;
	io->version = gio_version;
	io->read = gio_read;
	io->write = gio_write;
	io->exists = gio_exists;
	io->host_read = gio_host_read;
	io->each_below = gio_each_below;
	io->block_dev = gio_block_dev;
	io->pids = gio_pids;
	io->loadavg = gio_loadavg;
	io->load_now = gio_load_now;
	io->dev_rules = gio_dev_rules;
	io->dev_rules_set = gio_dev_rules_set;
	io->dev_node = gio_dev_node;
}

/* ---- set-up ---- */

static void cpuset_copy_parent(const struct cg_hier *h, int dfd, const char *dir, bool made);

/* A new v1 cpuset cgroup below the base inherits its parent's CPUs. */
void cpuset_inherit(const struct cg_hier *h, const char *path, bool made)
{
	cpuset_copy_parent(h, h->base_fd, path, made);
}

/* v2 resource files of a child exist only once its parent lists the
 * controller in cgroup.subtree_control; one at a time, so that one the
 * kernel refuses does not hide the others. */
void v2_enable_below(const struct cgroot *r, const struct cg_hier *h,
                     const char *path)
{
	char text[NUM_TEXT_MAX];
	size_t i;

	if (h->version != 2)
		return;
	for (i = 0; i < sizeof(v2_ctrls) / sizeof(v2_ctrls[0]); i++) {
		if (hier_for(r, v2_ctrls[i].c) != h)
			continue;
		snprintf(text, sizeof(text), "+%s", v2_ctrls[i].name);
		if (cgfile_write_in(h->base_fd, path, "cgroup.subtree_control", text) < 0)
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
	char parent[PATH_MAX], buf[CPULIST_TEXT_MAX];
	bool filled = false;
	size_t i;

	if (h->version != 1 || !(h->h->ctrls & (1u << CTRL_CPUSET)))
		return;
	/* Cloned by the kernel: it copies both or neither. */
	if (made && cgfile_read_in(dfd, dir, files[0], buf, sizeof(buf)) > 1)
		return;
	cgfile_dirname(dir, parent, sizeof(parent));
	for (i = 0; i < 2; i++) {
		if (!made && cgfile_read_in(dfd, dir, files[i], buf, sizeof(buf)) > 1)
			continue;
		if (cgfile_read_in(dfd, parent, files[i], buf, sizeof(buf)) < 0)
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		if (*buf && cgfile_write_in(dfd, dir, files[i], buf) == 0)
			filled = true;
	}
	if (made && filled)
		cgfile_write_in(dfd, dir, "cgroup.clone_children", "1");
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
	char pid[NUM_TEXT_MAX];

	/* v2: a cgroup with controllers in subtree_control may hold no
	 * processes. When the base is our own cgroup (systemd delegation),
	 * the daemon moves itself into the base's leaf. */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	return cgfile_write_in(h->base_fd, GROUP_LEAF, "cgroup.procs", pid);
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

/* b without a trailing "/leaf": 1 if it had one, 0 if not, -EINVAL if
 * b is the leaf alone. */
static int strip_leaf(char *b, const char *leaf)
{
	size_t bl = strlen(b), ll = strlen(leaf);

	if (strcmp(b, leaf) == 0)
		return -EINVAL;
	if (bl > ll + 1 && b[bl - ll - 1] == '/' && strcmp(b + bl - ll, leaf) == 0) {
		b[bl - ll - 1] = '\0';
		return 1;
	}
	return 0;
}

int group_base_path(const char *base, const char *own, const char *fallback, char **ret)
{
	const char *rel = base ? base : own;
	char *b;
	int res;

	if (!base && rel && !*rel && fallback)
		rel = fallback;
	if (!rel)
		return -ENOENT;
	while (*rel == '/')
		rel++;
	if (!*rel || strstr(rel, ".."))
		return -EINVAL;
	b = strdup(rel);
	if (!b)
		return -ENOMEM;
	b[strcspn(b, "\n")] = '\0';
	while (*b && b[strlen(b) - 1] == '/')
		b[strlen(b) - 1] = '\0';
	/* Our own cgroup is our base's leaf once we moved there (v2), as
	 * a supervisor re-executed for an upgrade finds itself, or the one
	 * systemd started us in (DelegateSubgroup=). */
	res = 0;
	if (!base) {
		res = strip_leaf(b, GROUP_LEAF);
		if (res == 0)
			res = strip_leaf(b, GROUP_START_LEAF);
	}
	if (res < 0) {
		free(b);
		return res;
	}
	*ret = b;
	return 0;
}

static int open_hier(struct cg_hier *ch, const struct hier *h, const char *base,
                     const char *fallback)
{
	const char *own = base ? NULL : hier_own_relative(h);
	int r;

	ch->h = h;
	ch->version = h->version;
	ch->base_fd = ch->mnt_fd = -1;
	r = group_base_path(base, own, fallback, &ch->base);
	if (r == -ENOENT)
		log_err("cannot place %s: own cgroup is outside its mount", h->mountpoint);
	else if (r == -EINVAL)
		log_err("refusing base '%s' in %s: not below the top of the hierarchy",
		        base ? base : own, h->mountpoint);
	if (r < 0)
		return r == -ENOENT ? -EINVAL : r;
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
                enum rmdir_mode mode, bool unified)
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
	/* Last, so that no other hierarchy's index (in node ids) moves. */
	if (unified && r->layout.v2 >= 0 && map[r->layout.v2] < 0) {
		map[r->layout.v2] = (int)r->n;
		res = open_hier(&r->h[r->n++], &r->layout.hier[r->layout.v2], base,
		                delegated_path(&r->layout));
		if (res < 0)
			goto fail;
	}

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
		for (i = 0; i < knob_count && i < KNOB_TABLE_MAX; i++)
			r->knob_on[i] = knob_available(&knob_table[i], &io) &&
			                (knob_table[i].kind != KNOB_AUTOREMOVE ||
			                 group_autoremove_supported(r));
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

/* ---- reading the tree ---- */

const struct cg_hier *primary(const struct cgroot *r)
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

struct children {
	int (*fn)(void *arg, const char *name, ino_t ino);
	void *arg;
};

static int child_one(void *arg, const char *name, unsigned char type, ino_t ino)
{
	struct children *ch = arg;

	/* Dot-names are ours (.self) or not groups at all. */
	if (type != DT_DIR || name[0] == '.')
		return 0;
	return ch->fn(ch->arg, name, ino);
}

int group_children(const struct cgroot *r, const char *path,
                   int (*fn)(void *arg, const char *name, ino_t ino), void *arg)
{
	struct children ch = { fn, arg };

	return cgfile_dir_each_at(primary(r)->base_fd, path, child_one, &ch);
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

	if (vec_reserve(&g->path, &g->cap, need, 1, 256) < 0)
		return -ENOMEM;
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

void group_files_forget(void)
{
	cgfile_held_forget();
}

void group_files_check(void)
{
	cgfile_held_check();
}
