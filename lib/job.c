/* job.c: the job record (stored form) and its JSON shapes. */
#include "config.h"

#include <string.h>

#include "job.h"
#include "json.h"
#include "pack.h"

/*
 * Record layout, version 1.  The first fields are the ones the secondary
 * indexes read, so that job_decode_index() stops early.
 */
#define JOB_VERSION	1

static const char *const status_names[JOB_STATUS_COUNT] = {
	"queued", "running", "completed", "failed", "cancelled",
};

const char *
job_status_name(enum job_status s)
{
	return status_names[s];
}

int
job_status_parse(const char *name, enum job_status *out)
{
	int	i;

	for (i = 0; i < JOB_STATUS_COUNT; i++) {
		if (strcmp(status_names[i], name) == 0) {
			*out = (enum job_status)i;
			return 0;
		}
	}
	return -1;
}

int
job_is_finished(const struct job *j)
{
	return j->status == JOB_COMPLETED || j->status == JOB_FAILED ||
	    j->status == JOB_CANCELLED;
}

/*
 * The stored form after version and status, up to the spec.  create_seq
 * and uid come first: job_decode_index reads them without a full decode.
 */
#define F(member)	PACK_FIELD(struct job, member)
static const struct pack_field job_fields[] = {
	F(create_seq),
	F(uid),
	F(id),
	F(created_at),
	F(started_at),
	F(finished_at),
	F(progress),
	F(current_bar),
	F(total_bars),
	F(message),
	F(error_message),
};
#undef F
#define NFIELDS	(sizeof job_fields / sizeof job_fields[0])

void
job_encode(const struct job *j, struct buf *out)
{
	pack_u8(out, JOB_VERSION);
	pack_u8(out, (uint8_t)j->status);
	pack_fields(out, j, job_fields, NFIELDS);
	spec_encode(&j->spec, out);
	pack_u8(out, (uint8_t)j->has_summary);
	if (j->has_summary)
		summary_encode(&j->summary, out);
	pack_str(out, j->backtest_id);
	pack_u32(out, j->trade_count);
	pack_u8(out, (uint8_t)j->cancel_requested);
	pack_u32(out, (uint32_t)j->owner_pid);
	pack_u64(out, j->owner_start);
	pack_u32(out, j->attempts);
}

int
job_decode_index(const void *data, size_t len, enum job_status *status,
    uint64_t *create_seq, const char **uid, size_t *uidlen)
{
	const unsigned char	*p = data;
	size_t			 n;

	/* version, status, create_seq (LE), uid length (LE16), uid */
	if (len < 12 || p[0] != JOB_VERSION || p[1] >= JOB_STATUS_COUNT)
		return -1;
	*status = (enum job_status)p[1];
	*create_seq = 0;
	for (int i = 7; i >= 0; i--)
		*create_seq = *create_seq << 8 | p[2 + i];
	n = (size_t)p[10] | (size_t)p[11] << 8;
	if (n == 0 || n > UID_MAX || len < 12 + n)
		return -1;
	*uid = (const char *)p + 12;
	*uidlen = n;
	return 0;
}

int
job_decode(const void *data, size_t len, struct job *j)
{
	struct unpack	u;
	unsigned	status;

	memset(j, 0, sizeof *j);
	unpack_init(&u, data, len);
	if (unpack_u8(&u) != JOB_VERSION)
		return -1;
	status = unpack_u8(&u);
	if (status >= JOB_STATUS_COUNT)
		return -1;
	j->status = (enum job_status)status;
	unpack_fields(&u, j, job_fields, NFIELDS);
	if (spec_decode(&u, &j->spec) == -1)
		return -1;
	j->has_summary = unpack_u8(&u);
	if (j->has_summary && summary_decode(&u, &j->summary) == -1)
		return -1;
	unpack_str(&u, j->backtest_id, sizeof j->backtest_id);
	j->trade_count = unpack_u32(&u);
	j->cancel_requested = unpack_u8(&u);
	j->owner_pid = (int32_t)unpack_u32(&u);
	j->owner_start = unpack_u64(&u);
	j->attempts = unpack_u32(&u);
	return u.bad ? -1 : 0;
}

static json_object *
time_or_null(int64_t t)
{
	return t == 0 ? NULL : json_time(t);
}

static json_object *
str_or_null(const char *s)
{
	return s[0] == '\0' ? NULL : json_object_new_string(s);
}

json_object *
job_to_json(const struct job *j)
{
	json_object	*o;

	o = job_progress_json(j);
	spec_add_json(&j->spec, o);
	json_object_object_add(o, "created_at", time_or_null(j->created_at));
	json_object_object_add(o, "started_at", time_or_null(j->started_at));
	json_object_object_add(o, "finished_at",
	    time_or_null(j->finished_at));
	json_object_object_add(o, "error_message",
	    str_or_null(j->error_message));
	json_object_object_add(o, "result_summary", j->has_summary ?
	    summary_to_json(&j->summary) : NULL);
	json_object_object_add(o, "backtest_id", str_or_null(j->backtest_id));
	json_object_object_add(o, "transaction_count",
	    json_object_new_int64(j->trade_count));
	return o;
}

json_object *
job_progress_json(const struct job *j)
{
	json_object	*o;

	o = json_object_new_object();
	json_object_object_add(o, "job_id", json_object_new_string(j->id));
	json_object_object_add(o, "status",
	    json_object_new_string(job_status_name(j->status)));
	json_object_object_add(o, "progress", json_num(j->progress));
	json_object_object_add(o, "current_bar",
	    json_object_new_int64(j->current_bar));
	json_object_object_add(o, "total_bars",
	    json_object_new_int64(j->total_bars));
	json_object_object_add(o, "message",
	    json_object_new_string(j->message));
	return o;
}

const char *
job_terminal_event(const struct job *j)
{
	return job_is_finished(j) ? job_status_name(j->status) : NULL;
}

json_object *
job_terminal_json(const struct job *j)
{
	json_object	*o;

	o = json_object_new_object();
	json_object_object_add(o, "job_id", json_object_new_string(j->id));
	json_object_object_add(o, "status",
	    json_object_new_string(job_status_name(j->status)));
	switch (j->status) {
	case JOB_COMPLETED:
		json_object_object_add(o, "result_summary", j->has_summary ?
		    summary_to_json(&j->summary) : NULL);
		json_object_object_add(o, "backtest_id",
		    str_or_null(j->backtest_id));
		break;
	case JOB_FAILED:
		json_object_object_add(o, "error_message",
		    json_object_new_string(j->error_message));
		break;
	default:
		break;
	}
	json_object_object_add(o, "message", json_object_new_string(
	    j->message));
	json_object_object_add(o, "transaction_count",
	    json_object_new_int64(j->trade_count));
	json_object_object_add(o, "finished_at", time_or_null(j->finished_at));
	return o;
}
