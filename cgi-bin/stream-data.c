/* stream-data.c: chart data of a job or backtest: interval_start, data_chunk…, complete. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bar.h"
#include "ids.h"
#include "interval.h"
#include "jobctl.h"
#include "json.h"
#include "log.h"
#include "sse.h"
#include "store-bars.h"
#include "stream.h"
#include "timefmt.h"
#include "xmalloc.h"

/*
 * The points are the most recent `limit` bars of the job's date range at
 * the interval, in ascending time.  `?intervals=a,b` serves several
 * intervals one after another (parallel single-interval streams are
 * faster).  Event ids are "K.N": K the interval's place in the request, N
 * the points of it the client holds; each interval's complete event ends
 * in ".end", so that a client holding it is told from one holding the
 * last chunk, and after the last interval's a reconnect gets 204.  A
 * stream resumed inside interval K goes on from point N without a new
 * interval_start: the client had it, and the frontend's data hook clears
 * its data on interval_start.
 */

#define DATA_LIMIT_MAX	1000000
#define CHUNK_MAX	10000

struct data_state {
	struct job_spec	 spec;
	enum interval	 intervals[INTERVAL_COUNT];
	int		 nintervals;
	int64_t		 limit;
	int64_t		 chunk;
	int		 from_interval;	/* resume point */
	int64_t		 from_point;
	int		 resumed;	/* inside from_interval */
};

static int
parse_intervals(struct data_state *ds, const struct query *q, char *err,
    size_t errlen)
{
	const char	*one, *list;
	char		 buf[256], *p, *save = NULL;
	enum interval	 iv;
	int		 i;

	one = query_get(q, "interval");
	list = query_get(q, "intervals");
	if ((one == NULL) == (list == NULL)) {
		snprintf(err, errlen, "interval: required (or intervals=a,b, "
		    "not both): one of %s", interval_list());
		return -1;
	}
	if (one != NULL) {
		if (interval_parse(one, &iv) == -1) {
			snprintf(err, errlen, "interval: \"%.20s\" is not one "
			    "of %s", one, interval_list());
			return -1;
		}
		ds->intervals[ds->nintervals++] = iv;
		return 0;
	}
	snprintf(buf, sizeof buf, "%s", list);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (interval_parse(p, &iv) == -1) {
			snprintf(err, errlen, "intervals: \"%.20s\" is not one "
			    "of %s", p, interval_list());
			return -1;
		}
		for (i = 0; i < ds->nintervals; i++) {
			if (ds->intervals[i] == iv) {
				snprintf(err, errlen, "intervals: %s is given "
				    "twice", p);
				return -1;
			}
		}
		ds->intervals[ds->nintervals++] = iv;
	}
	if (ds->nintervals == 0) {
		snprintf(err, errlen, "intervals: empty");
		return -1;
	}
	return 0;
}

struct find {
	struct stream	*s;
	struct job_spec	*spec;
	struct job	 job;
	struct history_entry entry;
};

/* The spec of the user's job or backtest with this id; ENOENT if none. */
static int
find_spec(struct store_txn *txn, void *arg)
{
	struct find	*f = arg;
	int		 r;

	if ((r = jobctl_own_job(txn, f->s->uid, f->s->id, &f->job)) == 0) {
		*f->spec = f->job.spec;
		return 0;
	}
	if (r != ENOENT)
		return r;
	if ((r = jobctl_own_backtest(txn, f->s->uid, f->s->id,
	    &f->entry)) != 0)
		return r;
	*f->spec = f->entry.spec;
	return 0;
}

/* Where a resumed stream stands: "K.N" or "K.N.end" (see above). */
static int
parse_position(const char *id, int *k, int64_t *n, int *end)
{
	uint64_t	kk, nn;

	if (sse_parse_position(id, &kk, &nn, end) == -1 ||
	    kk >= INTERVAL_COUNT || nn > INT64_MAX)
		return -1;
	*k = (int)kk;
	*n = (int64_t)nn;
	return 0;
}

static int
open_data(struct stream *s, void **state, char *err, size_t errlen)
{
	struct data_state	*ds;
	struct find		*f;
	int64_t			 n;
	int			 k, end, r;

	ds = xcalloc(1, sizeof *ds);
	*state = ds;
	if (!id_is_valid(s->id)) {
		snprintf(err, errlen, "id: \"%.40s\" is not a job or backtest "
		    "id", s->id);
		return 400;
	}
	if (parse_intervals(ds, &s->req->query, err, errlen) == -1 ||
	    query_int(&s->req->query, "limit", 1000, 1, DATA_LIMIT_MAX,
	    &ds->limit, err, errlen) == -1 ||
	    query_int(&s->req->query, "chunk_size", 500, 1, CHUNK_MAX,
	    &ds->chunk, err, errlen) == -1)
		return 400;
	f = xcalloc(1, sizeof *f);
	f->s = s;
	f->spec = &ds->spec;
	r = store_read(s->store, find_spec, f, err, errlen);
	free(f);
	if (r == ENOENT) {
		snprintf(err, errlen, "no job or backtest %s", s->id);
		return 404;
	}
	if (r != 0) {
		log_error("data stream: %s", err);
		snprintf(err, errlen, "the store is unavailable");
		return 503;
	}
	if (parse_position(s->last_id, &k, &n, &end) == 0 &&
	    k < ds->nintervals) {
		if (end && k == ds->nintervals - 1)
			return 204;
		if (end)	/* it had interval k's complete */
			ds->from_interval = k + 1;
		else {
			ds->from_interval = k;
			ds->from_point = n;
			ds->resumed = 1;
		}
	}
	return 200;
}

static void
free_data(void *state)
{
	free(state);
}

/* ---- points ----------------------------------------------------------------- */

/* The last `limit` bars, in a ring, then laid out in order. */
struct points {
	struct bar	*ring;
	int64_t		 cap;
	int64_t		 total;		/* bars seen */
	const struct job_spec *spec;
	enum interval	 interval;
};

static int
keep_bar(const struct bar *b, void *arg)
{
	struct points	*p = arg;

	p->ring[p->total % p->cap] = *b;
	p->total++;
	return 0;
}

static int
read_points(struct store_txn *txn, void *arg)
{
	struct points	*p = arg;

	p->total = 0;
	return bars_query(txn, p->spec->symbol, p->interval,
	    p->spec->start_date, p->spec->end_date + SECONDS_PER_DAY - 1,
	    keep_bar, p);
}

/* The i-th of the kept points, oldest first. */
static const struct bar *
point(const struct points *p, int64_t i)
{
	int64_t	first = p->total > p->cap ? p->total - p->cap : 0;

	return &p->ring[(first + i) % p->cap];
}

static int64_t
kept(const struct points *p)
{
	return p->total < p->cap ? p->total : p->cap;
}

static void
interval_id(char *out, size_t len, int k, int64_t n, int end)
{
	snprintf(out, len, "%d.%" PRId64 "%s", k, n, end ? ".end" : "");
}

/*
 * Sends interval k from point from on, with its interval_start unless the
 * client resumed inside it.
 */
static int
send_interval(struct stream *s, struct data_state *ds, int k, int64_t from,
    int resumed)
{
	struct points	 p;
	struct buf	 b = BUF_INIT;
	json_object	*o;
	const char	*name = interval_name(ds->intervals[k]);
	char		 id[64], err[256], t1[TIME_ISO_LEN + 1];
	int64_t		 total, i, end;
	int		 r = 0;

	memset(&p, 0, sizeof p);
	p.spec = &ds->spec;
	p.interval = ds->intervals[k];
	p.cap = ds->limit;
	p.ring = xreallocarray(NULL, (size_t)p.cap, sizeof *p.ring);
	if (store_read(s->store, read_points, &p, err, sizeof err) != 0) {
		log_error("data stream: %s", err);
		free(p.ring);
		stream_send_error(s, "unavailable", "the store is unavailable");
		return -1;
	}
	total = kept(&p);
	if (from > total)
		from = total;
	if (!resumed) {
		o = json_object_new_object();
		json_object_object_add(o, "interval",
		    json_object_new_string(name));
		json_object_object_add(o, "symbol",
		    json_object_new_string(ds->spec.symbol));
		json_object_object_add(o, "total_points",
		    json_object_new_int64(total));
		json_object_object_add(o, "limit",
		    json_object_new_int64(ds->limit));
		json_object_object_add(o, "chunk_size",
		    json_object_new_int64(ds->chunk));
		json_object_object_add(o, "start_date",
		    json_date(ds->spec.start_date));
		json_object_object_add(o, "end_date",
		    json_date(ds->spec.end_date));
		json_object_object_add(o, "first_time", total == 0 ? NULL :
		    json_time(point(&p, 0)->time));
		interval_id(id, sizeof id, k, 0, 0);
		r = stream_send_json(s, id, "interval_start", o);
		json_object_put(o);
	}
	/* Chunks are written by hand: bar_append_json is the fast path. */
	for (i = from; r == 0 && i < total; i = end) {
		end = i + ds->chunk < total ? i + ds->chunk : total;
		buf_reset(&b);
		buf_printf(&b, "{\"interval\":\"%s\",\"data_points\":[", name);
		for (int64_t j = i; j < end; j++) {
			if (j > i)
				buf_addc(&b, ',');
			bar_append_json(&b, point(&p, j));
		}
		buf_printf(&b, "],\"points_sent\":%" PRId64 ",\"total_points\":"
		    "%" PRId64 "}", end, total);
		interval_id(id, sizeof id, k, end, 0);
		r = stream_send(s, id, "data_chunk", buf_str(&b));
	}
	if (r == 0) {
		o = json_object_new_object();
		json_object_object_add(o, "interval",
		    json_object_new_string(name));
		json_object_object_add(o, "total_points",
		    json_object_new_int64(total));
		if (total > 0) {
			time_format_iso(point(&p, total - 1)->time, t1);
			json_object_object_add(o, "last_time",
			    json_object_new_string(t1));
		}
		interval_id(id, sizeof id, k, total, 1);
		r = stream_send_json(s, id, "complete", o);
		json_object_put(o);
	}
	buf_free(&b);
	free(p.ring);
	/* Give a large ring back now: the process may idle for an hour. */
	malloc_trim(0);
	return r;
}

static int
start_data(struct stream *s, void *state)
{
	struct data_state	*ds = state;
	int			 k;

	for (k = ds->from_interval; k < ds->nintervals; k++)
		if (send_interval(s, ds, k, k == ds->from_interval ?
		    ds->from_point : 0, k == ds->from_interval &&
		    ds->resumed) == -1)
			return -1;
	return 0;
}

const struct stream_kind stream_data = {
	"data", open_data, start_data, NULL, free_data,
};
