// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs/log.h"

int log_max_level = LOG_INFO;
static int log_prefix; /* stderr is the journal: prefix "<N>" for levels */

void log_init(void)
{
	/* systemd sets JOURNAL_STREAM when stderr is connected to journald. */
	log_prefix = getenv("JOURNAL_STREAM") != NULL;
}

size_t log_escape(const char *in, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	size_t n = 0;

	if (size == 0)
		return 0;
	for (p = (const unsigned char *)in; *p; p++) {
		bool plain = *p >= 0x20 && *p < 0x7f && *p != '\\';
		size_t need = plain ? 1 : 4;

		if (n + need >= size)
			break;
		if (plain) {
			out[n++] = (char)*p;
			continue;
		}
		out[n++] = '\\';
		out[n++] = 'x';
		out[n++] = hex[*p >> 4];
		out[n++] = hex[*p & 15];
	}
	out[n] = '\0';
	return n;
}

void log_msg(int level, const char *fmt, ...)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
	};
	char raw[1024], line[4 * sizeof(raw)];
	va_list ap;

	if (level > log_max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* Names and values in messages come from users: a newline or a
	 * "<N>" after one must not make a line of its own. */
	log_escape(raw, line, sizeof(line));
	if (log_prefix)
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "cgfs: %s: %s\n", names[level & 7], line);
}
