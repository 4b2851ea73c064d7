// SPDX-License-Identifier: MIT
/*
 * cgload: clients using a cgfs directory the way people and tools do, for a
 * bounded time, counting every failure by errno.
 *
 *   cgload [-c CLIENTS] [-t SECONDS] [-a ERRNO,...] [-m mixed|rw] DIR
 *
 * mixed: each client (a process) repeats: mkdir DIR/cK-N, write and read
 * back memory_limit_mb and pids_max, move itself in through procs and
 * check it is listed, list the group, move itself back to DIR, rmdir; and
 * reads DIR's memory_limit_mb through a file it opened once at the start.
 * rw: each client writes and reads back DIR/memory_limit_mb.
 *
 * Errors named with -a are expected (counted, not failures). At the end
 * every client removes whatever of its groups is left (an operation that
 * failed because the server died may still have happened). Prints one line
 * per client and a total:
 *   cgload: ops=N errors=E unexpected=U maxgap_ms=G [ERRNO=count ...]
 * maxgap_ms is the longest time a client went without a successful
 * operation. Exit status 0 only when U is 0 and every client did work.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ERRNO 256
#define EBADVALUE (MAX_ERRNO - 1) /* read back something else */

struct tally {
	long ops, errors, unexpected;
	long maxgap_ms;
	long by_errno[MAX_ERRNO];
};

static bool allowed[MAX_ERRNO];
static const char *dir;
static struct tally t;
static long last_ok_ms;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *ename(int e)
{
	if (e == EBADVALUE)
		return "BADVALUE";
	return strerrorname_np(e) ? strerrorname_np(e) : "E?";
}

/* Records one operation's outcome; returns ok. */
static bool note(bool ok, int err, const char *what)
{
	long now = now_ms();

	t.ops++;
	if (ok) {
		if (now - last_ok_ms > t.maxgap_ms)
			t.maxgap_ms = now - last_ok_ms;
		last_ok_ms = now;
		return true;
	}
	if (err <= 0 || err >= MAX_ERRNO)
		err = EIO;
	t.errors++;
	t.by_errno[err]++;
	if (!allowed[err]) {
		t.unexpected++;
		if (t.unexpected <= 5)
			fprintf(stderr, "cgload[%d]: %s: %s\n", (int)getpid(), what, ename(err));
	}
	return false;
}

static bool put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n = -1;
	int err;

	if (fd >= 0) {
		n = write(fd, val, strlen(val));
		err = errno;
		close(fd);
		errno = err;
	}
	return note(n == (ssize_t)strlen(val), errno, path);
}

static bool get(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = -1;
	int err;

	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		err = errno;
		close(fd);
		errno = err;
	}
	if (n >= 0)
		buf[n] = '\0';
	return note(n >= 0, errno, path);
}

static void expect(const char *path, const char *want)
{
	char buf[4096];

	if (get(path, buf, sizeof(buf)) && strcmp(buf, want) != 0)
		note(false, EBADVALUE, path);
}

static bool listed(const char *procs, pid_t pid)
{
	char buf[8192], *p, *end;

	if (!get(procs, buf, sizeof(buf)))
		return true; /* counted already */
	for (p = buf; *p; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (v == pid)
			return true;
	}
	return false;
}

static void list(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;

	if (!d) {
		note(false, errno, path);
		return;
	}
	errno = 0;
	while (readdir(d))
		n++;
	note(errno == 0 && n > 2, errno ? errno : EBADVALUE, path);
	closedir(d);
}

static void held_read(int fd)
{
	char buf[64];
	ssize_t n;

	if (fd < 0)
		return;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	note(n > 0, n < 0 ? errno : EBADVALUE, "held file");
}

static void mixed_round(int client, long n, int held)
{
	char g[4096], f[4200], v[32], me[32];

	snprintf(g, sizeof(g), "%s/c%d-%ld", dir, client, n);
	snprintf(me, sizeof(me), "%d", (int)getpid());
	if (!note(mkdir(g, 0755) == 0, errno, g))
		return;
	snprintf(f, sizeof(f), "%s/memory_limit_mb", g);
	snprintf(v, sizeof(v), "%ld", 64 + n % 64);
	if (put(f, v)) {
		strcat(v, "\n");
		expect(f, v);
	}
	snprintf(f, sizeof(f), "%s/pids_max", g);
	snprintf(v, sizeof(v), "%ld", 100 + n % 100);
	if (put(f, v)) {
		strcat(v, "\n");
		expect(f, v);
	}
	snprintf(f, sizeof(f), "%s/procs", g);
	if (put(f, me) && !listed(f, getpid()))
		note(false, EBADVALUE, "procs");
	list(g);
	held_read(held);
	snprintf(f, sizeof(f), "%s/procs", dir);
	put(f, me);
	note(rmdir(g) == 0, errno, g);
}

static void rw_round(long n)
{
	char f[4200], v[32];

	snprintf(f, sizeof(f), "%s/memory_limit_mb", dir);
	snprintf(v, sizeof(v), "%ld", 128 + n % 64);
	if (put(f, v)) {
		strcat(v, "\n");
		expect(f, v);
	}
}

/* Removes what is left of this client's groups. */
static void leftovers(int client)
{
	char prefix[32], g[4200];
	struct dirent *e;
	DIR *d;
	int tries;

	snprintf(prefix, sizeof(prefix), "c%d-", client);
	for (tries = 0; tries < 50; tries++) {
		bool left = false;

		d = opendir(dir);
		if (!d) {
			usleep(100000);
			continue;
		}
		while ((e = readdir(d))) {
			if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
				continue;
			snprintf(g, sizeof(g), "%s/%s", dir, e->d_name);
			if (rmdir(g) < 0 && errno != ENOENT)
				left = true;
		}
		closedir(d);
		if (!left)
			return;
		usleep(100000);
	}
	fprintf(stderr, "cgload: client %d could not remove its groups\n", client);
	t.unexpected++;
}

static void client_main(int client, int seconds, bool mixed, int out)
{
	char f[4200];
	long end = now_ms() + seconds * 1000L, n;
	int held = -1;

	last_ok_ms = now_ms();
	if (mixed) {
		snprintf(f, sizeof(f), "%s/memory_limit_mb", dir);
		held = open(f, O_RDONLY);
		note(held >= 0, errno, "open held file");
	}
	for (n = 0; now_ms() < end; n++) {
		if (mixed)
			mixed_round(client, n, held);
		else
			rw_round(n);
	}
	if (held >= 0)
		close(held);
	if (mixed)
		leftovers(client);
	if (write(out, &t, sizeof(t)) != sizeof(t))
		_exit(2);
	_exit(0);
}

static void parse_allowed(char *list)
{
	char *tok, *save = NULL;
	int e;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (e = 1; e < MAX_ERRNO - 1; e++) {
			const char *nm = strerrorname_np(e);

			if (nm && strcmp(nm, tok) == 0) {
				allowed[e] = true;
				break;
			}
		}
		if (e == MAX_ERRNO - 1) {
			fprintf(stderr, "cgload: unknown errno name %s\n", tok);
			exit(2);
		}
	}
}

static void print_tally(const char *who, const struct tally *x)
{
	int e;

	printf("%s: ops=%ld errors=%ld unexpected=%ld maxgap_ms=%ld", who, x->ops, x->errors,
	       x->unexpected, x->maxgap_ms);
	for (e = 1; e < MAX_ERRNO; e++)
		if (x->by_errno[e])
			printf(" %s=%ld", ename(e), x->by_errno[e]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct tally total = { 0 }, one;
	int clients = 8, seconds = 60, opt, i, p[2], status, bad = 0;
	bool mixed = true;
	pid_t *pids;
	char who[32];

	while ((opt = getopt(argc, argv, "c:t:a:m:")) != -1) {
		switch (opt) {
		case 'c':
			clients = atoi(optarg);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		case 'a':
			parse_allowed(optarg);
			break;
		case 'm':
			mixed = strcmp(optarg, "rw") != 0;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || clients < 1 || clients > 256 || seconds < 1) {
		fprintf(stderr, "usage: cgload [-c CLIENTS] [-t SECONDS] [-a ERRNO,...] "
		                "[-m mixed|rw] DIR\n");
		return 2;
	}
	dir = argv[optind];
	pids = calloc((size_t)clients, sizeof(*pids));
	if (!pids || pipe(p) < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < clients; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(p[0]);
			client_main(i, seconds, mixed, p[1]);
		}
		if (pids[i] < 0)
			return 2;
	}
	close(p[1]);
	for (i = 0; i < clients; i++) {
		if (read(p[0], &one, sizeof(one)) != sizeof(one)) {
			bad = 1;
			break;
		}
		snprintf(who, sizeof(who), "client");
		print_tally(who, &one);
		total.ops += one.ops;
		total.errors += one.errors;
		total.unexpected += one.unexpected;
		if (one.maxgap_ms > total.maxgap_ms)
			total.maxgap_ms = one.maxgap_ms;
		for (status = 0; status < MAX_ERRNO; status++)
			total.by_errno[status] += one.by_errno[status];
		if (one.ops == 0)
			bad = 1;
	}
	for (i = 0; i < clients; i++) {
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	}
	print_tally("cgload", &total);
	free(pids);
	return bad || total.unexpected ? 1 : 0;
}
