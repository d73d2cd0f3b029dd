# tests/sse-lists.sh: the lists the guide's jobs and history hooks hold equal the REST and CLI lists at every quiet moment: in order where an older item re-enters a window, and while three users' jobs are submitted, run, held running, cancelled and deleted at random and responders are killed.
. "${top_srcdir:-..}/tests/lib.sh"
LIGHTTPD_SSE_PROCS=12
. "$top_srcdir/tests/sse-lib.sh"

# Reconnects after a killed responder come quickly.
conf_set retry 300ms
# Killed responders make the store recover: a process caught behind one
# gives up soon (and the test's CLI calls try once more).
conf_set stall_timeout 5s
SSE_KILLS_EXPECTED=1
sse_start
sse_node list-order.mjs
sse_node lists.mjs
sse_stop
