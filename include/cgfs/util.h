/* SPDX-License-Identifier: MIT */
/*
 * util: small helpers every module shares.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* Cleanup attributes: the variable's resource is given back when it goes
 * out of scope, on every path out of the function. */
static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(const int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

/* CLOCK_MONOTONIC in milliseconds. */
int64_t monotonic_ms(void);

/* Makes room for need elements of size bytes each in a growing array:
 * pv is the address of its pointer (NULL while empty), *cap how many it
 * has room for. Grows it with realloc(3), doubling from first (>= 1).
 * 0, or -ENOMEM with the array and *cap as they were. */
int vec_reserve(void *pv, size_t *cap, size_t need, size_t size, size_t first);
