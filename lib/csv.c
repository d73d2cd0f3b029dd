/* csv.c: the bars CSV reader: one pass, exact fast number parsing, a sort only if needed. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "timefmt.h"
#include "xmalloc.h"

#define CHUNK		(1024 * 1024)	/* bytes read from a stream at once */
#define NFIELDS		6
#define SHOWN_MAX	40	/* bytes of a bad field quoted in a message */

static const char *const field_names[NFIELDS] = {
	"time", "open", "high", "low", "close", "volume"
};

/* One read in progress. */
struct reader {
	const char	*name;		/* for messages */
	uint64_t	 line;		/* number of the line being read */
	int		 header_seen;
	uint64_t	 blank_line;	/* first empty line after the header, or 0 */
	struct bar	*bars;
	size_t		 n;
	size_t		 cap;
	int		 sorted;	/* every time so far above the one before */
	int		 descending;	/* every time so far below the one before */
	char		*err;
	size_t		 errlen;
};

static int	fail(struct reader *r, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
static int	fail_file(struct reader *r, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* Writes "NAME:LINE: message" into the caller's buffer; returns -1. */
static int
fail(struct reader *r, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	n = snprintf(r->err, r->errlen, "%s:%" PRIu64 ": ", r->name, r->line);
	if (n < 0 || (size_t)n >= r->errlen)
		return -1;
	va_start(ap, fmt);
	(void)vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The same for a problem of the whole file: "NAME: message". */
static int
fail_file(struct reader *r, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	n = snprintf(r->err, r->errlen, "%s: ", r->name);
	if (n < 0 || (size_t)n >= r->errlen)
		return -1;
	va_start(ap, fmt);
	(void)vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Copies field text into out (SHOWN_MAX + 4 bytes) for a message: cut with
 * "..." when long, control bytes and quotes as '?' so that the message
 * stays one readable line whatever the file holds.
 */
static const char *
shown(char *out, const char *p, size_t len)
{
	size_t	i, n;

	n = len > SHOWN_MAX ? SHOWN_MAX : len;
	for (i = 0; i < n; i++)
		out[i] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ||
		    p[i] == '"' ? '?' : p[i];
	if (len > SHOWN_MAX) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

static int
is_blank_char(char c)
{
	return c == ' ' || c == '\t';
}

static void
trim(const char **p, size_t *len)
{
	while (*len > 0 && is_blank_char(**p)) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && is_blank_char((*p)[*len - 1]))
		(*len)--;
}

/*
 * Splits a line at its commas into trimmed fields.  Returns how many
 * fields there are; only the first NFIELDS are stored.
 */
static size_t
split(const char *p, size_t len, const char **field, size_t *flen)
{
	const char	*end = p + len, *comma;
	size_t		 n = 0;

	for (;;) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (n < NFIELDS) {
			field[n] = p;
			flen[n] = (size_t)((comma != NULL ? comma : end) - p);
			trim(&field[n], &flen[n]);
		}
		n++;
		if (comma == NULL)
			return n;
		p = comma + 1;
	}
}

/* Powers of ten that doubles hold exactly. */
static const double exact_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

#define NUMBER_BAD	(-1)	/* not a decimal number */
#define NUMBER_RANGE	(-2)	/* beyond the doubles */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Parses a whole field as a decimal number: [+-]digits[.digits][e[+-]digits]
 * (digits on at least one side of the point), so never hex, inf or nan.
 *
 * Prices have few digits.  When the digits make an integer m <= 2^53 and
 * the power of ten e has |e| <= 22, both m and 10^|e| are exact doubles and
 * one multiplication or division rounds m * 10^e correctly, exactly as
 * strtod would (Clinger's fast path), at a fraction of strtod's cost, which
 * dominates a million-row import.  Anything else goes to strtod.
 */
static int
parse_number(const char *p, size_t len, double *out)
{
	const char	*s = p, *end = p + len;
	char		 small[64], *copy, *stop;
	uint64_t	 m = 0;
	double		 v;
	int		 digits = 0, inexact = 0, neg = 0, eneg, e;
	int		 exp10 = 0;

	if (s < end && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	for (; s < end && is_digit(*s); s++, digits++) {
		if (m < 100000000000000000ULL)
			m = m * 10 + (uint64_t)(*s - '0');
		else
			inexact = 1;
	}
	if (s < end && *s == '.') {
		for (s++; s < end && is_digit(*s); s++, digits++) {
			if (m < 100000000000000000ULL) {
				m = m * 10 + (uint64_t)(*s - '0');
				exp10--;
			} else
				inexact = 1;
		}
	}
	if (digits == 0)
		return NUMBER_BAD;
	if (s < end && (*s == 'e' || *s == 'E')) {
		s++;
		eneg = 0;
		if (s < end && (*s == '+' || *s == '-'))
			eneg = *s++ == '-';
		if (s == end || !is_digit(*s))
			return NUMBER_BAD;
		for (e = 0; s < end && is_digit(*s); s++)
			if (e < 100000)
				e = e * 10 + (*s - '0');
		exp10 += eneg ? -e : e;
	}
	if (s != end)
		return NUMBER_BAD;

	if (!inexact && m <= (1ULL << 53) && exp10 >= -22 && exp10 <= 22) {
		if (exp10 < 0)
			v = (double)m / exact_pow10[-exp10];
		else
			v = (double)m * exact_pow10[exp10];
		*out = neg ? -v : v;
		return 0;
	}

	/* The syntax is checked, so strtod reads exactly these bytes. */
	copy = len < sizeof small ? small : xmalloc(len + 1);
	memcpy(copy, p, len);
	copy[len] = '\0';
	errno = 0;
	v = strtod(copy, &stop);
	if (copy != small)
		free(copy);
	if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1))
		return NUMBER_RANGE;
	*out = v;
	return 0;
}

/* Checks the header line (the byte order mark already gone). */
static int
read_header(struct reader *r, const char *p, size_t len)
{
	const char	*field[NFIELDS];
	size_t		 flen[NFIELDS], i, n;
	char		 text[SHOWN_MAX + 4];

	n = split(p, len, field, flen);
	for (i = 0; n == NFIELDS && i < NFIELDS; i++)
		if (flen[i] != strlen(field_names[i]) ||
		    memcmp(field[i], field_names[i], flen[i]) != 0)
			break;
	if (n != NFIELDS || i != NFIELDS)
		return fail(r, "expected the header \"" CSV_HEADER "\", found "
		    "\"%s\"", shown(text, p, len));
	r->header_seen = 1;
	return 0;
}

/* Adds a parsed bar, checking it against the one before. */
static int
add_bar(struct reader *r, const struct bar *bar)
{
	char	when[TIME_ISO_LEN + 1];

	if (r->n > 0 && bar->time == r->bars[r->n - 1].time) {
		time_format_iso(bar->time, when);
		return fail(r, "time %s repeats line %" PRIu64, when,
		    r->line - 1);
	}
	if (r->n > 0 && bar->time < r->bars[r->n - 1].time)
		r->sorted = 0;
	if (r->n > 0 && bar->time > r->bars[r->n - 1].time)
		r->descending = 0;
	if (r->n == CSV_MAX_BARS)
		return fail(r, "more than %d rows", CSV_MAX_BARS);
	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 4096 : r->cap * 2;
		r->bars = xreallocarray(r->bars, r->cap, sizeof *r->bars);
	}
	r->bars[r->n++] = *bar;
	return 0;
}

/* Reads one line (without its LF). */
static int
read_line(struct reader *r, const char *p, size_t len)
{
	const char	*field[NFIELDS], *why;
	size_t		 flen[NFIELDS], n, i;
	double		*value[NFIELDS];
	char		 text[SHOWN_MAX + 4];
	struct bar	 bar;
	int		 rc;

	r->line++;
	if (len > CSV_MAX_LINE)
		return fail(r, "line is longer than %d bytes", CSV_MAX_LINE);
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (memchr(p, '\0', len) != NULL)
		return fail(r, "NUL byte in line");
	if (!r->header_seen) {
		if (r->line == 1 && len >= 3 &&
		    memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3;		/* the UTF-8 byte order mark */
			len -= 3;
		}
		return read_header(r, p, len);
	}
	trim(&p, &len);
	if (len == 0) {
		if (r->blank_line == 0)
			r->blank_line = r->line;
		return 0;
	}
	if (r->blank_line != 0) {
		r->line = r->blank_line;
		return fail(r, "empty line");
	}

	if ((n = split(p, len, field, flen)) != NFIELDS)
		return fail(r, "expected %d fields, found %zu", NFIELDS, n);
	if (time_parse(field[0], flen[0], &bar.time) == -1)
		return fail(r, "time: \"%s\" is not a time (use ISO 8601, "
		    "e.g. 2024-01-02T03:45:00Z, or epoch seconds)",
		    shown(text, field[0], flen[0]));
	value[1] = &bar.open;
	value[2] = &bar.high;
	value[3] = &bar.low;
	value[4] = &bar.close;
	value[5] = &bar.volume;
	for (i = 1; i < NFIELDS; i++) {
		if ((rc = parse_number(field[i], flen[i], value[i])) == 0)
			continue;
		return fail(r, "%s: \"%s\" %s", field_names[i],
		    shown(text, field[i], flen[i]), rc == NUMBER_RANGE ?
		    "is out of range" : "is not a number");
	}
	if (bar_is_sane(&bar, &why) == -1)
		return fail(r, "%s", why);
	return add_bar(r, &bar);
}

struct sort_key {
	int64_t		time;
	uint32_t	index;	/* row number, from 0 */
};

static int
compare_keys(const void *a, const void *b)
{
	const struct sort_key	*x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Puts unsorted rows in time order.  Rows are on consecutive lines from
 * line 2 (empty lines only end the file), so a row's index gives its line
 * for the message about a repeated time.
 */
static int
sort_bars(struct reader *r)
{
	struct sort_key	*key;
	struct bar	*sorted;
	char		 when[TIME_ISO_LEN + 1];
	size_t		 i, dup = 0;
	uint32_t	 later, first_later = UINT32_MAX;
	uint64_t	 earlier;

	key = xreallocarray(NULL, r->n, sizeof *key);
	for (i = 0; i < r->n; i++) {
		key[i].time = r->bars[i].time;
		key[i].index = (uint32_t)i;
	}
	qsort(key, r->n, sizeof *key, compare_keys);
	/* Of all repeats, report the one a reader of the file meets first. */
	for (i = 1; i < r->n; i++) {
		if (key[i].time != key[i - 1].time)
			continue;
		later = key[i].index;	/* the larger: ties sort by index */
		if (later < first_later) {
			first_later = later;
			dup = i;
		}
	}
	if (first_later != UINT32_MAX) {
		time_format_iso(key[dup].time, when);
		r->line = (uint64_t)key[dup].index + 2;
		earlier = (uint64_t)key[dup - 1].index + 2;
		free(key);
		return fail(r, "time %s repeats line %" PRIu64, when, earlier);
	}
	sorted = xreallocarray(NULL, r->n, sizeof *sorted);
	for (i = 0; i < r->n; i++)
		sorted[i] = r->bars[key[i].index];
	free(key);
	free(r->bars);
	r->bars = sorted;
	r->cap = r->n;
	return 0;
}

static void
reverse_bars(struct reader *r)
{
	struct bar	swap;
	size_t		i;

	for (i = 0; i < r->n / 2; i++) {
		swap = r->bars[i];
		r->bars[i] = r->bars[r->n - 1 - i];
		r->bars[r->n - 1 - i] = swap;
	}
}

static void
reader_init(struct reader *r, const char *name, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->name = name;
	r->sorted = 1;
	r->descending = 1;
	r->err = err;
	r->errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
}

/* Ends a read: checks the file as a whole and hands the bars over. */
static int
reader_finish(struct reader *r, struct csv_bars *out)
{
	if (!r->header_seen)
		return fail_file(r, "the file is empty; expected the header "
		    "\"" CSV_HEADER "\"");
	if (r->n == 0)
		return fail_file(r, "no bars after the header");
	if (!r->sorted && r->descending)
		reverse_bars(r);	/* newest first: no repeats possible */
	else if (!r->sorted && sort_bars(r) == -1)
		return -1;
	out->bars = r->bars;
	out->n = r->n;
	r->bars = NULL;
	return 0;
}

int
csv_read_mem(const char *data, size_t len, const char *name,
    struct csv_bars *out, char *err, size_t errlen)
{
	struct reader	 r;
	const char	*p = data, *end = data + len, *nl;
	int		 rc = -1;

	out->bars = NULL;
	out->n = 0;
	reader_init(&r, name, err, errlen);
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (read_line(&r, p, (size_t)(nl - p)) == -1)
			goto out;
		p = nl + 1;
	}
	rc = reader_finish(&r, out);
out:
	free(r.bars);
	return rc;
}

int
csv_read_stream(FILE *f, const char *name, struct csv_bars *out,
    csv_progress_fn progress, void *arg, char *err, size_t errlen)
{
	struct reader	 r;
	struct stat	 st;
	uint64_t	 total = 0, done = 0;
	char		*buf;
	const char	*p, *end, *nl;
	size_t		 have = 0, n;
	int		 rc = -1;

	out->bars = NULL;
	out->n = 0;
	reader_init(&r, name, err, errlen);
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
		total = (uint64_t)st.st_size;
	buf = xmalloc(CHUNK);
	for (;;) {
		n = fread(buf + have, 1, CHUNK - have, f);
		if (n == 0) {
			if (ferror(f)) {
				fail_file(&r, "%s", strerror(errno));
				goto out;
			}
			break;
		}
		done += n;
		/* Whole lines now; the last, unfinished one waits for more. */
		p = buf;
		end = buf + have + n;
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			if (read_line(&r, p, (size_t)(nl - p)) == -1)
				goto out;
			p = nl + 1;
		}
		have = (size_t)(end - p);
		if (have > CSV_MAX_LINE) {
			r.line++;
			fail(&r, "line is longer than %d bytes", CSV_MAX_LINE);
			goto out;
		}
		memmove(buf, p, have);
		if (progress != NULL)
			progress(done, total, arg);
	}
	if (have > 0 && read_line(&r, buf, have) == -1)
		goto out;
	if (progress != NULL)
		progress(done, total, arg);
	rc = reader_finish(&r, out);
out:
	free(buf);
	free(r.bars);
	return rc;
}

int
csv_read_file(const char *path, struct csv_bars *out,
    csv_progress_fn progress, void *arg, char *err, size_t errlen)
{
	FILE	*f;
	int	 rc;

	out->bars = NULL;
	out->n = 0;
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = csv_read_stream(f, path, out, progress, arg, err, errlen);
	fclose(f);
	return rc;
}

void
csv_bars_free(struct csv_bars *out)
{
	if (out == NULL)
		return;
	free(out->bars);
	out->bars = NULL;
	out->n = 0;
}
