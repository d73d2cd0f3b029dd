/* bench-sustain.c: sustained load through a web server: streams of every kind held for minutes while jobs run, with every failure counted and memory and CPU sampled. */
#include "config.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf.h"
#include "job.h"
#include "jobctl.h"
#include "mint.h"
#include "spec-parse.h"
#include "procstat.h"
#include "sse-client.h"
#include "store-jobs.h"
#include "store.h"
#include "xmalloc.h"

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

#define USERS_MAX	10000
#define STREAMS_MAX	20000
#define TABLE_MAX	100000	/* jobs the test may create */
#define UID_FMT		"load-u%04d"
#define TOKEN_TTL_S	(12 * 3600)

static const char *const symbols[] = { "DEMO", "ACME", "GLOBEX", "INITECH" };
static const char *const strategies[] = { "sma_crossover", "ema_crossover",
    "rsi_reversion", "buy_and_hold" };
static const char *const intervals[] = { "minute", "5minute", "15minute",
    "60minute", "day" };
static const int data_limits[] = { 500, 2000, 5000 };
#define NELEM(a)	(sizeof (a) / sizeof (a)[0])

static void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "bench-sustain: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static volatile sig_atomic_t	stopping;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* ---- options --------------------------------------------------------------- */

static struct {
	const char	*conf;
	int		 port;
	pid_t		 server;
	const char	*server_name;
	int		 n;
	int		 users;
	int		 ndata;
	int		 seconds;
	int		 sample_s;
	int		 submit_ms;
	int		 cancel_ms;
	int		 delete_ms;
	const char	*engine;
	int		 cron_s;
	const char	*user;		/* the store's owner */
	int		 window;	/* opens in flight while ramping up */
	int		 open_timeout_s;
	int		 ramp_s;
} opt = {
	NULL, 0, 0, "the web server", 1000, 100, 20, 120, 30, 2500, 20000,
	2500, NULL, 60, NULL, 20, 120, 900,
};

static struct conf	cfg;

/* ---- what the job process and the client share ---------------------------- */

struct tjob {
	char		id[ID_MAX + 1];
	int		user;
	int		prev;		/* the user's job before, -1 */
};

/*
 * The job process appends jobs (an entry is complete before njobs counts
 * it) and marks them deleted before it deletes them; the client marks
 * those whose terminal event it saw.
 */
struct shared {
	int		njobs;
	int		last_of_user[USERS_MAX];
	unsigned char	finished[TABLE_MAX];
	unsigned char	deleted[TABLE_MAX];
	struct tjob	jobs[TABLE_MAX];
	/* the job process's counts */
	long		submitted, refused, cancels, cancels_late, deletes,
			deletes_active, errors;
	long		status_count[JOB_STATUS_COUNT];	/* at its end */
};

static struct shared	*sh;

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

static void
uid_of(int user, char *out, size_t len)
{
	snprintf(out, len, UID_FMT, user);
}

/*
 * The user's newest job that is not deleted and (active) not known to be
 * finished; -1 if none.
 */
static int
pick_job(int user, int active)
{
	int	j;

	for (j = LOAD(sh->last_of_user[user]); j != -1; j = sh->jobs[j].prev) {
		if (LOAD(sh->deleted[j]))
			continue;
		if (active && LOAD(sh->finished[j]))
			continue;
		return j;
	}
	return -1;
}

/* ---- the job process: submissions, cancels, deletes ------------------------ */

/* Becomes opt.user (the store's owner), if given; dies with its parent. */
static void
become_owner(void)
{
	struct passwd	*pw;

	if (opt.user != NULL) {
		if ((pw = getpwnam(opt.user)) == NULL)
			die("no user %s", opt.user);
		if (initgroups(pw->pw_name, pw->pw_gid) == -1 ||
		    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1)
			die("becoming %s: %s", opt.user, strerror(errno));
	}
	/* After setuid, which clears it. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void
random_spec(int days, struct job_spec *spec)
{
	json_object	*o;
	time_t		 t;
	struct tm	 tm;
	char		 from[16], to[16], err[512];

	/* 2024-01-01 plus up to 340 days: the demo bars cover 2024. */
	t = 1704067200 + (time_t)(random() % 340) * 86400;
	gmtime_r(&t, &tm);
	strftime(from, sizeof from, "%Y-%m-%d", &tm);
	t += (time_t)(days - 1) * 86400;
	gmtime_r(&t, &tm);
	strftime(to, sizeof to, "%Y-%m-%d", &tm);
	o = json_object_new_object();
	json_object_object_add(o, "symbol", json_object_new_string(
	    symbols[random() % NELEM(symbols)]));
	json_object_object_add(o, "interval", json_object_new_string("minute"));
	json_object_object_add(o, "start_date", json_object_new_string(from));
	json_object_object_add(o, "end_date", json_object_new_string(to));
	json_object_object_add(o, "strategy", json_object_new_string(
	    strategies[random() % NELEM(strategies)]));
	if (spec_from_json(o, spec, err, sizeof err) == -1)
		die("spec: %s", err);
	json_object_put(o);
}

static void
submit(struct store *s, int user, int days)
{
	struct job_spec	 spec;
	struct job	 job;
	char		 uid[UID_MAX + 1], err[512];
	int		 r, k;

	uid_of(user, uid, sizeof uid);
	random_spec(days, &spec);
	r = jobctl_submit(s, uid, &spec, (int)cfg.max_queued_jobs, &job, err,
	    sizeof err);
	if (r == EDQUOT) {
		sh->refused++;
		return;
	}
	if (r != 0) {
		fprintf(stderr, "bench-sustain: submit: %s\n", err);
		sh->errors++;
		return;
	}
	if ((k = sh->njobs) >= TABLE_MAX)
		return;
	snprintf(sh->jobs[k].id, sizeof sh->jobs[k].id, "%s", job.id);
	sh->jobs[k].user = user;
	sh->jobs[k].prev = sh->last_of_user[user];
	STORE(sh->njobs, k + 1);
	STORE(sh->last_of_user[user], k);
	sh->submitted++;
}

/* A random job of the newest 50 not known to be over. */
static int
recent_active(void)
{
	int	n = sh->njobs, j, tries;

	for (tries = 0; tries < 20 && n > 0; tries++) {
		j = n - 1 - (int)(random() % (n < 50 ? n : 50));
		if (!LOAD(sh->deleted[j]) && !LOAD(sh->finished[j]))
			return j;
	}
	return -1;
}

static void
cancel_one(struct store *s)
{
	struct job	job;
	char		uid[UID_MAX + 1], err[512];
	int		j, r;

	if ((j = recent_active()) == -1)
		return;
	uid_of(sh->jobs[j].user, uid, sizeof uid);
	r = jobctl_cancel(s, uid, sh->jobs[j].id, &job, err, sizeof err);
	if (r == 0)
		sh->cancels++;
	else if (r == EALREADY)
		sh->cancels_late++;
	else {
		fprintf(stderr, "bench-sustain: cancel: %s\n", err);
		sh->errors++;
	}
}

/*
 * Four times in five the oldest job left (finished, as a rule: users
 * clear out old results), else a recent one that may be queued or
 * running, under its progress streams.
 */
static void
delete_one(struct store *s)
{
	static int	oldest;
	char		uid[UID_MAX + 1], err[512];
	int		j = -1, r, n = sh->njobs;

	if (random() % 5 == 0) {
		if ((j = recent_active()) != -1)
			sh->deletes_active++;
	}
	if (j == -1) {
		while (oldest < n && LOAD(sh->deleted[oldest]))
			oldest++;
		/* Leave each user a job or two to look at. */
		if (oldest >= n - 2 * opt.users)
			return;
		j = oldest;
	}
	STORE(sh->deleted[j], 1);
	uid_of(sh->jobs[j].user, uid, sizeof uid);
	r = jobctl_delete(s, uid, sh->jobs[j].id, err, sizeof err);
	if (r == 0)
		sh->deletes++;
	else if (r != ENOENT) {
		fprintf(stderr, "bench-sustain: delete: %s\n", err);
		sh->errors++;
	}
}

static int
count_job(const struct job *j, void *arg)
{
	(void)j;
	(*(long *)arg)++;
	return 0;
}

static int
count_statuses(struct store_txn *txn, void *arg)
{
	long	*counts = arg;
	int	 st, r;

	for (st = 0; st < JOB_STATUS_COUNT; st++) {
		counts[st] = 0;
		if ((r = jobs_scan_status(txn, (enum job_status)st, count_job,
		    &counts[st])) != 0)
			return r;
	}
	return 0;
}

static struct store *
owner_store(void)
{
	struct store	*s;
	char		 err[1024];

	if ((s = store_open(&cfg, 0, err, sizeof err)) == NULL)
		die("%s", err);
	return s;
}

/* Queues a one-day job for every user: each list has something at once. */
static void
setup_jobs(void)
{
	struct store	*s;
	pid_t		 pid;
	int		 user, status;

	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		become_owner();
		s = owner_store();
		for (user = 0; user < opt.users; user++)
			submit(s, user, 1);
		store_close(s);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die("queueing the first jobs failed");
}

static void
sleep_ms(int64_t ms)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* Jittered by +-25 %, so that the activity does not lock to timers. */
static int64_t
jitter(int ms)
{
	return ms * 3 / 4 + random() % (ms / 2 + 1);
}

/* Runs until SIGTERM; returns its pid. */
static pid_t
start_jobs(void)
{
	struct sigaction	 sa;
	struct store		*s;
	int64_t			 now, next_submit, next_cancel, next_delete, t;
	pid_t			 pid;
	int			 fd, max_fd = (int)sysconf(_SC_OPEN_MAX);

	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid > 0)
		return pid;
	/*
	 * The client's sockets and epoll set: held open here, a socket the
	 * client closes would stay in its epoll set, forever ready.
	 */
	for (fd = 3; fd < max_fd; fd++)
		close(fd);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	become_owner();
	srandom((unsigned)getpid());
	s = owner_store();
	now = sse_now_ns() / 1000000;
	next_submit = now + jitter(opt.submit_ms);
	next_cancel = now + jitter(opt.cancel_ms);
	next_delete = now + jitter(opt.delete_ms);
	while (!stopping) {
		now = sse_now_ns() / 1000000;
		if (now >= next_submit) {
			submit(s, (int)(random() % opt.users), 14);
			next_submit += jitter(opt.submit_ms);
		}
		if (now >= next_cancel) {
			cancel_one(s);
			next_cancel += jitter(opt.cancel_ms);
		}
		if (now >= next_delete) {
			delete_one(s);
			next_delete += jitter(opt.delete_ms);
		}
		t = next_submit < next_cancel ? next_submit : next_cancel;
		t = t < next_delete ? t : next_delete;
		now = sse_now_ns() / 1000000;
		if (t > now)
			sleep_ms(t - now);
	}
	{
		char	err[512];

		if (store_read(s, count_statuses, sh->status_count, err,
		    sizeof err) != 0)
			fprintf(stderr, "bench-sustain: counting jobs: %s\n",
			    err);
	}
	store_close(s);
	_exit(0);
}

/* ---- the engine, as cron runs it ---------------------------------------------- */

#define ENGINES_MAX	16

static pid_t	engines[ENGINES_MAX];
static int	engine_runs;

/* Starts a run of the engine in a process group of its own. */
static void
start_engine(void)
{
	pid_t	pid;
	int	i;

	for (i = 0; i < ENGINES_MAX && engines[i] != 0; i++)
		;
	if (i == ENGINES_MAX) {
		fprintf(stderr, "bench-sustain: %d engine runs at once\n", i);
		return;
	}
	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		setpgid(0, 0);
		become_owner();
		execl(opt.engine, opt.engine, "-c", opt.conf, (char *)NULL);
		fprintf(stderr, "bench-sustain: %s: %s\n", opt.engine,
		    strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	engines[i] = pid;
	engine_runs++;
}

static int	engine_failures;

static void
reap_engines(int block)
{
	int	i, status;

	for (i = 0; i < ENGINES_MAX; i++) {
		if (engines[i] == 0 ||
		    waitpid(engines[i], &status, block ? 0 : WNOHANG) <= 0)
			continue;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench-sustain: engine %d: status "
			    "%d\n", (int)engines[i], status);
			engine_failures++;
		}
		engines[i] = 0;
	}
}

/* Stops every engine run still going, with its workers (SIGTERM to each group). */
static void
stop_engines(void)
{
	int	i, tries;

	for (i = 0; i < ENGINES_MAX; i++)
		if (engines[i] != 0)
			kill(-engines[i], SIGTERM);
	for (tries = 0; tries < 100; tries++) {
		reap_engines(0);
		for (i = 0; i < ENGINES_MAX && engines[i] == 0; i++)
			;
		if (i == ENGINES_MAX)
			return;
		sleep_ms(100);
	}
	for (i = 0; i < ENGINES_MAX; i++)
		if (engines[i] != 0)
			kill(-engines[i], SIGKILL);
	reap_engines(1);
}

/* ---- the streams ---------------------------------------------------------------- */

enum kind { K_JOBS, K_HISTORY, K_PROGRESS, K_DATA, NKINDS };
static const char *const kind_names[] = { "jobs", "history", "progress",
    "data" };

enum sstate { S_WAIT, S_OPENING, S_OPEN };

/* What an error event said: the stream ends after it. */
enum { END_NONE, END_TOKEN, END_DELETED, END_OTHER };

struct stream {
	enum kind	 kind;
	int		 user;
	enum sstate	 state;
	char		 query[128];	/* without the token */
	int		 job;		/* progress, data: table index or -1 */
	char		 last_id[128];	/* to resume from; "" to start */
	int64_t		 reopen_at;	/* S_WAIT: when, ns */
	int64_t		 leave_at;	/* S_OPEN: when to move on, 0: never */
	int		 opened;	/* ever had a 200 */
	int		 failed;	/* ever failed */
	int		 error_end;	/* this response's error event: END_* */
	int		 stalled;	/* this connection */
	int		 terminal;	/* progress: had the terminal event */
	int64_t		 max_seq;	/* progress: last transaction seq */
	int64_t		 points_sent;	/* data: of the current interval */
};

enum failure { F_STATUS, F_ERROR, F_CUT, F_STALL, F_TIMEOUT, F_REPEAT,
    NFAILURES };
static const char *const failure_names[] = { "non-200 responses",
    "unexpected error events", "responses cut",
    "stalls (3 heartbeats without a byte)", "requests unanswered",
    "repeated events" };

static struct stream	*st;
static char		**tokens;	/* per user */
static int64_t		 stall_ns;

static struct {
	long long	events[NKINDS];
	long long	heartbeats;
	long long	points;
	long		opens, ok, resumes, rotations, switches, ends_204;
	long		deleted_under, renewals;
	long		failures[NFAILURES];
	int		failed_streams;
	int64_t		*first_ms;	/* request to first event, ms */
	size_t		 nfirst, capfirst;
	int64_t		*refirst_ms;	/* the same for later requests */
	size_t		 nrefirst, caprefirst;
} tally;

static void
note_first(int initial, int64_t ms)
{
	int64_t	**v = initial ? &tally.first_ms : &tally.refirst_ms;
	size_t	 *n = initial ? &tally.nfirst : &tally.nrefirst;
	size_t	 *cap = initial ? &tally.capfirst : &tally.caprefirst;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = ms;
}

static void
fail(struct sse_conn *c, enum failure f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct sse_conn *c, enum failure f, const char *fmt, ...)
{
	struct stream	*s = &st[c->idx];
	va_list		 ap;

	if (tally.failures[f]++ < 10) {
		fprintf(stderr, "bench-sustain: %s stream %d (user %d): ",
		    kind_names[s->kind], c->idx, s->user);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	if (!s->failed)
		tally.failed_streams++;
	s->failed = 1;
}

/* Makes stream i's query: list streams once, data streams per request. */
static void
make_query(int i)
{
	struct stream	*s = &st[i];

	switch (s->kind) {
	case K_JOBS:
		switch ((i / 20) % 4) {
		case 2:
			snprintf(s->query, sizeof s->query, "status_filter="
			    "running");
			break;
		case 3:
			snprintf(s->query, sizeof s->query, "limit=50");
			break;
		default:
			snprintf(s->query, sizeof s->query, "limit=10");
		}
		break;
	case K_HISTORY:
		snprintf(s->query, sizeof s->query, "limit=%d",
		    (i / 20) % 2 ? 20 : 10);
		break;
	case K_DATA:
		snprintf(s->query, sizeof s->query, "interval=%s&limit=%d&"
		    "chunk_size=500", intervals[random() % NELEM(intervals)],
		    data_limits[random() % NELEM(data_limits)]);
		break;
	case K_PROGRESS:
	case NKINDS:
		s->query[0] = '\0';
	}
}

/* Opens stream i now, or waits a little if it has no job to show yet. */
static void
stream_open(struct sse_client *cl, int i)
{
	struct stream	*s = &st[i];
	struct sse_conn	*c = &cl->c[i];
	char		*path, hdr[192];

	if ((s->kind == K_PROGRESS || s->kind == K_DATA) && s->job == -1 &&
	    (s->job = pick_job(s->user, 0)) == -1) {
		s->state = S_WAIT;
		s->reopen_at = sse_now_ns() + 2000000000LL;
		return;
	}
	switch (s->kind) {
	case K_JOBS:
		xasprintf(&path, "/api/sse/backtest/jobs?%s&token=%s",
		    s->query, tokens[s->user]);
		break;
	case K_HISTORY:
		xasprintf(&path, "/api/sse/backtest/history?%s&token=%s",
		    s->query, tokens[s->user]);
		break;
	case K_PROGRESS:
		xasprintf(&path, "/api/sse/backtest/%s?token=%s",
		    sh->jobs[s->job].id, tokens[s->user]);
		break;
	case K_DATA:
	case NKINDS:
		xasprintf(&path, "/api/sse/backtest/%s/data?%s&token=%s",
		    sh->jobs[s->job].id, s->query, tokens[s->user]);
		break;
	}
	snprintf(hdr, sizeof hdr, "Last-Event-ID: %s\r\n", s->last_id);
	sse_conn_reset(cl, c);
	sse_conn_start(cl, c, path, s->last_id[0] != '\0' ? hdr : NULL);
	free(path);
	s->state = S_OPENING;
	s->error_end = s->stalled = 0;
	s->leave_at = 0;
	tally.opens++;
}

/* Closes stream i (the client leaves) and opens it again after ms. */
static void
stream_again(struct sse_client *cl, int i, int64_t ms)
{
	sse_conn_close(cl, &cl->c[i]);
	st[i].state = S_WAIT;
	st[i].reopen_at = sse_now_ns() + ms * 1000000;
}

/* A progress or data stream takes a new job (a new EventSource). */
static void
stream_retarget(struct sse_client *cl, int i, int job)
{
	struct stream	*s = &st[i];

	s->job = job;
	s->last_id[0] = '\0';
	s->terminal = 0;
	s->max_seq = 0;
	s->points_sent = 0;
	if (s->kind == K_DATA)
		make_query(i);
	tally.switches++;
	stream_again(cl, i, 0);
}

static char	*key_file;

static char *
token_for(int user)
{
	char	*tok, uid[UID_MAX + 1], err[512];

	uid_of(user, uid, sizeof uid);
	if (mint_token(key_file, cfg.cert_file, cfg.project_id, uid,
	    (int64_t)time(NULL), TOKEN_TTL_S, &tok, err, sizeof err) == -1)
		die("token: %s", err);
	return tok;
}

static int
job_is_deleted(const struct stream *s)
{
	return s->job != -1 && LOAD(sh->deleted[s->job]);
}

static void
on_head(struct sse_client *cl, struct sse_conn *c)
{
	struct stream	*s = &st[c->idx];

	if (c->status != 200)
		return;		/* on_end decides */
	if (s->last_id[0] != '\0')
		tally.resumes++;
	tally.ok++;
	s->state = S_OPEN;
	(void)cl;
}

static void
on_progress_event(struct sse_client *cl, struct sse_conn *c,
    const char *event, const char *data)
{
	struct stream	*s = &st[c->idx];
	const char	*p;
	int64_t		 seq;

	if (strcmp(event, "transaction") == 0) {
		for (p = data; (p = strstr(p, "\"seq\":")) != NULL; p += 6) {
			seq = strtoll(p + 6, NULL, 10);
			if (seq <= s->max_seq)
				fail(c, F_REPEAT, "transaction %" PRId64
				    " after %" PRId64, seq, s->max_seq);
			s->max_seq = seq;
		}
	} else if (strcmp(event, "completed") == 0 ||
	    strcmp(event, "failed") == 0 || strcmp(event, "cancelled") == 0) {
		if (s->terminal)
			fail(c, F_REPEAT, "a second terminal event");
		s->terminal = 1;
		STORE(sh->finished[s->job], 1);
		s->leave_at = cl->now + (2000 + random() % 4000) * 1000000LL;
	}
}

static void
on_data_event(struct sse_client *cl, struct sse_conn *c, const char *event,
    const char *data)
{
	struct stream	*s = &st[c->idx];
	const char	*p;
	int64_t		 sent;

	if (strcmp(event, "data_chunk") == 0 &&
	    (p = strstr(data, "\"points_sent\":")) != NULL) {
		sent = strtoll(p + 14, NULL, 10);
		if (sent <= s->points_sent)
			fail(c, F_REPEAT, "points_sent %" PRId64 " after %"
			    PRId64, sent, s->points_sent);
		else
			tally.points += sent - s->points_sent;
		s->points_sent = sent;
	} else if (strcmp(event, "complete") == 0)
		s->leave_at = cl->now + (10000 + random() % 20000) * 1000000LL;
}

static void
on_event(struct sse_client *cl, struct sse_conn *c, const char *event,
    const char *id, const char *data)
{
	struct stream	*s = &st[c->idx];
	char		 code[64] = "";
	const char	*p;

	(void)id;
	tally.events[s->kind]++;
	if (c->events == 1) {
		note_first(!s->opened, (cl->now - c->t_open) / 1000000);
		s->opened = 1;
	}
	if (strcmp(event, "error") != 0) {
		if (s->kind == K_PROGRESS)
			on_progress_event(cl, c, event, data);
		else if (s->kind == K_DATA)
			on_data_event(cl, c, event, data);
		return;
	}
	s->error_end = END_OTHER;
	if ((p = strstr(data, "\"code\":\"")) != NULL)
		sscanf(p + 8, "%63[^\"]", code);
	if (strcmp(code, "token_expired") == 0) {
		s->error_end = END_TOKEN;
		tally.renewals++;
		return;
	}
	if (strcmp(code, "not_found") == 0 && job_is_deleted(s)) {
		s->error_end = END_DELETED;
		tally.deleted_under++;
		return;
	}
	fail(c, F_ERROR, "error event %s", data);
}

/* The server ended the response (cleanly or not), or refused the request. */
static void
on_end(struct sse_client *cl, struct sse_conn *c)
{
	struct stream	*s = &st[c->idx];
	int		 j, retry = c->retry_ms >= 0 ? c->retry_ms : 3000;

	tally.heartbeats += c->heartbeats;
	c->heartbeats = 0;
	/* EventSource keeps the last id it had across its connections. */
	if (c->last_id[0] != '\0')
		snprintf(s->last_id, sizeof s->last_id, "%s", c->last_id);
	if (c->status == 204 && s->last_id[0] != '\0' &&
	    strstr(s->last_id, ".end") != NULL) {
		/* The client had the stream's last word: EventSource stops. */
		tally.ends_204++;
		j = s->kind == K_PROGRESS ? pick_job(s->user, 1) : s->job;
		stream_retarget(cl, c->idx, j);
		return;
	}
	if (c->status == 404 && job_is_deleted(s)) {
		tally.deleted_under++;
		stream_retarget(cl, c->idx, pick_job(s->user, 0));
		return;
	}
	if (c->status != 200) {
		fail(c, F_STATUS, "HTTP status %d", c->status);
		s->last_id[0] = '\0';
		stream_again(cl, c->idx, 5000);
		return;
	}
	if (s->error_end) {
		if (s->error_end == END_DELETED)
			stream_retarget(cl, c->idx, pick_job(s->user, 0));
		else {
			if (s->error_end == END_TOKEN) {
				/* As the page would: a fresh token. */
				free(tokens[s->user]);
				tokens[s->user] = token_for(s->user);
			}
			stream_again(cl, c->idx, retry);
		}
		return;
	}
	if (c->hs == SSE_DONE)
		tally.rotations++;
	else
		fail(c, F_CUT, "response cut after %d events", c->events);
	stream_again(cl, c->idx, retry);
}

/* Timers of every stream: reopening, moving on, waiting too long. */
static void
tick(struct sse_client *cl)
{
	struct stream	*s;
	struct sse_conn	*c;
	int64_t		 now = sse_now_ns();
	int		 i, j;

	for (i = 0; i < opt.n; i++) {
		s = &st[i];
		c = &cl->c[i];
		switch (s->state) {
		case S_WAIT:
			if (now >= s->reopen_at)
				stream_open(cl, i);
			break;
		case S_OPENING:
			if (now - c->t_open > opt.open_timeout_s *
			    1000000000LL) {
				fail(c, F_TIMEOUT, "no response in %d s",
				    opt.open_timeout_s);
				stream_again(cl, i, 1000);
			}
			break;
		case S_OPEN:
			if (!s->stalled && now - (c->t_last > c->t_open ?
			    c->t_last : c->t_open) > stall_ns) {
				s->stalled = 1;
				fail(c, F_STALL, "nothing for %" PRId64 " s",
				    (now - c->t_last) / 1000000000);
			}
			if (s->leave_at == 0 || now < s->leave_at)
				break;
			if (s->kind == K_DATA) {
				stream_retarget(cl, i, pick_job(s->user, 0));
				break;
			}
			j = pick_job(s->user, 1);
			if (j != -1 && j != s->job)
				stream_retarget(cl, i, j);
			else
				s->leave_at = now + 3000000000LL;
			break;
		}
	}
}

/* ---- processes: memory and CPU -------------------------------------------------- */

struct proc {
	pid_t		pid;
	pid_t		ppid;
	char		comm[20];
	int		mark;		/* 1: the server's, 2: a responder */
};

/* Every process: pid, parent and command name from /proc/PID/stat. */
static int
scan_procs(struct proc **out)
{
	DIR		*d;
	struct dirent	*e;
	struct proc	*v = NULL;
	char		 path[300], line[512], *open, *close;
	FILE		*f;
	int		 n = 0, cap = 0;

	if ((d = opendir("/proc")) == NULL)
		die("/proc: %s", strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(line, sizeof line, f) != NULL &&
		    (open = strchr(line, '(')) != NULL &&
		    (close = strrchr(line, ')')) != NULL && close > open) {
			if (n == cap) {
				cap = cap ? cap * 2 : 4096;
				v = xreallocarray(v, (size_t)cap, sizeof *v);
			}
			v[n].pid = (pid_t)atoi(line);
			snprintf(v[n].comm, sizeof v[n].comm, "%.*s",
			    (int)(close - open - 1), open + 1);
			v[n].ppid = (pid_t)atoi(close + 4);	/* ") S " */
			v[n].mark = 0;
			n++;
		}
		fclose(f);
	}
	closedir(d);
	*out = v;
	return n;
}

/* Marks the server's processes (1) and its responders (2). */
static void
mark_server(struct proc *v, int n)
{
	int	i, more;

	for (i = 0; i < n; i++)
		if (v[i].pid == opt.server)
			v[i].mark = 1;
	do {
		more = 0;
		for (i = 0; i < n; i++) {
			int	k;

			if (v[i].mark != 0)
				continue;
			for (k = 0; k < n; k++)
				if (v[k].mark != 0 && v[k].pid == v[i].ppid)
					break;
			if (k == n)
				continue;
			v[i].mark = strcmp(v[i].comm, "backstream-sse") == 0 ?
			    2 : 1;
			more = 1;
		}
	} while (more);
}

/*
 * CPU used since the last call by the processes given, per pid: a
 * process new since then counts from its start.  One table per group.
 */
struct cpu_seen {
	pid_t		*pid;
	long long	*ns;
	int		 n;
};

static int
cmp_pid(const void *a, const void *b)
{
	pid_t	x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

static long long
cpu_delta(struct cpu_seen *seen, const struct proc *v, int n, int mark)
{
	pid_t		*pids;
	long long	*ns, sum = 0;
	pid_t		*hit;
	int		 i, m = 0;

	pids = xcalloc((size_t)n + 1, sizeof *pids);
	ns = xcalloc((size_t)n + 1, sizeof *ns);
	for (i = 0; i < n; i++)
		if (v[i].mark == mark)
			pids[m++] = v[i].pid;
	qsort(pids, (size_t)m, sizeof *pids, cmp_pid);
	for (i = 0; i < m; i++) {
		ns[i] = procstat_cpu_ns(pids[i]);
		hit = seen->n > 0 ? bsearch(&pids[i], seen->pid,
		    (size_t)seen->n, sizeof *seen->pid, cmp_pid) : NULL;
		if (hit == NULL)
			sum += ns[i];
		else if (ns[i] > seen->ns[hit - seen->pid])
			sum += ns[i] - seen->ns[hit - seen->pid];
	}
	free(seen->pid);
	free(seen->ns);
	seen->pid = pids;
	seen->ns = ns;
	seen->n = m;
	return sum;
}

/* Busy and total jiffies of the whole machine. */
static void
machine_cpu(long long *busy, long long *total)
{
	long long	v[8] = { 0 };
	FILE		*f;
	int		 i;

	*busy = *total = 0;
	if ((f = fopen("/proc/stat", "r")) == NULL)
		return;
	if (fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (i = 0; i < 8; i++)
			*total += v[i];
		*busy = *total - v[3] - v[4];
	}
	fclose(f);
}

static long long	store_bytes;

static int
add_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type == FTW_F)
		store_bytes += (long long)sb->st_blocks * 512;
	return 0;
}

struct sample {
	double		t;		/* s since the load began */
	int		open;		/* streams with a response going */
	long long	events;
	int		nresp;
	long		uss, rss;	/* kB: the responders' totals */
	long		srv_rss, srv_uss;	/* kB: the web server's */
	double		store_mb;
	double		cpu_resp, cpu_srv, cpu_self, cpu_machine;	/* % of a core */
	double		load1;
};

static struct sample	*samples;
static int		 nsamples, capsamples;

static long long
all_events(void)
{
	long long	n = 0;
	int		k;

	for (k = 0; k < NKINDS; k++)
		n += tally.events[k];
	return n;
}

static void
take_sample(double t)
{
	static struct cpu_seen	resp_seen, srv_seen;
	static long long	self0, busy0, total0;
	static int64_t		t_prev;
	struct proc		*v;
	struct sample		*sa;
	long long		 self, busy, total, dr, ds;
	struct procmem		 pm;
	int64_t			 now = sse_now_ns();
	double			 secs, ncores;
	FILE			*f;
	int			 n, i;

	if (nsamples == capsamples) {
		capsamples = capsamples ? capsamples * 2 : 64;
		samples = xreallocarray(samples, (size_t)capsamples,
		    sizeof *samples);
	}
	sa = &samples[nsamples++];
	memset(sa, 0, sizeof *sa);
	sa->t = t;
	for (i = 0; i < opt.n; i++)
		sa->open += st[i].state == S_OPEN;
	sa->events = all_events();
	n = scan_procs(&v);
	mark_server(v, n);
	for (i = 0; i < n; i++) {
		if (v[i].mark == 0 || procstat_mem(v[i].pid, &pm) == -1)
			continue;
		if (v[i].mark == 2) {
			sa->nresp++;
			sa->rss += pm.rss;
			sa->uss += pm.uss;
		} else {
			sa->srv_rss += pm.rss;
			sa->srv_uss += pm.uss;
		}
	}
	dr = cpu_delta(&resp_seen, v, n, 2);
	ds = cpu_delta(&srv_seen, v, n, 1);
	free(v);
	self = procstat_cpu_ns(getpid());
	machine_cpu(&busy, &total);
	store_bytes = 0;
	nftw(cfg.store_dir, add_file, 16, FTW_PHYS);
	sa->store_mb = (double)store_bytes / 1048576.0;
	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fscanf(f, "%lf", &sa->load1) != 1)
			sa->load1 = 0;
		fclose(f);
	}
	if (t_prev != 0 && (secs = (double)(now - t_prev) / 1e9) > 0) {
		ncores = (double)sysconf(_SC_NPROCESSORS_ONLN);
		sa->cpu_resp = 100.0 * (double)dr / 1e9 / secs;
		sa->cpu_srv = 100.0 * (double)ds / 1e9 / secs;
		sa->cpu_self = 100.0 * (double)(self - self0) / 1e9 / secs;
		if (total > total0)
			sa->cpu_machine = 100.0 * ncores *
			    (double)(busy - busy0) / (double)(total - total0);
	} else
		sa->cpu_resp = sa->cpu_srv = sa->cpu_self = sa->cpu_machine =
		    -1;
	t_prev = now;
	self0 = self;
	busy0 = busy;
	total0 = total;
	printf("%6.0f %5d %9lld %5d %8.1f %8.1f %8.1f %8.1f", sa->t, sa->open,
	    sa->events, sa->nresp, sa->uss / 1024.0, sa->rss / 1024.0,
	    sa->srv_rss / 1024.0, sa->store_mb);
	if (sa->cpu_resp < 0)
		printf(" %7s %7s %7s %8s", "-", "-", "-", "-");
	else
		printf(" %7.1f %7.1f %7.1f %8.1f", sa->cpu_resp, sa->cpu_srv,
		    sa->cpu_self, sa->cpu_machine);
	printf(" %5.2f\n", sa->load1);
	fflush(stdout);
}

static void
sample_header(void)
{
	printf("%6s %5s %9s %5s %8s %8s %8s %8s %7s %7s %7s %8s %5s\n", "t s",
	    "open", "events", "resp", "USS MB", "RSS MB", "srv RSS", "store MB",
	    "resp %", "srv %", "self %", "all %", "load");
	printf("  (USS, RSS: the responders' totals; srv RSS: the web server's "
	    "own processes; CPU in %% of one core since the sample before; "
	    "all: the whole machine)\n");
}

/* ---- the run ---------------------------------------------------------------------- */

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

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

static int
count_state(enum sstate state)
{
	int	i, k = 0;

	for (i = 0; i < opt.n; i++)
		k += st[i].state == state;
	return k;
}

static int
count_opened(void)
{
	int	i, k = 0;

	for (i = 0; i < opt.n; i++)
		k += st[i].opened;
	return k;
}

/* Gives each stream its kind and user, the data streams spread out. */
static void
assign_streams(int *per_kind)
{
	int	i, k = 0, every = opt.ndata > 0 ? opt.n / opt.ndata : 0;
	int	data = 0;

	for (i = 0; i < opt.n; i++) {
		struct stream	*s = &st[i];

		s->user = i % opt.users;
		s->job = -1;
		s->state = S_WAIT;
		s->reopen_at = INT64_MAX;
		if (every > 0 && (i + 1) % every == 0 && data < opt.ndata) {
			s->kind = K_DATA;
			data++;
		} else {
			k++;
			s->kind = k % 20 < 9 ? K_JOBS : k % 20 < 13 ?
			    K_HISTORY : K_PROGRESS;
		}
		make_query(i);
		per_kind[s->kind]++;
	}
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
		tick(cl);
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

/* The figures over the samples: memory from minute 2 (or half-way) on. */
static void
report_memory(void)
{
	const struct sample	*a = NULL, *z;
	double			 from = opt.seconds >= 240 ? 120 :
				    opt.seconds / 2.0;
	long			 umin = 0, umax = 0;
	int			 i;

	if (nsamples == 0)
		return;
	z = &samples[nsamples - 1];
	for (i = 0; i < nsamples; i++) {
		if (a == NULL && samples[i].t >= from)
			a = &samples[i];
		if (a != NULL) {
			if (umin == 0 || samples[i].uss < umin)
				umin = samples[i].uss;
			if (samples[i].uss > umax)
				umax = samples[i].uss;
		}
	}
	if (a == NULL || a->nresp == 0 || z->nresp == 0)
		return;
	printf("memory from t=%.0f s to the end (t=%.0f s):\n", a->t, z->t);
	printf("  responders' USS total: %.1f MB -> %.1f MB (%+.1f MB, "
	    "%+.2f %%; between %.1f and %.1f MB); per responder %.0f -> "
	    "%.0f kB (%d -> %d responders)\n", a->uss / 1024.0,
	    z->uss / 1024.0, (z->uss - a->uss) / 1024.0,
	    100.0 * (double)(z->uss - a->uss) / (double)a->uss,
	    umin / 1024.0, umax / 1024.0, (double)a->uss / a->nresp,
	    (double)z->uss / z->nresp, a->nresp, z->nresp);
	printf("  responders' RSS total: %.1f MB -> %.1f MB (%+.1f MB)\n",
	    a->rss / 1024.0, z->rss / 1024.0, (z->rss - a->rss) / 1024.0);
	printf("  web server RSS: %.1f MB -> %.1f MB (%+.1f MB); store: %.1f "
	    "MB -> %.1f MB\n", a->srv_rss / 1024.0, z->srv_rss / 1024.0,
	    (z->srv_rss - a->srv_rss) / 1024.0, a->store_mb, z->store_mb);
}

static void
report_cpu(double engine_s, double secs)
{
	double	resp = 0, srv = 0, self = 0, all = 0, load = 0;
	int	i, k = 0;

	for (i = 0; i < nsamples; i++) {
		if (samples[i].cpu_resp < 0)
			continue;
		resp += samples[i].cpu_resp;
		srv += samples[i].cpu_srv;
		self += samples[i].cpu_self;
		all += samples[i].cpu_machine;
		load += samples[i].load1;
		k++;
	}
	if (k == 0)
		return;
	printf("CPU, mean over the run in %% of one core: responders %.1f, "
	    "web server %.1f, engine runs %.1f (%.0f s), this client %.1f; "
	    "the whole machine %.1f of %ld cores; load average %.1f\n",
	    resp / k, srv / k, 100.0 * engine_s / secs, engine_s, self / k,
	    all / k, sysconf(_SC_NPROCESSORS_ONLN), load / k);
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
	    sh->status_count[JOB_CANCELLED], engine_runs, engine_failures);
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
	for (f = 0; f < NFAILURES; f++)
		printf("%s %ld %s", f ? "," : "", tally.failures[f],
		    failure_names[f]);
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

int
main(int argc, char **argv)
{
	struct sigaction	 sa;
	struct sse_client	 cl;
	struct rlimit		 rl;
	struct rusage		 ru0, ru1;
	int			 per_kind[NKINDS] = { 0 }, ch, i, status, failed;
	char			 err[1024], *dir;
	long long		 beats;
	int64_t			 t0, now, next_sample, next_cron, end;
	double			 engine_s, secs;
	pid_t			 jobs;

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
	dir = xstrdup(cfg.cert_file);
	if (strrchr(dir, '/') != NULL)
		*strrchr(dir, '/') = '\0';
	xasprintf(&key_file, "%s/%s", dir, MINT_KEY_FILE);
	free(dir);
	stall_ns = (3 * cfg.heartbeat + 5000) * 1000000LL;
	srandom((unsigned)getpid());

	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	for (i = 0; i < USERS_MAX; i++)
		sh->last_of_user[i] = -1;
	setup_jobs();
	tokens = xcalloc((size_t)opt.users, sizeof *tokens);
	for (i = 0; i < opt.users; i++)
		tokens[i] = token_for(i);
	st = xcalloc((size_t)opt.n, sizeof *st);
	assign_streams(per_kind);
	printf("sustained load through %s: %d streams (%d jobs lists, %d "
	    "history, %d progress, %d data) of %d users\n", opt.server_name,
	    opt.n, per_kind[K_JOBS], per_kind[K_HISTORY],
	    per_kind[K_PROGRESS], per_kind[K_DATA], opt.users);
	fflush(stdout);

	sse_client_init(&cl, opt.n, opt.port);
	for (i = 0; i < opt.n; i++)
		cl.c[i].idx = i;
	cl.on_event = on_event;
	cl.on_head = on_head;
	cl.on_end = on_end;
	ramp_up(&cl);

	printf("held for %d s: a job submitted every %.1f s (a random user's; "
	    "14 days of minute bars), a cancel every %.0f s, a delete every "
	    "%.1f s; %s\n", opt.seconds, opt.submit_ms / 1000.0,
	    opt.cancel_ms / 1000.0, opt.delete_ms / 1000.0,
	    opt.engine != NULL ? "the engine started every minute, as cron "
	    "does" : "no engine");
	sample_header();
	getrusage(RUSAGE_CHILDREN, &ru0);
	t0 = sse_now_ns();
	end = t0 + (int64_t)opt.seconds * 1000000000;
	jobs = start_jobs();
	next_cron = t0;
	take_sample(0);
	next_sample = t0 + (int64_t)opt.sample_s * 1000000000;
	while (!stopping && (now = sse_now_ns()) < end) {
		if (opt.engine != NULL && now >= next_cron) {
			start_engine();
			next_cron += (int64_t)opt.cron_s * 1000000000;
		}
		sse_client_run(&cl, 100, NULL);
		tick(&cl);
		reap_engines(0);
		if (sse_now_ns() >= next_sample) {
			take_sample((double)(sse_now_ns() - t0) / 1e9);
			next_sample += (int64_t)opt.sample_s * 1000000000;
		}
	}
	secs = (double)(sse_now_ns() - t0) / 1e9;
	if (nsamples == 0 || samples[nsamples - 1].t < secs - 1)
		take_sample(secs);

	kill(jobs, SIGTERM);
	while (waitpid(jobs, &status, 0) == -1 && errno == EINTR)
		;
	stop_engines();
	getrusage(RUSAGE_CHILDREN, &ru1);
	engine_s = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec +
	    ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
	    (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec +
	    ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
	beats = tally.heartbeats;
	for (i = 0; i < opt.n; i++)
		beats += cl.c[i].heartbeats;
	report(per_kind, engine_s, secs, beats);
	failed = tally.failed_streams > 0 || count_opened() < opt.n;
	sse_client_free(&cl);
	for (i = 0; i < opt.users; i++)
		free(tokens[i]);
	free(tokens);
	free(st);
	free(samples);
	free(tally.first_ms);
	free(tally.refirst_ms);
	free(key_file);
	conf_free(&cfg);
	if (stopping)
		return 124;
	return failed ? 1 : 0;
}
