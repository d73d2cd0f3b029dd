/* trade.h: one fill of a backtest (the API calls it a transaction), and its JSON shape. */
#ifndef BACKSTREAM_TRADE_H
#define BACKSTREAM_TRADE_H

#include <stdint.h>

#include <json-c/json.h>

enum trade_side { TRADE_BUY, TRADE_SELL };
enum trade_reason { TRADE_SIGNAL, TRADE_END_OF_DATA };

struct trade {
	uint32_t		seq;		/* 1, 2, … within the job */
	int64_t			time;		/* the fill bar's start */
	enum trade_side		side;
	enum trade_reason	reason;
	double			price;
	int64_t			quantity;
	double			commission;
	double			cash_after;
	double			pnl;		/* SELL only */
};

/*
 * The API shape: {seq, time, side, price, quantity, commission, cash_after,
 * reason, pnl}, pnl only on a SELL.  Returns a new reference.
 */
json_object	*trade_to_json(const struct trade *t);

#endif
