// SPDX-License-Identifier: MIT
/* cgfile on a temporary directory, and util's vec_reserve. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgfs/cgfile.h"
#include "cgfs/util.h"

/* ---- a temporary directory per test ---- */

struct tmp {
	char path[PATH_MAX];
	int fd; /* O_PATH of it, as cgroot's base_fd */
};

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	const char *dir = getenv("TMPDIR");

	assert_non_null(t);
	snprintf(t->path, sizeof(t->path), "%s/cgfile-XXXXXX", dir ? dir : "/tmp");
	assert_non_null(mkdtemp(t->path));
	t->fd = open(t->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->fd >= 0);
	*state = t;
	return 0;
}

static void rm_rf(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0) {
		unlinkat(dfd, name, 0);
		return;
	}
	d = fdopendir(fd);
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rm_rf(dirfd(d), de->d_name);
	if (d)
		closedir(d);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;

	cgfile_held_forget();
	cgfile_held_check();
	close(t->fd);
	rm_rf(AT_FDCWD, t->path);
	free(t);
	return 0;
}

static void put(const struct tmp *t, const char *path, const char *text)
{
	int fd = openat(t->fd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* How many descriptors this process has open. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the one of opendir */
}

/* ---- paths ---- */

static void test_join(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(cgfile_join(out, sizeof(out), "a", "b"), 0);
	assert_string_equal(out, "a/b");
	assert_int_equal(cgfile_join(out, sizeof(out), "", "b"), 0);
	assert_string_equal(out, "b");
	assert_int_equal(cgfile_join(out, sizeof(out), NULL, "b"), 0);
	assert_string_equal(out, "b");
	assert_int_equal(cgfile_join(out, sizeof(out), "a", ""), 0);
	assert_string_equal(out, "a");
	assert_int_equal(cgfile_join(out, sizeof(out), "a", NULL), 0);
	assert_string_equal(out, "a");
	assert_int_equal(cgfile_join(out, sizeof(out), "", ""), 0);
	assert_string_equal(out, "");
	/* 7 characters fit in 8 bytes; 8 do not. */
	assert_int_equal(cgfile_join(out, sizeof(out), "abc", "def"), 0);
	assert_string_equal(out, "abc/def");
	assert_int_equal(cgfile_join(out, sizeof(out), "abcd", "efg"), -ENAMETOOLONG);
	assert_int_equal(cgfile_join(out, sizeof(out), "abcdefgh", ""), -ENAMETOOLONG);
}

static void test_dirname(void **state)
{
	char out[PATH_MAX], small[3];

	(void)state;
	cgfile_dirname("a/b/c", out, sizeof(out));
	assert_string_equal(out, "a/b");
	cgfile_dirname("a/b", out, sizeof(out));
	assert_string_equal(out, "a");
	cgfile_dirname("a", out, sizeof(out));
	assert_string_equal(out, "");
	cgfile_dirname("", out, sizeof(out));
	assert_string_equal(out, "");
	cgfile_dirname("abcdef/g", small, sizeof(small));
	assert_string_equal(small, "ab");
}

static void test_path_under(void **state)
{
	(void)state;
	assert_true(cgfile_path_under("a/b", "a", 1));
	assert_true(cgfile_path_under("a/b/c", "a/b", 3));
	assert_false(cgfile_path_under("a", "a", 1));
	assert_false(cgfile_path_under("ab/c", "a", 1));
	assert_false(cgfile_path_under("b/a", "a", 1));
}

/* ---- reading and writing ---- */

static void test_read_short(void **state)
{
	struct tmp *t = *state;
	char buf[64];
	int fd;

	put(t, "f", "hello\n");
	assert_int_equal(cgfile_read_at(t->fd, "f", buf, sizeof(buf)), 6);
	assert_string_equal(buf, "hello\n");
	/* cgfile_read reads from offset 0 whatever the descriptor's offset. */
	fd = openat(t->fd, "f", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, 3), 3);
	assert_int_equal(cgfile_read(fd, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "hello\n");
	close(fd);
}

static void test_read_empty(void **state)
{
	struct tmp *t = *state;
	char buf[8] = "junk";

	put(t, "empty", "");
	assert_int_equal(cgfile_read_at(t->fd, "empty", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_read_larger_than_buffer(void **state)
{
	struct tmp *t = *state;
	char buf[5], *all = NULL;

	put(t, "long", "0123456789");
	/* The fixed-buffer readers cut at size - 1 bytes, as documented. */
	assert_int_equal(cgfile_read_at(t->fd, "long", buf, sizeof(buf)), 4);
	assert_string_equal(buf, "0123");
	/* The allocating reader reads it whole, or says -EFBIG past max. */
	assert_int_equal(cgfile_read_alloc_at(t->fd, "long", 100, &all), 10);
	assert_string_equal(all, "0123456789");
	free(all);
	all = NULL;
	assert_int_equal(cgfile_read_alloc_at(t->fd, "long", 9, &all), -EFBIG);
	assert_null(all);
}

static void test_read_big_alloc(void **state)
{
	struct tmp *t = *state;
	size_t size = 3 * 4096 + 17, i;
	char *text = malloc(size + 1), *all = NULL;

	assert_non_null(text);
	for (i = 0; i < size; i++)
		text[i] = (char)('a' + i % 26);
	text[size] = '\0';
	put(t, "big", text);
	assert_int_equal(cgfile_read_alloc_at(t->fd, "big", size, &all), (int)size);
	assert_string_equal(all, text);
	free(all);
	free(text);
}

static void test_missing(void **state)
{
	struct tmp *t = *state;
	char buf[8], *all = NULL;

	assert_int_equal(cgfile_read_at(t->fd, "none", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(cgfile_read_in(t->fd, "nodir", "none", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(cgfile_read_alloc_at(t->fd, "none", 100, &all), -ENOENT);
	assert_null(all);
	assert_int_equal(cgfile_write_at(t->fd, "none", "x"), -ENOENT);
	assert_int_equal(cgfile_write_in(t->fd, "nodir", "none", "x"), -ENOENT);
}

static void test_in_too_long(void **state)
{
	struct tmp *t = *state;
	char dir[PATH_MAX], buf[8];

	(void)t;
	memset(dir, 'd', sizeof(dir) - 1);
	dir[sizeof(dir) - 1] = '\0';
	assert_int_equal(cgfile_read_in(t->fd, dir, "f", buf, sizeof(buf)), -ENAMETOOLONG);
	assert_int_equal(cgfile_write_in(t->fd, dir, "f", "x"), -ENAMETOOLONG);
}

static void test_write(void **state)
{
	struct tmp *t = *state;
	char buf[64];

	assert_int_equal(mkdirat(t->fd, "g", 0755), 0);
	put(t, "g/f", "old value\n");
	/* An interface file takes a value in place: no truncation. */
	assert_int_equal(cgfile_write_in(t->fd, "g", "f", "new"), 0);
	assert_int_equal(cgfile_read_in(t->fd, "g", "f", buf, sizeof(buf)), 10);
	assert_string_equal(buf, "new value\n");
	assert_int_equal(cgfile_write_at(t->fd, "g/f", "NEW"), 0);
	assert_int_equal(cgfile_read_at(t->fd, "g/f", buf, sizeof(buf)), 10);
	assert_string_equal(buf, "NEW value\n");
	/* A directory cannot be written: the kernel's errno. */
	assert_int_equal(cgfile_write_at(t->fd, "g", "x"), -EISDIR);
}

/* ---- held files ---- */

static void test_held(void **state)
{
	struct tmp *t = *state;
	struct cgfile_seen seen = CGFILE_SEEN_INIT;
	int base = open_fds();
	char buf[64];

	assert_int_equal(mkdirat(t->fd, "g", 0755), 0);
	put(t, "g/f", "one\n");
	assert_int_equal(cgfile_held_read(t->fd, "g", "f", &seen, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "one\n");
	assert_int_equal(seen.dfd, t->fd);
	/* Held open: a second read opens nothing more. */
	assert_int_equal(open_fds(), base + 1);
	assert_int_equal(cgfile_held_write(t->fd, "g", "f", NULL, "two\n"), 0);
	assert_int_equal(open_fds(), base + 2); /* the writer is held too */
	assert_int_equal(cgfile_held_read(t->fd, "g", "f", NULL, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "two\n");
	assert_int_equal(open_fds(), base + 2);
	/* Closed when the group goes (a path below it), not for another. */
	cgfile_held_close("h");
	assert_int_equal(open_fds(), base + 2);
	cgfile_held_close("g");
	assert_int_equal(open_fds(), base);
	/* And by forget, at the thread's next check. */
	assert_int_equal(cgfile_held_read(t->fd, "g", "f", NULL, buf, sizeof(buf)), 4);
	assert_int_equal(open_fds(), base + 1);
	cgfile_held_forget();
	assert_int_equal(open_fds(), base + 1);
	cgfile_held_check();
	assert_int_equal(open_fds(), base);
}

static void test_held_other_dir(void **state)
{
	struct tmp *t = *state;
	char buf[64];

	assert_int_equal(mkdirat(t->fd, "g", 0755), 0);
	put(t, "g/f", "first\n");
	assert_int_equal(cgfile_held_read(t->fd, "g", "f", NULL, buf, sizeof(buf)), 6);
	/* Another directory under the same name: its file, not the held one. */
	assert_int_equal(renameat(t->fd, "g", t->fd, "old"), 0);
	assert_int_equal(mkdirat(t->fd, "g", 0755), 0);
	put(t, "g/f", "second\n");
	assert_int_equal(cgfile_held_read(t->fd, "g", "f", NULL, buf, sizeof(buf)), 7);
	assert_string_equal(buf, "second\n");
	assert_int_equal(cgfile_held_read(t->fd, "g", "none", NULL, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(cgfile_held_read(t->fd, "x", "f", NULL, buf, sizeof(buf)), -ENOENT);
}

/* ---- directories ---- */

struct seen_names {
	int dirs, regs, dots, stop_at, calls;
	bool found_sub;
};

static int note(void *arg, const char *name, unsigned char type, ino_t ino)
{
	struct seen_names *s = arg;

	s->calls++;
	assert_true(ino > 0);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		s->dots++;
	else if (type == DT_DIR)
		s->dirs++;
	else if (type == DT_REG)
		s->regs++;
	if (!strcmp(name, "sub"))
		s->found_sub = true;
	return s->stop_at && s->calls == s->stop_at ? 42 : 0;
}

static void test_dir_each(void **state)
{
	struct tmp *t = *state;
	struct seen_names s = { 0 };
	char name[NAME_MAX + 1];
	int i, fd;

	assert_int_equal(mkdirat(t->fd, "d", 0755), 0);
	assert_int_equal(mkdirat(t->fd, "d/sub", 0755), 0);
	assert_int_equal(mkdirat(t->fd, "d/.self", 0755), 0);
	put(t, "d/file", "x");
	assert_int_equal(cgfile_dir_each_at(t->fd, "d", note, &s), 0);
	assert_int_equal(s.dots, 0);
	assert_int_equal(s.dirs, 2);
	assert_int_equal(s.regs, 1);
	assert_true(s.found_sub);

	/* The directory of dfd itself, and from an open descriptor. */
	fd = openat(t->fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(cgfile_dir_each_at(fd, "", note, &s), 0);
	assert_int_equal(s.dirs + s.regs, 3);
	memset(&s, 0, sizeof(s));
	assert_int_equal(cgfile_dir_each(fd, note, &s), 0);
	assert_int_equal(s.dirs + s.regs, 3);
	close(fd);

	/* A non-zero answer stops the walk and is its result. */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	assert_int_equal(cgfile_dir_each_at(t->fd, "d", note, &s), 42);
	assert_int_equal(s.calls, 2);

	/* More entries than one getdents64 buffer holds. */
	assert_int_equal(mkdirat(t->fd, "many", 0755), 0);
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "many/%0200d", i);
		put(t, name, "");
	}
	memset(&s, 0, sizeof(s));
	assert_int_equal(cgfile_dir_each_at(t->fd, "many", note, &s), 0);
	assert_int_equal(s.regs, 600);

	assert_int_equal(cgfile_dir_each_at(t->fd, "none", note, &s), -ENOENT);
	assert_int_equal(cgfile_dir_each_at(t->fd, "d/file", note, &s), -ENOTDIR);
}

/* ---- vec_reserve ---- */

static void test_vec_reserve(void **state)
{
	int *v = NULL;
	size_t cap = 0, i;
	char *bytes = NULL;

	(void)state;
	assert_int_equal(vec_reserve(&v, &cap, 0, sizeof(*v), 4), 0);
	assert_null(v);
	assert_int_equal(cap, 0);
	assert_int_equal(vec_reserve(&v, &cap, 1, sizeof(*v), 4), 0);
	assert_non_null(v);
	assert_int_equal(cap, 4);
	for (i = 0; i < 4; i++)
		v[i] = (int)i;
	/* Doubling, keeping what was there. */
	assert_int_equal(vec_reserve(&v, &cap, 5, sizeof(*v), 4), 0);
	assert_int_equal(cap, 8);
	assert_int_equal(vec_reserve(&v, &cap, 20, sizeof(*v), 4), 0);
	assert_int_equal(cap, 32);
	for (i = 0; i < 4; i++)
		assert_int_equal(v[i], (int)i);
	/* Room enough: nothing changes. */
	assert_int_equal(vec_reserve(&v, &cap, 32, sizeof(*v), 4), 0);
	assert_int_equal(cap, 32);
	/* Beyond what can be allocated: -ENOMEM, the array as it was. */
	assert_int_equal(vec_reserve(&v, &cap, SIZE_MAX / 2, sizeof(*v), 4), -ENOMEM);
	assert_int_equal(cap, 32);
	assert_int_equal(v[3], 3);
	free(v);
	/* first 0 counts as 1. */
	cap = 0;
	assert_int_equal(vec_reserve(&bytes, &cap, 3, 1, 0), 0);
	assert_non_null(bytes);
	assert_int_equal(cap, 4);
	free(bytes);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tmp_setup, tmp_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_dirname),
		cmocka_unit_test(test_path_under),
		T(test_read_short),
		T(test_read_empty),
		T(test_read_larger_than_buffer),
		T(test_read_big_alloc),
		T(test_missing),
		T(test_in_too_long),
		T(test_write),
		T(test_held),
		T(test_held_other_dir),
		T(test_dir_each),
		cmocka_unit_test(test_vec_reserve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
