/* notify.h: wake-up words shared by every process of an environment (Linux futexes). */
#ifndef BACKSTREAM_NOTIFY_H
#define BACKSTREAM_NOTIFY_H

#include <stdint.h>

/*
 * A small file in the environment directory, mapped by every process,
 * holds counters.  A writer bumps a counter after its commit and wakes
 * the processes sleeping on it; a reader notes the counter, reads the
 * change log, and sleeps until the counter moves.  One word belongs to the
 * job queue (the engine sleeps on it), the others to users by hash, so a
 * commit wakes only the streams of its user (and of hash neighbours).
 * Idle readers cost nothing: no polling, no file system events (inotify
 * allows 128 instances per user, far fewer than our streams).
 */
#define NOTIFY_QUEUE	0u	/* the word of the job queue */
#define NOTIFY_WORDS	1024u
/*
 * Not a wake-up word: the number of times the environment was recovered
 * (see store-recover.c), which tells a process that its handles are stale.
 */
#define NOTIFY_GENERATION	(NOTIFY_WORDS - 1)

struct notify;

/*
 * Maps dir/notify, creating it if missing.  Returns NULL with a reason in
 * err.  Free with notify_close().
 */
struct notify	*notify_open(const char *dir, char *err, size_t errlen);
void		 notify_close(struct notify *n);	/* NULL is fine */

/* The word for a user id: never NOTIFY_QUEUE or NOTIFY_GENERATION. */
uint32_t	 notify_user_word(const char *uid);
/* The current value of word w, to pass to notify_wait(). */
uint32_t	 notify_value(struct notify *n, uint32_t w);
/*
 * Increments word w and wakes the processes waiting on it: a few at once,
 * each of which wakes a few more in notify_wait (a tree), so that the
 * caller never pays for a thousand wake-ups.
 */
void		 notify_bump(struct notify *n, uint32_t w);
/*
 * Bumps every wake-up word, not NOTIFY_GENERATION (which would tell every
 * process that a recovery made its handles stale): for a change too wide
 * to name its users' words.
 */
void		 notify_bump_all(struct notify *n);
/*
 * Sleeps until word w differs from seen, a signal arrives, or timeout_ms
 * passes; woken by a bump, first passes the wake on to other waiters.  Returns 0 when the word moved (or may have), or -1 with errno
 * ETIMEDOUT or EINTR.
 */
int		 notify_wait(struct notify *n, uint32_t w, uint32_t seen,
		    int64_t timeout_ms);
/*
 * As notify_wait, until deadline_ms of the monotonic clock (mono_ms()):
 * for a caller that has just read it, one clock read less.
 */
int		 notify_wait_until(struct notify *n, uint32_t w, uint32_t seen,
		    int64_t deadline_ms);

#endif
