/* trade.c: the JSON shape of a transaction. */
#include "config.h"

#include "json.h"
#include "trade.h"

json_object *
trade_to_json(const struct trade *t)
{
	json_object	*o;

	o = json_object_new_object();
	json_object_object_add(o, "seq", json_object_new_int64(t->seq));
	json_object_object_add(o, "time", json_time(t->time));
	json_object_object_add(o, "side", json_object_new_string(
	    t->side == TRADE_BUY ? "BUY" : "SELL"));
	json_object_object_add(o, "price", json_num(t->price));
	json_object_object_add(o, "quantity",
	    json_object_new_int64(t->quantity));
	json_object_object_add(o, "commission", json_num(t->commission));
	json_object_object_add(o, "cash_after", json_num(t->cash_after));
	json_object_object_add(o, "reason", json_object_new_string(
	    t->reason == TRADE_SIGNAL ? "signal" : "end_of_data"));
	if (t->side == TRADE_SELL)
		json_object_object_add(o, "pnl", json_num(t->pnl));
	return o;
}
