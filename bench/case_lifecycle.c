// SPDX-License-Identifier: MIT
/*
 * Case 3: a group's lifecycle (mkdir, three limits, rmdir) through cgfs
 * against direct system calls and cgroup-tools, and the same lifecycle on
 * nullfs, which does no cgroup work: its time over the direct one is the
 * floor the FUSE protocol sets (the requests case 7 counts), and cgfs's
 * over nullfs's what cgfs adds to it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

/* The three limits a lifecycle writes: through cgfs, and the same in the
 * kernel's files. */
#define LC_MEM_MB "512"
#define LC_MEM_BYTES "536870912"
#define LC_CPU_PERCENT "50"
#define LC_QUOTA_US "50000"
#define LC_PERIOD_US "100000"
#define LC_PIDS "100"

#define LC_ITERS 2000       /* per variant, times BENCH_FACTOR */
#define LC_TOOLS_ITERS 200  /* three execs each: slow */
#define LC_ROUNDS 200
#define LC_WARMUP 5
#define LC_TARGET 2.0       /* cgfs / direct at most */
#define LC_TOOLS_TARGET (1.0 / 15)

static void step_add(struct series *const *steps, int i, double *t)
{
	double now = now_us();

	if (steps && steps[i])
		series_add(steps[i], now - *t);
	*t = now;
}

int op_lifecycle_cgfs(void *arg)
{
	struct lc_cgfs *c = arg;
	char p[PATH_MAX];
	double t = now_us();
	int r;

	if (mkdir(c->path, 0755) < 0)
		return -errno;
	step_add(c->steps, STEP_CREATE, &t);
	path_of(p, sizeof(p), "%s/memory_limit_mb", c->path);
	r = write_whole(p, LC_MEM_MB "\n");
	path_of(p, sizeof(p), "%s/cpu_percent", c->path);
	if (r == 0)
		r = write_whole(p, LC_CPU_PERCENT "\n");
	path_of(p, sizeof(p), "%s/pids_max", c->path);
	if (r == 0)
		r = write_whole(p, LC_PIDS "\n");
	step_add(c->steps, STEP_LIMITS, &t);
	if (rmdir(c->path) < 0 && r == 0)
		r = -errno;
	step_add(c->steps, STEP_REMOVE, &t);
	return r;
}

/* The group's directory in hierarchy h. (Its .self leaf comes with its
 * first process: a lifecycle without one makes none, through cgfs or not.) */
static void direct_dir(char *out, size_t size, const struct direct *d, int h)
{
	real_path(out, size, h, d->group);
}

static int write_in(const char *dir, const char *file, const char *text)
{
	char p[PATH_MAX];

	if (path_of(p, sizeof(p), "%s/%s", dir, file) < 0)
		return -ENAMETOOLONG;
	return write_whole(p, text);
}

/* v1 cpuset: a new cgroup takes no task until cpus and mems are set. */
static int cpuset_fill(const char *dir, const char *cpus, const char *mems)
{
	int r = write_in(dir, "cpuset.cpus", cpus);

	return r < 0 ? r : write_in(dir, "cpuset.mems", mems);
}

static int limit_writes(const struct direct *d)
{
	char dir[PATH_MAX];
	int h, r = 0;

	if ((h = hier_of(CTRL_MEMORY)) >= 0) {
		direct_dir(dir, sizeof(dir), d, h);
		r = write_in(dir, hier_at(h)->version == 2 ? "memory.max" : "memory.limit_in_bytes",
		             LC_MEM_BYTES "\n");
	}
	if (r == 0 && (h = hier_of(CTRL_CPU)) >= 0) {
		direct_dir(dir, sizeof(dir), d, h);
		r = hier_at(h)->version == 2
		        ? write_in(dir, "cpu.max", LC_QUOTA_US " " LC_PERIOD_US "\n")
		        : write_in(dir, "cpu.cfs_quota_us", LC_QUOTA_US "\n");
	}
	if (r == 0 && (h = hier_of(CTRL_PIDS)) >= 0) {
		direct_dir(dir, sizeof(dir), d, h);
		r = write_in(dir, "pids.max", LC_PIDS "\n");
	}
	return r;
}

/* v1 cpuset as cgfs does it: where the kernel filled the new cpuset from
 * its parent (cgroup.clone_children, which cgfs sets on the cgroups it
 * fills itself), nothing is written; elsewhere the parent's are copied. */
static int cpuset_like_cgfs(const struct direct *d, int h, const char *dir)
{
	char cpus[256], mems[256], p[PATH_MAX], from[PATH_MAX];
	int r;

	path_of(p, sizeof(p), "%s/cpuset.cpus", dir);
	if (read_line(p, cpus, sizeof(cpus)) == 0 && cpus[0])
		return 0;
	path_of(p, sizeof(p), "%s/cpuset.cpus", d->parent);
	real_path(from, sizeof(from), h, p);
	r = read_line(from, cpus, sizeof(cpus));
	path_of(p, sizeof(p), "%s/cpuset.mems", d->parent);
	real_path(from, sizeof(from), h, p);
	if (r == 0)
		r = read_line(from, mems, sizeof(mems));
	return r < 0 ? r : cpuset_fill(dir, cpus, mems);
}

/* cgfs enables its controllers below every group. */
static void v2_controllers_like_cgfs(int h, const char *dir)
{
	if (hier_of(CTRL_MEMORY) == h)
		write_in(dir, "cgroup.subtree_control", "+memory");
	if (hier_of(CTRL_CPU) == h)
		write_in(dir, "cgroup.subtree_control", "+cpu");
	if (hier_of(CTRL_PIDS) == h)
		write_in(dir, "cgroup.subtree_control", "+pids");
}

/* The group's mkdir in hierarchy h and, for same_work, what cgfs does
 * there after it. */
static int direct_create(const struct direct *d, int h)
{
	char dir[PATH_MAX];
	int r = 0;

	direct_dir(dir, sizeof(dir), d, h);
	if (mkdir(dir, 0755) < 0)
		return -errno;
	if (!d->same_work)
		return 0;
	if (hier_at(h)->version == 1 && h == hier_of(CTRL_CPUSET))
		r = cpuset_like_cgfs(d, h, dir);
	if (hier_at(h)->version == 2)
		v2_controllers_like_cgfs(h, dir);
	return r;
}

/* rmdir in every hierarchy; the first error but ENOENT, or 0. */
static int direct_remove(const struct direct *d)
{
	char dir[PATH_MAX];
	size_t h;
	int r = 0;

	for (h = 0; h < B.layout.n; h++) {
		if (!hier_serves(h))
			continue;
		direct_dir(dir, sizeof(dir), d, (int)h);
		if (rmdir(dir) < 0 && errno != ENOENT && r == 0)
			r = -errno;
	}
	return r;
}

int op_lifecycle_direct(void *arg)
{
	struct direct *d = arg;
	double t = now_us();
	int r = 0, res;
	size_t h;

	for (h = 0; h < B.layout.n && r == 0; h++)
		if (hier_serves(h))
			r = direct_create(d, (int)h);
	step_add(d->steps, STEP_CREATE, &t);
	if (r == 0)
		r = limit_writes(d);
	step_add(d->steps, STEP_LIMITS, &t);
	res = direct_remove(d);
	step_add(d->steps, STEP_REMOVE, &t);
	return r < 0 ? r : res;
}

struct tools {
	char create[512]; /* controllers:path */
	char path[256];
	char mem[64], cpu[64], pids[64];
};

/* cgcreate, one cgset with the three limits, cgdelete: three execs. */
static int op_lifecycle_tools(void *arg)
{
	struct tools *t = arg;
	char *create[] = { "cgcreate", "-g", t->create, NULL };
	char *set[] = { "cgset", "-r", t->mem, "-r", t->cpu, "-r", t->pids, t->path, NULL };
	char *del[] = { "cgdelete", "-g", t->create, NULL };
	int r;

	r = run_tool(create);
	if (r < 0)
		return r;
	r = run_tool(set);
	return run_tool(del) < 0 && r == 0 ? -EIO : r;
}

/* The same limits as cgset arguments, for the hierarchies cgfs uses. */
static void tools_init(struct tools *t)
{
	int hm = hier_of(CTRL_MEMORY), hc = hier_of(CTRL_CPU);

	memset(t, 0, sizeof(*t));
	path_of(t->path, sizeof(t->path), "/%s/tools", B.base);
	path_of(t->create, sizeof(t->create), "memory,cpu,pids:%s", t->path);
	path_of(t->mem, sizeof(t->mem), "%s=" LC_MEM_BYTES,
	        hm >= 0 && hier_at(hm)->version == 2 ? "memory.max" : "memory.limit_in_bytes");
	if (hc >= 0 && hier_at(hc)->version == 2)
		path_of(t->cpu, sizeof(t->cpu), "cpu.max=" LC_QUOTA_US " " LC_PERIOD_US);
	else
		path_of(t->cpu, sizeof(t->cpu), "cpu.cfs_quota_us=" LC_QUOTA_US);
	path_of(t->pids, sizeof(t->pids), "pids.max=" LC_PIDS);
}

static bool have_tool(const char *name)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), "/usr/bin/%s", name);
	if (access(p, X_OK) == 0)
		return true;
	path_of(p, sizeof(p), "/usr/sbin/%s", name);
	return access(p, X_OK) == 0;
}

static const char *const step_name[STEP_N] = { "mkdir", "3 limit writes", "rmdir" };

static void steps_new(struct series **steps, const char *who)
{
	char name[64];
	int i;

	for (i = 0; i < STEP_N; i++) {
		snprintf(name, sizeof(name), "3 step %s: %s", step_name[i], who);
		steps[i] = series_new(name);
	}
}

/* The direct references' parent, next to cgfs's tree root and set up as
 * cgfs set that up (v1 cpuset filled, clone_children as there, v2
 * controllers enabled below it), but no group to cgfs: its name is no
 * user's, so cgfs watches nothing there. (Inside cgfs's tree, each group
 * a reference makes is an outside change cgfs's watcher answers, on the
 * same two CPUs: information row "inside cgfs's tree".) */
#define DIRECT_TREE "bench-direct"

static int direct_tree_make(void)
{
	static const char *const copied[] = { "cpuset.cpus", "cpuset.mems",
	                                      "cgroup.clone_children" };
	char dir[PATH_MAX], from[PATH_MAX], text[512], one[64], *tok, *save;
	size_t h, i;
	int r = 0;

	for (h = 0; h < B.layout.n && r == 0; h++) {
		if (!hier_serves(h))
			continue;
		real_path(dir, sizeof(dir), (int)h, DIRECT_TREE);
		if (mkdir(dir, 0755) < 0) {
			r = -errno;
			break;
		}
		if (hier_at(h)->version == 1) {
			for (i = 0; i < sizeof(copied) / sizeof(copied[0]) && r == 0; i++) {
				path_of(text, sizeof(text), "%s/%s", TREE, copied[i]);
				real_path(from, sizeof(from), (int)h, text);
				if (access(from, F_OK) < 0)
					continue;
				r = read_line(from, text, sizeof(text));
				if (r == 0 && text[0])
					r = write_in(dir, copied[i], text);
			}
			continue;
		}
		real_path(from, sizeof(from), (int)h, TREE "/cgroup.subtree_control");
		r = read_line(from, text, sizeof(text));
		for (tok = strtok_r(text, " ", &save); r == 0 && tok; tok = strtok_r(NULL, " ", &save)) {
			path_of(one, sizeof(one), "+%s", tok);
			r = write_in(dir, "cgroup.subtree_control", one);
		}
	}
	if (r < 0)
		note("cannot set up %s next to the tree: %s", DIRECT_TREE, strerror(-r));
	return r;
}

static void direct_tree_remove(void)
{
	char dir[PATH_MAX];
	size_t h;

	for (h = 0; h < B.layout.n; h++) {
		if (!hier_serves(h))
			continue;
		real_path(dir, sizeof(dir), (int)h, DIRECT_TREE);
		if (rmdir(dir) < 0 && errno != ENOENT)
			note("cannot remove %s: %s", dir, strerror(errno));
	}
}

/* The rows of case 3: v as case_lifecycle makes it, the steps of cgfs
 * (c), of nullfs (n) and of the same work done directly (d). */
static void lifecycle_rows(const struct variant *v, struct series *const *c,
                           struct series *const *n, struct series *const *d, bool tools)
{
	char name[64], label[64];
	size_t nhier = 0, h;
	int i;

	for (h = 0; h < B.layout.n; h++)
		nhier += hier_serves(h);
	snprintf(name, sizeof(name), "direct syscalls, %zu hierarchies", nhier);
	row_times("3", "lifecycle vs direct syscalls, plain", series_trimmed(v[0].s), name,
	          series_trimmed(v[1].s), LC_TARGET, "<= 2x");
	row_times("3", "lifecycle vs direct, same work as cgfs", series_trimmed(v[0].s),
	          "same + cpuset fill, v2 ctrls", series_trimmed(v[2].s), LC_TARGET, "<= 2x");
	/* The floor (in this row's cgfs column: nullfs's time). cgfs does
	 * the direct work and answers the same requests, one after the
	 * other, so it takes at least direct + nullfs: 1 + this ratio. Above
	 * LC_TARGET - 1, the target is below what FUSE allows here. */
	row_times("3", "  FUSE floor: nullfs lifecycle vs direct", series_trimmed(v[4].s),
	          "direct, same work", series_trimmed(v[2].s), INFO_ONLY, "(cgfs's floor: 1 + this)");
	row_times("3", "  lifecycle vs nullfs lifecycle", series_trimmed(v[0].s),
	          "nullfs: the same calls, no work", series_trimmed(v[4].s), INFO_ONLY,
	          "(what cgfs adds)");
	for (i = 0; i < STEP_N; i++) {
		snprintf(label, sizeof(label), "  of which %s", step_name[i]);
		row_times("3", label, series_trimmed(c[i]), "the same step, same work",
		          series_trimmed(d[i]), INFO_ONLY, "(information)");
		snprintf(label, sizeof(label), "    nullfs's %s", step_name[i]);
		row_times("3", label, series_trimmed(n[i]), "the same step, same work",
		          series_trimmed(d[i]), INFO_ONLY, "(information)");
	}
	row_times("3", "  direct inside cgfs's tree vs outside", series_trimmed(v[3].s),
	          "direct, same work, unwatched", series_trimmed(v[2].s), INFO_ONLY, "(information)");
	if (tools)
		row_times("3", "lifecycle vs cgroup-tools", series_trimmed(v[0].s),
		          "cgcreate+cgset(3 -r)+cgdelete", series_trimmed(v[5].s), LC_TOOLS_TARGET,
		          "<= 0.067x (15x faster)");
	else
		row_error("3", "lifecycle vs cgroup-tools", "cgroup-tools not installed");
}

void case_lifecycle(void)
{
	const char *what = "group lifecycle (mkdir, 3 limits, rmdir)";
	struct lc_cgfs c, n;
	char p[PATH_MAX];
	struct direct plain = { DIRECT_TREE "/d", DIRECT_TREE, false, { NULL } };
	struct direct same = { DIRECT_TREE "/d", DIRECT_TREE, true, { NULL } };
	struct direct inside = { TREE "/d", TREE, true, { NULL } };
	struct tools t;
	struct variant v[] = {
		{ "3 lifecycle: cgfs", op_lifecycle_cgfs, &c, scaled(LC_ITERS), NULL },
		{ "3 lifecycle: direct, plain", op_lifecycle_direct, &plain, scaled(LC_ITERS),
		  NULL },
		{ "3 lifecycle: direct, same work as cgfs", op_lifecycle_direct, &same,
		  scaled(LC_ITERS), NULL },
		{ "3 lifecycle: direct, same work, in cgfs's tree", op_lifecycle_direct, &inside,
		  scaled(LC_ITERS), NULL },
		{ "3 lifecycle: nullfs", op_lifecycle_cgfs, &n, scaled(LC_ITERS), NULL },
		/* last: left out without cgroup-tools */
		{ "3 lifecycle: cgroup-tools", op_lifecycle_tools, &t, scaled(LC_TOOLS_ITERS), NULL },
	};
	bool tools = have_tool("cgcreate") && have_tool("cgset") && have_tool("cgdelete");
	int res;

	note("case 3: %s", what);
	memset(&c, 0, sizeof(c));
	path_of(c.path, sizeof(c.path), "%s/%s/lc", B.mnt_cgfs, TREE);
	/* nullfs's group at the same depth as cgfs's. */
	memset(&n, 0, sizeof(n));
	path_of(p, sizeof(p), "%s/%s", B.mnt_null, TREE);
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		row_error("3", what, "cannot make a directory on nullfs");
		return;
	}
	path_of(n.path, sizeof(n.path), "%s/lc", p);
	steps_new(c.steps, "cgfs");
	steps_new(n.steps, "nullfs");
	steps_new(same.steps, "direct, same work");
	tools_init(&t);

	if (direct_tree_make() < 0) {
		direct_tree_remove();
		row_error("3", what, "cannot set up the direct references' parent (see stderr)");
		return;
	}
	res = run_interleaved(v, ARRAY_SIZE(v) - !tools, LC_ROUNDS, LC_WARMUP);
	direct_tree_remove();
	if (res < 0) {
		row_error("3", what, "an operation failed (see stderr)");
		return;
	}
	lifecycle_rows(v, c.steps, n.steps, same.steps, tools);
}
