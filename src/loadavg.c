// SPDX-License-Identifier: MIT
/*
 * loadavg: the kernel's load average arithmetic, the table of groups with
 * a history, and the thread that samples them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgfs/loadavg.h"
#include "cgfs/log.h"

#define FSHIFT PROCVIEW_LOAD_FSHIFT
#define FIXED_1 PROCVIEW_LOAD_FIXED_1

/* ---- arithmetic ---- */

unsigned long loadavg_calc(unsigned long load, unsigned long exp, unsigned long active)
{
	unsigned long next = load * exp + active * (FIXED_1 - exp);

	/* Rounded up while rising, so that a steady load n reaches n.00
	 * rather than stopping a step below it. */
	if (active >= load)
		next += FIXED_1 - 1;
	return next / FIXED_1;
}

unsigned long loadavg_power(unsigned long x, unsigned n)
{
	unsigned long result = FIXED_1;

	while (n) {
		if (n & 1) {
			result = (result * x + FIXED_1 / 2) >> FSHIFT;
		}
		n >>= 1;
		if (n)
			x = (x * x + FIXED_1 / 2) >> FSHIFT;
	}
	return result;
}

void loadavg_update(unsigned long avg[3], unsigned tasks, unsigned periods)
{
	static const unsigned long exps[3] = { LOADAVG_EXP_1, LOADAVG_EXP_5, LOADAVG_EXP_15 };
	unsigned long active = (unsigned long)tasks * FIXED_1;
	size_t i;

	if (periods == 0)
		periods = 1;
	for (i = 0; i < 3; i++)
		avg[i] = loadavg_calc(avg[i], loadavg_power(exps[i], periods), active);
}

/* ---- the table ---- */

int loadavg_table_init(struct loadavg_table *t, size_t max)
{
	*t = (struct loadavg_table){ .max = max, .per_tree = max / LOADAVG_TREES_MIN };
	if (t->per_tree == 0)
		t->per_tree = max;
	t->v = calloc(max ? max : 1, sizeof(*t->v));
	return t->v ? 0 : -ENOMEM;
}

void loadavg_table_free(struct loadavg_table *t)
{
	size_t i;

	for (i = 0; t->v && i < t->max; i++)
		free(t->v[i].path);
	free(t->v);
	*t = (struct loadavg_table){ 0 };
}

void loadavg_table_drop(struct loadavg_table *t, struct loadavg_entry *e)
{
	free(e->path);
	*e = (struct loadavg_entry){ 0 };
	t->n--;
}

size_t loadavg_table_expire(struct loadavg_table *t, uint64_t now)
{
	size_t i, n = 0;

	for (i = 0; i < t->max; i++)
		if (t->v[i].ino && now >= t->v[i].read_ms + LOADAVG_IDLE_MS) {
			loadavg_table_drop(t, &t->v[i]);
			n++;
		}
	return n;
}

/* e's path made path: 0 or -ENOMEM (the old one kept). */
static int entry_path(struct loadavg_entry *e, const char *path)
{
	char *p;

	if (e->path && strcmp(e->path, path) == 0)
		return 0;
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	free(e->path);
	e->path = p;
	return 0;
}

static struct loadavg_entry *table_find(struct loadavg_table *t, ino_t ino)
{
	size_t i;

	for (i = 0; i < t->max; i++)
		if (t->v[i].ino == ino)
			return &t->v[i];
	return NULL;
}

/* The entries of path's tree (its first component). */
static size_t tree_count(const struct loadavg_table *t, const char *path)
{
	size_t i, n = 0, len = strcspn(path, "/");

	for (i = 0; i < t->max; i++)
		if (t->v[i].ino && strncmp(t->v[i].path, path, len) == 0 &&
		    (t->v[i].path[len] == '/' || t->v[i].path[len] == '\0'))
			n++;
	return n;
}

int loadavg_table_get(struct loadavg_table *t, ino_t ino, const char *path, uint64_t now,
                      struct loadavg_entry **ret)
{
	struct loadavg_entry *e = ino ? table_find(t, ino) : NULL;
	int res;

	if (!ino)
		return -EINVAL;
	if (e) {
		res = entry_path(e, path);
		if (res == 0) {
			e->read_ms = now;
			*ret = e;
		}
		return res;
	}
	if (t->n == t->max && loadavg_table_expire(t, now) == 0)
		return -ENOSPC;
	/* One user's flood of groups leaves room for the others'. */
	if (tree_count(t, path) >= t->per_tree &&
	    (loadavg_table_expire(t, now) == 0 || tree_count(t, path) >= t->per_tree))
		return -ENOSPC;
	e = table_find(t, 0);
	if (!e)
		return -ENOSPC;
	res = entry_path(e, path);
	if (res < 0)
		return res;
	e->ino = ino;
	memset(e->avg, 0, sizeof(e->avg));
	e->read_ms = e->sampled_ms = now;
	t->n++;
	*ret = e;
	return 1;
}

unsigned loadavg_sample(struct loadavg_entry *e, unsigned tasks, uint64_t now)
{
	uint64_t periods;

	if (now < e->sampled_ms + LOADAVG_PERIOD_MS)
		return 0;
	periods = (now - e->sampled_ms) / LOADAVG_PERIOD_MS;
	/* Over a day missed decays any load to 0 all the same. */
	if (periods > 24 * 3600 * 1000 / LOADAVG_PERIOD_MS)
		periods = 24 * 3600 * 1000 / LOADAVG_PERIOD_MS;
	loadavg_update(e->avg, tasks, (unsigned)periods);
	e->sampled_ms = now;
	return (unsigned)periods;
}

/* ---- one round ---- */

/* A group due in a round, counted without the lock. */
struct due {
	ino_t ino;
	char *path;
	size_t slot;
	int res;
	struct loadavg_now c;
};

/* The entries due at now, from the cursor on, copied (lock held). */
static size_t round_due(struct loadavg_table *t, uint64_t now, struct due *d)
{
	size_t k, n = 0;

	for (k = 0; k < t->max; k++) {
		size_t i = (t->cursor + k) % t->max;
		struct loadavg_entry *e = &t->v[i];

		if (!e->ino || now < e->sampled_ms + LOADAVG_PERIOD_MS)
			continue;
		d[n] = (struct due){ .ino = e->ino, .path = strdup(e->path), .slot = i };
		if (d[n].path)
			n++;
	}
	return n;
}

/* Counts d[] in order within budget looks; how many were counted. */
static size_t round_count(const struct loadavg_src *src, struct due *d, size_t n,
                          unsigned budget)
{
	unsigned left = budget;
	size_t j;

	for (j = 0; j < n && left > 0; j++) {
		d[j].res = src->count(src->ctx, d[j].path, d[j].ino, left, &d[j].c);
		/* One cut short waits to go first next round, unless it had
		 * the whole budget: then its part is all it will ever get. */
		if (d[j].res == 0 && d[j].c.cut && j > 0)
			break;
		left -= d[j].c.looks < left ? d[j].c.looks : left;
	}
	return j;
}

/* Folds the counts of d[0..done) in (lock held). */
static void round_fold(struct loadavg_table *t, struct due *d, size_t n, size_t done,
                       uint64_t now)
{
	size_t j;

	for (j = 0; j < done; j++) {
		struct loadavg_entry *e = &t->v[d[j].slot];

		if (e->ino != d[j].ino)
			continue; /* dropped meanwhile, maybe made another's */
		if (d[j].res == -ENOENT || d[j].res == -ESTALE)
			loadavg_table_drop(t, e);
		else if (d[j].res == 0)
			loadavg_sample(e, d[j].c.running + d[j].c.uninterruptible, now);
	}
	if (done < n)
		t->cursor = d[done].slot;
	loadavg_table_expire(t, now);
}

int loadavg_round(struct loadavg_state *s, uint64_t now)
{
	struct loadavg_src src;
	struct due *d;
	size_t n, done, j, max;

	pthread_mutex_lock(&s->lock);
	max = s->t.max;
	d = max ? malloc(max * sizeof(*d)) : NULL;
	n = d ? round_due(&s->t, now, d) : 0;
	src = s->src;
	pthread_mutex_unlock(&s->lock);
	if (!d)
		return max ? -ENOMEM : 0;
	done = src.count ? round_count(&src, d, n, s->budget) : 0;
	pthread_mutex_lock(&s->lock);
	round_fold(&s->t, d, n, done, now);
	pthread_mutex_unlock(&s->lock);
	for (j = 0; j < n; j++)
		free(d[j].path);
	free(d);
	return 0;
}

/* ---- the sampler thread ---- */

static struct {
	struct loadavg_state s;
	pthread_cond_t wake;     /* on CLOCK_MONOTONIC */
	pthread_t thread;
	bool running, stopping;  /* under s.lock */
	uint64_t next;           /* the next round's due time, under s.lock */
} L = {
	.s = { .lock = PTHREAD_MUTEX_INITIALIZER, .budget = LOADAVG_BUDGET },
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *sampler(void *arg)
{
	uint64_t due, t;
	struct timespec ts;

	(void)arg;
	pthread_mutex_lock(&L.s.lock);
	while (!L.stopping) {
		t = now_ms();
		if (t < L.next) {
			ts.tv_sec = (time_t)(L.next / 1000);
			ts.tv_nsec = (long)(L.next % 1000) * 1000000L;
			pthread_cond_timedwait(&L.wake, &L.s.lock, &ts);
			continue;
		}
		due = L.next;
		pthread_mutex_unlock(&L.s.lock);
		/* At its due time, not when woken: rounds a period apart count
		 * one period each however late the thread woke. */
		if (loadavg_round(&L.s, due) < 0)
			log_debug("loadavg: a round missed (no memory)");
		pthread_mutex_lock(&L.s.lock);
		L.next += LOADAVG_PERIOD_MS;
		/* Late (a stopped process): the samples missed are folded in
		 * at the next round, as periods. */
		if (L.next <= t)
			L.next = t + LOADAVG_PERIOD_MS;
	}
	pthread_mutex_unlock(&L.s.lock);
	return NULL;
}

/* The thread and its table at the first read (L.s.lock held). */
static int sampler_start(const struct loadavg_src *src)
{
	pthread_condattr_t attr;
	int err;

	if (L.running)
		return 0;
	if (L.stopping)
		return -ESHUTDOWN;
	err = loadavg_table_init(&L.s.t, LOADAVG_GROUPS_MAX);
	if (err < 0)
		return err;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&L.wake, &attr);
	pthread_condattr_destroy(&attr);
	L.s.src = *src;
	L.next = now_ms() + LOADAVG_PERIOD_MS;
	err = pthread_create(&L.thread, NULL, sampler, NULL);
	if (err) {
		pthread_cond_destroy(&L.wake);
		loadavg_table_free(&L.s.t);
		return -err;
	}
	L.running = true;
	return 0;
}

int loadavg_get(const struct loadavg_src *src, const char *path, ino_t ino,
                const struct loadavg_now *now, struct procview_loadavg *ret)
{
	struct loadavg_entry *e = NULL;
	size_t i;
	int res;

	pthread_mutex_lock(&L.s.lock);
	res = sampler_start(src);
	if (res == 0)
		res = loadavg_table_get(&L.s.t, ino, path, now_ms(), &e);
	/* A new history is on the rounds' grid: its first sample is the
	 * next round's, within a period of now. */
	if (res == 1)
		e->sampled_ms = L.next - LOADAVG_PERIOD_MS;
	for (i = 0; i < 3; i++)
		ret->avg[i] = e ? e->avg[i]
		                : (unsigned long)(now->running + now->uninterruptible) * FIXED_1;
	pthread_mutex_unlock(&L.s.lock);
	if (res < 0)
		log_debug("loadavg: no history for /%s: %s", path, strerror(-res));
	ret->running = now->running;
	ret->threads = now->threads;
	ret->last = now->last;
	/* Without a slot (or a sampler): the counts of now, not an error. */
	return 0;
}

void loadavg_stop(void)
{
	pthread_mutex_lock(&L.s.lock);
	if (!L.running) {
		pthread_mutex_unlock(&L.s.lock);
		return;
	}
	L.stopping = true;
	pthread_cond_signal(&L.wake);
	pthread_mutex_unlock(&L.s.lock);
	pthread_join(L.thread, NULL);
	pthread_mutex_lock(&L.s.lock);
	loadavg_table_free(&L.s.t);
	pthread_cond_destroy(&L.wake);
	L.running = false;
	L.stopping = false;
	pthread_mutex_unlock(&L.s.lock);
}
