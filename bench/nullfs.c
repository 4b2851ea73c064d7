// SPDX-License-Identifier: MIT
/*
 * nullfs: the FUSE floor for the benchmark. A low-level server with one
 * file, "knob", that reads back a constant and accepts any write (and
 * "slow", the same after NULL_SLOW_MS, for tests/integration/serve.sh:
 * a slow request must hold up no other; with NULLFS_SLOW_GATE=FILE in
 * the environment, a read of "slow" creates FILE.started and answers
 * only once FILE is gone, so the test needs no timing). It is
 * mounted, threaded and timed out the way cgfs is (same mount options,
 * direct_io, ATOMIC_O_TRUNC, 1 s entry/attr timeouts, the same session
 * loop, src/serve.c, with as many threads; -s for one thread), so the gap
 * between the two is what cgfs does, not what FUSE costs.
 *
 *     nullfs [-f] [-d] [-s] MOUNTPOINT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fuse_lowlevel.h>

#include "cgfs/serve.h"

#define NULL_INO 2
#define NULL_NAME "knob"
#define SLOW_INO 3
#define SLOW_NAME "slow"
#define NULL_SLOW_MS 300
#define GATE_MAX_MS 60000
#define NULL_TIMEOUT 1.0 /* cgfs's fs.timeout */

static const char null_value[] = "512\n";

static void null_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_blksize = 4096;
	if (ino == FUSE_ROOT_ID) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
	}
}

static void null_init(void *userdata, struct fuse_conn_info *conn)
{
	/* As cgfs: O_TRUNC comes with OPEN, not as a SETATTR of its own. */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
}

static void null_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;

	if (parent != FUSE_ROOT_ID ||
	    (strcmp(name, NULL_NAME) != 0 && strcmp(name, SLOW_NAME) != 0)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.ino = strcmp(name, NULL_NAME) == 0 ? NULL_INO : SLOW_INO;
	e.attr_timeout = NULL_TIMEOUT;
	e.entry_timeout = NULL_TIMEOUT;
	null_stat(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void null_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (ino != FUSE_ROOT_ID && ino != NULL_INO && ino != SLOW_INO) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	null_stat(ino, &st);
	fuse_reply_attr(req, &st, NULL_TIMEOUT);
}

/* Only a truncation can arrive (without ATOMIC_O_TRUNC); it is ignored. */
static void null_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
                         int to_set, struct fuse_file_info *fi)
{
	null_getattr(req, ino, fi);
}

static void null_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != NULL_INO && ino != SLOW_INO) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fuse_reply_open(req, fi);
}

/* A slow read: NULL_SLOW_MS, or held while the gate file exists (at
 * most GATE_MAX_MS, so that a test that dies frees the server). */
static void slow_wait(void)
{
	const char *gate = getenv("NULLFS_SLOW_GATE");
	struct timespec slow = { 0, NULL_SLOW_MS * 1000000L }, tick = { 0, 1000000L };
	char started[4096];
	int fd, ms;

	if (!gate || !*gate) {
		nanosleep(&slow, NULL);
		return;
	}
	snprintf(started, sizeof(started), "%s.started", gate);
	fd = open(started, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	for (ms = 0; ms < GATE_MAX_MS && access(gate, F_OK) == 0; ms++)
		nanosleep(&tick, NULL);
}

static void null_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                      struct fuse_file_info *fi)
{
	size_t len = sizeof(null_value) - 1;

	if (ino == SLOW_INO && off == 0)
		slow_wait();

	if (off < 0 || (size_t)off >= len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	len -= (size_t)off;
	fuse_reply_buf(req, null_value + off, len < size ? len : size);
}

static void null_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
                       off_t off, struct fuse_file_info *fi)
{
	fuse_reply_write(req, size);
}

static void null_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops null_ops = {
	.init = null_init,
	.lookup = null_lookup,
	.getattr = null_getattr,
	.setattr = null_setattr,
	.open = null_open,
	.read = null_read,
	.write = null_write,
	.release = null_release,
};

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts = { 0 };
	struct fuse_session *se;
	int ret = 1;

	if (fuse_parse_cmdline(&args, &opts) != 0)
		return 2;
	if (opts.show_help || !opts.mountpoint) {
		printf("usage: %s [-f] [-d] [-s] MOUNTPOINT\n", argv[0]);
		fuse_cmdline_help();
		ret = opts.show_help ? 0 : 2;
		goto out_args;
	}
	/* cgfs's mount options, so the kernel takes the same paths. */
	if (fuse_opt_add_arg(&args, "-oallow_other,default_permissions,"
	                            "fsname=nullfs,subtype=nullfs") != 0)
		goto out_args;
	se = fuse_session_new(&args, &null_ops, sizeof(null_ops), NULL);
	if (!se)
		goto out_args;
	if (fuse_session_mount(se, opts.mountpoint) != 0)
		goto out_session;
	if (fuse_daemonize(opts.foreground) != 0)
		goto out_unmount;
	/* cgfs's server loop and thread count (src/main.c). */
	ret = serve_loop(se, opts.singlethread ? 1 :
	                     opts.max_threads < 1 ? 1 :
	                     opts.max_threads > 256 ? 256 : (int)opts.max_threads,
	                 NULL, NULL) < 0;

out_unmount:
	fuse_session_unmount(se);
out_session:
	fuse_session_destroy(se);
out_args:
	free(opts.mountpoint);
	fuse_opt_free_args(&args);
	return ret;
}
