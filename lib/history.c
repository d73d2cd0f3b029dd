/* history.c: the history entry record and its JSON shape. */
#include "config.h"

#include <string.h>

#include "history.h"
#include "json.h"
#include "pack.h"

#define HISTORY_VERSION	1

void
history_encode(const struct history_entry *h, struct buf *out)
{
	pack_u8(out, HISTORY_VERSION);
	pack_u64(out, h->seq);
	pack_str(out, h->uid);
	pack_str(out, h->id);
	pack_str(out, h->job_id);
	pack_i64(out, h->created_at);
	pack_i64(out, h->completed_at);
	spec_encode(&h->spec, out);
	summary_encode(&h->summary, out);
	pack_u32(out, h->trade_count);
}

int
history_decode_index(const void *data, size_t len, uint64_t *seq,
    const char **uid, size_t *uidlen)
{
	const unsigned char	*p = data;
	size_t			 n;

	/* version, seq (LE), uid length (LE16), uid */
	if (len < 11 || p[0] != HISTORY_VERSION)
		return -1;
	*seq = 0;
	for (int i = 7; i >= 0; i--)
		*seq = *seq << 8 | p[1 + i];
	n = (size_t)p[9] | (size_t)p[10] << 8;
	if (n == 0 || n > UID_MAX || len < 11 + n)
		return -1;
	*uid = (const char *)p + 11;
	*uidlen = n;
	return 0;
}

int
history_decode(const void *data, size_t len, struct history_entry *h)
{
	struct unpack	u;

	memset(h, 0, sizeof *h);
	unpack_init(&u, data, len);
	if (unpack_u8(&u) != HISTORY_VERSION)
		return -1;
	h->seq = unpack_u64(&u);
	unpack_str(&u, h->uid, sizeof h->uid);
	unpack_str(&u, h->id, sizeof h->id);
	unpack_str(&u, h->job_id, sizeof h->job_id);
	h->created_at = unpack_i64(&u);
	h->completed_at = unpack_i64(&u);
	if (spec_decode(&u, &h->spec) == -1 ||
	    summary_decode(&u, &h->summary) == -1)
		return -1;
	h->trade_count = unpack_u32(&u);
	return u.bad ? -1 : 0;
}

json_object *
history_to_json(const struct history_entry *h)
{
	json_object	*o;

	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(h->id));
	json_object_object_add(o, "backtest_id", json_object_new_string(h->id));
	json_object_object_add(o, "job_id", json_object_new_string(h->job_id));
	json_object_object_add(o, "status",
	    json_object_new_string("completed"));
	spec_add_json(&h->spec, o);
	json_object_object_add(o, "result_summary",
	    summary_to_json(&h->summary));
	json_object_object_add(o, "transaction_count",
	    json_object_new_int64(h->trade_count));
	json_object_object_add(o, "created_at", json_time(h->created_at));
	json_object_object_add(o, "completed_at", json_time(h->completed_at));
	return o;
}
