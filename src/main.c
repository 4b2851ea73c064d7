// SPDX-License-Identifier: MIT
/*
 * main: options, start-up, readiness, signals.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fuse_lowlevel.h>

#include "cgfs/config.h"
#include "cgfs/declare.h"
#include "cgfs/fs.h"
#include "cgfs/group.h"
#include "cgfs/layout.h"
#include "cgfs/log.h"
#include "cgfs/nodeid.h"
#include "cgfs/policy.h"
#include "cgfs/serve.h"
#include "cgfs/slow.h"
#include "cgfs/supervise.h"
#include "cgfs/watch.h"

#define DEFAULT_CONFIG "/etc/cgfs.conf"

struct options {
	char *base;
	char *config;
	char *rmdir;
	char *loglevel;
	char *spin_us;
	char *wait_ms;
	int verbose;
	int unified;    /* hybrid hosts: groups in cgroup2 too */
	int check_config;
	int nonopts;    /* non-option arguments seen */
};

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt option_spec[] = {
	OPT("base=%s", base),
	OPT("config=%s", config),
	OPT("rmdir=%s", rmdir),
	OPT("loglevel=%s", loglevel),
	OPT("spin_us=%s", spin_us),
	OPT("wait_ms=%s", wait_ms),
	OPT("unified", unified),
	OPT("-v", verbose),
	OPT("--verbose", verbose),
	OPT("--check-config", check_config),
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
	       " if present;\n"
	       "                           without root ~/.config/cgfs.conf)\n"
	       "    -o rmdir=migrate|kill  what rmdir does with live processes\n"
	       "                           (default: migrate)\n"
	       "    -o loglevel=LEVEL      err, warning, notice, info (default) or debug\n"
	       "    -o spin_us=N           microseconds the reading thread polls for the\n"
	       "                           next request before it sleeps, 0-1000 (default: 50)\n"
	       "    -o wait_ms=N           milliseconds a freeze, a kill or a removal waits\n"
	       "                           for the kernel, 1-3600000 (default: 10000)\n"
	       "    -o unified             on a hybrid host, keep every group in the cgroup2\n"
	       "                           hierarchy too (devices_deny needs it)\n"
	       "    --check-config         check the options and the configuration,\n"
	       "                           then exit (0: good, 2: not)\n"
	       "    -v, --verbose          log refused requests (debug level)\n\n"
	       "cgfs always mounts with -o default_permissions,fsname=cgfs,subtype=cgfs,\n"
	       "and as root with allow_other: every user reaches the mount and the\n"
	       "kernel checks the modes cgfs reports. Without root the mount is its\n"
	       "user's alone (see \"Without root\" in cgfs(8)).\n\n",
	       prog);
	printf("FUSE options:\n");
	fuse_cmdline_help();
	fuse_lowlevel_help();
}

/* Without root, cgfs.conf is the user's own: /etc/cgfs.conf is the
 * administrator's for the system's mount, and its caps and trees mean
 * nothing in a mount of one user's delegated cgroup. NULL: no HOME. */
static const char *default_config(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (geteuid() == 0)
		return DEFAULT_CONFIG;
	if (xdg && *xdg == '/')
		n = snprintf(buf, size, "%s/cgfs.conf", xdg);
	else if (home && *home == '/')
		n = snprintf(buf, size, "%s/.config/cgfs.conf", home);
	else
		return NULL;
	return n > 0 && (size_t)n < size ? buf : NULL;
}

static int load_config(const struct options *o, struct config *cfg)
{
	char err[CONFIG_ERR_MAX], own[PATH_MAX];
	const char *path = o->config ? o->config : default_config(own, sizeof(own));
	int res;

	if (!path) {
		config_empty(cfg);
		return 0;
	}

	res = config_load(path, cfg, err, sizeof(err));
	if (res == -ENOENT && !o->config) {
		config_empty(cfg);
		return 0;
	}
	if (res < 0)
		log_err("%s", err);
	return res;
}

static const struct options *reload_options;
/* In a server, the supervisor's mount session, left as it is (below). */
static struct fuse_session *volatile left_mount_session;
static struct fuse_session *server_session; /* this server's */

/* Before an upgrade: the configuration must still load. */
static int reload_check(void)
{
	struct config cfg;
	int res = load_config(reload_options, &cfg);

	if (res == 0)
		config_free(&cfg);
	return res;
}

/* The watcher's reports, to the kernel through the supervisor (see
 * supervise_notify_entry()), and to fs. None is sent once the session
 * has ended. */
static void forget_entry(void *ctx, ino_t dir, bool is_base, const char *name)
{
	if (!fuse_session_exited(server_session))
		supervise_notify_entry(nodeid_dir(dir, is_base), name);
}

static void forget_inode(void *ctx, ino_t dir)
{
	if (!fuse_session_exited(server_session))
		supervise_notify_inode(nodeid_dir(dir, false));
}

static void set_caching(void *ctx, bool on)
{
	fs_set_caching(ctx, on);
}

static void group_gone(void *ctx, const char *path)
{
	fs_group_gone(ctx, path);
}

/* cgfs.conf's declared groups that are missing (a reboot, a new
 * declaration, a removal while no server watched), before the watcher
 * starts: it then finds them all. */
static void make_declared(struct fs *fs)
{
	int made;

	if (!fs->cfg || !fs->cfg->n_groups)
		return;
	made = declare_make(fs->root, fs->cfg, false, 0);
	log_info("%zu declared group%s in cgfs.conf, %d made now", fs->cfg->n_groups,
	         fs->cfg->n_groups == 1 ? "" : "s", made);
}

/* In each new server process, before it serves. */
static int server_start(void *userdata, struct fuse_session *se, uint32_t epoch)
{
	struct fs *fs = userdata;

	fs->epoch = epoch;
	fs->se = se;
	server_session = se;
	/* Requests allocate little and briefly: a malloc arena per thread
	 * would mostly hold memory (measured: 0.7 MiB with 10,000 groups). */
	mallopt(M_ARENA_MAX, 2);
	/* Big buffers (a listing of 10,000 groups, the watcher's tables)
	 * are mapped and given back when freed. glibc would otherwise raise
	 * its threshold past the first one freed and keep later ones in the
	 * heap (measured: 0.3 MiB with 10,000 groups). */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	/* Each worker's receive buffer is 1 MiB, of which a request touches
	 * a page or two; with transparent huge pages "always" (Debian's
	 * kernels) a touch faults in 2 MiB, and 8 workers cost 8 MiB more
	 * (measured in the v2 guest), at whatever moment each first serves. */
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0)
		log_debug("cannot turn off huge pages: %s", strerror(errno));
	declare_caps(fs->root, fs->cfg);
	make_declared(fs);
	/* Completes half-made groups, then watches the real tree. Without a
	 * watcher cgfs still serves, caching nothing. */
	watch_start(fs->root, fs->cfg, &(struct watch_hooks){ .ctx = fs,
	            .forget_entry = forget_entry, .forget_inode = forget_inode,
	            .set_caching = set_caching, .gone = group_gone });
	/* Files a thread keeps open for a group removed meanwhile are
	 * closed after its next request. */
	serve_after_each(group_files_check);
	return 0;
}

static void server_stop(void *userdata)
{
	(void)userdata;
	/* Pending freezes and kills end (as if timed out) and are answered
	 * while the session still answers. */
	slow_stop();
	watch_stop();
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts = { 0 };
	struct fuse_args server_args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_session *se = NULL;
	struct supervise sv = { 0 };
	struct options o = { 0 };
	struct config cfg = { 0 };
	struct cgroot root;
	struct layout layout;
	struct fs fs;
	enum rmdir_mode mode = RMDIR_MIGRATE;
	int ret = 1, res, i;

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
		res = parse_loglevel(o.loglevel);
		if (res < 0) {
			log_err("loglevel=%s: expected err, warning, notice, info or debug",
			        o.loglevel);
			ret = 2;
			goto out_args;
		}
		log_max_level = res;
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
	if (o.spin_us) {
		char *end;
		unsigned long us;

		errno = 0;
		us = strtoul(o.spin_us, &end, 10);
		if (errno || end == o.spin_us || *end || o.spin_us[0] == '-' || us > 1000) {
			log_err("spin_us=%s: expected microseconds, 0 to 1000", o.spin_us);
			ret = 2;
			goto out_args;
		}
		serve_set_spin((unsigned)us);
	}
	if (o.wait_ms) {
		char *end;
		unsigned long ms;

		errno = 0;
		ms = strtoul(o.wait_ms, &end, 10);
		if (errno || end == o.wait_ms || *end || o.wait_ms[0] == '-' || ms < 1 ||
		    ms > 3600000) {
			log_err("wait_ms=%s: expected milliseconds, 1 to 3600000", o.wait_ms);
			ret = 2;
			goto out_args;
		}
		group_set_wait_ms((long)ms);
	}
	if (load_config(&o, &cfg) < 0) {
		ret = 2;
		goto out_args;
	}
	/* The options and the configuration are good: nothing more to do
	 * (a supervisor asks this of a new binary before it runs it). */
	if (o.check_config) {
		ret = 0;
		goto out_cfg;
	}
	/* Every user must reach the mount; the kernel checks the modes cgfs
	 * reports, so ownership is enforced before a request arrives. The
	 * session is made first so a bad FUSE option fails before any cgroup
	 * is touched. Without root the mount is its user's alone (fusermount3
	 * refuses allow_other unless /etc/fuse.conf allows it), and that user
	 * has root's part in it. */
	if (fuse_opt_add_arg(&args, "-odefault_permissions,fsname=cgfs,subtype=cgfs") != 0 ||
	    (geteuid() == 0 && fuse_opt_add_arg(&args, "-oallow_other") != 0))
		goto out_cfg;
	policy_set_admin(geteuid(), getegid());
	fs.root = &root;
	fs.cfg = &cfg;
	fs.cache_timeout = 1.0;
	fs.timeout = 1.0;
	fs.epoch = 0;
	fs.se = NULL;
	/* Every server makes its own session from the same arguments. */
	for (i = 0; i < args.argc; i++)
		if (fuse_opt_add_arg(&server_args, args.argv[i]) != 0)
			goto out_cfg;
	se = fuse_session_new(&args, &fs_ops, sizeof(fs_ops), &fs);
	if (!se) {
		ret = 2;
		goto out_cfg;
	}
	res = layout_load(&layout);
	if (res < 0) {
		log_err("no cgroup hierarchy found: %s", strerror(-res));
		goto out_session;
	}
	res = cgroot_open(&root, &layout, o.base, mode, o.unified != 0);
	if (res < 0) {
		log_err("cannot set up the base cgroup: %s%s", strerror(-res),
		        res == -EACCES || res == -EPERM ?
		        " (without root, the base must be in a cgroup delegated to this user)" : "");
		goto out_session;
	}
	sv = (struct supervise){
		.mount_se = se,
		.server_args = &server_args,
		.ops = &fs_ops,
		.userdata = &fs,
		.mountpoint = opts.mountpoint,
		.foreground = opts.foreground,
		.nthreads = opts.singlethread ? 1 :
		            opts.max_threads < 1 ? 1 : opts.max_threads > 256 ? 256 : (int)opts.max_threads,
		.argv = argv,
		.server_start = server_start,
		.server_stop = server_stop,
		.reload_check = reload_check,
	};
	reload_options = &o;
	log_debug("base %s, %zu hierarchies", root.h[root.primary].base, root.n);
	ret = supervise_run(&sv);

	cgroot_close(&root);
out_session:
	/* A server keeps the supervisor's mount session as it is: destroying
	 * it without unmounting would leave its mount point string behind. */
	if (sv.is_server)
		left_mount_session = se;
	else
		fuse_session_destroy(se);
	fs_destroy_nodes();
out_cfg:
	config_free(&cfg);
	fuse_opt_free_args(&server_args);
out_args:
	free(opts.mountpoint);
	fuse_opt_free_args(&args);
	free(o.base);
	free(o.config);
	free(o.rmdir);
	free(o.loglevel);
	free(o.spin_us);
	free(o.wait_ms);
	return ret;
}
