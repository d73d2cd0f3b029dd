/* store-int.h: what the table modules share: the tables, the transaction, key helpers. */
#ifndef BACKSTREAM_STORE_INT_H
#define BACKSTREAM_STORE_INT_H

/*
 * Only the modules that own a table include this (store-jobs.c,
 * store-trades.c, store-bars.c, store-history.c, changelog.c, the store's
 * own files and its unit test): it is where Berkeley DB's types appear.
 */

#include <stddef.h>
#include <stdint.h>

#include <db.h>

#include "store.h"

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

/* The transaction store_write() and store_read() hand to their function. */
struct store_txn {
	struct store	*store;
	DB_TXN		*tid;
	int		 writable;
	uint64_t	 first_seq;	/* the first change seq it took, or 0 */
	uint64_t	 seq;		/* change seq taken by this txn, or 0 */
	int		 nwake;
	uint32_t	 wake[16];	/* notify words to bump after commit */
	int		 wake_all;	/* too many: bump every word */
	char		*err;		/* the caller's reason buffer */
	size_t		 errlen;
};

/*
 * Readies a DBT for a get to fill (zeroing it).  A process that takes
 * part in replication has a free-threaded environment, where Berkeley DB
 * fills only DBTs that own their memory: there d gets DB_DBT_REALLOC, one
 * buffer that later gets into d reuse, and store_dbt_free frees it.
 * Elsewhere the data stays the library's, valid until the next call on
 * the handle.  Either way, free with store_dbt_free once done.
 */
void	store_dbt_out(struct store_txn *txn, DBT *d);
void	store_dbt_free(DBT *d);

/* The handle of a table, valid for the duration of the transaction. */
DB	*store_db(struct store_txn *txn, enum store_table t);

/*
 * Walks table t (a primary, or a secondary index giving primary records)
 * from the key start (DB_SET_RANGE) for as long as keys begin with
 * start's first plen bytes, calling fn with each primary key and record,
 * until fn returns non-zero (returned, except STORE_STOP, which stops
 * quietly) or limit records were given (0: no limit).  Returns 0 or a
 * store code.
 */
int	store_scan(struct store_txn *txn, enum store_table t, const void *start,
	    size_t startlen, size_t plen, int limit,
	    int (*fn)(const DBT *pkey, const DBT *data, void *arg), void *arg);

/*
 * Deletes the record keyed id (a string) from primary table t, and with
 * it its index entries: 0, ENOENT if there is none, or a store code.
 * Logging the change is the caller's.
 */
int	store_delete(struct store_txn *txn, enum store_table t, const char *id);

/* Big-endian 64-bit integers, so that keys sort numerically. */
void	 store_put_be64(unsigned char *p, uint64_t v);
uint64_t store_get_be64(const unsigned char *p);

/*
 * What the store's own files call in the table modules, each defined by
 * the module of its table.  The secondary-key functions are the ones the
 * table catalogue (store-tables.c) associates with their primaries.
 */
int	changelog_user_key(DB *db, const DBT *pkey, const DBT *pdata,
	    DBT *skey);
int	jobs_user_key(DB *db, const DBT *pkey, const DBT *pdata, DBT *skey);
int	jobs_user_status_key(DB *db, const DBT *pkey, const DBT *pdata,
	    DBT *skey);
int	jobs_status_key(DB *db, const DBT *pkey, const DBT *pdata, DBT *skey);
int	history_user_key(DB *db, const DBT *pkey, const DBT *pdata, DBT *skey);
/*
 * Called in the write transaction that records a new boot id (a reboot,
 * or a new store): moves the change counter past any number a lost log
 * tail may have given out.  Returns 0 or a store code.
 */
int	changelog_reboot_jump(struct store_txn *txn);

#endif
