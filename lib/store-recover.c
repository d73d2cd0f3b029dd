/* store-recover.c: joining the environment, and recovering it when a process died inside. */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mstime.h"
#include "notify.h"
#include "proc.h"
#include "registry.h"
#include "store-core.h"
#include "tail.h"
#include "watchdog.h"

/*
 * The regions are a cache of the log and the database files.  A process
 * killed while creating them leaves files no open can attach to, and
 * recovery attaches to them first too, so every open would fail.  Under
 * the exclusive gate nobody is inside the environment: the regions can be
 * removed and rebuilt by a recovery, which this asks for.
 */
static void
rebuild_regions(const struct store *s)
{
	DB_ENV	*env;
	char	 path[4096];
	int	 i;

	log_warn("%s: the environment's regions cannot be opened; removing "
	    "them for recovery", s->dir);
	if (db_env_create(&env, 0) == 0)
		env->remove(env, s->dir, DB_FORCE);	/* frees env */
	for (i = 1; i < 100; i++) {
		snprintf(path, sizeof path, "%s/__db.%03d", s->dir, i);
		if (unlink(path) == -1 && errno == ENOENT && i > 10)
			break;
	}
	registry_request_recovery(s->dir);
}

/*
 * Recovery interrupted by SIGKILL can leave the log and files in a state
 * the next recovery fails on (seen in the kill test).  So recovery runs in
 * a child of its own session, which goes on if this process is killed,
 * and holds the gate while it runs: flock locks belong to the open file,
 * which the child shares.
 */
static int
recover_in_child(struct store *s, char *err, size_t errlen)
{
	pid_t	pid;
	int	status, r;

	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return errno;
	}
	if (pid == 0) {
		setsid();
		alarm(600);	/* a recovery that long is stuck */
		s->pid = getpid();
		s->starttime = proc_starttime(s->pid);
		if ((r = store_open_env(s, 1, err, errlen)) == 0)
			r = s->env->close(s->env, 0);
		_exit(r == 0 ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return errno;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(err, errlen, "%s: recovery of the environment failed", s->dir);
	return DB_RUNRECOVERY;
}

/*
 * Most opens need no recovery.  They join the environment under the
 * shared gate, beside running operations, so that a thousand responders
 * starting together do not queue one behind another.  If the registry
 * shows a dead process, or Berkeley DB finds one (it then fails without
 * DB_RECOVER), the exclusive path recovers; a replicated store's owner
 * does instead (attach_replicated).  Returns 0 or an error code.
 */
static int
open_shared(struct store *s, char *err, size_t errlen)
{
	int	r;

	store_gate(s, LOCK_SH);
	store_lock_file(s->opener, LOCK_EX);
	/* Armed only once inside: a wait at the gate holds nothing. */
	watchdog_arm(s->watchdog);
	/* A replicated store has no registry: its owner frees the dead's. */
	if (!s->repl)
		registry_clear_slot(s->dir, s->pid);
	if (!s->repl && registry_needs_recovery(s->dir))
		r = DB_RUNRECOVERY;
	else if ((r = store_enter_env(s, 0, err, errlen)) == 0 &&
	    (r = store_open_tables(s, 0, err, errlen)) != 0)
		store_detach(s);
	if (r == 0) {
		s->generation = notify_value(s->notify, NOTIFY_GENERATION);
		if (s->repl)
			store_owner_note(s);
	}
	watchdog_disarm(s->watchdog);
	store_lock_file(s->opener, LOCK_UN);
	store_gate(s, LOCK_UN);
	log_debug("%s: shared open: %s", s->dir, r == 0 ? "done" :
	    db_strerror(r));
	return r;
}

/*
 * Replicated, backstream-repd recovers the environment when it starts,
 * under the exclusive gate, and nobody else ever does (store-env.c says
 * why).  Any other process joins under the shared gate; one that finds
 * the environment in need of recovery, or not there yet, waits a while
 * for the owner.  Returns 0 or an error code.
 */
static int
attach_replicated(struct store *s, char *err, size_t errlen)
{
	int	r, tries;

	if (s->repl_owner) {
		/*
		 * The gate stays closed until the node has caught up
		 * (store_repl_tables): processes that opened the store while
		 * it took its first copy from the master, each retrying a
		 * lockout, kept that copy from ever finishing.
		 */
		store_gate_exclusive(s, 1);
		r = store_enter_env(s, 1, err, errlen);
		/* What others hold is of the regions before this recovery. */
		notify_bump(s->notify, NOTIFY_GENERATION);
		tail_writers_reset(s->tail);
		s->generation = notify_value(s->notify, NOTIFY_GENERATION);
		if (r != 0)
			store_gate_exclusive(s, 0);
		else
			s->gate_closed = mono_ms();
		return r;
	}
	for (tries = 0;; tries++) {
		err[0] = '\0';
		r = open_shared(s, err, errlen);
		if (r == 0 || r == EACCES || r == EPERM || r == EROFS)
			return r;
		if (tries == 12) {
			/* Its open makes the environment a replicated one. */
			snprintf(err + strlen(err), errlen - strlen(err),
			    " (is backstream-repd running on this node?)");
			return r;
		}
		store_backoff(tries < 5 ? tries + 3 : 8);
	}
}

int
store_attach(struct store *s, int create, char *err, size_t errlen)
{
	char		path[4096];
	struct stat	st;
	int		r, tries, recovering;

	if (s->repl) {
		if (attach_replicated(s, err, errlen) != 0)
			return -1;
		/* The owner opens the tables once its role is known. */
		if (!s->repl_owner &&
		    store_check_meta(s, 0, err, errlen) != 0) {
			store_detach(s);
			return -1;
		}
		return 0;
	}

	if (store_path_in(path, sizeof path, s->dir,
	    store_tables[STORE_META].file) == -1) {
		snprintf(err, errlen, "%s: path too long", s->dir);
		return -1;
	}
	if (!create && stat(path, &st) == -1) {
		snprintf(err, errlen, "%s: no backstream store here (%s); run "
		    "\"backstream init\"", s->dir, strerror(errno));
		return -1;
	}
	/*
	 * Another process may be recovering the environment right now: it
	 * removes and rebuilds the region files under us, and our attempt
	 * fails with whatever the half-built files give.  Try again for a
	 * while; errors that waiting cannot cure end it at once.
	 */
	r = create ? -1 : open_shared(s, err, errlen);
	for (tries = 0; r != 0; tries++) {
		err[0] = '\0';
		store_gate_exclusive(s, 1);
		watchdog_arm(s->watchdog);
		/* A failed open may have left this process's registry line. */
		registry_clear_slot(s->dir, s->pid);
		store_clear_stillborn_env(s);
		if (tries >= 3)
			rebuild_regions(s);
		recovering = registry_needs_recovery(s->dir);
		log_debug("%s: opening (try %d%s)", s->dir, tries,
		    recovering ? ", recovering" : "");
		r = recovering ? recover_in_child(s, err, errlen) : 0;
		if (r == 0)
			r = store_enter_env(s, 1, err, errlen);
		if (r == 0 &&
		    (r = store_open_tables(s, create, err, errlen)) != 0)
			store_detach(s);
		/*
		 * Processes still holding handles of the environment as it was
		 * before recovery must not use them: Berkeley DB marks the old
		 * regions panicked, but cannot when it fails to attach to
		 * them, and a stale handle would write into the rebuilt log.
		 * Every operation compares this count first.
		 */
		if (recovering) {
			notify_bump(s->notify, NOTIFY_GENERATION);
			/* Nobody is in flight now: the dead are forgotten. */
			tail_writers_reset(s->tail);
		}
		s->generation = notify_value(s->notify, NOTIFY_GENERATION);
		watchdog_disarm(s->watchdog);
		store_gate_exclusive(s, 0);
		log_debug("%s: open: %s", s->dir, r == 0 ? "done" : err);
		/* The next open recovers, this process's or another's. */
		if (r == DB_RUNRECOVERY || (r == EINVAL && store_torn_table(s)))
			registry_request_recovery(s->dir);
		/* Waiting cures neither a read-only nor a full disk. */
		if (r == 0 || r == EACCES || r == EPERM || r == EROFS ||
		    r == ENOSPC || tries == 20 || store_disk_full(s))
			break;
		store_backoff(tries < 5 ? tries + 3 : 8);
	}
	if (r != 0) {
		if (r != EACCES && r != EPERM && r != EROFS)
			store_explain_full_disk(s, err, errlen);
		return -1;
	}
	if ((r = store_check_meta(s, create, err, errlen)) != 0) {
		store_detach(s);
		return -1;
	}
	return 0;
}

/* How long a starting node with no master keeps its gate closed. */
#define NO_MASTER_OPEN_MS	60000

/* Where this node stands in its group, from the replication statistics. */
struct repl_state {
	int	master;		/* this node is the master */
	int	ready;		/* the master, or a replica that caught up */
	int	nomaster;	/* no master is known */
};

static int
repl_state(struct store *s, struct repl_state *st, char *err, size_t errlen)
{
	DB_REP_STAT	*sp;
	int		 r;

	if ((r = s->env->rep_stat(s->env, &sp, 0)) != 0) {
		snprintf(err, errlen, "replication statistics: %s",
		    db_strerror(r));
		return -1;
	}
	st->master = sp->st_status == DB_REP_MASTER;
	st->ready = st->master || (sp->st_status == DB_REP_CLIENT &&
	    sp->st_startup_complete);
	st->nomaster = sp->st_master == DB_EID_INVALID;
	free(sp);
	return 0;
}

/*
 * Opens the owner's closed gate once the node has caught up, or when no
 * master is known (to serve what this copy holds rather than nothing).
 * Never during a copy from a master: readers retrying their lockouts
 * kept one from ever finishing.
 */
static void
gate_open_when(struct store *s, const struct repl_state *st)
{
	if (s->gate_closed != 0 && (st->ready || st->nomaster)) {
		/* The flag first: store_gate passes while it is set. */
		s->gate_closed = 0;
		store_gate_exclusive(s, 0);
	}
}

int
store_repl_tables(struct store *s, char *err, size_t errlen)
{
	struct repl_state	st;
	int			r;

	if (s->db[STORE_META] != NULL)
		return 1;
	if (repl_state(s, &st, err, errlen) != 0)
		return -1;
	/* At the start one may be found in a moment. */
	if (st.nomaster && mono_ms() - s->gate_closed < NO_MASTER_OPEN_MS)
		st.nomaster = 0;
	gate_open_when(s, &st);
	if (!st.ready)
		return 0;
	store_gate(s, LOCK_SH);
	r = store_open_tables(s, st.master, err, errlen);
	store_gate(s, LOCK_UN);
	if (r != 0) {
		store_close_tables(s);
		/* A new group's master may not have made them yet. */
		if (!st.master && r == ENOENT)
			return 0;
		return -1;
	}
	if (store_check_meta(s, st.master, err, errlen) != 0) {
		store_close_tables(s);
		return -1;
	}
	return 1;
}

/*
 * Whether a sync or copy holds Berkeley DB's replication lockout now: a
 * transaction begun is refused at once (DB_REP_CONF_NOWAIT).
 */
static int
locked_out(struct store *s)
{
	DB_TXN	*t;
	int	 r;

	if ((r = s->env->txn_begin(s->env, NULL, &t, 0)) == 0)
		t->abort(t);
	return r == DB_REP_LOCKOUT;
}

/*
 * How long the lockout must have been over before the gate opens: a
 * copy of the store locks out, and lets go, once per phase.
 */
#define LOCKOUT_QUIET_MS	100

int
store_repl_gate(struct store *s, int *master, char *err, size_t errlen)
{
	struct repl_state	st;
	int64_t			now = mono_ms(), closed = s->gate_closed;
	int			lockout;

	*master = 0;
	if (repl_state(s, &st, err, errlen) != 0)
		return -1;
	*master = st.master;
	/* A master never syncs: its lockouts are its own, and short. */
	if ((lockout = !st.master && locked_out(s)))
		s->lockout_seen = now;
	/*
	 * A replica syncing with a new master, or in a lockout (a copy of
	 * the store may begin without a new master): readers that retried
	 * theirs all through a copy once kept it from ever finishing.
	 */
	if (s->gate_closed == 0 && (lockout || (!st.ready && !st.nomaster))) {
		/*
		 * Operations in flight finish first; new ones wait at the
		 * gate while the sync or copy goes on without them.
		 */
		store_gate_exclusive(s, 1);
		s->gate_closed = s->gate_warned = mono_ms();
		log_info("%s: catching up with %s; the store's readers wait",
		    s->dir, lockout ? "the group" : "a new master");
		return 1;
	}
	if (s->gate_closed == 0)
		return 0;
	if (s->lockout_seen < closed ||
	    now - s->lockout_seen >= LOCKOUT_QUIET_MS)
		gate_open_when(s, &st);
	if (s->gate_closed == 0)
		log_info("%s: %s after %lld ms; the store's readers go on",
		    s->dir, st.ready ? "caught up" : "no master known",
		    (long long)(now - closed));
	else if (now - s->gate_warned >= NO_MASTER_OPEN_MS) {
		s->gate_warned = now;
		log_warn("%s: still catching up after %lld s; the store's "
		    "readers wait", s->dir, (long long)(now - closed) / 1000);
	}
	return s->gate_closed != 0;
}

/*
 * Recovery runs in whichever process gets there first; in a replication
 * group, only in backstream-repd, and the others reattach after it.
 */
int
store_reopen(struct store *s, char *err, size_t errlen)
{
	if (s->repl)
		log_info("%s: the environment changed under this process; "
		    "attaching again", s->dir);
	else
		log_warn("%s: the environment needs recovery; reopening",
		    s->dir);
	store_gate(s, LOCK_SH);
	store_detach(s);
	store_gate(s, LOCK_UN);
	return store_attach(s, 0, err, errlen);
}
