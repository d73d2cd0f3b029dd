/* store-bars.c: bar blocks and the symbols table. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changelog.h"
#include "resample.h"
#include "spec.h"
#include "store-bars.h"
#include "store-int.h"
#include "timefmt.h"
#include "xmalloc.h"

#define BLOCK_VERSION	1
#define RANGE_VERSION	1
#define BAR_BYTES	48	/* time and five doubles, little-endian */
#define KEY_MAX		(SYMBOL_MAX + 2 + 8)

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "bar blocks are read and written with memcpy: add byte swapping here"
#endif

/* ---- keys and blocks ------------------------------------------------------ */

/* The start of the block holding time t: its UTC day, or year for day bars. */
static int64_t
block_start(enum interval iv, int64_t t)
{
	int64_t		y;
	unsigned	m, d;

	if (iv != INTERVAL_DAY)
		return time_day_start(t);
	civil_from_days(time_day_start(t) / SECONDS_PER_DAY, &y, &m, &d);
	return days_from_civil(y, 1, 1) * SECONDS_PER_DAY;
}

/* Key: symbol, NUL, interval, big-endian offset-binary block start. */
static size_t
make_key(unsigned char *k, const char *symbol, enum interval iv, int64_t start)
{
	size_t	n = strlen(symbol);

	memcpy(k, symbol, n + 1);
	k[n + 1] = (unsigned char)iv;
	/* Flipping the sign bit makes negative times sort before positive. */
	store_put_be64(k + n + 2, (uint64_t)start ^ (UINT64_C(1) << 63));
	return n + 2 + 8;
}

static int64_t
key_start(const unsigned char *k, size_t len)
{
	return (int64_t)(store_get_be64(k + len - 8) ^ (UINT64_C(1) << 63));
}

/* Decodes a block record into bars (grown as needed); returns the count or -1. */
static long
decode_block(const DBT *data, struct bar **bars, size_t *cap)
{
	const unsigned char	*p = data->data;
	uint32_t		 count;

	if (data->size < 5 || p[0] != BLOCK_VERSION)
		return -1;
	memcpy(&count, p + 1, 4);
	if (data->size != 5 + (size_t)count * BAR_BYTES)
		return -1;
	if (count > *cap) {
		*bars = xreallocarray(*bars, count, sizeof **bars);
		*cap = count;
	}
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *q = p + 5 + (size_t)i * BAR_BYTES;
		struct bar *b = &(*bars)[i];

		memcpy(&b->time, q, 8);
		memcpy(&b->open, q + 8, 8);
		memcpy(&b->high, q + 16, 8);
		memcpy(&b->low, q + 24, 8);
		memcpy(&b->close, q + 32, 8);
		memcpy(&b->volume, q + 40, 8);
	}
	return (long)count;
}

static void
encode_block(const struct bar *bars, size_t n, struct buf *out)
{
	unsigned char	*p;
	uint32_t	 count = (uint32_t)n;

	buf_reset(out);
	p = (unsigned char *)buf_reserve(out, 5 + n * BAR_BYTES);
	p[0] = BLOCK_VERSION;
	memcpy(p + 1, &count, 4);
	for (size_t i = 0; i < n; i++) {
		unsigned char *q = p + 5 + i * BAR_BYTES;

		memcpy(q, &bars[i].time, 8);
		memcpy(q + 8, &bars[i].open, 8);
		memcpy(q + 16, &bars[i].high, 8);
		memcpy(q + 24, &bars[i].low, 8);
		memcpy(q + 32, &bars[i].close, 8);
		memcpy(q + 40, &bars[i].volume, 8);
	}
	out->len = 5 + n * BAR_BYTES;
}

/* ---- the symbols table ---------------------------------------------------- */

static size_t
range_key(unsigned char *k, const char *symbol, enum interval iv)
{
	size_t	n = strlen(symbol);

	memcpy(k, symbol, n + 1);
	k[n + 1] = (unsigned char)iv;
	return n + 2;
}

static int
decode_range(const DBT *key, const DBT *data, struct bar_range *r)
{
	const unsigned char	*p = data->data;
	size_t			 n;

	n = strnlen(key->data, key->size);
	if (n + 2 != key->size || n >= sizeof r->symbol || data->size != 25 ||
	    p[0] != RANGE_VERSION)
		return -1;
	memcpy(r->symbol, key->data, n);
	r->symbol[n] = '\0';
	r->interval = (enum interval)((const unsigned char *)key->data)[n + 1];
	if (r->interval >= INTERVAL_COUNT)
		return -1;
	memcpy(&r->first, p + 1, 8);
	memcpy(&r->last, p + 9, 8);
	memcpy(&r->count, p + 17, 8);
	return 0;
}

static int
put_range(struct store_txn *txn, const struct bar_range *r)
{
	DB		*db = store_db(txn, STORE_SYMBOLS);
	unsigned char	 k[KEY_MAX], v[25];
	DBT		 key, data;

	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = k;
	key.size = (uint32_t)range_key(k, r->symbol, r->interval);
	v[0] = RANGE_VERSION;
	memcpy(v + 1, &r->first, 8);
	memcpy(v + 9, &r->last, 8);
	memcpy(v + 17, &r->count, 8);
	data.data = v;
	data.size = sizeof v;
	return db->put(db, txn->tid, &key, &data, 0);
}

int
bars_range(struct store_txn *txn, const char *symbol, enum interval iv,
    struct bar_range *out)
{
	DB		*db = store_db(txn, STORE_SYMBOLS);
	unsigned char	 k[KEY_MAX];
	DBT		 key, data;
	int		 r;

	if (!symbol_is_valid(symbol))
		return ENOENT;
	memset(&key, 0, sizeof key);
	store_dbt_out(txn, &data);
	key.data = k;
	key.size = (uint32_t)range_key(k, symbol, iv);
	if ((r = db->get(db, txn->tid, &key, &data, 0)) == DB_NOTFOUND)
		r = ENOENT;
	else if (r == 0 && decode_range(&key, &data, out) == -1)
		r = store_fail(txn, EIO, "symbol record %s is damaged",
		    symbol);
	store_dbt_free(&data);
	return r;
}

struct ranges_arg {
	struct store_txn	*txn;
	int			(*fn)(const struct bar_range *, void *);
	void			*arg;
};

static int
range_one(const DBT *key, const DBT *data, void *arg)
{
	struct ranges_arg	*ra = arg;
	struct bar_range	 r;

	if (decode_range(key, data, &r) == -1)
		return store_fail(ra->txn, EIO, "a symbol record is damaged");
	return ra->fn(&r, ra->arg);
}

int
bars_ranges(struct store_txn *txn, const char *symbol,
    int (*fn)(const struct bar_range *, void *), void *arg)
{
	struct ranges_arg	 ra = { txn, fn, arg };
	unsigned char		 k[KEY_MAX];
	size_t			 n;

	if (symbol == NULL)
		return store_scan(txn, STORE_SYMBOLS, "", 0, 0, 0, range_one,
		    &ra);
	if (!symbol_is_valid(symbol))
		return 0;
	n = strlen(symbol);
	memcpy(k, symbol, n + 1);
	return store_scan(txn, STORE_SYMBOLS, k, n + 1, n + 1, 0, range_one,
	    &ra);
}

/* ---- import --------------------------------------------------------------- */

struct import {
	const char	*symbol;
	enum interval	 iv;
	const struct bar *bars;
	size_t		 n;
	void		(*progress)(size_t, size_t, void *);
	void		*arg;
	struct store	*store;
};

/*
 * Merges the new bars of one block (nb, ascending) with the stored ones
 * (ob, ascending) into out; a new bar replaces an old one of equal time.
 * Returns how many bars were added (not replaced).
 */
static size_t
merge(const struct bar *ob, size_t on, const struct bar *nb, size_t nn,
    struct bar *out, size_t *outn)
{
	size_t	i = 0, j = 0, k = 0, added = 0;

	while (i < on || j < nn) {
		if (j == nn || (i < on && ob[i].time < nb[j].time))
			out[k++] = ob[i++];
		else {
			if (i < on && ob[i].time == nb[j].time)
				i++;
			else
				added++;
			out[k++] = nb[j++];
		}
	}
	*outn = k;
	return added;
}

static int
import_blocks(struct store_txn *txn, void *arg)
{
	struct import		*im = arg;
	DB			*db = store_db(txn, STORE_BARS);
	struct bar_range	 range;
	struct bar		*old = NULL, *merged = NULL;
	struct buf		 rec = BUF_INIT;
	unsigned char		 k[KEY_MAX];
	size_t			 oldcap = 0, mergedcap = 0, i, j, outn;
	uint64_t		 added = 0;
	long			 on;
	DBT			 key, data;
	int			 r;

	memset(&key, 0, sizeof key);
	key.data = k;
	for (i = 0, r = 0; i < im->n && r == 0; i = j) {
		int64_t start = block_start(im->iv, im->bars[i].time);

		for (j = i; j < im->n &&
		    block_start(im->iv, im->bars[j].time) == start; j++)
			;
		key.size = (uint32_t)make_key(k, im->symbol, im->iv, start);
		store_dbt_out(txn, &data);
		r = db->get(db, txn->tid, &key, &data, DB_RMW);
		on = 0;
		if (r == 0)
			on = decode_block(&data, &old, &oldcap);
		store_dbt_free(&data);
		if (on < 0) {
			r = store_fail(txn, EIO, "a bar block of %s is damaged",
			    im->symbol);
			break;
		}
		if (r != 0 && r != DB_NOTFOUND)
			break;
		if ((size_t)on + (j - i) > mergedcap) {
			mergedcap = (size_t)on + (j - i);
			merged = xreallocarray(merged, mergedcap,
			    sizeof *merged);
		}
		added += merge(old, (size_t)on, im->bars + i, j - i, merged,
		    &outn);
		encode_block(merged, outn, &rec);
		memset(&data, 0, sizeof data);
		data.data = rec.data;
		data.size = (uint32_t)rec.len;
		r = db->put(db, txn->tid, &key, &data, 0);
		store_progress(im->store);
		if (im->progress != NULL)
			im->progress(j, im->n, im->arg);
	}
	free(old);
	free(merged);
	buf_free(&rec);
	if (r != 0)
		return r;

	r = bars_range(txn, im->symbol, im->iv, &range);
	if (r == ENOENT) {
		memset(&range, 0, sizeof range);
		snprintf(range.symbol, sizeof range.symbol, "%s", im->symbol);
		range.interval = im->iv;
		range.first = im->bars[0].time;
		range.last = im->bars[im->n - 1].time;
	} else if (r != 0)
		return r;
	if (im->bars[0].time < range.first)
		range.first = im->bars[0].time;
	if (im->bars[im->n - 1].time > range.last)
		range.last = im->bars[im->n - 1].time;
	range.count += added;
	if ((r = put_range(txn, &range)) != 0)
		return r;
	return changelog_append(txn, CHANGE_BARS, "", im->symbol,
	    (uint32_t)im->iv);
}

int
bars_import(struct store *s, const char *symbol, enum interval iv,
    const struct bar *bars, size_t n,
    void (*progress)(size_t, size_t, void *), void *arg, char *err,
    size_t errlen)
{
	struct import	im = { symbol, iv, bars, n, progress, arg, s };
	size_t		i;

	if (!symbol_is_valid(symbol)) {
		snprintf(err, errlen, "invalid symbol \"%.40s\"", symbol);
		return EINVAL;
	}
	if (n == 0)
		return 0;
	for (i = 1; i < n; i++) {
		if (bars[i].time <= bars[i - 1].time) {
			snprintf(err, errlen, "bars are not in ascending time "
			    "order");
			return EINVAL;
		}
	}
	return store_write(s, STORE_SYNC, import_blocks, &im, err, errlen);
}

/* ---- reading -------------------------------------------------------------- */

struct scan_arg {
	struct store_txn	*txn;
	enum interval		 iv;
	int64_t			 from;
	int64_t			 to;
	int			(*fn)(const struct bar *, void *);
	void			*arg;
	struct bar		*bars;
	size_t			 cap;
	int			 done;
};

static int
scan_block(const DBT *key, const DBT *data, void *arg)
{
	struct scan_arg	*sa = arg;
	long		 n, i;
	int		 r;

	if (key_start(key->data, key->size) > sa->to)
		return STORE_STOP;
	if ((n = decode_block(data, &sa->bars, &sa->cap)) < 0)
		return store_fail(sa->txn, EIO, "a bar block is damaged");
	for (i = 0; i < n; i++) {
		if (sa->bars[i].time < sa->from)
			continue;
		if (sa->bars[i].time > sa->to)
			return STORE_STOP;
		if ((r = sa->fn(&sa->bars[i], sa->arg)) != 0)
			return r;
	}
	return 0;
}

int
bars_scan(struct store_txn *txn, const char *symbol, enum interval iv,
    int64_t from, int64_t to, int (*fn)(const struct bar *, void *),
    void *arg)
{
	struct scan_arg	 sa;
	unsigned char	 k[KEY_MAX];
	size_t		 n;
	int		 r;

	if (!symbol_is_valid(symbol) || from > to)
		return 0;
	memset(&sa, 0, sizeof sa);
	sa.txn = txn;
	sa.iv = iv;
	sa.from = from;
	sa.to = to;
	sa.fn = fn;
	sa.arg = arg;
	n = make_key(k, symbol, iv, block_start(iv, from));
	r = store_scan(txn, STORE_BARS, k, n, n - 8, 0, scan_block, &sa);
	free(sa.bars);
	return r;
}

struct resample_arg {
	struct resampler	 rs;
	int64_t			 from;
	int64_t			 to;
	int			(*fn)(const struct bar *, void *);
	void			*arg;
	int			 stopped;
};

/* Hands a finished bucket to the caller if it lies in the asked range. */
static int
deliver(struct resample_arg *ra, const struct bar *b)
{
	int	r;

	if (b->time < ra->from || b->time > ra->to)
		return 0;
	if ((r = ra->fn(b, ra->arg)) == STORE_STOP)
		ra->stopped = 1;
	return r;
}

static int
resample_one(const struct bar *minute, void *arg)
{
	struct resample_arg	*ra = arg;
	struct bar		 out;

	if (resample_push(&ra->rs, minute, &out) == 1)
		return deliver(ra, &out);
	return 0;
}

int
bars_query(struct store_txn *txn, const char *symbol, enum interval iv,
    int64_t from, int64_t to, int (*fn)(const struct bar *, void *),
    void *arg)
{
	struct resample_arg	 ra;
	struct bar_range	 range;
	struct bar		 out;
	int			 r;

	if (iv == INTERVAL_MINUTE ||
	    (r = bars_range(txn, symbol, iv, &range)) == 0)
		return bars_scan(txn, symbol, iv, from, to, fn, arg);
	if (r != ENOENT)
		return r;
	/* Buckets never cross a UTC day: read whole days of minute bars. */
	memset(&ra, 0, sizeof ra);
	resample_init(&ra.rs, iv);
	ra.from = from;
	ra.to = to;
	ra.fn = fn;
	ra.arg = arg;
	r = bars_scan(txn, symbol, INTERVAL_MINUTE, time_day_start(from),
	    time_day_start(to) + SECONDS_PER_DAY - 1, resample_one, &ra);
	if (r == 0 && !ra.stopped && resample_flush(&ra.rs, &out))
		r = deliver(&ra, &out);
	return r == STORE_STOP ? 0 : r;
}
