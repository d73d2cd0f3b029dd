/* strnum.c: bounded number parsing, in the manner of OpenBSD's strtonum. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strnum.h"

int
strnum_int(const char *s, int64_t min, int64_t max, int64_t *out,
    const char **why)
{
	long long	 v;
	char		*end;

	if (*s == '\0' || isspace((unsigned char)*s)) {
		*why = "is not a number";
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		*why = "is not a whole number";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*why = "is too small";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*why = "is too large";
		return -1;
	}
	*out = v;
	return 0;
}

int
strnum_double(const char *s, double min, double max, double *out,
    const char **why)
{
	double	 v;
	char	*end;

	if (*s == '\0' || isspace((unsigned char)*s)) {
		*why = "is not a number";
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v) || errno == ERANGE) {
		*why = "is not a finite number";
		return -1;
	}
	if (v < min) {
		*why = "is too small";
		return -1;
	}
	if (v > max) {
		*why = "is too large";
		return -1;
	}
	*out = v;
	return 0;
}

/* Splits "15s" into a whole number and a unit; fails on anything else. */
static int
split_unit(const char *s, int64_t *number, const char **unit, const char **why)
{
	char		 digits[32];
	size_t		 n;
	int64_t		 v;

	for (n = 0; isdigit((unsigned char)s[n]); n++)
		;
	if (n == 0 || n >= sizeof digits) {
		*why = n == 0 ? "is not a number" : "is too large";
		return -1;
	}
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (strnum_int(digits, 0, INT64_MAX / 1000 / 86400, &v, why) == -1)
		return -1;
	*number = v;
	*unit = s + n;
	return 0;
}

static int
check_bounds(int64_t v, int64_t min, int64_t max, int64_t *out,
    const char **why)
{
	if (v < min) {
		*why = "is too small";
		return -1;
	}
	if (v > max) {
		*why = "is too large";
		return -1;
	}
	*out = v;
	return 0;
}

int
strnum_duration(const char *s, int64_t min_ms, int64_t max_ms, int64_t *out_ms,
    const char **why)
{
	static const struct {
		const char	*name;
		int64_t		 ms;
	} units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	const char	*unit;
	int64_t		 v;
	size_t		 i;

	if (split_unit(s, &v, &unit, why) == -1)
		return -1;
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(unit, units[i].name) == 0)
			return check_bounds(v * units[i].ms, min_ms, max_ms,
			    out_ms, why);
	*why = "has an unknown unit (use ms, s, m, h or d)";
	return -1;
}

int
strnum_size(const char *s, int64_t min, int64_t max, int64_t *out,
    const char **why)
{
	static const struct {
		const char	*name;
		int64_t		 bytes;
	} units[] = {
		{ "", 1 }, { "K", 1024 }, { "M", 1024 * 1024 },
		{ "G", 1024 * 1024 * 1024 },
	};
	const char	*unit;
	int64_t		 v;
	size_t		 i;

	if (split_unit(s, &v, &unit, why) == -1)
		return -1;
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(unit, units[i].name) != 0)
			continue;
		/* split_unit's bound covers days in ms, not gigabytes. */
		if (v > INT64_MAX / units[i].bytes) {
			*why = "is too large";
			return -1;
		}
		return check_bounds(v * units[i].bytes, min, max, out, why);
	}
	*why = "has an unknown unit (use K, M or G)";
	return -1;
}
