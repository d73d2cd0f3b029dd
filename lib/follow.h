/* follow.h: following one user's change log from a point: the first read, trimmed-log detection and the reads since. */
#ifndef BACKSTREAM_FOLLOW_H
#define BACKSTREAM_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "changelog.h"
#include "store.h"

/*
 * A follower stands at a change-log sequence number: what it has told its
 * client is current up to there.  Each read takes the user's changes past
 * that point and moves it on; when the log was trimmed past the point,
 * changes were lost and the follower says so (the caller then reads its
 * state afresh) and moves to the head.  The caller only says what to do
 * with the changes and what to read with them.
 */
struct follower {
	const char	*uid;		/* borrowed: the user followed */
	uint64_t	 seq;		/* current up to here */
	/*
	 * The user's own number (struct change's useq) of the newest of its
	 * changes up to seq: what event ids show, as seq would tell of other
	 * users' changes.
	 */
	uint64_t	 useq;
};

/* What a read found. */
enum follow_result {
	FOLLOW_QUIET,		/* nothing past seq: seq unchanged */
	FOLLOW_CHANGED,		/* changes were given to ops->change */
	FOLLOW_BEHIND,		/* the log was trimmed past seq */
};

struct follow_ops {
	/*
	 * Called before each attempt of a read (a read may run again after
	 * the store's recovery): forget what an earlier attempt noted.
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
 * Reads what changed past f->seq in one read transaction and moves f->seq
 * and f->useq on.  Returns a follow_result, or -1 with a reason in err (f unchanged).
 */
int	follow_update(struct store *st, struct follower *f,
	    const struct follow_ops *ops, void *arg, char *err,
	    size_t errlen);

#endif
