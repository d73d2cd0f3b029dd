/* strategy-sma.c: sma_crossover, simple moving averages of close in O(1) per bar. */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "strategy.h"
#include "xmalloc.h"

/*
 * The last `slow` closes sit in a ring; both windows are running sums.
 * The sums are compensated (struct exact_sum) because a plain running sum
 * drifts by a rounding error per bar added and removed, and over millions
 * of bars that drift could move an average across the 1e-9 tie band where
 * an exact engine would not.
 */
struct sma {
	size_t			 fast;
	size_t			 slow;
	double			*ring;		/* slow entries */
	size_t			 next;		/* the oldest close's slot */
	size_t			 seen;		/* closes, up to slow */
	struct exact_sum	 fast_sum;
	struct exact_sum	 slow_sum;
	double			 fast_value;	/* NaN while warming up */
	double			 slow_value;
	struct crossover	 cross;
};

void *
sma_init(const double *params)
{
	struct sma	*s;

	s = xcalloc(1, sizeof *s);
	s->fast = (size_t)params[0];
	s->slow = (size_t)params[1];
	s->ring = xcalloc(s->slow, sizeof *s->ring);
	s->fast_value = s->slow_value = NAN;
	return s;
}

enum signal
sma_on_bar(void *state, double close)
{
	struct sma	*s = state;
	size_t		 leaving_fast;

	/* The close leaving the fast window is `fast` slots behind this one. */
	if (s->seen >= s->fast) {
		leaving_fast = s->next >= s->fast ? s->next - s->fast :
		    s->next + s->slow - s->fast;
		exact_sum_add(&s->fast_sum, -s->ring[leaving_fast]);
	}
	if (s->seen >= s->slow)
		exact_sum_add(&s->slow_sum, -s->ring[s->next]);
	else
		s->seen++;
	exact_sum_add(&s->fast_sum, close);
	exact_sum_add(&s->slow_sum, close);
	s->ring[s->next] = close;
	if (++s->next == s->slow)
		s->next = 0;

	if (s->seen >= s->fast)
		s->fast_value = exact_sum_value(&s->fast_sum) / (double)s->fast;
	if (s->seen < s->slow)
		return SIGNAL_NONE;
	s->slow_value = exact_sum_value(&s->slow_sum) / (double)s->slow;
	return crossover_step(&s->cross, s->fast_value, s->slow_value);
}

void
sma_values(const void *state, double *fast, double *slow)
{
	const struct sma	*s = state;

	*fast = s->fast_value;
	*slow = s->slow_value;
}

void
sma_free(void *state)
{
	struct sma	*s = state;

	if (s == NULL)
		return;
	free(s->ring);
	free(s);
}
