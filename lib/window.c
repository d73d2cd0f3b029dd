/* window.c: a client's copy of a list query's answer, and the events that keep it equal. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "changelog.h"
#include "window.h"
#include "xmalloc.h"

typedef char	 window_id[ID_MAX + 1];

struct window {
	const struct window_type *type;
	int		 limit;

	window_id	*held;		/* the client's list, in order */
	int		 nheld;

	char		*view;		/* the query's answer, in order */
	int		 nview;
	int		 partial;	/* view holds just the noted items */

	window_id	*noted;		/* items changed since window_begin */
	int		 nnoted;
	int		 cnoted;
	int		 deleted;	/* one of them no longer exists */
};

struct window *
window_new(const struct window_type *type, int limit)
{
	struct window	*w;

	w = xcalloc(1, sizeof *w);
	w->type = type;
	w->limit = limit;
	w->held = xcalloc((size_t)limit, sizeof *w->held);
	w->view = xcalloc((size_t)limit, type->size);
	return w;
}

void
window_free(struct window *w)
{
	if (w == NULL)
		return;
	free(w->held);
	free(w->view);
	free(w->noted);
	free(w);
}

void
window_begin(struct window *w)
{
	w->nview = 0;
	w->partial = 0;
	w->nnoted = 0;
	w->deleted = 0;
}

/*
 * Copies an id (at most ID_MAX bytes, as every id of the store): not
 * snprintf, whose machinery was the largest part of a list event's making.
 */
static void
set_id(window_id dst, const char *id)
{
	size_t	n = strnlen(id, ID_MAX);

	memcpy(dst, id, n);
	dst[n] = '\0';
}

static int
find_id(window_id *ids, int n, const char *id)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return i;
	return -1;
}

void
window_note(struct window *w, const char *id, int deleted)
{
	if (deleted)
		w->deleted = 1;
	if (find_id(w->noted, w->nnoted, id) != -1)
		return;
	if (w->nnoted == w->cnoted) {
		w->cnoted = w->cnoted == 0 ? 16 : w->cnoted * 2;
		w->noted = xreallocarray(w->noted, (size_t)w->cnoted,
		    sizeof *w->noted);
	}
	set_id(w->noted[w->nnoted++], id);
}

int
window_noted(const struct window *w)
{
	return w->nnoted;
}

static void *
view_item(const struct window *w, int i)
{
	return w->view + (size_t)i * w->type->size;
}

static const char *
view_id(const struct window *w, int i)
{
	return w->type->id(view_item(w, i));
}

/* The place of id in the view, or -1. */
static int
view_find(const struct window *w, const char *id)
{
	int	i;

	for (i = 0; i < w->nview; i++)
		if (strcmp(view_id(w, i), id) == 0)
			return i;
	return -1;
}

void
window_add(struct window *w, const void *item)
{
	if (w->nview == w->limit)
		return;
	memcpy(view_item(w, w->nview++), item, w->type->size);
}

int
window_read_noted(struct window *w,
    int (*get)(const char *id, void *out, void *arg), void *arg)
{
	int	i, r;

	if (w->deleted || w->nnoted > w->nheld)
		return ENOENT;
	for (i = 0; i < w->nnoted; i++)
		if (find_id(w->held, w->nheld, w->noted[i]) == -1)
			return ENOENT;
	w->nview = 0;
	for (i = 0; i < w->nnoted; i++) {
		if ((r = get(w->noted[i], view_item(w, i), arg)) != 0) {
			w->nview = 0;
			return r;
		}
	}
	w->nview = w->nnoted;
	w->partial = 1;
	return 0;
}

int
window_snapshot(struct window *w, void *arg)
{
	int	i;

	for (i = 0; i < w->nview; i++)
		set_id(w->held[i], view_id(w, i));
	w->nheld = w->nview;
	return w->type->emit(WINDOW_SNAPSHOT, w->view, w->nview, NULL, arg);
}

static int
emit_item(struct window *w, enum window_event ev, int i, void *arg)
{
	return w->type->emit(ev, view_item(w, i), 1, view_id(w, i), arg);
}

/* Updates of the noted items the client holds, oldest first. */
static int
send_updates(struct window *w, void *arg)
{
	int	i, v;

	for (i = w->nheld - 1; i >= 0; i--) {
		if (find_id(w->noted, w->nnoted, w->held[i]) == -1 ||
		    (v = view_find(w, w->held[i])) == -1)
			continue;
		if (emit_item(w, WINDOW_UPDATED, v, arg) == -1)
			return -1;
	}
	return 0;
}

/*
 * How many items enter the view at its top, before the first it shares
 * with the client's list; -1 if an item enters below that, where an
 * added event (which puts it on top) cannot place it.
 */
static int
entering_on_top(const struct window *w)
{
	int	i, top;

	for (top = 0; top < w->nview; top++)
		if (find_id(w->held, w->nheld, view_id(w, top)) != -1)
			break;
	for (i = top; i < w->nview; i++)
		if (find_id(w->held, w->nheld, view_id(w, i)) == -1)
			return -1;
	return top;
}

int
window_sync(struct window *w, void *arg)
{
	int	i, top, stale = 0;

	if (w->nnoted == 0)
		return 0;
	if (w->partial)
		return send_updates(w, arg);
	if ((top = entering_on_top(w)) == -1)
		return window_snapshot(w, arg);
	for (i = 0; i < w->nheld; i++) {
		if (view_find(w, w->held[i]) != -1)
			continue;
		stale = 1;
		if (w->type->removable && w->type->emit(WINDOW_REMOVED, NULL,
		    0, w->held[i], arg) == -1)
			return -1;
	}
	if (send_updates(w, arg) == -1)
		return -1;
	for (i = top - 1; i >= 0; i--)
		if (emit_item(w, WINDOW_ADDED, i, arg) == -1)
			return -1;
	/* Without removals the client holds the additions and all it had. */
	if (stale && !w->type->removable)
		return window_snapshot(w, arg);
	for (i = 0; i < w->nview; i++)
		set_id(w->held[i], view_id(w, i));
	w->nheld = w->nview;
	return 0;
}
