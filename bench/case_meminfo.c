// SPDX-License-Identifier: MIT
/*
 * Case 4: cgfs's meminfo against LXCFS's and the host's, as they come
 * and all pinned to one CPU; then each other file of a group's proc/ and
 * sys/ against LXCFS's file of the same path.
 */
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#include "bench.h"

#define MEMINFO_ITERS 5000   /* per variant, times BENCH_FACTOR */
#define MEMINFO_ROUNDS 100
#define MEMINFO_WARMUP 50
#define MEMINFO_TARGET 0.25  /* cgfs / LXCFS at most */

/* The group's view files LXCFS has too, at the same path below each
 * mount (cgfs's below the group). */
static const struct {
	const char *label, *path;
} views[] = {
	{ "cpuinfo", "proc/cpuinfo" },
	{ "uptime", "proc/uptime" },
	{ "cpu/online", "sys/devices/system/cpu/online" },
	{ "stat", "proc/stat" },
	{ "swaps", "proc/swaps" },
	{ "diskstats", "proc/diskstats" },
	{ "loadavg", "proc/loadavg" },
};

/* One row per view file, read by turns from cgfs and from LXCFS. */
static void view_rows(void)
{
	struct file_op c = { .text = NULL }, l = { .text = NULL };
	struct variant v[] = {
		{ "4 view: cgfs", op_file, &c, scaled(MEMINFO_ITERS), NULL },
		{ "4 view: lxcfs", op_file, &l, scaled(MEMINFO_ITERS), NULL },
	};
	char what[80], ref[80];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(views); i++) {
		snprintf(what, sizeof(what), "%s read vs LXCFS", views[i].label);
		path_of(c.path, sizeof(c.path), "%s/%s/k/%s", B.mnt_cgfs, TREE, views[i].path);
		path_of(l.path, sizeof(l.path), "%s/%s", B.mnt_lxcfs, views[i].path);
		if (access(c.path, R_OK) != 0 || access(l.path, R_OK) != 0) {
			row_error("4", what, "no such file in cgfs or LXCFS");
			continue;
		}
		if (run_interleaved(v, ARRAY_SIZE(v), MEMINFO_ROUNDS, MEMINFO_WARMUP) < 0) {
			row_error("4", what, "an operation failed (see stderr)");
			continue;
		}
		snprintf(ref, sizeof(ref), "LXCFS 5 %s", views[i].label);
		row_times("4", what, series_trimmed(v[0].s), ref, series_trimmed(v[1].s),
		          MEMINFO_TARGET, "<= 0.25x");
	}
}

/* The pinned rows, cpu the CPU they ran on: pv as case_meminfo makes it. */
static void pinned_rows(const struct variant *pv, int cpu)
{
	char label[64];

	snprintf(label, sizeof(label), "  the same, all on CPU %d", cpu);
	row_times("4", label, series_trimmed(pv[0].s), "LXCFS, all on the same CPU",
	          series_trimmed(pv[1].s), MEMINFO_TARGET, "<= 0.25x");
	row_times("4", "  meminfo read vs null FUSE server", series_trimmed(pv[0].s),
	          "nullfs knob, same CPU (FUSE floor)", series_trimmed(pv[2].s), INFO_ONLY,
	          "(information)");
	row_times("4", "  meminfo read vs a cgfs knob read", series_trimmed(pv[0].s),
	          KNOB " read, same CPU", series_trimmed(pv[3].s), INFO_ONLY, "(information)");
	row_times("4", "  LXCFS (in this column) vs null FUSE", series_trimmed(pv[1].s),
	          "nullfs knob, same CPU (FUSE floor)", series_trimmed(pv[2].s), INFO_ONLY,
	          "(information)");
}

/* LXCFS renders meminfo for the cgroup of the process that reads it: here
 * the bench's own (no process is moved); cgfs for the group k. Both read
 * the host's /proc/meminfo and the same cgroup files to do it. */
void case_meminfo(void)
{
	const char *what = "meminfo read";
	struct file_op c = { .text = NULL }, l = { .text = NULL }, n = { .text = NULL };
	struct file_op h = { .path = "/proc/meminfo", .text = NULL }, k = { .text = NULL };
	struct variant v[] = {
		{ "4 meminfo: cgfs", op_file, &c, scaled(MEMINFO_ITERS), NULL },
		{ "4 meminfo: lxcfs", op_file, &l, scaled(MEMINFO_ITERS), NULL },
		{ "4 meminfo: host /proc/meminfo", op_file, &h, scaled(MEMINFO_ITERS), NULL },
	};
	struct variant pv[] = {
		{ "4 meminfo: cgfs, one CPU", op_file, &c, scaled(MEMINFO_ITERS), NULL },
		{ "4 meminfo: lxcfs, one CPU", op_file, &l, scaled(MEMINFO_ITERS), NULL },
		{ "4 meminfo: nullfs knob, one CPU", op_file, &n, scaled(MEMINFO_ITERS), NULL },
		{ "4 meminfo: cgfs " KNOB ", one CPU", op_file, &k, scaled(MEMINFO_ITERS), NULL },
	};
	/* -l: LXCFS serves proc/loadavg only when asked to */
	char *argv[] = { "/usr/bin/lxcfs", "-f", "-l", "-p", B.lxcfs_pidfile, B.mnt_lxcfs, NULL };
	pid_t pid;
	int r, cpu;

	note("case 4: %s", what);
	path_of(c.path, sizeof(c.path), "%s/%s/k/meminfo", B.mnt_cgfs, TREE);
	path_of(n.path, sizeof(n.path), "%s/knob", B.mnt_null);
	path_of(k.path, sizeof(k.path), "%s/%s/k/" KNOB, B.mnt_cgfs, TREE);
	if (access(c.path, R_OK) != 0) {
		row_error("4", "meminfo vs LXCFS", "no meminfo knob (no memory hierarchy?)");
		return;
	}
	if (access(argv[0], X_OK) != 0) {
		row_error("4", "meminfo vs LXCFS", "lxcfs not installed");
		return;
	}
	pid = start_daemon(argv, B.log);
	if (pid < 0 || wait_mounted(pid, B.mnt_lxcfs, "fuse.lxcfs") < 0) {
		row_error("4", "meminfo vs LXCFS", "lxcfs did not mount (see log)");
		stop_daemon(pid);
		return;
	}
	path_of(l.path, sizeof(l.path), "%s/proc/meminfo", B.mnt_lxcfs);
	r = run_interleaved(v, ARRAY_SIZE(v), MEMINFO_ROUNDS, MEMINFO_WARMUP);
	/* The same with no cross-CPU wake-up (see case 1): the bench, both
	 * servers and LXCFS on one CPU. */
	cpu = r < 0 ? ALL_CPUS : idlest_cpu();
	if (cpu >= 0) {
		pin_all(cpu, pid);
		r = run_interleaved(pv, ARRAY_SIZE(pv), MEMINFO_ROUNDS, MEMINFO_WARMUP);
		pin_all(ALL_CPUS, pid);
	}
	if (r >= 0)
		view_rows();
	stop_daemon(pid);
	if (mounted(B.mnt_lxcfs, NULL))
		umount2(B.mnt_lxcfs, MNT_DETACH);
	if (r < 0) {
		row_error("4", "meminfo vs LXCFS", "an operation failed (see stderr)");
		return;
	}
	row_times("4", "meminfo read vs LXCFS /proc/meminfo", series_trimmed(v[0].s),
	          "LXCFS 5 proc/meminfo", series_trimmed(v[1].s), MEMINFO_TARGET, "<= 0.25x");
	row_times("4", "  meminfo read vs the host's", series_trimmed(v[0].s),
	          "host /proc/meminfo", series_trimmed(v[2].s), INFO_ONLY, "(information)");
	if (cpu >= 0)
		pinned_rows(pv, cpu);
}
