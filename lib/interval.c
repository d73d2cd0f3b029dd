/* interval.c: the interval table. */
#include "config.h"

#include <string.h>

#include "interval.h"

static const struct {
	const char	*name;
	int		 minutes;
} intervals[INTERVAL_COUNT] = {
	[INTERVAL_MINUTE] =	{ "minute", 1 },
	[INTERVAL_3MINUTE] =	{ "3minute", 3 },
	[INTERVAL_5MINUTE] =	{ "5minute", 5 },
	[INTERVAL_10MINUTE] =	{ "10minute", 10 },
	[INTERVAL_15MINUTE] =	{ "15minute", 15 },
	[INTERVAL_30MINUTE] =	{ "30minute", 30 },
	[INTERVAL_60MINUTE] =	{ "60minute", 60 },
	[INTERVAL_DAY] =	{ "day", 1440 },
};

int
interval_parse(const char *name, enum interval *out)
{
	int	i;

	for (i = 0; i < INTERVAL_COUNT; i++) {
		if (strcmp(intervals[i].name, name) == 0) {
			*out = (enum interval)i;
			return 0;
		}
	}
	return -1;
}

const char *
interval_name(enum interval iv)
{
	return intervals[iv].name;
}

int
interval_minutes(enum interval iv)
{
	return intervals[iv].minutes;
}

const char *
interval_list(void)
{
	return "minute, 3minute, 5minute, 10minute, 15minute, 30minute, "
	    "60minute, day";
}
