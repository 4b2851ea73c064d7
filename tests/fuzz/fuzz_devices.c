// SPDX-License-Identifier: MIT
/*
 * fuzz_devices: devices_parse on what a writer sends, and devices_decode
 * on what the kernel could show back. Input: one byte (bit 0: the text
 * is instructions instead; bits 1-7: the output buffer of the format in
 * 16-byte steps, 0 for the full size), then the text (or struct
 * bpf_insn records).
 * Besides not crashing: a list parses to at most DEVICES_RULES_MAX
 * rules, each of which is well-formed, formats into text that parses to
 * the same rules, and compiles into a program that decodes to them; a
 * decoded program's rules compile back into the very same instructions.
 */
#include <errno.h>

#include "cgfs/devices.h"
#include "fuzz.h"

/* A /dev where every path is a character device, its numbers taken from
 * its length. */
static int resolve(void *ctx, const char *path, char *type, unsigned *maj, unsigned *min)
{
	size_t len = strlen(path);

	(void)ctx;
	if (len % 7 == 0)
		return -ENOENT;
	*type = len % 2 ? 'c' : 'b';
	*maj = (unsigned)(len % 300);
	*min = (unsigned)len;
	return 0;
}

static void well_formed(const struct dev_rule *r)
{
	fuzz_assert(r->type == 'a' || r->type == 'b' || r->type == 'c');
	fuzz_assert(r->major == DEVICES_ANY || r->major <= DEVICES_MAJOR_MAX);
	fuzz_assert(r->minor == DEVICES_ANY || r->minor <= DEVICES_MINOR_MAX);
	fuzz_assert(r->access >= 1 && r->access <= DEVICES_ACC_ALL);
}

static int same(const struct dev_rule *a, const struct dev_rule *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i].type != b[i].type || a[i].major != b[i].major ||
		    a[i].minor != b[i].minor || a[i].access != b[i].access)
			return 0;
	return 1;
}

static void text_case(const uint8_t *data, size_t size, size_t bufsize)
{
	static struct dev_rule r[DEVICES_RULES_MAX], back[DEVICES_RULES_MAX];
	static struct bpf_insn insns[DEVICES_INSNS_MAX];
	char *text = fuzz_alloc(size + 1), *buf = fuzz_alloc(bufsize);
	int n, m, len;
	size_t i, ni;

	memcpy(text, data, size);
	text[size] = '\0';
	n = devices_parse(text, resolve, NULL, r, DEVICES_RULES_MAX);
	fuzz_assert(n >= 0 || n == -E2BIG || n == -ERANGE || n == -EINVAL || n == -ENOENT);
	if (n >= 0) {
		fuzz_assert(n <= DEVICES_RULES_MAX);
		for (i = 0; i < (size_t)n; i++)
			well_formed(&r[i]);
		len = devices_format(r, (size_t)n, buf, bufsize);
		fuzz_assert(len == -ENOBUFS || (len >= 0 && (size_t)len < bufsize));
		if (len >= 0) {
			m = devices_parse(buf, resolve, NULL, back, DEVICES_RULES_MAX);
			fuzz_assert(m == n && same(r, back, (size_t)n));
		}
		if (n > 0) {
			ni = devices_codegen(r, (size_t)n, insns);
			fuzz_assert(ni <= DEVICES_INSNS_MAX);
			m = devices_decode(insns, ni, back, DEVICES_RULES_MAX);
			fuzz_assert(m == n && same(r, back, (size_t)n));
		}
	}
	free(text);
	free(buf);
}

static void insn_case(const uint8_t *data, size_t size)
{
	static struct dev_rule r[DEVICES_RULES_MAX];
	static struct bpf_insn in[DEVICES_INSNS_MAX], again[DEVICES_INSNS_MAX];
	size_t n = size / sizeof(*in), i, m;
	int got;

	if (n > DEVICES_INSNS_MAX)
		n = DEVICES_INSNS_MAX;
	memcpy(in, data, n * sizeof(*in));
	got = devices_decode(in, n, r, DEVICES_RULES_MAX);
	fuzz_assert(got == -EINVAL || (got > 0 && got <= DEVICES_RULES_MAX));
	if (got < 0)
		return;
	for (i = 0; i < (size_t)got; i++)
		well_formed(&r[i]);
	m = devices_codegen(r, (size_t)got, again);
	fuzz_assert(m == n);
	for (i = 0; i < n; i++)
		fuzz_assert(again[i].code == in[i].code && again[i].dst_reg == in[i].dst_reg &&
		            again[i].src_reg == in[i].src_reg && again[i].off == in[i].off &&
		            again[i].imm == in[i].imm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t bufsize;

	if (size < 1)
		return 0;
	bufsize = (size_t)(data[0] >> 1) * 16;
	if (bufsize == 0)
		bufsize = 8192;
	if (data[0] & 1)
		insn_case(data + 1, size - 1);
	else
		text_case(data + 1, size - 1, bufsize);
	return 0;
}
