// SPDX-License-Identifier: MIT
/*
 * cgfs-run: runs a command in a transient group of the caller's tree of a
 * cgfs mount, with limits, as systemd-run --scope and cgexec do (see
 * cgfs-run(1)). It speaks only the mount's files: mkdir, the knob files,
 * procs, then exec. The group it makes is marked autoremove, so the
 * daemon removes it once the command and its children have ended; the
 * command's exit status is cgfs-run's, as it becomes the command. Its own
 * failures exit 125, a command that cannot be run 126, one not found 127,
 * as env(1) and the shell do.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

#define EXIT_FAILED 125
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND 127
#define DEFAULT_MOUNT "/run/cgfs"
/* Tries at a free unique name (a clash is one in 2^32 already). */
#define NAME_TRIES 16

struct opts {
	const char *memory, *cpu, *pids; /* values for the knobs, as given */
	const char *group;               /* --group, or NULL: a new one */
	const char *mount;
	char **cmd;
};

/* The knob each limit option writes, and the option's name for messages. */
struct limit {
	const char *option, *knob, *value;
};

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("cgfs-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILED);
}

static void usage(FILE *f)
{
	fputs("usage: cgfs-run [--memory SIZE] [--cpu PERCENT] [--pids N] [--group NAME]\n"
	      "                [--mount DIR] [--] CMD [ARG...]\n"
	      "Runs CMD in a group of your tree of the cgfs mount (default " DEFAULT_MOUNT "),\n"
	      "made for it and removed once CMD and its children have ended.\n"
	      "  -m, --memory SIZE    memory_limit_mb (512M, 2G, ...)\n"
	      "  -c, --cpu PERCENT    cpu_percent (50: half a CPU)\n"
	      "  -p, --pids N         pids_max\n"
	      "  -g, --group NAME     this group of your tree (made if missing)\n"
	      "  -M, --mount DIR      the cgfs mount\n"
	      "  -h, --help           this text\n"
	      "  -V, --version        the version\n", f);
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "memory", required_argument, NULL, 'm' }, { "cpu", required_argument, NULL, 'c' },
		{ "pids", required_argument, NULL, 'p' },   { "group", required_argument, NULL, 'g' },
		{ "mount", required_argument, NULL, 'M' },  { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },      { NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .mount = DEFAULT_MOUNT };
	/* '+': the command's own options are not ours. */
	while ((c = getopt_long(argc, argv, "+m:c:p:g:M:hV", longs, NULL)) != -1) {
		switch (c) {
		case 'm': o->memory = optarg; break;
		case 'c': o->cpu = optarg; break;
		case 'p': o->pids = optarg; break;
		case 'g': o->group = optarg; break;
		case 'M': o->mount = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': puts("cgfs-run " CGFS_VERSION); exit(0);
		default: usage(stderr); exit(EXIT_FAILED);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		fail("no command given");
	}
	o->cmd = argv + optind;
}

/* ---- the command, found before anything is made ---- */

/* Whether path is a file we may execute: 0, -ENOENT, -EACCES. */
static int runnable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode) || access(path, X_OK) < 0)
		return -EACCES;
	return 0;
}

/* The search execvp(3) makes: a name with a slash as it is, else each
 * directory of PATH. 0, -ENOENT (nowhere), -EACCES (found, not runnable). */
static int find_cmd(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char full[PATH_MAX];
	int res, seen = -ENOENT;

	if (!*name)
		return -ENOENT;
	if (strchr(name, '/'))
		return runnable(name);
	if (!path)
		path = "/bin:/usr/bin";
	for (p = path; ; p = end + 1) {
		end = strchrnul(p, ':');
		/* An empty element is the current directory. */
		/* As the shell: a directory we cannot search has no command
		 * for us; one found there but not runnable is remembered. */
		if (snprintf(full, sizeof(full), "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "",
		             name) < (int)sizeof(full) && access(full, F_OK) == 0) {
			res = runnable(full);
			if (res == 0)
				return 0;
			seen = res;
		}
		if (!*end)
			return seen;
	}
}

/* ---- the mount's files ---- */

/* Writes value to dir/file in one write(2): 0 or -errno. */
static int write_file(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int fd, res = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
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

static void check_mount(const char *mount)
{
	struct statfs sf;

	if (statfs(mount, &sf) < 0)
		fail("no cgfs mount at %s: %s", mount, strerror(errno));
	if (sf.f_type != FUSE_SUPER_MAGIC)
		fail("%s is not a cgfs mount (not a FUSE file system); is cgfs running?", mount);
}

/* The caller's tree, DIR/USER, into tree. */
static void find_tree(const char *mount, char *tree, size_t size)
{
	struct passwd *pw = getpwuid(geteuid());
	struct stat st;

	if (!pw)
		fail("uid %u has no user name, so no tree", (unsigned)geteuid());
	if (snprintf(tree, size, "%s/%s", mount, pw->pw_name) >= (int)size)
		fail("%s/%s: %s", mount, pw->pw_name, strerror(ENAMETOOLONG));
	if (stat(tree, &st) < 0 && errno == ENOENT)
		fail("no tree for %s in %s: root makes it with 'mkdir %s' (see cgfs(5))",
		     pw->pw_name, mount, tree);
	if (stat(tree, &st) < 0)
		fail("%s: %s", tree, strerror(errno));
}

/* A new group with a unique name below tree, its path into group. */
static void make_unique(const char *tree, char *group, size_t size)
{
	unsigned tag;
	int i;

	for (i = 0; i < NAME_TRIES; i++) {
		if (getrandom(&tag, sizeof(tag), 0) != sizeof(tag))
			tag = (unsigned)rand();
		if (snprintf(group, size, "%s/run-%d-%08x", tree, (int)getpid(), tag) >= (int)size)
			fail("%s: %s", tree, strerror(ENAMETOOLONG));
		if (mkdir(group, 0755) == 0)
			return;
		if (errno != EEXIST)
			fail("cannot make a group in %s: %s", tree, strerror(errno));
	}
	fail("cannot find a free group name in %s", tree);
}

/* --group NAME below tree, each missing level made, into group; the
 * path of the highest level made (empty: none) into made, so that one
 * removal takes back everything made. */
static void make_named(const char *tree, const char *name, char *group, size_t size,
                       char *made, size_t madesize)
{
	size_t at, tl = strlen(tree);

	*made = '\0';
	if (!*name || *name == '/')
		fail("--group '%s': a group name of your tree is needed (web, web/db)", name);
	if (snprintf(group, size, "%s/%s", tree, name) >= (int)size)
		fail("--group '%s': %s", name, strerror(ENAMETOOLONG));
	for (at = tl + 1; ; at++) {
		char c = group[at];

		if (c != '/' && c != '\0')
			continue;
		group[at] = '\0';
		if (mkdir(group, 0755) == 0) {
			if (!*made)
				snprintf(made, madesize, "%s", group);
		} else if (errno != EEXIST) {
			int err = errno;

			if (*made)
				rmdir(made);
			fail("--group '%s': cannot make %s: %s", name, group, strerror(err));
		}
		group[at] = c;
		if (!c)
			return;
	}
}

/* Sets the limits; on a refusal, removes what was made and fails with
 * the option and the knob's error. */
static void set_limits(const struct opts *o, const char *group, const char *made)
{
	const struct limit limits[] = {
		{ "--memory", "memory_limit_mb", o->memory },
		{ "--cpu", "cpu_percent", o->cpu },
		{ "--pids", "pids_max", o->pids },
	};
	size_t i;
	int res;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		if (!limits[i].value)
			continue;
		res = write_file(group, limits[i].knob, limits[i].value);
		if (res == 0)
			continue;
		if (*made)
			rmdir(made);
		if (res == -ENOENT)
			fail("%s: this host has no %s (its controller is not mounted)",
			     limits[i].option, limits[i].knob);
		fail("%s '%s': %s (refused by %s)", limits[i].option, limits[i].value,
		     strerror(-res), limits[i].knob);
	}
}

int main(int argc, char **argv)
{
	char tree[PATH_MAX], group[PATH_MAX], made[PATH_MAX] = "", pid[32];
	struct opts o;
	int res;

	parse(argc, argv, &o);
	res = find_cmd(o.cmd[0]);
	if (res < 0) {
		fprintf(stderr, "cgfs-run: %s: %s\n", o.cmd[0],
		        res == -ENOENT ? "command not found" : strerror(-res));
		return res == -ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
	}
	check_mount(o.mount);
	find_tree(o.mount, tree, sizeof(tree));
	if (o.group) {
		make_named(tree, o.group, group, sizeof(group), made, sizeof(made));
	} else {
		make_unique(tree, group, sizeof(group));
		snprintf(made, sizeof(made), "%s", group);
	}
	/* Before the first process: the daemon removes the group once it
	 * has held one and none is left. A group that was there is the
	 * caller's to keep. */
	if (*made && (res = write_file(made, "autoremove", "1")) < 0) {
		rmdir(made);
		if (res == -ENOENT)
			fail("this cgfs has no autoremove knob (an older cgfs, or a kernel "
			     "without extended attributes on cgroups): nothing run");
		fail("cannot make %s transient: %s", made, strerror(-res));
	}
	set_limits(&o, group, made);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	res = write_file(group, "procs", pid);
	if (res < 0) {
		if (*made)
			rmdir(made);
		fail("cannot move into %s: %s%s", group, strerror(-res),
		     res == -EPERM ? " (see admit in cgfs.conf(5))" : "");
	}
	if (setenv("CGFS_GROUP", group, 1) < 0)
		fail("%s", strerror(errno));
	execvp(o.cmd[0], o.cmd);
	/* Gone meanwhile: the group, which has held us, goes once we exit. */
	res = errno;
	fprintf(stderr, "cgfs-run: %s: %s\n", o.cmd[0], strerror(res));
	return res == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
}
