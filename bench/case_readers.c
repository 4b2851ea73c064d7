// SPDX-License-Identifier: MIT
/*
 * Case 6: 1, 2, 4 and 8 threads reading a knob in a loop: how cgfs's
 * throughput scales, and nullfs's for comparison.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define MAX_READERS 8          /* threads at most, and the target's count */
#define READER_ROUNDS 5        /* times BENCH_FACTOR, */
#define READER_MIN_ROUNDS 3    /* but at least this many for a median */
#define SPEEDUP_TARGET 1.6     /* MAX_READERS / one reader at least */
#define MS_PER_S 1000
#define US_PER_S 1e6

static const int counts[] = { 1, 2, 4, MAX_READERS };
#define N_COUNTS ARRAY_SIZE(counts)

/* The servers read: cgfs's knob and nullfs's file. */
enum { SRV_CGFS, SRV_NULLFS, SRV_N };
static const char *const server_name[SRV_N] = { "cgfs", "nullfs" };

struct readers {
	const char *path;
	volatile bool stop;
	pthread_barrier_t start;
};

struct reader {
	struct readers *rs;
	unsigned long ops;
	int err;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	pthread_barrier_wait(&r->rs->start);
	while (!r->rs->stop) {
		int e = read_whole(r->rs->path);

		if (e < 0) {
			r->err = e;
			break;
		}
		r->ops++;
	}
	return NULL;
}

/* Operations per second of n threads reading path for the given time. */
static double throughput(const char *path, int n, double seconds)
{
	struct readers rs = { .path = path, .stop = false };
	struct reader r[MAX_READERS];
	pthread_t t[MAX_READERS];
	unsigned long total = 0;
	double t0, t1;
	int i, started = 0, err = 0;

	if (n > MAX_READERS)
		return NAN;
	pthread_barrier_init(&rs.start, NULL, (unsigned)n + 1);
	for (i = 0; i < n; i++) {
		r[i] = (struct reader){ &rs, 0, 0 };
		if (pthread_create(&t[i], NULL, reader_main, &r[i]) != 0)
			break;
		started++;
	}
	if (started < n) {
		/* Release the ones that wait: they see stop at once. */
		rs.stop = true;
		for (i = started; i < n; i++)
			pthread_barrier_wait(&rs.start);
		err = -EAGAIN;
	} else {
		pthread_barrier_wait(&rs.start);
	}
	t0 = now_us();
	if (!err)
		sleep_ms((long)(seconds * MS_PER_S));
	rs.stop = true;
	for (i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		total += r[i].ops;
		if (r[i].err)
			err = r[i].err;
	}
	t1 = now_us();
	pthread_barrier_destroy(&rs.start);
	if (err)
		note("readers on %s: %s", path, strerror(-err));
	return err ? NAN : (double)total / ((t1 - t0) / US_PER_S);
}

/* Median ops/s of server f with counts[k] readers, against one reader. */
static void reader_row(size_t f, size_t k, const double *med)
{
	double ratio = med[k] / med[0];
	char what[64], ref[40];
	struct row *w;

	snprintf(what, sizeof(what), "%s: %d reader%s (ops/s)",
	         f == SRV_CGFS ? "cgfs knob" : "nullfs (information)", counts[k],
	         counts[k] > 1 ? "s" : "");
	w = row_new("6", what);
	snprintf(w->cgfs, sizeof(w->cgfs), "%.0f", med[k]);
	snprintf(ref, sizeof(ref), "%s, 1 reader", server_name[f]);
	snprintf(w->ref_name, sizeof(w->ref_name), "%s", ref);
	snprintf(w->ref, sizeof(w->ref), "%.0f", med[0]);
	snprintf(w->ratio, sizeof(w->ratio), "%.2fx", ratio);
	if (f == SRV_CGFS && counts[k] == MAX_READERS) {
		snprintf(w->target, sizeof(w->target), ">= 1.6x (speed-up)");
		snprintf(w->verdict, sizeof(w->verdict), "%s",
		         ratio >= SPEEDUP_TARGET ? "PASS" : "MISS");
	}
}

void case_concurrency(void)
{
	char path[SRV_N][PATH_MAX];
	struct series *s[SRV_N][N_COUNTS];
	double med[SRV_N][N_COUNTS];
	size_t rounds = scaled(READER_ROUNDS), r, f, k;

	if (rounds < READER_MIN_ROUNDS)
		rounds = READER_MIN_ROUNDS;
	note("case 6: 1, 2, 4, 8 parallel readers, %zu rounds of %.1f s", rounds,
	     B.readers_seconds);
	path_of(path[SRV_CGFS], sizeof(path[0]), "%s/%s/k/" KNOB, B.mnt_cgfs, TREE);
	path_of(path[SRV_NULLFS], sizeof(path[0]), "%s/knob", B.mnt_null);
	for (f = 0; f < SRV_N; f++)
		for (k = 0; k < N_COUNTS; k++) {
			char name[64];

			snprintf(name, sizeof(name), "6 readers: %s x%d (ops/s)", server_name[f],
			         counts[k]);
			s[f][k] = series_new(name);
			if (!s[f][k]) {
				row_error("6", "parallel readers", "no room for its series (MAX_SERIES)");
				return;
			}
		}
	/* Rounds rotate which count goes first, as run_interleaved does. */
	for (r = 0; r < rounds; r++)
		for (k = 0; k < N_COUNTS; k++)
			for (f = 0; f < SRV_N; f++) {
				size_t kk = (k + r) % N_COUNTS;
				double tp = throughput(path[f], counts[kk], B.readers_seconds);

				if (isnan(tp)) {
					row_error("6", "parallel readers", "a read failed (see stderr)");
					return;
				}
				series_add(s[f][kk], tp);
			}
	for (f = 0; f < SRV_N; f++)
		for (k = 0; k < N_COUNTS; k++)
			med[f][k] = series_median(s[f][k]);
	for (f = 0; f < SRV_N; f++)
		for (k = 0; k < N_COUNTS; k++)
			reader_row(f, k, med[f]);
}
