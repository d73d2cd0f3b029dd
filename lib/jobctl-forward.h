/* jobctl-forward.h: a replica's job writes, carried out on the master, and visible here before they return. */
#ifndef BACKSTREAM_JOBCTL_FORWARD_H
#define BACKSTREAM_JOBCTL_FORWARD_H

#include <stddef.h>

#include "buf.h"
#include "job.h"
#include "spec.h"
#include "store.h"

/*
 * In a replication group only the master writes.  A job write that
 * reaches a replica (a REST call to a web node, a command there) is sent
 * to the master's backstream-repd over Berkeley DB's own message channel,
 * with the user's id (the replica checked the token), and carried out
 * there by the same jobctl function.  The answer comes back once this
 * replica holds the change, so that a client that writes and then reads
 * or opens a stream on the same node sees its write.
 */
enum jobctl_op {
	JOBCTL_SUBMIT = 1,
	JOBCTL_CANCEL,
	JOBCTL_DELETE,
};

/*
 * Carries out op on the master: jobctl_submit's arguments for a
 * submission (id NULL), jobctl_cancel's or jobctl_delete's for the others
 * (spec NULL; out NULL for a deletion).  Returns what the master's jobctl
 * function returned, with its reason in err; EROFS when no master could
 * be reached (the store is unavailable: try again later).
 */
int	jobctl_forward(struct store *s, enum jobctl_op op, const char *uid,
	    const char *id, const struct job_spec *spec, int max_queued,
	    struct job *out, char *err, size_t errlen);

/*
 * The master's side, for backstream-repd: carries out a request that
 * jobctl_forward sent (len bytes at req) on s and appends the answer to
 * reply.  Not thread-safe: the caller runs one at a time.
 */
void	jobctl_serve(struct store *s, const void *req, size_t len,
	    struct buf *reply);

#endif
