/* stream-main.c: backstream-sse, the FastCGI responder that serves one SSE stream at a time: its route table, its token checks (screen, then Nettle or the helper) and each user's share of the pool. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "log.h"
#include "mstime.h"
#include "responder.h"
#include "store.h"
#include "stream-slots.h"
#include "stream.h"
#include "token-screen.h"
#include "verify-client.h"
#include "xmalloc.h"

/* The process's own state: the token checks and this stream's slot. */
struct sse {
	struct token_screen	*screen;
#ifdef HAVE_NETTLE
	struct auth		*auth;	/* the full check; keys cached here */
#endif
	struct stream_slots	*slots;
};

/* Clients at the per-user limit are told to try again after this long. */
#define RETRY_AFTER_SECONDS	30

/*
 * A page that changes a stream's parameters closes the old stream and
 * opens the new one at once, and the old one's responder lets its slot go
 * only when it notices the closed connection: at the limit, a new stream
 * waits this long for a slot before its 429, which EventSource never
 * retries.
 */
#define SLOT_WAIT_MS		2000
#define SLOT_RETRY_MS		50

/*
 * Takes one of uid's slots, waiting up to SLOT_WAIT_MS while uid holds
 * max.  Returns stream_slots_take's answer.
 */
static int
take_slot(struct stream_slots *slots, const char *uid, int64_t max,
    int64_t *held, char *err, size_t errlen)
{
	const struct timespec	 pause = { 0, SLOT_RETRY_MS * 1000000L };
	int64_t			 end = mono_ms() + SLOT_WAIT_MS;
	int			 r;

	while ((r = stream_slots_take(slots, uid, max, held, err, errlen)) ==
	    EDQUOT && mono_ms() < end)
		nanosleep(&pause, NULL);
	return r;
}

/*
 * One process per open stream: each serves its streams one after the
 * other and holds the store open between them.  Streams are read with
 * GET only (HEAD would hold a process for a stream's lifetime).  Each
 * holds one of its user's max_user_streams slots while it runs.
 */
static int
serve_stream(struct call *c)
{
	struct sse	*own = c->rs->own;
	int64_t		 max = c->rs->cfg.max_user_streams, held;
	char		 err[512];
	int		 r, status;

	r = take_slot(own->slots, c->uid, max, &held, err, sizeof err);
	if (r == EDQUOT) {
		http_header(c->req, "Retry-After: %d", RETRY_AFTER_SECONDS);
		return call_fail(c, 429, "too_many_requests", "%lld streams are "
		    "open for this user, the most allowed; close one",
		    (long long)held);
	}
	if (r != 0) {
		/* The file lives beside the store, and fails with it. */
		log_error("%s %s: %s", c->req->method, c->req->path, err);
		return call_fail(c, 503, "unavailable", "the store is "
		    "unavailable; try again later");
	}
	status = stream_serve(c, c->arg);
	stream_slots_release(own->slots);
	return status;
}

/* /api/sse/backtest/{jobs | history | ID | ID/data}; the first match wins. */
static const struct route routes[] = {
	{ "GET",	"sse/backtest/jobs",		serve_stream, &stream_jobs },
	{ "GET",	"sse/backtest/history",		serve_stream, &stream_history },
	{ "GET",	"sse/backtest/{id}",		serve_stream, &stream_job },
	{ "GET",	"sse/backtest/{id}/data",	serve_stream, &stream_data },
};

/* A stream's lifetime has a random jitter (stream.c). */
static void *
sse_init(const struct conf *cfg)
{
	struct sse	*own = xmalloc(sizeof *own);

	srandom((unsigned)(getpid() ^ time(NULL)));
	own->screen = token_screen_new(cfg->project_id, cfg->cert_file,
	    cfg->token_leeway);
#ifdef HAVE_NETTLE
	own->auth = auth_new(cfg->project_id, cfg->cert_file,
	    cfg->token_leeway);
	auth_set_expiry_leeway(own->auth, cfg->token_expiry_leeway);
#endif
	own->slots = stream_slots_new(cfg->store_dir);
	return own;
}

static void
sse_fini(void *p)
{
	struct sse	*own = p;

	if (own == NULL)
		return;
	token_screen_free(own->screen);
#ifdef HAVE_NETTLE
	auth_free(own->auth);
#endif
	stream_slots_free(own->slots);
	free(own);
}

#ifdef HAVE_NETTLE
/*
 * The full check in-process: Nettle keeps no global state, so a
 * thousand processes pay a few KiB each (rsa-key.h), and a stream opens
 * without starting a process.
 */
static enum verify_result
check_token(struct responder *rs, const char *token, struct call *c,
    char *why, size_t whylen)
{
	struct sse		*own = rs->own;
	struct auth_user	 user;

	switch (auth_verify(own->auth, token, strlen(token), wall_ms(), &user,
	    why, whylen)) {
	case AUTH_OK:
		memcpy(c->uid, user.uid, sizeof c->uid);
		c->token_exp = user.exp;
		return VERIFY_OK;
	case AUTH_INVALID:
		log_debug("token refused: %s", why);
		return VERIFY_INVALID;
	case AUTH_UNAVAILABLE:
		break;
	}
	return VERIFY_UNAVAILABLE;
}
#else
/* Without Nettle, OpenSSL would cost each process ~600 KiB: the helper. */
static enum verify_result
check_token(struct responder *rs, const char *token, struct call *c,
    char *why, size_t whylen)
{
	return verify_token(rs->cfg.verify_helper, rs->cfg.path, token,
	    c->uid, &c->token_exp, why, whylen);
}
#endif

static enum token_result
sse_verify(struct responder *rs, const char *token, struct call *c,
    char *why, size_t whylen)
{
	/* Junk is refused without a signature check (token-screen.h). */
	struct sse	*own = rs->own;

	if (token_screen_check(own->screen, token, wall_ms(), why, whylen) == -1)
		return TOKEN_INVALID;
	switch (check_token(rs, token, c, why, whylen)) {
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
	/* Streams only read: no log file ids, whose table grows with them. */
	.store_flags = STORE_READONLY,
	.init = sse_init,
	.fini = sse_fini,
	.verify = sse_verify,
};

int
main(int argc, char **argv)
{
	return responder_main(&sse_def, argc, argv);
}
