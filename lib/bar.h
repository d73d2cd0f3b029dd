/* bar.h: an OHLCV bar, its JSON shape and its stored form. */
#ifndef BACKSTREAM_BAR_H
#define BACKSTREAM_BAR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct bar {
	int64_t	time;	/* start of the bar, UTC seconds */
	double	open;
	double	high;
	double	low;
	double	close;
	double	volume;
};

/*
 * Appends {"time":"…Z","open":…,"high":…,"low":…,"close":…,"volume":…}
 * to out.  This is the one place the shape is written; it is hand-written
 * rather than built with json-c because data streams send a million of
 * them a second.
 */
void	bar_append_json(struct buf *out, const struct bar *bar);

/* Checks low <= open, close <= high, all finite, volume >= 0. */
int	bar_is_sane(const struct bar *bar, const char **why);

#endif
