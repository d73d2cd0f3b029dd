/* numfmt.c: round-trip formatting of doubles, with a fast path for prices. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"

static const double pow10_table[] = { 1, 10, 100, 1000, 10000, 100000,
    1000000, 10000000, 100000000 };

/*
 * Most market values have a few decimals.  If v equals k / 10^d for an
 * integer k below 2^53, the division is exact-rounded and so is strtod of
 * the decimal text "k / 10^d": printing k with d decimals reads back as v.
 * That costs a few multiplications instead of several printf/strtod rounds.
 */
static size_t
format_short_decimal(double v, char *out)
{
	char		 digits[24];
	uint64_t	 k;
	double		 a, scaled;
	size_t		 n, i, len;
	int		 d;

	a = fabs(v);
	if (a >= 1e15)
		return 0;
	for (d = 0; d <= 8; d++) {
		scaled = a * pow10_table[d];
		if (scaled >= 9007199254740992.0)	/* 2^53 */
			return 0;
		k = (uint64_t)llround(scaled);
		if ((double)k / pow10_table[d] != a)
			continue;
		/* Digits of k, least significant first. */
		n = 0;
		do {
			digits[n++] = (char)('0' + k % 10);
			k /= 10;
		} while (k != 0);
		while (n <= (size_t)d)
			digits[n++] = '0';
		len = 0;
		if (signbit(v) && a != 0)
			out[len++] = '-';
		for (i = n; i > 0; i--) {
			out[len++] = digits[i - 1];
			if (i - 1 == (size_t)d && d > 0)
				out[len++] = '.';
		}
		out[len] = '\0';
		return len;
	}
	return 0;
}

size_t
num_format(double v, char *out)
{
	size_t	n;
	int	prec;

	if (!isfinite(v)) {
		memcpy(out, "null", 5);
		return 4;
	}
	if ((n = format_short_decimal(v, out)) > 0)
		return n;
	for (prec = 15; prec <= 17; prec++) {
		n = (size_t)snprintf(out, NUMFMT_MAX, "%.*g", prec, v);
		if (prec == 17 || strtod(out, NULL) == v)
			break;
	}
	return n;
}

size_t
num_format_u64(uint64_t v, char *out)
{
	char	digits[NUMFMT_U64_MAX];
	size_t	n = 0, i;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		out[i] = digits[n - 1 - i];
	out[n] = '\0';
	return n;
}
