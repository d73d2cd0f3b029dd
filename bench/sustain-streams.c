/* sustain-streams.c: bench-sustain's streams, each behaving as the frontend guide's hooks do in a browser, and what they count. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"
#include "mint.h"
#include "sustain.h"
#include "xmalloc.h"

#define TOKEN_TTL_S	(12 * 3600)

static const char *const intervals[] = { "minute", "5minute", "15minute",
    "60minute", "day" };
static const int data_limits[] = { 500, 2000, 5000 };

static const char *const kind_names[] = { "jobs", "history", "progress",
    "data" };

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

static const char *const failure_names[] = { "non-200 responses",
    "unexpected error events", "responses cut",
    "stalls (3 heartbeats without a byte)", "requests unanswered",
    "repeated events" };

static struct stream	*st;
static char		**tokens;	/* per user */
static int64_t		 stall_ns;

struct tally		 tally;

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

void
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
	char	uid[UID_MAX + 1];

	uid_of(user, uid, sizeof uid);
	return bench_token(key_file, cfg.cert_file, cfg.project_id, uid,
	    TOKEN_TTL_S);
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

void
streams_tick(struct sse_client *cl)
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


long long
all_events(void)
{
	long long	n = 0;
	int		k;

	for (k = 0; k < NKINDS; k++)
		n += tally.events[k];
	return n;
}


int
count_state(enum sstate state)
{
	int	i, k = 0;

	for (i = 0; i < opt.n; i++)
		k += st[i].state == state;
	return k;
}

int
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


void
streams_init(int *per_kind)
{
	char	*dir;
	int	 i;

	dir = xstrdup(cfg.cert_file);
	if (strrchr(dir, '/') != NULL)
		*strrchr(dir, '/') = '\0';
	xasprintf(&key_file, "%s/%s", dir, MINT_KEY_FILE);
	free(dir);
	stall_ns = (3 * cfg.heartbeat + 5000) * 1000000LL;
	tokens = xcalloc((size_t)opt.users, sizeof *tokens);
	for (i = 0; i < opt.users; i++)
		tokens[i] = token_for(i);
	st = xcalloc((size_t)opt.n, sizeof *st);
	assign_streams(per_kind);
}

void
streams_attach(struct sse_client *cl)
{
	int	i;

	for (i = 0; i < opt.n; i++)
		cl->c[i].idx = i;
	cl->on_event = on_event;
	cl->on_head = on_head;
	cl->on_end = on_end;
}

void
print_failures(void)
{
	int	f;

	for (f = 0; f < NFAILURES; f++)
		printf("%s %ld %s", f ? "," : "", tally.failures[f],
		    failure_names[f]);
}

void
streams_free(void)
{
	int	i;

	for (i = 0; i < opt.users; i++)
		free(tokens[i]);
	free(tokens);
	free(st);
	free(tally.first_ms);
	free(tally.refirst_ms);
	free(key_file);
}
