/* claim.c: claiming queued jobs and recovering those of dead engines. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "claim.h"
#include "notify.h"
#include "proc.h"
#include "store-jobs.h"
#include "xmalloc.h"

struct claim {
	struct job	*job;
	pid_t		 pid;
	uint64_t	 start;
	int		 found;
};

static int
first_job(const struct job *j, void *arg)
{
	struct claim	*c = arg;

	*c->job = *j;
	c->found = 1;
	return STORE_STOP;
}

static int
claim_one(struct store_txn *txn, void *arg)
{
	struct claim	*c = arg;
	struct job	*j = c->job;
	int		 r;

	c->found = 0;
	if ((r = jobs_scan_status(txn, JOB_QUEUED, first_job, c)) != 0)
		return r;
	if (!c->found)
		return ENOENT;
	/* Lock it and look again: another engine may have taken it. */
	if ((r = jobs_get_for_update(txn, j->id, j)) != 0)
		return r;
	if (j->status != JOB_QUEUED)
		return EAGAIN;
	j->status = JOB_RUNNING;
	j->started_at = time(NULL);
	j->owner_pid = (int32_t)c->pid;
	j->owner_start = c->start;
	j->attempts++;
	j->progress = 0;
	j->current_bar = 0;
	snprintf(j->message, sizeof j->message, "%s", j->attempts > 1 ?
	    "running again after an engine crash" : "running");
	return jobs_update(txn, j);
}

int
claim_next(struct store *s, struct job *job, char *err, size_t errlen)
{
	struct claim	c = { job, getpid(), 0, 0 };
	int		r, tries;

	c.start = proc_owner_start(c.pid);
	/* EAGAIN: lost a race for the oldest job; the next one may be free. */
	for (tries = 0; tries < 100; tries++)
		if ((r = store_write(s, 0, claim_one, &c, err, errlen)) !=
		    EAGAIN)
			return r;
	return r;
}

struct orphans {
	int		 retries;
	int		 handled;	/* by the last recover_one */
	size_t		 n;
	size_t		 cap;
	char		(*ids)[ID_MAX + 1];
	struct job	 job;
};

static int
note_orphan(const struct job *j, void *arg)
{
	struct orphans	*o = arg;

	if (proc_owner_alive(j->owner_pid, j->owner_start))
		return 0;
	if (o->n == o->cap) {
		o->cap = o->cap == 0 ? 8 : o->cap * 2;
		o->ids = xreallocarray(o->ids, o->cap, sizeof *o->ids);
	}
	snprintf(o->ids[o->n++], ID_MAX + 1, "%s", j->id);
	return 0;
}

static int
list_orphans(struct store_txn *txn, void *arg)
{
	struct orphans	*o = arg;

	o->n = 0;
	return jobs_scan_status(txn, JOB_RUNNING, note_orphan, o);
}

static int
recover_one(struct store_txn *txn, void *arg)
{
	struct orphans	*o = arg;
	struct job	*j = &o->job;
	int		 r;

	o->handled = 0;
	/* Look again under lock: it may have finished or been taken back. */
	if ((r = jobs_get_for_update(txn, o->ids[o->n], j)) == ENOENT)
		return 0;
	if (r != 0)
		return r;
	if (j->status != JOB_RUNNING ||
	    proc_owner_alive(j->owner_pid, j->owner_start))
		return 0;
	j->owner_pid = 0;
	j->owner_start = 0;
	o->handled = 1;
	/* The user asked to stop it: it ends as asked, with what it made. */
	if (j->cancel_requested) {
		j->status = JOB_CANCELLED;
		j->finished_at = time(NULL);
		snprintf(j->message, sizeof j->message, "cancelled");
		return jobs_update(txn, j);
	}
	/*
	 * Its transactions stay, whatever follows: streams have sent them to
	 * clients, which cannot be told to drop them, and a run again makes
	 * the same ones (run.c).
	 */
	j->progress = 0;
	j->current_bar = 0;
	if (j->attempts > (uint32_t)o->retries) {
		j->status = JOB_FAILED;
		j->finished_at = time(NULL);
		snprintf(j->error_message, sizeof j->error_message,
		    "engine crashed: the engine process running this job "
		    "died %u time%s", j->attempts, j->attempts == 1 ? "" : "s");
		snprintf(j->message, sizeof j->message, "failed");
	} else {
		/* Back in the queue under its old creation order: next to run. */
		j->status = JOB_QUEUED;
		snprintf(j->message, sizeof j->message, "queued again after "
		    "an engine crash");
		store_txn_wake(txn, NOTIFY_QUEUE);
	}
	return jobs_update(txn, j);
}

int
claim_recover_orphans(struct store *s, int retries, int *found, char *err,
    size_t errlen)
{
	struct orphans	*o;
	size_t		 i, n;
	int		 r;

	o = xcalloc(1, sizeof *o);
	o->retries = retries;
	*found = 0;
	if ((r = store_read(s, list_orphans, o, err, errlen)) == 0) {
		n = o->n;
		for (i = 0; i < n && r == 0; i++) {
			o->n = i;
			r = store_write(s, STORE_SYNC, recover_one, o, err,
			    errlen);
			*found += r == 0 && o->handled;
		}
	}
	free(o->ids);
	free(o);
	return r;
}
