/* stream-history.c: the history stream: a snapshot, then backtest_added and backtest_updated. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "jobctl.h"
#include "json.h"
#include "log.h"
#include "store-history.h"
#include "stream.h"
#include "xmalloc.h"

/*
 * History has no removal event.  When the client's list, after the
 * additions it is sent, would no longer equal the view (an entry was
 * deleted, or the list grew past limit), a new snapshot follows the
 * additions and replaces the list (doc/streams.md).
 */

struct history_state {
	int			 limit;
	uint64_t		 seq;
	char			(*ids)[ID_MAX + 1];	/* the client's list */
	int			 n;
	struct history_entry	*view;
	int			 nview;
	char			(*changed)[ID_MAX + 1];
	int			 nchanged;
	int			 cchanged;
	int			 behind;
};

static int
open_history(struct stream *s, void **state, char *err, size_t errlen)
{
	struct history_state	*hs;
	int64_t			 limit;

	if (query_int(&s->req->query, "limit", LIST_LIMIT_DEFAULT, 1,
	    LIST_LIMIT_MAX, &limit, err, errlen) == -1)
		return 400;
	hs = xcalloc(1, sizeof *hs);
	hs->limit = (int)limit;
	hs->ids = xcalloc((size_t)limit, sizeof *hs->ids);
	hs->view = xcalloc((size_t)limit, sizeof *hs->view);
	*state = hs;
	return 200;
}

static void
free_history(void *state)
{
	struct history_state	*hs = state;

	if (hs == NULL)
		return;
	free(hs->ids);
	free(hs->view);
	free(hs->changed);
	free(hs);
}

static int
add_view(const struct history_entry *h, void *arg)
{
	struct history_state	*hs = arg;

	hs->view[hs->nview++] = *h;
	return 0;
}

struct read_arg {
	struct stream		*s;
	struct history_state	*hs;
	uint64_t		 seq;
};

static int
read_snapshot(struct store_txn *txn, void *arg)
{
	struct read_arg	*ra = arg;
	int		 r;

	ra->hs->nview = 0;
	if ((r = changelog_head(txn, &ra->hs->seq)) != 0)
		return r;
	return history_list(txn, ra->s->uid, ra->hs->limit, add_view, ra->hs);
}

static int
send_snapshot(struct stream *s, struct history_state *hs, const char *id)
{
	json_object	*o, *arr;
	int		 i, r;

	o = json_object_new_object();
	arr = json_object_new_array();
	for (i = 0; i < hs->nview; i++) {
		json_object_array_add(arr, history_to_json(&hs->view[i]));
		snprintf(hs->ids[i], ID_MAX + 1, "%s", hs->view[i].id);
	}
	hs->n = hs->nview;
	json_object_object_add(o, "backtests", arr);
	r = stream_send_json(s, id, "snapshot", o);
	json_object_put(o);
	return r;
}

static int
start_history(struct stream *s, void *state)
{
	struct history_state	*hs = state;
	struct read_arg		 ra = { s, hs, 0 };
	json_object		*o;
	char			 id[32], err[256];
	int			 r;

	if (store_read(s->store, read_snapshot, &ra, err, sizeof err) != 0) {
		log_error("history stream: %s", err);
		stream_send_error(s, "unavailable", "the store is unavailable");
		return -1;
	}
	snprintf(id, sizeof id, "%" PRIu64, hs->seq);
	o = json_object_new_object();
	json_object_object_add(o, "stream", json_object_new_string("history"));
	json_object_object_add(o, "limit", json_object_new_int(hs->limit));
	r = stream_send_json(s, id, "connection", o);
	json_object_put(o);
	if (r == -1)
		return -1;
	return send_snapshot(s, hs, id);
}

static int
note_change(const struct change *c, void *arg)
{
	struct read_arg		*ra = arg;
	struct history_state	*hs = ra->hs;

	ra->seq = c->seq;
	if (c->kind != CHANGE_BACKTEST && c->kind != CHANGE_BACKTEST_DELETED)
		return 0;
	if (hs->nchanged == hs->cchanged) {
		hs->cchanged = hs->cchanged == 0 ? 16 : hs->cchanged * 2;
		hs->changed = xreallocarray(hs->changed, (size_t)hs->cchanged,
		    sizeof *hs->changed);
	}
	snprintf(hs->changed[hs->nchanged++], ID_MAX + 1, "%s", c->id);
	return 0;
}

static int
read_update(struct store_txn *txn, void *arg)
{
	struct read_arg		*ra = arg;
	struct history_state	*hs = ra->hs;
	uint64_t		 first;
	int			 r;

	hs->nchanged = 0;
	hs->nview = 0;
	hs->behind = 0;
	ra->seq = hs->seq;
	if ((r = changelog_first(txn, &first)) != 0)
		return r;
	if (first > hs->seq + 1) {
		hs->behind = 1;
		if ((r = changelog_head(txn, &ra->seq)) != 0)
			return r;
	} else if ((r = changelog_read_since(txn, ra->s->uid, hs->seq,
	    note_change, ra)) != 0)
		return r;
	if (hs->nchanged == 0 && !hs->behind)
		return 0;
	return history_list(txn, ra->s->uid, hs->limit, add_view, hs);
}

static int
held(const struct history_state *hs, const char *id)
{
	int	i;

	for (i = 0; i < hs->n; i++)
		if (strcmp(hs->ids[i], id) == 0)
			return 1;
	return 0;
}

static int
in_view(const struct history_state *hs, const char *id)
{
	int	i;

	for (i = 0; i < hs->nview; i++)
		if (strcmp(hs->view[i].id, id) == 0)
			return 1;
	return 0;
}

static int
was_changed(const struct history_state *hs, const char *id)
{
	int	i;

	for (i = 0; i < hs->nchanged; i++)
		if (strcmp(hs->changed[i], id) == 0)
			return 1;
	return 0;
}

static int
send_entry(struct stream *s, const char *id, const char *event,
    const struct history_entry *h)
{
	json_object	*o;
	int		 r;

	o = json_object_new_object();
	json_object_object_add(o, "backtest", history_to_json(h));
	r = stream_send_json(s, id, event, o);
	json_object_put(o);
	return r;
}

static int
update_history(struct stream *s, void *state)
{
	struct history_state	*hs = state;
	struct read_arg		 ra = { s, hs, 0 };
	char			 id[32], err[256];
	int			 i, added = 0, stale = 0;

	if (store_read(s->store, read_update, &ra, err, sizeof err) != 0) {
		log_error("history stream: %s", err);
		return 0;
	}
	if (ra.seq == hs->seq)
		return 0;
	hs->seq = ra.seq;
	snprintf(id, sizeof id, "%" PRIu64, hs->seq);
	if (hs->behind)
		return send_snapshot(s, hs, id);
	if (hs->nchanged == 0)
		return 0;
	for (i = hs->nview - 1; i >= 0; i--) {
		if (!held(hs, hs->view[i].id)) {
			if (send_entry(s, id, "backtest_added",
			    &hs->view[i]) == -1)
				return -1;
			added++;
		} else if (was_changed(hs, hs->view[i].id)) {
			if (send_entry(s, id, "backtest_updated",
			    &hs->view[i]) == -1)
				return -1;
		}
	}
	/* What the client now holds: the additions and its old list. */
	for (i = 0; i < hs->n; i++)
		if (!in_view(hs, hs->ids[i]))
			stale = 1;
	if (stale || hs->n + added != hs->nview)
		return send_snapshot(s, hs, id);
	for (i = 0; i < hs->nview; i++)
		snprintf(hs->ids[i], ID_MAX + 1, "%s", hs->view[i].id);
	hs->n = hs->nview;
	return 0;
}

const struct stream_kind stream_history = {
	"history", open_history, start_history, update_history, free_history,
};
