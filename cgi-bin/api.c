/* api.c: backstream-api, the REST responder: the accept loop, the route table, authentication and the replies. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "api.h"
#include "ids.h"
#include "log.h"
#include "mstime.h"
#include "strnum.h"

/* How long a browser may keep a preflight's answer. */
#define PREFLIGHT_MAX_AGE	600

/* ---- routes ------------------------------------------------------------------ */

struct route {
	const char	*method;
	const char	*pattern;	/* segments after /api/; {id} is any one */
	api_handler	 handler;
};

/* HEAD is served wherever GET is (the web server drops the body). */
static const struct route routes[] = {
	{ "GET",	"backtesting/jobs",			api_list_jobs },
	{ "POST",	"backtesting/jobs",			api_submit_job },
	{ "GET",	"backtesting/jobs/{id}",		api_get_job },
	{ "DELETE",	"backtesting/jobs/{id}",		api_delete_job },
	{ "GET",	"backtesting/jobs/{id}/transactions",	api_list_transactions },
	{ "POST",	"backtesting/jobs/{id}/cancel",		api_cancel_job },
	{ "GET",	"backtesting/history",			api_list_history },
	{ "GET",	"backtesting/symbols",			api_list_symbols },
};
#define NROUTES	(sizeof routes / sizeof routes[0])

/*
 * Whether the request's path (segments after "api") fits pattern; *id
 * gets the segment that {id} matched.
 */
static int
path_matches(const struct request *r, const char *pattern, const char **id)
{
	const char	*p = pattern;
	size_t		 len;
	int		 i;

	for (i = 1; i < r->nsegs; i++) {
		if (*p == '\0')
			return 0;
		len = strcspn(p, "/");
		if (len == 4 && strncmp(p, "{id}", 4) == 0)
			*id = r->segs[i];
		else if (strlen(r->segs[i]) != len ||
		    strncmp(p, r->segs[i], len) != 0)
			return 0;
		p += len;
		if (*p == '/')
			p++;
	}
	return *p == '\0';
}

static int
method_matches(const char *route_method, const char *method)
{
	return strcmp(route_method, method) == 0 ||
	    (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

/*
 * Finds the route for the request's method and path.  Returns it, or NULL
 * with the methods the path allows in allow ("" when no route has the path).
 */
static const struct route *
route_find(const struct request *r, const char **id, char *allow,
    size_t allowlen)
{
	const struct route	*found = NULL;
	const char		*any_id;
	size_t			 i;

	allow[0] = '\0';
	*id = NULL;
	for (i = 0; i < NROUTES; i++) {
		any_id = NULL;
		if (!path_matches(r, routes[i].pattern, &any_id))
			continue;
		if (found == NULL && method_matches(routes[i].method,
		    r->method)) {
			found = &routes[i];
			*id = any_id;
		}
		snprintf(allow + strlen(allow), allowlen - strlen(allow),
		    "%s%s", routes[i].method, strcmp(routes[i].method,
		    "GET") == 0 ? ", HEAD, " : ", ");
	}
	if (allow[0] != '\0')
		snprintf(allow + strlen(allow), allowlen - strlen(allow),
		    "OPTIONS");
	return found;
}

/* ---- replies ------------------------------------------------------------------ */

int
api_reply(struct call *c, int status, json_object *body)
{
	http_json(c->req, status, body);
	json_object_put(body);
	return status;
}

int
api_fail(struct call *c, int status, const char *code, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	http_error(c->req, status, code, "%s", msg);
	return status;
}

int
api_fail_store(struct call *c, int r, const char *err)
{
	switch (r) {
	case ENOENT:
		return api_fail(c, 404, "not_found", "%s", err);
	case EDQUOT:
		return api_fail(c, 429, "too_many_requests", "%s", err);
	case EALREADY:
		return api_fail(c, 409, "conflict", "%s", err);
	}
	log_error("%s %s: %s", c->req->method, c->req->path, err);
	/*
	 * Berkeley DB's codes are negative; of ours, these say the store (its
	 * records, files or disk) is at fault rather than this request.
	 */
	if (r < 0 || r == EIO || r == EACCES || r == EPERM || r == EROFS ||
	    r == ENOSPC)
		return api_fail(c, 503, "unavailable", "the store is "
		    "unavailable; try again later");
	return api_fail(c, 500, "internal_error", "the request failed; the "
	    "server's log says why");
}

int
api_fail_too_large(struct call *c)
{
	return api_fail(c, 413, "payload_too_large", "the request body is "
	    "larger than %d bytes", API_BODY_MAX);
}

const char *
api_job_id(struct call *c, int *status)
{
	if (c->id != NULL && id_is_valid(c->id))
		return c->id;
	/* jobctl's words for a job that does not exist. */
	*status = api_fail(c, 404, "not_found", "no job %.40s",
	    c->id != NULL ? c->id : "");
	return NULL;
}

/* ---- the process's resources ---------------------------------------------------- */

/*
 * Notes an outage: logged once per change of state, not on every request
 * that meets it.  why "" notes the end of one.
 */
static void
note_outage(char *last, size_t lastlen, const char *what, const char *why)
{
	if (strcmp(last, why) == 0)
		return;
	if (why[0] != '\0')
		log_error("%s: %s", what, why);
	else
		log_info("%s: available again", what);
	snprintf(last, lastlen, "%s", why);
}

/* Opens the store if it is not open yet; returns it, or NULL. */
static struct store *
api_store(struct api *a)
{
	char	err[512];

	if (a->store != NULL)
		return a->store;
	if ((a->store = store_open(&a->cfg, 0, err, sizeof err)) == NULL) {
		note_outage(a->store_down, sizeof a->store_down, "the store",
		    err);
		return NULL;
	}
	note_outage(a->store_down, sizeof a->store_down, "the store", "");
	return a->store;
}

/*
 * Verifies the request's token into c->uid.  Returns 0, or the status of
 * the error written.  Every refusal says the same, so that a reply never
 * helps guess what was wrong with a token.
 */
static int
authenticate(struct call *c)
{
	struct api		*a = c->api;
	struct auth_user	 user;
	const char		*token;
	char			 why[512];

	token = request_token(c->req);
	if (token == NULL || *token == '\0')
		goto refused;
	switch (auth_verify(a->auth, token, strlen(token),
	    wall_ms(), &user, why, sizeof why)) {
	case AUTH_OK:
		note_outage(a->auth_down, sizeof a->auth_down,
		    "token verification", "");
		snprintf(c->uid, sizeof c->uid, "%s", user.uid);
		return 0;
	case AUTH_INVALID:
		log_debug("%s %s: token refused: %s", c->req->method,
		    c->req->path, why);
		goto refused;
	case AUTH_UNAVAILABLE:
		break;
	}
	note_outage(a->auth_down, sizeof a->auth_down, "token verification",
	    why[0] != '\0' ? why : "unavailable");
	return api_fail(c, 503, "unavailable", "authentication is unavailable; "
	    "try again later");
refused:
	http_header(c->req, "WWW-Authenticate: Bearer");
	return api_fail(c, 401, "unauthorized", "a valid token is required");
}

/* ---- one request --------------------------------------------------------------- */

/*
 * The answer to OPTIONS: a CORS preflight from an allowed origin gets what
 * the browser asks for; one from another origin is refused; a plain
 * OPTIONS gets the methods.
 */
static int
preflight(struct call *c, const char *allow)
{
	char	extra[512];

	if (c->req->origin == NULL) {
		http_header(c->req, "Allow: %s", allow);
		http_head(c->req, 204, NULL, NULL);
		return 204;
	}
	if (c->req->cors == NULL)
		return api_fail(c, 403, "forbidden", "origin not allowed");
	snprintf(extra, sizeof extra,
	    "Access-Control-Allow-Methods: %s\r\n"
	    "Access-Control-Allow-Headers: Authorization, Content-Type\r\n"
	    "Access-Control-Max-Age: %d\r\n", allow, PREFLIGHT_MAX_AGE);
	http_head(c->req, 204, NULL, extra);
	return 204;
}

/* A declared body over the limit is refused before anything else is read. */
static int
body_too_large(struct call *c)
{
	const char	*length, *why;
	int64_t		 n;

	length = request_param(c->req, "CONTENT_LENGTH");
	if (length == NULL || strnum_int(length, 0, INT64_MAX, &n, &why) == -1 ||
	    n <= API_BODY_MAX)
		return 0;
	return api_fail_too_large(c);
}

/* Answers one request; returns the status sent. */
static int
dispatch(struct call *c, int parsed, const char *parse_err)
{
	const struct route	*route;
	char			 allow[128];
	int			 status;

	if (parsed == 404)
		return api_fail(c, 404, "not_found", "no such endpoint");
	if (parsed != 0)
		return api_fail(c, 400, "bad_request", "%s", parse_err);
	if (!c->api->cfg_ok)
		return api_fail(c, 503, "unavailable", "the server is not "
		    "configured; its log says why");
	route = route_find(c->req, &c->id, allow, sizeof allow);
	if (allow[0] == '\0')
		return api_fail(c, 404, "not_found", "no such endpoint");
	if (strcmp(c->req->method, "OPTIONS") == 0)
		return preflight(c, allow);
	if (route == NULL) {
		http_header(c->req, "Allow: %s", allow);
		return api_fail(c, 405, "method_not_allowed", "%.16s is not "
		    "allowed here; allowed: %s", c->req->method, allow);
	}
	if ((status = body_too_large(c)) != 0 ||
	    (status = authenticate(c)) != 0)
		return status;
	if ((c->store = api_store(c->api)) == NULL)
		return api_fail(c, 503, "unavailable", "the store is "
		    "unavailable; try again later");
	return route->handler(c);
}

static void
serve(struct api *a, FCGX_Request *fcgx)
{
	struct request	req;
	struct call	c;
	char		err[256];
	int64_t		start;
	int		parsed, status;

	start = mono_ms();
	err[0] = '\0';
	parsed = request_parse(&req, fcgx, &a->cfg, err, sizeof err);
	memset(&c, 0, sizeof c);
	c.api = a;
	c.req = &req;
	status = dispatch(&c, parsed, err);
	/* The path only: the query may hold a token. */
	log_info("%.16s %s %d %lld ms", req.method, req.path != NULL ?
	    req.path : "-", status, (long long)(mono_ms() -
	    start));
	request_free(&req);
}

/* ---- signals and the loop -------------------------------------------------------- */

/* Set by the handler: the only state it shares with the loop. */
static volatile sig_atomic_t	stopping;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
	/*
	 * Signals reach us only while we wait in accept().  Should this one
	 * land just before the accept() call itself, SIGALRM interrupts it.
	 */
	alarm(1);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/*
 * Stop signals interrupt a wait for the next request (no SA_RESTART), and
 * are blocked while a request is served so that no read or write of it
 * fails with EINTR: the request is finished, then the process exits.
 */
static void
install_signals(sigset_t *stop_set)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);	/* libfcgi's "finish and exit" */
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	sigemptyset(stop_set);
	sigaddset(stop_set, SIGTERM);
	sigaddset(stop_set, SIGINT);
	sigaddset(stop_set, SIGUSR1);
	sigaddset(stop_set, SIGALRM);
	sigprocmask(SIG_BLOCK, stop_set, NULL);
}

static void
usage(void)
{
	fprintf(stderr, "usage: backstream-api [-c config]\n"
	    "A FastCGI responder: the web server starts it (see doc/api.md).\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	struct api	 a;
	FCGX_Request	 fcgx;
	sigset_t	 stop_set;
	const char	*conf_arg = NULL;
	char		 err[1024];
	int		 ch, accepted;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		switch (ch) {
		case 'c':
			conf_arg = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("backstream-api", LOG_LEVEL_INFO);
	if (FCGX_IsCGI()) {
		fprintf(stderr, "backstream-api: standard input is not a "
		    "FastCGI socket\n");
		usage();
	}

	memset(&a, 0, sizeof a);
	if (conf_read(&a.cfg, conf_arg, err, sizeof err) == -1)
		/* Answer 503 (rather than die and be respawned in a loop). */
		log_error("%s", err);
	else {
		a.cfg_ok = 1;
		log_set_level(a.cfg.log_level);
		if (a.cfg.log_file[0] != '\0' &&
		    log_open_file(a.cfg.log_file) == -1)
			log_warn("%s: %s; logging to standard error",
			    a.cfg.log_file, strerror(errno));
		a.auth = auth_new(a.cfg.project_id, a.cfg.cert_file,
		    a.cfg.token_leeway);
		auth_set_expiry_leeway(a.auth, a.cfg.token_expiry_leeway);
	}

	install_signals(&stop_set);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fcgx, 0, 0) != 0) {
		log_error("FastCGI initialisation failed");
		auth_free(a.auth);
		conf_free(&a.cfg);
		return 1;
	}
	for (;;) {
		sigprocmask(SIG_UNBLOCK, &stop_set, NULL);
		accepted = stopping ? -1 : FCGX_Accept_r(&fcgx);
		sigprocmask(SIG_BLOCK, &stop_set, NULL);
		if (accepted < 0)
			break;
		serve(&a, &fcgx);
		FCGX_Finish_r(&fcgx);
	}
	if (!stopping)
		log_error("waiting for a request failed (%d); exiting",
		    accepted);
	FCGX_Free(&fcgx, 1);
	store_close(a.store);
	auth_free(a.auth);
	conf_free(&a.cfg);
	return stopping ? 0 : 1;
}
