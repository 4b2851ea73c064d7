// SPDX-License-Identifier: MIT
/*
 * xop: one file-system call, its outcome printed as "OK" or the errno's
 * name (EINVAL, EACCES, ...), so shell tests can assert exact errnos.
 *
 *   xop write FILE TEXT [OFFSET]   open(O_WRONLY|O_TRUNC) + pwrite
 *   xop writefrom FILE SRC         write SRC's bytes (NULs, 1 MiB) in one call
 *   xop read FILE                  prints the content after "OK"
 *   xop mkdir DIR | rmdir DIR | unlink F | create F | mknod F | stat F
 *   xop rename A B | link A B | symlink TARGET NAME
 *   xop chmod F OCTAL | chown F UID | truncate F | touch F
 *   xop setxattr F NAME VALUE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static int report(int r)
{
	if (r < 0) {
		printf("%s\n", strerrorname_np(errno));
		return 1;
	}
	printf("OK\n");
	return 0;
}

static int do_write(const char *file, const char *buf, size_t len, off_t off)
{
	int fd = open(file, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return report(-1);
	n = pwrite(fd, buf, len, off);
	if (n >= 0 && (size_t)n != len) {
		printf("SHORT %zd\n", n);
		close(fd);
		return 1;
	}
	report(n < 0 ? -1 : 0);
	close(fd);
	return n < 0;
}

static int do_writefrom(const char *file, const char *src)
{
	static char buf[2 << 20];
	int fd = open(src, O_RDONLY);
	ssize_t len;

	if (fd < 0)
		return report(-1);
	len = read(fd, buf, sizeof(buf));
	close(fd);
	if (len < 0)
		return report(-1);
	return do_write(file, buf, (size_t)len, 0);
}

static int do_read(const char *file)
{
	char buf[65536];
	int fd = open(file, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return report(-1);
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		close(fd);
		return report(-1);
	}
	close(fd);
	printf("OK\n");
	fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	int fd;

	if (!strcmp(op, "write") && argc >= 4)
		return do_write(argv[2], argv[3], strlen(argv[3]),
		                argc > 4 ? strtoll(argv[4], NULL, 10) : 0);
	if (!strcmp(op, "writefrom") && argc == 4)
		return do_writefrom(argv[2], argv[3]);
	if (!strcmp(op, "read") && argc == 3)
		return do_read(argv[2]);
	if (!strcmp(op, "mkdir") && argc == 3)
		return report(mkdir(argv[2], 0755));
	if (!strcmp(op, "rmdir") && argc == 3)
		return report(rmdir(argv[2]));
	if (!strcmp(op, "stat") && argc == 3) {
		struct stat st;

		return report(stat(argv[2], &st));
	}
	if (!strcmp(op, "unlink") && argc == 3)
		return report(unlink(argv[2]));
	if (!strcmp(op, "create") && argc == 3) {
		fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd >= 0)
			close(fd);
		return report(fd);
	}
	if (!strcmp(op, "mknod") && argc == 3)
		return report(mknod(argv[2], S_IFIFO | 0644, 0));
	if (!strcmp(op, "rename") && argc == 4)
		return report(rename(argv[2], argv[3]));
	if (!strcmp(op, "link") && argc == 4)
		return report(link(argv[2], argv[3]));
	if (!strcmp(op, "symlink") && argc == 4)
		return report(symlink(argv[2], argv[3]));
	if (!strcmp(op, "chmod") && argc == 4)
		return report(chmod(argv[2], (mode_t)strtol(argv[3], NULL, 8)));
	if (!strcmp(op, "chown") && argc == 4)
		return report(chown(argv[2], (uid_t)atoi(argv[3]), (gid_t)-1));
	if (!strcmp(op, "truncate") && argc == 3)
		return report(truncate(argv[2], 0));
	if (!strcmp(op, "touch") && argc == 3)
		return report(utimensat(AT_FDCWD, argv[2], NULL, 0));
	if (!strcmp(op, "setxattr") && argc == 5)
		return report(setxattr(argv[2], argv[3], argv[4], strlen(argv[4]), 0));
	fprintf(stderr, "xop: bad usage\n");
	return 2;
}
