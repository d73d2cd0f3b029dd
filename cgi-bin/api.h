/* api.h: backstream-api's own header: the process, one call, the replies and the handlers of the route table. */
#ifndef BACKSTREAM_API_H
#define BACKSTREAM_API_H

#include <stddef.h>

#include <json-c/json.h>

#include "auth.h"
#include "conf.h"
#include "http.h"
#include "store.h"

/* Largest request body accepted (a job is well under 1 KiB). */
#define API_BODY_MAX	(64 * 1024)

/* What outlives a request: one per process. */
struct api {
	struct conf	 cfg;
	int		 cfg_ok;	/* 0: every request gets 503 */
	struct auth	*auth;
	struct store	*store;		/* opened by the first request needing it */
	/* What was last logged about an outage, "" while all is well. */
	char		 store_down[512];
	char		 auth_down[512];
};

/* One request, authenticated, as a handler sees it. */
struct call {
	struct api	*api;
	struct request	*req;
	struct store	*store;
	char		 uid[AUTH_UID_MAX + 1];
	const char	*id;		/* the path's {id}, or NULL */
};

/*
 * Handlers write the whole response and return its status (for the access
 * log).  They run after the route, the token and the store were settled.
 */
typedef int	(*api_handler)(struct call *c);

/* ---- replies (api.c) ------------------------------------------------------ */

/* Writes body (consumed) as the JSON response; returns status. */
int	api_reply(struct call *c, int status, json_object *body);
/* Writes {"error": code, "message": …}; returns status. */
int	api_fail(struct call *c, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * Answers a non-zero jobctl or store result r with the reason err: 404 for
 * ENOENT, 429 for EDQUOT, 409 for EALREADY; anything else is logged and
 * answered 503 or 500 without the details.  Returns the status.
 */
int	api_fail_store(struct call *c, int r, const char *err);
/* The 413 for a body over API_BODY_MAX; returns 413. */
int	api_fail_too_large(struct call *c);
/*
 * The path's job id, or NULL after answering 404: a malformed id answers
 * exactly like a job that does not exist.
 */
const char *api_job_id(struct call *c, int *status);

/* ---- handlers --------------------------------------------------------------- */

/* api-lists.c */
int	api_list_jobs(struct call *c);
int	api_list_history(struct call *c);
int	api_list_symbols(struct call *c);

/* api-jobs.c */
int	api_submit_job(struct call *c);
int	api_get_job(struct call *c);
int	api_list_transactions(struct call *c);
int	api_cancel_job(struct call *c);
int	api_delete_job(struct call *c);

#endif
