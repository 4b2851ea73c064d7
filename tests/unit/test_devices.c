// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgfs/devices.h"

/* A /dev of three nodes, as devices_resolve_fn sees it. */
static int fake_resolve(void *ctx, const char *path, char *type, unsigned *maj, unsigned *min)
{
	(void)ctx;
	if (strcmp(path, "/dev/zero") == 0) {
		*type = 'c', *maj = 1, *min = 5;
	} else if (strcmp(path, "/dev/sda") == 0) {
		*type = 'b', *maj = 8, *min = 0;
	} else if (strcmp(path, "/dev/shm/file") == 0) {
		return -EINVAL;
	} else {
		return -ENOENT;
	}
	return 0;
}

static int parse(const char *text, struct dev_rule *r)
{
	return devices_parse(text, fake_resolve, NULL, r, DEVICES_RULES_MAX);
}

/* text parsed and formatted again. */
static void assert_canonical(const char *text, const char *want)
{
	struct dev_rule r[DEVICES_RULES_MAX];
	char buf[4096];
	int n = parse(text, r);

	assert_true(n >= 0);
	assert_int_equal(devices_format(r, (size_t)n, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_parse_forms(void **state)
{
	(void)state;
	assert_canonical("c 1:5 r", "c 1:5 r\n");
	assert_canonical("  b   8:0\twm  ", "b 8:0 wm\n");
	assert_canonical("a *:* mwr", "a *:* rwm\n");
	assert_canonical("c 1:* r\nc *:3 w\n", "c 1:* r\nc *:3 w\n");
	assert_canonical("c 1:5 r, b 8:0 m", "c 1:5 r\nb 8:0 m\n");
	assert_canonical("/dev/zero r\n/dev/sda rw", "c 1:5 r\nb 8:0 rw\n");
	assert_canonical("c 4095:1048575 r", "c 4095:1048575 r\n");
	assert_canonical("", "");
	assert_canonical(" \n\n , \t", "");
}

static void test_parse_refused(void **state)
{
	static const struct { const char *text; int err; } bad[] = {
		{ "x 1:3 r", -EINVAL },        { "c 1:3 q", -EINVAL },
		{ "c 1:3 rr", -EINVAL },       { "c 1:3", -EINVAL },
		{ "c 1:3 r w", -EINVAL },      { "cc 1:3 r", -EINVAL },
		{ "c 13 r", -EINVAL },         { "c :3 r", -EINVAL },
		{ "c 1: r", -EINVAL },         { "c -1:3 r", -EINVAL },
		{ "c 1:3:4 r", -EINVAL },      { "c 0x1:3 r", -EINVAL },
		{ "c 99999999999:1 r", -ERANGE }, { "c 4096:1 r", -ERANGE },
		{ "c 1:1048576 r", -ERANGE },  { "c 1:3 r\x01", -EINVAL },
		{ "c 1:3 r\r", -EINVAL },      { "c 1:3 \xc3\xa9", -EINVAL },
		{ "c 1:3 r\nc 1:3 w", -EINVAL }, { "/dev/zero r, c 1:5 w", -EINVAL },
		{ "/dev/shm/file r", -EINVAL }, { "/dev/nothing r", -ENOENT },
		{ "/etc/passwd r", -EINVAL },  { "/dev/ r", -EINVAL },
		{ "/dev/zero", -EINVAL },      { "/dev/zero x", -EINVAL },
	};
	struct dev_rule r[DEVICES_RULES_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int got = parse(bad[i].text, r);

		if (got != bad[i].err)
			fail_msg("\"%s\": %d, not %d", bad[i].text, got, bad[i].err);
	}
}

static void test_parse_bounds(void **state)
{
	struct dev_rule r[DEVICES_RULES_MAX];
	char text[8192], line[DEVICES_LINE_MAX + 8];
	size_t len = 0;
	int i;

	(void)state;
	for (i = 0; i < DEVICES_RULES_MAX; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "c 1:%d r\n", i);
	assert_int_equal(parse(text, r), DEVICES_RULES_MAX);
	snprintf(text + len, sizeof(text) - len, "c 1:%d r\n", i);
	assert_int_equal(parse(text, r), -E2BIG);
	/* a line of exactly DEVICES_LINE_MAX bytes is one; one more is not */
	memset(line, ' ', sizeof(line));
	memcpy(line, "c 1:3", 5);
	line[DEVICES_LINE_MAX - 1] = 'r';
	line[DEVICES_LINE_MAX] = '\0';
	assert_int_equal(parse(line, r), 1);
	line[DEVICES_LINE_MAX - 1] = ' ';
	line[DEVICES_LINE_MAX] = 'r';
	line[DEVICES_LINE_MAX + 1] = '\0';
	assert_int_equal(parse(line, r), -EINVAL);
}

/* Without resolve, a path is checked for form only: two paths are no
 * duplicate, a bad access still is refused. */
static void test_parse_form_only(void **state)
{
	struct dev_rule r[DEVICES_RULES_MAX];

	(void)state;
	assert_int_equal(devices_parse("/dev/a r\n/dev/b r", NULL, NULL, r, 4), 2);
	assert_int_equal(r[0].type, '/');
	assert_int_equal(devices_parse("/dev/a q", NULL, NULL, r, 4), -EINVAL);
	assert_int_equal(devices_parse("c 1:3 r\nc 1:3 w", NULL, NULL, r, 4), -EINVAL);
}

static void assert_round_trip(const char *text)
{
	struct dev_rule r[DEVICES_RULES_MAX], back[DEVICES_RULES_MAX];
	struct bpf_insn insns[DEVICES_INSNS_MAX];
	int n = parse(text, r), i;
	size_t len;

	assert_true(n > 0);
	len = devices_codegen(r, (size_t)n, insns);
	assert_true(len <= DEVICES_INSNS_MAX);
	assert_int_equal(devices_decode(insns, len, back, DEVICES_RULES_MAX), n);
	for (i = 0; i < n; i++) {
		assert_int_equal(r[i].type, back[i].type);
		assert_int_equal(r[i].major, back[i].major);
		assert_int_equal(r[i].minor, back[i].minor);
		assert_int_equal(r[i].access, back[i].access);
	}
}

static void test_round_trip(void **state)
{
	char text[8192];
	size_t len = 0;
	int i;

	(void)state;
	assert_round_trip("c 1:5 r");
	assert_round_trip("a *:* rwm");
	assert_round_trip("b *:0 w\nc 4095:* m\na 0:0 r\nc 1048:1048575 rw");
	/* the largest program: 64 rules that test every field */
	for (i = 0; i < DEVICES_RULES_MAX; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "c %d:%d rwm\n", i, i);
	assert_round_trip(text);
}

/* The program, instruction by instruction, for one rule: what the
 * kernel runs and what devices_decode expects back. */
static void test_codegen_literal(void **state)
{
	struct dev_rule r = { 'c', 1, 5, DEVICES_ACC_READ };
	struct bpf_insn in[DEVICES_INSNS_MAX];
	static const struct { uint8_t code, dst, src; int16_t off; int32_t imm; } want[] = {
		{ BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0 },
		{ BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0 },
		{ BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, 0xffff },
		{ BPF_ALU64 | BPF_RSH | BPF_K, 2, 0, 0, 16 },
		{ BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0 },
		{ BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0 },
		{ BPF_JMP | BPF_JNE | BPF_K, 3, 0, 7, BPF_DEVCG_DEV_CHAR },
		{ BPF_JMP | BPF_JNE | BPF_K, 4, 0, 6, 1 },
		{ BPF_JMP | BPF_JNE | BPF_K, 5, 0, 5, 5 },
		{ BPF_ALU64 | BPF_MOV | BPF_X, 0, 2, 0, 0 },
		{ BPF_ALU64 | BPF_AND | BPF_K, 0, 0, 0, BPF_DEVCG_ACC_READ },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0 },
		{ BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
		{ BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
	};
	size_t n = devices_codegen(&r, 1, in), i;

	(void)state;
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++) {
		assert_int_equal(in[i].code, want[i].code);
		assert_int_equal(in[i].dst_reg, want[i].dst);
		assert_int_equal(in[i].src_reg, want[i].src);
		assert_int_equal(in[i].off, want[i].off);
		assert_int_equal(in[i].imm, want[i].imm);
	}
}

/* Anything but cgfs's own code is no list: a program whose rule was
 * changed, cut short, or that is empty. */
static void test_decode_refuses_foreign(void **state)
{
	struct dev_rule r = { 'c', 1, 5, DEVICES_ACC_READ }, back[4];
	struct bpf_insn in[DEVICES_INSNS_MAX], copy[DEVICES_INSNS_MAX];
	size_t n = devices_codegen(&r, 1, in), i;

	(void)state;
	assert_int_equal(devices_decode(in, n, back, 4), 1);
	assert_int_equal(devices_decode(in, n, back, 0), -EINVAL);
	assert_int_equal(devices_decode(in, 8, back, 4), -EINVAL);
	assert_int_equal(devices_decode(in, 0, back, 4), -EINVAL);
	/* the head and tail alone: no rules, which cgfs never loads */
	memcpy(copy, in, 6 * sizeof(*in));
	memcpy(copy + 6, in + n - 2, 2 * sizeof(*in));
	assert_int_equal(devices_decode(copy, 8, back, 4), -EINVAL);
	for (i = 0; i < n; i++) {
		memcpy(copy, in, n * sizeof(*in));
		copy[i].off ^= 1;
		assert_int_equal(devices_decode(copy, n, back, 4), -EINVAL);
		memcpy(copy, in, n * sizeof(*in));
		copy[i].imm ^= 0x40;
		/* the major and minor: another device, still a rule */
		if (i != 7 && i != 8)
			assert_int_equal(devices_decode(copy, n, back, 4), -EINVAL);
	}
	memcpy(copy, in, n * sizeof(*in));
	copy[10].imm = 8; /* an access bit the kernel has not */
	assert_int_equal(devices_decode(copy, n, back, 4), -EINVAL);
	memcpy(copy, in, n * sizeof(*in));
	copy[6].imm = 3; /* no such device type */
	assert_int_equal(devices_decode(copy, n, back, 4), -EINVAL);
}

static void test_format_bounds(void **state)
{
	struct dev_rule r = { 'b', DEVICES_ANY, 0, DEVICES_ACC_ALL };
	char buf[32];

	(void)state;
	assert_int_equal(devices_format(&r, 1, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "b *:0 rwm\n");
	assert_int_equal(devices_format(&r, 1, buf, 10), -ENOBUFS);
	assert_int_equal(devices_format(&r, 1, buf, 11), 10);
	assert_int_equal(devices_format(&r, 0, buf, 1), 0);
	assert_int_equal(devices_format(&r, 0, buf, 0), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_parse_form_only),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_codegen_literal),
		cmocka_unit_test(test_decode_refuses_foreign),
		cmocka_unit_test(test_format_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
