// SPDX-License-Identifier: MIT
/*
 * procview: proc/swaps and proc/stat of a group.
 *
 * The layouts are the kernel's (mm/swapfile.c, fs/proc/stat.c), so that
 * the tools that parse the real files by columns or by blanks read these
 * alike.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cgfs/procview.h"
#include "cgfs/units.h"

/* ---- swaps ---- */

#define SWAPS_HEADER "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
#define SWAP_NAME "none"
/* The kernel pads a file name to this column with blanks (one blank at
 * least), and puts a second tab after a number below SWAP_WIDE. */
#define SWAP_NAME_COLUMN 40
#define SWAP_WIDE 10000000

/* The value of the line "key<blanks>N kB" in text; 0 or -EIO. */
static int kb_line(const char *text, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key), n;
	const char *p;

	for (p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		if (strncmp(p, key, klen) != 0)
			continue;
		p += klen;
		p += strspn(p, " \t");
		n = strspn(p, "0123456789");
		if (n == 0 || units_parse_dec(p, n, ret) < 0)
			return -EIO;
		p += n;
		return strncmp(p, " kB", 3) == 0 && (p[3] == '\n' || p[3] == '\0') ? 0 : -EIO;
	}
	return -EIO;
}

int procview_swap_of(const char *meminfo, uint64_t *ret_total, uint64_t *ret_unused)
{
	uint64_t total, unused;

	if (!meminfo || kb_line(meminfo, "SwapTotal:", &total) < 0 ||
	    kb_line(meminfo, "SwapFree:", &unused) < 0)
		return -EIO;
	*ret_total = total;
	*ret_unused = unused;
	return 0;
}

int procview_swaps_render(uint64_t total, uint64_t unused, char *buf, size_t size)
{
	uint64_t used = total > unused ? total - unused : 0;
	int len;

	if (total == 0)
		len = snprintf(buf, size, "%s", SWAPS_HEADER);
	else
		/* the type is followed by a tab, as the kernel's short type
		 * "file" is, so that the size is under "Size" */
		len = snprintf(buf, size, "%s%s%*s%s\t%llu\t%s%llu\t%s%d\n", SWAPS_HEADER, SWAP_NAME,
		               SWAP_NAME_COLUMN - (int)strlen(SWAP_NAME), "", "virtual\t",
		               (unsigned long long)total, total < SWAP_WIDE ? "\t" : "",
		               (unsigned long long)used, used < SWAP_WIDE ? "\t" : "", 0);
	if (len < 0 || (size_t)len >= size)
		return -ENOBUFS;
	return len;
}
