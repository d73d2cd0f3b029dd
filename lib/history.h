/* history.h: a finished backtest in the user's history: record and JSON shape. */
#ifndef BACKSTREAM_HISTORY_H
#define BACKSTREAM_HISTORY_H

#include <stdint.h>

#include <json-c/json.h>

#include "buf.h"
#include "ids.h"
#include "spec.h"
#include "summary.h"

/*
 * A history entry is made when a job completes.  It has an id of its own
 * (backtest_id) and outlives nothing: deleting the job deletes it too.
 */
struct history_entry {
	char		id[ID_MAX + 1];		/* backtest id */
	char		job_id[ID_MAX + 1];
	char		uid[UID_MAX + 1];
	uint64_t	seq;		/* change seq of its creation: order */
	int64_t		created_at;	/* the job's submission */
	int64_t		completed_at;
	struct job_spec	spec;
	struct summary	summary;
	uint32_t	trade_count;
};

void	history_encode(const struct history_entry *h, struct buf *out);
/* Returns 0, or -1 if the record is damaged. */
int	history_decode(const void *data, size_t len, struct history_entry *h);
/* Reads the fields the index needs (seq, uid) without decoding the rest. */
int	history_decode_index(const void *data, size_t len, uint64_t *seq,
	    const char **uid, size_t *uidlen);

/*
 * The API shape (history lists, backtest_added, backtest_updated): id,
 * backtest_id, job_id, status "completed", the spec's fields,
 * result_summary, created_at, completed_at.  Returns a new reference.
 */
json_object	*history_to_json(const struct history_entry *h);

#endif
