// SPDX-License-Identifier: MIT
/*
 * Samples, their statistics and the interleaved runner every timed case
 * goes through (see bench.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define SERIES_FIRST_CAP 1024 /* samples; doubled as needed */
#define TRIM_PARTS 10         /* the trimmed mean drops 1/10 at each end */
#define MAX_VARIANTS 8        /* run side by side in one run_interleaved */

static struct series series_store[MAX_SERIES];
static size_t series_count;

struct series *series_new(const char *name)
{
	struct series *s;

	if (series_count >= MAX_SERIES)
		return NULL;
	s = &series_store[series_count++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

int series_add(struct series *s, double v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : SERIES_FIRST_CAP;
		double *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = v;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts in place; the p-th quantile (0..1). */
static double series_q(struct series *s, double p)
{
	size_t i;

	if (s->n == 0)
		return NAN;
	qsort(s->v, s->n, sizeof(s->v[0]), cmp_double);
	i = (size_t)(p * (double)(s->n - 1) + 0.5);
	return s->v[i];
}

double series_median(struct series *s)
{
	return series_q(s, 0.5);
}

/* Mean of the middle 80%: steadier than the median when the times are
 * bimodal (a server thread woken on the caller's CPU or on the other). */
double series_trimmed(struct series *s)
{
	size_t lo, hi, i;
	double sum = 0;

	if (s->n == 0)
		return NAN;
	qsort(s->v, s->n, sizeof(s->v[0]), cmp_double);
	lo = s->n / TRIM_PARTS;
	hi = s->n - lo;
	for (i = lo; i < hi; i++)
		sum += s->v[i];
	return sum / (double)(hi - lo);
}

/* Runs every variant iters times, in rounds of blocks that rotate which
 * variant goes first, so that a noisy moment on this shared machine hits
 * each of them alike. Each operation is timed on its own. */
int run_interleaved(struct variant *v, size_t nv, size_t rounds, size_t warmup)
{
	size_t r, k, i, done[MAX_VARIANTS] = { 0 };
	int res;

	if (nv > MAX_VARIANTS)
		return -EINVAL;
	for (k = 0; k < nv; k++) {
		v[k].s = series_new(v[k].name);
		if (!v[k].s)
			return -ENOMEM;
		for (i = 0; i < warmup; i++) {
			res = v[k].op(v[k].arg);
			if (res < 0) {
				note("%s: %s", v[k].name, strerror(-res));
				return res;
			}
		}
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < nv; k++) {
			struct variant *x = &v[(k + r) % nv];
			size_t *d = &done[(k + r) % nv];
			size_t block = (x->iters + rounds - 1) / rounds;

			for (i = 0; i < block && *d < x->iters; i++, (*d)++) {
				double t0 = now_us();

				res = x->op(x->arg);
				if (res < 0) {
					note("%s: %s", x->name, strerror(-res));
					return res;
				}
				series_add(x->s, now_us() - t0);
			}
		}
	}
	return 0;
}

void print_details(void)
{
	size_t i;

	printf("\nDistributions (us per op): n, p10, median, p90, mean, trimmed mean\n");
	for (i = 0; i < series_count; i++) {
		struct series *s = &series_store[i];
		double sum = 0;
		size_t j;

		for (j = 0; j < s->n; j++)
			sum += s->v[j];
		printf("  %-40s %7zu %9.2f %9.2f %9.2f %9.2f %9.2f\n", s->name, s->n,
		       series_q(s, 0.1), series_q(s, 0.5), series_q(s, 0.9),
		       s->n ? sum / (double)s->n : NAN, series_trimmed(s));
	}
}
