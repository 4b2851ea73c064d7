// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgfs/group.h"
#include "cgfs/log.h"
#include "cgfs/units.h"
#include "group_int.h"

/* ---- knobs ---- */

/* The knobs that are actions on the group rather than a value behind
 * knob_io (knob.kind other than KNOB_VALUE): what reading and writing
 * them does. NULL read: write-only (-EACCES). */
struct knob_action {
	int (*read)(const struct cgroot *r, const char *path, char **buf);
	int (*write)(const struct cgroot *r, const char *path, const char *value);
};

static int act_procs_read(const struct cgroot *r, const char *path, char **buf)
{
	char lp[PATH_MAX];
	struct stat st;
	int res = cgfile_join(lp, sizeof(lp), path, GROUP_LEAF "/cgroup.procs");

	if (res == 0)
		res = cgfile_read_alloc_at(primary(r)->base_fd, lp, PROCS_FILE_MAX, buf);
	/* No leaf: no process has been in the group yet. */
	if (res == -ENOENT && group_stat(r, path, &st) == 0) {
		*buf = strdup("");
		res = *buf ? 0 : -ENOMEM;
	}
	return res;
}

static int act_procs_write(const struct cgroot *r, const char *path, const char *value)
{
	int pid, res = knob_parse_pid(value, &pid);

	return res < 0 ? res : group_move_pid(r, path, pid);
}

static int act_freeze_read(const struct cgroot *r, const char *path, char **buf)
{
	int res = group_freeze_state(r, path);

	if (res < 0)
		return res;
	*buf = strdup(res ? "1\n" : "0\n");
	return *buf ? 2 : -ENOMEM;
}

static int act_freeze_write(const struct cgroot *r, const char *path, const char *value)
{
	int on, res = knob_parse_freeze(value, &on);

	return res < 0 ? res : group_freeze(r, path, on);
}

static int act_kill_write(const struct cgroot *r, const char *path, const char *value)
{
	int res = knob_parse_kill(value);

	return res < 0 ? res : group_kill(r, path);
}

static int act_autoremove_read(const struct cgroot *r, const char *path, char **buf)
{
	int res = group_autoremove_get(r, path, -1);

	if (res < 0)
		return res;
	*buf = strdup(res ? "1\n" : "0\n");
	return *buf ? 2 : -ENOMEM;
}

static int act_autoremove_write(const struct cgroot *r, const char *path, const char *value)
{
	int on, res = knob_parse_autoremove(value, &on);

	return res < 0 ? res : group_autoremove_set(r, path, on);
}

static const struct knob_action actions[] = {
	[KNOB_PROCS] = { act_procs_read, act_procs_write },
	[KNOB_FREEZE] = { act_freeze_read, act_freeze_write },
	[KNOB_KILL] = { NULL, act_kill_write },
	[KNOB_AUTOREMOVE] = { act_autoremove_read, act_autoremove_write },
};

int group_knob_read(const struct cgroot *r, const char *path, const struct knob *k,
                    char **buf)
{
	struct knob_io io;
	struct gio g;
	int res;

	if (k->kind != KNOB_VALUE)
		return actions[k->kind].read ? actions[k->kind].read(r, path, buf) : -EACCES;
	if (!k->get)
		return -EACCES;
	*buf = malloc(KNOB_TEXT_MAX);
	if (!*buf)
		return -ENOMEM;
	gio_init(&io, &g, r, path);
	res = k->get(k, &io, *buf, KNOB_TEXT_MAX);
	if (res < 0) {
		free(*buf);
		*buf = NULL;
	}
	return res;
}

int group_view_read(const struct cgroot *r, const char *path, const struct view_entry *v,
                    char **buf)
{
	struct knob_io io;
	struct gio g;

	if (!v->read)
		return -EISDIR;
	gio_init(&io, &g, r, path);
	return v->read(&io, buf);
}

/* ---- v1 cpusets ---- */

/* cpuset.cpus and cpuset.mems (the row's v1 file) are lists of the same
 * syntax under the same v1 rules; only the CPUs have a limit to check
 * first (the kernel parses nodes up to a compile-time count that
 * user space cannot see: nodes_possible answers for them). */
static const char *possible_of(const char *file)
{
	return strcmp(file, "cpuset.cpus") == 0 ? "/sys/devices/system/cpu/possible" : NULL;
}

static int list_of(int dfd, const char *dir, const char *file, uint64_t *bits)
{
	char buf[CPULIST_TEXT_MAX];
	int res = cgfile_read_in(dfd, dir, file, buf, sizeof(buf));

	return res < 0 ? res : units_parse_cpulist(buf, bits);
}

static int write_list(int dfd, const char *dir, const char *file, const uint64_t *bits)
{
	char buf[CPULIST_TEXT_MAX];
	int res = units_format_cpulist(bits, buf, sizeof(buf));

	return res < 0 ? res : cgfile_write_in(dfd, dir, file, buf);
}

/* v1 refuses a cpuset.cpus (or .mems) that is not a subset of the
 * parent's (EBUSY for the parent when a child would stick out): before
 * narrowing a group, fit every cgroup below it into allowed, deepest
 * first. A child whose CPUs all go away gets all of its parent's new set.
 * Each directory's frame keeps its new set as text, after a mark: '=' it
 * keeps its CPUs, '!' they are written when its children are done. */
struct fit {
	const char *file;     /* cpuset.cpus or cpuset.mems */
	uint64_t *cur, *want; /* UNITS_CPU_WORDS each, on the heap */
	char text[CPULIST_TEXT_MAX];
};

static int fit_pre(void *arg, struct walk *w, int pdfd, int dfd, const char *name,
                   char **data)
{
	struct fit *f = arg;
	char buf[CPULIST_TEXT_MAX];
	bool empty = true, same = true;
	size_t i;
	int res;

	if (pdfd < 0) {
		/* The start: its children fit into allowed (f->want). */
		res = units_format_cpulist(f->want, f->text + 1, sizeof(f->text) - 1);
	} else {
		res = units_parse_cpulist(walk_data(w) + 1, f->want);
		if (res == 0)
			res = cgfile_read_at(dfd, f->file, buf, sizeof(buf));
		if (res >= 0)
			res = units_parse_cpulist(buf, f->cur);
		for (i = 0; res == 0 && i < UNITS_CPU_WORDS; i++) {
			f->want[i] &= f->cur[i];
			empty = empty && !f->want[i];
		}
		/* All its CPUs go: it gets all of its parent's. */
		if (res == 0 && empty)
			res = units_parse_cpulist(walk_data(w) + 1, f->want);
		for (i = 0; res == 0 && i < UNITS_CPU_WORDS; i++)
			same = same && f->want[i] == f->cur[i];
		if (res == 0)
			res = units_format_cpulist(f->want, f->text + 1, sizeof(f->text) - 1);
	}
	if (res < 0)
		return res;
	f->text[0] = same ? '=' : '!';
	*data = strdup(f->text);
	return *data ? 0 : -ENOMEM;
}

static int fit_post(void *arg, struct walk *w, int pdfd, const char *name, char *data)
{
	const struct fit *f = arg;

	return data[0] == '!' ? cgfile_write_in(pdfd, name, f->file, data + 1) : 0;
}

static int cpuset_v1_fit(int dfd, const char *dir, const char *file, const uint64_t *allowed)
{
	static const struct walk_ops ops = { fit_pre, fit_post };
	struct fit *f = malloc(sizeof(*f));
	int res = -ENOMEM;

	if (f) {
		f->cur = malloc(2 * UNITS_CPU_WORDS * sizeof(uint64_t));
		f->want = f->cur ? f->cur + UNITS_CPU_WORDS : NULL;
	}
	if (f && f->cur) {
		f->file = file;
		memcpy(f->want, allowed, UNITS_CPU_WORDS * sizeof(uint64_t));
		res = walk_tree(dfd, dir, false, &ops, f);
	}
	if (f)
		free(f->cur);
	free(f);
	return res;
}

/* -ERANGE when bits name a CPU past the highest this machine can have
 * (possible: its list): the kernel's own answer, on v1 and v2 (its list
 * parser stops at nr_cpu_ids, the possible CPUs), which the subset check
 * of cpuset_v1_set would turn into -EINVAL. */
static int cpus_in_range(const uint64_t *bits, const char *possible_file)
{
	uint64_t *possible = malloc(UNITS_CPU_WORDS * sizeof(uint64_t)), in_range;
	size_t w, first = 0, last = 0;
	char buf[CPULIST_TEXT_MAX];
	int res;

	if (!possible)
		return -ENOMEM;
	res = cgfile_read_at(AT_FDCWD, possible_file, buf, sizeof(buf));
	if (res >= 0)
		res = units_parse_cpulist(buf, possible);
	for (w = 0; res == 0 && w < UNITS_CPU_WORDS; w++)
		if (possible[w])
			last = w * 64 + 63 - (size_t)__builtin_clzll(possible[w]);
	for (w = 0; res == 0 && w < UNITS_CPU_WORDS; w++, first += 64) {
		if (first > last)
			in_range = 0;
		else if (first + 63 <= last)
			in_range = UINT64_MAX;
		else
			in_range = (UINT64_C(1) << (last - first + 1)) - 1;
		if (bits[w] & ~in_range)
			res = -ERANGE;
	}
	free(possible);
	/* Without the file there is nothing to tell: the kernel will. */
	return res == -ERANGE || res == -ENOMEM ? res : 0;
}

/* -EINVAL when a memory node list names a node past the possible ones:
 * v1 says so through the parent's set (cpuset_v1_set), v2's kernel only
 * below its compile-time count (ERANGE at and above it), so v2 asks
 * first. */
static int nodes_possible(const char *value)
{
	uint64_t *bits = malloc(UNITS_CPU_WORDS * sizeof(uint64_t));
	int res = bits ? units_parse_cpulist(value, bits) : -ENOMEM;

	if (res == 0)
		res = cpus_in_range(bits, "/sys/devices/system/node/possible");
	free(bits);
	return res == -ERANGE ? -EINVAL : res;
}

static int cpuset_v1_set(const struct cgroot *r, const struct cg_hier *h, const char *path,
                         const struct knob *k, const struct knob_io *io, const char *value)
{
	uint64_t *want = malloc(2 * UNITS_CPU_WORDS * sizeof(uint64_t)), *par;
	const char *file = k->v1_file, *possible = possible_of(file);
	char parent[PATH_MAX], lp[PATH_MAX];
	size_t w;
	int res;

	if (!want)
		return -ENOMEM;
	par = want + UNITS_CPU_WORDS;
	cgfile_dirname(path, parent, sizeof(parent));
	res = units_parse_cpulist(value, want);
	if (res == 0 && possible)
		res = cpus_in_range(want, possible);
	if (res == 0)
		res = list_of(h->base_fd, parent, file, par);
	/* What the kernel would refuse is refused before anything changes. */
	for (w = 0; res == 0 && w < UNITS_CPU_WORDS; w++)
		if (want[w] & ~par[w])
			res = -EINVAL;
	if (res == 0)
		res = cpuset_v1_fit(h->base_fd, path, file, want);
	if (res == 0)
		res = k->set(k, io, value);
	/* The group's own processes follow the group, wider or narrower
	 * (a group that never had one has no leaf). */
	if (res == 0 && cgfile_join(lp, sizeof(lp), path, GROUP_LEAF) == 0 &&
	    (res = write_list(h->base_fd, lp, file, want)) == -ENOENT)
		res = 0;
	free(want);
	return res;
}

int group_knob_write(const struct cgroot *r, const char *path, const struct knob *k,
                     const char *value)
{
	const struct cg_hier *h;
	struct knob_io io;
	struct gio g;
	int res;

	if (k->kind != KNOB_VALUE)
		return actions[k->kind].write(r, path, value);
	if (!k->set)
		return -EACCES;
	gio_init(&io, &g, r, path);
	/* The limits the group's processes read from their own cgroup
	 * follow (group_mirror.c). */
	g.mirror = true;
	h = hier_for(r, k->ctrl);
	/* v1 cpusets (cpus, mems): the group's subtree must fit first
	 * (cpuset_v1_set). */
	if (k->ctrl == CTRL_CPUSET && h && h->version == 1) {
		res = k->check ? k->check(value) : 0;
		return res < 0 ? res : cpuset_v1_set(r, h, path, k, &io, value);
	}
	if (k->ctrl == CTRL_CPUSET && h && strcmp(k->v2_file, "cpuset.mems") == 0) {
		res = k->check ? k->check(value) : 0;
		if (res == 0)
			res = nodes_possible(value);
		if (res < 0)
			return res;
	}
	return k->set(k, &io, value);
}
