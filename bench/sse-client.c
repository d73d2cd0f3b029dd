/* sse-client.c: the benchmarks' SSE load client: raw HTTP/1.1 connections to 127.0.0.1, read with epoll, split into events. */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sse-client.h"
#include "xmalloc.h"

int64_t
sse_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
fatal(const char *what)
{
	fprintf(stderr, "sse-client: %s: %s\n", what, strerror(errno));
	exit(1);
}

void
sse_client_init(struct sse_client *cl, int n, int port)
{
	memset(cl, 0, sizeof *cl);
	if ((cl->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	cl->port = port;
	cl->n = n;
	cl->c = xcalloc((size_t)n, sizeof *cl->c);
}

void
sse_client_free(struct sse_client *cl)
{
	int	i;

	for (i = 0; i < cl->n; i++) {
		sse_conn_close(cl, &cl->c[i]);
		free(cl->c[i].request);
		buf_free(&cl->c[i].line);
		buf_free(&cl->c[i].data);
	}
	free(cl->c);
	if (cl->ep != -1)
		close(cl->ep);
	memset(cl, 0, sizeof *cl);
	cl->ep = -1;
}

void
sse_conn_start(struct sse_client *cl, struct sse_conn *c,
    const char *path_query, const char *extra_headers)
{
	struct sockaddr_in	sa;
	struct epoll_event	ev;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cl->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) == -1 &&
	    errno != EINPROGRESS)
		fatal("connect");
	free(c->request);
	c->reqlen = (size_t)xasprintf(&c->request, "GET %s HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n"
	    "Cache-Control: no-cache\r\n%s\r\n", path_query, cl->port,
	    extra_headers != NULL ? extra_headers : "");
	c->reqoff = 0;
	c->hs = SSE_HEAD;
	c->retry_ms = -1;
	c->closed = 0;
	c->t_open = sse_now_ns();
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(cl->ep, EPOLL_CTL_ADD, c->fd, &ev) == -1)
		fatal("epoll_ctl");
	cl->open++;
}

void
sse_conn_close(struct sse_client *cl, struct sse_conn *c)
{
	if (c->closed || c->request == NULL)
		return;
	close(c->fd);
	c->closed = 1;
	cl->open--;
}

void
sse_conn_reset(struct sse_client *cl, struct sse_conn *c)
{
	int	idx = c->idx;

	sse_conn_close(cl, c);
	free(c->request);
	buf_free(&c->line);
	buf_free(&c->data);
	memset(c, 0, sizeof *c);
	c->idx = idx;
}

/* The server ended c: closes it and tells the caller. */
static void
conn_ended(struct sse_client *cl, struct sse_conn *c)
{
	if (c->closed)
		return;
	if (c->hs == SSE_RAW)
		c->hs = SSE_DONE;	/* not chunked: the end is the end */
	sse_conn_close(cl, c);
	if (cl->on_end != NULL)
		cl->on_end(cl, c);
}

static void
dispatch(struct sse_client *cl, struct sse_conn *c)
{
	const char	*data = c->data.len > 0 ? buf_str(&c->data) : "";

	if (c->has_id)
		snprintf(c->last_id, sizeof c->last_id, "%s", c->id);
	if (strcmp(c->event, "connection") == 0)
		c->connected = 1;
	else
		c->ready = 1;
	if (c->t_first == 0)
		c->t_first = cl->now;
	c->events++;
	if (cl->on_event != NULL)
		cl->on_event(cl, c, c->event[0] != '\0' ? c->event : "message",
		    c->has_id ? c->id : NULL, data);
	c->event[0] = '\0';
	c->has_id = 0;
	buf_reset(&c->data);
	c->ndata = 0;
}

/* One complete SSE line (without its newline). */
static void
sse_line(struct sse_client *cl, struct sse_conn *c, const char *l, size_t n)
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
		return;
	}
	if (n >= 4 && memcmp(l, "id: ", 4) == 0) {
		snprintf(c->id, sizeof c->id, "%.*s", (int)(n - 4), l + 4);
		c->has_id = 1;
		return;
	}
	if (n >= 7 && memcmp(l, "retry: ", 7) == 0)
		c->retry_ms = atoi(l + 7);
}

/* Body bytes: split into lines. */
static void
sse_feed(struct sse_client *cl, struct sse_conn *c, const char *p, size_t n)
{
	const char	*nl;

	while (n > 0 && !c->closed) {
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
parse_head(struct sse_client *cl, struct sse_conn *c)
{
	c->head[c->headlen] = '\0';
	if (sscanf(c->head, "HTTP/1.%*d %d", &c->status) != 1)
		c->status = -1;
	c->chunked = strcasestr(c->head, "\r\nTransfer-Encoding: chunked") !=
	    NULL;
	c->hs = c->chunked ? SSE_SIZE : SSE_RAW;
	if (cl->on_head != NULL)
		cl->on_head(cl, c);
}

/* Bytes from the socket: HTTP head, then (chunked) body. */
static void
feed(struct sse_client *cl, struct sse_conn *c, const char *p, size_t n)
{
	size_t	k;

	while (n > 0 && !c->closed) {
		switch (c->hs) {
		case SSE_HEAD:
			c->head[c->headlen++] = *p++;
			n--;
			if (c->headlen >= 4 &&
			    memcmp(c->head + c->headlen - 4, "\r\n\r\n", 4) ==
			    0) {
				parse_head(cl, c);
				/* Only a 200 has a stream to read. */
				if (c->status != 200 && !c->closed) {
					c->hs = SSE_DONE;
					conn_ended(cl, c);
					return;
				}
			} else if (c->headlen == sizeof c->head - 1) {
				fprintf(stderr, "sse-client: stream %d: head "
				    "too long\n", c->idx);
				conn_ended(cl, c);
				return;
			}
			break;
		case SSE_SIZE:
			if (*p == '\n') {
				c->sizeline[c->sizelen] = '\0';
				c->left = strtoul(c->sizeline, NULL, 16);
				c->sizelen = 0;
				if (c->left == 0) {
					/* The last chunk: the response ended. */
					c->hs = SSE_DONE;
					conn_ended(cl, c);
					return;
				}
				c->hs = SSE_DATA;
			} else if (c->sizelen < sizeof c->sizeline - 1)
				c->sizeline[c->sizelen++] = *p;
			p++;
			n--;
			break;
		case SSE_DATA:
			k = n < c->left ? n : c->left;
			sse_feed(cl, c, p, k);
			p += k;
			n -= k;
			if ((c->left -= k) == 0)
				c->hs = SSE_CRLF;
			break;
		case SSE_CRLF:
			if (*p == '\n')
				c->hs = SSE_SIZE;
			p++;
			n--;
			break;
		case SSE_RAW:
			sse_feed(cl, c, p, n);
			return;
		case SSE_DONE:
			return;
		}
	}
}

static void
on_ready(struct sse_client *cl, struct sse_conn *c, uint32_t events)
{
	static char		buf[1 << 16];
	struct epoll_event	ev;
	ssize_t			n;

	if (c->closed)
		return;
	if ((events & EPOLLOUT) && c->reqoff < c->reqlen) {
		n = write(c->fd, c->request + c->reqoff, c->reqlen - c->reqoff);
		if (n > 0)
			c->reqoff += (size_t)n;
		else if (n == -1 && errno != EAGAIN) {
			conn_ended(cl, c);
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
				cl->now = sse_now_ns();
				c->t_last = cl->now;
				feed(cl, c, buf, (size_t)n);
				if (c->closed || (size_t)n < sizeof buf)
					break;
				continue;
			}
			if (n == -1 && errno == EAGAIN)
				break;
			if (n == -1 && errno == EINTR)
				continue;
			conn_ended(cl, c);
			break;
		}
	}
}

void
sse_client_run(struct sse_client *cl, int64_t ms,
    int (*done)(struct sse_client *))
{
	struct epoll_event	evs[256];
	int64_t			end = sse_now_ns() + ms * 1000000;
	int			i, n, wait_ms;

	while ((done == NULL || !done(cl)) && sse_now_ns() < end) {
		wait_ms = (int)((end - sse_now_ns()) / 1000000);
		if (wait_ms > 100)
			wait_ms = 100;
		n = epoll_wait(cl->ep, evs, 256, wait_ms < 0 ? 0 : wait_ms);
		for (i = 0; i < n; i++)
			on_ready(cl, evs[i].data.ptr, evs[i].events);
	}
}
