/* responder.h: the skeleton both FastCGI responders share: the process, its route table, one call and the replies every route gives alike. */
#ifndef BACKSTREAM_RESPONDER_H
#define BACKSTREAM_RESPONDER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "auth.h"
#include "conf.h"
#include "http.h"

struct store;
struct responder;

/* One request, authenticated, as a route's handler sees it. */
struct call {
	struct responder	*rs;
	struct request		*req;
	struct store		*store;		/* open, borrowed */
	char			 uid[AUTH_UID_MAX + 1];
	int64_t			 token_exp;	/* wall clock, seconds */
	const char		*id;		/* the path's {id}, or NULL */
	const void		*arg;		/* the route's arg */
	int64_t			 start_ms;	/* monotonic: its arrival */
};

/*
 * Handlers write the whole response and return its status.  They run
 * after the route, the token and the store were settled.
 */
typedef int	(*route_handler)(struct call *c);

/* One line of a responder's route table; the first match wins. */
struct route {
	const char	*method;
	const char	*pattern;	/* segments after /api/; {id} is any one */
	route_handler	 handler;
	const void	*arg;		/* for the handler (a stream kind), or NULL */
};

enum token_result {
	TOKEN_OK,		/* uid and token_exp of the call filled in */
	TOKEN_INVALID,		/* 401 */
	TOKEN_UNAVAILABLE,	/* 503, with the reason to log */
};

/* What a program declares about itself: one static const per program. */
struct responder_def {
	const char		*name;		/* "backstream-api", for the log */
	const char		*doc;		/* named by the usage message */
	const struct route	*routes;
	size_t			 nroutes;
	const char		*noun;		/* the 404's "no such <noun>" */
	/*
	 * Serve HEAD wherever GET is and answer OPTIONS (CORS preflights).
	 * Not for streams: a HEAD would hold a process for a stream's life.
	 */
	int			 head_and_options;
	int			 access_log;	/* one info line per request */
	int64_t			 body_max;	/* 413 past it; 0: not checked */
	const char		*no_token_msg;	/* the 401's message without one */
	const char		*bad_token_msg;	/* ... for a token refused */
	int			 store_flags;	/* store_open()'s: STORE_READONLY */
	/*
	 * Starts the program's own state once the configuration was read
	 * (not called without one); returns it, freed by fini.  May be NULL.
	 */
	void		*(*init)(const struct conf *cfg);
	void		 (*fini)(void *own);
	/*
	 * Checks token for c (filling c->uid and c->token_exp); for
	 * TOKEN_INVALID why may hold a hint for debug logs, for
	 * TOKEN_UNAVAILABLE it says what is wrong.
	 */
	enum token_result (*verify)(struct responder *rs, const char *token,
			    struct call *c, char *why, size_t whylen);
};

/* What a resource's outage last logged: "" while it is up. */
struct outage {
	const char	*what;		/* "the store", for the log */
	char		 last[512];
};

/* The process: what outlives a request.  One per program, in main(). */
struct responder {
	const struct responder_def	*def;
	struct conf			 cfg;
	int				 cfg_ok;	/* 0: every request gets 503 */
	void				*own;		/* from def->init */
	struct store			*store;		/* opened by the first call needing it */
	struct outage			 store_down;
	struct outage			 auth_down;
	/* Set by signals: SIGTERM, SIGINT, SIGUSR1; SIGIO. */
	volatile sig_atomic_t		*stopping;
	volatile sig_atomic_t		*io;
};

/*
 * The whole program: reads -c FILE (else $BACKSTREAM_CONF, else the
 * default), the configuration, then serves FastCGI requests on standard
 * input until a stop signal.  A configuration that cannot be read is
 * logged once and every request is answered 503 (a FastCGI process that
 * exits at once is respawned in a loop by the web server).  Returns the
 * exit status for main: 0 after a stop signal, 1 when FastCGI failed, 64
 * for a usage error (standard input not a FastCGI socket).
 */
int	responder_main(const struct responder_def *def, int argc, char **argv);

/*
 * Notes the state of a resource: why "" when it is available.  Logged
 * once per change of state, not for every request that meets it.
 */
void	outage_note(struct outage *o, const char *why);

/* ---- replies (responder-call.c) ----------------------------------------- */

/* Writes body (consumed) as the JSON response; returns status. */
int	call_reply(struct call *c, int status, json_object *body);
/* Writes {"error": code, "message": ...}; returns status. */
int	call_fail(struct call *c, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * The HTTP status that answers an internal result r (an errno value, or a
 * Berkeley DB code, which are negative): 404 for ENOENT, 429 for EDQUOT,
 * 409 for EALREADY, 503 when the store (its records, files or disk) is at
 * fault, 500 otherwise.
 */
int	responder_status(int r);
/* The error word of a status ("not_found"), for error bodies and events. */
const char *responder_error_word(int status);
/*
 * Answers a non-zero internal result r with the reason err: 404, 429 and
 * 409 say err; 503 and 500 are logged and answered without the details.
 * Returns the status.
 */
int	call_fail_code(struct call *c, int r, const char *err);
/* The 413 for a body over the responder's body_max; returns 413. */
int	call_fail_too_large(struct call *c);
/*
 * Reads the request's whole body into out (the caller's, freed by it).
 * Returns 0, or the status of the error written: 413 past def->body_max
 * (which must be set), having read one byte past it and no more; 400 for
 * a body that did not arrive whole.  A declared length over the limit was
 * refused before the token was looked at.
 */
int	call_read_body(struct call *c, struct buf *out);

/*
 * Reads and answers the request just accepted on fcgx, through the route
 * table, and logs its access line if the responder keeps one.
 */
void	responder_serve(struct responder *rs, FCGX_Request *fcgx);

#endif
