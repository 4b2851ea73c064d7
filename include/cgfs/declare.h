/* SPDX-License-Identifier: MIT */
/*
 * declare: what cgfs.conf declares, made true. Caps: written to every
 * existing tree's root at every start. Groups ([group USER/PATH]): made when
 * they are missing: at every start, and while serving when one is
 * removed. A group made is made as a user's mkdir makes it, its tree as
 * root's mkdir makes it (with its caps), and the declared values are
 * written into it; a group that exists is left as it is (what its user
 * changed stays).
 */
#pragma once

#include <stdbool.h>

#include "cgfs/config.h"
#include "cgfs/group.h"

/* Makes every declared group of cfg (NULL: none) that is missing from the
 * primary hierarchy, with the groups above it that are missing, parents
 * first, each under the tree lock on its own (requests go on between
 * them). A declaration whose user may own no tree (no such user, root,
 * the overflow uid), or whose tree or parent cannot be made, is logged
 * and skipped; a value the kernel refuses is logged and the group stays
 * with the others written. One look-up per declaration when nothing is
 * missing. quiet: every message at debug level (while serving: a user's
 * rmdir must not reach the log). max > 0: stops once it made that many
 * (the caller goes on later). Returns how many declared groups it made. */
int declare_make(const struct cgroot *r, const struct config *cfg, bool quiet, int max);

/* cgfs.conf's caps on every existing tree's root, as root's mkdir writes
 * them on a new one, so that a reload (or any start) brings existing
 * trees up to the file; a refusal is logged, the others still written. */
void declare_caps(const struct cgroot *r, const struct config *cfg);
