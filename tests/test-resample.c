/* test-resample.c: unit tests of resampling minute bars (anchors, gaps, day bars). */
#include "config.h"

#include <string.h>

#include "resample.h"
#include "test.h"
#include "timefmt.h"

static int64_t
at(const char *iso)
{
	int64_t	t;

	if (time_parse(iso, strlen(iso), &t) == -1) {
		TEST_FAIL("bad time %s", iso);
		return 0;
	}
	return t;
}

static struct bar
minute(const char *iso, double open, double high, double low, double close,
    double volume)
{
	struct bar	b = { at(iso), open, high, low, close, volume };

	return b;
}

static void
check_bar(const struct bar *b, const char *iso, double open, double high,
    double low, double close, double volume)
{
	char	got[TIME_ISO_LEN + 1];

	time_format_iso(b->time, got);
	CHECK_STR(got, iso);
	CHECK_NEAR(b->open, open, 0);
	CHECK_NEAR(b->high, high, 0);
	CHECK_NEAR(b->low, low, 0);
	CHECK_NEAR(b->close, close, 0);
	CHECK_NEAR(b->volume, volume, 0);
}

/* Pushes every minute, then flushes; returns the bars made (at most max). */
static size_t
resample_all(enum interval iv, const struct bar *minutes, size_t n,
    struct bar *out, size_t max)
{
	struct resampler	r;
	size_t			i, made = 0;
	int			rc;

	resample_init(&r, iv);
	for (i = 0; i < n; i++) {
		rc = resample_push(&r, &minutes[i], &out[made]);
		CHECK(rc == 0 || rc == 1);
		if (rc == 1 && ++made == max)
			return made;
	}
	if (resample_flush(&r, &out[made]) == 1)
		made++;
	CHECK_INT(resample_flush(&r, &out[made < max ? made : 0]), 0);
	return made;
}

/*
 * A market opening at 09:15 gets 3-minute candles at 09:15, 09:18, 09:21:
 * the buckets are anchored at the day's first minute, not at 09:00.
 *   09:15–09:17  open 100, high max(101,103,102) = 103,
 *                low min(99,100,98) = 98, close 101, volume 10+20+30 = 60
 *   09:18–09:20  open 101, high 105, low 100, close 104, volume 4+5+6 = 15
 *   09:21–09:22  open 104, high 106, low 103, close 103.5, volume 7+8 = 15
 */
static void
test_anchor_0915(void)
{
	const struct bar	 m[] = {
		minute("2024-01-02T09:15:00Z", 100, 101, 99, 100.5, 10),
		minute("2024-01-02T09:16:00Z", 100.5, 103, 100, 102, 20),
		minute("2024-01-02T09:17:00Z", 102, 102, 98, 101, 30),
		minute("2024-01-02T09:18:00Z", 101, 102, 100, 102, 4),
		minute("2024-01-02T09:19:00Z", 102, 105, 101, 103, 5),
		minute("2024-01-02T09:20:00Z", 103, 104, 102, 104, 6),
		minute("2024-01-02T09:21:00Z", 104, 106, 103, 105, 7),
		minute("2024-01-02T09:22:00Z", 105, 105, 103, 103.5, 8),
	};
	struct bar		 out[8];

	REQUIRE(resample_all(INTERVAL_3MINUTE, m, 8, out, 8) == 3);
	check_bar(&out[0], "2024-01-02T09:15:00Z", 100, 103, 98, 101, 60);
	check_bar(&out[1], "2024-01-02T09:18:00Z", 101, 105, 100, 104, 15);
	check_bar(&out[2], "2024-01-02T09:21:00Z", 104, 106, 103, 103.5, 15);
}

/*
 * Gaps, 5-minute buckets anchored at 09:15 (09:15, 09:20, 09:25, 09:30):
 *   09:15, 09:16            → bar 09:15
 *   (09:17–09:21 missing)
 *   09:22                   → bar 09:20: its nominal start, though its
 *                             first minutes are missing
 *   (09:23–09:30 missing)   → 09:25 is empty: no bar
 *   09:31, 09:34            → bar 09:30
 */
static void
test_gaps(void)
{
	const struct bar	 m[] = {
		minute("2024-01-02T09:15:00Z", 10, 11, 9, 10, 1),
		minute("2024-01-02T09:16:00Z", 10, 12, 10, 11, 2),
		minute("2024-01-02T09:22:00Z", 13, 14, 12, 12.5, 4),
		minute("2024-01-02T09:31:00Z", 20, 21, 19, 20, 8),
		minute("2024-01-02T09:34:00Z", 20, 20, 15, 16, 16),
	};
	struct bar		 out[8];

	REQUIRE(resample_all(INTERVAL_5MINUTE, m, 5, out, 8) == 3);
	check_bar(&out[0], "2024-01-02T09:15:00Z", 10, 12, 9, 11, 3);
	check_bar(&out[1], "2024-01-02T09:20:00Z", 13, 14, 12, 12.5, 4);
	check_bar(&out[2], "2024-01-02T09:30:00Z", 20, 21, 15, 16, 24);
}

/*
 * Each UTC day has its own anchor.  60-minute buckets: day 1 starts at
 * 23:30, so 23:30 holds 23:30–23:59; day 2 starts at 00:10 (not 00:30, as
 * day 1's grid would say, nor 00:00), then 01:10.
 */
static void
test_anchor_per_day(void)
{
	const struct bar	 m[] = {
		minute("2024-01-02T23:30:00Z", 1, 2, 1, 2, 1),
		minute("2024-01-02T23:59:00Z", 2, 3, 2, 3, 1),
		minute("2024-01-03T00:10:00Z", 3, 4, 3, 4, 1),
		minute("2024-01-03T01:09:00Z", 4, 5, 4, 5, 1),
		minute("2024-01-03T01:10:00Z", 5, 6, 5, 6, 1),
	};
	struct bar		 out[8];

	REQUIRE(resample_all(INTERVAL_60MINUTE, m, 5, out, 8) == 3);
	check_bar(&out[0], "2024-01-02T23:30:00Z", 1, 3, 1, 3, 2);
	check_bar(&out[1], "2024-01-03T00:10:00Z", 3, 5, 3, 5, 2);
	check_bar(&out[2], "2024-01-03T01:10:00Z", 5, 6, 5, 6, 1);
}

/*
 * 15-minute buckets anchored at 09:07 on a day whose market opens there:
 * 09:07, 09:22, 09:37 (a day with a late first minute).
 */
static void
test_anchor_odd(void)
{
	const struct bar	 m[] = {
		minute("2024-03-01T09:07:00Z", 1, 1, 1, 1, 1),
		minute("2024-03-01T09:21:00Z", 2, 2, 2, 2, 1),
		minute("2024-03-01T09:22:00Z", 3, 3, 3, 3, 1),
		minute("2024-03-01T09:40:00Z", 4, 4, 4, 4, 1),
	};
	struct bar		 out[8];

	REQUIRE(resample_all(INTERVAL_15MINUTE, m, 4, out, 8) == 3);
	check_bar(&out[0], "2024-03-01T09:07:00Z", 1, 2, 1, 2, 2);
	check_bar(&out[1], "2024-03-01T09:22:00Z", 3, 3, 3, 3, 1);
	check_bar(&out[2], "2024-03-01T09:37:00Z", 4, 4, 4, 4, 1);
}

/*
 * day: one bar per UTC date at 00:00:00Z, whatever the first minute.
 *   2024-01-02: 09:15 o 10, 12:00 h 15, 15:29 l 8 c 9: open 10, high 15,
 *               low 8, close 9, volume 100+200+300 = 600
 *   2024-01-03: (nothing)    → no bar
 *   2024-01-04: 00:00 and 23:59: open 20, close 21
 */
static void
test_day(void)
{
	const struct bar	 m[] = {
		minute("2024-01-02T09:15:00Z", 10, 11, 10, 11, 100),
		minute("2024-01-02T12:00:00Z", 11, 15, 11, 12, 200),
		minute("2024-01-02T15:29:00Z", 12, 12, 8, 9, 300),
		minute("2024-01-04T00:00:00Z", 20, 22, 20, 21, 1),
		minute("2024-01-04T23:59:00Z", 21, 21, 19, 21, 2),
	};
	struct bar		 out[8];

	REQUIRE(resample_all(INTERVAL_DAY, m, 5, out, 8) == 2);
	check_bar(&out[0], "2024-01-02T00:00:00Z", 10, 15, 8, 9, 600);
	check_bar(&out[1], "2024-01-04T00:00:00Z", 20, 22, 19, 21, 3);
}

/* minute to minute is the identity: every push after the first finishes a bar. */
static void
test_minute_identity(void)
{
	const struct bar	 m[] = {
		minute("2024-01-02T09:15:00Z", 1, 2, 0.5, 1.5, 7),
		minute("2024-01-02T09:16:00Z", 1.5, 3, 1, 2, 8),
		minute("2024-01-02T09:18:00Z", 2, 2, 2, 2, 9),
	};
	struct bar		 out[8];

	REQUIRE(resample_all(INTERVAL_MINUTE, m, 3, out, 8) == 3);
	check_bar(&out[0], "2024-01-02T09:15:00Z", 1, 2, 0.5, 1.5, 7);
	check_bar(&out[1], "2024-01-02T09:16:00Z", 1.5, 3, 1, 2, 8);
	check_bar(&out[2], "2024-01-02T09:18:00Z", 2, 2, 2, 2, 9);
}

/*
 * The push protocol: 1 exactly when a bucket is finished; a minute that
 * is not after the last one is refused (-1) and changes nothing; out may
 * be the minute itself.
 */
static void
test_push_protocol(void)
{
	struct resampler	r;
	struct bar		b, out;

	resample_init(&r, INTERVAL_3MINUTE);
	CHECK_INT(resample_flush(&r, &out), 0);
	b = minute("2024-01-02T09:15:00Z", 1, 1, 1, 1, 1);
	CHECK_INT(resample_push(&r, &b, &out), 0);
	b = minute("2024-01-02T09:16:00Z", 2, 2, 2, 2, 1);
	CHECK_INT(resample_push(&r, &b, &out), 0);
	/* The same minute again, and an earlier one. */
	CHECK_INT(resample_push(&r, &b, &out), -1);
	b = minute("2024-01-02T09:15:00Z", 9, 9, 9, 9, 9);
	CHECK_INT(resample_push(&r, &b, &out), -1);
	b = minute("2024-01-02T09:18:00Z", 3, 3, 3, 3, 1);
	CHECK_INT(resample_push(&r, &b, &b), 1);
	check_bar(&b, "2024-01-02T09:15:00Z", 1, 2, 1, 2, 2);
	CHECK_INT(resample_flush(&r, &out), 1);
	check_bar(&out, "2024-01-02T09:18:00Z", 3, 3, 3, 3, 1);
	CHECK_INT(resample_flush(&r, &out), 0);

	/* After a flush the resampler starts afresh, with a new anchor. */
	b = minute("2024-01-02T09:20:00Z", 4, 4, 4, 4, 1);
	CHECK_INT(resample_push(&r, &b, &out), 0);
	b = minute("2024-01-02T09:22:00Z", 5, 5, 5, 5, 1);
	CHECK_INT(resample_push(&r, &b, &out), 0);
	CHECK_INT(resample_flush(&r, &out), 1);
	check_bar(&out, "2024-01-02T09:20:00Z", 4, 5, 4, 5, 2);
}

/* Times before 1970 use the same UTC days (time_day_start floors). */
static void
test_before_epoch(void)
{
	const struct bar	 m[] = {
		minute("1969-12-31T23:58:00Z", 1, 1, 1, 1, 1),
		minute("1969-12-31T23:59:00Z", 2, 2, 2, 2, 1),
		minute("1970-01-01T00:00:00Z", 3, 3, 3, 3, 1),
	};
	struct bar		 out[4];

	REQUIRE(resample_all(INTERVAL_DAY, m, 3, out, 4) == 2);
	check_bar(&out[0], "1969-12-31T00:00:00Z", 1, 2, 1, 2, 2);
	check_bar(&out[1], "1970-01-01T00:00:00Z", 3, 3, 3, 3, 1);
}

static const struct test tests[] = {
	{ "anchor_0915", test_anchor_0915 },
	{ "gaps", test_gaps },
	{ "anchor_per_day", test_anchor_per_day },
	{ "anchor_odd", test_anchor_odd },
	{ "day", test_day },
	{ "minute_identity", test_minute_identity },
	{ "push_protocol", test_push_protocol },
	{ "before_epoch", test_before_epoch },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return test_main(argc, argv, tests, 60);
}
