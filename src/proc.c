// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgfs/cgfile.h"
#include "cgfs/proc.h"
#include "cgfs/util.h"

/* ---- reading ---- */

int proc_open(pid_t pid)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* One read of an open file into buf[size]; the owner on request. */
static int read_small(int fd, char *buf, size_t size, uid_t *ret_owner)
{
	struct stat st;
	ssize_t n;

	if (size < 2)
		return -EINVAL;
	if (ret_owner) {
		if (fstat(fd, &st) < 0)
			return -errno;
		*ret_owner = st.st_uid;
	}
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ENODATA;
	buf[n] = '\0';
	return (int)n;
}

static int read_path_at(int dfd, const char *path, char *buf, size_t size, uid_t *ret_owner)
{
	int fd, res;

	fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	res = read_small(fd, buf, size, ret_owner);
	close(fd);
	return res;
}

int proc_read(pid_t pid, const char *name, char *buf, size_t size, uid_t *ret_owner)
{
	char path[64];
	int n;

	n = snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return read_path_at(AT_FDCWD, path, buf, size, ret_owner);
}

int proc_read_at(int dfd, const char *name, char *buf, size_t size)
{
	return read_path_at(dfd, name, buf, size, NULL);
}

int proc_read_all(pid_t pid, const char *name, size_t max, char **ret)
{
	char path[64];
	int n;

	n = snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return cgfile_read_alloc_at(AT_FDCWD, path, max, ret);
}

/* ---- /proc/PID/cgroup ---- */

/* Splits one line (without its '\n') into *ret: 0 or -EINVAL. */
static int cgroup_split(const char *line, size_t len, struct proc_cgroup *ret)
{
	const char *c1 = memchr(line, ':', len), *c2, *end = line + len;
	unsigned long id = 0;
	const char *p;

	c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
	if (!c2 || c1 == line || c2 + 1 == end || c2[1] != '/')
		return -EINVAL;
	for (p = line; p < c1; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		/* An ID beyond any hierarchy's saturates: it is still no 0. */
		id = id > (~0ul - 9) / 10 ? ~0ul : id * 10 + (unsigned long)(*p - '0');
	}
	*ret = (struct proc_cgroup){
		.id = id,
		.ctrls = c1 + 1, .ctrls_len = (size_t)(c2 - c1 - 1),
		.path = c2 + 1, .path_len = (size_t)(end - c2 - 1),
	};
	return 0;
}

int proc_cgroup_next(const char **pos, struct proc_cgroup *ret)
{
	const char *line = *pos;
	size_t len;

	while (*line == '\n')
		line++;
	if (!*line) {
		*pos = line;
		return 0;
	}
	len = strcspn(line, "\n");
	*pos = line + len + (line[len] == '\n');
	return cgroup_split(line, len, ret) < 0 ? -EINVAL : 1;
}

static bool list_has(const char *list, size_t len, const char *item, size_t ilen)
{
	size_t i = 0;

	while (i < len) {
		const char *p = list + i, *comma = memchr(p, ',', len - i);
		size_t n = comma ? (size_t)(comma - p) : len - i;

		if (n == ilen && memcmp(p, item, n) == 0)
			return true;
		i += n + 1;
	}
	return false;
}

static size_t list_count(const char *list, size_t len)
{
	size_t i, n = len ? 1 : 0;

	for (i = 0; i < len; i++)
		n += list[i] == ',';
	return n;
}

bool proc_same_ctrls(const char *a, const char *b, size_t blen)
{
	size_t alen = strlen(a), i = 0;

	/* Unique items: equal counts plus inclusion make equal sets. */
	if (list_count(a, alen) != list_count(b, blen))
		return false;
	while (i < alen) {
		size_t n = strcspn(a + i, ",");

		if (!list_has(b, blen, a + i, n))
			return false;
		i += n + 1;
	}
	return true;
}

bool proc_cgroup_is(const struct proc_cgroup *line, const char *ctrls)
{
	if (!ctrls)
		return line->id == 0 && line->ctrls_len == 0;
	return *ctrls && proc_same_ctrls(ctrls, line->ctrls, line->ctrls_len);
}

int proc_cgroup_path(const char *text, const char *ctrls, char *out, size_t size)
{
	struct proc_cgroup line;
	const char *pos = text;
	int res;

	while ((res = proc_cgroup_next(&pos, &line)) != 0) {
		if (res < 0 || !proc_cgroup_is(&line, ctrls))
			continue;
		if (line.path_len >= size)
			return -ENAMETOOLONG;
		memcpy(out, line.path, line.path_len);
		out[line.path_len] = '\0';
		return (int)line.path_len;
	}
	return -ENOENT;
}

static bool has_dotdot(const char *path)
{
	const char *p = path;

	while (*p) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += n;
	}
	return false;
}

const char *proc_cgroup_relative(const char *path, const char *root)
{
	size_t len;

	if (path[0] != '/' || root[0] != '/' || has_dotdot(path) || has_dotdot(root))
		return NULL;
	len = strlen(root);
	while (len > 0 && root[len - 1] == '/')
		len--;
	/* "/lxc/c1" is a parent of "/lxc/c1/x", not of "/lxc/c10". */
	if (strncmp(path, root, len) != 0 || (path[len] != '/' && path[len] != '\0'))
		return NULL;
	path += len;
	while (*path == '/')
		path++;
	return path;
}

/* ---- /proc/PID/status ---- */

const char *proc_status_field(const char *status, const char *key)
{
	size_t klen = strlen(key);
	const char *p = status;

	if (klen && key[klen - 1] == ':')
		klen--;
	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			p += klen + 1;
			return p + strspn(p, " \t");
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

int proc_field_next(const char **pos, unsigned long *ret)
{
	const char *p = *pos + strspn(*pos, " \t");
	unsigned long v;
	char *end;

	*pos = p;
	if (*p == '\n' || *p == '\0')
		return 0;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\0'))
		return -EINVAL;
	*pos = end;
	*ret = v;
	return 1;
}

int proc_status_ids(const char *status, const char *key, unsigned long *ids, size_t max)
{
	const char *p = proc_status_field(status, key);
	unsigned long v;
	size_t n = 0;
	int res;

	if (!p)
		return -ENOENT;
	while ((res = proc_field_next(&p, &v)) > 0) {
		if (n == max)
			return -EINVAL;
		ids[n++] = v;
	}
	return res < 0 ? res : (int)n;
}
