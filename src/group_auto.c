// SPDX-License-Identifier: MIT
/*
 * Transient groups: the autoremove mark and whether a marked group is
 * idle (see group.h). The mark is an extended attribute in the user.
 * namespace of the group's directory in the primary hierarchy: kernfs
 * keeps it in memory with the cgroup (cgroup v1 and v2 alike, since Linux
 * 5.7), it survives restarts of cgfs, and only the directory's owner may
 * set it, which for the real tree is root. Nothing of it is written to a
 * disk: a reboot forgets it with the groups.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgfs/group.h"
#include "group_int.h"

/* What the mark holds: "1". Anything else reads as not marked. */
#define MARK_TEXT_MAX 8

static int mark_read(int dfd)
{
	char v[MARK_TEXT_MAX];
	ssize_t n = fgetxattr(dfd, GROUP_AUTOREMOVE_XATTR, v, sizeof(v));

	if (n < 0)
		return errno == ENODATA || errno == ERANGE ? 0 : -errno;
	return n == 1 && v[0] == '1';
}

/* The group's directory in the primary hierarchy, open for reading (an
 * O_PATH descriptor has no extended attributes). */
static int group_open(const struct cgroot *r, const char *path)
{
	int fd = openat(primary(r)->base_fd, *path ? path : ".",
	                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* 0 if the group exists, else -errno. */
static int group_stat_ok(const struct cgroot *r, const char *path)
{
	struct stat st;

	return group_stat(r, path, &st);
}

bool group_autoremove_supported(const struct cgroot *r)
{
	int fd = group_open(r, GROUP_LEAF), res;

	if (fd < 0)
		return false;
	res = mark_read(fd);
	close(fd);
	return res >= 0;
}

int group_autoremove_get(const struct cgroot *r, const char *path, int dfd)
{
	int fd, res;

	/* Never marked, whatever root wrote there by hand: never removed so. */
	if (!strchr(path, '/'))
		return group_stat_ok(r, path);
	fd = dfd >= 0 ? dfd : group_open(r, path);
	if (fd < 0)
		return fd;
	res = mark_read(fd);
	if (fd != dfd)
		close(fd);
	return res;
}

int group_autoremove_set(const struct cgroot *r, const char *path, bool on)
{
	int fd, res = 0;

	/* A tree root is removed by root alone, and the base never. */
	if (!strchr(path, '/'))
		return -EPERM;
	fd = group_open(r, path);
	if (fd < 0)
		return fd;
	/* Only a change is written: the watcher hears of each. */
	if (on && fsetxattr(fd, GROUP_AUTOREMOVE_XATTR, "1", 1, XATTR_CREATE) < 0) {
		if (errno != EEXIST)
			res = -errno;
		else if (mark_read(fd) != 1 &&
		         fsetxattr(fd, GROUP_AUTOREMOVE_XATTR, "1", 1, XATTR_REPLACE) < 0)
			res = -errno;
	} else if (!on && fremovexattr(fd, GROUP_AUTOREMOVE_XATTR) < 0 && errno != ENODATA)
		res = -errno;
	close(fd);
	return res;
}

/* ---- idle: held processes once, holds none now ---- */

/* What stops idle_pre's walk (WALK_SKIP is 1): a process found, or on
 * v2 a leaf. */
#define IDLE_BUSY 2
#define IDLE_HELD 3

struct idle_walk {
	bool held;     /* a leaf was seen */
	bool v1;       /* the procs files tell (no cgroup.events) */
	unsigned cost; /* cgroups read */
};

/* Whether the cgroup open at dfd lists a process. */
static bool has_pid(int dfd)
{
	char buf[NUM_TEXT_MAX];

	return cgfile_read_at(dfd, "cgroup.procs", buf, sizeof(buf)) > 0;
}

static int idle_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
                    char **data)
{
	struct idle_walk *iw = arg;

	iw->cost++;
	if (strcmp(name, GROUP_LEAF) == 0)
		iw->held = true;
	if (iw->v1 && has_pid(dfd))
		return IDLE_BUSY;
	/* Unpopulated (v2): one leaf is all there is to know. */
	return !iw->v1 && iw->held ? IDLE_HELD : 0;
}

static bool leaf_has_pid(const struct cgroot *r, const char *path)
{
	char lp[PATH_MAX], buf[NUM_TEXT_MAX];

	return cgfile_join(lp, sizeof(lp), path, GROUP_LEAF "/cgroup.procs") == 0 &&
	       cgfile_read_at(primary(r)->base_fd, lp, buf, sizeof(buf)) > 0;
}

/* The v2 hierarchy's word on the group: 1 populated, 0 not, -errno;
 * -ENOSYS where no v2 hierarchy serves. */
static int v2_populated(const struct cgroot *r, const char *path)
{
	char buf[EVENTS_TEXT_MAX], *p;
	size_t i;
	int res;

	for (i = 0; i < r->n; i++) {
		if (r->h[i].version != 2)
			continue;
		res = cgfile_read_in(r->h[i].base_fd, path, "cgroup.events", buf, sizeof(buf));
		if (res < 0)
			return res;
		p = strstr(buf, "populated ");
		return p ? p[10] == '1' : -EIO;
	}
	return -ENOSYS;
}

static int idle(const struct cgroot *r, const char *path, struct idle_walk *iw)
{
	static const struct walk_ops ops = { idle_pre, NULL };
	int res;

	/* cgroup.events on v2, the leaf's procs on v1: one read. */
	iw->cost++;
	res = v2_populated(r, path);
	if (res == 1)
		return 0;
	if (res < 0 && res != -ENOSYS)
		return res;
	iw->v1 = res == -ENOSYS;
	/* v1 has no populated flag: a process anywhere below is in a
	 * cgroup.procs of the primary hierarchy (processes are moved in
	 * every hierarchy at once). Most often it is in the group's own
	 * leaf, as cgfs-run puts it: one read tells. */
	if (iw->v1 && leaf_has_pid(r, path))
		return 0;
	res = walk_tree(primary(r)->base_fd, path, false, &ops, iw);
	if (res == IDLE_BUSY)
		return 0;
	if (res < 0)
		return res;
	return iw->held;
}

int group_idle(const struct cgroot *r, const char *path, unsigned *ret_cost)
{
	struct idle_walk iw = { false, false, 0 };
	int res = idle(r, path, &iw);

	if (ret_cost)
		*ret_cost = iw.cost;
	return res;
}
