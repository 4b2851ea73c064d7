/* SPDX-License-Identifier: MIT */
/*
 * util: small helpers every module shares.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Reads a whole file of unknown size (proc and cgroup files report none)
 * relative to dfd (AT_FDCWD for a plain path) into a malloc'd,
 * NUL-terminated buffer. At most max bytes: -EFBIG beyond. Returns the
 * length, or -errno with *ret untouched. */
int read_file_at(int dfd, const char *path, size_t max, char **ret);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t monotonic_ms(void);
