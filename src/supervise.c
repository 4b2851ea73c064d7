// SPDX-License-Identifier: MIT
/*
 * supervise: one supervisor per mount, one server process at a time.
 *
 * The kernel keeps a FUSE connection alive for as long as any file
 * description of its device is open. The supervisor holds the one it
 * mounted with and never reads from it. Each server opens its own clone
 * of the device (FUSE_DEV_IOC_CLONE) and reads only from that: when a
 * server dies, the kernel releases the clone and ends the requests the
 * server had read with ECONNABORTED, while requests not yet read stay
 * queued on the connection for the next server. Nothing hangs and the
 * mount never breaks.
 *
 * A new server must not see FUSE_INIT again (the kernel sends it once per
 * mount), yet libfuse answers nothing before it has processed one. The
 * first server keeps the INIT request it read in a memfd shared with the
 * supervisor; later servers process that copy. Their reply carries a
 * request id the kernel no longer knows and is dropped (ENOENT), while the
 * session takes the same parameters the kernel agreed to.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "cgfs/log.h"
#include "cgfs/serve.h"
#include "cgfs/supervise.h"
#include "cgfs/util.h"

#define ENV_FUSE_FD "CGFS_FUSE_FD"
#define ENV_STATE_FD "CGFS_STATE_FD"
#define STATE_MAGIC 0x63676673u /* "cgfs" */
#define MAX_FAILURES 20         /* servers in a row that never got ready */
#define BACKOFF_MAX_MS 2000

#ifndef FUSE_DEV_IOC_CLONE
#define FUSE_DEV_IOC_CLONE _IOR(229, 0, uint32_t)
#endif

/* Shared between the supervisor and its servers, and kept across the
 * supervisor's re-execution (a memfd). */
struct state {
	uint32_t magic;
	uint32_t epoch;     /* one more for every server started */
	uint32_t init_len;  /* the FUSE_INIT request, once read */
	uint32_t unused;
	unsigned char init[1024];
};

static void notify(const char *msg)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, msg);
#else
	(void)msg;
#endif
}

/* ---- invalidations, sent by the supervisor for its servers ---- */

struct notice {
	uint32_t kind; /* FUSE_NOTIFY_INVAL_ENTRY or FUSE_NOTIFY_INVAL_INODE */
	uint32_t namelen;
	uint64_t ino;  /* the parent for an entry */
	char name[NAME_MAX + 1];
};

static int notice_fd = -1; /* in a server: its end of the socket pair */

static void notice_send(const struct notice *n)
{
	size_t len = offsetof(struct notice, name) + n->namelen;

	if (notice_fd < 0)
		return;
	/* Blocks only while the supervisor catches up: never in the kernel
	 * on a directory's lock. */
	while (send(notice_fd, n, len, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR) {
			log_debug("cannot pass an invalidation on: %s", strerror(errno));
			return;
		}
	}
}

void supervise_notify_entry(fuse_ino_t parent, const char *name)
{
	struct notice n = { .kind = FUSE_NOTIFY_INVAL_ENTRY, .ino = parent };
	size_t len = strlen(name);

	if (len > NAME_MAX)
		return;
	memcpy(n.name, name, len);
	n.namelen = (uint32_t)len;
	notice_send(&n);
}

void supervise_notify_inode(fuse_ino_t ino)
{
	struct notice n = { .kind = FUSE_NOTIFY_INVAL_INODE, .ino = ino };

	notice_send(&n);
}

/* Writes one notice to the device. It may wait for the directory's lock,
 * i.e. for requests in flight there: the server answers them, or dies
 * and the kernel ends them. -ENOENT: nothing cached, nothing to do. */
static int notice_deliver(int dev, int from)
{
	struct fuse_notify_inval_entry_out e;
	struct fuse_notify_inval_inode_out i;
	struct fuse_out_header oh = { .unique = 0 };
	struct notice n;
	struct iovec iov[4];
	ssize_t got;
	int cnt = 2;

	got = recv(from, &n, sizeof(n), 0);
	if (got <= 0)
		return got == 0 || errno != EINTR ? -1 : 0;
	if (got < (ssize_t)offsetof(struct notice, name) ||
	    n.namelen > NAME_MAX || (size_t)got != offsetof(struct notice, name) + n.namelen)
		return 0;
	iov[0] = (struct iovec){ &oh, sizeof(oh) };
	if (n.kind == FUSE_NOTIFY_INVAL_ENTRY) {
		static const char nul;

		e = (struct fuse_notify_inval_entry_out){ .parent = n.ino, .namelen = n.namelen };
		iov[1] = (struct iovec){ &e, sizeof(e) };
		iov[2] = (struct iovec){ n.name, n.namelen };
		iov[3] = (struct iovec){ (void *)&nul, 1 };
		cnt = 4;
		oh.error = FUSE_NOTIFY_INVAL_ENTRY;
		oh.len = (uint32_t)(sizeof(oh) + sizeof(e) + n.namelen + 1);
	} else if (n.kind == FUSE_NOTIFY_INVAL_INODE) {
		i = (struct fuse_notify_inval_inode_out){ .ino = n.ino };
		iov[1] = (struct iovec){ &i, sizeof(i) };
		oh.error = FUSE_NOTIFY_INVAL_INODE;
		oh.len = (uint32_t)(sizeof(oh) + sizeof(i));
	} else {
		return 0;
	}
	if (writev(dev, iov, cnt) < 0 && errno != ENOENT)
		log_debug("invalidation %u of node %#llx: %s", n.kind,
		          (unsigned long long)n.ino, strerror(errno));
	return 0;
}

/* The notifier: a process of its own that writes the servers' notices to
 * the device. A notice may wait for a directory's lock held by a request
 * no server has read yet; the supervisor must stay free to start the
 * server that will, so it never writes them itself. */
static pid_t spawn_notifier(int dev, int from, int close_too[], int nclose)
{
	pid_t parent = getpid(), pid = fork();
	int i;

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "cgfs-notify");
	if (getppid() != parent)
		_exit(0);
	for (i = 0; i < nclose; i++)
		if (close_too[i] >= 0)
			close(close_too[i]);
	while (notice_deliver(dev, from) == 0)
		;
	_exit(0);
}

/* ---- the server process ---- */

/* Gives the new session the INIT it must see before anything else. */
static int session_init(struct fuse_session *se, struct state *st)
{
	struct fuse_in_header *h;
	struct fuse_buf b;
	int res;

	memset(&b, 0, sizeof(b));
	if (st->init_len) {
		b.mem = malloc(st->init_len);
		if (!b.mem)
			return -ENOMEM;
		memcpy(b.mem, st->init, st->init_len);
		b.size = st->init_len;
		fuse_session_process_buf(se, &b);
		free(b.mem);
		return fuse_session_exited(se) ? -EIO : 0;
	}
	do
		res = fuse_session_receive_buf(se, &b);
	while (res == -EINTR);
	if (res <= 0) {
		free(b.mem);
		return res < 0 ? res : -ENODEV;
	}
	h = b.mem;
	if ((size_t)res < sizeof(*h) || h->opcode != FUSE_INIT || (size_t)res > sizeof(st->init)) {
		log_err("the first request of the mount is not a usable FUSE_INIT");
		free(b.mem);
		return -EPROTO;
	}
	memcpy(st->init, b.mem, (size_t)res);
	st->init_len = (uint32_t)res;
	fuse_session_process_buf(se, &b);
	free(b.mem);
	return fuse_session_exited(se) ? -EIO : 0;
}

struct ready_arg {
	char path[PATH_MAX];
	int fd;
};

/* A lookup of a name that does not exist always reaches the server (cgfs
 * caches no negative entries): its answer proves this server serves. */
static void *report_ready(void *p)
{
	struct ready_arg *a = p;
	struct stat st;

	if (stat(a->path, &st) < 0 && errno == ENOENT) {
		if (write(a->fd, "1", 1) != 1)
			log_warn("cannot report readiness: %s", strerror(errno));
	} else {
		log_err("mount does not answer: %s", strerror(errno));
	}
	close(a->fd);
	free(a);
	return NULL;
}

static ssize_t dev_read(int fd, void *buf, size_t len, void *userdata)
{
	(void)userdata;
	return read(fd, buf, len);
}

static ssize_t dev_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	(void)userdata;
	return writev(fd, iov, count);
}

/* The device is already mounted: the session only needs its fd. */
static const struct fuse_custom_io dev_io = {
	.read = dev_read,
	.writev = dev_writev,
};

static int server_main(struct supervise *sv, int master, struct state *st, int ready_fd)
{
	struct fuse_session *se;
	struct ready_arg *ra;
	pthread_t tid;
	uint32_t m = (uint32_t)master;
	int cfd, res;

	cfd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (cfd < 0 || ioctl(cfd, FUSE_DEV_IOC_CLONE, &m) < 0) {
		log_err("cannot clone the FUSE device: %s", strerror(errno));
		return 1;
	}
	se = fuse_session_new(sv->server_args, sv->ops, sizeof(*sv->ops), sv->userdata);
	if (!se || fuse_session_custom_io(se, &dev_io, cfd) != 0) {
		log_err("cannot start a session on the FUSE device");
		if (se)
			fuse_session_destroy(se);
		close(cfd);
		return 1;
	}
	res = session_init(se, st);
	if (res < 0) {
		log_err("cannot take up the mount: %s", strerror(-res));
		fuse_session_destroy(se);
		return 1;
	}
	if (sv->server_start) {
		res = sv->server_start(sv->userdata, se, st->epoch);
		if (res != 0) {
			fuse_session_destroy(se);
			return res;
		}
	}
	ra = malloc(sizeof(*ra));
	if (ra) {
		snprintf(ra->path, sizeof(ra->path), "%s/.cgfs-ready-%d", sv->mountpoint,
		         (int)getpid());
		ra->fd = ready_fd;
		if (pthread_create(&tid, NULL, report_ready, ra) == 0)
			pthread_detach(tid);
		else
			free(ra);
	}
	res = serve_loop(se, sv->nthreads, sv->server_stop, sv->userdata);
	if (res < 0)
		log_err("serving failed: %s", strerror(-res));
	fuse_session_destroy(se);
	return res < 0 ? 1 : 0;
}

/* ---- the supervisor ---- */

struct sup {
	struct supervise *sv;
	struct state *st;
	int master, state_fd, sig_fd, ready_fd;
	int cwd_fd;                 /* where relative paths of argv resolve */
	int notices[2];             /* invalidations: servers write [1] */
	pid_t notifier;             /* reads notices[0], writes to the device */
	bool inherited;
	sigset_t mask, old_mask;
	char exe[PATH_MAX];
	pid_t child;
	bool ever_ready, child_ready, stopping, upgrading;
	int failures;
	int64_t restart_at;
};

static int start_notifier(struct sup *s)
{
	int others[] = { s->sig_fd, s->cwd_fd, s->state_fd, s->notices[1] };

	sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
	s->notifier = spawn_notifier(s->master, s->notices[0], others, 4);
	sigprocmask(SIG_BLOCK, &s->mask, NULL);
	if (s->notifier < 0) {
		log_err("cannot start the notifier: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Starts a server; in the child, runs it and returns with is_server. */
static int start_server(struct sup *s, int *child_status)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	s->st->epoch++;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		close(p[0]);
		close(s->sig_fd);
		if (s->cwd_fd >= 0)
			close(s->cwd_fd);
		close(s->notices[0]);
		notice_fd = s->notices[1];
		sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
		s->sv->is_server = true;
		*child_status = server_main(s->sv, s->master, s->st, p[1]);
		return 1;
	}
	close(p[1]);
	s->ready_fd = p[0];
	s->child = pid;
	s->child_ready = false;
	log_info("server %d started", (int)pid);
	return 0;
}

static bool connection_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	/* The device reports POLLERR once the connection is aborted or the
	 * file system unmounted. */
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP | POLLNVAL));
}

/* A user's mount is fusermount3's to unmount (it is setuid root, and
 * checks that the mount is the user's), as libfuse does without root:
 * 0, or -1 when it failed or could not run. */
static int fusermount_unmount(struct sup *s)
{
	char *const argv[] = { "fusermount3", "-u", "-q", "-z", "--", (char *)s->sv->mountpoint,
	                       NULL };
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void unmount(struct sup *s)
{
	if (!s->inherited) {
		fuse_session_unmount(s->sv->mount_se);
		return;
	}
	int err;

	/* An image re-executed for an upgrade has no libfuse mount record. */
	if (umount2(s->sv->mountpoint, MNT_DETACH) == 0 || errno == EINVAL || errno == ENOENT)
		return;
	err = errno;
	if (err == EPERM && geteuid() != 0 && fusermount_unmount(s) == 0)
		return;
	log_warn("cannot unmount %s: %s", s->sv->mountpoint, strerror(err));
}

static int set_cloexec(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		return -errno;
	return fcntl(fd, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC) < 0 ? -errno : 0;
}

/* The binary on disk, run with this command line and --check-config,
 * must accept both (and the configuration file as it is now) before this
 * image gives way to it: a new binary that refuses them would end the
 * mount. 0 if it exits 0 within RELOAD_CHECK_MS; -1, logged, else. */
#define RELOAD_CHECK_MS 10000

static int check_new_image(struct sup *s)
{
	int argc = 0, st, i;
	char **argv;
	pid_t pid, r = 0;

	while (s->sv->argv[argc])
		argc++;
	argv = calloc((size_t)argc + 2, sizeof(*argv));
	if (!argv)
		return -1;
	argv[0] = s->sv->argv[0];
	argv[1] = "--check-config";
	for (i = 1; i < argc; i++)
		argv[i + 1] = s->sv->argv[i];
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
		execv(s->exe, argv);
		_exit(127);
	}
	free(argv);
	if (pid < 0) {
		log_err("not re-executing: cannot check %s: %s; keeping this one", s->exe,
		        strerror(errno));
		return -1;
	}
	for (i = 0; i < RELOAD_CHECK_MS / 10; i++) {
		r = waitpid(pid, &st, WNOHANG);
		if (r != 0)
			break;
		usleep(10000);
	}
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		log_err("not re-executing: %s --check-config did not end within %d ms; keeping this one",
		        s->exe, RELOAD_CHECK_MS);
		return -1;
	}
	if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		log_err("not re-executing: %s refuses this command line or the configuration "
		        "(--check-config: %s %d); keeping this one", s->exe,
		        r > 0 && WIFEXITED(st) ? "status" : "signal",
		        r > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : r > 0 ? WTERMSIG(st) : -1);
		return -1;
	}
	return 0;
}

/* Runs the binary on disk in this process, handing it the device: it
 * starts the next server. Returns only if that failed. */
static void reexec(struct sup *s)
{
	char num[16];
	int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	/* The command line may hold relative paths; daemonizing left "/". */
	if (s->cwd_fd >= 0 && fchdir(s->cwd_fd) < 0)
		log_warn("cannot return to the start directory: %s", strerror(errno));
	if (s->sv->reload_check && s->sv->reload_check() != 0) {
		log_err("not re-executing: the configuration does not load; keeping this one");
		goto back;
	}
	if (check_new_image(s) < 0)
		goto back;
	log_info("re-executing %s", s->exe);
	if (set_cloexec(s->master, false) < 0 || set_cloexec(s->state_fd, false) < 0)
		goto fail;
	snprintf(num, sizeof(num), "%d", s->master);
	setenv(ENV_FUSE_FD, num, 1);
	snprintf(num, sizeof(num), "%d", s->state_fd);
	setenv(ENV_STATE_FD, num, 1);
	/* The notifier is not waited for: it may be waiting for a lock only
	 * the next server frees. The new image starts its own. */
	if (s->notifier > 0)
		kill(s->notifier, SIGKILL);
	sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
	fflush(NULL);
	execv(s->exe, s->sv->argv);
	log_err("cannot re-execute %s: %s; keeping this one", s->exe, strerror(errno));
	sigprocmask(SIG_BLOCK, &s->mask, NULL);
	start_notifier(s);
fail:
	unsetenv(ENV_FUSE_FD);
	unsetenv(ENV_STATE_FD);
	set_cloexec(s->master, true);
	set_cloexec(s->state_fd, true);
back:
	if (here >= 0) {
		if (fchdir(here) < 0)
			log_warn("cannot return to the working directory: %s", strerror(errno));
		close(here);
	}
}

static int take_fd(const char *env)
{
	const char *v = getenv(env);
	char *end;
	long fd;

	if (!v)
		return -1;
	errno = 0;
	fd = strtol(v, &end, 10);
	unsetenv(env);
	if (errno || *end || fd < 0 || fd > INT_MAX || set_cloexec((int)fd, true) < 0)
		return -2;
	return (int)fd;
}

static int setup(struct sup *s)
{
	struct supervise *sv = s->sv;
	ssize_t n;

	n = readlink("/proc/self/exe", s->exe, sizeof(s->exe) - 1);
	if (n < 0)
		return -errno;
	s->exe[n] = '\0';
	if (n > 10 && strcmp(s->exe + n - 10, " (deleted)") == 0)
		s->exe[n - 10] = '\0'; /* replaced on disk: that path is the new one */

	s->cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	s->master = take_fd(ENV_FUSE_FD);
	s->state_fd = take_fd(ENV_STATE_FD);
	if (s->master == -2 || s->state_fd == -2 || (s->master >= 0) != (s->state_fd >= 0)) {
		log_err("%s/%s: not a usable inherited mount", ENV_FUSE_FD, ENV_STATE_FD);
		return -EBADF;
	}
	s->inherited = s->master >= 0;
	if (!s->inherited) {
		if (fuse_session_mount(sv->mount_se, sv->mountpoint) != 0)
			return -EIO;
		s->master = fuse_session_fd(sv->mount_se);
		if (fuse_daemonize(sv->foreground) != 0) {
			fuse_session_unmount(sv->mount_se);
			return -EIO;
		}
		s->state_fd = memfd_create("cgfs-state", MFD_CLOEXEC);
		if (s->state_fd < 0 || ftruncate(s->state_fd, sizeof(*s->st)) < 0) {
			fuse_session_unmount(sv->mount_se);
			return -errno;
		}
	}
	s->st = mmap(NULL, sizeof(*s->st), PROT_READ | PROT_WRITE, MAP_SHARED, s->state_fd, 0);
	if (s->st == MAP_FAILED) {
		s->st = NULL;
		unmount(s);
		return -errno;
	}
	if (!s->inherited)
		s->st->magic = STATE_MAGIC;
	if (s->st->magic != STATE_MAGIC) {
		log_err("%s: not a cgfs state", ENV_STATE_FD);
		return -EBADF;
	}
	return 0;
}

/* A server ended: decide what comes next. 1 to end the supervisor. */
static int server_ended(struct sup *s, int status, int *ret)
{
	bool ready = s->child_ready;

	s->child = -1;
	if (s->ready_fd >= 0) {
		close(s->ready_fd);
		s->ready_fd = -1;
	}
	if (s->stopping) {
		*ret = 0;
		return 1;
	}
	if (s->upgrading) {
		s->upgrading = false;
		reexec(s);
		s->restart_at = monotonic_ms();
		return 0;
	}
	/* Unmounted (by umount(8), fusermount -u, or an abort through
	 * /sys/fs/fuse/connections): whatever the server's status. */
	if (connection_gone(s->master)) {
		log_info("%s was unmounted", s->sv->mountpoint);
		*ret = 0;
		return 1;
	}
	if (WIFSIGNALED(status))
		log_err("server died of signal %d: starting another", WTERMSIG(status));
	else
		log_err("server exited with status %d: starting another", WEXITSTATUS(status));
	if (!s->ever_ready) {
		log_err("the first server never answered: giving up");
		*ret = 1;
		return 1;
	}
	if (ready)
		s->failures = 0;
	if (++s->failures > MAX_FAILURES) {
		log_err("%d servers in a row never answered: giving up", MAX_FAILURES);
		*ret = 1;
		return 1;
	}
	s->restart_at = monotonic_ms() + (s->failures <= 1 ? 0 :
	                            (50L << (s->failures - 2 > 6 ? 6 : s->failures - 2)));
	if (s->restart_at - monotonic_ms() > BACKOFF_MAX_MS)
		s->restart_at = monotonic_ms() + BACKOFF_MAX_MS;
	return 0;
}

static void on_signal(struct sup *s, int signo)
{
	switch (signo) {
	case SIGTERM:
	case SIGINT:
		s->stopping = true;
		notify("STOPPING=1");
		if (s->child > 0)
			kill(s->child, SIGTERM);
		break;
	case SIGHUP:
		if (s->stopping || s->upgrading)
			break;
		s->upgrading = true;
		notify("RELOADING=1");
		if (s->child > 0)
			kill(s->child, SIGTERM);
		else
			s->restart_at = monotonic_ms(); /* handled when none runs */
		break;
	}
}

/* Children of an earlier image of this process (re-executed on SIGHUP):
 * its notifier, killed just before the execv(2), may have ended while
 * SIGCHLD was not yet blocked, and its end was then not signalled here.
 * Reaped now; one that ends later is signalled and reaped as any child. */
static void reap_strays(void)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		log_debug("reaped %d, a child of the image before", (int)pid);
}

int supervise_run(struct supervise *sv)
{
	struct sup s = { .sv = sv, .master = -1, .state_fd = -1, .sig_fd = -1, .ready_fd = -1,
	                 .cwd_fd = -1, .notices = { -1, -1 }, .notifier = -1, .child = -1 };
	int res, ret = 1;

	res = setup(&s);
	if (res < 0) {
		log_err("cannot mount %s: %s", sv->mountpoint, strerror(-res));
		return 1;
	}
	sigemptyset(&s.mask);
	sigaddset(&s.mask, SIGTERM);
	sigaddset(&s.mask, SIGINT);
	sigaddset(&s.mask, SIGHUP);
	sigaddset(&s.mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &s.mask, &s.old_mask);
	s.sig_fd = signalfd(-1, &s.mask, SFD_CLOEXEC);
	if (s.sig_fd < 0) {
		log_err("signalfd: %s", strerror(errno));
		goto out;
	}
	reap_strays();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s.notices) < 0) {
		log_err("socketpair: %s", strerror(errno));
		goto out;
	}
	if (start_notifier(&s) < 0)
		goto out;
	signal(SIGPIPE, SIG_IGN);
	log_info("serving %s (supervisor %d)", sv->mountpoint, (int)getpid());
	s.restart_at = monotonic_ms();
	for (;;) {
		struct pollfd p[2];
		int timeout = -1, n = 1;

		if (s.child < 0 && !s.stopping) {
			long wait = s.restart_at - monotonic_ms();

			if (s.upgrading) {
				s.upgrading = false;
				reexec(&s);
			}
			if (wait <= 0) {
				int status = 1;

				res = start_server(&s, &status);
				if (res == 1)
					return status; /* the server process */
				if (res < 0) {
					log_err("cannot start a server: %s", strerror(-res));
					s.restart_at = monotonic_ms() + BACKOFF_MAX_MS;
					continue;
				}
			} else {
				timeout = (int)wait;
			}
		}
		p[0] = (struct pollfd){ .fd = s.sig_fd, .events = POLLIN };
		if (s.ready_fd >= 0)
			p[n++] = (struct pollfd){ .fd = s.ready_fd, .events = POLLIN };
		if (poll(p, (nfds_t)n, timeout) < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			break;
		}
		if (n > 1 && p[1].revents) {
			char c;

			if (read(s.ready_fd, &c, 1) == 1) {
				s.child_ready = true;
				s.failures = 0;
				log_info("server %d answers", (int)s.child);
				notify("READY=1");
				s.ever_ready = true;
			}
			close(s.ready_fd);
			s.ready_fd = -1;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			bool done = false;

			if (read(s.sig_fd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo != SIGCHLD) {
				on_signal(&s, (int)si.ssi_signo);
				if (s.stopping && s.child < 0)
					ret = 0, done = true;
			} else {
				pid_t pid;
				int status;

				while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
					if (pid == s.child && server_ended(&s, status, &ret))
						done = true;
					if (pid == s.notifier && !s.stopping) {
						log_warn("the notifier ended: starting another");
						start_notifier(&s);
					}
				}
			}
			if (done)
				break;
		}
	}
out:
	if (s.notifier > 0)
		kill(s.notifier, SIGKILL);
	unmount(&s);
	if (s.sig_fd >= 0)
		close(s.sig_fd);
	if (s.ready_fd >= 0)
		close(s.ready_fd);
	if (s.st)
		munmap(s.st, sizeof(*s.st));
	if (s.state_fd >= 0)
		close(s.state_fd);
	if (s.cwd_fd >= 0)
		close(s.cwd_fd);
	if (s.notices[0] >= 0)
		close(s.notices[0]);
	if (s.notices[1] >= 0)
		close(s.notices[1]);
	if (s.inherited && s.master >= 0)
		close(s.master);
	sigprocmask(SIG_SETMASK, &s.old_mask, NULL);
	return ret;
}
