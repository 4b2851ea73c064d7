// SPDX-License-Identifier: MIT
/*
 * cgfs-oci-hook's checks of the names and numbers a runtime hands it.
 * The hook links nothing of cgfs: this header is private to it.
 */
#ifndef CGFS_HOOK_NAMES_H
#define CGFS_HOOK_NAMES_H

#include <stdbool.h>

/* A pid as the kernel has them: decimal digits only, 1 to INT_MAX.
 * The pid, or -1 for anything else. */
int hook_parse_pid(const char *s);

/* A group: a relative path of at least two plain levels below the
 * mount ("alice/box"): none empty, "." or "..", none longer than
 * NAME_MAX, the whole shorter than PATH_MAX, no control character.
 * NULL when it is one, else what is wrong with it, for a message. */
const char *hook_group_problem(const char *g);

/* A knob name: one level of lower-case letters, digits and '_', at most
 * NAME_MAX long, and not "procs" (the move is the hook's own). */
bool hook_knob_name_ok(const char *k);

#endif
