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

# The host as Debian installs it (/etc/apache2: apache2.conf, ports.conf,
# mods-enabled, conf-enabled with other-vhosts-access-log.conf, the default
# site 000-default.conf with its own ErrorLog and CustomLog), with the
# shipped file added the way deployment.md says: copied to conf-available
# and enabled by a2enconf (a symbolic link in conf-enabled).  Nothing of
# the host's files is edited.  The lines are Debian 12's, with test paths.
ETC=$ADIR/etc
mkdir -p "$ETC/mods-enabled" "$ETC/conf-available" "$ETC/conf-enabled" \
    "$ETC/sites-enabled"
cat >"$ETC/apache2.conf" <<'EOF'
DefaultRuntimeDir ${APACHE_RUN_DIR}
PidFile ${APACHE_PID_FILE}
Timeout 300
KeepAlive On
MaxKeepAliveRequests 100
KeepAliveTimeout 5
User ${APACHE_RUN_USER}
Group ${APACHE_RUN_GROUP}
HostnameLookups Off
ErrorLog ${APACHE_LOG_DIR}/error.log
LogLevel warn
IncludeOptional mods-enabled/*.load
IncludeOptional mods-enabled/*.conf
Include ports.conf
<Directory />
	Options FollowSymLinks
	AllowOverride None
	Require all denied
</Directory>
AccessFileName .htaccess
<FilesMatch "^\.ht">
	Require all denied
</FilesMatch>
LogFormat "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" vhost_combined
LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" combined
LogFormat "%h %l %u %t \"%r\" %>s %O" common
LogFormat "%{Referer}i -> %U" referer
LogFormat "%{User-agent}i" agent
IncludeOptional conf-enabled/*.conf
IncludeOptional sites-enabled/*.conf
EOF
echo "Listen 127.0.0.1:$PORT" >"$ETC/ports.conf"
for m in mpm_event authz_core alias env setenvif fcgid; do
	echo "LoadModule ${m}_module $APACHE_MODULES/mod_$m.so" \
	    >"$ETC/mods-enabled/$m.load"
done
# Debian's MPM settings, which the shipped file's part 1 must override.
cat >"$ETC/mods-enabled/mpm_event.conf" <<'EOF'
<IfModule mpm_event_module>
	StartServers		2
	MinSpareThreads		25
	MaxSpareThreads		75
	ThreadLimit		64
	ThreadsPerChild		25
	MaxRequestWorkers	150
	MaxConnectionsPerChild	0
</IfModule>
EOF
# mod_fcgid's run-time files (Debian's are under /var/lib/apache2/fcgid).
cat >"$ETC/mods-enabled/fcgid.conf" <<EOF
<IfModule mod_fcgid.c>
	FcgidConnectTimeout 20
	FcgidIPCDir "$RUN/fcgid"
	FcgidProcessTableFile "$RUN/fcgid_shm"
</IfModule>
EOF
echo 'CustomLog ${APACHE_LOG_DIR}/other_vhosts_access.log vhost_combined' \
    >"$ETC/conf-available/other-vhosts-access-log.conf"
ln -s ../conf-available/other-vhosts-access-log.conf "$ETC/conf-enabled/"
cat >"$ETC/sites-enabled/000-default.conf" <<EOF
<VirtualHost *:$PORT>
	ServerAdmin webmaster@localhost
	DocumentRoot $ADIR/htdocs
	ErrorLog \${APACHE_LOG_DIR}/error.log
	CustomLog \${APACHE_LOG_DIR}/access.log combined
</VirtualHost>
EOF
# deployment.md's two commands, cp and a2enconf.
cp "$GEN/backstream-apache.conf" "$ETC/conf-available/backstream.conf"
ln -s ../conf-available/backstream.conf "$ETC/conf-enabled/backstream.conf"
# What Debian's envvars file sets for apache2ctl.
export APACHE_RUN_USER="$RUN_USER" APACHE_RUN_GROUP="$RUN_GROUP" \
    APACHE_RUN_DIR="$ADIR" APACHE_PID_FILE="$ADIR/httpd.pid" \
    APACHE_LOG_DIR="$LOGS" APACHE_LOCK_DIR="$ADIR"
{
	echo "ServerRoot \"$ETC\""
	echo "ServerName 127.0.0.1"
	echo "Mutex file:$ADIR default"
	echo "Include \"$ETC/apache2.conf\""
} >"$ADIR/httpd.conf"
expect 0 "$APACHE" -t -f "$ADIR/httpd.conf"

answers() {
	curl -s -o /dev/null --max-time 2 "$URL/"
}

step "start Apache on 127.0.0.1:$PORT as $RUN_USER"
start_bg "$APACHE" -f "$ADIR/httpd.conf" -DFOREGROUND
APACHE_PID=$BG_PID
deploy_track "$APACHE_PID"
wait_for "$HANG" answers

deploy_check_streams "$URL"
deploy_check_hostile "$URL"
deploy_check_body_limit "$URL"

step "two streams at once: mod_fcgid spawns a second process"
sse_open one "$URL/api/sse/backtest/jobs?token=$TOKEN"
sse_open two "$URL/api/sse/backtest/history?token=$TOKEN"
t0=$(now_ms)
sse_wait one '^event: snapshot$' "$HANG"
sse_wait two '^event: snapshot$' "$HANG"
echo "two concurrent streams both started after $(($(now_ms) - t0)) ms"
sse_close one
sse_close two

step "a graceful restart (what logrotate does) ends a stream; it resumes"
sse_open before "$URL/api/sse/backtest/jobs?token=$TOKEN"
sse_wait before '^event: snapshot$' "$HANG"
kill -USR1 "$APACHE_PID"
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

step "stop Apache: every process it started ends"
deploy_untrack "$APACHE_PID"
stop_tree "$APACHE_PID" "$HANG" || fail "processes left after Apache stopped"

deploy_check_logs "$LOGS/backstream-access.log" "$LOGS/access.log" \
    "$LOGS/other_vhosts_access.log" "$LOGS/error.log"
# backstream's log has its requests although the default site has a
# CustomLog of its own (GlobalLog); the site's log has them too, and the
# malformed ones, path only (the redefined "combined"); the error log got
# the responders' lines: the checks above looked at something.
check_contains "$LOGS/backstream-access.log" \
    '"GET /api/sse/backtest/jobs HTTP/1.1" 200'
check_contains "$LOGS/backstream-access.log" \
    '"POST /api/backtesting/jobs HTTP/1.1" 413'
check_not_contains "$LOGS/backstream-access.log" '"GET / HTTP/1.1"'
check_contains "$LOGS/access.log" '"GET / HTTP/1.1" 403'
check_contains "$LOGS/access.log" '"GET /api/sse/backtest/jobs HTTP/1.1" 200'
check_contains "$LOGS/access.log" '" 400 '
check_contains "$LOGS/access.log" '" 414 '
check_contains "$LOGS/error.log" "lifetime reached"
# No request of the API was looked up under the (denied) DocumentRoot:
# only the probe of / and the malformed requests' paths outside /api/
# (/elsewhere, and /api/backtesting/../../jobs, which is /jobs) were refused.
if grep AH01630 "$LOGS/error.log" |
    grep -v -e 'htdocs/$' -e 'htdocs/jobs$' -e 'htdocs/elsewhere$' \
    >"$TMP/denied"; then
	fail "Apache refused a path of the API under DocumentRoot" "nothing" \
	    "$(cat "$TMP/denied")"
fi
