// SPDX-License-Identifier: MIT
/*
 * view: what proc/swaps and proc/stat read to render.
 */
#include <errno.h>
#include <stdlib.h>

#include "cgfs/procview.h"
#include "view_int.h"

/* The header and one line of numbers. */
#define SWAPS_TEXT_MAX 256

/* The group's swap as its meminfo shows it, so both files agree. */
int view_swaps_read(const struct knob_io *io, char **ret)
{
	uint64_t total = 0, unused = 0;
	char *meminfo = NULL, *buf = malloc(SWAPS_TEXT_MAX);
	int res = buf ? view_meminfo(io, &meminfo) : -ENOMEM;

	if (res >= 0)
		res = procview_swap_of(meminfo, &total, &unused);
	if (res == 0)
		res = procview_swaps_render(total, unused, buf, SWAPS_TEXT_MAX);
	free(meminfo);
	if (res < 0)
		free(buf);
	else
		*ret = buf;
	return res;
}
