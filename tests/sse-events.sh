# tests/sse-events.sh: the four streams through lighttpd as the guide's hooks and a raw client see them: events, fields, order, ids, retry, heartbeats, headers, and how soon a commit arrives; woken streams read the tail of the change log, not the store.
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/sse-lib.sh"

sse_start
sse_node events.mjs
sse_stop
sse_tail_used
