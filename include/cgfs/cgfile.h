/* SPDX-License-Identifier: MIT */
/*
 * cgfile: the kernel's interface files (cgroup, /proc, /sys) read and
 * written as the kernel wants them: from offset 0, each write one whole
 * value in one write(2). Also the per-thread cache of open interface
 * files and the one directory iterator. Nothing here knows groups: paths
 * are relative to a directory descriptor (AT_FDCWD for a plain path).
 * Every function returns 0 or a length, or -errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- paths ---- */

/* a/b into out; a or b empty (or NULL) gives the other alone. 0, or
 * -ENAMETOOLONG when it does not fit in size bytes (out is then cut). */
int cgfile_join(char *out, size_t size, const char *a, const char *b);

/* The part of path before its last '/' ("" when it has none) into out,
 * cut to size - 1 bytes (size >= 1). Cannot fail. */
void cgfile_dirname(const char *path, char *out, size_t size);

/* Whether path names a file or directory below dir, given as its first
 * len bytes ("a/b" is below "a", "a" and "ab/c" are not). */
bool cgfile_path_under(const char *path, const char *dir, size_t len);

/* ---- reading and writing ----
 *
 * The fixed-buffer readers put the file's text from offset 0 into buf,
 * NUL-terminated, and return its length. They read at most size - 1
 * bytes (size >= 1): a longer file is cut there, without an error, as
 * interface files are read into buffers sized for them; a file that may
 * be long takes cgfile_read_alloc_at(). A read that yields nothing at
 * all returns the kernel's -errno (-ENODEV: the cgroup was removed). */

/* From an open file (read with pread(2): its offset is not used). */
int cgfile_read(int fd, char *buf, size_t size);
/* From path below dfd: also openat(2)'s -errno (-ENOENT: no such file). */
int cgfile_read_at(int dfd, const char *path, char *buf, size_t size);
/* From dir/file below dfd: as cgfile_read_at, -ENAMETOOLONG too. */
int cgfile_read_in(int dfd, const char *dir, const char *file, char *buf, size_t size);

/* The whole file path below dfd, however long up to max bytes, into a
 * malloc'd NUL-terminated *ret (the caller frees it). Its length, or
 * -errno with *ret untouched: -EFBIG beyond max, -ENOMEM, openat(2)'s
 * and read(2)'s. */
int cgfile_read_alloc_at(int dfd, const char *path, size_t max, char **ret);
/* The same for a text: -EINVAL (nothing returned) if the file holds a
 * NUL byte, which no text cgfs parses as a C string may. */
int cgfile_read_text_at(int dfd, const char *path, size_t max, char **ret);

/* Writes text to path below dfd in one write(2): 0, the kernel's -errno
 * (openat's -ENOENT for no such file), or -EIO when it took only part. */
int cgfile_write_at(int dfd, const char *path, const char *text);
/* The same for dir/file below dfd; -ENAMETOOLONG too. */
int cgfile_write_in(int dfd, const char *dir, const char *file, const char *text);

/* ---- held interface files ----
 *
 * Each thread holds the interface files it used last open (the most
 * recently used few) and reads and writes them at offset 0, for as long
 * as their directory's path still names the same directory. */

/* The directory one operation's files are in, as first looked up during
 * the operation: its files (meminfo reads two or more) need one look-up,
 * not one each. Start with CGFILE_SEEN_INIT. */
struct cgfile_seen {
	int dfd; /* < 0: not looked up yet */
	dev_t dev;
	ino_t ino;
};
#define CGFILE_SEEN_INIT { .dfd = -1 }

/* As cgfile_read_in() and cgfile_write_in() (seen may be NULL), through
 * the calling thread's held file for dir/file, opened and held if it has
 * none. A held file of a cgroup removed meanwhile (-ENODEV) is opened
 * again once, which finds the cgroup made anew or gives -ENOENT. */
int cgfile_held_read(int dfd, const char *dir, const char *file, struct cgfile_seen *seen,
                     char *buf, size_t size);
int cgfile_held_write(int dfd, const char *dir, const char *file, struct cgfile_seen *seen,
                      const char *text);

/* A directory was removed by someone else: every thread closes the files
 * it holds before it uses one again. Cannot fail. */
void cgfile_held_forget(void);
/* Closes every thread's held files below dir (a path as given to the
 * readers; "" closes nothing) now, waiting for a thread using one of
 * them to finish. Cannot fail. */
void cgfile_held_close(const char *dir);
/* The calling thread closes its held files now if cgfile_held_forget()
 * was called since it last looked (one atomic load otherwise). */
void cgfile_held_check(void);

/* ---- directories ---- */

/* Calls fn(arg, name, type, ino) for every entry of the directory open
 * at fd but "." and ".." (type: the DT_* of its dirent), from the fd's
 * offset on (0 for a new fd) with getdents64(2) itself: opendir(3) costs
 * an fstat and two fcntl more, and removing a group lists a dozen. Stops
 * at fn's first non-zero value and returns it; 0 once every entry was
 * seen; -errno (-ENOMEM, getdents64's). */
int cgfile_dir_each(int fd, int (*fn)(void *arg, const char *name, unsigned char type,
                                      ino_t ino),
                    void *arg);
/* The same for the directory path below dfd ("" for dfd itself; dfd may
 * be O_PATH), opened for the call: openat(2)'s -errno too (-ENOENT: no
 * such directory, -ENOTDIR). */
int cgfile_dir_each_at(int dfd, const char *path,
                       int (*fn)(void *arg, const char *name, unsigned char type, ino_t ino),
                       void *arg);
