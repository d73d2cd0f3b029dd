/* numfmt.h: numbers printed without stdio: doubles with the fewest digits that read back exactly, counters in decimal. */
#ifndef BACKSTREAM_NUMFMT_H
#define BACKSTREAM_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

#define NUMFMT_MAX	32	/* enough for any double, with its NUL */

/*
 * Writes v into out (NUMFMT_MAX bytes) so that strtod() gives v back, and
 * returns the length.  Prices such as 101.25 print as "101.25", not as
 * "101.25000000000000". NaN and infinities, which JSON cannot carry, print
 * as "null".
 */
size_t	num_format(double v, char *out);

#define NUMFMT_U64_MAX	21	/* 20 digits and the NUL */

/*
 * Writes v in decimal into out (NUMFMT_U64_MAX bytes) and returns the
 * length: an event id per event, where snprintf's machinery cost more than
 * the rest of making the event.
 */
size_t	num_format_u64(uint64_t v, char *out);

#endif
