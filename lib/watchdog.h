/* watchdog.h: ends a process whose store operation is stuck behind a dead process. */
#ifndef BACKSTREAM_WATCHDOG_H
#define BACKSTREAM_WATCHDOG_H

#include <stdint.h>

/*
 * Berkeley DB's shared mutexes are plain process-shared pthread mutexes: a
 * process killed while holding one leaves every later locker blocked for
 * good, and no Berkeley DB call returns.  Recovery (run by the next process
 * that opens the environment) fixes the store, but only for processes that
 * can still act.  So each store operation runs under a timer; if it has not
 * finished after the stall timeout the process logs why and exits with
 * status 75 (EX_TEMPFAIL), and its supervisor (the web server, cron, the
 * engine) starts a fresh one; the next process to open the environment
 * finds the dead ones registered and recovers it.  A healthy operation
 * takes microseconds to milliseconds.
 */
struct watchdog;

/* Creates the timer.  Returns NULL with a reason in err. */
struct watchdog	*watchdog_new(int64_t timeout_ms, char *err, size_t errlen);
void		 watchdog_free(struct watchdog *w);	/* NULL is fine */
/* Starts (or restarts) the countdown; nested arms count. */
void		 watchdog_arm(struct watchdog *w);
/* Restarts the countdown of an armed watchdog without nesting. */
void		 watchdog_kick(struct watchdog *w);
/* Ends one arm; the countdown stops when the outermost arm ends. */
void		 watchdog_disarm(struct watchdog *w);

#endif
