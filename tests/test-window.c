/* test-window.c: unit tests of the list window: the list a client holds, applying its events as the guide's hooks do, equals the query's answer in order. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "window.h"

#define MAX_ITEMS	64
#define ANY		(-1)

/* An item of the model store: its creation order is its place in lists. */
struct item {
	char	id[16];
	int	status;
	int	version;
};

/* The store: items in creation order, oldest first. */
static struct item	store[MAX_ITEMS];
static int		nstore;

/* The client, as the guide's hooks: a list applied event by event. */
struct client {
	struct item	list[MAX_ITEMS];
	int		n;
	int		snapshots;
	int		added;
	int		removable;
};

static void
client_remove(struct client *c, const char *id)
{
	int	i;

	for (i = 0; i < c->n; i++) {
		if (strcmp(c->list[i].id, id) == 0) {
			memmove(&c->list[i], &c->list[i + 1],
			    (size_t)(c->n - i - 1) * sizeof *c->list);
			c->n--;
			return;
		}
	}
}

static int
emit(enum window_event ev, const void *items, int n, const char *id,
    void *arg)
{
	struct client		*c = arg;
	const struct item	*it = items;
	int			 i;

	switch (ev) {
	case WINDOW_SNAPSHOT:	/* setJobs(data.jobs) */
		memcpy(c->list, it, (size_t)n * sizeof *it);
		c->n = n;
		c->snapshots++;
		break;
	case WINDOW_ADDED:	/* setJobs(prev => [data.job, ...prev]) */
		memmove(&c->list[1], &c->list[0], (size_t)c->n * sizeof *it);
		c->list[0] = *it;
		c->n++;
		c->added++;
		break;
	case WINDOW_UPDATED:	/* prev.map(j => j.id === id ? data.job : j) */
		for (i = 0; i < c->n; i++)
			if (strcmp(c->list[i].id, it->id) == 0)
				c->list[i] = *it;
		break;
	case WINDOW_REMOVED:	/* prev.filter(j => j.id !== id) */
		if (!c->removable)
			TEST_FAIL("a removal sent to a client without one");
		client_remove(c, id);
		break;
	}
	return 0;
}

static const char *
item_id(const void *item)
{
	return ((const struct item *)item)->id;
}

static const struct window_type removable_type = {
	sizeof(struct item), item_id, 1, emit,
};
static const struct window_type history_type = {
	sizeof(struct item), item_id, 0, emit,
};

/* The query's answer: newest first, of status (or ANY), at most limit. */
static void
fill_view(struct window *w, int status, int limit)
{
	int	i, n = 0;

	for (i = nstore - 1; i >= 0 && n < limit; i--) {
		if (store[i].status == -2 ||
		    (status != ANY && store[i].status != status))
			continue;
		window_add(w, &store[i]);
		n++;
	}
}

/* The view, held by a client of window w, as a string of ids. */
static void
view_text(int status, int limit, char *out, size_t len)
{
	int	i, n = 0;

	out[0] = '\0';
	for (i = nstore - 1; i >= 0 && n < limit; i--) {
		if (store[i].status == -2 ||
		    (status != ANY && store[i].status != status))
			continue;
		snprintf(out + strlen(out), len - strlen(out), "%s%s.%d",
		    n > 0 ? " " : "", store[i].id, store[i].version);
		n++;
	}
}

static void
client_text(const struct client *c, char *out, size_t len)
{
	int	i;

	out[0] = '\0';
	for (i = 0; i < c->n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s.%d",
		    i > 0 ? " " : "", c->list[i].id, c->list[i].version);
}

static void
reset_store(void)
{
	nstore = 0;
}

/* The item with this id, which the test made. */
static struct item *
find(const char *id)
{
	int	i;

	for (i = 0; i < nstore; i++)
		if (strcmp(store[i].id, id) == 0)
			break;
	if (i == nstore) {
		TEST_FAIL("no item %s", id);
		exit(1);
	}
	return &store[i];
}

/* The three writes; status -2 marks a deleted item. */
static void
create(struct window *w, const char *id, int status)
{
	struct item	*it = &store[nstore++];

	snprintf(it->id, sizeof it->id, "%s", id);
	it->status = status;
	it->version = 0;
	window_note(w, id, 0);
}

static void
set_status(struct window *w, const char *id, int status)
{
	struct item	*it = find(id);

	it->status = status;
	it->version++;
	window_note(w, id, 0);
}

static void
delete(struct window *w, const char *id)
{
	find(id)->status = -2;
	window_note(w, id, 1);
}

/* Sends the view's difference and checks the client holds the view. */
static void
sync_and_check(struct window *w, struct client *c, int status, int limit,
    const char *when)
{
	char	want[1024], have[1024];

	fill_view(w, status, limit);
	CHECK_INT(window_sync(w, c), 0);
	window_begin(w);
	view_text(status, limit, want, sizeof want);
	client_text(c, have, sizeof have);
	if (strcmp(want, have) != 0)
		TEST_FAIL("%s: the client holds [%s], the query [%s]", when,
		    have, want);
}

static struct window *
start(const struct window_type *t, struct client *c, int status, int limit)
{
	struct window	*w;

	memset(c, 0, sizeof *c);
	c->removable = t->removable;
	w = window_new(t, limit);
	fill_view(w, status, limit);
	CHECK_INT(window_snapshot(w, c), 0);
	window_begin(w);
	return w;
}

/* --- the two cases of issue 13 --------------------------------------- */

enum { QUEUED, RUNNING, CANCELLED };

/*
 * limit 3 of A, B, C, D (D newest): the client holds D C B.  Deleting D
 * brings A back, at the bottom: a snapshot, not an addition on top.
 */
static void
test_deleted_newer_brings_older_back(void)
{
	struct client	 c;
	struct window	*w;

	reset_store();
	w = start(&removable_type, &c, ANY, 3);
	create(w, "A", QUEUED);
	create(w, "B", QUEUED);
	create(w, "C", QUEUED);
	create(w, "D", QUEUED);
	sync_and_check(w, &c, ANY, 3, "four submitted");
	CHECK_INT(c.snapshots, 1);
	delete(w, "D");
	sync_and_check(w, &c, ANY, 3, "the newest deleted");
	CHECK_INT(c.snapshots, 2);
	/* A new job still comes as an addition. */
	c.added = 0;
	create(w, "E", QUEUED);
	sync_and_check(w, &c, ANY, 3, "one more submitted");
	CHECK_INT(c.added, 1);
	CHECK_INT(c.snapshots, 2);
	window_free(w);
}

/* In a cancelled view, an older job cancelled after a newer one. */
static void
test_older_enters_filter(void)
{
	struct client	 c;
	struct window	*w;

	reset_store();
	w = start(&removable_type, &c, CANCELLED, 3);
	create(w, "A", QUEUED);
	create(w, "B", QUEUED);
	sync_and_check(w, &c, CANCELLED, 3, "two submitted");
	set_status(w, "B", CANCELLED);
	sync_and_check(w, &c, CANCELLED, 3, "the newer cancelled");
	CHECK_INT(c.added, 1);
	set_status(w, "A", CANCELLED);
	sync_and_check(w, &c, CANCELLED, 3, "the older cancelled");
	CHECK_INT(c.snapshots, 2);
	window_free(w);
}

/* History: growth past limit is the addition, then a snapshot. */
static void
test_history_growth(void)
{
	struct client	 c;
	struct window	*w;

	reset_store();
	w = start(&history_type, &c, ANY, 2);
	create(w, "A", QUEUED);
	create(w, "B", QUEUED);
	sync_and_check(w, &c, ANY, 2, "two added");
	CHECK_INT(c.added, 2);
	CHECK_INT(c.snapshots, 1);
	create(w, "C", QUEUED);
	sync_and_check(w, &c, ANY, 2, "a third added");
	CHECK_INT(c.added, 3);
	CHECK_INT(c.snapshots, 2);
	delete(w, "C");
	sync_and_check(w, &c, ANY, 2, "the newest deleted");
	CHECK_INT(c.added, 3);
	CHECK_INT(c.snapshots, 3);
	window_free(w);
}

/* --- random sequences ------------------------------------------------ */

static uint64_t
next_random(uint64_t *state)
{
	uint64_t	z;

	z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One random write: a creation, a status change or a deletion. */
static void
random_write(struct window *w, uint64_t *rnd)
{
	char	id[16];
	int	i, roll = (int)(next_random(rnd) % 10);

	if (nstore < MAX_ITEMS && (roll < 4 || nstore == 0)) {
		snprintf(id, sizeof id, "i%d", nstore);
		create(w, id, (int)(next_random(rnd) % 3));
		return;
	}
	i = (int)(next_random(rnd) % (uint64_t)nstore);
	if (store[i].status == -2)
		return;
	if (roll < 8)
		set_status(w, store[i].id, (int)(next_random(rnd) % 3));
	else
		delete(w, store[i].id);
}

/*
 * Any sequence of writes, read after each few (a stream reads what
 * committed since its last read), with every filter and several limits,
 * for a client with and without removals.
 */
static void
test_random_sequences(void)
{
	static const struct window_type	*types[] = {
		&removable_type, &history_type,
	};
	struct client	 c;
	struct window	*w;
	uint64_t	 rnd = 13;
	char		 when[64];
	int		 run, t, status, limit, step, k, writes;

	for (run = 0; run < 400; run++) {
		t = run % 2;
		status = (int)(next_random(&rnd) % 4) - 1;
		if (t == 1)
			status = ANY;
		limit = 1 + (int)(next_random(&rnd) % 5);
		reset_store();
		w = start(types[t], &c, status, limit);
		for (step = 0; step < 30 && nstore < MAX_ITEMS; step++) {
			writes = 1 + (int)(next_random(&rnd) % 3);
			for (k = 0; k < writes; k++)
				random_write(w, &rnd);
			snprintf(when, sizeof when, "run %d step %d", run,
			    step);
			sync_and_check(w, &c, status, limit, when);
		}
		window_free(w);
	}
}

int
main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "deleted_newer_brings_older_back",
		    test_deleted_newer_brings_older_back },
		{ "older_enters_filter", test_older_enters_filter },
		{ "history_growth", test_history_growth },
		{ "random_sequences", test_random_sequences },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests, 60);
}
