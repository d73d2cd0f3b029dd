/* timefmt.c: ISO 8601 times without the locale and time zone machinery of libc. */
#include "config.h"

#include <string.h>

#include "timefmt.h"

/*
 * Civil-date conversions after Howard Hinnant's public-domain algorithms:
 * exact for every proleptic Gregorian date, and far cheaper than
 * gmtime_r/timegm, which the data streams would otherwise call a million
 * times a second.
 */
int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t		era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t
time_day_start(int64_t t)
{
	int64_t	days = floor_div(t, SECONDS_PER_DAY);

	/* Within a day of INT64_MIN the day starts before what t can hold. */
	if (days < INT64_MIN / SECONDS_PER_DAY)
		days++;
	return days * SECONDS_PER_DAY;
}

static void
put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

static void
put_date(char *p, int64_t days)
{
	int64_t		y;
	unsigned	m, d, yy;

	civil_from_days(days, &y, &m, &d);
	yy = (unsigned)y;	/* 0 … 9999: the callers clamp */
	put2(p, yy / 100);
	put2(p + 2, yy % 100);
	p[4] = '-';
	put2(p + 5, m);
	p[7] = '-';
	put2(p + 8, d);
}

/*
 * The first and last seconds the format can show (0000-01-01T00:00:00Z and
 * 9999-12-31T23:59:59Z).  Clamping t before any arithmetic also keeps
 * days * SECONDS_PER_DAY from overflowing near INT64_MIN.
 */
#define TIME_MIN	(-62167219200LL)
#define TIME_MAX	253402300799LL

static int64_t
clamp_time(int64_t t)
{
	return t < TIME_MIN ? TIME_MIN : t > TIME_MAX ? TIME_MAX : t;
}

size_t
time_format_iso(int64_t t, char *out)
{
	int64_t		days, secs;

	t = clamp_time(t);
	days = floor_div(t, SECONDS_PER_DAY);
	secs = t - days * SECONDS_PER_DAY;
	put_date(out, days);
	out[10] = 'T';
	put2(out + 11, (unsigned)(secs / 3600));
	out[13] = ':';
	put2(out + 14, (unsigned)(secs / 60 % 60));
	out[16] = ':';
	put2(out + 17, (unsigned)(secs % 60));
	out[19] = 'Z';
	out[20] = '\0';
	return TIME_ISO_LEN;
}

size_t
time_format_date(int64_t t, char *out)
{
	put_date(out, floor_div(clamp_time(t), SECONDS_PER_DAY));
	out[10] = '\0';
	return DATE_LEN;
}

/* Reads exactly n digits at *p, advancing; returns -1 if they are not all digits. */
static int64_t
digits(const char **p, const char *end, int n)
{
	int64_t	v = 0;

	if (end - *p < n)
		return -1;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

static int
days_in_month(int64_t y, unsigned m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/* Parses "YYYY-MM-DD" at *p; returns the day number or sets *ok = 0. */
static int64_t
parse_ymd(const char **p, const char *end, int *ok)
{
	int64_t		y, m, d;

	*ok = 0;
	if ((y = digits(p, end, 4)) < 0 || *p == end || *(*p)++ != '-' ||
	    (m = digits(p, end, 2)) < 1 || m > 12 || *p == end ||
	    *(*p)++ != '-' || (d = digits(p, end, 2)) < 1 ||
	    d > days_in_month(y, (unsigned)m))
		return 0;
	*ok = 1;
	return days_from_civil(y, (unsigned)m, (unsigned)d);
}

int
date_parse(const char *s, int64_t *out)
{
	const char	*p = s, *end = s + strlen(s);
	int64_t		 days;
	int		 ok;

	days = parse_ymd(&p, end, &ok);
	if (!ok || p != end)
		return -1;
	*out = days * SECONDS_PER_DAY;
	return 0;
}

int
time_parse(const char *s, size_t len, int64_t *out)
{
	const char	*p = s, *end = s + len;
	int64_t		 days, h, mi, sec = 0, oh, om, v;
	int		 ok, sign;

	if (len == 0)
		return -1;
	/* Epoch seconds: digits only (and not a date, which has dashes). */
	if (memchr(s, '-', len) == NULL && memchr(s, ':', len) == NULL) {
		if (len > 12)
			return -1;
		v = 0;
		for (; p < end; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			v = v * 10 + (*p - '0');
		}
		*out = v;
		return 0;
	}
	days = parse_ymd(&p, end, &ok);
	if (!ok)
		return -1;
	if (p == end) {
		*out = days * SECONDS_PER_DAY;
		return 0;
	}
	if (*p != 'T' && *p != ' ')
		return -1;
	p++;
	if ((h = digits(&p, end, 2)) < 0 || h > 23 || p == end ||
	    *p++ != ':' || (mi = digits(&p, end, 2)) < 0 || mi > 59)
		return -1;
	if (p < end && *p == ':') {
		p++;
		if ((sec = digits(&p, end, 2)) < 0 || sec > 59)
			return -1;
		if (p < end && *p == '.') {
			p++;
			if (p == end || *p < '0' || *p > '9')
				return -1;
			while (p < end && *p >= '0' && *p <= '9')
				p++;
		}
	}
	v = days * SECONDS_PER_DAY + h * 3600 + mi * 60 + sec;
	if (p < end && *p == 'Z')
		p++;
	else if (p < end && (*p == '+' || *p == '-')) {
		sign = *p++ == '+' ? 1 : -1;
		if ((oh = digits(&p, end, 2)) < 0 || oh > 23)
			return -1;
		if (p < end && *p == ':')
			p++;
		if ((om = digits(&p, end, 2)) < 0 || om > 59)
			return -1;
		v -= sign * (oh * 3600 + om * 60);
	}
	if (p != end)
		return -1;
	*out = v;
	return 0;
}
