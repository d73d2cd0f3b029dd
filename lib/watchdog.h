/* watchdog.h: ends a process whose store operation is stuck behind a dead process. */
#ifndef BACKSTREAM_WATCHDOG_H
#define BACKSTREAM_WATCHDOG_H

#include <stdint.h>

/*
 * Berkeley DB's shared mutexes are plain process-shared pthread mutexes: a
 * process killed while holding one leaves every later locker blocked for
 * good, and no Berkeley DB call returns.  Recovery (run by the next process
 * that opens the environment) fixes the store, but only for processes that
 * can still act.  So each store operation runs under a timer.  When an
 * operation has not finished after the stall timeout, the watchdog asks
 * whether a process of the environment has died: if one has, this process
 * logs why and exits with status 75 (EX_TEMPFAIL), its supervisor (the web
 * server, cron, the engine) starts a fresh one, and the next process to
 * open the environment recovers it.  If none has, the operation is taken
 * to be only slow (a machine loaded far beyond its cores) and is waited
 * for as long as the rest of the store gets through and the operation does
 * not spin: one that spends a whole timeout of CPU, or during which no
 * operation of the store finished for a few timeouts on a machine loaded
 * less than twice its cores, exits too.
 */
struct watchdog;

/*
 * Whether a process that may hold what a stalled operation waits for has
 * died: 1 yes, 0 no, -1 cannot tell now.  Called in a signal handler, so
 * it must be async-signal-safe.
 */
typedef int	(*watchdog_dead_fn)(void *arg);
/*
 * A count of the operations the store finished, in every process: a stall
 * while it moves is slowness.  Async-signal-safe too.
 */
typedef uint64_t (*watchdog_moved_fn)(void *arg);

/*
 * Creates the timer; dead(arg) is asked at each stall (NULL: always yes),
 * and moved(arg) (NULL: the store is taken to stand still).  Returns NULL
 * with a reason in err.
 */
struct watchdog	*watchdog_new(int64_t timeout_ms, watchdog_dead_fn dead,
		    watchdog_moved_fn moved, void *arg, char *err,
		    size_t errlen);
void		 watchdog_free(struct watchdog *w);	/* NULL is fine */
/* Starts (or restarts) the countdown; nested arms count. */
void		 watchdog_arm(struct watchdog *w);
/* Restarts the countdown of an armed watchdog without nesting. */
void		 watchdog_kick(struct watchdog *w);
/*
 * Ends one arm; the countdown stops when the outermost arm ends.  An
 * operation that outlived the timeout is logged then, as a warning.
 */
void		 watchdog_disarm(struct watchdog *w);

#endif
