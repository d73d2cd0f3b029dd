/* test-demodata.c: unit tests of lib/demodata.c, the synthetic demo bars. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bar.h"
#include "demodata.h"
#include "spec.h"
#include "test.h"
#include "timefmt.h"

/* Everything a test wants from one symbol's run. */
struct run {
	struct bar	*bars;
	size_t		 n;
	uint64_t	 checksum;	/* FNV-1a over times, cents and volumes */
};

static void
hash_int(uint64_t *h, int64_t v)
{
	int	i;

	for (i = 0; i < 8; i++, v >>= 8) {
		*h ^= (uint64_t)v & 0xff;
		*h *= 0x100000001b3ULL;
	}
}

static int
collect(const struct bar *bar, void *arg)
{
	struct run	*r = arg;

	if (r->n == DEMODATA_BARS_PER_SYMBOL + 1000)
		return 1;	/* far too many: stop */
	r->bars[r->n++] = *bar;
	hash_int(&r->checksum, bar->time);
	hash_int(&r->checksum, llround(bar->open * 100));
	hash_int(&r->checksum, llround(bar->high * 100));
	hash_int(&r->checksum, llround(bar->low * 100));
	hash_int(&r->checksum, llround(bar->close * 100));
	hash_int(&r->checksum, llround(bar->volume));
	return 0;
}

static int
generate(const char *symbol, struct run *r)
{
	r->bars = calloc(DEMODATA_BARS_PER_SYMBOL + 1000, sizeof *r->bars);
	if (r->bars == NULL)
		abort();
	r->n = 0;
	r->checksum = 0xcbf29ce484222325ULL;
	return demodata_generate(symbol, collect, r);
}

static void
test_symbols(void)
{
	const char *const	*names;
	size_t			 n, i;

	n = demodata_symbols(&names);
	CHECK_INT(n, 4);
	REQUIRE(n == 4);
	CHECK_STR(names[0], "DEMO");
	CHECK_STR(names[1], "ACME");
	CHECK_STR(names[2], "GLOBEX");
	CHECK_STR(names[3], "INITECH");
	for (i = 0; i < n; i++)
		CHECK(symbol_is_valid(names[i]));
}

static int
count_only(const struct bar *bar, void *arg)
{
	(void)bar;
	(*(size_t *)arg)++;
	return 0;
}

static int
stop_after_ten(const struct bar *bar, void *arg)
{
	(void)bar;
	return ++*(size_t *)arg == 10 ? 7 : 0;
}

static void
test_unknown_and_stop(void)
{
	size_t	n = 0;

	CHECK_INT(demodata_generate("NOPE", count_only, &n), -1);
	CHECK_INT(demodata_generate("", count_only, &n), -1);
	CHECK_INT(demodata_generate("demo", count_only, &n), -1);
	CHECK_INT(demodata_generate("DEMO ", count_only, &n), -1);
	CHECK_INT(n, 0);

	/* What emit returns stops the run and comes back. */
	CHECK_INT(demodata_generate("GLOBEX", stop_after_ten, &n), 7);
	CHECK_INT(n, 10);
}

static int
day_is_last(int64_t day)
{
	return day == DEMODATA_LAST_DAY;
}

/* The calendar: weekdays of 2024, 03:45 to 09:59 UTC, every minute. */
static void
check_calendar(const char *symbol, const struct run *r)
{
	char		 when[TIME_ISO_LEN + 1];
	int64_t		 day, prev_day = -1, offset, weekday;
	size_t		 i, days = 0, in_day = 0;

	CHECK_INT(r->n, DEMODATA_BARS_PER_SYMBOL);
	CHECK_INT(r->n, 262 * 375);
	REQUIRE(r->n > 0);
	time_format_iso(r->bars[0].time, when);
	CHECK_STR(when, "2024-01-01T03:45:00Z");
	time_format_iso(r->bars[r->n - 1].time, when);
	CHECK_STR(when, "2024-12-31T09:59:00Z");
	for (i = 0; i < r->n; i++) {
		day = time_day_start(r->bars[i].time);
		offset = r->bars[i].time - day;
		weekday = (day / 86400 + 4) % 7;
		if (day != prev_day) {
			if (prev_day != -1 && in_day != 375)
				TEST_FAIL("%s: %zu bars on day %" PRId64, symbol,
				    in_day, prev_day);
			days++;
			in_day = 0;
			prev_day = day;
		}
		if (offset != 3 * 3600 + 45 * 60 + (int64_t)in_day * 60 ||
		    weekday == 0 || weekday == 6) {
			time_format_iso(r->bars[i].time, when);
			TEST_FAIL("%s: bar %zu at %s", symbol, i, when);
			return;
		}
		in_day++;
	}
	CHECK_INT(days, DEMODATA_TRADING_DAYS);
	CHECK(day_is_last(prev_day));
}

/* Whether v is a whole number of cents, as "12.34" would read. */
static int
is_cents(double v)
{
	return v == (double)llround(v * 100) / 100;
}

static void
check_bars(const char *symbol, const struct run *r)
{
	const struct bar	*b;
	const char		*why;
	size_t			 i, bad = 0;

	for (i = 0; i < r->n && bad < 5; i++) {
		b = &r->bars[i];
		if (bar_is_sane(b, &why) == -1) {
			TEST_FAIL("%s: bar %zu: %s", symbol, i, why);
			bad++;
		}
		/* Prices in whole cents, whole positive volumes. */
		if (!is_cents(b->open) || !is_cents(b->high) ||
		    !is_cents(b->low) || !is_cents(b->close) ||
		    b->volume != nearbyint(b->volume) || b->volume < 1) {
			TEST_FAIL("%s: bar %zu: %.17g %.17g %.17g %.17g %.17g",
			    symbol, i, b->open, b->high, b->low, b->close,
			    b->volume);
			bad++;
		}
		/* Within a session, a bar opens where the last one closed. */
		if (i > 0 && i % 375 != 0 && b->open != r->bars[i - 1].close) {
			TEST_FAIL("%s: bar %zu opens at %.2f after %.2f", symbol,
			    i, b->open, r->bars[i - 1].close);
			bad++;
		}
	}
}

/* Counts crossings of the simple moving averages fast and slow of closes. */
static int
sma_crossings(const double *close, size_t n, size_t fast, size_t slow)
{
	double	 sum_fast = 0, sum_slow = 0, diff, prev = 0;
	size_t	 i;
	int	 crossings = 0;

	for (i = 0; i < n; i++) {
		sum_fast += close[i];
		sum_slow += close[i];
		if (i >= fast)
			sum_fast -= close[i - fast];
		if (i >= slow)
			sum_slow -= close[i - slow];
		if (i + 1 < slow)
			continue;
		diff = sum_fast / (double)fast - sum_slow / (double)slow;
		if (i + 1 > slow && ((prev <= 0 && diff > 0) ||
		    (prev >= 0 && diff < 0)))
			crossings++;
		prev = diff;
	}
	return crossings;
}

/* Counts swings of Wilder's RSI from below lower to above upper and back. */
static int
rsi_swings(const double *close, size_t n, int period, double lower,
    double upper)
{
	double	 gain = 0, loss = 0, change, up, down, rsi;
	size_t	 i;
	int	 swings = 0, low = 0;

	for (i = 1; i < n; i++) {
		change = close[i] - close[i - 1];
		up = change > 0 ? change : 0;
		down = change < 0 ? -change : 0;
		if (i <= (size_t)period) {
			gain += up;
			loss += down;
			if (i < (size_t)period)
				continue;
			gain /= period;
			loss /= period;
		} else {
			gain = (gain * (period - 1) + up) / period;
			loss = (loss * (period - 1) + down) / period;
		}
		rsi = loss == 0 ? 100 : 100 - 100 / (1 + gain / loss);
		if (!low && rsi < lower)
			low = 1;
		else if (low && rsi > upper) {
			low = 0;
			swings++;
		}
	}
	return swings;
}

/* The data must give every strategy something to do, at minutes and days. */
static void
check_movement(const char *symbol, const struct run *r)
{
	double	*minute, *day;
	size_t	 i, ndays = 0;
	int	 minute_x, day_x, day_swings;

	minute = calloc(r->n, sizeof *minute);
	day = calloc(r->n / 375 + 1, sizeof *day);
	REQUIRE(minute != NULL && day != NULL);
	for (i = 0; i < r->n; i++) {
		minute[i] = r->bars[i].close;
		/* A day bar closes at its last minute's close. */
		if (i % 375 == 374)
			day[ndays++] = r->bars[i].close;
	}
	minute_x = sma_crossings(minute, r->n, 10, 30);
	day_x = sma_crossings(day, ndays, 10, 30);
	day_swings = rsi_swings(day, ndays, 14, 30, 70);
	printf("# %s: SMA 10/30 crossings: %d on minutes, %d on days; "
	    "RSI 30-70 swings on days: %d\n", symbol, minute_x, day_x,
	    day_swings);
	CHECK(minute_x > 100);
	CHECK(day_x >= 6);
	CHECK(day_swings >= 2);
	free(minute);
	free(day);
}

static void
test_bars(void)
{
	static const struct {
		const char	*symbol;
		uint64_t	 checksum;
	} pinned[] = {
		{ "DEMO", 0xf59049b964ad4dc5ULL },
		{ "ACME", 0x9a6249a48b867e40ULL },
		{ "GLOBEX", 0xf888f4befa85ebb7ULL },
		{ "INITECH", 0xcba3ebd558d47a4dULL },
	};
	struct run	r, again;
	size_t		i;

	for (i = 0; i < sizeof pinned / sizeof pinned[0]; i++) {
		CHECK_INT(generate(pinned[i].symbol, &r), 0);
		check_calendar(pinned[i].symbol, &r);
		check_bars(pinned[i].symbol, &r);
		check_movement(pinned[i].symbol, &r);

		/* The same bars every time, and on every machine. */
		CHECK_INT(generate(pinned[i].symbol, &again), 0);
		CHECK_INT(again.n, r.n);
		CHECK(memcmp(again.bars, r.bars, r.n * sizeof *r.bars) == 0);
		CHECK(again.checksum == r.checksum);
		if (r.checksum != pinned[i].checksum)
			TEST_FAIL("%s: checksum 0x%016" PRIx64 " != 0x%016"
			    PRIx64, pinned[i].symbol, r.checksum,
			    pinned[i].checksum);
		free(r.bars);
		free(again.bars);
	}
}

/* Symbols are generated independently: different series, not copies. */
static void
test_symbols_differ(void)
{
	struct run	a, b;

	CHECK_INT(generate("DEMO", &a), 0);
	CHECK_INT(generate("ACME", &b), 0);
	CHECK(a.checksum != b.checksum);
	CHECK(a.bars[1000].close != b.bars[1000].close);
	free(a.bars);
	free(b.bars);
}

int
main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "symbols", test_symbols },
		{ "unknown_and_stop", test_unknown_and_stop },
		{ "bars", test_bars },
		{ "symbols_differ", test_symbols_differ },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests, 120);
}
