// SPDX-License-Identifier: MIT
/*
 * devices_bpf: a group's deny list in the kernel, through bpf(2) alone
 * (no libbpf): cgfs's program on the group's cgroup2 directory, loaded
 * from devices_codegen's instructions and read back with
 * devices_decode. Programs that are not cgfs's own are never touched.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "cgfs/devices.h"

/* Programs on one cgroup that a read or write looks at: beyond that
 * many, the cgroup is not one cgfs made its own (-EBUSY). */
#define PROGS_MAX 64
/* Directories above a group that a write checks, at most. */
#define ANCESTORS_MAX 4096

/* Writes are few; one at a time, so that two writers to one group never
 * both find no program and attach one each. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	long res = syscall(SYS_bpf, cmd, attr, sizeof(*attr));

	return res < 0 ? -errno : (int)res;
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* The device programs attached to cgfd itself: their ids (ids may be
 * NULL), how many, and the cgroup's attach flags. */
static int query(int cgfd, uint32_t *ids, uint32_t *ret_cnt, uint32_t *ret_flags)
{
	union bpf_attr a;
	int res;

	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)cgfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = ptr(ids);
	a.query.prog_cnt = ids ? PROGS_MAX : 0;
	res = sys_bpf(BPF_PROG_QUERY, &a);
	if (res == -ENOSPC)
		return -EBUSY;
	if (res < 0)
		return res;
	*ret_cnt = a.query.prog_cnt;
	if (ret_flags)
		*ret_flags = a.query.attach_flags;
	return 0;
}

int devices_supported(int cgfd)
{
	uint32_t cnt;

	return query(cgfd, NULL, &cnt, NULL);
}

/* Program id, if it is cgfs's: an fd of it (returned) and its rules
 * (*ret_n of them). -ENOENT for any other program (or one gone). */
static int open_ours(uint32_t id, struct dev_rule *ret, size_t max, int *ret_n)
{
	struct bpf_insn *insns = calloc(DEVICES_INSNS_MAX, sizeof(*insns));
	struct bpf_prog_info info;
	union bpf_attr a;
	int fd, res, n = -EINVAL;

	if (!insns)
		return -ENOMEM;
	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
	if (fd < 0) {
		free(insns);
		return fd == -ENOENT ? -ENOENT : fd;
	}
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = DEVICES_INSNS_MAX * sizeof(*insns);
	info.xlated_prog_insns = ptr(insns);
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = ptr(&info);
	res = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
	if (res == 0 && info.type == BPF_PROG_TYPE_CGROUP_DEVICE &&
	    strncmp(info.name, DEVICES_PROG_NAME, sizeof(info.name)) == 0 &&
	    info.xlated_prog_len <= DEVICES_INSNS_MAX * sizeof(*insns))
		n = devices_decode(insns, info.xlated_prog_len / sizeof(*insns), ret, max);
	free(insns);
	if (res < 0 || n < 0) {
		close(fd);
		return res < 0 ? res : -ENOENT;
	}
	*ret_n = n;
	return fd;
}

/* cgfs's programs on cgfd: their fds into fds (*ret_nfd of them, to
 * close), their rules, together, into ret. The count of rules or
 * -errno. */
static int find_ours(int cgfd, int *fds, size_t *ret_nfd, struct dev_rule *ret, size_t max)
{
	uint32_t ids[PROGS_MAX], cnt, i;
	size_t total = 0;
	int fd, n, res = query(cgfd, ids, &cnt, NULL);

	*ret_nfd = 0;
	for (i = 0; res == 0 && i < cnt && i < PROGS_MAX; i++) {
		fd = open_ours(ids[i], ret + total, max - total, &n);
		if (fd == -ENOENT)
			continue;
		if (fd < 0) {
			res = fd;
			break;
		}
		fds[(*ret_nfd)++] = fd;
		total += (size_t)n;
	}
	if (res < 0) {
		while (*ret_nfd)
			close(fds[--*ret_nfd]);
		return res;
	}
	return (int)total;
}

static void close_all(int *fds, size_t n)
{
	while (n)
		close(fds[--n]);
}

int devices_read(int cgfd, struct dev_rule *ret, size_t max)
{
	struct dev_rule *all = calloc(PROGS_MAX * DEVICES_RULES_MAX, sizeof(*all));
	int fds[PROGS_MAX], n;
	size_t nfd;

	if (!all)
		return -ENOMEM;
	n = find_ours(cgfd, fds, &nfd, all, PROGS_MAX * DEVICES_RULES_MAX);
	if (n >= 0) {
		close_all(fds, nfd);
		if ((size_t)n > max)
			n = -EIO; /* more of cgfs's programs than one: not its own doing */
		else
			memcpy(ret, all, (size_t)n * sizeof(*all));
	}
	free(all);
	return n;
}

/* -EOPNOTSUPP if cgfd or a directory above it, up to the hierarchy's
 * root (root: the mount's, O_PATH will do), has a device program
 * attached without BPF_F_ALLOW_MULTI: above, the kernel would run the
 * group's program in its place (an override) instead of both; at cgfd,
 * it would refuse to add one (EPERM). */
static int all_multi(int cgfd, int root)
{
	struct stat rs, st;
	uint32_t cnt, flags;
	int cur, next, res = 0, depth;

	if (fstat(root, &rs) < 0)
		return -errno;
	cur = openat(cgfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (depth = 0; res == 0; depth++) {
		if (cur < 0)
			return -errno;
		if (fstat(cur, &st) < 0 || st.st_dev != rs.st_dev || depth == ANCESTORS_MAX) {
			res = -EXDEV; /* not below the mount: nothing cgfs serves */
			break;
		}
		res = query(cur, NULL, &cnt, &flags);
		if (res == 0 && cnt > 0 && !(flags & BPF_F_ALLOW_MULTI))
			res = -EOPNOTSUPP;
		if (res < 0 || st.st_ino == rs.st_ino)
			break;
		next = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		cur = next;
	}
	close(cur);
	return res;
}

static int load(const struct dev_rule *rules, size_t n)
{
	struct bpf_insn *insns = calloc(DEVICES_INSNS_MAX, sizeof(*insns));
	union bpf_attr a;
	int res;

	if (!insns)
		return -ENOMEM;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insn_cnt = (uint32_t)devices_codegen(rules, n, insns);
	a.insns = ptr(insns);
	a.license = ptr("MIT");
	memcpy(a.prog_name, DEVICES_PROG_NAME, sizeof(DEVICES_PROG_NAME));
	res = sys_bpf(BPF_PROG_LOAD, &a);
	free(insns);
	return res;
}

static int attach(int cgfd, int prog, int old)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI | (old >= 0 ? BPF_F_REPLACE : 0);
	a.replace_bpf_fd = old >= 0 ? (uint32_t)old : 0;
	return sys_bpf(BPF_PROG_ATTACH, &a);
}

static int detach(int cgfd, int prog)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	return sys_bpf(BPF_PROG_DETACH, &a);
}

static int write_locked(int cgfd, int root, const struct dev_rule *rules, size_t n)
{
	struct dev_rule *old = calloc(PROGS_MAX * DEVICES_RULES_MAX, sizeof(*old));
	int fds[PROGS_MAX], prog = -1, res;
	size_t nfd = 0, i;

	if (!old)
		return -ENOMEM;
	res = all_multi(cgfd, root);
	if (res == 0)
		res = find_ours(cgfd, fds, &nfd, old, PROGS_MAX * DEVICES_RULES_MAX);
	free(old);
	if (res < 0)
		return res;
	if (n > 0) {
		prog = load(rules, n);
		res = prog < 0 ? prog : attach(cgfd, prog, nfd ? fds[0] : -1);
	}
	/* The rest of cgfs's programs (all of them for an empty list). */
	for (i = n > 0 ? 1 : 0; res >= 0 && i < nfd; i++)
		res = detach(cgfd, fds[i]);
	if (prog >= 0)
		close(prog);
	close_all(fds, nfd);
	return res < 0 ? res : 0;
}

int devices_write(int cgfd, int root, const struct dev_rule *rules, size_t n)
{
	int res;

	if (n > DEVICES_RULES_MAX)
		return -E2BIG;
	pthread_mutex_lock(&write_lock);
	res = write_locked(cgfd, root, rules, n);
	pthread_mutex_unlock(&write_lock);
	return res;
}
