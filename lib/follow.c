/* follow.c: one user's change log, followed from a point. */
#include "config.h"

#include "follow.h"

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

struct update_read {
	const struct follower	*f;
	const struct follow_ops	*ops;
	void			*arg;
	uint64_t		 seq, useq;	/* the newest change read */
	int			 behind;
};

static int
note_change(const struct change *c, void *arg)
{
	struct update_read	*ur = arg;

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
	uint64_t		 first;
	int			 r;

	/* A retried read starts again from where the follower stands. */
	ur->seq = ur->f->seq;
	ur->useq = ur->f->useq;
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
	return ur->ops->read(txn, ur->behind, ur->arg);
}

int
follow_update(struct store *st, struct follower *f,
    const struct follow_ops *ops, void *arg, char *err, size_t errlen)
{
	struct update_read	ur = { f, ops, arg, 0, 0, 0 };

	if (store_read(st, update_read, &ur, err, errlen) != 0)
		return -1;
	if (ur.seq == f->seq)
		return FOLLOW_QUIET;
	f->seq = ur.seq;
	f->useq = ur.useq;
	return ur.behind ? FOLLOW_BEHIND : FOLLOW_CHANGED;
}
