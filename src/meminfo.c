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
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cgfs/meminfo.h"
#include "cgfs/units.h"

/* v1 prints "no limit" as LONG_MAX rounded down to a page; anything from
 * LONG_MAX rounded down to 64 KiB pages up means no limit. */
#define V1_UNLIMITED UINT64_C(0x7FFFFFFFFFFF0000)
#define NO_LIMIT UINT64_MAX
#define LABEL_MAX 64

/*
 * Speed: a reader waits for this on every read, so every input is walked
 * once. memory.stat is parsed in one pass into the counters below (a table
 * lookup per line), the host's text in one pass to render, numbers are
 * parsed and printed by hand: no stdio, no search per line rendered.
 */

/* The memory.stat counters the renderer uses. */
enum skey {
	S_NONE, /* a field with fewer keys */
	S_CACHE,
	S_SWAPCACHED,
	S_ACTIVE_ANON,
	S_INACTIVE_ANON,
	S_ACTIVE_FILE,
	S_INACTIVE_FILE,
	S_UNEVICTABLE,
	S_ZSWAP,
	S_ZSWAPPED,
	S_DIRTY,
	S_WRITEBACK,
	S_ANON,
	S_MAPPED,
	S_SHMEM,
	S_SLAB_RECLAIMABLE,
	S_SLAB,
	S_SLAB_UNRECLAIMABLE,
	S_KERNEL_STACK,
	S_PAGETABLES,
	S_SEC_PAGETABLES,
	S_PERCPU,
	S_ANON_THP,
	S_SHMEM_THP,
	S_FILE_THP,
	S_HIER_LIMIT, /* v1: the smallest memory limit up the tree */
	S_HIER_MEMSW, /* v1: the same for memory + swap */
	S_SWAP,       /* v1: swap in use */
	S_MAX,
};

struct name {
	const char *s;
	size_t len;
};

#define N(str) { (str), sizeof(str) - 1 }

/* Their names per version, hierarchical ones on v1 (the total_ keys); no
 * name: this version has no such counter and it reads 0. */
static const struct name skey_names[2][S_MAX] = {
	{
		[S_CACHE] = N("total_cache"),
		[S_SWAPCACHED] = N("total_swapcached"),
		[S_ACTIVE_ANON] = N("total_active_anon"),
		[S_INACTIVE_ANON] = N("total_inactive_anon"),
		[S_ACTIVE_FILE] = N("total_active_file"),
		[S_INACTIVE_FILE] = N("total_inactive_file"),
		[S_UNEVICTABLE] = N("total_unevictable"),
		[S_DIRTY] = N("total_dirty"),
		[S_WRITEBACK] = N("total_writeback"),
		[S_ANON] = N("total_rss"),
		[S_MAPPED] = N("total_mapped_file"),
		[S_SHMEM] = N("total_shmem"),
		[S_ANON_THP] = N("total_rss_huge"),
		[S_HIER_LIMIT] = N("hierarchical_memory_limit"),
		[S_HIER_MEMSW] = N("hierarchical_memsw_limit"),
		[S_SWAP] = N("total_swap"),
	},
	{
		[S_CACHE] = N("file"),
		[S_SWAPCACHED] = N("swapcached"),
		[S_ACTIVE_ANON] = N("active_anon"),
		[S_INACTIVE_ANON] = N("inactive_anon"),
		[S_ACTIVE_FILE] = N("active_file"),
		[S_INACTIVE_FILE] = N("inactive_file"),
		[S_UNEVICTABLE] = N("unevictable"),
		[S_ZSWAP] = N("zswap"),
		[S_ZSWAPPED] = N("zswapped"),
		[S_DIRTY] = N("file_dirty"),
		[S_WRITEBACK] = N("file_writeback"),
		[S_ANON] = N("anon"),
		[S_MAPPED] = N("file_mapped"),
		[S_SHMEM] = N("shmem"),
		[S_SLAB_RECLAIMABLE] = N("slab_reclaimable"),
		[S_SLAB] = N("slab"),
		[S_SLAB_UNRECLAIMABLE] = N("slab_unreclaimable"),
		[S_KERNEL_STACK] = N("kernel_stack"),
		[S_PAGETABLES] = N("pagetables"),
		[S_SEC_PAGETABLES] = N("sec_pagetables"),
		[S_PERCPU] = N("percpu"),
		[S_ANON_THP] = N("anon_thp"),
		[S_SHMEM_THP] = N("shmem_thp"),
		[S_FILE_THP] = N("file_thp"),
	},
};

/* The host's lines the group has its own value for. */
enum line {
	L_TOTAL, /* MemTotal, MemFree, MemAvailable: the view's */
	L_FREE,
	L_AVAIL,
	L_SWAP_TOTAL, /* the group's with swap accounting, else the host's */
	L_SWAP_FREE,
	L_FIELD, /* a breakdown line from memory.stat */
};

/* A line: the sum of two counters, or with diff the first minus the
 * second, in kB. */
struct field {
	struct name label;
	enum line line;
	enum skey a, b;
	bool diff;
};

static const struct field fields[] = {
	{ N("MemTotal"), L_TOTAL, S_NONE, S_NONE, false },
	{ N("MemFree"), L_FREE, S_NONE, S_NONE, false },
	{ N("MemAvailable"), L_AVAIL, S_NONE, S_NONE, false },
	{ N("SwapTotal"), L_SWAP_TOTAL, S_NONE, S_NONE, false },
	{ N("SwapFree"), L_SWAP_FREE, S_NONE, S_NONE, false },
	{ N("Buffers"), L_FIELD, S_NONE, S_NONE, false },
	/* the page cache counters include the swap cache; the host's Cached does not */
	{ N("Cached"), L_FIELD, S_CACHE, S_SWAPCACHED, true },
	{ N("SwapCached"), L_FIELD, S_SWAPCACHED, S_NONE, false },
	{ N("Active"), L_FIELD, S_ACTIVE_ANON, S_ACTIVE_FILE, false },
	{ N("Inactive"), L_FIELD, S_INACTIVE_ANON, S_INACTIVE_FILE, false },
	{ N("Active(anon)"), L_FIELD, S_ACTIVE_ANON, S_NONE, false },
	{ N("Inactive(anon)"), L_FIELD, S_INACTIVE_ANON, S_NONE, false },
	{ N("Active(file)"), L_FIELD, S_ACTIVE_FILE, S_NONE, false },
	{ N("Inactive(file)"), L_FIELD, S_INACTIVE_FILE, S_NONE, false },
	{ N("Unevictable"), L_FIELD, S_UNEVICTABLE, S_NONE, false },
	{ N("Mlocked"), L_FIELD, S_NONE, S_NONE, false },
	{ N("Zswap"), L_FIELD, S_ZSWAP, S_NONE, false },
	{ N("Zswapped"), L_FIELD, S_ZSWAPPED, S_NONE, false },
	{ N("Dirty"), L_FIELD, S_DIRTY, S_NONE, false },
	{ N("Writeback"), L_FIELD, S_WRITEBACK, S_NONE, false },
	{ N("AnonPages"), L_FIELD, S_ANON, S_NONE, false },
	{ N("Mapped"), L_FIELD, S_MAPPED, S_NONE, false },
	{ N("Shmem"), L_FIELD, S_SHMEM, S_NONE, false },
	{ N("KReclaimable"), L_FIELD, S_SLAB_RECLAIMABLE, S_NONE, false },
	{ N("Slab"), L_FIELD, S_SLAB, S_NONE, false },
	{ N("SReclaimable"), L_FIELD, S_SLAB_RECLAIMABLE, S_NONE, false },
	{ N("SUnreclaim"), L_FIELD, S_SLAB_UNRECLAIMABLE, S_NONE, false },
	{ N("KernelStack"), L_FIELD, S_KERNEL_STACK, S_NONE, false },
	{ N("PageTables"), L_FIELD, S_PAGETABLES, S_NONE, false },
	{ N("SecPageTables"), L_FIELD, S_SEC_PAGETABLES, S_NONE, false },
	{ N("Percpu"), L_FIELD, S_PERCPU, S_NONE, false },
	{ N("AnonHugePages"), L_FIELD, S_ANON_THP, S_NONE, false },
	{ N("ShmemHugePages"), L_FIELD, S_SHMEM_THP, S_NONE, false },
	{ N("FileHugePages"), L_FIELD, S_FILE_THP, S_NONE, false },
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* memory.stat, parsed: a counter is absent, a number, or text that is not
 * one (-EIO when used). */
enum sstate { SS_ABSENT, SS_OK, SS_BAD };

struct stat_vals {
	uint64_t v[S_MAX];
	unsigned char state[S_MAX];
};

/* What the group's own lines say, in kB. */
struct view {
	uint64_t total, free, avail;
	bool swap;            /* swap accounting: SwapTotal/SwapFree are the group's */
	uint64_t swap_total, swap_free;
};

/* ---- numbers as the kernel prints them ---- */

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
	res = units_parse_dec(text, strlen(text), ret);
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

/* The next line of text (len with its newline, if any); NULL at the end. */
static const char *next_line(const char *line, size_t *ret_len)
{
	const char *end;

	if (!*line)
		return NULL;
	end = strchrnul(line, '\n');
	*ret_len = (size_t)(end - line) + (*end ? 1 : 0);
	return line;
}

static bool name_is(const struct name *n, const char *s, size_t len)
{
	return n->len == len && memcmp(n->s, s, len) == 0;
}

/* Every "key N" line of memory.stat whose key is one of the version's
 * (a whole word; the first line of a key counts). */
static void parse_stat(const char *text, int version, struct stat_vals *sv)
{
	const struct name *names = skey_names[version - 1];
	const char *line = text, *sp;
	size_t len, klen, vlen;
	int k;

	memset(sv->state, SS_ABSENT, sizeof(sv->state));
	for (; (line = next_line(line, &len)); line += len) {
		sp = memchr(line, ' ', len);
		if (!sp || sp == line)
			continue;
		klen = (size_t)(sp - line);
		for (k = S_NONE + 1; k < S_MAX; k++)
			if (name_is(&names[k], line, klen))
				break;
		if (k == S_MAX || sv->state[k] != SS_ABSENT)
			continue;
		/* the value: the rest of the line, without its newline */
		vlen = len - klen - 1 - (line[len - 1] == '\n' ? 1 : 0);
		sv->state[k] = units_parse_dec(sp + 1, vlen, &sv->v[k]) == 0 ? SS_OK : SS_BAD;
	}
}

/* A counter; -ENODATA when absent. */
static int stat_value(const struct stat_vals *sv, enum skey k, uint64_t *ret)
{
	switch (sv->state[k]) {
	case SS_OK:
		*ret = sv->v[k];
		return 0;
	case SS_BAD:
		return -EIO;
	default:
		return -ENODATA;
	}
}

/* A counter, 0 when this kernel does not print it. */
static int stat_or_zero(const struct stat_vals *sv, enum skey k, uint64_t *ret)
{
	int res = k == S_NONE ? -ENODATA : stat_value(sv, k, ret);

	if (res == -ENODATA) {
		*ret = 0;
		return 0;
	}
	return res;
}

/* The value of a "Label:   N kB" line, in kB. */
static int host_line_value(const char *line, size_t len, size_t llen, uint64_t *ret)
{
	const char *end = line + len, *p = line + llen + 1, *q;

	while (p < end && *p == ' ')
		p++;
	for (q = p; q < end && *q >= '0' && *q <= '9'; q++)
		;
	return units_parse_dec(p, (size_t)(q - p), ret);
}

/* MemTotal and SwapTotal of the host's text, in kB; -ENODATA when it has
 * no MemTotal, a missing SwapTotal reads 0. */
static int host_totals(const char *host, uint64_t *ret_mem, uint64_t *ret_swap)
{
	static const struct name mem = N("MemTotal"), swap = N("SwapTotal");
	const char *line = host;
	bool have_mem = false, have_swap = false;
	size_t len;
	int res;

	*ret_swap = 0;
	for (; (line = next_line(line, &len)) && !(have_mem && have_swap); line += len) {
		if (!have_mem && len > mem.len && line[mem.len] == ':' &&
		    memcmp(line, mem.s, mem.len) == 0) {
			res = host_line_value(line, len, mem.len, ret_mem);
			if (res < 0)
				return res;
			have_mem = true;
		} else if (!have_swap && len > swap.len && line[swap.len] == ':' &&
		           memcmp(line, swap.s, swap.len) == 0) {
			have_swap = true;
			if (host_line_value(line, len, swap.len, ret_swap) < 0)
				*ret_swap = 0;
		}
	}
	return have_mem ? 0 : -ENODATA;
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
static int mem_limit(const struct meminfo_src *src, const struct stat_vals *sv, uint64_t *ret)
{
	uint64_t hier;
	int res = min_limit(src->limits, src->n_limits, ret);

	if (res < 0 || src->version != 1)
		return res;
	res = stat_value(sv, S_HIER_LIMIT, &hier);
	if (res == -ENODATA)
		return 0;
	if (res == 0 && hier < V1_UNLIMITED)
		*ret = min_u64(*ret, hier);
	return res;
}

/* Swap allowed to the group in bytes (NO_LIMIT: all there is) and swap in
 * use; 0 with *ret_on false when the kernel does not account swap. */
static int swap_counts(const struct meminfo_src *src, const struct stat_vals *sv, uint64_t mem,
                       bool *ret_on, uint64_t *ret_limit, uint64_t *ret_used)
{
	uint64_t memsw;
	int res;

	*ret_on = false;
	if (src->version == 2) {
		if (src->n_swap_limits == 0 || !src->swap_usage)
			return 0;
		res = min_limit(src->swap_limits, src->n_swap_limits, ret_limit);
		if (res == 0)
			res = units_parse_dec(src->swap_usage, strlen(src->swap_usage), ret_used);
		*ret_on = res == 0;
		return res;
	}
	/* v1: memsw = memory + swap, so the swap on top is memsw - memory;
	 * with no memory limit, memsw bounds the swap alone */
	res = stat_value(sv, S_HIER_MEMSW, &memsw);
	if (res == -ENODATA)
		return 0;
	if (res == 0)
		res = stat_or_zero(sv, S_SWAP, ret_used);
	if (res < 0)
		return res;
	if (memsw >= V1_UNLIMITED)
		*ret_limit = NO_LIMIT;
	else
		*ret_limit = mem == NO_LIMIT ? memsw : sub0(memsw, mem);
	*ret_on = true;
	return 0;
}

/* MemFree plus what reclaim can give back (file pages, reclaimable slab:
 * v1 has no slab counter), within [MemFree, MemTotal]. */
static int mem_available(const struct stat_vals *sv, uint64_t free_kb, uint64_t total_kb,
                         uint64_t *ret)
{
	static const enum skey keys[] = { S_ACTIVE_FILE, S_INACTIVE_FILE, S_SLAB_RECLAIMABLE };
	uint64_t bytes = 0, v;
	size_t i;
	int res;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		res = stat_or_zero(sv, keys[i], &v);
		if (res < 0)
			return res;
		bytes += v;
	}
	*ret = min_u64(free_kb + bytes / 1024, total_kb);
	return 0;
}

static int make_view(const struct meminfo_src *src, const struct stat_vals *sv, struct view *v)
{
	uint64_t host_total, host_swap, limit, usage, swlim = 0, swused = 0;
	bool swap = false;
	int res;

	res = host_totals(src->host, &host_total, &host_swap);
	if (res == 0 && host_total == 0)
		res = -EIO;
	if (res == 0)
		res = mem_limit(src, sv, &limit);
	if (res == 0)
		res = units_parse_dec(src->usage, strlen(src->usage), &usage);
	if (res == 0)
		res = swap_counts(src, sv, limit, &swap, &swlim, &swused);
	if (res < 0)
		return res == -ENODATA ? -EIO : res;
	/* a limit below one page is still a limit; MemTotal never reads 0 */
	v->total = limit == NO_LIMIT ? host_total : min_u64(host_total, limit / 1024);
	if (v->total == 0)
		v->total = 1;
	v->free = sub0(v->total, usage / 1024);
	res = mem_available(sv, v->free, v->total, &v->avail);
	if (res < 0)
		return res;
	v->swap = swap;
	if (swap) {
		v->swap_total = swlim == NO_LIMIT ? host_swap : min_u64(host_swap, swlim / 1024);
		v->swap_free = sub0(v->swap_total, swused / 1024);
	}
	return 0;
}

/* ---- rendering ---- */

/* The group's value of a line in kB: 0 or -errno; 1 when the line is the
 * host's. */
static int field_value(const struct stat_vals *sv, const struct view *v, const struct field *f,
                       uint64_t *ret)
{
	uint64_t a, b;
	int res;

	switch (f->line) {
	case L_TOTAL:
		*ret = v->total;
		return 0;
	case L_FREE:
		*ret = v->free;
		return 0;
	case L_AVAIL:
		*ret = v->avail;
		return 0;
	case L_SWAP_TOTAL:
		*ret = v->swap_total;
		return v->swap ? 0 : 1;
	case L_SWAP_FREE:
		*ret = v->swap_free;
		return v->swap ? 0 : 1;
	case L_FIELD:
		break;
	}
	res = stat_or_zero(sv, f->a, &a);
	if (res == 0)
		res = stat_or_zero(sv, f->b, &b);
	if (res < 0)
		return res;
	*ret = (f->diff ? sub0(a, b) : a + b) / 1024;
	return 0;
}

static const struct field *field_of(const char *label, size_t len)
{
	size_t i;

	for (i = 0; i < N_FIELDS; i++)
		if (name_is(&fields[i].label, label, len))
			return &fields[i];
	return NULL;
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
static int out_kb(struct out *o, const char *label, size_t llen, uint64_t kb)
{
	char line[LABEL_MAX + 48], digits[20];
	size_t n = llen, d = 0, w;

	memcpy(line, label, llen);
	line[n++] = ':';
	while (n < 16)
		line[n++] = ' ';
	do {
		digits[d++] = (char)('0' + kb % 10);
		kb /= 10;
	} while (kb);
	for (w = d; w < 8; w++)
		line[n++] = ' ';
	while (d)
		line[n++] = digits[--d];
	memcpy(line + n, " kB\n", 4);
	return out_bytes(o, line, n + 4);
}

static int render_line(const struct stat_vals *sv, const struct view *v, struct out *o,
                       const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	const struct field *f;
	size_t llen;
	uint64_t kb;
	int res;

	if (!colon || (size_t)(colon - line) > LABEL_MAX)
		return out_bytes(o, line, len);
	llen = (size_t)(colon - line);
	f = field_of(line, llen);
	res = f ? field_value(sv, v, f, &kb) : 1;
	if (res == 1)
		return out_bytes(o, line, len);
	return res < 0 ? res : out_kb(o, line, llen, kb);
}

int meminfo_render(const struct meminfo_src *src, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	struct stat_vals sv;
	struct view v = { 0 };
	const char *line;
	size_t len;
	int res;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	if (src->version != 1 && src->version != 2)
		return -EINVAL;
	if (!src->host || !src->stat || !src->usage)
		return -EIO;
	parse_stat(src->stat, src->version, &sv);
	res = make_view(src, &sv, &v);
	if (res < 0)
		return res;
	for (line = src->host; (line = next_line(line, &len)); line += len) {
		res = render_line(&sv, &v, &o, line, len);
		if (res < 0)
			return res;
	}
	return (int)o.len;
}
