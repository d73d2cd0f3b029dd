/* strnum.h: bounded parsing of numbers that come from outside. */
#ifndef BACKSTREAM_STRNUM_H
#define BACKSTREAM_STRNUM_H

#include <stdint.h>

/*
 * Parses a whole decimal integer (optional sign, no spaces, nothing after)
 * within [min, max].  Returns 0, or -1 with *why set to a static phrase
 * ("is not a number", "is too small", "is too large") for the caller to put
 * after the field's name.
 */
int	strnum_int(const char *s, int64_t min, int64_t max, int64_t *out,
	    const char **why);
/* The same for a finite decimal number (as strtod reads it) within bounds. */
int	strnum_double(const char *s, double min, double max, double *out,
	    const char **why);
/*
 * Parses a duration: a number with an optional unit ms, s, m, h or d
 * (seconds if none), e.g. "15s", "55m", "500ms".  Gives milliseconds.
 */
int	strnum_duration(const char *s, int64_t min_ms, int64_t max_ms,
	    int64_t *out_ms, const char **why);
/* Parses a size: a number with an optional unit K, M or G (bytes if none). */
int	strnum_size(const char *s, int64_t min, int64_t max, int64_t *out,
	    const char **why);

#endif
