/* interval.h: the broker's bar interval names (minute … day) and their lengths. */
#ifndef BACKSTREAM_INTERVAL_H
#define BACKSTREAM_INTERVAL_H

enum interval {
	INTERVAL_MINUTE,
	INTERVAL_3MINUTE,
	INTERVAL_5MINUTE,
	INTERVAL_10MINUTE,
	INTERVAL_15MINUTE,
	INTERVAL_30MINUTE,
	INTERVAL_60MINUTE,
	INTERVAL_DAY,
};
#define INTERVAL_COUNT	8

/* Looks up a name such as "5minute"; returns 0 or -1 if unknown. */
int	interval_parse(const char *name, enum interval *out);
/* The name, e.g. "5minute"; a static string. */
const char *interval_name(enum interval iv);
/* Minutes per bar: 1 … 60, and 1440 for day. */
int	interval_minutes(enum interval iv);
/* "minute, 3minute, …, day": for error messages; a static string. */
const char *interval_list(void);

#endif
