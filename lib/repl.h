/* repl.h: a store kept on several hosts by Berkeley DB's Replication Manager: its settings and roles. */
#ifndef BACKSTREAM_REPL_H
#define BACKSTREAM_REPL_H

#include <stddef.h>

#include <db.h>

struct conf;

/*
 * One process per node owns replication (backstream-repd): it recovers
 * the environment, names the sites and holds the elections.  Every other
 * process that writes starts the Replication Manager too, as a further
 * process of the same site: on the master Berkeley DB refuses a write
 * from a process that does not take part, and its commits are sent to
 * the others by its own connections.  Readers take no part.
 */

/* Whether cfg puts this node in a replication group (repl_site is set). */
int	repl_enabled(const struct conf *cfg);

/*
 * Before env->open, in every process of a replicated store: what the
 * whole site shares (acknowledgements, timeouts, no 5 s sleeps on a
 * lockout, priority).  With site (this site's address, checked when
 * the file was read) also the site and its peers: for the owner only.  With
 * creator, a site that is in no group yet founds one, of itself alone,
 * as its master; others join theirs through the peers.  Returns 0 or a
 * Berkeley DB code, with a reason in err.
 */
int	repl_configure(DB_ENV *env, const char *site, const char *peers,
	    int priority, int creator, char *err, size_t errlen);

/*
 * The file in which Berkeley DB keeps a site's group membership: a
 * store without it has never been in a group.
 */
#define REPL_GROUP_FILE	"__db.rep.system"

/*
 * After env->open: starts the Replication Manager, holding elections
 * (owner) or as a further process of the site.  Returns 0 or a Berkeley
 * DB code, with a reason in err.
 */
int	repl_start(DB_ENV *env, int owner, char *err, size_t errlen);

/*
 * What the owner does with Replication Manager events: logs changes of
 * role, and ends the process when the environment panics, for its
 * supervisor to start it again, with recovery.
 */
void	repl_event(DB_ENV *env, uint32_t event, void *info);

/*
 * Removes the site at host:port from the group's membership, for good:
 * on the master, or from a replica through it, in a process that takes
 * part in replication.  Returns 0 or a Berkeley DB code, with a reason
 * in err.
 */
int	repl_remove_site(DB_ENV *env, const char *host, unsigned port,
	    char *err, size_t errlen);

/* Whether this site is the group's master now. */
int	repl_is_master(DB_ENV *env);

#endif
