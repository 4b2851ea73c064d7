// SPDX-License-Identifier: MIT
#include <stdarg.h>
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

void log_msg(int level, const char *fmt, ...)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
	};
	char line[1024];
	va_list ap;

	if (level > log_max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_prefix)
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "cgfs: %s: %s\n", names[level & 7], line);
}
