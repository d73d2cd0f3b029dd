/* strategy.c: the strategy table, and the comparison and crossover rules they share. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "numfmt.h"
#include "strategy.h"

#define PERIOD(n, d)	{ (n), 1, 0, (d), 1, STRATEGY_PERIOD_MAX }

/*
 * One table serves validation (spec-parse.c), defaults and the engine.
 * Thresholds are plain numbers, not integers: an RSI level of 27.5 is a
 * reasonable thing to ask for.
 */
static const struct strategy strategies[] = {
	{
		"buy_and_hold", 0, { { NULL, 0, 0, 0, 0, 0 } },
		NULL, buyhold_init, buyhold_on_bar, buyhold_free,
	},
	{
		"sma_crossover", 2, {
			PERIOD("fast", 10),
			PERIOD("slow", 30),
		},
		crossover_check, sma_init, sma_on_bar, sma_free,
	},
	{
		"ema_crossover", 2, {
			PERIOD("fast", 12),
			PERIOD("slow", 26),
		},
		crossover_check, ema_init, ema_on_bar, ema_free,
	},
	{
		"rsi_reversion", 3, {
			PERIOD("period", 14),
			{ "lower", 0, 1, 30, 0, 100 },
			{ "upper", 0, 1, 70, 0, 100 },
		},
		rsi_check, rsi_init, rsi_on_bar, rsi_free,
	},
};

#define NSTRATEGIES	(sizeof strategies / sizeof strategies[0])

const struct strategy *
strategy_find(const char *name)
{
	size_t	i;

	for (i = 0; i < NSTRATEGIES; i++)
		if (strcmp(strategies[i].name, name) == 0)
			return &strategies[i];
	return NULL;
}

const struct strategy *
strategy_at(size_t i)
{
	return i < NSTRATEGIES ? &strategies[i] : NULL;
}

size_t
strategy_count(void)
{
	return NSTRATEGIES;
}

const char *
strategy_names(void)
{
	return "buy_and_hold, sma_crossover, ema_crossover, rsi_reversion";
}

int
value_compare(double a, double b)
{
	double	larger = fmax(fabs(a), fabs(b));

	if (fabs(a - b) <= 1e-9 * larger)
		return 0;
	return a < b ? -1 : 1;
}

enum signal
crossover_step(struct crossover *c, double fast, double slow)
{
	enum signal	 signal = SIGNAL_NONE;
	int		 now = value_compare(fast, slow);

	if (c->have_previous) {
		if (now > 0 && c->previous <= 0)
			signal = SIGNAL_BUY;
		else if (now < 0 && c->previous >= 0)
			signal = SIGNAL_SELL;
	}
	c->previous = now;
	c->have_previous = 1;
	return signal;
}

int
crossover_check(const double *params, char *err, size_t errlen)
{
	char	fast[NUMFMT_MAX], slow[NUMFMT_MAX];

	if (params[0] < params[1])
		return 0;
	num_format(params[0], fast);
	num_format(params[1], slow);
	snprintf(err, errlen,
	    "params.fast: must be less than params.slow (got %s and %s)",
	    fast, slow);
	return -1;
}
