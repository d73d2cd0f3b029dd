/* bar.c: the JSON shape of a bar. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bar.h"
#include "numfmt.h"
#include "timefmt.h"

static void
add_field(struct buf *out, const char *name, size_t namelen, double v)
{
	char	*p;

	p = buf_reserve(out, namelen + NUMFMT_MAX);
	memcpy(p, name, namelen);
	out->len += namelen;
	out->len += num_format(v, p + namelen);
}

#define ADD(out, lit, v)	add_field(out, lit, sizeof(lit) - 1, v)

void
bar_append_json(struct buf *out, const struct bar *bar)
{
	char	*p;

	p = buf_reserve(out, 10 + TIME_ISO_LEN + 2);
	memcpy(p, "{\"time\":\"", 9);
	time_format_iso(bar->time, p + 9);
	p[9 + TIME_ISO_LEN] = '"';
	out->len += 10 + TIME_ISO_LEN;
	ADD(out, ",\"open\":", bar->open);
	ADD(out, ",\"high\":", bar->high);
	ADD(out, ",\"low\":", bar->low);
	ADD(out, ",\"close\":", bar->close);
	ADD(out, ",\"volume\":", bar->volume);
	buf_addc(out, '}');
}

int
bar_is_sane(const struct bar *bar, const char **why)
{
	if (!isfinite(bar->open) || !isfinite(bar->high) ||
	    !isfinite(bar->low) || !isfinite(bar->close) ||
	    !isfinite(bar->volume)) {
		*why = "prices and volume must be finite numbers";
		return -1;
	}
	if (bar->open <= 0 || bar->high <= 0 || bar->low <= 0 ||
	    bar->close <= 0) {
		*why = "prices must be positive";
		return -1;
	}
	if (bar->low > bar->open || bar->low > bar->close ||
	    bar->high < bar->open || bar->high < bar->close ||
	    bar->low > bar->high) {
		*why = "low must be the lowest and high the highest price";
		return -1;
	}
	if (bar->volume < 0) {
		*why = "volume must not be negative";
		return -1;
	}
	return 0;
}
