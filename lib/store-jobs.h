/* store-jobs.h: the jobs table and its indexes (by user, by user and status, by status). */
#ifndef BACKSTREAM_STORE_JOBS_H
#define BACKSTREAM_STORE_JOBS_H

#include "job.h"
#include "store.h"

/*
 * All of these run inside a store transaction and return 0, ENOENT (no
 * such job), or a store code.  Writes append their change-log record.
 */

/* Reads job id into j. */
int	jobs_get(struct store_txn *txn, const char *id, struct job *j);
/*
 * Reads job id for a read-modify-write: the record stays write-locked
 * until the commit, so a concurrent writer cannot slip in between.
 */
int	jobs_get_for_update(struct store_txn *txn, const char *id,
	    struct job *j);
/*
 * Stores a new job: takes its change seq as j->create_seq (the list
 * order) and logs CHANGE_JOB.  EEXIST if the id is taken.
 */
int	jobs_create(struct store_txn *txn, struct job *j);
/* Stores a changed job and logs CHANGE_JOB. */
int	jobs_update(struct store_txn *txn, const struct job *j);
/* Removes job id and logs CHANGE_JOB_DELETED. */
int	jobs_remove(struct store_txn *txn, const struct job *j);

/*
 * Calls fn for uid's jobs, newest first, only those with status (or all
 * if status is -1), until fn returns non-zero or limit jobs were given
 * (limit 0: no limit).  fn's non-zero return other than STORE_STOP is
 * returned; STORE_STOP just stops.
 */
int	jobs_list(struct store_txn *txn, const char *uid, int status,
	    int limit, int (*fn)(const struct job *j, void *arg), void *arg);
/* Like jobs_list over every user's jobs of one status, oldest first. */
int	jobs_scan_status(struct store_txn *txn, enum job_status status,
	    int (*fn)(const struct job *j, void *arg), void *arg);
/* Counts uid's jobs in status, stopping at max. */
int	jobs_count(struct store_txn *txn, const char *uid,
	    enum job_status status, int max, int *count);

#endif
