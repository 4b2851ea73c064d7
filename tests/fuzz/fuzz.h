/* SPDX-License-Identifier: MIT */
/*
 * What every libFuzzer target here shares: turning the input bytes into
 * C strings it owns, and invariants that abort (libFuzzer then saves the
 * input as a crash) rather than assert(), which NDEBUG could remove.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_assert(cond)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
			        #cond);                                                    \
			abort();                                                           \
		}                                                                          \
	} while (0)

static inline void *fuzz_alloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		abort();
	return p;
}

/* A buffer of size bytes, even 0, that ends where its allocation ends, so
 * AddressSanitizer sees a byte written past it (it gives malloc(0) one
 * byte). Free *ret_base. */
static inline char *fuzz_exact(size_t size, char **ret_base)
{
	*ret_base = fuzz_alloc(size + 1);
	return *ret_base + 1;
}

/* len bytes as a NUL-terminated string in a buffer of exactly len + 1
 * bytes, so AddressSanitizer sees any read past the terminator. A NUL
 * inside simply ends the string early, as it would for a C caller. */
static inline char *fuzz_strndup(const uint8_t *data, size_t len)
{
	char *s = fuzz_alloc(len + 1);

	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

/* Next NUL-separated piece of *data; the last piece runs to the end. */
static inline const uint8_t *fuzz_piece(const uint8_t **data, size_t *size, size_t *ret_len)
{
	const uint8_t *p = *data, *nul;

	if (!p)
		return NULL;
	nul = memchr(p, '\0', *size);
	if (nul) {
		*ret_len = (size_t)(nul - p);
		*size -= *ret_len + 1;
		*data = nul + 1;
	} else {
		*ret_len = *size;
		*size = 0;
		*data = NULL;
	}
	return p;
}
