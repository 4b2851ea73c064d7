// SPDX-License-Identifier: MIT
/*
 * knobs_text: kernel text read through knob_io, numbers written back, and
 * values rendered as the one line a knob file shows.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgfs/units.h"
#include "knobs_int.h"

/* ---- reading and writing through knob_io ---- */

bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* The version of the hierarchy serving c, or -ENOENT when none does. */
int need_version(const struct knob_io *io, enum cg_ctrl c)
{
	int v = io->version(io->ctx, c);

	return v == 1 || v == 2 ? v : -ENOENT;
}

int row_version(const struct knob *k, const struct knob_io *io)
{
	int v = need_version(io, k->ctrl);

	return v > 0 && !file_of(k, v) ? -ENOENT : v;
}

/* The version serving k once a value parsed (res, 0 or -errno): a value
 * that does not parse is refused even where no hierarchy serves k. */
int parsed_version(int res, const struct knob *k, const struct knob_io *io)
{
	return res < 0 ? res : row_version(k, io);
}

/* k's file, and its second file, on hierarchy version v (1 or 2). */
const char *file_of(const struct knob *k, int v)
{
	return v == 1 ? k->v1_file : k->v2_file;
}

const char *aux_of(const struct knob *k, int v)
{
	return v == 1 ? k->v1_aux : k->v2_aux;
}

/* How version v writes "no limit". */
const char *no_limit(int v)
{
	return v == 1 ? "-1" : "max";
}

/* Reads a whole interface file, trailing newline and blanks removed. */
int read_text(const struct knob_io *io, enum cg_ctrl c, const char *file, char *buf,
              size_t size)
{
	int n = io->read(io->ctx, c, file, buf, size);

	if (n < 0)
		return n;
	if ((size_t)n >= size)
		n = (int)size - 1;
	buf[n] = '\0';
	while (n > 0 && is_blank(buf[n - 1]))
		buf[--n] = '\0';
	return n;
}

/* A number as the kernel prints it: decimal, or "max" -> UNITS_MAX.
 * Text we do not understand is the kernel's surprise, not the user's
 * mistake: -EIO. */
int parse_kernel_u64(const char *s, uint64_t *ret)
{
	if (strcmp(s, "max") == 0) {
		*ret = UNITS_MAX;
		return 0;
	}
	return units_parse_uint(s, 0, UNITS_MAX - 1, 0, ret) < 0 ? -EIO : 0;
}

int read_u64(const struct knob_io *io, enum cg_ctrl c, const char *file, uint64_t *ret)
{
	char buf[LINE_TEXT];
	int res = read_text(io, c, file, buf, sizeof(buf));

	return res < 0 ? res : parse_kernel_u64(buf, ret);
}

/* The value of "key N" in a flat-keyed file (cpu.stat, memory.events,
 * cgroup.events, memory.oom_control, io.weight's "default N"). Keys are
 * whole words: "oom_kill" is not "oom_kill_disable". -ENODATA if absent. */
int keyed_value(const char *text, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (*line) {
		const char *end = strchrnul(line, '\n');
		char num[NUM_TEXT];
		size_t n;

		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			n = (size_t)(end - line) - klen - 1;
			if (n >= sizeof(num))
				return -EIO;
			memcpy(num, line + klen + 1, n);
			num[n] = '\0';
			return parse_kernel_u64(num, ret);
		}
		line = *end ? end + 1 : end;
	}
	return -ENODATA;
}

int read_keyed(const struct knob_io *io, enum cg_ctrl c, const char *file, const char *key,
               uint64_t *ret)
{
	char buf[KNOB_TEXT_MAX];
	int res = read_text(io, c, file, buf, sizeof(buf));

	return res < 0 ? res : keyed_value(buf, key, ret);
}

int write_u64(const struct knob_io *io, enum cg_ctrl c, const char *file, uint64_t v)
{
	char text[NUM_TEXT];

	snprintf(text, sizeof(text), "%" PRIu64, v);
	return io->write(io->ctx, c, file, text);
}

/* ---- rendering: every value is one line ---- */

int put_line(char *buf, size_t size, const char *text)
{
	int n = snprintf(buf, size, "%s\n", text);

	return n < 0 || (size_t)n >= size ? -ENOBUFS : n;
}

int put_u64(char *buf, size_t size, uint64_t v)
{
	char text[NUM_TEXT];

	if (v == UNITS_MAX)
		return put_line(buf, size, "max");
	snprintf(text, sizeof(text), "%" PRIu64, v);
	return put_line(buf, size, text);
}

int put_mib(char *buf, size_t size, uint64_t bytes)
{
	char text[NUM_TEXT];
	int res = units_format_mib(bytes, text, sizeof(text));

	return res < 0 ? res : put_line(buf, size, text);
}

int put_percent(char *buf, size_t size, uint64_t centi)
{
	char text[NUM_TEXT];
	int res = units_format_percent(centi, text, sizeof(text));

	return res < 0 ? res : put_line(buf, size, text);
}
