/* mstime.c: the time in milliseconds. */
#include "config.h"

#include <time.h>

#include "mstime.h"

static int64_t
clock_ms(clockid_t clock)
{
	struct timespec	ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

int64_t
wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}
