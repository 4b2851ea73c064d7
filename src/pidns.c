// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/nsfs.h>

#include "cgfs/cgfile.h"
#include "cgfs/pidns.h"
#include "cgfs/proc.h"
#include "cgfs/util.h"

/* Not in older uapi headers (Debian 12's): the values of Linux 6.11. */
#ifndef NS_GET_PID_FROM_PIDNS
#define NS_GET_PID_FROM_PIDNS _IOR(NSIO, 0x6, int)
#endif
#ifndef NS_GET_PID_IN_PIDNS
#define NS_GET_PID_IN_PIDNS _IOR(NSIO, 0x8, int)
#endif

/* ---- pure parts ---- */

int pidns_parse_nspid(const char *status, pid_t *ids, size_t max)
{
	const char *p = proc_status_field(status, "NSpid");
	unsigned long v;
	size_t n = 0;
	int res;

	if (!p)
		return -EINVAL;
	while ((res = proc_field_next(&p, &v)) > 0) {
		if (n == max || v == 0 || v > INT_MAX)
			return -EINVAL;
		ids[n++] = (pid_t)v;
	}
	return res < 0 || n == 0 ? -EINVAL : (int)n;
}

int pidns_steps_up(int n, int level)
{
	/* NSpid's last entry is the process's own namespace, n - 1 levels
	 * below the /proc mount's (the daemon's). */
	if (n < 1 || level < 0 || n - 1 < level)
		return -ESRCH;
	return n - 1 - level;
}

/* Room for one pid and its newline. */
#define PID_TEXT_MAX 16

int pidns_map_list(const char *in, size_t len, int (*map)(void *arg, pid_t pid, pid_t *ret),
                   void *arg, char **ret)
{
	size_t cap = len + 64, used = 0, i = 0;
	char *out = malloc(cap);
	unsigned long v;
	pid_t to;
	int res = 0;

	if (!out)
		return -ENOMEM;
	while (res == 0 && i < len) {
		const char *line = in + i, *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) : len - i;
		char num[16], *end;

		i += n + (nl != NULL);
		if (n == 0 || n >= sizeof(num)) {
			res = -EINVAL;
			break;
		}
		memcpy(num, line, n);
		num[n] = '\0';
		errno = 0;
		v = strtoul(num, &end, 10);
		if (*end || num[0] < '0' || num[0] > '9' || errno || v == 0 || v > INT_MAX) {
			res = -EINVAL;
			break;
		}
		res = map(arg, (pid_t)v, &to);
		if (res == -ESRCH) {
			res = 0;
			continue;
		}
		if (res < 0)
			break;
		if (vec_reserve(&out, &cap, used + PID_TEXT_MAX, 1, cap) < 0) {
			res = -ENOMEM;
			break;
		}
		used += (size_t)snprintf(out + used, cap - used, "%d\n", (int)to);
	}
	if (res < 0) {
		free(out);
		return res;
	}
	*ret = out;
	return (int)used;
}

/* ---- the daemon's namespace, and which way to translate ---- */

static struct {
	pthread_once_t once;
	int err;
	dev_t dev;
	ino_t ino;
	char name[64]; /* the link's text, "pid:[INODE]" */
} self = { .once = PTHREAD_ONCE_INIT };

/* 1: the kernel translates (NS_GET_PID_*), 0: it does not (ENOTTY), so
 * /proc is read instead. Starts at 1, drops to 0 on the first ENOTTY. */
static atomic_int have_ioctl = 1;

void pidns_use_ioctl(bool on)
{
	atomic_store(&have_ioctl, on);
}

static void self_init(void)
{
	struct stat st;
	ssize_t n;

	if (stat("/proc/self/ns/pid", &st) < 0) {
		self.err = -errno;
		return;
	}
	n = readlink("/proc/self/ns/pid", self.name, sizeof(self.name) - 1);
	if (n <= 0) {
		self.err = n < 0 ? -errno : -EIO;
		return;
	}
	self.name[n] = '\0';
	self.dev = st.st_dev;
	self.ino = st.st_ino;
}

/* Whether the link at path names the daemon's own namespace: its text
 * holds the namespace's inode number. A readlink only formats it; a stat
 * has nsfs find the inode itself, three times the cost (6 against 18 us
 * here). 1, 0 or -errno. */
static int same_as_self(const char *path)
{
	char name[64];
	ssize_t n;

	n = readlink(path, name, sizeof(name) - 1);
	if (n < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	name[n] = '\0';
	return strcmp(name, self.name) == 0;
}

int pidns_view_open(struct pidns_view *v, pid_t caller)
{
	char path[64];
	struct stat st;
	int fd, res;

	*v = (struct pidns_view){ .fd = -1, .level = -1, .caller = caller };
	pthread_once(&self.once, self_init);
	if (self.err)
		return self.err;
	/* A caller the daemon's namespace does not see is in none below it:
	 * nothing it names or reads can be translated. */
	if (caller <= 0) {
		v->blind = true;
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)caller);
	res = same_as_self(path);
	if (res < 0)
		return res;
	if (res) {
		v->same = true;
		v->level = 0;
		return 0;
	}
	/* Another namespace: what is translated below goes by the open file,
	 * which is what this fstat describes. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -ESRCH;
	}
	if (st.st_dev == self.dev && st.st_ino == self.ino) {
		close(fd);
		v->same = true;
		v->level = 0;
		return 0;
	}
	v->fd = fd;
	v->dev = st.st_dev;
	v->ino = st.st_ino;
	return 0;
}

void pidns_view_close(struct pidns_view *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

/* ---- the /proc fallback ---- */

/* NSpid of the process whose /proc directory is dfd. */
static int nspid_at(int dfd, pid_t *ids)
{
	char buf[4096];

	if (proc_read_at(dfd, "status", buf, sizeof(buf)) < 0)
		return -ESRCH;
	return pidns_parse_nspid(buf, ids, PIDNS_MAX_LEVELS);
}

static int open_proc(pid_t pid)
{
	int fd = proc_open(pid);

	return fd < 0 ? -ESRCH : fd;
}

/* The caller's depth below the daemon's namespace, from its NSpid. */
static int view_level(struct pidns_view *v)
{
	pid_t ids[PIDNS_MAX_LEVELS];
	int dfd, n;

	if (v->level >= 0)
		return v->level;
	dfd = open_proc(v->caller);
	if (dfd < 0)
		return dfd;
	n = nspid_at(dfd, ids);
	close(dfd);
	if (n < 0)
		return n;
	v->level = n - 1;
	return v->level;
}

/* Whether the pid namespace of the process at dfd is the caller's or one
 * below it, `steps` levels down: the kernel's parent links say, never a
 * guess from numbers. 0 or -ESRCH. */
static int ns_below(const struct pidns_view *v, int dfd, int steps)
{
	struct stat st;
	int fd, up, res = -ESRCH;

	fd = openat(dfd, "ns/pid", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	while (steps-- > 0) {
		up = ioctl(fd, NS_GET_PARENT);
		close(fd);
		if (up < 0)
			return -ESRCH;
		fd = up;
	}
	if (fstat(fd, &st) == 0 && st.st_dev == v->dev && st.st_ino == v->ino)
		res = 0;
	close(fd);
	return res;
}

/* host's pid in the caller's namespace, through /proc. The /proc
 * directory fd stays with the process it was opened for: a recycled
 * pid makes every read below it fail instead of reading another's. */
static int from_host_proc(struct pidns_view *v, pid_t host, pid_t *ret)
{
	pid_t ids[PIDNS_MAX_LEVELS];
	int dfd, n, level, steps, res;

	level = view_level(v);
	if (level < 0)
		return level;
	dfd = open_proc(host);
	if (dfd < 0)
		return dfd;
	n = nspid_at(dfd, ids);
	steps = n < 0 ? n : pidns_steps_up(n, level);
	res = steps < 0 ? -ESRCH : ns_below(v, dfd, steps);
	close(dfd);
	if (res == 0)
		*ret = ids[level];
	return res;
}

/* pid of the caller's namespace in the host's, through /proc: the kernel
 * has no lookup by a foreign namespace's pid before NS_GET_PID_FROM_PIDNS,
 * so every process is looked at. Only for old kernels and containers. */
struct host_find {
	struct pidns_view *v;
	int proc_fd;
	int level;
	pid_t pid, got;
};

/* A cgfile_dir_each() callback over /proc: 1 at the process wanted. */
static int host_find_one(void *arg, const char *name, unsigned char type, ino_t ino)
{
	struct host_find *f = arg;
	pid_t ids[PIDNS_MAX_LEVELS];
	int n, dfd, found = 0;
	char *end;
	long host = strtol(name, &end, 10);

	if (*end || host <= 0)
		return 0;
	dfd = openat(f->proc_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	n = nspid_at(dfd, ids);
	if (n > f->level && ids[f->level] == f->pid && ids[0] == (pid_t)host &&
	    ns_below(f->v, dfd, pidns_steps_up(n, f->level)) == 0) {
		f->got = (pid_t)host;
		found = 1;
	}
	close(dfd);
	return found;
}

static int to_host_proc(struct pidns_view *v, pid_t pid, pid_t *ret)
{
	struct host_find f = { .v = v, .pid = pid };
	int res;

	f.level = view_level(v);
	if (f.level < 0)
		return f.level;
	f.proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f.proc_fd < 0)
		return -errno;
	res = cgfile_dir_each(f.proc_fd, host_find_one, &f);
	close(f.proc_fd);
	if (res == 1)
		*ret = f.got;
	return res == 1 ? 0 : res < 0 ? res : -ESRCH;
}

/* ---- translation ---- */

/* The kernel's answer to one NS_GET_PID_* request: 1 done, 0 not
 * supported here (fall back to /proc), or -errno. */
static int ns_ioctl(const struct pidns_view *v, unsigned long req, pid_t pid, pid_t *ret)
{
	int res;

	if (!atomic_load(&have_ioctl))
		return 0;
	res = ioctl(v->fd, req, (unsigned long)pid);
	if (res > 0) {
		*ret = res;
		return 1;
	}
	if (errno == ENOTTY) {
		atomic_store(&have_ioctl, 0);
		return 0;
	}
	return errno == ESRCH ? -ESRCH : -errno;
}

int pidns_from_host(struct pidns_view *v, pid_t host, pid_t *ret)
{
	int res;

	if (v->same) {
		*ret = host;
		return 0;
	}
	if (v->blind)
		return -ESRCH;
	res = ns_ioctl(v, NS_GET_PID_IN_PIDNS, host, ret);
	if (res != 0)
		return res < 0 ? res : 0;
	return from_host_proc(v, host, ret);
}

int pidns_to_host(struct pidns_view *v, pid_t pid, pid_t *ret)
{
	int res;

	if (v->same) {
		*ret = pid;
		return 0;
	}
	if (v->blind)
		return -ESRCH;
	res = ns_ioctl(v, NS_GET_PID_FROM_PIDNS, pid, ret);
	if (res != 0)
		return res < 0 ? res : 0;
	return to_host_proc(v, pid, ret);
}

static int map_from_host(void *arg, pid_t pid, pid_t *ret)
{
	return pidns_from_host(arg, pid, ret);
}

int pidns_list(struct pidns_view *v, char **buf, int len)
{
	char *out = NULL;
	int res;

	if (v->same)
		return len;
	res = pidns_map_list(*buf, (size_t)len, map_from_host, v, &out);
	free(*buf);
	*buf = out;
	return res;
}

int pidns_list_for(pid_t caller, char **buf, int len)
{
	struct pidns_view v;
	int res;

	res = pidns_view_open(&v, caller);
	if (res == 0)
		res = pidns_list(&v, buf, len);
	else {
		free(*buf);
		*buf = NULL;
	}
	pidns_view_close(&v);
	return res;
}
