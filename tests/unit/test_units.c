// SPDX-License-Identifier: MIT
/* Unit tests for src/units.c: every parser on good and bad text, the
 * formats, and the round trips the knobs rely on. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cgfs/units.h"

#define MIB (UINT64_C(1) << 20)
#define SENTINEL UINT64_C(0xdeadbeef)

/* A parse that must succeed with exactly want. */
static void size_ok(const char *s, uint64_t want)
{
	uint64_t got = SENTINEL;

	if (units_parse_size(s, &got) != 0 || got != want)
		fail_msg("units_parse_size(\"%s\") = %llu, want %llu", s,
		         (unsigned long long)got, (unsigned long long)want);
}

/* A parse that must fail with err and leave the result untouched. */
static void size_bad(const char *s, int err)
{
	uint64_t got = SENTINEL;
	int res = units_parse_size(s, &got);

	if (res != err || got != SENTINEL)
		fail_msg("units_parse_size(\"%s\") = %d, want %d", s, res, err);
}

static void test_size_good(void **state)
{
	(void)state;
	size_ok("512", 512 * MIB);
	size_ok("512M", 512 * MIB);
	size_ok("512m", 512 * MIB);
	size_ok("2G", 2048 * MIB);
	size_ok("2g", 2048 * MIB);
	size_ok("1.5G", 1536 * MIB);
	size_ok("0.5G", 512 * MIB);
	size_ok("1T", UINT64_C(1) << 40);
	size_ok("4K", 4096);
	size_ok("1.5", 1536 * 1024);
	size_ok("0", 0);
	size_ok("007", 7 * MIB);
	size_ok("0.000001K", 0);     /* rounded down to whole bytes */
	size_ok("0.999999K", 1023);  /* 1023.998976 -> 1023 */
	size_ok("1.000001T", (UINT64_C(1) << 40) + 1099511);
	size_ok("max", UNITS_MAX);
	size_ok("-1", UNITS_MAX);
	/* the largest size: 2^63 - 1 bytes */
	size_ok("9007199254740991.999999K", UINT64_C(9223372036854775807));
	size_ok("8388607T", UINT64_C(8388607) << 40);
}

static void test_size_bad(void **state)
{
	(void)state;
	size_bad("", -EINVAL);
	size_bad("abc", -EINVAL);
	size_bad("-5", -EINVAL);
	size_bad("+5", -EINVAL);
	size_bad("-1M", -EINVAL);
	size_bad("1e99", -EINVAL);
	size_bad("512MB", -EINVAL);
	size_bad("512B", -EINVAL);
	size_bad("512 M", -EINVAL);
	size_bad("1 2", -EINVAL);
	size_bad(" 512", -EINVAL);
	size_bad("1.", -EINVAL);
	size_bad(".5", -EINVAL);
	size_bad("1.5.5", -EINVAL);
	size_bad("0x10", -EINVAL);
	size_bad("MAX", -EINVAL);
	size_bad("1.0000001G", -EINVAL); /* more fraction digits than we take */
	size_bad("99999999999T", -ERANGE);
	size_bad("8388608T", -ERANGE);                   /* exactly 2^63 */
	size_bad("9223372036854775807K", -ERANGE);
	size_bad("99999999999999999999999999999", -ERANGE);
	size_bad("99999999999999999999999999999X", -EINVAL); /* junk wins */
}

static void mib_is(uint64_t bytes, const char *want)
{
	char buf[32];
	int n = units_format_mib(bytes, buf, sizeof(buf));

	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_format_mib(void **state)
{
	char small[3];

	(void)state;
	mib_is(512 * MIB, "512");
	mib_is(512 * MIB + MIB - 1, "512"); /* rounded down */
	mib_is(MIB - 1, "0");
	mib_is(0, "0");
	mib_is(UNITS_MAX, "max");
	mib_is(UINT64_C(9223372036854771712), "8796093022207");
	assert_int_equal(units_format_mib(512 * MIB, small, sizeof(small)), -ENOBUFS);
	assert_int_equal(units_format_mib(UNITS_MAX, small, sizeof(small)), -ENOBUFS);
}

static void pct_ok(const char *s, uint64_t want)
{
	uint64_t got = SENTINEL;

	if (units_parse_percent(s, &got) != 0 || got != want)
		fail_msg("units_parse_percent(\"%s\") = %llu, want %llu", s,
		         (unsigned long long)got, (unsigned long long)want);
}

static void pct_bad(const char *s, int err)
{
	uint64_t got = SENTINEL;
	int res = units_parse_percent(s, &got);

	if (res != err || got != SENTINEL)
		fail_msg("units_parse_percent(\"%s\") = %d, want %d", s, res, err);
}

static void test_percent_parse(void **state)
{
	(void)state;
	pct_ok("12.5", 1250);
	pct_ok("12.05", 1205);
	pct_ok("200", 20000);
	pct_ok("50%", 5000);
	pct_ok("0.01", 1);
	pct_ok("0", 0);
	pct_ok("max", UNITS_MAX);
	pct_ok("-1", UNITS_MAX);
	pct_bad("12.345", -EINVAL);
	pct_bad("", -EINVAL);
	pct_bad("abc", -EINVAL);
	pct_bad("-5", -EINVAL);
	pct_bad("1e99", -EINVAL);
	pct_bad("1 2", -EINVAL);
	pct_bad("1.", -EINVAL);
	pct_bad(".5", -EINVAL);
	pct_bad("%", -EINVAL);
	pct_bad("50%%", -EINVAL);
	pct_bad("max%", -EINVAL);
	pct_bad("12.5G", -EINVAL);
	pct_bad("999999999999999999999999", -ERANGE);
}

static void pct_fmt_is(uint64_t centi, const char *want)
{
	char buf[32];
	int n = units_format_percent(centi, buf, sizeof(buf));

	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_percent_format(void **state)
{
	char small[4];

	(void)state;
	pct_fmt_is(1250, "12.5");
	pct_fmt_is(1205, "12.05");
	pct_fmt_is(20000, "200");
	pct_fmt_is(1, "0.01");
	pct_fmt_is(10, "0.1");
	pct_fmt_is(0, "0");
	pct_fmt_is(UNITS_MAX, "max");
	assert_int_equal(units_format_percent(1250, small, sizeof(small)), -ENOBUFS);
}

static void test_uint(void **state)
{
	uint64_t v = SENTINEL;

	(void)state;
	assert_int_equal(units_parse_uint("100", 1, 10000, 0, &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(units_parse_uint("max", 0, 10, 1, &v), 0);
	assert_true(v == UNITS_MAX);
	assert_int_equal(units_parse_uint("-1", 0, 10, 1, &v), 0);
	assert_true(v == UNITS_MAX);
	v = SENTINEL;
	assert_int_equal(units_parse_uint("max", 0, 10, 0, &v), -EINVAL);
	assert_int_equal(units_parse_uint("-1", 0, 10, 0, &v), -EINVAL);
	assert_int_equal(units_parse_uint("0", 1, 10, 0, &v), -ERANGE);
	assert_int_equal(units_parse_uint("11", 1, 10, 0, &v), -ERANGE);
	assert_int_equal(units_parse_uint("-5", 1, 10, 0, &v), -EINVAL);
	assert_int_equal(units_parse_uint("", 1, 10, 0, &v), -EINVAL);
	assert_int_equal(units_parse_uint("5x", 1, 10, 0, &v), -EINVAL);
	assert_int_equal(units_parse_uint("1 2", 1, 10, 0, &v), -EINVAL);
	assert_int_equal(units_parse_uint("+5", 1, 10, 0, &v), -EINVAL);
	assert_int_equal(units_parse_uint("99999999999999999999999", 0, UINT64_MAX, 0, &v),
	                 -ERANGE);
	assert_true(v == SENTINEL);
	assert_int_equal(units_parse_uint("18446744073709551615", 0, UINT64_MAX, 0, &v), 0);
	assert_true(v == UINT64_MAX);
}

static void test_quota(void **state)
{
	uint64_t q = SENTINEL, centi;

	(void)state;
	assert_int_equal(units_percent_to_quota(1250, 100000, &q), 0);
	assert_int_equal(q, 12500);
	assert_int_equal(units_percent_to_quota(20000, 100000, &q), 0);
	assert_int_equal(q, 200000);
	assert_int_equal(units_percent_to_quota(100, 100000, &q), 0);
	assert_int_equal(q, 1000);
	assert_int_equal(units_percent_to_quota(1250, 50000, &q), 0);
	assert_int_equal(q, 6250);
	assert_int_equal(units_percent_to_quota(1255, 1000, &q), -ERANGE); /* 125.5 us */
	assert_int_equal(units_percent_to_quota(12345, 1000, &q), 0);
	assert_int_equal(q, 1235); /* 1234.5 rounded to nearest */
	q = SENTINEL;
	assert_int_equal(units_percent_to_quota(1, 100000, &q), -ERANGE);  /* 0.01% */
	assert_int_equal(units_percent_to_quota(0, 100000, &q), -ERANGE);
	assert_int_equal(units_percent_to_quota(99, 100000, &q), -ERANGE);
	assert_int_equal(units_percent_to_quota(UNITS_MAX, 100000, &q), -ERANGE);
	assert_int_equal(units_percent_to_quota(1000, 0, &q), -ERANGE);
	/* quota <= 2^44 - 1 */
	assert_int_equal(units_percent_to_quota(UINT64_C(1759218604441), 100000, &q), 0);
	assert_true(q == UINT64_C(17592186044410));
	assert_int_equal(units_percent_to_quota(UINT64_C(1759218604442), 100000, &q), -ERANGE);
	assert_int_equal(units_percent_to_quota(UINT64_C(1) << 62, 100000, &q), -ERANGE);
	assert_true(q == UINT64_C(17592186044410));

	assert_int_equal(units_quota_to_percent(12500, 100000), 1250);
	assert_int_equal(units_quota_to_percent(1235, 1000), 12350);
	assert_int_equal(units_quota_to_percent(1, 3), 3333);
	assert_int_equal(units_quota_to_percent(2, 3), 6667);

	/* exact both ways at the default period for every legal centi up to
	 * 1000 CPUs, and at the largest quota */
	for (centi = 100; centi <= 100000000; centi += centi < 100000 ? 1 : 997) {
		assert_int_equal(units_percent_to_quota(centi, 100000, &q), 0);
		assert_int_equal(units_quota_to_percent(q, 100000), centi);
	}
	assert_int_equal(units_percent_to_quota(UINT64_C(1759218604441), 100000, &q), 0);
	assert_true(units_quota_to_percent(q, 100000) == UINT64_C(1759218604441));
	/* and at the 1 s period the kernel also allows */
	for (centi = 100; centi <= 100000; centi++) {
		assert_int_equal(units_percent_to_quota(centi, 1000000, &q), 0);
		assert_int_equal(units_quota_to_percent(q, 1000000), centi);
	}
}

static void test_burst(void **state)
{
	uint64_t b = SENTINEL;

	(void)state;
	/* like a quota, but from 0 up */
	assert_int_equal(units_percent_to_burst(0, 100000, &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(units_percent_to_burst(1, 100000, &b), 0);
	assert_int_equal(b, 10);
	assert_int_equal(units_percent_to_burst(5000, 50000, &b), 0);
	assert_int_equal(b, 25000);
	assert_int_equal(units_percent_to_burst(1, 1000, &b), 0);
	assert_int_equal(b, 0); /* 0.1 us */
	assert_int_equal(units_percent_to_burst(5, 1000, &b), 0);
	assert_int_equal(b, 1); /* 0.5 us, rounded up */
	assert_int_equal(units_percent_to_burst(UINT64_C(1759218604441), 100000, &b), 0);
	assert_true(b == UINT64_C(17592186044410));
	b = SENTINEL;
	assert_int_equal(units_percent_to_burst(UINT64_C(1759218604442), 100000, &b), -ERANGE);
	assert_int_equal(units_percent_to_burst(UNITS_MAX, 100000, &b), -ERANGE);
	assert_int_equal(units_percent_to_burst(100, 0, &b), -ERANGE);
	assert_true(b == SENTINEL);
	assert_int_equal(units_quota_to_percent(0, 100000), 0);
}

static void test_shares_to_weight(void **state)
{
	uint64_t s, prev = 0;

	(void)state;
	/* the curve's anchors, exactly */
	assert_int_equal(units_shares_to_weight(2), 1);
	assert_int_equal(units_shares_to_weight(1024), 100);
	assert_int_equal(units_shares_to_weight(262144), 10000);
	/* clamped */
	assert_int_equal(units_shares_to_weight(0), 1);
	assert_int_equal(units_shares_to_weight(1), 1);
	assert_int_equal(units_shares_to_weight(1000000), 10000);
	/* a value 4e-10 (relative) above an integer must still round up */
	assert_int_equal(units_shares_to_weight(200416), 7914);
	/* monotonic over the whole range */
	for (s = 2; s <= 262144; s++) {
		uint64_t w = units_shares_to_weight(s);

		assert_true(w >= prev && w >= 1 && w <= 10000);
		prev = w;
	}
}

static void test_weight_round_trip(void **state)
{
	uint64_t w;

	(void)state;
	assert_int_equal(units_weight_to_shares(100), 1024);
	assert_int_equal(units_weight_to_shares(1), 2);
	assert_int_equal(units_weight_to_shares(10000), 262144);
	assert_int_equal(units_weight_to_shares(0), 2);
	assert_int_equal(units_weight_to_shares(20000), 262144);
	for (w = 1; w <= 10000; w++) {
		uint64_t s = units_weight_to_shares(w);

		if (units_shares_to_weight(s) != w)
			fail_msg("weight %llu -> shares %llu -> weight %llu", (unsigned long long)w,
			         (unsigned long long)s,
			         (unsigned long long)units_shares_to_weight(s));
		/* and it is the largest such shares */
		if (s < 262144)
			assert_true(units_shares_to_weight(s + 1) > w);
	}
}

static void test_blkio(void **state)
{
	uint64_t b;

	(void)state;
	assert_int_equal(units_blkio_to_weight(10), 1);
	assert_int_equal(units_blkio_to_weight(1000), 10000);
	assert_int_equal(units_blkio_to_weight(500), 4950);
	assert_int_equal(units_blkio_to_weight(1), 1);       /* clamped */
	assert_int_equal(units_blkio_to_weight(5000), 10000);
	assert_int_equal(units_weight_to_blkio(1), 10);
	assert_int_equal(units_weight_to_blkio(10000), 1000);
	assert_int_equal(units_weight_to_blkio(0), 10);
	assert_int_equal(units_weight_to_blkio(99999), 1000);
	b = units_weight_to_blkio(100);
	assert_true(units_blkio_to_weight(b) >= 90 && units_blkio_to_weight(b) <= 110);
	for (b = 10; b <= 1000; b++)
		assert_int_equal(units_weight_to_blkio(units_blkio_to_weight(b)), b);
}

static void test_cpulist_bits(void **state)
{
	static uint64_t bits[UNITS_CPU_WORDS];
	char buf[256];

	assert_int_equal(units_parse_cpulist("0-3,6,8-9\n", bits), 0);
	assert_true(bits[0] == 0x34f);
	assert_int_equal(units_format_cpulist(bits, buf, sizeof(buf)), 9);
	assert_string_equal(buf, "0-3,6,8-9");
	assert_int_equal(units_parse_cpulist("1,0,2", bits), 0);
	units_format_cpulist(bits, buf, sizeof(buf));
	assert_string_equal(buf, "0-2");
	assert_int_equal(units_parse_cpulist("", bits), 0);
	assert_int_equal(units_format_cpulist(bits, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(units_parse_cpulist("63-64,65535", bits), 0);
	units_format_cpulist(bits, buf, sizeof(buf));
	assert_string_equal(buf, "63-64,65535");
	assert_int_equal(units_parse_cpulist("3-1", bits), -EINVAL);
	assert_int_equal(units_parse_cpulist("1,,2", bits), -EINVAL);
	assert_int_equal(units_parse_cpulist("65536", bits), -EINVAL);
	assert_int_equal(units_format_cpulist(bits, buf, 2), 0); /* empty after the failed parse */
	units_parse_cpulist("0-65535", bits);
	assert_int_equal(units_format_cpulist(bits, buf, 4), -ENOBUFS);
}

static void test_cpulist(void **state)
{
	static const char *const good[] = { "0", "0-3", "0-3,6", "1,3,5-7", "3-3", "65535",
		                            "0-65535", "007" };
	static const char *const bad[] = { "", "3-1", "a", "0-", ",1", "1,,2", "1 2", "1,",
		                           "-1", "65536", "0-65536", "99999999999999999999999",
		                           "0-3\n", "1:2", "0-7:2", " 1" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (units_check_cpulist(good[i]) != 0)
			fail_msg("cpulist \"%s\" refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (units_check_cpulist(bad[i]) != -EINVAL)
			fail_msg("cpulist \"%s\" accepted", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_good),
		cmocka_unit_test(test_size_bad),
		cmocka_unit_test(test_format_mib),
		cmocka_unit_test(test_percent_parse),
		cmocka_unit_test(test_percent_format),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_shares_to_weight),
		cmocka_unit_test(test_weight_round_trip),
		cmocka_unit_test(test_blkio),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_cpulist_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
