/* responder.c: the process of either FastCGI responder: options, configuration, signals and the accept loop. */
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
#include <unistd.h>

#include <fcgiapp.h>

#include "log.h"
#include "responder.h"
#include "store.h"

/*
 * The web server keeps a pool of these processes (mod_fcgid, lighttpd's
 * max-procs, spawn-fcgi -F).  Each serves its requests one after the
 * other in the accept loop and keeps the store open between them.
 */

void
outage_note(struct outage *o, const char *why)
{
	if (strcmp(o->last, why) == 0)
		return;
	if (why[0] != '\0')
		log_error("%s: %s", o->what, why);
	else
		log_info("%s: available again", o->what);
	snprintf(o->last, sizeof o->last, "%s", why);
}

/* ---- signals --------------------------------------------------------------------- */

/* Set by the handlers: the only state they share with the loop. */
static volatile sig_atomic_t	stopping;
static volatile sig_atomic_t	io;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
on_io(int sig)
{
	(void)sig;
	io = 1;
}

/*
 * One policy for both responders.  SA_RESTART: a signal never fails a
 * read or write of libfcgi or Berkeley DB, so a request under way is
 * finished (a stream sees the flag at its next wake-up, a timed wait that
 * a signal cuts short), then the loop exits.  Stop signals are blocked
 * only between the loop's look at the flag and ppoll(), which unblocks
 * them atomically: one landing in between interrupts the wait instead of
 * being missed.  SIGIO says a stream's connection became readable.
 */
static void
install_signals(sigset_t *stop_set)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);	/* libfcgi's and Apache's graceful stop */
	sa.sa_handler = on_io;
	sigaction(SIGIO, &sa, NULL);
	/* A client gone shows as EPIPE from write, not as a signal. */
	signal(SIGPIPE, SIG_IGN);

	sigemptyset(stop_set);
	sigaddset(stop_set, SIGTERM);
	sigaddset(stop_set, SIGINT);
	sigaddset(stop_set, SIGUSR1);
}

/* ---- the loop ------------------------------------------------------------------- */

/*
 * Waits until the listening socket (descriptor 0, where the web server
 * puts it) has a connection.  Returns 1, 0 when asked to stop, -1 on
 * error.  libfcgi's own accept restarts after signals, so an idle
 * responder would never see SIGTERM and leave the store cleanly; ppoll(2)
 * is never restarted.
 */
static int
wait_for_connection(const sigset_t *stop_set)
{
	struct pollfd	pfd;
	sigset_t	open_mask;
	int		r;

	sigprocmask(SIG_BLOCK, stop_set, &open_mask);
	for (;;) {
		if (stopping) {
			r = 0;
			break;
		}
		pfd.fd = 0;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, NULL, &open_mask) == 1) {
			r = 1;
			break;
		}
		if (errno != EINTR) {
			log_error("waiting for a request: %s", strerror(errno));
			r = -1;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &open_mask, NULL);
	return r;
}

/*
 * Several processes may share the listening socket (spawn-fcgi -F,
 * multiwatch): poll() wakes them all for one connection, and those that
 * lose the race must not block in accept(), where SA_RESTART keeps them
 * deaf to SIGTERM until the next connection.  Non-blocking, they get
 * EAGAIN from FCGX_Accept_r and go back to ppoll().  (mod_fcgid and
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

/*
 * Gives back what the heap holds between requests: an idle responder
 * should hold as little memory as it can, and a server holds hundreds.
 * glibc's per-thread caches count as allocated, so the figure logged
 * rises over the first requests, then levels off.
 */
static void
trim_heap(void)
{
	struct mallinfo2	mi;

	malloc_trim(0);
	if (log_get_level() < LOG_LEVEL_DEBUG)
		return;
	mi = mallinfo2();
	log_debug("request done: heap %zu bytes allocated, %zu free",
	    mi.uordblks, mi.fordblks);
}

/* Serves requests until a stop signal; returns the exit status. */
static int
accept_loop(struct responder *rs)
{
	FCGX_Request	fcgx;
	sigset_t	stop_set;
	int		r;

	install_signals(&stop_set);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fcgx, 0, 0) != 0) {
		log_error("FastCGI initialisation failed");
		return 1;
	}
	listen_nonblocking();
	while ((r = wait_for_connection(&stop_set)) == 1) {
		if (FCGX_Accept_r(&fcgx) < 0) {
			/* Another process of a shared socket took it. */
			if (errno == EAGAIN || errno == EINTR)
				continue;
			log_error("accepting a request failed: %s",
			    strerror(errno));
			r = -1;
			break;
		}
		responder_serve(rs, &fcgx);
		FCGX_Finish_r(&fcgx);
		trim_heap();
	}
	FCGX_Free(&fcgx, 1);
	return r == 0 ? 0 : 1;
}

/* ---- the process ---------------------------------------------------------------- */

static void
usage(const struct responder_def *def)
{
	fprintf(stderr, "usage: %s [-c config]\n"
	    "A FastCGI responder: the web server starts it (see %s).\n",
	    def->name, def->doc);
	exit(64);
}

/*
 * Reads the configuration.  A bad one is logged and kept (defaults
 * mixed with what was read) only for request parsing: every request is
 * answered 503 until the processes are restarted with a good one.  A
 * responder that exited instead would be respawned in a loop.
 */
static void
configure(struct responder *rs, const char *conf_arg)
{
	char	err[1024];

	if (conf_read(&rs->cfg, conf_arg, err, sizeof err) == -1) {
		log_error("%s; every request gets 503", err);
		return;
	}
	rs->cfg_ok = 1;
	log_set_level(rs->cfg.log_level);
	log_use_file(rs->cfg.log_file);
	if (rs->def->init != NULL)
		rs->own = rs->def->init(&rs->cfg);
}

int
responder_main(const struct responder_def *def, int argc, char **argv)
{
	struct responder	 rs;
	const char		*conf_arg = NULL;
	int			 ch, status;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		switch (ch) {
		case 'c':
			conf_arg = optarg;
			break;
		default:
			usage(def);
		}
	}
	if (optind != argc)
		usage(def);
	log_init(def->name, LOG_LEVEL_INFO);
	if (FCGX_IsCGI()) {
		fprintf(stderr, "%s: standard input is not a FastCGI socket\n",
		    def->name);
		usage(def);
	}

	memset(&rs, 0, sizeof rs);
	rs.def = def;
	rs.store_down.what = "the store";
	rs.auth_down.what = "token verification";
	rs.stopping = &stopping;
	rs.io = &io;
	configure(&rs, conf_arg);
	status = accept_loop(&rs);
	store_close(rs.store);
	if (def->fini != NULL)
		def->fini(rs.own);
	conf_free(&rs.cfg);
	return status;
}
