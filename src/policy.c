// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgfs/policy.h"

static bool name_char(char c, bool first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '_' || c == '@' || c == '+' || c == '-');
}

int policy_group_name(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++)
		if (i >= 64 || !name_char(name[i], i == 0))
			return -EINVAL;
	if (i == 0)
		return -EINVAL;
	/* Names that would shadow an entry every group directory carries. */
	if (knob_find(name) || strcmp(name, "raw") == 0)
		return -EEXIST;
	return 0;
}

int policy_user(const char *name, uid_t *ret_uid, gid_t *ret_gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	size_t i;

	/* Only plausible login names reach the passwd database: the same
	 * set cgfs.conf accepts in [user NAME], [A-Za-z0-9_][A-Za-z0-9_.-]*. */
	for (i = 0; name[i]; i++)
		if (i >= 32 || !(name_char(name[i], true) || name[i] == '_' ||
		                 (i && (name[i] == '.' || name[i] == '-'))))
			return -EINVAL;
	if (i == 0)
		return -EINVAL;
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return -EINVAL;
	*ret_uid = pw.pw_uid;
	*ret_gid = pw.pw_gid;
	return 0;
}

uid_t policy_knob_owner(const struct knob *k, int depth, uid_t tree_owner)
{
	return depth == 1 && k->cap ? 0 : tree_owner;
}

bool policy_may_write(uid_t caller, const struct knob *k, int depth,
                      uid_t tree_owner)
{
	if (caller == 0)
		return true;
	return caller == policy_knob_owner(k, depth, tree_owner);
}

/* raw/ rules, first match wins (fnmatch patterns); unmatched names are
 * read-only. Why each is there is told in cgfs(5), section raw/. */
static const struct {
	const char *pattern;
	enum raw_access access;
} raw_rules[] = {
	/* A program the kernel runs as root (only at hierarchy roots). */
	{ "release_agent", RAW_HIDDEN },
	/* Device access is a security boundary, not a resource. */
	{ "devices.*", RAW_HIDDEN },
	/* Actions, not values: nothing to read back, and the work (reclaim,
	 * killing) would run in the daemon. cgroup.kill has the kill knob. */
	{ "cgroup.kill", RAW_HIDDEN },
	{ "cgroup.event_control", RAW_HIDDEN },
	{ "memory.force_empty", RAW_HIDDEN },
	{ "memory.reclaim", RAW_HIDDEN },
	/* Real-time bandwidth is one pool for the whole machine. */
	{ "cpu.rt_*", RAW_READONLY },
	/* A PSI trigger lives as long as the file descriptor it was written
	 * to; the daemon's is closed right after the write. */
	{ "*.pressure", RAW_READONLY },
	/* Resources the kernel keeps within the parent's: the owner's. */
	{ "memory.*", RAW_WRITABLE },
	{ "cpu.*", RAW_WRITABLE },
	{ "cpuset.*", RAW_WRITABLE },
	{ "io.*", RAW_WRITABLE },
	{ "blkio.*", RAW_WRITABLE },
	{ "pids.*", RAW_WRITABLE },
	{ "hugetlb.*", RAW_WRITABLE },
};

enum raw_access policy_raw_access(const char *name, mode_t kernel_mode)
{
	enum raw_access a = RAW_READONLY;
	size_t i;

	/* Not a name the kernel gives an interface file. */
	if (!*name || *name == '.' || strchr(name, '/'))
		return RAW_HIDDEN;
	for (i = 0; i < sizeof(raw_rules) / sizeof(raw_rules[0]); i++) {
		if (fnmatch(raw_rules[i].pattern, name, 0) == 0) {
			a = raw_rules[i].access;
			break;
		}
	}
	/* A file the kernel does not let be read is an action (cgroup.kill,
	 * blkio.reset_stats, ...): hidden for the reasons above. */
	if (!(kernel_mode & S_IRUSR))
		return RAW_HIDDEN;
	if (a == RAW_WRITABLE && !(kernel_mode & S_IWUSR))
		return RAW_READONLY;
	return a;
}

uid_t policy_raw_owner(enum raw_access a, int depth, uid_t tree_owner)
{
	return depth == 1 && a == RAW_WRITABLE ? 0 : tree_owner;
}

bool policy_may_write_raw(uid_t caller, enum raw_access a, int depth,
                          uid_t tree_owner)
{
	if (a != RAW_WRITABLE)
		return false;
	return caller == 0 || caller == policy_raw_owner(a, depth, tree_owner);
}

int policy_parse_status_uid(const char *status, uid_t *ret_uid)
{
	const char *p = strstr(status, "\nUid:");
	unsigned long v;
	char *end;

	if (!p)
		return -EINVAL;
	p += 5;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || (*end != '\t' && *end != ' ') || v > (uid_t)-2)
		return -EINVAL;
	*ret_uid = (uid_t)v;
	return 0;
}

/* /proc/PID/NAME (a small text file), NUL-terminated; -ESRCH if gone. */
static int read_proc(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	return 0;
}

bool policy_same_cgroups(const char *a, const char *b)
{
	return *a && strcmp(a, b) == 0;
}


static bool pidfd_alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
}

/* Not root: the process must be the caller's and already reachable for
 * the caller, inside the tree or next to the writer. */
static int may_move_other(uid_t caller, pid_t writer, pid_t pid, uid_t uid,
                          policy_inside_fn inside, void *arg)
{
	char mine[8192], its[8192];
	int r;

	if (uid != caller)
		return -EPERM;
	r = inside ? inside(arg, pid) : 0;
	if (r != 0)
		return r < 0 ? r : 0;
	if (writer <= 0 || read_proc(writer, "cgroup", mine, sizeof(mine)) < 0)
		return -EPERM;
	r = read_proc(pid, "cgroup", its, sizeof(its));
	if (r < 0)
		return r;
	return policy_same_cgroups(mine, its) ? 0 : -EPERM;
}

int policy_may_move(uid_t caller, pid_t writer, pid_t pid, policy_inside_fn inside,
                    void *arg, int *ret_pidfd)
{
	char status[4096];
	uid_t uid;
	int pidfd, r;

	/* The pidfd pins the process: if what we read belonged to a recycled
	 * pid, the original is gone and signalling the pidfd fails. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return errno == EMFILE || errno == ENFILE || errno == ENOMEM ? -errno : -ESRCH;
	r = read_proc(pid, "status", status, sizeof(status));
	if (r == 0)
		r = policy_parse_status_uid(status, &uid) ? -ESRCH : 0;
	if (r == 0 && caller != 0)
		r = may_move_other(caller, writer, pid, uid, inside, arg);
	if (r == 0 && !pidfd_alive(pidfd))
		r = -ESRCH;
	if (r < 0) {
		close(pidfd);
		return r;
	}
	*ret_pidfd = pidfd;
	return 0;
}

int policy_moved(int pidfd)
{
	bool alive = pidfd_alive(pidfd);

	close(pidfd);
	return alive ? 0 : -ESRCH;
}
