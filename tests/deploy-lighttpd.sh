# tests/deploy-lighttpd.sh: backstream through a private lighttpd configured by the shipped apache-conf/lighttpd.conf.in: the whole pool at start, events at once, rotation and resume, heartbeats, Authorization, a graceful restart, and no token in any log.
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/deploy-lib.sh"

: "${LIGHTTPD:=$(command -v lighttpd || echo /usr/sbin/lighttpd)}"
deploy_need "$LIGHTTPD"

step "setup: programs, store, token; the shipped configuration with test paths"
deploy_setup
LDIR=$TMP/lighttpd
mkdir -p "$LDIR/www"
echo "the host's own site" >"$LDIR/www/index.html"
deploy_gen lighttpd.conf.in "$GEN/lighttpd.conf"
URL=http://127.0.0.1:$PORT
# The shipped pool sizes.
SSE_PROCS=$(sed -n 's/^[[:space:]]*"max-procs" => \([0-9]*\),/\1/p' \
    "$GEN/lighttpd.conf" | head -n 1)

# The host's part, as Debian's lighttpd.conf gives it, with an access log
# of the default format (which logs the query string), then the shipped
# file.
{
	cat <<EOF
server.document-root = "$LDIR/www"
server.bind = "127.0.0.1"
server.port = $PORT
server.errorlog = "$LOGS/error.log"
server.modules = ( "mod_access", "mod_staticfile" )
index-file.names = ( "index.html" )
accesslog.filename = "$LOGS/access.log"
EOF
	if [ "$(id -u)" -eq 0 ]; then
		printf 'server.username = "%s"\nserver.groupname = "%s"\n' \
		    "$RUN_USER" "$RUN_GROUP"
	fi
	echo "include \"$GEN/lighttpd.conf\""
} >"$LDIR/lighttpd.conf"
expect 0 "$LIGHTTPD" -tt -f "$LDIR/lighttpd.conf"
if [ -s "$ERR" ]; then
	fail "lighttpd warns about the configuration" "no warning" \
	    "$(cat "$ERR")"
fi

answers() {
	curl -s -o /dev/null --max-time 2 "$URL/"
}

# The pids of the stream responders lighttpd started.
responders() {
	# shellcheck disable=SC2046
	commands $(descendants "$LIGHTTPD_PID") |
	    awk '$2 == "backstream-sse" { print $1 }'
}

step "start lighttpd on 127.0.0.1:$PORT; it starts the whole pool ($SSE_PROCS)"
t0=$(now_ms)
start_bg "$LIGHTTPD" -D -f "$LDIR/lighttpd.conf"
LIGHTTPD_PID=$BG_PID
deploy_track "$LIGHTTPD_PID"
wait_for "$HANG" answers
echo "lighttpd answered after $(($(now_ms) - t0)) ms"
check_eq "stream responders at start (min-procs = max-procs)" \
    "$SSE_PROCS" "$(responders | wc -l | tr -d ' ')"
# What the pool costs: private memory of the idle responders.
kb=0
for p in $(responders); do
	k=$(awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s + 0 }' \
	    "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
	kb=$((kb + k))
done
echo "$SSE_PROCS idle stream responders: $((kb / 1024)) MB of private memory"
check_eq "user of the responders" "$RUN_USER" \
    "$(ps -o user= -p "$(responders | head -n 1)")"

deploy_check_streams "$URL"
deploy_check_hostile "$URL"
deploy_check_body_limit "$URL"

step "a graceful restart (SIGUSR1) cuts a stream after lighttpd's grace time; it resumes"
sse_open before "$URL/api/sse/backtest/jobs?token=$TOKEN"
sse_wait before '^event: snapshot$' "$HANG"
kill -USR1 "$LIGHTTPD_PID"
sse_end before "$HANG"
echo "a graceful restart ended the stream after $SSE_SECONDS s:" \
    "curl exit status $SSE_RC (0: a complete response, 18: cut)"
last=$(sse_last_id before)
expect_bs 0 submit --uid alice --json "$SPEC"
JOB3=$(job_id)
wait_for "$HANG" answers
sse_open after "$URL/api/sse/backtest/jobs?token=$TOKEN" \
    -H "Last-Event-ID: $last"
sse_wait after '^event: snapshot$' "$HANG"
check_contains "$TMP/after.body" "\"job_id\":\"$JOB3\""
sse_close after

step "stop lighttpd: every process it started ends"
deploy_untrack "$LIGHTTPD_PID"
stop_tree "$LIGHTTPD_PID" "$HANG" || fail "processes left after lighttpd stopped"

deploy_check_logs "$LOGS/backstream-access.log" "$LOGS/access.log" \
    "$LOGS/error.log"
# The host's log got none of the API's well-formed requests: the shipped
# file sends them to their own log.  The malformed ones, which lighttpd
# answers before the /api block applies, are there, path only.
check_contains "$LOGS/access.log" "GET / HTTP/1.1"
check_contains "$LOGS/access.log" '"GET /api/backtesting/jobs HTTP/1.1" 400'
if grep '/api/' "$LOGS/access.log" | grep -v '" 4[0-9][0-9] ' >"$TMP/answered"; then
	fail "the host's log has API requests lighttpd did not refuse itself" \
	    "none" "$(cat "$TMP/answered")"
fi
check_contains "$LOGS/backstream-access.log" '"POST /api/backtesting/jobs HTTP/1.1" 413'
check_contains "$LOGS/backstream-access.log" '"GET /api/sse/backtest/jobs HTTP/1.1" 200' 
