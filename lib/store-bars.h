/* store-bars.h: bars per symbol and interval, stored in blocks, and the symbols they cover. */
#ifndef BACKSTREAM_STORE_BARS_H
#define BACKSTREAM_STORE_BARS_H

#include <stddef.h>
#include <stdint.h>

#include "bar.h"
#include "interval.h"
#include "spec.h"
#include "store.h"

/*
 * Bars are kept in blocks of one UTC day (one UTC year for day bars): one
 * record per block, so that a year of minute bars is a few hundred records
 * rather than a hundred thousand, and a backtest reads them at memory speed.
 */

/*
 * Merges bars (n of them, strictly ascending in time) into the stored
 * bars of symbol at interval, a bar replacing a stored one of the same
 * time, all in one transaction: a failure imports nothing.  progress, if
 * not NULL, is called after each block with the bars written so far.
 * Returns 0, or a store code with a reason in err.
 */
int	bars_import(struct store *s, const char *symbol, enum interval iv,
	    const struct bar *bars, size_t n,
	    void (*progress)(size_t done, size_t total, void *arg), void *arg,
	    char *err, size_t errlen);

/*
 * Calls fn for each stored bar of symbol at interval with from <= time <=
 * to, ascending, until fn returns non-zero (STORE_STOP stops quietly).
 * Returns 0 or a store code.
 */
int	bars_scan(struct store_txn *txn, const char *symbol, enum interval iv,
	    int64_t from, int64_t to,
	    int (*fn)(const struct bar *b, void *arg), void *arg);

/*
 * The bars of symbol at interval in [from, to] as doc/engine.md defines them:
 * the stored bars of that interval if the symbol has any, else bars
 * resampled from its minute bars.  Same calling convention as bars_scan.
 */
int	bars_query(struct store_txn *txn, const char *symbol, enum interval iv,
	    int64_t from, int64_t to,
	    int (*fn)(const struct bar *b, void *arg), void *arg);

/* What is stored for one symbol and interval. */
struct bar_range {
	char		symbol[SYMBOL_MAX + 1];
	enum interval	interval;
	int64_t		first;		/* time of the first bar */
	int64_t		last;
	uint64_t	count;
};

/*
 * Calls fn for each stored (symbol, interval), sorted by symbol then
 * interval; symbol NULL lists all symbols.  Returns 0 or a store code.
 */
int	bars_ranges(struct store_txn *txn, const char *symbol,
	    int (*fn)(const struct bar_range *r, void *arg), void *arg);
/* Reads the range of one symbol and interval; ENOENT if none stored. */
int	bars_range(struct store_txn *txn, const char *symbol, enum interval iv,
	    struct bar_range *out);

#endif
