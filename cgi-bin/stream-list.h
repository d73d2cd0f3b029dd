/* stream-list.h: what the list streams (jobs, history) share: a window kept equal to a query by following the change log. */
#ifndef BACKSTREAM_STREAM_LIST_H
#define BACKSTREAM_STREAM_LIST_H

#include <stddef.h>

#include "changelog.h"
#include "follow.h"
#include "json.h"
#include "stream.h"
#include "window.h"

struct list_stream;

/* A kind of list: its query, its items and its wire names. */
struct list_kind {
	const char	*name;		/* the connection event's "stream" */
	const char	*items;		/* the snapshot's array: "jobs" */
	const char	*item;		/* added and updated's object: "job" */
	const char	*added;		/* event names */
	const char	*updated;
	const char	*removed;	/* NULL: the client has no removal */
	const char	*removed_key;	/* the removed event's id field */
	enum change_kind changed;	/* the changes that concern it */
	enum change_kind deleted;
	size_t		 size;		/* of an item */
	const char	*(*id)(const void *item);
	json_object	*(*to_json)(const void *item);	/* a new object */
	/*
	 * Optional: checks the kind's own parameters into ls (limit is
	 * read already).  Returns 0, or -1 with a reason in err (a 400).
	 */
	int		(*open)(struct list_stream *ls, char *err,
			    size_t errlen);
	/* Optional: adds the kind's parameters to the connection event. */
	void		(*describe)(const struct list_stream *ls,
			    json_object *o);
	/* Fills the view with the query's answer (list_add for each). */
	int		(*read)(struct store_txn *txn, struct list_stream *ls);
	/*
	 * Optional: reads one item into out: 0 if it belongs to the query,
	 * ENOENT if not, or a store code.  With it, a change to items the
	 * client holds is read alone instead of the whole view.
	 */
	int		(*get)(struct store_txn *txn,
			    const struct list_stream *ls, const char *id,
			    void *out);
	/*
	 * Reads an item from its stored record (rec, len) into out: 0 if it
	 * belongs to the query, ENOENT if not, -1 if the record is damaged.
	 * With it, a woken stream updates the items the client holds from
	 * the tail of the log, without a transaction (lib/follow.h).
	 */
	int		(*decode)(const struct list_stream *ls, const void *rec,
			    size_t len, void *out);
};

/*
 * How many distinct items one read from the tail carries: a wake brings a
 * change or two; more go to the store.
 */
#define LIST_TAIL_ITEMS	4

/* One list stream's state. */
struct list_stream {
	const struct list_kind	*kind;
	struct stream		*s;
	int			 limit;
	int			 status;	/* a job status, or -1: any */
	struct window_type	 wtype;
	struct window		*window;
	struct follower		 follow;
	char			 event_id[32];
	/* Items read from the tail: LIST_TAIL_ITEMS of kind->size. */
	char			*tail_items;
	/*
	 * Their API shapes as the writer made them (lib/tail.h):
	 * LIST_TAIL_ITEMS strings of TAIL_TEXT_MAX + 1, "" where it gave none.
	 */
	char			*tail_texts;
	int			 ntail;
	struct buf		 data;	/* an event's data, made from a text */
};

/*
 * A list stream's open: reads ?limit= and the kind's parameters.  As
 * stream_kind's open; *state is freed with list_free.
 */
int	list_open(const struct list_kind *kind, struct stream *s,
	    void **state, char *err, size_t errlen);
/* Appends item (copied) to the view being read: for the kind's read. */
int	list_add(struct list_stream *ls, const void *item);
/* stream_kind's start, update and free of every list stream. */
int	list_start(struct stream *s, void *state);
int	list_update(struct stream *s, void *state);
void	list_free(void *state);

#endif
