/* test-csv.c: unit tests of lib/csv.c, the bars CSV reader. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "csv.h"
#include "test.h"
#include "timefmt.h"

#define HEADER	"time,open,high,low,close,volume\n"
#define T0	((int64_t)1704167100)	/* 2024-01-02T03:45:00Z */

static uint64_t
next_random(uint64_t *state)
{
	uint64_t	z;

	z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
read_mem(const char *text, size_t len, struct csv_bars *out, char *err,
    size_t errlen)
{
	return csv_read_mem(text, len, "bad.csv", out, err, errlen);
}

/* Expects text to be refused with exactly the message want, and no bars. */
static void
check_error_at(int line, const char *text, size_t len, const char *want)
{
	struct csv_bars	out = { (struct bar *)&out, 99 };
	char		err[512];

	if (read_mem(text, len, &out, err, sizeof err) != -1)
		TEST_FAIL("(from line %d) accepted: \"%.80s\"", line, text);
	else if (strcmp(err, want) != 0)
		TEST_FAIL("(from line %d) \"%s\" != \"%s\"", line, err, want);
	if (out.bars != NULL || out.n != 0)
		TEST_FAIL("(from line %d) bars left after an error", line);
	csv_bars_free(&out);
}

#define CHECK_ERROR(text, want)						\
	check_error_at(__LINE__, text, strlen(text), want)
/* The same for a string literal with NUL bytes in it. */
#define CHECK_ERROR_BYTES(literal, want)				\
	check_error_at(__LINE__, literal, sizeof literal - 1, want)

/* Expects text to give bars; returns them (the caller frees) or n = 0. */
static struct csv_bars
parse_at(int line, const char *text, size_t len)
{
	struct csv_bars	out;
	char		err[512];

	if (read_mem(text, len, &out, err, sizeof err) != 0)
		TEST_FAIL("(from line %d) refused: %s", line, err);
	return out;
}

#define PARSE(text)	parse_at(__LINE__, text, strlen(text))

static void
check_bar_at(int line, const struct bar *b, int64_t t, double o, double h,
    double l, double c, double v)
{
	if (b->time != t || b->open != o || b->high != h || b->low != l ||
	    b->close != c || b->volume != v)
		TEST_FAIL("(from line %d) bar {%" PRId64 ", %.17g, %.17g, "
		    "%.17g, %.17g, %.17g} != {%" PRId64 ", %.17g, %.17g, %.17g, "
		    "%.17g, %.17g}", line, b->time, b->open, b->high, b->low,
		    b->close, b->volume, t, o, h, l, c, v);
}

#define CHECK_BAR(b, t, o, h, l, c, v)					\
	check_bar_at(__LINE__, b, t, o, h, l, c, v)

static void
test_good(void)
{
	struct csv_bars	out;

	out = PARSE(HEADER
	    "2024-01-02T03:45:00Z,101.25,102,100.5,101.75,1200\n"
	    "2024-01-02T03:46:00Z,101.75,101.8,101.1,101.2,0\n"
	    "2024-01-02T03:47:00Z,0.0001,0.0001,0.0001,0.0001,1e9\n");
	REQUIRE(out.n == 3);
	CHECK_BAR(&out.bars[0], T0, 101.25, 102, 100.5, 101.75, 1200);
	CHECK_BAR(&out.bars[1], T0 + 60, 101.75, 101.8, 101.1, 101.2, 0);
	CHECK_BAR(&out.bars[2], T0 + 120, 0.0001, 0.0001, 0.0001, 0.0001,
	    1e9);
	csv_bars_free(&out);
	CHECK(out.bars == NULL && out.n == 0);
	csv_bars_free(&out);
	csv_bars_free(NULL);

	/* Every time form time_parse() knows, in UTC. */
	out = PARSE(HEADER
	    "1704167100,1,1,1,1,1\n"
	    "2024-01-02 03:46:00,1,1,1,1,1\n"
	    "2024-01-02T03:47,1,1,1,1,1\n"
	    "2024-01-02T09:18:00+05:30,1,1,1,1,1\n"
	    "2024-01-01T23:49:00-0400,1,1,1,1,1\n"
	    "2024-01-02T03:50:00.999Z,1,1,1,1,1\n"
	    "2024-01-03,1,1,1,1,1\n");
	REQUIRE(out.n == 7);
	CHECK_INT(out.bars[0].time, T0);
	CHECK_INT(out.bars[1].time, T0 + 60);
	CHECK_INT(out.bars[2].time, T0 + 120);
	CHECK_INT(out.bars[3].time, T0 + 180);
	CHECK_INT(out.bars[4].time, T0 + 240);
	CHECK_INT(out.bars[5].time, T0 + 300);
	CHECK_INT(out.bars[6].time, 1704240000);
	csv_bars_free(&out);

	/* Number forms: signs, bare points, exponents, leading zeros. */
	out = PARSE(HEADER
	    "1704167100,+5,5.,.5,0005.000,1E2\n"
	    "1704167160,1e-2,1.5e+1,1e-3,0.01,0e0\n");
	REQUIRE(out.n == 2);
	CHECK_BAR(&out.bars[0], T0, 5, 5, 0.5, 5, 100);
	CHECK_BAR(&out.bars[1], T0 + 60, 0.01, 15, 0.001, 0.01, 0);
	csv_bars_free(&out);
}

static void
test_layout(void)
{
	struct csv_bars	out;

	/* A byte order mark, CRLF, blanks around fields, no final newline. */
	out = PARSE("\xef\xbb\xbf" "time, open ,high,\tlow,close , volume\r\n"
	    " 2024-01-02T03:45:00Z , 101.25,102 ,\t100.5\t,101.75,1200\r\n"
	    "1704167160,1,1,1,1,1");
	REQUIRE(out.n == 2);
	CHECK_BAR(&out.bars[0], T0, 101.25, 102, 100.5, 101.75, 1200);
	CHECK_BAR(&out.bars[1], T0 + 60, 1, 1, 1, 1, 1);
	csv_bars_free(&out);

	/* Empty lines may end the file. */
	out = PARSE(HEADER "1704167100,1,1,1,1,1\n\n\r\n  \n\t\r\n\n");
	CHECK_INT(out.n, 1);
	csv_bars_free(&out);
	out = PARSE("time,open,high,low,close,volume\r\n1704167100,1,1,1,1,1"
	    "\r\n\r\n");
	CHECK_INT(out.n, 1);
	csv_bars_free(&out);
}

static void
test_order(void)
{
	struct csv_bars	 out;
	struct buf	 text = BUF_INIT;
	uint64_t	 seed = 3;
	int64_t		*times;
	size_t		 i, j, n = 10000;
	int64_t		 swap;

	/* Newest first, as many exports write it. */
	out = PARSE(HEADER
	    "2024-01-02T03:47:00Z,3,3,3,3,3\n"
	    "2024-01-02T03:46:00Z,2,2,2,2,2\n"
	    "2024-01-02T03:45:00Z,1,1,1,1,1\n");
	REQUIRE(out.n == 3);
	CHECK_BAR(&out.bars[0], T0, 1, 1, 1, 1, 1);
	CHECK_BAR(&out.bars[1], T0 + 60, 2, 2, 2, 2, 2);
	CHECK_BAR(&out.bars[2], T0 + 120, 3, 3, 3, 3, 3);
	csv_bars_free(&out);

	/* Shuffled rows come back in order, each with its own values. */
	times = calloc(n, sizeof *times);
	REQUIRE(times != NULL);
	for (i = 0; i < n; i++)
		times[i] = T0 + (int64_t)i * 60;
	for (i = n - 1; i > 0; i--) {
		j = next_random(&seed) % (i + 1);
		swap = times[i];
		times[i] = times[j];
		times[j] = swap;
	}
	buf_adds(&text, HEADER);
	for (i = 0; i < n; i++) {
		double	p = (double)((times[i] - T0) / 60 + 1) / 4;

		buf_printf(&text, "%" PRId64 ",%.2f,%.2f,%.2f,%.2f,%d\n",
		    times[i], p, p, p, p, (int)i);
	}
	out = parse_at(__LINE__, text.data, text.len);
	REQUIRE(out.n == n);
	for (i = 0; i < n; i++) {
		if (out.bars[i].time != T0 + (int64_t)i * 60 ||
		    out.bars[i].close != (double)(i + 1) / 4) {
			TEST_FAIL("bar %zu: %" PRId64 " %.17g", i,
			    out.bars[i].time, out.bars[i].close);
			break;
		}
	}
	csv_bars_free(&out);
	free(times);
	buf_free(&text);
}

static void
test_repeated_times(void)
{
	/* In order: the repeat is found as it is read. */
	CHECK_ERROR(HEADER "2024-01-02T03:45:00Z,1,1,1,1,1\n"
	    "2024-01-02T03:45:00Z,1,1,1,1,1\n",
	    "bad.csv:3: time 2024-01-02T03:45:00Z repeats line 2");
	/* The same instant written two ways. */
	CHECK_ERROR(HEADER "2024-01-02T03:44:00Z,1,1,1,1,1\n"
	    "1704167100,1,1,1,1,1\n"
	    "2024-01-02T09:15:00+05:30,1,1,1,1,1\n",
	    "bad.csv:4: time 2024-01-02T03:45:00Z repeats line 3");
	/* Out of order: found after the sort, still naming both lines. */
	CHECK_ERROR(HEADER "1704167100,1,1,1,1,1\n"
	    "1704167280,1,1,1,1,1\n"
	    "1704167160,1,1,1,1,1\n"
	    "1704167100,1,1,1,1,1\n",
	    "bad.csv:5: time 2024-01-02T03:45:00Z repeats line 2");
	/* Several repeats: the one whose second line comes first. */
	CHECK_ERROR(HEADER "1704167400,1,1,1,1,1\n"	/* line 2 */
	    "1704167100,1,1,1,1,1\n"			/* line 3 */
	    "1704167160,1,1,1,1,1\n"			/* line 4 */
	    "1704167400,1,1,1,1,1\n"			/* line 5 */
	    "1704167160,1,1,1,1,1\n"			/* line 6 */
	    "1704167100,1,1,1,1,1\n",			/* line 7 */
	    "bad.csv:5: time 2024-01-02T03:50:00Z repeats line 2");
	CHECK_ERROR(HEADER "1704167400,1,1,1,1,1\n"
	    "1704167100,1,1,1,1,1\n"
	    "1704167100,1,1,1,1,1\n",
	    "bad.csv:4: time 2024-01-02T03:45:00Z repeats line 3");
}

static void
test_whole_file_errors(void)
{
	CHECK_ERROR("", "bad.csv: the file is empty; expected the header "
	    "\"time,open,high,low,close,volume\"");
	CHECK_ERROR(HEADER, "bad.csv: no bars after the header");
	CHECK_ERROR("time,open,high,low,close,volume",
	    "bad.csv: no bars after the header");
	CHECK_ERROR(HEADER "\n\n", "bad.csv: no bars after the header");
	CHECK_ERROR("\xef\xbb\xbf" HEADER, "bad.csv: no bars after the header");
}

static void
test_header_errors(void)
{
	CHECK_ERROR("Time,Open,High,Low,Close,Volume\n1704167100,1,1,1,1,1\n",
	    "bad.csv:1: expected the header \"time,open,high,low,close,"
	    "volume\", found \"Time,Open,High,Low,Close,Volume\"");
	CHECK_ERROR("time,open,high,low,close\n1704167100,1,1,1,1\n",
	    "bad.csv:1: expected the header \"time,open,high,low,close,"
	    "volume\", found \"time,open,high,low,close\"");
	CHECK_ERROR("time,open,high,low,close,volume,oi\n",
	    "bad.csv:1: expected the header \"time,open,high,low,close,"
	    "volume\", found \"time,open,high,low,close,volume,oi\"");
	CHECK_ERROR("date,open,high,low,close,volume,open_interest\n",
	    "bad.csv:1: expected the header \"time,open,high,low,close,"
	    "volume\", found \"date,open,high,low,close,volume,open_int...\"");
	CHECK_ERROR("1704167100,1,1,1,1,1\n1704167160,1,1,1,1,1\n",
	    "bad.csv:1: expected the header \"time,open,high,low,close,"
	    "volume\", found \"1704167100,1,1,1,1,1\"");
	CHECK_ERROR("\n" HEADER "1704167100,1,1,1,1,1\n",
	    "bad.csv:1: expected the header \"time,open,high,low,close,"
	    "volume\", found \"\"");
	CHECK_ERROR("time,open,high,low,close,volume\rx\n",
	    "bad.csv:1: expected the header \"time,open,high,low,close,"
	    "volume\", found \"time,open,high,low,close,volume?x\"");
	CHECK_ERROR("\"time\",\"open\",\"high\",\"low\",\"close\",\"volume\"\n",
	    "bad.csv:1: expected the header \"time,open,high,low,close,"
	    "volume\", found \"?time?,?open?,?high?,?low?,?close?,?volu...\"");
	/* A byte order mark counts only at the very start. */
	CHECK_ERROR(" \xef\xbb\xbf" HEADER,
	    "bad.csv:1: expected the header \"time,open,high,low,close,"
	    "volume\", found \" \xef\xbb\xbftime,open,high,low,close,volume\"");
}

static void
test_row_errors(void)
{
	static const char *const not_numbers[] = { "0x10", "inf", "-inf",
	    "nan", "NAN", "infinity", "1e", "1e+", "e5", ".", "-", "+", "--1",
	    "1.2.3", "1_000", "$5", "5$", "1e5.5", "5e-", "0x1p3", "1 000",
	    "١" };
	char	text[256], want[256];
	size_t	i;

	CHECK_ERROR(HEADER "1704167100,1,1,1,1\n",
	    "bad.csv:2: expected 6 fields, found 5");
	CHECK_ERROR(HEADER "1704167100,1,1,1,1,1\n1704167160,1,1,1,1,1,1\n",
	    "bad.csv:3: expected 6 fields, found 7");
	CHECK_ERROR(HEADER "1704167100,1,1,1,1,1,\n",
	    "bad.csv:2: expected 6 fields, found 7");
	CHECK_ERROR(HEADER "1704167100\n", "bad.csv:2: expected 6 fields, "
	    "found 1");
	CHECK_ERROR(HEADER "1704167100;1;1;1;1;1\n", "bad.csv:2: expected 6 "
	    "fields, found 1");
	CHECK_ERROR(HEADER "1704167100,1,1,1,1,1\n1704167160,\"1,5\",1,1,1,1\n",
	    "bad.csv:3: expected 6 fields, found 7");

	CHECK_ERROR(HEADER "yesterday,1,1,1,1,1\n",
	    "bad.csv:2: time: \"yesterday\" is not a time (use ISO 8601, "
	    "e.g. 2024-01-02T03:45:00Z, or epoch seconds)");
	CHECK_ERROR(HEADER ",1,1,1,1,1\n",
	    "bad.csv:2: time: \"\" is not a time (use ISO 8601, "
	    "e.g. 2024-01-02T03:45:00Z, or epoch seconds)");
	CHECK_ERROR(HEADER "2023-02-29T03:45:00Z,1,1,1,1,1\n",
	    "bad.csv:2: time: \"2023-02-29T03:45:00Z\" is not a time (use "
	    "ISO 8601, e.g. 2024-01-02T03:45:00Z, or epoch seconds)");
	CHECK_ERROR(HEADER "01/02/2024 03:45,1,1,1,1,1\n",
	    "bad.csv:2: time: \"01/02/2024 03:45\" is not a time (use "
	    "ISO 8601, e.g. 2024-01-02T03:45:00Z, or epoch seconds)");
	CHECK_ERROR(HEADER "1704167100.5,1,1,1,1,1\n",
	    "bad.csv:2: time: \"1704167100.5\" is not a time (use "
	    "ISO 8601, e.g. 2024-01-02T03:45:00Z, or epoch seconds)");

	/* Each number field names itself. */
	CHECK_ERROR(HEADER "1704167100,abc,1,1,1,1\n",
	    "bad.csv:2: open: \"abc\" is not a number");
	CHECK_ERROR(HEADER "1704167100,1,,1,1,1\n",
	    "bad.csv:2: high: \"\" is not a number");
	CHECK_ERROR(HEADER "1704167100,1,1,1 1,1,1\n",
	    "bad.csv:2: low: \"1 1\" is not a number");
	CHECK_ERROR(HEADER "1704167100,1,1,1,1,1\n1704167160,1,1,1,abc,1\n",
	    "bad.csv:3: close: \"abc\" is not a number");
	CHECK_ERROR(HEADER "1704167100,1,1,1,1,1k\n",
	    "bad.csv:2: volume: \"1k\" is not a number");
	CHECK_ERROR(HEADER "1704167100,1,1,1,\"5\",1\n",
	    "bad.csv:2: close: \"?5?\" is not a number");
	for (i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++) {
		snprintf(text, sizeof text, HEADER "1704167100,1,1,1,%s,1\n",
		    not_numbers[i]);
		snprintf(want, sizeof want, "bad.csv:2: close: \"%s\" is not "
		    "a number", not_numbers[i]);
		check_error_at(__LINE__, text, strlen(text), want);
	}
	CHECK_ERROR(HEADER "1704167100,1e999,1,1,1,1\n",
	    "bad.csv:2: open: \"1e999\" is out of range");
	CHECK_ERROR(HEADER "1704167100,1,1,1,1,-1e400\n",
	    "bad.csv:2: volume: \"-1e400\" is out of range");

	/* The bar must make sense. */
	CHECK_ERROR(HEADER "1704167100,10,12,9,11,100\n"
	    "1704167160,10,12,10.5,11,100\n",
	    "bad.csv:3: low must be the lowest and high the highest price");
	CHECK_ERROR(HEADER "1704167100,10,10.5,9,11,100\n",
	    "bad.csv:2: low must be the lowest and high the highest price");
	CHECK_ERROR(HEADER "1704167100,10,12,9,11,-1\n",
	    "bad.csv:2: volume must not be negative");
	CHECK_ERROR(HEADER "1704167100,0,12,9,11,1\n",
	    "bad.csv:2: prices must be positive");
	CHECK_ERROR(HEADER "1704167100,-10,-9,-12,-11,1\n",
	    "bad.csv:2: prices must be positive");
	CHECK_ERROR(HEADER "1704167100,1e-400,1,1,1,1\n",
	    "bad.csv:2: prices must be positive");
}

static void
test_line_errors(void)
{
	struct buf	text = BUF_INIT;
	struct csv_bars	out;
	char		want[128];
	size_t		i;

	CHECK_ERROR(HEADER "1704167100,1,1,1,1,1\n\n1704167160,1,1,1,1,1\n",
	    "bad.csv:3: empty line");
	CHECK_ERROR(HEADER "1704167100,1,1,1,1,1\n  \r\n\n1704167160,1,1,1,1,1",
	    "bad.csv:3: empty line");
	CHECK_ERROR(HEADER "\n1704167100,1,1,1,1,1\n", "bad.csv:2: empty line");

	/* NUL bytes, wherever they are. */
	CHECK_ERROR_BYTES(HEADER "1704167100,1,1,1,1,1\n17041\0" "67160,1,1,"
	    "1,1,1\n", "bad.csv:3: NUL byte in line");
	CHECK_ERROR_BYTES("time,open,high,low,close,volume\0\n",
	    "bad.csv:1: NUL byte in line");
	CHECK_ERROR_BYTES(HEADER "1704167100,1,1,1,1,1\n\0",
	    "bad.csv:3: NUL byte in line");
	CHECK_ERROR_BYTES(HEADER "1704167100,1,1,1,1,1\0\n",
	    "bad.csv:2: NUL byte in line");
	CHECK_ERROR_BYTES(HEADER "1704167100,1,1,1,1,1\n\n\0\n",
	    "bad.csv:4: NUL byte in line");

	/* Huge lines and fields: 4096 bytes at most. */
	buf_adds(&text, HEADER "1704167100,1,1,1,1,");
	while (text.len < 32 + 4095)
		buf_addc(&text, '0');
	buf_addc(&text, '1');
	CHECK_INT(text.len - 32, 4096);
	out = parse_at(__LINE__, text.data, text.len);
	CHECK_INT(out.n, 1);
	CHECK(out.n == 1 && out.bars[0].volume == 1);
	csv_bars_free(&out);
	buf_adds(&text, "\r\n");	/* the CR counts */
	check_error_at(__LINE__, text.data, text.len,
	    "bad.csv:2: line is longer than 4096 bytes");
	buf_reset(&text);
	buf_adds(&text, HEADER "1704167100,1,1,1,1,1\n1704167160,1,1,1,1,");
	for (i = 0; i < 1000000; i++)
		buf_addc(&text, '9');
	buf_addc(&text, '\n');
	check_error_at(__LINE__, text.data, text.len,
	    "bad.csv:3: line is longer than 4096 bytes");

	/* A long bad field is shown cut, with control bytes as '?'. */
	buf_reset(&text);
	buf_adds(&text, HEADER "1704167100,1,1,1,\x1b[31m");
	for (i = 0; i < 100; i++)
		buf_addc(&text, 'x');
	buf_adds(&text, ",1\n");
	snprintf(want, sizeof want, "bad.csv:2: close: \"?[31m%.35s...\" is "
	    "not a number", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	check_error_at(__LINE__, text.data, text.len, want);

	/* Long numbers that are still numbers go the slow, exact way. */
	buf_reset(&text);
	buf_adds(&text, HEADER "1704167100,1,1,1,1,");
	buf_adds(&text, "0.");
	for (i = 0; i < 300; i++)
		buf_addc(&text, '0');
	buf_adds(&text, "5e301\n1704167160,1,1,1,1,1.");
	for (i = 0; i < 80; i++)
		buf_addc(&text, '0');
	buf_adds(&text, "1\n");
	out = parse_at(__LINE__, text.data, text.len);
	CHECK(out.n == 2 && out.bars[0].volume == 5);
	CHECK(out.n == 2 && out.bars[1].volume == 1);
	csv_bars_free(&out);
	buf_free(&text);

	/* The first problem in the file is the one reported. */
	CHECK_ERROR(HEADER "1704167100,1,1,1,1,1\n1704167160,1,1,1,x,1\n"
	    "1704167220,1,1,1,1\n", "bad.csv:3: close: \"x\" is not a number");
}

/* The fast path must give exactly what strtod gives, for any decimal. */
static void
test_numbers_exact(void)
{
	struct buf	 text = BUF_INIT;
	struct csv_bars	 out;
	uint64_t	 seed = 11, r;
	char		(*numbers)[48];
	char		 err[512];
	size_t		 i, n = 200000, len, bad = 0;
	int		 digits, point, k;

	numbers = calloc(n, sizeof *numbers);
	REQUIRE(numbers != NULL);
	buf_adds(&text, HEADER);
	for (i = 0; i < n; i++) {
		r = next_random(&seed);
		digits = 1 + (int)(r % 24);	/* past 2^53 and 19 digits */
		point = (int)((r >> 8) % (uint64_t)(digits + 2));
		len = 0;
		if ((r >> 16) % 3 == 0)
			numbers[i][len++] = '+';
		for (k = 0; k < digits; k++) {
			if (k == point)
				numbers[i][len++] = '.';
			numbers[i][len++] = (char)('0' + (k == 0 ? 1 +
			    next_random(&seed) % 9 : next_random(&seed) % 10));
		}
		if ((r >> 24) % 4 == 0)
			len += (size_t)snprintf(numbers[i] + len, 12, "e%d",
			    (int)((r >> 32) % 61) - 30);
		numbers[i][len] = '\0';
		buf_printf(&text, "%zu,%s,%s,%s,%s,%s\n", i, numbers[i],
		    numbers[i], numbers[i], numbers[i], numbers[i]);
	}
	if (csv_read_mem(text.data, text.len, "n.csv", &out, err,
	    sizeof err) != 0) {
		TEST_FAIL("%s", err);
		goto out;
	}
	CHECK_INT(out.n, n);
	for (i = 0; i < out.n && bad < 5; i++) {
		double	want = strtod(numbers[i], NULL);

		if (out.bars[i].close != want || out.bars[i].volume != want) {
			TEST_FAIL("\"%s\": %.17g != strtod's %.17g", numbers[i],
			    out.bars[i].close, want);
			bad++;
		}
	}
	csv_bars_free(&out);
out:
	free(numbers);
	buf_free(&text);
}

/* Minute bars as an exporter would write them, lines of varying length. */
static void
make_csv(struct buf *text, size_t rows, int crlf)
{
	char	when[TIME_ISO_LEN + 1];
	size_t	i;
	double	p;

	buf_adds(text, crlf ? "time,open,high,low,close,volume\r\n" : HEADER);
	for (i = 0; i < rows; i++) {
		p = 100 + (double)(i % 9973) / 100;
		if (i % 2 == 0) {
			time_format_iso(T0 + (int64_t)i * 60, when);
			buf_printf(text, "%s,%.2f,%.2f,%.2f,%.2f,%zu%s", when, p,
			    p + 0.25, p - 0.25, p + 0.1, i % 5000,
			    crlf ? "\r\n" : "\n");
		} else
			buf_printf(text, "%" PRId64 ",%.2f,%.2f,%.2f,%.2f,%zu%s",
			    T0 + (int64_t)i * 60, p, p + 0.5, p - 0.5, p - 0.1,
			    i % 50, crlf ? "\r\n" : "\n");
	}
}

struct progress {
	uint64_t	last;
	uint64_t	total;
	int		calls;
	int		backwards;
};

static void
on_progress(uint64_t done, uint64_t total, void *arg)
{
	struct progress	*p = arg;

	if (done < p->last)
		p->backwards = 1;
	p->last = done;
	p->total = total;
	p->calls++;
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE	*f;

	f = fopen(path, "w");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

static void
test_file_and_stream(void)
{
	struct buf	 text = BUF_INIT;
	struct csv_bars	 from_mem, from_file, out;
	struct progress	 pr;
	char		*dir, *path, err[512], want[600];
	FILE		*f;

	dir = test_tmpdir();
	if (asprintf(&path, "%s/bars.csv", dir) < 0)
		abort();

	/* Several megabytes: many chunks, lines across their edges. */
	make_csv(&text, 100000, 1);
	write_file(path, text.data, text.len);
	from_mem = parse_at(__LINE__, text.data, text.len);
	memset(&pr, 0, sizeof pr);
	CHECK_INT(csv_read_file(path, &from_file, on_progress, &pr, err,
	    sizeof err), 0);
	CHECK_INT(from_file.n, 100000);
	CHECK_INT(from_mem.n, 100000);
	CHECK(from_file.n == from_mem.n && memcmp(from_file.bars,
	    from_mem.bars, from_mem.n * sizeof *from_mem.bars) == 0);
	CHECK(pr.calls >= 4);
	CHECK(!pr.backwards);
	CHECK_INT(pr.last, text.len);
	CHECK_INT(pr.total, text.len);
	CHECK_BAR(&from_file.bars[99999], T0 + 99999 * 60, 102.69, 103.19,
	    102.19, 102.59, 49);
	csv_bars_free(&from_file);

	/* A stream of unknown size (fmemopen has no file descriptor). */
	f = fmemopen(text.data, text.len, "r");
	REQUIRE(f != NULL);
	memset(&pr, 0, sizeof pr);
	CHECK_INT(csv_read_stream(f, "-", &out, on_progress, &pr, err,
	    sizeof err), 0);
	fclose(f);
	CHECK_INT(out.n, 100000);
	CHECK_INT(pr.total, 0);
	CHECK_INT(pr.last, text.len);
	csv_bars_free(&out);
	csv_bars_free(&from_mem);

	/* Errors from a file name it as given, without a progress callback. */
	buf_reset(&text);
	make_csv(&text, 30000, 0);
	buf_adds(&text, "2030-01-01T00:00:00Z,1,1,1,1\n");
	write_file(path, text.data, text.len);
	CHECK_INT(csv_read_file(path, &out, NULL, NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:30002: expected 6 fields, found 5",
	    path);
	CHECK_STR(err, want);
	CHECK(out.bars == NULL && out.n == 0);

	/* A huge last line with no newline, past any chunk. */
	buf_reset(&text);
	make_csv(&text, 10, 0);
	while (text.len < 3 * 1024 * 1024)
		buf_addc(&text, '7');
	write_file(path, text.data, text.len);
	CHECK_INT(csv_read_file(path, &out, NULL, NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:12: line is longer than 4096 bytes",
	    path);
	CHECK_STR(err, want);

	/* The same error from memory and from a file, at a chunk's edge. */
	buf_reset(&text);
	make_csv(&text, 1, 0);
	while (text.len < 1024 * 1024 - 2)
		buf_addc(&text, '\n');
	buf_adds(&text, "1704167160,1,1,1,1,1\n");
	write_file(path, text.data, text.len);
	CHECK_INT(csv_read_file(path, &out, NULL, NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:3: empty line", path);
	CHECK_STR(err, want);
	check_error_at(__LINE__, text.data, text.len, "bad.csv:3: empty line");

	/* Empty and missing files. */
	write_file(path, "", 0);
	CHECK_INT(csv_read_file(path, &out, NULL, NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: the file is empty; expected the "
	    "header \"time,open,high,low,close,volume\"", path);
	CHECK_STR(err, want);
	test_rmtree(dir);
	CHECK_INT(csv_read_file(path, &out, NULL, NULL, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: %s", path, strerror(ENOENT));
	CHECK_STR(err, want);
	CHECK(out.bars == NULL && out.n == 0);

	free(path);
	free(dir);
	buf_free(&text);
}

/* A million rows, as the import's time budget counts them. */
static void
test_million_rows(void)
{
	struct buf	 text = BUF_INIT;
	struct csv_bars	 out;
	struct timespec	 start, end;
	char		 err[512];
	double		 seconds;

	make_csv(&text, 1000000, 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	CHECK_INT(csv_read_mem(text.data, text.len, "big.csv", &out, err,
	    sizeof err), 0);
	clock_gettime(CLOCK_MONOTONIC, &end);
	seconds = (double)(end.tv_sec - start.tv_sec) +
	    (double)(end.tv_nsec - start.tv_nsec) / 1e9;
	printf("# 1000000 rows (%zu bytes) parsed in %.3f s\n", text.len,
	    seconds);
	CHECK_INT(out.n, 1000000);
	csv_bars_free(&out);
	buf_free(&text);
}

int
main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "good", test_good },
		{ "layout", test_layout },
		{ "order", test_order },
		{ "repeated_times", test_repeated_times },
		{ "whole_file_errors", test_whole_file_errors },
		{ "header_errors", test_header_errors },
		{ "row_errors", test_row_errors },
		{ "line_errors", test_line_errors },
		{ "numbers_exact", test_numbers_exact },
		{ "file_and_stream", test_file_and_stream },
		{ "million_rows", test_million_rows },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests, 120);
}
