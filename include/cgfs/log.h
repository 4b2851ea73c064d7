/* SPDX-License-Identifier: MIT */
/*
 * log: one line per message on stderr (journald adds time and unit), with
 * a syslog-style "<N>" prefix when stderr is the journal.
 */
#pragma once

#include <stddef.h>
#include <syslog.h>

extern int log_max_level; /* LOG_ERR .. LOG_DEBUG; default LOG_INFO */

void log_init(void);

/* Copies in to out (size bytes, NUL-terminated, cut at a whole escape),
 * every byte outside printable ASCII and the backslash written as \xNN,
 * so that no text a user controls can end a log line or start another
 * (a forged "cgfs: error: ..." or a journald "<0>" prefix). Returns the
 * length written. */
size_t log_escape(const char *in, char *out, size_t size);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) \
	do { if (log_max_level >= LOG_DEBUG) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)
