// SPDX-License-Identifier: MIT
/*
 * The harness every case uses: the run's state, small helpers, the cgroup
 * hierarchies cgfs serves and the mounts, and the processes the worker
 * starts (see bench.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

#define READ_CHUNK 16384           /* read_whole's buffer */
#define EXIT_EXEC_FAILED 127       /* as a shell reports a command it cannot run */
#define NOTIFIER_COMM "cgfs-notify" /* the name of cgfs's notifier process */

struct bench B;

/* ---- small helpers ---- */

double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "[bench] ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

size_t scaled(size_t n)
{
	double v = (double)n * B.factor;

	return v < 1 ? 1 : (size_t)v;
}

/* cat(1): open, read until EOF, close. */
int read_whole(const char *path)
{
	char buf[READ_CHUNK];
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
int write_whole(const char *path, const char *text)
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
int read_line(const char *path, char *buf, size_t size)
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

int path_of(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Path of REL below the run's base in hierarchy h. */
void real_path(char *out, size_t size, int h, const char *rel)
{
	if (path_of(out, size, "%s/%s/%s", hier_at(h)->mountpoint, B.base, rel) < 0)
		out[0] = '\0';
}

/* ---- the cgroup hierarchies cgfs serves ---- */

/* The hierarchy cgfs lists groups from, chosen as cgfs chooses: cgroup2
 * if it serves, else the freezer's, else the first that serves. */
static int primary_of(const struct layout *l)
{
	size_t i;

	if (l->v2 >= 0 && l->hier[l->v2].ctrls)
		return l->v2;
	if (l->by_ctrl[CTRL_FREEZER] >= 0)
		return l->by_ctrl[CTRL_FREEZER];
	for (i = 0; i < l->n; i++)
		if (l->hier[i].ctrls)
			return (int)i;
	return -1;
}

int find_hierarchies(void)
{
	struct layout l;
	int r = layout_load(&l);

	if (r < 0)
		return r;
	layout_free(&B.layout);
	B.layout = l;
	B.primary = primary_of(&B.layout);
	return B.primary < 0 ? -ENOENT : 0;
}

/* ---- mounts ---- */

/* A mountinfo line: the mount point is its fifth field; the file system
 * type and the super options follow the "-" separator. */
#define MOUNTINFO_LINE_MAX 4096
#define MI_FIELDS_MAX 16
#define MI_MOUNTPOINT 4
#define MI_AFTER_SEP 3

/* Whether line (split in place) mounts type (NULL: any) at mnt. */
static bool mount_line_is(char *line, const char *mnt, const char *type)
{
	char *field[MI_FIELDS_MAX], *save = NULL, *tok;
	int n = 0, sep = -1;

	for (tok = strtok_r(line, " \n", &save); tok && n < MI_FIELDS_MAX;
	     tok = strtok_r(NULL, " \n", &save)) {
		if (sep < 0 && strcmp(tok, "-") == 0)
			sep = n;
		field[n++] = tok;
	}
	if (sep <= MI_MOUNTPOINT || sep + MI_AFTER_SEP >= n)
		return false;
	return strcmp(field[MI_MOUNTPOINT], mnt) == 0 &&
	       (!type || strcmp(field[sep + 1], type) == 0);
}

/* The run's FUSE mounts are no cgroup hierarchies, the only mounts
 * layout.h reads, so this reads mountinfo itself. */
bool mounted(const char *mnt, const char *type)
{
	char line[MOUNTINFO_LINE_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = mount_line_is(line, mnt, type);
	fclose(f);
	return found;
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
pid_t start_daemon(char *const argv[], const char *log)
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
		_exit(EXIT_EXEC_FAILED);
	}
	record_daemon(pid);
	return pid;
}

int wait_mounted(pid_t pid, const char *mnt, const char *type)
{
	int i, st;

	for (i = 0; i < MOUNT_WAIT_MS / POLL_MS; i++) {
		if (mounted(mnt, type))
			return 0;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			forget_daemon(pid);
			return -ECHILD;
		}
		sleep_ms(POLL_MS);
	}
	return -ETIMEDOUT;
}

int stop_daemon(pid_t pid)
{
	int i, st;

	if (pid <= 0)
		return 0;
	kill(pid, SIGTERM);
	for (i = 0; i < STOP_WAIT_MS / POLL_MS; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			goto reaped;
		sleep_ms(POLL_MS);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
reaped:
	forget_daemon(pid);
	return 0;
}

/* Runs argv to its end with stdout to /dev/null; 0 if it exited 0. */
int run_tool(char *const argv[])
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
long proc_kib(pid_t pid, const char *file, const char *key)
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

/* cgfs's server, below its supervisor: the child that is not the
 * notifier ("cgfs-notify"). */
pid_t child_of(pid_t pid)
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
		if (fgets(comm, sizeof(comm), cf) &&
		    strncmp(comm, NOTIFIER_COMM, sizeof(NOTIFIER_COMM) - 1) != 0)
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
long daemon_kib(void)
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

