/* stream-jobs.c: the job list stream: a snapshot, then job_added, job_updated and job_removed. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "jobctl.h"
#include "json.h"
#include "log.h"
#include "store-jobs.h"
#include "stream.h"
#include "xmalloc.h"

/*
 * The client's list must equal the REST list for the same filter and
 * limit at every quiet moment (doc/streams.md).  So the stream keeps the ids
 * the client holds; after a change it reads the view again (limit jobs
 * through an index) and sends the difference: a job leaving the view is
 * removed, one entering is added, one that changed in place is updated.
 * The change log says which jobs changed, so unchanged ones are never
 * sent again.
 */

struct jobs_state {
	int		 status;	/* -1: any */
	int		 limit;
	uint64_t	 seq;		/* the client is current up to here */
	char		(*ids)[ID_MAX + 1];	/* its list, newest first */
	int		 n;

	/* Filled by a read. */
	struct job	*view;		/* the current view, newest first */
	int		 nview;
	char		(*changed)[ID_MAX + 1];
	int		 nchanged;
	int		 cchanged;
	int		 deleted;	/* a change was a deletion */
	int		 behind;	/* the log was trimmed past seq */
	int		 in_place;	/* view holds just the changed jobs */
};

static int
open_jobs(struct stream *s, void **state, char *err, size_t errlen)
{
	struct jobs_state	*js;
	const char		*filter;
	enum job_status		 st;
	int64_t			 limit;

	if (query_int(&s->req->query, "limit", LIST_LIMIT_DEFAULT, 1,
	    LIST_LIMIT_MAX, &limit, err, errlen) == -1)
		return 400;
	filter = query_get(&s->req->query, "status_filter");
	if (filter != NULL && *filter != '\0' &&
	    job_status_parse(filter, &st) == -1) {
		snprintf(err, errlen, "status_filter: must be queued, running, "
		    "completed, failed or cancelled");
		return 400;
	}
	js = xcalloc(1, sizeof *js);
	js->status = filter != NULL && *filter != '\0' ? (int)st : -1;
	js->limit = (int)limit;
	js->ids = xcalloc((size_t)limit, sizeof *js->ids);
	js->view = xcalloc((size_t)limit, sizeof *js->view);
	*state = js;
	return 200;
}

static void
free_jobs(void *state)
{
	struct jobs_state	*js = state;

	if (js == NULL)
		return;
	free(js->ids);
	free(js->view);
	free(js->changed);
	free(js);
}

static int
add_view(const struct job *j, void *arg)
{
	struct jobs_state	*js = arg;

	js->view[js->nview++] = *j;
	return 0;
}

struct snapshot_read {
	struct stream		*s;
	struct jobs_state	*js;
};

static int
read_snapshot(struct store_txn *txn, void *arg)
{
	struct snapshot_read	*sr = arg;
	int			 r;

	sr->js->nview = 0;
	if ((r = changelog_head(txn, &sr->js->seq)) != 0)
		return r;
	return jobs_list(txn, sr->s->uid, sr->js->status, sr->js->limit,
	    add_view, sr->js);
}

/* Sends the whole current view as a snapshot, which replaces the list. */
static int
send_snapshot(struct stream *s, struct jobs_state *js, const char *id)
{
	json_object	*o, *arr;
	int		 i, r;

	o = json_object_new_object();
	arr = json_object_new_array();
	for (i = 0; i < js->nview; i++) {
		json_object_array_add(arr, job_to_json(&js->view[i]));
		snprintf(js->ids[i], ID_MAX + 1, "%s", js->view[i].id);
	}
	js->n = js->nview;
	json_object_object_add(o, "jobs", arr);
	r = stream_send_json(s, id, "snapshot", o);
	json_object_put(o);
	return r;
}

static void
seq_id(char *out, size_t len, uint64_t seq)
{
	snprintf(out, len, "%" PRIu64, seq);
}

static int
start_jobs(struct stream *s, void *state)
{
	struct jobs_state	*js = state;
	struct snapshot_read	 sr = { s, js };
	json_object		*o;
	char			 id[32], err[256];
	int			 r;

	if (store_read(s->store, read_snapshot, &sr, err, sizeof err) != 0) {
		log_error("jobs stream: %s", err);
		stream_send_error(s, "unavailable", "the store is unavailable");
		return -1;
	}
	seq_id(id, sizeof id, js->seq);
	o = json_object_new_object();
	json_object_object_add(o, "stream", json_object_new_string("jobs"));
	json_object_object_add(o, "status_filter", js->status < 0 ? NULL :
	    json_object_new_string(job_status_name((enum job_status)
	    js->status)));
	json_object_object_add(o, "limit", json_object_new_int(js->limit));
	r = stream_send_json(s, id, "connection", o);
	json_object_put(o);
	if (r == -1)
		return -1;
	/* Every connection, a resumed one too, begins with the full list. */
	return send_snapshot(s, js, id);
}

/* ---- updates -------------------------------------------------------------- */

struct update_read {
	struct stream		*s;
	struct jobs_state	*js;
	uint64_t		 seq;	/* the newest change seen */
};

static int
note_change(const struct change *c, void *arg)
{
	struct update_read	*ur = arg;
	struct jobs_state	*js = ur->js;
	int			 i;

	ur->seq = c->seq;
	if (c->kind != CHANGE_JOB && c->kind != CHANGE_JOB_DELETED)
		return 0;
	if (c->kind == CHANGE_JOB_DELETED)
		js->deleted = 1;
	for (i = 0; i < js->nchanged; i++)
		if (strcmp(js->changed[i], c->id) == 0)
			return 0;
	if (js->nchanged == js->cchanged) {
		js->cchanged = js->cchanged == 0 ? 16 : js->cchanged * 2;
		js->changed = xreallocarray(js->changed, (size_t)js->cchanged,
		    sizeof *js->changed);
	}
	snprintf(js->changed[js->nchanged++], ID_MAX + 1, "%s", c->id);
	return 0;
}

static int	in_list(char (*ids)[ID_MAX + 1], int n, const char *id);

/*
 * When every changed job is one the client holds and still belongs in the
 * view (it exists, and has the filter's status), the view is the same
 * list: the jobs not changed are as they were, and the order (by creation)
 * cannot change without a deletion or a creation.  Then only the changed
 * jobs need reading, not the whole view: the common wake-up (the engine's
 * progress on a job in the list) reads one job instead of `limit` through
 * an index, which halves the read's cost with 1000 streams waking at once.
 * Returns 0 with the changed jobs in view and in_place set, or ENOENT when
 * the whole view must be read; or a store code.
 */
static int
read_in_place(struct store_txn *txn, struct update_read *ur)
{
	struct jobs_state	*js = ur->js;
	struct job		*j;
	int			 i, r;

	if (js->deleted || js->nchanged > js->n)
		return ENOENT;
	for (i = 0; i < js->nchanged; i++) {
		if (!in_list(js->ids, js->n, js->changed[i]))
			return ENOENT;
		j = &js->view[i];
		if ((r = jobs_get(txn, js->changed[i], j)) != 0)
			return r;
		if (strcmp(j->uid, ur->s->uid) != 0 ||
		    (js->status >= 0 && (int)j->status != js->status))
			return ENOENT;
	}
	js->nview = js->nchanged;
	js->in_place = 1;
	return 0;
}

static int
read_update(struct store_txn *txn, void *arg)
{
	struct update_read	*ur = arg;
	struct jobs_state	*js = ur->js;
	uint64_t		 first;
	int			 r;

	js->nchanged = 0;
	js->nview = 0;
	js->deleted = 0;
	js->behind = 0;
	js->in_place = 0;
	ur->seq = js->seq;
	if ((r = changelog_first(txn, &first)) != 0)
		return r;
	if (first > js->seq + 1) {
		/* Changes we never saw were trimmed: start over from a snapshot. */
		js->behind = 1;
		if ((r = changelog_head(txn, &ur->seq)) != 0)
			return r;
	} else if ((r = changelog_read_since(txn, ur->s->uid, js->seq,
	    note_change, ur)) != 0)
		return r;
	if (js->nchanged == 0 && !js->behind)
		return 0;
	if (!js->behind && (r = read_in_place(txn, ur)) != ENOENT)
		return r;
	js->nview = 0;
	js->in_place = 0;
	return jobs_list(txn, ur->s->uid, js->status, js->limit, add_view,
	    js);
}

static int
was_changed(const struct jobs_state *js, const char *id)
{
	int	i;

	for (i = 0; i < js->nchanged; i++)
		if (strcmp(js->changed[i], id) == 0)
			return 1;
	return 0;
}

static int
in_list(char (*ids)[ID_MAX + 1], int n, const char *id)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return 1;
	return 0;
}

static int
in_view(const struct jobs_state *js, const char *id)
{
	int	i;

	for (i = 0; i < js->nview; i++)
		if (strcmp(js->view[i].id, id) == 0)
			return 1;
	return 0;
}

/* The job of the view with this id, or NULL. */
static const struct job *
view_job(const struct jobs_state *js, const char *id)
{
	int	i;

	for (i = 0; i < js->nview; i++)
		if (strcmp(js->view[i].id, id) == 0)
			return &js->view[i];
	return NULL;
}

static int
send_job(struct stream *s, const char *id, const char *event,
    const struct job *j)
{
	json_object	*o;
	int		 r;

	o = json_object_new_object();
	json_object_object_add(o, "job", job_to_json(j));
	r = stream_send_json(s, id, event, o);
	json_object_put(o);
	return r;
}

static int
update_jobs(struct stream *s, void *state)
{
	struct jobs_state	*js = state;
	struct update_read	 ur = { s, js, 0 };
	json_object		*o;
	char			 id[32], err[256];
	int			 i;

	if (store_read(s->store, read_update, &ur, err, sizeof err) != 0) {
		log_error("jobs stream: %s", err);
		return 0;	/* try again at the next wake */
	}
	if (ur.seq == js->seq)
		return 0;
	js->seq = ur.seq;
	seq_id(id, sizeof id, js->seq);
	if (js->behind)
		return send_snapshot(s, js, id);
	if (js->nchanged == 0)
		return 0;
	if (js->in_place) {
		/* The same events as below: updates, oldest first. */
		for (i = js->n - 1; i >= 0; i--) {
			const struct job *j = view_job(js, js->ids[i]);

			if (j != NULL && send_job(s, id, "job_updated", j) == -1)
				return -1;
		}
		return 0;
	}
	/* Removals first, so the client never holds more than limit. */
	for (i = 0; i < js->n; i++) {
		if (in_view(js, js->ids[i]))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "job_id",
		    json_object_new_string(js->ids[i]));
		if (stream_send_json(s, id, "job_removed", o) == -1) {
			json_object_put(o);
			return -1;
		}
		json_object_put(o);
	}
	/* Additions oldest first: the client prepends, so newest ends first. */
	for (i = js->nview - 1; i >= 0; i--) {
		if (!in_list(js->ids, js->n, js->view[i].id)) {
			if (send_job(s, id, "job_added", &js->view[i]) == -1)
				return -1;
		} else if (was_changed(js, js->view[i].id)) {
			if (send_job(s, id, "job_updated", &js->view[i]) == -1)
				return -1;
		}
	}
	for (i = 0; i < js->nview; i++)
		snprintf(js->ids[i], ID_MAX + 1, "%s", js->view[i].id);
	js->n = js->nview;
	return 0;
}

const struct stream_kind stream_jobs = {
	"jobs", open_jobs, start_jobs, update_jobs, free_jobs,
};
