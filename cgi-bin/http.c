/* http.c: requests and the HTTP head of every response. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "http.h"
#include "json.h"
#include "xmalloc.h"

static const struct {
	int		 status;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" },
	{ 409, "Conflict" }, { 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" }, { 429, "Too Many Requests" },
	{ 500, "Internal Server Error" }, { 503, "Service Unavailable" },
};

const char *
http_reason(int status)
{
	size_t	i;

	for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

const char *
request_param(const struct request *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgx->envp);
}

/* Whether origin is one of the space-separated allowed origins. */
static int
origin_allowed(const char *allowed, const char *origin)
{
	size_t	n = strlen(origin);
	const char *p;

	for (p = allowed; *p != '\0';) {
		size_t len = strcspn(p, " \t");

		if (len == n && strncmp(p, origin, n) == 0)
			return 1;
		p += len;
		p += strspn(p, " \t");
	}
	return 0;
}

int
request_parse(struct request *r, FCGX_Request *fcgx, const struct conf *cfg,
    char *err, size_t errlen)
{
	const char	*info, *uri, *api;
	size_t		 n;
	int		 from_uri = 0;

	memset(r, 0, sizeof *r);
	r->fcgx = fcgx;
	if ((r->method = request_param(r, "REQUEST_METHOD")) == NULL)
		r->method = "GET";
	r->origin = request_param(r, "HTTP_ORIGIN");
	if (r->origin != NULL && origin_allowed(cfg->cors_origins, r->origin))
		r->cors = r->origin;
	/*
	 * PATH_INFO when the responder is mounted as a script
	 * (/cgi-bin/backstream-sse/api/...), else the request URI's path.
	 * The server has decoded PATH_INFO already: decoding it again would
	 * turn "%2541" into "A".
	 */
	info = request_param(r, "PATH_INFO");
	uri = request_param(r, "REQUEST_URI");
	if (info != NULL && strstr(info, "/api/") != NULL)
		r->path = xstrdup(info);
	else if (uri != NULL) {
		n = strcspn(uri, "?#");
		r->path = xstrndup(uri, n);
		from_uri = 1;
	} else
		r->path = xstrdup(info != NULL ? info : "");
	if (from_uri && path_decode(r->path) == -1) {
		snprintf(err, errlen, "malformed path");
		return 400;
	}
	if ((api = strstr(r->path, "/api/")) == NULL)
		return 404;
	memmove(r->path, api, strlen(api) + 1);
	r->path_copy = xstrdup(r->path);
	if ((r->nsegs = path_split(r->path_copy, r->segs,
	    HTTP_MAX_SEGMENTS)) == -1)
		return 404;
	if (query_parse(&r->query, request_param(r, "QUERY_STRING"), err,
	    errlen) == -1)
		return 400;
	return 0;
}

void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	free(r->path);
	free(r->path_copy);
	query_free(&r->query);
	buf_free(&r->headers);
	r->path = r->path_copy = NULL;
}

const char *
request_token(const struct request *r)
{
	const char	*h;

	/* Web servers pass Authorization only when configured to (see docs). */
	h = request_param(r, "HTTP_AUTHORIZATION");
	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0) {
		h += 7;
		while (*h == ' ')
			h++;
		return h;
	}
	return query_get(&r->query, "token");
}

void
http_header(struct request *r, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(&r->headers, fmt, ap);
	va_end(ap);
	buf_adds(&r->headers, "\r\n");
}

void
http_head(struct request *r, int status, const char *content_type,
    const char *extra)
{
	FCGX_Stream	*out = r->fcgx->out;

	FCGX_FPrintF(out, "Status: %d %s\r\n", status, http_reason(status));
	if (r->cors != NULL)
		FCGX_FPrintF(out, "Access-Control-Allow-Origin: %s\r\n"
		    "Vary: Origin\r\n", r->cors);
	if (r->headers.len > 0)
		FCGX_PutStr(r->headers.data, (int)r->headers.len, out);
	if (extra != NULL)
		FCGX_PutS(extra, out);
	if (content_type != NULL)
		FCGX_FPrintF(out, "Content-Type: %s\r\n", content_type);
	FCGX_PutS("\r\n", out);
}

void
http_json(struct request *r, int status, json_object *body)
{
	http_head(r, status, "application/json", "Cache-Control: no-store\r\n");
	FCGX_PutS(json_text(body), r->fcgx->out);
	FCGX_PutS("\n", r->fcgx->out);
}

void
http_error(struct request *r, int status, const char *code, const char *fmt,
    ...)
{
	json_object	*body;
	char		 msg[512];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	body = json_object_new_object();
	json_object_object_add(body, "error", json_object_new_string(code));
	json_object_object_add(body, "message", json_object_new_string(msg));
	http_json(r, status, body);
	json_object_put(body);
}

int
http_flush(struct request *r)
{
	if (FCGX_FFlush(r->fcgx->out) == -1 || FCGX_GetError(r->fcgx->out))
		return -1;
	return 0;
}
