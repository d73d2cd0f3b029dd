/* stream.c: the life of one SSE stream: from authentication to its clean end. */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "json.h"
#include "log.h"
#include "mstime.h"
#include "notify.h"
#include "sse.h"
#include "store.h"
#include "stream.h"

/* When the first heartbeat goes out after the opening events. */
#define EARLY_BEAT_MS	1000

/*
 * Heartbeats fall on a grid of the monotonic clock, shared by every
 * process: a thousand idle streams then wake together a few times a
 * second, and a core woken from its sleep runs many of them, instead of
 * waking for each one on its own.
 */
#define BEAT_GRID_MS	1000

/* Why a stream ended, for the log line. */
enum end {
	END_LIFETIME,
	END_CLIENT,
	END_TERM,
	END_TOKEN,
	END_KIND,	/* the stream said its last word (an error event) */
};

static const char *const end_names[] = {
	"lifetime reached", "client gone", "server stopping", "token expired",
	"ended by the stream",
};

/*
 * The time of the heartbeats' grid nearest to t: the interval between two
 * heartbeats stays the configured one on average, within half the grid.
 */
static int64_t
on_grid(int64_t t)
{
	return (t + BEAT_GRID_MS / 2) / BEAT_GRID_MS * BEAT_GRID_MS;
}

/* Writes out's contents to the client and flushes; -1 if it has gone. */
static int
flush_out(struct stream *s)
{
	FCGX_Stream	*out = s->req->fcgx->out;

	if (s->out.len > 0 &&
	    FCGX_PutStr(s->out.data, (int)s->out.len, out) != (int)s->out.len) {
		buf_reset(&s->out);
		return -1;
	}
	buf_reset(&s->out);
	/* An idle stream needs a heartbeat only after quiet time. */
	s->beat_ms = on_grid(s->now_ms + s->cfg->heartbeat);
	return http_flush(s->req);
}

int
stream_send(struct stream *s, const char *id, const char *event,
    const char *data)
{
	size_t	n;

	/* Not snprintf: its stdio machinery was a microsecond per event. */
	if (id != NULL && id != s->last_sent) {
		if ((n = strlen(id)) >= sizeof s->last_sent)
			n = sizeof s->last_sent - 1;
		memcpy(s->last_sent, id, n);
		s->last_sent[n] = '\0';
	}
	sse_event(&s->out, id, event, data);
	return flush_out(s);
}

int
stream_send_json(struct stream *s, const char *id, const char *event,
    json_object *obj)
{
	return stream_send(s, id, event, json_text(obj));
}

int
stream_send_error(struct stream *s, const char *code, const char *message)
{
	json_object	*o;
	int		 r;

	o = json_object_new_object();
	json_object_object_add(o, "code", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(message));
	r = stream_send_json(s, s->last_sent[0] != '\0' ? s->last_sent : NULL,
	    "error", o);
	json_object_put(o);
	return r;
}

/*
 * Whether the web server has closed the connection or sent anything (an
 * abort): after the request's body was read, the socket only becomes
 * readable when the client is gone.
 */
static int
client_gone(const struct stream *s)
{
	struct pollfd	pfd;
	char		c;

	pfd.fd = s->req->fcgx->ipcFd;
	pfd.events = POLLIN | POLLRDHUP;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) != 1)
		return 0;
	if (pfd.revents & (POLLHUP | POLLERR | POLLRDHUP | POLLNVAL))
		return 1;
	return recv(pfd.fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) >= 0;
}

/* Asks the kernel for SIGIO when the connection becomes readable (or not). */
static void
watch_connection(const struct stream *s, int on)
{
	int	fd = s->req->fcgx->ipcFd, fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return;
	if (on) {
		fcntl(fd, F_SETOWN, getpid());
		fcntl(fd, F_SETFL, fl | O_ASYNC);
	} else
		fcntl(fd, F_SETFL, fl & ~O_ASYNC);
}

/* Reads what is left of the request body, so that the socket goes quiet. */
static void
drain_input(const struct stream *s)
{
	char	buf[512];

	while (FCGX_GetStr(buf, sizeof buf, s->req->fcgx->in) > 0)
		;
}

/* The stream's lifetime: configured, less a random jitter. */
static int64_t
lifetime_ms(const struct conf *cfg)
{
	int64_t	jitter = 0;

	if (cfg->stream_jitter > 0)
		jitter = (int64_t)(random() % (cfg->stream_jitter + 1));
	return cfg->stream_lifetime - jitter;
}

static int64_t
min_of(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * When backstream-verify stops accepting the stream's token, in ms of the
 * wall clock: its exp plus token_expiry_leeway (none by default).  The
 * stream ends then, and not before, so that the browser's reconnect gets
 * 401 rather than a stream that ends at once with token_expired, again and
 * again.
 */
static int64_t
token_end_ms(const struct stream *s)
{
	int64_t	leeway = s->cfg->token_expiry_leeway;

	if (s->token_exp > (INT64_MAX - leeway) / 1000)
		return INT64_MAX;
	return s->token_exp * 1000 + leeway;
}

/*
 * When the poll is due: an idle stream wakes for its heartbeat and for its
 * poll, both every 15 s by default; a poll that falls shortly before the
 * heartbeat waits for it, so that one wake-up does both.
 */
static int64_t
poll_due(const struct stream *s, int64_t poll_ms)
{
	if (poll_ms < s->beat_ms &&
	    s->beat_ms - poll_ms <= s->cfg->poll_interval / 4)
		return s->beat_ms;
	return poll_ms;
}

/*
 * The token's end on the monotonic clock, which the loop reads anyway: one
 * clock read less per event.  Checked against the wall clock when reached
 * (token_expired), in case the wall clock was set since.
 */
static int64_t
token_end_mono(const struct stream *s)
{
	int64_t	end = token_end_ms(s), wall = wall_ms();

	if (end == INT64_MAX || end - wall > INT64_MAX - s->now_ms)
		return INT64_MAX;
	return s->now_ms + (end - wall);
}

/* Waits and dispatches until the stream ends; returns why it ended. */
static enum end
run(struct stream *s, const struct stream_kind *kind, void *state,
    volatile sig_atomic_t *term, volatile sig_atomic_t *io)
{
	struct notify	*n = store_notify(s->store);
	int64_t		 now, poll_ms, wake, token_end;
	uint32_t	 seen;
	int		 moved;

	/* Noted before the first read: a commit in between wakes us at once. */
	seen = notify_value(n, s->word);
	if (kind->start(s, state) == -1)
		return END_KIND;
	/*
	 * Opening the store and sending the first events are the stream's peak
	 * of memory; malloc keeps what was freed since (about half the heap).
	 * The process holds this stream for up to an hour, and a server holds
	 * a thousand such processes: give it back now.
	 */
	malloc_trim(0);
	/*
	 * A first heartbeat soon after the opening events: web servers see a
	 * client that left only when they write to it, and a page that opens
	 * a stream and moves on would otherwise hold this process for a whole
	 * heartbeat interval.
	 */
	now = s->now_ms = mono_ms();
	s->beat_ms = min_of(s->beat_ms, now + EARLY_BEAT_MS);
	/*
	 * A stream with nothing to read (a data stream) has no poll: one due
	 * and never moved on made every wait end at once, and the process
	 * spun between its heartbeats.
	 */
	poll_ms = kind->update != NULL ? now + s->cfg->poll_interval :
	    INT64_MAX;
	token_end = token_end_mono(s);
	for (;;) {
		if (*term)
			return END_TERM;
		if (*io) {
			*io = 0;
			if (client_gone(s))
				return END_CLIENT;
		}
		/*
		 * now is the clock as of the last wake: what an update took
		 * since (microseconds) moves no deadline that matters.
		 */
		if (now >= s->end_ms)
			return END_LIFETIME;
		if (now >= token_end) {
			if (wall_ms() >= token_end_ms(s)) {
				stream_send_error(s, "token_expired", "the "
				    "token has expired; reconnect with a "
				    "fresh one");
				return END_TOKEN;
			}
			token_end = token_end_mono(s);
		}
		if (now >= s->beat_ms) {
			sse_comment(&s->out, "heartbeat");
			if (flush_out(s) == -1 || client_gone(s))
				return END_CLIENT;
		}
		wake = min_of(min_of(min_of(s->end_ms, s->beat_ms),
		    poll_due(s, poll_ms)), token_end);
		moved = notify_wait_until(n, s->word, seen, wake) == 0;
		now = s->now_ms = mono_ms();
		if (kind->update == NULL) {
			/*
			 * Nothing to read (a data stream), but the word must be
			 * noted again: once it has moved, a wait on the old
			 * value returns at once, and the stream would spin
			 * until its end after its user's first commit.
			 */
			seen = notify_value(n, s->word);
			continue;
		}
		if (moved || now >= poll_due(s, poll_ms)) {
			seen = notify_value(n, s->word);
			poll_ms = now + s->cfg->poll_interval;
			s->follow_flags = moved ? FOLLOW_WOKEN : 0;
			if (kind->update(s, state) == -1)
				return END_KIND;
		}
	}
}

int
stream_serve(struct call *c, const struct stream_kind *kind)
{
	struct stream	 s;
	struct request	*req = c->req;
	void		*state = NULL;
	char		 err[512], extra[128];
	int64_t		 start;
	enum end	 end;
	int		 status;

	memset(&s, 0, sizeof s);
	s.req = req;
	s.cfg = &c->rs->cfg;
	s.store = c->store;
	s.id = c->id;
	snprintf(s.uid, sizeof s.uid, "%s", c->uid);
	s.token_exp = c->token_exp;
	/* The lifetime counts from the request, its token check included. */
	start = c->start_ms;
	s.now_ms = mono_ms();
	s.word = notify_user_word(s.uid);
	s.last_id = request_param(req, "HTTP_LAST_EVENT_ID");
	if (s.last_id == NULL)
		s.last_id = query_get(&req->query, "last_event_id");
	err[0] = '\0';
	status = kind->open(&s, &state, err, sizeof err);
	if (status == 204) {
		/* The client had the stream's last word: EventSource stops. */
		http_head(req, 204, NULL, NULL);
		goto out;
	}
	if (status != 200) {
		call_fail(c, status, responder_error_word(status), "%s", err);
		goto out;
	}
	snprintf(extra, sizeof extra, "Cache-Control: no-cache\r\n"
	    "X-Accel-Buffering: no\r\n");
	http_head(req, 200, "text/event-stream", extra);
	sse_retry(&s.out, s.cfg->retry);
	if (flush_out(&s) == -1)
		goto out;
	drain_input(&s);
	*c->rs->io = 0;
	watch_connection(&s, 1);
	s.end_ms = start + lifetime_ms(s.cfg);
	end = run(&s, kind, state, c->rs->stopping, c->rs->io);
	watch_connection(&s, 0);
	log_info("stream %s (%s): %s after %lld s; updates: %" PRIu64
	    " from the tail, %" PRIu64 " from the store; %" PRIu64
	    " events of the writer's text", kind->name, s.uid,
	    end_names[end], (long long)((mono_ms() - start) / 1000),
	    s.follow_stats.tail, s.follow_stats.store, s.writer_texts);
out:
	if (kind->free != NULL)
		kind->free(state);
	buf_free(&s.out);
	return status;
}
