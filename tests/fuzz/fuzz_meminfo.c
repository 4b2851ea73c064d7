// SPDX-License-Identifier: MIT
/*
 * fuzz_meminfo: meminfo_render on arbitrary kernel text. Input: one byte
 * (bit 0: v1 or v2; bit 1: swap accounting on v2; bits 2-7: output
 * buffer size in 64-byte steps, 0 for the full size), then NUL-separated
 * pieces: host /proc/meminfo, memory.stat, usage, swap usage, then limit
 * files up to the end (on v2 each also serves as a memory.swap.max).
 * Besides not crashing: the result is -EIO, -ENOBUFS or the length of a
 * NUL-terminated text inside the buffer, whose lines are the host's
 * lines in the host's order, with a MemTotal that is never 0 when the host
 * has one.
 */
#include <errno.h>

#include "cgfs/meminfo.h"
#include "fuzz.h"

#define MAX_LIMITS 8

/* The labels (text up to ':' or the end of the line) of a's lines equal
 * those of b. */
static int same_labels(const char *a, const char *b)
{
	while (*a && *b) {
		size_t la = strcspn(a, ":\n"), lb = strcspn(b, ":\n");

		if (la != lb || memcmp(a, b, la) != 0)
			return 0;
		a += strcspn(a, "\n");
		b += strcspn(b, "\n");
		a += *a == '\n';
		b += *b == '\n';
	}
	return *a == *b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *piece[4 + MAX_LIMITS] = { 0 }, *buf, *base;
	const char *lims[MAX_LIMITS];
	struct meminfo_src src = { 0 };
	size_t n = 0, len, bufsize, i;
	const uint8_t *p;
	uint8_t head;
	int res;

	if (size < 1)
		return 0;
	head = data[0];
	data++;
	size--;
	while (n < 4 + MAX_LIMITS && (p = fuzz_piece(&data, &size, &len)))
		piece[n++] = fuzz_strndup(p, len);
	for (i = n; i < 4; i++)
		piece[i] = fuzz_strndup((const uint8_t *)"", 0);
	for (i = 4; i < n; i++)
		lims[i - 4] = piece[i];
	src.version = head & 1 ? 2 : 1;
	src.host = piece[0];
	src.stat = piece[1];
	src.usage = piece[2];
	src.limits = lims;
	src.n_limits = n > 4 ? n - 4 : 0;
	if (src.version == 2 && head & 2) {
		src.swap_usage = piece[3];
		src.swap_limits = lims;
		src.n_swap_limits = src.n_limits;
	}
	bufsize = head >> 2 ? (size_t)(head >> 2) * 64 : MEMINFO_TEXT_MAX;
	buf = fuzz_exact(bufsize, &base);
	res = meminfo_render(&src, buf, bufsize);
	fuzz_assert(res == -EIO || res == -ENOBUFS || res >= 0);
	if (res >= 0) {
		fuzz_assert((size_t)res < bufsize && strlen(buf) == (size_t)res);
		/* a NUL inside the host's text ends it, as for any C caller */
		fuzz_assert(same_labels(src.host, buf));
		fuzz_assert(strncmp(buf, "MemTotal:", 9) != 0 ||
		            strncmp(buf, "MemTotal:               0 kB", 28) != 0);
	}
	free(base);
	for (i = 0; i < n || i < 4; i++)
		free(piece[i]);
	return 0;
}
