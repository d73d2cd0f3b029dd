/* strategy.h: the strategies' signal functions by name, and the helpers they share. */
#ifndef BACKSTREAM_STRATEGY_H
#define BACKSTREAM_STRATEGY_H

#include <math.h>
#include <stddef.h>


/* A wish at a bar's close; the backtest drops those that do not apply. */
enum signal { SIGNAL_NONE, SIGNAL_BUY, SIGNAL_SELL };

/*
 * A strategy's signal functions.  Its name, parameters and their bounds
 * are its schema (lib/strategy-schema.h), looked up by the same name: a
 * submission is validated without the engine.
 *
 * A strategy sees closes only, one per bar in time order, and keeps its
 * state in memory it allocates in init (never per bar).  params holds the
 * values in the order of the schema, already within their bounds.
 */
struct strategy {
	const char		*name;
	/* Returns a new state, never NULL; the caller gives it back to free. */
	void			*(*init)(const double *params);
	/* Takes the next close; returns the wish at that close. */
	enum signal		(*on_bar)(void *state, double close);
	/* Frees a state from init; NULL is accepted. */
	void			(*free)(void *state);
};

/* The strategy of that name, or NULL.  Entries are static. */
const struct strategy	*strategy_find(const char *name);

/*
 * doc/engine.md's comparison: -1, 0 or 1 as a is below, equal to or above b,
 * where values within 1e-9 of each other relative to the larger magnitude
 * are equal.  Every decision between indicators goes through this, so that
 * the engine decides as one in exact arithmetic would.
 */
int	value_compare(double a, double b);

/*
 * A running sum with Neumaier's compensation: sliding-window sums over
 * millions of bars keep the error of a single addition instead of growing
 * with every bar added and removed.
 */
struct exact_sum {
	double	sum;
	double	carry;
};

static inline void
exact_sum_add(struct exact_sum *s, double x)
{
	double	t = s->sum + x;

	if (fabs(s->sum) >= fabs(x))
		s->carry += (s->sum - t) + x;
	else
		s->carry += (x - t) + s->sum;
	s->sum = t;
}

static inline double
exact_sum_value(const struct exact_sum *s)
{
	return s->sum + s->carry;
}

/*
 * Crossover detection shared by the moving-average strategies: a buy when
 * fast goes from at or below slow to above, a sell from at or above to
 * below.  Zero-initialise; the first step only records the relation.
 */
struct crossover {
	int	have_previous;
	int	previous;	/* value_compare(fast, slow) on the last bar */
};

enum signal	crossover_step(struct crossover *c, double fast, double slow);

/*
 * The implementations, for the table in strategy.c.  Parameters are in
 * schema order; see each file for their meaning.
 */
void		*buyhold_init(const double *params);
enum signal	 buyhold_on_bar(void *state, double close);
void		 buyhold_free(void *state);

void		*sma_init(const double *params);
enum signal	 sma_on_bar(void *state, double close);
void		 sma_free(void *state);
/* The averages after the last bar, NaN while warming up (for tests). */
void		 sma_values(const void *state, double *fast, double *slow);

void		*ema_init(const double *params);
enum signal	 ema_on_bar(void *state, double close);
void		 ema_free(void *state);
void		 ema_values(const void *state, double *fast, double *slow);

void		*rsi_init(const double *params);
enum signal	 rsi_on_bar(void *state, double close);
void		 rsi_free(void *state);
/* The RSI after the last bar, or NaN while warming up (for tests). */
double		 rsi_value(const void *state);

#endif
