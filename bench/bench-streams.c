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

/* ---- options --------------------------------------------------------------- */

static struct {
	const char	*conf;
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
} opt = {
	NULL, 0, 1000, 100, 100, 0, 60, 100000, "500,1000,2000,5000,10000", 3,
	"same,memory,idle,progress,spread,data", 10,
};

/* ---- the store: users, jobs and bars ---------------------------------------- */

static struct conf	 cfg;
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

	if ((s = store_open(&cfg, STORE_CREATE, err, sizeof err)) == NULL)
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
} lat_run;

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
	}
}

static void
on_head(struct sse_client *cl, struct sse_conn *c)
{
	(void)cl;
	if (c->status != 200)
		fprintf(stderr, "bench-streams: stream %d: status %d\n", c->idx,
		    c->status);
}

static void
client_init(struct sse_client *cl, int n)
{
	sse_client_init(cl, n, opt.port);
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

/* CPU ns of the web server and of its children (the responders). */
static void
server_cpu(long long *server, long long *responders)
{
	pid_t	*pids;
	int	 n, i;

	*server = *responders = 0;
	if (opt.server == 0)
		return;
	*server = procstat_cpu_ns(opt.server);
	n = children(opt.server, &pids);
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
 * Commits K changes, commit k to job ids[k % nids], spaced interval_ms
 * apart; times[2k] and times[2k+1] (shared) get the clock before and after
 * each commit.  Returns the writer's pid.
 */
static pid_t
start_writer(char (*ids)[ID_MAX + 1], int nids, int stride, int64_t *times)
{
	struct store	*s;
	struct bump	 b;
	struct timespec	 ts;
	char		 err[1024];
	pid_t		 pid;
	int		 k;

	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid > 0)
		return pid;
	if ((s = store_open(&cfg, 0, err, sizeof err)) == NULL)
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
		b.id = ids[((size_t)k * (size_t)stride) % (size_t)nids];
		b.k = k;
		times[2 * k] = now_ns();
		if (store_write(s, 0, bump_job, &b, err, sizeof err) != 0)
			die("writer: %s", err);
		times[2 * k + 1] = now_ns();
	}
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

/* Runs the writer, collects arrivals and prints the figures of one row. */
static void
measure_latency(const char *name, struct sse_client *cl,
    char (*ids)[ID_MAX + 1], int nids, int stride, int per_commit)
{
	int64_t	*times, *lat, *spread, t;
	size_t	 nlat = 0, nspread = 0;
	int	 k, i, status, got;
	int64_t	 commit_ns = 0;
	long long ws0, rs0, ws1, rs1;

	server_cpu(&ws0, &rs0);
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
	server_cpu(&ws1, &rs1);
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
	if (opt.server != 0 && nlat > 0)
		printf("  CPU per event delivered: responders %.1f us, web server "
		    "%.1f us (whole run, heartbeats and polls included)\n",
		    (double)(rs1 - rs0) / 1e3 / (double)nlat,
		    (double)(ws1 - ws0) / 1e3 / (double)nlat);
	fflush(stdout);
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
	server_cpu(&wb, &rb);
	sb = procstat_cpu_ns(getpid());
	t0 = now_ns();
	sse_client_run(cl, (int64_t)opt.idle_s * 1000, NULL);
	t1 = now_ns();
	server_cpu(&wa, &ra);
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

static void
phase_same(struct sse_client *cl, int progress, int measure)
{
	char	**paths, *tok;
	char	  ids[1][ID_MAX + 1];
	int	  i;

	tok = token_for(SAME_UID);
	paths = xcalloc((size_t)opt.n, sizeof *paths);
	for (i = 0; i < opt.n; i++) {
		if (progress)
			xasprintf(&paths[i], "/api/sse/backtest/%s?token=%s",
			    same_job, tok);
		else
			xasprintf(&paths[i], "/api/sse/backtest/jobs?limit=10&"
			    "token=%s", tok);
	}
	client_init(cl, opt.n);
	printf("%s: %d %s streams of one user\n", progress ? "progress" :
	    "same", opt.n, progress ? "progress" : "jobs-list");
	if (open_streams(cl, paths) == -1)
		die("not every stream opened");
	snprintf(ids[0], sizeof ids[0], "%s", same_job);
	if (measure) {
		latency_header();
		measure_latency(progress ? "progress" : "same", cl, ids, 1, 1,
		    opt.n);
	}
	for (i = 0; i < opt.n; i++)
		free(paths[i]);
	free(paths);
	free(tok);
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
	measure_latency("spread", cl, spread_jobs, opt.n, stride, 1);
	for (i = 0; i < opt.n; i++)
		free(paths[i]);
	free(paths);
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
	    "modes: same,progress,memory,idle,spread,data\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sse_client	 cl;
	char		 err[1024], *dir;
	int		 ch, have_streams = 0;

	while ((ch = getopt(argc, argv, "b:c:p:n:k:i:w:d:P:z:r:m:")) != -1) {
		switch (ch) {
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
		default: usage();
		}
	}
	if (opt.conf == NULL || opt.port <= 0 || opt.n < 1 ||
	    opt.n > MAX_CONNS || opt.commits < 1 || opt.interval_ms < 1 ||
	    opt.repeats < 1 || opt.points < 1 || opt.batch < 1)
		usage();
	signal(SIGPIPE, SIG_IGN);
	set_nofile();
	if (conf_read(&cfg, opt.conf, err, sizeof err) != 0)
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
		phase_same(&cl, 0, has_mode("same"));
		have_streams = 1;
	}
	if (has_mode("progress") && !have_streams) {
		phase_same(&cl, 1, 1);
		have_streams = 1;
	}
	if (has_mode("memory") && have_streams)
		measure_memory();
	if (has_mode("idle") && have_streams)
		measure_idle(&cl);
	if (has_mode("progress") && has_mode("same")) {
		close_all(&cl);
		phase_same(&cl, 1, 1);
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
	return 0;
}
