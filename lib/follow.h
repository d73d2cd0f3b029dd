/* follow.h: following one user's change log from a point: the first read, trimmed-log detection and the reads since. */
#ifndef BACKSTREAM_FOLLOW_H
#define BACKSTREAM_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "changelog.h"
#include "store.h"
#include "tail.h"

/*
 * A follower stands at a change-log sequence number: what it has told its
 * client is current up to there.  Each read takes the user's changes past
 * that point and moves it on; when the log was trimmed past the point,
 * changes were lost and the follower says so (the caller then reads its
 * state afresh) and moves to the head.  The caller only says what to do
 * with the changes and what to read with them.  A woken follower first
 * tries the tail of the log in shared memory (lib/tail.h), which carries
 * the changes and the records written with them: most wakes then need no
 * transaction at all.
 */

/* How a follower's reads went: the stream's closing log line shows them. */
struct follow_stats {
	uint64_t	tail;		/* updates read from the tail alone */
	uint64_t	store;		/* updates read in a transaction */
};

struct follower {
	const char	*uid;		/* borrowed: the user followed */
	uint64_t	 seq;		/* current up to here */
	/*
	 * The user's own number (struct change's useq) of the newest of its
	 * changes up to seq: what event ids show, as seq would tell of other
	 * users' changes.
	 */
	uint64_t	 useq;
	struct follow_stats *stats;	/* borrowed; NULL: not counted */
};

/* What a read found. */
enum follow_result {
	FOLLOW_QUIET,		/* none of the user's changes past seq */
	FOLLOW_CHANGED,		/* changes were given to ops->change */
	FOLLOW_BEHIND,		/* the log was trimmed past seq */
};

/* follow_update's flags. */
#define FOLLOW_WOKEN	0x1	/* a commit woke the caller: trust the tail */

/* What tail_change and tail_read return for "read this in the store". */
#define FOLLOW_STORE	(-2)

struct follow_ops {
	/*
	 * Called before each attempt of a read (a read may run again after
	 * the store's recovery, or in the store after the tail): forget what
	 * an earlier attempt noted.
	 */
	void	(*reset)(void *arg);
	/* One of the user's changes past seq; returns 0 or a store code. */
	int	(*change)(const struct change *c, void *arg);
	/*
	 * Last, in the same transaction: reads what the caller needs.
	 * behind: the log was trimmed and changes were lost, so read all.
	 * Returns 0 or a store code.
	 */
	int	(*read)(struct store_txn *txn, int behind, void *arg);
	/*
	 * Optional (NULL: always the store): the same two steps from the
	 * tail (lib/tail.h), without a transaction.  tail_change is given
	 * each of the user's changes with the record its transaction stored
	 * (e->rec_len 0 when it has none, e->too_big when it did not fit);
	 * tail_read then does read's work from them alone.  Either returns 0,
	 * or FOLLOW_STORE when what it needs is only in the store: the whole
	 * read is then done there, after reset.
	 */
	int	(*tail_change)(const struct tail_entry *e, void *arg);
	int	(*tail_read)(void *arg);
};

/*
 * Starts following: in one read transaction takes the head of the log as
 * f->seq (and the user's as f->useq) and calls read (may be NULL) for the state the client starts
 * from.  Returns 0, read's code, or a store code with a reason in err.
 */
int	follow_start(struct store *st, struct follower *f,
	    int (*read)(struct store_txn *txn, void *arg), void *arg,
	    char *err, size_t errlen);
/*
 * Reads what changed past f->seq and moves f->seq (to the newest change,
 * anyone's, that it saw) and f->useq on.  With ops->tail_change set,
 * from the tail when it holds every change since f->seq and the ops need
 * nothing else: always when FOLLOW_WOKEN is in flags, and on the timed
 * poll (no flag) when no writer is in flight (tail_settled: one that died
 * between its commit and its wake may not have published either).
 * Otherwise in one read transaction, so that the store stays the truth
 * and a fault of the tail only sends a read there.  Returns a
 * follow_result, or -1 with a reason in err (f unchanged).
 */
int	follow_update(struct store *st, struct follower *f, int flags,
	    const struct follow_ops *ops, void *arg, char *err,
	    size_t errlen);

#endif
