/* store-forward.c: requests from a replica to the master, over Berkeley DB's message channels. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "repl.h"
#include "store-core.h"

/*
 * How long a request may take on the master: its write waits for a
 * quorum's acknowledgement (1 s at most) and, after a failover, for the
 * new master's first connections.  A master that hangs (its host frozen)
 * answers nothing: its heartbeats stop too, and the group elects another
 * within 3 s, so the client is told to come back after this.
 */
#define FORWARD_TIMEOUT_US	(5u * 1000 * 1000)
/* A removal: its answer comes once the group's membership has changed. */
#define REMOVE_TIMEOUT_US	(30u * 1000 * 1000)

/*
 * Berkeley DB connects a channel to the master with a blocking connect
 * and then reads the master's greeting with a blocking read, outside the
 * request's timeout (establish_connection in repmgr_method.c).  A master
 * whose processes are frozen, on a host whose kernel still takes
 * connections, never sends the greeting, and the request would wait as
 * long as the freeze lasts: past the election of the next master, with
 * every later request of this process queued behind it.  So each try
 * runs under a timer whose signal goes to this thread alone; its handler
 * does nothing and restarts nothing, so the blocked call fails with EINTR
 * and Berkeley DB returns that as the try's error.  The signal is this
 * module's own: the watchdog has SIGRTMIN + 2.
 */
#define FORWARD_SIGNAL	(SIGRTMIN + 3)
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id	_sigev_un._tid
#endif

static void
on_try_timer(int signo)
{
	(void)signo;
}

/*
 * Starts the timer of one try, to fire after us microseconds.  Returns 0,
 * or -1 if the system refused (then the try runs without it, as Berkeley
 * DB alone would have it).
 */
static int
try_timer_start(timer_t *timer, unsigned us)
{
	struct sigaction	sa;
	struct sigevent		sev;
	struct itimerspec	its;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_try_timer;
	sigemptyset(&sa.sa_mask);
	if (sigaction(FORWARD_SIGNAL, &sa, NULL) == -1)
		return -1;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = FORWARD_SIGNAL;
	sev.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, timer) == -1)
		return -1;
	memset(&its, 0, sizeof its);
	its.it_value.tv_sec = us / 1000000;
	its.it_value.tv_nsec = (long)(us % 1000000) * 1000;
	if (timer_settime(*timer, 0, &its, NULL) == -1) {
		timer_delete(*timer);
		return -1;
	}
	return 0;
}

int
store_forward(struct store *s, const void *req, size_t len, struct buf *reply,
    char *err, size_t errlen)
{
	DBT	rq, rs;
	timer_t	timer;
	int	r = DB_REP_UNAVAIL, timed, tries;

	/*
	 * Two tries: a channel kept from before a failover leads nowhere,
	 * nor does one to a master that stopped answering.
	 */
	for (tries = 0; tries < 2 && s->env != NULL; tries++) {
		/* Making the channel connects it: the timer covers both. */
		timed = try_timer_start(&timer, FORWARD_TIMEOUT_US) == 0;
		if (s->channel == NULL && (r = s->env->repmgr_channel(s->env,
		    DB_EID_MASTER, &s->channel, 0)) != 0) {
			s->channel = NULL;
			if (timed)
				timer_delete(timer);
			if (r == EINTR)
				continue;
			break;
		}
		memset(&rq, 0, sizeof rq);
		memset(&rs, 0, sizeof rs);
		rq.data = (void *)(uintptr_t)req;
		rq.size = (uint32_t)len;
		rs.flags = DB_DBT_MALLOC;
		r = s->channel->send_request(s->channel, &rq, 1, &rs,
		    FORWARD_TIMEOUT_US, 0);
		if (timed)
			timer_delete(timer);
		if (r == 0 && rs.size > 0) {
			buf_add(reply, rs.data, rs.size);
			free(rs.data);
			return 0;
		}
		free(rs.data);
		if (r == 0)
			r = DB_NOSERVER;	/* the master sent nothing back */
		s->channel->close(s->channel, 0);
		s->channel = NULL;
	}
	if (r == EINTR || r == DB_TIMEOUT)
		snprintf(err, errlen, "this node is a replica and the master "
		    "did not answer within %u s", FORWARD_TIMEOUT_US / 1000000);
	else
		snprintf(err, errlen, "this node is a replica and could not "
		    "reach the master to carry out the write (%s)",
		    db_strerror(r));
	return EROFS;
}

/* Berkeley DB's message thread: a request from a replica. */
static void
dispatch(DB_ENV *env, DB_CHANNEL *channel, DBT *req, uint32_t nreq,
    uint32_t flags)
{
	struct store	*s = env->app_private;
	struct buf	 reply = BUF_INIT;
	DBT		 rs;

	/* Nothing sent back tells the replica that the request failed. */
	if (nreq == 1 && s->serve != NULL)
		s->serve(req[0].data, req[0].size, &reply, s->serve_arg);
	if (flags & DB_REPMGR_NEED_RESPONSE) {
		memset(&rs, 0, sizeof rs);
		rs.data = reply.data;
		rs.size = (uint32_t)reply.len;
		(void)channel->send_msg(channel, &rs, 1, 0);
	}
	buf_free(&reply);
}

int
store_forward_serve(struct store *s, store_serve_fn fn, void *arg,
    char *err, size_t errlen)
{
	int	r;

	s->serve = fn;
	s->serve_arg = arg;
	if ((r = s->env->repmgr_msg_dispatch(s->env, dispatch, 0)) != 0)
		snprintf(err, errlen, "serving replicas' requests: %s",
		    db_strerror(r));
	return r;
}

int
store_remove_node(struct store *s, const char *address, char *err,
    size_t errlen)
{
	const char	*p = address, *why = NULL;
	char		 host[256];
	unsigned	 port;
	timer_t		 timer;
	int		 r, timed;

	if (!s->repl || !s->threaded) {
		snprintf(err, errlen, "this store is in no replication group");
		return EINVAL;
	}
	if (conf_address_next(&p, host, sizeof host, &port, &why) != 1 ||
	    *p != '\0') {
		snprintf(err, errlen, "\"%.64s\" %s", address,
		    why != NULL ? why : "is not one host:port");
		return EINVAL;
	}
	/*
	 * The request goes to the master over a connection made as a
	 * channel's is, and waits for its answer without a timeout: bounded
	 * as a forward is, with time for the group to take the change in.
	 */
	timed = try_timer_start(&timer, REMOVE_TIMEOUT_US) == 0;
	r = repl_remove_site(s->env, host, port, err, errlen);
	if (timed)
		timer_delete(timer);
	if (r == EINTR) {
		snprintf(err, errlen, "removing %s:%u from the group: the master "
		    "did not answer within %u s", host, port,
		    REMOVE_TIMEOUT_US / 1000000);
		r = DB_REP_UNAVAIL;
	}
	return r;
}
