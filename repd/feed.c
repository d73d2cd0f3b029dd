/* feed.c: a replica's new changes, published to its streams as the master's writers publish theirs. */
#include "config.h"

#include <string.h>

#include "changelog.h"
#include "feed.h"
#include "notify.h"
#include "store.h"
#include "tail.h"

/* Changes read in one transaction; more are read by the next call. */
#define FEED_BATCH	64

struct batch {
	struct feed	*f;
	uint64_t	 head;
	int		 n;
	struct change	 c[FEED_BATCH];
};

void
feed_reset(struct feed *f)
{
	memset(f, 0, sizeof *f);
}

static int
collect(const struct change *c, void *arg)
{
	struct batch	*b = arg;

	b->c[b->n++] = *c;
	return b->n == FEED_BATCH ? STORE_STOP : 0;
}

static int
read_batch(struct store_txn *txn, void *arg)
{
	struct batch	*b = arg;
	int		 r;

	b->n = 0;
	if ((r = changelog_head(txn, &b->head)) != 0)
		return r;
	if (b->head <= b->f->last)
		return 0;
	return changelog_read_after(txn, b->f->last, collect, b);
}

/* What a writer does after its commit (store-txn.c), for the batch. */
static void
publish(struct store *s, const struct batch *b)
{
	struct tail	*t = store_tail(s);
	struct notify	*n = store_notify(s);
	uint32_t	 generation, w;
	int		 i;

	generation = notify_value(n, NOTIFY_GENERATION);
	tail_writer_begin(t);
	for (i = 0; i < b->n; i++)
		tail_put(t, &b->c[i], generation);
	tail_publish(t, b->c[0].seq, b->c[b->n - 1].seq);
	for (i = 0; i < b->n; i++) {
		if (b->c[i].uid[0] == '\0')
			continue;
		w = notify_user_word(b->c[i].uid);
		/* A batch is mostly one user's: bump each word once. */
		if (i > 0 && strcmp(b->c[i - 1].uid, b->c[i].uid) == 0)
			continue;
		notify_bump(n, w);
	}
	tail_writer_end(t);
}

int
feed_run(struct feed *f, struct store *s, char *err, size_t errlen)
{
	struct batch	b;
	uint64_t	end;
	int		r;

	end = store_log_end(s);
	if (f->primed && end != 0 && end == f->log_end)
		return 0;
	/*
	 * The streams were told of the changes up to the tail's head, by the
	 * feed before a restart or by this node's writers when it was the
	 * master: from there on, they are told now.
	 */
	if (!f->primed) {
		f->last = tail_head(store_tail(s));
		f->primed = 1;
	}
	b.f = f;
	if ((r = store_read(s, read_batch, &b, err, errlen)) != 0)
		return r;
	if (f->last == 0 || b.head < f->last) {
		/*
		 * Where the streams stand is unknown (a new tail), or past
		 * this replica's log (a new master rolled it back): every
		 * stream looks for itself, in the store.
		 */
		notify_bump_all(store_notify(s));
		f->last = b.head;
		b.n = 0;
	}
	if (b.n > 0) {
		publish(s, &b);
		f->last = b.c[b.n - 1].seq;
	}
	/* A full batch leaves more to read: look again next time. */
	f->log_end = b.n == FEED_BATCH ? 0 : end;
	return 0;
}
