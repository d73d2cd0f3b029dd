/* test-tail.c: the shared tail of the change log: slots, the seqlock, publication, a stale file, and the store and follower using it. */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "changelog.h"
#include "conf.h"
#include "follow.h"
#include "ids.h"
#include "job.h"
#include "json.h"
#include "notify.h"
#include "store-jobs.h"
#include "store.h"
#include "tail.h"
#include "test.h"
#include "teststore.h"
#include "xmalloc.h"

static char		*dir;
static struct conf	 cfg;
static char		 err[512];

#define GEN	7u

static void
make_change(struct change *c, uint64_t seq, const char *uid, const char *id)
{
	memset(c, 0, sizeof *c);
	c->seq = seq;
	c->useq = seq * 10;
	c->time_ms = (int64_t)seq * 1000;
	c->kind = CHANGE_JOB;
	snprintf(c->uid, sizeof c->uid, "%s", uid);
	snprintf(c->id, sizeof c->id, "%s", id);
	c->aux = (uint32_t)seq;
}

/*
 * Writes change seq of uid with a record of n bytes of seq's low byte,
 * and the text "text<seq>".
 */
static void
put(struct tail *t, uint64_t seq, const char *uid, const char *id, size_t n)
{
	struct change	c;
	unsigned char	rec[2 * TAIL_RECORD_MAX];
	char		text[32];

	make_change(&c, seq, uid, id);
	tail_put(t, &c, GEN);
	memset(rec, (int)(seq & 0xff), sizeof rec);
	snprintf(text, sizeof text, "text%llu", (unsigned long long)seq);
	if (n > 0)
		tail_put_record(t, seq, rec, n, text);
}

static struct tail *
open_tail(void)
{
	struct tail	*t;

	if ((t = tail_open(dir, err, sizeof err)) == NULL)
		TEST_FAIL("tail_open: %s", err);
	return t;
}

static void
remove_tail(void)
{
	char	path[4096];

	snprintf(path, sizeof path, "%s/%s", dir, TAIL_FILE);
	unlink(path);
}

/* ---- the ring alone ------------------------------------------------------ */

static void
test_publish_in_order(void)
{
	struct tail		*t;
	struct tail_entry	 e;

	remove_tail();
	REQUIRE((t = open_tail()) != NULL);
	CHECK_INT(tail_head(t), 0);
	put(t, 1, "alice", "job1", 100);
	put(t, 2, "bob", "job2", 50);
	put(t, 3, "alice", "job3", 0);
	/* Written but not committed: nobody may take it yet. */
	CHECK_INT(tail_get(t, 1, GEN, "alice", &e), -1);
	CHECK_INT(tail_head(t), 0);
	tail_publish(t, 1, 3);
	CHECK_INT(tail_head(t), 3);

	REQUIRE(tail_get(t, 1, GEN, "alice", &e) == 0);
	CHECK_INT(e.change.seq, 1);
	CHECK_INT(e.change.useq, 10);
	CHECK_INT(e.change.time_ms, 1000);
	CHECK_INT(e.change.kind, CHANGE_JOB);
	CHECK_STR(e.change.uid, "alice");
	CHECK_STR(e.change.id, "job1");
	CHECK_INT(e.change.aux, 1);
	CHECK_INT(e.rec_len, 100);
	CHECK_INT(e.rec[99], 1);
	CHECK_STR(e.text, "text1");
	CHECK_INT(e.text_len, 5);
	/* Another user's change: checked, its record not copied. */
	REQUIRE(tail_get(t, 2, GEN, "alice", &e) == 0);
	CHECK_STR(e.change.uid, "bob");
	CHECK_INT(e.rec_len, 0);
	CHECK_STR(e.text, "");
	REQUIRE(tail_get(t, 2, GEN, NULL, &e) == 0);
	CHECK_INT(e.rec_len, 50);
	CHECK_STR(e.text, "text2");
	REQUIRE(tail_get(t, 3, GEN, "alice", &e) == 0);
	CHECK_INT(e.rec_len, 0);
	CHECK_INT(e.text_len, 0);
	CHECK(!e.too_big);
	/* Past the head, or of another generation (a recovery since): none. */
	CHECK_INT(tail_get(t, 4, GEN, "alice", &e), -1);
	CHECK_INT(tail_get(t, 1, GEN + 1, "alice", &e), -1);
	tail_close(t);
}

static void
test_record_too_big(void)
{
	struct tail		*t;
	struct tail_entry	 e;

	remove_tail();
	REQUIRE((t = open_tail()) != NULL);
	put(t, 1, "alice", "big", TAIL_RECORD_MAX + 1);
	tail_publish(t, 1, 1);
	REQUIRE(tail_get(t, 1, GEN, "alice", &e) == 0);
	CHECK_INT(e.rec_len, 0);
	CHECK_INT(e.text_len, 0);
	CHECK(e.too_big);
	tail_close(t);
}

/*
 * A change whose transaction puts its record twice carries the second
 * put's record and text, never a mix, and never the first's text beside
 * a record it was not made from.
 */
static void
test_record_put_again(void)
{
	struct tail		*t;
	struct tail_entry	 e;
	unsigned char		 rec[TAIL_RECORD_MAX + 1];
	char			 text[TAIL_TEXT_MAX + 2];

	remove_tail();
	REQUIRE((t = open_tail()) != NULL);
	memset(rec, 'r', sizeof rec);
	memset(text, 't', sizeof text);
	text[sizeof text - 1] = '\0';
	put(t, 1, "alice", "job1", 10);
	/* A text too long for the slot: the record stays, without text. */
	tail_put_record(t, 1, rec, 20, text);
	/* One that just fits. */
	put(t, 2, "alice", "job2", 10);
	text[TAIL_TEXT_MAX] = '\0';
	tail_put_record(t, 2, rec, 30, text);
	/* A record too big after one that fitted: neither is left. */
	put(t, 3, "alice", "job3", 10);
	tail_put_record(t, 3, rec, sizeof rec, "x");
	tail_publish(t, 1, 3);
	REQUIRE(tail_get(t, 1, GEN, "alice", &e) == 0);
	CHECK_INT(e.rec_len, 20);
	CHECK_INT(e.text_len, 0);
	CHECK_STR(e.text, "");
	REQUIRE(tail_get(t, 2, GEN, "alice", &e) == 0);
	CHECK_INT(e.rec_len, 30);
	CHECK_INT(e.text_len, TAIL_TEXT_MAX);
	CHECK(strcmp(e.text, text) == 0);
	REQUIRE(tail_get(t, 3, GEN, "alice", &e) == 0);
	CHECK_INT(e.rec_len, 0);
	CHECK_INT(e.text_len, 0);
	CHECK(e.too_big);
	tail_close(t);
}

/* An aborted writer's slot stays pending; the next takes the same seq. */
static void
test_abort_then_reuse(void)
{
	struct tail		*t;
	struct tail_entry	 e;

	remove_tail();
	REQUIRE((t = open_tail()) != NULL);
	put(t, 1, "alice", "job1", 10);
	tail_publish(t, 1, 1);
	put(t, 2, "alice", "aborted", 10);	/* never published */
	CHECK_INT(tail_get(t, 2, GEN, "alice", &e), -1);
	put(t, 2, "alice", "again", 20);
	tail_publish(t, 2, 2);
	REQUIRE(tail_get(t, 2, GEN, "alice", &e) == 0);
	CHECK_STR(e.change.id, "again");
	CHECK_INT(e.rec_len, 20);
	tail_close(t);
}

/* A slot rewritten by a writer a whole ring ahead no longer holds seq. */
static void
test_wrap_around(void)
{
	struct tail		*t;
	struct tail_entry	 e;
	uint64_t		 far = 5 + TAIL_SLOTS;

	remove_tail();
	REQUIRE((t = open_tail()) != NULL);
	put(t, 5, "alice", "old", 10);
	tail_publish(t, 5, 5);
	REQUIRE(tail_get(t, 5, GEN, "alice", &e) == 0);
	put(t, far, "alice", "new", 10);
	CHECK_INT(tail_get(t, 5, GEN, "alice", &e), -1);
	/* The old mark does not make the new change committed. */
	CHECK_INT(tail_get(t, far, GEN, "alice", &e), -1);
	/* A late publication of the old seq leaves the new slot alone. */
	tail_publish(t, 5, 5);
	CHECK_INT(tail_get(t, far, GEN, "alice", &e), -1);
	tail_publish(t, far, far);
	REQUIRE(tail_get(t, far, GEN, "alice", &e) == 0);
	CHECK_STR(e.change.id, "new");
	CHECK_INT(tail_head(t), far);
	tail_close(t);
}

/*
 * Sets the seqlock word of seq's slot as a writer that died inside it
 * leaves it (odd).  The layout is tail.c's: a header of one slot's size,
 * then the slots, each beginning with its 32-bit version.
 */
static void
poke_version(uint64_t seq, uint32_t v)
{
	char	path[4096];
	off_t	off;
	int	fd;

	snprintf(path, sizeof path, "%s/%s", dir, TAIL_FILE);
	off = (off_t)TAIL_SLOT_SIZE * (off_t)(1 + seq % TAIL_SLOTS);
	REQUIRE((fd = open(path, O_RDWR)) != -1);
	CHECK_INT(pwrite(fd, &v, sizeof v, off), sizeof v);
	close(fd);
}

static void
test_half_written(void)
{
	struct tail		*t;
	struct tail_entry	 e;

	remove_tail();
	REQUIRE((t = open_tail()) != NULL);
	put(t, 7, "alice", "job7", 10);
	tail_publish(t, 7, 7);
	REQUIRE(tail_get(t, 7, GEN, "alice", &e) == 0);
	poke_version(7, 13);
	CHECK_INT(tail_get(t, 7, GEN, "alice", &e), -1);
	/* The next writer of the slot makes it whole again. */
	put(t, 7 + TAIL_SLOTS, "alice", "next", 10);
	tail_publish(t, 7 + TAIL_SLOTS, 7 + TAIL_SLOTS);
	REQUIRE(tail_get(t, 7 + TAIL_SLOTS, GEN, "alice", &e) == 0);
	CHECK_STR(e.change.id, "next");
	tail_close(t);
}

/*
 * A writer rewrites one slot over and over, alternating two changes whose
 * every byte says which it is, while a reader copies it: whatever the
 * reader takes is whole, one change or the other, never a mix.
 */
static int
consistent(const struct tail_entry *e, uint64_t a, uint64_t b)
{
	size_t	i;

	if (e->change.seq != a && e->change.seq != b)
		return 0;
	if (e->change.aux != (uint32_t)e->change.seq ||
	    e->change.useq != e->change.seq * 10 || e->rec_len != 600)
		return 0;
	for (i = 0; i < e->rec_len; i++)
		if (e->rec[i] != (unsigned char)(e->change.seq & 0xff))
			return 0;
	return 1;
}

static void
test_torn_reads_fall_back(void)
{
	struct tail		*t;
	struct tail_entry	 e;
	uint64_t		 a = 9, b = 9 + TAIL_SLOTS, seq;
	pid_t			 pid;
	int			 i, status, taken = 0, missed = 0, bad = 0;

	remove_tail();
	REQUIRE((t = open_tail()) != NULL);
	put(t, a, "alice", "x", 600);
	tail_publish(t, a, a);
	if ((pid = fork()) == 0) {
		struct tail	*w = tail_open(dir, err, sizeof err);

		if (w == NULL)
			_exit(1);
		for (i = 0;; i++) {
			seq = i % 2 ? a : b;
			put(w, seq, "alice", "x", 600);
			tail_publish(w, seq, seq);
		}
	}
	REQUIRE(pid > 0);
	/*
	 * The writer is inside the slot nearly all the time, so a read is
	 * taken only when it is between two writes or off its CPU: how often
	 * depends on the machine's load.  Read until some were taken, over
	 * at least 2,000,000 tries, within the test's own time bound.
	 */
	for (i = 0; i < 2000000 || taken < 100; i++) {
		seq = i % 2 ? a : b;
		if (tail_get(t, seq, GEN, "alice", &e) == -1) {
			missed++;
			continue;
		}
		taken++;
		if (e.change.seq != seq || !consistent(&e, a, b))
			bad++;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK_INT(bad, 0);
	CHECK(taken > 0);
	printf("  %d taken, %d missed\n", taken, missed);
	tail_close(t);
}

/* The next writer publishes the change of one that died before doing so. */
static void
test_next_writer_publishes(void)
{
	struct tail		*t;
	struct tail_entry	 e;

	remove_tail();
	REQUIRE((t = open_tail()) != NULL);
	put(t, 1, "alice", "job1", 10);
	tail_publish(t, 1, 1);
	put(t, 2, "alice", "job2", 10);	/* committed; its writer died */
	CHECK_INT(tail_head(t), 1);
	/* The writer taking counter 3 publishes 2. */
	tail_publish(t, 2, 2);
	CHECK_INT(tail_head(t), 2);
	REQUIRE(tail_get(t, 2, GEN, "alice", &e) == 0);
	/* Only a slot that holds the change: after a jump, none. */
	tail_publish(t, 100, 100);
	CHECK_INT(tail_head(t), 2);
	CHECK_INT(tail_get(t, 100, GEN, "alice", &e), -1);
	tail_close(t);
}

/* A file of another layout (an older program's) is made anew. */
static void
test_stale_file(void)
{
	struct tail		*t;
	struct tail_entry	 e;
	char			 path[4096], junk[4096];
	int			 fd;

	remove_tail();
	REQUIRE((t = open_tail()) != NULL);
	put(t, 1, "alice", "job1", 10);
	tail_publish(t, 1, 1);
	tail_close(t);
	snprintf(path, sizeof path, "%s/%s", dir, TAIL_FILE);
	memset(junk, 0x5a, sizeof junk);
	REQUIRE((fd = open(path, O_RDWR)) != -1);
	CHECK_INT(pwrite(fd, junk, 16, 0), 16);	/* another magic, layout */
	close(fd);
	REQUIRE((t = open_tail()) != NULL);
	CHECK_INT(tail_head(t), 0);
	CHECK_INT(tail_get(t, 1, GEN, NULL, &e), -1);
	tail_close(t);

	/* And a short one, as a crash during its creation leaves it. */
	REQUIRE((fd = open(path, O_RDWR | O_TRUNC)) != -1);
	CHECK_INT(write(fd, junk, sizeof junk), sizeof junk);
	close(fd);
	REQUIRE((t = open_tail()) != NULL);
	CHECK_INT(tail_head(t), 0);
	put(t, 1, "alice", "job1", 10);
	tail_publish(t, 1, 1);
	CHECK_INT(tail_get(t, 1, GEN, NULL, &e), 0);
	tail_close(t);
}

/* ---- the store writing it ------------------------------------------------ */




static int
update_then_fail(struct store_txn *txn, void *arg)
{
	int	r;

	if ((r = jobs_update(txn, arg)) != 0)
		return r;
	return store_fail(txn, EINVAL, "the test aborts");
}

static int
read_head(struct store_txn *txn, void *arg)
{
	return changelog_head(txn, arg);
}

static uint64_t
store_head(struct store *s)
{
	uint64_t	head = 0;

	CHECK_INT(store_read(s, read_head, &head, err, sizeof err), 0);
	return head;
}

static uint32_t
generation(struct store *s)
{
	return notify_value(store_notify(s), NOTIFY_GENERATION);
}

/* The slot's text is what a stream would make of its record. */
static void
check_text(const struct tail_entry *e, const struct job *j)
{
	json_object	*o;

	o = job_to_json(j);
	CHECK_STR(e->text, json_text(o));
	CHECK_INT(e->text_len, strlen(json_text(o)));
	json_object_put(o);
}

/*
 * A finished job, summary and all, with messages of a usual length: its
 * text fits a slot, so that the streams of its user send the writer's.
 */
static void
make_finished(struct job *j)
{
	struct summary	*m = &j->summary;

	j->status = JOB_COMPLETED;
	j->started_at = 1700000100;
	j->finished_at = 1700000200;
	j->progress = 100;
	j->current_bar = j->total_bars = 25200;
	snprintf(j->message, sizeof j->message,
	    "Completed: 25200 bars, 1234 trades, final equity 123456.78");
	snprintf(j->backtest_id, sizeof j->backtest_id, "%s", j->id);
	j->trade_count = 2468;
	j->has_summary = 1;
	m->initial_capital = 100000;
	m->final_equity = 123456.789012345;
	m->total_return_pct = 23.456789012345;
	m->max_drawdown_pct = -12.3456789012345;
	m->total_trades = 1234;
	m->winning_trades = 678;
	m->losing_trades = 556;
	m->win_rate_pct = 54.9432739059968;
	m->profit_factor = 1.23456789012345;
	m->sharpe_ratio = 0.987654321098765;
	m->buy_and_hold_return_pct = 34.5678901234567;
	m->bars_processed = 25200;
}

static void
test_store_publishes(void)
{
	struct store		*s;
	struct tail		*t;
	struct tail_entry	 e;
	struct job		 j, got;
	uint64_t		 head;

	remove_tail();
	REQUIRE((s = store_open(&cfg, STORE_CREATE, err, sizeof err)) != NULL);
	t = store_tail(s);
	test_job_make(&j, "alice", "DEMO");
	CHECK_INT(store_write(s, 0, test_job_create, &j, err, sizeof err), 0);
	head = store_head(s);
	CHECK_INT(tail_head(t), head);
	REQUIRE(tail_get(t, head, generation(s), "alice", &e) == 0);
	CHECK_INT(e.change.kind, CHANGE_JOB);
	CHECK_STR(e.change.id, j.id);
	CHECK_INT(e.change.useq, 1);
	/* The record as stored, create_seq included. */
	REQUIRE(e.rec_len > 0);
	REQUIRE(job_decode(e.rec, e.rec_len, &got) == 0);
	CHECK_STR(got.id, j.id);
	CHECK_INT(got.create_seq, head);
	check_text(&e, &got);

	/* An aborted write leaves its slot pending and the head alone. */
	j.progress = 50;
	CHECK(store_write(s, 0, update_then_fail, &j, err, sizeof err) != 0);
	CHECK_INT(tail_head(t), head);
	CHECK_INT(tail_get(t, head + 1, generation(s), "alice", &e), -1);
	/* The next write takes the same seq, and its record is the one read. */
	j.progress = 60;
	CHECK_INT(store_write(s, 0, test_job_update, &j, err, sizeof err), 0);
	CHECK_INT(store_head(s), head + 1);
	CHECK_INT(tail_head(t), head + 1);
	REQUIRE(tail_get(t, head + 1, generation(s), "alice", &e) == 0);
	REQUIRE(job_decode(e.rec, e.rec_len, &got) == 0);
	CHECK_NEAR(got.progress, 60, 0);
	check_text(&e, &got);

	make_finished(&j);
	CHECK_INT(store_write(s, 0, test_job_update, &j, err, sizeof err), 0);
	REQUIRE(tail_get(t, store_head(s), generation(s), "alice", &e) == 0);
	REQUIRE(job_decode(e.rec, e.rec_len, &got) == 0);
	CHECK(e.text_len > 0);
	check_text(&e, &got);
	store_close(s);
}

/* ---- a follower reading it -------------------------------------------------- */

struct seen {
	int		 changes;
	int		 tail_changes;
	int		 reads;
	int		 tail_reads;
	int		 need_store;	/* tail_change answers FOLLOW_STORE */
	struct job	 job;
};

static void
seen_reset(void *arg)
{
	struct seen	*sn = arg;

	sn->changes = sn->tail_changes = 0;
}

static int
seen_change(const struct change *c, void *arg)
{
	struct seen	*sn = arg;

	(void)c;
	sn->changes++;
	return 0;
}

static int
seen_read(struct store_txn *txn, int behind, void *arg)
{
	struct seen	*sn = arg;

	(void)txn;
	(void)behind;
	sn->reads++;
	return 0;
}

static int
seen_tail_change(const struct tail_entry *e, void *arg)
{
	struct seen	*sn = arg;

	if (sn->need_store)
		return FOLLOW_STORE;
	sn->tail_changes++;
	if (e->rec_len > 0 && job_decode(e->rec, e->rec_len, &sn->job) == -1)
		return FOLLOW_STORE;
	return 0;
}

static int
seen_tail_read(void *arg)
{
	struct seen	*sn = arg;

	sn->tail_reads++;
	return 0;
}

static const struct follow_ops seen_ops = {
	seen_reset, seen_change, seen_read, seen_tail_change, seen_tail_read,
};

static void
test_follow_from_tail(void)
{
	struct store		*s;
	struct follower		 f;
	struct follow_stats	 stats;
	struct seen		 sn;
	struct job		 a, b;

	REQUIRE((s = store_open(&cfg, 0, err, sizeof err)) != NULL);
	memset(&f, 0, sizeof f);
	memset(&stats, 0, sizeof stats);
	memset(&sn, 0, sizeof sn);
	f.uid = "carol";
	f.stats = &stats;
	REQUIRE(follow_start(s, &f, NULL, NULL, err, sizeof err) == 0);
	test_job_make(&a, "carol", "DEMO");
	test_job_make(&b, "dave", "DEMO");
	CHECK_INT(store_write(s, 0, test_job_create, &a, err, sizeof err), 0);
	CHECK_INT(store_write(s, 0, test_job_create, &b, err, sizeof err), 0);
	a.progress = 42;
	CHECK_INT(store_write(s, 0, test_job_update, &a, err, sizeof err), 0);

	/* Woken: from the tail, dave's change only walked past. */
	CHECK_INT(follow_update(s, &f, FOLLOW_WOKEN, &seen_ops, &sn, err,
	    sizeof err), FOLLOW_CHANGED);
	CHECK_INT(sn.tail_changes, 2);
	CHECK_INT(sn.tail_reads, 1);
	CHECK_INT(sn.reads, 0);
	CHECK_NEAR(sn.job.progress, 42, 0);
	CHECK_INT(f.seq, store_head(s));
	CHECK_INT(f.useq, 2);
	CHECK_INT(stats.tail, 1);
	CHECK_INT(stats.store, 0);

	/* Nothing new: quiet, still without the store. */
	CHECK_INT(follow_update(s, &f, FOLLOW_WOKEN, &seen_ops, &sn, err,
	    sizeof err), FOLLOW_QUIET);
	CHECK_INT(stats.tail, 2);

	/* A change the ops cannot take from the tail: all of it in the store. */
	a.progress = 43;
	CHECK_INT(store_write(s, 0, test_job_update, &a, err, sizeof err), 0);
	sn.need_store = 1;
	CHECK_INT(follow_update(s, &f, FOLLOW_WOKEN, &seen_ops, &sn, err,
	    sizeof err), FOLLOW_CHANGED);
	CHECK_INT(sn.changes, 1);
	CHECK_INT(sn.reads, 1);
	CHECK_INT(stats.store, 1);
	CHECK_INT(f.useq, 3);

	/*
	 * The timed poll (no wake) reads the tail while no writer is in
	 * flight, committed or aborted ones alike.
	 */
	sn.need_store = 0;
	a.progress = 44;
	CHECK_INT(store_write(s, 0, test_job_update, &a, err, sizeof err), 0);
	CHECK(store_write(s, 0, update_then_fail, &a, err, sizeof err) != 0);
	CHECK(tail_settled(store_tail(s)));
	CHECK_INT(follow_update(s, &f, 0, &seen_ops, &sn, err, sizeof err),
	    FOLLOW_CHANGED);
	CHECK_INT(stats.tail, 3);
	CHECK_INT(stats.store, 1);
	CHECK_INT(f.useq, 4);

	/*
	 * A writer that began and never ended (it died between its commit
	 * and its publication): the poll reads the store, which has what the
	 * tail may lack, until a recovery forgets the dead.
	 */
	tail_writer_begin(store_tail(s));
	CHECK(!tail_settled(store_tail(s)));
	a.progress = 45;
	CHECK_INT(store_write(s, 0, test_job_update, &a, err, sizeof err), 0);
	CHECK_INT(follow_update(s, &f, 0, &seen_ops, &sn, err, sizeof err),
	    FOLLOW_CHANGED);
	CHECK_INT(stats.store, 2);
	CHECK_INT(f.useq, 5);
	/* A wake still trusts the tail. */
	a.progress = 46;
	CHECK_INT(store_write(s, 0, test_job_update, &a, err, sizeof err), 0);
	CHECK_INT(follow_update(s, &f, FOLLOW_WOKEN, &seen_ops, &sn, err,
	    sizeof err), FOLLOW_CHANGED);
	CHECK_INT(stats.tail, 4);
	tail_writers_reset(store_tail(s));
	CHECK(tail_settled(store_tail(s)));

	/* Others' changes alone: the store's follower moves past them too. */
	tail_writer_begin(store_tail(s));
	CHECK_INT(store_write(s, 0, test_job_update, &b, err, sizeof err), 0);
	CHECK_INT(follow_update(s, &f, 0, &seen_ops, &sn, err, sizeof err),
	    FOLLOW_QUIET);
	CHECK_INT(stats.store, 3);
	CHECK_INT(f.seq, store_head(s));
	tail_writers_reset(store_tail(s));
	store_close(s);
}

int
main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "publish_in_order", test_publish_in_order },
		{ "record_too_big", test_record_too_big },
		{ "record_put_again", test_record_put_again },
		{ "abort_then_reuse", test_abort_then_reuse },
		{ "wrap_around", test_wrap_around },
		{ "half_written", test_half_written },
		{ "torn_reads_fall_back", test_torn_reads_fall_back },
		{ "next_writer_publishes", test_next_writer_publishes },
		{ "stale_file", test_stale_file },
		{ "store_publishes", test_store_publishes },
		{ "follow_from_tail", test_follow_from_tail },
		{ NULL, NULL },
	};
	int	r;

	dir = test_tmpdir();
	test_store_conf(&cfg, dir);
	r = test_main(argc, argv, tests, 120);
	conf_free(&cfg);
	test_rmtree(dir);
	free(dir);
	return r;
}
