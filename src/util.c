// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgfs/util.h"

int read_file_at(int dfd, const char *path, size_t max, char **ret)
{
	size_t len = 0, size = 4096;
	char *buf, *bigger;
	ssize_t n;
	int fd, r = 0;

	if (max > INT_MAX)
		max = INT_MAX;
	fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(size);
	if (!buf)
		r = -ENOMEM;
	while (r == 0) {
		if (len + 1 == size) {
			bigger = size <= max ? realloc(buf, size * 2) : NULL;
			if (!bigger) {
				r = size <= max ? -ENOMEM : -EFBIG;
				break;
			}
			buf = bigger;
			size *= 2;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0)
			len += (size_t)n;
	}
	close(fd);
	if (r == 0 && len > max)
		r = -EFBIG;
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*ret = buf;
	return (int)len;
}

int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int read_text_at(int dfd, const char *path, size_t max, char **ret)
{
	char *text;
	int n = read_file_at(dfd, path, max, &text);

	if (n < 0)
		return n;
	if (memchr(text, '\0', (size_t)n)) {
		free(text);
		return -EINVAL;
	}
	*ret = text;
	return n;
}

int vec_reserve(void *pv, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t n = *cap ? *cap : (first ? first : 1);
	void *v, *bigger;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		return -ENOMEM;
	/* pv points to a pointer of the caller's type: copied, not cast. */
	memcpy(&v, pv, sizeof(v));
	bigger = realloc(v, n * size);
	if (!bigger)
		return -ENOMEM;
	memcpy(pv, &bigger, sizeof(bigger));
	*cap = n;
	return 0;
}
