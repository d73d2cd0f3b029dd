/* api.h: backstream-api's own header: the handlers of its route table. */
#ifndef BACKSTREAM_API_H
#define BACKSTREAM_API_H

#include "responder.h"

/* Largest request body accepted (a job is well under 1 KiB). */
#define API_BODY_MAX	(64 * 1024)

/*
 * The path's job id, or NULL after answering 404: a malformed id answers
 * exactly like a job that does not exist.
 */
const char *api_job_id(struct call *c, int *status);

/* ---- handlers (see responder.h: route_handler) ---------------------------- */

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
