/* bench-engine.c: the engine's real path timed: CSV import, a million minute bars per strategy from the store, progress writes under stream readers, cancel latency. */
#include "config.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-util.h"
#include "changelog.h"
#include "claim.h"
#include "conf.h"
#include "job.h"
#include "jobctl.h"
#include "json.h"
#include "log.h"
#include "notify.h"
#include "run.h"
#include "spec-parse.h"
#include "store-jobs.h"
#include "store.h"
#include "xmalloc.h"

/*
 * Usage: bench-engine [-n BARS] [-r READERS] [-w WRITES] [-k CANCELS]
 *
 * Everything happens in a store of its own in a temporary directory:
 *  1. a CSV of BARS minute bars (a random walk) is imported with
 *     "backstream import-bars", timed from outside;
 *  2. for each strategy, a job over all of them is claimed and run in
 *     this process by engine/run.c's run_job(), exactly as a worker does:
 *     bars read from the store, progress and transactions written (the
 *     median of three runs);
 *  3. the sma_crossover job once more through "backstream-engine --once"
 *     (process start, store open, maintenance, fork, claim, run);
 *  4. WRITES progress writes (what run_job writes ten times a second),
 *     with no reader and then with READERS processes standing in for
 *     stream responders: each sleeps on the user's notify word and, woken,
 *     reads the change log and the job in a store_read();
 *  5. the sma_crossover job with those readers attached;
 *  6. CANCELS cancels at random moments of a running sma_crossover job:
 *     the time from the cancel's commit to the job's "cancelled".
 * The programs are BACKSTREAM and ENGINE from the environment, else the
 * build tree's.
 */

#ifndef BACKSTREAM_PROGRAM
#define BACKSTREAM_PROGRAM	"backstream"
#endif
#ifndef ENGINE_PROGRAM
#define ENGINE_PROGRAM		"backstream-engine"
#endif

#define UID		"bench-user"
#define SYMBOL		"BENCH"
#define RUNS		3
#define MAX_READERS	1000

/* Shared with the reader processes (an anonymous shared mapping). */
struct shared {
	atomic_long	ready;			/* readers attached */
	atomic_long	reads;			/* store_reads done */
	atomic_llong	cpu_us[MAX_READERS];	/* each reader's CPU so far */
};

static struct conf	 cfg;
static struct store	*st;
static char		 dir[] = "/tmp/bench-engine.XXXXXX";
static char		 conf_file[64], csv_file[64];
static const char	*backstream = BACKSTREAM_PROGRAM;
static const char	*engine = ENGINE_PROGRAM;
static long		 nbars = 1000000;
/* Reader processes, stopped by die() too: none may outlive the bench. */
static pid_t		*readers;
static int		 nreaders_started;
static pid_t		 main_pid;

/* What die() does first in the main process. */
static void
stop_readers(void)
{
	while (nreaders_started > 0)
		kill(readers[--nreaders_started], SIGTERM);
	fprintf(stderr, "bench-engine: left %s behind\n", dir);
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
sleep_ms(double ms)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
compare_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, compare_double);
	return n == 0 ? 0 : v[n / 2];
}

static void
row(const char *what, const char *figure, const char *note)
{
	printf("%-44s %14s  %s\n", what, figure, note);
	fflush(stdout);
}

/* ---- setup ------------------------------------------------------------------ */

/* The same random walk as tests/engine.sh: mean-reverting around 100. */
static void
write_csv(const char *path, long n)
{
	FILE	*f;
	double	 p = 100, c, s = 42;
	long	 i;

	if ((f = fopen(path, "w")) == NULL)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "time,open,high,low,close,volume\n");
	for (i = 0; i < n; i++) {
		s = (double)((long long)s * 16807 % 2147483647);
		c = p * (1 + (s / 2147483647 - 0.5) / 500) + (100 - p) / 5000;
		fprintf(f, "%lld,%.2f,%.2f,%.2f,%.2f,%lld\n",
		    1577836800LL + 60 * (long long)i, p,
		    (p > c ? p : c) + 0.05, (p < c ? p : c) - 0.05, c,
		    (long long)s % 5000 + 100);
		p = c;
	}
	if (fclose(f) == EOF)
		die("%s: %s", path, strerror(errno));
}

/* Runs argv to its end, output discarded; returns its wall time in ms. */
static double
run_program(char *const argv[])
{
	double	t0 = now_ms();
	pid_t	pid;
	int	status, fd;

	fflush(NULL);
	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) != -1)
			dup2(fd, STDOUT_FILENO);
		execv(argv[0], argv);
		fprintf(stderr, "bench-engine: %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die("%s failed", argv[0]);
	return now_ms() - t0;
}

static void
setup(void)
{
	FILE	*f;
	char	 err[1024];

	if (mkdtemp(dir) == NULL)
		die("mkdtemp: %s", strerror(errno));
	snprintf(conf_file, sizeof conf_file, "%s/backstream.conf", dir);
	snprintf(csv_file, sizeof csv_file, "%s/bars.csv", dir);
	if ((f = fopen(conf_file, "w")) == NULL)
		die("%s: %s", conf_file, strerror(errno));
	/* Defaults but for these: the bench queues many jobs, logs little. */
	fprintf(f, "store_dir = %s/store\nmax_queued_jobs = 100000\n"
	    "log_level = warn\n", dir);
	fclose(f);
	if (conf_read(&cfg, conf_file, err, sizeof err) != 0)
		die("%s", err);
	log_set_level(LOG_LEVEL_WARN);
	if ((st = store_open(&cfg, STORE_CREATE, err, sizeof err)) == NULL)
		die("%s", err);
}

static void
cleanup(void)
{
	char	*argv[] = { "/bin/rm", "-rf", dir, NULL };

	store_close(st);
	conf_free(&cfg);
	run_program(argv);
}

/* ---- jobs ---------------------------------------------------------------------- */

/* Queues a job of strategy over every bar; returns it in *job. */
static void
submit(const char *strategy, struct job *job)
{
	struct job_spec	 spec;
	json_object	*obj;
	char		 text[512], err[512];

	snprintf(text, sizeof text, "{\"symbol\":\"%s\",\"interval\":"
	    "\"minute\",\"start_date\":\"2000-01-01\",\"end_date\":"
	    "\"2099-12-31\",\"strategy\":\"%s\"}", SYMBOL, strategy);
	if ((obj = json_parse(text, strlen(text), err, sizeof err)) == NULL ||
	    spec_from_json(obj, &spec, err, sizeof err) != 0 ||
	    jobctl_submit(st, UID, &spec, (int)cfg.max_queued_jobs, job, err,
	    sizeof err) != 0)
		die("submit: %s", err);
	json_object_put(obj);
}

struct count {
	const char	*id;
	uint64_t	 after;
	int		 writes;
};

static int
count_one(const struct change *c, void *arg)
{
	struct count	*n = arg;

	if (c->kind == CHANGE_JOB && strcmp(c->id, n->id) == 0)
		n->writes++;
	return 0;
}

static int
count_writes(struct store_txn *txn, void *arg)
{
	struct count	*n = arg;

	n->writes = 0;
	return changelog_read_since(txn, UID, n->after, count_one, n);
}

static int
read_head(struct store_txn *txn, void *arg)
{
	return changelog_head(txn, arg);
}

static uint64_t
head(void)
{
	uint64_t	seq = 0;
	char		err[512];

	if (store_read(st, read_head, &seq, err, sizeof err) != 0)
		die("%s", err);
	return seq;
}

struct result {
	double		ms;
	int64_t		bars;
	uint32_t	trades;
	int		writes;		/* job records written: progress and end */
};

/* Claims the queued job and runs it here, as a worker does. */
static void
run_here(const char *strategy, struct result *out)
{
	volatile sig_atomic_t	 stop = 0;
	struct job		 job, claimed;
	struct count		 n;
	enum run_end		 end;
	char			 err[512];
	double			 t0;

	submit(strategy, &job);
	memset(&n, 0, sizeof n);
	n.id = job.id;
	n.after = head();
	t0 = now_ms();
	if (claim_next(st, &claimed, err, sizeof err) != 0)
		die("claim: %s", err);
	if (strcmp(claimed.id, job.id) != 0)
		die("claimed another job than the one just queued");
	end = run_job(st, &claimed, 0, &stop, err, sizeof err);
	out->ms = now_ms() - t0;
	if (end != RUN_FINISHED || claimed.status != JOB_COMPLETED)
		die("job %s did not complete: %s", job.id, end == RUN_ERROR ?
		    err : claimed.error_message);
	if (store_read(st, count_writes, &n, err, sizeof err) != 0)
		die("%s", err);
	out->bars = claimed.total_bars;
	out->trades = claimed.trade_count;
	out->writes = n.writes - 1;	/* less the claim's */
}

/* The median of RUNS runs. */
static void
run_median(const char *strategy, struct result *out)
{
	struct result	r[RUNS];
	double		ms[RUNS];
	int		i;

	for (i = 0; i < RUNS; i++) {
		run_here(strategy, &r[i]);
		ms[i] = r[i].ms;
	}
	*out = r[0];
	out->ms = median(ms, RUNS);
}

static void
print_run(const char *what, const struct result *r)
{
	char	figure[64], note[128];

	snprintf(figure, sizeof figure, "%.0f ms", r->ms);
	snprintf(note, sizeof note, "%5.1f M bars/s, %u transactions, "
	    "progress writes: %d", (double)r->bars / r->ms / 1e3, r->trades,
	    r->writes - 1);
	row(what, figure, note);
}

/* ---- stream readers ----------------------------------------------------------- */

static volatile sig_atomic_t	reader_stop;

static void
on_term(int sig)
{
	(void)sig;
	reader_stop = 1;
}

struct reader {
	uint64_t	after;		/* the last change seen */
	uint64_t	next;		/* after this read */
	struct job	job;		/* the job the stream follows */
};

static int
reader_change(const struct change *c, void *arg)
{
	struct reader	*r = arg;

	r->next = c->seq;
	return 0;
}

/* What a progress stream does when woken: the new changes, then the job. */
static int
reader_read(struct store_txn *txn, void *arg)
{
	struct reader	*r = arg;
	int		 e;

	r->next = r->after;
	if ((e = changelog_read_since(txn, UID, r->after, reader_change,
	    r)) != 0 || r->next == r->after)
		return e;
	e = jobs_get(txn, r->job.id, &r->job);
	return e == ENOENT ? 0 : e;
}

static long long
cpu_us(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
	    1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static void __attribute__((noreturn))
reader(struct shared *sh, int slot, const char *job_id)
{
	struct sigaction	 sa;
	struct reader		 r;
	struct notify		*n;
	struct store		*s;
	char			 err[512];
	uint32_t		 w, seen;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	store_forget(st);
	if ((s = store_open(&cfg, 0, err, sizeof err)) == NULL) {
		fprintf(stderr, "bench-engine: reader: %s\n", err);
		_exit(1);
	}
	memset(&r, 0, sizeof r);
	snprintf(r.job.id, sizeof r.job.id, "%s", job_id);
	n = store_notify(s);
	w = notify_user_word(UID);
	if (store_read(s, read_head, &r.after, err, sizeof err) != 0)
		_exit(1);
	atomic_fetch_add(&sh->ready, 1);
	while (!reader_stop) {
		seen = notify_value(n, w);
		if (store_read(s, reader_read, &r, err, sizeof err) != 0) {
			fprintf(stderr, "bench-engine: reader: %s\n", err);
			_exit(1);
		}
		r.after = r.next;
		atomic_fetch_add(&sh->reads, 1);
		atomic_store(&sh->cpu_us[slot], cpu_us());
		/* A bench that died (killed by a time limit) ends its readers. */
		if (getppid() != main_pid)
			break;
		if (!reader_stop)
			notify_wait(n, w, seen, 1000);
	}
	store_close(s);
	_exit(0);
}

static long long
readers_cpu(struct shared *sh, int nreaders)
{
	long long	sum = 0;
	int		i;

	for (i = 0; i < nreaders; i++)
		sum += atomic_load(&sh->cpu_us[i]);
	return sum;
}

/* ---- progress writes --------------------------------------------------------------- */

struct progress {
	const char	*id;
	int64_t		 bar;
	struct job	 job;
};

/* What run.c's write_step() does for STEP_PROGRESS, without trades. */
static int
progress_step(struct store_txn *txn, void *arg)
{
	struct progress	*p = arg;
	struct job	*j = &p->job;
	int		 e;

	if ((e = jobs_get_for_update(txn, p->id, j)) != 0)
		return e;
	j->current_bar = p->bar;
	j->progress = 100.0 * (double)p->bar / (double)(j->total_bars > 0 ?
	    j->total_bars : 1);
	snprintf(j->message, sizeof j->message, "bar %lld of %lld",
	    (long long)j->current_bar, (long long)j->total_bars);
	return jobs_update(txn, j);
}

/*
 * Times nwrites progress writes of job id, 20 ms apart (real ones are
 * 100 ms apart; 20 leaves every reader time to finish its read).
 */
static void
time_writes(const char *id, int nwrites, double *median_us, double *p99_us)
{
	struct progress	 p;
	double		*us, t0;
	char		 err[512];
	int		 i;

	us = xcalloc((size_t)nwrites, sizeof *us);
	memset(&p, 0, sizeof p);
	p.id = id;
	for (i = 0; i < nwrites; i++) {
		p.bar = i + 1;
		t0 = now_ms();
		if (store_write(st, 0, progress_step, &p, err, sizeof err) != 0)
			die("progress write: %s", err);
		us[i] = (now_ms() - t0) * 1e3;
		sleep_ms(20);
	}
	*median_us = median(us, (size_t)nwrites);
	*p99_us = us[(size_t)nwrites * 99 / 100];
	free(us);
}

/* ---- cancel latency ------------------------------------------------------------------ */

static int
read_job(struct store_txn *txn, void *arg)
{
	struct job	*j = arg;

	return jobs_get(txn, j->id, j);
}

static void
job_now(struct job *j)
{
	char	err[512];

	if (store_read(st, read_job, j, err, sizeof err) != 0)
		die("%s", err);
}

/*
 * A worker child runs the job; the parent cancels it at a random moment
 * of its run and waits for "cancelled".  Returns the latency in ms, or -1
 * when the job completed before the cancel landed.
 */
static double
cancel_once(double run_ms)
{
	volatile sig_atomic_t	 stop = 0;
	struct job		 job, claimed;
	struct notify		*n = store_notify(st);
	struct store		*s;
	char			 err[512];
	double			 t0, latency = -1;
	pid_t			 pid;
	uint32_t		 w = notify_user_word(UID), seen;
	int			 status, e;

	submit("sma_crossover", &job);
	fflush(NULL);
	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		store_forget(st);
		if ((s = store_open(&cfg, 0, err, sizeof err)) == NULL ||
		    claim_next(s, &claimed, err, sizeof err) != 0)
			_exit(1);
		run_job(s, &claimed, 0, &stop, err, sizeof err);
		store_close(s);
		_exit(0);
	}
	do {
		seen = notify_value(n, w);
		job_now(&job);
		if (job.status == JOB_QUEUED)
			notify_wait(n, w, seen, 100);
	} while (job.status == JOB_QUEUED);
	sleep_ms(run_ms * (double)random() / RAND_MAX);
	e = jobctl_cancel(st, UID, job.id, &job, err, sizeof err);
	t0 = now_ms();
	if (e == 0) {
		while (!job_is_finished(&job)) {
			seen = notify_value(n, w);
			job_now(&job);
			if (!job_is_finished(&job))
				notify_wait(n, w, seen, 100);
		}
		if (job.status == JOB_CANCELLED)
			latency = now_ms() - t0;
	} else if (e != EALREADY)
		die("cancel: %s", err);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die("the worker of the cancelled job failed");
	return latency;
}

/* ---- main --------------------------------------------------------------------------- */

static void
usage(void)
{
	fprintf(stderr, "usage: bench-engine [-n BARS] [-r READERS] "
	    "[-w WRITES] [-k CANCELS]\n");
	exit(64);
}

static long
number(const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max)
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	static const char *const strategies[] = { "buy_and_hold",
	    "sma_crossover", "ema_crossover", "rsi_reversion" };
	struct shared	*sh;
	struct result	 r, sma;
	struct job	 job;
	double		 ms, med0, p990, med1, p991, lat[1000], *lat_ok;
	long long	 cpu0;
	long		 reads0;
	char		*argv_import[8], *argv_engine[6], what[64], fig[64],
			 note[160], bars_arg[32];
	const char	*v;
	int		 c, i, nreaders = 100, nwrites = 200, ncancels = 20, nok;

	while ((c = getopt(argc, argv, "n:r:w:k:")) != -1) {
		switch (c) {
		case 'n': nbars = number(optarg, 1000, 100000000); break;
		case 'r': nreaders = (int)number(optarg, 0, MAX_READERS); break;
		case 'w': nwrites = (int)number(optarg, 10, 100000); break;
		case 'k': ncancels = (int)number(optarg, 0, 1000); break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	memset(&sma, 0, sizeof sma);
	if ((v = getenv("BACKSTREAM")) != NULL && *v != '\0')
		backstream = v;
	if ((v = getenv("ENGINE")) != NULL && *v != '\0')
		engine = v;
	main_pid = getpid();
	die_cleanup(stop_readers);
	log_init("bench-engine", LOG_LEVEL_WARN);
	srandom((unsigned)time(NULL));
	setup();
	printf("bench-engine: %ld minute bars, %d readers, %ld CPUs, in %s\n\n",
	    nbars, nreaders, sysconf(_SC_NPROCESSORS_ONLN), dir);
	row("what", "time", "figures");

	/* 1. The import, through the command an operator runs. */
	write_csv(csv_file, nbars);
	snprintf(bars_arg, sizeof bars_arg, "%ld", nbars);
	argv_import[0] = (char *)backstream;
	argv_import[1] = "-c";
	argv_import[2] = conf_file;
	argv_import[3] = "import-bars";
	argv_import[4] = SYMBOL;
	argv_import[5] = csv_file;
	argv_import[6] = NULL;
	ms = run_program(argv_import);
	unlink(csv_file);
	snprintf(what, sizeof what, "backstream import-bars, %s rows",
	    bars_arg);
	snprintf(fig, sizeof fig, "%.0f ms", ms);
	snprintf(note, sizeof note, "%5.2f M rows/s", (double)nbars / ms /
	    1e3);
	row(what, fig, note);
	/* The import's pages to disk now, not during the first job. */
	if (store_checkpoint(st, note, sizeof note) != 0)
		die("%s", note);

	/* 2. Every strategy, in this process, the median of three runs. */
	for (i = 0; i < 4; i++) {
		run_median(strategies[i], &r);
		snprintf(what, sizeof what, "run_job %s", strategies[i]);
		print_run(what, &r);
		if (i == 1)
			sma = r;
	}

	/* 3. The same through the engine program. */
	submit("sma_crossover", &job);
	argv_engine[0] = (char *)engine;
	argv_engine[1] = "-c";
	argv_engine[2] = conf_file;
	argv_engine[3] = "--once";
	argv_engine[4] = NULL;
	ms = run_program(argv_engine);
	job_now(&job);
	if (job.status != JOB_COMPLETED)
		die("backstream-engine --once left job %s %s", job.id,
		    job_status_name(job.status));
	snprintf(fig, sizeof fig, "%.0f ms", ms);
	row("backstream-engine --once, sma_crossover", fig,
	    "wall time: start, store open, maintenance, fork, run, exit");

	/* 4. Progress writes, with no reader and with nreaders, on a job
	 * claimed by this process (so running, and never claimed again). */
	submit("buy_and_hold", &job);
	if (claim_next(st, &job, note, sizeof note) != 0)
		die("claim: %s", note);
	time_writes(job.id, nwrites, &med0, &p990);
	snprintf(fig, sizeof fig, "%.0f us", med0);
	snprintf(note, sizeof note, "median of %d (p99 %.0f us)", nwrites,
	    p990);
	row("progress write, no reader", fig, note);

	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(sh, 0, sizeof *sh);
	readers = xcalloc((size_t)nreaders + 1, sizeof *readers);
	fflush(NULL);
	for (i = 0; i < nreaders; i++) {
		if ((readers[i] = fork()) == -1)
			die("fork: %s", strerror(errno));
		if (readers[i] == 0)
			reader(sh, i, job.id);
		nreaders_started++;
	}
	while (atomic_load(&sh->ready) < nreaders)
		sleep_ms(10);
	sleep_ms(200);
	reads0 = atomic_load(&sh->reads);
	cpu0 = readers_cpu(sh, nreaders);
	time_writes(job.id, nwrites, &med1, &p991);
	sleep_ms(200);
	snprintf(what, sizeof what, "progress write, %d readers", nreaders);
	snprintf(fig, sizeof fig, "%.0f us", med1);
	snprintf(note, sizeof note, "median (p99 %.0f us); %.1f reads and "
	    "%.2f ms of reader CPU per write", p991,
	    (double)(atomic_load(&sh->reads) - reads0) / nwrites,
	    (double)(readers_cpu(sh, nreaders) - cpu0) / 1e3 / nwrites);
	row(what, fig, note);
	snprintf(note, sizeof note, "at 10 writes/s: %.2f%% of a CPU with "
	    "%d readers, %.3f%% without", (med1 * 10 +
	    (double)(readers_cpu(sh, nreaders) - cpu0) / nwrites * 10) / 1e4,
	    nreaders, med0 * 10 / 1e4);
	row("progress writing, cost", "", note);

	/* 5. A job with the readers attached. */
	run_median("sma_crossover", &r);
	snprintf(what, sizeof what, "run_job sma_crossover, %d readers",
	    nreaders);
	print_run(what, &r);
	snprintf(note, sizeof note, "%+.1f%% against no reader",
	    (r.ms - sma.ms) / sma.ms * 100);
	row("", "", note);
	for (i = 0; i < nreaders; i++)
		kill(readers[i], SIGTERM);
	for (i = 0; i < nreaders; i++)
		waitpid(readers[i], NULL, 0);
	nreaders_started = 0;
	free(readers);
	munmap(sh, sizeof *sh);
	if (jobctl_delete(st, UID, job.id, note, sizeof note) != 0)
		die("delete: %s", note);

	/* 6. Cancel latency: the worst case is a cancel during the load. */
	lat_ok = lat;
	for (i = nok = 0; i < ncancels && i < 1000; i++)
		if ((lat_ok[nok] = cancel_once(sma.ms)) >= 0)
			nok++;
	if (nok > 0) {
		snprintf(fig, sizeof fig, "%.0f ms", median(lat_ok,
		    (size_t)nok));
		snprintf(note, sizeof note, "median; max %.0f ms (%d of %d "
		    "cancels landed before the end)", lat_ok[nok - 1], nok,
		    ncancels);
		row("cancel to cancelled, sma_crossover", fig, note);
	}
	cleanup();
	return 0;
}
