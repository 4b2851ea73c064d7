// SPDX-License-Identifier: MIT
/*
 * Cases 1 and 2: a knob read and a knob write through cgfs against the
 * real file and nullfs, as they come and all pinned to one CPU.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_CPUS (CPU_SETSIZE / 8) /* idlest_cpu looks at the first ones */
#define IDLE_LOOK_MS 300           /* between idlest_cpu's two looks */

#define KNOB_READS 20000           /* per variant, times BENCH_FACTOR */
#define KNOB_WRITES 10000
#define KNOB_ROUNDS 400
#define KNOB_WARMUP 200
#define KNOB_TARGET 1.3            /* cgfs / nullfs at most, where no cache serves */
#define CACHED_TARGET 0.6          /* a limit read from the page cache / nullfs */

/* ---- pinning: the one-CPU variant of cases 1, 2 and 4 ---- */

cpu_set_t all_cpus;

/* The CPU of all_cpus that was idlest over a short look at /proc/stat. */
int idlest_cpu(void)
{
	unsigned long long idle0[MAX_CPUS] = { 0 }, v[8];
	int best = -1, pass, cpu;
	unsigned long long best_idle = 0;
	char line[512];

	for (pass = 0; pass < 2; pass++) {
		FILE *f = fopen("/proc/stat", "re");

		if (!f)
			break;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1], &v[2],
			           &v[3], &v[4]) != 6 || cpu < 0 || cpu >= MAX_CPUS)
				continue;
			if (!CPU_ISSET(cpu, &all_cpus))
				continue;
			if (pass == 0) {
				idle0[cpu] = v[3] + v[4];
			} else if (best < 0 || v[3] + v[4] - idle0[cpu] > best_idle) {
				best = cpu;
				best_idle = v[3] + v[4] - idle0[cpu];
			}
		}
		fclose(f);
		if (pass == 0)
			sleep_ms(IDLE_LOOK_MS);
	}
	return best;
}

/* Every thread of pid and of its children (threads started later
 * inherit the mask). */
static void pin_process(pid_t pid, const cpu_set_t *mask)
{
	char p[64];
	struct dirent *de;
	pid_t child = child_of(pid);
	DIR *d;

	if (child > 0)
		pin_process(child, mask);

	snprintf(p, sizeof(p), "/proc/%d/task", (int)pid);
	d = opendir(p);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]))
			sched_setaffinity((pid_t)strtol(de->d_name, NULL, 10), sizeof(*mask), mask);
	closedir(d);
}

void pin_all(int cpu, pid_t extra)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	if (cpu >= 0)
		CPU_SET(cpu, &one);
	sched_setaffinity(0, sizeof(cpu_set_t), cpu >= 0 ? &one : &all_cpus);
	pin_process(B.cgfs_pid, cpu >= 0 ? &one : &all_cpus);
	pin_process(B.null_pid, cpu >= 0 ? &one : &all_cpus);
	if (extra > 0)
		pin_process(extra, cpu >= 0 ? &one : &all_cpus);
}

/* ---- case 1 and 2: one knob ---- */

int op_file(void *arg)
{
	struct file_op *f = arg;

	return f->text ? write_whole(f->path, f->text) : read_whole(f->path);
}

static int real_knob_file(char *out, size_t size, const char *group)
{
	int h = hier_of(CTRL_MEMORY);
	char rel[PATH_MAX];

	if (h < 0)
		return -ENOENT;
	if (path_of(rel, sizeof(rel), "%s/%s", group,
	            hier_at(h)->version == 2 ? "memory.max" : "memory.limit_in_bytes") < 0)
		return -ENAMETOOLONG;
	real_path(out, size, h, rel);
	return 0;
}

/* The same with no cross-CPU wake-up: what each server's own work
 * costs, steady even on a busy machine. */
static void knob_pinned(const char *id, struct variant *pv, size_t npv, bool write)
{
	char label[64];
	int cpu, r;

	cpu = idlest_cpu();
	if (cpu < 0)
		return;
	pin_all(cpu, 0);
	r = run_interleaved(pv, npv, KNOB_ROUNDS, KNOB_WARMUP);
	pin_all(ALL_CPUS, 0);
	if (r < 0) {
		row_error(id, "  the same, all on one CPU", "an operation failed (see stderr)");
		return;
	}
	snprintf(label, sizeof(label), "  the same, all on CPU %d", cpu);
	row_times(id, label, series_trimmed(pv[0].s), "nullfs, all on the same CPU",
	          series_trimmed(pv[1].s), write ? KNOB_TARGET : CACHED_TARGET,
	          write ? "<= 1.3x" : "<= 0.6x");
}

void case_knob(bool write)
{
	struct file_op c = { .text = write ? KNOB_MB "\n" : NULL };
	struct file_op r = { .text = write ? KNOB_BYTES "\n" : NULL };
	struct file_op n = { .text = write ? KNOB_MB "\n" : NULL };
	struct file_op u = { .text = NULL };
	const char *id = write ? "2" : "1";
	const char *what = write ? "knob write (open O_TRUNC, write " KNOB_MB ", close)"
	                         : "knob read (open, read to EOF, close)";
	const char *op = write ? "write" : "read";
	struct variant v[] = {
		{ "cgfs", op_file, &c, 0, NULL },
		{ "real file", op_file, &r, 0, NULL },
		{ "nullfs", op_file, &n, 0, NULL },
		/* A knob no cache serves: each read renders (reads only). */
		{ "cgfs, not cached (" UNCACHED ")", op_file, &u, 0, NULL },
	};
	size_t nv = write ? ARRAY_SIZE(v) - 1 : ARRAY_SIZE(v);
	struct variant pv[] = {
		{ "cgfs, one CPU", op_file, &c, 0, NULL },
		{ "nullfs, one CPU", op_file, &n, 0, NULL },
	};
	char names[ARRAY_SIZE(v) + ARRAY_SIZE(pv)][64], label[64], ref[64];
	size_t k;

	note("case %s: %s", id, what);
	path_of(c.path, sizeof(c.path), "%s/%s/k/" KNOB, B.mnt_cgfs, TREE);
	path_of(n.path, sizeof(n.path), "%s/knob", B.mnt_null);
	path_of(u.path, sizeof(u.path), "%s/%s/k/" UNCACHED, B.mnt_cgfs, TREE);
	if (real_knob_file(r.path, sizeof(r.path), TREE "/k") < 0) {
		row_error(id, what, "no memory hierarchy");
		return;
	}
	for (k = 0; k < ARRAY_SIZE(names); k++) {
		struct variant *x = k < ARRAY_SIZE(v) ? &v[k] : &pv[k - ARRAY_SIZE(v)];

		snprintf(names[k], sizeof(names[k]), "%s knob %s: %s", id, op, x->name);
		x->name = names[k];
		x->iters = scaled(write ? KNOB_WRITES : KNOB_READS);
	}
	if (run_interleaved(v, nv, KNOB_ROUNDS, KNOB_WARMUP) < 0) {
		row_error(id, what, "an operation failed (see stderr)");
		return;
	}
	snprintf(label, sizeof(label), "knob %s vs the real file", op);
	snprintf(ref, sizeof(ref), "%s memory.limit_in_bytes", op);
	row_times(id, label, series_trimmed(v[0].s), ref, series_trimmed(v[1].s), INFO_ONLY,
	          write ? "(information)" : "(moonshot <= 1.5x)");
	snprintf(label, sizeof(label), "knob %s vs null FUSE server", op);
	/* A limit read is served from the page cache (cgfs(5), "Caching"). */
	row_times(id, label, series_trimmed(v[0].s), "nullfs, same loop (FUSE floor)",
	          series_trimmed(v[2].s), write ? KNOB_TARGET : CACHED_TARGET,
	          write ? "<= 1.3x" : "<= 0.6x");
	if (!write)
		row_times(id, "  a knob no cache serves (" UNCACHED ")", series_trimmed(v[3].s),
		          "nullfs, same loop", series_trimmed(v[2].s), KNOB_TARGET, "<= 1.3x");
	knob_pinned(id, pv, ARRAY_SIZE(pv), write);
}
