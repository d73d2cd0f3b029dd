# tests/sse-data.sh: chart data streams: every interval, resampled as the contract says, for queued, running, finished and failed jobs and a backtest id; chunk_size and limit; the guide's data hooks; the sequential ?intervals=a,b variant resumed at every event.
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/sse-lib.sh"

sse_start
sse_node data.mjs
sse_stop
