// SPDX-License-Identifier: MIT
/*
 * cgfs-bench: cgfs against references measured in the same run, printed
 * as one table of times and ratios (bench/README.md lists the cases).
 *
 *     cgfs-bench CGFS_BINARY NULLFS_BINARY
 *
 * Environment: BENCH_GROUPS (case 5, default 10000), BENCH_TREE_GROUPS
 * (case 5, groups in each of its 99 other trees, default BENCH_GROUPS /
 * 100), BENCH_FACTOR (scales every iteration count, default 1),
 * BENCH_CASES (e.g. "1,2,6"; default all, 1..7), BENCH_READERS_SECONDS
 * (case 6, per measurement, default 1).
 *
 * Safety: a supervisor process forks the worker that measures. Everything
 * the run makes is named after the supervisor's pid: the base cgroup
 * /cgfs-bench-PID at every hierarchy's root (cgfs, the direct references
 * and cgroup-tools all stay below it) and the temporary mount points. The
 * supervisor is a child subreaper, so whatever the worker started comes
 * back to it if the worker dies; once the worker is gone (finished,
 * failed, crashed or interrupted) it stops those processes by pid,
 * unmounts the FUSE mounts, removes the base in every hierarchy
 * deepest first, and checks that nothing is left. No process is ever
 * moved into or out of a cgroup.
 *
 * The run lives in a mount namespace of its own (mounts propagate into
 * it, none out), where a copy of /etc/passwd with TREES - 1 more users
 * is bound over /etc/passwd: case 5's other trees are theirs. Nothing
 * outside the run sees those users or its mounts; all go with the
 * namespace, when the run's last process ends.
 *
 * This file is the worker, the supervisor and the start-up; bench.h lists
 * the rest: the harness, the statistics, the table and one file per case.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <pwd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define GROUPS_DEFAULT 10000  /* BENCH_GROUPS */
#define TREE_GROUPS_PER 100   /* BENCH_TREE_GROUPS: BENCH_GROUPS / this */
#define GROUPS_MAX 60000      /* BENCH_GROUPS at most */
#define EXIT_USAGE 2
#define EXIT_SIGNALLED 128    /* + the signal, as a shell reports it */
#define MAX_CHILDREN 64       /* processes left to the supervisor */
#define UMOUNT_TRIES 5        /* lazy unmounts of a mount still listed */
#define RMDIR_BUSY_TRIES 50   /* a cgroup is busy until its last task is gone: */
#define RMDIR_BUSY_WAIT_MS 100 /* retried for 5 s */

/* ---- the worker: set up, measure, print ---- */

static void print_header(void)
{
	struct utsname u;
	double load[3] = { 0, 0, 0 };
	size_t i;

	uname(&u);
	getloadavg(load, ARRAY_SIZE(load));
	printf("cgfs benchmark\n");
	printf("command: %s\n", B.cmdline);
	printf("host: %s %s, %ld CPUs online, load %.2f %.2f %.2f\n", u.sysname, u.release,
	       sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2]);
	printf("cgfs base: /%s in", B.base);
	for (i = 0; i < B.layout.n; i++)
		if (hier_serves(i))
			printf(" %s", hier_at(i)->mountpoint);
	printf(" (groups listed from %s)\n", hier_at(B.primary)->mountpoint);
	printf("cgfs: %s\nnullfs: %s\n", B.cgfs, B.nullfs);
	fflush(stdout);
}

static int start_servers(void)
{
	char base_opt[128], conf_opt[128];
	char *cgfs_argv[] = { (char *)B.cgfs, "-f", "-o", base_opt, "-o", conf_opt,
	                      B.mnt_cgfs, NULL };
	char *null_argv[] = { (char *)B.nullfs, "-f", B.mnt_null, NULL };
	char p[PATH_MAX];
	int r;

	snprintf(base_opt, sizeof(base_opt), "base=/%s", B.base);
	snprintf(conf_opt, sizeof(conf_opt), "config=%s", B.conf);
	B.cgfs_pid = start_daemon(cgfs_argv, B.log);
	if (B.cgfs_pid < 0 || wait_mounted(B.cgfs_pid, B.mnt_cgfs, "fuse.cgfs") < 0) {
		note("cgfs did not mount; its log is %s", B.log);
		return -1;
	}
	B.null_pid = start_daemon(null_argv, B.log);
	if (B.null_pid < 0 || wait_mounted(B.null_pid, B.mnt_null, "fuse.nullfs") < 0) {
		note("nullfs did not mount; log %s", B.log);
		return -1;
	}
	/* root's tree, and one group whose knob the read cases use. */
	path_of(p, sizeof(p), "%s/%s", B.mnt_cgfs, TREE);
	if (mkdir(p, 0755) < 0) {
		note("mkdir %s: %s", p, strerror(errno));
		return -1;
	}
	path_of(p, sizeof(p), "%s/%s/k", B.mnt_cgfs, TREE);
	if (mkdir(p, 0755) < 0) {
		note("mkdir %s: %s", p, strerror(errno));
		return -1;
	}
	path_of(p, sizeof(p), "%s/%s/k/" KNOB, B.mnt_cgfs, TREE);
	r = write_whole(p, KNOB_MB "\n");
	if (r < 0) {
		note("%s: %s", p, strerror(-r));
		return -1;
	}
	return 0;
}

static int worker(void)
{
	sched_getaffinity(0, sizeof(all_cpus), &all_cpus);
	print_header();
	if (start_servers() < 0)
		return 1;
	if (B.cases & CASE_BIT(1))
		case_knob(false);
	if (B.cases & CASE_BIT(2))
		case_knob(true);
	if (B.cases & CASE_BIT(3))
		case_lifecycle();
	if (B.cases & CASE_BIT(4))
		case_meminfo();
	if (B.cases & CASE_BIT(5))
		case_scale();
	if (B.cases & CASE_BIT(6))
		case_concurrency();
	if (B.cases & CASE_BIT(7))
		case_trace();
	print_table();
	print_trace();
	print_details();
	{
		double load[3] = { 0, 0, 0 };

		getloadavg(load, ARRAY_SIZE(load));
		printf("\nload at the end: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
	}
	fflush(stdout);
	return 0;
}

/* ---- the supervisor: clean up whatever the worker left ---- */

static volatile sig_atomic_t got_signal;
static volatile pid_t worker_pid;

static void on_signal(int sig)
{
	got_signal = sig;
	if (worker_pid > 0)
		kill(worker_pid, SIGTERM);
}

static pid_t parent_of(pid_t pid)
{
	char p[64], buf[512], *close_paren;
	int fd;
	ssize_t n;
	int ppid = -1;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	if (!close_paren || sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* Stops one child of ours: only a process whose parent we are (the
 * worker's orphans come to us as subreaper) is signalled. */
static void stop_child(pid_t pid)
{
	int i, st;

	if (pid <= 0 || parent_of(pid) != getpid())
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < STOP_WAIT_MS / POLL_MS; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		sleep_ms(POLL_MS);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/* Every process whose parent we are (the worker is gone by now). */
static size_t our_children(pid_t *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (parent_of(pid) == getpid())
			out[n++] = pid;
	}
	closedir(d);
	return n;
}

/* rmdir of dir and every directory below it, deepest first. Only
 * directories are removed: a cgroup's interface files go with it. */
static int rmdir_tree(const char *dir)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	int r = 0, tries;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (path_of(p, sizeof(p), "%s/%s", dir, de->d_name) == 0) {
			int rr = rmdir_tree(p);

			if (rr < 0 && r == 0)
				r = rr;
		}
	}
	closedir(d);
	for (tries = 0; tries < RMDIR_BUSY_TRIES; tries++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return r;
		if (errno != EBUSY)
			break;
		sleep_ms(RMDIR_BUSY_WAIT_MS);
	}
	return r ? r : -errno;
}

/* Every process the worker started and every child left to us. */
static void stop_processes(void)
{
	pid_t kids[MAX_CHILDREN];
	size_t i, n;

	for (i = 0; i < MAX_DAEMONS; i++)
		stop_child(B.shm->daemon[i]);
	n = our_children(kids, ARRAY_SIZE(kids));
	for (i = 0; i < n; i++)
		stop_child(kids[i]);
}

/* Our base, in every cgroup hierarchy there is (cgroup-tools and the
 * direct references only ever made groups below it). */
static void remove_bases(void)
{
	char p[PATH_MAX];
	size_t i;
	int r;

	if (find_hierarchies() != 0 || !B.base[0] || strchr(B.base, '/'))
		return;
	for (i = 0; i < B.layout.n; i++) {
		if (path_of(p, sizeof(p), "%s/%s", hier_at(i)->mountpoint, B.base) < 0)
			continue;
		r = rmdir_tree(p);
		if (r < 0)
			fprintf(stderr, "[bench] cleanup: %s: %s\n", p, strerror(-r));
	}
}

/* Prints " LEFT ...;" for each base, mount and process of the run still
 * there, removes the mount points that are not; their number. */
static size_t print_left(const char *const *mnts, size_t nmnts)
{
	pid_t kids[MAX_CHILDREN];
	size_t i, n, left = 0;
	char p[PATH_MAX];
	struct stat st;

	for (i = 0; i < B.layout.n; i++) {
		path_of(p, sizeof(p), "%s/%s", hier_at(i)->mountpoint, B.base);
		if (stat(p, &st) == 0) {
			printf(" LEFT %s;", p);
			left++;
		}
	}
	for (i = 0; i < nmnts; i++) {
		if (mounted(mnts[i], NULL)) {
			printf(" LEFT mount %s;", mnts[i]);
			left++;
		} else {
			rmdir(mnts[i]);
		}
	}
	n = our_children(kids, ARRAY_SIZE(kids));
	for (i = 0; i < n; i++) {
		printf(" LEFT process %d;", (int)kids[i]);
		left++;
	}
	return left;
}

/* Stops, unmounts, removes; then checks. Returns 0 if nothing is left. */
static int cleanup(void)
{
	const char *const mnts[] = { B.mnt_cgfs, B.mnt_null, B.mnt_lxcfs, B.mnt_tcgfs,
	                             B.mnt_tnull };
	size_t i, left;
	int tries;

	stop_processes();
	for (i = 0; i < ARRAY_SIZE(mnts); i++)
		for (tries = 0; tries < UMOUNT_TRIES && mounted(mnts[i], NULL); tries++)
			umount2(mnts[i], MNT_DETACH);
	remove_bases();

	printf("\ncleanup:");
	left = print_left(mnts, ARRAY_SIZE(mnts));
	/* Our own namespace's bind mount (the host's /etc/passwd is not
	 * touched); the namespace would drop it at our end anyway. */
	if (B.passwd_bound && umount2("/etc/passwd", MNT_DETACH) == 0)
		B.passwd_bound = false;
	if (!B.passwd_bound)
		unlink(B.passwd);
	unlink(B.conf);
	unlink(B.lxcfs_pidfile);
	unlink(B.tlog_cgfs);
	unlink(B.tlog_null);
	if (left == 0) {
		printf(" nothing left: no /%s in any of %zu cgroup hierarchies, "
		       "no mount, no process of this run\n", B.base, B.layout.n);
		unlink(B.log);
	} else {
		printf(" (%zu things left; daemon log kept: %s)\n", left, B.log);
	}
	fflush(stdout);
	return left ? -1 : 0;
}

/* ---- start-up ---- */

static unsigned parse_cases(const char *s)
{
	unsigned m = 0;

	if (!s || !*s)
		return CASES_ALL;
	for (; *s; s++)
		if (*s >= '1' && *s <= '0' + CASE_MAX)
			m |= CASE_BIT(*s - '0');
	return m ? m : CASES_ALL;
}

static void make_cmdline(int argc, char *argv[])
{
	static const char *const vars[] = { "BENCH_GROUPS", "BENCH_TREE_GROUPS", "BENCH_FACTOR",
	                                    "BENCH_CASES", "BENCH_READERS_SECONDS" };
	size_t len = 0, i;
	int k;

	B.cmdline[0] = '\0';
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && len < sizeof(B.cmdline))
			len += (size_t)snprintf(B.cmdline + len, sizeof(B.cmdline) - len, "%s=%s ",
			                        vars[i], v);
	}
	for (k = 0; k < argc && len < sizeof(B.cmdline); k++)
		len += (size_t)snprintf(B.cmdline + len, sizeof(B.cmdline) - len, "%s%s",
		                        k ? " " : "", argv[k]);
}

static int make_temp_files(void)
{
	static const char nolimits[] = "[defaults]\nmax_groups = max\nmax_depth = max\n";
	int fd;

	snprintf(B.mnt_cgfs, sizeof(B.mnt_cgfs), "/tmp/cgfs-bench-mnt.XXXXXX");
	snprintf(B.mnt_null, sizeof(B.mnt_null), "/tmp/cgfs-bench-null.XXXXXX");
	snprintf(B.mnt_lxcfs, sizeof(B.mnt_lxcfs), "/tmp/cgfs-bench-lxcfs.XXXXXX");
	snprintf(B.conf, sizeof(B.conf), "/tmp/cgfs-bench-conf.XXXXXX");
	snprintf(B.passwd, sizeof(B.passwd), "/tmp/cgfs-bench-passwd.XXXXXX");
	snprintf(B.log, sizeof(B.log), "/tmp/cgfs-bench-log.XXXXXX");
	snprintf(B.mnt_tcgfs, sizeof(B.mnt_tcgfs), "/tmp/cgfs-bench-tmnt.XXXXXX");
	snprintf(B.mnt_tnull, sizeof(B.mnt_tnull), "/tmp/cgfs-bench-tnull.XXXXXX");
	snprintf(B.tlog_cgfs, sizeof(B.tlog_cgfs), "/tmp/cgfs-bench-tcgfs-%d.log", (int)getpid());
	snprintf(B.tlog_null, sizeof(B.tlog_null), "/tmp/cgfs-bench-tnull-%d.log", (int)getpid());
	snprintf(B.lxcfs_pidfile, sizeof(B.lxcfs_pidfile), "/tmp/cgfs-bench-lxcfs-%d.pid",
	         (int)getpid());
	if (!mkdtemp(B.mnt_cgfs) || !mkdtemp(B.mnt_null) || !mkdtemp(B.mnt_lxcfs) ||
	    !mkdtemp(B.mnt_tcgfs) || !mkdtemp(B.mnt_tnull))
		return -errno;
	/* No caps, whatever /etc/cgfs.conf says, and no default limit on
	 * the number or depth of groups: the cases make thousands. */
	fd = mkstemp(B.conf);
	if (fd < 0)
		return -errno;
	if (write(fd, nolimits, sizeof(nolimits) - 1) != (ssize_t)sizeof(nolimits) - 1) {
		close(fd);
		return -EIO;
	}
	close(fd);
	fd = mkstemp(B.log);
	if (fd < 0)
		return -errno;
	close(fd);
	fd = mkstemp(B.passwd);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The passwd database with the users of case 5's other trees added, in
 * B.passwd: 0, or -EEXIST if a name or uid of theirs is taken. */
static int write_passwd(void)
{
	char name[32], buf[4096];
	FILE *in, *out;
	size_t n;
	int i, r = 0;

	for (i = 1; i < TREES; i++) {
		snprintf(name, sizeof(name), OTHER_TREE, i);
		if (getpwnam(name) || getpwuid(OTHER_UID + (unsigned)i)) {
			fprintf(stderr, "user %s or uid %u exists already\n", name,
			        OTHER_UID + (unsigned)i);
			return -EEXIST;
		}
	}
	in = fopen("/etc/passwd", "re");
	out = fopen(B.passwd, "we");
	if (!in || !out) {
		r = -errno;
		goto out;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	for (i = 1; i < TREES; i++) {
		snprintf(name, sizeof(name), OTHER_TREE, i);
		fprintf(out, "%s:x:%u:%u:cgfs-bench:/nonexistent:/usr/sbin/nologin\n", name,
		        OTHER_UID + (unsigned)i, OTHER_UID + (unsigned)i);
	}
	if (ferror(in) || ferror(out) || fchmod(fileno(out), 0644) < 0)
		r = -EIO;
out:
	if (in)
		fclose(in);
	if (out && fclose(out) != 0 && r == 0)
		r = -EIO;
	return r;
}

/* A mount namespace of the run's own, into which the host's mounts
 * propagate and from which none of ours does; in it, /etc/passwd with
 * the users of case 5's other trees. 0, or -errno if no namespace (a
 * passwd that cannot be bound only costs case 5 its 100-tree rows). */
static int own_namespace(void)
{
	int r;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return -errno;
	r = write_passwd();
	if (r == 0 && mount(B.passwd, "/etc/passwd", NULL, MS_BIND, NULL) < 0)
		r = -errno;
	if (r < 0)
		fprintf(stderr, "no users for case 5's other trees: %s\n", strerror(-r));
	else
		B.passwd_bound = true;
	return 0;
}

/* The run's settings from argv and the environment; 0 or EXIT_USAGE. */
static int read_settings(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s CGFS_BINARY NULLFS_BINARY\n", argv[0]);
		return EXIT_USAGE;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "%s: must run as root (it mounts and makes cgroups)\n", argv[0]);
		return EXIT_USAGE;
	}
	B.cgfs = argv[1];
	B.nullfs = argv[2];
	B.groups = getenv("BENCH_GROUPS") ? atoi(getenv("BENCH_GROUPS")) : GROUPS_DEFAULT;
	B.tree_groups = getenv("BENCH_TREE_GROUPS") ? atoi(getenv("BENCH_TREE_GROUPS")) :
	                                              B.groups / TREE_GROUPS_PER;
	B.factor = getenv("BENCH_FACTOR") ? atof(getenv("BENCH_FACTOR")) : 1.0;
	B.readers_seconds = getenv("BENCH_READERS_SECONDS") ?
	                            atof(getenv("BENCH_READERS_SECONDS")) : 1.0;
	B.cases = parse_cases(getenv("BENCH_CASES"));
	if (B.groups < 1 || B.groups > GROUPS_MAX || B.tree_groups < 0 ||
	    B.tree_groups > GROUPS_MAX / (TREES - 1) || !(B.factor > 0) ||
	    !(B.readers_seconds > 0)) {
		fprintf(stderr, "BENCH_GROUPS must be 1..%d, BENCH_TREE_GROUPS 0..%d, "
		                "BENCH_FACTOR and BENCH_READERS_SECONDS positive\n", GROUPS_MAX,
		        GROUPS_MAX / (TREES - 1));
		return EXIT_USAGE;
	}
	make_cmdline(argc, argv);
	return 0;
}

static void on_stop_signals(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Waits for the worker, then cleans up; the exit status of the run. */
static int supervise(pid_t pid)
{
	int st, rc;

	worker_pid = pid;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	worker_pid = 0;
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_SIGNALLED + WTERMSIG(st);
	if (got_signal)
		fprintf(stderr, "[bench] stopped by signal %d; cleaning up\n", (int)got_signal);
	else if (rc != 0)
		fprintf(stderr, "[bench] the worker failed (status %d); cleaning up\n", rc);
	if (cleanup() < 0 && rc == 0)
		rc = 1;
	return got_signal ? EXIT_SIGNALLED + got_signal : rc;
}

int main(int argc, char *argv[])
{
	pid_t pid;
	int r;

	r = read_settings(argc, argv);
	if (r)
		return r;
	snprintf(B.base, sizeof(B.base), "cgfs-bench-%d", (int)getpid());
	if (find_hierarchies() < 0) {
		fprintf(stderr, "no cgroup hierarchy found in /proc/self/mountinfo\n");
		return 1;
	}
	B.shm = mmap(NULL, sizeof(*B.shm), PROT_READ | PROT_WRITE,
	             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (B.shm == MAP_FAILED)
		return 1;
	memset(B.shm, 0, sizeof(*B.shm));
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	r = make_temp_files();
	if (r < 0) {
		fprintf(stderr, "temporary files: %s\n", strerror(-r));
		cleanup();
		return 1;
	}
	r = own_namespace();
	if (r < 0) {
		fprintf(stderr, "a mount namespace of the run's own: %s\n", strerror(-r));
		cleanup();
		return 1;
	}
	on_stop_signals(on_signal);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		cleanup();
		return 1;
	}
	if (pid == 0) {
		on_stop_signals(SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		_exit(worker());
	}
	return supervise(pid);
}
