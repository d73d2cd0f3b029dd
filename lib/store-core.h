/* store-core.h: the store's own internals, shared by its files and no others. */
#ifndef BACKSTREAM_STORE_CORE_H
#define BACKSTREAM_STORE_CORE_H

/*
 * store-env.c	the environment handle: configuring, entering, leaving
 * store-gate.c	the gate: a flock that keeps operations out of a recovery
 * store-recover.c	joining the environment, recovering it when needed
 * store-disk.c	what a full disk leaves behind, and saying so
 * store-tables.c	the table catalogue and generic table access
 * store-meta.c	the format and boot id kept in STORE_META
 * store-txn.c	transactions with retry
 * store-maint.c	checkpoint, verify, statistics
 * store-forward.c	requests from a replica to the master
 * store-owner.c	a replicated store's owner, and whether it is gone
 */

#include <sys/types.h>

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "registry.h"
#include "store-int.h"

struct alive_memo;

struct store {
	DB_ENV			*env;
	int			 gate;		/* fd of the gate file */
	int			 pending;	/* fd of the pending file */
	int			 opener;	/* fd of the opener file */
	int			 readers;	/* fd of the readers' slots */
	int			 reader_slots;
	uint64_t		*passed;	/* the gate's count, shared */
	DB			*db[STORE_NTABLES];
	char			*dir;
	int64_t			 cache_size;
	int64_t			 max_processes;
	int64_t			 lock_timeout;
	struct notify		*notify;
	struct tail		*tail;		/* the log's newest changes, shared */
	struct watchdog		*watchdog;
	struct registry_watch	 watch;		/* open while in the environment */
	pid_t			 pid;
	uint64_t		 starttime;	/* tells a reused pid apart */
	uint32_t		 generation;	/* of the environment we opened */
	int			 readonly;	/* STORE_READONLY */
	/*
	 * In a replication group (lib/repl.h): repl_site is this site's
	 * address, NULL when alone.  The owner (STORE_REPLICATION) names
	 * the sites and recovers; a process that writes takes part in
	 * replication, and its environment is free-threaded (threaded).
	 */
	char			*repl_site;
	char			*repl_peers;
	int			 repl_priority;
	int			 repl;
	int			 repl_owner;
	int			 threaded;
	int64_t			 gate_closed;	/* the owner's, since (mono ms) */
	int64_t			 gate_warned;	/* last said so (mono ms) */
	int64_t			 lockout_seen;	/* replication's, last (mono ms) */
	int			 owner;		/* fd of the owner's file, or -1 */
	char			 owner_seen[48];	/* its record at attach */
	int			 perm_failed;	/* the last commit lacked a quorum */
	DB_CHANNEL		*channel;	/* to the master, once used */
	store_serve_fn		 serve;		/* the owner's: a replica's request */
	void			*serve_arg;
	int			 meta_writable;	/* readonly, but a boot to record */
	/* failchk's answers of its pass, when one is kept (store-env.c). */
	_Atomic(struct alive_memo *)	 alive_memo;
};

/* One table of the catalogue. */
struct store_table_def {
	const char	*name;		/* for statistics */
	const char	*file;
	uint32_t	 pagesize;
	int		 primary;	/* -1 for a primary */
	int		(*key)(DB *, const DBT *, const DBT *, DBT *);
	uint32_t	 assoc_flags;
	int		 mvcc;		/* snapshot reads */
};
extern const struct store_table_def store_tables[STORE_NTABLES];

/* ---- store-env.c --------------------------------------------------------- */

/* Writes dir/file into out; -1 if it does not fit. */
int	store_path_in(char *out, size_t len, const char *dir, const char *file);
/*
 * Opens the environment handle itself (regions, registration and, with
 * recover, recovery when a registered process died).  Without recover an
 * environment that needs recovery fails the open with DB_RUNRECOVERY.
 * Returns 0 or the error code, with a reason in err.
 */
int	store_open_env(struct store *s, int recover, char *err, size_t errlen);
/*
 * Between these, the calling thread's questions of whether a process is
 * alive are answered once per process (a failchk pass).
 */
void	store_alive_memo_begin(struct store *s);
void	store_alive_memo_end(struct store *s);
/* store_open_env with the registry watched, as every open but recovery's. */
int	store_enter_env(struct store *s, int recover, char *err,
	    size_t errlen);
/* Closes the tables and the environment handle; s stays allocated. */
void	store_detach(struct store *s);
/* Berkeley DB's error callback: logs msg as a warning. */
void	store_db_error(const DB_ENV *env, const char *prefix, const char *msg);

/* ---- store-gate.c -------------------------------------------------------- */

/*
 * Opens (creating) the lock file name of s->dir, read-write: a descriptor
 * the caller owns, or -1 with a reason in err.
 */
int	store_lock_file_open(const struct store *s, const char *name,
	    char *err, size_t errlen);
/* Opens s's gate files in s->dir; 0, or -1 with a reason in err. */
int	store_gate_open(struct store *s, char *err, size_t errlen);
/* Closes them (those open: -1 marks one that is not). */
void	store_gate_close(struct store *s);
/* flock(fd, how), again after a signal. */
void	store_lock_file(int fd, int how);
/*
 * Enters (LOCK_SH) or leaves (LOCK_UN) the gate around a store operation.
 * Each leaving counts in a number every process of the store shares.
 */
void	store_gate(const struct store *s, int how);
/*
 * How many times any process of the store has left the gate: a stalled
 * operation tells a slow store (others still get through) from a stuck
 * one by it.  Async-signal-safe.
 */
uint64_t store_gate_passed(const struct store *s);
/* Takes (take 1) or drops the gate exclusively, ahead of new operations. */
void	store_gate_exclusive(const struct store *s, int take);

/* ---- store-readers.c ----------------------------------------------------- */

/* The file in the store's directory whose bytes are the readers' slots. */
#define STORE_READERS_FILE	"readers"

/*
 * Opens the readers' slots in s->dir: slots of them, or twice the cores
 * for 0.  0, or -1 with a reason in err.
 */
int	store_readers_open(struct store *s, int64_t slots, char *err,
	    size_t errlen);
/* Closes them (if open). */
void	store_readers_close(struct store *s);
/*
 * Takes a reader's slot, waiting for one while all are taken; returns it,
 * or -1 when none could be taken (the read then goes ahead without).
 */
int	store_reader_enter(const struct store *s);
/* Lets go of the slot store_reader_enter returned (nothing for -1). */
void	store_reader_leave(const struct store *s, int slot);

/* ---- store-owner.c ------------------------------------------------------- */

/*
 * Opens the owner's file of a replicated store; the owner
 * (STORE_REPLICATION) takes its lock and writes its record in it, and
 * fails if another holds it.  0, or -1 with a reason in err.
 */
int	store_owner_open(struct store *s, char *err, size_t errlen);
void	store_owner_close(struct store *s);
/* Notes the owner as it is now: store_owner_gone compares with it. */
void	store_owner_note(struct store *s);
/*
 * Whether the owner noted is gone (dead, or replaced): 1 or 0; never
 * for the owner itself.  Async-signal-safe: the watchdog asks it.
 */
int	store_owner_gone(const struct store *s);

/* ---- store-recover.c ----------------------------------------------------- */

/* Opens the environment and tables; 0, or -1 with a reason in err. */
int	store_attach(struct store *s, int create, char *err, size_t errlen);
/* Detaches and attaches again after a panic; 0 or -1 as store_attach. */
int	store_reopen(struct store *s, char *err, size_t errlen);

/* ---- store-disk.c -------------------------------------------------------- */

/* Allocates the disk blocks of the region files; 0 or an errno value. */
int	store_allocate_regions(struct store *s, char *err, size_t errlen);
/* Whether the filesystem of the store is nearly out of space. */
int	store_disk_full(const struct store *s);
/* Appends to err what to do if the disk is full. */
void	store_explain_full_disk(const struct store *s, char *err,
	    size_t errlen);
/* Whether a table file ends in a partial page (and logs so). */
int	store_torn_table(const struct store *s);
/* Removes the region files of an environment whose creation failed. */
void	store_clear_stillborn_env(const struct store *s);

/* ---- store-tables.c ------------------------------------------------------ */

/* Opens (creating, with create) and associates every table; 0 or a code. */
int	store_open_tables(struct store *s, int create, char *err,
	    size_t errlen);
/* Closes the tables that are open, secondaries first. */
void	store_close_tables(struct store *s);
/*
 * In a read-only store, opens the meta table again writable, for good
 * (s->meta_writable: reopens of the environment keep it so); 0 or a code.
 */
int	store_meta_make_writable(struct store *s, char *err, size_t errlen);

/* ---- store-meta.c -------------------------------------------------------- */

/*
 * Checks the store's format and records a new boot (creating both with
 * create); 0, or an error code with a reason in err.
 */
int	store_check_meta(struct store *s, int create, char *err,
	    size_t errlen);

/* ---- store-txn.c --------------------------------------------------------- */

/* Sleeps 1..2^attempt ms at random (at most 512), to spread retries out. */
void	store_backoff(int attempt);

#endif
