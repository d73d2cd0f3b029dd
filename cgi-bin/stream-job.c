/* stream-job.c: one job's progress stream: progress, transaction batches, then completed, failed or cancelled. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "job.h"
#include "json.h"
#include "log.h"
#include "store-jobs.h"
#include "store-trades.h"
#include "stream.h"
#include "xmalloc.h"

/*
 * Event ids are "S.T", or "S.T.end" on the terminal event: S the change
 * seq the stream has read up to, T how many transactions the client holds.
 * A resumed stream sends the current progress and only transactions past
 * T; a client holding ".end" of a finished job gets 204.  T counts trades
 * in their fixed order, so a job run again after an engine crash (which
 * makes the same trades) is resumed without duplicates.
 */

#define TRADE_BATCH	500

struct job_state {
	struct job	 job;		/* as last read */
	uint64_t	 seq;
	uint32_t	 sent;		/* transactions the client holds */
	int		 terminal_sent;
	int		 progress_sent;
	struct job	 last;		/* the progress the client has */
	int		 gone;		/* the job was deleted */
	struct trade	 batch[TRADE_BATCH];
	int		 nbatch;
};

struct read_arg {
	struct stream		*s;
	struct job_state	*st;
	int			 changed;
	uint64_t		 seq;	/* the newest change read */
};

/* Reads the job if it is this user's; ENOENT otherwise. */
static int
read_job(struct store_txn *txn, struct stream *s, struct job *j)
{
	int	r;

	if ((r = jobs_get(txn, s->id, j)) == 0 && strcmp(j->uid, s->uid) != 0)
		r = ENOENT;
	return r;
}

static int
read_open(struct store_txn *txn, void *arg)
{
	struct read_arg	*ra = arg;
	int		 r;

	if ((r = changelog_head(txn, &ra->st->seq)) != 0)
		return r;
	return read_job(txn, ra->s, &ra->st->job);
}

/* Parses "S.T" or "S.T.end"; returns 0, or -1 for anything else. */
static int
parse_last_id(const char *id, uint64_t *seq, uint32_t *trades, int *end)
{
	char			*p;
	unsigned long long	 s, t;

	if (id == NULL)
		return -1;
	s = strtoull(id, &p, 10);
	if (p == id || *p != '.')
		return -1;
	id = p + 1;
	t = strtoull(id, &p, 10);
	if (p == id || t > UINT32_MAX)
		return -1;
	*end = strcmp(p, ".end") == 0;
	if (*p != '\0' && !*end)
		return -1;
	*seq = s;
	*trades = (uint32_t)t;
	return 0;
}

static int
open_job(struct stream *s, void **state, char *err, size_t errlen)
{
	struct job_state	*st;
	struct read_arg		 ra;
	uint64_t		 seq;
	uint32_t		 trades;
	int			 end = 0, r;

	if (!id_is_valid(s->id)) {
		snprintf(err, errlen, "job id: \"%.40s\" is not a job id",
		    s->id);
		return 400;
	}
	st = xcalloc(1, sizeof *st);
	*state = st;
	memset(&ra, 0, sizeof ra);
	ra.s = s;
	ra.st = st;
	if ((r = store_read(s->store, read_open, &ra, err, errlen)) == ENOENT) {
		snprintf(err, errlen, "no job %s", s->id);
		return 404;
	}
	if (r != 0) {
		log_error("progress stream: %s", err);
		snprintf(err, errlen, "the store is unavailable");
		return 503;
	}
	if (parse_last_id(s->last_id, &seq, &trades, &end) == 0) {
		if (end && job_is_finished(&st->job))
			return 204;
		st->sent = trades;
	}
	return 200;
}

static void
free_job(void *state)
{
	free(state);
}

static void
event_id(char *out, size_t len, const struct job_state *st, int end)
{
	snprintf(out, len, "%" PRIu64 ".%" PRIu32 "%s", st->seq, st->sent,
	    end ? ".end" : "");
}

static int
same_progress(const struct job *a, const struct job *b)
{
	return a->status == b->status && a->progress == b->progress &&
	    a->current_bar == b->current_bar && a->total_bars == b->total_bars &&
	    strcmp(a->message, b->message) == 0;
}

static int
send_progress(struct stream *s, struct job_state *st)
{
	json_object	*o;
	char		 id[64];
	int		 r;

	if (st->progress_sent && same_progress(&st->job, &st->last))
		return 0;
	event_id(id, sizeof id, st, 0);
	o = job_progress_json(&st->job);
	r = stream_send_json(s, id, "progress", o);
	json_object_put(o);
	st->last = st->job;
	st->progress_sent = 1;
	return r;
}

static int
add_trade(const struct trade *t, void *arg)
{
	struct job_state	*st = arg;

	st->batch[st->nbatch++] = *t;
	return 0;
}

static int
read_trades(struct store_txn *txn, void *arg)
{
	struct job_state	*st = arg;

	st->nbatch = 0;
	return trades_list(txn, st->job.id, st->sent, TRADE_BATCH, add_trade,
	    st);
}

/*
 * Sends the transactions past those the client holds, up to the count the
 * job had when last read, in batches of a few hundred.
 */
static int
send_trades(struct stream *s, struct job_state *st)
{
	json_object	*o, *arr;
	char		 id[64], err[256];
	int		 i, r;

	while (st->sent < st->job.trade_count) {
		if (store_read(s->store, read_trades, st, err,
		    sizeof err) != 0) {
			log_error("progress stream: %s", err);
			return 0;
		}
		if (st->nbatch == 0)
			break;	/* reset for a rerun: the trades come again */
		arr = json_object_new_array();
		for (i = 0; i < st->nbatch; i++)
			json_object_array_add(arr, trade_to_json(&st->batch[i]));
		st->sent = st->batch[st->nbatch - 1].seq;
		o = json_object_new_object();
		json_object_object_add(o, "job_id",
		    json_object_new_string(st->job.id));
		json_object_object_add(o, "transactions", arr);
		event_id(id, sizeof id, st, 0);
		r = stream_send_json(s, id, "transaction", o);
		json_object_put(o);
		if (r == -1)
			return -1;
	}
	return 0;
}

/* Sends what the client lacks of the job as last read. */
static int
send_state(struct stream *s, struct job_state *st)
{
	json_object	*o;
	char		 id[64];
	int		 r;

	if (st->gone) {
		stream_send_error(s, "not_found", "the job was deleted");
		return -1;
	}
	if (send_progress(s, st) == -1 || send_trades(s, st) == -1)
		return -1;
	if (!job_is_finished(&st->job) || st->terminal_sent ||
	    st->sent < st->job.trade_count)
		return 0;
	event_id(id, sizeof id, st, 1);
	o = job_terminal_json(&st->job);
	r = stream_send_json(s, id, job_terminal_event(&st->job), o);
	json_object_put(o);
	st->terminal_sent = 1;
	return r;
}

static int
start_job(struct stream *s, void *state)
{
	struct job_state	*st = state;
	json_object		*o;
	char			 id[64];
	int			 r;

	event_id(id, sizeof id, st, 0);
	o = json_object_new_object();
	json_object_object_add(o, "stream", json_object_new_string("progress"));
	json_object_object_add(o, "job_id", json_object_new_string(s->id));
	r = stream_send_json(s, id, "connection", o);
	json_object_put(o);
	if (r == -1)
		return -1;
	return send_state(s, st);
}

static int
note_change(const struct change *c, void *arg)
{
	struct read_arg	*ra = arg;

	ra->seq = c->seq;
	if (strcmp(c->id, ra->s->id) == 0)
		ra->changed = 1;
	return 0;
}

static int
read_update(struct store_txn *txn, void *arg)
{
	struct read_arg		*ra = arg;
	struct job_state	*st = ra->st;
	uint64_t		 first;
	int			 r;

	/* A retried read starts again from where the stream stands. */
	ra->changed = 0;
	ra->seq = st->seq;
	st->gone = 0;
	if ((r = changelog_first(txn, &first)) != 0)
		return r;
	if (first > st->seq + 1) {
		/*
		 * Changes we never read were trimmed, and the job's may be
		 * among them: read it as it is now.
		 */
		ra->changed = 1;
		if ((r = changelog_head(txn, &ra->seq)) != 0)
			return r;
	} else if ((r = changelog_read_since(txn, ra->s->uid, st->seq,
	    note_change, ra)) != 0)
		return r;
	if (!ra->changed)
		return 0;
	if ((r = read_job(txn, ra->s, &st->job)) == ENOENT) {
		st->gone = 1;
		return 0;
	}
	return r;
}

static int
update_job(struct stream *s, void *state)
{
	struct job_state	*st = state;
	struct read_arg		 ra = { s, st, 0, 0 };
	char			 err[256];

	if (store_read(s->store, read_update, &ra, err, sizeof err) != 0) {
		log_error("progress stream: %s", err);
		return 0;
	}
	st->seq = ra.seq;
	if (!ra.changed)
		return 0;
	return send_state(s, st);
}

const struct stream_kind stream_job = {
	"progress", open_job, start_job, update_job, free_job,
};
