/* test-kill.c: readers and writers SIGKILLed at random moments; the others must go on and the store stay whole. */
#include "config.h"

#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "changelog.h"
#include "conf.h"
#include "ids.h"
#include "log.h"
#include "mstime.h"
#include "store-history.h"
#include "store-jobs.h"
#include "store-trades.h"
#include "store.h"
#include "test.h"
#include "xmalloc.h"

/*
 * Usage: test-kill [SECONDS]  (default 8; "make check-long" runs longer)
 *
 * Writers create jobs, update them and append trades (job and trades in
 * one transaction, so a job's trade_count must always equal its stored
 * trades); readers list jobs, follow the change log and read trades.  The
 * parent kills a random worker every few tens of milliseconds and starts
 * a new one.  Once the kills stop, every worker must make progress again
 * (one stuck behind a killed process exits 75 through its watchdog and is
 * replaced): one that never does is a hang.  HANG_MS only bounds that
 * wait, and a worker's silence during the kills: far longer than the
 * watchdog's four stall timeouts, so that a slow machine never reaches it.
 * At the end the store must verify clean and be logically consistent.
 */

#define WRITERS		3
#define READERS		3
#define WORKERS		(WRITERS + READERS)
#define STALL_MS	3000
#define HANG_MS		120000

struct shared {
	volatile uint64_t	ops[WORKERS];
	volatile int64_t	last_ms[WORKERS];
};

static struct conf	 cfg;
static struct shared	*shm;

static void
progress(int slot)
{
	shm->ops[slot]++;
	shm->last_ms[slot] = mono_ms();
}

struct write_op {
	struct job	job;
	int		trades;
};

static int
create(struct store_txn *txn, void *arg)
{
	struct write_op	*op = arg;

	return jobs_create(txn, &op->job);
}

/* Appends trades and the matching count to the job: both or neither. */
static int
advance(struct store_txn *txn, void *arg)
{
	struct write_op	*op = arg;
	struct job	 j;
	struct trade	 t[3];
	int		 i, r;

	if ((r = jobs_get_for_update(txn, op->job.id, &j)) != 0)
		return r;
	memset(t, 0, sizeof t);
	for (i = 0; i < op->trades; i++) {
		t[i].seq = j.trade_count + (uint32_t)i + 1;
		t[i].side = t[i].seq % 2 ? TRADE_BUY : TRADE_SELL;
		t[i].price = 100 + i;
		t[i].quantity = 1;
	}
	if ((r = trades_append(txn, &j, t, (size_t)op->trades)) != 0)
		return r;
	j.trade_count += (uint32_t)op->trades;
	j.progress += 1;
	j.status = JOB_RUNNING;
	return jobs_update(txn, &j);
}

static int
remove_job(struct store_txn *txn, void *arg)
{
	struct write_op	*op = arg;
	struct job	 j;
	int		 r;

	if ((r = jobs_get_for_update(txn, op->job.id, &j)) != 0)
		return r;
	if ((r = trades_clear(txn, &j)) != 0)
		return r;
	return jobs_remove(txn, &j);
}

/* A worker whose store operation fails (not killed, not stalled) fails the test. */
static void
must(int r, const char *who, int slot, const char *err)
{
	if (r != 0) {
		fprintf(stderr, "%s %d: %s\n", who, slot, err);
		_exit(3);
	}
}

static void
writer(int slot, struct store *s)
{
	struct write_op	op;
	char		err[256];
	int		i;

	for (;;) {
		memset(&op, 0, sizeof op);
		id_new(op.job.id);
		snprintf(op.job.uid, sizeof op.job.uid, "user%d", rand() % 4);
		snprintf(op.job.spec.symbol, sizeof op.job.spec.symbol, "K");
		must(store_write(s, 0, create, &op, err, sizeof err), "writer",
		    slot, err);
		progress(slot);
		for (i = 0; i < 5; i++) {
			op.trades = 1 + rand() % 3;
			must(store_write(s, 0, advance, &op, err, sizeof err),
			    "writer", slot, err);
			progress(slot);
		}
		if (rand() % 3 == 0) {
			must(store_write(s, 0, remove_job, &op, err,
			    sizeof err), "writer", slot, err);
			progress(slot);
		}
	}
}

struct read_op {
	char		uid[16];
	int		jobs;
	uint64_t	last;
	int		changes;
};

static int
count_job(const struct job *j, void *arg)
{
	struct read_op	*op = arg;

	(void)j;
	op->jobs++;
	return 0;
}

static int
count_change(const struct change *c, void *arg)
{
	struct read_op	*op = arg;

	if (c->seq <= op->last)
		return EIO;	/* the log must only move forward */
	op->last = c->seq;
	op->changes++;
	return 0;
}

static int
read_all(struct store_txn *txn, void *arg)
{
	struct read_op	*op = arg;
	uint64_t	 start = op->last;
	int		 r;

	op->jobs = op->changes = 0;
	if ((r = jobs_list(txn, op->uid, -1, 20, count_job, op)) != 0)
		return r;
	r = changelog_read_since(txn, op->uid, start, count_change, op);
	if (r != 0)
		op->last = start;
	return r;
}

static void
reader(int slot, struct store *s)
{
	struct read_op	op;
	char		err[256];

	memset(&op, 0, sizeof op);
	for (;;) {
		snprintf(op.uid, sizeof op.uid, "user%d", rand() % 4);
		op.last = 0;
		must(store_read(s, read_all, &op, err, sizeof err), "reader",
		    slot, err);
		progress(slot);
	}
}

static pid_t
spawn(int slot)
{
	struct store	*s;
	char		 err[512];
	pid_t		 pid;

	if ((pid = fork()) != 0)
		return pid;
	srand((unsigned)(getpid() ^ time(NULL)));
	signal(SIGALRM, SIG_DFL);
	alarm(0);
	if ((s = store_open(&cfg, 0, err, sizeof err)) == NULL) {
		fprintf(stderr, "worker %d: %s\n", slot, err);
		_exit(3);
	}
	progress(slot);
	if (slot < WRITERS)
		writer(slot, s);
	reader(slot, s);
	_exit(0);
}

/* ---- the consistency check at the end ---------------------------------- */

struct check {
	struct store_txn	*txn;
	int			 jobs;
	int			 bad;
	uint32_t		 counted;
};

static int
count_trade(const struct trade *t, void *arg)
{
	struct check	*c = arg;

	(void)t;
	c->counted++;
	return 0;
}

static int
check_job(const struct job *j, void *arg)
{
	struct check	*c = arg;
	int		 r;

	c->jobs++;
	c->counted = 0;
	if ((r = trades_list(c->txn, j->id, 0, 0, count_trade, c)) != 0)
		return r;
	if (c->counted != j->trade_count) {
		fprintf(stderr, "job %s: %u trades stored, count says %u\n",
		    j->id, c->counted, j->trade_count);
		c->bad++;
	}
	return 0;
}

static int
check_all(struct store_txn *txn, void *arg)
{
	struct check	*c = arg;
	char		 uid[16];
	int		 i, r;

	c->txn = txn;
	c->jobs = c->bad = 0;
	for (i = 0; i < 4; i++) {
		snprintf(uid, sizeof uid, "user%d", i);
		if ((r = jobs_list(txn, uid, -1, 0, check_job, c)) != 0)
			return r;
	}
	return 0;
}

/* Opens the store, checks it whole and consistent; returns an exit status. */
static int
final_check(void)
{
	struct check	 c;
	struct store	*s;
	char		 err[512];

	alarm(0);
	if ((s = store_open(&cfg, 0, err, sizeof err)) == NULL) {
		fprintf(stderr, "final open: %s\n", err);
		return 1;
	}
	memset(&c, 0, sizeof c);
	if (store_read(s, check_all, &c, err, sizeof err) != 0) {
		fprintf(stderr, "final check: %s\n", err);
		return 1;
	}
	printf("# %d jobs checked, %d inconsistent\n", c.jobs, c.bad);
	store_close(s);
	if (store_verify(&cfg, err, sizeof err) != 0) {
		fprintf(stderr, "verify: %s\n", err);
		return 1;
	}
	return c.bad == 0 ? 0 : 1;
}

/*
 * Replaces workers that ended by themselves (the watchdog's 75, counted in
 * stalls); returns -1 if one ended otherwise.
 */
static int
reap_ended(pid_t *pids, int *stalls)
{
	int	status, r = 0;

	for (int k = 0; k < WORKERS; k++) {
		if (waitpid(pids[k], &status, WNOHANG) != pids[k])
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 75)
			(*stalls)++;
		else {
			TEST_FAIL("worker %d ended with status %d", k, status);
			r = -1;
		}
		pids[k] = spawn(k);
	}
	return r;
}

/* Waits until every worker has made progress since now; -1 on a hang. */
static int
all_progress(pid_t *pids, int *stalls)
{
	uint64_t	before[WORKERS];
	int64_t		end = mono_ms() + HANG_MS;
	int		k;

	for (k = 0; k < WORKERS; k++)
		before[k] = shm->ops[k];
	for (;;) {
		if (reap_ended(pids, stalls) != 0)
			return -1;
		for (k = 0; k < WORKERS; k++)
			if (shm->ops[k] == before[k])
				break;
		if (k == WORKERS)
			return 0;
		if (mono_ms() > end) {
			TEST_FAIL("worker %d made no progress in %d s after "
			    "the kills stopped", k, HANG_MS / 1000);
			return -1;
		}
		usleep(10000);
	}
}

static void
test_kill_loop(int seconds)
{
	pid_t		 pids[WORKERS];
	int64_t		 end, t;
	uint64_t	 total_before, total;
	int		 i, status, kills = 0, stalls = 0, hung = 0;

	for (i = 0; i < WORKERS; i++)
		pids[i] = spawn(i);
	end = mono_ms() + seconds * 1000LL;
	total_before = 0;
	while ((t = mono_ms()) < end && !hung) {
		usleep((useconds_t)(20000 + rand() % 80000));
		i = rand() % WORKERS;
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &status, 0);
		kills++;
		pids[i] = spawn(i);
		if (reap_ended(pids, &stalls) != 0)
			hung = 1;
		for (int k = 0; k < WORKERS; k++) {
			if (shm->last_ms[k] != 0 &&
			    t - shm->last_ms[k] > HANG_MS) {
				TEST_FAIL("worker %d made no progress for %lld "
				    "ms", k, (long long)(t - shm->last_ms[k]));
				hung = 1;
			}
		}
	}
	if (!hung)
		all_progress(pids, &stalls);
	for (i = 0; i < WORKERS; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &status, 0);
	}
	total = 0;
	for (i = 0; i < WORKERS; i++)
		total += shm->ops[i];
	printf("# %d kills, %d stalled workers restarted, %llu operations\n",
	    kills, stalls, (unsigned long long)(total - total_before));
	CHECK(total > (uint64_t)kills);

	/*
	 * The last kill may have left a dead process holding a mutex: the
	 * first process to open may stall on it and exit 75, after which the
	 * next one recovers.  So the check runs in a child, and again once.
	 */
	for (i = 0; i < 2; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(final_check());
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 75)
			break;
	}
	CHECK(WIFEXITED(status));
	CHECK_INT(WEXITSTATUS(status), 0);
}

static int seconds = 8;

static void
run_kill_loop(void)
{
	test_kill_loop(seconds);
}

int
main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "kill_loop", run_kill_loop },
		{ NULL, NULL },
	};
	struct store	*s;
	char		*dir, err[512];
	int		 r;

	if (getenv("KILL_DEBUG") != NULL)
		log_set_level(LOG_LEVEL_DEBUG);
	if (argc > 1 && (seconds = atoi(argv[1])) <= 0)
		seconds = 8;
	dir = test_tmpdir();
	conf_defaults(&cfg);
	free(cfg.store_dir);
	cfg.store_dir = xstrdup(dir);
	cfg.max_processes = 200;
	cfg.cache_size = 8 * 1024 * 1024;
	cfg.stall_timeout = STALL_MS;
	cfg.lock_timeout = 200;
	shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return 99;
	memset((void *)shm, 0, sizeof *shm);
	if ((s = store_open(&cfg, STORE_CREATE, err, sizeof err)) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 99;
	}
	store_close(s);
	/* Past the kills, the wait for progress and the final checks. */
	r = test_main(1, argv, tests, (unsigned)seconds + 3 * HANG_MS / 1000);
	conf_free(&cfg);
	if (r != 0 && getenv("KEEP") != NULL)
		fprintf(stderr, "kept %s\n", dir);
	else
		test_rmtree(dir);
	free(dir);
	return r;
}
