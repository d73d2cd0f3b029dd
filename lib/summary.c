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

/* The stored form: every field, in this order. */
#define F(member)	PACK_FIELD(struct summary, member)
static const struct pack_field summary_fields[] = {
	F(initial_capital),
	F(final_equity),
	F(total_return_pct),
	F(max_drawdown_pct),
	F(total_trades),
	F(winning_trades),
	F(losing_trades),
	F(win_rate_pct),
	F(profit_factor),
	F(sharpe_ratio),
	F(buy_and_hold_return_pct),
	F(bars_processed),
};
#undef F
#define NFIELDS	(sizeof summary_fields / sizeof summary_fields[0])

void
summary_encode(const struct summary *s, struct buf *out)
{
	pack_fields(out, s, summary_fields, NFIELDS);
}

int
summary_decode(struct unpack *u, struct summary *s)
{
	unpack_fields(u, s, summary_fields, NFIELDS);
	return u->bad ? -1 : 0;
}
