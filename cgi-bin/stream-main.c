/* stream-main.c: backstream-sse, the FastCGI responder that serves one SSE stream at a time: its route table and its token checks by helper. */
#include "config.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "mstime.h"
#include "responder.h"
#include "stream.h"
#include "token-screen.h"
#include "verify-client.h"

/*
 * One process per open stream: each serves its streams one after the
 * other and holds the store open between them.  Streams are read with
 * GET only (HEAD would hold a process for a stream's lifetime).
 */
static int
serve_stream(struct call *c)
{
	return stream_serve(c, c->arg);
}

/* /api/sse/backtest/{jobs | history | ID | ID/data}; the first match wins. */
static const struct route routes[] = {
	{ "GET",	"sse/backtest/jobs",		serve_stream, &stream_jobs },
	{ "GET",	"sse/backtest/history",		serve_stream, &stream_history },
	{ "GET",	"sse/backtest/{id}",		serve_stream, &stream_job },
	{ "GET",	"sse/backtest/{id}/data",	serve_stream, &stream_data },
};

/*
 * A stream's lifetime has a random jitter (stream.c).  The process's own
 * state is the token screen.
 */
static void *
sse_init(const struct conf *cfg)
{
	srandom((unsigned)(getpid() ^ time(NULL)));
	return token_screen_new(cfg->project_id, cfg->cert_file,
	    cfg->token_leeway);
}

static void
sse_fini(void *own)
{
	token_screen_free(own);
}

/*
 * OpenSSL would cost each of a thousand long-lived processes about
 * 600 KiB: the short-lived helper checks the token instead.
 */
static enum token_result
sse_verify(struct responder *rs, const char *token, struct call *c,
    char *why, size_t whylen)
{
	/* Junk must not cost a process start each (token-screen.h). */
	if (token_screen_check(rs->own, token, wall_ms(), why, whylen) == -1)
		return TOKEN_INVALID;
	switch (verify_token(rs->cfg.verify_helper, rs->cfg.path, token,
	    c->uid, &c->token_exp, why, whylen)) {
	case VERIFY_OK:
		return TOKEN_OK;
	case VERIFY_INVALID:
		return TOKEN_INVALID;
	case VERIFY_UNAVAILABLE:
		break;
	}
	return TOKEN_UNAVAILABLE;
}

static const struct responder_def sse_def = {
	.name = "backstream-sse",
	.doc = "doc/streams.md",
	.routes = routes,
	.nroutes = sizeof routes / sizeof routes[0],
	.noun = "stream",
	.no_token_msg = "a token is required (?token= or Authorization: Bearer)",
	.bad_token_msg = "the token is invalid or has expired",
	.init = sse_init,
	.fini = sse_fini,
	.verify = sse_verify,
};

int
main(int argc, char **argv)
{
	return responder_main(&sse_def, argc, argv);
}
