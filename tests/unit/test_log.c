// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cgfs/log.h"

static void test_plain_text_unchanged(void **state)
{
	char out[64];

	assert_int_equal(log_escape("mkdir web refused: EACCES", out, sizeof(out)), 25);
	assert_string_equal(out, "mkdir web refused: EACCES");
}

static void test_line_breaks_and_prefixes(void **state)
{
	char out[128];

	/* A name that tries to end the line and forge the next one. */
	log_escape("a\ncgfs: error: forged\n<0>boot", out, sizeof(out));
	assert_string_equal(out, "a\\x0acgfs: error: forged\\x0a<0>boot");
	assert_null(strchr(out, '\n'));
	log_escape("\r\t\x1b[31m\x7f", out, sizeof(out));
	assert_string_equal(out, "\\x0d\\x09\\x1b[31m\\x7f");
	/* The backslash itself is escaped, so an escape cannot be forged. */
	log_escape("a\\x0ab", out, sizeof(out));
	assert_string_equal(out, "a\\x5cx0ab");
	/* Bytes above ASCII (invalid UTF-8 included). */
	log_escape("caf\xc3\xa9\xff", out, sizeof(out));
	assert_string_equal(out, "caf\\xc3\\xa9\\xff");
}

static void test_cut_at_whole_escape(void **state)
{
	char out[6];

	/* "ab" fits, the escape of \n (4 bytes) does not: cut before it. */
	assert_int_equal(log_escape("ab\ncd", out, sizeof(out)), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(log_escape("abcdefgh", out, sizeof(out)), 5);
	assert_string_equal(out, "abcde");
	assert_int_equal(log_escape("x", out, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_line_breaks_and_prefixes),
		cmocka_unit_test(test_cut_at_whole_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
