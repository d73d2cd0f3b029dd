# tests/deploy-lib.sh: what the deploy tests share: the programs "installed" under $TMP, the shipped server files made with test paths, an SSE client that times events, and the checks every server must pass.
#
# Usage, after tests/lib.sh:
#
#	. "$top_srcdir/tests/deploy-lib.sh"
#	deploy_need apache2 ...		# skips the test (77) without them
#	deploy_setup			# programs, store, keys, token, config
#	deploy_gen backstream-apache.conf.in "$GEN/backstream-apache.conf"
#	...start the server on $PORT, logs in $LOGS...
#	deploy_check_streams "http://127.0.0.1:$PORT"
#	deploy_check_logs "$LOGS/backstream-access.log"
#
# The server files are made from apache-conf/*.in by apache-conf/subst.sh,
# as "make install" makes them, with these paths: programs in $INST/libexec
# (pkglibexecdir), the configuration $CONF ($TMP is sysconfdir), logs in
# $LOGS, sockets in $RUN, and the port $PORT.
#
# The web server runs the responders as $RUN_USER: www-data when the test
# runs as root (Apache refuses to run them as root), else the test's user.
# The store, the keys and the CLI ($BACKSTREAM) are that user's too, as on
# a real host, where every process that opens the store is one user's.

INST=$TMP/inst
GEN=$TMP/gen
LOGS=$TMP/logs
RUN=$TMP/run
PORT=
TOKEN=
# A short life (seconds), so that the test sees streams end and resume;
# the heartbeat comes every second.
: "${DEPLOY_LIFETIME:=10}"

SPEC='{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"sma_crossover","params":{"fast":5,"slow":20}}'

# deploy_need CMD...: skips the test, exit status 77, without these.
deploy_need() {
	for _cmd; do
		if ! command -v "$_cmd" >/dev/null 2>&1 && [ ! -x "$_cmd" ]; then
			echo "$TEST_NAME: skipped: $_cmd is not installed"
			exit 77
		fi
	done
}

# ---- the user and the programs --------------------------------------------------

if [ "$(id -u)" -eq 0 ] && id www-data >/dev/null 2>&1; then
	RUN_USER=www-data
	RUN_GROUP=$(id -gn www-data)
else
	RUN_USER=$(id -un)
	RUN_GROUP=$(id -gn)
fi

# Copies the built programs to $INST, where $RUN_USER can run them whatever
# the permissions of the build tree's parents.
deploy_install() {
	mkdir -p "$INST/bin" "$INST/libexec"
	cp "$top_builddir/cli/backstream" "$INST/bin/"
	for _p in backstream-sse backstream-verify backstream-api; do
		if [ -x "$top_builddir/cgi-bin/$_p" ]; then
			cp "$top_builddir/cgi-bin/$_p" "$INST/libexec/"
		fi
	done
	cat >"$INST/bin/bs" <<EOF
#!/bin/sh
# backstream as the user the web server runs the responders as.
if [ "\$(id -un)" = "$RUN_USER" ]; then
	exec "$INST/bin/backstream" "\$@"
fi
exec setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" --init-groups -- \\
    "$INST/bin/backstream" "\$@"
EOF
	chmod 755 "$INST/bin/bs"
	BACKSTREAM=$INST/bin/bs
}

# deploy_setup: programs, configuration, store with demo bars, keys and a
# token ($TOKEN, for uid alice), and a free port ($PORT).
deploy_setup() {
	deploy_need curl
	if [ "$(id -un)" != "$RUN_USER" ]; then
		deploy_need setpriv
	fi
	[ -x "$top_builddir/cgi-bin/backstream-sse" ] ||
	    fail "no stream responder at $top_builddir/cgi-bin/backstream-sse"
	chmod 755 "$TMP"
	mkdir -p "$GEN" "$LOGS" "$RUN" "$STORE" "$TMP/keys"
	chown "$RUN_USER:$RUN_GROUP" "$LOGS" "$RUN" "$STORE" "$TMP/keys"
	deploy_install
	conf_set verify_helper "$INST/libexec/backstream-verify"
	conf_set stream_lifetime "${DEPLOY_LIFETIME}s"
	conf_set stream_jitter 0s
	conf_set heartbeat 1s
	conf_set retry 1s
	# Events must come by the wake, not the poll (timed_event): a poll
	# far past the hang guard can never deliver one in time.
	conf_set poll_interval 10m
	# Everything the responders would ever log, to prove no token is in it.
	conf_set log_level debug
	chmod 644 "$CONF"
	expect_bs 0 init
	expect_bs 0 demo-data
	expect_bs 0 keygen "$TMP/keys"
	expect_bs 0 token --uid alice --ttl 30m
	TOKEN=$(cat "$OUT")
	[ -n "$TOKEN" ] || fail "backstream token printed no token"
	PORT=$(free_port)
}

# deploy_gen TEMPLATE OUTPUT [NAME=VALUE...]: makes a shipped file from
# apache-conf/TEMPLATE with the test's paths, as "make install" does with
# the installation's.
deploy_gen() {
	_template=$1
	_output=$2
	shift 2
	sh "$top_srcdir/apache-conf/subst.sh" \
	    pkglibexecdir="$INST/libexec" pkgdatadir="$GEN" \
	    sysconfdir="$TMP" localstatedir="$TMP/var" docdir="$TMP/doc" \
	    logdir="$LOGS" rundir="$RUN" port="127.0.0.1:$PORT" "$@" \
	    <"$top_srcdir/apache-conf/$_template" >"$_output" ||
	    fail "making $_output from apache-conf/$_template"
	[ "$(basename "$CONF")" = backstream.conf ] ||
	    fail "the configuration must be \$sysconfdir/backstream.conf"
}

# ---- an SSE client ---------------------------------------------------------------

now_ms() {
	date +%s%3N
}

# sse_open NAME URL [CURL_ARGS]: opens a stream in the background; the body
# goes to $TMP/NAME.body, the response head to $TMP/NAME.head.  curl gives
# up after twice the hang guard.
sse_open() {
	_name=$1
	_url=$2
	shift 2
	rm -f "$TMP/$_name.body" "$TMP/$_name.head"
	: >"$TMP/$_name.body"
	now_ms >"$TMP/$_name.start"
	curl -sS -N --max-time $((HANG * 2)) -D "$TMP/$_name.head" -o "$TMP/$_name.body" \
	    "$@" "$_url" 2>"$TMP/$_name.err" &
	echo $! >"$TMP/$_name.pid"
	PIDS="$PIDS $!"
}

# sse_wait NAME REGEX SECONDS: waits until the body has a line matching
# REGEX; fails the test after SECONDS.
sse_wait() {
	_tries=$(($3 * 50))
	while ! grep -qE -- "$2" "$TMP/$1.body"; do
		_tries=$((_tries - 1))
		if [ "$_tries" -le 0 ]; then
			fail "stream $1: waited $3 s for a line matching $2" \
			    "$2" "$(tail -c 600 "$TMP/$1.body")"
		fi
		sleep 0.02
	done
}

# sse_end NAME SECONDS: waits for the stream's response to end; sets
# SSE_RC (curl's exit status: 0 when the response ended properly) and
# SSE_SECONDS (since sse_open).
sse_end() {
	_pid=$(cat "$TMP/$1.pid")
	_tries=$(($2 * 10))
	while kill -0 "$_pid" 2>/dev/null; do
		_tries=$((_tries - 1))
		[ "$_tries" -gt 0 ] || fail "stream $1 still open after $2 s"
		sleep 0.1
	done
	SSE_RC=0
	wait "$_pid" || SSE_RC=$?
	SSE_SECONDS=$((($(now_ms) - $(cat "$TMP/$1.start")) / 1000))
}

# sse_close NAME: the client leaves.
sse_close() {
	_pid=$(cat "$TMP/$1.pid")
	kill -TERM "$_pid" 2>/dev/null || :
	wait "$_pid" 2>/dev/null || :
}

# The id of the last event in stream NAME's body.
sse_last_id() {
	sed -n 's/^id: //p' "$TMP/$1.body" | tail -n 1
}

# The HTTP status of stream NAME's response (the last, after any 1xx).
sse_status() {
	sed -n 's/^HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' "$TMP/$1.head" |
	    tail -n 1
}

# timed_event NAME REGEX WHAT CMD...: runs CMD (a change committed through
# the CLI) and waits for REGEX in stream NAME; prints the time from the
# command's start to the event's arrival, which includes the CLI's own run
# (seconds under ASan on a loaded machine).  The event must come within
# the hang guard: a server that buffered the stream, or a responder that
# missed the wake and found the change only at its next poll (poll_interval
# is 10 min here), would be later.  Sets LATENCY_MS.
timed_event() {
	_name=$1
	_regex=$2
	_what=$3
	shift 3
	_t0=$(now_ms)
	expect_bs 0 "$@"
	sse_wait "$_name" "$_regex" "$HANG"
	LATENCY_MS=$(($(now_ms) - _t0))
	echo "latency: $LATENCY_MS ms from \"backstream $1\" to $_what," \
	    "through $TEST_NAME"
}

# job_id [FILE]: the job id of a job's JSON in FILE (default $OUT).
job_id() {
	sed -n 's/^{"job_id":"\([0-9a-f-]*\)".*/\1/p' "${1:-$OUT}"
}

# ---- the checks ------------------------------------------------------------------------

# deploy_check_streams URL: what every server must do for streams, through
# it.  Leaves $JOB (cancelled) and $JOB2.
deploy_check_streams() {
	_base=$1

	step "no token: the responder's 401, through the server"
	expect 0 curl -sS --max-time "$HANG" -o "$TMP/r.body" -w '%{http_code}' \
	    "$_base/api/sse/backtest/jobs"
	check_eq "status without a token" 401 "$(cat "$OUT")"
	check_contains "$TMP/r.body" '"error":"unauthorized"'

	step "Authorization: Bearer reaches the responder (no ?token=)"
	sse_open bearer "$_base/api/sse/backtest/jobs" \
	    -H "Authorization: Bearer $TOKEN"
	sse_wait bearer '^event: snapshot$' "$HANG"
	sse_close bearer
	check_eq "status of a stream opened with Authorization" 200 \
	    "$(sse_status bearer)"
	grep -qi '^content-type: text/event-stream' "$TMP/bearer.head" ||
	    fail "Content-Type of a stream" "text/event-stream" \
	    "$(cat "$TMP/bearer.head")"

	step "the stream responders run with glibc's thread cache off"
	_n=0
	for _d in /proc/[0-9]*; do
		[ "$(cat "$_d/comm" 2>/dev/null)" = backstream-sse ] || continue
		tr '\0' '\n' <"$_d/environ" 2>/dev/null |
		    grep -qxF "BACKSTREAM_CONF=$CONF" || continue
		tr '\0' '\n' <"$_d/environ" |
		    grep -qxF GLIBC_TUNABLES=glibc.malloc.tcache_count=0 ||
		    fail "environment of responder ${_d#/proc/}" \
		    "GLIBC_TUNABLES=glibc.malloc.tcache_count=0" \
		    "$(tr '\0' ' ' <"$_d/environ")"
		_n=$((_n + 1))
	done
	[ "$_n" -gt 0 ] || fail "stream responders of this test" "at least one" 0

	step "a committed event reaches the client at once"
	sse_open jobs "$_base/api/sse/backtest/jobs?token=$TOKEN"
	sse_wait jobs '^event: snapshot$' "$HANG"
	timed_event jobs '^event: job_added$' "job_added" \
	    submit --uid alice --json "$SPEC"
	JOB=$(job_id)
	[ -n "$JOB" ] || fail "submit printed no job id" "a job" "$(cat "$OUT")"
	sse_wait jobs "\"job_id\":\"$JOB\"" "$HANG"
	timed_event jobs "^data: \\{\"job\":\\{\"job_id\":\"$JOB\".*\"status\":\"cancelled\"" \
	    "job_updated (cancelled)" cancel "$JOB" --uid alice

	step "heartbeats arrive while the stream is idle"
	_before=$(grep -c '^: heartbeat$' "$TMP/jobs.body" || :)
	wait_for "$HANG" eval '[ "$(grep -c "^: heartbeat\$" "$TMP/jobs.body")" \
	    -ge $((_before + 2)) ]'

	step "the stream ends itself after stream_lifetime, and cleanly"
	sse_end jobs "$HANG"
	check_eq "curl's exit status at the stream's end (0: a complete response)" \
	    0 "$SSE_RC"
	check_eq "status of the ended stream" 200 "$(sse_status jobs)"
	[ "$SSE_SECONDS" -ge $((DEPLOY_LIFETIME - 1)) ] &&
	    [ "$SSE_SECONDS" -lt "$HANG" ] ||
	    fail "the stream's life" "about $DEPLOY_LIFETIME s" \
	    "$SSE_SECONDS s"
	_last=$(sse_last_id jobs)
	[ -n "$_last" ] || fail "the stream had no event id"

	step "the client resumes with Last-Event-ID and misses nothing"
	# A job submitted while the client was away.
	expect_bs 0 submit --uid alice --json "$SPEC"
	JOB2=$(job_id)
	sse_open resumed "$_base/api/sse/backtest/jobs?token=$TOKEN" \
	    -H "Last-Event-ID: $_last"
	sse_wait resumed '^event: snapshot$' "$HANG"
	check_contains "$TMP/resumed.body" "\"job_id\":\"$JOB2\""
	timed_event resumed "^data: \\{\"job\":\\{\"job_id\":\"$JOB2\".*\"status\":\"cancelled\"" \
	    "job_updated on the resumed stream" cancel "$JOB2" --uid alice
	sse_close resumed

	step "Last-Event-ID reaches the responder: past a job's end, 204"
	sse_open job "$_base/api/sse/backtest/$JOB?token=$TOKEN"
	sse_wait job '^event: cancelled$' "$HANG"
	sse_close job
	_end_id=$(sse_last_id job)
	case $_end_id in
	*.end)	;;
	*)	fail "id of the terminal event" "S.T.end" "$_end_id" ;;
	esac
	expect 0 curl -sS --max-time "$HANG" -o /dev/null -w '%{http_code}' \
	    -H "Last-Event-ID: $_end_id" "$_base/api/sse/backtest/$JOB?token=$TOKEN"
	check_eq "status of a reconnection past the end" 204 "$(cat "$OUT")"

	if [ -x "$INST/libexec/backstream-api" ]; then
		step "the REST API, with ?token= and with Authorization"
		expect 0 curl -sS --max-time "$HANG" -o "$TMP/r.body" \
		    -w '%{http_code}' "$_base/api/backtesting/jobs?token=$TOKEN"
		check_eq "status of GET /api/backtesting/jobs" 200 "$(cat "$OUT")"
		check_contains "$TMP/r.body" "\"job_id\":\"$JOB2\""
		expect 0 curl -sS --max-time "$HANG" -o "$TMP/r.body" \
		    -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
		    "$_base/api/backtesting/jobs"
		check_eq "status of GET /api/backtesting/jobs with Authorization" \
		    200 "$(cat "$OUT")"
	else
		step "no backstream-api built: the REST routes are not tested"
	fi
}

# raw_status URL_BASE TARGET [CURL_ARGS]: sends TARGET as the request
# target, byte for byte (spaces and control characters included, which
# curl does not check), and prints the status the server answers.
raw_status() {
	_b=$1
	_t=$2
	shift 2
	curl -sS --max-time 10 -o "$TMP/raw.body" -w '%{http_code}' \
	    --request-target "$_t" "$@" "$_b/" 2>"$TMP/raw.err" || :
}

# deploy_check_hostile URL: requests that a server may answer itself,
# before its configuration for /api/ applies: malformed ones, each with the
# token in the query, and some with it in the Authorization header too.
# deploy_check_logs then proves that none of them put the token in a log.
deploy_check_hostile() {
	_base=$1
	_ctl=$(printf '\001')
	_tab=$(printf '\t')
	step "malformed requests with tokens: answered, and logged without them"
	for _target in \
	    "/api/backtesting/jobs?token=$TOKEN&status_filter=%0A" \
	    "/api/backtesting/jobs?token=$TOKEN&status_filter=%00" \
	    "/api/sse/backtest/jobs?token=$TOKEN&x=a${_ctl}b" \
	    "/api/backtesting/jobs?token=$TOKEN&x=a b" \
	    "/api/backtesting/jobs?token=$TOKEN&x=a${_tab}b" \
	    "/api/backtesting/jobs?token=$TOKEN&x=%zz" \
	    "/api/backtesting/../../jobs?token=$TOKEN" \
	    "/api/backtesting/jobs?token=$TOKEN#frag" \
	    "api/backtesting/jobs?token=$TOKEN" \
	    "/%00/api/backtesting/jobs?token=$TOKEN" \
	    "/elsewhere?token=$TOKEN"; do
		for _auth in "X-None: 1" "Authorization: Bearer $TOKEN"; do
			_st=$(raw_status "$_base" "$_target" -H "$_auth")
			echo "  $_st for $(printf '%s' "$_target" |
			    sed "s/$TOKEN/TOKEN/" | tr "$_ctl$_tab" '??')" \
			    "(${_auth%%:*})"
		done
	done
	# A header with a control character, and a request line too long.
	_st=$(raw_status "$_base" "/api/backtesting/jobs?token=$TOKEN" \
	    -H "X-Bad: a${_ctl}b" -H "Authorization: Bearer $TOKEN")
	echo "  $_st for a header with a control character"
	_pad=$(head -c 20000 /dev/zero | tr '\0' a)
	_st=$(raw_status "$_base" "/api/backtesting/jobs?token=$TOKEN&p=$_pad")
	echo "  $_st for a request line of 20 KB"
	_st=$(raw_status "$_base" "/api/backtesting/jobs?token=$TOKEN" \
	    -H "X-Pad: $_pad" -H "Authorization: Bearer $TOKEN")
	echo "  $_st for a header of 20 KB"
	# HTTP/1.0 and a bad version: parsed on other paths.
	_st=$(raw_status "$_base" "/api/backtesting/jobs?token=$TOKEN" -0)
	echo "  $_st for HTTP/1.0"
}

# deploy_check_body_limit URL: the server refuses a request body over the
# API's limit (64 KiB) itself, at once, and passes one at the limit on.
deploy_check_body_limit() {
	_base=$1
	step "a body over the API's 64 KiB: 413 from the server, unread"
	head -c 65536 /dev/zero | tr '\0' ' ' >"$TMP/body-64k"
	head -c 65537 /dev/zero | tr '\0' ' ' >"$TMP/body-64k1"
	# At the limit, the responder answers (401: no token).
	expect 0 curl -sS --max-time 20 -o "$TMP/r.body" -w '%{http_code}' \
	    -H 'Content-Type: application/json' --data-binary @"$TMP/body-64k" \
	    "$_base/api/backtesting/jobs"
	check_eq "status of a POST of 64 KiB" 401 "$(cat "$OUT")"
	check_contains "$TMP/r.body" '"error":"unauthorized"'
	for _path in /api/backtesting/jobs /api/sse/backtest/jobs; do
		expect 0 curl -sS --max-time 20 -o "$TMP/r.body" \
		    -w '%{http_code}' -H 'Content-Type: application/json' \
		    --data-binary @"$TMP/body-64k1" "$_base$_path"
		check_eq "status of a POST of 64 KiB + 1 to $_path" 413 \
		    "$(cat "$OUT")"
		# The server's page, not the responder's JSON.
		check_not_contains "$TMP/r.body" '"error"'
	done
	# 300 MB (a sparse file, streamed by -T): refused on the headers, not
	# after the upload; curl stops sending when the answer comes.
	truncate -s 300M "$TMP/body-300m"
	_t0=$(now_ms)
	curl -sS --max-time 60 -o "$TMP/r.body" -w '%{http_code}' -X POST \
	    -T "$TMP/body-300m" -H 'Content-Type: application/json' \
	    "$_base/api/backtesting/jobs" >"$OUT" 2>"$ERR" || :
	rm -f "$TMP/body-300m"
	check_eq "status of a POST of 300 MB" 413 "$(cat "$OUT")"
	check_not_contains "$TMP/r.body" '"error"'
	_ms=$(($(now_ms) - _t0))
	echo "a POST of 300 MB answered after $_ms ms"
	[ "$_ms" -lt 20000 ] ||
	    fail "time to refuse 300 MB" "under 20 s (refused on the headers)" \
	    "$_ms ms"
}

# deploy_check_logs ACCESS_LOG [FILE...]: the stream requests are in the
# access log, and the token is in no log: not in ACCESS_LOG, the FILEs, or
# anything under $LOGS.
deploy_check_logs() {
	step "no token in any log"
	check_contains "$1" "/api/sse/backtest/jobs"
	# The whole token, and its signature alone (a log that cut the line).
	_sig=$(printf '%s' "${TOKEN##*.}" | cut -c1-24)
	for _f in "$@" $(find "$LOGS" -type f); do
		[ -f "$_f" ] || continue
		check_not_contains "$_f" "$TOKEN"
		check_not_contains "$_f" "$_sig"
		check_not_contains "$_f" "token="
	done
}

# ---- processes -------------------------------------------------------------------------

. "$top_srcdir/tests/proc-tree.sh"	# descendants PID

# alive PID...: prints those of the PIDs that run (a zombie is gone for our
# purposes), with one ps for them all.
alive() {
	[ $# -gt 0 ] || return 0
	ps -o pid=,stat= -p "$(echo "$@" | tr ' ' ,)" 2>/dev/null |
	    awk '$2 !~ /^Z/ { print $1 }'
}

# commands PID...: prints "pid command" of those that run, with one ps.
commands() {
	[ $# -gt 0 ] || return 0
	ps -o pid=,comm= -p "$(echo "$@" | tr ' ' ,)" 2>/dev/null || :
}

# stop_tree PID [SECONDS]: stops PID by TERM (KILL after SECONDS, default
# HANG), then waits up to HANG s for every process it had started; any left
# is killed, named on stderr, and stop_tree returns 1.
stop_tree() {
	[ -n "$1" ] || return 0
	_tree=$(descendants "$1")
	stop_pid "$1" "${2:-$HANG}"
	_tries=$((HANG * 10))
	# shellcheck disable=SC2086
	while [ -n "$(alive $_tree)" ] && [ "$_tries" -gt 0 ]; do
		sleep 0.1
		_tries=$((_tries - 1))
	done
	# shellcheck disable=SC2086
	_left=$(alive $_tree | tr '\n' ' ')
	if [ -n "$_left" ]; then
		echo "$TEST_NAME: still running after $1 stopped, killed:" >&2
		# shellcheck disable=SC2086
		ps -o pid=,ppid=,stat=,args= -p "$(echo $_left | tr ' ' ,)" >&2
		# shellcheck disable=SC2086
		kill -KILL $_left 2>/dev/null || :
		return 1
	fi
	return 0
}

# Servers to stop at the end, by pid, each with every process it started
# (stop_tree): lib.sh's cleanup stops only the pids themselves.
DEPLOY_TREES=

# deploy_track PID: stops PID's tree at exit, even when the test fails.
deploy_track() {
	DEPLOY_TREES="$DEPLOY_TREES $1"
}

# deploy_untrack PID: PID was stopped by the test.
deploy_untrack() {
	_rest=
	for _p in $DEPLOY_TREES; do
		[ "$_p" = "$1" ] || _rest="$_rest $_p"
	done
	DEPLOY_TREES=$_rest
}

deploy_teardown() {
	for _t in $DEPLOY_TREES; do
		stop_tree "$_t" || :
	done
	DEPLOY_TREES=
}
# set +e: under set -e, the subshell that hands cleanup the test's status
# would end the trap at once when it is not 0, and cleanup, which stops
# lib.sh's processes, would never run after a failure.
trap 'deploy_rc=$?; deploy_teardown; set +e; (exit "$deploy_rc"); cleanup' EXIT
