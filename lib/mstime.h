/* mstime.h: the time in milliseconds, for deadlines and for timestamps. */
#ifndef BACKSTREAM_MSTIME_H
#define BACKSTREAM_MSTIME_H

#include <stdint.h>

/* Milliseconds on the monotonic clock: for deadlines and durations. */
int64_t	mono_ms(void);

/* Milliseconds since the epoch: for timestamps stored or compared with tokens'. */
int64_t	wall_ms(void);

#endif
