/* store-trades.h: the trades (transactions) of each job, in fill order. */
#ifndef BACKSTREAM_STORE_TRADES_H
#define BACKSTREAM_STORE_TRADES_H

#include <stddef.h>
#include <stdint.h>

#include "job.h"
#include "store.h"
#include "trade.h"

/*
 * Appends n trades of job j (their seq fields set by the caller,
 * continuing the job's count) and logs CHANGE_TRADES with the last seq.
 * Returns 0 or a store code.
 */
int	trades_append(struct store_txn *txn, const struct job *j,
	    const struct trade *t, size_t n);
/*
 * Calls fn for each trade of job_id with seq > after, in order, until fn
 * returns non-zero (STORE_STOP stops quietly) or limit were given (0: no
 * limit).  Returns 0 or a store code.
 */
int	trades_list(struct store_txn *txn, const char *job_id, uint32_t after,
	    int limit, int (*fn)(const struct trade *t, void *arg), void *arg);
/*
 * Removes every trade of job j, logging CHANGE_TRADES_RESET if there were
 * any (a crashed run is started again from the beginning).
 */
int	trades_clear(struct store_txn *txn, const struct job *j);

#endif
