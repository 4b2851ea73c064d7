// SPDX-License-Identifier: MIT
/*
 * fs: the FUSE low-level operations (include/cgfs/fs.h): the operation
 * table and the operations on any node. The parts are listed in
 * src/fs_int.h.
 */
#include "cgfs/loadavg.h"
#include "fs_int.h"

struct fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* The entry and attribute timeout: the watcher changes it at run time. */
double fs_timeout(struct fs *fs)
{
	double t;

	__atomic_load(&fs->timeout, &t, __ATOMIC_ACQUIRE);
	return t;
}

void fs_set_caching(struct fs *fs, bool on)
{
	double t = on ? fs->cache_timeout : 0;

	__atomic_store(&fs->timeout, &t, __ATOMIC_RELEASE);
}

/* A daemon without root serves its own user's tree alone: it is there
 * from the start, as root's mkdir would make it. */
static void own_tree(struct fs *fs)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	uid_t uid;
	gid_t gid;
	int err;

	if (policy_admin() == 0)
		return;
	if (getpwuid_r(policy_admin(), &pw, buf, sizeof(buf), &res) != 0 || !res) {
		log_err("uid %u has no user name: no tree to serve", (unsigned)policy_admin());
		return;
	}
	if (policy_user(pw.pw_name, &uid, &gid) < 0) {
		log_err("user %s may own no tree: none to serve", pw.pw_name);
		return;
	}
	err = tree_make(fs, pw.pw_name);
	if (err == 0)
		log_info("tree /%s made for the mount's owner", pw.pw_name);
	else if (err != -EEXIST)
		log_err("cannot make tree /%s: %s", pw.pw_name, strerror(-err));
}

static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct fs *fs = userdata;

	budget_set_total(fs->cfg->max_open_total);
	own_tree(fs);
	if (fs->cfg->trees == CONFIG_TREES_AUTO)
		log_info("trees on demand for uids %u-%u%s%s", fs->cfg->trees_uid_min,
		         fs->cfg->trees_uid_max, fs->cfg->trees_group ? " in group " : "",
		         fs->cfg->trees_group ? fs->cfg->trees_group : "");
	/* O_TRUNC arrives with open() instead of as a separate SETATTR. */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/* A cached limit's pages go when its attributes show a new size or
	 * mtime (fs_file.c): a file kept open sees a value written since. */
	if (conn->capable & FUSE_CAP_AUTO_INVAL_DATA)
		conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
	conn->want &= ~FUSE_CAP_EXPLICIT_INVAL_DATA;
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fs_of(req);
	struct nref p, c;
	int res;

	res = node_lookup(fs, parent, &p);
	if (res < 0)
		goto err;
	res = child_ref(fs, &p, name, &c);
	/* An error reply leaves the kernel no negative entry it may keep
	 * (only a reply with node id 0 would): the next lookup of the name,
	 * by whoever, comes here again. */
	if (res == -ENOENT && p.depth == 0 && p.kind == NODE_DIR)
		res = tree_on_demand(req, fs, &p, name, &c);
	if (res < 0)
		goto err;
	reply_entry(req, fs, &c);
	return;
err:
	fuse_reply_err(req, -res);
}

static void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	node_forget(ino, nlookup);
	fuse_reply_none(req);
}

static void fs_forget_multi(fuse_req_t req, size_t count,
                            struct fuse_forget_data *forgets)
{
	size_t i;

	for (i = 0; i < count; i++)
		node_forget(forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct nref ref;
	struct stat st;
	int res;

	res = node_lookup(fs, ino, &ref);
	if (res == 0)
		res = node_attr(req, fs, &ref, &st);
	if (res < 0)
		fuse_reply_err(req, -res);
	else
		fuse_reply_attr(req, &st, fs_timeout(fs));
}

static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                       struct fuse_file_info *fi)
{
	struct fs *fs = fs_of(req);
	struct nref ref;
	struct stat st;
	int res;

	res = node_lookup(fs, ino, &ref);
	if (res < 0)
		goto err;
	/* Only truncation (what "echo >" may send) is accepted, and ignored:
	 * knob and raw files have no stored content to cut. */
	if (to_set & ~(FUSE_SET_ATTR_SIZE)) {
		res = -EPERM;
		goto err;
	}
	if ((to_set & FUSE_SET_ATTR_SIZE) && kind_is_dir(ref.kind)) {
		res = -EISDIR;
		goto err;
	}
	if ((to_set & FUSE_SET_ATTR_SIZE) && ref.kind == NODE_VIEW) {
		res = -EACCES;
		goto err;
	}
	res = node_attr(req, fs, &ref, &st);
	if (res < 0)
		goto err;
	fuse_reply_attr(req, &st, fs_timeout(fs));
	return;
err:
	fuse_reply_err(req, -res);
}

static void fs_end(void *userdata)
{
	(void)userdata;
	poll_stop();
	loadavg_stop();
}

const struct fuse_lowlevel_ops fs_ops = {
	.init = fs_init,
	.destroy = fs_end,
	.lookup = fs_lookup,
	.forget = fs_forget,
	.forget_multi = fs_forget_multi,
	.getattr = fs_getattr,
	.setattr = fs_setattr,
	.mkdir = fs_mkdir,
	.rmdir = fs_rmdir,
	.unlink = fs_unlink,
	.rename = fs_rename,
	.link = fs_link,
	.symlink = fs_symlink,
	.mknod = fs_mknod,
	.create = fs_create,
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.release = fs_release,
	.poll = fs_poll,
	.opendir = fs_opendir,
	.readdir = fs_readdir,
	.releasedir = fs_releasedir,
};
