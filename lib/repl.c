/* repl.c: a store kept on several hosts by Berkeley DB's Replication Manager: its settings and roles. */
#include "config.h"

#include <sys/socket.h>
#include <sys/syscall.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "repl.h"

/*
 * Berkeley DB 5.3's Replication Manager sets no TCP_NODELAY on its
 * sockets, and has no hook to do it (one came in a later release).  With
 * Nagle's algorithm and delayed acknowledgements every commit waits for
 * its acknowledgement some 40 ms instead of under one.  It makes its
 * sockets with libc's socket(), outgoing ones and its listener (an
 * accepted socket inherits the option on Linux), and a definition in the
 * program comes before libc's for libdb, shared or static.  Every
 * program that links the store links this file, and none of their other
 * TCP sockets wants Nagle either.
 */
int
socket(int domain, int type, int protocol)
{
	int	fd, one = 1;

	fd = (int)syscall(SYS_socket, domain, type, protocol);
	if (fd >= 0 && (domain == AF_INET || domain == AF_INET6) &&
	    (type & 0xff) == SOCK_STREAM)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof one);
	return fd;
}

int
repl_enabled(const struct conf *cfg)
{
	return cfg->repl_site != NULL && cfg->repl_site[0] != '\0';
}

/*
 * Calls fn for each address of the space-separated list (checked when the
 * file was read); 0, or -1 with a reason naming key when fn fails.
 */
static int
each_address(const char *list, const char *key,
    int (*fn)(const char *host, unsigned port, void *arg), void *arg,
    char *err, size_t errlen)
{
	const char	*p = list, *why;
	char		 host[256];
	unsigned	 port;
	int		 r;

	while ((r = conf_address_next(&p, host, sizeof host, &port, &why)) !=
	    0) {
		if (r == -1) {
			snprintf(err, errlen, "%s: %s", key, why);
			return -1;
		}
		if ((r = fn(host, port, arg)) != 0) {
			snprintf(err, errlen, "%s: %s:%u: %s", key, host, port,
			    db_strerror(r));
			return -1;
		}
	}
	return 0;
}

/* What each_address hands to add_local and add_peer. */
struct sites {
	DB_ENV	*env;
	int	 creator;
};

/* Names one site to the environment: this one (local) or a peer. */
static int
add_site(DB_ENV *env, const char *host, unsigned port, uint32_t config)
{
	DB_SITE	*site;
	int	 r;

	if ((r = env->repmgr_site(env, host, port, &site, 0)) != 0)
		return r;
	r = site->set_config(site, config, 1);
	site->close(site);
	return r;
}

static int
add_local(const char *host, unsigned port, void *arg)
{
	struct sites	*sites = arg;
	int		 r;

	if ((r = add_site(sites->env, host, port, DB_LOCAL_SITE)) == 0 &&
	    sites->creator)
		r = add_site(sites->env, host, port, DB_GROUP_CREATOR);
	return r;
}

/* A peer helps a new node join: which one is master, it tells. */
static int
add_peer(const char *host, unsigned port, void *arg)
{
	struct sites	*sites = arg;

	return add_site(sites->env, host, port, DB_BOOTSTRAP_HELPER);
}

#define SEC	1000000u	/* Berkeley DB's timeouts are in µs */
/*
 * A further process of the master logs a little as it starts, before
 * its connections are up: the others see a gap in the log, and ask for
 * the missing records only at the master's next message.  Until then
 * they acknowledge nothing, and every commit waits.  A heartbeat every
 * 100 ms bounds that wait well under the acknowledgement timeout.
 */
#define HEARTBEAT_US	(SEC / 10)

int
repl_configure(DB_ENV *env, const char *site, const char *peers,
    int priority, int creator, char *err, size_t errlen)
{
	struct sites	sites;
	int		r;

	/*
	 * A client flushes its log after every transaction it applies
	 * unless this is set, which made catching up crawl where the disk
	 * was shared.  A commit is durable once in the memory of a quorum
	 * of hosts; the master's writers still choose their own flushes.
	 * The checkpoint delay would make every checkpoint of the master
	 * sleep 30 s, and a joining node wait behind it.  Without NOWAIT an
	 * operation that meets a replication lockout (a sync, an election)
	 * sleeps a fixed 5 s; with it, it fails at once and is retried.
	 * Heartbeats notice a master that hangs without closing its
	 * connections.
	 */
	if ((r = env->set_flags(env, DB_TXN_NOSYNC, 1)) != 0 ||
	    (r = env->rep_set_config(env, DB_REP_CONF_NOWAIT, 1)) != 0 ||
	    (r = env->repmgr_set_ack_policy(env, DB_REPMGR_ACKS_QUORUM)) != 0 ||
	    (r = env->rep_set_timeout(env, DB_REP_ACK_TIMEOUT, SEC)) != 0 ||
	    (r = env->rep_set_timeout(env, DB_REP_CHECKPOINT_DELAY, 0)) != 0 ||
	    (r = env->rep_set_timeout(env, DB_REP_CONNECTION_RETRY, SEC)) !=
	    0 ||
	    (r = env->rep_set_timeout(env, DB_REP_ELECTION_RETRY, SEC)) != 0 ||
	    (r = env->rep_set_timeout(env, DB_REP_ELECTION_TIMEOUT,
	    2 * SEC)) != 0 ||
	    (r = env->rep_set_timeout(env, DB_REP_HEARTBEAT_SEND,
	    HEARTBEAT_US)) != 0 ||
	    (r = env->rep_set_timeout(env, DB_REP_HEARTBEAT_MONITOR,
	    3 * SEC)) != 0 ||
	    (r = env->rep_set_request(env, 1000, 50000)) != 0 ||
	    (r = env->rep_set_priority(env, (uint32_t)priority)) !=
	    0) {
		snprintf(err, errlen, "configuring replication: %s",
		    db_strerror(r));
		return r;
	}
	/*
	 * Berkeley DB's own account of replication, message by message, to
	 * the debug log: far too much for a setting, enough to find out why
	 * a commit waited (backstream-repd(8)).
	 */
	if (getenv("BACKSTREAM_REPL_VERBOSE") != NULL) {
		(void)env->set_verbose(env, DB_VERB_REPLICATION, 1);
		(void)env->set_verbose(env, DB_VERB_REPMGR_MISC, 1);
		(void)env->set_verbose(env, DB_VERB_REPMGR_CONNFAIL, 1);
	}
	sites.env = env;
	sites.creator = creator;
	if (site != NULL && (each_address(site, "repl_site", add_local, &sites,
	    err, errlen) == -1 || each_address(peers, "repl_peers", add_peer,
	    &sites, err, errlen) == -1))
		return EINVAL;
	return 0;
}

/*
 * A further process sends its commits to the other sites over its own
 * connections, which it opens only once started.  What it logs before
 * they are up reaches nobody: the others find the gap at its next
 * message and ask for the rest, and meanwhile its commits wait out the
 * acknowledgement timeout.  So it waits, a little, for them first.
 */
#define CONNECT_WAIT_MS	2000

static void
wait_connected(DB_ENV *env)
{
	struct timespec	 ts = { 0, 2 * 1000 * 1000 };
	DB_REPMGR_SITE	*list;
	u_int		 n, i, up;
	int		 waited;

	for (waited = 0;; waited += 2) {
		if (env->repmgr_site_list(env, &n, &list) != 0)
			return;
		for (up = 0, i = 0; i < n; i++)
			if (list[i].status == DB_REPMGR_CONNECTED)
				up++;
		free(list);
		if (up == n || waited >= CONNECT_WAIT_MS)
			break;
		nanosleep(&ts, NULL);
	}
	log_debug("replication: %u of %u sites connected after %d ms", up, n,
	    waited);
}

int
repl_start(DB_ENV *env, int owner, char *err, size_t errlen)
{
	struct timespec	ts = { 0, 500 * 1000 * 1000 };
	int		r, tries;

	/*
	 * A node that asks to join while another's join is in progress is
	 * told to come back (DB_REP_UNAVAIL).  A further process of a site
	 * gets DB_REP_IGNORE: the owner's settings stand, and it sends its
	 * own commits over its own connections.
	 */
	for (tries = 0; (r = env->repmgr_start(env, owner ? 3 : 1,
	    DB_REP_ELECTION)) == DB_REP_UNAVAIL && tries < 60; tries++)
		nanosleep(&ts, NULL);
	if (r == DB_REP_IGNORE)
		r = 0;
	if (r != 0) {
		snprintf(err, errlen, "starting replication: %s",
		    db_strerror(r));
		return r;
	}
	if (!owner)
		wait_connected(env);
	return 0;
}

int
repl_remove_site(DB_ENV *env, const char *host, unsigned port, char *err,
    size_t errlen)
{
	DB_SITE	*site;
	int	 r;

	if ((r = env->repmgr_site(env, host, port, &site, 0)) != 0) {
		snprintf(err, errlen, "%s:%u: %s", host, port, db_strerror(r));
		return r;
	}
	/* The handle is gone either way. */
	if ((r = site->remove(site)) != 0)
		snprintf(err, errlen, "removing %s:%u from the group: %s%s",
		    host, port, db_strerror(r), r == DB_REP_UNAVAIL ?
		    " (no master reachable)" : "");
	return r;
}

void
repl_event(DB_ENV *env, uint32_t event, void *info)
{
	(void)env;
	switch (event) {
	case DB_EVENT_REP_MASTER:
		log_info("replication: this node is the master");
		break;
	case DB_EVENT_REP_CLIENT:
		log_info("replication: this node is a replica");
		break;
	case DB_EVENT_REP_NEWMASTER:
		log_info("replication: site %d is the new master", *(int *)info);
		break;
	case DB_EVENT_REP_INIT_DONE:
		/* The master no longer had the log this node lacked. */
		log_info("replication: copied the store from the master");
		break;
	case DB_EVENT_REP_STARTUPDONE:
		log_info("replication: caught up with the master");
		break;
	case DB_EVENT_REP_SITE_REMOVED:
		log_info("replication: site %d left the group",
		    info != NULL ? *(int *)info : -1);
		break;
	case DB_EVENT_REP_LOCAL_SITE_REMOVED:
		log_warn("replication: this node was removed from the group; "
		    "it takes no further part until started anew");
		break;
	case DB_EVENT_REP_JOIN_FAILURE:
		log_warn("replication: this node could not join the group");
		break;
	case DB_EVENT_REP_DUPMASTER:
		log_warn("replication: two masters met; electing one");
		break;
	case DB_EVENT_REP_PERM_FAILED:
		log_warn("replication: a commit was not acknowledged by a "
		    "quorum in time");
		break;
	case DB_EVENT_PANIC:
		/*
		 * Every handle of the environment is dead.  The supervisor
		 * starts this process again, which recovers; the others
		 * wait for it at the gate and attach again.
		 */
		log_error("replication: the environment panicked; exiting, "
		    "to be restarted with recovery");
		_exit(3);
	}
}

int
repl_is_master(DB_ENV *env)
{
	DB_REP_STAT	*sp;
	int		 master;

	if (env->rep_stat(env, &sp, 0) != 0)
		return 0;
	master = sp->st_status == DB_REP_MASTER;
	free(sp);
	return master;
}
