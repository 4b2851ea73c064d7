// SPDX-License-Identifier: MIT
/*
 * adversary: three real users, each a process of their own (setresuid),
 * do random things to one cgfs mount, and every step is checked against
 * the real cgroup files.
 *
 *   adversary MNT BASE SEED SECONDS [MAX_STEPS]
 *
 * Runs as root, with the trees of cgfs-alice, cgfs-bob and cgfs-carol
 * made. Each step one user (or, rarely, root) makes or removes a group,
 * reads or writes a knob or a raw/ file (valid values and invalid ones,
 * in their tree and in other users'), opens a file and keeps the handle
 * (across removals of its group), writes or reads through a kept handle,
 * passes a handle to another user (SCM_RIGHTS), moves a process into a
 * group (one of its own, another user's, root's, pid 1), freezes, kills,
 * or starts a process to move. Before and after the step the program
 * takes a digest of every setting file (lib.sh's list) of every cgroup
 * below the base, in every hierarchy, one per user tree and one for the
 * base outside the trees, and checks:
 *   - a step changes nothing outside the tree of whose authority it used
 *     (the actor's, or the opener's of a handle passed to it);
 *   - a refused step changes nothing at all, nor does a read;
 *   - a step that must be refused (another user's tree, a cap, pid 1,
 *     a handle of a group removed since) is;
 *   - the daemon answers root after each step;
 *   - at the end, once the trees are removed, no cgroup is left below the
 *     base.
 * The sequence depends only on the seed and the kernel's answers. The
 * last steps are printed on a failure, with the seed that replays it.
 * Exit 0: every invariant held; 1: one did not (printed); 2: usage or
 * set-up failure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NUSERS 3
#define OWNERS (NUSERS + 1) /* the trees, and the base outside them */
#define BASE_OWNER NUSERS
#define NHANDLES 8
#define NSPAWN 3
#define HISTORY 24

static const char *const user_names[NUSERS] = { "cgfs-alice", "cgfs-bob", "cgfs-carol" };

/* ---- randomness: xorshift64*, nothing but the seed decides ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rng() % n);
}

#define PICK(a) ((a)[pick(sizeof(a) / sizeof((a)[0]))])

/* ---- the groups a tree may have: "", a, a/b, a/b/c over {a, b, c} ---- */

#define NPATHS (1 + 3 + 9 + 27)
static char paths[NPATHS][8];

static void paths_init(void)
{
	int i = 1, a, b, c;

	paths[0][0] = '\0';
	for (a = 0; a < 3; a++) {
		snprintf(paths[i++], sizeof(paths[0]), "%c", 'a' + a);
		for (b = 0; b < 3; b++) {
			snprintf(paths[i++], sizeof(paths[0]), "%c/%c", 'a' + a, 'a' + b);
			for (c = 0; c < 3; c++)
				snprintf(paths[i++], sizeof(paths[0]), "%c/%c/%c", 'a' + a, 'a' + b,
				         'a' + c);
		}
	}
}

/* p is q or below it */
static bool path_under(const char *p, const char *q)
{
	size_t n = strlen(q);

	return n == 0 || (strncmp(p, q, n) == 0 && (p[n] == '\0' || p[n] == '/'));
}

/* ---- what the program knows ---- */

struct handle {
	bool used;
	int opener;   /* whose authority: the user who opened it */
	int tree, path;
	unsigned incarnation;
	bool writable;
	char what[64]; /* knob or raw/FILE */
};

struct user {
	uid_t uid;
	gid_t gid;
	pid_t worker;
	int sock;
	struct handle h[NHANDLES];
	pid_t spawned[NSPAWN]; /* 0: none */
};

static struct user users[NUSERS];
static bool exists[NUSERS][NPATHS];
static unsigned incarnation[NUSERS][NPATHS];
static pid_t root_proc;
static const char *mnt, *base;
static char history[HISTORY][1600];
static unsigned long steps;
static uint64_t seed;

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(history[steps % HISTORY], sizeof(history[0]), fmt, ap);
	va_end(ap);
	if (getenv("CGFS_ADVERSARY_VERBOSE"))
		printf("# %lu %s\n", steps, history[steps % HISTORY]);
}

static void fail(const char *fmt, ...)
{
	unsigned long i;
	va_list ap;

	printf("# the last steps:\n");
	for (i = steps >= HISTORY ? steps - HISTORY + 1 : 0; i <= steps; i++)
		printf("#   %lu: %s\n", i, history[i % HISTORY]);
	printf("FAILED at step %lu (seed %llu, replay: CGFS_ADVERSARY_SEED=%llu): ", steps,
	       (unsigned long long)seed, (unsigned long long)seed);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

static void die(const char *what)
{
	printf("adversary: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(2);
}

/* ---- the digest of the real cgroup files ---- */

static const char *const settings[] = {
	"memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes",
	"memory.max", "memory.high", "memory.swap.max", "memory.low", "memory.min",
	"memory.zswap.max", "cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.cfs_burst_us",
	"cpu.shares", "cpu.max", "cpu.max.burst", "cpu.weight", "cpuset.cpus", "cpuset.mems",
	"pids.max",
	"blkio.bfq.weight", "blkio.weight", "io.weight", "io.bfq.weight", "freezer.state",
	"cgroup.freeze", "cgroup.procs", "cgroup.subtree_control", "cgroup.max.descendants",
	"cgroup.max.depth", "cgroup.type",
};

#define MAX_MOUNTS 16
static char mounts[MAX_MOUNTS][PATH_MAX];
static int nmounts;

static void mounts_init(void)
{
	char line[4096], mp[PATH_MAX], fstype[64], where[PATH_MAX + 256];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	struct stat st;
	char *sep;

	if (!f)
		die("/proc/self/mountinfo");
	while (fgets(line, sizeof(line), f) && nmounts < MAX_MOUNTS) {
		sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
		    sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
			continue;
		snprintf(where, sizeof(where), "%s/%s", mp, base);
		if (stat(where, &st) == 0)
			snprintf(mounts[nmounts++], sizeof(mounts[0]), "%s", mp);
	}
	fclose(f);
	if (nmounts == 0) {
		printf("adversary: no hierarchy has %s\n", base);
		exit(2);
	}
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * 1099511628211ULL;
	return h;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A setting file's content, normalised: its lines sorted (cgroup.procs
 * keeps no order), FREEZING as FROZEN (v1 gets there in its own time). */
static uint64_t file_hash(uint64_t h, const char *file)
{
	char buf[65536], *lines[4096], *s, *save = NULL;
	int fd = open(file, O_RDONLY | O_CLOEXEC), n = 0, i;
	ssize_t len;

	if (fd < 0)
		return fnv(h, "-", 1);
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return fnv(h, "!", 1);
	buf[len] = '\0';
	for (s = strtok_r(buf, "\n", &save); s && n < 4096; s = strtok_r(NULL, "\n", &save))
		lines[n++] = strcmp(s, "FREEZING") == 0 ? "FROZEN" : s;
	qsort(lines, (size_t)n, sizeof(lines[0]), cmp_str);
	for (i = 0; i < n; i++)
		h = fnv(h, lines[i], strlen(lines[i]) + 1);
	return h;
}

static int owner_of(const char *rel)
{
	int i;
	size_t n;

	for (i = 0; i < NUSERS; i++) {
		n = strlen(user_names[i]);
		if (strncmp(rel, user_names[i], n) == 0 && (rel[n] == '\0' || rel[n] == '/'))
			return i;
	}
	return BASE_OWNER;
}

static bool is_setting(const char *name)
{
	size_t k;

	for (k = 0; k < sizeof(settings) / sizeof(settings[0]); k++)
		if (strcmp(name, settings[k]) == 0)
			return true;
	return false;
}

static void digest_dir(uint64_t d[OWNERS], const char *mp, const char *rel)
{
	char dir[PATH_MAX], f[PATH_MAX + 256], sub[PATH_MAX];
	struct dirent **ents;
	int n, i, o = owner_of(rel);
	const char *name;

	snprintf(dir, sizeof(dir), "%s/%s%s%s", mp, base, *rel ? "/" : "", rel);
	d[o] = fnv(d[o], dir, strlen(dir) + 1);
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		d[o] = fnv(d[o], "gone", 4); /* removed while we looked */
		return;
	}
	for (i = 0; i < n; i++) {
		name = ents[i]->d_name;
		if (ents[i]->d_type == DT_DIR && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", name);
			digest_dir(d, mp, sub);
		} else if (ents[i]->d_type == DT_REG && is_setting(name)) {
			snprintf(f, sizeof(f), "%s/%s", dir, name);
			d[o] = fnv(d[o], name, strlen(name) + 1);
			d[o] = file_hash(d[o], f);
		}
		free(ents[i]);
	}
	free(ents);
}

static void digest(uint64_t d[OWNERS])
{
	int i;

	for (i = 0; i < OWNERS; i++)
		d[i] = 14695981039346656037ULL;
	for (i = 0; i < nmounts; i++)
		digest_dir(d, mounts[i], "");
}

/* ---- the users' processes: workers that do what they are told ---- */

enum wop { W_MKDIR, W_RMDIR, W_WRITE, W_READ, W_OPEN, W_HWRITE, W_HREAD, W_GIVE, W_TAKE,
           W_QUIT };

struct req {
	int op, h, writable;
	char path[1024];
	char val[128];
};

struct rep {
	int err; /* 0 or an errno */
};

static int send_msg(int sock, const void *p, size_t n, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)p, n };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* Receives one message; *fd gets a descriptor passed with it, or -1. */
static int recv_msg(int sock, void *p, size_t n, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { p, n };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
		            .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t r = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);

	if (fd)
		*fd = -1;
	if (r != (ssize_t)n)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_type == SCM_RIGHTS) {
		if (fd)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
		else {
			int x;
			memcpy(&x, CMSG_DATA(c), sizeof(int));
			close(x);
		}
	}
	return 0;
}

static int errno_of(int r)
{
	return r < 0 ? errno : 0;
}

static int do_write(int fd, const char *val)
{
	size_t n = strlen(val);
	ssize_t w = pwrite(fd, val, n, 0);

	if (w < 0)
		return errno;
	return (size_t)w == n ? 0 : EIO;
}

static int do_read(int fd)
{
	char buf[65536];

	return pread(fd, buf, sizeof(buf), 0) < 0 ? errno : 0;
}

static void worker(int sock)
{
	int fds[NHANDLES], fd, i;
	struct req q;
	struct rep a;

	for (i = 0; i < NHANDLES; i++)
		fds[i] = -1;
	while (recv_msg(sock, &q, sizeof(q), &fd) == 0) {
		int give = -1;

		a.err = 0;
		switch (q.op) {
		case W_MKDIR:
			a.err = errno_of(mkdir(q.path, 0755));
			break;
		case W_RMDIR:
			a.err = errno_of(rmdir(q.path));
			break;
		case W_WRITE:
		case W_READ:
			fd = open(q.path, (q.op == W_WRITE ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
			if (fd < 0) {
				a.err = errno;
				break;
			}
			a.err = q.op == W_WRITE ? do_write(fd, q.val) : do_read(fd);
			close(fd);
			break;
		case W_OPEN:
			if (fds[q.h] >= 0)
				close(fds[q.h]);
			fds[q.h] = open(q.path, (q.writable ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
			a.err = fds[q.h] < 0 ? errno : 0;
			break;
		case W_HWRITE:
			a.err = do_write(fds[q.h], q.val);
			break;
		case W_HREAD:
			a.err = do_read(fds[q.h]);
			break;
		case W_GIVE:
			give = fds[q.h];
			break;
		case W_TAKE:
			if (fds[q.h] >= 0)
				close(fds[q.h]);
			fds[q.h] = fd;
			a.err = fd < 0 ? EBADF : 0;
			break;
		case W_QUIT:
			_exit(0);
		}
		if (send_msg(sock, &a, sizeof(a), give) < 0)
			_exit(3);
	}
	_exit(0);
}

static void become(int u)
{
	if (setgroups(0, NULL) < 0 || setresgid(users[u].gid, users[u].gid, users[u].gid) < 0 ||
	    setresuid(users[u].uid, users[u].uid, users[u].uid) < 0)
		_exit(4);
	/* Credentials changed: the death signal was reset. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void workers_start(void)
{
	int u, sv[2];
	pid_t p;

	for (u = 0; u < NUSERS; u++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
			die("socketpair");
		p = fork();
		if (p < 0)
			die("fork");
		if (p == 0) {
			close(sv[0]);
			become(u);
			worker(sv[1]);
		}
		close(sv[1]);
		users[u].worker = p;
		users[u].sock = sv[0];
	}
}

/* Has user u's worker do q; fd_in is passed along (W_TAKE), *fd_out
 * receives one (W_GIVE). The errno of the operation, 0 if it did. */
static int ask(int u, struct req *q, int fd_in, int *fd_out)
{
	struct rep a;

	if (send_msg(users[u].sock, q, sizeof(*q), fd_in) < 0 ||
	    recv_msg(users[u].sock, &a, sizeof(a), fd_out) < 0)
		fail("the worker of %s does not answer", user_names[u]);
	return a.err;
}

/* A process of user u (u < 0: root's) that waits to be moved or killed. */
static pid_t spawn(int u)
{
	pid_t p = fork();

	if (p < 0)
		die("fork");
	if (p == 0) {
		int i;

		for (i = 0; i < NUSERS; i++)
			close(users[i].sock);
		if (u >= 0)
			become(u);
		else
			prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return p;
}

/* ---- one step ---- */

struct step {
	int actor;     /* user, or -1: root */
	int authority; /* whose tree may change; -1: any but the others' trees */
	int tree;      /* root's step: the tree it may change */
	bool must_fail, reads;
	int kill_tree, kill_path; /* a kill: its processes are waited for */
	char desc[1536];
};

static const char *const knobs[] = {
	"memory_limit_mb", "memory_high_mb", "memory_swap_limit_mb", "cpu_percent", "cpu_weight",
	"cpus", "pids_max", "io_weight", "freeze", "kill", "procs", "memory_usage_mb", "stat",
	"pids_current", "meminfo", "memory_low_mb", "memory_min_mb", "memory_zswap_limit_mb",
	"cpu_period_us", "cpu_burst_percent", "mems", "pressure", "io_read_mbps", "io_write_iops",
	"bogus", "events", "proc/meminfo", "proc/cpuinfo", "proc/stat", "proc/uptime",
	"proc/loadavg", "proc/swaps", "sys/devices/system/cpu/online", "proc/bogus",
};
static const char *const raws[] = {
	"pids.max", "memory.max", "memory.limit_in_bytes", "memory.high", "cpu.weight",
	"cpu.shares", "cpu.max", "cpu.cfs_quota_us", "cgroup.procs", "cgroup.subtree_control",
	"cgroup.freeze", "freezer.state", "cgroup.kill", "cgroup.max.descendants",
	"cgroup.max.depth", "cpuset.cpus", "cgroup.type", "io.weight", "memory.oom.group",
	"cpuset.cpu_exclusive", "memory.use_hierarchy", "nope",
};
/* Never a memory limit that would OOM-kill a process: its death would
 * change cgroup.procs while another user acts. */
static const char *const mem_values[] = {
	"max", "64", "128", "512", "1G", "2G", "-1", "abc", "1e3", "0x10", "5 M", "512MB",
	"99999999999999999999999", "", "\n", "64\n", " 64", "1.5G",
};
static const char *const values[] = {
	"max", "1", "0", "2", "50", "100", "200", "1000", "10000", "0-1", "0", "1-0", "-1",
	"abc", "1e3", "0x10", "99999999999999999999999", "", "\n", "1\n", "1 2", "0,1",
	"100000", "max 100000", "/dev/vda 1", "/dev/vda max", "7:0 2", "/dev/null 1",
	"/dev/../proc/self/fd/0 1", "/dev/vda 1\n/dev/null 1",
};
static const char *const mem_raw_values[] = {
	"max", "67108864", "134217728", "64M", "1G", "-1", "abc", "",
};
static const char *const raw_values[] = {
	"max", "1", "0", "2", "100", "10000", "+pids", "-pids", "+memory", "-cpu", "threaded",
	"domain", "FROZEN", "THAWED", "abc", "", "50000 100000", "max 100000", "0-1", "-1",
};

static bool is_memory(const char *what)
{
	return strstr(what, "memory") != NULL;
}

static bool is_kill(const char *what)
{
	return strcmp(what, "kill") == 0 || strcmp(what, "raw/cgroup.kill") == 0;
}

/* At a tree root the user writes procs, freeze and kill; the rest is
 * the administrator's. */
static bool user_file(const char *what, int path)
{
	return path != 0 || strcmp(what, "procs") == 0 || strcmp(what, "freeze") == 0 ||
	       strcmp(what, "kill") == 0;
}

static bool read_only(const char *what)
{
	static const char *const ro[] = { "memory_usage_mb", "stat", "pids_current", "meminfo",
	                                  "pressure", "events" };
	size_t i;

	/* the views: proc/ and sys/ hold nothing writable */
	if (strncmp(what, "proc/", 5) == 0 || strncmp(what, "sys/", 4) == 0)
		return true;
	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		if (strcmp(what, ro[i]) == 0)
			return true;
	return false;
}

static void file_path(char *out, size_t n, int tree, int path, const char *what)
{
	snprintf(out, n, "%s/%s%s%s%s%s", mnt, user_names[tree], *paths[path] ? "/" : "",
	         paths[path], *what ? "/" : "", what);
}

static void pick_file(char *what, size_t n)
{
	if (pick(3) == 0)
		snprintf(what, n, "raw/%s", PICK(raws));
	else
		snprintf(what, n, "%s", PICK(knobs));
}

/* A pid for procs: the actor's own process, another user's, root's, pid 1,
 * or no process at all; *mine says whether it is the actor's. */
static void pick_pid(int u, char *val, size_t n, bool *mine)
{
	int o = pick(NUSERS);
	pid_t p;

	*mine = false;
	switch (pick(8)) {
	case 0:
	case 1:
	case 2:
		p = users[u].spawned[pick(NSPAWN)];
		if (p > 0) {
			*mine = true;
			snprintf(val, n, "%d", p);
			return;
		}
		/* fall through */
	case 3:
		p = users[o].spawned[pick(NSPAWN)];
		*mine = o == u && p > 0;
		snprintf(val, n, "%d", p);
		return;
	case 4:
		snprintf(val, n, "%d", root_proc);
		return;
	case 5:
		snprintf(val, n, "1");
		return;
	case 6:
		snprintf(val, n, "%d", users[o == u ? (u + 1) % NUSERS : o].worker);
		return;
	default:
		snprintf(val, n, "%s", pick(2) ? "99999999" : "-5");
		return;
	}
}

static void pick_value(const char *what, int u, char *val, size_t n, bool *pid_mine,
                       bool *pid_other)
{
	bool procs = strcmp(what, "procs") == 0 || strcmp(what, "raw/cgroup.procs") == 0;

	*pid_mine = *pid_other = false;
	if (procs) {
		pick_pid(u, val, n, pid_mine);
		*pid_other = !*pid_mine && atoi(val) > 0 && atoi(val) != 99999999;
	} else if (strcmp(what, "freeze") == 0 || strcmp(what, "kill") == 0) {
		snprintf(val, n, "%s", (const char *[]){ "1", "0", "2", "x", "" }[pick(5)]);
	} else if (strncmp(what, "raw/", 4) == 0) {
		snprintf(val, n, "%s", is_memory(what) ? PICK(mem_raw_values) : PICK(raw_values));
	} else {
		snprintf(val, n, "%s", is_memory(what) ? PICK(mem_values) : PICK(values));
	}
}

static int pick_tree(int u)
{
	return pick(4) == 0 ? (int)pick(NUSERS) : u;
}

/* A group of the tree that exists, most of the time. */
static int pick_path(int tree)
{
	int in[NPATHS], n = 0, i;

	for (i = 0; i < NPATHS; i++)
		if (exists[tree][i])
			in[n++] = i;
	if (n == 0 || pick(8) == 0)
		return pick(NPATHS);
	return in[pick(n)];
}

/* A group to make: mostly a child of one that exists. */
static int pick_child(int tree)
{
	char want[16];
	int parent = pick_path(tree), i;

	snprintf(want, sizeof(want), "%s%s%c", paths[parent], *paths[parent] ? "/" : "",
	         'a' + pick(3));
	for (i = 0; i < NPATHS; i++)
		if (strcmp(paths[i], want) == 0)
			return i;
	return pick(NPATHS);
}

static void removed(int tree, int path)
{
	int i;

	for (i = 0; i < NPATHS; i++)
		if (path_under(paths[i], paths[path]))
			exists[tree][i] = false;
}

static void made(int tree, int path)
{
	exists[tree][path] = true;
	incarnation[tree][path]++;
}

static int free_handle(int u)
{
	int i;

	for (i = 0; i < NHANDLES; i++)
		if (!users[u].h[i].used)
			return i;
	return pick(NHANDLES);
}

static int used_handle(int u)
{
	int i, h;

	for (i = 0; i < NHANDLES; i++) {
		h = pick(NHANDLES);
		if (users[u].h[h].used)
			return h;
	}
	return -1;
}

static const char *err_name(int e)
{
	return e ? strerrorname_np(e) : "OK";
}

/* user u's step; returns its errno */
static int user_step(int u, struct step *s)
{
	static const char *const bad_names[] = { "raw", "procs", ".x", "-a", "a b", "freeze",
		                                 "..x", "a\\b", "0123456789012345678901234567890123456789012345678901234567890123456789" };
	struct req q = { 0 };
	char what[64];
	bool pmine, pother;
	int tree, path, h, o, fd, e;
	struct handle *hd;

	s->actor = s->authority = u;
	switch (pick(16)) {
	case 0:
	case 1: /* mkdir */
		tree = pick_tree(u);
		path = pick_child(tree);
		q.op = W_MKDIR;
		if (pick(8) == 0) {
			char tmp[900];

			file_path(tmp, sizeof(tmp), tree, pick_path(tree), "");
			snprintf(q.path, sizeof(q.path), "%s/%s", tmp, PICK(bad_names));
			s->must_fail = true;
			path = -1;
		} else {
			file_path(q.path, sizeof(q.path), tree, path, "");
		}
		s->must_fail |= tree != u || path == 0;
		e = ask(u, &q, -1, NULL);
		if (e == 0 && path > 0)
			made(tree, path);
		snprintf(s->desc, sizeof(s->desc), "%s: mkdir %s -> %s", user_names[u], q.path,
		         err_name(e));
		return e;
	case 2: /* rmdir */
		tree = pick_tree(u);
		path = pick_path(tree);
		q.op = W_RMDIR;
		file_path(q.path, sizeof(q.path), tree, path, pick(10) == 0 ? "raw" : "");
		s->must_fail = tree != u || path == 0 || strstr(q.path, "/raw");
		e = ask(u, &q, -1, NULL);
		if (e == 0 && !s->must_fail)
			removed(tree, path);
		snprintf(s->desc, sizeof(s->desc), "%s: rmdir %s -> %s", user_names[u], q.path,
		         err_name(e));
		return e;
	case 3:
	case 4:
	case 5:
	case 6: /* write a file */
		tree = pick_tree(u);
		path = pick_path(tree);
		pick_file(what, sizeof(what));
		q.op = W_WRITE;
		file_path(q.path, sizeof(q.path), tree, path, what);
		pick_value(what, u, q.val, sizeof(q.val), &pmine, &pother);
		s->must_fail = tree != u || !user_file(what, path) || read_only(what) || pother;
		if (is_kill(what) && strcmp(q.val, "1") == 0) {
			s->kill_tree = tree;
			s->kill_path = path;
		}
		e = ask(u, &q, -1, NULL);
		snprintf(s->desc, sizeof(s->desc), "%s: write '%s' to %s -> %s", user_names[u],
		         q.val, q.path, err_name(e));
		return e;
	case 7: /* read a file */
		tree = pick(NUSERS);
		path = pick_path(tree);
		pick_file(what, sizeof(what));
		q.op = W_READ;
		file_path(q.path, sizeof(q.path), tree, path, what);
		s->reads = true;
		e = ask(u, &q, -1, NULL);
		snprintf(s->desc, sizeof(s->desc), "%s: read %s -> %s", user_names[u], q.path,
		         err_name(e));
		return e;
	case 8:
	case 9: /* open and keep */
		tree = pick_tree(u);
		path = pick_path(tree);
		pick_file(what, sizeof(what));
		h = free_handle(u);
		q.op = W_OPEN;
		q.h = h;
		q.writable = pick(4) != 0;
		file_path(q.path, sizeof(q.path), tree, path, what);
		s->reads = true; /* opening changes nothing */
		s->must_fail = q.writable && (tree != u || !user_file(what, path) || read_only(what));
		e = ask(u, &q, -1, NULL);
		hd = &users[u].h[h];
		hd->used = e == 0;
		if (e == 0)
			*hd = (struct handle){ true, u, tree, path, incarnation[tree][path],
				               q.writable != 0, "" };
		snprintf(hd->what, sizeof(hd->what), "%s", what);
		snprintf(s->desc, sizeof(s->desc), "%s: open %s %s as handle %d -> %s",
		         user_names[u], q.writable ? "w" : "r", q.path, h, err_name(e));
		return e;
	case 10:
	case 11:
	case 12: /* write or read through a kept handle */
		h = used_handle(u);
		if (h < 0)
			return user_step(u, s);
		hd = &users[u].h[h];
		q.h = h;
		if (pick(4) == 0) {
			q.op = W_HREAD;
			s->reads = true;
			/* The removed group's, even if made again: nothing to read. */
			s->must_fail = !exists[hd->tree][hd->path] ||
			               incarnation[hd->tree][hd->path] != hd->incarnation;
		} else {
			q.op = W_HWRITE;
			pick_value(hd->what, hd->opener, q.val, sizeof(q.val), &pmine, &pother);
			s->authority = hd->opener;
			/* A handle of a group removed since (even if made
			 * again) is that group's: it must write nothing. */
			s->must_fail = !hd->writable;
			/* An empty write is the kernel's own no-op. */
			s->must_fail |= *q.val && (!exists[hd->tree][hd->path] ||
			                           incarnation[hd->tree][hd->path] != hd->incarnation ||
			                           pother);
			if (is_kill(hd->what) && strcmp(q.val, "1") == 0) {
				s->kill_tree = hd->tree;
				s->kill_path = hd->path;
			}
		}
		e = ask(u, &q, -1, NULL);
		snprintf(s->desc, sizeof(s->desc),
		         "%s: %s '%s' through handle %d (%s's %s %s/%s/%s, incarnation %u of %u%s) -> %s",
		         user_names[u], q.op == W_HREAD ? "read" : "write", q.val, h,
		         user_names[hd->opener], hd->writable ? "w" : "r", user_names[hd->tree],
		         paths[hd->path], hd->what, hd->incarnation, incarnation[hd->tree][hd->path],
		         exists[hd->tree][hd->path] ? "" : ", removed", err_name(e));
		return e;
	case 13: /* pass a handle to another user */
		h = used_handle(u);
		if (h < 0)
			return user_step(u, s);
		o = (u + 1 + (int)pick(NUSERS - 1)) % NUSERS;
		q.op = W_GIVE;
		q.h = h;
		s->reads = true;
		e = ask(u, &q, -1, &fd);
		if (fd < 0)
			fail("%s's worker passed no descriptor for handle %d", user_names[u], h);
		q.op = W_TAKE;
		q.h = free_handle(o);
		e = ask(o, &q, fd, NULL);
		close(fd);
		users[o].h[q.h] = users[u].h[h];
		snprintf(s->desc, sizeof(s->desc), "%s: passes handle %d (%s) to %s as %d -> %s",
		         user_names[u], h, users[u].h[h].what, user_names[o], q.h, err_name(e));
		return e;
	case 14: /* start a process */
		h = pick(NSPAWN);
		s->reads = true;
		if (users[u].spawned[h] > 0) {
			snprintf(s->desc, sizeof(s->desc), "%s: keeps process %d", user_names[u],
			         users[u].spawned[h]);
			return 0;
		}
		users[u].spawned[h] = spawn(u);
		snprintf(s->desc, sizeof(s->desc), "%s: starts process %d", user_names[u],
		         users[u].spawned[h]);
		return 0;
	default: /* move a process into one of their groups */
		tree = pick(6) == 0 ? pick_tree(u) : u;
		path = pick_path(tree);
		q.op = W_WRITE;
		file_path(q.path, sizeof(q.path), tree, path, "procs");
		pick_pid(u, q.val, sizeof(q.val), &pmine);
		s->must_fail = tree != u || (!pmine && atoi(q.val) > 0 && atoi(q.val) != 99999999);
		e = ask(u, &q, -1, NULL);
		snprintf(s->desc, sizeof(s->desc), "%s: move %s (%s) to %s -> %s", user_names[u],
		         q.val, pmine ? "theirs" : "not theirs", q.path, err_name(e));
		return e;
	}
}

static int root_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), e;

	if (fd < 0)
		return errno;
	e = do_write(fd, val);
	close(fd);
	return e;
}

static void wait_killed(int tree, int path);

/* Root removes a tree and makes it again: every handle of it is stale. */
static int root_step(struct step *s)
{
	char p[PATH_MAX];
	int t = pick(NUSERS), e;

	s->actor = -1;
	s->authority = -1;
	s->tree = t;
	file_path(p, sizeof(p), t, 0, "");
	/* Its processes die with it, or they would go to the base; they are
	 * gone before the rmdir, as an administrator would wait (an rmdir
	 * while they exit may find them there still: EBUSY). */
	e = root_write(strcat(p, "/kill"), "1");
	if (e == 0)
		wait_killed(t, 0);
	file_path(p, sizeof(p), t, 0, "");
	if (e == 0)
		e = errno_of(rmdir(p));
	if (e == 0) {
		removed(t, 0);
		e = errno_of(mkdir(p, 0755));
		if (e == 0)
			made(t, 0);
	}
	snprintf(s->desc, sizeof(s->desc), "root: kills, removes and makes again %s -> %s", p,
	         err_name(e));
	return e;
}

/* Where each process of the users was before the step: its cgroup
 * paths, one per hierarchy, as /proc/PID/cgroup shows them. */
static char where[NUSERS][NSPAWN][2048];

static void where_before(void)
{
	char f[64];
	int u, i, fd;
	ssize_t n;

	for (u = 0; u < NUSERS; u++)
		for (i = 0; i < NSPAWN; i++) {
			where[u][i][0] = '\0';
			if (users[u].spawned[i] <= 0)
				continue;
			snprintf(f, sizeof(f), "/proc/%d/cgroup", users[u].spawned[i]);
			fd = open(f, O_RDONLY | O_CLOEXEC);
			n = fd < 0 ? -1 : read(fd, where[u][i], sizeof(where[0][0]) - 1);
			where[u][i][n < 0 ? 0 : n] = '\0';
			if (fd >= 0)
				close(fd);
		}
}

/* A line of /proc/PID/cgroup text names a cgroup at or below want. */
static bool was_in(const char *text, const char *want)
{
	char line[PATH_MAX], *c;
	const char *e;
	size_t n;

	for (; *text; text = *e ? e + 1 : e) {
		e = strchrnul(text, '\n');
		n = (size_t)(e - text) < sizeof(line) ? (size_t)(e - text) : sizeof(line) - 1;
		memcpy(line, text, n);
		line[n] = '\0';
		c = strchr(line, ':');
		c = c ? strchr(c + 1, ':') : NULL;
		if (c && path_under(c + 1, want))
			return true;
	}
	return false;
}

/* The processes that were below tree/path are dead and reaped (after a
 * kill). */
static void wait_killed(int tree, int path)
{
	char want[PATH_MAX];
	int u, i, k;
	pid_t *p;

	snprintf(want, sizeof(want), "/%s/%s%s%s", base, user_names[tree], *paths[path] ? "/" : "",
	         paths[path]);
	for (u = 0; u < NUSERS; u++) {
		for (i = 0; i < NSPAWN; i++) {
			p = &users[u].spawned[i];
			if (*p <= 0 || !was_in(where[u][i], want))
				continue;
			/* Killed: reaped within 20 s. */
			for (k = 0; k < 2000; k++) {
				if (waitpid(*p, NULL, WNOHANG) == *p)
					break;
				usleep(10000);
			}
			if (k == 2000) {
				char st[64], line[256];
				FILE *f;

				snprintf(st, sizeof(st), "/proc/%d/status", *p);
				f = fopen(st, "r");
				while (f && fgets(line, sizeof(line), f))
					if (strncmp(line, "State:", 6) == 0)
						printf("# %d %s", *p, line);
				if (f)
					fclose(f);
				printf("# %d was in:\n%s", *p, where[u][i]);
				fail("process %d of %s, in %s, lives 20 s after the kill", *p,
				     user_names[u], want);
			}
			*p = 0;
		}
	}
}

/* Children that died without a kill are a finding too. */
static void reap_unexpected(void)
{
	int u, i, st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		for (u = 0; u < NUSERS; u++)
			for (i = 0; i < NSPAWN; i++)
				if (users[u].spawned[i] == p)
					fail("process %d of %s died without a kill (status %#x)", p,
					     user_names[u], st);
		fail("process %d (a worker or root's) died (status %#x)", p, st);
	}
}

static const char *owner_name(int o)
{
	return o == BASE_OWNER ? "the base outside the trees" : user_names[o];
}

static void check(const struct step *s, int e, const uint64_t before[OWNERS],
                  const uint64_t after[OWNERS])
{
	int o;

	if (s->must_fail && e == 0)
		fail("succeeded but must be refused: %s", s->desc);
	for (o = 0; o < OWNERS; o++) {
		if (before[o] == after[o])
			continue;
		if (e != 0)
			fail("refused (%s), yet it changed %s: %s", err_name(e), owner_name(o), s->desc);
		if (s->reads)
			fail("changes nothing, yet it changed %s: %s", owner_name(o), s->desc);
		if (s->actor >= 0 && o != s->authority)
			fail("changed %s, outside %s's tree: %s", owner_name(o),
			     user_names[s->authority], s->desc);
		if (s->actor < 0 && o != s->tree && o != BASE_OWNER)
			fail("changed %s, another tree: %s", owner_name(o), s->desc);
	}
}

/* The daemon answers root. */
static void alive(void)
{
	char p[PATH_MAX], buf[4096];
	struct stat st;
	int fd, u = pick(NUSERS);
	ssize_t n;

	if (stat(mnt, &st) < 0)
		fail("root cannot stat the mount: %s", strerror(errno));
	file_path(p, sizeof(p), u, 0, "pids_max");
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("root cannot open %s: %s", p, strerror(errno));
	n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		fail("root cannot read %s: %s", p, n < 0 ? strerror(errno) : "empty");
	close(fd);
}

/* ---- the end: everything is removed, nothing is left ---- */

/* The base's leaf has no group and no process: the count of what it has. */
static int leaf_left(const char *base_dir)
{
	char p[PATH_MAX + 64], buf[4096];
	struct dirent *d;
	int left = 0, fd;
	ssize_t n;
	DIR *dir;

	snprintf(p, sizeof(p), "%s/.self", base_dir);
	dir = opendir(p);
	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		if (d->d_type == DT_DIR && strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
			printf("# left: %s/%s\n", p, d->d_name);
			left++;
		}
	closedir(dir);
	snprintf(p, sizeof(p), "%s/.self/cgroup.procs", base_dir);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? 0 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		buf[n] = '\0';
		printf("# left in %s: %s", p, buf);
		left++;
	}
	return left;
}

static void finish(void)
{
	struct req q = { .op = W_QUIT };
	char p[PATH_MAX];
	struct dirent *d;
	int u, i, e, left = 0;
	DIR *dir;

	for (u = 0; u < NUSERS; u++) {
		send_msg(users[u].sock, &q, sizeof(q), -1);
		waitpid(users[u].worker, NULL, 0);
		close(users[u].sock);
	}
	steps++;
	note("root: kills every tree, removes them");
	for (u = 0; u < NUSERS; u++) {
		file_path(p, sizeof(p), u, 0, "kill");
		where_before();
		e = root_write(p, "1");
		if (e)
			fail("root cannot kill %s: %s", p, err_name(e));
		wait_killed(u, 0);
		file_path(p, sizeof(p), u, 0, "");
		if (rmdir(p) < 0)
			fail("root cannot remove %s: %s", p, strerror(errno));
	}
	/* Those never moved into a tree. */
	kill(root_proc, SIGKILL);
	waitpid(root_proc, NULL, 0);
	for (u = 0; u < NUSERS; u++)
		for (i = 0; i < NSPAWN; i++)
			if (users[u].spawned[i] > 0) {
				kill(users[u].spawned[i], SIGKILL);
				waitpid(users[u].spawned[i], NULL, 0);
			}
	for (i = 0; i < nmounts; i++) {
		snprintf(p, sizeof(p), "%s/%s", mounts[i], base);
		dir = opendir(p);
		if (!dir)
			fail("%s: %s", p, strerror(errno));
		while ((d = readdir(dir)))
			if (d->d_type == DT_DIR && strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
			    strcmp(d->d_name, ".self")) {
				printf("# left: %s/%s\n", p, d->d_name);
				left++;
			}
		closedir(dir);
		/* The base's own leaf, cgfs's from its start: empty. */
		left += leaf_left(p);
	}
	if (left)
		fail("%d cgroups left below the base once the trees were removed", left);
}

int main(int argc, char **argv)
{
	uint64_t before[OWNERS], after[OWNERS];
	struct timespec t0, t;
	unsigned long max_steps;
	struct passwd *pw;
	struct step s;
	double secs;
	int u, e;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: adversary MNT BASE SEED SECONDS [MAX_STEPS]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	mnt = argv[1];
	base = argv[2];
	while (*base == '/')
		base++;
	seed = strtoull(argv[3], NULL, 10);
	secs = atof(argv[4]);
	max_steps = argc > 5 ? strtoul(argv[5], NULL, 10) : ULONG_MAX;
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	paths_init();
	mounts_init();
	for (u = 0; u < NUSERS; u++) {
		pw = getpwnam(user_names[u]);
		if (!pw) {
			printf("adversary: no user %s\n", user_names[u]);
			return 2;
		}
		users[u].uid = pw->pw_uid;
		users[u].gid = pw->pw_gid;
		exists[u][0] = true;
	}
	workers_start();
	root_proc = spawn(-1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 >= secs || steps >= max_steps)
			break;
		steps++;
		memset(&s, 0, sizeof(s));
		s.kill_tree = -1;
		digest(before);
		where_before();
		e = pick(60) == 0 ? root_step(&s) : user_step((int)pick(NUSERS), &s);
		note("%s", s.desc);
		if (e == 0 && s.kill_tree >= 0)
			wait_killed(s.kill_tree, s.kill_path);
		reap_unexpected();
		digest(after);
		check(&s, e, before, after);
		alive();
	}
	finish();
	printf("# adversary: seed %llu, %lu steps in %.0f s, every invariant held\n",
	       (unsigned long long)seed, steps, secs);
	return 0;
}
