// SPDX-License-Identifier: MIT
/*
 * serve: a session loop with a fixed thread pool.
 *
 * libfuse's own multi-threaded loop cancels its workers when the session
 * exits, and a worker that has just read a request when that happens
 * drops it unanswered; on a graceful restart that request would fail. Here
 * a stop only interrupts reads that are still waiting (SIGUSR1, installed
 * without SA_RESTART); a request already read is processed and answered.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgfs/serve.h"

#define WAKE_SIGNAL SIGUSR1

static atomic_bool stop_asked; /* by a signal: run the hook, then stop */
static atomic_bool stopping;   /* workers end */
static sem_t wake; /* posted on stop or when a worker ends on its own */

struct worker {
	pthread_t tid;
	struct fuse_session *se;
	atomic_bool done;
	int err;
};

void serve_stop(void)
{
	atomic_store(&stop_asked, true);
	sem_post(&wake); /* async-signal-safe */
}

static void on_stop_signal(int sig)
{
	(void)sig;
	serve_stop();
}

static void on_wake_signal(int sig)
{
	(void)sig; /* only interrupts a waiting read(2) */
}

static void (*after_each)(void);

void serve_after_each(void (*fn)(void))
{
	after_each = fn;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct fuse_buf buf;
	int res;

	memset(&buf, 0, sizeof(buf));
	while (!atomic_load(&stopping) && !fuse_session_exited(w->se)) {
		res = fuse_session_receive_buf(w->se, &buf);
		if (res == -EINTR || res == -EAGAIN)
			continue;
		if (res <= 0) {
			/* 0: unmounted or aborted (libfuse marks the session
			 * exited); below 0: the device failed. */
			w->err = res;
			break;
		}
		fuse_session_process_buf(w->se, &buf);
		if (after_each)
			after_each();
	}
	free(buf.mem);
	atomic_store(&w->done, true);
	sem_post(&wake);
	return NULL;
}

static int set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a waiting read must return EINTR */
	return sigaction(sig, &sa, NULL);
}

static bool any_done(struct worker *w, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (atomic_load(&w[i].done))
			return true;
	return false;
}

int serve_loop(struct fuse_session *se, int nthreads, void (*before_stop)(void *arg),
               void *arg)
{
	struct timespec pause = { 0, 5 * 1000 * 1000 };
	struct worker *w;
	sigset_t wake_set, old;
	int i, started = 0, res = 0;

	if (nthreads < 1)
		nthreads = 1;
	w = calloc((size_t)nthreads, sizeof(*w));
	if (!w || sem_init(&wake, 0, 0) < 0) {
		free(w);
		return -ENOMEM;
	}
	atomic_store(&stopping, false);
	atomic_store(&stop_asked, false);
	if (set_handler(WAKE_SIGNAL, on_wake_signal) < 0 || set_handler(SIGTERM, on_stop_signal) < 0 ||
	    set_handler(SIGINT, on_stop_signal) < 0 || set_handler(SIGHUP, on_stop_signal) < 0) {
		res = -errno;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Workers take WAKE_SIGNAL; this thread does not, so pthread_kill()
	 * below is the only way it reaches a worker. */
	sigemptyset(&wake_set);
	sigaddset(&wake_set, WAKE_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &wake_set, &old);
	for (i = 0; i < nthreads; i++) {
		w[i].se = se;
		if (pthread_create(&w[i].tid, NULL, work, &w[i]) != 0) {
			res = -EAGAIN;
			break;
		}
		started++;
	}
	pthread_sigmask(SIG_BLOCK, &wake_set, NULL);

	while (res == 0 && !atomic_load(&stop_asked) && !any_done(w, started))
		sem_wait(&wake); /* EINTR: look again */
	if (before_stop)
		before_stop(arg);
	atomic_store(&stopping, true);

	/* A worker may have checked the flag just before blocking in read:
	 * keep waking the waiting ones until every worker has ended. */
	for (;;) {
		bool all = true;

		for (i = 0; i < started; i++) {
			if (atomic_load(&w[i].done))
				continue;
			all = false;
			pthread_kill(w[i].tid, WAKE_SIGNAL);
		}
		if (all)
			break;
		nanosleep(&pause, NULL);
	}
	for (i = 0; i < started; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].err < 0 && res == 0)
			res = w[i].err;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
out:
	sem_destroy(&wake);
	free(w);
	return res;
}
