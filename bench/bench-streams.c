/* bench-streams.c: SSE load client through a web server: commit-to-client latency, memory, idle CPU and data throughput. */
#include "config.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bar.h"
#include "bench-util.h"
#include "conf.h"
#include "demodata.h"
#include "job.h"
#include "mint.h"
#include "store-bars.h"
#include "store-jobs.h"
#include "store-history.h"
#include "store.h"
#include "procstat.h"
#include "publish.h"
#include "repl.h"
#include "sse-client.h"
#include "timefmt.h"
#include "xmalloc.h"

/*
 * The driver (bench/streams.sh) starts the web server with one stream
 * responder per stream and runs this program against it.  This program
 * fills the store (its own users, jobs and bars), mints tokens, opens N
 * raw HTTP connections and reads them with epoll, and commits changes from
 * a forked writer process through the store API, like the engine does.
 *
 * Phases (-m, comma-separated, in this order):
 *   same      N jobs-list streams of one user; every commit updates that
 *             user's newest job, so every stream sends job_updated
 *   hold      the streams of "same" without commits (for outside tools)
 *   progress  N progress streams of one job; every commit changes its message
 *   memory    private memory (USS) of every responder, with the streams of
 *             the phase before still open
 *   idle      CPU of the responders and the web server over -d seconds,
 *             streams still open
 *   peer      for each size in -s (default N and 300): the streams of
 *             "same" at that size, then as many subscribers of one nchan
 *             channel (nginx with the nchan module on port -q, pid -Q; none:
 *             skipped) to which the writer publishes instead of committing,
 *             the same JSON padded to the size of backstream's event; then
 *             both sides' p50 and p99 and the ratio of their p99s
 *   open      CPU to open -o streams (valid token) and to refuse -o junk
 *             tokens: responders and web server, and the token helper run
 *             by this program as a responder runs it, per stream
 *   spread    N jobs-list streams of N users; each commit is one user's
 *   data      one data stream of -P points per chunk size in -z
 *
 * A commit's latency runs from just before store_write() (the writer's
 * clock, CLOCK_REALTIME shared with this process) to the moment the client
 * read the event; "all" is when the last stream had it.  CPU per event is
 * the scheduler's exact run time (schedstat) of the responders and of the
 * web server over the phase, divided by the events delivered.  Streams are
 * opened -b at a time (default 10), each batch once the one before has
 * started.  Figures go to standard output.
 */

#define SAME_UID	"bench-same"
#define SPREAD_UID	"bench-u%04d"
#define BENCH_SYMBOL	"BENCH"
#define MAX_CONNS	20000
#define CONNECT_WAIT_S	180
#define DAY_S		86400

#define now_ns	sse_now_ns

/* Whether backstream-sse checks tokens itself (configure found Nettle). */
#ifdef HAVE_NETTLE
#define SSE_CHECKS_IN_PROCESS	1
#else
#define SSE_CHECKS_IN_PROCESS	0
#endif

/* ---- options --------------------------------------------------------------- */

static struct {
	const char	*conf;
	const char	*wconf;		/* -W: the writer's, if not conf */
	int		 port;
	int		 n;		/* streams */
	int		 commits;
	int		 interval_ms;	/* between commits */
	pid_t		 server;	/* the web server, for memory and CPU */
	int		 idle_s;
	int		 points;
	char		 chunks[256];
	int		 repeats;
	char		 modes[256];
	int		 batch;		/* streams opened at once */
	int		 peer_port;	/* nginx with nchan; 0: none */
	pid_t		 peer_pid;
	char		 sizes[256];	/* of the peer comparison */
	int		 open_k;	/* streams of the open phase */
} opt = {
	NULL, NULL, 0, 1000, 30, 1000, 0, 60, 100000, "500,1000,2000,5000,10000", 3,
	"same,memory,idle,peer,open,progress,spread,data", 10, 0, 0, "", 100,
};

/* ---- the store: users, jobs and bars ---------------------------------------- */

static struct conf	 cfg;
/*
 * The writer's: cfg's own, or with -W another node's, the master of the
 * replication group whose replica serves the streams.
 */
static struct conf	 wcfg;
static char		 same_job[ID_MAX + 1];
static char		(*spread_jobs)[ID_MAX + 1];

/* A job spec over every BENCH bar. */
static void
bench_spec(struct job_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	snprintf(spec->symbol, sizeof spec->symbol, "%s", BENCH_SYMBOL);
	snprintf(spec->strategy, sizeof spec->strategy, "buy_and_hold");
	spec->interval = INTERVAL_MINUTE;
	spec->start_date = DEMODATA_FIRST_DAY - 3 * 364 * DAY_S;
	spec->end_date = DEMODATA_LAST_DAY;
	spec->initial_capital = 100000;
}

struct bars {
	struct bar	*v;
	size_t		 n;
	int64_t		 shift;
};

static int
collect_bar(const struct bar *b, void *arg)
{
	struct bars	*bs = arg;

	bs->v[bs->n] = *b;
	bs->v[bs->n++].time += bs->shift;
	return 0;
}

static int
has_bars(struct store_txn *txn, void *arg)
{
	struct bar_range	r;
	int			rc;

	if ((rc = bars_range(txn, BENCH_SYMBOL, INTERVAL_MINUTE, &r)) == ENOENT)
		return 0;
	*(uint64_t *)arg = r.count;
	return rc;
}

/*
 * BENCH: the DEMO symbol's year of minute bars, laid four times end to
 * end (each copy 364 days apart keeps weekdays): 393,000 bars.
 */
static void
import_bars(struct store *s)
{
	const char *const	*names;
	struct bars		 bs;
	uint64_t		 count = 0;
	char			 err[512];
	int			 copy;

	if (store_read(s, has_bars, &count, err, sizeof err) != 0)
		die("%s", err);
	if (count > 0)
		return;
	demodata_symbols(&names);
	bs.v = xreallocarray(NULL, DEMODATA_BARS_PER_SYMBOL, sizeof *bs.v);
	for (copy = 3; copy >= 0; copy--) {
		bs.n = 0;
		bs.shift = -(int64_t)copy * 364 * DAY_S;
		if (demodata_generate(names[0], collect_bar, &bs) != 0)
			die("demo data");
		/* A copy must end before the next begins. */
		while (bs.n > 0 && copy > 0 && bs.v[bs.n - 1].time >=
		    DEMODATA_FIRST_DAY - (copy - 1) * 364 * DAY_S)
			bs.n--;
		if (bars_import(s, BENCH_SYMBOL, INTERVAL_MINUTE, bs.v, bs.n,
		    NULL, NULL, err, sizeof err) != 0)
			die("import: %s", err);
	}
	free(bs.v);
}

struct make_jobs {
	int		 spread;	/* users bench-uNNNN, else bench-same */
	int		 first;
	int		 n;
	char		(*ids)[ID_MAX + 1];
};

static int
find_job(const struct job *j, void *arg)
{
	snprintf(arg, ID_MAX + 1, "%s", j->id);
	return STORE_STOP;
}

/*
 * Gives each user its jobs, unless it has some: bench-same SAME_JOBS (its
 * list stream shows the newest 10, and a commit updates the newest), each
 * bench-uNNNN one.
 */
#define SAME_JOBS	20

static int
make_jobs(struct store_txn *txn, void *arg)
{
	struct make_jobs	*mj = arg;
	struct job		 j;
	char			 uid[UID_MAX + 1];
	int			 i, k, r, njobs;

	for (i = mj->first; i < mj->first + mj->n; i++) {
		if (mj->spread)
			snprintf(uid, sizeof uid, SPREAD_UID, i);
		else
			snprintf(uid, sizeof uid, "%s", SAME_UID);
		mj->ids[i][0] = '\0';
		if ((r = jobs_list(txn, uid, -1, 1, find_job, mj->ids[i])) != 0)
			return r;
		if (mj->ids[i][0] != '\0')
			continue;
		njobs = mj->spread ? 1 : SAME_JOBS;
		for (k = 0; k < njobs; k++) {
			memset(&j, 0, sizeof j);
			snprintf(j.id, sizeof j.id, "00000000-0000-4000-%04x-"
			    "%012d", mj->spread ? 0x8000 : 0x9000 + k, i);
			snprintf(j.uid, sizeof j.uid, "%s", uid);
			j.status = JOB_QUEUED;
			j.created_at = time(NULL);
			bench_spec(&j.spec);
			snprintf(j.message, sizeof j.message, "queued");
			if ((r = jobs_create(txn, &j)) != 0)
				return r;
		}
		/* The newest: the one commits change. */
		snprintf(mj->ids[i], ID_MAX + 1, "%s", j.id);
	}
	return 0;
}

static void
setup_store(void)
{
	struct store		*s;
	struct make_jobs	 mj;
	char			 err[1024];
	char			 one[1][ID_MAX + 1];
	int			 i;

	/* A replicated store was made by backstream init and its repd. */
	if ((s = store_open(&wcfg, repl_enabled(&wcfg) ? 0 : STORE_CREATE,
	    err, sizeof err)) == NULL)
		die("%s", err);
	import_bars(s);
	mj.spread = 0;
	mj.first = 0;
	mj.n = 1;
	mj.ids = one;
	if (store_write(s, 0, make_jobs, &mj, err, sizeof err) != 0)
		die("jobs: %s", err);
	snprintf(same_job, sizeof same_job, "%s", one[0]);
	spread_jobs = xcalloc((size_t)opt.n, sizeof *spread_jobs);
	mj.spread = 1;
	mj.ids = spread_jobs;
	for (i = 0; i < opt.n; i += 100) {
		mj.first = i;
		mj.n = opt.n - i < 100 ? opt.n - i : 100;
		if (store_write(s, 0, make_jobs, &mj, err, sizeof err) != 0)
			die("jobs: %s", err);
	}
	store_close(s);
}

/* ---- tokens ----------------------------------------------------------------- */

static char	*key_file, *cert_file;

static char *
token_for(const char *uid)
{
	return bench_token(key_file, cert_file, cfg.project_id, uid, 4 * 3600);
}

/* ---- the client (sse-client.c): what each phase reads from the events ----- */

/* Latencies of the commits being measured: [commit][conn], 0 until arrived. */
static struct {
	int64_t		*arrive;
	int		 ncommits;
	int		 arrived;
	size_t		 datalen;	/* of backstream's last event */
} lat_run;

/*
 * The streams are nchan's: a stream is ready when its head has come (nchan
 * sends no state), and the writer publishes to publish_port instead of
 * committing.
 */
static int	publish_port;

/* The data phase's one stream. */
static struct {
	int64_t		 points;
	int64_t		 total;
	int64_t		 t_complete;
} data_run;

static void
set_nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The commit number in a "message":"bench K" of the event's data, or -1. */
static int
commit_of(const char *data)
{
	const char	*p;

	if ((p = strstr(data, "\"message\":\"bench ")) == NULL)
		return -1;
	return atoi(p + 17);
}

static int64_t
json_int(const char *data, const char *field)
{
	const char	*p;

	if ((p = strstr(data, field)) == NULL)
		return -1;
	return strtoll(p + strlen(field), NULL, 10);
}

static void
on_event(struct sse_client *cl, struct sse_conn *c, const char *event,
    const char *id, const char *data)
{
	int	k;

	(void)id;
	if (strcmp(event, "data_chunk") == 0) {
		data_run.points = json_int(data, "\"points_sent\":");
	} else if (strcmp(event, "complete") == 0) {
		data_run.total = json_int(data, "\"total_points\":");
		data_run.t_complete = cl->now;
	} else if (strcmp(event, "error") == 0) {
		fprintf(stderr, "bench-streams: stream %d: error %s\n", c->idx,
		    data);
	} else if (lat_run.arrive != NULL && (k = commit_of(data)) >= 0 &&
	    k < lat_run.ncommits &&
	    lat_run.arrive[(size_t)k * cl->n + c->idx] == 0) {
		lat_run.arrive[(size_t)k * cl->n + c->idx] = cl->now;
		lat_run.arrived++;
		if (publish_port == 0)
			lat_run.datalen = strlen(data);
	}
}

/* The open phase's junk tokens: a refusal is what it asks for. */
static int	refusals;

static void
on_head(struct sse_client *cl, struct sse_conn *c)
{
	(void)cl;
	if (c->status == 200 && publish_port != 0)
		c->ready = 1;
	if (c->status != 200 && !refusals)
		fprintf(stderr, "bench-streams: stream %d: status %d\n", c->idx,
		    c->status);
}

static void
client_init(struct sse_client *cl, int n)
{
	sse_client_init(cl, n, publish_port != 0 ? publish_port : opt.port);
	cl->on_event = on_event;
	cl->on_head = on_head;
}

static int
count_ready(const struct sse_client *cl)
{
	int	i, k = 0;

	for (i = 0; i < cl->n; i++)
		k += cl->c[i].ready && !cl->c[i].closed;
	return k;
}

/* Whether the streams [from, to) have all sent their first state. */
static int	batch_from, batch_to;

static int
batch_ready(struct sse_client *cl)
{
	int	i;

	for (i = batch_from; i < batch_to; i++)
		if (!cl->c[i].ready && !cl->c[i].closed)
			return 0;
	return 1;
}

/*
 * Opens the streams in batches, each once the one before has started: a
 * fresh responder opens the store on its first request, under the store's
 * exclusive gate, so the opens queue one behind the other; a thousand at
 * once measure that queue (and, on a loaded machine, trip the 30 s stall
 * watchdog of the streams waiting behind it) rather than the streams.
 */
static int
open_streams(struct sse_client *cl, char **paths)
{
	int64_t	t0 = now_ns();
	int	i, try, ready, retried = 0;

	for (batch_from = 0; batch_from < cl->n; batch_from = batch_to) {
		batch_to = batch_from + opt.batch < cl->n ? batch_from +
		    opt.batch : cl->n;
		for (i = batch_from; i < batch_to; i++) {
			cl->c[i].idx = i;
			sse_conn_start(cl, &cl->c[i], paths[i], NULL);
		}
		sse_client_run(cl, CONNECT_WAIT_S * 1000, batch_ready);
		/* A refused stream (a responder that died) is asked again. */
		for (try = 0; try < 3; try++) {
			for (i = batch_from; i < batch_to; i++) {
				struct sse_conn	*c = &cl->c[i];

				if (c->ready || !c->closed)
					continue;
				sse_conn_reset(cl, c);
				sse_conn_start(cl, c, paths[i], NULL);
				retried++;
			}
			sse_client_run(cl, CONNECT_WAIT_S * 1000, batch_ready);
		}
	}
	ready = count_ready(cl);
	printf("  %d of %d streams open in %.1f s (batches of %d; %d refused "
	    "and asked again)\n", ready, cl->n, (double)(now_ns() - t0) / 1e9,
	    opt.batch, retried);
	fflush(stdout);
	return ready == cl->n ? 0 : -1;
}

static int		children(pid_t parent, pid_t **out);

/*
 * CPU ns of a web server and of its children (lighttpd's responders,
 * nginx's worker).
 */
static void
server_cpu(pid_t server, long long *self, long long *responders)
{
	pid_t	*pids;
	int	 n, i;

	*self = *responders = 0;
	if (server == 0)
		return;
	*self = procstat_cpu_ns(server);
	n = children(server, &pids);
	for (i = 0; i < n; i++)
		*responders += procstat_cpu_ns(pids[i]);
	free(pids);
}

/* ---- the writer: a forked process that commits through the store -------- */

struct bump {
	const char	*id;
	int		 k;
};

static int
bump_job(struct store_txn *txn, void *arg)
{
	struct bump	*b = arg;
	struct job	 j;
	int		 r;

	if ((r = jobs_get_for_update(txn, b->id, &j)) != 0)
		return r;
	snprintf(j.message, sizeof j.message, "bench %d", b->k);
	return jobs_update(txn, &j);
}

/*
 * nchan's commit: publishes to the channel the JSON a job_updated event
 * carries the same way ("message":"bench K"), padded to the length of
 * backstream's event.
 */
static void
publish(int k)
{
	char	 err[256], head[64], *body;
	size_t	 len, n;
	int	 status;

	n = (size_t)snprintf(head, sizeof head, "{\"message\":\"bench %d\","
	    "\"pad\":\"", k);
	len = n + 2 > lat_run.datalen ? n + 2 : lat_run.datalen;
	body = xmalloc(len);
	memcpy(body, head, n);
	memset(body + n, 'x', len - n - 2);
	memcpy(body + len - 2, "\"}", 2);
	if ((status = publish_post(publish_port, "/pub", body, len, err,
	    sizeof err)) == -1)
		die("publisher: %s", err);
	if (status != 201 && status != 202)
		die("publisher: POST /pub: status %d", status);
	free(body);
}

/*
 * Commits K changes, commit k to job ids[k % nids], spaced interval_ms
 * apart (or publishes them, to nchan); times[2k] and times[2k+1] (shared)
 * get the clock before and after each commit.  Returns the writer's pid.
 */
static pid_t
start_writer(char (*ids)[ID_MAX + 1], int nids, int stride, int64_t *times)
{
	struct store	*s = NULL;
	struct bump	 b;
	struct timespec	 ts;
	char		 err[1024];
	pid_t		 pid;
	int		 k;

	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid > 0)
		return pid;
	if (publish_port == 0 &&
	    (s = store_open(&wcfg, 0, err, sizeof err)) == NULL)
		die("writer: %s", err);
	srandom((unsigned)getpid());
	/* Let the readers settle after the open. */
	ts.tv_sec = 0;
	ts.tv_nsec = 300 * 1000000L;
	nanosleep(&ts, NULL);
	for (k = 0; k < opt.commits; k++) {
		/* Jitter the spacing so commits do not lock to timers. */
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(opt.interval_ms * 1000000L * 3 / 4 +
		    random() % (opt.interval_ms * 1000000L / 2 + 1));
		while (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		nanosleep(&ts, NULL);
		if (publish_port == 0)
			b.id = ids[((size_t)k * (size_t)stride) % (size_t)nids];
		b.k = k;
		times[2 * k] = now_ns();
		if (publish_port != 0)
			publish(k);
		else if (store_write(s, 0, bump_job, &b, err, sizeof err) != 0)
			die("writer: %s", err);
		times[2 * k + 1] = now_ns();
	}
	if (publish_port == 0)
		store_close(s);
	_exit(0);
}

static double
pct(const int64_t *v, size_t n, double p)
{
	size_t	i;

	if (n == 0)
		return 0;
	i = (size_t)(p / 100 * (double)(n - 1) + 0.5);
	return (double)v[i] / 1e6;
}

struct expect {
	struct sse_client *cl;
	int		 per_commit;	/* streams each commit reaches */
	pid_t		 writer;
};

static struct expect	expecting;

static int
all_arrived(struct sse_client *cl)
{
	(void)cl;
	return lat_run.arrived == lat_run.ncommits * expecting.per_commit;
}

/* What the peer comparison keeps of a row. */
struct lat_figures {
	double	p50, p99, commit_ms;
	size_t	missing;
};

/*
 * Under overload "missing" is no loss: a list stream that wakes after
 * several commits reads its view once and sends the job's state once
 * (doc/streams.md).  What would be a loss is a stream cut, or one that
 * never got the last commit's state.
 */
static void
print_delivery(const struct sse_client *cl)
{
	int	i, cut = 0, last = 0;

	for (i = 0; i < cl->n; i++) {
		cut += cl->c[i].closed;
		last += lat_run.arrive[(size_t)(opt.commits - 1) * cl->n + i]
		    != 0;
	}
	printf("  streams cut: %d; the last commit reached %d of %d streams\n",
	    cut, last, cl->n);
}

/*
 * Runs the writer, collects arrivals and prints the figures of one row;
 * fills *out unless it is NULL.
 */
static void
measure_latency(const char *name, struct sse_client *cl,
    char (*ids)[ID_MAX + 1], int nids, int stride, int per_commit,
    struct lat_figures *out)
{
	int64_t	*times, *lat, *spread, t;
	size_t	 nlat = 0, nspread = 0;
	int	 k, i, status, got;
	int64_t	 commit_ns = 0;
	long long ws0, rs0, ws1, rs1;
	pid_t	 server = publish_port != 0 ? opt.peer_pid : opt.server;

	server_cpu(server, &ws0, &rs0);
	times = mmap(NULL, (size_t)opt.commits * 2 * sizeof *times,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (times == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	lat_run.ncommits = opt.commits;
	lat_run.arrive = xcalloc((size_t)opt.commits * (size_t)cl->n,
	    sizeof *lat_run.arrive);
	lat_run.arrived = 0;
	expecting.cl = cl;
	expecting.per_commit = per_commit;
	expecting.writer = start_writer(ids, nids, stride, times);
	sse_client_run(cl, (int64_t)opt.commits * opt.interval_ms * 3 / 2 + 10000,
	    all_arrived);
	/* A little longer for stragglers, then the writer must be done. */
	sse_client_run(cl, 200, all_arrived);
	while (waitpid(expecting.writer, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("the writer failed");
	server_cpu(server, &ws1, &rs1);
	lat = xcalloc((size_t)opt.commits * (size_t)cl->n, sizeof *lat);
	spread = xcalloc((size_t)opt.commits, sizeof *spread);
	for (k = 0; k < opt.commits; k++) {
		int64_t	last = 0;

		commit_ns += times[2 * k + 1] - times[2 * k];
		for (i = got = 0; i < cl->n; i++) {
			if ((t = lat_run.arrive[(size_t)k * cl->n + i]) == 0)
				continue;
			lat[nlat++] = t - times[2 * k];
			got++;
			if (t - times[2 * k] > last)
				last = t - times[2 * k];
		}
		if (got == per_commit)
			spread[nspread++] = last;
	}
	qsort(lat, nlat, sizeof *lat, cmp_i64);
	qsort(spread, nspread, sizeof *spread, cmp_i64);
	printf("%-9s %5d %5d %7zu %7zu %8.2f %8.2f %8.2f %8.2f %8.2f %9.2f "
	    "%7.3f\n", name, cl->n, opt.commits, nlat,
	    (size_t)opt.commits * (size_t)per_commit - nlat,
	    pct(lat, nlat, 50), pct(lat, nlat, 90), pct(lat, nlat, 99),
	    nlat ? (double)lat[nlat - 1] / 1e6 : 0.0, pct(spread, nspread, 50),
	    nspread ? (double)spread[nspread - 1] / 1e6 : 0.0,
	    (double)commit_ns / opt.commits / 1e6);
	if (server != 0 && nlat > 0)
		printf("  CPU per event delivered: %s %.1f us, %s %.1f us (whole "
		    "run, heartbeats and polls included)\n", publish_port != 0 ?
		    "nginx's worker" : "responders",
		    (double)(rs1 - rs0) / 1e3 / (double)nlat, publish_port != 0 ?
		    "its master" : "web server",
		    (double)(ws1 - ws0) / 1e3 / (double)nlat);
	if (per_commit == cl->n)
		print_delivery(cl);
	fflush(stdout);
	if (out != NULL) {
		out->p50 = pct(lat, nlat, 50);
		out->p99 = pct(lat, nlat, 99);
		out->commit_ms = (double)commit_ns / opt.commits / 1e6;
		out->missing = (size_t)opt.commits * (size_t)per_commit - nlat;
	}
	free(lat);
	free(spread);
	free(lat_run.arrive);
	lat_run.arrive = NULL;
	munmap(times, (size_t)opt.commits * 2 * sizeof *times);
}

static void
latency_header(void)
{
	printf("%-9s %5s %5s %7s %7s %8s %8s %8s %8s %8s %9s %7s\n", "case",
	    "strms", "cmts", "events", "missing", "p50 ms", "p90 ms", "p99 ms",
	    "max ms", "all p50", "all max", "cmt ms");
}

/* ---- processes: memory and CPU ---------------------------------------------- */

/* The web server's children (the responders); returns how many. */
static int
children(pid_t parent, pid_t **out)
{
	int	n;

	if ((n = procstat_children(parent, out)) == -1)
		die("pid %d: %s", (int)parent, strerror(errno));
	return n;
}

/* Prints one process's mappings with private pages, largest first. */
static void
private_map(pid_t pid)
{
	char	 path[64], line[512], name[512] = "";
	FILE	*f;
	long	 v, priv = 0, rss = 0;
	struct { char name[128]; long priv, rss; } m[512];
	int	 n = 0, i, j;

	snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		unsigned long	a, b;
		char		perms[8];
		int		off = 0;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &a, &b, perms,
		    &off) == 3 && off > 0) {
			if (name[0] != '\0' && priv > 0 && n < 512) {
				snprintf(m[n].name, sizeof m[n].name, "%s",
				    name);
				m[n].priv = priv;
				m[n++].rss = rss;
			}
			snprintf(name, sizeof name, "%s %s", perms,
			    line[off] ? line + off : "[anon]");
			name[strcspn(name, "\n")] = '\0';
			if (strlen(name) <= 5)
				snprintf(name + strlen(name),
				    sizeof name - strlen(name), "[anon]");
			priv = rss = 0;
		} else if (sscanf(line, "Private_Clean: %ld", &v) == 1 ||
		    sscanf(line, "Private_Dirty: %ld", &v) == 1)
			priv += v;
		else if (sscanf(line, "Rss: %ld", &v) == 1)
			rss = v;
	}
	if (priv > 0 && n < 512) {
		snprintf(m[n].name, sizeof m[n].name, "%s", name);
		m[n].priv = priv;
		m[n++].rss = rss;
	}
	fclose(f);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (m[j].priv > m[i].priv) {
				struct { char name[128]; long priv, rss; } t;

				memcpy(&t, &m[i], sizeof t);
				memcpy(&m[i], &m[j], sizeof t);
				memcpy(&m[j], &t, sizeof t);
			}
	printf("  private pages of responder %d (kB private / kB resident):\n",
	    (int)pid);
	for (i = 0; i < n && i < 14; i++)
		printf("    %5ld / %5ld  %s\n", m[i].priv, m[i].rss, m[i].name);
}

static int
cmp_long(const void *a, const void *b)
{
	long	x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static void
measure_memory(void)
{
	struct procmem	 pm, wm;
	pid_t		*pids, max_pid = 0;
	long		*uss, sum_rss = 0, sum_pss = 0, max_uss = -1;
	int		 n, i, m = 0;

	if (opt.server == 0)
		return;
	n = children(opt.server, &pids);
	uss = xcalloc((size_t)n + 1, sizeof *uss);
	for (i = 0; i < n; i++) {
		if (procstat_mem(pids[i], &pm) == -1)
			continue;
		uss[m++] = pm.uss;
		if (pm.uss > max_uss) {
			max_uss = pm.uss;
			max_pid = pids[i];
		}
		sum_rss += pm.rss;
		sum_pss += pm.pss;
	}
	if (m == 0)
		die("no responders under pid %d", (int)opt.server);
	qsort(uss, (size_t)m, sizeof *uss, cmp_long);
	if (procstat_mem(opt.server, &wm) == -1)
		die("the web server (pid %d) is gone", (int)opt.server);
	printf("memory of %d responders (kB): USS p50 %ld, p99 %ld, max %ld; "
	    "mean RSS %ld, mean PSS %ld\n", m, uss[m / 2],
	    uss[(m - 1) * 99 / 100], uss[m - 1], sum_rss / m, sum_pss / m);
	printf("web server (pid %d): RSS %ld kB, USS %ld kB\n", (int)opt.server,
	    wm.rss, wm.uss);
	private_map(pids[n / 2]);
	if (max_pid != 0 && max_pid != pids[n / 2])
		private_map(max_pid);
	fflush(stdout);
	free(uss);
	free(pids);
}

static void
measure_idle(struct sse_client *cl)
{
	long long	 wb, wa, rb, ra, sb, sa;
	int		 i, beats = 0;
	int64_t		 t0, t1;
	double		 secs;

	if (opt.server == 0)
		return;
	for (i = 0; i < cl->n; i++)
		beats -= cl->c[i].heartbeats;
	server_cpu(opt.server, &wb, &rb);
	sb = procstat_cpu_ns(getpid());
	t0 = now_ns();
	sse_client_run(cl, (int64_t)opt.idle_s * 1000, NULL);
	t1 = now_ns();
	server_cpu(opt.server, &wa, &ra);
	sa = procstat_cpu_ns(getpid());
	for (i = 0; i < cl->n; i++)
		beats += cl->c[i].heartbeats;
	secs = (double)(t1 - t0) / 1e9;
	printf("idle %d streams for %.0f s: responders %.3f %% of a core, web "
	    "server %.3f %%, together %.3f %% (this client %.3f %%); %d "
	    "heartbeats, %d streams open\n", cl->n, secs,
	    100.0 * (double)(ra - rb) / 1e9 / secs,
	    100.0 * (double)(wa - wb) / 1e9 / secs,
	    100.0 * (double)(ra - rb + wa - wb) / 1e9 / secs,
	    100.0 * (double)(sa - sb) / 1e9 / secs, beats, cl->open);
	fflush(stdout);
}

/* ---- the phases ------------------------------------------------------------- */

static void
close_all(struct sse_client *cl)
{
	sse_client_free(cl);
	/*
	 * lighttpd sees a client gone only when it next writes to it: the
	 * responders are busy until their next heartbeat.
	 */
	sleep((unsigned)(cfg.heartbeat / 1000 + 2));
}

/*
 * n streams of one user (jobs lists, or progress streams of its job),
 * opened and, if measure, measured into *out (which may be NULL).
 */
static void
phase_same(struct sse_client *cl, int n, int progress, int measure,
    struct lat_figures *out)
{
	char	**paths, *tok;
	char	  ids[1][ID_MAX + 1];
	int	  i;

	tok = token_for(SAME_UID);
	paths = xcalloc((size_t)n, sizeof *paths);
	for (i = 0; i < n; i++) {
		if (progress)
			xasprintf(&paths[i], "/api/sse/backtest/%s?token=%s",
			    same_job, tok);
		else
			xasprintf(&paths[i], "/api/sse/backtest/jobs?limit=10&"
			    "token=%s", tok);
	}
	client_init(cl, n);
	printf("%s: %d %s streams of one user\n", progress ? "progress" :
	    "same", n, progress ? "progress" : "jobs-list");
	if (open_streams(cl, paths) == -1)
		die("not every stream opened");
	snprintf(ids[0], sizeof ids[0], "%s", same_job);
	if (measure) {
		latency_header();
		measure_latency(progress ? "progress" : "same", cl, ids, 1, 1,
		    n, out);
	}
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(tok);
}

/*
 * n subscribers of one nchan channel, and the writer publishing to it
 * what it commits in "same", at the same pace: the peer of phase_same.
 */
static void
phase_nchan(struct sse_client *cl, int n, struct lat_figures *out)
{
	char	**paths;
	int	  i;

	if (lat_run.datalen == 0)
		die("nchan: no backstream event to take the size of");
	publish_port = opt.peer_port;
	paths = xcalloc((size_t)n, sizeof *paths);
	for (i = 0; i < n; i++)
		paths[i] = xstrdup("/sub");
	client_init(cl, n);
	printf("nchan: %d EventSource subscribers of one channel, messages "
	    "of %zu bytes\n", n, lat_run.datalen);
	if (open_streams(cl, paths) == -1)
		die("not every nchan subscriber opened");
	latency_header();
	measure_latency("nchan", cl, NULL, 0, 1, n, out);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	close_all(cl);
	publish_port = 0;
}

/* The sizes of the peer comparison: -s, else N and 300 (if below N). */
static int
peer_sizes(int *v, int max)
{
	char	 buf[256], *p, *save = NULL;
	int	 n = 0;

	if (opt.sizes[0] == '\0') {
		v[n++] = opt.n;
		if (opt.n > 300)
			v[n++] = 300;
		return n;
	}
	snprintf(buf, sizeof buf, "%s", opt.sizes);
	for (p = strtok_r(buf, ",", &save); p != NULL && n < max;
	    p = strtok_r(NULL, ",", &save))
		if ((v[n] = atoi(p)) >= 1 && v[n] <= opt.n)
			n++;
	return n;
}

/*
 * For each size: backstream's "same" row (the one measured already when
 * the size is N and have_n), then nchan's; then both side by side.
 */
static void
phase_peer(struct sse_client *cl, const struct lat_figures *same_n)
{
	struct lat_figures	 bs[16], nc[16];
	int			 sizes[16], n, i;

	n = peer_sizes(sizes, 16);
	for (i = 0; i < n; i++) {
		if (sizes[i] == opt.n && same_n != NULL)
			bs[i] = *same_n;
		else {
			if (cl->ep != -1)
				close_all(cl);
			phase_same(cl, sizes[i], 0, 1, &bs[i]);
		}
		if (cl->ep != -1)
			close_all(cl);
		if (opt.peer_port != 0)
			phase_nchan(cl, sizes[i], &nc[i]);
	}
	printf("peer: one user's job-list streams, a commit every %d ms "
	    "(%d commits), backstream through lighttpd against nchan (nginx, 1 "
	    "worker), same client, same run\n", opt.interval_ms, opt.commits);
	if (opt.peer_port == 0)
		printf("  nchan: not installed (libnginx-mod-nchan); skipped\n");
	printf("  %5s %21s %21s %11s %15s\n", "strms", "backstream p50/p99 ms",
	    "nchan p50/p99 ms", "p99 ratio", "commit/publish");
	for (i = 0; i < n; i++) {
		if (opt.peer_port == 0) {
			printf("  %5d %10.1f / %8.1f\n", sizes[i], bs[i].p50,
			    bs[i].p99);
			continue;
		}
		printf("  %5d %10.1f / %8.1f %10.1f / %8.1f %10.1fx %6.1f / %.1f ms"
		    "%s\n", sizes[i], bs[i].p50, bs[i].p99, nc[i].p50, nc[i].p99,
		    nc[i].p99 > 0 ? bs[i].p99 / nc[i].p99 : 0.0,
		    bs[i].commit_ms, nc[i].commit_ms,
		    bs[i].missing + nc[i].missing > 0 ? " (events missing)" : "");
	}
	fflush(stdout);
}

static void
phase_spread(struct sse_client *cl)
{
	char	**paths, *tok, uid[UID_MAX + 1];
	int	  i, stride;

	paths = xcalloc((size_t)opt.n, sizeof *paths);
	for (i = 0; i < opt.n; i++) {
		snprintf(uid, sizeof uid, SPREAD_UID, i);
		tok = token_for(uid);
		xasprintf(&paths[i], "/api/sse/backtest/jobs?limit=10&token=%s",
		    tok);
		free(tok);
	}
	client_init(cl, opt.n);
	printf("spread: %d jobs-list streams of %d users\n", opt.n, opt.n);
	if (open_streams(cl, paths) == -1)
		die("not every stream opened");
	/* A stride prime to n visits every user once per n commits. */
	for (stride = 389; opt.n % stride == 0; stride++)
		;
	latency_header();
	measure_latency("spread", cl, spread_jobs, opt.n, stride, 1, NULL);
	for (i = 0; i < opt.n; i++)
		free(paths[i]);
	free(paths);
}

/* ---- opening a stream: what it costs, token helper included ---------------- */

/*
 * The CPU ns of one run of the token helper (cfg.verify_helper) on token,
 * spawned as a responder spawns it (verify-client.c): token on standard
 * input, answer on standard output.
 */
static long long
helper_cpu(const char *token)
{
	struct rusage	ru;
	char		buf[512];
	int		in[2], out[2], status;
	pid_t		pid;

	if (pipe(in) == -1 || pipe(out) == -1)
		die("pipe: %s", strerror(errno));
	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		execl(cfg.verify_helper, cfg.verify_helper, "-c", opt.conf,
		    (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (write(in[1], token, strlen(token)) == -1)
		die("helper: %s", strerror(errno));
	close(in[1]);
	while (read(out[0], buf, sizeof buf) > 0)
		;
	close(out[0]);
	while (wait4(pid, &status, 0, &ru) == -1)
		if (errno != EINTR)
			die("wait4: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
		die("%s: exit status %d", cfg.verify_helper, status);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

static int
all_closed(struct sse_client *cl)
{
	return cl->open == 0;
}

/*
 * Opens k streams with token (a jobs list; a junk token is refused with
 * 401) and prints the CPU per stream of the responders and the web
 * server, measured over the opens, and of the helper, run k times here.
 */
static void
open_cost(struct sse_client *cl, const char *what, const char *token)
{
	long long	w0, r0, w1, r1, helper = 0;
	char		**paths;
	int		i, k = opt.open_k < opt.n ? opt.open_k : opt.n, bad = 0;

	paths = xcalloc((size_t)k, sizeof *paths);
	for (i = 0; i < k; i++)
		xasprintf(&paths[i], "/api/sse/backtest/jobs?limit=10&token=%s",
		    token);
	client_init(cl, k);
	refusals = strcmp(what, "junk") == 0;
	server_cpu(opt.server, &w0, &r0);
	if (!refusals) {
		if (open_streams(cl, paths) == -1)
			die("not every stream opened");
	} else {
		for (i = 0; i < k; i++) {
			cl->c[i].idx = i;
			sse_conn_start(cl, &cl->c[i], paths[i], NULL);
			if ((i + 1) % opt.batch == 0 || i == k - 1)
				sse_client_run(cl, CONNECT_WAIT_S * 1000,
				    all_closed);
		}
		for (i = 0; i < k; i++)
			bad += cl->c[i].status != 401;
	}
	/* What the responders do after the reply counts too. */
	sleep(1);
	server_cpu(opt.server, &w1, &r1);
	for (i = 0; i < k; i++) {
		/*
		 * Junk never reaches the helper (token-screen.h), and a
		 * responder built with Nettle starts none at all.
		 */
		if (!refusals && !SSE_CHECKS_IN_PROCESS)
			helper += helper_cpu(token);
		free(paths[i]);
	}
	free(paths);
	printf("  %s token, %d streams: per stream %.2f ms of CPU: responder "
	    "%.2f ms, web server %.2f ms, token helper %.2f ms%s\n", what, k,
	    (double)(r1 - r0 + w1 - w0 + helper) / 1e6 / k,
	    (double)(r1 - r0) / 1e6 / k, (double)(w1 - w0) / 1e6 / k,
	    (double)helper / 1e6 / k, bad ? " (some not refused with 401)" :
	    "");
	fflush(stdout);
	refusals = 0;
	close_all(cl);
}

static void
phase_open(struct sse_client *cl)
{
	char	*tok;

	if (opt.server == 0)
		return;
	tok = token_for(SAME_UID);
	printf("open: CPU to open a stream (jobs list) with a valid token and to "
	    "refuse a junk one, across processes (the helper's measured on "
	    "its own runs from here, as a responder spawns it)\n");
	open_cost(cl, "valid", tok);
	open_cost(cl, "junk", "junk");
	free(tok);
}

static int
data_done(struct sse_client *cl)
{
	return data_run.t_complete != 0 || cl->c[0].closed;
}

static void
phase_data(void)
{
	struct sse_client	 cl;
	char		*tok, *path, *p, chunks[256];
	double		 best = 0, pps;
	int64_t		 chunk, best_chunk = 0;
	int		 r;

	tok = token_for(SAME_UID);
	printf("data: one stream of limit=%d minute points, %d runs per chunk "
	    "size\n", opt.points, opt.repeats);
	printf("%-10s %10s %12s %12s %14s\n", "chunk", "points", "first ms",
	    "total ms", "points/s");
	snprintf(chunks, sizeof chunks, "%s", opt.chunks);
	for (p = strtok(chunks, ","); p != NULL; p = strtok(NULL, ",")) {
		double	best_here = 0;
		int64_t	best_first = 0, best_total = 0, pts = 0;

		chunk = strtoll(p, NULL, 10);
		xasprintf(&path, "/api/sse/backtest/%s/data?interval=minute&"
		    "limit=%d&chunk_size=%" PRId64 "&token=%s", same_job,
		    opt.points, chunk, tok);
		for (r = 0; r < opt.repeats; r++) {
			client_init(&cl, 1);
			memset(&data_run, 0, sizeof data_run);
			sse_conn_start(&cl, &cl.c[0], path, NULL);
			sse_client_run(&cl, 60000, data_done);
			if (data_run.t_complete == 0)
				die("data stream (chunk %" PRId64 ") did not "
				    "complete", chunk);
			pps = (double)data_run.total /
			    ((double)(data_run.t_complete - cl.c[0].t_open) /
			    1e9);
			if (data_run.points != data_run.total)
				die("data stream: %" PRId64 " points sent of %"
				    PRId64, data_run.points, data_run.total);
			if (pps > best_here) {
				best_here = pps;
				best_first = cl.c[0].t_first - cl.c[0].t_open;
				best_total = data_run.t_complete - cl.c[0].t_open;
				pts = data_run.total;
			}
			sse_client_free(&cl);
		}
		printf("%-10" PRId64 " %10" PRId64 " %12.1f %12.1f %14.0f\n",
		    chunk, pts, (double)best_first / 1e6,
		    (double)best_total / 1e6, best_here);
		fflush(stdout);
		if (best_here > best) {
			best = best_here;
			best_chunk = chunk;
		}
		free(path);
	}
	printf("best: chunk_size=%" PRId64 " at %.0f points/s (end to end: "
	    "request to complete event)\n", best_chunk, best);
	free(tok);
}

static int
has_mode(const char *m)
{
	char	buf[256], *p, *save = NULL;

	snprintf(buf, sizeof buf, "%s", opt.modes);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		if (strcmp(p, m) == 0)
			return 1;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-streams -c CONF -p PORT [-n STREAMS] "
	    "[-k COMMITS] [-i MS] [-b BATCH]\n"
	    "\t[-w SERVER_PID] [-d IDLE_SECONDS] [-P POINTS] [-z CHUNKS] "
	    "[-r RUNS] [-m MODES]\n"
	    "\t[-q NCHAN_PORT -Q NGINX_PID] [-s SIZES] [-o OPENS] "
	    "[-W WRITER_CONF]\n"
	    "modes: same,hold,progress,memory,idle,peer,open,spread,data\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sse_client	 cl;
	struct lat_figures	 same_n;
	char		 err[1024], *dir;
	int		 ch, have_streams = 0, have_same_n = 0;

	while ((ch = getopt(argc, argv, "b:c:p:n:k:i:w:d:P:z:r:m:q:Q:s:o:W:"))
	    != -1) {
		switch (ch) {
		case 'W': opt.wconf = optarg; break;
		case 'b': opt.batch = atoi(optarg); break;
		case 'c': opt.conf = optarg; break;
		case 'p': opt.port = atoi(optarg); break;
		case 'n': opt.n = atoi(optarg); break;
		case 'k': opt.commits = atoi(optarg); break;
		case 'i': opt.interval_ms = atoi(optarg); break;
		case 'w': opt.server = (pid_t)atoi(optarg); break;
		case 'd': opt.idle_s = atoi(optarg); break;
		case 'P': opt.points = atoi(optarg); break;
		case 'z': snprintf(opt.chunks, sizeof opt.chunks, "%s", optarg);
			break;
		case 'r': opt.repeats = atoi(optarg); break;
		case 'm': snprintf(opt.modes, sizeof opt.modes, "%s", optarg);
			break;
		case 'q': opt.peer_port = atoi(optarg); break;
		case 'Q': opt.peer_pid = (pid_t)atoi(optarg); break;
		case 's': snprintf(opt.sizes, sizeof opt.sizes, "%s", optarg);
			break;
		case 'o': opt.open_k = atoi(optarg); break;
		default: usage();
		}
	}
	if (opt.conf == NULL || opt.port <= 0 || opt.n < 1 ||
	    opt.n > MAX_CONNS || opt.commits < 1 || opt.interval_ms < 1 ||
	    opt.repeats < 1 || opt.points < 1 || opt.batch < 1 ||
	    opt.open_k < 1 || opt.peer_port < 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	set_nofile();
	if (conf_read(&cfg, opt.conf, err, sizeof err) != 0 ||
	    conf_read(&wcfg, opt.wconf != NULL ? opt.wconf : opt.conf, err,
	    sizeof err) != 0)
		die("%s", err);
	dir = xstrdup(cfg.cert_file);
	if (strrchr(dir, '/') != NULL)
		*strrchr(dir, '/') = '\0';
	xasprintf(&key_file, "%s/%s", dir, MINT_KEY_FILE);
	cert_file = cfg.cert_file;
	free(dir);
	setup_store();

	memset(&cl, 0, sizeof cl);
	cl.ep = -1;
	if (has_mode("same") || has_mode("hold")) {
		phase_same(&cl, opt.n, 0, has_mode("same"), &same_n);
		have_streams = 1;
		have_same_n = has_mode("same");
	}
	if (has_mode("progress") && !have_streams) {
		phase_same(&cl, opt.n, 1, 1, NULL);
		have_streams = 1;
	}
	if (has_mode("memory") && have_streams)
		measure_memory();
	if (has_mode("idle") && have_streams)
		measure_idle(&cl);
	if (has_mode("peer"))
		phase_peer(&cl, have_same_n ? &same_n : NULL);
	if (has_mode("open")) {
		if (cl.ep != -1)
			close_all(&cl);
		phase_open(&cl);
	}
	if (has_mode("progress") && has_mode("same")) {
		if (cl.ep != -1)
			close_all(&cl);
		phase_same(&cl, opt.n, 1, 1, NULL);
		if (has_mode("memory"))
			measure_memory();
	}
	if (has_mode("spread")) {
		if (cl.ep != -1)
			close_all(&cl);
		phase_spread(&cl);
		if (has_mode("memory"))
			measure_memory();
	}
	if (cl.ep != -1)
		close_all(&cl);
	if (has_mode("data"))
		phase_data();
	free(spread_jobs);
	free(key_file);
	conf_free(&cfg);
	conf_free(&wcfg);
	return 0;
}
