/* backtest.h: a backtest run bar by bar: the execution rules and result_summary of doc/engine.md. */
#ifndef BACKSTREAM_BACKTEST_H
#define BACKSTREAM_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "bar.h"
#include "interval.h"
#include "spec.h"
#include "summary.h"
#include "trade.h"

/*
 * The largest quantity a buy takes (2^53): beyond it a double no longer
 * holds every integer, so quantity × price would stop being exact.
 */
#define BACKTEST_QUANTITY_MAX	9007199254740992LL

struct backtest;

/*
 * Starts a backtest of spec (validated by spec_from_json; copied, so the
 * caller may free it).  Returns a handle the caller frees with
 * backtest_free, or NULL with a reason in err if the spec names an unknown
 * strategy or lacks one of its parameters.  Memory is allocated here, not
 * per bar.
 */
struct backtest	*backtest_new(const struct job_spec *spec, char *err,
		    size_t errlen);
/* Frees bt and everything it handed out; NULL is accepted. */
void		 backtest_free(struct backtest *bt);

/*
 * Processes the next bar of the range: fills the previous bar's signal at
 * this bar's open, then takes this bar's signal at its close.  Bars must
 * come in strictly increasing time; one that does not is ignored and makes
 * backtest_finish fail.  Not to be called after backtest_finish.
 */
void		 backtest_bar(struct backtest *bt, const struct bar *bar);

/*
 * Sets *out to the trades made since the last call (by backtest_bar and
 * backtest_finish) and returns how many.  The array belongs to bt and
 * stays valid until the next backtest_bar, backtest_finish or
 * backtest_free.
 */
size_t		 backtest_trades(struct backtest *bt, const struct trade **out);

/* Bars processed so far (current_bar, doc/engine.md). */
int64_t		 backtest_bars(const struct backtest *bt);

/*
 * Ends the run: drops a signal of the last bar, sells an open position at
 * the last close (reason end_of_data; collect it with backtest_trades) and
 * fills out.  Returns 0, or -1 with a reason in err if fewer than 2 bars
 * came or they were out of order.  Call it once.
 */
int		 backtest_finish(struct backtest *bt, struct summary *out,
		    char *err, size_t errlen);

/* Bars per year for the Sharpe ratio: 252 for day, 252 × 375 / m for m-minute. */
double		 backtest_periods_per_year(enum interval iv);

#endif
