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
