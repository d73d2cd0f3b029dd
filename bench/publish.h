/* publish.h: one HTTP POST to a pub/sub server on 127.0.0.1 (nchan's publisher endpoint), as the benchmarks' peer of a store commit. */
#ifndef BACKSTREAM_PUBLISH_H
#define BACKSTREAM_PUBLISH_H

#include <stddef.h>

/*
 * POSTs len bytes of body to 127.0.0.1:port at path over a new connection
 * ("Connection: close") and reads the whole reply.  Returns the reply's
 * HTTP status, or -1 with a reason in err.
 */
int	publish_post(int port, const char *path, const char *body, size_t len,
	    char *err, size_t errlen);

#endif
