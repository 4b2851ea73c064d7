// SPDX-License-Identifier: MIT
/*
 * move: a pid written to a group's procs, from the writer's pid
 * namespace to the host's, judged by policy and moved by group.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cgfs/config.h"
#include "cgfs/group.h"
#include "cgfs/knobs.h"
#include "cgfs/log.h"
#include "cgfs/move.h"
#include "cgfs/pidns.h"
#include "cgfs/policy.h"

struct admit_arg {
	const struct cgroot *root;
	const char *patterns; /* cgfs.conf's admit for the tree, or the default */
	uid_t owner;          /* the tree's */
	char tree[PATH_MAX];
};

static bool admission_point(void *arg, const char *cg)
{
	struct admit_arg *a = arg;

	return policy_admitted(a->patterns, cg, a->owner);
}

static int pid_admitted(void *arg, pid_t pid)
{
	struct admit_arg *a = arg;

	return group_pid_admitted(a->root, a->tree, pid, admission_point, a);
}

/* Who may move the process is decided on the process itself (pinned by
 * a pidfd), and checked again once it has moved. */
int move_written_pid(const struct cgroot *root, const struct config *cfg, uid_t uid,
                     pid_t writer, const char *path, uid_t owner, const char *value)
{
	struct admit_arg a = { .root = root, .owner = owner };
	int res, pid, pidfd;
	struct pidns_view ns;
	struct caps caps;
	pid_t inner, back;

	res = knob_parse_pid(value, &pid);
	if (res < 0)
		return res;
	snprintf(a.tree, sizeof(a.tree), "%.*s", (int)strcspn(path, "/"), path);
	config_caps_for(cfg, a.tree, &caps);
	a.patterns = caps.admit ? caps.admit : POLICY_ADMIT_DEFAULT;
	/* The writer's pid namespace names the process: judge and move the
	 * host's pid, and once it is pinned, make sure the writer's pid
	 * still names it (it may have exited and its pid been reused). */
	inner = pid;
	res = pidns_view_open(&ns, writer);
	if (res == 0)
		res = pidns_to_host(&ns, inner, &pid);
	if (res == 0)
		res = policy_may_move(uid, pid, pid_admitted, &a, &pidfd);
	if (res == 0 && (pidns_from_host(&ns, pid, &back) < 0 || back != inner)) {
		policy_moved(pidfd);
		res = -ESRCH;
	}
	pidns_view_close(&ns);
	if (res < 0)
		return res;
	res = group_move_pid(root, path, pid);
	if (policy_moved(pidfd) < 0 && res == 0) {
		log_warn("pid %d exited while it was moved into /%s", pid, path);
		res = -ESRCH;
	}
	return res;
}
