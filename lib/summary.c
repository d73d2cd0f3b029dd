/* summary.c: the JSON shape of result_summary. */
#include "config.h"

#include "json.h"
#include "summary.h"

json_object *
summary_to_json(const struct summary *s)
{
	json_object	*o;

	o = json_object_new_object();
	json_object_object_add(o, "initial_capital",
	    json_num(s->initial_capital));
	json_object_object_add(o, "final_equity", json_num(s->final_equity));
	json_object_object_add(o, "total_return_pct",
	    json_num(s->total_return_pct));
	json_object_object_add(o, "max_drawdown_pct",
	    json_num(s->max_drawdown_pct));
	json_object_object_add(o, "total_trades",
	    json_object_new_int64(s->total_trades));
	json_object_object_add(o, "winning_trades",
	    json_object_new_int64(s->winning_trades));
	json_object_object_add(o, "losing_trades",
	    json_object_new_int64(s->losing_trades));
	json_object_object_add(o, "win_rate_pct", json_num(s->win_rate_pct));
	json_object_object_add(o, "profit_factor", json_num(s->profit_factor));
	json_object_object_add(o, "sharpe_ratio", json_num(s->sharpe_ratio));
	json_object_object_add(o, "buy_and_hold_return_pct",
	    json_num(s->buy_and_hold_return_pct));
	json_object_object_add(o, "bars_processed",
	    json_object_new_int64(s->bars_processed));
	return o;
}

void
summary_encode(const struct summary *s, struct buf *out)
{
	pack_f64(out, s->initial_capital);
	pack_f64(out, s->final_equity);
	pack_f64(out, s->total_return_pct);
	pack_f64(out, s->max_drawdown_pct);
	pack_i64(out, s->total_trades);
	pack_i64(out, s->winning_trades);
	pack_i64(out, s->losing_trades);
	pack_f64(out, s->win_rate_pct);
	pack_f64(out, s->profit_factor);
	pack_f64(out, s->sharpe_ratio);
	pack_f64(out, s->buy_and_hold_return_pct);
	pack_i64(out, s->bars_processed);
}

int
summary_decode(struct unpack *u, struct summary *s)
{
	s->initial_capital = unpack_f64(u);
	s->final_equity = unpack_f64(u);
	s->total_return_pct = unpack_f64(u);
	s->max_drawdown_pct = unpack_f64(u);
	s->total_trades = unpack_i64(u);
	s->winning_trades = unpack_i64(u);
	s->losing_trades = unpack_i64(u);
	s->win_rate_pct = unpack_f64(u);
	s->profit_factor = unpack_f64(u);
	s->sharpe_ratio = unpack_f64(u);
	s->buy_and_hold_return_pct = unpack_f64(u);
	s->bars_processed = unpack_i64(u);
	return u->bad ? -1 : 0;
}
