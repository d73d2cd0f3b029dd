/* store.h: the Berkeley DB environment all processes share, and transactions on it. */
#ifndef BACKSTREAM_STORE_H
#define BACKSTREAM_STORE_H

#include <stddef.h>
#include <stdint.h>

struct conf;
struct notify;
struct tail;
struct store;

/*
 * A transaction in progress, handed to the function run by store_write()
 * or store_read().  Opaque here: the table modules see it through
 * store-int.h, everyone else passes it on to them.
 */
struct store_txn;

/* store_open() flags. */
#define STORE_CREATE	0x1	/* create the environment if it is missing */
/*
 * This process only reads (a stream responder): its tables are opened
 * read-only, which Berkeley DB gives no log file id.  Each writable handle
 * takes an id of the environment's, and every process keeps a table as
 * long as the highest id it holds (16 bytes an id): a reader among a
 * thousand others would otherwise hold some 190 KB of it.  Only the meta
 * table becomes writable, and only in a process that has to record a new
 * boot or format.  Ignored with STORE_CREATE.
 */
#define STORE_READONLY	0x2
/*
 * This process owns replication on its node (backstream-repd, with
 * repl_site set): it alone recovers the environment, names the sites and
 * takes part in elections.  store_open returns once the node knows its
 * role and holds the tables: the master creates those of a new group, a
 * replica waits for the master's copy.
 */
#define STORE_REPLICATION	0x4

/*
 * Opens (or with STORE_CREATE creates) the environment in cfg->store_dir.
 * Dead processes found at open are cleaned up, and recovery runs when one
 * died inside the library.  Returns NULL with a reason in err; the reason
 * says "run backstream init" when the directory holds no environment.
 * Only one store may be open per process (a Berkeley DB rule).  The caller
 * owns the store and ends it with store_close() or store_forget().
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

/*
 * Whether this process may write: the store is not replicated, or this
 * node is its group's master now.
 */
int		 store_is_master(struct store *s);
/*
 * For the owner of replication (STORE_REPLICATION): opens the tables once
 * the node knows its role: on the master, creating any missing; on a
 * replica, once it has caught up and holds the master's.  Until then the
 * store's gate stays closed, and every other process of the node waits
 * to open the store (at most a minute while no master is found).
 * Returns 1 when they are open, 0 while the node waits (no master yet,
 * or catching up), or -1 with a reason in err.
 */
int		 store_repl_tables(struct store *s, char *err, size_t errlen);
/*
 * For the owner, once the tables are open, called often: closes the gate
 * while this replica catches up with a new master (a sync, or a copy of
 * the whole store when the master no longer has the log it lacks), and
 * opens it when caught up or when no master is known; a sync still going
 * after a minute is logged every minute.  While the gate is closed the
 * owner's own operations pass it.  Sets *master to whether this node is
 * the master now (0 when that could not be read).  Returns 1 while the
 * gate is closed, 0 while open, or -1 with a reason in err.
 */
int		 store_repl_gate(struct store *s, int *master, char *err,
		    size_t errlen);
/*
 * Takes the node at address (host:port, as in repl_peers) out of the
 * replication group for good, through the master.  Returns 0, EINVAL
 * for a store in no group or a malformed address, or a Berkeley DB code
 * (DB_REP_UNAVAIL: no master reachable), with a reason in err.
 */
int		 store_remove_node(struct store *s, const char *address,
		    char *err, size_t errlen);
/*
 * A replica's requests to its master, over Berkeley DB's message channel
 * (what they ask is the caller's: lib/jobctl-forward.c).
 * store_forward sends len bytes at req to the master and appends its
 * answer to reply: 0, or EROFS with a reason in err when no master
 * answered.  store_forward_serve, for the owner of replication, has
 * fn(req, len, reply, arg) answer each request that reaches this node,
 * one at a time or not as the Replication Manager's threads deliver
 * them: fn serializes what needs it.  Returns 0 or a Berkeley DB code.
 */
struct buf;
typedef void	(*store_serve_fn)(const void *req, size_t len,
		    struct buf *reply, void *arg);
int		 store_forward(struct store *s, const void *req, size_t len,
		    struct buf *reply, char *err, size_t errlen);
int		 store_forward_serve(struct store *s, store_serve_fn fn,
		    void *arg, char *err, size_t errlen);
/* Whether the store is replicated (repl_site set). */
int		 store_is_replicated(const struct store *s);

/* The directory of the environment (owned by s). */
const char	*store_dir(const struct store *s);
/* The wake-up words shared by all processes of this environment. */
struct notify	*store_notify(struct store *s);
/*
 * The shared tail of the change log (lib/tail.h): what a woken stream
 * reads without a transaction.  Owned by s.
 */
struct tail	*store_tail(struct store *s);

/*
 * Runs fn(txn, arg) in a transaction and commits it if fn returns 0.  A
 * deadlock, a lock wait that timed out (a dead process may hold the lock:
 * dead processes are then cleaned up) or a crashed environment (reopened,
 * with recovery) makes it run fn again from the start, so fn must keep no
 * state from a failed attempt and must be idempotent on its inputs.  Any
 * other non-zero return from fn aborts and is returned as is: fn's own
 * codes are positive errno values (ENOENT, EINVAL, ...) with a reason
 * given with store_fail(); Berkeley DB's are negative.  After the commit the
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
/* Notes that readers of notify word w should wake after the commit. */
void	store_txn_wake(struct store_txn *txn, uint32_t w);
/*
 * Writes a reason into the err buffer of the store_write()/store_read()
 * call (unless one is there already); returns code, for `return
 * store_fail(...)`.
 */
int	store_fail(struct store_txn *txn, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Tells the stall watchdog that a long operation is still making progress. */
void	store_progress(struct store *s);

/* Text for a code returned by store_write/store_read. */
const char *store_strerror(int code);

/*
 * Maintenance, run by the engine each cycle and by "backstream checkpoint":
 * cleans up after dead processes, checkpoints, and removes log files that
 * recovery no longer needs.  Returns 0, or -1 with a reason in err.
 */
int	store_checkpoint(struct store *s, char *err, size_t errlen);
/*
 * Frees what processes that died in the environment held (failchk), as
 * backstream-repd does every second in a replication group.  Returns 0,
 * or a Berkeley DB code with a reason in err: DB_RUNRECOVERY when one
 * died inside the library, and only a recovery can mend it.
 */
int	store_failchk(struct store *s, char *err, size_t errlen);
/*
 * Where the log ends now, as one number that grows with every
 * transaction committed here or applied from the master; 0 if unknown.
 * No transaction: cheap enough to poll.
 */
uint64_t store_log_end(struct store *s);
/*
 * Checks every database's structure (DB->verify).  Returns 0, 1 when a
 * database is damaged (err names each), or -1 when the store could not be
 * opened and checked (err says why: a full disk is not damage).
 */
int	store_verify(const struct conf *cfg, char *err, size_t errlen);
/*
 * Writes table and environment statistics as text lines to emit (each line
 * valid during the call only).  Returns 0, or -1 with a reason in err.
 */
int	store_stats(struct store *s, void (*emit)(const char *line, void *arg),
	    void *arg, char *err, size_t errlen);

/*
 * What a scan callback returns to stop there without an error (Berkeley
 * DB's codes are negative, and errno values positive but never 1 here).
 */
#define STORE_STOP	1

#endif
