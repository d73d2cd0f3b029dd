/* http.h: a FastCGI request as the responders see it, and the one writer of HTTP status lines and headers. */
#ifndef BACKSTREAM_HTTP_H
#define BACKSTREAM_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "buf.h"
#include "query.h"

struct conf;

#define HTTP_MAX_SEGMENTS	8

/* One request; owns its strings; lives for that request only. */
struct request {
	FCGX_Request	*fcgx;
	const char	*method;	/* owned by fcgx */
	char		*path;		/* decoded, from "/api/" on */
	char		*segs[HTTP_MAX_SEGMENTS];	/* into a copy of path */
	int		 nsegs;
	char		*path_copy;
	struct query	 query;
	const char	*origin;	/* Origin header, or NULL */
	const char	*cors;		/* origin to allow, or NULL */
	struct buf	 headers;	/* added by http_header(), sent by http_head() */
};

/*
 * Reads method, path (PATH_INFO, else REQUEST_URI) and query string from
 * the FastCGI parameters.  Returns 0, 404 when the path holds no "/api/"
 * part, or 400 with a reason in err for a malformed path or query.
 * request_free() in every case.
 */
int		 request_parse(struct request *r, FCGX_Request *fcgx,
		    const struct conf *cfg, char *err, size_t errlen);
void		 request_free(struct request *r);
/* A FastCGI parameter (HTTP_* for headers), or NULL. */
const char	*request_param(const struct request *r, const char *name);
/*
 * The bearer token: from "Authorization: Bearer …" or else ?token=, or
 * NULL.  Owned by the request.  Never log it.
 */
const char	*request_token(const struct request *r);

/*
 * Adds a header line ("Allow: GET") to the response that http_head() will
 * write, for responses whose writer (http_json, http_error) takes none.
 */
void		 http_header(struct request *r, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* The reason phrase of a status code ("Not Found"). */
const char	*http_reason(int status);
/*
 * Writes "Status:" and the headers every response carries (CORS when the
 * request's origin is allowed), those added by http_header(), then extra
 * (complete "Name: value\r\n" lines, or NULL), then Content-Type and the
 * blank line.
 */
void		 http_head(struct request *r, int status,
		    const char *content_type, const char *extra);
/* A whole JSON response; body is borrowed. */
void		 http_json(struct request *r, int status, json_object *body);
/*
 * A whole error response {"error": code, "message": text}: code is a
 * short machine word ("bad_request", "unauthorized", …).
 */
void		 http_error(struct request *r, int status, const char *code,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Flushes the response; returns -1 if the client has gone. */
int		 http_flush(struct request *r);

#endif
