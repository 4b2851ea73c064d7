// SPDX-License-Identifier: MIT
/*
 * The table of results: one row per comparison, printed once at the end
 * in a fixed layout: bench/smoke.sh and readers of bench-result.txt parse it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* One line of the table, header included: fixed columns. */
#define ROW_FORMAT "%-2s %-40s %12s  %-34s %12s %8s  %-24s %s\n"
#define RULE_WIDTH 142        /* of the dashes under the header */
#define US_WHOLE_FROM 100     /* times from 100 us on without decimals */
#define RATIO_FINE_BELOW 0.1  /* ratios below it with three decimals */

static struct row rows[MAX_ROWS];
static size_t nrows;

struct row *row_new(const char *id, const char *what)
{
	struct row *w;

	if (nrows >= MAX_ROWS)
		return &rows[MAX_ROWS - 1];
	w = &rows[nrows++];
	memset(w, 0, sizeof(*w));
	snprintf(w->id, sizeof(w->id), "%s", id);
	snprintf(w->what, sizeof(w->what), "%s", what);
	return w;
}

void fmt_us(char *out, size_t size, double us)
{
	if (isnan(us))
		snprintf(out, size, "-");
	else if (us < US_WHOLE_FROM)
		snprintf(out, size, "%.2f us", us);
	else
		snprintf(out, size, "%.0f us", us);
}

void row_times(const char *id, const char *what, double cgfs, const char *ref_name,
               double ref, double target_max, const char *target)
{
	struct row *w = row_new(id, what);
	double ratio = cgfs / ref;

	fmt_us(w->cgfs, sizeof(w->cgfs), cgfs);
	snprintf(w->ref_name, sizeof(w->ref_name), "%s", ref_name);
	fmt_us(w->ref, sizeof(w->ref), ref);
	if (isnan(ratio))
		snprintf(w->ratio, sizeof(w->ratio), "-");
	else
		snprintf(w->ratio, sizeof(w->ratio), ratio < RATIO_FINE_BELOW ? "%.3fx" : "%.2fx",
		         ratio);
	snprintf(w->target, sizeof(w->target), "%s", target ? target : "");
	if (target_max >= 0 && !isnan(ratio))
		snprintf(w->verdict, sizeof(w->verdict), "%s", ratio <= target_max ? "PASS" : "MISS");
}

void row_error(const char *id, const char *what, const char *why)
{
	struct row *w = row_new(id, what);

	snprintf(w->cgfs, sizeof(w->cgfs), "error");
	snprintf(w->ref_name, sizeof(w->ref_name), "%s", why);
}

void print_table(void)
{
	size_t i;

	printf("\n" ROW_FORMAT, "#", "case", "cgfs", "reference", "ref", "ratio", "target", "");
	for (i = 0; i < RULE_WIDTH; i++)
		putchar('-');
	putchar('\n');
	for (i = 0; i < nrows; i++) {
		const struct row *w = &rows[i];

		printf(ROW_FORMAT, w->id, w->what, w->cgfs, w->ref_name, w->ref, w->ratio,
		       w->target, w->verdict);
	}
	printf("\nTimes: mean of the middle 80%% of individually timed operations; ratio: cgfs /\n"
	       "reference. The measurements of one case are interleaved in rounds. Case 6:\n"
	       "median over rounds of the operations per second of all readers together.\n");
}
