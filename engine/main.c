/* main.c: backstream-engine, started by cron each minute: runs queued jobs, then exits. */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "changelog.h"
#include "claim.h"
#include "conf.h"
#include "job.h"
#include "log.h"
#include "mstime.h"
#include "notify.h"
#include "repl.h"
#include "run.h"
#include "store-jobs.h"
#include "store.h"

/* Exit statuses of a worker child. */
#define WORKER_RAN	0
#define WORKER_IDLE	10	/* nothing was queued */
#define WORKER_FAILED	1

/* The longest a worker's exit may go unnoticed. */
#define CHILD_POLL_MS	200

/*
 * A worker that fails (the store cannot be opened: a full or read-only
 * disk) is not replaced at once, or the coordinator would fork hundreds a
 * second: the pause doubles from SPAWN_PAUSE_MS up to SPAWN_PAUSE_MAX_MS.
 * With --once, the run gives up after ONCE_MAX_FAILURES in a row.
 */
#define SPAWN_PAUSE_MS	100
#define SPAWN_PAUSE_MAX_MS 2000
#define ONCE_MAX_FAILURES 3

/* Set by signal handlers; the only state shared with them. */
static volatile sig_atomic_t	stopping;
static volatile sig_atomic_t	child_exited;
/*
 * The coordinator's queue word, bumped by a stop: a signal that comes
 * between the loop's look at stopping and its sleep would otherwise go
 * unseen for a whole engine_poll.
 */
static struct notify *volatile	wake_on_stop;

static void
on_stop(int sig)
{
	int	saved = errno;

	(void)sig;
	stopping = 1;
	if (wake_on_stop != NULL)
		notify_bump(wake_on_stop, NOTIFY_QUEUE);
	errno = saved;
}

static void
on_child(int sig)
{
	(void)sig;
	child_exited = 1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: backstream-engine [-c FILE] [--once] [-q | -v]\n"
	    "Runs queued backtests.  Started by cron every minute; keeps "
	    "watching for new\njobs for engine_cycle seconds, finishes the "
	    "jobs it started, then exits.\n"
	    "  -c, --config FILE  configuration (default $BACKSTREAM_CONF or "
	    "%s)\n"
	    "  --once             run what is queued now, then exit\n"
	    "  -q, --quiet        log warnings and errors only (for cron)\n"
	    "  -v, --verbose      log at debug level\n", conf_default_path());
}

/* ---- the worker: one job in a child process ----------------------------- */

/*
 * A job runs in a child of its own: a crash takes only that job, and the
 * child, not the coordinator, owns the job, so a coordinator killed with
 * its children still running does not make their jobs look orphaned.
 */
static int
worker(const struct conf *cfg, struct store *parent)
{
	struct sigaction	 sa;
	struct store		*s;
	struct job		 job;
	char			 err[512];
	int64_t			 start;
	enum run_end		 end;
	int			 r;

	store_forget(parent);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGCHLD, SIG_DFL);
	if ((s = store_open(cfg, 0, err, sizeof err)) == NULL) {
		log_error("%s", err);
		return WORKER_FAILED;
	}
	if ((r = claim_next(s, &job, err, sizeof err)) != 0) {
		store_close(s);
		if (r == ENOENT)
			return WORKER_IDLE;
		log_error("claiming a job: %s", err);
		return WORKER_FAILED;
	}
	log_info("job %s: started (%s %s %s, attempt %u)", job.id,
	    job.spec.strategy, job.spec.symbol,
	    interval_name(job.spec.interval), job.attempts);
	start = mono_ms();
	end = run_job(s, &job, cfg->engine_bar_rate, &stopping, err,
	    sizeof err);
	switch (end) {
	case RUN_FINISHED:
		log_info("job %s: %s after %lld ms (%lld bars, %u "
		    "transactions)%s%s", job.id, job_status_name(job.status),
		    (long long)(mono_ms() - start), (long long)job.total_bars,
		    job.trade_count, job.status == JOB_FAILED ? ": " : "",
		    job.status == JOB_FAILED ? job.error_message : "");
		break;
	case RUN_GONE:
		log_info("job %s: deleted or taken over while running", job.id);
		break;
	case RUN_STOPPED:
		log_info("job %s: stopped; queued again", job.id);
		break;
	case RUN_ERROR:
		log_error("job %s: %s", job.id, err);
		store_close(s);
		return WORKER_FAILED;
	}
	store_close(s);
	return WORKER_RAN;
}

/* ---- the coordinator ------------------------------------------------------ */

struct engine {
	const struct conf	*cfg;
	struct store		*store;
	int			 once;
	int			 running;	/* worker children alive */
	int64_t			 last_orphan_check;
	int			 failures;	/* workers failed in a row */
	int64_t			 spawn_after;	/* no new worker before this */
};

static int
note_queued(const struct job *j, void *arg)
{
	(void)j;
	*(int *)arg = 1;
	return STORE_STOP;
}

static int
peek_queue(struct store_txn *txn, void *arg)
{
	*(int *)arg = 0;
	return jobs_scan_status(txn, JOB_QUEUED, note_queued, arg);
}

static void
recover_orphans(struct engine *e)
{
	char	err[512];
	int	found;

	e->last_orphan_check = mono_ms();
	if (claim_recover_orphans(e->store, (int)e->cfg->engine_crash_retries,
	    &found, err, sizeof err) != 0)
		log_error("looking for jobs of dead engines: %s", err);
	else if (found > 0)
		log_warn("%d job(s) of a dead engine process queued again or "
		    "failed", found);
}

static void
maintain(struct engine *e)
{
	char	err[512];
	int64_t	n;

	if (store_checkpoint(e->store, err, sizeof err) != 0)
		log_error("%s", err);
	n = changelog_trim(e->store, wall_ms() -
	    e->cfg->changelog_retention, err, sizeof err);
	if (n < 0)
		log_error("trimming the change log: %s", err);
	else if (n > 0)
		log_debug("trimmed %lld change-log records", (long long)n);
	recover_orphans(e);
}

static void
reap(struct engine *e)
{
	pid_t	pid;
	int64_t	pause;
	int	status;

	child_exited = 0;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		e->running--;
		if (WIFEXITED(status) && (WEXITSTATUS(status) == WORKER_RAN ||
		    WEXITSTATUS(status) == WORKER_IDLE)) {
			e->failures = 0;
			continue;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == WORKER_FAILED) {
			pause = SPAWN_PAUSE_MS << (e->failures < 5 ?
			    e->failures : 5);
			e->spawn_after = mono_ms() + (pause <
			    SPAWN_PAUSE_MAX_MS ? pause : SPAWN_PAUSE_MAX_MS);
			e->failures++;
		}
		/* A worker that crashed left its job running: take it back. */
		if (WIFSIGNALED(status))
			log_warn("worker %ld killed by signal %d", (long)pid,
			    WTERMSIG(status));
		else
			log_warn("worker %ld exited with status %d", (long)pid,
			    WEXITSTATUS(status));
		recover_orphans(e);
	}
}

static void
spawn(struct engine *e)
{
	pid_t	pid;

	fflush(NULL);
	if ((pid = fork()) == -1) {
		log_error("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		wake_on_stop = NULL;
		_exit(worker(e->cfg, e->store));
	}
	e->running++;
}

/* Returns 0, or 1 when a --once run gave up on failing workers. */
static int
run(struct engine *e)
{
	struct notify	*n = store_notify(e->store);
	char		 err[512];
	int64_t		 deadline, now, wait;
	uint32_t	 seen;
	int		 queued, gave_up = 0;

	deadline = mono_ms() + e->cfg->engine_cycle;
	wake_on_stop = n;
	for (;;) {
		if (child_exited)
			reap(e);
		now = mono_ms();
		/* Dead engines wake no one: their jobs are looked for. */
		if (now - e->last_orphan_check >= e->cfg->engine_poll)
			recover_orphans(e);
		if (e->once && e->failures >= ONCE_MAX_FAILURES && !gave_up) {
			log_error("%d workers in a row could not run a job; "
			    "giving up", e->failures);
			gave_up = 1;
		}
		/* Read the word before looking, so no submission slips by. */
		seen = notify_value(n, NOTIFY_QUEUE);
		queued = 0;
		if (!stopping && !gave_up && (e->once || now < deadline) &&
		    e->running < e->cfg->engine_workers &&
		    store_read(e->store, peek_queue, &queued, err,
		    sizeof err) != 0)
			log_error("reading the queue: %s", err);
		if (queued && !stopping && !gave_up && now >= e->spawn_after &&
		    (e->once || now < deadline) &&
		    e->running < e->cfg->engine_workers) {
			spawn(e);
			continue;
		}
		if (e->running == 0 && (stopping || gave_up ||
		    now >= deadline || (e->once && !queued)))
			break;
		wait = e->cfg->engine_poll;
		if (!e->once && deadline - now < wait && deadline > now)
			wait = deadline - now;
		if (queued && e->spawn_after > now && e->spawn_after - now < wait)
			wait = e->spawn_after - now;
		/*
		 * A submission bumps the word; a child's exit interrupts,
		 * unless it came just before the wait: then a short wait
		 * while workers run bounds the delay.
		 */
		if (e->running > 0 && wait > CHILD_POLL_MS)
			wait = CHILD_POLL_MS;
		/* Tests wait for this line before they submit. */
		if (e->running == 0 && !queued)
			log_debug("idle: waiting up to %lld ms for a submission",
			    (long long)wait);
		if (!child_exited)
			notify_wait(n, NOTIFY_QUEUE, seen, wait);
	}
	wake_on_stop = NULL;
	return gave_up;
}

/*
 * cron starts the engine on every node of a replication group; it runs
 * jobs only on the master, and after a failover the new master's engine
 * takes over what the old one left, as after a crash.  The look takes
 * no part in replication: a read-only open starts none of it.
 */
static int
is_master(const struct conf *cfg)
{
	struct store	*s;
	char		 err[1024];
	int		 master;

	if (!repl_enabled(cfg))
		return 1;
	if ((s = store_open(cfg, STORE_READONLY, err, sizeof err)) == NULL) {
		log_error("%s", err);
		return 0;
	}
	master = store_is_master(s);
	store_close(s);
	if (!master)
		log_debug("this node is a replica: the master runs the jobs");
	return master;
}

int
main(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction	 sa;
	struct engine		 e;
	struct conf		 cfg;
	const char		*path = NULL;
	char			 err[1024];
	int			 c, status, verbose = 0, quiet = 0;

	memset(&e, 0, sizeof e);
	while ((c = getopt_long(argc, argv, "c:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'o':
			e.once = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("backstream-engine %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("backstream-engine", LOG_LEVEL_INFO);
	if (conf_read(&cfg, path, err, sizeof err) != 0) {
		log_error("%s", err);
		conf_free(&cfg);
		return 3;
	}
	/*
	 * -q: cron mails whatever a run writes, and a line per job started
	 * and finished would make a mail of every minute that had work.
	 */
	if (verbose)
		log_set_level(LOG_LEVEL_DEBUG);
	else if (quiet && cfg.log_level > LOG_LEVEL_WARN)
		log_set_level(LOG_LEVEL_WARN);
	else
		log_set_level(cfg.log_level);
	log_use_file(cfg.log_file);

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* No SA_RESTART: a child's exit must cut the wait for the queue short. */
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);

	e.cfg = &cfg;
	if (!is_master(&cfg)) {
		conf_free(&cfg);
		return 0;
	}
	if ((e.store = store_open(&cfg, 0, err, sizeof err)) == NULL) {
		log_error("%s", err);
		conf_free(&cfg);
		return 3;
	}
	maintain(&e);
	status = run(&e);
	store_close(e.store);
	conf_free(&cfg);
	return status;
}
