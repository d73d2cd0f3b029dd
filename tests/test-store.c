/* test-store.c: the store, the change log and the tables, on a real environment in a temp dir. */
#include "config.h"

#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bytelock.h"
#include "changelog.h"
#include "conf.h"
#include "ids.h"
#include "mstime.h"
#include "notify.h"
#include "store-bars.h"
#include "store-core.h"
#include "store-history.h"
#include "store-int.h"
#include "store-jobs.h"
#include "store-trades.h"
#include "store.h"
#include "test.h"
#include "teststore.h"
#include "timefmt.h"
#include "xmalloc.h"

static char		*dir;
static struct conf	 cfg;
static char		 err[512];

static struct store *
open_store(int flags)
{
	struct store	*s;

	s = store_open(&cfg, flags, err, sizeof err);
	if (s == NULL)
		TEST_FAIL("store_open: %s", err);
	return s;
}





struct collected {
	char		ids[64][ID_MAX + 1];
	uint64_t	seqs[64];
	uint64_t	useqs[64];
	int		n;
};

static int
collect_job(const struct job *j, void *arg)
{
	struct collected	*c = arg;

	if (c->n < 64)
		snprintf(c->ids[c->n++], ID_MAX + 1, "%s", j->id);
	return 0;
}

struct list_query {
	const char		*uid;
	int			 status;
	int			 limit;
	struct collected	 out;
};

static int
list_jobs(struct store_txn *txn, void *arg)
{
	struct list_query	*q = arg;

	q->out.n = 0;
	return jobs_list(txn, q->uid, q->status, q->limit, collect_job,
	    &q->out);
}

static void
test_open_requires_init(void)
{
	struct conf	 other = cfg;
	char		*empty = test_tmpdir();

	other.store_dir = empty;
	CHECK(store_open(&other, 0, err, sizeof err) == NULL);
	CHECK(strstr(err, "backstream init") != NULL);
	test_rmtree(empty);
	free(empty);
}

static void
test_jobs(void)
{
	struct store		*s;
	struct job		 jobs[5], got;
	struct list_query	 q;
	int			 i;

	REQUIRE((s = open_store(STORE_CREATE)) != NULL);
	for (i = 0; i < 5; i++) {
		test_job_make(&jobs[i], i < 4 ? "alice" : "bob", "DEMO");
		CHECK_INT(store_write(s, 0, test_job_create, &jobs[i], err,
		    sizeof err), 0);
	}
	/* Creation order is list order, newest first. */
	CHECK(jobs[0].create_seq < jobs[1].create_seq);
	memset(&q, 0, sizeof q);
	q.uid = "alice";
	q.status = -1;
	CHECK_INT(store_read(s, list_jobs, &q, err, sizeof err), 0);
	CHECK_INT(q.out.n, 4);
	CHECK_STR(q.out.ids[0], jobs[3].id);
	CHECK_STR(q.out.ids[3], jobs[0].id);

	/* A status filter follows updates; a limit cuts the newest. */
	jobs[1].status = JOB_RUNNING;
	jobs[1].progress = 42.5;
	CHECK_INT(store_write(s, 0, test_job_update, &jobs[1], err, sizeof err), 0);
	q.status = JOB_RUNNING;
	CHECK_INT(store_read(s, list_jobs, &q, err, sizeof err), 0);
	CHECK_INT(q.out.n, 1);
	CHECK_STR(q.out.ids[0], jobs[1].id);
	q.status = JOB_QUEUED;
	q.limit = 2;
	CHECK_INT(store_read(s, list_jobs, &q, err, sizeof err), 0);
	CHECK_INT(q.out.n, 2);
	CHECK_STR(q.out.ids[0], jobs[3].id);
	CHECK_STR(q.out.ids[1], jobs[2].id);

	/* Another user's jobs stay apart. */
	q.uid = "bob";
	q.status = -1;
	q.limit = 0;
	CHECK_INT(store_read(s, list_jobs, &q, err, sizeof err), 0);
	CHECK_INT(q.out.n, 1);

	/* Creating an existing id fails and changes nothing. */
	got = jobs[0];
	CHECK_INT(store_write(s, 0, test_job_create, &got, err, sizeof err),
	    EEXIST);

	CHECK_INT(store_write(s, 0, test_job_remove, &jobs[2], err, sizeof err), 0);
	q.uid = "alice";
	CHECK_INT(store_read(s, list_jobs, &q, err, sizeof err), 0);
	CHECK_INT(q.out.n, 3);
	store_close(s);
}

static int
collect_change(const struct change *c, void *arg)
{
	struct collected	*out = arg;

	if (out->n < 64) {
		out->seqs[out->n] = c->seq;
		out->useqs[out->n] = c->useq;
		snprintf(out->ids[out->n++], ID_MAX + 1, "%s", c->id);
	}
	return 0;
}

struct since {
	const char		*uid;
	uint64_t		 after;
	uint64_t		 head;
	struct collected	 out;
};

static int
read_since(struct store_txn *txn, void *arg)
{
	struct since	*q = arg;
	int		 r;

	q->out.n = 0;
	if ((r = changelog_head(txn, &q->head)) != 0)
		return r;
	return changelog_read_since(txn, q->uid, q->after, collect_change,
	    &q->out);
}

static void
test_changelog(void)
{
	struct store	*s;
	struct since	 q;
	struct job	 a, b;
	uint64_t	 before;
	int		 i;

	REQUIRE((s = open_store(0)) != NULL);
	memset(&q, 0, sizeof q);
	q.uid = "carol";
	CHECK_INT(store_read(s, read_since, &q, err, sizeof err), 0);
	CHECK_INT(q.out.n, 0);
	before = q.head;

	test_job_make(&a, "carol", "DEMO");
	test_job_make(&b, "dave", "DEMO");
	CHECK_INT(store_write(s, 0, test_job_create, &a, err, sizeof err), 0);
	CHECK_INT(store_write(s, 0, test_job_create, &b, err, sizeof err), 0);
	for (i = 0; i < 3; i++) {
		a.progress = i;
		CHECK_INT(store_write(s, 0, test_job_update, &a, err, sizeof err),
		    0);
	}
	q.after = before;
	CHECK_INT(store_read(s, read_since, &q, err, sizeof err), 0);
	CHECK_INT(q.out.n, 4);	/* carol's create and three updates */
	CHECK_INT(q.head, before + 5);
	for (i = 1; i < q.out.n; i++)
		CHECK(q.out.seqs[i] > q.out.seqs[i - 1]);
	CHECK_STR(q.out.ids[0], a.id);
	/* carol's own numbers count her changes only: dave's is not among them. */
	CHECK_INT(q.out.useqs[0], 1);
	for (i = 1; i < q.out.n; i++)
		CHECK_INT(q.out.useqs[i], q.out.useqs[i - 1] + 1);

	/* Reading after a point gives only what came later. */
	q.after = q.out.seqs[1];
	CHECK_INT(store_read(s, read_since, &q, err, sizeof err), 0);
	CHECK_INT(q.out.n, 2);

	/* Trimming everything older than now empties the log. */
	CHECK(changelog_trim(s, wall_ms() + 1000, err,
	    sizeof err) > 0);
	q.after = 0;
	CHECK_INT(store_read(s, read_since, &q, err, sizeof err), 0);
	CHECK_INT(q.out.n, 0);
	store_close(s);
}

/* A snapshot reader must not hold up a writer, nor see its commit. */
struct nested {
	struct store	*store;
	struct job	*job;
	int		 write_result;
	int		 seen_progress;
};

static int
read_then_write(struct store_txn *txn, void *arg)
{
	struct nested	*n = arg;
	struct job	 j;
	char		 e[256];
	int		 r;

	if ((r = jobs_get(txn, n->job->id, &j)) != 0)
		return r;
	n->job->progress = 99;
	n->write_result = store_write(n->store, 0, test_job_update, n->job, e,
	    sizeof e);
	/* Still the snapshot from before the write. */
	if ((r = jobs_get(txn, n->job->id, &j)) != 0)
		return r;
	n->seen_progress = (int)j.progress;
	return 0;
}

static void
test_snapshot_isolation(void)
{
	struct store	*s;
	struct job	 j;
	struct nested	 n;

	REQUIRE((s = open_store(0)) != NULL);
	test_job_make(&j, "erin", "DEMO");
	j.progress = 10;
	CHECK_INT(store_write(s, 0, test_job_create, &j, err, sizeof err), 0);
	n.store = s;
	n.job = &j;
	CHECK_INT(store_read(s, read_then_write, &n, err, sizeof err), 0);
	CHECK_INT(n.write_result, 0);
	CHECK_INT(n.seen_progress, 10);
	store_close(s);
}

struct history_query {
	struct history_entry	*entry;
	const char		*uid;
	struct collected	 out;
};

static int
create_entry(struct store_txn *txn, void *arg)
{
	return history_create(txn, arg);
}

static int
collect_entry(const struct history_entry *h, void *arg)
{
	struct collected	*c = arg;

	if (c->n < 64)
		snprintf(c->ids[c->n++], ID_MAX + 1, "%s", h->id);
	return 0;
}

static int
list_entries(struct store_txn *txn, void *arg)
{
	struct history_query	*q = arg;

	q->out.n = 0;
	return history_list(txn, q->uid, 0, collect_entry, &q->out);
}

static void
test_history(void)
{
	struct store		*s;
	struct history_entry	 h[3];
	struct history_query	 q;
	int			 i;

	REQUIRE((s = open_store(0)) != NULL);
	for (i = 0; i < 3; i++) {
		memset(&h[i], 0, sizeof h[i]);
		id_new(h[i].id);
		id_new(h[i].job_id);
		snprintf(h[i].uid, sizeof h[i].uid, "frank");
		h[i].completed_at = 1700000000 + i;
		CHECK_INT(store_write(s, 0, create_entry, &h[i], err,
		    sizeof err), 0);
	}
	memset(&q, 0, sizeof q);
	q.uid = "frank";
	CHECK_INT(store_read(s, list_entries, &q, err, sizeof err), 0);
	CHECK_INT(q.out.n, 3);
	CHECK_STR(q.out.ids[0], h[2].id);
	store_close(s);
}

struct trade_query {
	struct job	*job;
	struct trade	 t[4];
	uint32_t	 after;
	int		 n;
	uint32_t	 seqs[8];
};

static int
append_trades(struct store_txn *txn, void *arg)
{
	struct trade_query	*q = arg;

	return trades_append(txn, q->job, q->t, 4);
}

static int
collect_trade(const struct trade *t, void *arg)
{
	struct trade_query	*q = arg;

	if (q->n < 8)
		q->seqs[q->n++] = t->seq;
	return 0;
}

static int
list_trades(struct store_txn *txn, void *arg)
{
	struct trade_query	*q = arg;

	q->n = 0;
	return trades_list(txn, q->job->id, q->after, 0, collect_trade, q);
}

static int
clear_trades(struct store_txn *txn, void *arg)
{
	struct trade_query	*q = arg;

	return trades_clear(txn, q->job);
}

static void
test_trades(void)
{
	struct store		*s;
	struct trade_query	 q;
	struct job		 j;
	int			 i;

	REQUIRE((s = open_store(0)) != NULL);
	test_job_make(&j, "gina", "DEMO");
	memset(&q, 0, sizeof q);
	q.job = &j;
	for (i = 0; i < 4; i++) {
		q.t[i].seq = (uint32_t)i + 1;
		q.t[i].side = i % 2 ? TRADE_SELL : TRADE_BUY;
		q.t[i].price = 100 + i;
		q.t[i].quantity = 10;
	}
	CHECK_INT(store_write(s, 0, append_trades, &q, err, sizeof err), 0);
	CHECK_INT(store_read(s, list_trades, &q, err, sizeof err), 0);
	CHECK_INT(q.n, 4);
	CHECK_INT(q.seqs[0], 1);
	CHECK_INT(q.seqs[3], 4);
	q.after = 2;
	CHECK_INT(store_read(s, list_trades, &q, err, sizeof err), 0);
	CHECK_INT(q.n, 2);
	CHECK_INT(q.seqs[0], 3);
	j.trade_count = 4;
	CHECK_INT(store_write(s, 0, clear_trades, &q, err, sizeof err), 0);
	q.after = 0;
	CHECK_INT(store_read(s, list_trades, &q, err, sizeof err), 0);
	CHECK_INT(q.n, 0);
	store_close(s);
}

struct bar_query {
	enum interval	 iv;
	int64_t		 from;
	int64_t		 to;
	struct bar	 bars[64];
	int		 n;
};

static int
collect_bar(const struct bar *b, void *arg)
{
	struct bar_query	*q = arg;

	if (q->n < 64)
		q->bars[q->n] = *b;
	q->n++;
	return 0;
}

static int
query_bars(struct store_txn *txn, void *arg)
{
	struct bar_query	*q = arg;

	q->n = 0;
	return bars_query(txn, "ACME", q->iv, q->from, q->to, collect_bar, q);
}

static void
test_bars(void)
{
	struct store		*s;
	struct bar		 minutes[20], bad[2];
	struct bar_query	 q;
	int64_t			 day;
	int			 i;

	REQUIRE((s = open_store(0)) != NULL);
	/* Ten minutes from 09:15 on two days: resampling anchors at 09:15. */
	REQUIRE(date_parse("2024-01-02", &day) == 0);
	for (i = 0; i < 20; i++) {
		struct bar *b = &minutes[i];

		b->time = day + (i / 10) * SECONDS_PER_DAY + 9 * 3600 +
		    15 * 60 + (i % 10) * 60;
		b->open = 100 + i;
		b->high = 101 + i;
		b->low = 99 + i;
		b->close = 100.5 + i;
		b->volume = 10;
	}
	CHECK_INT(bars_import(s, "ACME", INTERVAL_MINUTE, minutes, 20, NULL,
	    NULL, err, sizeof err), 0);

	memset(&q, 0, sizeof q);
	q.iv = INTERVAL_MINUTE;
	q.from = day;
	q.to = day + 2 * SECONDS_PER_DAY;
	CHECK_INT(store_read(s, query_bars, &q, err, sizeof err), 0);
	CHECK_INT(q.n, 20);

	q.iv = INTERVAL_3MINUTE;
	CHECK_INT(store_read(s, query_bars, &q, err, sizeof err), 0);
	CHECK_INT(q.n, 8);	/* 4 buckets a day: 3+3+3+1 minutes */
	CHECK_INT(q.bars[0].time, day + 9 * 3600 + 15 * 60);
	CHECK_INT(q.bars[1].time, day + 9 * 3600 + 18 * 60);
	CHECK_NEAR(q.bars[0].open, 100, 0);
	CHECK_NEAR(q.bars[0].close, 102.5, 0);
	CHECK_NEAR(q.bars[0].high, 103, 0);
	CHECK_NEAR(q.bars[0].volume, 30, 0);

	q.iv = INTERVAL_DAY;
	CHECK_INT(store_read(s, query_bars, &q, err, sizeof err), 0);
	CHECK_INT(q.n, 2);
	CHECK_INT(q.bars[1].time, day + SECONDS_PER_DAY);

	/* Out of order input imports nothing. */
	bad[0] = minutes[5];
	bad[1] = minutes[4];
	bad[0].close = bad[1].close = 1;
	CHECK(bars_import(s, "ACME", INTERVAL_MINUTE, bad, 2, NULL, NULL, err,
	    sizeof err) != 0);
	q.iv = INTERVAL_MINUTE;
	CHECK_INT(store_read(s, query_bars, &q, err, sizeof err), 0);
	CHECK_NEAR(q.bars[4].close, 104.5, 0);

	/* Re-importing a bar replaces it. */
	minutes[3].close = 100.25;
	CHECK_INT(bars_import(s, "ACME", INTERVAL_MINUTE, &minutes[3], 1,
	    NULL, NULL, err, sizeof err), 0);
	CHECK_INT(store_read(s, query_bars, &q, err, sizeof err), 0);
	CHECK_INT(q.n, 20);
	CHECK_NEAR(q.bars[3].close, 100.25, 0);
	store_close(s);
}

static void
test_notify_across_processes(void)
{
	struct notify	*n;
	uint32_t	 w, seen;
	pid_t		 pid;
	int		 status;

	REQUIRE((n = notify_open(dir, err, sizeof err)) != NULL);
	w = notify_user_word("hank");
	CHECK(w != NOTIFY_QUEUE);
	seen = notify_value(n, w);
	if ((pid = fork()) == 0) {
		usleep(50000);
		notify_bump(n, w);
		_exit(0);
	}
	/* Wakes on the bump: the timeout is a hang guard. */
	CHECK_INT(notify_wait(n, w, seen, 120000), 0);
	CHECK(notify_value(n, w) != seen);
	waitpid(pid, &status, 0);
	seen = notify_value(n, w);
	CHECK_INT(notify_wait(n, w, seen, 10), -1);
	CHECK_INT(errno, ETIMEDOUT);
	notify_close(n);
}

static int
wake_many(struct store_txn *txn, void *arg)
{
	uint32_t	w;

	(void)arg;
	for (w = 1; w <= 40; w++)
		store_txn_wake(txn, w);
	return 0;
}

/*
 * A commit that wakes more users than it lists wakes every word, but not
 * the generation: moving it would send every process of the store
 * through a reopen, as if a recovery had made its handles stale.
 */
static void
test_wake_all_keeps_generation(void)
{
	struct store	*s;
	struct notify	*n;
	uint32_t	 gen, word;

	REQUIRE((s = open_store(0)) != NULL);
	n = store_notify(s);
	gen = notify_value(n, NOTIFY_GENERATION);
	word = notify_value(n, 500);
	CHECK_INT(store_write(s, 0, wake_many, NULL, err, sizeof err), 0);
	CHECK(notify_value(n, 500) != word);
	CHECK(notify_value(n, NOTIFY_GENERATION) == gen);
	store_close(s);
}

static int
read_head(struct store_txn *txn, void *arg)
{
	return changelog_head(txn, arg);
}

static int
fake_boot(struct store_txn *txn, void *arg)
{
	DB	*db = store_db(txn, STORE_META);
	DBT	 key, data;

	(void)arg;
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = "boot";
	key.size = 4;
	data.data = "another-boot";
	data.size = 12;
	return db->put(db, txn->tid, &key, &data, 0);
}

/* After a reboot, numbers jump past any the lost log tail had given out. */
static void
test_reboot_gap(void)
{
	struct store	*s;
	uint64_t	 before, after;

	REQUIRE((s = open_store(0)) != NULL);
	CHECK_INT(store_read(s, read_head, &before, err, sizeof err), 0);
	CHECK_INT(store_write(s, 0, fake_boot, NULL, err, sizeof err), 0);
	store_close(s);
	REQUIRE((s = open_store(0)) != NULL);
	CHECK_INT(store_read(s, read_head, &after, err, sizeof err), 0);
	CHECK(after >= before + (UINT64_C(1) << 24));
	store_close(s);
	/* A normal reopen keeps the numbers. */
	REQUIRE((s = open_store(0)) != NULL);
	CHECK_INT(store_read(s, read_head, &before, err, sizeof err), 0);
	CHECK_INT(before, after);
	store_close(s);
}

struct user_head {
	const char	*uid;
	uint64_t	 useq;
};

static int
read_user_head(struct store_txn *txn, void *arg)
{
	struct user_head	*h = arg;

	return changelog_user_head(txn, h->uid, &h->useq);
}

static int
put_format(struct store_txn *txn, void *arg)
{
	DB	*db = store_db(txn, STORE_META);
	DBT	 key, data;

	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = "format";
	key.size = 6;
	data.data = arg;
	data.size = 1;
	return db->put(db, txn->tid, &key, &data, 0);
}

static int
get_format(struct store_txn *txn, void *arg)
{
	DB	*db = store_db(txn, STORE_META);
	DBT	 key, data;

	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = "format";
	key.size = 6;
	data.data = arg;
	data.ulen = 1;
	data.flags = DB_DBT_USERMEM;
	return db->get(db, txn->tid, &key, &data, 0);
}

/*
 * A user's own numbers jump after a reboot too, and never for another
 * user's changes; a format-1 store is upgraded on open.
 */
static void
test_user_numbers(void)
{
	struct store		*s;
	struct user_head	 h = { "grace", 0 };
	struct job		 a, b;
	unsigned char		 fmt = 1;

	REQUIRE((s = open_store(0)) != NULL);
	CHECK_INT(store_read(s, read_user_head, &h, err, sizeof err), 0);
	CHECK_INT(h.useq, 0);
	test_job_make(&a, "grace", "DEMO");
	test_job_make(&b, "heidi", "DEMO");
	CHECK_INT(store_write(s, 0, test_job_create, &a, err, sizeof err), 0);
	CHECK_INT(store_write(s, 0, test_job_create, &b, err, sizeof err), 0);
	CHECK_INT(store_write(s, 0, test_job_update, &b, err, sizeof err), 0);
	CHECK_INT(store_write(s, 0, test_job_update, &a, err, sizeof err), 0);
	CHECK_INT(store_read(s, read_user_head, &h, err, sizeof err), 0);
	CHECK_INT(h.useq, 2);
	CHECK_INT(store_write(s, 0, fake_boot, NULL, err, sizeof err), 0);
	store_close(s);
	REQUIRE((s = open_store(0)) != NULL);
	CHECK_INT(store_write(s, 0, test_job_update, &a, err, sizeof err), 0);
	CHECK_INT(store_read(s, read_user_head, &h, err, sizeof err), 0);
	CHECK(h.useq >= 3 + (UINT64_C(1) << 24));

	CHECK_INT(store_write(s, 0, put_format, &fmt, err, sizeof err), 0);
	store_close(s);
	REQUIRE((s = open_store(0)) != NULL);
	CHECK_INT(store_read(s, get_format, &fmt, err, sizeof err), 0);
	CHECK_INT(fmt, 2);
	store_close(s);
}

/* Sleeps ms inside a store operation, through the watchdog's signals. */
static int
sleep_inside(struct store_txn *txn, void *arg)
{
	struct timespec	ts;
	int		ms = *(int *)arg;

	(void)txn;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	return 0;
}

/* Spins ms inside a store operation, as a livelocked reader would. */
static int
spin_inside(struct store_txn *txn, void *arg)
{
	int64_t	end = mono_ms() + *(int *)arg;

	(void)txn;
	while (mono_ms() < end)
		;
	return 0;
}

/*
 * A child that opens the store, says so with a byte on ready_fd and waits
 * for one on go_fd (-1: neither), and runs one operation of ms (fn:
 * sleep_inside or spin_inside).
 */
static pid_t
spawn_op(int (*fn)(struct store_txn *, void *), int ms, int ready_fd,
    int go_fd)
{
	struct store	*s;
	pid_t		 pid;
	char		 c;
	int		 r;

	if ((pid = fork()) == 0) {
		if ((s = store_open(&cfg, 0, err, sizeof err)) == NULL)
			_exit(2);
		if (ready_fd != -1 && write(ready_fd, "r", 1) != 1)
			_exit(3);
		if (go_fd != -1 && read(go_fd, &c, 1) != 1)
			_exit(3);
		r = store_read(s, fn, &ms, err, sizeof err);
		/*
		 * Leaving the store as a process does: one that only exits
		 * is one that died, to the next test's watchdog.
		 */
		store_close(s);
		_exit(r == 0 ? 0 : 4);
	}
	if (pid == -1)
		TEST_FAIL("fork: %s", strerror(errno));
	return pid;
}

static pid_t
spawn_slow(int ms, int ready_fd, int go_fd)
{
	return spawn_op(sleep_inside, ms, ready_fd, go_fd);
}

/* How pid ended: its exit status, or 128 + the signal (-1: no child). */
static int
status_of(pid_t pid)
{
	int	status;

	if (pid == -1)
		return -1;
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* As the watchdog tells it: a minute's load above twice the cores. */
static int
machine_loaded(void)
{
	double	 load = 0;
	FILE	*f;

	if ((f = fopen("/proc/loadavg", "r")) == NULL)
		return 0;
	if (fscanf(f, "%lf", &load) != 1)
		load = 0;
	fclose(f);
	return (long)load > 2 * sysconf(_SC_NPROCESSORS_ONLN);
}

/*
 * With a stall timeout of stall ms and this process registered beside it
 * (and alive), a child's operation of ms ends with status want; a 75 may
 * be 0 on a machine loaded past twice its cores, where stalls are waited
 * for.
 */
static void
check_stall_all_alive(int stall, int ms, int want)
{
	struct store	*s;
	int64_t		 saved = cfg.stall_timeout;
	int		 got;

	cfg.stall_timeout = stall;
	REQUIRE((s = open_store(0)) != NULL);
	got = status_of(spawn_slow(ms, -1, -1));
	if (want == 75 && got == 0 && machine_loaded())
		fprintf(stderr, "(the machine is overloaded: the stall was "
		    "waited for)\n");
	else
		CHECK_INT(got, want);
	store_close(s);
	cfg.stall_timeout = saved;
}

/*
 * An operation that outlives the stall timeout while every process of the
 * store is alive is only slow (a loaded machine): it is waited for.  It
 * ends 5.5 s before four stall timeouts, a margin no load spends.
 */
static void
test_stall_while_all_alive(void)
{
	check_stall_all_alive(2000, 2500, 0);
}

/*
 * Four stall timeouts is as long as it is waited for while nothing else of
 * the store gets through, on a machine not overloaded: then it exits 75.
 * The operation would last 30 s, so that late timers (a loaded machine)
 * still find it going.
 */
static void
test_stall_past_the_limit(void)
{
	check_stall_all_alive(1000, 30000, 75);
}

static int
quick_read(struct store_txn *txn, void *arg)
{
	(void)txn;
	(void)arg;
	return 0;
}

/*
 * With a stall timeout of 1 s, a child's operation of ms (fn), while this
 * process keeps getting operations through the store, ends with want.
 */
static void
stall_while_moving(int (*fn)(struct store_txn *, void *), int ms, int want)
{
	struct store	*s;
	int64_t		 saved = cfg.stall_timeout;
	pid_t		 pid;
	int		 status = -1;

	cfg.stall_timeout = 1000;
	REQUIRE((s = open_store(0)) != NULL);
	pid = spawn_op(fn, ms, -1, -1);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		CHECK_INT(store_read(s, quick_read, NULL, err, sizeof err), 0);
		usleep(100000);
	}
	store_close(s);
	cfg.stall_timeout = saved;
	CHECK_INT(WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
	    WTERMSIG(status), want);
}

/*
 * Past four timeouts, an operation is still only slow while the rest of
 * the store gets through (a machine loaded far past its cores).
 */
static void
test_stall_while_the_store_moves(void)
{
	stall_while_moving(sleep_inside, 6000, 0);
}

/* One that spins, spending a timeout of CPU, is stuck all the same. */
static void
test_stall_spinning(void)
{
	stall_while_moving(spin_inside, 20000, 75);
}

/* One that stalls after a process of the store died exits 75 for recovery. */
static void
test_stall_after_a_death(void)
{
	struct store	*s;
	pid_t		 slow, dead;
	int64_t		 saved = cfg.stall_timeout;
	int		 ready[2], go[2];
	char		 c;

	cfg.stall_timeout = 1000;
	REQUIRE(pipe(ready) == 0 && pipe(go) == 0);
	REQUIRE((s = open_store(0)) != NULL);
	slow = spawn_slow(10000, ready[1], go[0]);
	close(ready[1]);
	close(go[0]);
	/*
	 * Inside before the death: an open after it would recover the
	 * environment, which clears the dead process's line.
	 */
	CHECK_INT(read(ready[0], &c, 1), 1);
	close(ready[0]);
	/* Registered, then gone without leaving, as a SIGKILL leaves it. */
	if ((dead = fork()) == 0) {
		if (store_open(&cfg, 0, err, sizeof err) == NULL)
			_exit(2);
		raise(SIGKILL);
	}
	CHECK_INT(status_of(dead), 128 + SIGKILL);
	CHECK_INT(write(go[1], "g", 1), 1);
	close(go[1]);
	CHECK_INT(status_of(slow), 75);
	store_close(s);
	cfg.stall_timeout = saved;
}

/* Shared by the readers of test_readers_take_turns. */
struct inside {
	int	now, most, done;
};

static int
read_slowly(struct store_txn *txn, void *arg)
{
	struct inside	*in = arg;
	int		 now;

	(void)txn;
	now = __atomic_add_fetch(&in->now, 1, __ATOMIC_SEQ_CST);
	if (now > __atomic_load_n(&in->most, __ATOMIC_SEQ_CST))
		__atomic_store_n(&in->most, now, __ATOMIC_SEQ_CST);
	usleep(20000);
	__atomic_sub_fetch(&in->now, 1, __ATOMIC_SEQ_CST);
	return 0;
}

/*
 * However many processes read at once, no more than store_readers are
 * inside the store together; the others wait their turn and all get
 * through.
 */
static void
test_readers_take_turns(void)
{
	struct inside	*in;
	pid_t		 pids[8];
	int		 i, k, status;

	in = mmap(NULL, sizeof *in, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	REQUIRE(in != MAP_FAILED);
	memset(in, 0, sizeof *in);
	cfg.store_readers = 2;
	for (i = 0; i < 8; i++) {
		if ((pids[i] = fork()) == 0) {
			struct store	*s;

			if ((s = store_open(&cfg, 0, err, sizeof err)) == NULL)
				_exit(2);
			for (k = 0; k < 4; k++) {
				if (store_read(s, read_slowly, in, err,
				    sizeof err) != 0)
					_exit(3);
				__atomic_add_fetch(&in->done, 1,
				    __ATOMIC_SEQ_CST);
			}
			store_close(s);
			_exit(0);
		}
		REQUIRE(pids[i] != -1);
	}
	for (i = 0; i < 8; i++) {
		CHECK(waitpid(pids[i], &status, 0) == pids[i]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK_INT(in->done, 32);
	CHECK(in->most >= 1 && in->most <= 2);
	cfg.store_readers = 0;
	munmap(in, sizeof *in);
}

/*
 * A reader's slot held by a process that dies is free again: with one
 * slot, held by a child that is then killed, a read gets through (and
 * would wait for ever otherwise, ended by the test's time limit).
 */
static void
test_reader_slot_of_the_dead(void)
{
	struct store	*s;
	char		 path[4096], c;
	int		 p[2], fd, status;
	pid_t		 pid;

	snprintf(path, sizeof path, "%s/%s", dir, STORE_READERS_FILE);
	/* Opened first: opening reads the store too. */
	cfg.store_readers = 1;
	REQUIRE((s = open_store(0)) != NULL);
	REQUIRE(pipe(p) == 0);
	if ((pid = fork()) == 0) {
		if ((fd = open(path, O_RDWR | O_CREAT, 0660)) == -1 ||
		    bytelock_set(fd, F_WRLCK, 0, 0) == -1)
			_exit(2);
		(void)write(p[1], "x", 1);
		pause();
		_exit(0);
	}
	REQUIRE(pid != -1);
	close(p[1]);
	REQUIRE(read(p[0], &c, 1) == 1);
	close(p[0]);
	REQUIRE((fd = open(path, O_RDWR)) != -1);
	CHECK_INT(bytelock_held(fd, 0), 1);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK_INT(store_read(s, quick_read, NULL, err, sizeof err), 0);
	close(fd);
	store_close(s);
	cfg.store_readers = 0;
}

/* A store as far as its owner's file goes: no environment. */
static void
fake_store(struct store *s, int owner, pid_t pid)
{
	memset(s, 0, sizeof *s);
	s->dir = dir;
	s->owner = -1;
	s->repl = 1;
	s->repl_owner = owner;
	s->pid = pid;
	s->starttime = 1234;
}

/*
 * One backstream-repd per store, and a process stuck behind a dead owner
 * learns that it is gone: its lock is free, or a new owner's record is in
 * the file.
 */
static void
test_owner(void)
{
	struct store	a, b, c, r;

	fake_store(&a, 1, getpid());
	fake_store(&b, 1, getpid() + 1);
	fake_store(&r, 0, getpid());
	CHECK_INT(store_owner_open(&a, err, sizeof err), 0);
	CHECK_INT(store_owner_open(&b, err, sizeof err), -1);
	CHECK(strstr(err, "another backstream-repd runs") != NULL);
	store_owner_close(&b);
	CHECK_INT(store_owner_open(&r, err, sizeof err), 0);
	store_owner_note(&r);
	CHECK_INT(store_owner_gone(&r), 0);
	CHECK_INT(store_owner_gone(&a), 0);
	store_owner_close(&a);
	CHECK_INT(store_owner_gone(&r), 1);
	fake_store(&c, 1, getpid() + 2);
	CHECK_INT(store_owner_open(&c, err, sizeof err), 0);
	CHECK_INT(store_owner_gone(&r), 1);
	store_owner_note(&r);
	CHECK_INT(store_owner_gone(&r), 0);
	store_owner_close(&c);
	store_owner_close(&r);
}

/*
 * A read-only store (a stream responder's) reads every table, writes none
 * but the meta table, and records a new boot itself when it is the first
 * to open after one.
 */
static void
test_read_only(void)
{
	struct store		*s, *ro;
	struct list_query	 q = { "ivan", -1, 0, { .n = 0 } };
	struct job		 j;
	uint64_t		 before, after;

	REQUIRE((s = open_store(0)) != NULL);
	test_job_make(&j, "ivan", "DEMO");
	CHECK_INT(store_write(s, 0, test_job_create, &j, err, sizeof err), 0);
	CHECK_INT(store_read(s, read_head, &before, err, sizeof err), 0);
	CHECK_INT(store_write(s, 0, fake_boot, NULL, err, sizeof err), 0);
	store_close(s);
	REQUIRE((ro = open_store(STORE_READONLY)) != NULL);
	CHECK_INT(store_read(ro, read_head, &after, err, sizeof err), 0);
	CHECK(after >= before + (UINT64_C(1) << 24));
	CHECK_INT(store_read(ro, list_jobs, &q, err, sizeof err), 0);
	CHECK_INT(q.out.n, 1);
	CHECK_STR(q.out.ids[0], j.id);
	CHECK(store_write(ro, 0, test_job_update, &j, err, sizeof err) != 0);
	store_close(ro);
	/* The boot is recorded: a writer's open keeps the numbers. */
	REQUIRE((s = open_store(0)) != NULL);
	CHECK_INT(store_read(s, read_head, &before, err, sizeof err), 0);
	CHECK_INT(before, after);
	store_close(s);
}

static void
test_verify(void)
{
	CHECK_INT(store_verify(&cfg, err, sizeof err), 0);
	if (err[0] != '\0')
		TEST_FAIL("verify: %s", err);
}

int
main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "open_requires_init", test_open_requires_init },
		{ "jobs", test_jobs },
		{ "changelog", test_changelog },
		{ "snapshot_isolation", test_snapshot_isolation },
		{ "history", test_history },
		{ "trades", test_trades },
		{ "bars", test_bars },
		{ "notify_across_processes", test_notify_across_processes },
		{ "wake_all_keeps_generation", test_wake_all_keeps_generation },
		{ "reboot_gap", test_reboot_gap },
		{ "user_numbers", test_user_numbers },
		{ "read_only", test_read_only },
		{ "readers_take_turns", test_readers_take_turns },
		{ "reader_slot_of_the_dead", test_reader_slot_of_the_dead },
		{ "owner", test_owner },
		{ "stall_while_all_alive", test_stall_while_all_alive },
		{ "stall_past_the_limit", test_stall_past_the_limit },
		{ "stall_while_the_store_moves",
		    test_stall_while_the_store_moves },
		{ "stall_spinning", test_stall_spinning },
		{ "stall_after_a_death", test_stall_after_a_death },
		{ "verify", test_verify },
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
