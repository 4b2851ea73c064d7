// SPDX-License-Identifier: MIT
/*
 * devices: deny rules as text and as cgfs's own device program.
 *
 * The program is straight-line code, one block per rule, so that it can
 * be read back exactly (devices_decode): cgfs keeps no state, the kernel
 * holds the list, and a new server learns it from the program attached.
 *
 *   r2 = ctx->access_type; r3 = r2 & 0xffff (the type); r2 >>= 16 (the
 *   access); r4 = ctx->major; r5 = ctx->minor
 *   per rule: if r3 != TYPE goto next   (left out for 'a')
 *             if r4 != MAJOR goto next  (left out for '*')
 *             if r5 != MINOR goto next  (left out for '*')
 *             r0 = r2 & ACCESS; if r0 == 0 goto next; return 0 (deny)
 *   return 1 (allow)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cgfs/devices.h"
#include "cgfs/units.h"

/* ---- text ---- */

/* BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_DEV_CHAR as a rule's TYPE letter. */
static unsigned type_code(char t)
{
	return t == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
}

static int parse_access(const char *s, unsigned *ret)
{
	unsigned acc = 0, bit;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		bit = *s == 'r' ? DEVICES_ACC_READ : *s == 'w' ? DEVICES_ACC_WRITE :
		      *s == 'm' ? DEVICES_ACC_MKNOD : 0;
		if (!bit || (acc & bit))
			return -EINVAL;
		acc |= bit;
	}
	*ret = acc;
	return 0;
}

/* A major or minor: decimal up to max, or "*". */
static int parse_num(const char *s, uint64_t max, uint32_t *ret)
{
	uint64_t n;
	int res;

	if (strcmp(s, "*") == 0) {
		*ret = DEVICES_ANY;
		return 0;
	}
	res = units_parse_uint(s, 0, max, 0, &n);
	if (res < 0)
		return res;
	*ret = (uint32_t)n;
	return 0;
}

/* "MAJOR:MINOR". */
static int parse_devnum(char *s, struct dev_rule *r)
{
	char *colon = strchr(s, ':');
	int res;

	if (!colon || colon == s || !colon[1])
		return -EINVAL;
	*colon = '\0';
	res = parse_num(s, DEVICES_MAJOR_MAX, &r->major);
	if (res == 0)
		res = parse_num(colon + 1, DEVICES_MINOR_MAX, &r->minor);
	return res;
}

/* Splits line into at most 3 blank-separated tokens, in place: how many,
 * or -EINVAL for more. */
static int tokens(char *line, char *tok[3])
{
	int n = 0;
	char *p = line;

	for (;;) {
		p += strspn(p, " \t");
		if (!*p)
			return n;
		if (n == 3)
			return -EINVAL;
		tok[n++] = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
	}
}

static int parse_rule(char *line, devices_resolve_fn resolve, void *ctx, struct dev_rule *r)
{
	char *tok[3], type;
	unsigned maj, min;
	int n = tokens(line, tok), res;

	if (n == 2 && strncmp(tok[0], "/dev/", 5) == 0 && tok[0][5]) {
		res = parse_access(tok[1], &r->access);
		if (res < 0 || !resolve) {
			r->type = '/';
			r->major = r->minor = DEVICES_ANY;
			return res;
		}
		res = resolve(ctx, tok[0], &type, &maj, &min);
		if (res < 0)
			return res;
		if ((type != 'c' && type != 'b') || maj > DEVICES_MAJOR_MAX ||
		    min > DEVICES_MINOR_MAX)
			return -EINVAL;
		r->type = type;
		r->major = maj;
		r->minor = min;
		return 0;
	}
	if (n != 3 || strlen(tok[0]) != 1 || !strchr("abc", tok[0][0]))
		return -EINVAL;
	r->type = tok[0][0];
	res = parse_access(tok[2], &r->access);
	return res < 0 ? res : parse_devnum(tok[1], r);
}

static bool same_device(const struct dev_rule *a, const struct dev_rule *b)
{
	return a->type != '/' && a->type == b->type && a->major == b->major &&
	       a->minor == b->minor;
}

int devices_parse(const char *text, devices_resolve_fn resolve, void *ctx,
                  struct dev_rule *ret, size_t max)
{
	char line[DEVICES_LINE_MAX + 1];
	const char *p = text;
	size_t n = 0, len, i;
	struct dev_rule r;
	int res;

	for (i = 0; text[i]; i++)
		if (text[i] != '\n' && text[i] != '\t' && (text[i] < ' ' || text[i] > '~'))
			return -EINVAL;
	while (*p) {
		len = strcspn(p, "\n,");
		if (len > DEVICES_LINE_MAX)
			return -EINVAL;
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (p[len] != '\0');
		if (line[strspn(line, " \t")] == '\0')
			continue;
		res = parse_rule(line, resolve, ctx, &r);
		if (res < 0)
			return res;
		for (i = 0; i < n; i++)
			if (same_device(&ret[i], &r))
				return -EINVAL;
		if (n == max)
			return -E2BIG;
		ret[n++] = r;
	}
	return (int)n;
}

/* A major or minor as written: decimal, or "*". */
static void num_text(uint32_t v, char *buf, size_t size)
{
	if (v == DEVICES_ANY)
		snprintf(buf, size, "*");
	else
		snprintf(buf, size, "%u", v);
}

int devices_format(const struct dev_rule *rules, size_t n, char *buf, size_t size)
{
	char acc[4], *a, maj[16], min[16];
	size_t len = 0, i;
	int res;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		a = acc;
		if (rules[i].access & DEVICES_ACC_READ)
			*a++ = 'r';
		if (rules[i].access & DEVICES_ACC_WRITE)
			*a++ = 'w';
		if (rules[i].access & DEVICES_ACC_MKNOD)
			*a++ = 'm';
		*a = '\0';
		num_text(rules[i].major, maj, sizeof(maj));
		num_text(rules[i].minor, min, sizeof(min));
		res = snprintf(buf + len, size - len, "%c %s:%s %s\n", rules[i].type, maj, min, acc);
		if (res < 0 || (size_t)res >= size - len)
			return -ENOBUFS;
		len += (size_t)res;
	}
	return (int)len;
}

/* ---- the program ---- */

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
                                                .off = (o), .imm = (i) })
#define LDX_W(d, o) INSN(BPF_LDX | BPF_MEM | BPF_W, d, 1, o, 0)
#define MOV_X(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_K(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define AND_K(d, i) INSN(BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, i)
#define RSH_K(d, i) INSN(BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, i)
#define JNE_K(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JEQ_K(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers: the type, major and minor each rule compares. */
enum { R_ACC = 2, R_TYPE = 3, R_MAJOR = 4, R_MINOR = 5 };
#define HEAD_LEN 6
#define TAIL_LEN 2
#define BLOCK_TAIL 5

static const struct bpf_insn head[HEAD_LEN] = {
	LDX_W(R_ACC, 0),
	MOV_X(R_TYPE, R_ACC),
	AND_K(R_TYPE, 0xffff),
	RSH_K(R_ACC, 16),
	LDX_W(R_MAJOR, 4),
	LDX_W(R_MINOR, 8),
};

static const struct bpf_insn tail[TAIL_LEN] = { MOV_K(0, 1), EXIT() };

static size_t block(const struct dev_rule *r, struct bpf_insn *out)
{
	size_t k = 0, len, i;

	if (r->type != 'a')
		out[k++] = JNE_K(R_TYPE, (int32_t)type_code(r->type), 0);
	if (r->major != DEVICES_ANY)
		out[k++] = JNE_K(R_MAJOR, (int32_t)r->major, 0);
	if (r->minor != DEVICES_ANY)
		out[k++] = JNE_K(R_MINOR, (int32_t)r->minor, 0);
	len = k + BLOCK_TAIL;
	for (i = 0; i < k; i++)
		out[i].off = (int16_t)(len - i - 1); /* to the next block */
	out[k++] = MOV_X(0, R_ACC);
	out[k++] = AND_K(0, (int32_t)r->access);
	out[k++] = JEQ_K(0, 0, 2);
	out[k++] = MOV_K(0, 0);
	out[k++] = EXIT();
	return len;
}

size_t devices_codegen(const struct dev_rule *rules, size_t n, struct bpf_insn *ret)
{
	size_t len = HEAD_LEN, i;

	memcpy(ret, head, sizeof(head));
	for (i = 0; i < n; i++)
		len += block(&rules[i], ret + len);
	memcpy(ret + len, tail, sizeof(tail));
	return len + TAIL_LEN;
}

static bool same_insn(const struct bpf_insn *a, const struct bpf_insn *b)
{
	return a->code == b->code && a->dst_reg == b->dst_reg && a->src_reg == b->src_reg &&
	       a->off == b->off && a->imm == b->imm;
}

static bool same_insns(const struct bpf_insn *a, const struct bpf_insn *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!same_insn(&a[i], &b[i]))
			return false;
	return true;
}

/* One rule's block at in (avail instructions left before the tail):
 * its length, or 0 if it is not one block() makes. */
static size_t unblock(const struct bpf_insn *in, size_t avail, struct dev_rule *r)
{
	static const int regs[] = { R_TYPE, R_MAJOR, R_MINOR };
	struct bpf_insn want[DEVICES_INSNS_PER_RULE];
	size_t k = 0, j;

	*r = (struct dev_rule){ 'a', DEVICES_ANY, DEVICES_ANY, 0 };
	for (j = 0; j < 3 && k < avail; j++) {
		if (in[k].code != (BPF_JMP | BPF_JNE | BPF_K) || in[k].dst_reg != regs[j])
			continue;
		if (j == 0 && in[k].imm == BPF_DEVCG_DEV_CHAR)
			r->type = 'c';
		else if (j == 0 && in[k].imm == BPF_DEVCG_DEV_BLOCK)
			r->type = 'b';
		else if (j == 0)
			return 0;
		else if (j == 1 && in[k].imm >= 0 && (uint32_t)in[k].imm <= DEVICES_MAJOR_MAX)
			r->major = (uint32_t)in[k].imm;
		else if (j == 2 && in[k].imm >= 0 && (uint32_t)in[k].imm <= DEVICES_MINOR_MAX)
			r->minor = (uint32_t)in[k].imm;
		else
			return 0;
		k++;
	}
	if (k + BLOCK_TAIL > avail || in[k + 1].code != (BPF_ALU64 | BPF_AND | BPF_K) ||
	    in[k + 1].imm <= 0 || in[k + 1].imm > (int32_t)DEVICES_ACC_ALL)
		return 0;
	r->access = (unsigned)in[k + 1].imm;
	/* the whole block again, from the rule: offsets and all */
	if (block(r, want) != k + BLOCK_TAIL || !same_insns(in, want, k + BLOCK_TAIL))
		return 0;
	return k + BLOCK_TAIL;
}

int devices_decode(const struct bpf_insn *insns, size_t n, struct dev_rule *ret, size_t max)
{
	size_t pos = HEAD_LEN, len, count = 0;
	struct dev_rule r;

	if (n < HEAD_LEN + TAIL_LEN || !same_insns(insns, head, HEAD_LEN) ||
	    !same_insns(insns + n - TAIL_LEN, tail, TAIL_LEN))
		return -EINVAL;
	while (pos < n - TAIL_LEN) {
		len = unblock(insns + pos, n - TAIL_LEN - pos, &r);
		if (len == 0 || count == max)
			return -EINVAL;
		ret[count++] = r;
		pos += len;
	}
	return count ? (int)count : -EINVAL;
}
