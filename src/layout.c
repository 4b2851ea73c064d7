// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgfs/cgfile.h"
#include "cgfs/layout.h"
#include "cgfs/proc.h"
#include "cgfs/util.h"

/* /proc files report size 0, so they are read until EOF. A host with
 * thousands of mounts has a mountinfo of a few MiB at most. */
#define PROC_FILE_MAX (16u << 20)

static const char *const ctrl_names[CTRL_MAX] = {
	[CTRL_CPU] = "cpu",         [CTRL_CPUACCT] = "cpuacct",
	[CTRL_CPUSET] = "cpuset",   [CTRL_MEMORY] = "memory",
	[CTRL_IO] = "io",           [CTRL_PIDS] = "pids",
	[CTRL_FREEZER] = "freezer",
};

/* Every cgroup v1 controller the kernel has (the list is frozen: new
 * controllers only appear on v2). Anything else in a v1 mount's super
 * options is a mount flag (rw, xattr, noprefix, release_agent=...). */
static const struct {
	const char *name;
	int ctrl; /* enum cg_ctrl, or -1: kept as a hierarchy, serves no knob */
} v1_names[] = {
	{ "cpu", CTRL_CPU },         { "cpuacct", CTRL_CPUACCT },
	{ "cpuset", CTRL_CPUSET },   { "memory", CTRL_MEMORY },
	{ "blkio", CTRL_IO },        { "pids", CTRL_PIDS },
	{ "freezer", CTRL_FREEZER }, { "devices", -1 },
	{ "net_cls", -1 },           { "net_prio", -1 },
	{ "perf_event", -1 },        { "hugetlb", -1 },
	{ "rdma", -1 },              { "misc", -1 },
	{ "debug", -1 },
};

/* v2 names in cgroup.controllers that cgfs uses. */
static const struct {
	const char *name;
	enum cg_ctrl ctrl;
} v2_names[] = {
	{ "cpu", CTRL_CPU },       { "cpuset", CTRL_CPUSET }, { "memory", CTRL_MEMORY },
	{ "io", CTRL_IO },         { "pids", CTRL_PIDS },
};

/* On v2 these are core files every cgroup has, not controllers. */
#define V2_CORE ((1u << CTRL_FREEZER) | (1u << CTRL_CPUACCT))

const char *ctrl_name(enum cg_ctrl c)
{
	if ((int)c < 0 || c >= CTRL_MAX)
		return NULL;
	return ctrl_names[c];
}

/* ---- small text helpers ---- */

/* Next line of *pos (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **pos)
{
	char *line = *pos, *nl;

	if (!*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*pos = nl + 1;
	} else {
		*pos = line + strlen(line);
	}
	return line;
}

/* Splits line in place at spaces; returns the number of fields found, at
 * most max (the rest of the line is then left in the last one). */
static size_t split_fields(char *line, char **field, size_t max)
{
	size_t n = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(line, " \t", &save); tok && n < max;
	     tok = strtok_r(NULL, " \t", &save))
		field[n++] = tok;
	return n;
}

/* The kernel escapes space, tab, newline and backslash in mountinfo paths
 * as \ooo. Anything else after a backslash means we misread the line. */
static int unescape_path(const char *in, char **ret)
{
	char *out = malloc(strlen(in) + 1), *o = out;

	if (!out)
		return -ENOMEM;
	while (*in) {
		if (*in != '\\') {
			*o++ = *in++;
			continue;
		}
		if (in[1] < '0' || in[1] > '3' || in[2] < '0' || in[2] > '7' ||
		    in[3] < '0' || in[3] > '7')
			goto bad;
		*o = (char)((in[1] - '0') << 6 | (in[2] - '0') << 3 | (in[3] - '0'));
		if (*o++ == '\0')
			goto bad;
		in += 4;
	}
	*o = '\0';
	if (out[0] != '/')
		goto bad;
	*ret = out;
	return 0;
bad:
	free(out);
	return -EINVAL;
}

/* ---- mountinfo ---- */

static int v1_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(v1_names) / sizeof(*v1_names); i++)
		if (strlen(v1_names[i].name) == len && strncmp(v1_names[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/* Keeps the controllers and name=X of v1 super options, in their order. */
static int v1_controllers(const char *superopts, char **ret_opts, unsigned *ret_ctrls)
{
	char *out = malloc(strlen(superopts) + 1);
	const char *p = superopts;
	unsigned ctrls = 0;
	size_t len = 0;

	if (!out)
		return -ENOMEM;
	while (*p) {
		size_t n = strcspn(p, ",");
		int i = v1_lookup(p, n);

		if (i >= 0 || (n > 5 && strncmp(p, "name=", 5) == 0)) {
			if (len)
				out[len++] = ',';
			memcpy(out + len, p, n);
			len += n;
			if (i >= 0 && v1_names[i].ctrl >= 0)
				ctrls |= 1u << v1_names[i].ctrl;
		}
		p += n + (p[n] == ',');
	}
	out[len] = '\0';
	*ret_opts = out;
	*ret_ctrls = ctrls;
	return 0;
}

static void hier_clear(struct hier *h)
{
	free(h->mountpoint);
	free(h->mount_root);
	free(h->own_cgroup);
	free(h->options);
	memset(h, 0, sizeof(*h));
}

static bool same_hier(const struct hier *a, const struct hier *b)
{
	if (a->version != b->version)
		return false;
	return a->version == 2 || proc_same_ctrls(a->options, b->options, strlen(b->options));
}

/* A hierarchy cgfs may drop when the table is full: v1 serving no knob. */
static bool expendable(const struct hier *h)
{
	return h->version == 1 && h->ctrls == 0;
}

/* Takes h's strings. A hierarchy mounted twice (bind mounts, containers
 * that mount it again) keeps its first mount. When more hierarchies exist
 * than fit, the ones serving no knob give way: at most 7 v1 hierarchies
 * plus v2 serve one, far below LAYOUT_MAX_HIER. */
static void add_hier(struct layout *l, struct hier *h)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (same_hier(&l->hier[i], h))
			goto drop;
	if (l->n < LAYOUT_MAX_HIER) {
		l->hier[l->n++] = *h;
		return;
	}
	if (expendable(h))
		goto drop;
	for (i = l->n; i-- > 0;)
		if (expendable(&l->hier[i])) {
			hier_clear(&l->hier[i]);
			l->hier[i] = *h;
			return;
		}
drop:
	hier_clear(h);
}

/* The fields of a mountinfo line around its " - " separator. */
enum { MI_ROOT = 3, MI_MOUNTPOINT = 4, MI_BEFORE_SEP = 6, MI_AFTER_SEP = 3 };
#define MI_FIELDS_MAX 64

static bool is_cgroup_fs(const char *fstype)
{
	return strcmp(fstype, "cgroup") == 0 || strcmp(fstype, "cgroup2") == 0;
}

/* Whether any field names a cgroup fs: then a line we cannot read is an
 * error, since skipping it could silently lose a hierarchy. */
static bool mentions_cgroup(char **f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (is_cgroup_fs(f[i]))
			return true;
	return false;
}

static int mount_line(struct layout *l, char *line)
{
	char *f[MI_FIELDS_MAX];
	struct hier h = { 0 };
	size_t n, sep;
	int res;

	n = split_fields(line, f, MI_FIELDS_MAX);
	if (n == 0)
		return 0;
	for (sep = 0; sep < n && strcmp(f[sep], "-") != 0; sep++)
		;
	if (sep < MI_BEFORE_SEP || sep + MI_AFTER_SEP >= n)
		return mentions_cgroup(f, n) ? -EINVAL : 0;
	if (!is_cgroup_fs(f[sep + 1]))
		return 0;

	h.version = strcmp(f[sep + 1], "cgroup2") == 0 ? 2 : 1;
	res = unescape_path(f[MI_ROOT], &h.mount_root);
	if (res == 0)
		res = unescape_path(f[MI_MOUNTPOINT], &h.mountpoint);
	if (res == 0 && h.version == 1)
		res = v1_controllers(f[sep + 3], &h.options, &h.ctrls);
	else if (res == 0 && !(h.options = strdup("")))
		res = -ENOMEM;
	if (res < 0) {
		hier_clear(&h);
		return res;
	}
	add_hier(l, &h);
	return 0;
}

/* ---- /proc/self/cgroup ---- */

/* The hierarchy a line of /proc/self/cgroup is about, or NULL. */
static struct hier *hier_for(struct layout *l, const struct proc_cgroup *line)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (proc_cgroup_is(line, l->hier[i].version == 2 ? NULL : l->hier[i].options))
			return &l->hier[i];
	return NULL;
}

static int parse_cgroup(struct layout *l, const char *text)
{
	struct proc_cgroup line;
	const char *pos = text ? text : "";
	struct hier *h;
	int res;

	while ((res = proc_cgroup_next(&pos, &line)) > 0) {
		/* A hierarchy that is not mounted here cannot be used: skip it. */
		h = hier_for(l, &line);
		if (!h || h->own_cgroup)
			continue;
		h->own_cgroup = strndup(line.path, line.path_len);
		if (!h->own_cgroup)
			return -ENOMEM;
	}
	return res;
}

/* ---- putting it together ---- */

static int for_each_line(struct layout *l, const char *text,
                         int (*fn)(struct layout *, char *))
{
	char *copy, *pos, *line;
	int res = 0;

	if (!text)
		return 0;
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	pos = copy;
	while (res == 0 && (line = next_line(&pos)))
		res = fn(l, line);
	free(copy);
	return res;
}

static void find_v2(struct layout *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->hier[i].version == 2) {
			l->v2 = (int)i;
			return;
		}
}

static unsigned v2_listed(const char *list)
{
	unsigned ctrls = 0;
	const char *p = list ? list : "";

	while (*(p += strspn(p, " \t\n"))) {
		size_t n = strcspn(p, " \t\n"), i;

		for (i = 0; i < sizeof(v2_names) / sizeof(*v2_names); i++)
			if (strlen(v2_names[i].name) == n && strncmp(v2_names[i].name, p, n) == 0)
				ctrls |= 1u << v2_names[i].ctrl;
		p += n;
	}
	return ctrls;
}

/* Decides which hierarchy serves each controller. Afterwards a bit is set
 * in hier[i].ctrls exactly when by_ctrl[c] == i. */
static void assign_ctrls(struct layout *l, const char *v2_controllers)
{
	unsigned taken = 0;
	size_t i;
	int c;

	for (i = 0; i < l->n; i++) {
		struct hier *h = &l->hier[i];

		if (h->version != 1)
			continue;
		/* A controller is bound to one v1 hierarchy; a second claim can
		 * only come from odd input, and the first mount wins. */
		h->ctrls &= ~taken;
		taken |= h->ctrls;
		for (c = 0; c < CTRL_MAX; c++)
			if (h->ctrls & (1u << c))
				l->by_ctrl[c] = (int)i;
	}
	if (l->v2 < 0)
		return;
	l->hier[l->v2].ctrls = (v2_listed(v2_controllers) | V2_CORE) & ~taken;
	for (c = 0; c < CTRL_MAX; c++)
		if (l->hier[l->v2].ctrls & (1u << c))
			l->by_ctrl[c] = l->v2;
}

static void layout_init(struct layout *l)
{
	int c;

	memset(l, 0, sizeof(*l));
	for (c = 0; c < CTRL_MAX; c++)
		l->by_ctrl[c] = -1;
	l->v2 = -1;
}

/* Mounts and our own cgroups; controllers are assigned afterwards because
 * layout_load learns the v2 controllers only once it knows the mount. */
static int parse_text(const char *mountinfo, const char *proc_cgroup, struct layout *l)
{
	int res;

	layout_init(l);
	res = for_each_line(l, mountinfo, mount_line);
	if (res == 0) {
		find_v2(l);
		res = parse_cgroup(l, proc_cgroup);
	}
	if (res < 0)
		layout_free(l);
	return res;
}

int layout_parse(const char *mountinfo, const char *proc_cgroup,
                 const char *v2_controllers, struct layout *ret)
{
	struct layout l;
	int res;

	res = parse_text(mountinfo, proc_cgroup, &l);
	if (res < 0)
		return res;
	assign_ctrls(&l, v2_controllers);
	*ret = l;
	return 0;
}

/* cgroup.controllers of the v2 mount; missing or unreadable means "none"
 * (the core files still work, which is all a hybrid host offers). */
static char *read_v2_controllers(const struct layout *l)
{
	char path[4096], *text = NULL;
	int n;

	if (l->v2 < 0)
		return NULL;
	n = snprintf(path, sizeof(path), "%s/cgroup.controllers", l->hier[l->v2].mountpoint);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    cgfile_read_text_at(AT_FDCWD, path, PROC_FILE_MAX, &text) < 0)
		return NULL;
	return text;
}

int layout_load(struct layout *ret)
{
	char *mountinfo = NULL, *cgroup = NULL, *v2 = NULL;
	struct layout l;
	int res;

	res = cgfile_read_text_at(AT_FDCWD, "/proc/self/mountinfo", PROC_FILE_MAX, &mountinfo);
	if (res >= 0)
		res = cgfile_read_text_at(AT_FDCWD, "/proc/self/cgroup", PROC_FILE_MAX, &cgroup);
	if (res >= 0)
		res = parse_text(mountinfo, cgroup, &l);
	free(mountinfo);
	free(cgroup);
	if (res < 0)
		return res;
	if (l.n == 0) {
		layout_free(&l);
		return -ENOENT;
	}
	v2 = read_v2_controllers(&l);
	assign_ctrls(&l, v2);
	free(v2);
	*ret = l;
	return 0;
}

void layout_free(struct layout *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n && i < LAYOUT_MAX_HIER; i++)
		hier_clear(&l->hier[i]);
	layout_init(l);
}

/* ---- paths ---- */

const char *hier_own_relative(const struct hier *h)
{
	if (!h || !h->own_cgroup || !h->mount_root)
		return NULL;
	return proc_cgroup_relative(h->own_cgroup, h->mount_root);
}
