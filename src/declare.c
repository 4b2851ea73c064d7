// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cgfs/declare.h"
#include "cgfs/log.h"
#include "cgfs/policy.h"

/* At start every message is logged at its level; while serving, where a
 * user's rmdir makes a group come back, at debug level only: a user
 * removing their group in a loop must not flood the log. */
static int level(bool quiet, int lvl)
{
	return quiet ? LOG_DEBUG : lvl;
}

/* The declared values, in the knob table's order (the order caps are
 * written in: cpu_period_us after cpu_percent). A refusal is logged and
 * the next value is written still. */
static void write_values(const struct cgroot *r, const struct config_group *g, bool quiet)
{
	size_t i;
	int res;

	for (i = 0; i < knob_count && i < KNOB_TABLE_MAX; i++) {
		const struct knob *k = &knob_table[i];

		if (!g->value[i])
			continue;
		if (!r->knob_on[i]) {
			log_msg(level(quiet, LOG_WARNING), "declared %s for /%s (line %d) not "
			        "written: no such knob here (no %s controller, or not the kernel "
			        "file)", k->name,
			         g->path, g->line, ctrl_name(k->ctrl));
			continue;
		}
		res = group_knob_write(r, g->path, k, g->value[i]);
		if (res < 0)
			log_msg(level(quiet, LOG_ERR), "declared %s = %s for /%s (line %d) refused "
			        "by the kernel: %s", k->name, g->value[i], g->path, g->line, strerror(-res));
	}
}

/* The tree of the declaration's user, as root's mkdir makes it. 0 when
 * it exists or was made, else -errno (logged). */
static int make_tree(const struct cgroot *r, const struct config *cfg, const char *user,
                     const struct config_group *g, bool quiet)
{
	struct caps caps;
	uid_t uid;
	gid_t gid;
	int res = policy_user(user, &uid, &gid);

	if (res < 0) {
		log_msg(level(quiet, LOG_WARNING), "declared group /%s (line %d) not made: %s "
		        "is not a user who may own a tree", g->path, g->line, user);
		return res;
	}
	config_caps_for(cfg, user, &caps);
	cgroot_lock(r);
	res = group_create(r, user, &caps);
	cgroot_unlock(r);
	if (res == 0)
		log_msg(level(quiet, LOG_INFO), "tree /%s made for its declared groups", user);
	else if (res != -EEXIST)
		log_msg(level(quiet, LOG_ERR), "declared group /%s (line %d) not made: its tree "
		        "cannot be made: %s", g->path, g->line, strerror(-res));
	return res == -EEXIST ? 0 : res;
}

/* The groups above the declared one and then itself, each made if
 * missing; the declared values go into it if this made it. 1 made, 0
 * it was there, -errno (logged). */
static int make_group(const struct cgroot *r, const struct config_group *g, bool quiet)
{
	char path[CONFIG_GROUP_PATH_MAX + 1];
	const char *slash = strchr(g->path, '/');
	size_t len;
	int res = 0;

	while (slash) {
		slash = strchr(slash + 1, '/');
		len = slash ? (size_t)(slash - g->path) : strlen(g->path);
		snprintf(path, sizeof(path), "%.*s", (int)len, g->path);
		cgroot_lock(r);
		res = group_create(r, path, NULL);
		if (res == 0 && !slash)
			write_values(r, g, quiet);
		cgroot_unlock(r);
		if (res < 0 && res != -EEXIST) {
			log_msg(level(quiet, LOG_ERR), "declared group /%s (line %d) not made: /%s: "
			        "%s", g->path, g->line, path, strerror(-res));
			return res;
		}
	}
	return res == 0;
}

int declare_make(const struct cgroot *r, const struct config *cfg, bool quiet, int max)
{
	char user[CONFIG_GROUP_PATH_MAX + 1], failed[CONFIG_GROUP_PATH_MAX + 1] = "";
	const struct config_group *g;
	struct stat st;
	size_t i;
	int made = 0, res;

	for (i = 0; cfg && i < cfg->n_groups && (max <= 0 || made < max); i++) {
		g = &cfg->groups[i];
		if (group_stat(r, g->path, &st) == 0)
			continue;
		snprintf(user, sizeof(user), "%.*s", (int)strcspn(g->path, "/"), g->path);
		/* Sorted by path: a user's declarations come together, and
		 * one whose tree cannot be made is said once. */
		if (strcmp(user, failed) == 0)
			continue;
		if (make_tree(r, cfg, user, g, quiet) < 0) {
			snprintf(failed, sizeof(failed), "%s", user);
			continue;
		}
		res = make_group(r, g, quiet);
		if (res > 0) {
			log_msg(level(quiet, LOG_INFO), "declared group /%s made (line %d)", g->path,
			        g->line);
			made++;
		}
	}
	return made;
}

/* ---- caps of existing trees ---- */

struct recap {
	const struct cgroot *r;
	const struct config *cfg;
	unsigned trees, refused;
};

static int recap_tree(void *arg, const char *name, ino_t ino)
{
	struct recap *rc = arg;
	struct caps caps;
	uid_t uid;
	gid_t gid;

	(void)ino;
	if (policy_user(name, &uid, &gid) < 0)
		return 0;
	config_caps_for(rc->cfg, name, &caps);
	rc->trees++;
	if (group_set_caps(rc->r, name, &caps) < 0)
		rc->refused++;
	return 0;
}

void declare_caps(const struct cgroot *r, const struct config *cfg)
{
	struct recap rc = { r, cfg, 0, 0 };
	int res = group_children(r, "", recap_tree, &rc);

	if (res < 0)
		log_err("cannot list the trees to apply cgfs.conf's caps: %s", strerror(-res));
	else if (rc.trees)
		log_info("cgfs.conf's caps written to %u tree%s%s", rc.trees, rc.trees == 1 ? "" : "s",
		         rc.refused ? " (some refused, see above)" : "");
}
