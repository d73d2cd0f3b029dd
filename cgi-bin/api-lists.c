/* api-lists.c: the REST lists: a user's jobs, their history, and the symbols with data. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "api.h"
#include "history.h"
#include "job.h"
#include "jobctl.h"
#include "symbols.h"

/* Reads ?limit; returns 0 or the status of the 400 written. */
static int
list_limit(struct call *c, int *limit)
{
	char	err[256];
	int64_t	v;

	if (query_int(&c->req->query, "limit", LIST_LIMIT_DEFAULT, 1,
	    LIST_LIMIT_MAX, &v, err, sizeof err) == -1)
		return call_fail(c, 400, "bad_request", "%s", err);
	*limit = (int)v;
	return 0;
}

/*
 * The same arguments as the jobs stream gives jobctl_list, so that the
 * stream's list converges to exactly this answer (doc/streams.md).
 */
int
api_list_jobs(struct call *c)
{
	const char	*name;
	enum job_status	 st;
	struct job	*jobs = NULL;
	json_object	*arr;
	char		 err[512];
	size_t		 n, i;
	int		 limit, status = -1, r;

	if ((r = list_limit(c, &limit)) != 0)
		return r;
	if ((name = query_get(&c->req->query, "status_filter")) != NULL) {
		if (job_status_parse(name, &st) == -1)
			return call_fail(c, 400, "bad_request", "status_filter: "
			    "must be one of queued, running, completed, failed, "
			    "cancelled");
		status = (int)st;
	}
	if ((r = jobctl_list(c->store, c->uid, status, limit, &jobs, &n, err,
	    sizeof err)) != 0)
		return call_fail_code(c, r, err);
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, job_to_json(&jobs[i]));
	free(jobs);
	return call_reply(c, 200, arr);
}

int
api_list_history(struct call *c)
{
	struct history_entry	*entries = NULL;
	json_object		*arr;
	char			 err[512];
	size_t			 n, i;
	int			 limit, r;

	if ((r = list_limit(c, &limit)) != 0)
		return r;
	if ((r = jobctl_history(c->store, c->uid, limit, &entries, &n, err,
	    sizeof err)) != 0)
		return call_fail_code(c, r, err);
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, history_to_json(&entries[i]));
	free(entries);
	return call_reply(c, 200, arr);
}

/* Symbols are shared data: every user sees the same list. */
int
api_list_symbols(struct call *c)
{
	json_object	*arr;
	char		 err[512];
	int		 r;

	if ((r = symbols_to_json(c->store, NULL, &arr, err,
	    sizeof err)) != 0)
		return call_fail_code(c, r, err);
	return call_reply(c, 200, arr);
}
