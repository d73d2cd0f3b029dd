/* window.h: a filtered, ordered, limited list kept equal to its query, and the events that keep a client's copy equal to it. */
#ifndef BACKSTREAM_WINDOW_H
#define BACKSTREAM_WINDOW_H

#include <stddef.h>

/*
 * A window is the answer to a list query (a user's jobs of one status,
 * newest first, at most limit) as a client holds it.  After each change
 * the caller gives the query's new answer (the view), and the window
 * decides which events bring the client's list to it, for a client that
 * applies them as the frontend's hooks do (doc/streams.md):
 *
 *	snapshot	the list becomes the view
 *	added		the item goes on top of the list
 *	updated		the item replaces the list's item with its id
 *	removed		the list's item with the id goes (if the client
 *			has such an event)
 *
 * The order of a list never changes for items in it (it is their order
 * of creation), so an item can be added in place only when it enters at
 * the top; one entering anywhere else (an older item coming back into the
 * window after a deletion, or after a status change into a filter) is
 * sent as a snapshot, and so is a list that must shrink when the client
 * has no removal.
 */

enum window_event {
	WINDOW_SNAPSHOT,
	WINDOW_ADDED,
	WINDOW_UPDATED,
	WINDOW_REMOVED,
};

/* What the items of a window are, and how their events are sent. */
struct window_type {
	size_t		  size;		/* of an item; items are copied */
	const char	*(*id)(const void *item);
	int		  removable;	/* the client has a removed event */
	/*
	 * Sends one event: for a snapshot, items is the view of n items (n
	 * may be 0); for added and updated the one item (n 1); for removed
	 * only id.  arg is the caller's, as given to window_sync.  Returns
	 * 0, or -1 if the client is gone.
	 */
	int		(*emit)(enum window_event ev, const void *items, int n,
			    const char *id, void *arg);
};

struct window;

/* A window of at most limit (> 0) items, empty; free with window_free. */
struct window	*window_new(const struct window_type *type, int limit);
/* Frees w; accepts NULL. */
void		 window_free(struct window *w);

/*
 * Starts reading a new view: forgets the view and the changes noted.  Call
 * at the start of each attempt of a read.
 */
void		 window_begin(struct window *w);
/* Notes that the item id changed; deleted if it no longer exists. */
void		 window_note(struct window *w, const char *id, int deleted);
/* How many distinct items were noted since window_begin. */
int		 window_noted(const struct window *w);
/*
 * Appends a copy of item to the view, in the query's order; items past
 * limit are ignored.
 */
void		 window_add(struct window *w, const void *item);

/*
 * Reads only the noted items when that is enough: when none was deleted
 * and the client holds every one, the list keeps its members and order
 * unless one left the query, and the other items are as they were.  get
 * reads one item into out: 0 if it still belongs to the query, ENOENT if
 * not, or a store code.  Returns 0 with the noted items as the view (the
 * next window_sync sends only updates), ENOENT when the whole view must
 * be read instead (window_add after window_begin), or get's code.
 */
int		 window_read_noted(struct window *w,
		    int (*get)(const char *id, void *out, void *arg),
		    void *arg);

/* Sends the view as a snapshot; the client's list is then the view. */
int		 window_snapshot(struct window *w, void *arg);
/*
 * Sends the events that make the client's list equal to the view, in
 * order: removals (so that the client never holds more than limit), then
 * updates of noted items, then additions, oldest first.  Sends nothing
 * when nothing was noted.  Returns 0, or -1 as emit does.
 */
int		 window_sync(struct window *w, void *arg);

#endif
