/* timefmt.h: UTC times as the API writes them (ISO 8601) and as users type them. */
#ifndef BACKSTREAM_TIMEFMT_H
#define BACKSTREAM_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIME_ISO_LEN	20	/* "2024-01-02T03:45:00Z" */
#define DATE_LEN	10	/* "2024-01-02" */
#define SECONDS_PER_DAY	86400

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t	days_from_civil(int64_t y, unsigned m, unsigned d);
void	civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/*
 * The start (00:00:00Z) of the UTC day holding t (for t within a day of
 * INT64_MIN, the first day start an int64_t holds).
 */
int64_t	time_day_start(int64_t t);

/*
 * Writes t (UTC seconds) as "YYYY-MM-DDTHH:MM:SSZ" and a NUL into out,
 * which has room for TIME_ISO_LEN + 1 bytes; returns TIME_ISO_LEN.  Times
 * outside years 0000-9999 are clamped to the first or last second of that
 * range.
 */
size_t	time_format_iso(int64_t t, char *out);
/*
 * Writes the date of t as "YYYY-MM-DD" and a NUL (DATE_LEN + 1 bytes),
 * clamped likewise.
 */
size_t	time_format_date(int64_t t, char *out);

/*
 * Parses a strict "YYYY-MM-DD" (a real calendar date) into the UTC second
 * of its start.  Returns 0 or -1.
 */
int	date_parse(const char *s, int64_t *out);
/*
 * Parses what the CSV importer and the CLI accept as a time: epoch seconds
 * (digits only), "YYYY-MM-DD", or "YYYY-MM-DD[T ]HH:MM[:SS[.fff]]" followed
 * by nothing (UTC), "Z", or an offset "+HH:MM" / "-HH:MM" / "+HHMM".  s need
 * not be NUL-terminated.  Fractions of a second are dropped.  Returns 0 or -1.
 */
int	time_parse(const char *s, size_t len, int64_t *out);

#endif
