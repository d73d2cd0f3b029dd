/* test-backtest.c: unit tests of the execution rules and result_summary, worked out by hand. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "backtest.h"
#include "spec-parse.h"
#include "test.h"
#include "timefmt.h"

#define MAX_TRADES	16
#define DAY		86400
/* 2024-01-02T00:00:00Z, the first bar of every run. */
#define T0		1704153600

struct run {
	struct summary	s;
	struct trade	trades[MAX_TRADES];
	size_t		ntrades;
	int		rc;
	char		err[256];
};

/* Copies out the batch of trades the backtest has made since the last call. */
static void
collect(struct backtest *bt, struct run *out)
{
	const struct trade	*t;
	size_t			 n, i;

	n = backtest_trades(bt, &t);
	for (i = 0; i < n && out->ntrades < MAX_TRADES; i++)
		out->trades[out->ntrades++] = t[i];
}

/*
 * Runs the job described by fields (the JSON members after "symbol" and
 * the dates) over bars i = 0 … n−1 with the given opens and closes, one
 * `step` seconds apart.  Returns 0, or -1 if the spec or backtest_new
 * refused.
 */
static int
run_bars(const char *fields, const double *opens, const double *closes,
    size_t n, int64_t step, struct run *out)
{
	struct job_spec	 spec;
	struct backtest	*bt;
	struct bar	 bar;
	json_object	*obj;
	char		 text[512];
	size_t		 i;

	memset(out, 0, sizeof *out);
	snprintf(text, sizeof text, "{\"symbol\":\"TEST\",\"start_date\":"
	    "\"2024-01-01\",\"end_date\":\"2024-12-31\",%s}", fields);
	obj = json_tokener_parse(text);
	if (spec_from_json(obj, &spec, out->err, sizeof out->err) == -1) {
		TEST_FAIL("spec %s: %s", text, out->err);
		json_object_put(obj);
		return -1;
	}
	json_object_put(obj);
	if ((bt = backtest_new(&spec, out->err, sizeof out->err)) == NULL) {
		TEST_FAIL("backtest_new: %s", out->err);
		return -1;
	}
	for (i = 0; i < n; i++) {
		bar.time = T0 + (int64_t)i * step;
		bar.open = opens[i];
		bar.close = closes[i];
		bar.high = fmax(opens[i], closes[i]);
		bar.low = fmin(opens[i], closes[i]);
		bar.volume = 100;
		backtest_bar(bt, &bar);
		CHECK_INT(backtest_bars(bt), i + 1);
		collect(bt, out);
	}
	out->rc = backtest_finish(bt, &out->s, out->err, sizeof out->err);
	collect(bt, out);
	backtest_free(bt);
	return 0;
}

static int
run_days(const char *fields, const double *opens, const double *closes,
    size_t n, struct run *out)
{
	return run_bars(fields, opens, closes, n, DAY, out);
}

static void
check_trade(const struct trade *t, uint32_t seq, size_t bar,
    enum trade_side side, double price, int64_t quantity, double commission,
    double cash_after, enum trade_reason reason)
{
	CHECK_INT(t->seq, seq);
	CHECK_INT(t->time, T0 + (int64_t)bar * DAY);
	CHECK_INT(t->side, side);
	CHECK_NEAR(t->price, price, 0);
	CHECK_INT(t->quantity, quantity);
	CHECK_NEAR(t->commission, commission, 1e-12);
	CHECK_NEAR(t->cash_after, cash_after, 1e-12);
	CHECK_INT(t->reason, reason);
}

/*
 * buy_and_hold, capital 1000, no commission.
 *   bar open close
 *   0   10   10     buy signal at the close
 *   1   10   11     filled at this open: q = floor(1000 / 10) = 100, cash 0
 *   2   12   9
 *   3   9    12     end_of_data: 100 sold at the last close 12 = 1200
 * Equity at closes: 1000, 1100, 900, 1200.
 *   max drawdown: peak 1100 to 900, 200 / 1100 = 18.1818…%
 *   returns 1/10, −2/11, 1/3: sum (33 − 60 + 110)/330 = 83/330,
 *   mean 83/990; deviations 16/990, −263/990, 247/990, squares sum
 *   130434/990², sample variance 65217/990², so
 *   Sharpe = (83/990) / (√65217/990) · √252 = 83 √(252/65217) ≈ 5.1594
 *   pnl = 1200 − 1000 = 200: one winning trade, no losing one (pf null).
 */
static void
test_buy_and_hold(void)
{
	static const double	 opens[] = { 10, 10, 12, 9 };
	static const double	 closes[] = { 10, 11, 9, 12 };
	struct run		 r;

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"buy_and_hold\","
	    "\"initial_capital\":1000", opens, closes, 4, &r) == 0);
	REQUIRE(r.rc == 0);
	REQUIRE(r.ntrades == 2);
	check_trade(&r.trades[0], 1, 1, TRADE_BUY, 10, 100, 0, 0,
	    TRADE_SIGNAL);
	check_trade(&r.trades[1], 2, 3, TRADE_SELL, 12, 100, 0, 1200,
	    TRADE_END_OF_DATA);
	CHECK_NEAR(r.trades[1].pnl, 200, 0);
	CHECK_NEAR(r.s.initial_capital, 1000, 0);
	CHECK_NEAR(r.s.final_equity, 1200, 0);
	CHECK_NEAR(r.s.total_return_pct, 20, 1e-12);
	CHECK_NEAR(r.s.max_drawdown_pct, 200.0 / 1100 * 100, 1e-12);
	CHECK_INT(r.s.total_trades, 1);
	CHECK_INT(r.s.winning_trades, 1);
	CHECK_INT(r.s.losing_trades, 0);
	CHECK_NEAR(r.s.win_rate_pct, 100, 0);
	CHECK(isnan(r.s.profit_factor));
	CHECK_NEAR(r.s.sharpe_ratio, 83 * sqrt(252.0 / 65217), 1e-12);
	CHECK_NEAR(r.s.buy_and_hold_return_pct, 20, 1e-12);	/* 12/10 − 1 */
	CHECK_INT(r.s.bars_processed, 4);
}

/*
 * Commission 0.01 on both sides, capital 1000, buy_and_hold.
 *   bar 1 open 10: q = floor(1000 / (10 · 1.01)) = floor(99.0099) = 99,
 *     cost 99 · 10 · 1.01 = 999.9, of which commission 0.01 · 10 · 99 = 9.9;
 *     cash 0.1
 *   end_of_data at the close 11: value 99 · 11 = 1089, commission 10.89,
 *     cash 0.1 + 1089 − 10.89 = 1078.21
 *   pnl = (1089 − 10.89) − (990 + 9.9) = 78.21
 * Equity at closes: 1000, 0.1 + 990 = 990.1, 0.1 + 1089 = 1089.1.
 *   max drawdown (1000 − 990.1)/1000 = 0.99%
 *   two returns r1 = −9.9/1000, r2 = 99/990.1: mean (r1+r2)/2, sample
 *   deviation |r2 − r1|/√2, Sharpe = (r1 + r2)/(r2 − r1) · √126
 */
static void
test_commission(void)
{
	static const double	 opens[] = { 10, 10, 10 };
	static const double	 closes[] = { 10, 10, 11 };
	double			 r1 = -9.9 / 1000, r2 = 99 / 990.1;
	struct run		 r;

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"buy_and_hold\","
	    "\"initial_capital\":1000,\"commission\":0.01", opens, closes, 3,
	    &r) == 0);
	REQUIRE(r.rc == 0);
	REQUIRE(r.ntrades == 2);
	check_trade(&r.trades[0], 1, 1, TRADE_BUY, 10, 99, 9.9, 0.1,
	    TRADE_SIGNAL);
	check_trade(&r.trades[1], 2, 2, TRADE_SELL, 11, 99, 10.89, 1078.21,
	    TRADE_END_OF_DATA);
	CHECK_NEAR(r.trades[1].pnl, 78.21, 1e-12);
	CHECK_NEAR(r.s.final_equity, 1078.21, 1e-12);
	CHECK_NEAR(r.s.total_return_pct, 7.821, 1e-12);
	CHECK_NEAR(r.s.max_drawdown_pct, 0.99, 1e-12);
	CHECK_NEAR(r.s.sharpe_ratio, (r1 + r2) / (r2 - r1) * sqrt(126), 1e-12);
	CHECK_NEAR(r.s.buy_and_hold_return_pct, 10, 1e-12);
}

/*
 * The quantity rule's decrement, then a breakeven trade.  Capital 7.7, a
 * buy at 1.1.  As doubles, 7.7 = 7.70000000000000017763… and
 * 1.1 = 1.10000000000000008882…; their exact quotient 6.99999999999999992…
 * rounds to 7.0, so floor gives 7, but 7 × 1.1 = 7.70000000000000062…
 * rounds to 7.7000000000000010658 > 7.7: lowered to 6.  Cash is
 * 7.7 − 6 × 1.1 = 7.7 − 6.6000000000000005 ≈ 1.1.
 * Sold at the same price 1.1, pnl = 6 × 1.1 − 6 × 1.1 = 0: a breakeven
 * trade counts in total_trades but neither as a win nor as a loss.
 */
static void
test_quantity_decrement_breakeven(void)
{
	static const double	 opens[] = { 1.1, 1.1, 1.1 };
	static const double	 closes[] = { 1.1, 1.1, 1.1 };
	struct run		 r;

	/* The premise, as the engine sees it in doubles. */
	CHECK(floor(7.7 / 1.1) == 7);
	CHECK(7 * 1.1 > 7.7);

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"buy_and_hold\","
	    "\"initial_capital\":7.7", opens, closes, 3, &r) == 0);
	REQUIRE(r.rc == 0);
	REQUIRE(r.ntrades == 2);
	check_trade(&r.trades[0], 1, 1, TRADE_BUY, 1.1, 6, 0, 1.1,
	    TRADE_SIGNAL);
	CHECK(r.trades[0].cash_after >= 0);
	check_trade(&r.trades[1], 2, 2, TRADE_SELL, 1.1, 6, 0, 7.7,
	    TRADE_END_OF_DATA);
	CHECK_NEAR(r.trades[1].pnl, 0, 0);
	CHECK_INT(r.s.total_trades, 1);
	CHECK_INT(r.s.winning_trades, 0);
	CHECK_INT(r.s.losing_trades, 0);
	CHECK_NEAR(r.s.win_rate_pct, 0, 0);
	CHECK(isnan(r.s.profit_factor));
	CHECK_NEAR(r.s.final_equity, 7.7, 1e-15);
}

/*
 * A buy that affords no share is no trade: capital 5 at price 10
 * (floor(0.5) = 0), and capital 10 at price 10 with commission 0.01
 * (floor(10 / 10.1) = 0).  Nothing is bought, so nothing is sold at the
 * end; equity stays flat, so every return is 0 and the deviation is zero:
 * Sharpe null.  buy_and_hold_return_pct still follows the closes:
 * 12/10 − 1 = 20%.
 */
static void
test_zero_quantity(void)
{
	static const double	 opens[] = { 10, 10, 11 };
	static const double	 closes[] = { 10, 11, 12 };
	struct run		 r;

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"buy_and_hold\","
	    "\"initial_capital\":5", opens, closes, 3, &r) == 0);
	REQUIRE(r.rc == 0);
	CHECK_INT(r.ntrades, 0);
	CHECK_NEAR(r.s.final_equity, 5, 0);
	CHECK_NEAR(r.s.total_return_pct, 0, 0);
	CHECK_NEAR(r.s.max_drawdown_pct, 0, 0);
	CHECK_INT(r.s.total_trades, 0);
	CHECK_NEAR(r.s.win_rate_pct, 0, 0);
	CHECK(isnan(r.s.profit_factor));
	CHECK(isnan(r.s.sharpe_ratio));
	CHECK_NEAR(r.s.buy_and_hold_return_pct, 20, 1e-12);

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"buy_and_hold\","
	    "\"initial_capital\":10,\"commission\":0.01", opens, closes, 3,
	    &r) == 0);
	REQUIRE(r.rc == 0);
	CHECK_INT(r.ntrades, 0);
	CHECK_NEAR(r.s.final_equity, 10, 0);
}

/*
 * sma_crossover fast 2, slow 3, capital 1200 (signals as in
 * test-strategy.c's test_sma_signals):
 *   bar open close  fast  slow  signal
 *   0   10   10     -     -
 *   1   10   10     10    -
 *   2   10   10     10    10    none (averages exist on one bar only)
 *   3   10   13     11.5  11    buy
 *   4   12   7      10    10    none; the buy fills at 12: q = 100, cash 0
 *   5   7    7      7     9     sell
 *   6   8    7      7     7     none; the sell fills at 8: cash 800,
 *                                 pnl 800 − 1200 = −400
 *   7   7    13     10    9     buy on the last bar: dropped
 * Flat at the end, so no end_of_data sale.  Equity at closes: 1200 × 4,
 * 700, 700, 800, 800.  Max drawdown (1200 − 700)/1200 = 41.666…%.
 * One losing trade: win rate 0, profit factor 0 / 400 = 0.
 * Returns 0, 0, 0, −5/12, 0, 1/7, 0 (n = 7): sum −23/84, sum of squares
 * 25/144 + 1/49 = 1369/7056, SS = 1369/7056 − (23/84)²/7 = 9054/49392,
 * variance SS/6 = 1509/49392; mean −23/588 over √(1509/49392) is
 * −23/√10563, so Sharpe = −23 √(252/10563) ≈ −3.5525.
 */
static void
test_sma_crossover(void)
{
	static const double	 opens[] = { 10, 10, 10, 10, 12, 7, 8, 7 };
	static const double	 closes[] = { 10, 10, 10, 13, 7, 7, 7, 13 };
	struct run		 r;

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"sma_crossover\","
	    "\"params\":{\"fast\":2,\"slow\":3},\"initial_capital\":1200",
	    opens, closes, 8, &r) == 0);
	REQUIRE(r.rc == 0);
	REQUIRE(r.ntrades == 2);
	check_trade(&r.trades[0], 1, 4, TRADE_BUY, 12, 100, 0, 0,
	    TRADE_SIGNAL);
	check_trade(&r.trades[1], 2, 6, TRADE_SELL, 8, 100, 0, 800,
	    TRADE_SIGNAL);
	CHECK_NEAR(r.trades[1].pnl, -400, 0);
	CHECK_NEAR(r.s.final_equity, 800, 0);
	CHECK_NEAR(r.s.total_return_pct, -100.0 / 3, 1e-12);
	CHECK_NEAR(r.s.max_drawdown_pct, 500.0 / 1200 * 100, 1e-12);
	CHECK_INT(r.s.total_trades, 1);
	CHECK_INT(r.s.winning_trades, 0);
	CHECK_INT(r.s.losing_trades, 1);
	CHECK_NEAR(r.s.win_rate_pct, 0, 0);
	CHECK_NEAR(r.s.profit_factor, 0, 0);
	CHECK_NEAR(r.s.sharpe_ratio, -23 * sqrt(252.0 / 10563), 1e-12);
	CHECK_NEAR(r.s.buy_and_hold_return_pct, 30, 1e-12);	/* 13/10 − 1 */
	CHECK_INT(r.s.bars_processed, 8);
}

/*
 * ema_crossover fast 2, slow 3, capital 1500 (signals as in
 * test-strategy.c's test_ema: buy at bar 3, sell at 4, buy at 7):
 *   bar 4 open 15: q = 100, cash 0
 *   bar 5 open 5: cash 500, pnl 500 − 1500 = −1000
 *   bar 8 open 9: q = floor(500 / 9) = 55 (495), cash 5
 *   end_of_data at the close 10: 550, cash 555, pnl 550 − 495 = 55
 * Equity at closes: 1500 × 4, 400, 500, 500, 500, 555; max drawdown
 * 1100/1500 = 73.33…%.  One win and one loss: win rate 50%, profit
 * factor 55 / 1000 = 0.055.
 */
static void
test_ema_crossover(void)
{
	static const double	 opens[] = { 10, 10, 10, 10, 15, 5, 4, 4, 9 };
	static const double	 closes[] = { 10, 10, 10, 16, 4, 4, 4, 10, 10 };
	struct run		 r;

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"ema_crossover\","
	    "\"params\":{\"fast\":2,\"slow\":3},\"initial_capital\":1500",
	    opens, closes, 9, &r) == 0);
	REQUIRE(r.rc == 0);
	REQUIRE(r.ntrades == 4);
	check_trade(&r.trades[0], 1, 4, TRADE_BUY, 15, 100, 0, 0,
	    TRADE_SIGNAL);
	check_trade(&r.trades[1], 2, 5, TRADE_SELL, 5, 100, 0, 500,
	    TRADE_SIGNAL);
	check_trade(&r.trades[2], 3, 8, TRADE_BUY, 9, 55, 0, 5, TRADE_SIGNAL);
	check_trade(&r.trades[3], 4, 8, TRADE_SELL, 10, 55, 0, 555,
	    TRADE_END_OF_DATA);
	CHECK_NEAR(r.trades[1].pnl, -1000, 0);
	CHECK_NEAR(r.trades[3].pnl, 55, 0);
	CHECK_NEAR(r.s.final_equity, 555, 0);
	CHECK_NEAR(r.s.total_return_pct, -63, 1e-12);
	CHECK_NEAR(r.s.max_drawdown_pct, 1100.0 / 1500 * 100, 1e-12);
	CHECK_INT(r.s.total_trades, 2);
	CHECK_INT(r.s.winning_trades, 1);
	CHECK_INT(r.s.losing_trades, 1);
	CHECK_NEAR(r.s.win_rate_pct, 50, 0);
	CHECK_NEAR(r.s.profit_factor, 0.055, 1e-15);
}

/*
 * rsi_reversion period 2 (signals as in test-strategy.c's test_rsi: buy
 * at bar 3, sell at bars 5, 6 and 7), capital 1000:
 *   bar 4 open 8.5: q = floor(1000 / 8.5) = floor(117.6…) = 117,
 *     cost 994.5, cash 5.5
 *   bar 6 open 12.5: 117 × 12.5 = 1462.5, cash 1468, pnl 468
 *   the sells of bars 6 and 7 find no position: dropped.
 */
static void
test_rsi_reversion(void)
{
	static const double	 opens[] = { 10, 10, 11, 9, 8.5, 9, 12.5, 13 };
	static const double	 closes[] = { 10, 11, 10, 8, 9, 12, 13, 13 };
	struct run		 r;

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"rsi_reversion\","
	    "\"params\":{\"period\":2},\"initial_capital\":1000", opens, closes,
	    8, &r) == 0);
	REQUIRE(r.rc == 0);
	REQUIRE(r.ntrades == 2);
	check_trade(&r.trades[0], 1, 4, TRADE_BUY, 8.5, 117, 0, 5.5,
	    TRADE_SIGNAL);
	check_trade(&r.trades[1], 2, 6, TRADE_SELL, 12.5, 117, 0, 1468,
	    TRADE_SIGNAL);
	CHECK_NEAR(r.trades[1].pnl, 468, 1e-12);
	CHECK_NEAR(r.s.final_equity, 1468, 0);
	CHECK_INT(r.s.winning_trades, 1);
}

/*
 * A buy wish while long is dropped: rsi_reversion period 1 (RSI is 0 on
 * any fall) on falling closes 10, 9, 8, 7 wishes to buy at bars 1, 2 and
 * 3.  Bar 2 fills the first (open 9: q = floor(90 / 9) = 10, cash 0); the
 * second finds a position and is dropped; the third is on the last bar.
 * end_of_data: 10 × 7 = 70, pnl −20.
 */
static void
test_buy_while_long_dropped(void)
{
	static const double	 opens[] = { 10, 9, 9, 8 };
	static const double	 closes[] = { 10, 9, 8, 7 };
	struct run		 r;

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"rsi_reversion\","
	    "\"params\":{\"period\":1},\"initial_capital\":90", opens, closes,
	    4, &r) == 0);
	REQUIRE(r.rc == 0);
	REQUIRE(r.ntrades == 2);
	check_trade(&r.trades[0], 1, 2, TRADE_BUY, 9, 10, 0, 0, TRADE_SIGNAL);
	check_trade(&r.trades[1], 2, 3, TRADE_SELL, 7, 10, 0, 70,
	    TRADE_END_OF_DATA);
	CHECK_NEAR(r.trades[1].pnl, -20, 0);
	CHECK_NEAR(r.s.profit_factor, 0, 0);
}

/*
 * The same equity curve at other intervals: only √(periods per year)
 * changes.  Periods: 252 for day, 252 × 375 / m for m minutes
 * (minute 94500, 5minute 18900, 60minute 1575).  Bars 1000, 1100, 900,
 * 1200 as in test_buy_and_hold, whose day Sharpe is 83 √(252/65217).
 */
static void
test_sharpe_annualisation(void)
{
	static const double	 opens[] = { 10, 10, 12, 9 };
	static const double	 closes[] = { 10, 11, 9, 12 };
	static const struct {
		const char	*interval;
		double		 periods;
		int64_t		 step;
	} cases[] = {
		{ "day", 252, DAY },
		{ "minute", 94500, 60 },
		{ "3minute", 31500, 180 },
		{ "5minute", 18900, 300 },
		{ "10minute", 9450, 600 },
		{ "15minute", 6300, 900 },
		{ "30minute", 3150, 1800 },
		{ "60minute", 1575, 3600 },
	};
	char			 fields[128];
	enum interval		 iv;
	struct run		 r;
	size_t			 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		REQUIRE(interval_parse(cases[i].interval, &iv) == 0);
		CHECK_NEAR(backtest_periods_per_year(iv), cases[i].periods, 0);
		snprintf(fields, sizeof fields, "\"interval\":\"%s\","
		    "\"strategy\":\"buy_and_hold\",\"initial_capital\":1000",
		    cases[i].interval);
		REQUIRE(run_bars(fields, opens, closes, 4, cases[i].step,
		    &r) == 0);
		REQUIRE(r.rc == 0);
		CHECK_NEAR(r.s.sharpe_ratio,
		    83 * sqrt(cases[i].periods / 65217), 1e-12);
	}
}

/*
 * Sharpe null with fewer than two returns: two bars give one return.
 * buy_and_hold on closes 10, 20 (opens 10, 10): bought 100 at 10, sold at
 * the close 20: final 2000, and max drawdown 0 (equity 1000, 2000).
 */
static void
test_sharpe_null_one_return(void)
{
	static const double	 opens[] = { 10, 10 };
	static const double	 closes[] = { 10, 20 };
	struct run		 r;

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"buy_and_hold\","
	    "\"initial_capital\":1000", opens, closes, 2, &r) == 0);
	REQUIRE(r.rc == 0);
	CHECK_INT(r.ntrades, 2);
	CHECK_NEAR(r.s.final_equity, 2000, 0);
	CHECK(isnan(r.s.sharpe_ratio));
	CHECK_NEAR(r.s.max_drawdown_pct, 0, 0);
}

/*
 * A strategy that never trades keeps equity flat: every return is 0, the
 * deviation is zero, Sharpe null.  sma_crossover 2/3 on rising closes
 * never crosses (fast is above slow on the first bar both exist).
 */
static void
test_sharpe_null_flat(void)
{
	static const double	 opens[] = { 1, 2, 3, 4, 5, 6 };
	static const double	 closes[] = { 1, 2, 3, 4, 5, 6 };
	struct run		 r;

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"sma_crossover\","
	    "\"params\":{\"fast\":2,\"slow\":3},\"initial_capital\":1000",
	    opens, closes, 6, &r) == 0);
	REQUIRE(r.rc == 0);
	CHECK_INT(r.ntrades, 0);
	CHECK(isnan(r.s.sharpe_ratio));
	CHECK(isnan(r.s.profit_factor));
	CHECK_NEAR(r.s.win_rate_pct, 0, 0);
	CHECK_NEAR(r.s.buy_and_hold_return_pct, 500, 1e-12);	/* 6/1 − 1 */
}

/*
 * Returns equal but for rounding have zero deviation too.  All in at bar
 * 1's open 100 (q = 10, cash 0), closes 100, 103, 106.09, 109.2727,
 * 112.550881 grow by 3% a bar, so equity 1000, 1030, 1060.9, 1092.727,
 * 1125.50881 has returns of exactly 0.03 in decimal.  In doubles they
 * come out as 0.03, 0.03000000000000009, 0.029999999999999995, …, with a
 * deviation of about 6e-17, which would make a Sharpe ratio of 1e16.
 * Under the 1e-9 rule those returns are equal: null.
 */
static void
test_sharpe_null_equal_returns(void)
{
	static const double	 opens[] = { 100, 100, 103, 106.09, 109.2727 };
	static const double	 closes[] = { 100, 103, 106.09, 109.2727,
	    112.550881 };
	struct run		 r;

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"buy_and_hold\","
	    "\"initial_capital\":1000", opens, closes, 5, &r) == 0);
	REQUIRE(r.rc == 0);
	CHECK_INT(r.trades[0].quantity, 10);
	CHECK_NEAR(r.s.final_equity, 1125.50881, 1e-15);
	CHECK(isnan(r.s.sharpe_ratio));
}

/*
 * Fewer than 2 bars fails the job with a clear message, whether 0 or 1;
 * bars out of time order fail it too.
 */
static void
test_too_few_bars(void)
{
	static const double	 one[] = { 10 };
	struct job_spec		 spec;
	struct backtest		*bt;
	struct summary		 s;
	struct bar		 bar = { T0, 10, 10, 10, 10, 1 };
	json_object		*obj;
	char			 err[256];
	struct run		 r;

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"buy_and_hold\"",
	    one, one, 1, &r) == 0);
	CHECK_INT(r.rc, -1);
	CHECK_STR(r.err, "a backtest needs at least 2 bars in its date range, "
	    "and there is 1");
	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"buy_and_hold\"",
	    one, one, 0, &r) == 0);
	CHECK_INT(r.rc, -1);
	CHECK_STR(r.err, "a backtest needs at least 2 bars in its date range, "
	    "and there are 0");

	obj = json_tokener_parse("{\"symbol\":\"X\",\"interval\":\"day\","
	    "\"start_date\":\"2024-01-01\",\"end_date\":\"2024-01-31\","
	    "\"strategy\":\"buy_and_hold\"}");
	REQUIRE(spec_from_json(obj, &spec, err, sizeof err) == 0);
	json_object_put(obj);
	bt = backtest_new(&spec, err, sizeof err);
	REQUIRE(bt != NULL);
	backtest_bar(bt, &bar);
	backtest_bar(bt, &bar);		/* the same time again */
	bar.time += DAY;
	backtest_bar(bt, &bar);
	CHECK_INT(backtest_finish(bt, &s, err, sizeof err), -1);
	CHECK_STR(err, "bar at 2024-01-02T00:00:00Z is not after the bar "
	    "before it");
	CHECK_INT(backtest_finish(bt, &s, err, sizeof err), -1);
	CHECK_STR(err, "backtest already finished");
	backtest_free(bt);
	backtest_free(NULL);
}

/*
 * Trades come in batches: what backtest_bar made since the last
 * backtest_trades call, each batch once.
 */
static void
test_trade_batches(void)
{
	static const double	 prices[] = { 10, 10, 10 };
	const struct trade	*t;
	struct job_spec		 spec;
	struct backtest		*bt;
	struct summary		 s;
	struct bar		 bar;
	json_object		*obj;
	char			 err[256];
	int			 i;

	obj = json_tokener_parse("{\"symbol\":\"X\",\"interval\":\"day\","
	    "\"start_date\":\"2024-01-01\",\"end_date\":\"2024-01-31\","
	    "\"strategy\":\"buy_and_hold\"}");
	REQUIRE(spec_from_json(obj, &spec, err, sizeof err) == 0);
	json_object_put(obj);
	REQUIRE((bt = backtest_new(&spec, err, sizeof err)) != NULL);
	for (i = 0; i < 3; i++) {
		bar = (struct bar){ T0 + i * DAY, prices[i], prices[i],
		    prices[i], prices[i], 1 };
		backtest_bar(bt, &bar);
	}
	/* Bars 0–2 without collecting: the buy of bar 1 waits. */
	CHECK_INT(backtest_trades(bt, &t), 1);
	CHECK_INT(t[0].side, TRADE_BUY);
	CHECK_INT(t[0].quantity, 10000);	/* 100000 / 10 */
	CHECK_INT(backtest_trades(bt, &t), 0);
	REQUIRE(backtest_finish(bt, &s, err, sizeof err) == 0);
	CHECK_INT(backtest_trades(bt, &t), 1);
	CHECK_INT(t[0].seq, 2);
	CHECK_INT(t[0].reason, TRADE_END_OF_DATA);
	CHECK_INT(backtest_trades(bt, &t), 0);
	backtest_free(bt);
}

/*
 * Capital 1e15 at a price of 0.001 would buy 1e18 shares, past 2^53,
 * where doubles stop holding every integer: the buy takes 2^53 shares,
 * costing 2^53 × 0.001 = 9007199254740.992, and keeps the rest in cash.
 * A buy at a price of 0 is no trade.
 */
static void
test_quantity_limits(void)
{
	static const double	 opens[] = { 0.001, 0.001, 0.001 };
	static const double	 zero[] = { 0, 0, 1 };
	struct run		 r;

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"buy_and_hold\","
	    "\"initial_capital\":1e15", opens, opens, 3, &r) == 0);
	REQUIRE(r.rc == 0);
	REQUIRE(r.ntrades == 2);
	CHECK_INT(r.trades[0].quantity, BACKTEST_QUANTITY_MAX);
	CHECK_NEAR(r.trades[0].cash_after, 1e15 - 9007199254740.992, 1e-15);

	REQUIRE(run_days("\"interval\":\"day\",\"strategy\":\"buy_and_hold\"",
	    zero, zero, 3, &r) == 0);
	REQUIRE(r.rc == 0);
	CHECK_INT(r.ntrades, 0);
	CHECK(isnan(r.s.buy_and_hold_return_pct));	/* from a close of 0 */
}

/* backtest_new checks specs again, as they may come back from a store. */
static void
test_new_refuses(void)
{
	struct job_spec	 spec;
	json_object	*obj;
	char		 err[256];

	obj = json_tokener_parse("{\"symbol\":\"X\",\"interval\":\"day\","
	    "\"start_date\":\"2024-01-01\",\"end_date\":\"2024-01-31\","
	    "\"strategy\":\"sma_crossover\"}");
	REQUIRE(spec_from_json(obj, &spec, err, sizeof err) == 0);
	json_object_put(obj);
	spec.params[1] = 5;	/* slow below fast */
	CHECK(backtest_new(&spec, err, sizeof err) == NULL);
	CHECK_STR(err, "params.fast: must be less than params.slow "
	    "(got 10 and 5)");
	snprintf(spec.strategy, sizeof spec.strategy, "nope");
	CHECK(backtest_new(&spec, err, sizeof err) == NULL);
	CHECK_STR(err, "strategy: unknown strategy \"nope\" (known: "
	    "buy_and_hold, sma_crossover, ema_crossover, rsi_reversion)");
}

static const struct test tests[] = {
	{ "buy_and_hold", test_buy_and_hold },
	{ "commission", test_commission },
	{ "quantity_decrement_breakeven", test_quantity_decrement_breakeven },
	{ "zero_quantity", test_zero_quantity },
	{ "sma_crossover", test_sma_crossover },
	{ "ema_crossover", test_ema_crossover },
	{ "rsi_reversion", test_rsi_reversion },
	{ "buy_while_long_dropped", test_buy_while_long_dropped },
	{ "sharpe_annualisation", test_sharpe_annualisation },
	{ "sharpe_null_one_return", test_sharpe_null_one_return },
	{ "sharpe_null_flat", test_sharpe_null_flat },
	{ "sharpe_null_equal_returns", test_sharpe_null_equal_returns },
	{ "too_few_bars", test_too_few_bars },
	{ "trade_batches", test_trade_batches },
	{ "quantity_limits", test_quantity_limits },
	{ "new_refuses", test_new_refuses },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return test_main(argc, argv, tests, 60);
}
