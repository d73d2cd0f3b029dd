/* strategy.c: the strategies' signal functions by name, and the comparison and crossover rules they share. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "strategy.h"

/* One per schema in lib/strategy-schema.c; test-strategy checks that. */
static const struct strategy strategies[] = {
	{ "buy_and_hold", buyhold_init, buyhold_on_bar, buyhold_free },
	{ "sma_crossover", sma_init, sma_on_bar, sma_free },
	{ "ema_crossover", ema_init, ema_on_bar, ema_free },
	{ "rsi_reversion", rsi_init, rsi_on_bar, rsi_free },
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
