/* strategy-buyhold.c: buy_and_hold, a buy on the first bar and nothing after. */
#include "config.h"

#include <stdlib.h>

#include "strategy.h"
#include "xmalloc.h"

struct buyhold {
	int	started;
};

void *
buyhold_init(const double *params)
{
	(void)params;
	return xcalloc(1, sizeof(struct buyhold));
}

enum signal
buyhold_on_bar(void *state, double close)
{
	struct buyhold	*b = state;

	(void)close;
	if (b->started)
		return SIGNAL_NONE;
	b->started = 1;
	return SIGNAL_BUY;
}

void
buyhold_free(void *state)
{
	free(state);
}
