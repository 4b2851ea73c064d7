// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgfs/cgfile.h"
#include "cgfs/pidns.h"
#include "cgfs/proc.h"
#include "cgfs/procvis.h"
#include "cgfs/util.h"

#define MOUNTINFO "/proc/self/mountinfo"
#define MOUNTINFO_MAX (16u << 20)
/* A reader's status with 65536 supplementary groups is about 720 KiB. */
#define STATUS_MAX (1u << 20)

/* The value of option name= in a comma-separated list, copied into val. */
static bool option(const char *opts, size_t len, const char *name, char *val, size_t size)
{
	size_t nlen = strlen(name), i = 0;

	while (i < len) {
		const char *o = opts + i, *comma = memchr(o, ',', len - i);
		size_t n = comma ? (size_t)(comma - o) : len - i;

		i += n + 1;
		if (n > nlen && memcmp(o, name, nlen) == 0 && o[nlen] == '=' &&
		    n - nlen - 1 < size) {
			memcpy(val, o + nlen + 1, n - nlen - 1);
			val[n - nlen - 1] = '\0';
			return true;
		}
	}
	return false;
}

static int hidepid_of(const char *v)
{
	static const struct { const char *name; int level; } names[] = {
		{ "0", 0 }, { "off", 0 }, { "1", 1 }, { "noaccess", 1 },
		{ "2", 2 }, { "invisible", 2 }, { "4", 4 }, { "ptraceable", 4 },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i].name) == 0)
			return names[i].level;
	return 2; /* a level this code does not know: hide, to be safe */
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...]
 * - FSTYPE SOURCE SUPEROPTS" (blanks in names are escaped, so none is a
 * separator). Fills m if it is a proc mount at /proc. */
static bool mount_line(const char *line, size_t len, struct procvis_mode *m)
{
	char buf[4096], *f[5], *save = NULL, *rest, *fstype, *opts, val[32];
	int i;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, line, len);
	buf[len] = '\0';
	rest = strstr(buf, " - ");
	if (!rest)
		return false;
	*rest = '\0';
	rest += 3;
	f[0] = strtok_r(buf, " ", &save);
	for (i = 1; i < 5 && f[i - 1]; i++)
		f[i] = strtok_r(NULL, " ", &save);
	if (!f[4] || strcmp(f[4], "/proc") != 0)
		return false;
	save = NULL;
	fstype = strtok_r(rest, " ", &save);
	if (!fstype || strcmp(fstype, "proc") != 0 || !strtok_r(NULL, " ", &save))
		return false;
	opts = strtok_r(NULL, " ", &save);
	*m = (struct procvis_mode){ 0 };
	if (opts && option(opts, strlen(opts), "hidepid", val, sizeof(val)))
		m->hidepid = hidepid_of(val);
	if (opts && option(opts, strlen(opts), "gid", val, sizeof(val))) {
		char *end;
		unsigned long g;

		errno = 0;
		g = strtoul(val, &end, 10);
		if (!errno && !*end && end != val && g < (gid_t)-1) {
			m->has_gid = true;
			m->gid = (gid_t)g;
		}
	}
	return true;
}

int procvis_parse_mountinfo(const char *text, struct procvis_mode *ret)
{
	struct procvis_mode m;
	bool found = false;

	*ret = (struct procvis_mode){ 0 };
	while (*text) {
		size_t n = strcspn(text, "\n");

		if (mount_line(text, n, &m)) {
			*ret = m;
			found = true;
		}
		text += n + (text[n] == '\n');
	}
	return found ? 0 : -ENOENT;
}

int procvis_parse_ids(const char *status, const char *key, unsigned ids[4])
{
	const char *p = proc_status_field(status, key);
	unsigned long v;
	int i;

	if (!p)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		if (proc_field_next(&p, &v) <= 0 || v > UINT_MAX)
			return -EINVAL;
		ids[i] = (unsigned)v;
	}
	return 0;
}

bool procvis_in_groups(const char *status, gid_t gid)
{
	const char *p = proc_status_field(status, "Groups");
	unsigned long v;

	while (p && proc_field_next(&p, &v) > 0)
		if (v == gid)
			return true;
	return false;
}

bool procvis_may_see(const struct procvis_mode *m, uid_t uid, gid_t gid, bool in_group,
                     const unsigned uids[4], const unsigned gids[4], uid_t proc_owner)
{
	int i;

	if (m->hidepid == 0 || uid == 0 || (m->has_gid && in_group))
		return true;
	/* The kernel's rule for reading another process (ptrace's, with
	 * the file system ids of the reader), dumpable included. */
	for (i = 0; i < 3; i++)
		if (uids[i] != uid || gids[i] != gid)
			return false;
	return proc_owner == uid;
}

/* ---- the daemon's /proc, as of now ---- */

static pthread_mutex_t mode_lock = PTHREAD_MUTEX_INITIALIZER;
static struct procvis_mode mode;
static int watch_fd = -1; /* polled for changes of the daemon's mounts */

/* The options of the daemon's /proc now: read again once the kernel
 * reports a change of its mounts (or a poll fails). */
static void mode_now(struct procvis_mode *ret)
{
	struct pollfd p;
	char *text;
	bool again;

	pthread_mutex_lock(&mode_lock);
	if (watch_fd < 0) {
		watch_fd = open(MOUNTINFO, O_RDONLY | O_CLOEXEC);
		again = true;
	} else {
		p = (struct pollfd){ .fd = watch_fd, .events = POLLPRI };
		again = poll(&p, 1, 0) != 0;
	}
	if (again && cgfile_read_alloc_at(AT_FDCWD, MOUNTINFO, MOUNTINFO_MAX, &text) >= 0) {
		procvis_parse_mountinfo(text, &mode);
		free(text);
	} else if (again) {
		mode = (struct procvis_mode){ .hidepid = 2 }; /* cannot tell: hide */
	}
	*ret = mode;
	pthread_mutex_unlock(&mode_lock);
}

struct reader {
	struct procvis_mode m;
	uid_t uid;
	gid_t gid;
	bool in_group;
};

static int map_visible(void *arg, pid_t pid, pid_t *ret)
{
	const struct reader *r = arg;
	unsigned uids[4], gids[4];
	char buf[4096];
	uid_t owner;

	if (proc_read(pid, "status", buf, sizeof(buf), &owner) < 0)
		return -ESRCH;
	if (procvis_parse_ids(buf, "Uid:", uids) < 0 || procvis_parse_ids(buf, "Gid:", gids) < 0 ||
	    !procvis_may_see(&r->m, r->uid, r->gid, r->in_group, uids, gids, owner))
		return -ESRCH;
	*ret = pid;
	return 0;
}

/* Whether the reader is in the mount's gid= group: its file system gid
 * or one of its supplementary groups. */
static bool reader_in_group(pid_t reader, gid_t gid, const struct procvis_mode *m)
{
	char *status;
	bool in;

	if (!m->has_gid)
		return false;
	if (gid == m->gid)
		return true;
	if (reader <= 0)
		return false;
	if (proc_read_all(reader, "status", STATUS_MAX, &status) < 0)
		return false;
	in = procvis_in_groups(status, m->gid);
	free(status);
	return in;
}

int procvis_filter(pid_t reader, uid_t uid, gid_t gid, char **buf, int len)
{
	struct reader r = { .uid = uid, .gid = gid };
	char *out = NULL;
	int res;

	mode_now(&r.m);
	if (r.m.hidepid == 0 || uid == 0)
		return len;
	r.in_group = reader_in_group(reader, gid, &r.m);
	if (r.in_group)
		return len;
	res = pidns_map_list(*buf, (size_t)len, map_visible, &r, &out);
	free(*buf);
	*buf = out;
	return res;
}
