// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgfs/slow.h"

/* A job that waits until the test lets it go, and says when it ran. */
static sem_t go, ran;

static void held(void *arg)
{
	int *where = arg;

	sem_wait(&go);
	*where = 1;
	sem_post(&ran);
}

/* Whether uid gets n places within a minute (a job's thread gives its
 * place back just after its fn returns); gives them back. */
static bool places_back(uid_t uid, int n)
{
	int i, got = 0;

	for (i = 0; i < 60000 && got < n; i++) {
		if (slow_begin(uid) == 0)
			got++;
		else
			usleep(1000);
	}
	for (i = 0; i < got; i++)
		slow_end(uid);
	return got == n;
}

static void test_bound_per_user(void **state)
{
	int done[SLOW_PER_USER] = { 0 };
	int i;

	sem_init(&go, 0, 0);
	sem_init(&ran, 0, 0);
	for (i = 0; i < SLOW_PER_USER; i++) {
		assert_int_equal(slow_begin(1000), 0);
		slow_run(1000, held, &done[i]);
	}
	/* Alice is at her bound while her jobs wait; bob is not. */
	assert_int_equal(slow_begin(1000), -EAGAIN);
	assert_int_equal(slow_begin(1001), 0);
	slow_end(1001);
	/* Each job runs on a thread of its own: none has run yet, and the
	 * caller was not held. */
	for (i = 0; i < SLOW_PER_USER; i++)
		assert_int_equal(done[i], 0);
	/* One ends: one place is free again. */
	sem_post(&go);
	sem_wait(&ran);
	assert_true(places_back(1000, 1));
	for (i = 1; i < SLOW_PER_USER; i++)
		sem_post(&go);
	assert_true(places_back(1000, SLOW_PER_USER));
}

static void test_bound_for_all(void **state)
{
	int i, n = 0;

	/* As many uids as there are places, each under its own bound. */
	for (i = 0; i < SLOW_MAX + 1; i++)
		if (slow_begin((uid_t)(2000 + i / 2)) == 0)
			n++;
	assert_int_equal(n, SLOW_MAX);
	assert_int_equal(slow_begin(5), -EAGAIN);
	for (i = 0; i < SLOW_MAX; i++)
		slow_end((uid_t)(2000 + i / 2));
	assert_int_equal(slow_begin(5), 0);
	slow_end(5);
}

static void test_end_without_begin_is_ignored(void **state)
{
	slow_end(4242);
	assert_int_equal(slow_begin(4242), 0);
	slow_end(4242);
	slow_end(4242);
	assert_int_equal(slow_begin(4242), 0);
	slow_end(4242);
}

static void mark(void *arg)
{
	*(int *)arg = 1;
}

/* After slow_stop, with every job ended, a job runs in the caller. */
static void test_stop_waits_then_runs_inline(void **state)
{
	int done = 0;

	sem_init(&go, 0, 0);
	sem_init(&ran, 0, 0);
	assert_int_equal(slow_begin(7), 0);
	slow_run(7, held, &done);
	sem_post(&go);
	slow_stop(); /* returns once the job has ended */
	assert_int_equal(done, 1);
	done = 0;
	assert_int_equal(slow_begin(7), 0);
	slow_run(7, mark, &done);
	assert_int_equal(done, 1);
	assert_int_equal(slow_begin(7), 0);
	slow_end(7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bound_per_user),
		cmocka_unit_test(test_bound_for_all),
		cmocka_unit_test(test_end_without_begin_is_ignored),
		cmocka_unit_test(test_stop_waits_then_runs_inline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
