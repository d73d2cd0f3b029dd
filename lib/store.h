/* store.h: the Berkeley DB environment all processes share, and transactions on it. */
#ifndef BACKSTREAM_STORE_H
#define BACKSTREAM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <db.h>

struct conf;
struct notify;

/*
 * The databases of the environment.  Each family (a primary and the
 * secondary indexes BDB keeps in step with it) is opened together.
 */
enum store_table {
	STORE_META,			/* sequence counter, format, boot id */
	STORE_CHANGES,			/* seq -> change record */
	STORE_CHANGES_BY_USER,		/* uid, seq -> (secondary) */
	STORE_JOBS,			/* job id -> job record */
	STORE_JOBS_BY_USER,		/* uid, newest first */
	STORE_JOBS_BY_USER_STATUS,	/* uid, status, newest first */
	STORE_JOBS_BY_STATUS,		/* status, oldest first */
	STORE_HISTORY,			/* backtest id -> history record */
	STORE_HISTORY_BY_USER,		/* uid, newest first */
	STORE_TRADES,			/* job id, seq -> trade */
	STORE_BARS,			/* symbol, interval, block start -> bars */
	STORE_SYMBOLS,			/* symbol, interval -> range */
};
#define STORE_NTABLES	12

/* Version of the on-disk layout, kept in STORE_META. */
#define STORE_FORMAT	1

/* store_open() flags. */
#define STORE_CREATE	0x1	/* create the environment if it is missing */

/*
 * Opens (or with STORE_CREATE creates) the environment in cfg->store_dir.
 * Dead processes found at open are cleaned up, and recovery runs when one
 * died inside the library.  Returns NULL with a reason in err; the reason
 * says "run backstream init" when the directory holds no environment.
 * Only one store may be open per process (a Berkeley DB rule).
 */
struct store	*store_open(const struct conf *cfg, int flags, char *err,
		    size_t errlen);
/* Closes the environment cleanly.  NULL is fine. */
void		 store_close(struct store *s);
/*
 * For a child after fork(): forgets the parent's handles without closing
 * them (closing would unregister the parent).  The child opens its own.
 */
void		 store_forget(struct store *s);

/* The directory of the environment (owned by s). */
const char	*store_dir(const struct store *s);
/* The wake-up words shared by all processes of this environment. */
struct notify	*store_notify(struct store *s);

/*
 * A transaction in progress, handed to the function run by store_write()
 * or store_read().  Table modules use tid and db() directly.
 */
struct store_txn {
	struct store	*store;
	DB_TXN		*tid;
	int		 writable;
	uint64_t	 seq;		/* change seq taken by this txn, or 0 */
	int		 nwake;
	uint32_t	 wake[16];	/* notify words to bump after commit */
	int		 wake_all;	/* too many: bump every word */
	char		*err;		/* the caller's reason buffer */
	size_t		 errlen;
};

/* The handle of a table, valid for the duration of the transaction. */
DB	*store_db(struct store_txn *txn, enum store_table t);

/*
 * Runs fn(txn, arg) in a transaction and commits it if fn returns 0.  A
 * deadlock, a lock wait that timed out (a dead process may hold the lock:
 * dead processes are then cleaned up) or a crashed environment (reopened,
 * with recovery) makes it run fn again from the start, so fn must keep no
 * state from a failed attempt and must be idempotent on its inputs.  Any
 * other non-zero return from fn aborts and is returned as is: fn's own
 * codes are positive errno values (ENOENT, EINVAL, ...) with a reason
 * written to txn->err; Berkeley DB's are negative.  After the commit the
 * wake-up words the transaction noted are bumped.
 */
#define STORE_SYNC	0x1	/* flush the log to disk at commit */
int	store_write(struct store *s, int flags,
	    int (*fn)(struct store_txn *txn, void *arg), void *arg,
	    char *err, size_t errlen);
/*
 * Runs fn in a snapshot transaction: it sees the store as of its start,
 * takes no locks and never holds up a writer.  fn may run again after the
 * environment was recovered.
 */
int	store_read(struct store *s,
	    int (*fn)(struct store_txn *txn, void *arg), void *arg,
	    char *err, size_t errlen);
/*
 * Deletes the record keyed id from table t and logs change kind for uid:
 * 0, ENOENT if there is none, or a store code.
 */
int	store_delete(struct store_txn *txn, enum store_table t, int kind,
	    const char *uid, const char *id);
/* Notes that readers of notify word w should wake after the commit. */
void	store_txn_wake(struct store_txn *txn, uint32_t w);
/* Sets txn->err (if not already set) from a format; returns code. */
int	store_fail(struct store_txn *txn, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Tells the stall watchdog that a long operation is still making progress. */
void	store_progress(struct store *s);

/* Text for a code returned by store_write/store_read. */
const char *store_strerror(int code);

/*
 * Maintenance, run by the engine each cycle and by "backstream checkpoint":
 * cleans up after dead processes, checkpoints, and removes log files that
 * recovery no longer needs.
 */
int	store_checkpoint(struct store *s, char *err, size_t errlen);
/*
 * Checks every database's structure (DB->verify).  Returns 0, 1 when a
 * database is damaged (err names each), or -1 when the store could not be
 * opened and checked (err says why: a full disk is not damage).
 */
int	store_verify(const struct conf *cfg, char *err, size_t errlen);
/* Writes environment statistics as text lines to emit. */
int	store_stats(struct store *s, void (*emit)(const char *line, void *arg),
	    void *arg, char *err, size_t errlen);

/* --- helpers for table modules ------------------------------------------ */

/*
 * Walks table t (a primary, or a secondary index giving primary records)
 * from the key start (DB_SET_RANGE) for as long
 * as keys begin with start's first plen bytes, calling fn with each
 * primary key and record, until fn returns non-zero (returned, except
 * STORE_STOP, which stops quietly) or limit records were given (0: no
 * limit).  Returns 0 or a store code.
 */
int	store_scan(struct store_txn *txn, enum store_table t, const void *start,
	    size_t startlen, size_t plen, int limit,
	    int (*fn)(const DBT *pkey, const DBT *data, void *arg), void *arg);

/* A callback's "stop here, no error" (BDB codes are negative, errno values positive but never 1 here). */
#define STORE_STOP	1

/* Big-endian 64-bit integers, so that keys sort numerically. */
void	 store_put_be64(unsigned char *p, uint64_t v);
uint64_t store_get_be64(const unsigned char *p);

#endif
