/* stream-slots.h: how many streams each user has open, across every stream responder, in a file of slots that a killed holder cannot leave taken. */
#ifndef BACKSTREAM_STREAM_SLOTS_H
#define BACKSTREAM_STREAM_SLOTS_H

#include <stdint.h>

/*
 * The pool of stream processes is shared by every user: one user's
 * streams must not hold all of it.  Each open stream holds a slot of the
 * store directory's streams.slots file: its holder's pid and uid, and a
 * lock on its first byte (bytelock.h), which the kernel drops when the
 * holder dies, SIGKILL included, so a dead holder's slot is free for the
 * next taker.  Byte 0 is a guard that makes counting and taking one step.
 * One per process, holding at most one slot (a responder serves one
 * stream at a time).
 */
struct stream_slots;

/* A handle on dir's slot file (dir copied; opened by the first take). */
struct stream_slots *stream_slots_new(const char *dir);
/* Releases a slot still held and frees the handle.  NULL is fine. */
void	stream_slots_free(struct stream_slots *ss);

/*
 * Takes a slot for uid if uid holds fewer than max.  Returns 0; EDQUOT
 * when uid holds max already (*held says how many); or an errno value
 * with a reason in err when the file cannot be used.
 */
int	stream_slots_take(struct stream_slots *ss, const char *uid,
	    int64_t max, int64_t *held, char *err, size_t errlen);
/* Gives back the slot taken, if any. */
void	stream_slots_release(struct stream_slots *ss);

#endif
