// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgfs/cgfile.h"
#include "cgfs/policy.h"
#include "cgfs/proc.h"
#include "cgfs/view.h"

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
	if (knob_find(name) || strcmp(name, "raw") == 0 || view_child(VIEW_TOP, name) >= 0)
		return -EEXIST;
	return 0;
}

/* The uid the kernel reports for an id it cannot map: 65534 unless
 * /proc/sys/kernel/overflowuid says otherwise (read once). */
static uid_t overflow_uid = 65534;
static pthread_once_t overflow_once = PTHREAD_ONCE_INIT;

static void overflow_read(void)
{
	char buf[32] = "";
	unsigned long v;
	char *end;

	if (cgfile_read_at(AT_FDCWD, "/proc/sys/kernel/overflowuid", buf, sizeof(buf)) > 0) {
		errno = 0;
		v = strtoul(buf, &end, 10);
		if (!errno && end != buf && (*end == '\n' || !*end) && v < (uid_t)-1)
			overflow_uid = (uid_t)v;
	}
}

/* Root unless cgfs runs without root (set before serving). */
static uid_t admin_uid;
static gid_t admin_gid;

void policy_set_admin(uid_t uid, gid_t gid)
{
	admin_uid = uid;
	admin_gid = gid;
}

uid_t policy_admin(void)
{
	return admin_uid;
}

gid_t policy_admin_gid(void)
{
	return admin_gid;
}

bool policy_tree_uid(uid_t uid)
{
	pthread_once(&overflow_once, overflow_read);
	return uid != 0 && uid != 65534 && uid != overflow_uid && uid != (uid_t)-1;
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
	if (!policy_tree_uid(pw.pw_uid))
		return -EPERM;
	/* A daemon without root serves its own user alone: it could move
	 * no other user's processes, and nobody else reaches its mount. */
	if (admin_uid != 0 && pw.pw_uid != admin_uid)
		return -EPERM;
	*ret_uid = pw.pw_uid;
	*ret_gid = pw.pw_gid;
	return 0;
}

/* Bounds on what a group lookup may cost: an entry (its member list)
 * and a user's groups, the kernel's NGROUPS_MAX. */
#define GROUP_ENTRY_MAX (1u << 20)
#define USER_GROUPS_MAX 65536

/* The gid of group: 1 found, 0 no such group, -errno. */
static int group_gid(const char *group, gid_t *ret)
{
	struct group gr, *res = NULL;
	size_t size = 4096;
	char *buf = NULL, *more;
	int err;

	for (;;) {
		more = realloc(buf, size);
		if (!more) {
			free(buf);
			return -ENOMEM;
		}
		buf = more;
		err = getgrnam_r(group, &gr, buf, size, &res);
		if (err != ERANGE)
			break;
		if (size >= GROUP_ENTRY_MAX) {
			free(buf);
			return -E2BIG;
		}
		size *= 2;
	}
	if (err == 0 && res)
		*ret = gr.gr_gid;
	free(buf);
	if (err != 0 && err != ENOENT && err != ESRCH)
		return -err;
	return err == 0 && res ? 1 : 0;
}

int policy_user_in_group(const char *user, gid_t user_gid, const char *group)
{
	gid_t want = 0, few[64], *list = few;
	int n = (int)(sizeof(few) / sizeof(*few)), i, res;

	res = group_gid(group, &want);
	if (res <= 0)
		return res;
	if (want == user_gid)
		return 1;
	if (getgrouplist(user, user_gid, list, &n) < 0) {
		/* n now says how many there are. */
		if (n <= 0 || n > USER_GROUPS_MAX)
			return -E2BIG;
		list = calloc((size_t)n, sizeof(*list));
		if (!list)
			return -ENOMEM;
		if (getgrouplist(user, user_gid, list, &n) < 0) {
			free(list);
			return -E2BIG; /* grew in between: give up */
		}
	}
	for (i = 0, res = 0; i < n && !res; i++)
		res = list[i] == want;
	if (list != few)
		free(list);
	return res;
}

uid_t policy_knob_owner(const struct knob *k, int depth, uid_t tree_owner)
{
	return depth == 1 && (k->cap || k->admin_at_root) ? admin_uid : tree_owner;
}

bool policy_may_write(uid_t caller, const struct knob *k, int depth,
                      uid_t tree_owner)
{
	if (caller == admin_uid)
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
	/* Effects outside the group's subtree: exclusive CPUs and memory
	 * nodes taken from siblings, partitions, the machine's scheduler
	 * domains rebuilt, the hierarchy's own semantics changed. */
	{ "cpuset.cpu_exclusive", RAW_READONLY },
	{ "cpuset.mem_exclusive", RAW_READONLY },
	{ "cpuset.sched_load_balance", RAW_READONLY },
	{ "cpuset.sched_relax_domain_level", RAW_READONLY },
	{ "cpuset.memory_pressure_enabled", RAW_READONLY },
	{ "cpuset.cpus.partition", RAW_READONLY },
	{ "cpuset.cpus.exclusive", RAW_READONLY },
	{ "memory.use_hierarchy", RAW_READONLY },
	/* Real-time I/O priority for everything in the group, which
	 * ioprio_set(2) gives only with CAP_SYS_ADMIN or CAP_SYS_NICE. */
	{ "io.prio.class", RAW_READONLY },
	{ "blkio.prio.class", RAW_READONLY },
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
	return depth == 1 && a == RAW_WRITABLE ? admin_uid : tree_owner;
}

bool policy_may_write_raw(uid_t caller, enum raw_access a, int depth,
                          uid_t tree_owner)
{
	if (a != RAW_WRITABLE)
		return false;
	return caller == admin_uid || caller == policy_raw_owner(a, depth, tree_owner);
}

/* ---- admission points ---- */

/* One pattern component (no '/'): fnmatch's globs, with %U for the uid. */
static bool admit_component(const char *pat, size_t plen, const char *name, size_t nlen,
                            const char *uid)
{
	char p[POLICY_ADMIT_MAX + 32], n[NAME_MAX + 1];
	size_t i, o = 0;

	if (nlen > NAME_MAX)
		return false;
	for (i = 0; i < plen; i++) {
		if (pat[i] == '%' && i + 1 < plen && pat[i + 1] == 'U') {
			o += (size_t)snprintf(p + o, sizeof(p) - o, "%s", uid);
			i++;
		} else if (o + 1 < sizeof(p)) {
			p[o++] = pat[i];
		}
		if (o >= sizeof(p) - 1)
			return false;
	}
	p[o] = '\0';
	memcpy(n, name, nlen);
	n[nlen] = '\0';
	return fnmatch(p, n, FNM_PERIOD) == 0;
}

/* Next '/'-separated component of *s (skipping empty ones); false at end. */
static bool next_comp(const char **s, const char *end, const char **c, size_t *len)
{
	while (*s < end && **s == '/')
		(*s)++;
	if (*s >= end)
		return false;
	*c = *s;
	while (*s < end && **s != '/')
		(*s)++;
	*len = (size_t)(*s - *c);
	return true;
}

static bool admit_one(const char *pat, size_t plen, const char *cg, uid_t uid)
{
	const char *ps = pat, *pe = pat + plen, *cs = cg, *ce = cg + strlen(cg);
	const char *pc, *cc;
	size_t pl, cl;
	char u[16];

	snprintf(u, sizeof(u), "%u", (unsigned)uid);
	for (;;) {
		bool more_p = next_comp(&ps, pe, &pc, &pl);
		bool more_c;

		/* A last "**" is the cgroup it follows and everything below. */
		if (more_p && pl == 2 && pc[0] == '*' && pc[1] == '*' && ps == pe)
			return true;
		more_c = next_comp(&cs, ce, &cc, &cl);
		if (!more_p || !more_c)
			return more_p == more_c;
		if (!admit_component(pc, pl, cc, cl, u))
			return false;
	}
}

int policy_admit_check(const char *patterns)
{
	const char *s = patterns, *t;
	size_t len;

	if (strlen(patterns) > POLICY_ADMIT_MAX)
		return -E2BIG;
	if (strcmp(patterns, "none") == 0)
		return 0;
	for (;;) {
		s += strspn(s, " \t");
		if (!*s)
			return 0;
		len = strcspn(s, " \t");
		if (*s != '/')
			return -EINVAL;
		for (t = s; t < s + len; t++) {
			/* "**" only as the last component. */
			if (t[0] == '*' && t[1] == '*' &&
			    (t[-1] != '/' || (t + 2 != s + len)))
				return -EINVAL;
			if ((unsigned char)*t < 0x21 || (unsigned char)*t > 0x7e || *t == '\\')
				return -EINVAL;
			if (*t == '%' && t[1] != 'U')
				return -EINVAL;
			if (t[0] == '/' && t[1] == '.' &&
			    (t[2] == '/' || t + 2 == s + len ||
			     (t[2] == '.' && (t[3] == '/' || t + 3 == s + len))))
				return -EINVAL; /* "." and ".." are not cgroups */
		}
		s += len;
	}
}

bool policy_admitted(const char *patterns, const char *cg, uid_t uid)
{
	const char *s = patterns;
	size_t len;

	if (strcmp(patterns, "none") == 0 || *cg != '/')
		return false;
	for (;;) {
		s += strspn(s, " \t");
		if (!*s)
			return false;
		len = strcspn(s, " \t");
		if (admit_one(s, len, cg, uid))
			return true;
		s += len;
	}
}

int policy_parse_status_uid(const char *status, uid_t *ret_uid)
{
	const char *p = proc_status_field(status, "Uid");
	unsigned long v;

	/* The real uid must be followed by the others. */
	if (!p || proc_field_next(&p, &v) <= 0 || (*p != '\t' && *p != ' ') ||
	    v > (uid_t)-2)
		return -EINVAL;
	*ret_uid = (uid_t)v;
	return 0;
}

static bool pidfd_alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
}

int policy_may_move(uid_t caller, pid_t pid, policy_admitted_fn admitted, void *arg,
                    int *ret_pidfd)
{
	char status[4096];
	uid_t uid;
	int pidfd, res;

	/* The pidfd pins the process: if what we read belonged to a recycled
	 * pid, the original is gone and signalling the pidfd fails. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return errno == EMFILE || errno == ENFILE || errno == ENOMEM ? -errno : -ESRCH;
	res = proc_read(pid, "status", status, sizeof(status), NULL) < 0 ? -ESRCH : 0;
	if (res == 0)
		res = policy_parse_status_uid(status, &uid) ? -ESRCH : 0;
	/* Not root: the process must be the caller's, and where it is now
	 * it must be allowed to leave for the tree, unless the caller is
	 * the administrator (a daemon without root: its own user, whom the
	 * kernel's delegation rules bound instead). */
	if (res == 0 && caller != 0 && uid != caller)
		res = -EPERM;
	if (res == 0 && caller != admin_uid) {
		res = admitted ? admitted(arg, pid) : 0;
		if (res == 0)
			res = -EPERM;
		else if (res > 0)
			res = 0;
	}
	if (res == 0 && !pidfd_alive(pidfd))
		res = -ESRCH;
	if (res < 0) {
		close(pidfd);
		return res;
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

int policy_may_change_dir(uid_t caller, int depth, uid_t tree_owner)
{
	return caller == admin_uid || (depth > 0 && caller == tree_owner) ? 0 : -EACCES;
}
