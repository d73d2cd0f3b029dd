/* api-jobs.c: one user's jobs through REST: submit, look, transactions, cancel, delete. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "buf.h"
#include "job.h"
#include "jobctl.h"
#include "json.h"
#include "spec-parse.h"
#include "trade.h"
#include "xmalloc.h"

/* ---- the request body ------------------------------------------------------ */

/* Whether CONTENT_TYPE is application/json, parameters (charset) allowed. */
static int
is_json_type(const char *type)
{
	static const char	json[] = "application/json";
	size_t			n = sizeof json - 1;

	if (type == NULL || strncasecmp(type, json, n) != 0)
		return 0;
	type += n;
	while (*type == ' ' || *type == '\t')
		type++;
	return *type == '\0' || *type == ';';
}

/* ---- submit --------------------------------------------------------------------- */

/*
 * A queued job waits for the engine's next run, which cron starts every
 * minute: a user at max_queued_jobs can submit again about then.
 */
#define API_QUEUE_RETRY_S	60

/*
 * The new job's URL for Location: the request's own path (as the client
 * wrote it, any prefix before /api/ included) and the id.  The route
 * matched backtesting/jobs, so only trailing slashes need dropping.
 */
static void
add_location(struct call *c, const char *id)
{
	const char	*uri = request_param(c->req, "REQUEST_URI");
	size_t		 n;

	if (uri == NULL || *uri == '\0')
		uri = c->req->path;
	n = strcspn(uri, "?#");
	while (n > 0 && uri[n - 1] == '/')
		n--;
	http_header(c->req, "Location: %.*s/%s", (int)n, uri, id);
}

int
api_submit_job(struct call *c)
{
	struct buf	 body = BUF_INIT;
	struct job_spec	 spec;
	struct job	*job = NULL;
	json_object	*obj = NULL;
	char		 err[1024];
	int		 status, r;

	if (!is_json_type(request_param(c->req, "CONTENT_TYPE"))) {
		status = call_fail(c, 415, "unsupported_media_type", "send the "
		    "job as JSON, with Content-Type: application/json");
		goto out;
	}
	if ((status = call_read_body(c, &body)) != 0)
		goto out;
	/* A body of null is refused below as any other non-object. */
	if (json_parse_value(body.len > 0 ? body.data : "", body.len, &obj,
	    err, sizeof err) == -1) {
		status = call_fail(c, 400, "bad_request", "%s", err);
		goto out;
	}
	if (spec_from_json(obj, &spec, err, sizeof err) == -1) {
		status = call_fail(c, 400, "bad_request", "%s", err);
		goto out;
	}
	job = xmalloc(sizeof *job);
	if ((r = jobctl_submit(c->store, c->uid, &spec,
	    (int)c->rs->cfg.max_queued_jobs, job, err, sizeof err)) != 0) {
		if (r == EDQUOT)
			http_header(c->req, "Retry-After: %d",
			    API_QUEUE_RETRY_S);
		status = call_fail_code(c, r, err);
		goto out;
	}
	add_location(c, job->id);
	status = call_reply(c, 201, job_to_json(job));
out:
	free(job);
	json_object_put(obj);
	buf_free(&body);
	return status;
}

/* ---- one job ------------------------------------------------------------------- */

int
api_get_job(struct call *c)
{
	struct job	*job;
	const char	*id;
	char		 err[512];
	int		 status, r;

	if ((id = api_job_id(c, &status)) == NULL)
		return status;
	job = xmalloc(sizeof *job);
	if ((r = jobctl_get(c->store, c->uid, id, job, err, sizeof err)) != 0)
		status = call_fail_code(c, r, err);
	else
		status = call_reply(c, 200, job_to_json(job));
	free(job);
	return status;
}

int
api_list_transactions(struct call *c)
{
	struct trade	*trades = NULL;
	json_object	*arr;
	const char	*id;
	char		 err[512];
	size_t		 n, i;
	int		 status, r;

	if ((id = api_job_id(c, &status)) == NULL)
		return status;
	if ((r = jobctl_trades(c->store, c->uid, id, &trades, &n, err,
	    sizeof err)) != 0)
		return call_fail_code(c, r, err);
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, trade_to_json(&trades[i]));
	free(trades);
	return call_reply(c, 200, arr);
}

/*
 * A queued job is cancelled at once; a running one answers with its
 * message "cancelling" and its engine stops it within 200 ms.
 */
int
api_cancel_job(struct call *c)
{
	struct job	*job;
	const char	*id;
	char		 err[512];
	int		 status, r;

	if ((id = api_job_id(c, &status)) == NULL)
		return status;
	job = xmalloc(sizeof *job);
	if ((r = jobctl_cancel(c->store, c->uid, id, job, err,
	    sizeof err)) != 0)
		status = call_fail_code(c, r, err);
	else
		status = call_reply(c, 200, job_to_json(job));
	free(job);
	return status;
}

/* The answer names the job gone, like the streams' job_removed. */
int
api_delete_job(struct call *c)
{
	json_object	*obj;
	const char	*id;
	char		 err[512];
	int		 status, r;

	if ((id = api_job_id(c, &status)) == NULL)
		return status;
	if ((r = jobctl_delete(c->store, c->uid, id, err, sizeof err)) != 0)
		return call_fail_code(c, r, err);
	obj = json_object_new_object();
	json_object_object_add(obj, "job_id", json_object_new_string(id));
	json_object_object_add(obj, "deleted", json_object_new_boolean(1));
	return call_reply(c, 200, obj);
}
