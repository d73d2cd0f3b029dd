/* jobctl.c: user operations on jobs, each one store transaction. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ids.h"
#include "jobctl-forward.h"
#include "jobctl.h"
#include "notify.h"
#include "store-history.h"
#include "store-jobs.h"
#include "store-trades.h"
#include "xmalloc.h"

struct op {
	const char		*uid;
	const char		*id;
	const struct job_spec	*spec;
	int			 max_queued;
	struct job		*job;
};

/* ---- ownership ------------------------------------------------------------ */

/* Whether a record of owner is uid's. */
static int
owned_by(const char *owner, const char *uid)
{
	return strcmp(owner, uid) == 0;
}

static int
read_own_job(struct store_txn *txn, const char *uid, const char *id,
    int for_update, struct job *out)
{
	int	r;

	r = for_update ? jobs_get_for_update(txn, id, out) :
	    jobs_get(txn, id, out);
	if (r == 0 && !owned_by(out->uid, uid))
		r = ENOENT;
	return r;
}

int
jobctl_own_job(struct store_txn *txn, const char *uid, const char *id,
    struct job *out)
{
	return read_own_job(txn, uid, id, 0, out);
}

int
jobctl_own_backtest(struct store_txn *txn, const char *uid, const char *id,
    struct history_entry *out)
{
	int	r;

	if ((r = history_get(txn, id, out)) == 0 && !owned_by(out->uid, uid))
		r = ENOENT;
	return r;
}

/* ---- operations ------------------------------------------------------------ */

/* Reads id (for update if asked) and checks it is uid's: ENOENT otherwise. */
static int
own_job(struct store_txn *txn, const struct op *op, int for_update)
{
	int	r;

	r = read_own_job(txn, op->uid, op->id, for_update, op->job);
	if (r == ENOENT)
		return store_fail(txn, ENOENT, "no job %s", op->id);
	return r;
}

static int
submit(struct store_txn *txn, void *arg)
{
	struct op	*op = arg;
	struct job	*j = op->job;
	int		 queued, r;

	if ((r = jobs_count(txn, op->uid, JOB_QUEUED, op->max_queued,
	    &queued)) != 0)
		return r;
	if (queued >= op->max_queued)
		return store_fail(txn, EDQUOT, "you have %d queued jobs, the "
		    "most allowed; wait for some to start or cancel them",
		    queued);
	/* The id was chosen before the first attempt: a retry is the same job. */
	r = jobs_create(txn, j);
	if (r == 0)
		store_txn_wake(txn, NOTIFY_QUEUE);
	return r;
}

int
jobctl_submit(struct store *s, const char *uid, const struct job_spec *spec,
    int max_queued, struct job *out, char *err, size_t errlen)
{
	struct op	op = { uid, NULL, spec, max_queued, out };

	if (store_is_replicated(s) && !store_is_master(s))
		return jobctl_forward(s, JOBCTL_SUBMIT, uid, NULL, spec,
		    max_queued, out, err, errlen);
	memset(out, 0, sizeof *out);
	id_new(out->id);
	snprintf(out->uid, sizeof out->uid, "%s", uid);
	out->status = JOB_QUEUED;
	out->created_at = time(NULL);
	out->spec = *spec;
	snprintf(out->message, sizeof out->message, "queued");
	return store_write(s, STORE_SYNC, submit, &op, err, errlen);
}

static int
get(struct store_txn *txn, void *arg)
{
	return own_job(txn, arg, 0);
}

int
jobctl_get(struct store *s, const char *uid, const char *id, struct job *out,
    char *err, size_t errlen)
{
	struct op	op = { uid, id, NULL, 0, out };

	return store_read(s, get, &op, err, errlen);
}

static int
cancel(struct store_txn *txn, void *arg)
{
	struct op	*op = arg;
	struct job	*j = op->job;
	int		 r;

	if ((r = own_job(txn, op, 1)) != 0)
		return r;
	switch (j->status) {
	case JOB_QUEUED:
		j->status = JOB_CANCELLED;
		j->finished_at = time(NULL);
		snprintf(j->message, sizeof j->message, "cancelled");
		break;
	case JOB_RUNNING:
		if (j->cancel_requested)
			return 0;
		j->cancel_requested = 1;
		snprintf(j->message, sizeof j->message, "cancelling");
		break;
	default:
		return store_fail(txn, EALREADY, "job %s is already %s",
		    j->id, job_status_name(j->status));
	}
	return jobs_update(txn, j);
}

int
jobctl_cancel(struct store *s, const char *uid, const char *id,
    struct job *out, char *err, size_t errlen)
{
	struct op	op = { uid, id, NULL, 0, out };

	if (store_is_replicated(s) && !store_is_master(s))
		return jobctl_forward(s, JOBCTL_CANCEL, uid, id, NULL, 0, out,
		    err, errlen);
	return store_write(s, STORE_SYNC, cancel, &op, err, errlen);
}

static int
delete(struct store_txn *txn, void *arg)
{
	struct op		*op = arg;
	struct job		*j = op->job;
	struct history_entry	 h;
	int			 r;

	if ((r = own_job(txn, op, 1)) != 0)
		return r;
	/*
	 * An active job is cancelled in the same transaction, so a progress
	 * stream says "cancelled" before the job goes; its engine finds the
	 * job gone at its next write and stops.
	 */
	if (!job_is_finished(j)) {
		j->status = JOB_CANCELLED;
		j->finished_at = time(NULL);
		snprintf(j->message, sizeof j->message, "cancelled (deleted)");
		if ((r = jobs_update(txn, j)) != 0)
			return r;
	}
	if ((r = trades_clear(txn, j)) != 0)
		return r;
	if (j->backtest_id[0] != '\0') {
		r = history_get(txn, j->backtest_id, &h);
		if (r == 0)
			r = history_remove(txn, &h);
		if (r != 0 && r != ENOENT)
			return r;
	}
	return jobs_remove(txn, j);
}

int
jobctl_delete(struct store *s, const char *uid, const char *id, char *err,
    size_t errlen)
{
	struct job	*j;
	struct op	 op = { uid, id, NULL, 0, NULL };
	int		 r;

	if (store_is_replicated(s) && !store_is_master(s))
		return jobctl_forward(s, JOBCTL_DELETE, uid, id, NULL, 0, NULL,
		    err, errlen);
	op.job = j = xmalloc(sizeof *j);
	r = store_write(s, STORE_SYNC, delete, &op, err, errlen);
	free(j);
	return r;
}

struct backtest_op {
	const char		*uid;
	const char		*id;
	struct history_entry	*out;
};

static int
get_backtest(struct store_txn *txn, void *arg)
{
	struct backtest_op	*op = arg;
	int			 r;

	r = jobctl_own_backtest(txn, op->uid, op->id, op->out);
	if (r == ENOENT)
		return store_fail(txn, ENOENT, "no backtest %s", op->id);
	return r;
}

int
jobctl_get_backtest(struct store *s, const char *uid, const char *id,
    struct history_entry *out, char *err, size_t errlen)
{
	struct backtest_op	op = { uid, id, out };

	return store_read(s, get_backtest, &op, err, errlen);
}

/* ---- lists ----------------------------------------------------------------- */

/* A growable array of fixed-size items, filled by a store scan. */
struct collect {
	const char	*uid;
	const char	*id;
	int		 status;
	int		 limit;
	void		*items;
	size_t		 n;
	size_t		 cap;
	size_t		 size;
	struct job	 job;
};

static int
add_item(struct collect *c, const void *item)
{
	if (c->n == c->cap) {
		c->cap = c->cap == 0 ? 16 : c->cap * 2;
		c->items = xreallocarray(c->items, c->cap, c->size);
	}
	memcpy((char *)c->items + c->n++ * c->size, item, c->size);
	return 0;
}

static int
add_job(const struct job *j, void *arg)
{
	return add_item(arg, j);
}

static int
add_entry(const struct history_entry *h, void *arg)
{
	return add_item(arg, h);
}

static int
add_trade(const struct trade *t, void *arg)
{
	return add_item(arg, t);
}

/* A snapshot read may run again after recovery: start empty each time. */
static void
restart(struct collect *c)
{
	c->n = 0;
}

static int
list_jobs(struct store_txn *txn, void *arg)
{
	struct collect	*c = arg;

	restart(c);
	return jobs_list(txn, c->uid, c->status, c->limit, add_job, c);
}

static int
list_history(struct store_txn *txn, void *arg)
{
	struct collect	*c = arg;

	restart(c);
	return history_list(txn, c->uid, c->limit, add_entry, c);
}

static int
list_trades(struct store_txn *txn, void *arg)
{
	struct collect	*c = arg;
	struct op	 op = { c->uid, c->id, NULL, 0, &c->job };
	int		 r;

	restart(c);
	if ((r = own_job(txn, &op, 0)) != 0)
		return r;
	return trades_list(txn, c->id, 0, 0, add_trade, c);
}

/* Runs fn to fill a new array of items of size bytes; frees it on failure. */
static int
collect(struct store *s, int (*fn)(struct store_txn *, void *),
    const char *uid, const char *id, int status, int limit, size_t size,
    void **items, size_t *n, char *err, size_t errlen)
{
	struct collect	*c;
	int		 r;

	c = xcalloc(1, sizeof *c);
	c->uid = uid;
	c->id = id;
	c->status = status;
	c->limit = limit;
	c->size = size;
	if ((r = store_read(s, fn, c, err, errlen)) != 0) {
		free(c->items);
		c->items = NULL;
		c->n = 0;
	}
	*items = c->items;
	*n = c->n;
	free(c);
	return r;
}

int
jobctl_list(struct store *s, const char *uid, int status, int limit,
    struct job **jobs, size_t *n, char *err, size_t errlen)
{
	void	*items;
	int	 r;

	r = collect(s, list_jobs, uid, NULL, status, limit, sizeof **jobs,
	    &items, n, err, errlen);
	*jobs = items;
	return r;
}

int
jobctl_history(struct store *s, const char *uid, int limit,
    struct history_entry **entries, size_t *n, char *err, size_t errlen)
{
	void	*items;
	int	 r;

	r = collect(s, list_history, uid, NULL, -1, limit, sizeof **entries,
	    &items, n, err, errlen);
	*entries = items;
	return r;
}

int
jobctl_trades(struct store *s, const char *uid, const char *id,
    struct trade **trades, size_t *n, char *err, size_t errlen)
{
	void	*items;
	int	 r;

	r = collect(s, list_trades, uid, id, -1, 0, sizeof **trades, &items,
	    n, err, errlen);
	*trades = items;
	return r;
}
