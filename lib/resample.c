/* resample.c: OHLCV buckets over minute bars, anchored per UTC day. */
#include "config.h"

#include <string.h>

#include "resample.h"
#include "timefmt.h"

void
resample_init(struct resampler *r, enum interval iv)
{
	memset(r, 0, sizeof *r);
	if (iv != INTERVAL_DAY)
		r->bucket_seconds = (int64_t)interval_minutes(iv) * 60;
}

/* The nominal start of the bucket holding t, which lies in day r->day. */
static int64_t
bucket_start(const struct resampler *r, int64_t t)
{
	if (r->bucket_seconds == 0)
		return r->day;
	return r->anchor + (t - r->anchor) / r->bucket_seconds *
	    r->bucket_seconds;
}

int
resample_push(struct resampler *r, const struct bar *minute, struct bar *out)
{
	struct bar	m = *minute;	/* out may be the caller's minute */
	int64_t		day, start;
	int		done = 0;

	if (r->have && m.time <= r->last_time)
		return -1;
	day = time_day_start(m.time);
	if (!r->have || day != r->day) {
		r->day = day;
		r->anchor = m.time;
	}
	start = bucket_start(r, m.time);
	r->last_time = m.time;

	if (r->have && start == r->bar.time) {
		if (m.high > r->bar.high)
			r->bar.high = m.high;
		if (m.low < r->bar.low)
			r->bar.low = m.low;
		r->bar.close = m.close;
		r->bar.volume += m.volume;
		return 0;
	}
	if (r->have) {
		*out = r->bar;
		done = 1;
	}
	r->bar = m;
	r->bar.time = start;
	r->have = 1;
	return done;
}

int
resample_flush(struct resampler *r, struct bar *out)
{
	int64_t	bucket_seconds = r->bucket_seconds;

	if (!r->have)
		return 0;
	*out = r->bar;
	memset(r, 0, sizeof *r);
	r->bucket_seconds = bucket_seconds;
	return 1;
}
