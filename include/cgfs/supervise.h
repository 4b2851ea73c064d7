/* SPDX-License-Identifier: MIT */
/*
 * supervise: the process that owns the mount.
 *
 * The supervisor mounts (or inherits the device of an existing mount,
 * after an upgrade), keeps /dev/fuse open for the life of the mount, and
 * runs the server in a child process with its own clone of the device.
 * When the server dies, the kernel fails the requests it had read
 * (ECONNABORTED) and queues the rest; the supervisor starts a new server,
 * which answers them. SIGHUP re-executes the supervisor from its binary
 * on disk, keeping the device: an upgrade that keeps every mount.
 * docs/RESTART.md has the design.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <fuse_lowlevel.h>

struct supervise {
	/* In */
	struct fuse_session *mount_se;  /* session used to mount (never served) */
	struct fuse_args *server_args;  /* to make each server's session */
	const struct fuse_lowlevel_ops *ops;
	void *userdata;
	const char *mountpoint;
	int foreground;
	int nthreads;
	char **argv;                    /* the command line, for re-execution */
	/* Called in each new server process before it serves (may be NULL):
	 * a non-zero return ends the server with that status. */
	int (*server_start)(void *userdata, struct fuse_session *se, uint32_t epoch);
	/* Called in the server when it is to stop, while it still serves. */
	void (*server_stop)(void *userdata);
	/* Called before re-executing on SIGHUP (may be NULL): non-zero keeps
	 * the running image, so a configuration the new one would refuse
	 * does not end the mount. */
	int (*reload_check)(void);
	/* Out */
	bool is_server;                 /* returned in a server process */
};

/* In a server: has the supervisor tell the kernel to drop its cached
 * entry name in directory parent, or a node's cached attributes. A server
 * never writes these itself: the kernel takes the directory's lock for an
 * entry's invalidation, and a server killed while one of its threads
 * waits for that lock (held by a request the server had read) could
 * never finish dying. The supervisor waits instead; the server's death
 * ends the request and frees the lock. */
void supervise_notify_entry(fuse_ino_t parent, const char *name);
void supervise_notify_inode(fuse_ino_t ino);

/* Runs the supervisor until the mount ends; returns its exit status. In
 * a server process it returns that server's exit status with is_server
 * set: the caller frees what it owns and exits with it. */
int supervise_run(struct supervise *sv);
