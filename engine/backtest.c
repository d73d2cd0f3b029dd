/* backtest.c: fills, cash and position, and the running figures of result_summary. */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "spec-parse.h"
#include "strategy-schema.h"
#include "strategy.h"
#include "timefmt.h"
#include "xmalloc.h"

struct backtest {
	const struct strategy	*strategy;
	void			*state;
	double			 initial_capital;
	double			 commission;
	double			 periods_per_year;

	/* The account. */
	double			 cash;
	int64_t			 quantity;
	double			 entry_price;
	double			 entry_commission;
	enum signal		 pending;	/* taken at the last close */

	/* The bars. */
	int64_t			 nbars;
	int64_t			 last_time;
	double			 first_close;
	double			 last_close;

	/* Equity at closes: drawdown, and returns (Welford's mean and M2). */
	double			 peak;
	double			 max_drawdown;	/* a fraction of the peak */
	double			 last_equity;
	int64_t			 nreturns;
	double			 return_mean;
	double			 return_m2;
	int			 returns_undefined;

	/* Sells. */
	int64_t			 total_trades;
	int64_t			 winning_trades;
	int64_t			 losing_trades;
	double			 gross_profit;
	double			 gross_loss;

	/* Trades not yet collected, or collected and due to be cleared. */
	struct trade		*trades;
	size_t			 ntrades;
	size_t			 trades_size;
	int			 handed_out;
	uint32_t		 seq;

	int			 finished;
	char			 error[128];	/* set: the run has failed */
};

struct backtest *
backtest_new(const struct job_spec *spec, char *err, size_t errlen)
{
	const struct strategy_schema	*schema;
	const struct strategy		*strategy;
	struct backtest			*bt;
	double				 params[SPEC_MAX_PARAMS];
	int				 i;

	/* Specs also come back from the store: check them again here. */
	if (spec_check(spec, err, errlen) == -1)
		return NULL;
	/* spec_check found the schema; test-strategy pairs each with one. */
	schema = strategy_schema_find(spec->strategy);
	if ((strategy = strategy_find(spec->strategy)) == NULL) {
		snprintf(err, errlen, "strategy: \"%s\" is not in this engine",
		    spec->strategy);
		return NULL;
	}
	for (i = 0; i < schema->nparams; i++)
		params[i] = spec_param(spec, schema->params[i].name);

	bt = xcalloc(1, sizeof *bt);
	bt->strategy = strategy;
	bt->state = strategy->init(params);
	bt->initial_capital = spec->initial_capital;
	bt->commission = spec->commission;
	bt->periods_per_year = backtest_periods_per_year(spec->interval);
	bt->cash = spec->initial_capital;
	bt->trades_size = 64;
	bt->trades = xreallocarray(NULL, bt->trades_size, sizeof *bt->trades);
	return bt;
}

void
backtest_free(struct backtest *bt)
{
	if (bt == NULL)
		return;
	bt->strategy->free(bt->state);
	free(bt->trades);
	free(bt);
}

double
backtest_periods_per_year(enum interval iv)
{
	if (iv == INTERVAL_DAY)
		return 252;
	return 252.0 * 375.0 / interval_minutes(iv);
}

/* Adds a trade to the batch (growing by doubling, so rarely); seq is set. */
static struct trade *
trade_append(struct backtest *bt, int64_t time, enum trade_side side,
    enum trade_reason reason)
{
	struct trade	*t;

	if (bt->ntrades == bt->trades_size) {
		bt->trades_size *= 2;
		bt->trades = xreallocarray(bt->trades, bt->trades_size,
		    sizeof *bt->trades);
	}
	t = &bt->trades[bt->ntrades++];
	memset(t, 0, sizeof *t);
	t->seq = ++bt->seq;
	t->time = time;
	t->side = side;
	t->reason = reason;
	return t;
}

/*
 * The quantity rule (doc/engine.md), in its own order of operations: the floor,
 * then down by one while the cost exceeds the cash (the division can round
 * up to the next integer).  A price that is not positive buys nothing.
 */
static int64_t
buy_quantity(double cash, double price, double commission)
{
	double	most;
	int64_t	q;

	if (!(price > 0) || !isfinite(price) || !(cash > 0))
		return 0;
	most = floor(cash / (price * (1 + commission)));
	if (!(most < (double)BACKTEST_QUANTITY_MAX))
		q = BACKTEST_QUANTITY_MAX;
	else
		q = (int64_t)most;
	while (q > 0 && (double)q * price * (1 + commission) > cash)
		q--;
	return q;
}

static void
buy(struct backtest *bt, int64_t time, double price)
{
	struct trade	*t;
	int64_t		 q;

	q = buy_quantity(bt->cash, price, bt->commission);
	if (q == 0)
		return;
	/*
	 * Cash goes down by the very product the rule compared with it, so
	 * it cannot go below zero by rounding.
	 */
	bt->cash -= (double)q * price * (1 + bt->commission);
	bt->quantity = q;
	bt->entry_price = price;
	bt->entry_commission = bt->commission * price * (double)q;

	t = trade_append(bt, time, TRADE_BUY, TRADE_SIGNAL);
	t->price = price;
	t->quantity = q;
	t->commission = bt->entry_commission;
	t->cash_after = bt->cash;
}

static void
sell(struct backtest *bt, int64_t time, double price,
    enum trade_reason reason)
{
	struct trade	*t;
	double		 q = (double)bt->quantity, commission, net, pnl;

	commission = bt->commission * price * q;
	net = price * q - commission;
	pnl = net - (bt->entry_price * q + bt->entry_commission);
	bt->cash += net;

	bt->total_trades++;
	if (pnl > 0) {
		bt->winning_trades++;
		bt->gross_profit += pnl;
	} else if (pnl < 0) {
		bt->losing_trades++;
		bt->gross_loss -= pnl;
	}

	t = trade_append(bt, time, TRADE_SELL, reason);
	t->price = price;
	t->quantity = bt->quantity;
	t->commission = commission;
	t->cash_after = bt->cash;
	t->pnl = pnl;
	bt->quantity = 0;
}

/* Clears a batch that backtest_trades handed out. */
static void
trades_reset_if_collected(struct backtest *bt)
{
	if (bt->handed_out) {
		bt->ntrades = 0;
		bt->handed_out = 0;
	}
}

static void
equity_at_close(struct backtest *bt, double equity)
{
	double	r, delta, drawdown;

	if (bt->nbars == 0) {
		bt->peak = equity;
		bt->last_equity = equity;
		return;
	}
	if (bt->last_equity > 0) {
		/* Not equity / last - 1: small returns keep their digits. */
		r = (equity - bt->last_equity) / bt->last_equity;
		bt->nreturns++;
		delta = r - bt->return_mean;
		bt->return_mean += delta / (double)bt->nreturns;
		bt->return_m2 += delta * (r - bt->return_mean);
	} else
		bt->returns_undefined = 1;
	bt->last_equity = equity;

	if (equity > bt->peak)
		bt->peak = equity;
	else if (equity < bt->peak) {
		drawdown = (bt->peak - equity) / bt->peak;
		if (drawdown > bt->max_drawdown)
			bt->max_drawdown = drawdown;
	}
}

void
backtest_bar(struct backtest *bt, const struct bar *bar)
{
	char	when[TIME_ISO_LEN + 1];

	if (bt->error[0] != '\0' || bt->finished)
		return;
	if (bt->nbars > 0 && bar->time <= bt->last_time) {
		time_format_iso(bar->time, when);
		snprintf(bt->error, sizeof bt->error,
		    "bar at %s is not after the bar before it", when);
		return;
	}
	trades_reset_if_collected(bt);

	/* Wishes that do not apply to the position are dropped here. */
	if (bt->pending == SIGNAL_BUY && bt->quantity == 0)
		buy(bt, bar->time, bar->open);
	else if (bt->pending == SIGNAL_SELL && bt->quantity > 0)
		sell(bt, bar->time, bar->open, TRADE_SIGNAL);
	bt->pending = bt->strategy->on_bar(bt->state, bar->close);

	equity_at_close(bt, bt->cash + (double)bt->quantity * bar->close);
	if (bt->nbars == 0)
		bt->first_close = bar->close;
	bt->last_close = bar->close;
	bt->last_time = bar->time;
	bt->nbars++;
}

size_t
backtest_trades(struct backtest *bt, const struct trade **out)
{
	size_t	n;

	n = bt->handed_out ? 0 : bt->ntrades;
	*out = bt->trades;
	bt->handed_out = 1;
	return n;
}

int64_t
backtest_bars(const struct backtest *bt)
{
	return bt->nbars;
}

static double
sharpe_ratio(const struct backtest *bt)
{
	double	deviation;

	if (bt->returns_undefined || bt->nreturns < 2)
		return NAN;
	deviation = sqrt(bt->return_m2 / (double)(bt->nreturns - 1));
	/*
	 * Returns that are equal but for rounding have a deviation of a few
	 * ulps, and dividing by it would give a Sharpe ratio of 1e15: under
	 * the 1e-9 rule they are equal, so the deviation is zero.
	 */
	if (deviation == 0 || deviation <= 1e-9 * fabs(bt->return_mean))
		return NAN;
	return bt->return_mean / deviation * sqrt(bt->periods_per_year);
}

int
backtest_finish(struct backtest *bt, struct summary *out, char *err,
    size_t errlen)
{
	if (bt->finished) {
		snprintf(err, errlen, "backtest already finished");
		return -1;
	}
	bt->finished = 1;
	if (bt->error[0] != '\0') {
		snprintf(err, errlen, "%s", bt->error);
		return -1;
	}
	if (bt->nbars < 2) {
		snprintf(err, errlen, "a backtest needs at least 2 bars in its "
		    "date range, and there %s %" PRId64,
		    bt->nbars == 1 ? "is" : "are", bt->nbars);
		return -1;
	}
	trades_reset_if_collected(bt);
	bt->pending = SIGNAL_NONE;
	if (bt->quantity > 0)
		sell(bt, bt->last_time, bt->last_close, TRADE_END_OF_DATA);

	memset(out, 0, sizeof *out);
	out->initial_capital = bt->initial_capital;
	out->final_equity = bt->cash;
	out->total_return_pct = (bt->cash - bt->initial_capital) /
	    bt->initial_capital * 100;
	out->max_drawdown_pct = bt->max_drawdown * 100;
	out->total_trades = bt->total_trades;
	out->winning_trades = bt->winning_trades;
	out->losing_trades = bt->losing_trades;
	out->win_rate_pct = bt->total_trades == 0 ? 0 :
	    (double)bt->winning_trades / (double)bt->total_trades * 100;
	out->profit_factor = bt->losing_trades == 0 ? NAN :
	    bt->gross_profit / bt->gross_loss;
	out->sharpe_ratio = sharpe_ratio(bt);
	out->buy_and_hold_return_pct = bt->first_close > 0 ?
	    (bt->last_close - bt->first_close) / bt->first_close * 100 : NAN;
	out->bars_processed = bt->nbars;
	return 0;
}
