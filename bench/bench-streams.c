/* bench-streams.c: SSE load client through a web server: commit-to-client latency, memory, idle CPU and data throughput. */
#include "config.h"

#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bar.h"
#include "conf.h"
#include "demodata.h"
#include "job.h"
#include "mint.h"
#include "store-bars.h"
#include "store-jobs.h"
#include "store-history.h"
#include "store.h"
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

static int64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "bench-streams: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

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
	char	*tok, err[512];

	if (mint_token(key_file, cert_file, cfg.project_id, uid,
	    (int64_t)time(NULL), 4 * 3600, &tok, err, sizeof err) == -1)
		die("token: %s", err);
	return tok;
}

/* ---- the client: raw HTTP/1.1 connections read with epoll ----------------- */

enum http_state { H_HEAD, H_SIZE, H_DATA, H_CRLF, H_RAW, H_DONE };

struct conn {
	int		 fd;
	int		 idx;
	char		*request;
	size_t		 reqlen, reqoff;
	enum http_state	 hs;
	int		 chunked;
	int		 status;
	size_t		 left;		/* of the current chunk */
	char		 head[4096];
	size_t		 headlen;
	char		 sizeline[32];
	size_t		 sizelen;
	/* SSE */
	struct buf	 line;
	char		 event[64];
	struct buf	 data;
	int		 ndata;
	/* what arrived */
	int		 connected;	/* connection event */
	int		 ready;		/* first state event after it */
	int		 heartbeats;
	int		 closed;
	int64_t		 points;
	int64_t		 total;
	int64_t		 t_open, t_first, t_complete;
};

struct client {
	int		 ep;
	struct conn	*c;
	int		 n;
	int		 open;		/* not closed */
	int64_t		 now;		/* of the last read */
	/* latencies: [commit][conn], 0 until arrived */
	int64_t		*arrive;
	int		 ncommits;
	int		 arrived;
};

static void
set_nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
conn_start(struct client *cl, struct conn *c, const char *path_query)
{
	struct sockaddr_in	sa;
	struct epoll_event	ev;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)opt.port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) == -1 &&
	    errno != EINPROGRESS)
		die("connect: %s", strerror(errno));
	c->reqlen = (size_t)xasprintf(&c->request, "GET %s HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n"
	    "Cache-Control: no-cache\r\n\r\n", path_query, opt.port);
	c->hs = H_HEAD;
	c->t_open = now_ns();
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(cl->ep, EPOLL_CTL_ADD, c->fd, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
	cl->open++;
}

static void
conn_close(struct client *cl, struct conn *c)
{
	if (c->closed)
		return;
	close(c->fd);
	c->closed = 1;
	cl->open--;
}

static void
client_free(struct client *cl)
{
	int	i;

	for (i = 0; i < cl->n; i++) {
		conn_close(cl, &cl->c[i]);
		free(cl->c[i].request);
		buf_free(&cl->c[i].line);
		buf_free(&cl->c[i].data);
	}
	free(cl->c);
	free(cl->arrive);
	close(cl->ep);
	memset(cl, 0, sizeof *cl);
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
dispatch(struct client *cl, struct conn *c)
{
	const char	*data = c->data.len > 0 ? buf_str(&c->data) : "";
	int		 k;

	if (strcmp(c->event, "connection") == 0)
		c->connected = 1;
	else if (c->connected && !c->ready)
		c->ready = 1;
	if (c->t_first == 0)
		c->t_first = cl->now;
	if (strcmp(c->event, "data_chunk") == 0) {
		c->points = json_int(data, "\"points_sent\":");
	} else if (strcmp(c->event, "complete") == 0) {
		c->total = json_int(data, "\"total_points\":");
		c->t_complete = cl->now;
	} else if (strcmp(c->event, "error") == 0) {
		fprintf(stderr, "bench-streams: stream %d: error %s\n", c->idx,
		    data);
	} else if (cl->arrive != NULL && (k = commit_of(data)) >= 0 &&
	    k < cl->ncommits && cl->arrive[(size_t)k * cl->n + c->idx] == 0) {
		cl->arrive[(size_t)k * cl->n + c->idx] = cl->now;
		cl->arrived++;
	}
	c->event[0] = '\0';
	buf_reset(&c->data);
	c->ndata = 0;
}

/* One complete SSE line (without its newline). */
static void
sse_line(struct client *cl, struct conn *c, const char *l, size_t n)
{
	if (n > 0 && l[n - 1] == '\r')
		n--;
	if (n == 0) {
		if (c->ndata > 0 || c->event[0] != '\0')
			dispatch(cl, c);
		return;
	}
	if (l[0] == ':') {
		c->heartbeats++;
		return;
	}
	if (n >= 7 && memcmp(l, "event: ", 7) == 0) {
		snprintf(c->event, sizeof c->event, "%.*s", (int)(n - 7), l + 7);
		return;
	}
	if (n >= 6 && memcmp(l, "data: ", 6) == 0) {
		if (c->ndata++ > 0)
			buf_addc(&c->data, '\n');
		buf_add(&c->data, l + 6, n - 6);
	}
}

/* Body bytes: split into lines. */
static void
sse_feed(struct client *cl, struct conn *c, const char *p, size_t n)
{
	const char	*nl;

	while (n > 0) {
		if ((nl = memchr(p, '\n', n)) == NULL) {
			buf_add(&c->line, p, n);
			return;
		}
		if (c->line.len > 0) {
			buf_add(&c->line, p, (size_t)(nl - p));
			sse_line(cl, c, c->line.data, c->line.len);
			buf_reset(&c->line);
		} else
			sse_line(cl, c, p, (size_t)(nl - p));
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
}

static void
parse_head(struct conn *c)
{
	const char	*te;

	c->head[c->headlen] = '\0';
	if (sscanf(c->head, "HTTP/1.%*d %d", &c->status) != 1)
		c->status = -1;
	te = strcasestr(c->head, "\r\nTransfer-Encoding: chunked");
	c->chunked = te != NULL;
	c->hs = c->chunked ? H_SIZE : H_RAW;
	if (c->status != 200)
		fprintf(stderr, "bench-streams: stream %d: status %d\n", c->idx,
		    c->status);
}

/* Bytes from the socket: HTTP head, then (chunked) body. */
static void
feed(struct client *cl, struct conn *c, const char *p, size_t n)
{
	size_t	k;
	char	*e;

	while (n > 0) {
		switch (c->hs) {
		case H_HEAD:
			c->head[c->headlen++] = *p++;
			n--;
			if (c->headlen >= 4 &&
			    memcmp(c->head + c->headlen - 4, "\r\n\r\n", 4) ==
			    0) {
				parse_head(c);
				if (c->status != 200) {
					conn_close(cl, c);
					return;
				}
			}
			else if (c->headlen == sizeof c->head - 1)
				die("stream %d: head too long", c->idx);
			break;
		case H_SIZE:
			if (*p == '\n') {
				c->sizeline[c->sizelen] = '\0';
				c->left = strtoul(c->sizeline, &e, 16);
				c->sizelen = 0;
				c->hs = c->left == 0 ? H_DONE : H_DATA;
			} else if (c->sizelen < sizeof c->sizeline - 1)
				c->sizeline[c->sizelen++] = *p;
			p++;
			n--;
			break;
		case H_DATA:
			k = n < c->left ? n : c->left;
			sse_feed(cl, c, p, k);
			p += k;
			n -= k;
			if ((c->left -= k) == 0)
				c->hs = H_CRLF;
			break;
		case H_CRLF:
			if (*p == '\n')
				c->hs = H_SIZE;
			p++;
			n--;
			break;
		case H_RAW:
			sse_feed(cl, c, p, n);
			return;
		case H_DONE:
			return;
		}
	}
}

static void
on_ready(struct client *cl, struct conn *c, uint32_t events)
{
	static char	buf[1 << 16];
	struct epoll_event ev;
	ssize_t		n;

	if (c->closed)
		return;
	if ((events & EPOLLOUT) && c->reqoff < c->reqlen) {
		n = write(c->fd, c->request + c->reqoff, c->reqlen - c->reqoff);
		if (n > 0)
			c->reqoff += (size_t)n;
		else if (n == -1 && errno != EAGAIN) {
			fprintf(stderr, "bench-streams: stream %d: %s\n", c->idx,
			    strerror(errno));
			conn_close(cl, c);
			return;
		}
		if (c->reqoff == c->reqlen) {
			memset(&ev, 0, sizeof ev);
			ev.events = EPOLLIN | EPOLLRDHUP;
			ev.data.ptr = c;
			epoll_ctl(cl->ep, EPOLL_CTL_MOD, c->fd, &ev);
		}
	}
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		for (;;) {
			n = read(c->fd, buf, sizeof buf);
			if (n > 0) {
				cl->now = now_ns();
				feed(cl, c, buf, (size_t)n);
				if (c->closed || (size_t)n < sizeof buf)
					break;
				continue;
			}
			if (n == -1 && errno == EAGAIN)
				break;
			conn_close(cl, c);
			break;
		}
	}
}

/* Runs the loop for up to ms, or until done(cl) says so. */
static void
client_run(struct client *cl, int64_t ms, int (*done)(struct client *))
{
	struct epoll_event	evs[256];
	int64_t			end = now_ns() + ms * 1000000;
	int			i, n, wait_ms;

	while ((done == NULL || !done(cl)) && now_ns() < end) {
		wait_ms = (int)((end - now_ns()) / 1000000);
		if (wait_ms > 100)
			wait_ms = 100;
		n = epoll_wait(cl->ep, evs, 256, wait_ms < 0 ? 0 : wait_ms);
		for (i = 0; i < n; i++)
			on_ready(cl, evs[i].data.ptr, evs[i].events);
	}
}

static void
client_init(struct client *cl, int n)
{
	memset(cl, 0, sizeof *cl);
	if ((cl->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));
	cl->n = n;
	cl->c = xcalloc((size_t)n, sizeof *cl->c);
}

static int
count_ready(const struct client *cl)
{
	int	i, k = 0;

	for (i = 0; i < cl->n; i++)
		k += cl->c[i].ready && !cl->c[i].closed;
	return k;
}

/* Whether the streams [from, to) have all sent their first state. */
static int	batch_from, batch_to;

static int
batch_ready(struct client *cl)
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
open_streams(struct client *cl, char **paths)
{
	int64_t	t0 = now_ns();
	int	i, try, ready, retried = 0;

	for (batch_from = 0; batch_from < cl->n; batch_from = batch_to) {
		batch_to = batch_from + opt.batch < cl->n ? batch_from +
		    opt.batch : cl->n;
		for (i = batch_from; i < batch_to; i++) {
			cl->c[i].idx = i;
			conn_start(cl, &cl->c[i], paths[i]);
		}
		client_run(cl, CONNECT_WAIT_S * 1000, batch_ready);
		/* A refused stream (a responder that died) is asked again. */
		for (try = 0; try < 3; try++) {
			for (i = batch_from; i < batch_to; i++) {
				struct conn	*c = &cl->c[i];

				if (c->ready || !c->closed)
					continue;
				free(c->request);
				buf_free(&c->line);
				buf_free(&c->data);
				memset(c, 0, sizeof *c);
				c->idx = i;
				conn_start(cl, c, paths[i]);
				retried++;
			}
			client_run(cl, CONNECT_WAIT_S * 1000, batch_ready);
		}
	}
	ready = count_ready(cl);
	printf("  %d of %d streams open in %.1f s (batches of %d; %d refused "
	    "and asked again)\n", ready, cl->n, (double)(now_ns() - t0) / 1e9,
	    opt.batch, retried);
	fflush(stdout);
	return ready == cl->n ? 0 : -1;
}

static long long	cpu_ns(pid_t pid);
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
	*server = cpu_ns(opt.server);
	n = children(opt.server, &pids);
	for (i = 0; i < n; i++)
		*responders += cpu_ns(pids[i]);
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

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
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
	struct client	*cl;
	int		 per_commit;	/* streams each commit reaches */
	pid_t		 writer;
};

static struct expect	expecting;

static int
all_arrived(struct client *cl)
{
	return cl->arrived == cl->ncommits * expecting.per_commit;
}

/* Runs the writer, collects arrivals and prints the figures of one row. */
static void
measure_latency(const char *name, struct client *cl, char (*ids)[ID_MAX + 1],
    int nids, int stride, int per_commit)
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
	cl->ncommits = opt.commits;
	cl->arrive = xcalloc((size_t)opt.commits * (size_t)cl->n,
	    sizeof *cl->arrive);
	cl->arrived = 0;
	expecting.cl = cl;
	expecting.per_commit = per_commit;
	expecting.writer = start_writer(ids, nids, stride, times);
	client_run(cl, (int64_t)opt.commits * opt.interval_ms * 3 / 2 + 10000,
	    all_arrived);
	/* A little longer for stragglers, then the writer must be done. */
	client_run(cl, 200, all_arrived);
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
			if ((t = cl->arrive[(size_t)k * cl->n + i]) == 0)
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
	free(cl->arrive);
	cl->arrive = NULL;
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
	char	 path[64], *line = NULL;
	size_t	 cap = 0;
	FILE	*f;
	pid_t	*v = NULL;
	int	 n = 0, c = 0;
	char	*p, *e;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)parent,
	    (int)parent);
	if ((f = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	if (getline(&line, &cap, f) > 0) {
		for (p = line;; p = e) {
			long	pid = strtol(p, &e, 10);

			if (e == p)
				break;
			if (n == c) {
				c = c ? c * 2 : 1024;
				v = xreallocarray(v, (size_t)c, sizeof *v);
			}
			v[n++] = (pid_t)pid;
		}
	}
	free(line);
	fclose(f);
	*out = v;
	return n;
}

/* Reads "Name: N kB" fields of /proc/PID/smaps_rollup (kB). */
static int
rollup(pid_t pid, long *rss, long *pss, long *uss)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 v;

	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	*rss = *pss = *uss = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "Rss: %ld", &v) == 1)
			*rss = v;
		else if (sscanf(line, "Pss: %ld", &v) == 1)
			*pss = v;
		else if (sscanf(line, "Private_Clean: %ld", &v) == 1 ||
		    sscanf(line, "Private_Dirty: %ld", &v) == 1)
			*uss += v;
	}
	fclose(f);
	return 0;
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
	pid_t	*pids, max_pid = 0;
	long	*uss, rss, pss, u, sum_rss = 0, sum_pss = 0, wrss, wpss, wuss;
	long	 max_uss = -1;
	int	 n, i, m = 0;

	if (opt.server == 0)
		return;
	n = children(opt.server, &pids);
	uss = xcalloc((size_t)n + 1, sizeof *uss);
	for (i = 0; i < n; i++) {
		if (rollup(pids[i], &rss, &pss, &u) == -1)
			continue;
		uss[m++] = u;
		if (u > max_uss) {
			max_uss = u;
			max_pid = pids[i];
		}
		sum_rss += rss;
		sum_pss += pss;
	}
	if (m == 0)
		die("no responders under pid %d", (int)opt.server);
	qsort(uss, (size_t)m, sizeof *uss, cmp_long);
	rollup(opt.server, &wrss, &wpss, &wuss);
	printf("memory of %d responders (kB): USS p50 %ld, p99 %ld, max %ld; "
	    "mean RSS %ld, mean PSS %ld\n", m, uss[m / 2],
	    uss[(m - 1) * 99 / 100], uss[m - 1], sum_rss / m, sum_pss / m);
	printf("web server (pid %d): RSS %ld kB, USS %ld kB\n", (int)opt.server,
	    wrss, wuss);
	private_map(pids[n / 2]);
	if (max_pid != 0 && max_pid != pids[n / 2])
		private_map(max_pid);
	fflush(stdout);
	free(uss);
	free(pids);
}

/*
 * CPU time of pid in ns: the scheduler's exact sum (schedstat), since a
 * responder runs for microseconds at a time and utime/stime count in
 * ticks; 0 if it is gone.
 */
static long long
cpu_ns(pid_t pid)
{
	char		 path[64];
	long long	 ns = 0;
	FILE		*f;

	snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%lld", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

static void
measure_idle(struct client *cl)
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
	sb = cpu_ns(getpid());
	t0 = now_ns();
	client_run(cl, (int64_t)opt.idle_s * 1000, NULL);
	t1 = now_ns();
	server_cpu(&wa, &ra);
	sa = cpu_ns(getpid());
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
close_all(struct client *cl)
{
	client_free(cl);
	/*
	 * lighttpd sees a client gone only when it next writes to it: the
	 * responders are busy until their next heartbeat.
	 */
	sleep((unsigned)(cfg.heartbeat / 1000 + 2));
}

static void
phase_same(struct client *cl, int progress, int measure)
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
phase_spread(struct client *cl)
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
data_done(struct client *cl)
{
	return cl->c[0].t_complete != 0 || cl->c[0].closed;
}

static void
phase_data(void)
{
	struct client	 cl;
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
			conn_start(&cl, &cl.c[0], path);
			client_run(&cl, 60000, data_done);
			if (cl.c[0].t_complete == 0)
				die("data stream (chunk %" PRId64 ") did not "
				    "complete", chunk);
			pps = (double)cl.c[0].total /
			    ((double)(cl.c[0].t_complete - cl.c[0].t_open) /
			    1e9);
			if (cl.c[0].points != cl.c[0].total)
				die("data stream: %" PRId64 " points sent of %"
				    PRId64, cl.c[0].points, cl.c[0].total);
			if (pps > best_here) {
				best_here = pps;
				best_first = cl.c[0].t_first - cl.c[0].t_open;
				best_total = cl.c[0].t_complete - cl.c[0].t_open;
				pts = cl.c[0].total;
			}
			client_free(&cl);
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
	struct client	 cl;
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
