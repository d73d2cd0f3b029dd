/* stream-jobs.c: the job list stream: a snapshot, then job_added, job_updated and job_removed. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "job.h"
#include "jobctl.h"
#include "store-jobs.h"
#include "stream-list.h"

/*
 * The user's jobs, newest first, of one status if ?status_filter= says
 * so, at most ?limit=: the REST list of GET /api/backtesting/jobs.
 */

static int
open_filter(struct list_stream *ls, char *err, size_t errlen)
{
	const char	*filter;
	enum job_status	 st;

	filter = query_get(&ls->s->req->query, "status_filter");
	if (filter == NULL || *filter == '\0')
		return 0;
	if (job_status_parse(filter, &st) == -1) {
		snprintf(err, errlen, "status_filter: must be queued, running, "
		    "completed, failed or cancelled");
		return -1;
	}
	ls->status = (int)st;
	return 0;
}

static void
describe(const struct list_stream *ls, json_object *o)
{
	json_object_object_add(o, "status_filter", ls->status < 0 ? NULL :
	    json_object_new_string(job_status_name((enum job_status)
	    ls->status)));
}

static int
add_job(const struct job *j, void *arg)
{
	return list_add(arg, j);
}

static int
read_jobs(struct store_txn *txn, struct list_stream *ls)
{
	return jobs_list(txn, ls->s->uid, ls->status, ls->limit, add_job, ls);
}

/*
 * The common wake-up is the engine's progress on a job in the list: then
 * one job is read instead of `limit` through an index, which halves the
 * read's cost with 1000 streams waking at once.
 */
static int
get_job(struct store_txn *txn, const struct list_stream *ls, const char *id,
    void *out)
{
	struct job	*j = out;
	int		 r;

	if ((r = jobctl_own_job(txn, ls->s->uid, id, j)) != 0)
		return r;
	if (ls->status >= 0 && (int)j->status != ls->status)
		return ENOENT;
	return 0;
}

/* As get_job, from the record a change stored (lib/tail.h). */
static int
decode_job(const struct list_stream *ls, const void *rec, size_t len,
    void *out)
{
	struct job	*j = out;

	if (job_decode(rec, len, j) == -1)
		return -1;
	if (strcmp(j->uid, ls->s->uid) != 0 ||
	    (ls->status >= 0 && (int)j->status != ls->status))
		return ENOENT;
	return 0;
}

static const char *
job_id(const void *item)
{
	return ((const struct job *)item)->id;
}

static json_object *
job_json(const void *item)
{
	return job_to_json(item);
}

static const struct list_kind jobs_kind = {
	.name = "jobs",
	.items = "jobs",
	.item = "job",
	.added = "job_added",
	.updated = "job_updated",
	.removed = "job_removed",
	.removed_key = "job_id",
	.changed = CHANGE_JOB,
	.deleted = CHANGE_JOB_DELETED,
	.size = sizeof(struct job),
	.id = job_id,
	.to_json = job_json,
	.open = open_filter,
	.describe = describe,
	.read = read_jobs,
	.get = get_job,
	.decode = decode_job,
};

static int
open_jobs(struct stream *s, void **state, char *err, size_t errlen)
{
	return list_open(&jobs_kind, s, state, err, errlen);
}

const struct stream_kind stream_jobs = {
	"jobs", open_jobs, list_start, list_update, list_free,
};
