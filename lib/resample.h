/* resample.h: minute bars made into bars of a longer interval (doc/engine.md, "The bars"). */
#ifndef BACKSTREAM_RESAMPLE_H
#define BACKSTREAM_RESAMPLE_H

#include <stdint.h>

#include "bar.h"
#include "interval.h"

/*
 * Buckets of m minutes anchored at the first minute bar of each UTC day,
 * or one bucket per UTC date for day.  A bar's time is its bucket's
 * nominal start (anchor + k·m minutes, or 00:00:00Z for day) even when the
 * bucket's first minutes are missing; an empty bucket gives no bar.
 *
 * The anchor is the first minute pushed for a day, so feed whole days
 * (start a range at a day's first bar) to get the candles the store would.
 * The struct is the caller's (no allocation, nothing to free); its fields
 * are private.
 */
struct resampler {
	int64_t		bucket_seconds;	/* 0 for day */
	int64_t		day;		/* the current UTC day's start */
	int64_t		anchor;		/* that day's first minute */
	int64_t		last_time;	/* the last minute pushed */
	int		have;		/* bar holds a bucket */
	struct bar	bar;
};

/* Starts (or restarts) r for bars of interval iv. */
void	resample_init(struct resampler *r, enum interval iv);

/*
 * Adds a minute bar; minutes must come in strictly increasing time.
 * Returns 1 when minute starts a new bucket and the finished one is
 * written to *out, 0 when nothing is finished yet, -1 (and nothing
 * changes) when minute is not after the minute before it.
 */
int	resample_push(struct resampler *r, const struct bar *minute,
	    struct bar *out);

/*
 * Writes the bucket in progress to *out and returns 1, or returns 0 if
 * there is none.  r is then empty, as after resample_init.
 */
int	resample_flush(struct resampler *r, struct bar *out);

#endif
