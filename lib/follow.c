/* follow.c: one user's change log, followed from a point. */
#include "config.h"

#include <string.h>

#include "follow.h"
#include "notify.h"

struct start_read {
	struct follower	*f;
	uint64_t	 seq, useq;
	int		(*read)(struct store_txn *, void *);
	void		*arg;
};

/* The heads of the log and of the user's numbers, as txn sees them. */
static int
heads(struct store_txn *txn, const char *uid, uint64_t *seq, uint64_t *useq)
{
	int	r;

	if ((r = changelog_head(txn, seq)) != 0)
		return r;
	return changelog_user_head(txn, uid, useq);
}

static int
start_read(struct store_txn *txn, void *arg)
{
	struct start_read	*sr = arg;
	int			 r;

	if ((r = heads(txn, sr->f->uid, &sr->seq, &sr->useq)) != 0)
		return r;
	return sr->read != NULL ? sr->read(txn, sr->arg) : 0;
}

int
follow_start(struct store *st, struct follower *f,
    int (*read)(struct store_txn *txn, void *arg), void *arg, char *err,
    size_t errlen)
{
	struct start_read	sr = { f, 0, 0, read, arg };
	int			r;

	if ((r = store_read(st, start_read, &sr, err, errlen)) == 0) {
		f->seq = sr.seq;
		f->useq = sr.useq;
	}
	return r;
}

/* ---- from the store --------------------------------------------------- */

struct update_read {
	const struct follower	*f;
	const struct follow_ops	*ops;
	void			*arg;
	uint64_t		 seq, useq;	/* the newest change read */
	int			 changed;	/* some were the user's */
	int			 behind;
};

static int
note_change(const struct change *c, void *arg)
{
	struct update_read	*ur = arg;

	ur->changed = 1;
	ur->seq = c->seq;
	/* A record from before the users' numbers (format 1) has none. */
	if (c->useq != 0)
		ur->useq = c->useq;
	return ur->ops->change(c, ur->arg);
}

static int
update_read(struct store_txn *txn, void *arg)
{
	struct update_read	*ur = arg;
	uint64_t		 first, head;
	int			 r;

	/* A retried read starts again from where the follower stands. */
	ur->seq = ur->f->seq;
	ur->useq = ur->f->useq;
	ur->changed = 0;
	ur->behind = 0;
	ur->ops->reset(ur->arg);
	if ((r = changelog_first(txn, &first)) != 0)
		return r;
	if (first > ur->f->seq + 1) {
		/* Changes past seq were trimmed unseen: start over at the head. */
		ur->behind = 1;
		if ((r = heads(txn, ur->f->uid, &ur->seq, &ur->useq)) != 0)
			return r;
	} else if ((r = changelog_read_since(txn, ur->f->uid, ur->f->seq,
	    note_change, ur)) != 0)
		return r;
	/*
	 * Past others' changes too: the tail is walked from seq, and a
	 * follower left behind them would find it too far to walk.
	 */
	if ((r = changelog_head(txn, &head)) != 0)
		return r;
	if (head > ur->seq)
		ur->seq = head;
	return ur->ops->read(txn, ur->behind, ur->arg);
}

static int
store_update(struct store *st, struct follower *f,
    const struct follow_ops *ops, void *arg, char *err, size_t errlen)
{
	struct update_read	ur = { f, ops, arg, 0, 0, 0, 0 };

	if (store_read(st, update_read, &ur, err, errlen) != 0)
		return -1;
	if (f->stats != NULL)
		f->stats->store++;
	f->seq = ur.seq;
	f->useq = ur.useq;
	if (ur.behind)
		return FOLLOW_BEHIND;
	return ur.changed ? FOLLOW_CHANGED : FOLLOW_QUIET;
}

/* ---- from the tail ----------------------------------------------------- */

/*
 * Walks the tail from f->seq to its head: every change must be there (the
 * slots of others' changes are only checked), the user's are given to
 * tail_change, and tail_read does the rest.  Returns a follow_result, or
 * FOLLOW_STORE when the store must be read instead (f then unchanged).
 */
static int
tail_update(struct store *st, struct follower *f,
    const struct follow_ops *ops, void *arg)
{
	struct tail		*t = store_tail(st);
	struct tail_entry	 e;	/* a slot's copy: no allocation */
	uint64_t		 head, seq, useq = f->useq;
	uint32_t		 generation;
	int			 changed = 0;

	head = tail_head(t);
	/* A wake is sent after the publication: nothing new, or a neighbour's. */
	if (head <= f->seq)
		goto done;
	if (head - f->seq > TAIL_SLOTS)
		return FOLLOW_STORE;
	generation = notify_value(store_notify(st), NOTIFY_GENERATION);
	ops->reset(arg);
	for (seq = f->seq + 1; seq <= head; seq++) {
		if (tail_get(t, seq, generation, f->uid, &e) == -1)
			return FOLLOW_STORE;
		if (strcmp(e.change.uid, f->uid) != 0)
			continue;
		changed = 1;
		if (e.change.useq != 0)
			useq = e.change.useq;
		if (ops->tail_change(&e, arg) != 0)
			return FOLLOW_STORE;
	}
	if (changed && ops->tail_read(arg) != 0)
		return FOLLOW_STORE;
	f->seq = head;
	f->useq = useq;
done:
	if (f->stats != NULL)
		f->stats->tail++;
	return changed ? FOLLOW_CHANGED : FOLLOW_QUIET;
}

int
follow_update(struct store *st, struct follower *f, int flags,
    const struct follow_ops *ops, void *arg, char *err, size_t errlen)
{
	int	r;

	/*
	 * A timed poll backs up a wake that never came: a writer that died
	 * between its commit and its wake may also not have published, so
	 * the tail is trusted then only when no writer is in flight.
	 */
	if (ops->tail_change != NULL && ((flags & FOLLOW_WOKEN) ||
	    tail_settled(store_tail(st))) &&
	    (r = tail_update(st, f, ops, arg)) != FOLLOW_STORE)
		return r;
	return store_update(st, f, ops, arg, err, errlen);
}
