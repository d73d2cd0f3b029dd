/* test-strategy.c: unit tests of the strategies' indicators and signals, worked out by hand. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strategy-schema.h"
#include "strategy.h"
#include "test.h"

#define B	SIGNAL_BUY
#define S	SIGNAL_SELL
#define N	SIGNAL_NONE

/* Feeds closes to a fresh state of the strategy and checks each bar's signal. */
static void
check_signals(const char *name, const double *params, const double *closes,
    const enum signal *want, size_t n)
{
	const struct strategy	*st;
	void			*state;
	size_t			 i;
	enum signal		 got;

	st = strategy_find(name);
	REQUIRE(st != NULL);
	state = st->init(params);
	for (i = 0; i < n; i++) {
		got = st->on_bar(state, closes[i]);
		if (got != want[i])
			TEST_FAIL("%s bar %zu (close %.17g): signal %d, want %d",
			    name, i, closes[i], (int)got, (int)want[i]);
	}
	st->free(state);
}

static void
test_compare(void)
{
	/* Within 1e-9 of the larger magnitude: equal, both ways round. */
	CHECK_INT(value_compare(1, 1 + 1e-10), 0);
	CHECK_INT(value_compare(1 + 1e-10, 1), 0);
	CHECK_INT(value_compare(100, 100 + 9e-8), 0);	/* 9e-8 <= 1e-7 */
	CHECK_INT(value_compare(1, 1 + 2e-9), -1);
	CHECK_INT(value_compare(1 + 2e-9, 1), 1);
	CHECK_INT(value_compare(100, 100 + 2e-7), -1);	/* 2e-7 > 1e-7 */
	CHECK_INT(value_compare(0, 0), 0);
	CHECK_INT(value_compare(-0.0, 0), 0);
	/* Relative, not absolute: tiny numbers still order. */
	CHECK_INT(value_compare(0, 1e-300), -1);
	CHECK_INT(value_compare(2e-300, 1e-300), 1);
	CHECK_INT(value_compare(-5, -5 - 1e-9), 0);
	CHECK_INT(value_compare(-5, -6), 1);
	CHECK_INT(value_compare(30, 30), 0);
}

/* Whether schema names a parameter called name (NULL: no rule, so yes). */
static int
has_param(const struct strategy_schema *schema, const char *name)
{
	int	j;

	if (name == NULL)
		return 1;
	for (j = 0; j < schema->nparams; j++)
		if (strcmp(schema->params[j].name, name) == 0)
			return 1;
	return 0;
}

static void
test_table(void)
{
	char				 names[256] = "";
	const struct strategy_schema	*schema;
	const struct strategy		*st;
	size_t				 i;
	int				 j;

	/* strategy_names() is written out by hand: it must follow the table. */
	CHECK_INT(strategy_schema_count(), 4);
	for (i = 0; i < strategy_schema_count(); i++) {
		schema = strategy_schema_at(i);
		if (i > 0)
			strcat(names, ", ");
		strcat(names, schema->name);
		CHECK(strategy_schema_find(schema->name) == schema);
		/* Each schema has its signal functions. */
		st = strategy_find(schema->name);
		REQUIRE(st != NULL);
		CHECK_STR(st->name, schema->name);
		for (j = 0; j < schema->nparams; j++) {
			CHECK(schema->params[j].def >= schema->params[j].min);
			CHECK(schema->params[j].def <= schema->params[j].max);
		}
		CHECK((schema->below == NULL) == (schema->above == NULL));
		CHECK(has_param(schema, schema->below));
		CHECK(has_param(schema, schema->above));
	}
	CHECK_STR(strategy_names(), names);
	CHECK(strategy_schema_at(strategy_schema_count()) == NULL);
	CHECK(strategy_schema_find("sma") == NULL);
	CHECK(strategy_schema_find("") == NULL);
	CHECK(strategy_find("sma") == NULL);
}

static void
test_buyhold(void)
{
	static const double	closes[] = { 5, 6, 4, 9 };
	static const enum signal want[] = { B, N, N, N };

	check_signals("buy_and_hold", NULL, closes, want, 4);
}

/*
 * fast = 2, slow = 3.
 *   bar close  fast(2)            slow(3)                  relation  signal
 *   0   10     -                  -                        -
 *   1   10     10                 -                        -
 *   2   10     10                 10                       =  (first: none)
 *   3   13     (10+13)/2 = 11.5   (10+10+13)/3 = 11        >  buy (was =)
 *   4   7      (13+7)/2 = 10      (10+13+7)/3 = 10         =  none
 *   5   7      7                  (13+7+7)/3 = 9           <  sell (was =)
 *   6   7      7                  7                        =  none
 *   7   13     10                 (7+7+13)/3 = 9           >  buy
 *   8   13     13                 11                       >  none
 *   9   4      8.5                10                       <  sell
 * Equality is no crossing, and a crossing from equality counts.
 */
static void
test_sma_signals(void)
{
	static const double	 params[] = { 2, 3 };
	static const double	 closes[] = { 10, 10, 10, 13, 7, 7, 7, 13, 13, 4 };
	static const enum signal want[] = { N, N, N, B, N, S, N, B, N, S };

	check_signals("sma_crossover", params, closes, want, 10);
}

static void
test_sma_values(void)
{
	static const double	 params[] = { 2, 3 };
	void			*state;
	double			 fast, slow;

	state = sma_init(params);
	sma_on_bar(state, 10);
	sma_values(state, &fast, &slow);
	/* Warm-up: neither average exists after one close. */
	CHECK(isnan(fast) && isnan(slow));
	sma_on_bar(state, 20);
	sma_values(state, &fast, &slow);
	CHECK_NEAR(fast, 15, 0);		/* (10+20)/2 */
	CHECK(isnan(slow));
	sma_on_bar(state, 60);
	sma_values(state, &fast, &slow);
	CHECK_NEAR(fast, 40, 0);		/* (20+60)/2 */
	CHECK_NEAR(slow, 30, 0);		/* (10+20+60)/3 */
	sma_on_bar(state, 1);
	sma_on_bar(state, 2);
	sma_values(state, &fast, &slow);
	CHECK_NEAR(fast, 1.5, 0);		/* (1+2)/2 */
	CHECK_NEAR(slow, 21, 0);		/* (60+1+2)/3 */
	sma_free(state);
}

/*
 * Ties within 1e-9.  fast = 2, slow = 3 on 100, 100, 100, 100 + 1e-7:
 * bar 3 has fast = 100.00000005 and slow = 100.0000000333…, apart by
 * 1.7e-8, which is under 1e-9 × 100 = 1e-7: equal, so no buy.  Bar 4 at
 * 101: fast = 100.50000005, slow = 100.3333…, clearly above: the buy comes
 * now, the previous bar having been "equal".
 */
static void
test_sma_tie(void)
{
	static const double	 params[] = { 2, 3 };
	static const double	 closes[] = { 100, 100, 100, 100 + 1e-7, 101 };
	static const enum signal want[] = { N, N, N, N, B };

	check_signals("sma_crossover", params, closes, want, 5);
}

/*
 * A running sum fed 300000 closes of very different sizes must still give
 * the exact average of a window of equal closes afterwards: a plain sum
 * would keep a residue of the big numbers' rounding errors.
 */
static void
test_sma_no_drift(void)
{
	static const double	 params[] = { 10, 30 };
	void			*state;
	double			 fast, slow, x = 0.5;
	int			 i;

	state = sma_init(params);
	for (i = 0; i < 300000; i++) {
		/* Deterministic and irregular: a logistic map scaled to 1e-3…1e7. */
		x = 3.99 * x * (1 - x);
		sma_on_bar(state, pow(10, 10 * x - 3));
	}
	for (i = 0; i < 30; i++)
		sma_on_bar(state, 0.1);
	sma_values(state, &fast, &slow);
	CHECK_NEAR(fast, 0.1, 1e-15);
	CHECK_NEAR(slow, 0.1, 1e-15);
	CHECK(fabs(slow - 0.1) <= 1e-15 * 0.1);
	sma_free(state);
}

/*
 * fast = 2 (alpha 2/3), slow = 3 (alpha 1/2), each seeded with the mean
 * of its first n closes, then e += alpha (close − e).
 *   bar close  fast                           slow                   signal
 *   0   10     -                              -
 *   1   10     (10+10)/2 = 10                 -
 *   2   10     10                             (10+10+10)/3 = 10      none (first)
 *   3   16     10 + 2/3·6 = 14                10 + 1/2·6 = 13        buy (was =)
 *   4   4      14 + 2/3·(−10) = 22/3          13 + 1/2·(−9) = 8.5    sell
 *   5   4      22/3 + 2/3·(−10/3) = 46/9      8.5 − 2.25 = 6.25      none
 *   6   4      46/9 − 20/27 = 118/27          6.25 − 1.125 = 5.125   none
 *   7   10     118/27 + 304/81 = 658/81       5.125 + 2.4375 = 7.5625 buy
 *   8   10     658/81 + 304/243 = 2278/243    7.5625 + 1.21875 = 8.78125 none
 */
static void
test_ema(void)
{
	static const double	 params[] = { 2, 3 };
	static const double	 closes[] = { 10, 10, 10, 16, 4, 4, 4, 10, 10 };
	static const enum signal want[] = { N, N, N, B, S, N, N, B, N };
	static const double	 want_fast[] = { NAN, 10, 10, 14, 22.0 / 3,
	    46.0 / 9, 118.0 / 27, 658.0 / 81, 2278.0 / 243 };
	static const double	 want_slow[] = { NAN, NAN, 10, 13, 8.5, 6.25,
	    5.125, 7.5625, 8.78125 };
	void			*state;
	double			 fast, slow;
	size_t			 i;

	check_signals("ema_crossover", params, closes, want, 9);
	state = ema_init(params);
	for (i = 0; i < 9; i++) {
		ema_on_bar(state, closes[i]);
		ema_values(state, &fast, &slow);
		CHECK_NEAR(fast, want_fast[i], 1e-15);
		CHECK_NEAR(slow, want_slow[i], 1e-15);
	}
	ema_free(state);
}

/*
 * The seed is the mean of the first n closes, not the first close:
 * fast = 2, slow = 4 on 1, 3, 5, 7, 9.
 *   fast: bar 1 (1+3)/2 = 2; bar 2 2 + 2/3·3 = 4; bar 3 4 + 2/3·3 = 6;
 *         bar 4 6 + 2/3·3 = 8
 *   slow (alpha 2/5): bar 3 (1+3+5+7)/4 = 4; bar 4 4 + 2/5·5 = 6
 */
static void
test_ema_seed(void)
{
	static const double	 params[] = { 2, 4 };
	static const double	 closes[] = { 1, 3, 5, 7, 9 };
	void			*state;
	double			 fast, slow;
	size_t			 i;

	state = ema_init(params);
	for (i = 0; i < 4; i++)
		ema_on_bar(state, closes[i]);
	ema_values(state, &fast, &slow);
	CHECK_NEAR(fast, 6, 1e-15);
	CHECK_NEAR(slow, 4, 1e-15);
	ema_on_bar(state, closes[4]);
	ema_values(state, &fast, &slow);
	CHECK_NEAR(fast, 8, 1e-15);
	CHECK_NEAR(slow, 6, 1e-15);
	ema_free(state);
}

/*
 * period = 2, lower = 30, upper = 70.
 *   bar close change  avg gain                 avg loss                 RSI = 100 g/(g+l)
 *   0   10    -
 *   1   11    +1      (first change: warming up)
 *   2   10    −1      (1+0)/2 = 0.5            (0+1)/2 = 0.5            50      none
 *   3   8     −2      (0.5·1+0)/2 = 0.25       (0.5·1+2)/2 = 1.25       16.67   buy
 *   4   9     +1      (0.25+1)/2 = 0.625       (1.25+0)/2 = 0.625       50      none
 *   5   12    +3      (0.625+3)/2 = 1.8125     0.3125                   85.29   sell
 *   6   13    +1      (1.8125+1)/2 = 1.40625   0.15625                  90      sell
 *   7   13    0       0.703125                 0.078125                 90      sell
 */
static void
test_rsi(void)
{
	static const double	 params[] = { 2, 30, 70 };
	static const double	 closes[] = { 10, 11, 10, 8, 9, 12, 13, 13 };
	static const enum signal want[] = { N, N, N, B, N, S, S, S };
	static const double	 want_rsi[] = { NAN, NAN, 50, 100.0 * 0.25 / 1.5,
	    50, 100 * 1.8125 / 2.125, 90, 90 };
	void			*state;
	size_t			 i;

	check_signals("rsi_reversion", params, closes, want, 8);
	state = rsi_init(params);
	for (i = 0; i < 8; i++) {
		rsi_on_bar(state, closes[i]);
		CHECK_NEAR(rsi_value(state), want_rsi[i], 1e-14);
	}
	rsi_free(state);
}

/*
 * Average loss 0 gives 100: rising closes (gains only), and flat closes
 * (no gain and no loss either).  With upper = 99.5, both sell.
 * Falling closes give average gain 0 and RSI 0: a buy.
 */
static void
test_rsi_extremes(void)
{
	static const double	 params[] = { 3, 0.5, 99.5 };
	static const double	 rising[] = { 1, 2, 3, 4, 5 };
	static const double	 flat[] = { 7, 7, 7, 7, 7 };
	static const double	 falling[] = { 5, 4, 3, 2, 1 };
	static const enum signal want_sell[] = { N, N, N, S, S };
	static const enum signal want_buy[] = { N, N, N, B, B };
	void			*state;
	int			 i;

	check_signals("rsi_reversion", params, rising, want_sell, 5);
	check_signals("rsi_reversion", params, flat, want_sell, 5);
	check_signals("rsi_reversion", params, falling, want_buy, 5);
	state = rsi_init(params);
	for (i = 0; i < 4; i++)
		rsi_on_bar(state, flat[i]);
	CHECK_NEAR(rsi_value(state), 100, 0);
	rsi_free(state);
	state = rsi_init(params);
	for (i = 0; i < 4; i++)
		rsi_on_bar(state, falling[i]);
	CHECK_NEAR(rsi_value(state), 0, 0);
	rsi_free(state);
}

/*
 * RSI equal to a threshold is neither below nor above it.  period = 2 on
 * 10, 11, 10 gives RSI 50 (as in test_rsi); with lower = 50 there is no
 * buy, and with upper = 50 no sell.  Then 10, 11, 10 − 1e-11: gain 0.5,
 * loss (1 + 1e-11)/2, RSI = 100 · 0.5 / (1 + 0.5e-11) ≈ 50 − 2.5e-10,
 * which is within 1e-9 × 50 of 50: still no buy.
 */
static void
test_rsi_threshold_tie(void)
{
	static const double	 at_lower[] = { 2, 50, 60 };
	static const double	 at_upper[] = { 2, 40, 50 };
	static const double	 closes[] = { 10, 11, 10 };
	static const double	 nearly[] = { 10, 11, 10 - 1e-11 };
	static const double	 clearly[] = { 10, 11, 9 };
	static const enum signal none[] = { N, N, N };
	static const enum signal buy[] = { N, N, B };

	check_signals("rsi_reversion", at_lower, closes, none, 3);
	check_signals("rsi_reversion", at_upper, closes, none, 3);
	check_signals("rsi_reversion", at_lower, nearly, none, 3);
	/* 10, 11, 9: gain 0.5, loss 1, RSI 33.3 < 50: a buy. */
	check_signals("rsi_reversion", at_lower, clearly, buy, 3);
}

/* period = 1: the first change alone is the first average. */
static void
test_rsi_period_one(void)
{
	static const double	 params[] = { 1, 30, 70 };
	static const double	 closes[] = { 10, 9, 12, 12 };
	/* RSI: bar 1 0 (loss only), bar 2 100 (gain only), bar 3 100 (no loss) */
	static const enum signal want[] = { N, B, S, S };

	check_signals("rsi_reversion", params, closes, want, 4);
}

static const struct test tests[] = {
	{ "compare", test_compare },
	{ "table", test_table },
	{ "buyhold", test_buyhold },
	{ "sma_signals", test_sma_signals },
	{ "sma_values", test_sma_values },
	{ "sma_tie", test_sma_tie },
	{ "sma_no_drift", test_sma_no_drift },
	{ "ema", test_ema },
	{ "ema_seed", test_ema_seed },
	{ "rsi", test_rsi },
	{ "rsi_extremes", test_rsi_extremes },
	{ "rsi_threshold_tie", test_rsi_threshold_tie },
	{ "rsi_period_one", test_rsi_period_one },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return test_main(argc, argv, tests, 60);
}
