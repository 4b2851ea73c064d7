// SPDX-License-Identifier: MIT
/*
 * procview: the CPUs a group sees, and the files that show them.
 *
 * Narrowing by quota follows what container users already meet in
 * LXCFS's CFS mode: a group allowed 150 % of a CPU runs on at most two
 * CPUs at a time, so it is shown two. Renumbering from 0 keeps cpuinfo,
 * cpu/online and the count a program derives from either in agreement.
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

#define PROCESSOR "processor"
#define PROCESSOR_LEN (sizeof(PROCESSOR) - 1)
/* v1 prints no limit as -1; v2 as "max". */
#define V1_NO_QUOTA "-1"

/* Whether s is word, then at most a newline. */
static bool is_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 && (s[n] == '\0' || (s[n] == '\n' && s[n + 1] == '\0'));
}

/* ceil(quota / period), never 0: a quota below a period still runs. */
static int quota_of(uint64_t quota, uint64_t period, uint64_t *ret)
{
	if (period == 0)
		return -EIO;
	*ret = quota / period + (quota % period != 0);
	if (*ret == 0)
		*ret = 1;
	return 0;
}

int procview_quota_cpus(int version, const char *quota, const char *period, uint64_t *ret)
{
	uint64_t q, p;
	const char *sp;
	int res;

	if (version != 1 && version != 2)
		return -EINVAL;
	if (!quota || (version == 1 && !period))
		return -EIO;
	if (version == 1) {
		res = units_parse_dec(period, strlen(period), &p);
		if (res < 0)
			return res;
		if (is_word(quota, V1_NO_QUOTA)) {
			*ret = PROCVIEW_NO_QUOTA;
			return 0;
		}
		res = units_parse_dec(quota, strlen(quota), &q);
		return res < 0 ? res : quota_of(q, p, ret);
	}
	/* v2 cpu.max: "QUOTA PERIOD", QUOTA "max" for none */
	sp = strchr(quota, ' ');
	if (!sp)
		return -EIO;
	res = units_parse_dec(sp + 1, strlen(sp + 1), &p);
	if (res < 0)
		return res;
	if ((size_t)(sp - quota) == 3 && strncmp(quota, "max", 3) == 0) {
		*ret = PROCVIEW_NO_QUOTA;
		return 0;
	}
	res = units_parse_dec(quota, (size_t)(sp - quota), &q);
	return res < 0 ? res : quota_of(q, p, ret);
}

unsigned procview_narrow(uint64_t *bits, uint64_t n)
{
	unsigned kept = 0;
	size_t w;
	int b;

	for (w = 0; w < UNITS_CPU_WORDS; w++) {
		for (b = 0; b < 64 && bits[w]; b++) {
			if (!(bits[w] & (UINT64_C(1) << b)))
				continue;
			if (kept < n)
				kept++;
			else
				bits[w] &= ~(UINT64_C(1) << b);
		}
	}
	return kept;
}

int procview_online_render(unsigned n, char *buf, size_t size)
{
	int len;

	if (n == 0)
		return -EINVAL;
	len = n == 1 ? snprintf(buf, size, "0\n") : snprintf(buf, size, "0-%u\n", n - 1);
	if (len < 0 || (size_t)len >= size)
		return -ENOBUFS;
	return len;
}

/* ---- cpuinfo ---- */

int procview_out_bytes(struct procview_out *o, const char *s, size_t n)
{
	if (o->len + n >= o->size)
		return -ENOBUFS;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
	return 0;
}

int procview_out_printf(struct procview_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len)
		return -ENOBUFS;
	o->len += (size_t)n;
	return 0;
}

/* The length of the line at s, its newline included. */
static size_t line_len(const char *s)
{
	const char *end = strchrnul(s, '\n');

	return (size_t)(end - s) + (*end ? 1 : 0);
}

/* Whether the line at s (len bytes) is "processor<blanks>: N"; where the
 * number starts in *ret_num. */
static bool processor_line(const char *s, size_t len, size_t *ret_num)
{
	size_t i = PROCESSOR_LEN;

	if (len <= PROCESSOR_LEN || memcmp(s, PROCESSOR, PROCESSOR_LEN) != 0)
		return false;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= len || s[i] != ':')
		return false;
	i++;
	while (i < len && s[i] == ' ')
		i++;
	*ret_num = i;
	return true;
}

/* The block at s: its length (up to and including the first blank line,
 * up to the next processor line, or to the end), the CPU its processor
 * line names (-1 for none) and where that number starts. */
static int block_at(const char *s, size_t *ret_len, int64_t *ret_cpu, size_t *ret_num)
{
	size_t pos = 0, len, num;
	uint64_t cpu;
	int res;

	*ret_cpu = -1;
	while (s[pos]) {
		len = line_len(s + pos);
		if (processor_line(s + pos, len, &num)) {
			if (*ret_cpu >= 0)
				break; /* the next CPU's */
			res = units_parse_dec(s + pos + num, len - num, &cpu);
			if (res < 0 || cpu >= (uint64_t)UNITS_CPU_WORDS * 64)
				return -EIO;
			*ret_cpu = (int64_t)cpu;
			*ret_num = pos + num;
		}
		pos += len;
		if (len == 1 && s[pos - 1] == '\n')
			break; /* the blank line ends the block */
	}
	*ret_len = pos;
	return 0;
}

/* A kept block, its processor line's number (at num) saying index
 * instead; the rest of the line is the host's. */
static int out_block(struct procview_out *o, const char *s, size_t len, size_t num, unsigned index)
{
	char digits[16];
	size_t end = num;
	int n = snprintf(digits, sizeof(digits), "%u", index);
	int res;

	while (s[end] >= '0' && s[end] <= '9')
		end++;
	res = procview_out_bytes(o, s, num);
	if (res == 0)
		res = procview_out_bytes(o, digits, (size_t)n);
	return res < 0 ? res : procview_out_bytes(o, s + end, len - end);
}

int procview_cpuinfo_render(const char *host, const uint64_t *cpus, char *buf, size_t size)
{
	struct procview_out o = { buf, size, 0 };
	uint64_t bits[UNITS_CPU_WORDS]; /* the CPUs whose block is still to come */
	size_t len, num = 0;
	unsigned index = 0;
	int64_t cpu;
	int res;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	memcpy(bits, cpus, sizeof(bits));
	while (*host) {
		res = block_at(host, &len, &cpu, &num);
		if (res < 0)
			return res;
		if (cpu < 0)
			res = procview_out_bytes(&o, host, len);
		else if (bits[cpu / 64] & (UINT64_C(1) << (cpu % 64))) {
			bits[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
			res = out_block(&o, host, len, num, index++);
		}
		if (res < 0)
			return res;
		host += len;
	}
	return (int)o.len;
}

/* ---- uptime ---- */

/* The decimal at *p, which moves past it; -EIO for none or too long. */
static int scan_u64(const char **p, uint64_t *ret)
{
	size_t n = strspn(*p, "0123456789");
	int res = n ? units_parse_dec(*p, n, ret) : -EIO;

	*p += n;
	return res;
}

const char *procview_stat_field(const char *stat, int field)
{
	const char *p = strrchr(stat, ')');
	int f;

	if (!p || field < 3)
		return NULL;
	p++;
	/* fields 3 to field - 1, each after one blank */
	for (f = 3; f < field; f++) {
		if (*p != ' ')
			return NULL;
		p += 1 + strcspn(p + 1, " \n");
	}
	return *p == ' ' ? p + 1 : NULL;
}

int procview_stat_start(const char *stat, uint64_t *ret_ticks)
{
	const char *p = procview_stat_field(stat, 22);
	uint64_t t;

	if (!p)
		return -EIO;
	if (scan_u64(&p, &t) < 0 || (*p != ' ' && *p != '\n' && *p))
		return -EIO;
	*ret_ticks = t;
	return 0;
}

int procview_usage_us(int version, const char *text, uint64_t *ret)
{
	static const char key[] = "usage_usec ";
	const char *p = text;
	uint64_t v;

	if (version == 1) {
		if (scan_u64(&p, &v) < 0 || (*p && *p != '\n'))
			return -EIO;
		*ret = v / 1000;
		return 0;
	}
	if (version != 2)
		return -EINVAL;
	for (; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		if (strncmp(p, key, sizeof(key) - 1) != 0)
			continue;
		p += sizeof(key) - 1;
		if (scan_u64(&p, &v) < 0 || (*p && *p != '\n'))
			return -EIO;
		*ret = v;
		return 0;
	}
	return -EIO;
}

/* "S.CC" at *p in hundredths, which moves past it. */
static int scan_centi(const char **p, uint64_t *ret)
{
	uint64_t s, c;

	if (scan_u64(p, &s) < 0 || **p != '.')
		return -EIO;
	(*p)++;
	if (strspn(*p, "0123456789") != 2 || scan_u64(p, &c) < 0 || s > UINT64_MAX / 200)
		return -EIO;
	*ret = s * 100 + c;
	return 0;
}

int procview_up(const char *host_uptime, uint64_t start, unsigned long hz, uint64_t *ret_up,
                uint64_t *ret_host)
{
	uint64_t host, idle, up = 0;
	const char *p = host_uptime;

	if (hz == 0)
		return -EINVAL;
	if (!p || scan_centi(&p, &host) < 0 || *p++ != ' ' || scan_centi(&p, &idle) < 0 ||
	    (*p && *p != '\n'))
		return -EIO;
	if (start != PROCVIEW_NONE) {
		/* ticks to hundredths without overflow: start < 2^64 / 100 */
		start = start / hz * 100 + start % hz * 100 / hz;
		up = host > start ? host - start : 0;
	}
	*ret_up = up;
	if (ret_host)
		*ret_host = host;
	return 0;
}

int procview_uptime_render(const struct procview_uptime *u, char *buf, size_t size)
{
	uint64_t idle, up, busy;
	int len;

	if (u->hz == 0 || u->ncpus == 0)
		return -EINVAL;
	len = procview_up(u->host, u->start, u->hz, &up, NULL);
	if (len < 0)
		return len;
	idle = up > UINT64_MAX / u->ncpus ? UINT64_MAX : up * u->ncpus;
	if (u->usage_us != PROCVIEW_NONE) {
		busy = u->usage_us / 10000;
		idle = idle > busy ? idle - busy : 0;
	}
	len = snprintf(buf, size, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up / 100),
	               (unsigned long long)(up % 100), (unsigned long long)(idle / 100),
	               (unsigned long long)(idle % 100));
	if (len < 0 || (size_t)len >= size)
		return -ENOBUFS;
	return len;
}

/* ---- loadavg ---- */

int procview_loadavg_render(const struct procview_loadavg *l, char *buf, size_t size)
{
	unsigned long a[3];
	size_t i;
	int n;

	for (i = 0; i < 3; i++)
		a[i] = l->avg[i] + PROCVIEW_LOAD_FIXED_1 / 200;
#define LOAD_INT(x) ((x) >> PROCVIEW_LOAD_FSHIFT)
#define LOAD_FRAC(x) LOAD_INT(((x) & (PROCVIEW_LOAD_FIXED_1 - 1)) * 100)
	n = snprintf(buf, size, "%lu.%02lu %lu.%02lu %lu.%02lu %u/%u %lu\n", LOAD_INT(a[0]),
	             LOAD_FRAC(a[0]), LOAD_INT(a[1]), LOAD_FRAC(a[1]), LOAD_INT(a[2]),
	             LOAD_FRAC(a[2]), l->running, l->threads, l->last);
#undef LOAD_INT
#undef LOAD_FRAC
	return n < 0 || (size_t)n >= size ? -ENOBUFS : n;
}
