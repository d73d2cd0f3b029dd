/* numfmt.h: doubles printed with the fewest digits that read back exactly. */
#ifndef BACKSTREAM_NUMFMT_H
#define BACKSTREAM_NUMFMT_H

#include <stddef.h>

#define NUMFMT_MAX	32	/* enough for any double, with its NUL */

/*
 * Writes v into out (NUMFMT_MAX bytes) so that strtod() gives v back, and
 * returns the length.  Prices such as 101.25 print as "101.25", not as
 * "101.25000000000000". NaN and infinities, which JSON cannot carry, print
 * as "null".
 */
size_t	num_format(double v, char *out);

#endif
