/* sustain-jobs.c: bench-sustain's job process (submissions, cancels, deletes through the store, as the REST API makes them) and its engine runs. */
#include "config.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bench-util.h"
#include "jobctl.h"
#include "spec-parse.h"
#include "store-jobs.h"
#include "store.h"
#include "sustain.h"

#define UID_FMT		"load-u%04d"

static const char *const symbols[] = { "DEMO", "ACME", "GLOBEX", "INITECH" };
static const char *const strategies[] = { "sma_crossover", "ema_crossover",
    "rsi_reversion", "buy_and_hold" };

struct shared	*sh;

void
jobs_table_init(void)
{
	int	i;

	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	for (i = 0; i < USERS_MAX; i++)
		sh->last_of_user[i] = -1;
}

void
uid_of(int user, char *out, size_t len)
{
	snprintf(out, len, UID_FMT, user);
}

int
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

void
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

void
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

pid_t
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
static int	runs, failures;

void
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
	runs++;
}

void
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
			failures++;
		}
		engines[i] = 0;
	}
}

/* SIGTERM to each group, SIGKILL to those left after 10 s. */
void
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

int
engine_runs(void)
{
	return runs;
}

int
engine_failures(void)
{
	return failures;
}
