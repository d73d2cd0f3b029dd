/* changelog.h: the append-only log of what changed, in commit order; streams follow it. */
#ifndef BACKSTREAM_CHANGELOG_H
#define BACKSTREAM_CHANGELOG_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"
#include "store.h"

/*
 * Every write transaction appends one record per thing it changed, in the
 * same transaction, under a sequence number that only grows: commit order
 * is sequence order, because every writer takes the counter and holds it
 * until it commits.  Numbers survive restarts and never repeat (they jump
 * after a reboot).  Each user's changes are numbered on their own as well
 * (useq), under the same rules: streams show those in event ids.
 */
enum change_kind {
	CHANGE_JOB = 1,		/* a job was created or updated */
	CHANGE_JOB_DELETED,
	CHANGE_BACKTEST,	/* a history entry was added or updated */
	CHANGE_BACKTEST_DELETED,
	CHANGE_TRADES,		/* trades appended to a job; aux = last seq */
	CHANGE_TRADES_RESET,	/* a job's trades removed for a re-run */
	CHANGE_BARS,		/* bars imported; id = symbol, no user */
};

struct change {
	uint64_t		seq;
	/*
	 * The user's own number: 1, 2, … for its changes only, so that the
	 * ids a user sees say nothing of others' activity.  0 for CHANGE_BARS
	 * and for records of a store from before the numbers (format 1).
	 */
	uint64_t		useq;
	int64_t			time_ms;	/* wall clock of the commit */
	enum change_kind	kind;
	char			uid[UID_MAX + 1];	/* "" for CHANGE_BARS */
	char			id[ID_MAX + 1];
	uint32_t		aux;
};

/*
 * Appends a record in txn (a write transaction) and notes the user's
 * notify word for waking after the commit.  Returns 0 or a store code.
 */
int	changelog_append(struct store_txn *txn, enum change_kind kind,
	    const char *uid, const char *id, uint32_t aux);
/*
 * Adds to the change just appended in txn the record (a job's or a
 * history entry's stored bytes, len of them, borrowed) that its
 * transaction stores, and the record's API shape as JSON text (text,
 * borrowed; NULL if none), for the streams that read the tail
 * (lib/tail.h).
 */
void	changelog_append_record(struct store_txn *txn, const void *rec,
	    size_t len, const char *text);
/*
 * Calls fn for each of uid's changes with seq > after, in order, until fn
 * returns non-zero (which is returned).  Returns 0 or a store code.
 */
int	changelog_read_since(struct store_txn *txn, const char *uid,
	    uint64_t after, int (*fn)(const struct change *c, void *arg),
	    void *arg);
/*
 * Calls fn for each change, of any user, with seq > after, in order,
 * until fn returns non-zero (which is returned).  Returns 0 or a store
 * code.
 */
int	changelog_read_after(struct store_txn *txn, uint64_t after,
	    int (*fn)(const struct change *c, void *arg), void *arg);
/* The newest committed sequence number (0 when none) as txn sees it. */
int	changelog_head(struct store_txn *txn, uint64_t *seq);
/*
 * uid's newest own number (struct change's useq; 0 before its first
 * change) as txn sees it.  Returns 0 or a store code.
 */
int	changelog_user_head(struct store_txn *txn, const char *uid,
	    uint64_t *useq);
/*
 * The oldest sequence number still in the log; a client whose last event
 * is older than this minus one cannot be resumed from the log.
 */
int	changelog_first(struct store_txn *txn, uint64_t *seq);
/*
 * Deletes records older than cutoff_ms, in batches of short transactions.
 * Returns the number deleted, or -1 with a reason in err.
 */
int64_t	changelog_trim(struct store *s, int64_t cutoff_ms, char *err,
	    size_t errlen);
/*
 * (changelog_user_key and changelog_reboot_jump, which the store itself
 * calls, are declared in store-int.h.)
 */

#endif
