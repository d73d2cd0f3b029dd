/* bench-sustain.c: sustained load through a web server: streams of every kind held for minutes while jobs run, with every failure counted and memory and CPU sampled. */
#include "config.h"

#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-util.h"
#include "conf.h"
#include "sse-client.h"
#include "sustain.h"

/*
 * The driver (bench/sustain.sh) starts the web server with the shipped
 * configuration and a store of its own (demo bars, keys) and runs this
 * program against it, which:
 *
 *   1. queues a short job for each of -U users (a forked process, through
 *      the store API as the REST API does), mints the users' tokens, and
 *      opens -n streams, at most -b at a time until each is open: list
 *      streams (45 % jobs, some filtered; 20 % history), progress streams
 *      (35 %) and -D data streams, stream i for user i mod U;
 *   2. holds them for -t seconds while a forked process submits a job
 *      every -j ms, cancels one every -x ms and deletes one every -X ms
 *      (by default as often as it submits: once each user has two jobs,
 *      the store holds about as many as it did, and a responder's memory,
 *      which follows the lists it serves, can be seen to stay flat), and
 *      the engine (-e) runs them as cron would run it, every -E seconds;
 *      every -s seconds it samples memory and CPU;
 *   3. stops the jobs and the engine, closes the streams, and prints the
 *      figures.
 *
 * The streams behave as the frontend guide's hooks in a browser do: a
 * response that ends is resumed after the retry: delay with Last-Event-ID
 * (that is how streams rotate after stream_lifetime); a progress stream
 * whose job finished moves, a few seconds later, to the user's newest
 * running or queued job once there is one (a new EventSource); a data
 * stream that completed asks, 10-30 s later, for another interval.
 *
 * A stream fails when: a response is not 200 (a 204 to a resume after the
 * stream's last event, or a 404 for a job the test deleted, is expected);
 * an error event comes that is not token_expired or the not_found of a
 * deleted job; a response is cut (not ended cleanly); nothing (not even a
 * heartbeat) arrives for 3 heartbeats; a request waits -O seconds for its
 * response head; an event repeats one the stream had (a transaction seq,
 * a terminal event, data points).  Exit status 1 if any failed.
 */


/* ---- options --------------------------------------------------------------- */

struct sustain_opt	opt = {
	NULL, 0, 0, "the web server", 1000, 100, 20, 120, 30, 2500, 20000,
	2500, NULL, 60, NULL, 20, 120, 900,
};

struct conf		cfg;
volatile sig_atomic_t	stopping;

void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* ---- the run ---------------------------------------------------------------------- */

static void
print_latency(const char *what, int64_t *v, size_t n)
{
	if (n == 0) {
		printf("%s: none\n", what);
		return;
	}
	qsort(v, n, sizeof *v, cmp_i64);
	printf("%s (%zu): p50 %" PRId64 " ms, p90 %" PRId64 " ms, p99 %"
	    PRId64 " ms, max %" PRId64 " ms\n", what, n, v[n / 2],
	    v[(n - 1) * 9 / 10], v[(n - 1) * 99 / 100], v[n - 1]);
}

/* Opens every stream, at most opt.window waiting for an answer at once. */
static void
ramp_up(struct sse_client *cl)
{
	int64_t	t0 = sse_now_ns(), last = t0, now;
	int	next = 0, opened;

	while (!stopping) {
		while (next < opt.n && count_state(S_OPENING) < opt.window)
			stream_open(cl, next++);
		sse_client_run(cl, 100, NULL);
		streams_tick(cl);
		now = sse_now_ns();
		if ((opened = count_opened()) == opt.n)
			break;
		if (now - t0 > (int64_t)opt.ramp_s * 1000000000) {
			printf("ramp: only %d of %d streams opened in %d s\n",
			    opened, opt.n, opt.ramp_s);
			break;
		}
		if (now - last > 10000000000LL) {
			printf("  ... %d streams open after %.0f s\n", opened,
			    (double)(now - t0) / 1e9);
			fflush(stdout);
			last = now;
		}
	}
	printf("ramp: %d of %d streams open in %.1f s (at most %d requests "
	    "waiting at once)\n", count_opened(), opt.n,
	    (double)(sse_now_ns() - t0) / 1e9, opt.window);
	print_latency("  request to first event", tally.first_ms,
	    tally.nfirst);
	fflush(stdout);
}


static void
report(int *per_kind, double engine_s, double secs, long long beats)
{
	long	fails = 0;
	int	f;

	for (f = 0; f < NFAILURES; f++)
		fails += tally.failures[f];
	printf("events delivered: %lld (jobs lists %lld, history %lld, "
	    "progress %lld, data %lld), %lld data points; %lld heartbeats\n",
	    all_events(), tally.events[K_JOBS], tally.events[K_HISTORY],
	    tally.events[K_PROGRESS], tally.events[K_DATA], tally.points,
	    beats);
	printf("jobs: %ld submitted (%d of them the users' first), %ld "
	    "refused (queue full); %ld cancelled (+%ld already over); %ld "
	    "deleted (%ld of them recent); %ld store errors\n",
	    sh->submitted, opt.users, sh->refused, sh->cancels,
	    sh->cancels_late, sh->deletes, sh->deletes_active, sh->errors);
	printf("  at the end: %ld queued, %ld running, %ld completed, %ld "
	    "failed, %ld cancelled; %d engine runs (%d failed)\n",
	    sh->status_count[JOB_QUEUED], sh->status_count[JOB_RUNNING],
	    sh->status_count[JOB_COMPLETED], sh->status_count[JOB_FAILED],
	    sh->status_count[JOB_CANCELLED], engine_runs(), engine_failures());
	printf("requests: %ld (%ld answered 200); %ld clean ends (rotation) "
	    "and %ld resumes with Last-Event-ID; %ld moves to another job or "
	    "interval; %ld 204 after the last event; %ld deleted jobs under "
	    "a stream; %ld tokens renewed\n", tally.opens, tally.ok,
	    tally.rotations, tally.resumes, tally.switches, tally.ends_204,
	    tally.deleted_under, tally.renewals);
	print_latency("later requests, request to first event",
	    tally.refirst_ms, tally.nrefirst);
	printf("streams: %d jobs lists, %d history, %d progress, %d data; "
	    "%d still open at the end\n", per_kind[K_JOBS],
	    per_kind[K_HISTORY], per_kind[K_PROGRESS], per_kind[K_DATA],
	    count_state(S_OPEN));
	report_memory();
	report_cpu(engine_s, secs);
	printf("FAILURES: %d streams failed; %ld failures:",
	    tally.failed_streams, fails);
	print_failures();
	printf("\n");
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-sustain -c CONF -p PORT [-w SERVER_PID] "
	    "[-N SERVER_NAME]\n"
	    "\t[-n STREAMS] [-U USERS] [-D DATA_STREAMS] [-t SECONDS] "
	    "[-s SAMPLE_SECONDS]\n"
	    "\t[-j SUBMIT_MS] [-x CANCEL_MS] [-X DELETE_MS] [-e ENGINE "
	    "[-E CRON_SECONDS]]\n"
	    "\t[-u STORE_OWNER] [-b WINDOW] [-O OPEN_TIMEOUT_S] "
	    "[-R RAMP_SECONDS]\n");
	exit(2);
}

static int
number(const char *s, int min, int max)
{
	char	*e;
	long	 v;

	errno = 0;
	v = strtol(s, &e, 10);
	if (errno != 0 || e == s || *e != '\0' || v < min || v > max)
		usage();
	return (int)v;
}

static void
parse_options(int argc, char **argv)
{
	int	ch;

	while ((ch = getopt(argc, argv,
	    "b:c:D:e:E:j:n:N:O:p:R:s:t:u:U:w:x:X:")) != -1) {
		switch (ch) {
		case 'b': opt.window = number(optarg, 1, STREAMS_MAX); break;
		case 'c': opt.conf = optarg; break;
		case 'D': opt.ndata = number(optarg, 0, STREAMS_MAX); break;
		case 'e': opt.engine = optarg; break;
		case 'E': opt.cron_s = number(optarg, 1, 3600); break;
		case 'j': opt.submit_ms = number(optarg, 10, 3600000); break;
		case 'n': opt.n = number(optarg, 1, STREAMS_MAX); break;
		case 'N': opt.server_name = optarg; break;
		case 'O': opt.open_timeout_s = number(optarg, 1, 3600); break;
		case 'p': opt.port = number(optarg, 1, 65535); break;
		case 'R': opt.ramp_s = number(optarg, 1, 86400); break;
		case 's': opt.sample_s = number(optarg, 1, 3600); break;
		case 't': opt.seconds = number(optarg, 1, 7 * 86400); break;
		case 'u': opt.user = optarg; break;
		case 'U': opt.users = number(optarg, 1, USERS_MAX); break;
		case 'w': opt.server = (pid_t)number(optarg, 1, INT32_MAX);
			break;
		case 'x': opt.cancel_ms = number(optarg, 10, 3600000); break;
		case 'X': opt.delete_ms = number(optarg, 10, 3600000); break;
		default: usage();
		}
	}
	if (opt.conf == NULL || opt.port == 0 || opt.ndata > opt.n)
		usage();
}

/* Signals, descriptors and the configuration, before anything starts. */
static void
setup(void)
{
	struct sigaction	sa;
	struct rlimit		rl;
	char			err[1024];

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (conf_read(&cfg, opt.conf, err, sizeof err) != 0)
		die("%s", err);
	srandom((unsigned)getpid());
}

/*
 * Holds the streams for opt.seconds while the job process and the engine
 * runs go on, sampling as it goes; returns the seconds it held them.
 */
static double
hold(struct sse_client *cl)
{
	int64_t	t0, now, next_sample, next_cron, end;
	double	secs, last;

	t0 = sse_now_ns();
	end = t0 + (int64_t)opt.seconds * 1000000000;
	next_cron = t0;
	take_sample(0);
	next_sample = t0 + (int64_t)opt.sample_s * 1000000000;
	while (!stopping && (now = sse_now_ns()) < end) {
		if (opt.engine != NULL && now >= next_cron) {
			start_engine();
			next_cron += (int64_t)opt.cron_s * 1000000000;
		}
		sse_client_run(cl, 100, NULL);
		streams_tick(cl);
		reap_engines(0);
		if (sse_now_ns() >= next_sample) {
			take_sample((double)(sse_now_ns() - t0) / 1e9);
			next_sample += (int64_t)opt.sample_s * 1000000000;
		}
	}
	secs = (double)(sse_now_ns() - t0) / 1e9;
	last = last_sample_t();
	if (last < 0 || last < secs - 1)
		take_sample(secs);
	return secs;
}

/* The CPU time of the children waited for between ru0 and ru1, in s. */
static double
children_cpu(const struct rusage *ru0, const struct rusage *ru1)
{
	return (double)(ru1->ru_utime.tv_sec - ru0->ru_utime.tv_sec +
	    ru1->ru_stime.tv_sec - ru0->ru_stime.tv_sec) +
	    (double)(ru1->ru_utime.tv_usec - ru0->ru_utime.tv_usec +
	    ru1->ru_stime.tv_usec - ru0->ru_stime.tv_usec) / 1e6;
}

int
main(int argc, char **argv)
{
	struct sse_client	 cl;
	struct rusage		 ru0, ru1;
	int			 per_kind[NKINDS] = { 0 }, i, status, failed;
	long long		 beats;
	double			 engine_s, secs;
	pid_t			 jobs;

	parse_options(argc, argv);
	setup();
	jobs_table_init();
	setup_jobs();
	streams_init(per_kind);
	printf("sustained load through %s: %d streams (%d jobs lists, %d "
	    "history, %d progress, %d data) of %d users\n", opt.server_name,
	    opt.n, per_kind[K_JOBS], per_kind[K_HISTORY],
	    per_kind[K_PROGRESS], per_kind[K_DATA], opt.users);
	fflush(stdout);

	sse_client_init(&cl, opt.n, opt.port);
	streams_attach(&cl);
	ramp_up(&cl);

	printf("held for %d s: a job submitted every %.1f s (a random user's; "
	    "14 days of minute bars), a cancel every %.0f s, a delete every "
	    "%.1f s; %s\n", opt.seconds, opt.submit_ms / 1000.0,
	    opt.cancel_ms / 1000.0, opt.delete_ms / 1000.0,
	    opt.engine != NULL ? "the engine started every minute, as cron "
	    "does" : "no engine");
	sample_header();
	getrusage(RUSAGE_CHILDREN, &ru0);
	jobs = start_jobs();
	secs = hold(&cl);

	kill(jobs, SIGTERM);
	while (waitpid(jobs, &status, 0) == -1 && errno == EINTR)
		;
	stop_engines();
	getrusage(RUSAGE_CHILDREN, &ru1);
	engine_s = children_cpu(&ru0, &ru1);
	beats = tally.heartbeats;
	for (i = 0; i < opt.n; i++)
		beats += cl.c[i].heartbeats;
	report(per_kind, engine_s, secs, beats);
	failed = tally.failed_streams > 0 || count_opened() < opt.n;
	sse_client_free(&cl);
	streams_free();
	samples_free();
	conf_free(&cfg);
	if (stopping)
		return 124;
	return failed ? 1 : 0;
}
