# tests/deploy-apache.sh: backstream through a private Apache with mod_fcgid, configured by the shipped apache-conf/backstream-apache.conf.in: events at once, rotation and resume, heartbeats, Authorization, a graceful restart, and no token in any log.
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/deploy-lib.sh"

: "${APACHE:=$(command -v apache2 || echo /usr/sbin/apache2)}"
: "${APACHE_MODULES:=/usr/lib/apache2/modules}"
deploy_need "$APACHE"
if [ ! -f "$APACHE_MODULES/mod_fcgid.so" ]; then
	echo "$TEST_NAME: skipped: no mod_fcgid in $APACHE_MODULES"
	exit 77
fi

step "setup: programs, store, token; the shipped configuration with test paths"
deploy_setup
ADIR=$TMP/apache
mkdir -p "$ADIR/htdocs" "$RUN/fcgid"
chown "$RUN_USER:$RUN_GROUP" "$RUN/fcgid"
deploy_gen backstream-apache.conf.in "$GEN/backstream-apache.conf"
URL=http://127.0.0.1:$PORT

# The host's part, as Debian's apache2.conf and mods-enabled give it, then
# the shipped file.  The host's access log has the exclusion the shipped
# file asks every other CustomLog for.
cat >"$ADIR/httpd.conf" <<EOF
ServerRoot "$ADIR"
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile "$ADIR/httpd.pid"
DefaultRuntimeDir "$ADIR"
Mutex file:$ADIR default
User $RUN_USER
Group $RUN_GROUP
ErrorLog "$LOGS/error.log"
LogLevel info
LoadModule mpm_event_module $APACHE_MODULES/mod_mpm_event.so
LoadModule authz_core_module $APACHE_MODULES/mod_authz_core.so
LoadModule alias_module $APACHE_MODULES/mod_alias.so
LoadModule env_module $APACHE_MODULES/mod_env.so
LoadModule setenvif_module $APACHE_MODULES/mod_setenvif.so
LoadModule fcgid_module $APACHE_MODULES/mod_fcgid.so
FcgidIPCDir "$RUN/fcgid"
FcgidProcessTableFile "$RUN/fcgid_shm"
DocumentRoot "$ADIR/htdocs"
<Directory />
	Require all denied
</Directory>
LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" combined
CustomLog "$LOGS/access.log" combined env=!backstream_api
Include "$GEN/backstream-apache.conf"
EOF
expect 0 "$APACHE" -t -f "$ADIR/httpd.conf"

answers() {
	curl -s -o /dev/null --max-time 2 "$URL/"
}

step "start Apache on 127.0.0.1:$PORT as $RUN_USER"
start_bg "$APACHE" -f "$ADIR/httpd.conf" -DFOREGROUND
APACHE_PID=$BG_PID
deploy_track "$APACHE_PID"
wait_for 15 answers

deploy_check_streams "$URL"
deploy_check_hostile "$URL"
deploy_check_body_limit "$URL"

step "two streams at once: mod_fcgid spawns a second process"
sse_open one "$URL/api/sse/backtest/jobs?token=$TOKEN"
sse_open two "$URL/api/sse/backtest/history?token=$TOKEN"
t0=$(now_ms)
sse_wait one '^event: snapshot$' 15
sse_wait two '^event: snapshot$' 15
echo "two concurrent streams both started after $(($(now_ms) - t0)) ms"
sse_close one
sse_close two

step "a graceful restart (what logrotate does) ends a stream; it resumes"
sse_open before "$URL/api/sse/backtest/jobs?token=$TOKEN"
sse_wait before '^event: snapshot$' 10
kill -USR1 "$APACHE_PID"
sse_end before 30
echo "a graceful restart ended the stream after $SSE_SECONDS s:" \
    "curl exit status $SSE_RC (0: a complete response, 18: cut)"
last=$(sse_last_id before)
expect_bs 0 submit --uid alice --json "$SPEC"
JOB3=$(job_id)
wait_for 15 answers
sse_open after "$URL/api/sse/backtest/jobs?token=$TOKEN" \
    -H "Last-Event-ID: $last"
sse_wait after '^event: snapshot$' 15
check_contains "$TMP/after.body" "\"job_id\":\"$JOB3\""
sse_close after

step "stop Apache: every process it started ends"
deploy_untrack "$APACHE_PID"
stop_tree "$APACHE_PID" 15 || fail "processes left after Apache stopped"

deploy_check_logs "$LOGS/backstream-access.log" "$LOGS/access.log" \
    "$LOGS/error.log"
# The host's log got none of the API's requests; the error log got the
# responders' lines (so the check above looked at something).
check_not_contains "$LOGS/access.log" "/api/"
check_contains "$LOGS/access.log" '"GET / HTTP/1.1" 403'
check_contains "$LOGS/error.log" "lifetime reached"
# No request of the API was looked up under the (denied) DocumentRoot:
# only the probe of / was refused.
if grep AH01630 "$LOGS/error.log" | grep -v 'htdocs/$' >"$TMP/denied"; then
	fail "Apache refused a path of the API under DocumentRoot" "nothing" \
	    "$(cat "$TMP/denied")"
fi
