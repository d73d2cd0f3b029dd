/* teststore.c: a store for the unit tests. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "store-jobs.h"
#include "teststore.h"
#include "xmalloc.h"

void
test_store_conf(struct conf *cfg, const char *dir)
{
	conf_defaults(cfg);
	free(cfg->store_dir);
	cfg->store_dir = xstrdup(dir);
	cfg->max_processes = 64;
	cfg->cache_size = 4 * 1024 * 1024;
}

void
test_job_make(struct job *j, const char *uid, const char *symbol)
{
	memset(j, 0, sizeof *j);
	id_new(j->id);
	snprintf(j->uid, sizeof j->uid, "%s", uid);
	j->status = JOB_QUEUED;
	j->created_at = 1700000000;
	snprintf(j->spec.symbol, sizeof j->spec.symbol, "%s", symbol);
	j->spec.interval = INTERVAL_DAY;
	snprintf(j->spec.strategy, sizeof j->spec.strategy, "buy_and_hold");
	j->spec.initial_capital = 100000;
}

int
test_job_create(struct store_txn *txn, void *arg)
{
	return jobs_create(txn, arg);
}

int
test_job_update(struct store_txn *txn, void *arg)
{
	return jobs_update(txn, arg);
}

int
test_job_remove(struct store_txn *txn, void *arg)
{
	return jobs_remove(txn, arg);
}
