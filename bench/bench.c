// SPDX-License-Identifier: MIT
/*
 * cgfs-bench: cgfs against references measured in the same run, printed
 * as one table of times and ratios (bench/README.md lists the cases).
 *
 *     cgfs-bench CGFS_BINARY NULLFS_BINARY
 *
 * Environment: BENCH_GROUPS (case 5, default 10000), BENCH_FACTOR (scales
 * every iteration count, default 1), BENCH_CASES (e.g. "1,2,6"; default
 * all, 1..7), BENCH_READERS_SECONDS (case 6, per measurement, default 1).
 *
 * Safety: a supervisor process forks the worker that measures. Everything
 * the run makes is named after the supervisor's pid: the base cgroup
 * /cgfs-bench-PID at every hierarchy's root (cgfs, the direct references
 * and cgroup-tools all stay below it) and the temporary mount points. The
 * supervisor is a child subreaper, so whatever the worker started comes
 * back to it if the worker dies; once the worker is gone (finished,
 * failed, crashed or interrupted) it stops those processes by pid,
 * unmounts the FUSE mounts, removes the base in every hierarchy
 * deepest first, and checks that nothing is left. No process is ever
 * moved into or out of a cgroup.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define TREE "daemon"       /* cgfs tree root: a passwd user every Debian has (no tree for root) */
#define KNOB "memory_limit_mb"
#define MAX_HIER 16
#define MAX_DAEMONS 8
#define MAX_ROWS 48
#define MAX_SERIES 48
#define MOUNT_WAIT_MS 10000
#define STOP_WAIT_MS 5000

/* ---- the run's state ---- */

enum ctrl { C_CPU, C_CPUACCT, C_CPUSET, C_MEMORY, C_BLKIO, C_PIDS, C_FREEZER, C_N };
static const char *const ctrl_name[C_N] = {
	"cpu", "cpuacct", "cpuset", "memory", "blkio", "pids", "freezer",
};

struct hier {
	char mnt[PATH_MAX];
	char opts[512]; /* v1 super options: the controllers */
	int version;
	bool serving;   /* cgfs puts groups here */
};

/* What the worker tells the supervisor, in memory both share. */
struct shared {
	pid_t daemon[MAX_DAEMONS]; /* started by the worker, 0 once reaped */
};

static struct {
	const char *cgfs, *nullfs;
	char cmdline[4096];
	char base[64];             /* "cgfs-bench-PID": no slash */
	char mnt_cgfs[64], mnt_null[64], mnt_lxcfs[64], mnt_tcgfs[64], mnt_tnull[64];
	char conf[64], log[64], lxcfs_pidfile[64], tlog_cgfs[64], tlog_null[64];
	pid_t cgfs_pid, null_pid;
	double factor;
	int groups;
	unsigned cases;            /* bit n: case n */
	double readers_seconds;
	struct hier h[MAX_HIER];
	size_t nh;
	int by_ctrl[C_N];          /* index in h[] cgfs uses, or -1 */
	int primary;               /* h[] index cgfs lists groups from */
	struct shared *shm;
} B;

/* ---- small helpers ---- */

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "[bench] ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static size_t scaled(size_t n)
{
	double v = (double)n * B.factor;

	return v < 1 ? 1 : (size_t)v;
}

/* cat(1): open, read until EOF, close. */
static int read_whole(const char *path)
{
	char buf[16384];
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* echo TEXT > PATH: open with O_TRUNC, one write, close. */
static int write_whole(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* A small file's first line, without its newline. */
static int read_line(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int path_of(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Path of REL below the run's base in hierarchy h. */
static void real_path(char *out, size_t size, int h, const char *rel)
{
	if (path_of(out, size, "%s/%s/%s", B.h[h].mnt, B.base, rel) < 0)
		out[0] = '\0';
}

/* ---- mounts and hierarchies ---- */

static bool has_word(const char *list, const char *word, const char *seps)
{
	size_t len = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		bool start = p == list || strchr(seps, p[-1]);
		bool end = p[len] == '\0' || strchr(seps, p[len]);

		if (start && end)
			return true;
		p += len;
	}
	return false;
}

/* Calls fn(mountpoint, fstype, super_options) for each line of mountinfo. */
static int each_mount(int (*fn)(void *arg, const char *mnt, const char *type,
                                const char *opts),
                      void *arg)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int r = 0;

	if (!f)
		return -errno;
	while (r == 0 && fgets(line, sizeof(line), f)) {
		char *field[16], *save = NULL, *tok;
		int n = 0, dash = -1;

		for (tok = strtok_r(line, " \n", &save); tok && n < 16;
		     tok = strtok_r(NULL, " \n", &save)) {
			if (dash < 0 && strcmp(tok, "-") == 0)
				dash = n;
			field[n++] = tok;
		}
		if (dash < 0 || dash + 3 >= n)
			continue;
		r = fn(arg, field[4], field[dash + 1], field[dash + 3]);
	}
	fclose(f);
	return r;
}

static int add_hier(void *arg, const char *mnt, const char *type, const char *opts)
{
	struct hier *h;

	(void)arg;
	if (strcmp(type, "cgroup") != 0 && strcmp(type, "cgroup2") != 0)
		return 0;
	if (B.nh >= MAX_HIER)
		return 0;
	h = &B.h[B.nh++];
	snprintf(h->mnt, sizeof(h->mnt), "%s", mnt);
	snprintf(h->opts, sizeof(h->opts), "%s", opts);
	h->version = strcmp(type, "cgroup2") == 0 ? 2 : 1;
	return 0;
}

static bool v2_has(const struct hier *h, enum ctrl c)
{
	char p[PATH_MAX + 32], buf[512];
	const char *name = c == C_BLKIO ? "io" : ctrl_name[c];

	/* cgroup.freeze and cpu.stat's usage are core files on v2. */
	if (c == C_FREEZER || c == C_CPUACCT)
		return true;
	snprintf(p, sizeof(p), "%s/cgroup.controllers", h->mnt);
	return read_line(p, buf, sizeof(buf)) == 0 && has_word(buf, name, " ");
}

/* The hierarchies cgfs serves, chosen as cgfs chooses: for each
 * controller the v1 mount that has it, else cgroup2 if it offers it. */
static int find_hierarchies(void)
{
	int c, v2 = -1;
	size_t i;

	B.nh = 0;
	if (each_mount(add_hier, NULL) < 0 || B.nh == 0)
		return -ENOENT;
	for (i = 0; i < B.nh; i++)
		if (B.h[i].version == 2)
			v2 = (int)i;
	for (c = 0; c < C_N; c++) {
		B.by_ctrl[c] = -1;
		for (i = 0; i < B.nh && B.by_ctrl[c] < 0; i++)
			if (B.h[i].version == 1 && has_word(B.h[i].opts, ctrl_name[c], ","))
				B.by_ctrl[c] = (int)i;
		if (B.by_ctrl[c] < 0 && v2 >= 0 && v2_has(&B.h[v2], c))
			B.by_ctrl[c] = v2;
		if (B.by_ctrl[c] >= 0)
			B.h[B.by_ctrl[c]].serving = true;
	}
	B.primary = -1;
	if (v2 >= 0 && B.h[v2].serving)
		B.primary = v2;
	else if (B.by_ctrl[C_FREEZER] >= 0)
		B.primary = B.by_ctrl[C_FREEZER];
	for (i = 0; i < B.nh && B.primary < 0; i++)
		if (B.h[i].serving)
			B.primary = (int)i;
	return B.primary < 0 ? -ENOENT : 0;
}

struct mount_query {
	const char *mnt;
	const char *type; /* NULL: any */
	bool found;
};

static int match_mount(void *arg, const char *mnt, const char *type, const char *opts)
{
	struct mount_query *q = arg;

	(void)opts;
	if (strcmp(mnt, q->mnt) == 0 && (!q->type || strcmp(type, q->type) == 0))
		q->found = true;
	return 0;
}

static bool mounted(const char *mnt, const char *type)
{
	struct mount_query q = { mnt, type, false };

	each_mount(match_mount, &q);
	return q.found;
}

/* ---- processes the worker starts ---- */

static void record_daemon(pid_t pid)
{
	size_t i;

	for (i = 0; i < MAX_DAEMONS; i++)
		if (B.shm->daemon[i] == 0) {
			B.shm->daemon[i] = pid;
			return;
		}
}

static void forget_daemon(pid_t pid)
{
	size_t i;

	for (i = 0; i < MAX_DAEMONS; i++)
		if (B.shm->daemon[i] == pid)
			B.shm->daemon[i] = 0;
}

/* Starts argv[0] in a process group of its own (a Ctrl-C reaches only
 * the bench, whose supervisor then stops it in order), output to log. */
static pid_t start_daemon(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);

		setpgid(0, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			dup2(fd, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	record_daemon(pid);
	return pid;
}

static int wait_mounted(pid_t pid, const char *mnt, const char *type)
{
	int i, st;

	for (i = 0; i < MOUNT_WAIT_MS / 10; i++) {
		if (mounted(mnt, type))
			return 0;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			forget_daemon(pid);
			return -ECHILD;
		}
		sleep_ms(10);
	}
	return -ETIMEDOUT;
}

static int stop_daemon(pid_t pid)
{
	int i, st;

	if (pid <= 0)
		return 0;
	kill(pid, SIGTERM);
	for (i = 0; i < STOP_WAIT_MS / 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			goto reaped;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
reaped:
	forget_daemon(pid);
	return 0;
}

/* Runs argv to its end with stdout to /dev/null; 0 if it exited 0. */
static int run_tool(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return -r;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

/* The "KEY: N kB" line of /proc/PID/FILE (status, smaps_rollup), or -1. */
static long proc_kib(pid_t pid, const char *file, const char *key)
{
	char p[64], line[256];
	size_t len = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, file);
	f = fopen(p, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, len) == 0 && line[len] == ':')
			v = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

/* ---- samples and the interleaved runner ---- */

struct series {
	char name[64];
	double *v;   /* µs per operation */
	size_t n, cap;
};

static struct series series_store[MAX_SERIES];
static size_t series_count;

static struct series *series_new(const char *name)
{
	struct series *s;

	if (series_count >= MAX_SERIES)
		return NULL;
	s = &series_store[series_count++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

static int series_add(struct series *s, double v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		double *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = v;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts in place; the p-th quantile (0..1). */
static double series_q(struct series *s, double p)
{
	size_t i;

	if (s->n == 0)
		return NAN;
	qsort(s->v, s->n, sizeof(s->v[0]), cmp_double);
	i = (size_t)(p * (double)(s->n - 1) + 0.5);
	return s->v[i];
}

static double series_median(struct series *s)
{
	return series_q(s, 0.5);
}

/* Mean of the middle 80%: steadier than the median when the times are
 * bimodal (a server thread woken on the caller's CPU or on the other). */
static double series_trimmed(struct series *s)
{
	size_t lo, hi, i;
	double sum = 0;

	if (s->n == 0)
		return NAN;
	qsort(s->v, s->n, sizeof(s->v[0]), cmp_double);
	lo = s->n / 10;
	hi = s->n - lo;
	for (i = lo; i < hi; i++)
		sum += s->v[i];
	return sum / (double)(hi - lo);
}

struct variant {
	const char *name;
	int (*op)(void *arg);
	void *arg;
	size_t iters;
	struct series *s;
};

/* Runs every variant iters times, in rounds of blocks that rotate which
 * variant goes first, so that a noisy moment on this shared machine hits
 * each of them alike. Each operation is timed on its own. */
static int run_interleaved(struct variant *v, size_t nv, size_t rounds, size_t warmup)
{
	size_t r, k, i, done[8] = { 0 };
	int res;

	if (nv > 8)
		return -EINVAL;
	for (k = 0; k < nv; k++) {
		v[k].s = series_new(v[k].name);
		if (!v[k].s)
			return -ENOMEM;
		for (i = 0; i < warmup; i++) {
			res = v[k].op(v[k].arg);
			if (res < 0) {
				note("%s: %s", v[k].name, strerror(-res));
				return res;
			}
		}
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < nv; k++) {
			struct variant *x = &v[(k + r) % nv];
			size_t *d = &done[(k + r) % nv];
			size_t block = (x->iters + rounds - 1) / rounds;

			for (i = 0; i < block && *d < x->iters; i++, (*d)++) {
				double t0 = now_us();

				res = x->op(x->arg);
				if (res < 0) {
					note("%s: %s", x->name, strerror(-res));
					return res;
				}
				series_add(x->s, now_us() - t0);
			}
		}
	}
	return 0;
}

/* ---- the table ---- */

struct row {
	char id[4];
	char what[44];
	char cgfs[16];
	char ref_name[40];
	char ref[16];
	char ratio[12];
	char target[28];
	char verdict[8];
};

static struct row rows[MAX_ROWS];
static size_t nrows;

static struct row *row_new(const char *id, const char *what)
{
	struct row *w;

	if (nrows >= MAX_ROWS)
		return &rows[MAX_ROWS - 1];
	w = &rows[nrows++];
	memset(w, 0, sizeof(*w));
	snprintf(w->id, sizeof(w->id), "%s", id);
	snprintf(w->what, sizeof(w->what), "%s", what);
	return w;
}

static void fmt_us(char *out, size_t size, double us)
{
	if (isnan(us))
		snprintf(out, size, "-");
	else if (us < 100)
		snprintf(out, size, "%.2f us", us);
	else
		snprintf(out, size, "%.0f us", us);
}

/* A row comparing two times: ratio = cgfs / reference; target_max < 0
 * means information only. */
static void row_times(const char *id, const char *what, double cgfs,
                      const char *ref_name, double ref, double target_max,
                      const char *target)
{
	struct row *w = row_new(id, what);
	double ratio = cgfs / ref;

	fmt_us(w->cgfs, sizeof(w->cgfs), cgfs);
	snprintf(w->ref_name, sizeof(w->ref_name), "%s", ref_name);
	fmt_us(w->ref, sizeof(w->ref), ref);
	if (isnan(ratio))
		snprintf(w->ratio, sizeof(w->ratio), "-");
	else
		snprintf(w->ratio, sizeof(w->ratio), ratio < 0.1 ? "%.3fx" : "%.2fx", ratio);
	snprintf(w->target, sizeof(w->target), "%s", target ? target : "");
	if (target_max >= 0 && !isnan(ratio))
		snprintf(w->verdict, sizeof(w->verdict), "%s", ratio <= target_max ? "PASS" : "MISS");
}

static void row_error(const char *id, const char *what, const char *why)
{
	struct row *w = row_new(id, what);

	snprintf(w->cgfs, sizeof(w->cgfs), "error");
	snprintf(w->ref_name, sizeof(w->ref_name), "%s", why);
}

static void print_table(void)
{
	size_t i;

	printf("\n%-2s %-40s %12s  %-34s %12s %8s  %-24s %s\n", "#", "case", "cgfs",
	       "reference", "ref", "ratio", "target", "");
	for (i = 0; i < 142; i++)
		putchar('-');
	putchar('\n');
	for (i = 0; i < nrows; i++) {
		const struct row *w = &rows[i];

		printf("%-2s %-40s %12s  %-34s %12s %8s  %-24s %s\n", w->id, w->what,
		       w->cgfs, w->ref_name, w->ref, w->ratio, w->target, w->verdict);
	}
	printf("\nTimes: mean of the middle 80%% of individually timed operations; ratio: cgfs /\n"
	       "reference. The measurements of one case are interleaved in rounds. Case 6:\n"
	       "median over rounds of the operations per second of all readers together.\n");
}

static void print_details(void)
{
	size_t i;

	printf("\nDistributions (us per op): n, p10, median, p90, mean, trimmed mean\n");
	for (i = 0; i < series_count; i++) {
		struct series *s = &series_store[i];
		double sum = 0;
		size_t j;

		for (j = 0; j < s->n; j++)
			sum += s->v[j];
		printf("  %-40s %7zu %9.2f %9.2f %9.2f %9.2f %9.2f\n", s->name, s->n,
		       series_q(s, 0.1), series_q(s, 0.5), series_q(s, 0.9),
		       s->n ? sum / (double)s->n : NAN, series_trimmed(s));
	}
}

/* ---- case 1 and 2: one knob ---- */

struct file_op {
	char path[PATH_MAX];
	const char *text; /* NULL: read */
};

static int op_file(void *arg)
{
	struct file_op *f = arg;

	return f->text ? write_whole(f->path, f->text) : read_whole(f->path);
}

static int real_knob_file(char *out, size_t size, const char *group)
{
	int h = B.by_ctrl[C_MEMORY];
	char rel[PATH_MAX];

	if (h < 0)
		return -ENOENT;
	if (path_of(rel, sizeof(rel), "%s/%s", group,
	            B.h[h].version == 2 ? "memory.max" : "memory.limit_in_bytes") < 0)
		return -ENAMETOOLONG;
	real_path(out, size, h, rel);
	return 0;
}

/* ---- pinning: the one-CPU variant of cases 1 and 2 ---- */

static cpu_set_t all_cpus; /* the worker's own mask at start */

/* The CPU of all_cpus that was idlest over a short look at /proc/stat. */
static int idlest_cpu(void)
{
	unsigned long long idle0[CPU_SETSIZE / 8] = { 0 }, v[8];
	int best = -1, pass, cpu;
	unsigned long long best_idle = 0;
	char line[512];

	for (pass = 0; pass < 2; pass++) {
		FILE *f = fopen("/proc/stat", "re");

		if (!f)
			break;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1], &v[2],
			           &v[3], &v[4]) != 6 || cpu < 0 || cpu >= (int)(CPU_SETSIZE / 8))
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
			sleep_ms(300);
	}
	return best;
}

/* cgfs's server, below its supervisor: the child that is not the
 * notifier ("cgfs-notify"). */
static pid_t child_of(pid_t pid)
{
	char p[64], comm[32];
	long c = -1, found = -1;
	FILE *f, *cf;

	snprintf(p, sizeof(p), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(p, "re");
	if (!f)
		return -1;
	while (found < 0 && fscanf(f, "%ld", &c) == 1) {
		snprintf(p, sizeof(p), "/proc/%ld/comm", c);
		cf = fopen(p, "re");
		if (!cf)
			continue;
		if (fgets(comm, sizeof(comm), cf) && strncmp(comm, "cgfs-notify", 11) != 0)
			found = c;
		fclose(cf);
	}
	fclose(f);
	return (pid_t)found;
}

/* A process's proportional share of memory (KiB): shared pages, such as
 * those a server shares with its supervisor after fork(2), count once. */
static long pss_kib(pid_t pid)
{
	return proc_kib(pid, "smaps_rollup", "Pss");
}

/* cgfs's memory: the PSS of its supervisor and of every child of it (the
 * server and the notifier) together. */
static long daemon_kib(void)
{
	char p[64];
	long c, total = pss_kib(B.cgfs_pid), v;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/task/%d/children", (int)B.cgfs_pid, (int)B.cgfs_pid);
	f = fopen(p, "re");
	if (!f || total < 0) {
		if (f)
			fclose(f);
		return -1;
	}
	while (fscanf(f, "%ld", &c) == 1)
		if ((v = pss_kib((pid_t)c)) > 0)
			total += v;
	fclose(f);
	return total;
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

/* cpu >= 0: the bench, both servers and extra (when > 0) on that CPU;
 * < 0: back to all. */
static void pin_all(int cpu, pid_t extra)
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

static void case_knob(bool write)
{
	struct file_op c = { .text = write ? "512\n" : NULL };
	struct file_op r = { .text = write ? "536870912\n" : NULL };
	struct file_op n = { .text = write ? "512\n" : NULL };
	const char *id = write ? "2" : "1";
	const char *what = write ? "knob write (open O_TRUNC, write 512, close)"
	                         : "knob read (open, read to EOF, close)";
	const char *op = write ? "write" : "read";
	struct variant v[3] = {
		{ "cgfs", op_file, &c, 0, NULL },
		{ "real file", op_file, &r, 0, NULL },
		{ "nullfs", op_file, &n, 0, NULL },
	};
	struct variant pv[2] = {
		{ "cgfs, one CPU", op_file, &c, 0, NULL },
		{ "nullfs, one CPU", op_file, &n, 0, NULL },
	};
	char names[5][64], label[64], ref[64];
	size_t k;
	int cpu;

	note("case %s: %s", id, what);
	path_of(c.path, sizeof(c.path), "%s/%s/k/" KNOB, B.mnt_cgfs, TREE);
	path_of(n.path, sizeof(n.path), "%s/knob", B.mnt_null);
	if (real_knob_file(r.path, sizeof(r.path), TREE "/k") < 0) {
		row_error(id, what, "no memory hierarchy");
		return;
	}
	for (k = 0; k < 5; k++) {
		struct variant *x = k < 3 ? &v[k] : &pv[k - 3];

		snprintf(names[k], sizeof(names[k]), "%s knob %s: %s", id, op, x->name);
		x->name = names[k];
		x->iters = scaled(write ? 10000 : 20000);
	}
	if (run_interleaved(v, 3, 400, 200) < 0) {
		row_error(id, what, "an operation failed (see stderr)");
		return;
	}
	snprintf(label, sizeof(label), "knob %s vs the real file", op);
	snprintf(ref, sizeof(ref), "%s memory.limit_in_bytes", op);
	row_times(id, label, series_trimmed(v[0].s), ref, series_trimmed(v[1].s), -1,
	          "(information)");
	snprintf(label, sizeof(label), "knob %s vs null FUSE server", op);
	row_times(id, label, series_trimmed(v[0].s), "nullfs, same loop (FUSE floor)",
	          series_trimmed(v[2].s), 1.3, "<= 1.3x");

	/* The same with no cross-CPU wake-up: what each server's own work
	 * costs, steady even on a busy machine. */
	cpu = idlest_cpu();
	if (cpu < 0)
		return;
	pin_all(cpu, 0);
	k = run_interleaved(pv, 2, 400, 200) < 0;
	pin_all(-1, 0);
	if (k) {
		row_error(id, "  the same, all on one CPU", "an operation failed (see stderr)");
		return;
	}
	snprintf(label, sizeof(label), "  the same, all on CPU %d", cpu);
	row_times(id, label, series_trimmed(pv[0].s), "nullfs, all on the same CPU",
	          series_trimmed(pv[1].s), 1.3, "<= 1.3x");
}

/* ---- case 3: a group's lifecycle ---- */

#define LC_MEM_MB "512"
#define LC_MEM_BYTES "536870912"
#define LC_CPU_PERCENT "50"
#define LC_QUOTA_US "50000"
#define LC_PERIOD_US "100000"
#define LC_PIDS "100"

/* The three steps of a lifecycle, timed apart when steps[] is set. */
enum { STEP_CREATE, STEP_LIMITS, STEP_REMOVE, STEP_N };

static void step_add(struct series *const *steps, int i, double *t)
{
	double now = now_us();

	if (steps && steps[i])
		series_add(steps[i], now - *t);
	*t = now;
}

struct lc_cgfs {
	char path[PATH_MAX];           /* the group, through the mount */
	struct series *steps[STEP_N];  /* or NULL */
};

static int op_lifecycle_cgfs(void *arg)
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

struct direct {
	const char *group;  /* below the base, e.g. "root/d" */
	const char *parent; /* its parent, e.g. "root" */
	bool same_work;     /* also v1 cpuset filling (where the kernel did not), v2 controllers */
	struct series *steps[STEP_N]; /* or NULL */
};

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

	if ((h = B.by_ctrl[C_MEMORY]) >= 0) {
		direct_dir(dir, sizeof(dir), d, h);
		r = write_in(dir, B.h[h].version == 2 ? "memory.max" : "memory.limit_in_bytes",
		             LC_MEM_BYTES "\n");
	}
	if (r == 0 && (h = B.by_ctrl[C_CPU]) >= 0) {
		direct_dir(dir, sizeof(dir), d, h);
		r = B.h[h].version == 2
		        ? write_in(dir, "cpu.max", LC_QUOTA_US " " LC_PERIOD_US "\n")
		        : write_in(dir, "cpu.cfs_quota_us", LC_QUOTA_US "\n");
	}
	if (r == 0 && (h = B.by_ctrl[C_PIDS]) >= 0) {
		direct_dir(dir, sizeof(dir), d, h);
		r = write_in(dir, "pids.max", LC_PIDS "\n");
	}
	return r;
}

static int op_lifecycle_direct(void *arg)
{
	struct direct *d = arg;
	char dir[PATH_MAX], cpus[256], mems[256], p[PATH_MAX];
	double t = now_us();
	int r = 0;
	size_t h;

	for (h = 0; h < B.nh && r == 0; h++) {
		bool cpuset = B.h[h].version == 1 && (int)h == B.by_ctrl[C_CPUSET];
		bool cloned = false;

		if (!B.h[h].serving)
			continue;
		direct_dir(dir, sizeof(dir), d, (int)h);
		if (mkdir(dir, 0755) < 0) {
			r = -errno;
			break;
		}
		if (!d->same_work)
			continue;
		/* As cgfs: where the kernel filled the new cpuset from its
		 * parent (cgroup.clone_children, which cgfs sets on the
		 * cgroups it fills itself), nothing is written. */
		if (cpuset) {
			path_of(p, sizeof(p), "%s/cpuset.cpus", dir);
			cloned = read_line(p, cpus, sizeof(cpus)) == 0 && cpus[0];
		}
		if (cpuset && !cloned) {
			path_of(p, sizeof(p), "%s/cpuset.cpus", d->parent);
			real_path(dir, sizeof(dir), (int)h, p);
			r = read_line(dir, cpus, sizeof(cpus));
			path_of(p, sizeof(p), "%s/cpuset.mems", d->parent);
			real_path(dir, sizeof(dir), (int)h, p);
			if (r == 0)
				r = read_line(dir, mems, sizeof(mems));
			direct_dir(dir, sizeof(dir), d, (int)h);
			if (r == 0)
				r = cpuset_fill(dir, cpus, mems);
		}
		if (B.h[h].version == 2) {
			/* cgfs enables its controllers below every group. */
			if (B.by_ctrl[C_MEMORY] == (int)h)
				write_in(dir, "cgroup.subtree_control", "+memory");
			if (B.by_ctrl[C_CPU] == (int)h)
				write_in(dir, "cgroup.subtree_control", "+cpu");
			if (B.by_ctrl[C_PIDS] == (int)h)
				write_in(dir, "cgroup.subtree_control", "+pids");
		}
	}
	step_add(d->steps, STEP_CREATE, &t);
	if (r == 0)
		r = limit_writes(d);
	step_add(d->steps, STEP_LIMITS, &t);
	for (h = 0; h < B.nh; h++) {
		if (!B.h[h].serving)
			continue;
		direct_dir(dir, sizeof(dir), d, (int)h);
		if (rmdir(dir) < 0 && errno != ENOENT && r == 0)
			r = -errno;
	}
	step_add(d->steps, STEP_REMOVE, &t);
	return r;
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

	for (h = 0; h < B.nh && r == 0; h++) {
		if (!B.h[h].serving)
			continue;
		real_path(dir, sizeof(dir), (int)h, DIRECT_TREE);
		if (mkdir(dir, 0755) < 0) {
			r = -errno;
			break;
		}
		if (B.h[h].version == 1) {
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

	for (h = 0; h < B.nh; h++) {
		if (!B.h[h].serving)
			continue;
		real_path(dir, sizeof(dir), (int)h, DIRECT_TREE);
		if (rmdir(dir) < 0 && errno != ENOENT)
			note("cannot remove %s: %s", dir, strerror(errno));
	}
}

static void case_lifecycle(void)
{
	const char *what = "group lifecycle (mkdir, 3 limits, rmdir)";
	struct lc_cgfs c;
	struct direct plain = { DIRECT_TREE "/d", DIRECT_TREE, false, { NULL } };
	struct direct same = { DIRECT_TREE "/d", DIRECT_TREE, true, { NULL } };
	struct direct inside = { TREE "/d", TREE, true, { NULL } };
	struct tools t;
	struct variant v[5] = {
		{ "3 lifecycle: cgfs", op_lifecycle_cgfs, &c, scaled(2000), NULL },
		{ "3 lifecycle: direct, plain", op_lifecycle_direct, &plain, scaled(2000), NULL },
		{ "3 lifecycle: direct, same work as cgfs", op_lifecycle_direct, &same,
		  scaled(2000), NULL },
		{ "3 lifecycle: direct, same work, in cgfs's tree", op_lifecycle_direct, &inside,
		  scaled(2000), NULL },
		{ "3 lifecycle: cgroup-tools", op_lifecycle_tools, &t, scaled(200), NULL },
	};
	bool tools = have_tool("cgcreate") && have_tool("cgset") && have_tool("cgdelete");
	int hm = B.by_ctrl[C_MEMORY], hc = B.by_ctrl[C_CPU], i, res;
	size_t nhier = 0, h;
	char name[64], label[64];

	note("case 3: %s", what);
	for (h = 0; h < B.nh; h++)
		nhier += B.h[h].serving;
	memset(&c, 0, sizeof(c));
	path_of(c.path, sizeof(c.path), "%s/%s/lc", B.mnt_cgfs, TREE);
	steps_new(c.steps, "cgfs");
	steps_new(same.steps, "direct, same work");
	memset(&t, 0, sizeof(t));
	path_of(t.path, sizeof(t.path), "/%s/tools", B.base);
	path_of(t.create, sizeof(t.create), "memory,cpu,pids:%s", t.path);
	path_of(t.mem, sizeof(t.mem), "%s=" LC_MEM_BYTES,
	        hm >= 0 && B.h[hm].version == 2 ? "memory.max" : "memory.limit_in_bytes");
	if (hc >= 0 && B.h[hc].version == 2)
		path_of(t.cpu, sizeof(t.cpu), "cpu.max=" LC_QUOTA_US " " LC_PERIOD_US);
	else
		path_of(t.cpu, sizeof(t.cpu), "cpu.cfs_quota_us=" LC_QUOTA_US);
	path_of(t.pids, sizeof(t.pids), "pids.max=" LC_PIDS);

	if (direct_tree_make() < 0) {
		direct_tree_remove();
		row_error("3", what, "cannot set up the direct references' parent (see stderr)");
		return;
	}
	res = run_interleaved(v, tools ? 5 : 4, 200, 5);
	direct_tree_remove();
	if (res < 0) {
		row_error("3", what, "an operation failed (see stderr)");
		return;
	}
	snprintf(name, sizeof(name), "direct syscalls, %zu hierarchies", nhier);
	row_times("3", "lifecycle vs direct syscalls, plain", series_trimmed(v[0].s), name,
	          series_trimmed(v[1].s), 2.0, "<= 2x");
	row_times("3", "lifecycle vs direct, same work as cgfs", series_trimmed(v[0].s),
	          "same + cpuset fill, v2 ctrls", series_trimmed(v[2].s), 2.0, "<= 2x");
	for (i = 0; i < STEP_N; i++) {
		snprintf(label, sizeof(label), "  of which %s", step_name[i]);
		row_times("3", label, series_trimmed(c.steps[i]), "the same step, same work",
		          series_trimmed(same.steps[i]), -1, "(information)");
	}
	row_times("3", "  direct inside cgfs's tree vs outside", series_trimmed(v[3].s),
	          "direct, same work, unwatched", series_trimmed(v[2].s), -1, "(information)");
	if (tools)
		row_times("3", "lifecycle vs cgroup-tools", series_trimmed(v[0].s),
		          "cgcreate+cgset(3 -r)+cgdelete", series_trimmed(v[4].s), 1.0 / 15,
		          "<= 0.067x (15x faster)");
	else
		row_error("3", "lifecycle vs cgroup-tools", "cgroup-tools not installed");
}

/* ---- case 4: meminfo ---- */

/* LXCFS renders meminfo for the cgroup of the process that reads it: here
 * the bench's own (no process is moved); cgfs for the group k. Both read
 * the host's /proc/meminfo and the same cgroup files to do it. */
static void case_meminfo(void)
{
	const char *what = "meminfo read";
	struct file_op c = { .text = NULL }, l = { .text = NULL }, n = { .text = NULL };
	struct file_op h = { .path = "/proc/meminfo", .text = NULL }, k = { .text = NULL };
	struct variant v[3] = {
		{ "4 meminfo: cgfs", op_file, &c, scaled(5000), NULL },
		{ "4 meminfo: lxcfs", op_file, &l, scaled(5000), NULL },
		{ "4 meminfo: host /proc/meminfo", op_file, &h, scaled(5000), NULL },
	};
	struct variant pv[4] = {
		{ "4 meminfo: cgfs, one CPU", op_file, &c, scaled(5000), NULL },
		{ "4 meminfo: lxcfs, one CPU", op_file, &l, scaled(5000), NULL },
		{ "4 meminfo: nullfs knob, one CPU", op_file, &n, scaled(5000), NULL },
		{ "4 meminfo: cgfs " KNOB ", one CPU", op_file, &k, scaled(5000), NULL },
	};
	char *argv[] = { "/usr/bin/lxcfs", "-f", "-p", B.lxcfs_pidfile, B.mnt_lxcfs, NULL };
	char label[64];
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
	r = run_interleaved(v, 3, 100, 50);
	/* The same with no cross-CPU wake-up (see case 1): the bench, both
	 * servers and LXCFS on one CPU. */
	cpu = r < 0 ? -1 : idlest_cpu();
	if (cpu >= 0) {
		pin_all(cpu, pid);
		r = run_interleaved(pv, 4, 100, 50);
		pin_all(-1, pid);
	}
	stop_daemon(pid);
	if (mounted(B.mnt_lxcfs, NULL))
		umount2(B.mnt_lxcfs, MNT_DETACH);
	if (r < 0) {
		row_error("4", "meminfo vs LXCFS", "an operation failed (see stderr)");
		return;
	}
	row_times("4", "meminfo read vs LXCFS /proc/meminfo", series_trimmed(v[0].s),
	          "LXCFS 5 proc/meminfo", series_trimmed(v[1].s), 0.25, "<= 0.25x");
	row_times("4", "  meminfo read vs the host's", series_trimmed(v[0].s),
	          "host /proc/meminfo", series_trimmed(v[2].s), -1, "(information)");
	if (cpu < 0)
		return;
	snprintf(label, sizeof(label), "  the same, all on CPU %d", cpu);
	row_times("4", label, series_trimmed(pv[0].s), "LXCFS, all on the same CPU",
	          series_trimmed(pv[1].s), 0.25, "<= 0.25x");
	row_times("4", "  meminfo read vs null FUSE server", series_trimmed(pv[0].s),
	          "nullfs knob, same CPU (FUSE floor)", series_trimmed(pv[2].s), -1,
	          "(information)");
	row_times("4", "  meminfo read vs a cgfs knob read", series_trimmed(pv[0].s),
	          KNOB " read, same CPU", series_trimmed(pv[3].s), -1, "(information)");
	row_times("4", "  LXCFS (in this column) vs null FUSE", series_trimmed(pv[1].s),
	          "nullfs knob, same CPU (FUSE floor)", series_trimmed(pv[2].s), -1,
	          "(information)");
}

/* ---- case 5: many groups ---- */

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

struct listing {
	char path[PATH_MAX];
	long count;
};

static int op_list(void *arg)
{
	struct listing *l = arg;

	return list_dir(l->path, &l->count);
}

static void case_scale(void)
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
		const char *slash = strrchr(B.h[B.primary].mnt, '/');
		char label[64];

		snprintf(name, sizeof(name), "real dir in %s (%ld ent.)",
		         slash ? slash + 1 : B.h[B.primary].mnt, r.count);
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

/* ---- case 6: parallel readers ---- */

struct readers {
	const char *path;
	volatile bool stop;
	pthread_barrier_t start;
};

struct reader {
	struct readers *rs;
	unsigned long ops;
	int err;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	pthread_barrier_wait(&r->rs->start);
	while (!r->rs->stop) {
		int e = read_whole(r->rs->path);

		if (e < 0) {
			r->err = e;
			break;
		}
		r->ops++;
	}
	return NULL;
}

/* Operations per second of n threads reading path for the given time. */
static double throughput(const char *path, int n, double seconds)
{
	struct readers rs = { .path = path, .stop = false };
	struct reader r[8];
	pthread_t t[8];
	unsigned long total = 0;
	double t0, t1;
	int i, started = 0, err = 0;

	if (n > 8)
		return NAN;
	pthread_barrier_init(&rs.start, NULL, (unsigned)n + 1);
	for (i = 0; i < n; i++) {
		r[i] = (struct reader){ &rs, 0, 0 };
		if (pthread_create(&t[i], NULL, reader_main, &r[i]) != 0)
			break;
		started++;
	}
	if (started < n) {
		/* Release the ones that wait: they see stop at once. */
		rs.stop = true;
		for (i = started; i < n; i++)
			pthread_barrier_wait(&rs.start);
		err = -EAGAIN;
	} else {
		pthread_barrier_wait(&rs.start);
	}
	t0 = now_us();
	if (!err)
		sleep_ms((long)(seconds * 1000));
	rs.stop = true;
	for (i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		total += r[i].ops;
		if (r[i].err)
			err = r[i].err;
	}
	t1 = now_us();
	pthread_barrier_destroy(&rs.start);
	if (err)
		note("readers on %s: %s", path, strerror(-err));
	return err ? NAN : (double)total / ((t1 - t0) / 1e6);
}

static void case_concurrency(void)
{
	static const int counts[] = { 1, 2, 4, 8 };
	const char *label[2] = { "cgfs", "nullfs" };
	char path[2][PATH_MAX];
	struct series *s[2][4];
	double med[2][4];
	size_t rounds = scaled(5) < 3 ? 3 : scaled(5), r, f, k;

	note("case 6: 1, 2, 4, 8 parallel readers, %zu rounds of %.1f s", rounds,
	     B.readers_seconds);
	path_of(path[0], sizeof(path[0]), "%s/%s/k/" KNOB, B.mnt_cgfs, TREE);
	path_of(path[1], sizeof(path[1]), "%s/knob", B.mnt_null);
	for (f = 0; f < 2; f++)
		for (k = 0; k < 4; k++) {
			char name[64];

			snprintf(name, sizeof(name), "6 readers: %s x%d (ops/s)", label[f], counts[k]);
			s[f][k] = series_new(name);
			if (!s[f][k])
				return;
		}
	for (r = 0; r < rounds; r++)
		for (k = 0; k < 4; k++)
			for (f = 0; f < 2; f++) {
				size_t kk = (k + r) % 4;
				double tp = throughput(path[f], counts[kk], B.readers_seconds);

				if (isnan(tp)) {
					row_error("6", "parallel readers", "a read failed (see stderr)");
					return;
				}
				series_add(s[f][kk], tp);
			}
	for (f = 0; f < 2; f++)
		for (k = 0; k < 4; k++)
			med[f][k] = series_median(s[f][k]);
	for (f = 0; f < 2; f++)
		for (k = 0; k < 4; k++) {
			char what[64], ref[40];
			struct row *w;
			double ratio = med[f][k] / med[f][0];

			snprintf(what, sizeof(what), "%s: %d reader%s (ops/s)",
			         f == 0 ? "cgfs knob" : "nullfs (information)", counts[k],
			         counts[k] > 1 ? "s" : "");
			w = row_new("6", what);
			snprintf(w->cgfs, sizeof(w->cgfs), "%.0f", med[f][k]);
			snprintf(ref, sizeof(ref), "%s, 1 reader", label[f]);
			snprintf(w->ref_name, sizeof(w->ref_name), "%s", ref);
			snprintf(w->ref, sizeof(w->ref), "%.0f", med[f][0]);
			snprintf(w->ratio, sizeof(w->ratio), "%.2fx", ratio);
			if (f == 0 && counts[k] == 8) {
				snprintf(w->target, sizeof(w->target), ">= 1.6x (speed-up)");
				snprintf(w->verdict, sizeof(w->verdict), "%s",
				         ratio >= 1.6 ? "PASS" : "MISS");
			}
		}
}

/* ---- FUSE requests per operation, from -d logs ---- */

#define TRACE_ROWS 8

struct trace_row {
	char what[48];
	char cgfs[160];
	char null[160];
};

static struct trace_row trace_rows[TRACE_ROWS];
static size_t ntrace;

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Waits until the log has not grown for 100 ms (RELEASE and FORGET
 * arrive after the system call has returned). */
static off_t settle(const char *log)
{
	off_t last = file_size(log), now;
	int quiet = 0, i;

	for (i = 0; i < 250 && quiet < 5; i++) {
		sleep_ms(20);
		now = file_size(log);
		quiet = now == last ? quiet + 1 : 0;
		last = now;
	}
	return last;
}

/* "OPEN 1, READ 2, RELEASE 1 = 4" for the log's lines after offset. */
static void count_requests(const char *log, off_t from, char *out, size_t size)
{
	char names[16][24], line[1024];
	int counts[16] = { 0 }, total = 0;
	size_t n = 0, i, len = 0;
	FILE *f = fopen(log, "re");

	out[0] = '\0';
	if (!f || fseeko(f, from, SEEK_SET) < 0) {
		if (f)
			fclose(f);
		snprintf(out, size, "(no log)");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *op = strstr(line, "opcode: "), *end;

		if (!op)
			continue;
		op += strlen("opcode: ");
		end = strchr(op, ' ');
		if (!end)
			continue;
		*end = '\0';
		for (i = 0; i < n && strcmp(names[i], op) != 0; i++)
			;
		if (i == n && n < 16)
			snprintf(names[n++], sizeof(names[0]), "%s", op);
		if (i < n)
			counts[i]++;
		total++;
	}
	fclose(f);
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s %d", i ? ", " : "", names[i],
		                        counts[i]);
	if (len < size)
		snprintf(out + len, size - len, "%s= %d", n ? " " : "", total);
}

/* Runs op once to warm up, then once more, counting that one's requests. */
static void trace_one(int (*op)(void *), void *arg, const char *log, char *out, size_t size)
{
	off_t from;
	int r;

	if (!op) {
		snprintf(out, size, "-");
		return;
	}
	op(arg);
	from = settle(log);
	r = op(arg);
	settle(log);
	if (r < 0)
		snprintf(out, size, "failed: %s", strerror(-r));
	else
		count_requests(log, from, out, size);
}

static void trace_op(const char *what, int (*cop)(void *), void *carg,
                     int (*nop)(void *), void *narg)
{
	struct trace_row *t;

	if (ntrace >= TRACE_ROWS)
		return;
	t = &trace_rows[ntrace++];
	snprintf(t->what, sizeof(t->what), "%s", what);
	trace_one(cop, carg, B.tlog_cgfs, t->cgfs, sizeof(t->cgfs));
	trace_one(nop, narg, B.tlog_null, t->null, sizeof(t->null));
}

/* A second cgfs (base /cgfs-bench-PID/trace) and nullfs, both with -d,
 * after the timed cases: debug output slows a server down. */
static void case_trace(void)
{
	char base_opt[128], conf_opt[128], p[PATH_MAX], many[PATH_MAX], what[48];
	char *cgfs_argv[] = { (char *)B.cgfs, "-f", "-d", "-o", base_opt, "-o", conf_opt,
	                      B.mnt_tcgfs, NULL };
	char *null_argv[] = { (char *)B.nullfs, "-f", "-d", B.mnt_tnull, NULL };
	struct file_op cr = { .text = NULL }, nr = { .text = NULL };
	struct file_op cw = { .text = "512\n" }, nw = { .text = "512\n" };
	struct file_op cm = { .text = NULL };
	struct listing l;
	struct lc_cgfs lc;
	pid_t cpid, npid;
	int i, n = B.groups < 1000 ? B.groups : 1000;

	note("requests per operation: cgfs -d and nullfs -d");
	snprintf(base_opt, sizeof(base_opt), "base=/%s/trace", B.base);
	snprintf(conf_opt, sizeof(conf_opt), "config=%s", B.conf);
	cpid = start_daemon(cgfs_argv, B.tlog_cgfs);
	npid = start_daemon(null_argv, B.tlog_null);
	if (cpid < 0 || wait_mounted(cpid, B.mnt_tcgfs, "fuse.cgfs") < 0 || npid < 0 ||
	    wait_mounted(npid, B.mnt_tnull, "fuse.nullfs") < 0) {
		note("a traced server did not mount: logs %s %s", B.tlog_cgfs, B.tlog_null);
		goto out;
	}
	path_of(p, sizeof(p), "%s/%s", B.mnt_tcgfs, TREE);
	mkdir(p, 0755);
	path_of(p, sizeof(p), "%s/%s/k", B.mnt_tcgfs, TREE);
	mkdir(p, 0755);
	path_of(cr.path, sizeof(cr.path), "%s/%s/k/" KNOB, B.mnt_tcgfs, TREE);
	path_of(cw.path, sizeof(cw.path), "%s", cr.path);
	path_of(nr.path, sizeof(nr.path), "%s/knob", B.mnt_tnull);
	path_of(nw.path, sizeof(nw.path), "%s", nr.path);
	trace_op("knob read (open, read to EOF, close)", op_file, &cr, op_file, &nr);
	path_of(cm.path, sizeof(cm.path), "%s/%s/k/meminfo", B.mnt_tcgfs, TREE);
	if (access(cm.path, R_OK) == 0)
		trace_op("meminfo read (open, read to EOF, close)", op_file, &cm, NULL, NULL);
	trace_op("knob write (open O_TRUNC, write, close)", op_file, &cw, op_file, &nw);
	memset(&lc, 0, sizeof(lc));
	path_of(lc.path, sizeof(lc.path), "%s/%s/lc", B.mnt_tcgfs, TREE);
	trace_op("group lifecycle (mkdir, 3 knobs, rmdir)", op_lifecycle_cgfs, &lc, NULL, NULL);
	path_of(many, sizeof(many), "%s/%s/many", B.mnt_tcgfs, TREE);
	if (mkdir(many, 0755) == 0) {
		for (i = 0; i < n; i++) {
			path_of(p, sizeof(p), "%s/g%05d", many, i);
			if (mkdir(p, 0755) < 0)
				break;
		}
		path_of(l.path, sizeof(l.path), "%s", many);
		snprintf(what, sizeof(what), "readdir of %d groups", i);
		trace_op(what, op_list, &l, NULL, NULL);
		rmdir(many);
	}
out:
	stop_daemon(cpid);
	stop_daemon(npid);
}

static void print_trace(void)
{
	size_t i;

	if (!ntrace)
		return;
	printf("\nFUSE requests per operation (steady state, from the -d output of a second\n"
	       "cgfs and nullfs; RELEASE and FORGET are asynchronous, the rest wait):\n");
	for (i = 0; i < ntrace; i++) {
		printf("  %s\n    cgfs:   %s\n", trace_rows[i].what, trace_rows[i].cgfs);
		if (strcmp(trace_rows[i].null, "-") != 0)
			printf("    nullfs: %s\n", trace_rows[i].null);
	}
}

/* ---- the worker: set up, measure, print ---- */

static void print_header(void)
{
	struct utsname u;
	double load[3] = { 0, 0, 0 };
	size_t i;

	uname(&u);
	getloadavg(load, 3);
	printf("cgfs benchmark\n");
	printf("command: %s\n", B.cmdline);
	printf("host: %s %s, %ld CPUs online, load %.2f %.2f %.2f\n", u.sysname, u.release,
	       sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2]);
	printf("cgfs base: /%s in", B.base);
	for (i = 0; i < B.nh; i++)
		if (B.h[i].serving)
			printf(" %s", B.h[i].mnt);
	printf(" (groups listed from %s)\n", B.h[B.primary].mnt);
	printf("cgfs: %s\nnullfs: %s\n", B.cgfs, B.nullfs);
	fflush(stdout);
}

static int start_servers(void)
{
	char base_opt[128], conf_opt[128];
	char *cgfs_argv[] = { (char *)B.cgfs, "-f", "-o", base_opt, "-o", conf_opt,
	                      B.mnt_cgfs, NULL };
	char *null_argv[] = { (char *)B.nullfs, "-f", B.mnt_null, NULL };
	char p[PATH_MAX];
	int r;

	snprintf(base_opt, sizeof(base_opt), "base=/%s", B.base);
	snprintf(conf_opt, sizeof(conf_opt), "config=%s", B.conf);
	B.cgfs_pid = start_daemon(cgfs_argv, B.log);
	if (B.cgfs_pid < 0 || wait_mounted(B.cgfs_pid, B.mnt_cgfs, "fuse.cgfs") < 0) {
		note("cgfs did not mount; its log is %s", B.log);
		return -1;
	}
	B.null_pid = start_daemon(null_argv, B.log);
	if (B.null_pid < 0 || wait_mounted(B.null_pid, B.mnt_null, "fuse.nullfs") < 0) {
		note("nullfs did not mount; log %s", B.log);
		return -1;
	}
	/* root's tree, and one group whose knob the read cases use. */
	path_of(p, sizeof(p), "%s/%s", B.mnt_cgfs, TREE);
	if (mkdir(p, 0755) < 0) {
		note("mkdir %s: %s", p, strerror(errno));
		return -1;
	}
	path_of(p, sizeof(p), "%s/%s/k", B.mnt_cgfs, TREE);
	if (mkdir(p, 0755) < 0) {
		note("mkdir %s: %s", p, strerror(errno));
		return -1;
	}
	path_of(p, sizeof(p), "%s/%s/k/" KNOB, B.mnt_cgfs, TREE);
	r = write_whole(p, "512\n");
	if (r < 0) {
		note("%s: %s", p, strerror(-r));
		return -1;
	}
	return 0;
}

static int worker(void)
{
	sched_getaffinity(0, sizeof(all_cpus), &all_cpus);
	print_header();
	if (start_servers() < 0)
		return 1;
	if (B.cases & (1u << 1))
		case_knob(false);
	if (B.cases & (1u << 2))
		case_knob(true);
	if (B.cases & (1u << 3))
		case_lifecycle();
	if (B.cases & (1u << 4))
		case_meminfo();
	if (B.cases & (1u << 5))
		case_scale();
	if (B.cases & (1u << 6))
		case_concurrency();
	if (B.cases & (1u << 7))
		case_trace();
	print_table();
	print_trace();
	print_details();
	{
		double load[3] = { 0, 0, 0 };

		getloadavg(load, 3);
		printf("\nload at the end: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
	}
	fflush(stdout);
	return 0;
}

/* ---- the supervisor: clean up whatever the worker left ---- */

static volatile sig_atomic_t got_signal;
static volatile pid_t worker_pid;

static void on_signal(int sig)
{
	got_signal = sig;
	if (worker_pid > 0)
		kill(worker_pid, SIGTERM);
}

static pid_t parent_of(pid_t pid)
{
	char p[64], buf[512], *close_paren;
	int fd;
	ssize_t n;
	int ppid = -1;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	if (!close_paren || sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* Stops one child of ours: only a process whose parent we are (the
 * worker's orphans come to us as subreaper) is signalled. */
static void stop_child(pid_t pid)
{
	int i, st;

	if (pid <= 0 || parent_of(pid) != getpid())
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < STOP_WAIT_MS / 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/* Every process whose parent we are (the worker is gone by now). */
static size_t our_children(pid_t *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (parent_of(pid) == getpid())
			out[n++] = pid;
	}
	closedir(d);
	return n;
}

/* rmdir of dir and every directory below it, deepest first. Only
 * directories are removed: a cgroup's interface files go with it. */
static int rmdir_tree(const char *dir)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	int r = 0, tries;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (path_of(p, sizeof(p), "%s/%s", dir, de->d_name) == 0) {
			int rr = rmdir_tree(p);

			if (rr < 0 && r == 0)
				r = rr;
		}
	}
	closedir(d);
	for (tries = 0; tries < 50; tries++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return r;
		if (errno != EBUSY)
			break;
		sleep_ms(100);
	}
	return r ? r : -errno;
}

/* Stops, unmounts, removes; then checks. Returns 0 if nothing is left. */
static int cleanup(void)
{
	const char *mnts[5] = { B.mnt_cgfs, B.mnt_null, B.mnt_lxcfs, B.mnt_tcgfs, B.mnt_tnull };
	pid_t kids[64];
	size_t i, n, left = 0;
	char p[PATH_MAX];

	for (i = 0; i < MAX_DAEMONS; i++)
		stop_child(B.shm->daemon[i]);
	n = our_children(kids, 64);
	for (i = 0; i < n; i++)
		stop_child(kids[i]);
	for (i = 0; i < 5; i++) {
		int tries;

		for (tries = 0; tries < 5 && mounted(mnts[i], NULL); tries++)
			umount2(mnts[i], MNT_DETACH);
	}
	/* Our base, in every cgroup hierarchy there is (cgroup-tools and the
	 * direct references only ever made groups below it). */
	if (find_hierarchies() == 0 && B.base[0] && !strchr(B.base, '/')) {
		for (i = 0; i < B.nh; i++) {
			int r;

			if (path_of(p, sizeof(p), "%s/%s", B.h[i].mnt, B.base) < 0)
				continue;
			r = rmdir_tree(p);
			if (r < 0)
				fprintf(stderr, "[bench] cleanup: %s: %s\n", p, strerror(-r));
		}
	}

	printf("\ncleanup:");
	for (i = 0; i < B.nh; i++) {
		struct stat st;

		path_of(p, sizeof(p), "%s/%s", B.h[i].mnt, B.base);
		if (stat(p, &st) == 0) {
			printf(" LEFT %s;", p);
			left++;
		}
	}
	for (i = 0; i < 5; i++) {
		if (mounted(mnts[i], NULL)) {
			printf(" LEFT mount %s;", mnts[i]);
			left++;
		} else {
			rmdir(mnts[i]);
		}
	}
	n = our_children(kids, 64);
	for (i = 0; i < n; i++) {
		printf(" LEFT process %d;", (int)kids[i]);
		left++;
	}
	unlink(B.conf);
	unlink(B.lxcfs_pidfile);
	unlink(B.tlog_cgfs);
	unlink(B.tlog_null);
	if (left == 0) {
		printf(" nothing left: no /%s in any of %zu cgroup hierarchies, "
		       "no mount, no process of this run\n", B.base, B.nh);
		unlink(B.log);
	} else {
		printf(" (%zu things left; daemon log kept: %s)\n", left, B.log);
	}
	fflush(stdout);
	return left ? -1 : 0;
}

/* ---- start-up ---- */

static unsigned parse_cases(const char *s)
{
	unsigned m = 0;

	if (!s || !*s)
		return 0xfe;
	for (; *s; s++)
		if (*s >= '1' && *s <= '7')
			m |= 1u << (*s - '0');
	return m ? m : 0xfe;
}

static void make_cmdline(int argc, char *argv[])
{
	static const char *const vars[] = { "BENCH_GROUPS", "BENCH_FACTOR", "BENCH_CASES",
	                                    "BENCH_READERS_SECONDS" };
	size_t len = 0, i;
	int k;

	B.cmdline[0] = '\0';
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && len < sizeof(B.cmdline))
			len += (size_t)snprintf(B.cmdline + len, sizeof(B.cmdline) - len, "%s=%s ",
			                        vars[i], v);
	}
	for (k = 0; k < argc && len < sizeof(B.cmdline); k++)
		len += (size_t)snprintf(B.cmdline + len, sizeof(B.cmdline) - len, "%s%s",
		                        k ? " " : "", argv[k]);
}

static int make_temp_files(void)
{
	static const char nolimits[] = "[defaults]\nmax_groups = max\nmax_depth = max\n";
	int fd;

	snprintf(B.mnt_cgfs, sizeof(B.mnt_cgfs), "/tmp/cgfs-bench-mnt.XXXXXX");
	snprintf(B.mnt_null, sizeof(B.mnt_null), "/tmp/cgfs-bench-null.XXXXXX");
	snprintf(B.mnt_lxcfs, sizeof(B.mnt_lxcfs), "/tmp/cgfs-bench-lxcfs.XXXXXX");
	snprintf(B.conf, sizeof(B.conf), "/tmp/cgfs-bench-conf.XXXXXX");
	snprintf(B.log, sizeof(B.log), "/tmp/cgfs-bench-log.XXXXXX");
	snprintf(B.mnt_tcgfs, sizeof(B.mnt_tcgfs), "/tmp/cgfs-bench-tmnt.XXXXXX");
	snprintf(B.mnt_tnull, sizeof(B.mnt_tnull), "/tmp/cgfs-bench-tnull.XXXXXX");
	snprintf(B.tlog_cgfs, sizeof(B.tlog_cgfs), "/tmp/cgfs-bench-tcgfs-%d.log", (int)getpid());
	snprintf(B.tlog_null, sizeof(B.tlog_null), "/tmp/cgfs-bench-tnull-%d.log", (int)getpid());
	snprintf(B.lxcfs_pidfile, sizeof(B.lxcfs_pidfile), "/tmp/cgfs-bench-lxcfs-%d.pid",
	         (int)getpid());
	if (!mkdtemp(B.mnt_cgfs) || !mkdtemp(B.mnt_null) || !mkdtemp(B.mnt_lxcfs) ||
	    !mkdtemp(B.mnt_tcgfs) || !mkdtemp(B.mnt_tnull))
		return -errno;
	/* No caps, whatever /etc/cgfs.conf says, and no default limit on
	 * the number or depth of groups: the cases make thousands. */
	fd = mkstemp(B.conf);
	if (fd < 0)
		return -errno;
	if (write(fd, nolimits, sizeof(nolimits) - 1) != (ssize_t)sizeof(nolimits) - 1) {
		close(fd);
		return -EIO;
	}
	close(fd);
	fd = mkstemp(B.log);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int main(int argc, char *argv[])
{
	struct sigaction sa;
	pid_t pid;
	int st, rc, r;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CGFS_BINARY NULLFS_BINARY\n", argv[0]);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "%s: must run as root (it mounts and makes cgroups)\n", argv[0]);
		return 2;
	}
	B.cgfs = argv[1];
	B.nullfs = argv[2];
	B.groups = getenv("BENCH_GROUPS") ? atoi(getenv("BENCH_GROUPS")) : 10000;
	B.factor = getenv("BENCH_FACTOR") ? atof(getenv("BENCH_FACTOR")) : 1.0;
	B.readers_seconds = getenv("BENCH_READERS_SECONDS") ?
	                            atof(getenv("BENCH_READERS_SECONDS")) : 1.0;
	B.cases = parse_cases(getenv("BENCH_CASES"));
	if (B.groups < 1 || B.groups > 60000 || !(B.factor > 0) || !(B.readers_seconds > 0)) {
		fprintf(stderr, "BENCH_GROUPS must be 1..60000, BENCH_FACTOR and "
		                "BENCH_READERS_SECONDS positive\n");
		return 2;
	}
	make_cmdline(argc, argv);
	snprintf(B.base, sizeof(B.base), "cgfs-bench-%d", (int)getpid());
	if (find_hierarchies() < 0) {
		fprintf(stderr, "no cgroup hierarchy found in /proc/self/mountinfo\n");
		return 1;
	}
	B.shm = mmap(NULL, sizeof(*B.shm), PROT_READ | PROT_WRITE,
	             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (B.shm == MAP_FAILED)
		return 1;
	memset(B.shm, 0, sizeof(*B.shm));
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	r = make_temp_files();
	if (r < 0) {
		fprintf(stderr, "temporary files: %s\n", strerror(-r));
		cleanup();
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		cleanup();
		return 1;
	}
	if (pid == 0) {
		sa.sa_handler = SIG_DFL;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		_exit(worker());
	}
	worker_pid = pid;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	worker_pid = 0;
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (got_signal)
		fprintf(stderr, "[bench] stopped by signal %d; cleaning up\n", (int)got_signal);
	else if (rc != 0)
		fprintf(stderr, "[bench] the worker failed (status %d); cleaning up\n", rc);
	if (cleanup() < 0 && rc == 0)
		rc = 1;
	return got_signal ? 128 + got_signal : rc;
}
