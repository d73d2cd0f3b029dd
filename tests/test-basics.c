/* test-basics.c: unit tests of buf, strnum, timefmt, numfmt, interval, bar, spec and json. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bar.h"
#include "buf.h"
#include "interval.h"
#include "json.h"
#include "numfmt.h"
#include "spec.h"
#include "sse.h"
#include "strnum.h"
#include "test.h"
#include "timefmt.h"

/* The test's own PRNG (splitmix64): every run checks the same values. */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t	z;

	z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* --- buf ------------------------------------------------------------- */

static void
test_buf_basic(void)
{
	struct buf	 b = BUF_INIT;
	char		*s;

	CHECK_STR(buf_str(&b), "");
	CHECK_INT(b.len, 0);
	buf_free(&b);

	/* The first printf into a fresh buffer (it once wrote garbage). */
	buf_printf(&b, "%d-%s", 42, "x");
	CHECK_STR(buf_str(&b), "42-x");
	buf_free(&b);

	buf_add(&b, "ignored", 0);
	CHECK_INT(b.len, 0);
	buf_adds(&b, "abc");
	buf_addc(&b, '-');
	buf_add(&b, "xyz123", 3);
	buf_printf(&b, "%d/%s", 42, "q");
	CHECK_STR(buf_str(&b), "abc-xyz42/q");
	CHECK_INT(b.len, 11);

	buf_reset(&b);
	CHECK_STR(buf_str(&b), "");
	CHECK(b.cap > 0);	/* the memory is kept */
	buf_adds(&b, "again");
	CHECK_STR(buf_str(&b), "again");

	s = buf_detach(&b);
	CHECK_STR(s, "again");
	CHECK(b.data == NULL);
	CHECK_INT(b.len, 0);
	CHECK_INT(b.cap, 0);
	free(s);

	/* A detached or freed buffer can be used again. */
	buf_adds(&b, "reused");
	CHECK_STR(buf_str(&b), "reused");
	buf_free(&b);
	CHECK(b.data == NULL);
	buf_free(&b);
	buf_free(NULL);

	/* Detaching an empty buffer still gives a string. */
	s = buf_detach(&b);
	CHECK_STR(s, "");
	free(s);
}

static void
test_buf_growth(void)
{
	struct buf	 b = BUF_INIT;
	char		 big[5000], *p;
	size_t		 i;

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';

	/* Longer than the first allocation and than the 64 bytes first tried. */
	buf_printf(&b, "<%s>", big);
	CHECK_INT(b.len, sizeof big + 1);
	CHECK_INT(strlen(buf_str(&b)), sizeof big + 1);
	CHECK(b.data[0] == '<' && b.data[b.len - 1] == '>');

	/* Output that ends exactly at the allocation's edge, for every edge. */
	for (i = 0; i < 600; i++) {
		buf_reset(&b);
		buf_add(&b, big, i);
		buf_printf(&b, "%s", "0123456789");
		CHECK_INT(b.len, i + 10);
		CHECK(memcmp(b.data + i, "0123456789", 10) == 0);
		CHECK(b.cap > b.len);
	}

	/* printf when the buffer must grow but the text fits the new size. */
	for (i = 150; i < 300; i++) {
		buf_free(&b);
		buf_add(&b, big, i);
		buf_printf(&b, "%s|%d", "abcdefghijklmnopqrstuvwxyz", 7);
		CHECK_INT(b.len, i + 28);
		CHECK(memcmp(b.data + i, "abcdefghijklmnopqrstuvwxyz|7",
		    28) == 0);
	}

	/* Many small appends add up to a megabyte. */
	buf_reset(&b);
	for (i = 0; i < 1024 * 1024; i++)
		buf_addc(&b, (char)('a' + i % 26));
	CHECK_INT(b.len, 1024 * 1024);
	CHECK(b.data[1024 * 1024 - 1] == (char)('a' + (1024 * 1024 - 1) % 26));

	/* buf_reserve gives room where the next byte goes and keeps len. */
	buf_reset(&b);
	buf_adds(&b, "ab");
	p = buf_reserve(&b, 1000);
	CHECK(p == b.data + 2);
	CHECK(b.cap - b.len > 1000);
	memcpy(p, "cd", 2);
	b.len += 2;
	CHECK_STR(buf_str(&b), "abcd");

	/* Binary data with NUL bytes is kept whole. */
	buf_reset(&b);
	buf_add(&b, "a\0b", 3);
	CHECK_INT(b.len, 3);
	CHECK(memcmp(b.data, "a\0b", 3) == 0);
	buf_free(&b);
}

/* --- strnum ---------------------------------------------------------- */

static void
test_strnum_int(void)
{
	const char	*why;
	int64_t		 v;

	CHECK_INT(strnum_int("0", 0, 10, &v, &why), 0);
	CHECK_INT(v, 0);
	CHECK_INT(strnum_int("-5", -10, 10, &v, &why), 0);
	CHECK_INT(v, -5);
	CHECK_INT(strnum_int("+7", 0, 10, &v, &why), 0);
	CHECK_INT(v, 7);
	CHECK_INT(strnum_int("10", 0, 10, &v, &why), 0);
	CHECK_INT(v, 10);
	CHECK_INT(strnum_int("9223372036854775807", INT64_MIN, INT64_MAX, &v,
	    &why), 0);
	CHECK_INT(v, INT64_MAX);
	CHECK_INT(strnum_int("-9223372036854775808", INT64_MIN, INT64_MAX, &v,
	    &why), 0);
	CHECK_INT(v, INT64_MIN);

	v = 99;
	CHECK_INT(strnum_int("11", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is too large");
	CHECK_INT(v, 99);	/* untouched on failure */
	CHECK_INT(strnum_int("-1", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is too small");
	CHECK_INT(strnum_int("9223372036854775808", INT64_MIN, INT64_MAX, &v,
	    &why), -1);
	CHECK_STR(why, "is too large");
	CHECK_INT(strnum_int("-9223372036854775809", INT64_MIN, INT64_MAX, &v,
	    &why), -1);
	CHECK_STR(why, "is too small");
	CHECK_INT(strnum_int("99999999999999999999999", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is too large");

	CHECK_INT(strnum_int("", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is not a number");
	CHECK_INT(strnum_int(" 1", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is not a number");
	CHECK_INT(strnum_int("\t1", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is not a number");
	CHECK_INT(strnum_int("1 ", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is not a whole number");
	CHECK_INT(strnum_int("1.5", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is not a whole number");
	CHECK_INT(strnum_int("0x10", 0, 100, &v, &why), -1);
	CHECK_STR(why, "is not a whole number");
	CHECK_INT(strnum_int("abc", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is not a whole number");
	CHECK_INT(strnum_int("-", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is not a whole number");
}

static void
test_strnum_double(void)
{
	const char	*why;
	double		 v;

	CHECK_INT(strnum_double("1.5", 0, 10, &v, &why), 0);
	CHECK(v == 1.5);
	CHECK_INT(strnum_double("-2e3", -1e4, 0, &v, &why), 0);
	CHECK(v == -2000);
	CHECK_INT(strnum_double("0.1", 0, 1, &v, &why), 0);
	CHECK(v == 0.1);
	CHECK_INT(strnum_double("10", 0, 10, &v, &why), 0);
	CHECK(v == 10);

	CHECK_INT(strnum_double("10.000001", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is too large");
	CHECK_INT(strnum_double("-0.5", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is too small");
	CHECK_INT(strnum_double("", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is not a number");
	CHECK_INT(strnum_double(" 1", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is not a number");
	CHECK_INT(strnum_double("1 ", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is not a finite number");
	CHECK_INT(strnum_double("abc", 0, 10, &v, &why), -1);
	CHECK_STR(why, "is not a finite number");
	CHECK_INT(strnum_double("nan", -1e300, 1e300, &v, &why), -1);
	CHECK_STR(why, "is not a finite number");
	CHECK_INT(strnum_double("inf", -1e300, 1e300, &v, &why), -1);
	CHECK_STR(why, "is not a finite number");
	CHECK_INT(strnum_double("-infinity", -1e300, 1e300, &v, &why), -1);
	CHECK_STR(why, "is not a finite number");
	CHECK_INT(strnum_double("1e400", -1e300, 1e300, &v, &why), -1);
	CHECK_STR(why, "is not a finite number");
}

static void
test_strnum_duration(void)
{
	static const struct {
		const char	*text;
		int64_t		 ms;
	} good[] = {
		{ "15", 15000 }, { "0", 0 }, { "500ms", 500 }, { "15s", 15000 },
		{ "55m", 3300000 }, { "2h", 7200000 }, { "1d", 86400000 },
		{ "0ms", 0 }, { "106751991167d", 106751991167LL * 86400000 },
	};
	static const struct {
		const char	*text;
		const char	*why;
	} bad[] = {
		{ "", "is not a number" },
		{ "s", "is not a number" },
		{ "-1s", "is not a number" },
		{ "+1s", "is not a number" },
		{ " 1s", "is not a number" },
		{ "1.5s", "has an unknown unit (use ms, s, m, h or d)" },
		{ "1 s", "has an unknown unit (use ms, s, m, h or d)" },
		{ "1S", "has an unknown unit (use ms, s, m, h or d)" },
		{ "1w", "has an unknown unit (use ms, s, m, h or d)" },
		{ "1sec", "has an unknown unit (use ms, s, m, h or d)" },
		{ "106751991168d", "is too large" },
		{ "99999999999999999999s", "is too large" },
		{ "123456789012345678901234567890123s", "is too large" },
	};
	const char	*why;
	int64_t		 v;
	size_t		 i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		v = -1;
		if (strnum_duration(good[i].text, 0, INT64_MAX, &v, &why) != 0)
			TEST_FAIL("duration \"%s\": %s", good[i].text, why);
		CHECK_INT(v, good[i].ms);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		if (strnum_duration(bad[i].text, 0, INT64_MAX, &v, &why) != -1)
			TEST_FAIL("duration \"%s\" accepted", bad[i].text);
		else
			CHECK_STR(why, bad[i].why);
	}

	/* Bounds apply after the unit: 1m is 60000 ms. */
	CHECK_INT(strnum_duration("1m", 0, 60000, &v, &why), 0);
	CHECK_INT(strnum_duration("61s", 0, 60000, &v, &why), -1);
	CHECK_STR(why, "is too large");
	CHECK_INT(strnum_duration("999ms", 1000, 60000, &v, &why), -1);
	CHECK_STR(why, "is too small");
}

static void
test_strnum_size(void)
{
	const char	*why;
	int64_t		 v;

	CHECK_INT(strnum_size("100", 0, INT64_MAX, &v, &why), 0);
	CHECK_INT(v, 100);
	CHECK_INT(strnum_size("1K", 0, INT64_MAX, &v, &why), 0);
	CHECK_INT(v, 1024);
	CHECK_INT(strnum_size("32M", 0, INT64_MAX, &v, &why), 0);
	CHECK_INT(v, 32 * 1024 * 1024);
	CHECK_INT(strnum_size("16G", 0, INT64_MAX, &v, &why), 0);
	CHECK_INT(v, 16LL * 1024 * 1024 * 1024);
	CHECK_INT(strnum_size("8589934591G", 0, INT64_MAX, &v, &why), 0);
	CHECK_INT(v, 8589934591LL * 1024 * 1024 * 1024);

	CHECK_INT(strnum_size("1k", 0, INT64_MAX, &v, &why), -1);
	CHECK_STR(why, "has an unknown unit (use K, M or G)");
	CHECK_INT(strnum_size("1T", 0, INT64_MAX, &v, &why), -1);
	CHECK_STR(why, "has an unknown unit (use K, M or G)");
	CHECK_INT(strnum_size("1KB", 0, INT64_MAX, &v, &why), -1);
	CHECK_STR(why, "has an unknown unit (use K, M or G)");
	CHECK_INT(strnum_size("M", 0, INT64_MAX, &v, &why), -1);
	CHECK_STR(why, "is not a number");
	CHECK_INT(strnum_size("2M", 0, 1024 * 1024, &v, &why), -1);
	CHECK_STR(why, "is too large");
	CHECK_INT(strnum_size("1023", 1024, 4096, &v, &why), -1);
	CHECK_STR(why, "is too small");
	/* Past INT64_MAX once multiplied by the unit (was signed overflow). */
	CHECK_INT(strnum_size("8589934592G", 0, INT64_MAX, &v, &why), -1);
	CHECK_STR(why, "is too large");
	CHECK_INT(strnum_size("106751991167G", 0, INT64_MAX, &v, &why), -1);
	CHECK_STR(why, "is too large");
	CHECK_INT(strnum_size("106751991167M", 0, INT64_MAX, &v, &why), 0);
	CHECK_INT(v, 106751991167LL * 1024 * 1024);
}

/* --- timefmt --------------------------------------------------------- */

/* 2024-01-02T03:45:00Z, the first demo bar's kind of time. */
#define T0	1704167100LL

static int
parse(const char *s, int64_t *out)
{
	return time_parse(s, strlen(s), out);
}

static void
test_time_parse_good(void)
{
	static const struct {
		const char	*text;
		int64_t		 t;
	} good[] = {
		{ "0", 0 },
		{ "1704167100", T0 },
		{ "999999999999", 999999999999LL },
		{ "000000000042", 42 },
		{ "2024-01-02", 1704153600 },
		{ "1970-01-01", 0 },
		{ "1969-12-31", -86400 },
		{ "0000-01-01", -62167219200LL },
		{ "9999-12-31", 253402214400LL },
		{ "2024-02-29", 1709164800 },
		{ "2000-02-29", 951782400 },
		{ "2024-01-02T03:45", T0 },
		{ "2024-01-02 03:45", T0 },
		{ "2024-01-02T03:45:00", T0 },
		{ "2024-01-02 03:45:00", T0 },
		{ "2024-01-02T03:45:00Z", T0 },
		{ "2024-01-02T03:45Z", T0 },
		{ "2024-01-02T03:45:59", T0 + 59 },
		{ "2024-01-02T03:45:00.5", T0 },
		{ "2024-01-02T03:45:00.999999Z", T0 },	/* dropped, not rounded */
		{ "2024-01-02T03:45:01.000Z", T0 + 1 },
		{ "2024-01-02T09:15:00+05:30", T0 },
		{ "2024-01-02T09:15:00+0530", T0 },
		{ "2024-01-02T09:15+05:30", T0 },
		{ "2024-01-01T23:45:00-04:00", T0 },
		{ "2024-01-01T23:45:00-0400", T0 },
		{ "2024-01-02T03:45:00+00:00", T0 },
		{ "2024-01-02T03:45:00-00:00", T0 },
		{ "2024-01-02T03:45:00.25+05:30", T0 - 19800 },
		{ "2024-01-02T00:00:00+23:59", 1704153600 - 86340 },
		{ "2024-12-31T23:59:59Z", 1735689599 },
		{ "1969-12-31T23:59:59Z", -1 },
	};
	int64_t	t;
	size_t	i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		t = INT64_MIN;
		if (parse(good[i].text, &t) != 0)
			TEST_FAIL("time_parse(\"%s\") failed", good[i].text);
		else if (t != good[i].t)
			TEST_FAIL("time_parse(\"%s\"): %" PRId64 " != %" PRId64,
			    good[i].text, t, good[i].t);
	}

	/* The text need not be NUL-terminated: only len bytes count. */
	CHECK_INT(time_parse("2024-01-02T03:45:00Zjunk", 20, &t), 0);
	CHECK_INT(t, T0);
	CHECK_INT(time_parse("17041671009999", 10, &t), 0);
	CHECK_INT(t, T0);
	CHECK_INT(time_parse("2024-01-02,101.5", 10, &t), 0);
	CHECK_INT(t, 1704153600);
}

static void
test_time_parse_bad(void)
{
	static const char *const bad[] = {
		"", " ", "abc", "12a", "-5", "+5", "1.5", "1e9", " 1704167100",
		"1704167100 ",
		"9999999999999",		/* 13 digits: out of range */
		"2023-02-29", "1900-02-29", "2024-02-30", "2024-04-31",
		"2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32",
		"2024-1-02", "2024-01-2", "24-01-02", "2024/01/02",
		"2024-01-02 ", "2024-01-02T", "2024-01-02T03",
		"2024-01-02T3:45",
		"2024-01-02T03:5", "2024-01-02T24:00", "2024-01-02T03:60",
		"2024-01-02T03:45:60", "2024-01-02T03:45:0",
		"2024-01-02X03:45", "2024-01-02t03:45", "2024-01-02T03:45:00.",
		"2024-01-02T03:45:00.Z", "2024-01-02T03:45.5",
		"2024-01-02T03:45:00ZZ", "2024-01-02T03:45:00z",
		"2024-01-02T03:45:00 Z", "2024-01-02T03:45:00+05",
		"2024-01-02T03:45:00+5:30", "2024-01-02T03:45:00+24:00",
		"2024-01-02T03:45:00+05:60", "2024-01-02T03:45:00+05:30:00",
		"2024-01-02T03:45:00+05:3", "2024-01-02T03:45:00UTC",
		"2024-01-02T03:45:00+", "2024-01-02T03:45:00-",
		"garbage-with-dash", "12:30", "-2024-01-02", "2024-01-02\n",
	};
	int64_t	t;
	size_t	i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t = 12345;
		if (parse(bad[i], &t) != -1)
			TEST_FAIL("time_parse(\"%s\") accepted: %" PRId64, bad[i],
			    t);
		CHECK_INT(t, 12345);
	}
	/* A NUL byte inside the given length is not the end. */
	CHECK_INT(time_parse("2024-01-02\0", 11, &t), -1);
	CHECK_INT(time_parse("17\0", 3, &t), -1);
}

static void
test_date_parse(void)
{
	static const char *const bad[] = {
		"", "2024-01-02T00:00", "2024-01-02 ", " 2024-01-02",
		"2024-01-02Z", "2023-02-29", "2024-13-01", "2024-00-01",
		"2024-1-2", "20240102", "1704153600", "2024-01", "2024",
		"+2024-01-02", "2024-01-02\n",
	};
	int64_t	t;
	size_t	i;

	CHECK_INT(date_parse("2024-01-02", &t), 0);
	CHECK_INT(t, 1704153600);
	CHECK_INT(date_parse("2024-02-29", &t), 0);
	CHECK_INT(t, 1709164800);
	CHECK_INT(date_parse("1960-06-15", &t), 0);
	CHECK_INT(t, -301276800);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t = 7;
		if (date_parse(bad[i], &t) != -1)
			TEST_FAIL("date_parse(\"%s\") accepted", bad[i]);
		CHECK_INT(t, 7);
	}
}

static void
test_time_format(void)
{
	static const struct {
		int64_t		 t;
		const char	*iso;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ T0, "2024-01-02T03:45:00Z" },
		{ -1, "1969-12-31T23:59:59Z" },
		{ -86400, "1969-12-31T00:00:00Z" },
		{ -86401, "1969-12-30T23:59:59Z" },
		{ 951782400, "2000-02-29T00:00:00Z" },
		{ 1709251199, "2024-02-29T23:59:59Z" },
		{ -2208988800LL, "1900-01-01T00:00:00Z" },
		{ -62135596800LL, "0001-01-01T00:00:00Z" },
		{ -62167219200LL, "0000-01-01T00:00:00Z" },
		{ 253402300799LL, "9999-12-31T23:59:59Z" },
		{ 999999999999LL, "9999-12-31T23:59:59Z" },
		/* Outside the format's years: clamped, without overflow. */
		{ -62167219201LL, "0000-01-01T00:00:00Z" },
		{ 253402300800LL, "9999-12-31T23:59:59Z" },
		{ INT64_MIN, "0000-01-01T00:00:00Z" },
		{ INT64_MIN + 1, "0000-01-01T00:00:00Z" },
		{ INT64_MAX, "9999-12-31T23:59:59Z" },
	};
	char	out[TIME_ISO_LEN + 1], date[DATE_LEN + 1];
	size_t	i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(out, '#', sizeof out);
		CHECK_INT(time_format_iso(cases[i].t, out), TIME_ISO_LEN);
		CHECK_STR(out, cases[i].iso);
		memset(date, '#', sizeof date);
		CHECK_INT(time_format_date(cases[i].t, date), DATE_LEN);
		if (strncmp(date, cases[i].iso, DATE_LEN) != 0 ||
		    date[DATE_LEN] != '\0')
			TEST_FAIL("time_format_date(%" PRId64 "): \"%s\"",
			    cases[i].t, date);
	}
}

/* Formatting and parsing agree with each other and with gmtime_r. */
static void
test_time_round_trip(void)
{
	uint64_t	 seed = 1;
	char		 out[TIME_ISO_LEN + 1];
	int64_t		 t, back, y;
	unsigned	 m, d;
	struct tm	 tm;
	time_t		 tt;
	int		 i;

	for (i = 0; i < 200000; i++) {
		t = -62167219200LL + (int64_t)(next_random(&seed) %
		    (253402300799ULL + 62167219200ULL + 1));
		time_format_iso(t, out);
		if (parse(out, &back) != 0 || back != t) {
			TEST_FAIL("%" PRId64 " -> %s -> %" PRId64, t, out, back);
			break;
		}
		tt = (time_t)t;
		if (gmtime_r(&tt, &tm) == NULL) {
			TEST_FAIL("gmtime_r(%" PRId64 ")", t);
			break;
		}
		civil_from_days(time_day_start(t) / SECONDS_PER_DAY, &y, &m,
		    &d);
		if (y != tm.tm_year + 1900LL || (int)m != tm.tm_mon + 1 ||
		    (int)d != tm.tm_mday) {
			TEST_FAIL("%" PRId64 ": %" PRId64 "-%u-%u != %d-%d-%d", t,
			    y, m, d, tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday);
			break;
		}
		if (days_from_civil(y, m, d) * SECONDS_PER_DAY !=
		    time_day_start(t)) {
			TEST_FAIL("days_from_civil at %" PRId64, t);
			break;
		}
	}

	CHECK_INT(time_day_start(0), 0);
	CHECK_INT(time_day_start(86399), 0);
	CHECK_INT(time_day_start(86400), 86400);
	CHECK_INT(time_day_start(-1), -86400);
	CHECK_INT(time_day_start(-86400), -86400);
	CHECK_INT(time_day_start(T0), 1704153600);
	CHECK_INT(days_from_civil(1970, 1, 1), 0);
	CHECK_INT(days_from_civil(2024, 1, 2), 19724);
	CHECK_INT(days_from_civil(0, 1, 1), -719528);
}

/* --- numfmt ---------------------------------------------------------- */

static void
check_num(double v, const char *want)
{
	char	out[NUMFMT_MAX];
	size_t	n;

	memset(out, '#', sizeof out);
	n = num_format(v, out);
	if (strcmp(out, want) != 0 || n != strlen(want))
		TEST_FAIL("num_format(%.17g): \"%s\" (%zu) != \"%s\"", v, out,
		    n, want);
}

static void
test_num_format_values(void)
{
	check_num(0, "0");
	check_num(-0.0, "0");
	check_num(1, "1");
	check_num(-1, "-1");
	check_num(42, "42");
	check_num(100000, "100000");
	check_num(0.1, "0.1");
	check_num(-0.1, "-0.1");
	check_num(0.5, "0.5");
	check_num(101.25, "101.25");
	check_num(-101.25, "-101.25");
	check_num(99.99, "99.99");
	check_num(0.000001, "0.000001");
	check_num(0.00000001, "0.00000001");
	check_num(123456789.125, "123456789.125");
	check_num(999999999999999.0, "999999999999999");
	check_num(1e15, "1e+15");
	check_num(1.0 / 3, "0.3333333333333333");
	check_num(2.0 / 3, "0.6666666666666666");
	check_num(0.1 + 0.2, "0.30000000000000004");
	check_num(1e-300, "1e-300");
	check_num(1e300, "1e+300");
	check_num(1e-9, "1e-09");
	check_num(9007199254740992.0, "9007199254740992");	/* 2^53 */
	check_num(9007199254740994.0, "9007199254740994");	/* 2^53 + 2 */
	check_num(DBL_MAX, "1.7976931348623157e+308");
	check_num(NAN, "null");
	check_num(INFINITY, "null");
	check_num(-INFINITY, "null");
}

static void
check_round_trip(double v, int *failed)
{
	char	out[NUMFMT_MAX + 8], *end;
	size_t	n;

	n = num_format(v, out);
	if (n >= NUMFMT_MAX || strlen(out) != n || strtod(out, &end) != v ||
	    *end != '\0') {
		if ((*failed)++ < 5)
			TEST_FAIL("num_format(%a) = \"%s\" does not read back", v,
			    out);
	}
}

static void
test_num_format_round_trip(void)
{
	static const double fixed[] = { DBL_MIN, -DBL_MIN, DBL_TRUE_MIN,
	    DBL_MAX, -DBL_MAX, 1e-5, 1e-8, 1.5e-8, 123.456, 1e14 + 0.5,
	    1e16, 4503599627370495.5, 0.07, 1.005, 2.675 };
	uint64_t	 seed = 42, bits;
	double		 v;
	int		 failed = 0, i;

	for (i = 0; i < (int)(sizeof fixed / sizeof fixed[0]); i++)
		check_round_trip(fixed[i], &failed);

	/* A million doubles of every magnitude: random bit patterns. */
	for (i = 0; i < 1000000; i++) {
		bits = next_random(&seed);
		memcpy(&v, &bits, sizeof v);
		if (!isfinite(v))
			continue;
		check_round_trip(v, &failed);
	}
	/* And a million of every size prices and quantities have. */
	for (i = 0; i < 1000000; i++) {
		bits = next_random(&seed);
		v = (double)(bits % 100000000000ULL) /
		    (i % 2 == 0 ? 100 : 10000);
		check_round_trip(v, &failed);
	}
	CHECK_INT(failed, 0);
}

/* Prices in cents print with at most two decimals, never as 101.25000000000001. */
static void
test_num_format_prices(void)
{
	uint64_t	 seed = 7;
	char		 out[NUMFMT_MAX];
	const char	*dot;
	double		 v;
	int		 failed = 0, i;

	for (i = 0; i < 1000000; i++) {
		v = (double)(next_random(&seed) % 10000000000ULL) / 100;
		num_format(v, out);
		dot = strchr(out, '.');
		if (strchr(out, 'e') != NULL ||
		    (dot != NULL && strlen(dot + 1) > 2) ||
		    (dot != NULL && out[strlen(out) - 1] == '0')) {
			if (failed++ < 5)
				TEST_FAIL("price %.17g printed \"%s\"", v, out);
		}
	}
	CHECK_INT(failed, 0);
}

/* Counters print as printf's %llu does, at the edges and in between. */
static void
test_num_format_u64(void)
{
	static const uint64_t	 edges[] = { 0, 1, 9, 10, 99, 100, 4294967295u,
	    4294967296u, 9999999999999999999u, 10000000000000000000u,
	    18446744073709551615u };
	uint64_t		 seed = 11, v;
	char			 out[NUMFMT_U64_MAX], want[32];
	size_t			 i;
	int			 failed = 0;

	for (i = 0; i < sizeof edges / sizeof edges[0] + 100000; i++) {
		v = i < sizeof edges / sizeof edges[0] ? edges[i] :
		    next_random(&seed) >> (next_random(&seed) % 64);
		snprintf(want, sizeof want, "%llu", (unsigned long long)v);
		if (num_format_u64(v, out) != strlen(want) ||
		    strcmp(out, want) != 0) {
			if (failed++ < 5)
				TEST_FAIL("num_format_u64(%s) = \"%s\"", want,
				    out);
		}
	}
	CHECK_INT(failed, 0);
}

/* --- interval -------------------------------------------------------- */

static void
test_interval(void)
{
	static const struct {
		const char	*name;
		enum interval	 iv;
		int		 minutes;
	} all[] = {
		{ "minute", INTERVAL_MINUTE, 1 },
		{ "3minute", INTERVAL_3MINUTE, 3 },
		{ "5minute", INTERVAL_5MINUTE, 5 },
		{ "10minute", INTERVAL_10MINUTE, 10 },
		{ "15minute", INTERVAL_15MINUTE, 15 },
		{ "30minute", INTERVAL_30MINUTE, 30 },
		{ "60minute", INTERVAL_60MINUTE, 60 },
		{ "day", INTERVAL_DAY, 1440 },
	};
	static const char *const bad[] = { "", "Minute", "DAY", "1minute",
	    "minutes", "hour", "week", "5 minute", "day ", "60Minute" };
	enum interval	iv;
	size_t		i;

	CHECK_INT(sizeof all / sizeof all[0], INTERVAL_COUNT);
	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		iv = (enum interval)-1;
		CHECK_INT(interval_parse(all[i].name, &iv), 0);
		CHECK_INT(iv, all[i].iv);
		CHECK_STR(interval_name(all[i].iv), all[i].name);
		CHECK_INT(interval_minutes(all[i].iv), all[i].minutes);
		CHECK(strstr(interval_list(), all[i].name) != NULL);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		iv = INTERVAL_DAY;
		if (interval_parse(bad[i], &iv) != -1)
			TEST_FAIL("interval_parse(\"%s\") accepted", bad[i]);
		CHECK_INT(iv, INTERVAL_DAY);
	}
	CHECK_STR(interval_list(), "minute, 3minute, 5minute, 10minute, "
	    "15minute, 30minute, 60minute, day");
}

/* --- bar ------------------------------------------------------------- */

static void
test_bar_json(void)
{
	struct bar	 b = { T0, 101.25, 102, 100.5, 101.75, 1200 };
	struct buf	 out = BUF_INIT;
	json_object	*obj, *v;
	char		 err[256];

	bar_append_json(&out, &b);
	CHECK_STR(buf_str(&out), "{\"time\":\"2024-01-02T03:45:00Z\","
	    "\"open\":101.25,\"high\":102,\"low\":100.5,\"close\":101.75,"
	    "\"volume\":1200}");

	/* Appends, never overwrites; odd values stay exact and valid JSON. */
	buf_reset(&out);
	buf_addc(&out, '[');
	b.time = -1;
	b.open = 0.1 + 0.2;
	b.high = 1e300;
	b.low = 1e-300;
	b.close = 1.0 / 3;
	b.volume = 0;
	bar_append_json(&out, &b);
	buf_addc(&out, ']');
	CHECK_STR(buf_str(&out), "[{\"time\":\"1969-12-31T23:59:59Z\","
	    "\"open\":0.30000000000000004,\"high\":1e+300,\"low\":1e-300,"
	    "\"close\":0.3333333333333333,\"volume\":0}]");
	obj = json_parse(out.data, out.len, err, sizeof err);
	REQUIRE(obj != NULL);
	v = json_object_object_get(json_object_array_get_idx(obj, 0), "open");
	CHECK(json_object_get_double(v) == 0.1 + 0.2);
	json_object_put(obj);

	/* Not finite: JSON null rather than invalid JSON. */
	buf_reset(&out);
	b.volume = NAN;
	bar_append_json(&out, &b);
	CHECK(strstr(buf_str(&out), ",\"volume\":null}") != NULL);

	/* A long run of bars, past many reallocations. */
	buf_reset(&out);
	b.volume = 5;
	for (int i = 0; i < 10000; i++)
		bar_append_json(&out, &b);
	CHECK_INT(out.len, 10000 * strlen("{\"time\":\"1969-12-31T23:59:59Z\","
	    "\"open\":0.30000000000000004,\"high\":1e+300,\"low\":1e-300,"
	    "\"close\":0.3333333333333333,\"volume\":5}"));
	buf_free(&out);
}

static void
test_bar_sane(void)
{
	struct bar	 good = { T0, 10, 12, 9, 11, 100 }, b;
	const char	*why;

	why = NULL;
	CHECK_INT(bar_is_sane(&good, &why), 0);
	b = good;
	b.open = b.high = b.low = b.close = 5;
	b.volume = 0;
	CHECK_INT(bar_is_sane(&b, &why), 0);
	b = good;
	b.volume = 0.5;	/* fractional volumes (crypto) are fine */
	CHECK_INT(bar_is_sane(&b, &why), 0);

#define BAD(field, value, reason) do {					\
	b = good;							\
	b.field = (value);						\
	why = NULL;							\
	CHECK_INT(bar_is_sane(&b, &why), -1);				\
	CHECK_STR(why, reason);						\
} while (0)
	BAD(open, NAN, "prices and volume must be finite numbers");
	BAD(high, INFINITY, "prices and volume must be finite numbers");
	BAD(low, -INFINITY, "prices and volume must be finite numbers");
	BAD(close, NAN, "prices and volume must be finite numbers");
	BAD(volume, INFINITY, "prices and volume must be finite numbers");
	BAD(low, 0, "prices must be positive");
	BAD(low, -1, "prices must be positive");
	BAD(open, 0, "prices must be positive");
	BAD(close, -11, "prices must be positive");
	BAD(open, 12.5, "low must be the lowest and high the highest price");
	BAD(open, 8.5, "low must be the lowest and high the highest price");
	BAD(close, 12.01, "low must be the lowest and high the highest price");
	BAD(close, 8.99, "low must be the lowest and high the highest price");
	BAD(high, 10.5, "low must be the lowest and high the highest price");
	BAD(low, 10.5, "low must be the lowest and high the highest price");
	BAD(volume, -1, "volume must not be negative");
#undef BAD
}

/* --- spec ------------------------------------------------------------ */

static void
test_symbol_is_valid(void)
{
	static const char *const good[] = { "A", "DEMO", "BRK.B", "^NSEI",
	    "NSE:INFY", "BTC-USD", "ES_F", "abc123", "0",
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345" /* 32 */ };
	static const char *const bad[] = { "", " ", "A B", "A/B", "..\\x",
	    "A\tB", "ABC ", "\xc3\xa9", "a%20b", "A+B", "A,B", "A\"B", "A'B",
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456" /* 33 */, "A\n", "*" };
	size_t	i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!symbol_is_valid(good[i]))
			TEST_FAIL("symbol \"%s\" refused", good[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (symbol_is_valid(bad[i]))
			TEST_FAIL("symbol \"%s\" accepted", bad[i]);
}

/* --- json ------------------------------------------------------------ */

/* Checks the text of a new reference and drops it. */
static void
check_json(json_object *obj, const char *want)
{
	CHECK_STR(json_text(obj), want);
	json_object_put(obj);
}

static void
test_json_helpers(void)
{
	json_object	*obj;

	check_json(json_num(101.25), "101.25");
	check_json(json_num(100000), "100000");
	check_json(json_num(-0.5), "-0.5");
	check_json(json_num(0.1 + 0.2), "0.30000000000000004");
	check_json(json_num(1e300), "1e+300");
	CHECK(json_num(NAN) == NULL);
	CHECK(json_num(INFINITY) == NULL);
	check_json(json_time(T0), "\"2024-01-02T03:45:00Z\"");
	check_json(json_date(T0), "\"2024-01-02\"");
	check_json(json_date(-1), "\"1969-12-31\"");
	CHECK(json_str_or_null(NULL) == NULL);
	check_json(json_str_or_null("a\"b/c\n"), "\"a\\\"b/c\\n\"");

	/* The helpers' output in an object, compact and without \/. */
	obj = json_object_new_object();
	json_object_object_add(obj, "price", json_num(101.25));
	json_object_object_add(obj, "none", json_num(NAN));
	json_object_object_add(obj, "time", json_time(0));
	json_object_object_add(obj, "url", json_str_or_null("a/b"));
	check_json(obj, "{\"price\":101.25,\"none\":null,"
	    "\"time\":\"1970-01-01T00:00:00Z\",\"url\":\"a/b\"}");
}

static void
test_json_parse(void)
{
	static const struct {
		const char	*text;
		const char	*want;	/* compact text, or the error */
		int		 ok;
	} cases[] = {
		{ "{}", "{}", 1 },
		{ " {\"a\":1} ", "{\"a\":1}", 1 },
		{ "{\"a\":[1,2.5,\"x\"]}\n", "{\"a\":[1,2.5,\"x\"]}", 1 },
		{ "\"s\"", "\"s\"", 1 },
		{ "[]", "[]", 1 },
		/* Scalars that end the text (json-c needs to see the end). */
		{ "123", "123", 1 },
		{ "-1.5e3", "-1.5e3", 1 },
		{ "true", "true", 1 },
		{ "false", "false", 1 },
		{ "null", "JSON text is null", 0 },
		{ "", "unexpected end of JSON text", 0 },
		{ "   ", "unexpected end of JSON text", 0 },
		{ "{\"a\":", "unexpected end of JSON text", 0 },
		{ "[1,2", "unexpected end of JSON text", 0 },
		{ "tru", "unexpected end of JSON text", 0 },
		{ "\"abc", "unexpected end of JSON text", 0 },
		{ "{}x", "malformed JSON: unexpected character", 0 },
		{ "{} {}", "malformed JSON: unexpected character", 0 },
		{ "1 2", "malformed JSON: unexpected character", 0 },
		{ "[1,]", "malformed JSON: unexpected character", 0 },
		{ "{\"a\":01}", NULL, 0 },
		{ "{\"a\":1,}", NULL, 0 },
		{ "nul", "unexpected end of JSON text", 0 },
		/* One key twice: json-c would keep the last. */
		{ "{\"a\":1,\"a\":2}", "duplicate key \"a\"", 0 },
		{ "{\"a\":1,\"\\u0061\":2}", "duplicate key \"\\u0061\"", 0 },
		{ "{\"x\":[1,{\"y\":1,\"z\":{},\"y\":2}]}",
		  "duplicate key \"y\"", 0 },
		{ "{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":1}]}",
		  "{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":1}]}", 1 },
		{ "{\"a\":\"b\",\"b\":\"a,\\\"a\"}",
		  "{\"a\":\"b\",\"b\":\"a,\\\"a\"}", 1 },
		{ "{\"a\\\"\":1,\"a\":2}", "{\"a\\\"\":1,\"a\":2}", 1 },
	};
	json_object	*obj;
	char		 err[256];
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		obj = json_parse(cases[i].text, strlen(cases[i].text), err,
		    sizeof err);
		if (cases[i].ok) {
			if (obj == NULL && strcmp(cases[i].text, "null") != 0) {
				TEST_FAIL("json_parse(\"%s\"): %s",
				    cases[i].text, err);
				continue;
			}
			CHECK_STR(json_text(obj), cases[i].want);
			json_object_put(obj);
		} else {
			if (obj != NULL) {
				TEST_FAIL("json_parse(\"%s\") accepted",
				    cases[i].text);
				json_object_put(obj);
				continue;
			}
			if (cases[i].want != NULL)
				CHECK_STR(err, cases[i].want);
			else if (strncmp(err, "malformed JSON: ", 16) != 0)
				TEST_FAIL("json_parse(\"%s\"): \"%s\"",
				    cases[i].text, err);
		}
	}

	/* Only len bytes count; a NUL inside them is text after the value. */
	obj = json_parse("{\"a\":1}garbage", 7, err, sizeof err);
	CHECK(obj != NULL);
	json_object_put(obj);
	obj = json_parse("12345", 3, err, sizeof err);
	CHECK_STR(json_text(obj), "123");
	json_object_put(obj);
	obj = json_parse("{}\0{}", 5, err, sizeof err);
	CHECK(obj == NULL);
	CHECK_STR(err, "malformed JSON: text after the value");
}

/* --- sse --------------------------------------------------------------- */

static void
test_sse_parse_position(void)
{
	uint64_t	a = 7, b = 7;
	int		end = 7;

	CHECK_INT(sse_parse_position("12.345", &a, &b, &end), 0);
	CHECK_INT(a, 12);
	CHECK_INT(b, 345);
	CHECK_INT(end, 0);
	CHECK_INT(sse_parse_position("0.0.end", &a, &b, &end), 0);
	CHECK_INT(a, 0);
	CHECK_INT(b, 0);
	CHECK_INT(end, 1);
	CHECK_INT(sse_parse_position("18446744073709551615.1", &a, &b, &end),
	    0);
	CHECK(a == UINT64_MAX);
	CHECK_INT(sse_parse_position(NULL, &a, &b, &end), -1);
	CHECK_INT(sse_parse_position("", &a, &b, &end), -1);
	CHECK_INT(sse_parse_position("12", &a, &b, &end), -1);
	CHECK_INT(sse_parse_position("12.", &a, &b, &end), -1);
	CHECK_INT(sse_parse_position(".3", &a, &b, &end), -1);
	CHECK_INT(sse_parse_position("-1.3", &a, &b, &end), -1);
	CHECK_INT(sse_parse_position("1.-3", &a, &b, &end), -1);
	CHECK_INT(sse_parse_position("1.3.en", &a, &b, &end), -1);
	CHECK_INT(sse_parse_position("1.3.end ", &a, &b, &end), -1);
	CHECK_INT(sse_parse_position("1.3x", &a, &b, &end), -1);
	CHECK_INT(sse_parse_position("18446744073709551616.1", &a, &b, &end),
	    -1);
}

int
main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "buf_basic", test_buf_basic },
		{ "buf_growth", test_buf_growth },
		{ "strnum_int", test_strnum_int },
		{ "strnum_double", test_strnum_double },
		{ "strnum_duration", test_strnum_duration },
		{ "strnum_size", test_strnum_size },
		{ "time_parse_good", test_time_parse_good },
		{ "time_parse_bad", test_time_parse_bad },
		{ "date_parse", test_date_parse },
		{ "time_format", test_time_format },
		{ "time_round_trip", test_time_round_trip },
		{ "num_format_values", test_num_format_values },
		{ "num_format_round_trip", test_num_format_round_trip },
		{ "num_format_prices", test_num_format_prices },
		{ "num_format_u64", test_num_format_u64 },
		{ "interval", test_interval },
		{ "bar_json", test_bar_json },
		{ "bar_sane", test_bar_sane },
		{ "symbol_is_valid", test_symbol_is_valid },
		{ "json_helpers", test_json_helpers },
		{ "json_parse", test_json_parse },
		{ "sse_parse_position", test_sse_parse_position },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests, 120);
}
