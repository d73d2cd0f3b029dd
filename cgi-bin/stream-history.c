/* stream-history.c: the history stream: a snapshot, then backtest_added and backtest_updated. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "history.h"
#include "store-history.h"
#include "stream-list.h"

/*
 * The user's finished backtests, newest first, at most ?limit=: the REST
 * list of GET /api/backtesting/history.  History has no removal event:
 * where the client's list must shrink, the window sends a new snapshot
 * (doc/streams.md, "The lists").
 */

static int
add_entry(const struct history_entry *h, void *arg)
{
	return list_add(arg, h);
}

static int
read_history(struct store_txn *txn, struct list_stream *ls)
{
	return history_list(txn, ls->s->uid, ls->limit, add_entry, ls);
}

/*
 * An entry from the record a change stored (lib/tail.h): an update of one
 * the client holds is then sent without a transaction.
 */
static int
decode_entry(const struct list_stream *ls, const void *rec, size_t len,
    void *out)
{
	struct history_entry	*h = out;

	if (history_decode(rec, len, h) == -1)
		return -1;
	return strcmp(h->uid, ls->s->uid) == 0 ? 0 : ENOENT;
}

static const char *
entry_id(const void *item)
{
	return ((const struct history_entry *)item)->id;
}

static json_object *
entry_json(const void *item)
{
	return history_to_json(item);
}

static const struct list_kind history_kind = {
	.name = "history",
	.items = "backtests",
	.item = "backtest",
	.added = "backtest_added",
	.updated = "backtest_updated",
	.changed = CHANGE_BACKTEST,
	.deleted = CHANGE_BACKTEST_DELETED,
	.size = sizeof(struct history_entry),
	.id = entry_id,
	.to_json = entry_json,
	.read = read_history,
	.decode = decode_entry,
};

static int
open_history(struct stream *s, void **state, char *err, size_t errlen)
{
	return list_open(&history_kind, s, state, err, errlen);
}

const struct stream_kind stream_history = {
	"history", open_history, list_start, list_update, list_free,
};
