/* store.c: the shared Berkeley DB environment: opening, recovery, transactions with retry. */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "changelog.h"
#include "conf.h"
#include "log.h"
#include "notify.h"
#include "proc.h"
#include "registry.h"
#include "store-history.h"
#include "store-jobs.h"
#include "store.h"
#include "watchdog.h"
#include "xmalloc.h"

/* ---- the tables ---------------------------------------------------------- */

typedef int (*secondary_key_fn)(DB *, const DBT *, const DBT *, DBT *);

static const struct table {
	const char		*file;
	uint32_t		 pagesize;
	int			 primary;	/* -1 for a primary */
	secondary_key_fn	 key;
	uint32_t		 assoc_flags;
	int			 mvcc;		/* snapshot reads */
} tables[STORE_NTABLES] = {
	[STORE_META] =		{ "meta.db", 4096, -1, NULL, 0, 1 },
	[STORE_CHANGES] =	{ "changes.db", 8192, -1, NULL, 0, 1 },
	[STORE_CHANGES_BY_USER] = { "changes-by-user.db", 8192,
	    STORE_CHANGES, changelog_user_key, DB_IMMUTABLE_KEY, 1 },
	[STORE_JOBS] =		{ "jobs.db", 8192, -1, NULL, 0, 1 },
	[STORE_JOBS_BY_USER] =	{ "jobs-by-user.db", 8192, STORE_JOBS,
	    jobs_user_key, DB_IMMUTABLE_KEY, 1 },
	[STORE_JOBS_BY_USER_STATUS] = { "jobs-by-user-status.db", 8192,
	    STORE_JOBS, jobs_user_status_key, 0, 1 },
	[STORE_JOBS_BY_STATUS] = { "jobs-by-status.db", 8192, STORE_JOBS,
	    jobs_status_key, 0, 1 },
	[STORE_HISTORY] =	{ "history.db", 8192, -1, NULL, 0, 1 },
	[STORE_HISTORY_BY_USER] = { "history-by-user.db", 8192,
	    STORE_HISTORY, history_user_key, DB_IMMUTABLE_KEY, 1 },
	[STORE_TRADES] =	{ "trades.db", 8192, -1, NULL, 0, 1 },
	/*
	 * Bars change only by import, a transaction of tens of megabytes:
	 * with multiversioning its old page copies overflow the cache into
	 * freezer files.  Readers of bars take read locks instead.
	 */
	[STORE_BARS] =		{ "bars.db", 16384, -1, NULL, 0, 0 },
	[STORE_SYMBOLS] =	{ "symbols.db", 4096, -1, NULL, 0, 0 },
};

/*
 * Berkeley DB recovers an environment while other processes may still be
 * inside it: it sets a panic flag, waits a moment and rebuilds the regions,
 * and a process caught in mid-write can then write into the rebuilt log
 * or files (env_register.c admits this window).  Killing processes in a
 * loop finds it.  So every store operation holds a shared lock on this
 * file, and opening the environment (the only place recovery runs) holds
 * it exclusively: recovery waits until no process is inside.  The kernel
 * drops a dead process's lock; a process stuck on a dead one's mutex holds
 * its lock until its watchdog ends it.
 *
 * Linux grants a shared lock while an exclusive one waits, so busy readers
 * could keep an opener out for ever.  An opener therefore first takes the
 * pending file exclusively; an operation that finds it taken waits there
 * until the opener is done, and only then enters the gate.
 */
#define GATE_FILE	"gate"
#define PENDING_FILE	"gate-pending"

/*
 * Shared opens take turns on a lock file of their own.  Berkeley DB
 * serializes opening a table on one lock of its environment anyway, but
 * each process queued there runs the deadlock detector, whose matrix
 * grows with the square of all processes' lockers: a thousand responders
 * starting at once cleared some 18 MB per wait and spent minutes in the
 * kernel.  Queued on a flock, they wait in the kernel for free.
 */
#define OPENER_FILE	"gate-open"

/* The meta keys. */
#define META_FORMAT	"format"
#define META_BOOT	"boot"

/*
 * Sequence numbers taken before a machine crash may be lost with the log
 * tail that was not yet on disk (commits of engine progress do not wait
 * for the disk), yet browsers may hold them as event ids.  After a reboot
 * the counter therefore jumps by far more than a machine can commit in the
 * time the kernel keeps writes unflushed.
 */
#define REBOOT_SEQ_GAP	(UINT64_C(1) << 24)

struct store {
	DB_ENV			*env;
	int			 gate;		/* fd of the gate file */
	int			 pending;	/* fd of the pending file */
	int			 opener;	/* fd of the opener file */
	DB			*db[STORE_NTABLES];
	char			*dir;
	int64_t			 cache_size;
	int64_t			 max_processes;
	int64_t			 lock_timeout;
	struct notify		*notify;
	struct watchdog		*watchdog;
	struct registry_watch	 watch;		/* open while in the environment */
	pid_t			 pid;
	uint64_t		 starttime;	/* tells a reused pid apart */
	uint32_t		 generation;	/* of the environment we opened */
};

/* ---- process identity, for Berkeley DB's dead-process checks ------------- */

static void
thread_id(DB_ENV *env, pid_t *pid, db_threadid_t *tid)
{
	struct store	*s = env->app_private;

	*pid = s->pid;
	if (tid != NULL)
		*tid = (db_threadid_t)s->starttime;
}

/* The thread id is the process's start time (see thread_id). */
static int
is_alive(DB_ENV *env, pid_t pid, db_threadid_t tid, uint32_t flags)
{
	(void)env;
	(void)flags;
	return proc_is_alive(pid, (uint64_t)tid);
}

static void
db_error(const DB_ENV *env, const char *prefix, const char *msg)
{
	(void)env;
	(void)prefix;
	log_warn("berkeley db: %s", msg);
}

/* Informational output, such as what failchk cleaned up. */
static void
db_message(const DB_ENV *env, const char *msg)
{
	(void)env;
	log_debug("berkeley db: %s", msg);
}

/* ---- opening ------------------------------------------------------------- */

static void	backoff(int attempt);
static void	rebuild_regions(const struct store *s);
static int	recover_in_child(struct store *s, char *err, size_t errlen);

static int
path_in(char *out, size_t len, const char *dir, const char *file)
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
 * Berkeley DB makes its region files (__db.001, ...) sparse and maps them
 * into memory: a page first touched while the disk is full kills the
 * process with SIGBUS instead of failing a write.  Allocating the files'
 * blocks at every open turns a full disk into ENOSPC here, with a message.
 * (A region that grows later is allocated at the next open or checkpoint;
 * filesystems that cannot allocate ahead keep the risk.)
 */
/* Whether name is one of Berkeley DB's region files: __db.001, ... */
static int
is_region_file(const char *name)
{
	return strncmp(name, "__db.", 5) == 0 && name[5] != '\0' &&
	    strspn(name + 5, "0123456789") == strlen(name + 5);
}

static int
allocate_regions(struct store *s, char *err, size_t errlen)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		 path[4096];
	int		 fd, r = 0;

	if ((d = opendir(s->dir)) == NULL) {
		r = errno;
		snprintf(err, errlen, "%s: %s", s->dir, strerror(r));
		return r;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (!is_region_file(de->d_name) ||
		    path_in(path, sizeof path, s->dir, de->d_name) == -1 ||
		    (fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
			continue;
		if (fstat(fd, &st) == 0 && st.st_size > 0 &&
		    (r = posix_fallocate(fd, 0, st.st_size)) != 0) {
			if (r == EOPNOTSUPP || r == EINVAL)
				r = 0;
			else
				snprintf(err, errlen, "%s: allocating disk "
				    "space for the environment: %s", path,
				    strerror(r));
		}
		close(fd);
	}
	closedir(d);
	return r;
}

/*
 * Opens the environment handle itself (regions, registration and, with
 * recover, recovery when a registered process died).  Without recover an
 * environment that needs recovery fails the open with DB_RUNRECOVERY.
 * Returns 0 or the error code.
 */
static int
open_env(struct store *s, int recover, char *err, size_t errlen)
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
	env->set_errcall(env, db_error);
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
	/*
	 * DB_REGISTER notices processes that died holding the environment,
	 * and DB_RECOVER then rebuilds it.  Not DB_FAILCHK, which would try
	 * to clean up in place: it attaches to the regions first and blocks
	 * for good on any mutex the dead process held.  Recovery is safe
	 * because the opener holds the gate alone: nobody else is inside.
	 */
	flags = DB_CREATE | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL |
	    DB_INIT_TXN | DB_REGISTER | (recover ? DB_RECOVER : 0);
	if ((r = env->open(env, s->dir, flags, 0660)) != 0) {
		snprintf(err, errlen, "%s: opening the environment: %s", s->dir,
		    db_strerror(r));
		goto fail;
	}
	if ((r = allocate_regions(s, err, errlen)) != 0)
		goto fail;
	return 0;
fail:
	env->close(env, 0);
	s->env = NULL;
	return r;
}

static void
close_tables(struct store *s)
{
	int	i;

	/* Secondaries first: a primary must outlive its associations. */
	for (i = STORE_NTABLES - 1; i >= 0; i--) {
		if (s->db[i] != NULL && tables[i].primary != -1) {
			s->db[i]->close(s->db[i], DB_NOSYNC);
			s->db[i] = NULL;
		}
	}
	/*
	 * DB_NOSYNC: dirty pages stay in the shared cache for checkpoints to
	 * write; the log already makes them durable.
	 */
	for (i = 0; i < STORE_NTABLES; i++) {
		if (s->db[i] != NULL) {
			s->db[i]->close(s->db[i], DB_NOSYNC);
			s->db[i] = NULL;
		}
	}
}

static int
open_tables(struct store *s, int create, char *err, size_t errlen)
{
	DB_TXN		*tid = NULL;
	DB		*db;
	uint32_t	 flags;
	int		 i, r;

	if ((r = s->env->txn_begin(s->env, NULL, &tid, 0)) != 0)
		goto fail;
	for (i = 0; i < STORE_NTABLES; i++) {
		flags = (tables[i].mvcc ? DB_MULTIVERSION : 0) |
		    (create ? DB_CREATE : 0);
		if ((r = db_create(&db, s->env, 0)) != 0)
			goto fail;
		s->db[i] = db;
		if (create && (r = db->set_pagesize(db,
		    tables[i].pagesize)) != 0)
			goto fail;
		if ((r = db->open(db, tid, tables[i].file, NULL, DB_BTREE,
		    flags, 0660)) != 0) {
			if (r == ENOENT)
				snprintf(err, errlen, "%s: no backstream store "
				    "here (%s is missing); run \"backstream "
				    "init\"", s->dir, tables[i].file);
			goto fail;
		}
	}
	for (i = 0; i < STORE_NTABLES; i++) {
		if (tables[i].primary == -1)
			continue;
		if ((r = s->db[tables[i].primary]->associate(
		    s->db[tables[i].primary], tid, s->db[i], tables[i].key,
		    tables[i].assoc_flags)) != 0)
			goto fail;
	}
	if ((r = tid->commit(tid, 0)) != 0) {
		tid = NULL;
		goto fail;
	}
	return 0;
fail:
	if (tid != NULL)
		tid->abort(tid);
	close_tables(s);
	if (err[0] == '\0')
		snprintf(err, errlen, "%s: opening tables: %s", s->dir,
		    db_strerror(r));
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

	return registry_watch_dead(&s->watch);
}

/*
 * open_env with the registry watched from before this process registers,
 * so that a stall in the open itself can tell a dead process from a slow
 * machine.  A failed open_env has closed its handle: nothing to drop.
 */
static int
enter_env(struct store *s, int recover, char *err, size_t errlen)
{
	int	r;

	registry_watch_open(&s->watch, s->dir, s->pid);
	if ((r = open_env(s, recover, err, errlen)) != 0)
		registry_watch_close(&s->watch);
	return r;
}

static void
detach(struct store *s)
{
	close_tables(s);
	if (s->env != NULL) {
		s->env->close(s->env, 0);
		s->env = NULL;
	}
	/* Only now: closing it would have dropped our registration lock. */
	registry_watch_close(&s->watch);
}

static void
lock_file(int fd, int how)
{
	while (flock(fd, how) == -1 && errno == EINTR)
		;
}

/* Enters (LOCK_SH) or leaves (LOCK_UN) the gate around a store operation. */
static void
gate(const struct store *s, int how)
{
	if (how == LOCK_SH && flock(s->pending, LOCK_SH | LOCK_NB) == -1) {
		/* An opener is waiting: let it go first. */
		lock_file(s->pending, LOCK_SH);
	}
	if (how == LOCK_SH)
		lock_file(s->pending, LOCK_UN);
	lock_file(s->gate, how);
}

/* Takes the gate exclusively for opening, ahead of new operations. */
static void
gate_exclusive(const struct store *s, int take)
{
	if (take) {
		lock_file(s->pending, LOCK_EX);
		lock_file(s->gate, LOCK_EX);
	} else {
		lock_file(s->gate, LOCK_UN);
		lock_file(s->pending, LOCK_UN);
	}
}

/* Reads the kernel's boot id (a UUID string) into out[40]; "" if unknown. */
static void
read_boot_id(char *out)
{
	ssize_t	n = 0;
	int	fd;

	out[0] = '\0';
	if ((fd = open("/proc/sys/kernel/random/boot_id",
	    O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, out, 39);
	close(fd);
	if (n <= 0)
		n = 0;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

struct meta_check {
	char	boot[40];
	int	create;
	int	write;		/* 0: only look; stale says a write is due */
	int	stale;
};

static int
check_meta(struct store_txn *txn, void *arg)
{
	struct meta_check	*mc = arg;
	DB			*db = store_db(txn, STORE_META);
	DBT			 key, data;
	unsigned char		 fmt[4];
	char			 stored[40];
	int			 r;

	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = META_FORMAT;
	key.size = sizeof META_FORMAT - 1;
	data.data = fmt;
	data.ulen = sizeof fmt;
	data.flags = DB_DBT_USERMEM;
	r = db->get(db, txn->tid, &key, &data, mc->write ? DB_RMW : 0);
	if (r == DB_NOTFOUND && mc->create) {
		if (!mc->write) {
			mc->stale = 1;
			return 0;
		}
		fmt[0] = STORE_FORMAT;
		data.size = 1;
		if ((r = db->put(db, txn->tid, &key, &data, 0)) != 0)
			return r;
	} else if (r != 0) {
		return r;
	} else if (data.size != 1 || fmt[0] != STORE_FORMAT) {
		return store_fail(txn, EINVAL, "the store has format %u; this "
		    "release reads format %u", data.size == 1 ? fmt[0] : 0,
		    STORE_FORMAT);
	}

	key.data = META_BOOT;
	key.size = sizeof META_BOOT - 1;
	data.data = stored;
	data.ulen = sizeof stored - 1;
	r = db->get(db, txn->tid, &key, &data, mc->write ? DB_RMW : 0);
	if (r != 0 && r != DB_NOTFOUND)
		return r;
	if (r == 0) {
		stored[data.size] = '\0';
		if (strcmp(stored, mc->boot) == 0)
			return 0;
	}
	if (!mc->write) {
		mc->stale = 1;
		return 0;
	}
	/* A new boot (or a new store): sequence numbers jump past any lost. */
	if (r == 0 && (r = changelog_skip(txn, REBOOT_SEQ_GAP)) != 0)
		return r;
	data.data = mc->boot;
	data.size = (uint32_t)strlen(mc->boot);
	return db->put(db, txn->tid, &key, &data, 0);
}

/* Free space below which a failed write is put down to a full disk. */
#define DISK_LOW	(16 * 1024 * 1024)

static int
disk_full(const struct store *s)
{
	struct statvfs	sv;

	return statvfs(s->dir, &sv) == 0 &&
	    (uint64_t)sv.f_bavail * sv.f_frsize < DISK_LOW;
}

/*
 * Berkeley DB reports a full disk in several ways: ENOSPC, EIO for a page
 * it could not write out, ENOMEM for a cache full of such pages,
 * DB_RUNRECOVERY for a recovery that could not write, EINVAL for a file
 * that a write cut short.  When an operation fails while the store's
 * filesystem is nearly out of space, the message says what to do.
 */
static void
explain_full_disk(const struct store *s, char *err, size_t errlen)
{
	size_t	len = strlen(err);

	if (disk_full(s) && len < errlen)
		snprintf(err + len, errlen - len, " (the disk holding %s is "
		    "full: free some space and try again)", s->dir);
}

/*
 * Whether a table file ends in a partial page.  A page write cut short by
 * a full disk leaves one behind, and Berkeley DB then refuses to open the
 * file (EINVAL, "file size not a multiple of the pagesize") although
 * nothing committed is lost: recovery, which reads such files, puts it
 * right.
 */
static int
torn_table(const struct store *s)
{
	struct stat	st;
	char		path[4096];
	int		i;

	for (i = 0; i < STORE_NTABLES; i++) {
		if (path_in(path, sizeof path, s->dir, tables[i].file) == -1 ||
		    stat(path, &st) == -1 ||
		    st.st_size % (off_t)tables[i].pagesize == 0)
			continue;
		log_warn("%s: ends in a partial page (a write cut short by a "
		    "full disk?); recovering the store", path);
		return 1;
	}
	return 0;
}

/*
 * An environment whose creation failed (the disk filled up while Berkeley
 * DB made its region files) leaves an empty __db.001, which every later
 * open takes for one another process is creating: it waits 18 s, then
 * fails with EAGAIN, for good.  Under the exclusive gate nobody is
 * creating one, so the remains go and the next open recovers.
 */
static void
clear_stillborn_env(const struct store *s)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		 path[4096];

	if (path_in(path, sizeof path, s->dir, "__db.001") == -1 ||
	    stat(path, &st) == -1 || st.st_size != 0)
		return;
	log_warn("%s: left empty by a failed start of the environment (a "
	    "full disk?); removing the region files", path);
	if ((d = opendir(s->dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (is_region_file(de->d_name) &&
		    path_in(path, sizeof path, s->dir, de->d_name) == 0)
			(void)unlink(path);
	closedir(d);
	registry_request_recovery(s->dir);
}

/*
 * Most opens need no recovery.  They join the environment under the
 * shared gate, beside running operations, so that a thousand responders
 * starting together do not queue one behind another.  If the registry
 * shows a dead process, or Berkeley DB finds one (it then fails without
 * DB_RECOVER), the exclusive path recovers.  Returns 0 or an error code.
 */
static int
open_shared(struct store *s, char *err, size_t errlen)
{
	int	r;

	gate(s, LOCK_SH);
	lock_file(s->opener, LOCK_EX);
	/* Armed only once inside: a wait at the gate holds nothing. */
	watchdog_arm(s->watchdog);
	registry_clear_slot(s->dir, s->pid);
	if (registry_needs_recovery(s->dir))
		r = DB_RUNRECOVERY;
	else if ((r = enter_env(s, 0, err, errlen)) == 0 &&
	    (r = open_tables(s, 0, err, errlen)) != 0)
		detach(s);
	if (r == 0)
		s->generation = notify_value(s->notify, NOTIFY_GENERATION);
	watchdog_disarm(s->watchdog);
	lock_file(s->opener, LOCK_UN);
	gate(s, LOCK_UN);
	log_debug("%s: shared open: %s", s->dir, r == 0 ? "done" :
	    db_strerror(r));
	return r;
}

/* Opens the environment and tables; on success s is ready for use. */
static int
attach(struct store *s, int create, char *err, size_t errlen)
{
	struct meta_check	 mc;
	char			 path[4096];
	struct stat		 st;
	int			 r, tries, recovering;

	if (path_in(path, sizeof path, s->dir, tables[STORE_META].file) ==
	    -1) {
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
		gate_exclusive(s, 1);
		watchdog_arm(s->watchdog);
		/* A failed open may have left this process's registry line. */
		registry_clear_slot(s->dir, s->pid);
		clear_stillborn_env(s);
		if (tries >= 3)
			rebuild_regions(s);
		recovering = registry_needs_recovery(s->dir);
		log_debug("%s: opening (try %d%s)", s->dir, tries,
		    recovering ? ", recovering" : "");
		r = recovering ? recover_in_child(s, err, errlen) : 0;
		if (r == 0)
			r = enter_env(s, 1, err, errlen);
		if (r == 0 && (r = open_tables(s, create, err, errlen)) != 0)
			detach(s);
		/*
		 * Processes still holding handles of the environment as it was
		 * before recovery must not use them: Berkeley DB marks the old
		 * regions panicked, but cannot when it fails to attach to
		 * them, and a stale handle would write into the rebuilt log.
		 * Every operation compares this count first.
		 */
		if (recovering)
			notify_bump(s->notify, NOTIFY_GENERATION);
		s->generation = notify_value(s->notify, NOTIFY_GENERATION);
		watchdog_disarm(s->watchdog);
		gate_exclusive(s, 0);
		log_debug("%s: open: %s", s->dir, r == 0 ? "done" : err);
		/* The next open recovers, this process's or another's. */
		if (r == DB_RUNRECOVERY || (r == EINVAL && torn_table(s)))
			registry_request_recovery(s->dir);
		/* Waiting cures neither a read-only nor a full disk. */
		if (r == 0 || r == EACCES || r == EPERM || r == EROFS ||
		    r == ENOSPC || tries == 20 || disk_full(s))
			break;
		backoff(tries < 5 ? tries + 3 : 8);
	}
	if (r != 0) {
		if (r != EACCES && r != EPERM && r != EROFS)
			explain_full_disk(s, err, errlen);
		return -1;
	}
	/*
	 * Look first, write only when the format or the boot is new: a
	 * thousand responders opening at once would otherwise queue for the
	 * meta page behind each other and behind every writer.
	 */
	memset(&mc, 0, sizeof mc);
	read_boot_id(mc.boot);
	mc.create = create;
	r = store_read(s, check_meta, &mc, err, errlen);
	if (r == 0 && mc.stale) {
		mc.write = 1;
		r = store_write(s, STORE_SYNC, check_meta, &mc, err, errlen);
	}
	if (r != 0) {
		detach(s);
		return -1;
	}
	return 0;
}

struct store *
store_open(const struct conf *cfg, int flags, char *err, size_t errlen)
{
	struct store	*s;
	struct stat	 st;
	char		 path[4096];

	err[0] = '\0';
	if (stat(cfg->store_dir, &st) == -1) {
		if (errno != ENOENT || !(flags & STORE_CREATE) ||
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
	s->gate = s->pending = s->opener = s->watch.fd = -1;
	s->dir = xstrdup(cfg->store_dir);
	s->cache_size = cfg->cache_size;
	s->max_processes = cfg->max_processes;
	s->lock_timeout = cfg->lock_timeout;
	s->pid = getpid();
	s->starttime = proc_starttime(s->pid);
	if (path_in(path, sizeof path, s->dir, GATE_FILE) == -1 ||
	    (s->gate = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) ==
	    -1 || path_in(path, sizeof path, s->dir, PENDING_FILE) == -1 ||
	    (s->pending = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) ==
	    -1 || path_in(path, sizeof path, s->dir, OPENER_FILE) == -1 ||
	    (s->opener = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) ==
	    -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		store_forget(s);
		return NULL;
	}
	if ((s->watchdog = watchdog_new(cfg->stall_timeout, watch_dead, s,
	    err, errlen)) == NULL || (s->notify = notify_open(s->dir, err, errlen)) == NULL ||
	    attach(s, flags & STORE_CREATE, err, errlen) == -1) {
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
	gate(s, LOCK_SH);
	detach(s);
	gate(s, LOCK_UN);
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
	watchdog_free(s->watchdog);
	/* A child holds no lock of its parent's to drop. */
	registry_watch_close(&s->watch);
	if (s->gate != -1)
		close(s->gate);
	if (s->pending != -1)
		close(s->pending);
	if (s->opener != -1)
		close(s->opener);
	free(s->dir);
	free(s);
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

DB *
store_db(struct store_txn *txn, enum store_table t)
{
	return txn->store->db[t];
}

/* ---- transactions -------------------------------------------------------- */

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
		if ((r = open_env(s, 1, err, errlen)) == 0)
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

/* Reopens after a panic; recovery runs in whichever process gets there first. */
static int
reopen(struct store *s, char *err, size_t errlen)
{
	log_warn("%s: the environment needs recovery; reopening", s->dir);
	gate(s, LOCK_SH);
	detach(s);
	gate(s, LOCK_UN);
	return attach(s, 0, err, errlen);
}

static int
retryable(int r)
{
	return r == DB_LOCK_DEADLOCK || r == DB_LOCK_NOTGRANTED;
}

/* Sleeps a random 1..2^attempt ms (capped at 512), so that retries spread out. */
static void
backoff(int attempt)
{
	struct timespec	ts;
	long		ms;

	ms = 1 + random() % (1L << (attempt < 9 ? attempt : 9));
	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L;
	nanosleep(&ts, NULL);
}

#define MAX_ATTEMPTS	40


static int
run(struct store *s, int writable, int flags,
    int (*fn)(struct store_txn *, void *), void *arg, char *err,
    size_t errlen)
{
	struct store_txn	 txn;
	uint32_t		 txn_flags;
	int			 attempt, i, r = 0, recoveries = 0;

	for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		memset(&txn, 0, sizeof txn);
		txn.store = s;
		txn.writable = writable;
		txn.err = err;
		txn.errlen = errlen;
		err[0] = '\0';
		if (writable)
			txn_flags = flags & STORE_SYNC ? DB_TXN_SYNC :
			    DB_TXN_WRITE_NOSYNC;
		else
			txn_flags = DB_TXN_SNAPSHOT;
		gate(s, LOCK_SH);
		watchdog_arm(s->watchdog);
		if (s->env == NULL || notify_value(s->notify,
		    NOTIFY_GENERATION) != s->generation)
			r = DB_RUNRECOVERY;
		else if ((r = s->env->txn_begin(s->env, NULL, &txn.tid,
		    txn_flags)) == 0) {
			if ((r = fn(&txn, arg)) == 0)
				r = txn.tid->commit(txn.tid, 0);
			else
				txn.tid->abort(txn.tid);
		}
		/*
		 * A lock wait that timed out may be a dead process's lock:
		 * failchk releases those (and reports a death inside the
		 * library as DB_RUNRECOVERY, handled below).
		 */
		if (r == DB_LOCK_NOTGRANTED || (retryable(r) && attempt >= 3))
			if (s->env->failchk(s->env, 0) == DB_RUNRECOVERY)
				r = DB_RUNRECOVERY;
		watchdog_disarm(s->watchdog);
		gate(s, LOCK_UN);
		if (r == 0) {
			if (txn.wake_all) {
				for (i = 0; i < (int)NOTIFY_WORDS; i++)
					notify_bump(s->notify, (uint32_t)i);
			} else {
				for (i = 0; i < txn.nwake; i++)
					notify_bump(s->notify, txn.wake[i]);
			}
			return 0;
		}
		if (r == DB_RUNRECOVERY) {
			if (++recoveries > 3 || reopen(s, err, errlen) == -1)
				break;
			continue;
		}
		if (!retryable(r))
			break;
		backoff(attempt);
	}
	if (err[0] == '\0') {
		if (retryable(r))
			snprintf(err, errlen, "the store stayed busy (%s)",
			    db_strerror(r));
		else
			snprintf(err, errlen, "%s", store_strerror(r));
	}
	if (writable && (r < 0 || r == ENOSPC || r == EIO || r == ENOMEM))
		explain_full_disk(s, err, errlen);
	return r == 0 ? EIO : r;
}

int
store_write(struct store *s, int flags, int (*fn)(struct store_txn *, void *),
    void *arg, char *err, size_t errlen)
{
	return run(s, 1, flags, fn, arg, err, errlen);
}

int
store_read(struct store *s, int (*fn)(struct store_txn *, void *), void *arg,
    char *err, size_t errlen)
{
	return run(s, 0, 0, fn, arg, err, errlen);
}

int
store_delete(struct store_txn *txn, enum store_table t, int kind,
    const char *uid, const char *id)
{
	DB	*db = store_db(txn, t);
	DBT	 key;
	int	 r;

	if ((r = changelog_append(txn, (enum change_kind)kind, uid, id, 0)) !=
	    0)
		return r;
	memset(&key, 0, sizeof key);
	key.data = (void *)(uintptr_t)id;
	key.size = (uint32_t)strlen(id);
	r = db->del(db, txn->tid, &key, 0);
	return r == DB_NOTFOUND ? ENOENT : r;
}

void
store_txn_wake(struct store_txn *txn, uint32_t w)
{
	int	i;

	for (i = 0; i < txn->nwake; i++)
		if (txn->wake[i] == w)
			return;
	if (txn->nwake == (int)(sizeof txn->wake / sizeof txn->wake[0]))
		txn->wake_all = 1;
	else
		txn->wake[txn->nwake++] = w;
}

int
store_fail(struct store_txn *txn, int code, const char *fmt, ...)
{
	va_list	ap;

	if (txn->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(txn->err, txn->errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

void
store_progress(struct store *s)
{
	watchdog_kick(s->watchdog);
}

const char *
store_strerror(int code)
{
	return db_strerror(code);
}

/* ---- maintenance --------------------------------------------------------- */

int
store_checkpoint(struct store *s, char *err, size_t errlen)
{
	int	r;

	gate(s, LOCK_SH);
	watchdog_arm(s->watchdog);
	r = s->env->failchk(s->env, 0);
	if (r == 0)
		r = s->env->txn_checkpoint(s->env, 0, 0, 0);
	watchdog_disarm(s->watchdog);
	gate(s, LOCK_UN);
	if (r == DB_RUNRECOVERY) {
		if (reopen(s, err, errlen) == -1)
			return -1;
		return store_checkpoint(s, err, errlen);
	}
	if (r != 0) {
		snprintf(err, errlen, "checkpoint: %s", db_strerror(r));
		return -1;
	}
	/* Regions grown since the open get their disk space now. */
	if (allocate_regions(s, err, errlen) != 0)
		return -1;
	return 0;
}

int
store_verify(const struct conf *cfg, char *err, size_t errlen)
{
	struct store	*s;
	DB		*db;
	char		 path[4096];
	int		 i, r, bad = 0;

	if ((s = store_open(cfg, 0, err, errlen)) == NULL)
		return -1;
	/* Flush the cache so that the files hold every committed page. */
	if (store_checkpoint(s, err, errlen) == -1) {
		store_close(s);
		return -1;
	}
	err[0] = '\0';
	for (i = 0; i < STORE_NTABLES; i++) {
		if (path_in(path, sizeof path, s->dir, tables[i].file) == -1)
			continue;
		if ((r = db_create(&db, NULL, 0)) != 0)
			break;
		db->set_errcall(db, db_error);
		/* DB->verify consumes the handle, whatever it returns. */
		if ((r = db->verify(db, path, NULL, NULL, 0)) != 0) {
			bad = 1;
			snprintf(err + strlen(err), errlen - strlen(err),
			    "%s%s: %s", err[0] ? "; " : "", tables[i].file,
			    db_strerror(r));
		}
	}
	store_close(s);
	return bad ? 1 : 0;
}

static const char *const table_names[STORE_NTABLES] = {
	"meta", "changes", "changes-by-user", "jobs", "jobs-by-user",
	"jobs-by-user-status", "jobs-by-status", "history", "history-by-user",
	"trades", "bars", "symbols",
};

struct stats_arg {
	void	(*emit)(const char *, void *);
	void	*arg;
};

static int
collect_stats(struct store_txn *txn, void *arg)
{
	struct stats_arg	*sa = arg;
	DB_BTREE_STAT		*bs;
	char			 line[256];
	int			 i, r;

	for (i = 0; i < STORE_NTABLES; i++) {
		DB *db = store_db(txn, (enum store_table)i);

		if ((r = db->stat(db, txn->tid, &bs, 0)) != 0)
			return r;
		snprintf(line, sizeof line, "table %-20s %10lu records %8lu "
		    "pages", table_names[i], (unsigned long)bs->bt_nkeys,
		    (unsigned long)bs->bt_pagecnt);
		free(bs);
		sa->emit(line, sa->arg);
	}
	return 0;
}

int
store_stats(struct store *s, void (*emit)(const char *, void *), void *arg,
    char *err, size_t errlen)
{
	struct stats_arg	 sa = { emit, arg };
	DB_LOCK_STAT		*ls = NULL;
	DB_TXN_STAT		*ts = NULL;
	DB_LOG_STAT		*lg = NULL;
	DB_MPOOL_STAT		*ms = NULL;
	char			 line[256];
	int			 r;

	if ((r = store_read(s, collect_stats, &sa, err, errlen)) != 0)
		return -1;
	gate(s, LOCK_SH);
	watchdog_arm(s->watchdog);
	if ((r = s->env->lock_stat(s->env, &ls, 0)) == 0 &&
	    (r = s->env->txn_stat(s->env, &ts, 0)) == 0 &&
	    (r = s->env->log_stat(s->env, &lg, 0)) == 0)
		r = s->env->memp_stat(s->env, &ms, NULL, 0);
	watchdog_disarm(s->watchdog);
	gate(s, LOCK_UN);
	if (r != 0) {
		snprintf(err, errlen, "statistics: %s", db_strerror(r));
		goto out;
	}
	snprintf(line, sizeof line, "locks %lu held (max %lu), lockers %lu "
	    "(max %lu), deadlocks %lu, lock timeouts %lu",
	    (unsigned long)ls->st_nlocks, (unsigned long)ls->st_maxlocks,
	    (unsigned long)ls->st_nlockers, (unsigned long)ls->st_maxlockers,
	    (unsigned long)ls->st_ndeadlocks,
	    (unsigned long)ls->st_nlocktimeouts);
	emit(line, arg);
	snprintf(line, sizeof line, "transactions %lu active (max %lu), "
	    "%lu snapshot, %lu begun, %lu committed, %lu aborted",
	    (unsigned long)ts->st_nactive, (unsigned long)ts->st_maxtxns,
	    (unsigned long)ts->st_nsnapshot, (unsigned long)ts->st_nbegins,
	    (unsigned long)ts->st_ncommits, (unsigned long)ts->st_naborts);
	emit(line, arg);
	snprintf(line, sizeof line, "log file %lu, %lu MB written, %lu "
	    "flushes", (unsigned long)lg->st_cur_file,
	    (unsigned long)lg->st_w_mbytes, (unsigned long)lg->st_scount);
	emit(line, arg);
	snprintf(line, sizeof line, "cache %lu MB, %lu pages, hit %lu miss "
	    "%lu", (unsigned long)(ms->st_gbytes * 1024 + ms->st_bytes /
	    (1024 * 1024)), (unsigned long)ms->st_pages,
	    (unsigned long)ms->st_cache_hit, (unsigned long)ms->st_cache_miss);
	emit(line, arg);
out:
	free(ls);
	free(ts);
	free(lg);
	free(ms);
	return r == 0 ? 0 : -1;
}

int
store_scan(struct store_txn *txn, enum store_table t, const void *start,
    size_t startlen, size_t plen, int limit,
    int (*fn)(const DBT *, const DBT *, void *), void *arg)
{
	DB		*db = store_db(txn, t);
	DBC		*cur;
	DBT		 skey, pkey, data;
	uint32_t	 how;
	int		 r, cr, n = 0;

	if ((r = db->cursor(db, txn->tid, &cur, 0)) != 0)
		return r;
	memset(&skey, 0, sizeof skey);
	memset(&pkey, 0, sizeof pkey);
	memset(&data, 0, sizeof data);
	skey.data = (void *)(uintptr_t)start;
	skey.size = (uint32_t)startlen;
	for (how = DB_SET_RANGE;; how = DB_NEXT) {
		if (tables[t].primary == -1)
			r = cur->get(cur, &skey, &data, how);
		else
			r = cur->pget(cur, &skey, &pkey, &data, how);
		if (r != 0)
			break;
		if (skey.size < plen || memcmp(skey.data, start, plen) != 0)
			break;
		if ((r = fn(tables[t].primary == -1 ? &skey : &pkey, &data,
		    arg)) != 0)
			break;
		if (limit > 0 && ++n == limit)
			break;
	}
	cr = cur->close(cur);
	if (r == DB_NOTFOUND || r == STORE_STOP)
		r = 0;
	return r != 0 ? r : cr;
}

/* ---- key helpers ---------------------------------------------------------- */

void
store_put_be64(unsigned char *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

uint64_t
store_get_be64(const unsigned char *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}
