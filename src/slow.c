// SPDX-License-Identifier: MIT
/*
 * slow: a thread per slow operation, bounded per user (see slow.h).
 *
 * Most freezes take hold within a millisecond and never come here: the
 * caller asks, looks once, and only a freeze still pending (or a v1 kill,
 * or a removal that has to move or kill processes) is handed over. The
 * serving threads, sized for ordinary requests, are then never held: a
 * user who can make freezes that never take hold (a group holding a
 * process that waits for cgfs itself) makes at most SLOW_PER_USER threads
 * wait, not the ones that answer others.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "cgfs/group.h"
#include "cgfs/slow.h"

struct user_count {
	uid_t uid;
	unsigned n;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_ended = PTHREAD_COND_INITIALIZER;
/* One entry per uid with operations in flight (at most SLOW_MAX). */
static struct user_count users[SLOW_MAX];
static unsigned n_users, in_flight;
static bool stopped;

struct job {
	uid_t uid;
	void (*fn)(void *arg);
	void *arg;
};

static struct user_count *user_find(uid_t uid)
{
	unsigned i;

	for (i = 0; i < n_users; i++)
		if (users[i].uid == uid)
			return &users[i];
	return NULL;
}

int slow_begin(uid_t uid)
{
	struct user_count *u;
	int res = -EAGAIN;

	pthread_mutex_lock(&lock);
	u = user_find(uid);
	if (in_flight >= SLOW_MAX || (u && u->n >= SLOW_PER_USER))
		goto out;
	if (!u) {
		u = &users[n_users++];
		u->uid = uid;
		u->n = 0;
	}
	u->n++;
	in_flight++;
	res = 0;
out:
	pthread_mutex_unlock(&lock);
	return res;
}

void slow_end(uid_t uid)
{
	struct user_count *u;

	pthread_mutex_lock(&lock);
	u = user_find(uid);
	if (u && u->n > 0) {
		in_flight--;
		if (--u->n == 0)
			*u = users[--n_users];
		if (in_flight == 0)
			pthread_cond_broadcast(&all_ended);
	}
	pthread_mutex_unlock(&lock);
}

static void *job_thread(void *arg)
{
	struct job j = *(struct job *)arg;

	free(arg);
	pthread_setname_np(pthread_self(), "cgfs-slow");
	j.fn(j.arg);
	/* (The files this thread kept are closed as it ends: group.c.) */
	slow_end(j.uid);
	return NULL;
}

void slow_run(uid_t uid, void (*fn)(void *arg), void *arg)
{
	pthread_attr_t attr;
	struct job *j = NULL;
	pthread_t tid;
	bool inline_run;
	int res = -1;

	pthread_mutex_lock(&lock);
	inline_run = stopped;
	pthread_mutex_unlock(&lock);
	if (!inline_run && (j = malloc(sizeof(*j))) && pthread_attr_init(&attr) == 0) {
		*j = (struct job){ uid, fn, arg };
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		res = pthread_create(&tid, &attr, job_thread, j);
		pthread_attr_destroy(&attr);
	}
	if (res == 0)
		return;
	free(j);
	fn(arg);
	slow_end(uid);
}

void slow_stop(void)
{
	pthread_mutex_lock(&lock);
	stopped = true;
	pthread_mutex_unlock(&lock);
	group_cut_waits(true);
	pthread_mutex_lock(&lock);
	while (in_flight > 0)
		pthread_cond_wait(&all_ended, &lock);
	pthread_mutex_unlock(&lock);
}
