/* symbols.h: what bars each symbol has and which intervals it can serve, for the CLI and the REST API. */
#ifndef BACKSTREAM_SYMBOLS_H
#define BACKSTREAM_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "interval.h"
#include "spec.h"
#include "store-bars.h"
#include "store.h"

/*
 * One symbol's bars.  An interval can be served when bars of it are
 * stored, or when minute bars are (doc/engine.md: resampled from minutes), so
 * a symbol with minute bars serves all INTERVAL_COUNT intervals.
 */
struct symbol_info {
	char		 symbol[SYMBOL_MAX + 1];
	int64_t		 first;		/* earliest stored bar, any interval */
	int64_t		 last;		/* latest stored bar, any interval */
	unsigned	 stored;	/* bit (1 << interval) per stored interval */
	unsigned	 served;	/* bit per interval it can serve */
	struct bar_range ranges[INTERVAL_COUNT];	/* valid where stored */
};

/*
 * Collects every symbol with stored bars (symbol NULL), or just that one,
 * sorted by symbol.  *out is a new array the caller frees (NULL when *n
 * is 0).  A symbol with nothing stored gives *n = 0, not an error.
 * Returns 0, or a store code with a reason in err.
 */
int	symbols_list(struct store *s, const char *symbol,
	    struct symbol_info **out, size_t *n, char *err, size_t errlen);

/*
 * The API shape of one symbol:
 * {"symbol":"DEMO","first":"…Z","last":"…Z",
 *  "intervals":["minute",…,"day"],
 *  "stored":{"minute":{"first":"…Z","last":"…Z","count":98250}}}
 * where intervals lists what can be served, in interval order.  Returns a
 * new reference.
 */
json_object	*symbol_info_to_json(const struct symbol_info *si);

/*
 * symbols_list() as a JSON array of symbol_info_to_json() objects, in
 * *out (a new reference).  Returns 0, or a store code with a reason in
 * err and *out NULL.
 */
int	symbols_to_json(struct store *s, const char *symbol, json_object **out,
	    char *err, size_t errlen);

#endif
