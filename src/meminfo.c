// SPDX-License-Identifier: MIT
/*
 * meminfo: /proc/meminfo as a memory cgroup sees it.
 *
 * MemTotal is the smallest limit up the tree, or the host's RAM when that
 * is smaller or there is no limit; MemFree what the group has left of it;
 * MemAvailable adds what reclaim could give back (file pages, reclaimable
 * slab). The breakdown lines come from memory.stat, which counts in bytes
 * and hierarchically (v1: the total_ keys). A line the group has no
 * counter for on this version reads 0: the host's value would describe
 * other people's memory. Everything that is not the group's (commit
 * limits, vmalloc, huge page pools, direct map) is the host's line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs/meminfo.h"

/* v1 prints "no limit" as LONG_MAX rounded down to a page; anything from
 * LONG_MAX rounded down to 64 KiB pages up means no limit. */
#define V1_UNLIMITED UINT64_C(0x7FFFFFFFFFFF0000)
#define NO_LIMIT UINT64_MAX
#define LABEL_MAX 64

/* A breakdown line: the sum of up to two memory.stat keys per version
 * (NULL: none), or with diff the first minus the second. */
struct field {
	const char *label;
	const char *v1[2];
	const char *v2[2];
	bool diff;
};

static const struct field fields[] = {
	{ "Buffers", { NULL, NULL }, { NULL, NULL }, false },
	/* the page cache counters include the swap cache; the host's Cached does not */
	{ "Cached", { "total_cache", "total_swapcached" }, { "file", "swapcached" }, true },
	{ "SwapCached", { "total_swapcached", NULL }, { "swapcached", NULL }, false },
	{ "Active", { "total_active_anon", "total_active_file" }, { "active_anon", "active_file" },
	  false },
	{ "Inactive", { "total_inactive_anon", "total_inactive_file" },
	  { "inactive_anon", "inactive_file" }, false },
	{ "Active(anon)", { "total_active_anon", NULL }, { "active_anon", NULL }, false },
	{ "Inactive(anon)", { "total_inactive_anon", NULL }, { "inactive_anon", NULL }, false },
	{ "Active(file)", { "total_active_file", NULL }, { "active_file", NULL }, false },
	{ "Inactive(file)", { "total_inactive_file", NULL }, { "inactive_file", NULL }, false },
	{ "Unevictable", { "total_unevictable", NULL }, { "unevictable", NULL }, false },
	{ "Mlocked", { NULL, NULL }, { NULL, NULL }, false },
	{ "Zswap", { NULL, NULL }, { "zswap", NULL }, false },
	{ "Zswapped", { NULL, NULL }, { "zswapped", NULL }, false },
	{ "Dirty", { "total_dirty", NULL }, { "file_dirty", NULL }, false },
	{ "Writeback", { "total_writeback", NULL }, { "file_writeback", NULL }, false },
	{ "AnonPages", { "total_rss", NULL }, { "anon", NULL }, false },
	{ "Mapped", { "total_mapped_file", NULL }, { "file_mapped", NULL }, false },
	{ "Shmem", { "total_shmem", NULL }, { "shmem", NULL }, false },
	{ "KReclaimable", { NULL, NULL }, { "slab_reclaimable", NULL }, false },
	{ "Slab", { NULL, NULL }, { "slab", NULL }, false },
	{ "SReclaimable", { NULL, NULL }, { "slab_reclaimable", NULL }, false },
	{ "SUnreclaim", { NULL, NULL }, { "slab_unreclaimable", NULL }, false },
	{ "KernelStack", { NULL, NULL }, { "kernel_stack", NULL }, false },
	{ "PageTables", { NULL, NULL }, { "pagetables", NULL }, false },
	{ "SecPageTables", { NULL, NULL }, { "sec_pagetables", NULL }, false },
	{ "Percpu", { NULL, NULL }, { "percpu", NULL }, false },
	{ "AnonHugePages", { "total_rss_huge", NULL }, { "anon_thp", NULL }, false },
	{ "ShmemHugePages", { NULL, NULL }, { "shmem_thp", NULL }, false },
	{ "FileHugePages", { NULL, NULL }, { "file_thp", NULL }, false },
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* What the group's own lines say, in kB. */
struct view {
	uint64_t total, free, avail;
	bool swap;            /* swap accounting: SwapTotal/SwapFree are the group's */
	uint64_t swap_total, swap_free;
};

/* ---- numbers as the kernel prints them ---- */

static int parse_u64(const char *s, size_t len, uint64_t *ret)
{
	char num[32], *end;
	unsigned long long v;

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	if (len == 0 || len >= sizeof(num) || s[0] < '0' || s[0] > '9')
		return -EIO;
	memcpy(num, s, len);
	num[len] = '\0';
	errno = 0;
	v = strtoull(num, &end, 10);
	if (errno || *end)
		return -EIO;
	*ret = v;
	return 0;
}

/* A limit file: "max" (v2) or a v1 number that means none -> NO_LIMIT. */
static int parse_limit(const char *text, uint64_t *ret)
{
	int res;

	if (!text)
		return -EIO;
	if (strncmp(text, "max", 3) == 0 && (text[3] == '\0' || text[3] == '\n')) {
		*ret = NO_LIMIT;
		return 0;
	}
	res = parse_u64(text, strlen(text), ret);
	if (res == 0 && *ret >= V1_UNLIMITED)
		*ret = NO_LIMIT;
	return res;
}

/* The smallest of a list of limit files. */
static int min_limit(const char *const *texts, size_t n, uint64_t *ret)
{
	uint64_t v;
	size_t i;
	int res;

	*ret = NO_LIMIT;
	for (i = 0; i < n; i++) {
		res = parse_limit(texts[i], &v);
		if (res < 0)
			return res;
		if (v < *ret)
			*ret = v;
	}
	return 0;
}

/* "key N" in memory.stat (key a whole word); -ENODATA when absent. */
static int stat_value(const char *text, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		const char *end = strchrnul(line, '\n');

		if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
			return parse_u64(line + klen + 1, (size_t)(end - line) - klen - 1, ret);
		line = *end ? end + 1 : NULL;
	}
	return -ENODATA;
}

/* A memory.stat key, 0 when this kernel does not print it. */
static int stat_or_zero(const char *text, const char *key, uint64_t *ret)
{
	int res = stat_value(text, key, ret);

	if (res == -ENODATA) {
		*ret = 0;
		return 0;
	}
	return res;
}

/* "Label:   N kB" in the host's text, in kB; -ENODATA when absent. */
static int host_value(const char *host, const char *label, uint64_t *ret)
{
	size_t llen = strlen(label);
	const char *line = host;

	while (line && *line) {
		const char *end = strchrnul(line, '\n'), *p = line + llen + 1, *q;

		if (strncmp(line, label, llen) == 0 && line[llen] == ':') {
			while (p < end && *p == ' ')
				p++;
			for (q = p; q < end && *q >= '0' && *q <= '9'; q++)
				;
			return parse_u64(p, (size_t)(q - p), ret);
		}
		line = *end ? end + 1 : NULL;
	}
	return -ENODATA;
}

/* ---- the group's view ---- */

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The smallest limit up the tree in bytes, NO_LIMIT for none. */
static int mem_limit(const struct meminfo_src *src, uint64_t *ret)
{
	uint64_t hier;
	int res = min_limit(src->limits, src->n_limits, ret);

	if (res < 0 || src->version != 1)
		return res;
	res = stat_value(src->stat, "hierarchical_memory_limit", &hier);
	if (res == -ENODATA)
		return 0;
	if (res == 0 && hier < V1_UNLIMITED)
		*ret = min_u64(*ret, hier);
	return res;
}

/* Swap allowed to the group in bytes (NO_LIMIT: all there is) and swap in
 * use; 0 with *ret_on false when the kernel does not account swap. */
static int swap_counts(const struct meminfo_src *src, uint64_t mem, bool *ret_on,
                       uint64_t *ret_limit, uint64_t *ret_used)
{
	uint64_t memsw;
	int res;

	*ret_on = false;
	if (src->version == 2) {
		if (src->n_swap_limits == 0 || !src->swap_usage)
			return 0;
		res = min_limit(src->swap_limits, src->n_swap_limits, ret_limit);
		if (res == 0)
			res = parse_u64(src->swap_usage, strlen(src->swap_usage), ret_used);
		*ret_on = res == 0;
		return res;
	}
	/* v1: memsw = memory + swap, so the swap on top is memsw - memory;
	 * with no memory limit, memsw bounds the swap alone */
	res = stat_value(src->stat, "hierarchical_memsw_limit", &memsw);
	if (res == -ENODATA)
		return 0;
	if (res == 0)
		res = stat_or_zero(src->stat, "total_swap", ret_used);
	if (res < 0)
		return res;
	if (memsw >= V1_UNLIMITED)
		*ret_limit = NO_LIMIT;
	else
		*ret_limit = mem == NO_LIMIT ? memsw : sub0(memsw, mem);
	*ret_on = true;
	return 0;
}

/* MemFree plus what reclaim can give back, within [MemFree, MemTotal]. */
static int mem_available(const struct meminfo_src *src, uint64_t free_kb, uint64_t total_kb,
                         uint64_t *ret)
{
	static const char *const v1[] = { "total_active_file", "total_inactive_file" };
	static const char *const v2[] = { "active_file", "inactive_file", "slab_reclaimable" };
	const char *const *keys = src->version == 1 ? v1 : v2;
	size_t n = src->version == 1 ? 2 : 3, i;
	uint64_t bytes = 0, v;
	int res;

	for (i = 0; i < n; i++) {
		res = stat_or_zero(src->stat, keys[i], &v);
		if (res < 0)
			return res;
		bytes += v;
	}
	*ret = min_u64(free_kb + bytes / 1024, total_kb);
	return 0;
}

static int make_view(const struct meminfo_src *src, struct view *v)
{
	uint64_t host_total, host_swap = 0, limit, usage, swlim = 0, swused = 0;
	bool swap = false;
	int res;

	if (src->version != 1 && src->version != 2)
		return -EINVAL;
	if (!src->host || !src->stat || !src->usage)
		return -EIO;
	res = host_value(src->host, "MemTotal", &host_total);
	if (res == 0 && host_total == 0)
		res = -EIO;
	if (res == 0)
		res = mem_limit(src, &limit);
	if (res == 0)
		res = parse_u64(src->usage, strlen(src->usage), &usage);
	if (res == 0)
		res = swap_counts(src, limit, &swap, &swlim, &swused);
	if (res < 0)
		return res == -ENODATA ? -EIO : res;
	/* a limit below one page is still a limit; MemTotal never reads 0 */
	v->total = limit == NO_LIMIT ? host_total : min_u64(host_total, limit / 1024);
	if (v->total == 0)
		v->total = 1;
	v->free = sub0(v->total, usage / 1024);
	res = mem_available(src, v->free, v->total, &v->avail);
	if (res < 0)
		return res;
	v->swap = swap;
	if (swap) {
		host_value(src->host, "SwapTotal", &host_swap);
		v->swap_total = swlim == NO_LIMIT ? host_swap : min_u64(host_swap, swlim / 1024);
		v->swap_free = sub0(v->swap_total, swused / 1024);
	}
	return 0;
}

/* ---- rendering ---- */

/* A breakdown line from memory.stat, in kB. */
static int field_value(const struct meminfo_src *src, const struct field *f, uint64_t *ret)
{
	const char *const *keys = src->version == 1 ? f->v1 : f->v2;
	uint64_t a = 0, b = 0;
	int res = 0;

	if (keys[0])
		res = stat_or_zero(src->stat, keys[0], &a);
	if (keys[1] && res == 0)
		res = stat_or_zero(src->stat, keys[1], &b);
	*ret = (f->diff ? sub0(a, b) : a + b) / 1024;
	return res;
}

/* The group's value for label in kB: 0 or -errno; 1 when the line is the
 * host's. */
static int group_value(const struct meminfo_src *src, const struct view *v, const char *label,
                       uint64_t *ret)
{
	size_t i;

	if (strcmp(label, "MemTotal") == 0)
		*ret = v->total;
	else if (strcmp(label, "MemFree") == 0)
		*ret = v->free;
	else if (strcmp(label, "MemAvailable") == 0)
		*ret = v->avail;
	else if (strcmp(label, "SwapTotal") == 0 && v->swap)
		*ret = v->swap_total;
	else if (strcmp(label, "SwapFree") == 0 && v->swap)
		*ret = v->swap_free;
	else {
		for (i = 0; i < N_FIELDS; i++)
			if (strcmp(label, fields[i].label) == 0)
				return field_value(src, &fields[i], ret);
		return 1;
	}
	return 0;
}

struct out {
	char *buf;
	size_t size, len;
};

static int out_bytes(struct out *o, const char *s, size_t n)
{
	if (o->len + n >= o->size)
		return -ENOBUFS;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
	return 0;
}

/* The kernel's show_val_kb(): "Label:" padded to 16, the value in 8. */
static int out_kb(struct out *o, const char *label, uint64_t kb)
{
	char name[LABEL_MAX + 2], line[LABEL_MAX + 48];
	int n;

	snprintf(name, sizeof(name), "%s:", label);
	n = snprintf(line, sizeof(line), "%-16s%8" PRIu64 " kB\n", name, kb);
	return n < 0 || (size_t)n >= sizeof(line) ? -ENOBUFS : out_bytes(o, line, (size_t)n);
}

static int render_line(const struct meminfo_src *src, const struct view *v, struct out *o,
                       const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	char label[LABEL_MAX + 1];
	uint64_t kb;
	int res;

	if (!colon || (size_t)(colon - line) > LABEL_MAX)
		return out_bytes(o, line, len);
	memcpy(label, line, (size_t)(colon - line));
	label[colon - line] = '\0';
	res = group_value(src, v, label, &kb);
	if (res == 1)
		return out_bytes(o, line, len);
	return res < 0 ? res : out_kb(o, label, kb);
}

int meminfo_render(const struct meminfo_src *src, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	const char *line;
	struct view v = { 0 };
	int res;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	res = make_view(src, &v);
	if (res < 0)
		return res;
	for (line = src->host; *line;) {
		const char *end = strchrnul(line, '\n');
		size_t len = (size_t)(end - line) + (*end ? 1 : 0);

		res = render_line(src, &v, &o, line, len);
		if (res < 0)
			return res;
		line += len;
	}
	return (int)o.len;
}
