// SPDX-License-Identifier: MIT
/*
 * cgfs-oci-hook's checks of what a runtime hands it: a group's name, a
 * knob's name, a pid (see hook_names.h). Pure: unit-tested with literal
 * names in tests/unit/test_hook_names.c.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hook_names.h"

/* A pid as the kernel has them: decimal, 1 to INT_MAX, nothing else. */
int hook_parse_pid(const char *s)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > INT_MAX)
		return -1;
	return (int)v;
}

/* A group: a relative path of plain names below the mount, "alice/box".
 * NULL when it is one, else what is wrong with it. */
const char *hook_group_problem(const char *g)
{
	const char *p, *c;
	size_t len;

	if (!*g)
		return "it is empty";
	if (*g == '/')
		return "it is an absolute path (a path below the mount is needed: alice/box)";
	if (strlen(g) >= PATH_MAX)
		return "it is too long";
	for (c = g; ; c = p + 1) {
		p = strchrnul(c, '/');
		len = (size_t)(p - c);
		if (len == 0)
			return "it has an empty level (// or a trailing /)";
		if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return "it has a . or .. level";
		if (len > NAME_MAX)
			return "a level is longer than NAME_MAX";
		if (!*p)
			break;
	}
	for (p = g; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "it has a control character";
	if (!strchr(g, '/'))
		return "it names a user's tree, not a group in it (alice/box)";
	return NULL;
}

/* A knob name: one level, the daemon's lower-case names. */
bool hook_knob_name_ok(const char *k)
{
	const char *p;

	if (!*k || strlen(k) > NAME_MAX)
		return false;
	for (p = k; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			return false;
	return strcmp(k, "procs") != 0;
}
