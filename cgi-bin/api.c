/* api.c: backstream-api, the REST responder: its route table and its token checks, in-process. */
#include "config.h"

#include <string.h>

#include "api.h"
#include "auth.h"
#include "ids.h"
#include "mstime.h"

/* HEAD is served wherever GET is (the web server drops the body). */
static const struct route routes[] = {
	{ "GET",	"backtesting/jobs",			api_list_jobs, NULL },
	{ "POST",	"backtesting/jobs",			api_submit_job, NULL },
	{ "GET",	"backtesting/jobs/{id}",		api_get_job, NULL },
	{ "DELETE",	"backtesting/jobs/{id}",		api_delete_job, NULL },
	{ "GET",	"backtesting/jobs/{id}/transactions",	api_list_transactions, NULL },
	{ "POST",	"backtesting/jobs/{id}/cancel",		api_cancel_job, NULL },
	{ "GET",	"backtesting/history",			api_list_history, NULL },
	{ "GET",	"backtesting/symbols",			api_list_symbols, NULL },
};

const char *
api_job_id(struct call *c, int *status)
{
	if (c->id != NULL && id_is_valid(c->id))
		return c->id;
	/* jobctl's words for a job that does not exist. */
	*status = call_fail(c, 404, "not_found", "no job %.40s",
	    c->id != NULL ? c->id : "");
	return NULL;
}

/* Requests are short: the verifier (OpenSSL) lives in the process. */
static void *
api_init(const struct conf *cfg)
{
	struct auth	*a;

	a = auth_new(cfg->project_id, cfg->cert_file, cfg->token_leeway);
	auth_set_expiry_leeway(a, cfg->token_expiry_leeway);
	return a;
}

static void
api_fini(void *own)
{
	auth_free(own);
}

static enum token_result
api_verify(struct responder *rs, const char *token, struct call *c,
    char *why, size_t whylen)
{
	struct auth_user	user;

	switch (auth_verify(rs->own, token, strlen(token), wall_ms(), &user,
	    why, whylen)) {
	case AUTH_OK:
		break;
	case AUTH_INVALID:
		return TOKEN_INVALID;
	case AUTH_UNAVAILABLE:
		return TOKEN_UNAVAILABLE;
	}
	memcpy(c->uid, user.uid, sizeof c->uid);
	c->token_exp = user.exp;
	return TOKEN_OK;
}

static const struct responder_def api_def = {
	.name = "backstream-api",
	.doc = "doc/api.md",
	.routes = routes,
	.nroutes = sizeof routes / sizeof routes[0],
	.noun = "endpoint",
	.head_and_options = 1,
	.access_log = 1,
	.body_max = API_BODY_MAX,
	/* The same words for every refusal. */
	.no_token_msg = "a valid token is required",
	.bad_token_msg = "a valid token is required",
	.init = api_init,
	.fini = api_fini,
	.verify = api_verify,
};

int
main(int argc, char **argv)
{
	return responder_main(&api_def, argc, argv);
}
