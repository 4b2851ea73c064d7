// SPDX-License-Identifier: MIT
/*
 * fuzz_layout: layout_parse on arbitrary mountinfo, /proc/self/cgroup and
 * cgroup.controllers text (the input split at its first two NUL bytes; a
 * missing cgroup.controllers is NULL), then hier_own_relative on every
 * hierarchy found, then layout_free.
 */
#include <errno.h>
#include <stdbool.h>

#include "cgfs/layout.h"
#include "fuzz.h"

/* Whether path has a ".." component. */
static bool climbs(const char *path)
{
	const char *p = path;
	size_t n;

	for (; *p; p += n) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
	}
	return false;
}

/* What layout.h promises about a parsed layout. */
static void check_layout(const struct layout *l)
{
	const char *rel;
	size_t i;
	int c;

	fuzz_assert(l->n <= LAYOUT_MAX_HIER);
	fuzz_assert(l->v2 == -1 || (l->v2 >= 0 && (size_t)l->v2 < l->n &&
	                             l->hier[l->v2].version == 2));
	for (i = 0; i < l->n; i++) {
		const struct hier *h = &l->hier[i];

		fuzz_assert(h->version == 1 || h->version == 2);
		fuzz_assert(h->mountpoint && h->mountpoint[0] == '/');
		fuzz_assert(h->mount_root && h->mount_root[0] == '/');
		fuzz_assert(h->options && (h->version == 1 || !h->options[0]));
		fuzz_assert(!h->own_cgroup || h->own_cgroup[0] == '/');
		fuzz_assert(h->version == 1 || (int)i == l->v2);
		fuzz_assert((h->ctrls >> CTRL_MAX) == 0);
		rel = hier_own_relative(h);
		if (rel) {
			/* a part of our own cgroup's path, never an absolute one
			 * nor one that climbs out of the mount */
			fuzz_assert(h->own_cgroup);
			fuzz_assert(rel[0] != '/');
			fuzz_assert(rel >= h->own_cgroup &&
			            rel <= h->own_cgroup + strlen(h->own_cgroup));
			fuzz_assert(!climbs(rel));
		}
	}
	/* a bit of hier[i].ctrls is set exactly when by_ctrl points at i */
	for (c = 0; c < CTRL_MAX; c++) {
		fuzz_assert(l->by_ctrl[c] >= -1 && l->by_ctrl[c] < (int)l->n);
		for (i = 0; i < l->n; i++)
			fuzz_assert(!!(l->hier[i].ctrls & (1u << c)) == (l->by_ctrl[c] == (int)i));
		fuzz_assert(ctrl_name(c) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p[3];
	char *text[3] = { NULL, NULL, NULL };
	struct layout l, untouched;
	size_t len, i;
	int res;

	for (i = 0; i < 3; i++) {
		p[i] = fuzz_piece(&data, &size, &len);
		if (p[i])
			text[i] = fuzz_strndup(p[i], len);
	}
	memset(&l, 0x5a, sizeof(l));
	untouched = l;
	res = layout_parse(text[0] ? text[0] : "", text[1] ? text[1] : "", text[2], &l);
	fuzz_assert(res == 0 || res == -EINVAL || res == -ENOMEM);
	if (res < 0) {
		fuzz_assert(memcmp(&l, &untouched, sizeof(l)) == 0);
	} else {
		check_layout(&l);
		layout_free(&l);
		fuzz_assert(l.n == 0);
	}
	for (i = 0; i < 3; i++)
		free(text[i]);
	return 0;
}
