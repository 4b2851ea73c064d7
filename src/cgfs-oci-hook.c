// SPDX-License-Identifier: MIT
/*
 * cgfs-oci-hook: puts a container's init in a group of a cgfs mount while
 * the runtime creates it (see cgfs-oci-hook(8)). As an OCI hook
 * (createRuntime or prestart) it reads the container's state on stdin,
 * the group from the annotation org.cgfs.group, the mount from
 * org.cgfs.mount and knob values from org.cgfs.knob.NAME; as LXC's
 * start-host hook it takes them from its options and the pid from
 * LXC_PID. It speaks only the mount's files, so the daemon's checks hold:
 * the hook can do what whoever runs the runtime can do, nothing more.
 * Every path below the mount is resolved beneath it (openat2), one level
 * at a time, without symlinks or other mounts. Any failure exits 1 with
 * a message, which makes the runtime abort the start, and takes back the
 * group levels the hook made.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hook_names.h"

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

#define DEFAULT_MOUNT "/run/cgfs"
#define ANN_GROUP "org.cgfs.group"
#define ANN_MOUNT "org.cgfs.mount"
#define ANN_KNOB "org.cgfs.knob."
#define ANN_BIND "org.cgfs.bind"
/* The state a runtime passes is a few KiB (its annotations included);
 * more than this is refused unread. */
#define MAX_STATE (1024 * 1024)
#define MAX_KNOBS 32
#define MAX_VALUE 4096

struct knob {
	const char *name, *value;
};

struct request {
	const char *group, *mount;
	const char *bind; /* --bind-view: where the group goes inside, or NULL */
	bool view;        /* --bind-view: bind the view, move nothing */
	int pid;
	struct knob knobs[MAX_KNOBS];
	int nknobs;
};

/* A level made by the hook: removed again on a failure (the daemon's
 * rmdir is recursive, so the highest one takes everything below). */
static int made_dir = -1;
static char made_name[NAME_MAX + 1];

static void undo(void)
{
	if (made_dir >= 0 && unlinkat(made_dir, made_name, AT_REMOVEDIR) < 0)
		fprintf(stderr, "cgfs-oci-hook: cannot remove the group level %s it made: %s\n",
		        made_name, strerror(errno));
	made_dir = -1;
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("cgfs-oci-hook: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	undo();
	exit(1);
}

static void usage(FILE *f)
{
	fputs("usage: cgfs-oci-hook                    (OCI hook: the state on stdin)\n"
	      "       cgfs-oci-hook --group NAME [--mount DIR] [--pid PID] [--knob K=V]...\n"
	      "Puts a container's init in the group NAME of a cgfs mount (default " DEFAULT_MOUNT ").\n"
	      "As an OCI hook the group is the annotation " ANN_GROUP ", the mount " ANN_MOUNT ",\n"
	      "and each annotation " ANN_KNOB "K=V is written to the knob K first.\n"
	      "With --group (LXC's start-host hook) the pid is --pid or else LXC_PID.\n"
	      "With --bind-view (createContainer) it binds the group's view files over the\n"
	      "container's /proc and /sys, and the group at the annotation " ANN_BIND ".\n", f);
}

/* ---- what is asked ---- */

static void add_knob(struct request *r, const char *name, const char *value)
{
	if (r->nknobs == MAX_KNOBS)
		fail("more than %d knobs asked for", MAX_KNOBS);
	if (!hook_knob_name_ok(name))
		fail("knob '%s': not a knob name (lower-case letters, digits and _; not procs)", name);
	if (strlen(value) > MAX_VALUE)
		fail("knob %s: the value is longer than %d bytes", name, MAX_VALUE);
	r->knobs[r->nknobs++] = (struct knob){ name, value };
}

/* The whole of stdin, at most MAX_STATE bytes, NUL-terminated. */
static char *read_state(size_t *ret_len)
{
	char *buf = malloc(MAX_STATE + 1);
	size_t len = 0;
	ssize_t n;

	if (!buf)
		fail("%s", strerror(ENOMEM));
	for (;;) {
		n = read(STDIN_FILENO, buf + len, MAX_STATE + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("cannot read the container's state on stdin: %s", strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > MAX_STATE)
			fail("the container's state on stdin is larger than %d bytes: refused",
			     MAX_STATE);
	}
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

static const char *string_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_string))
		fail("annotation %s is not a string", key);
	return json_object_get_string(v);
}

/* The OCI state (runtime-spec's "State"): pid and annotations. */
static struct json_object *parse_state(struct request *r)
{
	struct json_tokener *tok;
	struct json_object *st, *v, *ann;
	size_t len, end;
	char *buf = read_state(&len);
	int64_t pid;

	if (len == 0)
		fail("no container state on stdin (run as an OCI hook, or give --group)");
	tok = json_tokener_new();
	if (!tok)
		fail("%s", strerror(ENOMEM));
	st = json_tokener_parse_ex(tok, buf, (int)len);
	if (!st || json_tokener_get_error(tok) != json_tokener_success)
		fail("the container's state on stdin is not JSON: %s",
		     json_tokener_error_desc(json_tokener_get_error(tok)));
	/* One value, and nothing after it but blanks (a newline, say). */
	for (end = json_tokener_get_parse_end(tok); end < len; end++)
		if (!isspace((unsigned char)buf[end]))
			fail("the container's state on stdin has more after its JSON object");
	json_tokener_free(tok);
	free(buf);
	if (!json_object_is_type(st, json_type_object))
		fail("the container's state on stdin is not a JSON object");
	if (!json_object_object_get_ex(st, "pid", &v))
		fail("the container's state has no pid");
	if (!json_object_is_type(v, json_type_int))
		fail("the container's state has a pid that is not a number");
	pid = json_object_get_int64(v);
	if (pid < 1 || pid > INT_MAX)
		fail("the container's state has pid %lld, not a process", (long long)pid);
	r->pid = (int)pid;
	if (!json_object_object_get_ex(st, "annotations", &ann) ||
	    !json_object_is_type(ann, json_type_object))
		fail("the container has no annotations, so no " ANN_GROUP);
	r->group = string_member(ann, ANN_GROUP);
	if (!r->group)
		fail("the container has no annotation " ANN_GROUP " naming its group");
	r->mount = string_member(ann, ANN_MOUNT);
	if (!r->mount)
		r->mount = DEFAULT_MOUNT;
	r->bind = string_member(ann, ANN_BIND);
	if (r->view) /* the knobs are the move's, at createRuntime */
		return st;
	json_object_object_foreach(ann, key, val) {
		if (strncmp(key, ANN_KNOB, strlen(ANN_KNOB)) != 0)
			continue;
		if (!json_object_is_type(val, json_type_string))
			fail("annotation %s is not a string", key);
		add_knob(r, key + strlen(ANN_KNOB), json_object_get_string(val));
	}
	return st;
}

static void parse_args(int argc, char **argv, struct request *r)
{
	static const struct option longs[] = {
		{ "group", required_argument, NULL, 'g' }, { "mount", required_argument, NULL, 'M' },
		{ "pid", required_argument, NULL, 'p' },   { "knob", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },        { "version", no_argument, NULL, 'V' },
		{ "bind-view", no_argument, NULL, 'b' },   { NULL, 0, NULL, 0 },
	};
	const char *pid = NULL;
	char *eq;
	int c;

	/* '+': LXC appends the container's name, "lxc" and the hook's type,
	 * which are not options and are let be. */
	while ((c = getopt_long(argc, argv, "+g:M:p:k:hVb", longs, NULL)) != -1) {
		switch (c) {
		case 'b': r->view = true; break;
		case 'g': r->group = optarg; break;
		case 'M': r->mount = optarg; break;
		case 'p': pid = optarg; break;
		case 'k':
			eq = strchr(optarg, '=');
			if (!eq)
				fail("--knob '%s': KNOB=VALUE is needed", optarg);
			*eq = '\0';
			add_knob(r, optarg, eq + 1);
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': puts("cgfs-oci-hook " CGFS_VERSION); exit(0);
		default: usage(stderr); exit(1);
		}
	}
	if (r->view && r->group)
		fail("--bind-view reads the state on stdin: no --group");
	if (!r->group) {
		if (pid || r->mount || r->nknobs)
			fail("--group is needed with --pid, --mount and --knob");
		return;
	}
	if (!r->mount)
		r->mount = DEFAULT_MOUNT;
	if (!pid)
		pid = getenv("LXC_PID");
	if (!pid)
		fail("no pid: give --pid, or run as LXC's start-host hook (LXC_PID)");
	r->pid = hook_parse_pid(pid);
	if (r->pid < 0)
		fail("pid '%s': not a process id", pid);
}

/* ---- the mount's files ---- */

static int open_beneath(int dir, const char *name, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)flags | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
		           RESOLVE_NO_XDEV,
	};

	return (int)syscall(SYS_openat2, dir, name, &how, sizeof(how));
}

/* The mount's root: a cgfs mount (fuse.cgfs in mountinfo), and its root
 * itself, so that what is resolved beneath it is the daemon's tree. */
static int open_mount(const char *mount)
{
	struct statfs sf;
	struct statx sx;
	char line[4096], want[32], type[256];
	FILE *mi;
	bool cgfs = false;
	int fd;

	if (*mount != '/')
		fail("mount '%s': an absolute path is needed", mount);
	fd = open(mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fail("no cgfs mount at %s: %s", mount, strerror(errno));
	if (fstatfs(fd, &sf) < 0 || sf.f_type != FUSE_SUPER_MAGIC)
		fail("%s is not a cgfs mount (not a FUSE file system); is cgfs running?", mount);
	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0 || !(sx.stx_mask & STATX_MNT_ID))
		fail("%s: cannot tell its mount: %s", mount, strerror(errno ? errno : ENOSYS));
	if (!(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
	    !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		fail("%s is not the root of a mount (a directory inside one?)", mount);
	mi = fopen("/proc/self/mountinfo", "re");
	if (!mi)
		fail("cannot read /proc/self/mountinfo: %s", strerror(errno));
	snprintf(want, sizeof(want), "%llu", (unsigned long long)sx.stx_mnt_id);
	while (fgets(line, sizeof(line), mi)) {
		char *sep = strstr(line, " - ");
		size_t idlen = strcspn(line, " ");

		if (idlen != strlen(want) || strncmp(line, want, idlen) != 0 || !sep)
			continue;
		cgfs = sscanf(sep + 3, "%255s", type) == 1 && strcmp(type, "fuse.cgfs") == 0;
		break;
	}
	fclose(mi);
	if (!cgfs)
		fail("%s is a FUSE mount but not cgfs's", mount);
	return fd;
}

/* The group's directory, each level resolved beneath the mount; levels
 * below the user's tree that are missing are made, the highest one made
 * marked autoremove (as cgfs-run --group does). */
static int open_group(int root, const char *group, bool create)
{
	char path[PATH_MAX], *lvl, *save = NULL;
	int dir = root, next, depth = 0;

	snprintf(path, sizeof(path), "%s", group);
	for (lvl = strtok_r(path, "/", &save); lvl; lvl = strtok_r(NULL, "/", &save), depth++) {
		next = open_beneath(dir, lvl, O_PATH | O_DIRECTORY);
		if (next < 0 && errno == ENOENT && depth == 0)
			fail("no tree '%s' in the mount: root makes it with mkdir (see cgfs(5))", lvl);
		if (next < 0 && errno == ENOENT && !create)
			fail("group %s: no %s (the hook's createRuntime stage makes it)", group, lvl);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(dir, lvl, 0755) < 0)
				fail("group %s: cannot make %s: %s", group, lvl, strerror(errno));
			if (made_dir < 0) {
				made_dir = dup(dir);
				snprintf(made_name, sizeof(made_name), "%s", lvl);
			}
			next = open_beneath(dir, lvl, O_PATH | O_DIRECTORY);
		}
		if (next < 0)
			fail("group %s: %s: %s", group, lvl,
			     errno == EXDEV || errno == ELOOP ?
			             "leaves the mount (a symlink or another mount on the way)" :
			             strerror(errno));
		if (dir != root)
			close(dir);
		dir = next;
	}
	return dir;
}

/* Writes value to the group's file in one write(2): 0 or -errno. */
static int write_file(int group, const char *file, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, res = 0;

	fd = open_beneath(group, file, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		res = -errno;
	else if ((size_t)n != len)
		res = -EIO;
	if (close(fd) < 0 && res == 0)
		res = -errno;
	return res;
}

/* ---- the view, bound inside the container (createContainer) ---- */

/* The files a group has for a container's /proc and /sys (cgfs(5), PROC
 * AND SYS FILES), each bound over the same path; meminfo and swaps are
 * absent where no memory controller is, diskstats where no I/O one is. */
static const char *const view_files[] = {
	"proc/cpuinfo", "proc/meminfo", "proc/stat", "proc/uptime", "proc/loadavg",
	"proc/swaps", "proc/diskstats", "sys/devices/system/cpu/online",
};

/* Binds src (below the group) over dst (below the container's root,
 * resolved as if it were /: an image's symlinks stay inside). A source
 * the group has not is skipped when optional; so is a target the image
 * has not (a container without /sys). */
static void bind_one(int group, const char *src, int rootfs, const char *dst, bool optional)
{
	struct open_how in_root = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int s, t, tree;

	s = open_beneath(group, src, O_PATH);
	if (s < 0 && errno == ENOENT && optional)
		return;
	if (s < 0)
		fail("the group's %s: %s", src, strerror(errno));
	t = (int)syscall(SYS_openat2, rootfs, dst, &in_root, sizeof(in_root));
	if (t < 0 && errno == ENOENT && optional) {
		close(s);
		return;
	}
	if (t < 0)
		fail("the container's %s: %s", dst, strerror(errno));
	tree = open_tree(s, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		fail("cannot bind the group's %s: %s", src, strerror(errno));
	if (move_mount(tree, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail("cannot bind the group's %s over the container's %s: %s", src, dst,
		     strerror(errno));
	close(tree);
	close(t);
	close(s);
}

/* Run by the runtime in the container's mount namespace before it
 * pivots, its working directory the container's root (runc): refused
 * where that is /, so that no bind lands on the files of a root the
 * runtime did not mean. */
static void bind_view(int group, const char *bind)
{
	struct stat here, top;
	size_t i;
	int rootfs;

	rootfs = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfs < 0 || fstat(rootfs, &here) < 0 || stat("/", &top) < 0)
		fail("cannot open the container's root (the working directory): %s",
		     strerror(errno));
	if (here.st_ino == top.st_ino && here.st_dev == top.st_dev)
		fail("the working directory is /, not the container's root");
	/* (Resolved in the container's root: no path there leaves it.) */
	if (bind && (*bind != '/' || !bind[strspn(bind, "/")]))
		fail("annotation " ANN_BIND " '%s': an absolute path inside the container", bind);
	for (i = 0; i < sizeof(view_files) / sizeof(view_files[0]); i++)
		bind_one(group, view_files[i], rootfs, view_files[i], true);
	if (bind)
		bind_one(group, ".", rootfs, bind + 1, false);
	close(rootfs);
}

int main(int argc, char **argv)
{
	struct request r = { 0 };
	struct json_object *state = NULL;
	char pid[32];
	int root, group, i, res;
	const char *problem;

	parse_args(argc, argv, &r);
	if (!r.group)
		state = parse_state(&r);
	problem = hook_group_problem(r.group);
	if (problem)
		fail("group '%s': %s", r.group, problem);
	root = open_mount(r.mount);
	group = open_group(root, r.group, !r.view);
	if (r.view) {
		bind_view(group, r.bind);
		close(group);
		close(root);
		json_object_put(state);
		return 0;
	}
	if (made_dir >= 0) {
		int lvl = open_beneath(made_dir, made_name, O_PATH | O_DIRECTORY);

		res = lvl < 0 ? -errno : write_file(lvl, "autoremove", "1");
		if (lvl >= 0)
			close(lvl);
		if (res < 0)
			fail("cannot make %s transient (autoremove): %s", made_name, strerror(-res));
	}
	for (i = 0; i < r.nknobs; i++) {
		res = write_file(group, r.knobs[i].name, r.knobs[i].value);
		if (res == -ENOENT)
			fail("group %s has no knob %s on this host", r.group, r.knobs[i].name);
		if (res < 0)
			fail("knob %s '%s': %s", r.knobs[i].name, r.knobs[i].value, strerror(-res));
	}
	snprintf(pid, sizeof(pid), "%d", r.pid);
	res = write_file(group, "procs", pid);
	if (res < 0)
		fail("cannot move pid %d into %s: %s", r.pid, r.group, strerror(-res));
	if (made_dir >= 0)
		close(made_dir);
	close(group);
	close(root);
	json_object_put(state);
	return 0;
}
