/* stream-job.c: one job's progress stream: progress, transaction batches, then completed, failed or cancelled. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "follow.h"
#include "ids.h"
#include "job.h"
#include "jobctl.h"
#include "json.h"
#include "log.h"
#include "sse.h"
#include "store-trades.h"
#include "stream.h"
#include "xmalloc.h"

/*
 * Event ids are "S.T", or "S.T.end" on the terminal event: S the user's
 * own change number the stream has read up to (lib/follow.h), T how many
 * transactions the client holds.
 * A resumed stream sends the current progress and only transactions past
 * T; a client holding ".end" of a finished job gets 204.  T counts trades
 * in their fixed order, so a job run again after an engine crash (which
 * makes the same trades) is resumed without duplicates.
 */

#define TRADE_BATCH	500

struct job_state {
	struct job	 job;		/* as last read */
	struct follower	 follow;
	uint32_t	 sent;		/* transactions the client holds */
	int		 terminal_sent;
	int		 progress_sent;
	struct job	 last;		/* the progress the client has */
	struct job	 tail_job;	/* as a read from the tail found it */
	int		 gone;		/* the job was deleted */
	struct trade	 batch[TRADE_BATCH];
	int		 nbatch;
};

/* What a read of the job found. */
struct read_arg {
	struct stream		*s;
	struct job_state	*st;
	int			 changed;	/* the job changed */
};

static int
read_open(struct store_txn *txn, void *arg)
{
	struct read_arg	*ra = arg;

	return jobctl_own_job(txn, ra->s->uid, ra->s->id, &ra->st->job);
}

static int
open_job(struct stream *s, void **state, char *err, size_t errlen)
{
	struct job_state	*st;
	struct read_arg		 ra;
	uint64_t		 seq, trades;
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
	st->follow.uid = s->uid;
	st->follow.stats = &s->follow_stats;
	if ((r = follow_start(s->store, &st->follow, read_open, &ra, err,
	    errlen)) == ENOENT) {
		snprintf(err, errlen, "no job %s", s->id);
		return 404;
	}
	if (r != 0) {
		log_error("progress stream: %s", err);
		snprintf(err, errlen, "the store is unavailable");
		return 503;
	}
	if (sse_parse_position(s->last_id, &seq, &trades, &end) == 0 &&
	    trades <= UINT32_MAX) {
		if (end && job_is_finished(&st->job))
			return 204;
		st->sent = (uint32_t)trades;
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
	snprintf(out, len, "%" PRIu64 ".%" PRIu32 "%s", st->follow.useq,
	    st->sent, end ? ".end" : "");
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

static void
reset_read(void *arg)
{
	struct read_arg	*ra = arg;

	ra->changed = 0;
	ra->st->gone = 0;
}

static int
note_change(const struct change *c, void *arg)
{
	struct read_arg	*ra = arg;

	if (strcmp(c->id, ra->s->id) == 0)
		ra->changed = 1;
	return 0;
}

static int
read_update(struct store_txn *txn, int behind, void *arg)
{
	struct read_arg	*ra = arg;
	int		 r;

	/* Behind, the job's changes may be among those trimmed: read it. */
	if (behind)
		ra->changed = 1;
	if (!ra->changed)
		return 0;
	r = jobctl_own_job(txn, ra->s->uid, ra->s->id, &ra->st->job);
	if (r == ENOENT) {
		ra->st->gone = 1;
		return 0;
	}
	return r;
}

/*
 * From the tail: the job's record as its last change stored it.  Any
 * other change of it (transactions appended or reset, its deletion) or a
 * record that did not fit is read in the store, as before.
 */
static int
tail_note(const struct tail_entry *e, void *arg)
{
	struct read_arg	*ra = arg;

	if (strcmp(e->change.id, ra->s->id) != 0)
		return 0;
	if (e->change.kind != CHANGE_JOB || e->rec_len == 0 ||
	    job_decode(e->rec, e->rec_len, &ra->st->tail_job) == -1 ||
	    strcmp(ra->st->tail_job.uid, ra->s->uid) != 0 ||
	    strcmp(ra->st->tail_job.id, ra->s->id) != 0)
		return FOLLOW_STORE;
	ra->changed = 1;
	return 0;
}

static int
tail_read(void *arg)
{
	struct read_arg	*ra = arg;

	if (ra->changed)
		ra->st->job = ra->st->tail_job;
	return 0;
}

static const struct follow_ops job_follow = {
	reset_read, note_change, read_update, tail_note, tail_read,
};

static int
update_job(struct stream *s, void *state)
{
	struct job_state	*st = state;
	struct read_arg		 ra = { s, st, 0 };
	char			 err[256];

	if (follow_update(s->store, &st->follow, s->follow_flags, &job_follow,
	    &ra, err, sizeof err) == -1) {
		log_error("progress stream: %s", err);
		return 0;
	}
	if (!ra.changed)
		return 0;
	return send_state(s, st);
}

const struct stream_kind stream_job = {
	"progress", open_job, start_job, update_job, free_job,
};
