# tests/deploy-nginx.sh: backstream through a private nginx configured by the shipped apache-conf/nginx.conf.in, with the responders run by the shipped backstream-spawn-fcgi.sh: events at once, rotation and resume, heartbeats, Authorization, a dead responder replaced, a reload, a restart of the pool, and no token in any log.
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/deploy-lib.sh"

: "${NGINX:=$(command -v nginx || echo /usr/sbin/nginx)}"
deploy_need "$NGINX" spawn-fcgi
# nginx's temporary directories are compiled in (/var/lib/nginx on Debian)
# and made at start, which takes root.
if [ "$(id -u)" -ne 0 ]; then
	echo "$TEST_NAME: skipped: nginx's compiled-in temporary paths need root"
	exit 77
fi

step "setup: programs, store, token; the shipped files with test paths"
deploy_setup
NDIR=$TMP/nginx
mkdir -p "$NDIR"
deploy_gen nginx.conf.in "$GEN/nginx.conf"
deploy_gen backstream-spawn-fcgi.sh.in "$GEN/backstream-spawn-fcgi.sh"
URL=http://127.0.0.1:$PORT
NPROCS=4

# start_pool NAME: runs the shipped supervisor for responder NAME (sse or
# api), as the web server's user, on $RUN/backstream-NAME.sock; sets
# POOL_PID.
start_pool() {
	start_bg sh "$GEN/backstream-spawn-fcgi.sh" -n "$NPROCS" \
	    -s "$RUN/backstream-$1.sock" -c "$CONF" \
	    -u "$RUN_USER" -g "$RUN_GROUP" -U "$RUN_USER" -G "$RUN_GROUP" \
	    -M 0660 -p "$RUN/$1.pid" "$1"
	POOL_PID=$BG_PID
	deploy_track "$POOL_PID"
	wait_for "$HANG" test -S "$RUN/backstream-$1.sock"
}

# responders PID: the responders a supervisor runs.
responders() {
	# shellcheck disable=SC2046
	commands $(descendants "$1") | awk '$2 ~ /^backstream-/ { print $1 }'
}

responders_are() {
	[ "$(responders "$1" | wc -l | tr -d ' ')" -eq "$2" ]
}

step "start the responders with backstream-spawn-fcgi.sh, $NPROCS of each"
start_pool sse
SSE_POOL=$POOL_PID
SSE_LOG=$TMP/bg-$SSE_POOL.log
wait_for "$HANG" responders_are "$SSE_POOL" "$NPROCS"
check_eq "user of the responders" "$RUN_USER" \
    "$(ps -o user= -p "$(responders "$SSE_POOL" | head -n 1)")"
API_POOL=
if [ -x "$INST/libexec/backstream-api" ]; then
	start_pool api
	API_POOL=$POOL_PID
	wait_for "$HANG" responders_are "$API_POOL" "$NPROCS"
fi

answers() {
	curl -s -o /dev/null --max-time 2 "$URL/"
}

# One short request (a 404 from a responder): poll() wakes every idle
# responder of the shared socket for it, and those that lose the race must
# still hear SIGTERM afterwards.
poke() {
	expect 0 curl -sS -o /dev/null -w '%{http_code}' --max-time "$HANG" \
	    "$URL/api/sse/no-such-stream"
	check_eq "status of an unknown stream" 404 "$(cat "$OUT")"
}

step "start nginx on 127.0.0.1:$PORT"
NGINX_ARGS="-p $NDIR/ -c $GEN/nginx.conf -e $LOGS/error.log"
# shellcheck disable=SC2086
expect 0 "$NGINX" $NGINX_ARGS -g "pid $NDIR/nginx.pid;" -t
# shellcheck disable=SC2086
start_bg "$NGINX" $NGINX_ARGS -g "daemon off; pid $NDIR/nginx.pid;"
NGINX_PID=$BG_PID
deploy_track "$NGINX_PID"
wait_for "$HANG" answers

deploy_check_streams "$URL"
deploy_check_hostile "$URL"
deploy_check_body_limit "$URL"

step "a reload of nginx (SIGHUP) leaves an open stream alone"
sse_open reload "$URL/api/sse/backtest/jobs?token=$TOKEN"
sse_wait reload '^event: snapshot$' "$HANG"
kill -HUP "$NGINX_PID"
timed_event reload '^event: job_added$' "job_added after the reload" \
    submit --uid alice --json "$SPEC"
sse_end reload "$HANG"
check_eq "curl's exit status at the stream's end after a reload" 0 "$SSE_RC"

step "a responder that dies is replaced"
# (A responder killed with the store open makes the next process that
# opens it recover the store, which may take a second.)
victim=$(responders "$SSE_POOL" | head -n 1)
kill -KILL "$victim"
wait_for "$HANG" responders_are "$SSE_POOL" "$NPROCS"
if responders "$SSE_POOL" | grep -qx "$victim"; then
	fail "the killed responder $victim is still there"
fi
sse_open again "$URL/api/sse/backtest/jobs?token=$TOKEN"
sse_wait again '^event: snapshot$' "$HANG"
sse_close again

step "a restart of the responders ends a stream cleanly; it resumes"
sse_open before "$URL/api/sse/backtest/jobs?token=$TOKEN"
sse_wait before '^event: snapshot$' "$HANG"
poke
deploy_untrack "$SSE_POOL"
stop_tree "$SSE_POOL" || fail "responders left after their supervisor stopped"
sse_end before "$HANG"
check_eq "curl's exit status when the responders stop (0: a complete response)" \
    0 "$SSE_RC"
last=$(sse_last_id before)
start_pool sse
SSE_POOL=$POOL_PID
wait_for "$HANG" responders_are "$SSE_POOL" "$NPROCS"
sse_open after "$URL/api/sse/backtest/jobs?token=$TOKEN" \
    -H "Last-Event-ID: $last"
sse_wait after '^event: snapshot$' "$HANG"
sse_close after

step "stop nginx and the responders: every process ends"
poke
deploy_untrack "$NGINX_PID"
stop_tree "$NGINX_PID" || fail "processes left after nginx stopped"
deploy_untrack "$SSE_POOL"
stop_tree "$SSE_POOL" || fail "responders left after their supervisor stopped"
if [ -n "$API_POOL" ]; then
	deploy_untrack "$API_POOL"
	stop_tree "$API_POOL" ||
	    fail "responders left after their supervisor stopped"
fi

# The responders' own log lines go to the supervisor's standard error.
deploy_check_logs "$LOGS/backstream-access.log" "$LOGS/access.log" \
    "$LOGS/error.log" "$TMP"/bg-*.log
# The supervisor said why it started another responder.
check_contains "$SSE_LOG" "exited (status 137); starting another"
check_contains "$SSE_LOG" "lifetime reached"
