/* stream-main.c: backstream-sse, the FastCGI responder that serves one SSE stream at a time. */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "conf.h"
#include "http.h"
#include "log.h"
#include "store.h"
#include "stream.h"

/*
 * The web server keeps a pool of these processes, one per open stream
 * (mod_fcgid, lighttpd's max-procs, spawn-fcgi -F).  Each serves its
 * streams one after the other in the accept loop and keeps the store open
 * between them.
 */

/* Set by signal handlers: the only state they share with the loop. */
static volatile sig_atomic_t	term;
static volatile sig_atomic_t	io;

static void
on_term(int sig)
{
	(void)sig;
	term = 1;
	/* Makes a blocked FCGX_Accept_r return instead of waiting on. */
	FCGX_ShutdownPending();
}

static void
on_io(int sig)
{
	(void)sig;
	io = 1;
}

/* Routes: /api/sse/backtest/{jobs | history | ID | ID/data}. */
static const struct stream_kind *
route(const struct request *r, const char **id)
{
	*id = NULL;
	if (r->nsegs < 4 || strcmp(r->segs[0], "api") != 0 ||
	    strcmp(r->segs[1], "sse") != 0 ||
	    strcmp(r->segs[2], "backtest") != 0)
		return NULL;
	if (r->nsegs == 4) {
		if (strcmp(r->segs[3], "jobs") == 0)
			return &stream_jobs;
		if (strcmp(r->segs[3], "history") == 0)
			return &stream_history;
		*id = r->segs[3];
		return &stream_job;
	}
	if (r->nsegs == 5 && strcmp(r->segs[4], "data") == 0) {
		*id = r->segs[3];
		return &stream_data;
	}
	return NULL;
}

static void
install_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	/* SA_RESTART: a signal must not fail a write in libfcgi or BDB. */
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);	/* Apache's graceful stop */
	sa.sa_handler = on_io;
	sigaction(SIGIO, &sa, NULL);
	/* A client gone shows as EPIPE from write, not as a signal. */
	signal(SIGPIPE, SIG_IGN);
}

/* Opens the store once; on failure, tries again at the next request. */
static struct store *
store_for(const struct conf *cfg, struct store *s)
{
	static int	logged;	/* this process's own: one line per outage */
	char		err[1024];

	if (s != NULL)
		return s;
	if ((s = store_open(cfg, 0, err, sizeof err)) == NULL) {
		if (!logged)
			log_error("%s", err);
		logged = 1;
		return NULL;
	}
	logged = 0;
	return s;
}

static void
serve(FCGX_Request *fcgx, const struct conf *cfg, struct store **store)
{
	const struct stream_kind	*kind;
	struct request			 req;
	const char			*id;
	char				 err[256];
	int				 status;

	err[0] = '\0';
	status = request_parse(&req, fcgx, cfg, err, sizeof err);
	if (status == 404 || (status == 0 && (kind = route(&req, &id)) ==
	    NULL))
		http_error(&req, 404, "not_found", "no such stream");
	else if (status != 0)
		http_error(&req, status, "bad_request", "%s", err);
	else if (strcmp(req.method, "GET") != 0)
		http_error(&req, 405, "method_not_allowed", "streams are read "
		    "with GET");
	else {
		*store = store_for(cfg, *store);
		stream_serve(&req, kind, id, cfg, *store, &term, &io);
	}
	request_free(&req);
}

int
main(int argc, char **argv)
{
	FCGX_Request	 fcgx;
	struct conf	 cfg;
	struct store	*store = NULL;
	char		 err[1024];

	(void)argc;
	(void)argv;
	log_init("backstream-sse", LOG_LEVEL_INFO);
	if (conf_read(&cfg, NULL, err, sizeof err) != 0) {
		/* Nothing can be served; the web server logs our stderr. */
		log_error("%s", err);
		conf_free(&cfg);
		return 3;
	}
	log_set_level(cfg.log_level);
	if (cfg.log_file[0] != '\0' && log_open_file(cfg.log_file) == -1)
		log_warn("%s: %s; logging to standard error", cfg.log_file,
		    strerror(errno));
	srandom((unsigned)(getpid() ^ time(NULL)));
	install_signals();
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fcgx, 0, 0) != 0) {
		log_error("FastCGI initialisation failed");
		conf_free(&cfg);
		return 1;
	}
	while (!term && FCGX_Accept_r(&fcgx) >= 0) {
		serve(&fcgx, &cfg, &store);
		FCGX_Finish_r(&fcgx);
		/* An idle responder should hold as little memory as it can. */
		malloc_trim(0);
	}
	store_close(store);
	conf_free(&cfg);
	return 0;
}
