/* csv.h: reading a bars CSV file (time,open,high,low,close,volume). */
#ifndef BACKSTREAM_CSV_H
#define BACKSTREAM_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bar.h"

/*
 * The format, decided once for every importer:
 *
 * - The first line is the header, exactly "time,open,high,low,close,volume"
 *   (lower case), optionally after a UTF-8 byte order mark.
 * - Then one bar per line: six comma-separated fields, no quoting.  Spaces
 *   and tabs around a field are ignored.  Lines end in LF or CRLF; the last
 *   one need not end at all.  Empty lines may only end the file.
 * - time is what time_parse() reads: epoch seconds, or ISO 8601
 *   ("2024-01-02T03:45:00Z", "2024-01-02 09:15:00+05:30", "2024-01-02",
 *   fractions of a second dropped), taken as UTC when it has no offset.
 * - open, high, low, close and volume are plain decimal numbers ("101.25",
 *   "-1.5e3"; no hex, inf or nan) that must make a sane bar (bar_is_sane():
 *   positive prices, low <= open, close <= high, volume >= 0).
 * - Rows may come in any order (exports are often newest first); the bars
 *   come back sorted by time.  Two rows with the same time are an error
 *   that names both lines; in a file that is neither ascending nor
 *   descending, repeats are looked for once every row has been read.
 * - A line is at most CSV_MAX_LINE bytes; no NUL bytes anywhere; a header
 *   with no rows is an error.
 * - Times need not fall on whole minutes, and volumes need not be whole:
 *   what an interval requires is the importer's to check.
 *
 * The bars are held in memory until the end (48 bytes a row), since they
 * may need sorting and must not reach the caller before the last row has
 * been checked.
 *
 * A read delivers every bar or none: on any error the caller gets the first
 * problem as "NAME:LINE: problem" (or "NAME: problem" for the file as a
 * whole) and no bars, so an import either happens whole or not at all.
 */

#define CSV_MAX_LINE	4096
#define CSV_MAX_BARS	20000000	/* about 200 years of minute bars */
#define CSV_HEADER	"time,open,high,low,close,volume"

/* What a successful read gives: bars sorted by time, no two alike. */
struct csv_bars {
	struct bar	*bars;	/* owned: free with csv_bars_free() */
	size_t		 n;
};

/*
 * Told how far a read has got: done bytes of total (0 when the size is not
 * known, as for a pipe).  Called after each chunk read (about every
 * megabyte) and once at the end.
 */
typedef void (*csv_progress_fn)(uint64_t done, uint64_t total, void *arg);

/*
 * Reads the file at path; messages name it as given.  Returns 0 with out
 * filled, or -1 with out empty and the reason in err.  progress may be NULL.
 */
int	csv_read_file(const char *path, struct csv_bars *out,
	    csv_progress_fn progress, void *arg, char *err, size_t errlen);
/*
 * The same from an open stream (a file or a pipe such as stdin), named name
 * in messages.  Reads to the end of f but does not close it.
 */
int	csv_read_stream(FILE *f, const char *name, struct csv_bars *out,
	    csv_progress_fn progress, void *arg, char *err, size_t errlen);
/* The same from len bytes of memory (not necessarily NUL-terminated). */
int	csv_read_mem(const char *data, size_t len, const char *name,
	    struct csv_bars *out, char *err, size_t errlen);

/* Frees the bars and empties out.  NULL is fine. */
void	csv_bars_free(struct csv_bars *out);

#endif
