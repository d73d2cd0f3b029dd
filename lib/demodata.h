/* demodata.h: deterministic synthetic minute bars for a few demo symbols. */
#ifndef BACKSTREAM_DEMODATA_H
#define BACKSTREAM_DEMODATA_H

#include <stddef.h>

#include "bar.h"

/*
 * Every demo symbol gets minute bars for each weekday (no holidays) of
 * 2024, 2024-01-01 to 2024-12-31: a 375-minute session from 03:45 to 09:59
 * UTC (09:15 to 15:29 in India), so 262 days of 375 bars.  Prices are in
 * cents, volumes whole, and every bar is sane (see bar_is_sane()).  A bar
 * opens at the previous bar's close, except for the overnight gap at a
 * session's first bar.
 *
 * The prices switch between regimes (trending up, trending down, choppy
 * around a level) lasting one to five weeks, with clusters of high and low
 * volatility, so that every strategy of the engine trades several times a
 * year at minute and day intervals.
 *
 * The generator uses only integer arithmetic and its own PRNG, so the bars
 * are the same on every machine, compiler and run.
 */
#define DEMODATA_FIRST_DAY		1704067200	/* 2024-01-01T00:00:00Z */
#define DEMODATA_LAST_DAY		1735603200	/* 2024-12-31T00:00:00Z */
#define DEMODATA_SESSION_START		(3 * 3600 + 45 * 60)	/* 03:45 UTC */
#define DEMODATA_SESSION_MINUTES	375
#define DEMODATA_TRADING_DAYS		262
#define DEMODATA_BARS_PER_SYMBOL \
	(DEMODATA_TRADING_DAYS * DEMODATA_SESSION_MINUTES)

/*
 * Points *names at the demo symbols' names (static strings, in a static
 * array) and returns how many there are.
 */
size_t	demodata_symbols(const char *const **names);

/*
 * Calls emit for each bar of symbol, in time order.  emit returns 0 to go
 * on; anything else stops the generation and is returned.  Returns 0 when
 * every bar was emitted, or -1 if symbol is not a demo symbol.
 */
int	demodata_generate(const char *symbol,
	    int (*emit)(const struct bar *bar, void *arg), void *arg);

#endif
