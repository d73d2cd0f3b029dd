/* symbols.c: the symbols table read into per-symbol summaries and their JSON shape. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "symbols.h"
#include "xmalloc.h"

struct collect {
	struct symbol_info	*items;
	size_t			 n;
	size_t			 cap;
};

/* Ranges come sorted by symbol then interval: a new name starts an entry. */
static int
add_range(const struct bar_range *r, void *arg)
{
	struct collect		*c = arg;
	struct symbol_info	*si;

	if (c->n == 0 || strcmp(c->items[c->n - 1].symbol, r->symbol) != 0) {
		if (c->n == c->cap) {
			c->cap = c->cap == 0 ? 16 : c->cap * 2;
			c->items = xreallocarray(c->items, c->cap,
			    sizeof *c->items);
		}
		si = &c->items[c->n++];
		memset(si, 0, sizeof *si);
		snprintf(si->symbol, sizeof si->symbol, "%s", r->symbol);
		si->first = r->first;
		si->last = r->last;
	}
	si = &c->items[c->n - 1];
	si->ranges[r->interval] = *r;
	si->stored |= 1u << r->interval;
	if (r->first < si->first)
		si->first = r->first;
	if (r->last > si->last)
		si->last = r->last;
	return 0;
}

struct read_arg {
	const char	*symbol;	/* NULL: every symbol */
	struct collect	 c;
};

static int
read_ranges(struct store_txn *txn, void *arg)
{
	struct read_arg	*ra = arg;

	/* A snapshot read may run again after recovery: start empty. */
	ra->c.n = 0;
	return bars_ranges(txn, ra->symbol, add_range, &ra->c);
}

int
symbols_list(struct store *s, const char *symbol, struct symbol_info **out,
    size_t *n, char *err, size_t errlen)
{
	struct read_arg	 ra;
	size_t		 i;
	int		 r;

	memset(&ra, 0, sizeof ra);
	ra.symbol = symbol;
	if ((r = store_read(s, read_ranges, &ra, err, errlen)) != 0) {
		free(ra.c.items);
		*out = NULL;
		*n = 0;
		return r;
	}
	for (i = 0; i < ra.c.n; i++) {
		struct symbol_info *si = &ra.c.items[i];

		si->served = si->stored;
		if (si->stored & (1u << INTERVAL_MINUTE))
			si->served = (1u << INTERVAL_COUNT) - 1;
	}
	*out = ra.c.items;
	*n = ra.c.n;
	return 0;
}

json_object *
symbol_info_to_json(const struct symbol_info *si)
{
	json_object	*obj, *intervals, *stored, *range;
	int		 i;

	obj = json_object_new_object();
	json_object_object_add(obj, "symbol",
	    json_object_new_string(si->symbol));
	json_object_object_add(obj, "first", json_time(si->first));
	json_object_object_add(obj, "last", json_time(si->last));
	intervals = json_object_new_array();
	stored = json_object_new_object();
	for (i = 0; i < INTERVAL_COUNT; i++) {
		if (si->served & (1u << i))
			json_object_array_add(intervals, json_object_new_string(
			    interval_name((enum interval)i)));
		if (!(si->stored & (1u << i)))
			continue;
		range = json_object_new_object();
		json_object_object_add(range, "first",
		    json_time(si->ranges[i].first));
		json_object_object_add(range, "last",
		    json_time(si->ranges[i].last));
		json_object_object_add(range, "count",
		    json_object_new_int64((int64_t)si->ranges[i].count));
		json_object_object_add(stored, interval_name((enum interval)i),
		    range);
	}
	json_object_object_add(obj, "intervals", intervals);
	json_object_object_add(obj, "stored", stored);
	return obj;
}

int
symbols_to_json(struct store *s, const char *symbol, json_object **out,
    char *err, size_t errlen)
{
	struct symbol_info	*items;
	size_t			 n, i;
	int			 r;

	*out = NULL;
	if ((r = symbols_list(s, symbol, &items, &n, err, errlen)) != 0)
		return r;
	*out = json_object_new_array_ext((int)n);
	for (i = 0; i < n; i++)
		json_object_array_add(*out, symbol_info_to_json(&items[i]));
	free(items);
	return 0;
}
