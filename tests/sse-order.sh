# tests/sse-order.sh: the dashboard's jobs and history hooks hold the REST lists in REST's order, not only as sets, after random submits, cancels, deletes and engine runs, for limits of 1 to 4 and several status filters (a seeded property test; SSE_SEED repeats a run), with woken streams reading the tail of the change log, not the store.
. "${top_srcdir:-..}/tests/lib.sh"
# One responder per view (twelve), and some to spare.
LIGHTTPD_SSE_PROCS=14
. "$top_srcdir/tests/sse-lib.sh"

sse_start
sse_node order.mjs
sse_stop
sse_tail_used
