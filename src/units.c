// SPDX-License-Identifier: MIT
/*
 * units: numbers people type <-> numbers the kernel takes.
 *
 * Everything is integer arithmetic with explicit overflow checks, except
 * the cpu.shares curve, which is defined with a logarithm and a power.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cgfs/units.h"

#define MIB (UINT64_C(1) << 20)
/* Sizes end up in the kernel's signed 64-bit counters. */
#define SIZE_LIMIT ((uint64_t)INT64_MAX)
/* Fraction digits a size may carry: 999999 * 2^40 (T) fits in 64 bits, so
 * the fractional bytes are computed exactly. More is refused as junk. */
#define SIZE_FRAC_DIGITS 6
/* The kernel's CFS bandwidth bounds (kernel/sched/core.c): quota at least
 * 1 ms, at most max_cfs_runtime = 2^44 - 1 us. */
#define QUOTA_MIN UINT64_C(1000)
#define QUOTA_MAX ((UINT64_C(1) << 44) - 1)
#define SHARES_MIN UINT64_C(2)
#define SHARES_MAX UINT64_C(262144)
#define WEIGHT_MIN UINT64_C(1)
#define WEIGHT_MAX UINT64_C(10000)
#define BLKIO_MIN UINT64_C(10)
#define BLKIO_MAX UINT64_C(1000)
/* Far above any NR_CPUS a distribution builds with; bounds what we accept
 * before the kernel's own check (EINVAL for CPUs it does not have). */
#define CPU_LIMIT UINT64_C(65536)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "max" is the kernel's v2 spelling of no limit, "-1" its v1 spelling. */
static bool is_max(const char *s)
{
	return strcmp(s, "max") == 0 || strcmp(s, "-1") == 0;
}

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* snprintf's result as a units_format_* result. */
static int fitted(int n, size_t size)
{
	return n < 0 || (size_t)n >= size ? -ENOBUFS : n;
}

/* Reads a run of digits at *p into *ret, advancing *p. Returns how many
 * digits it read; sets *overflow when the value does not fit 64 bits, so
 * that a long but well-formed number is -ERANGE rather than junk. */
static size_t scan_digits(const char **p, uint64_t *ret, bool *overflow)
{
	const char *start = *p, *s = *p;
	uint64_t v = 0;

	for (; is_digit(*s); s++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			*overflow = true;
	}
	*ret = v;
	*p = s;
	return (size_t)(s - start);
}

/* ---- sizes ---- */

/* One optional binary suffix; none means MiB, the knobs' unit. */
static int size_multiplier(const char *suffix, uint64_t *ret)
{
	unsigned shift;

	if (suffix[0] == '\0') {
		*ret = MIB;
		return 0;
	}
	if (suffix[1] != '\0')
		return -EINVAL; /* "512MB", "1e99" */
	switch (suffix[0]) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	case 'T': case 't': shift = 40; break;
	default: return -EINVAL;
	}
	*ret = UINT64_C(1) << shift;
	return 0;
}

int units_parse_size(const char *s, uint64_t *ret_bytes)
{
	const char *p = s;
	uint64_t whole, frac = 0, mult, scale = 1, bytes;
	bool overflow = false;
	size_t nfrac = 0, i;

	if (is_max(s)) {
		*ret_bytes = UNITS_MAX;
		return 0;
	}
	if (scan_digits(&p, &whole, &overflow) == 0)
		return -EINVAL;
	if (*p == '.') {
		p++;
		nfrac = scan_digits(&p, &frac, &overflow);
		if (nfrac == 0 || nfrac > SIZE_FRAC_DIGITS)
			return -EINVAL;
	}
	if (size_multiplier(p, &mult) < 0)
		return -EINVAL;
	if (overflow)
		return -ERANGE;
	for (i = 0; i < nfrac; i++)
		scale *= 10;
	/* whole * mult + floor(frac * mult / scale): rounded down to bytes */
	if (__builtin_mul_overflow(whole, mult, &bytes) ||
	    __builtin_add_overflow(bytes, frac * mult / scale, &bytes) || bytes > SIZE_LIMIT)
		return -ERANGE;
	*ret_bytes = bytes;
	return 0;
}

int units_format_mib(uint64_t bytes, char *buf, size_t size)
{
	if (bytes == UNITS_MAX)
		return fitted(snprintf(buf, size, "max"), size);
	return fitted(snprintf(buf, size, "%" PRIu64, bytes / MIB), size);
}

/* ---- percent ---- */

int units_parse_percent(const char *s, uint64_t *ret_centi)
{
	const char *p = s;
	uint64_t whole, frac = 0, centi;
	bool overflow = false;
	size_t nfrac = 0;

	if (is_max(s)) {
		*ret_centi = UNITS_MAX;
		return 0;
	}
	if (scan_digits(&p, &whole, &overflow) == 0)
		return -EINVAL;
	if (*p == '.') {
		p++;
		nfrac = scan_digits(&p, &frac, &overflow);
		if (nfrac == 0 || nfrac > 2)
			return -EINVAL; /* "1.", "12.345" */
	}
	if (*p == '%')
		p++;
	if (*p != '\0')
		return -EINVAL;
	if (nfrac == 1)
		frac *= 10;
	if (overflow || __builtin_mul_overflow(whole, 100, &centi) ||
	    __builtin_add_overflow(centi, frac, &centi) || centi > (uint64_t)INT64_MAX)
		return -ERANGE;
	*ret_centi = centi;
	return 0;
}

int units_format_percent(uint64_t centi, char *buf, size_t size)
{
	uint64_t whole = centi / 100, frac = centi % 100;

	if (centi == UNITS_MAX)
		return fitted(snprintf(buf, size, "max"), size);
	if (frac == 0)
		return fitted(snprintf(buf, size, "%" PRIu64, whole), size);
	if (frac % 10 == 0)
		return fitted(snprintf(buf, size, "%" PRIu64 ".%" PRIu64, whole, frac / 10), size);
	return fitted(snprintf(buf, size, "%" PRIu64 ".%02" PRIu64, whole, frac), size);
}

/* ---- plain integers ---- */

int units_parse_dec(const char *s, size_t len, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i;

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	if (len == 0 || len >= 32)
		return -EIO;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned char)s[i] - (unsigned char)'0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EIO;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

int units_parse_uint(const char *s, uint64_t min, uint64_t max, int allow_max,
                     uint64_t *ret)
{
	const char *p = s;
	bool overflow = false;
	uint64_t v;

	if (allow_max && is_max(s)) {
		*ret = UNITS_MAX;
		return 0;
	}
	if (scan_digits(&p, &v, &overflow) == 0 || *p != '\0')
		return -EINVAL;
	if (overflow || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* ---- CFS bandwidth ---- */

/* centi percent of period_us, rounded, within min..QUOTA_MAX. */
static int percent_to_us(uint64_t centi, uint64_t period_us, uint64_t min, uint64_t *ret_us)
{
	uint64_t prod, us;

	/* 100% is one full period: us = centi * period / 10000, rounded */
	if (period_us == 0 || __builtin_mul_overflow(centi, period_us, &prod) ||
	    prod > UINT64_MAX - 5000)
		return -ERANGE;
	us = (prod + 5000) / 10000;
	if (us < min || us > QUOTA_MAX)
		return -ERANGE;
	*ret_us = us;
	return 0;
}

int units_percent_to_quota(uint64_t centi, uint64_t period_us, uint64_t *ret_quota)
{
	return percent_to_us(centi, period_us, QUOTA_MIN, ret_quota);
}

int units_percent_to_burst(uint64_t centi, uint64_t period_us, uint64_t *ret_burst)
{
	return percent_to_us(centi, period_us, 0, ret_burst);
}

uint64_t units_quota_to_percent(uint64_t quota_us, uint64_t period_us)
{
	uint64_t whole, rest;

	if (period_us == 0)
		return UNITS_MAX; /* no period, no bandwidth limit */
	/* round(quota * 10000 / period), split so that it cannot overflow for
	 * any period the kernel allows (<= 1 s) */
	whole = quota_us / period_us;
	rest = quota_us % period_us;
	if (whole > (UINT64_MAX - 1) / 10000 - 1)
		return UNITS_MAX - 1;
	return whole * 10000 + (rest * 10000 + period_us / 2) / period_us;
}

/* ---- weights ---- */

uint64_t units_shares_to_weight(uint64_t shares)
{
	double l = log2((double)clamp(shares, SHARES_MIN, SHARES_MAX));
	/* 7/34 written as 126/612: the anchors 2, 1024 and 262144 then have
	 * the exact exponents 0, 2 and 4. */
	double w = pow(10.0, (l * l + 125.0 * l - 126.0) / 612.0);

	/* log2/pow are off by ~1e-15 relative, enough to lift 100 to
	 * 100.00000000000001 and ceil it to 101. The curve itself comes no
	 * closer than 4e-10 relative above an integer (shares 200416), so a
	 * 1e-12 cut absorbs the error without moving any genuine value. */
	w = ceil(w * (1.0 - 1e-12));
	return clamp((uint64_t)w, WEIGHT_MIN, WEIGHT_MAX);
}

uint64_t units_weight_to_shares(uint64_t weight)
{
	uint64_t lo = SHARES_MIN, hi = SHARES_MAX;

	weight = clamp(weight, WEIGHT_MIN, WEIGHT_MAX);
	/* The largest shares whose weight is still w: the curve rises less
	 * than 1 per share, so every w is hit, by a run of shares (1012..1024
	 * all give 100). The top of the run is the anchor where there is one:
	 * 100 -> 1024, the kernel's default cpu.shares. */
	while (lo < hi) {
		uint64_t mid = hi - (hi - lo) / 2;

		if (units_shares_to_weight(mid) <= weight)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

uint64_t units_blkio_to_weight(uint64_t blkio)
{
	uint64_t b = clamp(blkio, BLKIO_MIN, BLKIO_MAX);

	return WEIGHT_MIN + ((b - BLKIO_MIN) * 9999 + 495) / 990;
}

uint64_t units_weight_to_blkio(uint64_t weight)
{
	uint64_t w = clamp(weight, WEIGHT_MIN, WEIGHT_MAX);

	/* (w-1)*990/9999 is never exactly half-way (9999 is odd) */
	return BLKIO_MIN + ((w - WEIGHT_MIN) * 990 + 4999) / 9999;
}

/* ---- cpu lists ---- */

/* "N" or "N-M" at *p, advancing *p; the range in *ret_lo..*ret_hi. */
static int scan_cpu_range_of(const char **p, uint64_t *ret_lo, uint64_t *ret_hi)
{
	uint64_t lo, hi;
	bool overflow = false;

	if (scan_digits(p, &lo, &overflow) == 0)
		return -EINVAL;
	hi = lo;
	if (**p == '-') {
		(*p)++;
		if (scan_digits(p, &hi, &overflow) == 0)
			return -EINVAL;
	}
	if (overflow || hi >= CPU_LIMIT || lo > hi)
		return -EINVAL;
	*ret_lo = lo;
	*ret_hi = hi;
	return 0;
}

static int scan_cpu_range(const char **p)
{
	uint64_t lo, hi;

	return scan_cpu_range_of(p, &lo, &hi);
}

int units_check_cpulist(const char *s)
{
	const char *p = s;
	int res;

	for (;;) {
		res = scan_cpu_range(&p);
		if (res < 0)
			return res;
		if (*p == '\0')
			return 0;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
}

int units_parse_cpulist(const char *s, uint64_t bits[UNITS_CPU_WORDS])
{
	uint64_t lo, hi, c;
	const char *p = s;
	int res;

	memset(bits, 0, UNITS_CPU_WORDS * sizeof(uint64_t));
	/* The kernel shows an unset cpuset (a new v1 cgroup) as "". */
	if (*p == '\0' || *p == '\n')
		return 0;
	for (;;) {
		res = scan_cpu_range_of(&p, &lo, &hi);
		if (res < 0)
			return res;
		for (c = lo; c <= hi; c++)
			bits[c / 64] |= UINT64_C(1) << (c % 64);
		if (*p == '\0' || (*p == '\n' && p[1] == '\0'))
			return 0;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
}

int units_format_cpulist(const uint64_t bits[UNITS_CPU_WORDS], char *buf, size_t size)
{
	uint64_t c = 0, lo;
	size_t len = 0;
	int n;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	while (c < CPU_LIMIT) {
		if (!(bits[c / 64] & (UINT64_C(1) << (c % 64)))) {
			c++;
			continue;
		}
		lo = c;
		while (c + 1 < CPU_LIMIT && (bits[(c + 1) / 64] & (UINT64_C(1) << ((c + 1) % 64))))
			c++;
		if (lo == c)
			n = snprintf(buf + len, size - len, "%s%" PRIu64, len ? "," : "", lo);
		else
			n = snprintf(buf + len, size - len, "%s%" PRIu64 "-%" PRIu64, len ? "," : "", lo, c);
		if (n < 0 || (size_t)n >= size - len)
			return -ENOBUFS;
		len += (size_t)n;
		c++;
	}
	return (int)len;
}
