/* tail.h: the newest changes of the log and their records, in shared memory, for streams to read without a transaction. */
#ifndef BACKSTREAM_TAIL_H
#define BACKSTREAM_TAIL_H

#include <stddef.h>
#include <stdint.h>

#include "changelog.h"

/*
 * A ring of TAIL_SLOTS slots in a file of the environment directory
 * (TAIL_FILE), mapped by every process of the store.  Slot seq % TAIL_SLOTS
 * holds change seq and, for a job or history change, the record as that
 * transaction stored it.  The writer fills slots while it holds the log's
 * counter (so in sequence order), and after its commit marks them
 * committed and raises the head, before it wakes the streams.  A reader
 * takes a slot only if it holds the seq asked for, marked committed, of
 * the store's current generation, and unchanged while copied (a seqlock:
 * a writer that wrapped around may be rewriting it).  Anything else is a
 * miss, and the reader goes to the store, which stays the truth: the tail
 * can only spare a transaction, never change what is read.
 */

/*
 * The file's name carries its layout: programs of two versions, side by
 * side until the web server's restart after an upgrade, each keep a ring
 * of their own instead of making the other's anew at every open.  A
 * stream then misses the other version's writes in its ring (its head does
 * not move) until a write of its own version moves it past their slots,
 * which it then finds missing, and reads the store: later, never wrong
 * (doc/deployment.md, "Upgrading").
 */
#define TAIL_FILE		"tail.3"

/*
 * 4096 slots of 2 KiB: 8 MiB of file, of which a reader touches only the
 * pages of the slots it walks (a woken stream walks the few since its last
 * read).  4096 changes is minutes of a busy store, far more than a stream
 * falls behind between two wakes.
 */
#define TAIL_SLOTS		4096u
#define TAIL_SLOT_SIZE		2048u
/* Room for a record in a slot: a job with a long message does not fit. */
#define TAIL_RECORD_MAX		768u
/*
 * Room for the record's API shape as JSON text, made once by the writer
 * so that a thousand streams of its user do not each make it again.  A
 * text that does not fit is left out, and each reader makes its own.
 */
#define TAIL_TEXT_MAX		1024u

/* One slot as a reader copies it. */
struct tail_entry {
	struct change	 change;
	/*
	 * The record (job or history entry) as stored by the change's
	 * transaction: rec_len bytes, 0 when the change has none or it did
	 * not fit (then too_big).  Copied only for the uid asked for.
	 */
	size_t		 rec_len;
	int		 too_big;
	unsigned char	 rec[TAIL_RECORD_MAX];
	/*
	 * The record's API shape (job_to_json, history_to_json) as the
	 * streams send it: text_len bytes and a NUL; 0 when the writer gave
	 * none or it did not fit.  Copied with the record.
	 */
	size_t		 text_len;
	char		 text[TAIL_TEXT_MAX + 1];
};

struct tail;

/*
 * Maps dir/TAIL_FILE, creating it, or making it anew if it is not a ring
 * of this layout (a crash during its creation).  Returns NULL with a reason in err.  Free with
 * tail_close().
 */
struct tail	*tail_open(const char *dir, char *err, size_t errlen);
void		 tail_close(struct tail *t);	/* NULL is fine */

/* ---- the writer, holding the log's counter ---------------------------- */

/*
 * Writes c into its slot, uncommitted and without a record, tagged with
 * the store's generation.
 */
void		 tail_put(struct tail *t, const struct change *c,
		    uint32_t generation);
/*
 * Adds the record of change seq (written by tail_put in this
 * transaction): copied, or marked too big for the slot; and its API
 * shape as JSON text (NUL-terminated; NULL: none), left out if too long.
 */
void		 tail_put_record(struct tail *t, uint64_t seq, const void *rec,
		    size_t len, const char *text);
/*
 * Marks the slots of first … last committed where they still hold those
 * changes, then raises the head to last.  Called after the commit, and by
 * the next writer for the change just before its counter (committed, since
 * the counter moved past it) in case its writer died before publishing.
 */
void		 tail_publish(struct tail *t, uint64_t first, uint64_t last);

/*
 * A writer is in flight from its first change of a transaction attempt
 * (tail_writer_begin, under the log's counter) to after that attempt's
 * publication and wakes, or its abort (tail_writer_end).  Every attempt
 * that began must end, in the process that began it.
 */
void		 tail_writer_begin(struct tail *t);
void		 tail_writer_end(struct tail *t);
/*
 * Forgets writers that died in flight: for a recovery, which runs alone
 * (no writer can be in flight then).
 */
void		 tail_writers_reset(struct tail *t);

/* ---- readers ---------------------------------------------------------- */

/*
 * Whether no writer is in flight: then every change committed before the
 * call is published, and a stream that walks the tail to its head has
 * seen them all, woken or not.  A writer that died in flight leaves this
 * false until a recovery; meanwhile a timed poll reads the store, as it
 * must (the dead writer may have committed without publishing).
 */
int		 tail_settled(const struct tail *t);

/* The newest change published. */
uint64_t	 tail_head(const struct tail *t);
/*
 * Copies change seq into out if its slot holds it, committed, of
 * generation, and stable while copied; the record and its text only when
 * the change is uid's (uid NULL: always).  Returns 0, or -1 (a miss: read the store).
 */
int		 tail_get(const struct tail *t, uint64_t seq,
		    uint32_t generation, const char *uid,
		    struct tail_entry *out);

#endif
