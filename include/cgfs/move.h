/* SPDX-License-Identifier: MIT */
/*
 * move: the whole pipeline behind a write to a group's procs.
 */
#pragma once

#include <sys/types.h>

#include "cgfs/config.h"
#include "cgfs/group.h"

/* Moves the process named value (a pid as written: knob_parse_pid) in
 * the pid namespace of writer into the group at path, whose tree is
 * owned by owner, for a handle opened by uid: the pid is translated to
 * the host's, uid must be allowed to move it (policy_may_move) and it
 * must sit at one of the tree's admission points in every hierarchy
 * (cgfs.conf's admit, or the default). 0, or -EINVAL (not a pid), -ESRCH
 * (no such process in the writer's namespace, or it exited meanwhile),
 * -EPERM, or group_move_pid's errors. */
int move_written_pid(const struct cgroot *root, const struct config *cfg, uid_t uid,
                     pid_t writer, const char *path, uid_t owner, const char *value);
