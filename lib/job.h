/* job.h: a backtest job: its record, its lifecycle states and its JSON shapes. */
#ifndef BACKSTREAM_JOB_H
#define BACKSTREAM_JOB_H

#include <stdint.h>

#include <json-c/json.h>

#include "buf.h"
#include "ids.h"
#include "spec.h"
#include "summary.h"

/* queued -> running -> completed | failed | cancelled */
enum job_status {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_COMPLETED,
	JOB_FAILED,
	JOB_CANCELLED,
};
#define JOB_STATUS_COUNT	5

#define JOB_MESSAGE_MAX	200
#define JOB_ERROR_MAX	300

struct job {
	char		 id[ID_MAX + 1];
	char		 uid[UID_MAX + 1];
	enum job_status	 status;
	uint64_t	 create_seq;	/* change seq of its creation: list order */
	int64_t		 created_at;	/* UTC seconds; 0: not yet */
	int64_t		 started_at;
	int64_t		 finished_at;
	double		 progress;	/* 0 … 100 */
	int64_t		 current_bar;
	int64_t		 total_bars;
	char		 message[JOB_MESSAGE_MAX + 1];
	char		 error_message[JOB_ERROR_MAX + 1];
	struct job_spec	 spec;
	int		 has_summary;
	struct summary	 summary;
	char		 backtest_id[ID_MAX + 1];	/* "" until completed */
	uint32_t	 trade_count;	/* trades stored so far */

	/* The engine's bookkeeping; not part of the API. */
	int		 cancel_requested;
	int32_t		 owner_pid;	/* process running it, 0 if none */
	uint64_t	 owner_start;	/* that process's start time */
	uint32_t	 attempts;	/* runs started */
};

const char	*job_status_name(enum job_status s);
/* Parses "queued", "running", …; returns 0 or -1. */
int		 job_status_parse(const char *name, enum job_status *out);
/* Whether the job can change no more (completed, failed, cancelled). */
int		 job_is_finished(const struct job *j);

/* Appends the stored form of j (format version first) to out. */
void	job_encode(const struct job *j, struct buf *out);
/* Fills j from a stored record; returns 0, or -1 if it is damaged. */
int	job_decode(const void *data, size_t len, struct job *j);
/*
 * Reads only the fields the indexes need (status, create_seq, uid) from a
 * stored record, without decoding the rest.  Returns 0 or -1.
 */
int	job_decode_index(const void *data, size_t len, enum job_status *status,
	    uint64_t *create_seq, const char **uid, size_t *uidlen);

/*
 * The API shape of a job (lists, job_added, job_updated, REST): job_id,
 * status, progress, current_bar, total_bars, message, the spec's fields,
 * created_at, started_at, finished_at, error_message, result_summary,
 * backtest_id.  Returns a new reference.
 */
json_object	*job_to_json(const struct job *j);
/* The progress event: {job_id, status, progress, current_bar, total_bars, message}. */
json_object	*job_progress_json(const struct job *j);
/*
 * The terminal event's name ("completed", "failed", "cancelled") and data,
 * for a finished job; NULL name for one that is not finished.
 */
const char	*job_terminal_event(const struct job *j);
json_object	*job_terminal_json(const struct job *j);

#endif
