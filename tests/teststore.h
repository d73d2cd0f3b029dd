/* teststore.h: a store for the unit tests: its configuration, jobs, and store_write callbacks that write them. */
#ifndef BACKSTREAM_TESTSTORE_H
#define BACKSTREAM_TESTSTORE_H

#include "conf.h"
#include "job.h"
#include "store.h"

/*
 * Fills cfg with the defaults, a store in dir, and room for the tests' forked
 * processes; the caller frees it with conf_free().
 */
void	test_store_conf(struct conf *cfg, const char *dir);

/* Fills j as a queued job of uid, with a new id, on symbol's daily bars. */
void	test_job_make(struct job *j, const char *uid, const char *symbol);
/* store_write callbacks: arg is the struct job to create, update, remove. */
int	test_job_create(struct store_txn *txn, void *arg);
int	test_job_update(struct store_txn *txn, void *arg);
int	test_job_remove(struct store_txn *txn, void *arg);

#endif
