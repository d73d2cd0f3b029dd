# tests/sse-faults.sh: the fault loop: while the engine runs jobs and over 50 streams are open through lighttpd, random stream responders, REST responders, engine workers and coordinators are SIGKILLed and lighttpd is restarted once; afterwards every hook equals the truth, nothing was lost or duplicated, every job finished once, the store verifies and nothing hangs.
#
# SSE_FAULT_SECONDS (default 40) is how long the faults go on; "make
# check-long" runs it for longer.  SSE_SEED repeats a run's choices.
: "${SSE_FAULT_SECONDS:=40}"
export SSE_FAULT_SECONDS
: "${TEST_TIMEOUT:=$((SSE_FAULT_SECONDS + 480))}"
. "${top_srcdir:-..}/tests/lib.sh"
# Streams held open: 28 lists, up to 26 progress streams, 6 data streams;
# the rest is room for reconnects, which find their responder only when
# one is free (a busy one never takes them: lighttpd queues behind it).
LIGHTTPD_SSE_PROCS=76
LIGHTTPD_API_PROCS=2
. "$top_srcdir/tests/sse-lib.sh"

# Reconnects come quickly; a process caught behind a killed one gives up
# after 5 s (exit 75) so that the store can be recovered.
conf_set retry 300ms
conf_set stall_timeout 5s
conf_set poll_interval 2s
# Jobs of a few months of minute bars take a few seconds.
conf_set engine_bar_rate 25000
conf_set engine_workers 2
# The engine in cron mode, started again by a loop: a short cycle makes
# it end and start by itself too.
conf_set engine_cycle 15s
# Each user holds more hooks than the per-user cap allows a person's few
# tabs, and killed responders' slots are freed as they die.
conf_set max_user_streams 500
SSE_KILLS_EXPECTED=1
sse_start

# ---- the engine in a loop, as cron would start it -----------------------------

# Runs the engine again as soon as it exits (killed, or its cycle over);
# its pid is in $TMP/engine.pid, each start a line in $TMP/engine.runs.
# TERM stops the loop and its engine.
engine_loop() {
	stopping= epid=
	trap 'stopping=1; [ -z "$epid" ] || kill -TERM "$epid" 2>/dev/null || :' TERM
	while [ -z "$stopping" ]; do
		"$ENGINE" >>"$TMP/engine.log" 2>&1 </dev/null &
		epid=$!
		echo "$epid" >"$TMP/engine.pid"
		echo "$epid" >>"$TMP/engine.runs"
		[ -z "$stopping" ] || kill -TERM "$epid" 2>/dev/null || :
		# wait returns early when the trap runs: wait again.
		while kill -0 "$epid" 2>/dev/null; do
			wait "$epid" || :
		done
		epid=
		[ -n "$stopping" ] || sleep 0.2
	done
}
# (Its stderr, where the shell reports a killed engine, goes to a file.)
engine_loop 2>>"$TMP/engine-loop.log" &
ENGINE_LOOP=$!
PIDS="$PIDS $ENGINE_LOOP"
step "engine loop $ENGINE_LOOP; faults for $SSE_FAULT_SECONDS s"

# ---- the clients and the faults (tests/sse/faults.mjs) -----------------------------

# faults.mjs restarts lighttpd (same configuration and port) and writes
# the new server's pid to $TMP/lighttpd.pid; it stops the engine loop
# before its clean reruns.
status=0
timeout -k 5 "$((TEST_TIMEOUT - 60))" env \
    SSE_BASE="$LIGHTTPD_URL" SSE_NODE_DIR="$SSE_NODE_DIR" \
    LIGHTTPD_PID="$LIGHTTPD_PID" TMP="$TMP" TEST_NAME="$TEST_NAME" \
    BACKSTREAM="$BACKSTREAM" ENGINE="$ENGINE" SLOWCLOCK="$SLOWCLOCK" \
    BACKSTREAM_CONF="$CONF" LIGHTTPD="$LIGHTTPD" \
    LIGHTTPD_CONF="$LIGHTTPD_DIR/lighttpd.conf" \
    LIGHTTPD_STDERR="$LIGHTTPD_STDERR" ENGINE_LOOP="$ENGINE_LOOP" \
    SSE_POOL="$LIGHTTPD_SSE_PROCS" \
    "$NODE" "$top_srcdir/tests/sse/faults.mjs" || status=$?
if [ -s "$TMP/lighttpd.pid" ]; then
	# The old server is gone: its pid must not be signalled again.
	PIDS=$(echo " $PIDS " | sed "s/ $LIGHTTPD_PID / /")
	LIGHTTPD_PID=$(cat "$TMP/lighttpd.pid")
	PIDS="$PIDS $LIGHTTPD_PID"
fi
if [ "$status" -ne 0 ]; then
	for log in "$LIGHTTPD_STDERR" "$TMP/engine.log"; do
		echo "  the last lines of $(basename "$log"):" >&2
		tail -n 25 "$log" | sed 's/^/    /' >&2
	done
	fail "tests/sse/faults.mjs exited $status"
fi

# ---- afterwards: nothing hangs, the store is sound ---------------------------------

# Prints "pid comm" of every live process of this test's store: those
# whose environment names $CONF (responders, engines, the CLI, lighttpd).
ours() {
	for d in /proc/[0-9]*; do
		comm=$(cat "$d/comm" 2>/dev/null) || continue
		case $comm in
		backstream*|lighttpd) ;;
		*) continue ;;
		esac
		state=$(sed -n 's/^[0-9]* (.*) \(.\) .*/\1/p' "$d/stat" 2>/dev/null) ||
		    continue
		[ "$state" != Z ] || continue
		tr '\0' '\n' <"$d/environ" 2>/dev/null |
		    grep -qxF "BACKSTREAM_CONF=$CONF" || continue
		echo "${d#/proc/} $comm"
	done
}
no_process_left() {
	[ -z "$(ours)" ]
}

step "the engine loop stops (faults.mjs stopped it for the reruns)"
if pid_running "$ENGINE_LOOP"; then
	stop_pid "$ENGINE_LOOP" 15
else
	wait "$ENGINE_LOOP" 2>/dev/null || :
fi
PIDS=$(echo " $PIDS " | sed "s/ $ENGINE_LOOP / /")
if grep -qE 'Sanitizer|runtime error:' "$TMP/engine.log"; then
	grep -E -A 30 'Sanitizer|runtime error:' "$TMP/engine.log" | head -60 >&2
	fail "sanitizer report in the engine's log"
fi

step "lighttpd stops, and every responder with it"
sse_stop
tries=100
while ! no_process_left && [ "$tries" -gt 0 ]; do
	sleep 0.1
	tries=$((tries - 1))
done
if ! no_process_left; then
	ours >&2
	ps -o pid,ppid,stat,etime,wchan:20,args -p "$(ours | cut -d' ' -f1 |
	    paste -sd,)" >&2 || :
	fail "processes of the test still run 10 s after everything stopped"
fi
check_not_contains "$TMP/engine.log" "eyJ"

step "the store verifies clean"
expect_bs 0 verify
# What the logs say of the faults (the responders' and the engine's).
logcount() {
	cat "$LIGHTTPD_STDERR" "$TMP/engine.log" 2>/dev/null | grep -c "$1" || :
}
echo "$TEST_NAME: in the logs: $(logcount 'store operation stalled') stalls" \
    "(exit 75), $(logcount 'needs recovery; reopening') reopenings after" \
    "a recovery, $(logcount 'killed by signal') workers killed," \
    "$(logcount 'queued again or failed') orphan recoveries"
