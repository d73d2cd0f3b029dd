/* run.c: one job from claimed to finished, with its progress written as it goes. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backtest.h"
#include "ids.h"
#include "log.h"
#include "mstime.h"
#include "notify.h"
#include "run.h"
#include "store-bars.h"
#include "store-history.h"
#include "store-jobs.h"
#include "store-trades.h"
#include "timefmt.h"
#include "xmalloc.h"

/* At most about ten progress writes a second: a smooth bar, little cost. */
#define PROGRESS_MS	100
/* Bars between looks at the clock. */
#define CLOCK_EVERY	1024

struct bars {
	struct bar	*v;
	size_t		 n;
	size_t		 cap;
	const struct job *job;
};

static int
add_bar(const struct bar *b, void *arg)
{
	struct bars	*bs = arg;

	if (bs->n == bs->cap) {
		bs->cap = bs->cap == 0 ? 4096 : bs->cap * 2;
		bs->v = xreallocarray(bs->v, bs->cap, sizeof *bs->v);
	}
	bs->v[bs->n++] = *b;
	return 0;
}

static int
load_bars(struct store_txn *txn, void *arg)
{
	struct bars		*bs = arg;
	const struct job_spec	*sp = &bs->job->spec;

	bs->n = 0;	/* a retried read starts over */
	return bars_query(txn, sp->symbol, sp->interval, sp->start_date,
	    sp->end_date + SECONDS_PER_DAY - 1, add_bar, bs);
}

/* What a write does to the job besides recording progress. */
enum step {
	STEP_PROGRESS,
	STEP_COMPLETE,
	STEP_FAIL,
	STEP_REQUEUE,
};

struct write {
	struct job		*job;		/* our copy, updated on success */
	enum step		 step;
	const struct trade	*trades;	/* pending since the last write */
	size_t			 ntrades;
	int64_t			 current_bar;
	const struct summary	*summary;
	const char		*error;
	enum run_end		 end;		/* set when the run must stop */
	struct job		 stored;
	struct history_entry	 entry;
};

static int
finish_cancelled(struct store_txn *txn, struct write *w, struct job *j)
{
	j->status = JOB_CANCELLED;
	j->finished_at = time(NULL);
	j->owner_pid = 0;
	snprintf(j->message, sizeof j->message, "cancelled at bar %lld of "
	    "%lld", (long long)j->current_bar, (long long)j->total_bars);
	w->end = RUN_FINISHED;
	return jobs_update(txn, j);
}

static int
write_step(struct store_txn *txn, void *arg)
{
	struct write	*w = arg;
	struct job	*j = &w->stored;
	int		 r;

	w->end = (enum run_end)-1;
	if ((r = jobs_get_for_update(txn, w->job->id, j)) == ENOENT) {
		w->end = RUN_GONE;
		return 0;
	}
	if (r != 0)
		return r;
	/* Still ours?  An orphan check that misjudged us would have taken it. */
	if (j->status != JOB_RUNNING || j->owner_pid != w->job->owner_pid ||
	    j->owner_start != w->job->owner_start) {
		w->end = RUN_GONE;
		return 0;
	}
	/*
	 * Queued again, its transactions stay: streams have sent them to
	 * clients, which cannot be told to drop them.  The next run makes
	 * the same ones again (see below).
	 */
	if (w->step == STEP_REQUEUE && !j->cancel_requested) {
		j->status = JOB_QUEUED;
		j->progress = 0;
		j->current_bar = 0;
		j->owner_pid = 0;
		j->owner_start = 0;
		if (j->attempts > 0)
			j->attempts--;
		snprintf(j->message, sizeof j->message, "queued again: the "
		    "engine was stopped");
		store_txn_wake(txn, NOTIFY_QUEUE);
		w->end = RUN_STOPPED;
		return jobs_update(txn, j);
	}
	if (w->ntrades > 0) {
		if ((r = trades_append(txn, j, w->trades, w->ntrades)) != 0)
			return r;
		/*
		 * A run after a crash or a stop writes again, under the same
		 * seqs, the trades an earlier attempt of the job made (a
		 * backtest makes the same ones from the same bars): the count
		 * grows only past those.
		 */
		if (w->trades[w->ntrades - 1].seq > j->trade_count)
			j->trade_count = w->trades[w->ntrades - 1].seq;
	}
	j->total_bars = w->job->total_bars;
	j->current_bar = w->current_bar;
	j->progress = j->total_bars > 0 ?
	    100.0 * (double)j->current_bar / (double)j->total_bars : 0;
	if (j->cancel_requested)
		return finish_cancelled(txn, w, j);
	switch (w->step) {
	case STEP_PROGRESS:
		snprintf(j->message, sizeof j->message, "bar %lld of %lld",
		    (long long)j->current_bar, (long long)j->total_bars);
		break;
	case STEP_COMPLETE:
		j->status = JOB_COMPLETED;
		j->progress = 100;
		j->finished_at = time(NULL);
		j->owner_pid = 0;
		j->has_summary = 1;
		j->summary = *w->summary;
		snprintf(j->message, sizeof j->message, "completed");
		memset(&w->entry, 0, sizeof w->entry);
		/* Chosen once per attempt of this transaction: a retry makes it anew. */
		id_new(w->entry.id);
		snprintf(w->entry.job_id, sizeof w->entry.job_id, "%s", j->id);
		snprintf(w->entry.uid, sizeof w->entry.uid, "%s", j->uid);
		w->entry.created_at = j->created_at;
		w->entry.completed_at = j->finished_at;
		w->entry.spec = j->spec;
		w->entry.summary = j->summary;
		w->entry.trade_count = j->trade_count;
		if ((r = history_create(txn, &w->entry)) != 0)
			return r;
		snprintf(j->backtest_id, sizeof j->backtest_id, "%s",
		    w->entry.id);
		w->end = RUN_FINISHED;
		break;
	case STEP_FAIL:
		j->status = JOB_FAILED;
		j->finished_at = time(NULL);
		j->owner_pid = 0;
		snprintf(j->error_message, sizeof j->error_message, "%s",
		    w->error);
		snprintf(j->message, sizeof j->message, "failed");
		w->end = RUN_FINISHED;
		break;
	case STEP_REQUEUE:
		break;
	}
	return jobs_update(txn, j);
}

/* Writes one step; returns the run's end if it must stop, else -1. */
static int
write_job(struct store *s, struct write *w, char *err, size_t errlen)
{
	if (store_write(s, w->step == STEP_PROGRESS ? 0 : STORE_SYNC,
	    write_step, w, err, errlen) != 0)
		return RUN_ERROR;
	if (w->end != RUN_GONE)
		*w->job = w->stored;
	return (int)w->end;
}

/* Trades handed out by the backtest, kept until the next write. */
struct pending {
	struct trade	*v;
	size_t		 n;
	size_t		 cap;
};

static void
take_trades(struct backtest *bt, struct pending *p)
{
	const struct trade	*t;
	size_t			 n;

	if ((n = backtest_trades(bt, &t)) == 0)
		return;
	if (p->n + n > p->cap) {
		p->cap = (p->n + n) * 2;
		p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
	}
	memcpy(p->v + p->n, t, n * sizeof *t);
	p->n += n;
}

static void
no_bars_message(const struct job *job, size_t n, char *out, size_t len)
{
	char	from[DATE_LEN + 1], to[DATE_LEN + 1];

	time_format_date(job->spec.start_date, from);
	time_format_date(job->spec.end_date, to);
	if (n == 0)
		snprintf(out, len, "no %s bars of %s between %s and %s; import "
		    "them first", interval_name(job->spec.interval),
		    job->spec.symbol, from, to);
	else
		snprintf(out, len, "a backtest needs at least 2 bars, and %s "
		    "has 1 %s bar between %s and %s", job->spec.symbol,
		    interval_name(job->spec.interval), from, to);
}

/* Sleeps until bars processed at rate bars/s since start_ms are due. */
static void
hold_rate(int64_t rate, int64_t start_ms, int64_t bars)
{
	struct timespec	ts;
	int64_t		due;

	if (rate <= 0)
		return;
	due = start_ms + bars * 1000 / rate - mono_ms();
	if (due <= 0)
		return;
	ts.tv_sec = (time_t)(due / 1000);
	ts.tv_nsec = (long)(due % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

enum run_end
run_job(struct store *s, struct job *job, int64_t bar_rate,
    volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	struct bars	 bars;
	struct pending	 pending;
	struct backtest	*bt = NULL;
	struct summary	 summary;
	struct write	*w;
	char		 why[JOB_ERROR_MAX + 1];
	int64_t		 last, start;
	size_t		 i;
	int		 end;

	memset(&bars, 0, sizeof bars);
	memset(&pending, 0, sizeof pending);
	w = xcalloc(1, sizeof *w);
	w->job = job;
	bars.job = job;
	if (store_read(s, load_bars, &bars, err, errlen) != 0) {
		end = RUN_ERROR;
		goto out;
	}
	job->total_bars = (int64_t)bars.n;
	if (bars.n < 2) {
		no_bars_message(job, bars.n, why, sizeof why);
		w->step = STEP_FAIL;
		w->error = why;
		end = write_job(s, w, err, errlen);
		goto out;
	}
	if ((bt = backtest_new(&job->spec, why, sizeof why)) == NULL) {
		w->step = STEP_FAIL;
		w->error = why;
		end = write_job(s, w, err, errlen);
		goto out;
	}
	/* The first write tells the streams how many bars there are. */
	w->step = STEP_PROGRESS;
	if ((end = write_job(s, w, err, errlen)) != -1)
		goto out;
	last = start = mono_ms();
	for (i = 0; i < bars.n; i++) {
		backtest_bar(bt, &bars.v[i]);
		take_trades(bt, &pending);
		if ((i + 1) % CLOCK_EVERY != 0)
			continue;
		hold_rate(bar_rate, start, (int64_t)i + 1);
		if (*stop) {
			w->step = STEP_REQUEUE;
			end = write_job(s, w, err, errlen);
			goto out;
		}
		if (mono_ms() - last < PROGRESS_MS)
			continue;
		w->step = STEP_PROGRESS;
		w->trades = pending.v;
		w->ntrades = pending.n;
		w->current_bar = (int64_t)i + 1;
		if ((end = write_job(s, w, err, errlen)) != -1)
			goto out;
		pending.n = 0;
		last = mono_ms();
	}
	w->trades = pending.v;
	w->current_bar = (int64_t)bars.n;
	if (backtest_finish(bt, &summary, why, sizeof why) == 0) {
		take_trades(bt, &pending);
		w->trades = pending.v;
		w->step = STEP_COMPLETE;
		w->summary = &summary;
	} else {
		w->step = STEP_FAIL;
		w->error = why;
	}
	w->ntrades = pending.n;
	end = write_job(s, w, err, errlen);
out:
	backtest_free(bt);
	free(bars.v);
	free(pending.v);
	free(w);
	return end == -1 ? RUN_FINISHED : (enum run_end)end;
}
