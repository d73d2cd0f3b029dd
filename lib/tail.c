/* tail.c: the shared ring of the newest changes: slots written under the log's counter, read as seqlocks. */
#include "config.h"

#include <sys/mman.h>

#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "shmfile.h"
#include "tail.h"
#include "xmalloc.h"

#define TAIL_MAGIC	0x4c545342u	/* "BSTL" */
/* Bumped, with TAIL_FILE's number, at any change to the header or slot. */
#define TAIL_LAYOUT	3u

/*
 * The file's first TAIL_SLOT_SIZE bytes: what layout the slots have, and
 * the head.  A file of another layout is made anew by tail_open.
 */
struct tail_header {
	uint32_t		 magic;
	uint32_t		 layout;
	uint32_t		 slots;
	uint32_t		 slot_size;
	uint32_t		 record_max;
	uint32_t		 text_max;
	/* Its own cache line: every writer raises it, every reader reads it. */
	alignas(64) _Atomic uint64_t head;
	/* Writers that began and that ended: see tail_settled(). */
	alignas(64) _Atomic uint64_t begun;
	_Atomic uint64_t	 ended;
};

/*
 * version is the seqlock: odd while a writer is in the slot.  committed is
 * the seq marked committed in this slot, 0 from its writing to its
 * publication; a late mark of a seq the slot no longer holds equals no
 * change it holds.
 */
struct slot {
	_Atomic uint32_t	 version;
	uint32_t		 generation;
	_Atomic uint64_t	 committed;
	_Atomic uint64_t	 seq;
	uint64_t		 useq;
	int64_t			 time_ms;
	uint32_t		 kind;
	uint32_t		 aux;
	uint32_t		 rec_len;
	uint32_t		 too_big;
	uint32_t		 text_len;
	char			 uid[UID_MAX + 1];
	char			 id[ID_MAX + 1];
	unsigned char		 rec[TAIL_RECORD_MAX];
	char			 text[TAIL_TEXT_MAX];
};

_Static_assert(sizeof(struct slot) <= TAIL_SLOT_SIZE, "a slot outgrew its room");
_Static_assert(sizeof(struct tail_header) <= TAIL_SLOT_SIZE, "header too big");
/* The words are shared between processes: they must not hide a lock. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2,
    "shared atomics must be lock-free");

#define TAIL_SIZE	((size_t)TAIL_SLOT_SIZE * (TAIL_SLOTS + 1))

struct tail {
	unsigned char	*map;	/* TAIL_SIZE, shared */
};

static struct tail_header *
header(const struct tail *t)
{
	return (struct tail_header *)(void *)t->map;
}

static struct slot *
slot_of(const struct tail *t, uint64_t seq)
{
	return (struct slot *)(void *)(t->map + (size_t)TAIL_SLOT_SIZE *
	    (1 + seq % TAIL_SLOTS));
}

/* ---- the file ------------------------------------------------------------ */

static int
layout_ok(const struct tail_header *h)
{
	return h->magic == TAIL_MAGIC && h->layout == TAIL_LAYOUT &&
	    h->slots == TAIL_SLOTS && h->slot_size == TAIL_SLOT_SIZE &&
	    h->record_max == TAIL_RECORD_MAX && h->text_max == TAIL_TEXT_MAX;
}

/*
 * Makes the mapped file a tail of this layout if it is not one: a new
 * file, or one an older program left.  shmfile_map calls it under the
 * file's lock, so that a concurrent opener sees either the old header or
 * the whole new one.
 */
static void
make_layout(void *map)
{
	struct tail_header	*h = map;

	if (layout_ok(h))
		return;
	memset(map, 0, TAIL_SIZE);
	h->slots = TAIL_SLOTS;
	h->slot_size = TAIL_SLOT_SIZE;
	h->record_max = TAIL_RECORD_MAX;
	h->text_max = TAIL_TEXT_MAX;
	h->layout = TAIL_LAYOUT;
	atomic_store_explicit(&h->head, 0, memory_order_relaxed);
	atomic_store_explicit(&h->begun, 0, memory_order_relaxed);
	atomic_store_explicit(&h->ended, 0, memory_order_relaxed);
	h->magic = TAIL_MAGIC;
}

struct tail *
tail_open(const char *dir, char *err, size_t errlen)
{
	struct tail	*t;
	void		*map;

	if ((map = shmfile_map(dir, TAIL_FILE, TAIL_SIZE, make_layout, err,
	    errlen)) == NULL)
		return NULL;
	t = xmalloc(sizeof *t);
	t->map = map;
	return t;
}

void
tail_close(struct tail *t)
{
	if (t == NULL)
		return;
	munmap(t->map, TAIL_SIZE);
	free(t);
}

/* ---- writing --------------------------------------------------------------- */

/*
 * Only the holder of the log's counter writes slots, one at a time.  A
 * slot left odd by a writer that died in it stays odd until rewritten.
 */
static void
write_begin(struct slot *sl)
{
	uint32_t	v;

	v = atomic_load_explicit(&sl->version, memory_order_relaxed);
	atomic_store_explicit(&sl->version, v | 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static void
write_end(struct slot *sl)
{
	uint32_t	v;

	v = atomic_load_explicit(&sl->version, memory_order_relaxed);
	atomic_store_explicit(&sl->version, v + 1, memory_order_release);
}

void
tail_put(struct tail *t, const struct change *c, uint32_t generation)
{
	struct slot	*sl = slot_of(t, c->seq);

	write_begin(sl);
	/* Pending until published, even if this seq was marked before. */
	atomic_store_explicit(&sl->committed, 0, memory_order_relaxed);
	atomic_store_explicit(&sl->seq, c->seq, memory_order_relaxed);
	sl->generation = generation;
	sl->useq = c->useq;
	sl->time_ms = c->time_ms;
	sl->kind = (uint32_t)c->kind;
	sl->aux = c->aux;
	sl->rec_len = 0;
	sl->too_big = 0;
	sl->text_len = 0;
	memcpy(sl->uid, c->uid, sizeof sl->uid);
	memcpy(sl->id, c->id, sizeof sl->id);
	write_end(sl);
}

void
tail_put_record(struct tail *t, uint64_t seq, const void *rec, size_t len,
    const char *text)
{
	struct slot	*sl = slot_of(t, seq);
	size_t		 tlen = text != NULL ? strlen(text) : 0;

	if (atomic_load_explicit(&sl->seq, memory_order_relaxed) != seq)
		return;
	write_begin(sl);
	/* A second put of the change replaces the first one's record. */
	sl->rec_len = 0;
	sl->text_len = 0;
	if (len > TAIL_RECORD_MAX)
		sl->too_big = 1;
	else {
		sl->too_big = 0;
		memcpy(sl->rec, rec, len);
		sl->rec_len = (uint32_t)len;
		/* Text without its record would be of no use to a reader. */
		if (tlen <= TAIL_TEXT_MAX) {
			memcpy(sl->text, text, tlen);
			sl->text_len = (uint32_t)tlen;
		}
	}
	write_end(sl);
}

/* Raises *word to v unless it is past v already. */
static void
raise_to(_Atomic uint64_t *word, uint64_t v)
{
	uint64_t	old;

	old = atomic_load_explicit(word, memory_order_relaxed);
	while (old < v && !atomic_compare_exchange_weak_explicit(word, &old,
	    v, memory_order_release, memory_order_relaxed))
		;
}

void
tail_publish(struct tail *t, uint64_t first, uint64_t last)
{
	struct slot	*sl;
	uint64_t	 seq;

	if (first == 0 || last < first)
		return;
	/* Of a transaction longer than the ring, only the last slots remain. */
	if (last - first >= TAIL_SLOTS)
		first = last - TAIL_SLOTS + 1;
	for (seq = first; seq <= last; seq++) {
		sl = slot_of(t, seq);
		if (atomic_load_explicit(&sl->seq, memory_order_relaxed) == seq)
			raise_to(&sl->committed, seq);
	}
	/* A head past a slot that holds no such change would only miss. */
	sl = slot_of(t, last);
	if (atomic_load_explicit(&sl->seq, memory_order_relaxed) == last)
		raise_to(&header(t)->head, last);
}

void
tail_writer_begin(struct tail *t)
{
	/* Before its first slot: a poll that reads begun sees it in flight. */
	atomic_fetch_add_explicit(&header(t)->begun, 1, memory_order_seq_cst);
}

void
tail_writer_end(struct tail *t)
{
	/* After its publication: a poll that sees it ended sees the head. */
	atomic_fetch_add_explicit(&header(t)->ended, 1, memory_order_release);
}

void
tail_writers_reset(struct tail *t)
{
	struct tail_header	*h = header(t);

	atomic_store_explicit(&h->ended, atomic_load_explicit(&h->begun,
	    memory_order_relaxed), memory_order_release);
}

/* ---- reading --------------------------------------------------------------- */

int
tail_settled(const struct tail *t)
{
	struct tail_header	*h = header(t);
	uint64_t		 ended;

	/* ended first: a writer that begins in between makes them differ. */
	ended = atomic_load_explicit(&h->ended, memory_order_acquire);
	return atomic_load_explicit(&h->begun, memory_order_seq_cst) == ended;
}

uint64_t
tail_head(const struct tail *t)
{
	return atomic_load_explicit(&header(t)->head, memory_order_acquire);
}

int
tail_get(const struct tail *t, uint64_t seq, uint32_t generation,
    const char *uid, struct tail_entry *out)
{
	struct slot	*sl = slot_of(t, seq);
	struct change	*c = &out->change;
	uint32_t	 v;

	v = atomic_load_explicit(&sl->version, memory_order_acquire);
	if ((v & 1) != 0 ||
	    atomic_load_explicit(&sl->seq, memory_order_relaxed) != seq ||
	    atomic_load_explicit(&sl->committed, memory_order_acquire) != seq ||
	    sl->generation != generation)
		return -1;
	c->seq = seq;
	c->useq = sl->useq;
	c->time_ms = sl->time_ms;
	c->kind = (enum change_kind)sl->kind;
	c->aux = sl->aux;
	memcpy(c->uid, sl->uid, sizeof c->uid);
	memcpy(c->id, sl->id, sizeof c->id);
	c->uid[sizeof c->uid - 1] = '\0';
	c->id[sizeof c->id - 1] = '\0';
	out->rec_len = 0;
	out->text_len = 0;
	out->text[0] = '\0';
	out->too_big = sl->too_big != 0;
	if (uid == NULL || strcmp(c->uid, uid) == 0) {
		out->rec_len = sl->rec_len;
		out->text_len = sl->text_len;
		/* Torn or damaged: the version check would fail anyway. */
		if (out->rec_len > TAIL_RECORD_MAX ||
		    out->text_len > TAIL_TEXT_MAX)
			return -1;
		memcpy(out->rec, sl->rec, out->rec_len);
		memcpy(out->text, sl->text, out->text_len);
		out->text[out->text_len] = '\0';
	}
	atomic_thread_fence(memory_order_acquire);
	return atomic_load_explicit(&sl->version, memory_order_relaxed) == v ?
	    0 : -1;
}
