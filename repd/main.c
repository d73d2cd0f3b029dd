/* main.c: backstream-repd, the one process per node that owns replication of the store. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "buf.h"
#include "feed.h"
#include "jobctl-forward.h"
#include "log.h"
#include "mstime.h"
#include "repl.h"
#include "store.h"

/*
 * How often a replica looks whether the master's changes moved its log:
 * the delay a stream on a replica adds to the master's commit, at most.
 */
#define FEED_POLL_MS	5
/* How often dead processes' locks are freed (failchk). */
#define FAILCHK_MS	1000

/* Set by the signal handler; the only state shared with it. */
static volatile sig_atomic_t	stopping;

/*
 * Replicas' writes arrive in the Replication Manager's threads, and the
 * store's operations are not made for threads: one at a time, theirs
 * and the main loop's.
 */
struct repd {
	struct store	*store;
	pthread_mutex_t	 lock;
	int		 closing;	/* the store is about to close */
};

/* A replica's write, carried out here while this node is the master. */
static void
serve_request(const void *req, size_t len, struct buf *reply, void *arg)
{
	struct repd	*r = arg;

	pthread_mutex_lock(&r->lock);
	/* No answer: the replica reports the write not done. */
	if (!r->closing)
		jobctl_serve(r->store, req, len, reply);
	pthread_mutex_unlock(&r->lock);
}

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: backstream-repd [-c FILE] [-v]\n"
	    "Keeps this node's copy of the store in its replication group "
	    "(repl_site,\nrepl_peers): recovers it when it starts, takes part "
	    "in elections, and wakes\nthe streams of a replica when the "
	    "master's changes arrive.  Runs until stopped;\nexits with status "
	    "3 when the environment needs recovery, to be started again.\n"
	    "  -c, --config FILE  configuration (default $BACKSTREAM_CONF or "
	    "%s)\n"
	    "  -v, --verbose      log at debug level\n", conf_default_path());
}

static void
sleep_ms(int64_t ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/*
 * The node's life: tables once its role is known, then dead processes
 * freed every second and, while a replica, the master's changes fed to
 * the streams.  Returns the exit status.
 */
static int
serve(struct repd *rd)
{
	struct store	*s = rd->store;
	struct feed	 feed;
	char		 err[1024];
	int64_t		 now, next_check = 0;
	int		 r, master = -1, was, closed;

	/* Requests are taken once there are tables to carry them out on. */
	while ((r = store_repl_tables(s, err, sizeof err)) != 1) {
		if (r == -1) {
			log_error("%s", err);
			return 1;
		}
		if (stopping)
			return 0;
		sleep_ms(100);
	}
	log_info("%s: the store is open", store_dir(s));
	if (store_forward_serve(s, serve_request, rd, err, sizeof err) != 0) {
		log_error("%s", err);
		return 1;
	}
	feed_reset(&feed);
	while (!stopping) {
		now = mono_ms();
		pthread_mutex_lock(&rd->lock);
		r = closed = 0;
		if (now >= next_check) {
			next_check = now + FAILCHK_MS;
			r = store_failchk(s, err, sizeof err);
		}
		was = master;
		/* The role comes with the gate: one look at the statistics. */
		if (r == 0 && (closed = store_repl_gate(s, &master, err,
		    sizeof err)) == -1) {
			log_warn("%s", err);
			closed = 0;
		}
		/* A new replica starts from the head: streams read the store. */
		if (!master && was != 0)
			feed_reset(&feed);
		/* Nothing moves for the streams while they are kept out. */
		if (r == 0 && !master && !closed &&
		    (r = feed_run(&feed, s, err, sizeof err)) != 0) {
			log_warn("feeding the streams: %s", err);
			/* Any other failure is tried again at the next look. */
			if (r != DB_RUNRECOVERY)
				r = 0;
		}
		pthread_mutex_unlock(&rd->lock);
		if (r != 0) {
			log_error("%s; exiting, to be restarted with recovery",
			    err);
			return 3;
		}
		sleep_ms(master ? 50 : FEED_POLL_MS);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction	 sa;
	struct conf		 cfg;
	struct repd		 rd;
	struct store		*s;
	const char		*path = NULL;
	char			 err[1024];
	int			 c, status, verbose = 0;

	while ((c = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("backstream-repd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("backstream-repd", LOG_LEVEL_INFO);
	if (conf_read(&cfg, path, err, sizeof err) != 0) {
		log_error("%s", err);
		conf_free(&cfg);
		return 2;
	}
	log_set_level(verbose ? LOG_LEVEL_DEBUG : cfg.log_level);
	log_use_file(cfg.log_file);
	if (!repl_enabled(&cfg)) {
		log_error("%s: repl_site is not set: this node is in no "
		    "replication group", cfg.path);
		conf_free(&cfg);
		return 2;
	}

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if ((s = store_open(&cfg, STORE_REPLICATION, err, sizeof err)) ==
	    NULL) {
		log_error("%s", err);
		conf_free(&cfg);
		return 3;
	}
	log_info("%s: replicating as %s", store_dir(s), cfg.repl_site);
	rd.store = s;
	rd.closing = 0;
	pthread_mutex_init(&rd.lock, NULL);
	status = serve(&rd);
	/*
	 * The tables close before the environment, whose closing ends the
	 * Replication Manager's threads: none may be inside a request then.
	 */
	pthread_mutex_lock(&rd.lock);
	rd.closing = 1;
	pthread_mutex_unlock(&rd.lock);
	store_close(s);
	pthread_mutex_destroy(&rd.lock);
	conf_free(&cfg);
	return status;
}
