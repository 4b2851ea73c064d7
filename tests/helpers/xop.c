// SPDX-License-Identifier: MIT
/*
 * xop: one file-system call, its outcome printed as "OK" or the errno's
 * name (EINVAL, EACCES, ...), so shell tests can assert exact errnos.
 *
 *   xop write FILE TEXT [OFFSET]   open(O_WRONLY|O_TRUNC) + pwrite
 *   xop writefrom FILE SRC         write SRC's bytes (NULs, 1 MiB) in one call
 *   xop read FILE                  prints the content after "OK"
 *   xop mkdir DIR | rmdir DIR | unlink F | create F | mknod F | stat F
 *   xop rename A B | link A B | symlink TARGET NAME
 *   xop chmod F OCTAL | chown F UID | truncate F | touch F
 *   xop setxattr F NAME VALUE
 *   xop write F self [stay]        writes its own pid (exec'd by a shell: the shell's);
 *                                  with stay, then waits to be killed
 *   xop handoff UID GID F TEXT     a child with UID/GID opens F for writing and passes
 *                                  the descriptor (SCM_RIGHTS); xop writes TEXT through it
 *   xop after r|R|w F TEXT CMD...  opens F, runs CMD, then reads F (r: prints it after
 *                                  "OK") or writes TEXT (w) through the same descriptor;
 *                                  R reads F whole once before CMD too (a descriptor read
 *                                  again from the start)
 *   xop copy HOW F [CMD...]        opens F, runs CMD (if any), then reads all of F with
 *                                  HOW: sendfile (to a memfd), splice (through a
 *                                  pipe) or pread (7 bytes at a time, at explicit offsets),
 *                                  until the call returns 0, or mmap (MAP_PRIVATE, as
 *                                  many bytes as stat(2) says; mmapshared: MAP_SHARED);
 *                                  prints "OK" and the bytes,
 *                                  or the first error's name (SIGBUS: a page not read)
 *   xop hold N none|one|all SECS F...  opens the files F in turn, N opens in all, and
 *                                  reads nothing, one byte, or to the end of each; prints
 *                                  "OK N" or the first error's name and how many it holds
 *                                  ("EMFILE 500"), then holds them SECS seconds (or until
 *                                  killed) and exits. Its descriptor limit is raised to
 *                                  the hard limit first.
 *   xop pollwait HOW F SECS [READY [LINE]]  opens F, reads it once, creates the file
 *                                  READY (if given), then waits up to SECS seconds for F
 *                                  to be readable with HOW: poll, select or epoll; prints
 *                                  "WOKE" and what it woke for (IN, PRI, ERR), then F's
 *                                  content read again, or "TIMEOUT". With LINE, a content
 *                                  without that line is waited past (read, polled again)
 *   xop pollmany SECS READY F...   opens every F, reads each once and adds it to one
 *                                  epoll set (each addition polls F in the daemon), then
 *                                  creates READY and waits up to SECS seconds; prints
 *                                  "WOKE K OF N", K the files that became readable, or the
 *                                  first error's name. Its descriptor limit is raised first
 *
 * Chains of directories NAME/NAME/... below DIR, however deep (paths far
 * beyond PATH_MAX): every step is relative to the directory before.
 *   xop mkchain DIR NAME N         makes what is missing of a chain N deep; prints OK, or
 *                                  the errno's name and how many levels there are
 *   xop chaindepth DIR NAME        prints how many levels of the chain exist
 *   xop chainop DIR NAME K write|read|mkdir|rmdir|stat F [TEXT]
 *                                  the op on F in the chain's directory K deep (0: DIR)
 *   xop tree DIR FILE...           every directory below DIR (its path from DIR) and the
 *                                  content of every FILE in it ("path/FILE:line|line|"),
 *                                  one a line, relative to the directory above
 *
 *   xop devoverride DIR            attaches a device program that allows everything to
 *                                  the cgroup2 directory DIR with BPF_F_ALLOW_OVERRIDE (a
 *                                  program of a child would replace it); only ever on a
 *                                  cgroup the test's own cgfs made
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <grp.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

static int report(int r)
{
	if (r < 0) {
		printf("%s\n", strerrorname_np(errno));
		return 1;
	}
	printf("OK\n");
	return 0;
}

/* Closes fd and prints "OK" and the n bytes read into buf, or reports
 * the read's error (n < 0, errno set). */
static int print_read(int fd, ssize_t n, const char *buf)
{
	int err = errno;

	close(fd);
	if (n < 0) {
		errno = err;
		return report(-1);
	}
	printf("OK\n");
	fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}

static int do_write(const char *file, const char *buf, size_t len, off_t off)
{
	int fd = open(file, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return report(-1);
	n = pwrite(fd, buf, len, off);
	if (n >= 0 && (size_t)n != len) {
		printf("SHORT %zd\n", n);
		close(fd);
		return 1;
	}
	report(n < 0 ? -1 : 0);
	close(fd);
	return n < 0;
}

static int do_writefrom(const char *file, const char *src)
{
	static char buf[2 << 20];
	int fd = open(src, O_RDONLY);
	ssize_t len;

	if (fd < 0)
		return report(-1);
	len = read(fd, buf, sizeof(buf));
	close(fd);
	if (len < 0)
		return report(-1);
	return do_write(file, buf, (size_t)len, 0);
}

static int do_read(const char *file)
{
	char buf[65536];
	int fd = open(file, O_RDONLY);

	if (fd < 0)
		return report(-1);
	return print_read(fd, read(fd, buf, sizeof(buf)), buf);
}

/* Writes text through fd at offset 0 and reports, as do_write does. */
static int write_fd(int fd, const char *text)
{
	ssize_t n = pwrite(fd, text, strlen(text), 0);

	report(n < 0 ? -1 : 0);
	close(fd);
	return n < 0;
}

static int send_fd(int sock, int fd)
{
	char byte = 0, ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
	                    .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char byte, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
	                    .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &m, 0) != 1 || !(c = CMSG_FIRSTHDR(&m)) || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static int do_handoff(uid_t uid, gid_t gid, const char *file, const char *text)
{
	int sv[2], fd, status;
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return report(-1);
	child = fork();
	if (child < 0)
		return report(-1);
	if (child == 0) {
		close(sv[0]);
		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0)
			_exit(3);
		fd = open(file, O_WRONLY);
		if (fd < 0) {
			printf("OPEN %s\n", strerrorname_np(errno));
			fflush(stdout); /* _exit() does not flush */
			_exit(4);
		}
		_exit(send_fd(sv[1], fd) < 0 ? 5 : 0);
	}
	close(sv[1]);
	fd = recv_fd(sv[0]);
	waitpid(child, &status, 0);
	if (fd < 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) != 4)
			printf("HANDOFF %d\n", WEXITSTATUS(status));
		return 1;
	}
	return write_fd(fd, text);
}

static int do_after(const char *mode, const char *file, const char *text, char **cmd)
{
	char buf[65536];
	int fd = open(file, *mode == 'w' ? O_WRONLY : O_RDONLY), status;
	pid_t child;

	if (fd < 0)
		return report(-1);
	if (*mode == 'R' && pread(fd, buf, sizeof(buf), 0) < 0)
		return report(-1);
	child = fork();
	if (child == 0) {
		close(fd);
		dup2(open("/dev/null", O_WRONLY), 1);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		printf("CMD FAILED\n");
		return 1;
	}
	if (*mode == 'w')
		return write_fd(fd, text);
	return print_read(fd, pread(fd, buf, sizeof(buf), 0), buf);
}

/* One step of do_copy: up to 64 KiB of fd at *off into the content
 * buffer buf (*len bytes so far); bytes moved, 0 at the end, -1. */
static ssize_t copy_step(const char *how, int fd, off_t *off, char *buf, size_t *len, size_t cap)
{
	int p[2], tmp;
	ssize_t n, got = -1;

	if (!strcmp(how, "pread")) {
		n = pread(fd, buf + *len, cap - *len < 7 ? cap - *len : 7, *off);
		if (n > 0)
			*off += n;
		if (n > 0)
			*len += (size_t)n;
		return n;
	}
	if (!strcmp(how, "splice")) {
		if (pipe(p) < 0)
			return -1;
		n = splice(fd, NULL, p[1], NULL, 65536, 0);
		if (n > 0)
			got = read(p[0], buf + *len, cap - *len);
		close(p[0]);
		close(p[1]);
	} else {
		tmp = memfd_create("xop", MFD_CLOEXEC);
		if (tmp < 0)
			return -1;
		n = sendfile(tmp, fd, NULL, 65536);
		if (n > 0)
			got = pread(tmp, buf + *len, cap - *len, 0);
		close(tmp);
	}
	if (n <= 0)
		return n;
	if (got != n) {
		errno = EIO;
		return -1;
	}
	*len += (size_t)n;
	return n;
}

static sigjmp_buf bus_jmp;

static void on_bus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/* All of fd through a private mapping of stat(2)'s size: the kernel
 * reads the pages through its page cache, as a program that maps a
 * file to read it would. */
static ssize_t copy_mmap(int fd, int flags, char *buf, size_t cap)
{
	struct stat st;
	volatile size_t i = 0;
	char *m;

	if (fstat(fd, &st) < 0)
		return -1;
	if (st.st_size == 0)
		return 0;
	if ((size_t)st.st_size > cap) {
		errno = EFBIG;
		return -1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, flags, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	signal(SIGBUS, on_bus);
	if (sigsetjmp(bus_jmp, 1) == 0) {
		for (; i < (size_t)st.st_size; i++)
			buf[i] = m[i];
	} else {
		munmap(m, (size_t)st.st_size);
		printf("SIGBUS\n");
		exit(1);
	}
	munmap(m, (size_t)st.st_size);
	return st.st_size;
}

static int do_copy(const char *how, const char *file, char **cmd)
{
	static char buf[1 << 20];
	size_t len = 0;
	off_t off = 0;
	int fd = open(file, O_RDONLY), status;
	ssize_t n;
	pid_t child;

	if (fd < 0)
		return report(-1);
	if (*cmd) {
		child = fork();
		if (child == 0) {
			close(fd);
			dup2(open("/dev/null", O_WRONLY), 1);
			execvp(cmd[0], cmd);
			_exit(127);
		}
		if (child < 0 || waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			printf("CMD FAILED\n");
			return 1;
		}
	}
	if (!strcmp(how, "mmap") || !strcmp(how, "mmapshared"))
		return print_read(fd, copy_mmap(fd, how[4] ? MAP_SHARED : MAP_PRIVATE, buf, sizeof(buf)),
		                  buf);
	do
		n = copy_step(how, fd, &off, buf, &len, sizeof(buf));
	while (n > 0 && len < sizeof(buf));
	if (n > 0)
		errno = EFBIG; /* more than the buffer holds */
	return print_read(fd, n != 0 ? -1 : (ssize_t)len, buf);
}

static int do_hold(long n, const char *mode, unsigned secs, char **files, int nfiles)
{
	struct rlimit rl;
	char buf[4096];
	long i;
	int fd, err = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < n; i++) {
		fd = open(files[i % nfiles], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err = errno;
			break;
		}
		if (!strcmp(mode, "one") && read(fd, buf, 1) < 0) {
			err = errno;
			break;
		}
		while (!strcmp(mode, "all")) {
			ssize_t r = read(fd, buf, sizeof(buf));

			if (r == 0)
				break;
			if (r < 0) {
				err = errno;
				break;
			}
		}
		if (err)
			break;
	}
	printf("%s %ld\n", err ? strerrorname_np(err) : "OK", i);
	fflush(stdout);
	sleep(secs);
	return err != 0;
}

/* The directory k levels down the chain name below dir, opened. */
static int chain_open(const char *dir, const char *name, long k)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), next;
	long i;

	for (i = 0; fd >= 0 && i < k; i++) {
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	return fd;
}

static int do_mkchain(const char *dir, const char *name, long n)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), next;
	long i;

	for (i = 0; fd >= 0 && i < n; i++) {
		if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
			break;
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	if (fd >= 0 && i == n) {
		close(fd);
		printf("OK\n");
		return 0;
	}
	printf("%s %ld\n", strerrorname_np(errno), i);
	if (fd >= 0)
		close(fd);
	return 1;
}

static int do_chaindepth(const char *dir, const char *name)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), next;
	long n = 0;

	if (fd < 0)
		return report(-1);
	while ((next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		close(fd);
		fd = next;
		n++;
	}
	close(fd);
	printf("%ld\n", n);
	return 0;
}

static int do_chainop(char **argv, int argc)
{
	const char *op = argv[4], *f = argv[5];
	int dfd = chain_open(argv[1], argv[2], strtol(argv[3], NULL, 10)), fd, res;
	struct stat st;

	if (dfd < 0)
		return report(-1);
	if (!strcmp(op, "write") && argc == 7) {
		fd = openat(dfd, f, O_WRONLY | O_TRUNC | O_CLOEXEC);
		res = fd < 0 ? -1 : (int)write(fd, argv[6], strlen(argv[6]));
		res = report(res < 0 ? -1 : 0);
	} else if (!strcmp(op, "read") && argc == 6) {
		char buf[65536];
		ssize_t n = -1;

		fd = openat(dfd, f, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			n = read(fd, buf, sizeof(buf));
		res = report(n < 0 ? -1 : 0);
		if (n > 0)
			fwrite(buf, 1, (size_t)n, stdout);
	} else if (!strcmp(op, "mkdir") && argc == 6) {
		fd = -1;
		res = report(mkdirat(dfd, f, 0755));
	} else if (!strcmp(op, "rmdir") && argc == 6) {
		fd = -1;
		res = report(unlinkat(dfd, f, AT_REMOVEDIR));
	} else if (!strcmp(op, "stat") && argc == 6) {
		fd = -1;
		res = report(fstatat(dfd, f, &st, AT_SYMLINK_NOFOLLOW));
	} else {
		fprintf(stderr, "xop: bad usage\n");
		close(dfd);
		return 2;
	}
	if (fd >= 0)
		close(fd);
	close(dfd);
	return res;
}

/* Prints dir (open at fd, path rel) and what is below it; takes fd. */
static void tree_at(int fd, const char *rel, char **files, int nfiles)
{
	struct dirent *de;
	char buf[4096];
	DIR *d;
	int i, f;
	ssize_t n;

	printf("%s/\n", rel);
	for (i = 0; i < nfiles; i++) {
		f = openat(fd, files[i], O_RDONLY | O_CLOEXEC);
		if (f < 0)
			continue;
		n = read(f, buf, sizeof(buf) - 1);
		close(f);
		buf[n > 0 ? n : 0] = '\0';
		for (char *c = buf; *c; c++)
			if (*c == '\n')
				*c = '|';
		printf("%s/%s:%s\n", rel, files[i], buf);
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		char *sub;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		f = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (f < 0 || asprintf(&sub, "%s/%s", rel, de->d_name) < 0) {
			if (f >= 0)
				close(f);
			continue;
		}
		tree_at(f, sub, files, nfiles);
		free(sub);
	}
	closedir(d);
}

/* What fd became ready for within secs, as poll(2) flags; 0 on a
 * timeout, -1 with errno on an error. */
static int wait_ready(const char *how, int fd, int secs)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLPRI };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLPRI }, got;
	struct timeval tv = { .tv_sec = secs };
	fd_set rd, ex;
	int n, ep;

	if (!strcmp(how, "poll")) {
		n = poll(&pfd, 1, secs * 1000);
		return n <= 0 ? n : pfd.revents;
	}
	if (!strcmp(how, "select")) {
		FD_ZERO(&rd);
		FD_ZERO(&ex);
		FD_SET(fd, &rd);
		FD_SET(fd, &ex);
		n = select(fd + 1, &rd, NULL, &ex, &tv);
		if (n <= 0)
			return n;
		return (FD_ISSET(fd, &rd) ? POLLIN : 0) | (FD_ISSET(fd, &ex) ? POLLPRI : 0);
	}
	ep = epoll_create1(0);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	n = epoll_wait(ep, &got, 1, secs * 1000);
	close(ep);
	return n <= 0 ? n : (int)((got.events & EPOLLIN ? POLLIN : 0) |
	                          (got.events & EPOLLPRI ? POLLPRI : 0) |
	                          (got.events & EPOLLERR ? POLLERR : 0));
}

/* With until, a wake-up whose content lacks that line is read (which
 * is what the next poll compares with) and waited past, within secs. */
static int do_pollwait(const char *how, const char *file, int secs, const char *ready,
                       const char *until)
{
	char buf[65536], line[256];
	int fd = open(file, O_RDONLY), r;
	time_t end = time(NULL) + secs;
	ssize_t n;

	if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
		return report(-1);
	if (ready) {
		r = open(ready, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (r < 0)
			return report(-1);
		close(r);
	}
	snprintf(line, sizeof(line), "\n%s\n", until ? until : "");
	for (;;) {
		r = wait_ready(how, fd, end > time(NULL) ? (int)(end - time(NULL)) : 0);
		if (r < 0)
			return report(-1);
		if (r == 0) {
			printf("TIMEOUT\n");
			close(fd);
			return 0;
		}
		buf[0] = '\n';
		n = pread(fd, buf + 1, sizeof(buf) - 2, 0);
		if (n < 0)
			break;
		buf[n + 1] = '\0';
		if (!until || strstr(buf, line))
			break;
	}
	printf("WOKE%s%s%s\n", r & POLLIN ? " IN" : "", r & POLLPRI ? " PRI" : "",
	       r & POLLERR ? " ERR" : "");
	if (n < 0)
		return report(-1); /* the read's error on the next line */
	fwrite(buf + 1, 1, (size_t)n, stdout);
	close(fd);
	return 0;
}

static int do_pollmany(int secs, const char *ready, char **files, int n)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLPRI }, got[64];
	time_t end = time(NULL) + secs;
	struct rlimit rl;
	char buf[4096];
	int ep, fd, i, k, woke = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return report(-1);
	for (i = 0; i < n; i++) {
		fd = open(files[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
			return report(-1);
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
			return report(-1);
	}
	fd = open(ready, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return report(-1);
	close(fd);
	while (woke < n && time(NULL) < end) {
		k = epoll_wait(ep, got, 64, (int)(end - time(NULL)) * 1000);
		if (k < 0 && errno != EINTR)
			return report(-1);
		/* Each counts once: out of the set once it woke. */
		for (i = 0; i < k; i++, woke++)
			epoll_ctl(ep, EPOLL_CTL_DEL, got[i].data.fd, NULL);
	}
	printf("WOKE %d OF %d\n", woke, n);
	return 0;
}

static int do_devoverride(const char *dir)
{
	struct bpf_insn allow[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;
	int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), prog;

	if (cg < 0)
		return report(-1);
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insn_cnt = 2;
	a.insns = (uint64_t)(uintptr_t)allow;
	a.license = (uint64_t)(uintptr_t)"MIT";
	prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (prog < 0)
		return report(-1);
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cg;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_OVERRIDE;
	return report((int)syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof(a)));
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	int fd;

	if (!strcmp(op, "write") && (argc == 4 || (argc == 5 && !strcmp(argv[4], "stay"))) &&
	    !strcmp(argv[3], "self")) {
		char me[32];
		int res;

		snprintf(me, sizeof(me), "%d", (int)getpid());
		res = do_write(argv[2], me, strlen(me), 0);
		if (argc == 5) {
			fflush(stdout);
			for (;;)
				pause();
		}
		return res;
	}
	if (!strcmp(op, "devoverride") && argc == 3)
		return do_devoverride(argv[2]);
	if (!strcmp(op, "hold") && argc >= 6 &&
	    (!strcmp(argv[3], "none") || !strcmp(argv[3], "one") || !strcmp(argv[3], "all")))
		return do_hold(atol(argv[2]), argv[3], (unsigned)atoi(argv[4]), argv + 5, argc - 5);
	if (!strcmp(op, "pollwait") && argc >= 5 && argc <= 7 &&
	    (!strcmp(argv[2], "poll") || !strcmp(argv[2], "select") || !strcmp(argv[2], "epoll")))
		return do_pollwait(argv[2], argv[3], atoi(argv[4]), argc > 5 ? argv[5] : NULL,
		                   argc > 6 ? argv[6] : NULL);
	if (!strcmp(op, "pollmany") && argc >= 5)
		return do_pollmany(atoi(argv[2]), argv[3], argv + 4, argc - 4);
	if (!strcmp(op, "handoff") && argc == 6)
		return do_handoff((uid_t)atoi(argv[2]), (gid_t)atoi(argv[3]), argv[4], argv[5]);
	if (!strcmp(op, "after") && argc >= 6 &&
	    (!strcmp(argv[2], "r") || !strcmp(argv[2], "R") || !strcmp(argv[2], "w")))
		return do_after(argv[2], argv[3], argv[4], argv + 5);
	if (!strcmp(op, "copy") && argc >= 4 &&
	    (!strcmp(argv[2], "sendfile") || !strcmp(argv[2], "splice") || !strcmp(argv[2], "pread") ||
	     !strcmp(argv[2], "mmap") || !strcmp(argv[2], "mmapshared")))
		return do_copy(argv[2], argv[3], argv + 4);
	if (!strcmp(op, "write") && argc >= 4)
		return do_write(argv[2], argv[3], strlen(argv[3]),
		                argc > 4 ? strtoll(argv[4], NULL, 10) : 0);
	if (!strcmp(op, "writefrom") && argc == 4)
		return do_writefrom(argv[2], argv[3]);
	if (!strcmp(op, "read") && argc == 3)
		return do_read(argv[2]);
	if (!strcmp(op, "mkdir") && argc == 3)
		return report(mkdir(argv[2], 0755));
	if (!strcmp(op, "rmdir") && argc == 3)
		return report(rmdir(argv[2]));
	if (!strcmp(op, "stat") && argc == 3) {
		struct stat st;

		return report(stat(argv[2], &st));
	}
	if (!strcmp(op, "unlink") && argc == 3)
		return report(unlink(argv[2]));
	if (!strcmp(op, "create") && argc == 3) {
		fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd >= 0)
			close(fd);
		return report(fd);
	}
	if (!strcmp(op, "mknod") && argc == 3)
		return report(mknod(argv[2], S_IFIFO | 0644, 0));
	if (!strcmp(op, "rename") && argc == 4)
		return report(rename(argv[2], argv[3]));
	if (!strcmp(op, "link") && argc == 4)
		return report(link(argv[2], argv[3]));
	if (!strcmp(op, "symlink") && argc == 4)
		return report(symlink(argv[2], argv[3]));
	if (!strcmp(op, "chmod") && argc == 4)
		return report(chmod(argv[2], (mode_t)strtol(argv[3], NULL, 8)));
	if (!strcmp(op, "chown") && argc == 4)
		return report(chown(argv[2], (uid_t)atoi(argv[3]), (gid_t)-1));
	if (!strcmp(op, "truncate") && argc == 3)
		return report(truncate(argv[2], 0));
	if (!strcmp(op, "touch") && argc == 3)
		return report(utimensat(AT_FDCWD, argv[2], NULL, 0));
	if (!strcmp(op, "tree") && argc >= 3) {
		fd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return report(-1);
		tree_at(fd, ".", argv + 3, argc - 3);
		return 0;
	}
	if (!strcmp(op, "mkchain") && argc == 5)
		return do_mkchain(argv[2], argv[3], strtol(argv[4], NULL, 10));
	if (!strcmp(op, "chaindepth") && argc == 4)
		return do_chaindepth(argv[2], argv[3]);
	if (!strcmp(op, "chainop") && (argc == 7 || argc == 8))
		return do_chainop(argv + 1, argc - 1);
	if (!strcmp(op, "setxattr") && argc == 5)
		return report(setxattr(argv[2], argv[3], argv[4], strlen(argv[4]), 0));
	fprintf(stderr, "xop: bad usage\n");
	return 2;
}
