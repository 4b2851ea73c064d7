/* SPDX-License-Identifier: MIT */
/*
 * units: numbers people type <-> numbers the kernel takes.
 *
 * Every parser takes one NUL-terminated token (already trimmed by
 * knob_trim), returns 0 or a negative errno and leaves *ret untouched on
 * failure: -EINVAL for text that does not parse (junk, sign, exponent,
 * unknown suffix), -ERANGE for a well-formed number out of range.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define UNITS_MAX UINT64_MAX /* "max": no limit */

/* Sizes: "512" (MiB), "512K", "512M", "2G", "1T" (binary, case-insensitive,
 * one letter, no "B"), decimals "1.5G"; "max" or "-1" -> UNITS_MAX.
 * Result in bytes, rounded down to whole bytes; -ERANGE above 2^63-1. */
int units_parse_size(const char *s, uint64_t *ret_bytes);

/* Bytes -> "N\n"-less text in whole MiB rounded down, or "max". Returns
 * the length written or -ENOBUFS. */
int units_format_mib(uint64_t bytes, char *buf, size_t size);

/* Percent of one CPU with at most two decimals: "12.5", "200", "50%";
 * "max"/"-1" -> UNITS_MAX. Result in hundredths of a percent. */
int units_parse_percent(const char *s, uint64_t *ret_centi);

/* Hundredths of a percent -> "12.5" (at most two decimals, trailing zeros
 * and the dot dropped), or "max". Returns length or -ENOBUFS. */
int units_format_percent(uint64_t centi, char *buf, size_t size);

/* A number as the kernel prints it in its files: the first len bytes of
 * s are decimal digits only (trailing newlines and blanks aside) and fit
 * 64 bits; -EIO else. */
int units_parse_dec(const char *s, size_t len, uint64_t *ret);

/* Plain unsigned decimal within [min, max]; with allow_max, "max" and
 * "-1" give UNITS_MAX. */
int units_parse_uint(const char *s, uint64_t min, uint64_t max, int allow_max,
                     uint64_t *ret);

/* CFS bandwidth: percent (centi) and period (us) -> quota (us), rounded to
 * nearest; -ERANGE unless 1000 <= quota <= 2^44-1. And back. */
int units_percent_to_quota(uint64_t centi, uint64_t period_us, uint64_t *ret_quota);
uint64_t units_quota_to_percent(uint64_t quota_us, uint64_t period_us);
/* The burst on top of the quota (cpu.max.burst, cpu.cfs_burst_us): the
 * same conversion, rounded to nearest; -ERANGE above 2^44-1 us (0 is a
 * burst: none). */
int units_percent_to_burst(uint64_t centi, uint64_t period_us, uint64_t *ret_burst);

/* cpu.weight 1..10000 <-> v1 cpu.shares 2..262144 on the curve
 * weight = ceil(10^((l^2 + 125 l)/612 - 7/34)), l = log2(shares).
 * weight_to_shares gives the largest shares mapping back to exactly w
 * (so 100 -> 1024, the kernel's default; 1 -> 2; 10000 -> 262144).
 * Inputs out of range are clamped. */
uint64_t units_shares_to_weight(uint64_t shares);
uint64_t units_weight_to_shares(uint64_t weight);

/* io weight 1..10000 <-> v1 blkio weight 10..1000:
 * w = 1 + (b - 10) * 9999 / 990, inverted with rounding. */
uint64_t units_blkio_to_weight(uint64_t blkio);
uint64_t units_weight_to_blkio(uint64_t weight);

/* Validates a cpuset list "0-3,6": comma-separated N or N-M with N <= M,
 * N, M < 65536. 0 or -EINVAL. */
int units_check_cpulist(const char *s);

/* A cpuset list as a bitmap of UNITS_CPU_WORDS words (CPUs 0..65535);
 * "" (an unset v1 cpuset) is the empty set; one trailing newline allowed. */
#define UNITS_CPU_WORDS 1024
int units_parse_cpulist(const char *s, uint64_t bits[UNITS_CPU_WORDS]);
/* The canonical "0-3,6" form of a bitmap; length or -ENOBUFS. */
int units_format_cpulist(const uint64_t bits[UNITS_CPU_WORDS], char *buf, size_t size);
