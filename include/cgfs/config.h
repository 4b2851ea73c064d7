/* SPDX-License-Identifier: MIT */
/*
 * config: /etc/cgfs.conf, an INI file of per-user caps.
 *
 *   [defaults]            applied to every user tree root when created
 *   memory_limit_mb = 4096
 *   max_groups = 200
 *   [user alice]          overrides for one user
 *
 * Keys are the names of cap knobs (knob.cap) plus max_groups,
 * max_depth, admit, max_open_files and (in [defaults] only)
 * max_open_files_total, trees, trees_uids and trees_group. Values are validated with the knob's check() when loaded,
 * so a bad file is refused at start with "FILE:LINE: message".
 *
 *   [group alice/web]     a declared group: made (with its tree) when
 *   memory_limit_mb = 512 missing, these values written when made
 *
 * Keys of a [group] section are the writable value knobs (procs, freeze,
 * kill and autoremove excepted).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgfs/knobs.h"

#define CONFIG_ERR_MAX 512

/* Open cgfs files and directories per user, and of all users but root
 * together, when cgfs.conf does not say. */
#define CONFIG_MAX_OPEN_FILES 1024
#define CONFIG_MAX_OPEN_TOTAL 65536

/* max_depth and max_groups where no section sets them: a tree a user
 * cannot grow without bound (every cgroup costs kernel memory, and every
 * walk of the tree time). "max" lifts them. 32 levels of 64-character
 * names stay well inside PATH_MAX. */
#define CONFIG_MAX_DEPTH_DEFAULT 32L
#define CONFIG_MAX_GROUPS_DEFAULT 2000L

/* The uids entitled to a tree on demand where cgfs.conf does not say:
 * Debian's range of login uids (adduser.conf's FIRST_UID..LAST_UID). */
#define CONFIG_TREES_UID_MIN 1000
#define CONFIG_TREES_UID_MAX 60000

/* Who gets a tree without root's mkdir. */
enum config_trees {
	CONFIG_TREES_NONE, /* trees are root's mkdir only (the default) */
	CONFIG_TREES_AUTO, /* an entitled user's first lookup of it makes it */
};

struct caps {
	/* Value text per cap knob, indexed like knob_table; NULL = not set. */
	char *value[KNOB_TABLE_MAX];
	long max_groups; /* -1: unlimited ("max"); unset: CONFIG_MAX_GROUPS_DEFAULT */
	long max_depth;  /* -1: unlimited ("max"); unset: CONFIG_MAX_DEPTH_DEFAULT */
	/* Admission points (policy.h), NULL: not set (the default). */
	char *admit;
	/* Files and directories of cgfs the user may hold open at once;
	 * -1: no limit of the user's own. */
	long max_open_files;
};

struct config_user {
	char *name;
	struct caps caps; /* only what the [user] section sets */
};

/* At most this many [group] sections: every start looks each one up,
 * and a removal while serving looks them all up again. */
#define CONFIG_GROUPS_MAX 4096
/* A declared group's path: at most this many components below the tree,
 * and this long in all. */
#define CONFIG_GROUP_DEPTH_MAX 32
#define CONFIG_GROUP_PATH_MAX 1024

/* A declared group ([group USER/PATH]). */
struct config_group {
	char *path;   /* "alice/web": the tree's user, then group names */
	int line;     /* of its section header */
	/* Value text per knob, indexed like knob_table; NULL = not set. */
	char *value[KNOB_TABLE_MAX];
};

struct config {
	struct caps defaults;
	/* Open files of every user but root together; -1: no limit. */
	long max_open_total;
	/* Whether some [user] section sets max_open_files: only then does
	 * an opener's name need looking up. */
	bool user_open_caps;
	struct config_user *users;
	size_t n_users;
	/* Trees on demand: who is entitled (config_trees_uid), and the
	 * Unix group they must also be members of (NULL: none asked for;
	 * looked up when a tree is to be made, so a group made later
	 * counts). */
	enum config_trees trees;
	uid_t trees_uid_min, trees_uid_max;
	char *trees_group;
	/* Declared groups, sorted by path (so a parent comes before the
	 * groups declared below it). */
	struct config_group *groups;
	size_t n_groups;
};

/* Parses INI text (name is used in messages). On error returns -EINVAL and
 * writes "NAME:LINE: what is wrong" into err (if non-NULL); *ret is then
 * untouched. An empty text gives an empty config (config_empty()): no
 * caps, the default limits on groups, CONFIG_MAX_OPEN_FILES and
 * CONFIG_MAX_OPEN_TOTAL. -ENOMEM. */
int config_parse(const char *text, const char *name, struct config *ret,
                 char *err, size_t errsz);

/* Reads and parses path. A missing file is -ENOENT (err says so). */
int config_load(const char *path, struct config *ret, char *err, size_t errsz);

/* A config with no caps but the default max_depth, max_groups and open-file caps: what
 * an empty file gives. Cannot fail. */
void config_empty(struct config *cfg);

/* The effective caps for user: [user NAME] values over [defaults]. The
 * result points into cfg (no copies); valid while cfg lives. A NULL cfg
 * gives the caps of config_empty(). */
void config_caps_for(const struct config *cfg, const char *user,
                     struct caps *ret);

/* Whether trees = auto and uid is in trees_uids: the part of a user's
 * entitlement to a tree on demand that is the file's alone (the group,
 * and the uids no tree may belong to, are policy's). NULL cfg: false. */
bool config_trees_uid(const struct config *cfg, uid_t uid);

/* Whether the group at path is declared, or holds a declared group below
 * it (path "alice" holds "alice/web"). NULL cfg: false. */
bool config_declares(const struct config *cfg, const char *path);

/* Whether a tree with caps may get a group whose parent is at depth
 * parent_depth (1: the tree root), holding groups groups now (its root
 * included; negative: not counted, only the depth is judged). 0, or
 * -EDQUOT beyond max_depth or max_groups. */
int caps_allow_group(const struct caps *caps, int parent_depth, long groups);

void config_free(struct config *cfg);
