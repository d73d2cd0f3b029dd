/* feed.h: a replica's new changes, published to its streams as the master's writers publish theirs. */
#ifndef BACKSTREAM_FEED_H
#define BACKSTREAM_FEED_H

#include <stddef.h>
#include <stdint.h>

struct store;

/*
 * On the master each writer puts its changes in the tail of the change
 * log (lib/tail.h) and wakes their users' streams after its commit.  On a
 * replica the changes arrive through Berkeley DB's replication, which
 * says nothing when it applies one: the feed notices that the log moved,
 * reads what is new, and does the writer's part, so that a stream on a
 * replica runs exactly as on the master.
 */
struct feed {
	uint64_t	last;	/* the newest change published */
	int		primed;	/* last is known */
	uint64_t	log_end;	/* store_log_end when last read */
};

/*
 * Starts over: the next feed_run starts where the streams were last told
 * (the tail's head).
 */
void	feed_reset(struct feed *f);
/*
 * Publishes the changes committed since the last call.  Cheap when
 * nothing arrived (a look at the log's end, no transaction).  Returns 0,
 * or a store code with a reason in err.
 */
int	feed_run(struct feed *f, struct store *s, char *err, size_t errlen);

#endif
