/* stream-main.c: backstream-sse, the FastCGI responder that serves one SSE stream at a time. */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
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

/*
 * What the heap holds between requests, for whoever watches a responder's
 * memory: glibc's per-thread caches count as allocated, so the figure
 * rises over the first requests, then levels off.
 */
static void
log_debug_heap(void)
{
	struct mallinfo2	mi;

	if (log_get_level() < LOG_LEVEL_DEBUG)
		return;
	mi = mallinfo2();
	log_debug("request done: heap %zu bytes allocated, %zu free",
	    mi.uordblks, mi.fordblks);
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

/*
 * Waits until the listening socket (descriptor 0, where the web server
 * puts it) has a connection; returns 0 when asked to stop.  libfcgi's own
 * accept restarts after signals, so an idle responder would never see
 * SIGTERM and leave the store cleanly; poll(2) is never restarted.
 */
static int
wait_for_connection(volatile sig_atomic_t *stop)
{
	struct pollfd	pfd;

	for (;;) {
		if (*stop)
			return 0;
		pfd.fd = 0;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, -1) == 1)
			return 1;
		if (errno != EINTR)
			return 0;
	}
}

/*
 * Several processes may share the listening socket (spawn-fcgi -F,
 * multiwatch): poll() wakes them all for one connection, and those that
 * lose the race must not block in accept(), where SA_RESTART keeps them
 * deaf to SIGTERM until the next connection.  Non-blocking, they get
 * EAGAIN from FCGX_Accept_r and go back to poll().  (mod_fcgid and
 * lighttpd give each process a socket of its own.)
 */
static void
listen_nonblocking(void)
{
	socklen_t	len = sizeof(int);
	int		listening = 0, fl;

	if (getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == -1 ||
	    !listening)
		return;
	if ((fl = fcntl(0, F_GETFL)) != -1)
		fcntl(0, F_SETFL, fl | O_NONBLOCK);
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
	else if (strcmp(req.method, "GET") != 0) {
		http_header(&req, "Allow: GET");
		http_error(&req, 405, "method_not_allowed", "streams are read "
		    "with GET");
	} else {
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
	listen_nonblocking();
	while (wait_for_connection(&term)) {
		if (FCGX_Accept_r(&fcgx) < 0) {
			/* Another process of a shared socket took it. */
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break;
		}
		serve(&fcgx, &cfg, &store);
		FCGX_Finish_r(&fcgx);
		/* An idle responder should hold as little memory as it can. */
		malloc_trim(0);
		log_debug_heap();
	}
	store_close(store);
	conf_free(&cfg);
	return 0;
}
