// SPDX-License-Identifier: MIT
/*
 * procview: proc/swaps and proc/stat of a group.
 *
 * The layouts are the kernel's (mm/swapfile.c, fs/proc/stat.c), so that
 * the tools that parse the real files by columns or by blanks read these
 * alike.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cgfs/procview.h"
#include "cgfs/units.h"
#include "procview_int.h"

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

/* ---- stat ---- */

#define NSEC_PER_SEC UINT64_C(1000000000)
#define USEC_PER_SEC UINT64_C(1000000)

/* The decimal at *p, which moves past it; -EIO for none or too long. */
static int scan_num(const char **p, uint64_t *ret)
{
	size_t n = strspn(*p, "0123456789");
	int res = n ? units_parse_dec(*p, n, ret) : -EIO;

	*p += n;
	return res;
}

/* v in units of per a second as ticks of hz a second, without overflow. */
static uint64_t to_ticks(uint64_t v, uint64_t per, unsigned long hz)
{
	return v / per * hz + v % per * hz / per;
}

int procview_task_state(const char *stat, char *ret_state, uint64_t *ret_threads)
{
	const char *s = procview_stat_field(stat, 3), *p = procview_stat_field(stat, 20);
	uint64_t n;

	/* the state: one letter, a blank after it */
	if (!s || !p || !s[0] || s[0] == ' ' || s[0] == '\n' || s[1] != ' ')
		return -EIO;
	if (scan_num(&p, &n) < 0 || (*p != ' ' && *p != '\n' && *p))
		return -EIO;
	*ret_state = s[0];
	*ret_threads = n;
	return 0;
}

/* The value of the line "key N" (at most a newline after N) in text. */
static int key_line(const char *text, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		if (strncmp(p, key, klen) != 0 || p[klen] != ' ')
			continue;
		p += klen + 1;
		if (scan_num(&p, ret) < 0 || (*p && *p != '\n'))
			return -EIO;
		return 0;
	}
	return -EIO;
}

int procview_cpu_ticks(int version, const char *text, unsigned long hz, uint64_t *ret_user,
                       uint64_t *ret_system)
{
	uint64_t user, system;

	if ((version != 1 && version != 2) || hz == 0)
		return -EINVAL;
	if (!text || key_line(text, version == 1 ? "user" : "user_usec", &user) < 0 ||
	    key_line(text, version == 1 ? "system" : "system_usec", &system) < 0)
		return -EIO;
	if (version == 2) {
		user = to_ticks(user, USEC_PER_SEC, hz);
		system = to_ticks(system, USEC_PER_SEC, hz);
	}
	*ret_user = user;
	*ret_system = system;
	return 0;
}

void procview_split(uint64_t total, unsigned n, uint64_t *ret)
{
	unsigned i;

	for (i = 0; i < n; i++)
		ret[i] = total / n + (i < total % n);
}

static bool cpu_in(const uint64_t *cpus, uint64_t cpu)
{
	return cpu < (uint64_t)UNITS_CPU_WORDS * 64 &&
	       (cpus[cpu / 64] & (UINT64_C(1) << (cpu % 64))) != 0;
}

int procview_percpu_ticks(const char *text, const uint64_t *cpus, unsigned n, unsigned long hz,
                          uint64_t *ret)
{
	uint64_t cpu = 0, v, pool = 0, share;
	const char *p = text;
	unsigned seen = 0, i;

	if (n == 0 || hz == 0)
		return -EINVAL;
	if (!p)
		return -EIO;
	for (i = 0; i < n; i++)
		ret[i] = 0;
	for (;; cpu++) {
		p += strspn(p, " ");
		if (!*p || *p == '\n')
			break;
		if (scan_num(&p, &v) < 0 || (*p != ' ' && *p != '\n' && *p))
			return -EIO;
		if (cpu_in(cpus, cpu) && seen < n)
			ret[seen++] += v;
		else
			pool = pool > UINT64_MAX - v ? UINT64_MAX : pool + v;
	}
	if (*p == '\n' && p[1])
		return -EIO;
	for (i = 0; i < n; i++) {
		share = pool / n + (i < pool % n);
		ret[i] = to_ticks(ret[i] > UINT64_MAX - share ? UINT64_MAX : ret[i] + share,
		                  NSEC_PER_SEC, hz);
	}
	return 0;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* One CPU line: name, then user, nice, system, idle and six zeros. */
static int cpu_line(struct procview_out *o, const char *name, uint64_t user, uint64_t system, uint64_t idle)
{
	return procview_out_printf(o, "%s %llu 0 %llu %llu 0 0 0 0 0 0\n", name, (unsigned long long)user,
	                  (unsigned long long)system, (unsigned long long)idle);
}

static int cpu_lines(struct procview_out *o, const struct procview_stat *s, uint64_t up)
{
	uint64_t user = 0, system = 0, idle = 0, busy, own;
	char name[24];
	unsigned i;
	int res;

	for (i = 0; i < s->ncpus; i++) {
		user = add_sat(user, s->user[i]);
		system = add_sat(system, s->system[i]);
		busy = add_sat(s->user[i], s->system[i]);
		idle = add_sat(idle, up > busy ? up - busy : 0);
	}
	/* the kernel's "cpu" is followed by two blanks */
	res = cpu_line(o, "cpu ", user, system, idle);
	for (i = 0; i < s->ncpus && res == 0; i++) {
		busy = add_sat(s->user[i], s->system[i]);
		own = up > busy ? up - busy : 0;
		snprintf(name, sizeof(name), "cpu%u", i);
		res = cpu_line(o, name, s->user[i], s->system[i], own);
	}
	return res;
}

/* Whether the line at p (len bytes, its newline aside) is "key N"; N in
 * *ret. -EIO where it is key followed by anything else. */
static int host_value(const char *p, size_t len, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);

	if (len <= klen || strncmp(p, key, klen) != 0 || p[klen] != ' ')
		return 0;
	if (len == klen + 1 || strspn(p + klen + 1, "0123456789") != len - klen - 1 ||
	    units_parse_dec(p + klen + 1, len - klen - 1, ret) < 0)
		return -EIO;
	return 1;
}

/* A host line that is a CPU's: "cpu" then a blank or a digit. */
static bool cpu_host_line(const char *p, size_t len)
{
	return len > 3 && strncmp(p, "cpu", 3) == 0 && (p[3] == ' ' || (p[3] >= '0' && p[3] <= '9'));
}

int procview_stat_render(const struct procview_stat *s, char *buf, size_t size)
{
	struct procview_out o = { buf, size, 0 };
	uint64_t up, host_up, ticks, v;
	const char *p, *keys[] = { "btime", "procs_running", "procs_blocked" };
	unsigned found = 0, k;
	size_t len;
	int res, hit;

	if (s->hz == 0 || s->ncpus == 0)
		return -EINVAL;
	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	res = procview_up(s->uptime, s->start, s->hz, &up, &host_up);
	if (res < 0 || !s->host)
		return res < 0 ? res : -EIO;
	ticks = to_ticks(up, 100, s->hz);
	res = cpu_lines(&o, s, ticks);
	for (p = s->host; *p && res == 0; p += len + (p[len] == '\n')) {
		len = strcspn(p, "\n");
		if (cpu_host_line(p, len))
			continue;
		for (k = 0, hit = 0; k < 3 && hit == 0; k++)
			hit = host_value(p, len, keys[k], &v);
		if (hit < 0)
			return -EIO;
		if (hit == 0) {
			res = procview_out_printf(&o, "%.*s%s", (int)len, p, p[len] == '\n' ? "\n" : "");
			continue;
		}
		k--;
		found |= 1u << k;
		if (k == 0) /* btime: the host's boot plus the time before the group's */
			v = add_sat(v, (host_up - up) / 100);
		else
			v = k == 1 ? s->running : s->blocked;
		res = procview_out_printf(&o, "%s %llu\n", keys[k], (unsigned long long)v);
	}
	if (res < 0)
		return res;
	return found == 7 ? (int)o.len : -EIO;
}
