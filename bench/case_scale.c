// SPDX-License-Identifier: MIT
/*
 * Case 5: many groups in one directory: their readdir, the daemon's
 * memory, and a lifecycle among them; and mkdir, a knob read and readdir
 * (per entry) at that many groups against the same at SMALL groups.
 *
 * Then the same with TREES trees: TREES - 1 other trees of
 * B.tree_groups groups each are made next to the measured one (users the
 * run adds in its own namespace, bench.c), and mkdir, the knob read,
 * readdir per entry and the daemon's memory are measured again. 100
 * trees of 10,000 groups each would be a million cgroups in every
 * hierarchy, more memory than the kernel of a test machine has; the
 * others are smaller, and the memory row says how much each group adds.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

#define PROGRESS_EVERY 1000    /* groups: a note, and the first mean mkdir */
#define READDIR_ITERS 100      /* per variant, times BENCH_FACTOR */
#define READDIR_ROUNDS 30
#define READDIR_WARMUP 2
#define READDIR_TARGET 3.0     /* cgfs / the real directory at most */
#define MEMORY_TARGET_KIB (8 * 1024)
#define TREES_MEMORY_TARGET_KIB (16 * 1024) /* with TREES trees */
#define TREES_PROGRESS_EVERY 10 /* other trees: a note */
/* What cgfs logs when its watcher runs out of inotify watches (one per
 * directory and hierarchy): no entry is cached any more from then on. */
#define WATCH_GAVE_UP "inotify watch budget is used up"
#define MAX_WATCHES_FILE "/proc/sys/fs/inotify/max_user_watches"
#define LOG_LINE_MAX 512
#define AMONG_ITERS 50         /* lifecycles among the groups */
#define KIB_PER_MIB 1024.0
#define SMALL 10               /* groups: the small end of the scale rows */
#define SCALE_TARGET 1.5       /* at B.groups / at SMALL at most */
#define SCALE_KNOB_ITERS 2000  /* knob reads at each end, times BENCH_FACTOR */

/* opendir, readdir to the end, closedir; counts the entries. */
static int list_dir(const char *path, long *ret_count)
{
	struct dirent *de;
	long n = 0;
	DIR *d = opendir(path);

	if (!d)
		return -errno;
	errno = 0;
	while ((de = readdir(d)))
		n++;
	if (errno) {
		int r = -errno;

		closedir(d);
		return r;
	}
	closedir(d);
	*ret_count = n;
	return 0;
}

int op_list(void *arg)
{
	struct listing *l = arg;

	return list_dir(l->path, &l->count);
}

/* A knob read and readdir per entry (us) with some number of groups. */
struct at_size {
	double knob, entry, mkdir;
	bool ok;
};

/* The figures at_size wants, of the directory dir (its first group's
 * memory_limit_mb, served from the page cache). */
static void measure_at(const char *dir, struct at_size *a)
{
	struct file_op k = { .text = NULL };
	struct listing l;
	struct variant v[] = {
		{ "5 knob read of g00000", op_file, &k, scaled(SCALE_KNOB_ITERS), NULL },
		{ "5 readdir, per entry", op_list, &l, scaled(READDIR_ITERS), NULL },
	};

	path_of(k.path, sizeof(k.path), "%s/g00000/" KNOB, dir);
	path_of(l.path, sizeof(l.path), "%s", dir);
	a->ok = run_interleaved(v, ARRAY_SIZE(v), READDIR_ROUNDS, READDIR_WARMUP) == 0 &&
	        l.count > 0;
	if (!a->ok)
		return;
	a->knob = series_trimmed(v[0].s);
	a->entry = series_trimmed(v[1].s) / (double)l.count;
}

/* The groups' mkdir: the whole of it and the mean of the first and the
 * last PROGRESS_EVERY (us), and the figures at SMALL groups. */
struct made {
	int n;          /* mkdir calls made, the failed one included */
	double total, first, last;
	struct at_size small;
};

/* mkdir of B.groups groups g00000... in dir; 0 or the first -errno. */
static int make_groups(const char *dir, struct made *m)
{
	char p[PATH_MAX];
	double t0, t1;
	int i, res = 0;

	m->first = m->last = NAN;
	m->small.ok = false;
	t0 = t1 = now_us();
	for (i = 0; i < B.groups && res == 0; i++) {
		path_of(p, sizeof(p), "%s/g%05d", dir, i);
		if (mkdir(p, 0755) < 0)
			res = -errno;
		if (res == 0 && i == SMALL - 1 && B.groups > SMALL) {
			double before = now_us();

			m->small.mkdir = (before - t0) / SMALL;
			measure_at(dir, &m->small);
			/* The measuring is no mkdir's time. */
			t0 += now_us() - before;
			t1 += now_us() - before;
		}
		if (i % PROGRESS_EVERY == PROGRESS_EVERY - 1 || i == B.groups - 1) {
			double now = now_us(), per = (now - t1) / (i % PROGRESS_EVERY + 1);

			if (isnan(m->first))
				m->first = per;
			m->last = per;
			t1 = now;
			note("  %d groups made (%.0f us per mkdir lately)", i + 1, per);
		}
	}
	m->total = now_us() - t0;
	m->n = i;
	return res;
}

static void readdir_row(const struct variant *v, const struct listing *c,
                        const struct listing *r)
{
	const char *mnt = hier_at(B.primary)->mountpoint, *slash = strrchr(mnt, '/');
	char name[64], label[64];

	snprintf(name, sizeof(name), "real dir in %s (%ld ent.)", slash ? slash + 1 : mnt,
	         r->count);
	snprintf(label, sizeof(label), "readdir of %d groups (%ld ent.)", B.groups, c->count);
	row_times("5", label, series_trimmed(v[0].s), name, series_trimmed(v[1].s),
	          READDIR_TARGET, "<= 3x");
}

/* The daemon's PSS now and at the start, and its server's peak RSS (KiB). */
static void memory_row(long rss, long rss0, long hwm)
{
	char label[64];
	struct row *w;

	snprintf(label, sizeof(label), "memory (PSS): 1 tree of %d groups", B.groups);
	w = row_new("5", label);

	snprintf(w->cgfs, sizeof(w->cgfs), "%.1f MiB", (double)rss / KIB_PER_MIB);
	snprintf(w->ref_name, sizeof(w->ref_name), "start %.1f MiB; server peak %.1f MiB",
	         (double)rss0 / KIB_PER_MIB, (double)hwm / KIB_PER_MIB);
	snprintf(w->target, sizeof(w->target), "<= 8 MiB");
	snprintf(w->verdict, sizeof(w->verdict), "%s",
	         rss >= 0 && rss <= MEMORY_TARGET_KIB ? "PASS" : "MISS");
}

static void mkdir_row(const struct made *m)
{
	struct row *w = row_new("5", "  mkdir of one group (mean)");

	fmt_us(w->cgfs, sizeof(w->cgfs), m->total / B.groups);
	snprintf(w->ref_name, sizeof(w->ref_name), "first %d: %.0f us, last: %.0f us",
	         PROGRESS_EVERY, m->first, m->last);
	snprintf(w->target, sizeof(w->target), "(information)");
}

/* mkdir, a knob read and readdir per entry at B.groups against SMALL. */
static void scale_rows(const struct made *m, const struct at_size *big)
{
	char label[64], ref[64];

	if (!m->small.ok || !big->ok) {
		row_error("5", "at scale vs small", "a measurement failed (see stderr)");
		return;
	}
	snprintf(ref, sizeof(ref), "the same at %d groups", SMALL);
	snprintf(label, sizeof(label), "  mkdir at %d groups (last %d)", B.groups,
	         PROGRESS_EVERY);
	row_times("5", label, big->mkdir, ref, m->small.mkdir, SCALE_TARGET, "<= 1.5x");
	snprintf(label, sizeof(label), "  knob read at %d groups", B.groups);
	row_times("5", label, big->knob, ref, m->small.knob, SCALE_TARGET, "<= 1.5x");
	snprintf(label, sizeof(label), "  readdir per entry at %d groups", B.groups);
	row_times("5", label, big->entry, ref, m->small.entry, SCALE_TARGET, "<= 1.5x");
}

/* One more group's lifecycle among them, and the kernel's share. */
static void among_groups(const char *dir)
{
	struct lc_cgfs lc;
	struct direct same = { TREE "/scale/d", TREE "/scale", true, { NULL } };
	struct variant lv[] = {
		{ "5 lifecycle next to the groups: cgfs", op_lifecycle_cgfs, &lc,
		  scaled(AMONG_ITERS), NULL },
		{ "5 lifecycle next to the groups: direct", op_lifecycle_direct, &same,
		  scaled(AMONG_ITERS), NULL },
	};
	char name[64];

	memset(&lc, 0, sizeof(lc));
	path_of(lc.path, sizeof(lc.path), "%s/d", dir);
	if (run_interleaved(lv, ARRAY_SIZE(lv), lv[0].iters, 1) == 0) {
		snprintf(name, sizeof(name), "  lifecycle next to %d groups", B.groups);
		row_times("5", name, series_trimmed(lv[0].s), "direct, same work, same dir",
		          series_trimmed(lv[1].s), INFO_ONLY, "(information)");
	} else {
		row_error("5", "  lifecycle next to the groups", "failed (see stderr)");
	}
}

/* Whether cgfs's watcher has given up: its log says so. */
static bool watch_gave_up(void)
{
	char line[LOG_LINE_MAX];
	bool found = false;
	FILE *f = fopen(B.log, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, WATCH_GAVE_UP) != NULL;
	fclose(f);
	return found;
}

/* Whether the watcher still watches with dirs directories in each
 * hierarchy, against its budget: half of root's inotify watches, which
 * root's other programs (another cgfs, too) share. */
static void watcher_row(long dirs)
{
	char label[64], ref[96], buf[32];
	struct row *w;
	long max = -1;
	size_t i;
	int nh = 0;

	for (i = 0; i < B.layout.n; i++)
		nh += hier_serves(i);
	if (read_line(MAX_WATCHES_FILE, buf, sizeof(buf)) == 0)
		max = strtol(buf, NULL, 10);
	snprintf(label, sizeof(label), "  cgfs's watcher at %d trees", TREES);
	w = row_new("5", label);
	snprintf(w->cgfs, sizeof(w->cgfs), "%s", watch_gave_up() ? "gave up" : "watching");
	snprintf(ref, sizeof(ref), "%ld dirs x %d hier.; budget %ld", dirs, nh,
	         max > 0 ? max / 2 : -1);
	snprintf(w->ref_name, sizeof(w->ref_name), "%.39s", ref);
	snprintf(w->target, sizeof(w->target), "(information)");
}

/* Tree n of the others and its groups; 0 or the first -errno, the
 * groups made added to *made. */
static int make_tree(int n, int *made)
{
	char p[PATH_MAX];
	int i, len;

	len = snprintf(p, sizeof(p), "%s/" OTHER_TREE, B.mnt_cgfs, n);
	if (mkdir(p, 0755) < 0)
		return -errno;
	for (i = 0; i < B.tree_groups; i++) {
		snprintf(p + len, sizeof(p) - (size_t)len, "/g%05d", i);
		if (mkdir(p, 0755) < 0)
			return -errno;
		(*made)++;
	}
	return 0;
}

/* rmdir of the other trees 1..n (cgfs removes a tree with its groups);
 * the supervisor removes whatever this leaves. */
static void remove_trees(int n)
{
	char p[PATH_MAX];
	int i;

	for (i = 1; i <= n; i++) {
		path_of(p, sizeof(p), "%s/" OTHER_TREE, B.mnt_cgfs, i);
		if (rmdir(p) < 0 && errno != ENOENT)
			note("rmdir %s: %s", p, strerror(errno));
	}
}

/* The mean time of mkdir (us) of count more groups in dir, from g<from>. */
static double more_groups(const char *dir, int from, int count)
{
	char p[PATH_MAX];
	double t0 = now_us();
	int i;

	for (i = from; i < from + count; i++) {
		path_of(p, sizeof(p), "%s/g%05d", dir, i);
		if (mkdir(p, 0755) < 0) {
			note("mkdir %s: %s", p, strerror(errno));
			return NAN;
		}
	}
	return (now_us() - t0) / count;
}

/* The 100-tree rows: the state, the daemon's memory and the three per-op
 * costs, against one tree (rss1) and SMALL groups (m->small). */
static void trees_rows(const struct made *m, const struct at_size *big, long rss1,
                       long rss, long hwm, int others, double t_make)
{
	char label[64], ref[64];
	struct row *w;

	snprintf(label, sizeof(label), "%d trees: 1 of %d + %d of %d groups", TREES, B.groups,
	         TREES - 1, B.tree_groups);
	w = row_new("5", label);
	fmt_us(w->cgfs, sizeof(w->cgfs), others ? t_make / others : NAN);
	snprintf(w->ref_name, sizeof(w->ref_name), "per mkdir of the others (%.1f s)",
	         t_make / 1e6);
	snprintf(w->target, sizeof(w->target), "(information)");

	snprintf(label, sizeof(label), "  memory (PSS) at %d trees", TREES);
	w = row_new("5", label);
	snprintf(w->cgfs, sizeof(w->cgfs), "%.1f MiB", (double)rss / KIB_PER_MIB);
	snprintf(w->ref_name, sizeof(w->ref_name), "1 tree %.1f MiB; +%.0f B per group",
	         (double)rss1 / KIB_PER_MIB,
	         others ? (double)(rss - rss1) * KIB_PER_MIB / others : 0.0);
	note("  daemon memory with %d trees: %.1f MiB, server peak RSS %.1f MiB", TREES,
	     (double)rss / KIB_PER_MIB, (double)hwm / KIB_PER_MIB);
	snprintf(w->target, sizeof(w->target), "<= 16 MiB");
	snprintf(w->verdict, sizeof(w->verdict), "%s",
	         rss >= 0 && rss1 >= 0 && rss <= TREES_MEMORY_TARGET_KIB ? "PASS" : "MISS");

	if (!m->small.ok || !big->ok || isnan(big->mkdir)) {
		row_error("5", "  100 trees vs small", "a measurement failed (see stderr)");
		return;
	}
	snprintf(ref, sizeof(ref), "the same at %d groups, 1 tree", SMALL);
	snprintf(label, sizeof(label), "  mkdir at %d trees (next %d)", TREES,
	         PROGRESS_EVERY < B.groups ? PROGRESS_EVERY : B.groups);
	row_times("5", label, big->mkdir, ref, m->small.mkdir, SCALE_TARGET, "<= 1.5x");
	snprintf(label, sizeof(label), "  knob read at %d trees", TREES);
	row_times("5", label, big->knob, ref, m->small.knob, SCALE_TARGET, "<= 1.5x");
	snprintf(label, sizeof(label), "  readdir per entry at %d trees", TREES);
	row_times("5", label, big->entry, ref, m->small.entry, SCALE_TARGET, "<= 1.5x");
}

/* TREES - 1 other trees next to TREE, dir (with B.groups groups) measured
 * again among them; the other trees are removed before it returns. The
 * groups it adds to dir. */
static int other_trees(const char *dir, const struct made *m)
{
	struct at_size big;
	long rss1, rss, hwm;
	int n, more, made = 0, res = 0;
	double t0;

	note("case 5: %d more trees of %d groups each", TREES - 1, B.tree_groups);
	rss1 = daemon_kib();
	if (watch_gave_up())
		note("cgfs's watcher gave up before the other trees (see its log)");
	t0 = now_us();
	for (n = 1; n < TREES && res == 0; n++) {
		res = make_tree(n, &made);
		if (n % TREES_PROGRESS_EVERY == 0 || n == TREES - 1)
			note("  %d trees made", n + 1);
	}
	t0 = now_us() - t0;
	if (res < 0) {
		note("other tree %d: %s", n - 1, strerror(-res));
		row_error("5", "100 trees", strerror(-res));
		remove_trees(n - 1);
		return 0;
	}
	measure_at(dir, &big);
	rss = daemon_kib();
	hwm = proc_kib(child_of(B.cgfs_pid), "status", "VmHWM");
	more = PROGRESS_EVERY < B.groups ? PROGRESS_EVERY : B.groups;
	big.mkdir = more_groups(dir, B.groups, more);
	trees_rows(m, &big, rss1, rss, hwm, made + TREES - 1, t0);
	/* The base, TREE with k and scale, the groups, the other trees. */
	watcher_row(1 + 3 + B.groups + made + TREES - 1);
	t0 = now_us();
	remove_trees(TREES - 1);
	note("  other trees removed in %.1f s", (now_us() - t0) / 1e6);
	return isnan(big.mkdir) ? 0 : more;
}

/* The groups and the readdir of them, rss0 the daemon's PSS before
 * (KiB); the number of groups in dir at the end, or -errno (its row says
 * why). */
static int measure(const char *dir, long rss0)
{
	const char *what = "scale";
	struct listing c, r;
	struct variant v[] = {
		{ "5 readdir: cgfs", op_list, &c, scaled(READDIR_ITERS), NULL },
		{ "5 readdir: real directory", op_list, &r, scaled(READDIR_ITERS), NULL },
	};
	struct at_size big;
	long rss, hwm;
	struct made m;
	int res;

	res = make_groups(dir, &m);
	if (res < 0) {
		note("mkdir group %d: %s", m.n, strerror(-res));
		row_error("5", what, "mkdir failed (see stderr)");
		return res;
	}
	path_of(c.path, sizeof(c.path), "%s", dir);
	real_path(r.path, sizeof(r.path), B.primary, TREE "/scale");
	res = run_interleaved(v, ARRAY_SIZE(v), READDIR_ROUNDS, READDIR_WARMUP);
	rss = daemon_kib();
	hwm = proc_kib(child_of(B.cgfs_pid), "status", "VmHWM");
	if (res < 0) {
		row_error("5", what, "readdir failed (see stderr)");
		return res;
	}
	readdir_row(v, &c, &r);
	memory_row(rss, rss0, hwm);
	mkdir_row(&m);
	if (B.groups > SMALL) {
		measure_at(dir, &big);
		big.mkdir = m.last;
		scale_rows(&m, &big);
	}
	among_groups(dir);
	return B.groups + (B.groups > SMALL ? other_trees(dir, &m) : 0);
}

void case_scale(void)
{
	char dir[PATH_MAX];
	struct row *w;
	double t0, t_rmdir;
	long rss0;
	int res;

	note("case 5: %d groups in one directory", B.groups);
	rss0 = daemon_kib();
	path_of(dir, sizeof(dir), "%s/%s/scale", B.mnt_cgfs, TREE);
	if (mkdir(dir, 0755) < 0) {
		row_error("5", "scale", strerror(errno));
		return;
	}
	res = measure(dir, rss0);
	t0 = now_us();
	if (rmdir(dir) < 0) {
		note("rmdir %s: %s", dir, strerror(errno));
		row_error("5", "  rmdir of the parent", strerror(errno));
		return;
	}
	t_rmdir = now_us() - t0;
	if (res > 0) {
		w = row_new("5", "  recursive rmdir, per group (mean)");
		fmt_us(w->cgfs, sizeof(w->cgfs), t_rmdir / res);
		snprintf(w->target, sizeof(w->target), "(information)");
	}
}
