/* strategy-ema.c: ema_crossover, exponential moving averages seeded with a simple average. */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "strategy.h"
#include "xmalloc.h"

/* One average: alpha = 2 / (n + 1), seeded with its first n closes' mean. */
struct ema_line {
	long			 n;
	double			 alpha;
	struct exact_sum	 seed;
	double			 value;		/* NaN until seeded */
};

struct ema {
	long			 seen;		/* closes, up to slow + 1 */
	struct ema_line		 fast;
	struct ema_line		 slow;
	struct crossover	 cross;
};

static void
line_init(struct ema_line *line, double n)
{
	line->n = (long)n;
	line->alpha = 2.0 / (n + 1.0);
	line->value = NAN;
}

/* seen counts this close. */
static void
line_update(struct ema_line *line, long seen, double close)
{
	if (seen > line->n) {
	/* The form doc/engine.md gives, so that doubles round as it says. */
		line->value += line->alpha * (close - line->value);
		return;
	}
	exact_sum_add(&line->seed, close);
	if (seen == line->n)
		line->value = exact_sum_value(&line->seed) / (double)line->n;
}

void *
ema_init(const double *params)
{
	struct ema	*e;

	e = xcalloc(1, sizeof *e);
	line_init(&e->fast, params[0]);
	line_init(&e->slow, params[1]);
	return e;
}

enum signal
ema_on_bar(void *state, double close)
{
	struct ema	*e = state;

	if (e->seen <= e->slow.n)
		e->seen++;
	line_update(&e->fast, e->seen, close);
	line_update(&e->slow, e->seen, close);
	if (e->seen < e->slow.n)
		return SIGNAL_NONE;
	return crossover_step(&e->cross, e->fast.value, e->slow.value);
}

void
ema_values(const void *state, double *fast, double *slow)
{
	const struct ema	*e = state;

	*fast = e->fast.value;
	*slow = e->slow.value;
}

void
ema_free(void *state)
{
	free(state);
}
