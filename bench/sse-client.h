/* sse-client.h: the benchmarks' SSE load client: raw HTTP/1.1 connections to 127.0.0.1, read with epoll, split into events. */
#ifndef BACKSTREAM_SSE_CLIENT_H
#define BACKSTREAM_SSE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * One process holds thousands of streams: each is a non-blocking socket in
 * one epoll set, its response parsed as it arrives (head, chunked body,
 * SSE lines).  The program that uses it reacts to events, response heads
 * and ends through callbacks; the parser keeps what every load test needs
 * (status, last event id, retry, heartbeats, time of the last byte).
 */

enum sse_http_state { SSE_HEAD, SSE_SIZE, SSE_DATA, SSE_CRLF, SSE_RAW,
    SSE_DONE };

struct sse_conn {
	int		 fd;
	int		 idx;		/* the caller's, e.g. its index */
	char		*request;
	size_t		 reqlen, reqoff;
	enum sse_http_state hs;
	int		 chunked;
	int		 status;	/* 0 until the head arrived */
	size_t		 left;		/* of the current chunk */
	char		 head[4096];
	size_t		 headlen;
	char		 sizeline[32];
	size_t		 sizelen;
	/* the event being read */
	struct buf	 line;
	char		 event[64];
	char		 id[128];
	int		 has_id;
	struct buf	 data;
	int		 ndata;
	/* what arrived */
	char		 last_id[128];	/* of the last event with an id */
	int		 retry_ms;	/* from "retry:", -1 until sent */
	int		 connected;	/* had the connection event */
	int		 ready;		/* had an event (not connection) */
	int		 events;
	int		 heartbeats;	/* comment lines */
	int		 closed;
	int64_t		 t_open, t_first, t_last;	/* ns; 0: not yet */
};

struct sse_client;

/* Called for every event; id is NULL when the event had none. */
typedef void	(*sse_event_fn)(struct sse_client *, struct sse_conn *,
		    const char *event, const char *id, const char *data);
/* Called when a response head has arrived (c->status is set). */
typedef void	(*sse_conn_fn)(struct sse_client *, struct sse_conn *);

struct sse_client {
	int		 ep;
	int		 port;
	struct sse_conn	*c;
	int		 n;
	int		 open;		/* connections not closed */
	int64_t		 now;		/* ns, of the last read */
	sse_event_fn	 on_event;	/* each may be NULL */
	sse_conn_fn	 on_head;
	/*
	 * Called when the server ended the connection: c->hs is SSE_DONE
	 * after a complete response (the whole chunked body, or a body that
	 * was not chunked), anything else means it was cut.  Not called for
	 * sse_conn_close().
	 */
	sse_conn_fn	 on_end;
	void		*arg;		/* the caller's */
};

/* The real-time clock in ns (shared with other processes). */
int64_t	sse_now_ns(void);

/* Makes an empty client of n connections to 127.0.0.1:port. */
void	sse_client_init(struct sse_client *cl, int n, int port);
/* Closes every connection and frees everything. */
void	sse_client_free(struct sse_client *cl);
/*
 * Starts c: connects and queues "GET path_query", with extra_headers
 * (each line ending in \r\n; NULL for none).  c must be fresh (zeroed or
 * sse_conn_reset) and its idx set.
 */
void	sse_conn_start(struct sse_client *cl, struct sse_conn *c,
	    const char *path_query, const char *extra_headers);
/* The client leaves: closes c if it is open (on_end is not called). */
void	sse_conn_close(struct sse_client *cl, struct sse_conn *c);
/* Closes c and makes it fresh for another sse_conn_start(), keeping idx. */
void	sse_conn_reset(struct sse_client *cl, struct sse_conn *c);
/*
 * Reads for up to ms, or until done(cl) returns non-zero (done may be
 * NULL; it is asked at least every 100 ms).
 */
void	sse_client_run(struct sse_client *cl, int64_t ms,
	    int (*done)(struct sse_client *));

#endif
