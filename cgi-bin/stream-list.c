/* stream-list.c: the list streams: a snapshot, then the events that keep the client's list equal to the REST list. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobctl.h"
#include "log.h"
#include "numfmt.h"
#include "tail.h"
#include "stream-list.h"
#include "xmalloc.h"

/*
 * The client's list must equal the REST list for the same query at every
 * quiet moment, in order (doc/streams.md).  The window (lib/window.c) holds
 * what the client holds and decides the events; the follower
 * (lib/follow.c) says what changed, so that unchanged items are never
 * sent again.  Every event of one read carries the user's own change
 * number the list is then current to (never the log's, which would tell
 * of other users' changes).
 */

static const char	*tail_text(const struct list_stream *ls,
			    const void *item);

/*
 * Sends an added or updated event from the text the writer made, as
 * json-c would have written the object around it: one stream less making
 * the same text as every other stream of its user.
 */
static int
emit_text(struct list_stream *ls, const char *name, const char *text)
{
	buf_reset(&ls->data);
	buf_add(&ls->data, "{\"", 2);
	buf_adds(&ls->data, ls->kind->item);
	buf_add(&ls->data, "\":", 2);
	buf_adds(&ls->data, text);
	buf_addc(&ls->data, '}');
	ls->s->writer_texts++;
	return stream_send(ls->s, ls->event_id, name, buf_str(&ls->data));
}

/* Sends one of the window's events in the kind's words. */
static int
emit(enum window_event ev, const void *items, int n, const char *id,
    void *arg)
{
	struct list_stream	*ls = arg;
	const struct list_kind	*k = ls->kind;
	json_object		*o, *arr;
	const char		*name = NULL, *text;
	int			 i, r;

	if ((ev == WINDOW_ADDED || ev == WINDOW_UPDATED) &&
	    (text = tail_text(ls, items)) != NULL)
		return emit_text(ls, ev == WINDOW_ADDED ? k->added :
		    k->updated, text);
	o = json_object_new_object();
	switch (ev) {
	case WINDOW_SNAPSHOT:
		arr = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(arr, k->to_json((const char *)
			    items + (size_t)i * k->size));
		json_object_object_add(o, k->items, arr);
		name = "snapshot";
		break;
	case WINDOW_ADDED:
	case WINDOW_UPDATED:
		json_object_object_add(o, k->item, k->to_json(items));
		name = ev == WINDOW_ADDED ? k->added : k->updated;
		break;
	case WINDOW_REMOVED:
		json_object_object_add(o, k->removed_key,
		    json_object_new_string(id));
		name = k->removed;
		break;
	}
	r = stream_send_json(ls->s, ls->event_id, name, o);
	json_object_put(o);
	return r;
}

int
list_open(const struct list_kind *kind, struct stream *s, void **state,
    char *err, size_t errlen)
{
	struct list_stream	*ls;
	int64_t			 limit;

	if (query_int(&s->req->query, "limit", LIST_LIMIT_DEFAULT, 1,
	    LIST_LIMIT_MAX, &limit, err, errlen) == -1)
		return 400;
	ls = xcalloc(1, sizeof *ls);
	*state = ls;
	ls->kind = kind;
	ls->s = s;
	ls->limit = (int)limit;
	ls->status = -1;
	if (kind->open != NULL && kind->open(ls, err, errlen) == -1)
		return 400;
	ls->wtype.size = kind->size;
	ls->wtype.id = kind->id;
	ls->wtype.removable = kind->removed != NULL;
	ls->wtype.emit = emit;
	ls->window = window_new(&ls->wtype, ls->limit);
	if (kind->decode != NULL) {
		ls->tail_items = xcalloc(LIST_TAIL_ITEMS, kind->size);
		ls->tail_texts = xcalloc(LIST_TAIL_ITEMS, TAIL_TEXT_MAX + 1);
	}
	ls->follow.uid = s->uid;
	ls->follow.stats = &s->follow_stats;
	return 200;
}

void
list_free(void *state)
{
	struct list_stream	*ls = state;

	if (ls == NULL)
		return;
	window_free(ls->window);
	free(ls->tail_items);
	free(ls->tail_texts);
	buf_free(&ls->data);
	free(ls);
}

int
list_add(struct list_stream *ls, const void *item)
{
	window_add(ls->window, item);
	return 0;
}

static void
set_event_id(struct list_stream *ls)
{
	num_format_u64(ls->follow.useq, ls->event_id);
}

static int
read_first(struct store_txn *txn, void *arg)
{
	struct list_stream	*ls = arg;

	window_begin(ls->window);
	return ls->kind->read(txn, ls);
}

int
list_start(struct stream *s, void *state)
{
	struct list_stream	*ls = state;
	json_object		*o;
	char			 err[256];
	int			 r;

	if (follow_start(s->store, &ls->follow, read_first, ls, err,
	    sizeof err) != 0) {
		log_error("%s stream: %s", ls->kind->name, err);
		stream_send_error(s, "unavailable", "the store is unavailable");
		return -1;
	}
	set_event_id(ls);
	o = json_object_new_object();
	json_object_object_add(o, "stream",
	    json_object_new_string(ls->kind->name));
	if (ls->kind->describe != NULL)
		ls->kind->describe(ls, o);
	json_object_object_add(o, "limit", json_object_new_int(ls->limit));
	r = stream_send_json(s, ls->event_id, "connection", o);
	json_object_put(o);
	if (r == -1)
		return -1;
	/* Every connection, a resumed one too, begins with the full list. */
	return window_snapshot(ls->window, ls);
}

/* ---- updates ---------------------------------------------------------------- */

static void
reset_read(void *arg)
{
	struct list_stream	*ls = arg;

	window_begin(ls->window);
	ls->ntail = 0;
}

static int
note_change(const struct change *c, void *arg)
{
	struct list_stream	*ls = arg;

	if (c->kind == ls->kind->changed || c->kind == ls->kind->deleted)
		window_note(ls->window, c->id, c->kind == ls->kind->deleted);
	return 0;
}

struct get_arg {
	struct store_txn	*txn;
	struct list_stream	*ls;
};

static int
get_item(const char *id, void *out, void *arg)
{
	struct get_arg	*ga = arg;

	return ga->ls->kind->get(ga->txn, ga->ls, id, out);
}

static int
read_update(struct store_txn *txn, int behind, void *arg)
{
	struct list_stream	*ls = arg;
	struct get_arg		 ga = { txn, ls };
	int			 r;

	if (!behind && window_noted(ls->window) == 0)
		return 0;
	if (!behind && ls->kind->get != NULL &&
	    (r = window_read_noted(ls->window, get_item, &ga)) != ENOENT)
		return r;
	return ls->kind->read(txn, ls);
}

/* ---- updates from the tail --------------------------------------------- */

static void *
tail_item(const struct list_stream *ls, int i)
{
	return ls->tail_items + (size_t)i * ls->kind->size;
}

static char *
tail_text_at(const struct list_stream *ls, int i)
{
	return ls->tail_texts + (size_t)i * (TAIL_TEXT_MAX + 1);
}

/* The place of the item id among those read from the tail, or -1. */
static int
tail_find(const struct list_stream *ls, const char *id)
{
	int	i;

	for (i = 0; i < ls->ntail; i++)
		if (strcmp(ls->kind->id(tail_item(ls, i)), id) == 0)
			return i;
	return -1;
}

/*
 * Keeps the newest record of each changed item.  A deletion, or a change
 * without its record, needs the store: the window would read the whole
 * list for it anyway.
 */
static int
tail_note(const struct tail_entry *e, void *arg)
{
	struct list_stream	*ls = arg;
	const struct change	*c = &e->change;
	int			 i;

	if (c->kind != ls->kind->changed && c->kind != ls->kind->deleted)
		return 0;
	if (c->kind == ls->kind->deleted || e->rec_len == 0)
		return FOLLOW_STORE;
	if ((i = tail_find(ls, c->id)) == -1) {
		if (ls->ntail == LIST_TAIL_ITEMS)
			return FOLLOW_STORE;
		i = ls->ntail;
	}
	/*
	 * Decoded in place: a failure sends the whole read to the store,
	 * which starts with reset.  An item that left the query makes the
	 * window read the whole list, there too.
	 */
	if (ls->kind->decode(ls, e->rec, e->rec_len, tail_item(ls, i)) != 0 ||
	    strcmp(ls->kind->id(tail_item(ls, i)), c->id) != 0)
		return FOLLOW_STORE;
	memcpy(tail_text_at(ls, i), e->text, e->text_len + 1);
	if (i == ls->ntail)
		ls->ntail++;
	window_note(ls->window, c->id, 0);
	return 0;
}

/*
 * The writer's text of item, if the last read came from the tail and
 * item is, to the byte, the record the text was made from; else NULL.
 */
static const char *
tail_text(const struct list_stream *ls, const void *item)
{
	int	i;

	if ((i = tail_find(ls, ls->kind->id(item))) == -1 ||
	    tail_text_at(ls, i)[0] == '\0' ||
	    memcmp(tail_item(ls, i), item, ls->kind->size) != 0)
		return NULL;
	return tail_text_at(ls, i);
}

static int
tail_get_item(const char *id, void *out, void *arg)
{
	struct list_stream	*ls = arg;
	int			 i;

	if ((i = tail_find(ls, id)) == -1)
		return ENOENT;
	memcpy(out, tail_item(ls, i), ls->kind->size);
	return 0;
}

/*
 * As read_update when the client holds every noted item: then the view
 * is those items, as the tail gave them.  Otherwise (an item enters the
 * list) the whole list is read, in the store.
 */
static int
tail_read_update(void *arg)
{
	struct list_stream	*ls = arg;

	if (window_noted(ls->window) == 0)
		return 0;
	return window_read_noted(ls->window, tail_get_item, ls) == 0 ? 0 :
	    FOLLOW_STORE;
}

static const struct follow_ops list_follow = {
	reset_read, note_change, read_update, tail_note, tail_read_update,
};

int
list_update(struct stream *s, void *state)
{
	struct list_stream	*ls = state;
	char			 err[256];

	switch (follow_update(s->store, &ls->follow, s->follow_flags,
	    &list_follow, ls, err, sizeof err)) {
	case -1:
		log_error("%s stream: %s", ls->kind->name, err);
		return 0;	/* try again at the next wake */
	case FOLLOW_QUIET:
		return 0;
	case FOLLOW_BEHIND:
		/* Changes we never saw were trimmed: start over. */
		set_event_id(ls);
		return window_snapshot(ls->window, ls);
	default:
		set_event_id(ls);
		return window_sync(ls->window, ls);
	}
}
