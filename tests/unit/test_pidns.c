// SPDX-License-Identifier: MIT
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgfs/pidns.h"

/* ---- pure parts ---- */

static void test_parse_nspid(void **state)
{
	pid_t ids[PIDNS_MAX_LEVELS];

	assert_int_equal(pidns_parse_nspid("Name:\tsh\nNSpid:\t4242\n", ids, 8), 1);
	assert_int_equal(ids[0], 4242);
	assert_int_equal(pidns_parse_nspid("Name:\tsh\nNSpid:\t4242\t17\t1\nNSpgid:\t1\n",
	                                   ids, 8), 3);
	assert_int_equal(ids[0], 4242);
	assert_int_equal(ids[1], 17);
	assert_int_equal(ids[2], 1);
	/* at the very start, and the last line without a newline */
	assert_int_equal(pidns_parse_nspid("NSpid:\t9\t3", ids, 8), 2);
	assert_int_equal(ids[1], 3);
	/* NStgid and NSpgid are not NSpid */
	assert_int_equal(pidns_parse_nspid("NStgid:\t5\nNSpgid:\t5\n", ids, 8), -EINVAL);
	assert_int_equal(pidns_parse_nspid("Name:\tx\n", ids, 8), -EINVAL);
	assert_int_equal(pidns_parse_nspid("x\nNSpid:\n", ids, 8), -EINVAL);
	assert_int_equal(pidns_parse_nspid("x\nNSpid:\t12a\n", ids, 8), -EINVAL);
	assert_int_equal(pidns_parse_nspid("x\nNSpid:\t-1\n", ids, 8), -EINVAL);
	assert_int_equal(pidns_parse_nspid("x\nNSpid:\t0\n", ids, 8), -EINVAL);
	assert_int_equal(pidns_parse_nspid("x\nNSpid:\t99999999999\n", ids, 8), -EINVAL);
	/* more levels than room: refused, not cut */
	assert_int_equal(pidns_parse_nspid("x\nNSpid:\t1\t2\t3\n", ids, 2), -EINVAL);
}

static void test_steps_up(void **state)
{
	/* a host process seen from the host */
	assert_int_equal(pidns_steps_up(1, 0), 0);
	/* a container's process seen from the host, and from the container */
	assert_int_equal(pidns_steps_up(2, 0), 1);
	assert_int_equal(pidns_steps_up(2, 1), 0);
	/* a nested container's process seen from the outer container */
	assert_int_equal(pidns_steps_up(3, 1), 1);
	/* a host process has no pid in a container */
	assert_int_equal(pidns_steps_up(1, 1), -ESRCH);
	assert_int_equal(pidns_steps_up(2, 3), -ESRCH);
	assert_int_equal(pidns_steps_up(0, 0), -ESRCH);
	assert_int_equal(pidns_steps_up(1, -1), -ESRCH);
}

/* host pid -> 1000 + pid, odd pids invisible, 666 an error */
static int fake_map(void *arg, pid_t pid, pid_t *ret)
{
	(*(int *)arg)++;
	if (pid == 666)
		return -EIO;
	if (pid % 2)
		return -ESRCH;
	*ret = 1000 + pid;
	return 0;
}

static void check_map(const char *in, int want_res, const char *want)
{
	char *out = NULL;
	int calls = 0, res;

	res = pidns_map_list(in, strlen(in), fake_map, &calls, &out);
	assert_int_equal(res, want_res);
	if (res < 0) {
		assert_null(out);
		return;
	}
	assert_non_null(out);
	assert_int_equal(strlen(want), (size_t)res);
	assert_memory_equal(out, want, (size_t)res);
	free(out);
}

static void test_map_list(void **state)
{
	check_map("", 0, "");
	check_map("2\n", 5, "1002\n");
	check_map("2\n3\n4\n", 10, "1002\n1004\n");
	check_map("3\n5\n", 0, "");
	/* no newline after the last */
	check_map("2\n8", 10, "1002\n1008\n");
	/* numbers that grow when translated, many of them: the buffer grows */
	check_map("2\n4\n6\n8\n2\n4\n6\n8\n2\n4\n6\n8\n", 60,
	          "1002\n1004\n1006\n1008\n1002\n1004\n1006\n1008\n1002\n1004\n1006\n1008\n");
	check_map("2\n\n4\n", -EINVAL, NULL);
	check_map("2\nx\n", -EINVAL, NULL);
	check_map("2\n-4\n", -EINVAL, NULL);
	check_map("2\n 4\n", -EINVAL, NULL);
	check_map("0\n", -EINVAL, NULL);
	check_map("99999999999999999999\n", -EINVAL, NULL);
	check_map("2\n666\n4\n", -EIO, NULL);
}

/* ---- against the kernel: real pid namespaces ----
 *
 *   test (host)
 *   +- X  unshare(NEWPID)          +- Z  unshare(NEWPID)
 *      +- A1  1 in A                  +- C1  1 in C
 *         +- A2  2 in A
 *         +- Y   3 in A, unshare(NEWPID)
 *            +- B1  1 in B, 4 in A
 *
 * A and C are siblings below the host's namespace, B is below A. The
 * numbers inside are known by construction (a new namespace counts from
 * 1); the host's are read from /proc/PID/task/PID/children. */

struct tree {
	pid_t x, z, a1, a2, y, b1, c1;
};

static void wait_forever(void)
{
	for (;;)
		pause();
}

/* fork, the child dying with its parent */
static pid_t fork_child(void)
{
	pid_t p = fork();

	if (p == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return p;
}

/* A process that makes a new pid namespace and one child in it, which
 * runs body() (or waits). */
static pid_t spawn_ns(void (*body)(void))
{
	pid_t p = fork_child();

	if (p != 0)
		return p;
	if (unshare(CLONE_NEWPID) < 0)
		_exit(3);
	if (fork_child() == 0) {
		if (body)
			body();
		wait_forever();
	}
	wait_forever();
	return 0;
}

static void a1_body(void)
{
	if (fork_child() == 0)
		wait_forever();
	/* Y, pid 3: a namespace below A, with B1 in it */
	spawn_ns(NULL);
}

/* The i-th child of pid (in fork order), or 0 after waiting 5 s. */
static pid_t child_of(pid_t pid, int i)
{
	char path[64], buf[256];
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int tries, n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	for (tries = 0; tries < 500; tries++) {
		FILE *f = fopen(path, "r");
		char *p = buf, *end;
		long v = 0;

		if (f) {
			n = (int)fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
			buf[n > 0 ? n : 0] = '\0';
			for (n = 0; n <= i; n++) {
				v = strtol(p, &end, 10);
				if (end == p)
					break;
				p = end;
			}
			if (n > i && v > 0)
				return (pid_t)v;
		}
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int tree_setup(void **state)
{
	static struct tree t;

	memset(&t, 0, sizeof(t));
	t.x = spawn_ns(a1_body);
	t.z = spawn_ns(NULL);
	t.a1 = child_of(t.x, 0);
	t.c1 = child_of(t.z, 0);
	if (t.a1) {
		t.a2 = child_of(t.a1, 0);
		t.y = child_of(t.a1, 1);
	}
	if (t.y)
		t.b1 = child_of(t.y, 0);
	*state = &t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	pid_t *p;

	/* A namespace's init dying takes every process of it along. */
	for (p = &t->x; p <= &t->c1; p++)
		if (*p > 0)
			kill(*p, SIGKILL);
	waitpid(t->x, NULL, 0);
	waitpid(t->z, NULL, 0);
	pidns_use_ioctl(true);
	return 0;
}

static void tree_ready(struct tree *t)
{
	if (!t->a1 || !t->a2 || !t->y || !t->b1 || !t->c1) {
		/* skip(), loudly: the kernel part is the point of this test */
		print_message("SKIPPED: cannot make pid namespaces here (unshare: not root?)\n");
		skip();
	}
}

static pid_t from_host(struct pidns_view *v, pid_t host)
{
	pid_t got = -1;
	int r = pidns_from_host(v, host, &got);

	return r < 0 ? r : got;
}

static pid_t to_host(struct pidns_view *v, pid_t pid)
{
	pid_t got = -1;
	int r = pidns_to_host(v, pid, &got);

	return r < 0 ? r : got;
}

static void check_tree(struct tree *t)
{
	struct pidns_view a, b, c, h, blind;
	char *buf, want[64];
	int len;

	assert_int_equal(pidns_view_open(&a, t->a1), 0);
	assert_int_equal(pidns_view_open(&b, t->b1), 0);
	assert_int_equal(pidns_view_open(&c, t->c1), 0);
	assert_int_equal(pidns_view_open(&h, getpid()), 0);
	assert_int_equal(pidns_view_open(&blind, 0), 0);
	assert_false(a.same);
	assert_true(h.same);

	/* host -> inside */
	assert_int_equal(from_host(&a, t->a1), 1);
	assert_int_equal(from_host(&a, t->a2), 2);
	assert_int_equal(from_host(&a, t->y), 3);
	assert_int_equal(from_host(&a, t->b1), 4);
	assert_int_equal(from_host(&a, t->c1), -ESRCH);
	assert_int_equal(from_host(&a, t->x), -ESRCH);
	assert_int_equal(from_host(&a, getpid()), -ESRCH);
	assert_int_equal(from_host(&b, t->b1), 1);
	assert_int_equal(from_host(&b, t->a1), -ESRCH);
	assert_int_equal(from_host(&b, t->y), -ESRCH);
	assert_int_equal(from_host(&c, t->c1), 1);
	assert_int_equal(from_host(&c, t->a2), -ESRCH);
	assert_int_equal(from_host(&h, t->b1), t->b1);
	assert_int_equal(from_host(&blind, t->a1), -ESRCH);

	/* inside -> host */
	assert_int_equal(to_host(&a, 1), t->a1);
	assert_int_equal(to_host(&a, 2), t->a2);
	assert_int_equal(to_host(&a, 4), t->b1);
	assert_int_equal(to_host(&a, 5), -ESRCH);
	assert_int_equal(to_host(&b, 1), t->b1);
	assert_int_equal(to_host(&b, 2), -ESRCH);
	assert_int_equal(to_host(&c, 1), t->c1);
	assert_int_equal(to_host(&c, 2), -ESRCH);
	assert_int_equal(to_host(&h, 77), 77);
	assert_int_equal(to_host(&blind, 1), -ESRCH);

	/* a listing as A sees it: its own, in order, the others left out */
	buf = malloc(128);
	assert_non_null(buf);
	len = snprintf(buf, 128, "%d\n%d\n%d\n%d\n%d\n", (int)t->a1, (int)getpid(), (int)t->b1,
	               (int)t->c1, (int)t->a2);
	len = pidns_list(&a, &buf, len);
	snprintf(want, sizeof(want), "1\n4\n2\n");
	assert_int_equal(len, (int)strlen(want));
	assert_memory_equal(buf, want, (size_t)len);
	/* the same list for the host: unchanged */
	assert_int_equal(pidns_list(&h, &buf, len), len);
	assert_memory_equal(buf, want, (size_t)len);
	/* nothing for a caller the daemon cannot see */
	assert_int_equal(pidns_list(&blind, &buf, len), 0);
	free(buf);

	pidns_view_close(&a);
	pidns_view_close(&b);
	pidns_view_close(&c);
	pidns_view_close(&h);
	pidns_view_close(&blind);
}

static void test_kernel_ioctl(void **state)
{
	tree_ready(*state);
	pidns_use_ioctl(true);
	check_tree(*state);
}

static void test_kernel_proc(void **state)
{
	tree_ready(*state);
	pidns_use_ioctl(false);
	check_tree(*state);
	pidns_use_ioctl(true);
}

static void test_gone(void **state)
{
	struct pidns_view v;
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	assert_int_equal(pidns_view_open(&v, p), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_nspid),
		cmocka_unit_test(test_steps_up),
		cmocka_unit_test(test_map_list),
		cmocka_unit_test(test_gone),
	};
	const struct CMUnitTest kernel[] = {
		cmocka_unit_test(test_kernel_ioctl),
		cmocka_unit_test(test_kernel_proc),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	return failed + cmocka_run_group_tests_name("kernel", kernel, tree_setup, tree_teardown);
}
