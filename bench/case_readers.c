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
	struct reader r[8];
	pthread_t t[8];
	unsigned long total = 0;
	double t0, t1;
	int i, started = 0, err = 0;

	if (n > 8)
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
		sleep_ms((long)(seconds * 1000));
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
	return err ? NAN : (double)total / ((t1 - t0) / 1e6);
}

void case_concurrency(void)
{
	static const int counts[] = { 1, 2, 4, 8 };
	const char *label[2] = { "cgfs", "nullfs" };
	char path[2][PATH_MAX];
	struct series *s[2][4];
	double med[2][4];
	size_t rounds = scaled(5) < 3 ? 3 : scaled(5), r, f, k;

	note("case 6: 1, 2, 4, 8 parallel readers, %zu rounds of %.1f s", rounds,
	     B.readers_seconds);
	path_of(path[0], sizeof(path[0]), "%s/%s/k/" KNOB, B.mnt_cgfs, TREE);
	path_of(path[1], sizeof(path[1]), "%s/knob", B.mnt_null);
	for (f = 0; f < 2; f++)
		for (k = 0; k < 4; k++) {
			char name[64];

			snprintf(name, sizeof(name), "6 readers: %s x%d (ops/s)", label[f], counts[k]);
			s[f][k] = series_new(name);
			if (!s[f][k])
				return;
		}
	for (r = 0; r < rounds; r++)
		for (k = 0; k < 4; k++)
			for (f = 0; f < 2; f++) {
				size_t kk = (k + r) % 4;
				double tp = throughput(path[f], counts[kk], B.readers_seconds);

				if (isnan(tp)) {
					row_error("6", "parallel readers", "a read failed (see stderr)");
					return;
				}
				series_add(s[f][kk], tp);
			}
	for (f = 0; f < 2; f++)
		for (k = 0; k < 4; k++)
			med[f][k] = series_median(s[f][k]);
	for (f = 0; f < 2; f++)
		for (k = 0; k < 4; k++) {
			char what[64], ref[40];
			struct row *w;
			double ratio = med[f][k] / med[f][0];

			snprintf(what, sizeof(what), "%s: %d reader%s (ops/s)",
			         f == 0 ? "cgfs knob" : "nullfs (information)", counts[k],
			         counts[k] > 1 ? "s" : "");
			w = row_new("6", what);
			snprintf(w->cgfs, sizeof(w->cgfs), "%.0f", med[f][k]);
			snprintf(ref, sizeof(ref), "%s, 1 reader", label[f]);
			snprintf(w->ref_name, sizeof(w->ref_name), "%s", ref);
			snprintf(w->ref, sizeof(w->ref), "%.0f", med[f][0]);
			snprintf(w->ratio, sizeof(w->ratio), "%.2fx", ratio);
			if (f == 0 && counts[k] == 8) {
				snprintf(w->target, sizeof(w->target), ">= 1.6x (speed-up)");
				snprintf(w->verdict, sizeof(w->verdict), "%s",
				         ratio >= 1.6 ? "PASS" : "MISS");
			}
		}
}
