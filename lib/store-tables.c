/* store-tables.c: the table catalogue, and the access every table shares. */
#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "store-core.h"
#include "watchdog.h"
#include "xmalloc.h"

/* ---- the catalogue ------------------------------------------------------- */

const struct store_table_def store_tables[STORE_NTABLES] = {
	[STORE_META] = { "meta", "meta.db", 4096, -1, NULL, 0, 1 },
	[STORE_CHANGES] = { "changes", "changes.db", 8192, -1, NULL, 0, 1 },
	[STORE_CHANGES_BY_USER] = { "changes-by-user", "changes-by-user.db",
	    8192, STORE_CHANGES, changelog_user_key, DB_IMMUTABLE_KEY, 1 },
	[STORE_JOBS] = { "jobs", "jobs.db", 8192, -1, NULL, 0, 1 },
	[STORE_JOBS_BY_USER] = { "jobs-by-user", "jobs-by-user.db", 8192,
	    STORE_JOBS, jobs_user_key, DB_IMMUTABLE_KEY, 1 },
	[STORE_JOBS_BY_USER_STATUS] = { "jobs-by-user-status",
	    "jobs-by-user-status.db", 8192, STORE_JOBS, jobs_user_status_key,
	    0, 1 },
	[STORE_JOBS_BY_STATUS] = { "jobs-by-status", "jobs-by-status.db",
	    8192, STORE_JOBS, jobs_status_key, 0, 1 },
	[STORE_HISTORY] = { "history", "history.db", 8192, -1, NULL, 0, 1 },
	[STORE_HISTORY_BY_USER] = { "history-by-user", "history-by-user.db",
	    8192, STORE_HISTORY, history_user_key, DB_IMMUTABLE_KEY, 1 },
	[STORE_TRADES] = { "trades", "trades.db", 8192, -1, NULL, 0, 1 },
	/*
	 * Bars change only by import, a transaction of tens of megabytes:
	 * with multiversioning its old page copies overflow the cache into
	 * freezer files.  Readers of bars take read locks instead.
	 */
	[STORE_BARS] = { "bars", "bars.db", 16384, -1, NULL, 0, 0 },
	[STORE_SYMBOLS] = { "symbols", "symbols.db", 4096, -1, NULL, 0, 0 },
};

/* ---- opening and closing ------------------------------------------------- */

void
store_close_tables(struct store *s)
{
	int	i;

	/* Secondaries first: a primary must outlive its associations. */
	for (i = STORE_NTABLES - 1; i >= 0; i--) {
		if (s->db[i] != NULL && store_tables[i].primary != -1) {
			s->db[i]->close(s->db[i], DB_NOSYNC);
			s->db[i] = NULL;
		}
	}
	/*
	 * DB_NOSYNC: dirty pages stay in the shared cache for checkpoints to
	 * write; the log already makes them durable.
	 */
	for (i = 0; i < STORE_NTABLES; i++) {
		if (s->db[i] != NULL) {
			s->db[i]->close(s->db[i], DB_NOSYNC);
			s->db[i] = NULL;
		}
	}
}

/*
 * Read-only handles get no log file id (see STORE_READONLY): a process
 * that never writes keeps the ids, and its table of them, small.
 */
static uint32_t
table_flags(const struct store *s, int i, int create)
{
	uint32_t	flags = 0;

	/*
	 * Not in a replicated store: a replica's Berkeley DB applies the
	 * master's changes to tables opened without it, and fails (and
	 * panics) when a table is multiversion.  Reads there take locks.
	 */
	if (store_tables[i].mvcc && !s->repl)
		flags |= DB_MULTIVERSION;

	if (create)
		flags |= DB_CREATE;
	else if (s->readonly && !(i == STORE_META && s->meta_writable))
		flags |= DB_RDONLY;
	return flags;
}

/* Opens table i into s->db[i] inside tid; 0 or a code. */
static int
open_table(struct store *s, DB_TXN *tid, int i, int create, char *err,
    size_t errlen)
{
	DB	*db;
	int	 r;

	if ((r = db_create(&db, s->env, 0)) != 0)
		return r;
	s->db[i] = db;
	if (create && (r = db->set_pagesize(db, store_tables[i].pagesize)) != 0)
		return r;
	if ((r = db->open(db, tid, store_tables[i].file, NULL, DB_BTREE,
	    table_flags(s, i, create), 0660)) == ENOENT)
		snprintf(err, errlen, "%s: no backstream store here (%s is "
		    "missing); run \"backstream init\"", s->dir,
		    store_tables[i].file);
	return r;
}

int
store_open_tables(struct store *s, int create, char *err, size_t errlen)
{
	DB_TXN		*tid = NULL;
	int		 i, r;

	if ((r = s->env->txn_begin(s->env, NULL, &tid, 0)) != 0)
		goto fail;
	for (i = 0; i < STORE_NTABLES; i++) {
		if ((r = open_table(s, tid, i, create, err, errlen)) != 0)
			goto fail;
	}
	for (i = 0; i < STORE_NTABLES; i++) {
		const struct store_table_def	*t = &store_tables[i];

		if (t->primary == -1)
			continue;
		if ((r = s->db[t->primary]->associate(s->db[t->primary], tid,
		    s->db[i], t->key, t->assoc_flags)) != 0)
			goto fail;
	}
	if ((r = tid->commit(tid, 0)) != 0) {
		tid = NULL;
		goto fail;
	}
	return 0;
fail:
	if (tid != NULL)
		tid->abort(tid);
	store_close_tables(s);
	if (err[0] == '\0')
		snprintf(err, errlen, "%s: opening tables: %s", s->dir,
		    db_strerror(r));
	return r;
}

/*
 * The meta table has no secondaries: its handle can be swapped alone.
 * Under the gate, as every use of the environment; an environment
 * recovered meanwhile is left to the next operation, whose reopen opens
 * the table writable.
 */
int
store_meta_make_writable(struct store *s, char *err, size_t errlen)
{
	DB_TXN	*tid = NULL;
	int	 r = 0;

	if (!s->readonly || s->meta_writable)
		return 0;
	s->meta_writable = 1;
	store_gate(s, LOCK_SH);
	watchdog_arm(s->watchdog);
	if (notify_value(s->notify, NOTIFY_GENERATION) != s->generation)
		goto out;
	s->db[STORE_META]->close(s->db[STORE_META], DB_NOSYNC);
	s->db[STORE_META] = NULL;
	if ((r = s->env->txn_begin(s->env, NULL, &tid, 0)) == 0 &&
	    (r = open_table(s, tid, STORE_META, 0, err, errlen)) == 0) {
		r = tid->commit(tid, 0);
		tid = NULL;
	}
	if (tid != NULL)
		tid->abort(tid);
	if (r != 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: opening the meta table: %s", s->dir,
		    db_strerror(r));
out:
	watchdog_disarm(s->watchdog);
	store_gate(s, LOCK_UN);
	return r;
}

/* ---- access every table shares ------------------------------------------- */

DB *
store_db(struct store_txn *txn, enum store_table t)
{
	return txn->store->db[t];
}

int
store_delete(struct store_txn *txn, enum store_table t, const char *id)
{
	DB	*db = store_db(txn, t);
	DBT	 key;
	int	 r;

	memset(&key, 0, sizeof key);
	key.data = (void *)(uintptr_t)id;
	key.size = (uint32_t)strlen(id);
	r = db->del(db, txn->tid, &key, 0);
	return r == DB_NOTFOUND ? ENOENT : r;
}

int
store_scan(struct store_txn *txn, enum store_table t, const void *start,
    size_t startlen, size_t plen, int limit,
    int (*fn)(const DBT *, const DBT *, void *), void *arg)
{
	DB		*db = store_db(txn, t);
	DBC		*cur;
	DBT		 skey, pkey, data;
	uint32_t	 how;
	int		 primary = store_tables[t].primary == -1;
	int		 r, cr, n = 0;

	if ((r = db->cursor(db, txn->tid, &cur, 0)) != 0)
		return r;
	store_dbt_out(txn, &skey);
	store_dbt_out(txn, &pkey);
	store_dbt_out(txn, &data);
	/* The cursor writes the key it finds over the one it was given. */
	if (skey.flags & DB_DBT_REALLOC) {
		skey.data = xmalloc(startlen > 0 ? startlen : 1);
		memcpy(skey.data, start, startlen);
	} else
		skey.data = (void *)(uintptr_t)start;
	skey.size = (uint32_t)startlen;
	for (how = DB_SET_RANGE;; how = DB_NEXT) {
		if (primary)
			r = cur->get(cur, &skey, &data, how);
		else
			r = cur->pget(cur, &skey, &pkey, &data, how);
		if (r != 0)
			break;
		if (skey.size < plen || memcmp(skey.data, start, plen) != 0)
			break;
		if ((r = fn(primary ? &skey : &pkey, &data, arg)) != 0)
			break;
		if (limit > 0 && ++n == limit)
			break;
	}
	cr = cur->close(cur);
	store_dbt_free(&skey);
	store_dbt_free(&pkey);
	store_dbt_free(&data);
	if (r == DB_NOTFOUND || r == STORE_STOP)
		r = 0;
	return r != 0 ? r : cr;
}

void
store_dbt_out(struct store_txn *txn, DBT *d)
{
	memset(d, 0, sizeof *d);
	if (txn->store->threaded)
		d->flags = DB_DBT_REALLOC;
}

void
store_dbt_free(DBT *d)
{
	if (d->flags & DB_DBT_REALLOC) {
		free(d->data);
		d->data = NULL;
	}
}

/* ---- key helpers --------------------------------------------------------- */

void
store_put_be64(unsigned char *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

uint64_t
store_get_be64(const unsigned char *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}
