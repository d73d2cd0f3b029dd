/* jobctl.h: what a user may do to jobs (submit, look, cancel, delete): one set of rules for REST and CLI. */
#ifndef BACKSTREAM_JOBCTL_H
#define BACKSTREAM_JOBCTL_H

#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "job.h"
#include "spec.h"
#include "store.h"
#include "trade.h"

/*
 * The size of a list (REST and streams alike: the stream's list must be
 * the REST list): ?limit= defaults to this and may go up to the maximum.
 */
#define LIST_LIMIT_DEFAULT	10
#define LIST_LIMIT_MAX		500

/*
 * Every function scopes its reads and writes to uid: another user's job
 * answers exactly like a job that does not exist.  Results: 0; ENOENT
 * (no such job of this user); EDQUOT (too many queued jobs); EALREADY
 * (the job has finished and cannot be cancelled); or a store code.  A
 * reason for the user goes into err.
 */

/*
 * Queues a new job for uid with an already validated spec, refusing it if
 * the user has max_queued jobs queued.  Fills *out with the stored job.
 */
int	jobctl_submit(struct store *s, const char *uid,
	    const struct job_spec *spec, int max_queued, struct job *out,
	    char *err, size_t errlen);
/* Reads one of uid's jobs. */
int	jobctl_get(struct store *s, const char *uid, const char *id,
	    struct job *out, char *err, size_t errlen);
/*
 * Cancels a job: a queued one at once, a running one by asking its engine
 * (which stops within 200 ms and marks it cancelled).  *out gets the job.
 */
int	jobctl_cancel(struct store *s, const char *uid, const char *id,
	    struct job *out, char *err, size_t errlen);
/*
 * Deletes a job with its trades and history entry, cancelling it first if
 * it is queued or running; streams show the cancel and then the removal.
 */
int	jobctl_delete(struct store *s, const char *uid, const char *id,
	    char *err, size_t errlen);
/* Reads a history entry (a finished backtest) of uid. */
int	jobctl_get_backtest(struct store *s, const char *uid, const char *id,
	    struct history_entry *out, char *err, size_t errlen);

/*
 * Collects uid's jobs (status -1: any), newest first, at most limit.
 * *jobs is a new array the caller frees; *n its length.
 */
int	jobctl_list(struct store *s, const char *uid, int status, int limit,
	    struct job **jobs, size_t *n, char *err, size_t errlen);
/* Collects uid's history entries, newest first, at most limit. */
int	jobctl_history(struct store *s, const char *uid, int limit,
	    struct history_entry **entries, size_t *n, char *err,
	    size_t errlen);
/* Collects the trades of one of uid's jobs, in order (ENOENT if not theirs). */
int	jobctl_trades(struct store *s, const char *uid, const char *id,
	    struct trade **trades, size_t *n, char *err, size_t errlen);

/*
 * Ownership, inside a caller's transaction (the streams read in their
 * own): the one place that says whose a job or backtest is.  Each reads
 * the record into *out and returns 0 if it is uid's, ENOENT if it is
 * another user's or there is none, or a store code; they set no reason,
 * so that a caller for whom ENOENT is no failure leaves none behind.
 */
int	jobctl_own_job(struct store_txn *txn, const char *uid,
	    const char *id, struct job *out);
int	jobctl_own_backtest(struct store_txn *txn, const char *uid,
	    const char *id, struct history_entry *out);

#endif
