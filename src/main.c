// SPDX-License-Identifier: MIT
/*
 * main: options, start-up, readiness, signals.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fuse_lowlevel.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "cgfs/config.h"
#include "cgfs/fs.h"
#include "cgfs/group.h"
#include "cgfs/layout.h"
#include "cgfs/log.h"
#include "cgfs/watch.h"

#define DEFAULT_CONFIG "/etc/cgfs.conf"

struct options {
	char *base;
	char *config;
	char *rmdir;
	char *loglevel;
	int verbose;
	int nonopts;    /* non-option arguments seen */
};

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt option_spec[] = {
	OPT("base=%s", base),
	OPT("config=%s", config),
	OPT("rmdir=%s", rmdir),
	OPT("loglevel=%s", loglevel),
	OPT("-v", verbose),
	OPT("--verbose", verbose),
	FUSE_OPT_END
};

/* mount(8) through mount.fuse3 runs "cgfs SOURCE MOUNTPOINT -o ...": the
 * source (conventionally "cgfs") names nothing, so the first of two
 * non-option arguments is dropped. */
static int opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	struct options *o = data;

	if (key != FUSE_OPT_KEY_NONOPT)
		return 1;
	if (++o->nonopts == 1)
		return 1;
	if (o->nonopts == 2 && outargs->argc > 0) {
		/* Keep the later one: it is the mount point. */
		free(outargs->argv[outargs->argc - 1]);
		outargs->argv[outargs->argc - 1] = strdup(arg);
		return outargs->argv[outargs->argc - 1] ? 0 : -1;
	}
	return 1;
}

static int parse_loglevel(const char *s)
{
	static const char *const names[] = { "err", "warning", "notice", "info", "debug" };
	static const int levels[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return levels[i];
	return -1;
}

static void usage(const char *prog)
{
	printf("usage: %s [options] MOUNTPOINT\n\n"
	       "Mounts a per-user view of the cgroup tree at MOUNTPOINT.\n\n"
	       "cgfs options:\n"
	       "    -o base=PATH           cgroup path below which cgfs keeps its tree\n"
	       "                           (default: the daemon's own cgroup)\n"
	       "    -o config=FILE         caps and policy (default: " DEFAULT_CONFIG
	       " if present)\n"
	       "    -o rmdir=migrate|kill  what rmdir does with live processes\n"
	       "                           (default: migrate)\n"
	       "    -o loglevel=LEVEL      err, warning, notice, info (default) or debug\n"
	       "    -v, --verbose          log refused requests (debug level)\n\n"
	       "cgfs always mounts with -o allow_other,default_permissions,\n"
	       "fsname=cgfs,subtype=cgfs: every user reaches the mount and the kernel\n"
	       "checks the modes cgfs reports.\n\n",
	       prog);
	printf("FUSE options:\n");
	fuse_cmdline_help();
	fuse_lowlevel_help();
}

static int load_config(const struct options *o, struct config *cfg)
{
	char err[CONFIG_ERR_MAX];
	const char *path = o->config ? o->config : DEFAULT_CONFIG;
	int r;

	r = config_load(path, cfg, err, sizeof(err));
	if (r == -ENOENT && !o->config) {
		memset(cfg, 0, sizeof(*cfg));
		cfg->defaults.max_groups = -1;
		cfg->defaults.max_depth = -1;
		return 0;
	}
	if (r < 0)
		log_err("%s", err);
	return r;
}

/* READY=1 only once the mount answers: a stat(2) of the mount point is a
 * request the session loop must serve, so it waits for the loop. */
static void *notify_when_serving(void *mountpoint)
{
	struct stat st;

	if (stat(mountpoint, &st) == 0) {
		log_debug("mount answers: ready");
#ifdef HAVE_SYSTEMD
		sd_notify(0, "READY=1");
#endif
	} else {
		log_err("%s does not answer: %s", (char *)mountpoint, strerror(errno));
	}
	return NULL;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts = { 0 };
	struct fuse_loop_config *loop = NULL;
	struct fuse_session *se = NULL;
	struct options o = { 0 };
	struct config cfg = { 0 };
	struct cgroot root;
	struct layout layout;
	struct fs fs;
	pthread_t ready_thread;
	enum rmdir_mode mode = RMDIR_MIGRATE;
	int ret = 1, r;

	log_init();
	if (fuse_opt_parse(&args, &o, option_spec, opt_proc) == -1)
		return 2;
	if (fuse_parse_cmdline(&args, &opts) != 0)
		return 2;
	if (opts.show_help) {
		usage(argv[0]);
		ret = 0;
		goto out_args;
	}
	if (opts.show_version) {
		printf("cgfs %s\n", CGFS_VERSION);
		printf("FUSE library version %s\n", fuse_pkgversion());
		ret = 0;
		goto out_args;
	}
	if (!opts.mountpoint) {
		fprintf(stderr, "usage: %s [options] MOUNTPOINT (see --help)\n", argv[0]);
		ret = 2;
		goto out_args;
	}
	if (o.loglevel) {
		r = parse_loglevel(o.loglevel);
		if (r < 0) {
			log_err("loglevel=%s: expected err, warning, notice, info or debug",
			        o.loglevel);
			ret = 2;
			goto out_args;
		}
		log_max_level = r;
	}
	if (opts.debug || o.verbose)
		log_max_level = LOG_DEBUG;
	if (o.rmdir && strcmp(o.rmdir, "kill") == 0)
		mode = RMDIR_KILL;
	else if (o.rmdir && strcmp(o.rmdir, "migrate") != 0) {
		log_err("rmdir=%s: expected migrate or kill", o.rmdir);
		ret = 2;
		goto out_args;
	}
	if (load_config(&o, &cfg) < 0) {
		ret = 2;
		goto out_args;
	}
	/* Every user must reach the mount; the kernel checks the modes cgfs
	 * reports, so ownership is enforced before a request arrives. The
	 * session is made first so a bad FUSE option fails before any cgroup
	 * is touched. */
	if (fuse_opt_add_arg(&args, "-oallow_other,default_permissions,fsname=cgfs,subtype=cgfs") != 0)
		goto out_cfg;
	fs.root = &root;
	fs.cfg = &cfg;
	fs.timeout = 1.0;
	se = fuse_session_new(&args, &fs_ops, sizeof(fs_ops), &fs);
	if (!se) {
		ret = 2;
		goto out_cfg;
	}
	r = layout_load(&layout);
	if (r < 0) {
		log_err("no cgroup hierarchy found: %s", strerror(-r));
		goto out_session;
	}
	r = cgroot_open(&root, &layout, o.base, mode);
	if (r < 0) {
		log_err("cannot set up the base cgroup: %s", strerror(-r));
		goto out_session;
	}
	if (fuse_set_signal_handlers(se) != 0)
		goto out_root;
	if (fuse_session_mount(se, opts.mountpoint) != 0)
		goto out_signals;
	if (fuse_daemonize(opts.foreground) != 0)
		goto out_unmount;
	log_info("serving %s (base %s, %zu hierarchies)", opts.mountpoint,
	         root.h[root.primary].base, root.n);
	watch_start(se, &fs, opts.mountpoint);
	if (pthread_create(&ready_thread, NULL, notify_when_serving, opts.mountpoint) != 0)
		goto out_unmount;
	pthread_detach(ready_thread);

	/* The loops return the signal number after SIGTERM/SIGINT/SIGHUP: a
	 * clean stop. Only a negative value is a failure. */
	if (opts.singlethread) {
		ret = fuse_session_loop(se) < 0;
	} else {
		loop = fuse_loop_cfg_create();
		if (!loop)
			goto out_unmount;
		fuse_loop_cfg_set_clone_fd(loop, opts.clone_fd);
		/* Idle workers stay: libfuse would otherwise start and end a
		 * thread per request (a clone3 each, measured here). */
		fuse_loop_cfg_set_idle_threads(loop, opts.max_idle_threads > 64 ?
		                                          8 : opts.max_idle_threads);
		fuse_loop_cfg_set_max_threads(loop, opts.max_threads);
		ret = fuse_session_loop_mt(se, loop) < 0;
		fuse_loop_cfg_destroy(loop);
	}

out_unmount:
	watch_stop();
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_root:
	cgroot_close(&root);
out_session:
	fuse_session_destroy(se);
	fs_destroy_nodes();
out_cfg:
	config_free(&cfg);
out_args:
	free(opts.mountpoint);
	fuse_opt_free_args(&args);
	free(o.base);
	free(o.config);
	free(o.rmdir);
	free(o.loglevel);
	return ret;
}
