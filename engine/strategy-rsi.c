/* strategy-rsi.c: rsi_reversion, Wilder's RSI against a lower and an upper threshold. */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "strategy.h"
#include "xmalloc.h"

struct rsi {
	long			 period;
	double			 lower;
	double			 upper;
	long			 changes;	/* counted up to period */
	double			 previous_close;
	struct exact_sum	 gain_sum;	/* of the first changes */
	struct exact_sum	 loss_sum;
	double			 average_gain;
	double			 average_loss;
	double			 value;		/* NaN while warming up */
	int			 started;
};

void *
rsi_init(const double *params)
{
	struct rsi	*r;

	r = xcalloc(1, sizeof *r);
	r->period = (long)params[0];
	r->lower = params[1];
	r->upper = params[2];
	r->value = NAN;
	return r;
}

/*
 * 100 - 100 / (1 + gain / loss), written as 100 * gain / (gain + loss):
 * the same number without the cancellation near 0.
 */
static double
rsi_from(double gain, double loss)
{
	if (loss == 0)
		return 100;
	return 100 * gain / (gain + loss);
}

enum signal
rsi_on_bar(void *state, double close)
{
	struct rsi	*r = state;
	double		 change, gain, loss, n;

	if (!r->started) {
		r->started = 1;
		r->previous_close = close;
		return SIGNAL_NONE;
	}
	change = close - r->previous_close;
	r->previous_close = close;
	gain = change > 0 ? change : 0;
	loss = change < 0 ? -change : 0;
	n = (double)r->period;
	if (r->changes < r->period) {
		exact_sum_add(&r->gain_sum, gain);
		exact_sum_add(&r->loss_sum, loss);
		if (++r->changes < r->period)
			return SIGNAL_NONE;
		r->average_gain = exact_sum_value(&r->gain_sum) / n;
		r->average_loss = exact_sum_value(&r->loss_sum) / n;
	} else {
		r->average_gain = (r->average_gain * (n - 1) + gain) / n;
		r->average_loss = (r->average_loss * (n - 1) + loss) / n;
	}
	r->value = rsi_from(r->average_gain, r->average_loss);
	if (value_compare(r->value, r->lower) < 0)
		return SIGNAL_BUY;
	if (value_compare(r->value, r->upper) > 0)
		return SIGNAL_SELL;
	return SIGNAL_NONE;
}

double
rsi_value(const void *state)
{
	const struct rsi	*r = state;

	return r->value;
}

void
rsi_free(void *state)
{
	free(state);
}
