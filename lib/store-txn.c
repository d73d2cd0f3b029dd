/* store-txn.c: transactions: run, retried on deadlock, recovered after a panic. */
#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "notify.h"
#include "store-core.h"
#include "tail.h"
#include "watchdog.h"

/*
 * A replica's reader loses deadlocks to the thread that applies the
 * master's changes, and with DB_REP_CONF_NOWAIT an operation that meets
 * a sync or an election fails at once instead of sleeping 5 s.
 */
static int
retryable(int r)
{
	return r == DB_LOCK_DEADLOCK || r == DB_LOCK_NOTGRANTED ||
	    r == DB_REP_LOCKOUT;
}

void
store_backoff(int attempt)
{
	struct timespec	ts;
	long		ms;

	ms = 1 + random() % (1L << (attempt < 9 ? attempt : 9));
	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L;
	nanosleep(&ts, NULL);
}

#define MAX_ATTEMPTS	40

/* run()'s own code: the owner's tables are to be opened again. */
#define STORE_HANDLES_DEAD	(-1)

/*
 * Ends the writer's flight that its first change began (lib/tail.h),
 * unless a recovery came in between: that one forgot every writer in
 * flight, this one included, and counting it now would make the tail
 * look settled while another writer is in flight.
 */
static void
writer_end(struct store *s, const struct store_txn *txn)
{
	if (txn->first_seq != 0 &&
	    notify_value(s->notify, NOTIFY_GENERATION) == s->generation)
		tail_writer_end(s->tail);
}

static int
run(struct store *s, int writable, int flags,
    int (*fn)(struct store_txn *, void *), void *arg, char *err,
    size_t errlen)
{
	struct store_txn	 txn;
	uint32_t		 txn_flags;
	int			 attempt, i, r = 0, recoveries = 0, slot = -1;

	for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		memset(&txn, 0, sizeof txn);
		txn.store = s;
		txn.writable = writable;
		txn.err = err;
		txn.errlen = errlen;
		err[0] = '\0';
		if (writable)
			txn_flags = flags & STORE_SYNC ? DB_TXN_SYNC :
			    DB_TXN_WRITE_NOSYNC;
		else
			txn_flags = s->repl ? 0 : DB_TXN_SNAPSHOT;
		/* Before the watchdog: waiting one's turn is not a stall. */
		if (!writable)
			slot = store_reader_enter(s);
		store_gate(s, LOCK_SH);
		watchdog_arm(s->watchdog);
		if (s->env == NULL || notify_value(s->notify,
		    NOTIFY_GENERATION) != s->generation)
			r = DB_RUNRECOVERY;
		else if ((r = s->env->txn_begin(s->env, NULL, &txn.tid,
		    txn_flags)) == 0) {
			s->perm_failed = 0;
			if ((r = fn(&txn, arg)) == 0)
				r = txn.tid->commit(txn.tid, 0);
			else
				txn.tid->abort(txn.tid);
		}
		/*
		 * A lock wait that timed out may be a dead process's lock:
		 * failchk releases those (and reports a death inside the
		 * library as DB_RUNRECOVERY, handled below).
		 */
		if (r == DB_LOCK_NOTGRANTED || (retryable(r) && attempt >= 3))
			if (s->env->failchk(s->env, 0) == DB_RUNRECOVERY)
				r = DB_RUNRECOVERY;
		/*
		 * A replica that synced with a new master may have rolled
		 * back what the handles saw: they are dead, and are opened
		 * again as after a recovery; the owner's, which never
		 * reopens the environment, are the tables alone.
		 */
		if (r == DB_REP_HANDLE_DEAD)
			r = s->repl_owner ? STORE_HANDLES_DEAD : DB_RUNRECOVERY;
		/* Berkeley DB's word for a write on a replica. */
		if (writable && s->repl && r == EACCES && !store_is_master(s)) {
			r = EROFS;
			snprintf(err, errlen, "this node is a replica: writes go "
			    "to the master");
		}
		watchdog_disarm(s->watchdog);
		store_gate(s, LOCK_UN);
		store_reader_leave(s, slot);
		if (r == 0) {
			/*
			 * The tail first: a woken stream reads it at once, and
			 * a change not yet published there sends it to the
			 * store, costing the very transaction it spares.
			 */
			if (writable)
				tail_publish(s->tail, txn.first_seq, txn.seq);
			if (txn.wake_all) {
				notify_bump_all(s->notify);
			} else {
				for (i = 0; i < txn.nwake; i++)
					notify_bump(s->notify, txn.wake[i]);
			}
			/* Last: until now a poll must not trust the tail. */
			writer_end(s, &txn);
			/*
			 * Committed here, but not known to a quorum: if this
			 * master is replaced before the others get it, the
			 * new master never had it.  Not done, then, for the
			 * caller: better a client that tries again than one
			 * told of a write that may vanish.
			 */
			if (writable && s->repl && s->perm_failed) {
				snprintf(err, errlen, "the write was not "
				    "acknowledged by the replication group in "
				    "time (no quorum reachable): it may be "
				    "undone");
				return EROFS;
			}
			return 0;
		}
		/* Aborted: nothing of it to publish, and it is over. */
		writer_end(s, &txn);
		if (r == STORE_HANDLES_DEAD) {
			r = DB_REP_HANDLE_DEAD;
			if (++recoveries > 3)
				break;
			store_close_tables(s);
			store_gate(s, LOCK_SH);
			r = store_open_tables(s, 0, err, errlen);
			store_gate(s, LOCK_UN);
			if (r != 0)
				break;
			continue;
		}
		if (r == DB_RUNRECOVERY) {
			/*
			 * The owner of a replicated store recovers only when
			 * it starts: it reports the need, exits and is
			 * started again (backstream-repd).
			 */
			if (s->repl_owner || ++recoveries > 3 ||
			    store_reopen(s, err, errlen) == -1)
				break;
			continue;
		}
		if (!retryable(r))
			break;
		store_backoff(attempt);
	}
	if (err[0] == '\0') {
		if (retryable(r))
			snprintf(err, errlen, "the store stayed busy (%s)",
			    db_strerror(r));
		else
			snprintf(err, errlen, "%s", store_strerror(r));
	}
	if (writable && (r < 0 || r == ENOSPC || r == EIO || r == ENOMEM))
		store_explain_full_disk(s, err, errlen);
	return r == 0 ? EIO : r;
}

int
store_write(struct store *s, int flags, int (*fn)(struct store_txn *, void *),
    void *arg, char *err, size_t errlen)
{
	return run(s, 1, flags, fn, arg, err, errlen);
}

int
store_read(struct store *s, int (*fn)(struct store_txn *, void *), void *arg,
    char *err, size_t errlen)
{
	return run(s, 0, 0, fn, arg, err, errlen);
}

void
store_txn_wake(struct store_txn *txn, uint32_t w)
{
	int	i;

	for (i = 0; i < txn->nwake; i++)
		if (txn->wake[i] == w)
			return;
	if (txn->nwake == (int)(sizeof txn->wake / sizeof txn->wake[0]))
		txn->wake_all = 1;
	else
		txn->wake[txn->nwake++] = w;
}

int
store_fail(struct store_txn *txn, int code, const char *fmt, ...)
{
	va_list	ap;

	if (txn->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(txn->err, txn->errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

void
store_progress(struct store *s)
{
	watchdog_kick(s->watchdog);
}

const char *
store_strerror(int code)
{
	return db_strerror(code);
}
