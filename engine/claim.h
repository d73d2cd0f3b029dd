/* claim.h: taking queued jobs, and giving back those whose engine process died. */
#ifndef BACKSTREAM_CLAIM_H
#define BACKSTREAM_CLAIM_H

#include <stddef.h>

#include "job.h"
#include "store.h"

/*
 * Marks the oldest queued job running and owned by this process, in one
 * transaction, so that overlapping engine runs never take the same job.
 * Returns 0 with *job filled, ENOENT when nothing is queued, or a store
 * code with a reason in err.
 */
int	claim_next(struct store *s, struct job *job, char *err, size_t errlen);

/*
 * Finds running jobs whose owner process is gone: each is queued again
 * from the start (its trades removed) up to retries times, and failed
 * with "engine crashed" after that; one whose cancel was asked for ends
 * cancelled, keeping its trades.  Sets
 * *found to how many were handled.  Returns 0 or a store code.
 */
int	claim_recover_orphans(struct store *s, int retries, int *found,
	    char *err, size_t errlen);

#endif
