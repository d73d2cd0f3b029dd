/* feed.c: a replica's new changes, published to its streams as the master's writers publish theirs. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "buf.h"
#include "changelog.h"
#include "feed.h"
#include "history.h"
#include "job.h"
#include "json.h"
#include "notify.h"
#include "store.h"
#include "store-history.h"
#include "store-jobs.h"
#include "tail.h"

/* Changes read in one transaction; more are read by the next call. */
#define FEED_BATCH	64

struct batch {
	struct feed	*f;
	uint64_t	 head;
	int		 n;
	struct change	 c[FEED_BATCH];
	/*
	 * The record of each job or history change and its text, as a
	 * writer on the master leaves them in the tail (len 0: none).
	 */
	struct buf	 rec[FEED_BATCH];
	struct buf	 text[FEED_BATCH];
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

/*
 * The record change c left, as it is now: a later change of the same
 * item in the batch may have stored a newer one, which is what a stream
 * would read in the store after walking the batch (see read_batch).  A
 * deleted item has none.
 */
static int
read_record(struct store_txn *txn, const struct change *c, struct buf *rec,
    struct buf *text)
{
	struct job		 j;
	struct history_entry	 h;
	json_object		*o;
	int			 r;

	if (c->kind == CHANGE_JOB) {
		if ((r = jobs_get(txn, c->id, &j)) != 0)
			return r == ENOENT ? 0 : r;
		job_encode(&j, rec);
		o = job_to_json(&j);
	} else if (c->kind == CHANGE_BACKTEST) {
		if ((r = history_get(txn, c->id, &h)) != 0)
			return r == ENOENT ? 0 : r;
		history_encode(&h, rec);
		o = history_to_json(&h);
	} else
		return 0;
	buf_adds(text, json_text(o));
	json_object_put(o);
	return 0;
}

static int
read_batch(struct store_txn *txn, void *arg)
{
	struct batch	*b = arg;
	int		 i, r;

	for (i = 0; i < FEED_BATCH; i++) {
		buf_reset(&b->rec[i]);
		buf_reset(&b->text[i]);
	}
	b->n = 0;
	if ((r = changelog_head(txn, &b->head)) != 0)
		return r;
	if (b->head <= b->f->last)
		return 0;
	if ((r = changelog_read_after(txn, b->f->last, collect, b)) != 0)
		return r;
	/*
	 * The records are read as they stand at the batch's last change,
	 * and only when the batch reaches the head (is not full): a stream
	 * walks the whole batch, published at once, so it never holds a
	 * record newer than the changes it has seen.  A full batch leaves
	 * them to the store.
	 */
	if (b->n == FEED_BATCH)
		return 0;
	for (i = 0; i < b->n; i++)
		if ((r = read_record(txn, &b->c[i], &b->rec[i],
		    &b->text[i])) != 0)
			return r;
	return 0;
}

/* What a writer does after its commit (store-txn.c), for the batch. */
static void
publish(struct store *s, struct batch *b)
{
	struct tail	*t = store_tail(s);
	struct notify	*n = store_notify(s);
	uint32_t	 generation, w;
	int		 i;

	generation = notify_value(n, NOTIFY_GENERATION);
	tail_writer_begin(t);
	for (i = 0; i < b->n; i++) {
		tail_put(t, &b->c[i], generation);
		if (b->rec[i].len > 0)
			tail_put_record(t, b->c[i].seq, b->rec[i].data,
			    b->rec[i].len, b->text[i].len > 0 ?
			    buf_str(&b->text[i]) : NULL);
	}
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
	int		i, r;

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
	for (i = 0; i < FEED_BATCH; i++) {
		b.rec[i] = (struct buf)BUF_INIT;
		b.text[i] = (struct buf)BUF_INIT;
	}
	if ((r = store_read(s, read_batch, &b, err, errlen)) != 0)
		goto out;
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
out:
	for (i = 0; i < FEED_BATCH; i++) {
		buf_free(&b.rec[i]);
		buf_free(&b.text[i]);
	}
	return r;
}
