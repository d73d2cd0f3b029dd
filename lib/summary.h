/* summary.h: a finished backtest's result_summary (doc/engine.md), and its JSON shape. */
#ifndef BACKSTREAM_SUMMARY_H
#define BACKSTREAM_SUMMARY_H

#include <stdint.h>

#include <json-c/json.h>

#include "buf.h"
#include "pack.h"

struct summary {
	double	initial_capital;
	double	final_equity;
	double	total_return_pct;
	double	max_drawdown_pct;
	int64_t	total_trades;		/* sells */
	int64_t	winning_trades;
	int64_t	losing_trades;
	double	win_rate_pct;
	double	profit_factor;		/* NaN: null (no losing trade) */
	double	sharpe_ratio;		/* NaN: null */
	double	buy_and_hold_return_pct;
	int64_t	bars_processed;
};

/* Appends the stored form of s to out (inside a versioned record). */
void	summary_encode(const struct summary *s, struct buf *out);
/* Reads a stored summary; returns 0, or -1 if it is damaged. */
int	summary_decode(struct unpack *u, struct summary *s);

/* Returns a new reference: every field of doc/engine.md, NaN as null. */
json_object	*summary_to_json(const struct summary *s);

#endif
