// SPDX-License-Identifier: MIT
/*
 * serve: a session loop with a fixed thread pool, one reader at a time.
 *
 * libfuse's own multi-threaded loop cancels its workers when the session
 * exits, and a worker that has just read a request when that happens
 * drops it unanswered; on a graceful restart that request would fail. Here
 * a stop only interrupts waits (SIGUSR1, installed without SA_RESTART); a
 * request already read is processed and answered.
 *
 * What a request costs on these machines is mostly wake-ups: a thread
 * asleep in read(2) on the device is woken on another CPU (an exit on a
 * VM, tens of microseconds), and the kernel wakes the waiter that has
 * slept longest, a cold one. So only one thread, the reader, waits on the
 * device, and after answering it polls the device for SERVE_SPIN_US
 * before it sleeps there: the next request of a caller doing one thing
 * after another (open, read, close; mkdir, write, ...) is taken without a
 * wake-up. The others sleep on a semaphore, and the reader wakes one
 * (hands over the reading) when it sees more requests queued behind the
 * one it took, or when its request has taken SERVE_SLOW_MS (a freeze that
 * waits, a write the kernel blocks): callers in parallel are served in
 * parallel, and a slow request holds up no other. Once requests have been
 * seen queued, every worker reads the device for SERVE_PARALLEL_US, as in
 * a plain pool (a turn to wait for would serialise parallel callers), and
 * no worker spins while another processes a request.
 */
#include <errno.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgfs/serve.h"

#define WAKE_SIGNAL SIGUSR1

#define SERVE_SLOW_MS 2

static atomic_bool stop_asked; /* by a signal: run the hook, then stop */
static atomic_bool stopping;   /* workers end */
static sem_t wake; /* posted on stop or when a worker ends on its own */

static unsigned spin_us = SERVE_SPIN_US;
static atomic_int readers;  /* workers holding a reader's turn */
static int pool_size;       /* the turns while callers run in parallel */
static sem_t standby;       /* workers waiting for the turn */
static atomic_int n_standby;
static atomic_uint served;      /* requests taken, for the monitor */
static atomic_int busy;         /* workers answering an awaited request */
/* Callers in parallel were seen lately (until then, in us): every worker
 * reads the device, as in a plain pool. */
#define SERVE_PARALLEL_US 5000
static _Atomic uint64_t parallel_until;
static atomic_bool mon_parked;  /* the monitor sleeps until a request comes */
static sem_t mon_wake;

struct worker {
	pthread_t tid;
	struct fuse_session *se;
	atomic_bool done;
	int err;
	_Atomic uint64_t started; /* when its request began (us), 0 when idle */
	bool awaited;             /* its request counts in busy */
	uint64_t handed;          /* the request the monitor handed over for */
};

void serve_set_spin(unsigned us)
{
	spin_us = us;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Whether a request is waiting in the device. */
static bool queued(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* Whether a caller waits for this request's answer. RELEASE and the
 * FORGETs are sent in the background, usually just before the caller's
 * next request: that one is no other caller's. */
static bool awaited(const struct fuse_buf *buf)
{
	const struct fuse_in_header *in = buf->mem;

	if (buf->size < sizeof(*in))
		return true;
	switch (in->opcode) {
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		return false;
	default:
		return true;
	}
}

/* Another worker takes the reader's turn, if one is waiting for it. */
static void hand_over(void)
{
	if (atomic_load(&n_standby) > 0)
		sem_post(&standby);
}

static bool in_parallel(uint64_t now)
{
	return now < atomic_load(&parallel_until);
}

/* An awaited request came while another was answered or queued: callers
 * run in parallel. Entering the mode wakes the workers on standby for the
 * turns it adds. */
static void parallel_seen(void)
{
	uint64_t now = now_us();
	int n;

	if (atomic_exchange(&parallel_until, now + SERVE_PARALLEL_US) > now)
		return;
	for (n = atomic_load(&n_standby); n > 0; n--)
		sem_post(&standby);
}

static int turns(void)
{
	return in_parallel(now_us()) ? pool_size : 1;
}

static bool try_turn(void)
{
	int n = atomic_load(&readers);

	while (n < turns())
		if (atomic_compare_exchange_weak(&readers, &n, n + 1))
			return true;
	return false;
}

/* Waits for a reader's turn; false when the loop stops. */
static bool take_turn(void)
{
	while (!try_turn()) {
		if (atomic_load(&stopping))
			return false;
		atomic_fetch_add(&n_standby, 1);
		/* Checked again after counting in: a turn given back meanwhile
		 * posted nothing for us. */
		if (atomic_load(&readers) >= turns())
			sem_wait(&standby); /* EINTR on a stop: look again */
		atomic_fetch_sub(&n_standby, 1);
	}
	return true;
}

/* The reader, before it sleeps on the device: polls it for spin_us. */
static void spin(struct fuse_session *se)
{
	uint64_t end;
	int fd = fuse_session_fd(se);

	/* Only for a caller doing one thing after another: with callers in
	 * parallel, the CPU time polling would take is theirs (and the poll
	 * contends for the lock the kernel queues requests under). */
	end = now_us();
	if (!spin_us || atomic_load(&busy) > 0 || in_parallel(end))
		return;
	end += spin_us;
	while (!queued(fd) && !atomic_load(&stopping) && now_us() < end)
		;
}

/* While requests come, looks every SERVE_SLOW_MS for one taking that
 * long and then wakes a waiting worker, so the next request is read
 * meanwhile; between bursts it sleeps. Costs the requests nothing but a
 * clock read (and the first of a burst, a post). */
struct monitor_arg {
	struct worker *w;
	int n;
};

static bool any_busy(const struct worker *w, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (atomic_load(&w[i].started))
			return true;
	return false;
}

static void *monitor(void *arg)
{
	const struct monitor_arg *m = arg;
	struct timespec tick = { 0, SERVE_SLOW_MS * 1000000L };
	unsigned seen = atomic_load(&served);
	uint64_t now, t;
	int i;

	pthread_setname_np(pthread_self(), "cgfs-monitor");
	while (!atomic_load(&stopping)) {
		nanosleep(&tick, NULL); /* EINTR on a stop */
		now = now_us();
		for (i = 0; i < m->n; i++) {
			t = atomic_load(&m->w[i].started);
			if (t && now - t >= SERVE_SLOW_MS * 1000 && m->w[i].handed != t) {
				m->w[i].handed = t;
				hand_over();
			}
		}
		if (atomic_load(&served) != seen || any_busy(m->w, m->n)) {
			seen = atomic_load(&served);
			continue;
		}
		/* Idle: a request that starts after this is seen posts. */
		atomic_store(&mon_parked, true);
		if (any_busy(m->w, m->n) || atomic_load(&served) != seen) {
			atomic_store(&mon_parked, false);
		} else {
			while (atomic_load(&mon_parked) && !atomic_load(&stopping))
				sem_wait(&mon_wake);
		}
		seen = atomic_load(&served);
	}
	return NULL;
}

static void request_begins(struct worker *w)
{
	atomic_store(&w->started, now_us());
	if (w->awaited)
		atomic_fetch_add(&busy, 1);
	atomic_fetch_add(&served, 1);
	if (atomic_load(&mon_parked) && atomic_exchange(&mon_parked, false))
		sem_post(&mon_wake);
}

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
	(void)sig; /* only interrupts a wait */
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

	pthread_setname_np(pthread_self(), "cgfs-worker");
	memset(&buf, 0, sizeof(buf));
	while (!atomic_load(&stopping) && !fuse_session_exited(w->se)) {
		if (!take_turn())
			break;
		spin(w->se);
		res = fuse_session_receive_buf(w->se, &buf);
		atomic_fetch_sub(&readers, 1);
		if (res == -EINTR || res == -EAGAIN)
			continue;
		if (res <= 0) {
			/* 0: unmounted or aborted (libfuse marks the session
			 * exited); below 0: the device failed. */
			w->err = res;
			break;
		}
		/* Callers in parallel: the next request is read meanwhile. */
		w->awaited = awaited(&buf);
		if (w->awaited) {
			bool more = queued(fuse_session_fd(w->se));

			if (more || atomic_load(&busy) > 0)
				parallel_seen();
			if (more)
				hand_over();
		}
		request_begins(w);
		fuse_session_process_buf(w->se, &buf);
		atomic_store(&w->started, 0);
		if (w->awaited)
			atomic_fetch_sub(&busy, 1);
		if (after_each)
			after_each();
	}
	free(buf.mem);
	hand_over(); /* whoever waits for the turn goes on, or sees the stop */
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
	struct monitor_arg marg;
	pthread_t mon;
	bool have_mon = false;
	int i, started = 0, res = 0;

	if (nthreads < 1)
		nthreads = 1;
	w = calloc((size_t)nthreads, sizeof(*w));
	if (!w || sem_init(&wake, 0, 0) < 0 || sem_init(&standby, 0, 0) < 0) {
		free(w);
		return -ENOMEM;
	}
	atomic_store(&stopping, false);
	atomic_store(&stop_asked, false);
	atomic_store(&readers, 0);
	/* Fewer (one per CPU) measured slower: a request then waits for a
	 * reader more often than it wakes a cold one. */
	pool_size = nthreads;
	atomic_store(&n_standby, 0);
	atomic_store(&busy, 0);
	atomic_store(&parallel_until, 0);
	atomic_store(&mon_parked, false);
	if (sem_init(&mon_wake, 0, 0) < 0) {
		res = -errno;
		goto out;
	}
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
	/* One thread has nobody to hand over to. */
	marg = (struct monitor_arg){ w, started };
	if (nthreads > 1 && res == 0 && pthread_create(&mon, NULL, monitor, &marg) != 0)
		res = -EAGAIN;
	have_mon = nthreads > 1 && res == 0;
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
	if (have_mon) {
		/* Its nanosleep ends with EINTR, or its wait with a post. */
		do {
			sem_post(&mon_wake);
			pthread_kill(mon, WAKE_SIGNAL);
		} while (pthread_tryjoin_np(mon, NULL) == EBUSY && nanosleep(&pause, NULL) == 0);
	}
	for (i = 0; i < started; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].err < 0 && res == 0)
			res = w[i].err;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sem_destroy(&mon_wake);
out:
	sem_destroy(&standby);
	sem_destroy(&wake);
	free(w);
	return res;
}
