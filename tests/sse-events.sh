# tests/sse-events.sh: the four streams through lighttpd as the guide's hooks and a raw client see them: events, fields, order, ids, retry, heartbeats, headers, and how soon a commit arrives.
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/sse-lib.sh"

# Events must come by the wake: a poll far past the hang guard cannot
# deliver one in time.
conf_set poll_interval 10m
sse_start
sse_node events.mjs
sse_stop
