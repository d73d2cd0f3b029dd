/* store-forward.c: requests from a replica to the master, over Berkeley DB's message channels. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
store_forward(struct store *s, const void *req, size_t len, struct buf *reply,
    char *err, size_t errlen)
{
	DBT	rq, rs;
	int	r = DB_REP_UNAVAIL, tries;

	/* Two tries: a channel kept from before a failover leads nowhere. */
	for (tries = 0; tries < 2 && s->env != NULL; tries++) {
		if (s->channel == NULL && (r = s->env->repmgr_channel(s->env,
		    DB_EID_MASTER, &s->channel, 0)) != 0) {
			s->channel = NULL;
			break;
		}
		memset(&rq, 0, sizeof rq);
		memset(&rs, 0, sizeof rs);
		rq.data = (void *)(uintptr_t)req;
		rq.size = (uint32_t)len;
		rs.flags = DB_DBT_MALLOC;
		r = s->channel->send_request(s->channel, &rq, 1, &rs,
		    FORWARD_TIMEOUT_US, 0);
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
	snprintf(err, errlen, "this node is a replica and could not reach the "
	    "master to carry out the write (%s)", db_strerror(r));
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
	return repl_remove_site(s->env, host, port, err, errlen);
}
