/* sse.h: the Server-Sent Events wire format; the only writer of id:, event:, data: and retry: lines. */
#ifndef BACKSTREAM_SSE_H
#define BACKSTREAM_SSE_H

#include <stdint.h>

#include "buf.h"

/* Appends "retry: ms". */
void	sse_retry(struct buf *out, int64_t ms);
/*
 * Appends one event: "id:", "event:" (if name is not NULL) and one "data:"
 * line per line of data, then the blank line that ends it.  Newlines
 * (\n, \r\n, \r) inside data become line breaks of the event, as the
 * format requires; id and name must hold none (they are replaced by
 * spaces if they do).
 */
void	sse_event(struct buf *out, const char *id, const char *name,
	    const char *data);
/* Appends a comment line (a heartbeat), ignored by EventSource. */
void	sse_comment(struct buf *out, const char *text);

/*
 * Parses an event id of the form "A.B" or "A.B.end" (two counts: where
 * the progress and data streams stand, given back as Last-Event-ID).
 * Returns 0 with the counts and *end (whether it ends in ".end"), or -1
 * for NULL or anything else; range checks are the caller's.
 */
int	sse_parse_position(const char *id, uint64_t *a, uint64_t *b,
	    int *end);

#endif
