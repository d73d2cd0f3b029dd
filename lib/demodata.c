/* demodata.c: the demo bar generator: regime-switching prices in fixed point. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "demodata.h"

/*
 * Everything below is integer arithmetic: prices in millionths, returns in
 * billionths (ppb), factors in 1/1024ths.  Floating point would be as easy
 * to write, but libm functions and fused multiply-adds differ between
 * machines, and the demo data must not.
 */
#define MICRO		1000000LL	/* price units per currency unit */
#define PPB		1000000000LL
#define Q10		1024

struct demo_symbol {
	const char	*name;
	uint64_t	 seed;
	int64_t		 start_price;	/* in cents */
	int64_t		 day_sigma;	/* daily volatility, ppb */
	int64_t		 volume;	/* average shares per minute */
};

static const struct demo_symbol demo_symbols[] = {
	{ "DEMO", 0x44454d4f00000001ULL, 10000, 12000000, 1500 },
	{ "ACME", 0x41434d4500000002ULL, 245000, 10000000, 400 },
	{ "GLOBEX", 0x474c4f4245580003ULL, 31250, 16000000, 2500 },
	{ "INITECH", 0x494e495445430004ULL, 4820, 20000000, 6000 },
};
#define NSYMBOLS	(sizeof demo_symbols / sizeof demo_symbols[0])

static const char *const demo_names[NSYMBOLS] = {
	"DEMO", "ACME", "GLOBEX", "INITECH",
};

enum regime {
	REGIME_UP,
	REGIME_DOWN,
	REGIME_CHOP,	/* mean-reverting around the price it started at */
};

struct gen {
	uint64_t	 rng;
	int64_t		 price;		/* millionths; the last close */
	int64_t		 start;		/* millionths; the first open */
	enum regime	 regime;
	enum regime	 last_trend;	/* the trend before a choppy spell */
	int		 regime_days;	/* trading days left in it */
	int64_t		 strength;	/* |drift| / sigma of a trend, Q10 */
	int64_t		 anchor;	/* the level a choppy regime reverts to */
	int64_t		 vol;		/* volatility factor now, Q10 */
	int64_t		 vol_target;	/* what vol drifts towards, Q10 */
};

/* splitmix64: tiny, fast, and good enough for synthetic prices. */
static uint64_t
next_random(struct gen *g)
{
	uint64_t	z;

	z = (g->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform integer in [lo, hi]. */
static int64_t
uniform(struct gen *g, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(next_random(g) % (uint64_t)(hi - lo + 1));
}

/*
 * A standard normal deviate in 1/65536ths, as the sum of twelve uniforms
 * minus six (Irwin-Hall): mean 0, variance 1, tails cut at 6.
 */
static int64_t
gaussian(struct gen *g)
{
	uint64_t	r;
	int64_t		sum = 0;
	int		i, j;

	for (i = 0; i < 3; i++) {
		r = next_random(g);
		for (j = 0; j < 4; j++, r >>= 16)
			sum += (int64_t)(r & 0xffff);
	}
	return sum - 12 * 65535 / 2;
}

static int64_t
abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* Rounds millionths to cents, as a price. */
static double
cents(int64_t micro)
{
	int64_t	c = (micro + 5000) / 10000;

	return (double)(c < 1 ? 1 : c) / 100;
}

/*
 * Picks the next regime.  Trends alternate, sometimes with a choppy spell
 * between, so that moving averages cross and RSI swings from one extreme
 * to the other every month or two.
 */
static void
next_regime(struct gen *g)
{
	if (g->regime != REGIME_CHOP && uniform(g, 0, 99) < 20) {
		g->last_trend = g->regime;
		g->regime = REGIME_CHOP;
		g->regime_days = (int)uniform(g, 4, 10);
		g->anchor = g->price;
		return;
	}
	if (g->price < g->start / 2)
		g->regime = REGIME_UP;		/* keep prices in a sane band */
	else if (g->price > g->start * 5 / 2)
		g->regime = REGIME_DOWN;
	else if (g->regime == REGIME_CHOP)
		g->regime = g->last_trend == REGIME_UP ? REGIME_DOWN :
		    REGIME_UP;
	else
		g->regime = g->regime == REGIME_UP ? REGIME_DOWN : REGIME_UP;
	g->regime_days = (int)uniform(g, 9, 20);
	g->strength = uniform(g, 900, 1400);	/* 0.9 to 1.4 sigma a day */
}

/* Moves the volatility cluster on by a day. */
static void
next_vol(struct gen *g)
{
	if (uniform(g, 0, 99) < 6)
		g->vol_target = uniform(g, 560, 2200);
	g->vol += (g->vol_target - g->vol) / 5;
}

/* Intraday shape in Q10: busier and more volatile at the open and close. */
static int64_t
intraday_shape(int minute, int64_t low, int64_t high)
{
	int64_t	d = minute - DEMODATA_SESSION_MINUTES / 2;
	int64_t	half = DEMODATA_SESSION_MINUTES / 2;

	return low + (high - low) * d * d / (half * half);
}

/* Emits one session's bars; returns what emit returned if not 0. */
static int
generate_day(struct gen *g, const struct demo_symbol *s, int64_t day,
    int (*emit)(const struct bar *, void *), void *arg)
{
	struct bar	bar;
	int64_t		day_sigma, drift, sigma, r, z, shares;
	int64_t		open, close, wick, hi, lo;
	int		minute, rc;

	if (g->regime_days-- <= 0)
		next_regime(g);
	next_vol(g);
	day_sigma = s->day_sigma * g->vol / Q10;
	switch (g->regime) {
	case REGIME_UP:
		drift = day_sigma * g->strength / Q10;
		break;
	case REGIME_DOWN:
		drift = -day_sigma * g->strength / Q10;
		break;
	default:
		/* Pull a third of the way back to the anchor each day. */
		drift = -((g->price - g->anchor) * 1000000 / g->anchor) *
		    (PPB / 3000000);
		break;
	}

	/* The overnight gap. */
	g->price += g->price * (day_sigma * 3 / 10 * gaussian(g) / 65536) /
	    PPB;
	for (minute = 0; minute < DEMODATA_SESSION_MINUTES; minute++) {
		/* sqrt(375) = 19.365: a minute's share of the day's sigma. */
		sigma = day_sigma * 10000 / 193649 *
		    intraday_shape(minute, 700, 1600) / Q10;
		z = gaussian(g);
		r = drift / DEMODATA_SESSION_MINUTES + sigma * z / 65536;
		open = g->price;
		close = open + open * r / PPB;
		if (close < MICRO)
			close = MICRO;
		g->price = close;

		hi = open > close ? open : close;
		lo = open < close ? open : close;
		wick = sigma * 2 / 5 * abs64(gaussian(g)) / 65536;
		hi += hi * wick / PPB;
		wick = sigma * 2 / 5 * abs64(gaussian(g)) / 65536;
		lo -= lo * wick / PPB;

		/* Busier at the ends of the session and on big moves. */
		shares = s->volume * intraday_shape(minute, 600, 2000) / Q10;
		shares = shares * (Q10 + abs64(z) * Q10 / 2 / 65536) / Q10;
		shares = shares * uniform(g, 512, 1536) / Q10;

		bar.time = day + DEMODATA_SESSION_START + minute * 60;
		bar.open = cents(open);
		bar.high = cents(hi);
		bar.low = cents(lo);
		bar.close = cents(close);
		bar.volume = (double)(shares < 1 ? 1 : shares);
		if ((rc = emit(&bar, arg)) != 0)
			return rc;
	}
	return 0;
}

size_t
demodata_symbols(const char *const **names)
{
	*names = demo_names;
	return NSYMBOLS;
}

int
demodata_generate(const char *symbol,
    int (*emit)(const struct bar *, void *), void *arg)
{
	const struct demo_symbol	*s = NULL;
	struct gen			 g;
	int64_t				 day;
	size_t				 i;
	int				 rc, weekday;

	for (i = 0; i < NSYMBOLS; i++)
		if (strcmp(demo_symbols[i].name, symbol) == 0)
			s = &demo_symbols[i];
	if (s == NULL)
		return -1;

	memset(&g, 0, sizeof g);
	g.rng = s->seed;
	g.price = g.start = s->start_price * (MICRO / 100);
	g.vol = g.vol_target = Q10;
	g.regime = REGIME_DOWN;	/* so that the year starts going up */
	g.regime_days = 0;
	for (day = DEMODATA_FIRST_DAY; day <= DEMODATA_LAST_DAY;
	    day += 86400) {
		/* 1970-01-01 was a Thursday: day 0 is weekday 4 (Sunday 0). */
		weekday = (int)((day / 86400 + 4) % 7);
		if (weekday == 0 || weekday == 6)
			continue;
		if ((rc = generate_day(&g, s, day, emit, arg)) != 0)
			return rc;
	}
	return 0;
}
