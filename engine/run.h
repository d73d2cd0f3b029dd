/* run.h: running one claimed job: bars in, progress, trades and the result out. */
#ifndef BACKSTREAM_RUN_H
#define BACKSTREAM_RUN_H

#include <signal.h>
#include <stddef.h>

#include "job.h"
#include "store.h"

/* How a run ended, besides the job's own status. */
enum run_end {
	RUN_FINISHED,	/* completed, failed or cancelled: the job says which */
	RUN_GONE,	/* deleted, or taken from us, while it ran */
	RUN_STOPPED,	/* *stop was set: the job was queued again */
	RUN_ERROR,	/* the store failed; err says why */
};

/*
 * Runs job (claimed by this process) to its end.  Progress, with the
 * trades made since the last write, is written about ten times a second,
 * each write one transaction with its change-log record; a cancel request
 * seen there stops the run.  When *stop becomes non-zero (SIGTERM), the
 * job goes back to the queue unchanged, to be run again from the start.
 * bar_rate, if not 0, holds the run to that many bars a second (demos).
 */
enum run_end	run_job(struct store *s, struct job *job, int64_t bar_rate,
		    volatile sig_atomic_t *stop, char *err, size_t errlen);

#endif
