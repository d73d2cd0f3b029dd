/* responder-call.c: one request of either responder: the route table, the token, the store and the replies they share. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mstime.h"
#include "responder.h"
#include "store.h"
#include "strnum.h"

/* How long a browser may keep a preflight's answer. */
#define PREFLIGHT_MAX_AGE	600

/* ---- routes ------------------------------------------------------------------ */

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
method_matches(const struct responder_def *def, const char *route_method,
    const char *method)
{
	return strcmp(route_method, method) == 0 || (def->head_and_options &&
	    strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

/* Adds method to the list allow, unless there already (patterns overlap). */
static void
allow_add(char *allow, size_t allowlen, const char *method)
{
	size_t		 n = strlen(allow), len = strlen(method);
	const char	*p;

	for (p = allow; (p = strstr(p, method)) != NULL; p += len)
		if ((p == allow || p[-1] == ' ') &&
		    (p[len] == ',' || p[len] == '\0'))
			return;
	snprintf(allow + n, allowlen - n, "%s%s", n > 0 ? ", " : "", method);
}

/*
 * Finds the route for the request's method and path.  Returns it, or NULL
 * with the methods the path allows in allow ("" when no route has the path).
 */
static const struct route *
route_find(const struct responder_def *def, const struct request *r,
    const char **id, char *allow, size_t allowlen)
{
	const struct route	*found = NULL, *rt;
	const char		*any_id;
	size_t			 i;

	allow[0] = '\0';
	*id = NULL;
	for (i = 0; i < def->nroutes; i++) {
		rt = &def->routes[i];
		any_id = NULL;
		if (!path_matches(r, rt->pattern, &any_id))
			continue;
		if (found == NULL && method_matches(def, rt->method,
		    r->method)) {
			found = rt;
			*id = any_id;
		}
		allow_add(allow, allowlen, rt->method);
		if (def->head_and_options && strcmp(rt->method, "GET") == 0)
			allow_add(allow, allowlen, "HEAD");
	}
	if (allow[0] != '\0' && def->head_and_options)
		allow_add(allow, allowlen, "OPTIONS");
	return found;
}

/* ---- replies ------------------------------------------------------------------ */

int
call_reply(struct call *c, int status, json_object *body)
{
	http_json(c->req, status, body);
	json_object_put(body);
	return status;
}

int
call_fail(struct call *c, int status, const char *code, const char *fmt, ...)
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
responder_status(int r)
{
	switch (r) {
	case ENOENT:
		return 404;
	case EDQUOT:
		return 429;
	case EALREADY:
		return 409;
	}
	/*
	 * Berkeley DB's codes are negative; of ours, these say the store (its
	 * records, files or disk) is at fault rather than this request.
	 */
	if (r < 0 || r == EIO || r == EACCES || r == EPERM || r == EROFS ||
	    r == ENOSPC)
		return 503;
	return 500;
}

const char *
responder_error_word(int status)
{
	static const struct {
		int		 status;
		const char	*word;
	} words[] = {
		{ 401, "unauthorized" }, { 403, "forbidden" },
		{ 404, "not_found" }, { 405, "method_not_allowed" },
		{ 409, "conflict" }, { 413, "payload_too_large" },
		{ 415, "unsupported_media_type" },
		{ 429, "too_many_requests" }, { 500, "internal_error" },
		{ 503, "unavailable" },
	};
	size_t	i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (words[i].status == status)
			return words[i].word;
	return "bad_request";
}

/*
 * What a 503 asks the client to wait: a recovery or a new master's
 * election takes seconds.
 */
#define API_UNAVAILABLE_RETRY_S	5

int
call_fail_code(struct call *c, int r, const char *err)
{
	int	status = responder_status(r);

	switch (status) {
	case 503:
		log_error("%s %s: %s", c->req->method, c->req->path, err);
		/* Most causes (a recovery, a failover) pass within seconds. */
		http_header(c->req, "Retry-After: %d", API_UNAVAILABLE_RETRY_S);
		return call_fail(c, 503, "unavailable", "the store is "
		    "unavailable; try again later");
	case 500:
		log_error("%s %s: %s", c->req->method, c->req->path, err);
		return call_fail(c, 500, "internal_error", "the request failed; "
		    "the server's log says why");
	}
	return call_fail(c, status, responder_error_word(status), "%s", err);
}

int
call_fail_too_large(struct call *c)
{
	return call_fail(c, 413, "payload_too_large", "the request body is "
	    "larger than %lld bytes", (long long)c->rs->def->body_max);
}

/* How much of a body one read asks for. */
#define BODY_READ_CHUNK	4096

int
call_read_body(struct call *c, struct buf *out)
{
	FCGX_Stream	*in = c->req->fcgx->in;
	const char	*length, *why;
	int64_t		 declared = -1, max = c->rs->def->body_max;
	size_t		 want;
	int		 n;

	length = request_param(c->req, "CONTENT_LENGTH");
	if (length != NULL && *length != '\0' &&
	    strnum_int(length, 0, INT64_MAX, &declared, &why) == -1)
		return call_fail(c, 400, "bad_request", "Content-Length %s", why);
	/*
	 * Without a length (a chunked body passed on as it comes), read one
	 * byte past the limit to know, and never more: the rest of the body
	 * stays unread.
	 */
	for (;;) {
		want = (size_t)(max + 1) - out->len;
		if (want > BODY_READ_CHUNK)
			want = BODY_READ_CHUNK;
		n = FCGX_GetStr(buf_reserve(out, want), (int)want, in);
		if (n <= 0)
			break;
		out->len += (size_t)n;
		if (out->len > (size_t)max) {
			log_info("%s %s: a body over %lld bytes refused after "
			    "reading %zu", c->req->method, c->req->path,
			    (long long)max, out->len);
			return call_fail_too_large(c);
		}
	}
	/* A body cut short must never be acted on. */
	if (FCGX_GetError(in) != 0 || (declared >= 0 &&
	    out->len != (size_t)declared))
		return call_fail(c, 400, "bad_request", "the request body did "
		    "not arrive whole");
	return 0;
}

/* ---- the token and the store ---------------------------------------------------- */

/*
 * Verifies the request's token into c->uid.  Returns 0, or the status of
 * the error written.  Every refusal carries the same header, and every
 * token refused the same words, so that a reply never helps guess what
 * was wrong with a token.
 */
static int
authenticate(struct call *c)
{
	struct responder	*rs = c->rs;
	const char		*token, *msg = rs->def->no_token_msg;
	char			 why[512];

	token = request_token(c->req);
	if (token != NULL && *token != '\0') {
		why[0] = '\0';
		switch (rs->def->verify(rs, token, c, why, sizeof why)) {
		case TOKEN_OK:
			outage_note(&rs->auth_down, "");
			return 0;
		case TOKEN_INVALID:
			log_debug("%s %s: token refused: %s", c->req->method,
			    c->req->path, why[0] != '\0' ? why : "invalid");
			msg = rs->def->bad_token_msg;
			break;
		case TOKEN_UNAVAILABLE:
			outage_note(&rs->auth_down, why[0] != '\0' ? why :
			    "unavailable");
			return call_fail(c, 503, "unavailable", "authentication "
			    "is unavailable; try again later");
		}
	}
	http_header(c->req, "WWW-Authenticate: Bearer");
	return call_fail(c, 401, "unauthorized", "%s", msg);
}

/* Opens the store if it is not open yet; returns it, or NULL. */
static struct store *
responder_store(struct responder *rs)
{
	char	err[1024];

	if (rs->store != NULL)
		return rs->store;
	if ((rs->store = store_open(&rs->cfg, rs->def->store_flags, err,
	    sizeof err)) == NULL) {
		outage_note(&rs->store_down, err);
		return NULL;
	}
	outage_note(&rs->store_down, "");
	return rs->store;
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
		return call_fail(c, 403, "forbidden", "origin not allowed");
	snprintf(extra, sizeof extra,
	    "Access-Control-Allow-Methods: %s\r\n"
	    "Access-Control-Allow-Headers: Authorization, Content-Type\r\n"
	    "Access-Control-Max-Age: %d\r\n", allow, PREFLIGHT_MAX_AGE);
	http_head(c->req, 204, NULL, extra);
	return 204;
}

/*
 * A declared body over the limit is refused before anything of it is
 * read, and before the token: a client without one must not make the
 * responder read 300 MB to learn its 413.
 */
static int
body_too_large(struct call *c)
{
	const char	*length, *why;
	int64_t		 n, max = c->rs->def->body_max;

	if (max <= 0)
		return 0;
	length = request_param(c->req, "CONTENT_LENGTH");
	if (length == NULL || strnum_int(length, 0, INT64_MAX, &n, &why) == -1 ||
	    n <= max)
		return 0;
	log_info("%s %s: a body of %lld bytes refused unread", c->req->method,
	    c->req->path, (long long)n);
	return call_fail_too_large(c);
}

/* Everything up to the handler, in the order doc/api.md gives. */
static int
dispatch(struct call *c, int parsed, const char *parse_err)
{
	const struct responder_def	*def = c->rs->def;
	const struct route		*route;
	char				 allow[128];
	int				 status;

	if (parsed == 404)
		return call_fail(c, 404, "not_found", "no such %s", def->noun);
	if (parsed != 0)
		return call_fail(c, 400, "bad_request", "%s", parse_err);
	if (!c->rs->cfg_ok)
		return call_fail(c, 503, "unavailable", "the server is not "
		    "configured; its log says why");
	route = route_find(def, c->req, &c->id, allow, sizeof allow);
	if (allow[0] == '\0')
		return call_fail(c, 404, "not_found", "no such %s", def->noun);
	if (def->head_and_options && strcmp(c->req->method, "OPTIONS") == 0)
		return preflight(c, allow);
	if (route == NULL) {
		http_header(c->req, "Allow: %s", allow);
		return call_fail(c, 405, "method_not_allowed", "%.16s is not "
		    "allowed here; allowed: %s", c->req->method, allow);
	}
	if ((status = body_too_large(c)) != 0 ||
	    (status = authenticate(c)) != 0)
		return status;
	if ((c->store = responder_store(c->rs)) == NULL)
		return call_fail(c, 503, "unavailable", "the store is "
		    "unavailable; try again later");
	c->arg = route->arg;
	return route->handler(c);
}

void
responder_serve(struct responder *rs, FCGX_Request *fcgx)
{
	struct request	req;
	struct call	c;
	char		err[256];
	int		parsed, status;

	memset(&c, 0, sizeof c);
	c.start_ms = mono_ms();
	c.rs = rs;
	c.req = &req;
	err[0] = '\0';
	parsed = request_parse(&req, fcgx, &rs->cfg, err, sizeof err);
	status = dispatch(&c, parsed, err);
	/* The path only: the query may hold a token. */
	if (rs->def->access_log)
		log_info("%.16s %s %d %lld ms", req.method, req.path != NULL ?
		    req.path : "-", status, (long long)(mono_ms() - c.start_ms));
	request_free(&req);
}
