/* store-history.h: the history table (finished backtests) and its per-user index. */
#ifndef BACKSTREAM_STORE_HISTORY_H
#define BACKSTREAM_STORE_HISTORY_H

#include "history.h"
#include "store.h"

/* Each returns 0, ENOENT, or a store code; writes log their change. */
int	history_get(struct store_txn *txn, const char *id,
	    struct history_entry *h);
/* Stores a new entry; takes its change seq as h->seq (the list order). */
int	history_create(struct store_txn *txn, struct history_entry *h);
int	history_remove(struct store_txn *txn, const struct history_entry *h);
/*
 * Calls fn for uid's entries newest first until fn returns non-zero
 * (STORE_STOP stops quietly) or limit entries were given (0: no limit).
 */
int	history_list(struct store_txn *txn, const char *uid, int limit,
	    int (*fn)(const struct history_entry *h, void *arg), void *arg);

#endif
