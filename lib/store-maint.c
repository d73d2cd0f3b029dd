/* store-maint.c: maintenance: checkpoints, structure checks, statistics. */
#include "config.h"

#include <sys/file.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-core.h"
#include "watchdog.h"

int
store_failchk(struct store *s, char *err, size_t errlen)
{
	int	r;

	store_gate(s, LOCK_SH);
	store_alive_memo_begin(s);
	r = s->env->failchk(s->env, 0);
	store_alive_memo_end(s);
	store_gate(s, LOCK_UN);
	if (r != 0)
		snprintf(err, errlen, "checking for dead processes: %s",
		    db_strerror(r));
	return r;
}

uint64_t
store_log_end(struct store *s)
{
	DB_LOG_STAT	*sp;
	uint64_t	 end;

	if (s->env == NULL || s->env->log_stat(s->env, &sp, 0) != 0)
		return 0;
	end = (uint64_t)sp->st_cur_file << 32 | sp->st_cur_offset;
	free(sp);
	return end;
}

int
store_checkpoint(struct store *s, char *err, size_t errlen)
{
	int	r;

	store_gate(s, LOCK_SH);
	watchdog_arm(s->watchdog);
	r = s->env->failchk(s->env, 0);
	if (r == 0)
		r = s->env->txn_checkpoint(s->env, 0, 0, 0);
	watchdog_disarm(s->watchdog);
	store_gate(s, LOCK_UN);
	if (r == DB_RUNRECOVERY) {
		if (store_reopen(s, err, errlen) == -1)
			return -1;
		return store_checkpoint(s, err, errlen);
	}
	if (r != 0) {
		snprintf(err, errlen, "checkpoint: %s", db_strerror(r));
		return -1;
	}
	/* Regions grown since the open get their disk space now. */
	if (store_allocate_regions(s, err, errlen) != 0)
		return -1;
	return 0;
}

int
store_verify(const struct conf *cfg, char *err, size_t errlen)
{
	struct store	*s;
	DB		*db;
	char		 path[4096];
	int		 i, r, bad = 0;

	if ((s = store_open(cfg, 0, err, errlen)) == NULL)
		return -1;
	/* Flush the cache so that the files hold every committed page. */
	if (store_checkpoint(s, err, errlen) == -1) {
		store_close(s);
		return -1;
	}
	err[0] = '\0';
	for (i = 0; i < STORE_NTABLES; i++) {
		if (store_path_in(path, sizeof path, s->dir,
		    store_tables[i].file) == -1)
			continue;
		if ((r = db_create(&db, NULL, 0)) != 0)
			break;
		db->set_errcall(db, store_db_error);
		/* DB->verify consumes the handle, whatever it returns. */
		if ((r = db->verify(db, path, NULL, NULL, 0)) != 0) {
			bad = 1;
			snprintf(err + strlen(err), errlen - strlen(err),
			    "%s%s: %s", err[0] ? "; " : "",
			    store_tables[i].file, db_strerror(r));
		}
	}
	store_close(s);
	return bad ? 1 : 0;
}

struct stats_arg {
	void	(*emit)(const char *, void *);
	void	*arg;
};

static int
collect_stats(struct store_txn *txn, void *arg)
{
	struct stats_arg	*sa = arg;
	DB_BTREE_STAT		*bs;
	char			 line[256];
	int			 i, r;

	for (i = 0; i < STORE_NTABLES; i++) {
		DB *db = store_db(txn, (enum store_table)i);

		if ((r = db->stat(db, txn->tid, &bs, 0)) != 0)
			return r;
		snprintf(line, sizeof line, "table %-20s %10lu records %8lu "
		    "pages", store_tables[i].name, (unsigned long)bs->bt_nkeys,
		    (unsigned long)bs->bt_pagecnt);
		free(bs);
		sa->emit(line, sa->arg);
	}
	return 0;
}

/* A replicated store's lines: the node's role and how far it has got. */
static int
repl_stats(struct store *s, void (*emit)(const char *, void *), void *arg,
    char *err, size_t errlen)
{
	DB_REP_STAT	*rs;
	DB_REPMGR_STAT	*ms;
	char		 line[256];
	int		 r;

	if ((r = s->env->rep_stat(s->env, &rs, 0)) != 0) {
		snprintf(err, errlen, "replication statistics: %s",
		    db_strerror(r));
		return r;
	}
	snprintf(line, sizeof line, "replication: %s, master site %ld, "
	    "%lu sites, generation %lu, log at %lu/%lu%s",
	    rs->st_status == DB_REP_MASTER ? "master" :
	    rs->st_status == DB_REP_CLIENT ? "replica" : "no role yet",
	    (long)rs->st_master, (unsigned long)rs->st_nsites,
	    (unsigned long)rs->st_gen, (unsigned long)rs->st_next_lsn.file,
	    (unsigned long)rs->st_next_lsn.offset,
	    rs->st_status == DB_REP_CLIENT && !rs->st_startup_complete ?
	    ", catching up" : "");
	emit(line, arg);
	snprintf(line, sizeof line, "replication: %lu transactions applied, "
	    "%lu elections", (unsigned long)rs->st_txns_applied,
	    (unsigned long)rs->st_elections);
	emit(line, arg);
	free(rs);
	if ((r = s->env->repmgr_stat(s->env, &ms, 0)) != 0) {
		snprintf(err, errlen, "replication statistics: %s",
		    db_strerror(r));
		return r;
	}
	snprintf(line, sizeof line, "replication: %lu commits not "
	    "acknowledged in time, %lu connections dropped",
	    (unsigned long)ms->st_perm_failed,
	    (unsigned long)ms->st_connection_drop);
	emit(line, arg);
	free(ms);
	return 0;
}

int
store_stats(struct store *s, void (*emit)(const char *, void *), void *arg,
    char *err, size_t errlen)
{
	struct stats_arg	 sa = { emit, arg };
	DB_LOCK_STAT		*ls = NULL;
	DB_TXN_STAT		*ts = NULL;
	DB_LOG_STAT		*lg = NULL;
	DB_MPOOL_STAT		*ms = NULL;
	char			 line[256];
	int			 r;

	if ((r = store_read(s, collect_stats, &sa, err, errlen)) != 0)
		return -1;
	store_gate(s, LOCK_SH);
	watchdog_arm(s->watchdog);
	if ((r = s->env->lock_stat(s->env, &ls, 0)) == 0 &&
	    (r = s->env->txn_stat(s->env, &ts, 0)) == 0 &&
	    (r = s->env->log_stat(s->env, &lg, 0)) == 0)
		r = s->env->memp_stat(s->env, &ms, NULL, 0);
	watchdog_disarm(s->watchdog);
	store_gate(s, LOCK_UN);
	if (r != 0) {
		snprintf(err, errlen, "statistics: %s", db_strerror(r));
		goto out;
	}
	snprintf(line, sizeof line, "locks %lu held (max %lu), lockers %lu "
	    "(max %lu), deadlocks %lu, lock timeouts %lu",
	    (unsigned long)ls->st_nlocks, (unsigned long)ls->st_maxlocks,
	    (unsigned long)ls->st_nlockers, (unsigned long)ls->st_maxlockers,
	    (unsigned long)ls->st_ndeadlocks,
	    (unsigned long)ls->st_nlocktimeouts);
	emit(line, arg);
	snprintf(line, sizeof line, "transactions %lu active (max %lu), "
	    "%lu snapshot, %lu begun, %lu committed, %lu aborted",
	    (unsigned long)ts->st_nactive, (unsigned long)ts->st_maxtxns,
	    (unsigned long)ts->st_nsnapshot, (unsigned long)ts->st_nbegins,
	    (unsigned long)ts->st_ncommits, (unsigned long)ts->st_naborts);
	emit(line, arg);
	snprintf(line, sizeof line, "log file %lu, %lu MB written, %lu "
	    "flushes", (unsigned long)lg->st_cur_file,
	    (unsigned long)lg->st_w_mbytes, (unsigned long)lg->st_scount);
	emit(line, arg);
	snprintf(line, sizeof line, "cache %lu MB, %lu pages, hit %lu miss "
	    "%lu", (unsigned long)(ms->st_gbytes * 1024 + ms->st_bytes /
	    (1024 * 1024)), (unsigned long)ms->st_pages,
	    (unsigned long)ms->st_cache_hit, (unsigned long)ms->st_cache_miss);
	emit(line, arg);
	if (s->repl)
		r = repl_stats(s, emit, arg, err, errlen);
out:
	free(ls);
	free(ts);
	free(lg);
	free(ms);
	return r == 0 ? 0 : -1;
}
