# tests/sse-data.sh: chart data streams: every interval, resampled as the contract says, for queued, running, finished and failed jobs and a backtest id; chunk_size and limit; the guide's data hooks; the sequential ?intervals=a,b variant resumed at every event; a finished data stream asleep between its heartbeats.
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/sse-lib.sh"

# A data stream has nothing to poll; a short poll shows that it does not
# try (a poll due and never moved on made it spin between heartbeats).
conf_set poll_interval 1s
sse_start
sse_node data.mjs

# The CPU time, in ms, of every responder lighttpd runs (schedstat: exact).
backends_cpu_ms() {
	for pid in $(lighttpd_backends); do
		cat "/proc/$pid/schedstat" 2>/dev/null
	done | awk '{ ns += $1 } END { printf "%d\n", ns / 1000000 }'
}

step "a finished data stream sleeps between heartbeats"
SPEC='{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"sma_crossover","params":{"fast":5,"slow":20}}'
expect_bs 0 token --uid idle-data
IDLE_TOKEN=$(cat "$OUT")
expect_bs 0 submit --uid idle-data --json "$SPEC"
IDLE_JOB=$(sed -n 's/^{"job_id":"\([0-9a-f-]*\)".*/\1/p' "$OUT")
[ -n "$IDLE_JOB" ] || fail "submit printed no job_id" "a job" "$(cat "$OUT")"
start_bg curl -s -N -o "$TMP/idle-data.body" --max-time "$HANG" \
    "$LIGHTTPD_URL/api/sse/backtest/$IDLE_JOB/data?interval=day&token=$IDLE_TOKEN"
IDLE_CURL=$BG_PID
wait_for "$HANG" grep -q "^event: complete" "$TMP/idle-data.body"
# Five polls' worth of idleness: an idle responder uses next to nothing,
# one that spins as much of a core as the machine gives it.
before=$(backends_cpu_ms)
sleep 5
after=$(backends_cpu_ms)
[ $((after - before)) -lt 1000 ] ||
    fail "CPU of the idle responders over 5 s" "< 1000 ms" "$((after - before)) ms"
check_contains "$TMP/idle-data.body" ": heartbeat"
stop_pid "$IDLE_CURL"
sse_stop
