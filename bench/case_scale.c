// SPDX-License-Identifier: MIT
/*
 * Case 5: many groups in one directory: their readdir, the daemon's
 * memory, and a lifecycle among them.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

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

void case_scale(void)
{
	const char *what = "scale";
	struct listing c, r;
	struct variant v[2] = {
		{ "5 readdir: cgfs", op_list, &c, scaled(100), NULL },
		{ "5 readdir: real directory", op_list, &r, scaled(100), NULL },
	};
	struct lc_cgfs lc;
	struct direct same = { TREE "/scale/d", TREE "/scale", true, { NULL } };
	struct variant lv[2] = {
		{ "5 lifecycle next to the groups: cgfs", op_lifecycle_cgfs, &lc, scaled(50), NULL },
		{ "5 lifecycle next to the groups: direct", op_lifecycle_direct, &same, scaled(50),
		  NULL },
	};
	char dir[PATH_MAX], p[PATH_MAX], name[64];
	long rss0, rss, hwm;
	double t0, t1, t_mkdir, t_rmdir, t_first = NAN, t_last = NAN;
	struct row *w;
	int i, res = 0;

	note("case 5: %d groups in one directory", B.groups);
	rss0 = daemon_kib();
	path_of(dir, sizeof(dir), "%s/%s/scale", B.mnt_cgfs, TREE);
	if (mkdir(dir, 0755) < 0) {
		row_error("5", what, strerror(errno));
		return;
	}
	t0 = t1 = now_us();
	for (i = 0; i < B.groups && res == 0; i++) {
		path_of(p, sizeof(p), "%s/g%05d", dir, i);
		if (mkdir(p, 0755) < 0)
			res = -errno;
		if (i % 1000 == 999 || i == B.groups - 1) {
			double now = now_us(), per = (now - t1) / (i % 1000 + 1);

			if (isnan(t_first))
				t_first = per;
			t_last = per;
			t1 = now;
			note("  %d groups made (%.0f us per mkdir lately)", i + 1, per);
		}
	}
	t_mkdir = now_us() - t0;
	if (res < 0) {
		note("mkdir group %d: %s", i, strerror(-res));
		row_error("5", what, "mkdir failed (see stderr)");
		goto remove;
	}
	path_of(c.path, sizeof(c.path), "%s", dir);
	real_path(r.path, sizeof(r.path), B.primary, TREE "/scale");
	res = run_interleaved(v, 2, 30, 2);
	rss = daemon_kib();
	hwm = proc_kib(child_of(B.cgfs_pid), "status", "VmHWM");
	if (res < 0) {
		row_error("5", what, "readdir failed (see stderr)");
		goto remove;
	}
	{
		const char *slash = strrchr(hier_at(B.primary)->mountpoint, '/');
		char label[64];

		snprintf(name, sizeof(name), "real dir in %s (%ld ent.)",
		         slash ? slash + 1 : hier_at(B.primary)->mountpoint, r.count);
		snprintf(label, sizeof(label), "readdir of %d groups (%ld ent.)", B.groups, c.count);
		row_times("5", label, series_trimmed(v[0].s), name, series_trimmed(v[1].s), 3.0,
		          "<= 3x");
	}
	w = row_new("5", "daemon memory with the groups (PSS)");
	snprintf(w->cgfs, sizeof(w->cgfs), "%.1f MiB", (double)rss / 1024);
	snprintf(w->ref_name, sizeof(w->ref_name), "start %.1f MiB; server peak %.1f MiB",
	         (double)rss0 / 1024, (double)hwm / 1024);
	snprintf(w->target, sizeof(w->target), "<= 8 MiB");
	snprintf(w->verdict, sizeof(w->verdict), "%s",
	         rss >= 0 && rss <= 8 * 1024 ? "PASS" : "MISS");
	w = row_new("5", "  mkdir of one group (mean)");
	fmt_us(w->cgfs, sizeof(w->cgfs), t_mkdir / B.groups);
	snprintf(w->ref_name, sizeof(w->ref_name), "first 1000: %.0f us, last: %.0f us",
	         t_first, t_last);
	snprintf(w->target, sizeof(w->target), "(information)");

	/* One more group's lifecycle among them, and the kernel's share. */
	memset(&lc, 0, sizeof(lc));
	path_of(lc.path, sizeof(lc.path), "%s/d", dir);
	if (run_interleaved(lv, 2, lv[0].iters, 1) == 0) {
		snprintf(name, sizeof(name), "  lifecycle next to %d groups", B.groups);
		row_times("5", name, series_trimmed(lv[0].s), "direct, same work, same dir",
		          series_trimmed(lv[1].s), -1, "(information)");
	} else {
		row_error("5", "  lifecycle next to the groups", "failed (see stderr)");
	}
remove:
	t0 = now_us();
	if (rmdir(dir) < 0) {
		note("rmdir %s: %s", dir, strerror(errno));
		row_error("5", "  rmdir of the parent", strerror(errno));
		return;
	}
	t_rmdir = now_us() - t0;
	if (res == 0) {
		w = row_new("5", "  recursive rmdir, per group (mean)");
		fmt_us(w->cgfs, sizeof(w->cgfs), t_rmdir / B.groups);
		snprintf(w->target, sizeof(w->target), "(information)");
	}
}
