# tests/valgrind.sh: valgrind over an engine run, a stream responder that served 1000 events and a whole job's progress, and two replication processes: no invalid accesses, nothing definitely or indirectly lost.
#
# The engine runs under valgrind with --trace-children (its workers are
# forks).  The stream responder runs as a FastCGI server on a unix socket
# (spawn-fcgi -n), driven by cgi-fcgi; it is stopped with SIGTERM, as a web
# server stops it, so that it leaves through its normal exit.  The token
# helper (backstream-verify, a short-lived exec) is not traced.
# tests/valgrind.supp holds the library noise, each entry with its reason.
# Skipped without valgrind, and in a sanitizer build (valgrind cannot run
# one); the responder part is skipped without spawn-fcgi and cgi-fcgi
# (Debian: spawn-fcgi, libfcgi-bin).
# Under valgrind a program runs 20 to 50 times slower, and on a shared
# machine with the rest of the suite running beside it the engine's run
# took more than lib.sh's usual minute a command.
: "${TEST_TIMEOUT:=900}" "${COMMAND_TIMEOUT:=300}"
. "${top_srcdir:-..}/tests/lib.sh"
# The hang guard of a wait on a program under valgrind.
VG_HANG=$COMMAND_TIMEOUT

ENGINE=${ENGINE:-$top_builddir/engine/backstream-engine}
SSE=$top_builddir/cgi-bin/backstream-sse
VGDIR=$TMP/valgrind
EVENTS=${VALGRIND_EVENTS:-1000}

skip() {
	echo "$TEST_NAME: skipped: $*"
	exit 77
}

command -v valgrind >/dev/null 2>&1 || skip "no valgrind"
if grep -q '^SAN_CFLAGS = .*-fsanitize' "$top_builddir/Makefile" \
    2>/dev/null; then
	skip "a sanitizer build (configure without --enable-sanitizers)"
fi
[ -x "$ENGINE" ] || skip "no engine at $ENGINE"
mkdir -p "$VGDIR"

# $TMP/vg NAME CMD [ARGS]: CMD under valgrind, each process's report in
# $VGDIR/NAME.PID.log.  Only definite and indirect leaks count as errors.
# A script, so that timeout(1) and spawn-fcgi can run it.
cat >"$TMP/vg" <<EOF
#!/bin/sh
name=\$1
shift
exec valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \\
    --show-leak-kinds=definite,indirect --error-exitcode=99 \\
    --suppressions="$top_srcdir/tests/valgrind.supp" \\
    --trace-children=yes --trace-children-skip='*/backstream-verify' \\
    --log-file="$VGDIR/\$name.%p.log" "\$@"
EOF
chmod +x "$TMP/vg"

# check_reports NAME: every report of NAME is clean.  A report with only
# valgrind's header is a child that exec'd a program not traced (the
# token helper, started with posix_spawn).
check_reports() {
	n=0
	execd=0
	for log in "$VGDIR/$1".*.log; do
		[ -f "$log" ] || fail "no valgrind report for $1"
		if ! grep -q 'ERROR SUMMARY' "$log" && ! grep -qvE \
		    '^==[0-9]+== *($|Memcheck|Copyright|Using Valgrind|Command:|Parent PID:)' \
		    "$log"; then
			execd=$((execd + 1))
			continue
		fi
		n=$((n + 1))
		if ! grep -q 'ERROR SUMMARY: 0 errors' "$log" ||
		    grep -qE 'definitely lost: [1-9]|indirectly lost: [1-9]|Invalid (read|write|free)' \
		    "$log"; then
			sed 's/^/    /' "$log" | grep -v '^    ==[0-9]*== *$' |
			    head -80 >&2
			fail "valgrind found errors in $1 ($log)"
		fi
		grep -E 'definitely lost|indirectly lost|ERROR SUMMARY' "$log" |
		    sed "s|^==[0-9]*==|    $(basename "$log"):|"
	done
	echo "    $n clean report(s) for $1 ($execd exec'd children)"
	[ "$n" -gt 0 ] || fail "no valgrind report for $1"
}

conf_set verify_helper "$top_builddir/cgi-bin/backstream-verify"
conf_set max_queued_jobs 100000
conf_set heartbeat 1s
conf_set stream_lifetime 30m
conf_set stream_jitter 0s
conf_set cache_size 4M
conf_set max_processes 64

# Jobs short enough for valgrind's pace, with hundreds of transactions.
SPEC='{"symbol":"SWING","interval":"minute","start_date":"2024-01-01","end_date":"2024-01-03","strategy":"sma_crossover","params":{"fast":2,"slow":5}}'

step "a store with bars and a job"
expect_bs 0 init
mkdir -p "$TMP/keys"
expect_bs 0 keygen "$TMP/keys"
bars 4320 1704067200 >"$TMP/swing.csv"
expect_bs 0 import-bars SWING "$TMP/swing.csv"
expect_bs 0 submit --uid alice --json "$SPEC"

# ---- the engine --------------------------------------------------------------------

step "backstream-engine --once under valgrind (coordinator and worker)"
run "$TMP/vg" engine "$ENGINE" --once
[ "$STATUS" -eq 0 ] || fail "engine under valgrind: exit status" 0 "$STATUS"
expect_bs 0 jobs --uid alice --status completed --json
check_contains "$OUT" '"status":"completed"'
check_reports engine

# ---- the stream responder ----------------------------------------------------------

if ! command -v spawn-fcgi >/dev/null 2>&1 ||
    ! command -v cgi-fcgi >/dev/null 2>&1; then
	echo "--- no spawn-fcgi or cgi-fcgi: the responder's part is skipped"
	echo "PASS: $TEST_NAME (engine only)"
	exit 0
fi
[ -x "$SSE" ] || fail "no stream responder at $SSE"

SOCK=$TMP/sse.sock
expect_bs 0 token --uid alice
TOKEN=$(cat "$OUT")

# stream PATH OUT: a request to the responder, its answer in OUT; sets
# STREAM_PID.  No web server: cgi-fcgi sends its environment as the
# request's parameters.
stream() {
	env -i REQUEST_METHOD=GET REQUEST_URI="$1?token=$TOKEN" \
	    QUERY_STRING="token=$TOKEN" \
	    cgi-fcgi -bind -connect "$SOCK" </dev/null >"$2" 2>&1 &
	STREAM_PID=$!
	PIDS="$PIDS $STREAM_PID"
}

events_in() {
	grep -c '^event:' "$1" || :
}

# has_events FILE N: FILE holds at least N events.
has_events() {
	[ "$(events_in "$1")" -ge "$2" ]
}

step "the stream responder under valgrind on $SOCK"
start_bg spawn-fcgi -n -s "$SOCK" -- "$TMP/vg" sse "$SSE"
SSE_PID=$BG_PID
wait_for "$VG_HANG" test -S "$SOCK"

step "a jobs stream that carries $EVENTS job updates: submissions, then cancels"
stream /api/sse/backtest/jobs "$TMP/jobs.out"
wait_for "$VG_HANG" grep -q '^event: snapshot' "$TMP/jobs.out"
i=0
while [ "$i" -lt $((EVENTS / 2)) ]; do
	"$BACKSTREAM" submit --uid alice --json "$SPEC" >"$OUT" ||
	    fail "submit $i"
	grep -o '"job_id":"[^"]*"' "$OUT" | cut -d'"' -f4 >>"$TMP/submitted"
	i=$((i + 1))
done
while read -r id; do
	"$BACKSTREAM" cancel "$id" --uid alice >/dev/null || fail "cancel $id"
done <"$TMP/submitted"
# The connection event and the snapshot come first.
wait_for "$VG_HANG" has_events "$TMP/jobs.out" $((EVENTS + 2))
echo "    $(events_in "$TMP/jobs.out") events received"
# The client goes away; the responder sees it at its next heartbeat and
# takes the next request.
stop_pid "$STREAM_PID"

step "a progress stream over a whole run"
expect_bs 0 submit --uid alice --json "$SPEC"
JOB=$(grep -o '"job_id":"[^"]*"' "$OUT" | head -1 | cut -d'"' -f4)
stream "/api/sse/backtest/$JOB" "$TMP/progress.out"
wait_for "$VG_HANG" grep -q '^event: connection' "$TMP/progress.out"
run "$ENGINE" --once
[ "$STATUS" -eq 0 ] || fail "engine run" 0 "$STATUS"
wait_for "$VG_HANG" grep -q '^event: completed' "$TMP/progress.out"
echo "    $(events_in "$TMP/progress.out") events, $(grep -o '"seq":' \
    "$TMP/progress.out" | wc -l) transactions received"
stop_pid "$STREAM_PID"

step "SIGTERM: the responder leaves through its normal exit"
kill -TERM "$SSE_PID"
wait_for "$VG_HANG" sh -c "! kill -0 $SSE_PID 2>/dev/null"
wait "$SSE_PID" 2>/dev/null || fail "the responder's exit status under valgrind" 0 "$?"
check_reports sse

step "backstream-repd under valgrind: a master and a replica, a write forwarded"
REPD=$top_builddir/repd/backstream-repd
[ -x "$REPD" ] || fail "no $REPD"
set -- $(free_ports 2)
PORT_M=$1
PORT_R=$2
for n in m r; do
	# At info level repd says when its store is open.
	sed -e "s|^store_dir = .*|store_dir = $TMP/repl-$n|" \
	    -e 's|^log_level = .*|log_level = info|' "$CONF" >"$TMP/$n.conf"
done
printf 'repl_site = 127.0.0.1:%s\nrepl_peers = 127.0.0.1:%s\n' \
    "$PORT_M" "$PORT_R" >>"$TMP/m.conf"
# Never the master: the roles stay as the test means them.
printf 'repl_site = 127.0.0.1:%s\nrepl_peers = 127.0.0.1:%s\nrepl_priority = 0\n' \
    "$PORT_R" "$PORT_M" >>"$TMP/r.conf"
run "$BACKSTREAM" -c "$TMP/m.conf" init
[ "$STATUS" -eq 0 ] || fail "backstream init of the master's store" 0 "$STATUS"
start_bg "$TMP/vg" repd "$REPD" -c "$TMP/m.conf"
REPD_M=$BG_PID
wait_for "$VG_HANG" grep -q 'the store is open' "$TMP/bg-$REPD_M.log"
run "$BACKSTREAM" -c "$TMP/m.conf" demo-data
[ "$STATUS" -eq 0 ] || fail "demo data on the master" 0 "$STATUS"
start_bg "$TMP/vg" repd "$REPD" -c "$TMP/r.conf"
REPD_R=$BG_PID
wait_for "$VG_HANG" grep -q 'the store is open' "$TMP/bg-$REPD_R.log"
run "$BACKSTREAM" -c "$TMP/r.conf" submit --uid alice --json \
    '{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"buy_and_hold"}'
[ "$STATUS" -eq 0 ] || fail "a submission through the replica" 0 "$STATUS"
JOB=$(grep -o '"job_id":"[^"]*"' "$OUT" | head -1 | cut -d'"' -f4)
run "$BACKSTREAM" -c "$TMP/r.conf" cancel "$JOB" --uid alice
[ "$STATUS" -eq 0 ] || fail "a cancel through the replica" 0 "$STATUS"
for pid in "$REPD_R" "$REPD_M"; do
	kill -TERM "$pid"
	wait_for "$VG_HANG" sh -c "! kill -0 $pid 2>/dev/null"
	wait "$pid" 2>/dev/null || fail "repd's exit status under valgrind" 0 "$?"
done
check_reports repd

echo "PASS: $TEST_NAME"
