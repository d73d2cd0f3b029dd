/* store-env.c: the Berkeley DB environment handle: configured, entered, left. */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "notify.h"
#include "tail.h"
#include "proc.h"
#include "registry.h"
#include "repl.h"
#include "store-core.h"
#include "watchdog.h"
#include "xmalloc.h"

/* ---- process identity, for Berkeley DB's dead-process checks ------------- */

/*
 * Set in a thread's id, apart from any start time (clock ticks since
 * boot) and any user-space address.  A pthread id is an address, mostly
 * far above a start time, but not always: under valgrind it was small,
 * was taken for a start time, and failchk then found repd's own threads
 * dead.
 */
#define THREAD_MARK	(UINT64_C(1) << 63)

/*
 * A process of one thread gives its start time as its thread id, which
 * tells a dead process from a live one that took its pid.  In a process
 * that takes part in replication, the Replication Manager's threads work
 * in the environment beside the main one, and Berkeley DB keeps what
 * each thread holds (pinned pages) under its id: one id for all of them
 * mixed their pages up, and the environment panicked ("pinned buffer not
 * found").  Those give their pthread id, and are alive while their
 * process is.
 */
static void
thread_id(DB_ENV *env, pid_t *pid, db_threadid_t *tid)
{
	struct store	*s = env->app_private;

	*pid = s->pid;
	if (tid != NULL)
		*tid = s->threaded ? (db_threadid_t)((uint64_t)pthread_self() |
		    THREAD_MARK) : (db_threadid_t)s->starttime;
}

/*
 * failchk asks whether a process is alive once for each thread slot,
 * locker and mutex it has: some 1,400 questions, 24 ms, for a hundred
 * responders, every second, in repd, whose feed of a replica's streams
 * waited for it.  While a memo is kept (store_alive_memo_begin), each
 * process is looked at once, for the thread that keeps it: a process that
 * died during the pass is found at the next one.
 */
#define MEMO_SLOTS	512u	/* a power of two; a full memo asks /proc */

struct alive_memo {
	pthread_t	thread;
	struct {
		pid_t		pid;	/* 0: free */
		uint64_t	start;
		int		alive;
	}		slot[MEMO_SLOTS];
};

void
store_alive_memo_begin(struct store *s)
{
	struct alive_memo	*m = xcalloc(1, sizeof *m);

	m->thread = pthread_self();
	atomic_store_explicit(&s->alive_memo, m, memory_order_release);
}

void
store_alive_memo_end(struct store *s)
{
	free(atomic_exchange_explicit(&s->alive_memo, NULL,
	    memory_order_acq_rel));
}

static int
is_alive(DB_ENV *env, pid_t pid, db_threadid_t tid, uint32_t flags)
{
	struct store		*s = env->app_private;
	struct alive_memo	*m;
	uint64_t		 start;
	unsigned		 i, n;

	(void)flags;
	start = ((uint64_t)tid & THREAD_MARK) != 0 ? 0 : (uint64_t)tid;
	m = atomic_load_explicit(&s->alive_memo, memory_order_acquire);
	if (m == NULL || !pthread_equal(m->thread, pthread_self()))
		return proc_is_alive(pid, start);
	i = ((unsigned)pid * 2654435761u + (unsigned)start) % MEMO_SLOTS;
	for (n = 0; n < MEMO_SLOTS; n++, i = (i + 1) % MEMO_SLOTS) {
		if (m->slot[i].pid == 0) {
			m->slot[i].pid = pid;
			m->slot[i].start = start;
			m->slot[i].alive = proc_is_alive(pid, start);
			return m->slot[i].alive;
		}
		if (m->slot[i].pid == pid && m->slot[i].start == start)
			return m->slot[i].alive;
	}
	return proc_is_alive(pid, start);
}

/* Whether a message that begins with a file's path names a table. */
static int
names_table(const char *msg)
{
	const char	*colon = strchr(msg, ':');

	return colon == NULL || (colon - msg >= 3 &&
	    strncmp(colon - 3, ".db", 3) == 0);
}

/* Whether Berkeley DB's msg is routine here, for the debug log only. */
static int
routine(const char *msg)
{
	/*
	 * A copy of the store (internal init) opens every file of the
	 * directory to find the databases, on the site that copies and on
	 * the one that serves it, and says so of the store's own lock and
	 * shared-memory files, which are none: "not a database" (BDB0004),
	 * "encrypted" (BDB0178: no store is), a bad checksum (BDB0210).
	 * The last stays a warning for a table.
	 */
	if (strncmp(msg, "BDB0004 fop_read_meta", 21) == 0 ||
	    strncmp(msg, "BDB0178 ", 8) == 0 || (strncmp(msg, "BDB0210 ",
	    8) == 0 && !names_table(msg + 8)))
		return 1;
	/*
	 * With DB_REP_CONF_NOWAIT an operation refused during a sync says
	 * so, and is tried again.
	 */
	return strncmp(msg, "BDB3504 ", 8) == 0 ||
	    strncmp(msg, "BDB3509 ", 8) == 0;
}

void
store_db_error(const DB_ENV *env, const char *prefix, const char *msg)
{
	(void)env;
	(void)prefix;
	if (routine(msg)) {
		log_debug("berkeley db: %s", msg);
		return;
	}
	log_warn("berkeley db: %s", msg);
}

/* Informational output, such as what failchk cleaned up. */
static void
db_message(const DB_ENV *env, const char *msg)
{
	(void)env;
	log_debug("berkeley db: %s", msg);
}

/*
 * Replication's events, in a process that takes part.  A commit that a
 * quorum did not acknowledge in time is reported in the committing
 * thread, before its commit returns: run() looks at perm_failed after.
 */
static void
on_event(DB_ENV *env, uint32_t event, void *info)
{
	struct store	*s = env->app_private;

	if (event == DB_EVENT_REP_PERM_FAILED)
		s->perm_failed = 1;
	if (s->repl_owner)
		repl_event(env, event, info);
}

/* ---- opening ------------------------------------------------------------- */

int
store_path_in(char *out, size_t len, const char *dir, const char *file)
{
	return (size_t)snprintf(out, len, "%s/%s", dir, file) >= len ? -1 : 0;
}

static int
set_sizes(struct store *s, char *err, size_t errlen)
{
	DB_ENV		*env = s->env;
	uint32_t	 procs = (uint32_t)s->max_processes;
	int		 r;

	/*
	 * Every process holds a handle lock and a locker per open table, so
	 * the lock tables scale with the number of processes.
	 */
	if ((r = env->set_cachesize(env,
	    (uint32_t)(s->cache_size / (1024 * 1024 * 1024)),
	    (uint32_t)(s->cache_size % (1024 * 1024 * 1024)), 1)) != 0 ||
	    (r = env->set_thread_count(env, procs)) != 0 ||
	    (r = env->set_lk_max_lockers(env, procs * (STORE_NTABLES + 4))) !=
	    0 ||
	    (r = env->set_lk_max_locks(env, procs * (STORE_NTABLES + 4) +
	    100000)) != 0 ||
	    (r = env->set_lk_max_objects(env, 50000)) != 0 ||
	    (r = env->set_tx_max(env, procs * 2)) != 0 ||
	    (r = env->mutex_set_max(env, procs * 16 + 20000)) != 0 ||
	    (r = env->set_lg_bsize(env, 1024 * 1024)) != 0 ||
	    (r = env->set_lg_max(env, 16 * 1024 * 1024)) != 0) {
		snprintf(err, errlen, "configuring the environment: %s",
		    db_strerror(r));
		return r;
	}
	return 0;
}

/*
 * A store that has never been in a replication group founds one, with
 * its data, when its owner first starts; an empty one joins the group of
 * its peers and gets their data.  So "backstream init" runs on one node
 * only.
 */
static int
founds_group(const struct store *s)
{
	char		path[4096];
	struct stat	st;

	if (!s->repl_owner || store_path_in(path, sizeof path, s->dir,
	    store_tables[STORE_META].file) == -1 || stat(path, &st) == -1 ||
	    store_path_in(path, sizeof path, s->dir, REPL_GROUP_FILE) == -1)
		return 0;
	return stat(path, &st) == -1 && errno == ENOENT;
}

int
store_open_env(struct store *s, int recover, char *err, size_t errlen)
{
	DB_ENV		*env;
	uint32_t	 flags;
	int		 r;

	if ((r = db_env_create(&env, 0)) != 0) {
		snprintf(err, errlen, "db_env_create: %s", db_strerror(r));
		return r;
	}
	s->env = env;
	env->app_private = s;
	env->set_errcall(env, store_db_error);
	env->set_msgcall(env, db_message);
	if ((r = set_sizes(s, err, errlen)) != 0)
		goto fail;
	if ((r = env->set_thread_id(env, thread_id)) != 0 ||
	    (r = env->set_isalive(env, is_alive)) != 0 ||
	    (r = env->set_lk_detect(env, DB_LOCK_DEFAULT)) != 0 ||
	    (r = env->set_timeout(env, (db_timeout_t)(s->lock_timeout * 1000),
	    DB_SET_LOCK_TIMEOUT)) != 0 ||
	    (r = env->set_timeout(env, 200000, DB_SET_REG_TIMEOUT)) != 0 ||
	    (r = env->log_set_config(env, DB_LOG_AUTO_REMOVE, 1)) != 0) {
		snprintf(err, errlen, "configuring the environment: %s",
		    db_strerror(r));
		goto fail;
	}
	flags = DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL | DB_INIT_TXN;
	if (s->repl) {
		/*
		 * Replicated: the owner alone creates and recovers, every
		 * time it starts (a site that rejoins without recovery keeps
		 * its old master in the regions and never catches up).  A
		 * dead process's locks are freed by the owner's failchk: a
		 * process that recovered here would pull the regions from
		 * under the Replication Manager.  Taking part needs a
		 * free-threaded environment.
		 */
		if ((r = repl_configure(env, s->repl_owner ? s->repl_site :
		    NULL, s->repl_peers, s->repl_priority, founds_group(s), err,
		    errlen)) != 0)
			goto fail;
		if (s->threaded && (r = env->set_event_notify(env,
		    on_event)) != 0) {
			snprintf(err, errlen, "configuring replication: %s",
			    db_strerror(r));
			goto fail;
		}
		flags |= DB_INIT_REP;
		if (s->repl_owner)
			flags |= DB_CREATE | DB_RECOVER;
		if (s->threaded)
			flags |= DB_THREAD;
	} else {
		/*
		 * DB_REGISTER notices processes that died holding the
		 * environment, and DB_RECOVER then rebuilds it.  Not
		 * DB_FAILCHK, which would try to clean up in place: it
		 * attaches to the regions first and blocks for good on any
		 * mutex the dead process held.  Recovery is safe because the
		 * opener holds the gate alone: nobody else is inside.
		 */
		flags |= DB_CREATE | DB_REGISTER | (recover ? DB_RECOVER : 0);
	}
	if ((r = env->open(env, s->dir, flags, 0660)) != 0) {
		snprintf(err, errlen, "%s: opening the environment: %s", s->dir,
		    db_strerror(r));
		goto fail;
	}
	if ((r = store_allocate_regions(s, err, errlen)) != 0)
		goto fail;
	if (s->threaded && (r = repl_start(env, s->repl_owner, err, errlen)) !=
	    0)
		goto fail;
	return 0;
fail:
	env->close(env, 0);
	s->env = NULL;
	return r;
}

/*
 * A stalled operation ends the process only if a process of the
 * environment died (see watchdog.h).  Runs in a signal handler.
 */
static int
watch_dead(void *arg)
{
	const struct store	*s = arg;

	/*
	 * Replicated, the owner's failchk frees what the dead held, and
	 * only a mutex they held stops an operation for good: then the
	 * owner exits, for its successor to recover.
	 */
	if (s->repl)
		return store_owner_gone(s);
	return registry_watch_dead(&s->watch);
}

/* Operations of the store that finished (see watchdog.h); signal-safe. */
static uint64_t
watch_moved(void *arg)
{
	return store_gate_passed(arg);
}

/*
 * The registry is watched from before this process registers, so that a
 * stall in the open itself can tell a dead process from a slow machine.
 * A failed store_open_env has closed its handle: nothing to drop.
 */
int
store_enter_env(struct store *s, int recover, char *err, size_t errlen)
{
	int	r;

	registry_watch_open(&s->watch, s->dir, s->pid);
	if ((r = store_open_env(s, recover, err, errlen)) != 0)
		registry_watch_close(&s->watch);
	return r;
}

void
store_detach(struct store *s)
{
	if (s->channel != NULL) {
		s->channel->close(s->channel, 0);
		s->channel = NULL;
	}
	store_close_tables(s);
	if (s->env != NULL) {
		s->env->close(s->env, 0);
		s->env = NULL;
	}
	/* Only now: closing it would have dropped our registration lock. */
	registry_watch_close(&s->watch);
}

struct store *
store_open(const struct conf *cfg, int flags, char *err, size_t errlen)
{
	struct store	*s;
	struct stat	 st;

	err[0] = '\0';
	if (stat(cfg->store_dir, &st) == -1) {
		/* An empty node's replication gets its store from the group. */
		if (errno != ENOENT ||
		    !(flags & (STORE_CREATE | STORE_REPLICATION)) ||
		    mkdir(cfg->store_dir, 0770) == -1) {
			snprintf(err, errlen, "%s: %s%s", cfg->store_dir,
			    strerror(errno), flags & STORE_CREATE ? "" :
			    " (run \"backstream init\")");
			return NULL;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", cfg->store_dir);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->gate = s->pending = s->opener = s->readers = s->watch.fd = -1;
	s->owner = -1;
	s->dir = xstrdup(cfg->store_dir);
	s->cache_size = cfg->cache_size;
	s->max_processes = cfg->max_processes;
	s->lock_timeout = cfg->lock_timeout;
	s->pid = getpid();
	s->starttime = proc_starttime(s->pid);
	s->readonly = (flags & STORE_READONLY) && !(flags & STORE_CREATE);
	/*
	 * "backstream init" makes a store of one host; its node's
	 * backstream-repd then founds the group with it (founds_group).
	 */
	if (repl_enabled(cfg) && !(flags & STORE_CREATE)) {
		s->repl = 1;
		s->repl_owner = (flags & STORE_REPLICATION) != 0;
		s->repl_site = xstrdup(cfg->repl_site);
		s->repl_peers = xstrdup(cfg->repl_peers);
		s->repl_priority = (int)cfg->repl_priority;
		s->threaded = s->repl_owner || !s->readonly;
	}
	if (store_gate_open(s, err, errlen) == -1 ||
	    store_readers_open(s, cfg->store_readers, err, errlen) == -1 ||
	    (s->repl && store_owner_open(s, err, errlen) == -1)) {
		store_forget(s);
		return NULL;
	}
	if ((s->watchdog = watchdog_new(cfg->stall_timeout, watch_dead,
	    watch_moved, s, err, errlen)) == NULL ||
	    (s->notify = notify_open(s->dir, err, errlen)) == NULL ||
	    (s->tail = tail_open(s->dir, err, errlen)) == NULL ||
	    store_attach(s, flags & STORE_CREATE, err, errlen) == -1) {
		store_forget(s);
		return NULL;
	}
	return s;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	store_gate(s, LOCK_SH);
	/* A dead process's mutex can hold up a close as any operation. */
	watchdog_arm(s->watchdog);
	store_detach(s);
	watchdog_disarm(s->watchdog);
	store_gate(s, LOCK_UN);
	store_forget(s);
}

/*
 * A child keeps the parent's environment handle allocated but never uses
 * it: closing it would unregister the parent.  Pointing at it from here
 * tells leak checkers (valgrind in tests/valgrind.sh) that it is kept on
 * purpose.  One store per process: one slot.
 */
static DB_ENV	*volatile forgotten_env;

void
store_forget(struct store *s)
{
	if (s == NULL)
		return;
	if (s->env != NULL)
		forgotten_env = s->env;
	notify_close(s->notify);
	tail_close(s->tail);
	watchdog_free(s->watchdog);
	/* A child holds no lock of its parent's to drop. */
	registry_watch_close(&s->watch);
	store_gate_close(s);
	store_readers_close(s);
	store_owner_close(s);
	free(s->repl_site);
	free(s->repl_peers);
	free(s->dir);
	free(s);
}

int
store_is_master(struct store *s)
{
	return !s->repl || (s->env != NULL && repl_is_master(s->env));
}

int
store_is_replicated(const struct store *s)
{
	return s->repl;
}

const char *
store_dir(const struct store *s)
{
	return s->dir;
}

struct notify *
store_notify(struct store *s)
{
	return s->notify;
}

struct tail *
store_tail(struct store *s)
{
	return s->tail;
}
