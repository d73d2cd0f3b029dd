/* stream.h: what every SSE stream does: headers, events, heartbeats, lifetime, waking on changes. */
#ifndef BACKSTREAM_STREAM_H
#define BACKSTREAM_STREAM_H

#include <stdint.h>

#include "buf.h"
#include "changelog.h"
#include "follow.h"
#include "http.h"
#include "responder.h"

struct conf;
struct store;

/* One stream: one request of the responder; freed at its end. */
struct stream {
	struct request		*req;
	const struct conf	*cfg;
	struct store		*store;
	char			 uid[UID_MAX + 1];
	int64_t			 token_exp;	/* wall clock, seconds */
	const char		*last_id;	/* the client's resume point, or NULL */
	const char		*id;		/* the path's job/backtest id */

	int64_t			 end_ms;	/* monotonic: lifetime's end */
	int64_t			 beat_ms;	/* monotonic: next heartbeat */
	int64_t			 now_ms;	/* monotonic, at the last wake */
	uint32_t		 word;		/* the user's notify word */
	char			 last_sent[64];	/* id of the last event sent */
	/* FOLLOW_WOKEN when a commit woke this update, 0 on the timed poll. */
	int			 follow_flags;
	struct follow_stats	 follow_stats;	/* shown when the stream ends */
	/* Events sent with the text their writer made (lib/tail.h): shown too. */
	uint64_t		 writer_texts;
	struct buf		 out;
};

/* What a kind of stream implements (stream-jobs.c, stream-job.c, …). */
struct stream_kind {
	const char	*name;
	/*
	 * Checks parameters and the resource before anything is sent.
	 * Returns 200 to go on, 204 when a resumed stream has nothing more
	 * to say, or an error status with a message in err (for the JSON
	 * error body).  *state is freed with kind->free.
	 */
	int		(*open)(struct stream *s, void **state, char *err,
			    size_t errlen);
	/* Sends the first events; returns 0, or -1 if the stream must end. */
	int		(*start)(struct stream *s, void *state);
	/*
	 * Called when the user's data may have changed (or on the poll
	 * interval): sends what changed.  NULL for streams that never
	 * change.  Returns 0, or -1 if the stream must end.
	 */
	int		(*update)(struct stream *s, void *state);
	void		(*free)(void *state);
};

extern const struct stream_kind	stream_jobs;
extern const struct stream_kind	stream_history;
extern const struct stream_kind	stream_job;
extern const struct stream_kind	stream_data;

/*
 * Serves one stream of kind for c (authenticated, its store open): opens,
 * sends, waits and ends it.  It ends early when c->rs->stopping is set,
 * and looks at the connection when c->rs->io is.  Returns the status of
 * the response.
 */
int	stream_serve(struct call *c, const struct stream_kind *kind);

/*
 * Sends one event (data is JSON text) and flushes it to the client.
 * Returns 0, or -1 if the client has gone.
 */
int	stream_send(struct stream *s, const char *id, const char *event,
	    const char *data);
/* Sends an event whose data is obj (borrowed); as stream_send. */
int	stream_send_json(struct stream *s, const char *id, const char *event,
	    json_object *obj);
/*
 * Sends the error event {"code", "message"} that ends a stream (the
 * caller then returns -1).  It carries the id of the last event sent, so
 * that it too has one and a reconnect resumes from the same point.
 */
int	stream_send_error(struct stream *s, const char *code,
	    const char *message);

#endif
