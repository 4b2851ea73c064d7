/* SPDX-License-Identifier: MIT */
/*
 * procview's own: the output buffer its renderers fill (procview.c,
 * procview_stat.c, procview_disk.c).
 */
#pragma once

#include <stddef.h>

/* Text rendered into buf (size bytes), len of them so far, always
 * NUL-terminated. */
struct procview_out {
	char *buf;
	size_t size, len;
};

/* Appends n bytes of s; -ENOBUFS where they do not fit. */
int procview_out_bytes(struct procview_out *o, const char *s, size_t n);

/* Appends a printf rendering; -ENOBUFS where it does not fit. */
int procview_out_printf(struct procview_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
