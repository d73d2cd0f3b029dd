/* jobctl-forward.c: a replica's job writes, carried out on the master, and visible here before they return. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "changelog.h"
#include "jobctl-forward.h"
#include "jobctl.h"
#include "log.h"
#include "mstime.h"
#include "pack.h"

/*
 * The messages, packed (pack.h), each starting with this version:
 *	request	op u8, uid, id (absent for a submission), max_queued u32,
 *		then a submission's spec (spec_encode)
 *	answer	code u32, reason, the master's change-log head after the
 *		write u64, then the job's record (job_encode) when there is one
 */
#define FORWARD_VERSION	1

/*
 * How long a replica waits to hold a write that the master made.  The
 * acknowledging replicas hold it before the master's commit returns, the
 * others within a millisecond or so; past this the write is reported done
 * anyway (it is, on a quorum of hosts) and the delay logged.
 */
#define VISIBLE_WAIT_MS	10000

struct head {
	uint64_t	seq;
};

static int
read_head(struct store_txn *txn, void *arg)
{
	struct head	*h = arg;

	return changelog_head(txn, &h->seq);
}

/* Waits until this node's change log reaches seq. */
static void
wait_visible(struct store *s, uint64_t seq)
{
	struct timespec	ts = { 0, 1000 * 1000 };
	struct head	h;
	char		err[512];
	int64_t		start = mono_ms();

	for (;;) {
		if (store_read(s, read_head, &h, err, sizeof err) == 0 &&
		    h.seq >= seq)
			return;
		if (mono_ms() - start >= VISIBLE_WAIT_MS) {
			log_warn("a write made on the master (change %llu) is "
			    "not here after %d ms", (unsigned long long)seq,
			    VISIBLE_WAIT_MS);
			return;
		}
		nanosleep(&ts, NULL);
	}
}

int
jobctl_forward(struct store *s, enum jobctl_op op, const char *uid,
    const char *id, const struct job_spec *spec, int max_queued,
    struct job *out, char *err, size_t errlen)
{
	struct buf	 req = BUF_INIT, reply = BUF_INIT;
	struct unpack	 u;
	uint64_t	 seq;
	char		 reason[512];
	int		 r;

	pack_u8(&req, FORWARD_VERSION);
	pack_u8(&req, (uint8_t)op);
	pack_str(&req, uid);
	pack_str(&req, id);
	pack_u32(&req, (uint32_t)max_queued);
	if (spec != NULL)
		spec_encode(spec, &req);
	r = store_forward(s, req.data, req.len, &reply, err, errlen);
	buf_free(&req);
	if (r != 0)
		goto out;
	unpack_init(&u, reply.data, reply.len);
	if (unpack_u8(&u) != FORWARD_VERSION) {
		r = EIO;
		snprintf(err, errlen, "the master answered in another version");
		goto out;
	}
	r = (int)unpack_u32(&u);
	unpack_str(&u, reason, sizeof reason);
	seq = unpack_u64(&u);
	if (!u.bad && r == 0 && out != NULL &&
	    job_decode(u.p, (size_t)(u.end - u.p), out) == -1)
		u.bad = 1;
	if (u.bad) {
		r = EIO;
		snprintf(err, errlen, "the master's answer is damaged");
		goto out;
	}
	if (r == 0)
		wait_visible(s, seq);
	else
		snprintf(err, errlen, "%s", reason);
out:
	buf_free(&reply);
	return r;
}

/* The answer to a request: the jobctl function's result and reason. */
static void
answer(struct store *s, struct buf *reply, int r, const char *reason,
    const struct job *job)
{
	struct head	h = { 0 };
	char		err[512];

	/* Read after the write: a head at least as far as its change. */
	if (r == 0 && store_read(s, read_head, &h, err, sizeof err) != 0)
		log_warn("reading the change log's head: %s", err);
	pack_u8(reply, FORWARD_VERSION);
	pack_u32(reply, (uint32_t)r);
	pack_str(reply, reason);
	pack_u64(reply, h.seq);
	if (r == 0 && job != NULL)
		job_encode(job, reply);
}

void
jobctl_serve(struct store *s, const void *req, size_t len, struct buf *reply)
{
	struct unpack	 u;
	struct job_spec	 spec;
	struct job	 job;
	char		 uid[UID_MAX + 1], id[ID_MAX + 1], err[512];
	uint32_t	 max_queued;
	uint8_t		 version, op;
	int		 r;

	err[0] = '\0';
	unpack_init(&u, req, len);
	version = unpack_u8(&u);
	op = unpack_u8(&u);
	unpack_str(&u, uid, sizeof uid);
	unpack_str(&u, id, sizeof id);
	max_queued = unpack_u32(&u);
	if (op == JOBCTL_SUBMIT && spec_decode(&u, &spec) == -1)
		u.bad = 1;
	if (u.bad || version != FORWARD_VERSION || uid[0] == '\0' ||
	    max_queued > INT32_MAX) {
		answer(s, reply, EINVAL, "a malformed request", NULL);
		return;
	}
	/* Mastership moved since the replica asked: it asks again. */
	if (!store_is_master(s)) {
		answer(s, reply, EROFS, "this node is no longer the master",
		    NULL);
		return;
	}
	switch (op) {
	case JOBCTL_SUBMIT:
		r = jobctl_submit(s, uid, &spec, (int)max_queued, &job, err,
		    sizeof err);
		break;
	case JOBCTL_CANCEL:
		r = jobctl_cancel(s, uid, id, &job, err, sizeof err);
		break;
	case JOBCTL_DELETE:
		r = jobctl_delete(s, uid, id, err, sizeof err);
		break;
	default:
		answer(s, reply, EINVAL, "an unknown request", NULL);
		return;
	}
	if (r != 0 && r != ENOENT && r != EDQUOT && r != EALREADY)
		log_warn("a replica's request: %s", err);
	answer(s, reply, r, err, op == JOBCTL_DELETE ? NULL : &job);
}
