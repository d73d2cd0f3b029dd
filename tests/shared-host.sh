# tests/shared-host.sh: the bundle ("make bundle") as a shared host's customer installs it: unpacked in a home directory, "backstream setup-site ~/public_html", served by an Apache with mod_fcgid set up as such hosts are; selftest passes, streams rotate under the busy timeout and resume, the dashboard shows a job's live progress in Chromium, and no log holds the token.
#
# The customer is a throwaway user (useradd, removed at the end) when the
# test runs as root, else the test's own user; either way every backstream
# process (the CLI, the engine, the responders Apache starts) runs as that
# user, from the unpacked bundle, with no BACKSTREAM_CONF: the programs
# find their configuration beside themselves.
#
# The test plays the host: a virtual host whose DocumentRoot is the
# customer's public_html with "AllowOverride All", the one setting a
# customer must ask for (FcgidOutputBufferSize 0), and mod_fcgid's
# defaults otherwise, except the busy timeout: a host's is 300 s, checked
# every 120 s, which would make the test wait minutes; this host's is 25 s,
# checked every 5 s, and the customer keeps stream_lifetime under it
# exactly as doc/deployment.md says for 300 s (12 to 15 s here, 3½ to 4 min
# there).  At the end the host drops FcgidOutputBufferSize 0, and selftest
# must name it.  The host's access log leaves out the requests the .htaccess
# marks (env=!backstream_api) and logs those path only, as the customer
# asked (doc/deployment.md, "Shared hosting").
#
# Skipped (77) without Apache, mod_fcgid, mod_rewrite or curl; the browser
# part is skipped without Chromium, node, or the dashboard's npm install
# that "make bundle" left in bundle-www/.
: "${TEST_TIMEOUT:=420}"
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/deploy-lib.sh"

: "${APACHE:=$(command -v apache2 || echo /usr/sbin/apache2)}"
: "${APACHE_MODULES:=/usr/lib/apache2/modules}"
: "${CHROMIUM:=/usr/bin/chromium}"
: "${BROWSER_SHOTS:=$top_builddir/tests}"
deploy_need "$APACHE" curl
for m in mod_fcgid mod_rewrite mod_mime mod_dir mod_setenvif; do
	if [ ! -f "$APACHE_MODULES/$m.so" ]; then
		echo "$TEST_NAME: skipped: no $m in $APACHE_MODULES"
		exit 77
	fi
done
BUNDLE_TGZ=$(ls "$top_builddir"/backstream-*-linux-*.tar.gz 2>/dev/null |
    tail -n 1) || :
[ -f "$BUNDLE_TGZ" ] ||
    fail "no bundle in $top_builddir: make bundle (make check makes it)"
# The customer's programs find their own configuration.
unset BACKSTREAM_CONF

# ---- the customer ---------------------------------------------------------------

chmod 755 "$TMP"
CHOME=$TMP/home
mkdir -p "$CHOME" "$LOGS" "$RUN/fcgid"
if [ "$(id -u)" -eq 0 ]; then
	deploy_need useradd userdel setpriv
	CUSTOMER=bs$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	useradd --home-dir "$CHOME" --no-create-home --shell /bin/sh \
	    --user-group "$CUSTOMER" || fail "useradd $CUSTOMER"
	CUSTOMER_GROUP=$(id -gn "$CUSTOMER")
	chown "$CUSTOMER:$CUSTOMER_GROUP" "$CHOME" "$RUN/fcgid"
	USER_LINE="User $CUSTOMER
Group $CUSTOMER_GROUP"
else
	CUSTOMER=$(id -un)
	USER_LINE=
fi

# Processes of the customer (only the throwaway user's: a test run by its
# own user cannot tell them apart, and stops Apache by its pid).
customer_pids() {
	[ "$CUSTOMER" != "$(id -un)" ] || return 0
	ps -o pid= -u "$CUSTOMER" 2>/dev/null || :
}
teardown() {
	deploy_teardown
	if [ "$CUSTOMER" != "$(id -un)" ]; then
		# shellcheck disable=SC2046
		kill -KILL $(customer_pids) 2>/dev/null || :
		userdel "$CUSTOMER" 2>/dev/null ||
		    echo "$TEST_NAME: could not remove the user $CUSTOMER" >&2
	fi
}
trap 'rc=$?; teardown; (exit "$rc"); cleanup' EXIT

# $AS_CUSTOMER CMD...: CMD as the customer, in the home directory (a
# script, so that lib.sh's run() can bound it).
AS_CUSTOMER=$TMP/as-customer
{
	echo '#!/bin/sh'
	if [ "$CUSTOMER" = "$(id -un)" ]; then
		echo "cd '$CHOME' && HOME='$CHOME' exec \"\$@\""
	else
		echo "cd '$CHOME' && HOME='$CHOME' exec setpriv --reuid='$CUSTOMER'" \
		    "--regid='$CUSTOMER_GROUP' --init-groups -- \"\$@\""
	fi
} >"$AS_CUSTOMER"
chmod 755 "$AS_CUSTOMER"

step "the customer unpacks $(basename "$BUNDLE_TGZ") in the home directory"
cp "$BUNDLE_TGZ" "$CHOME/"
[ "$CUSTOMER" = "$(id -un)" ] || chown "$CUSTOMER" "$CHOME/$(basename "$BUNDLE_TGZ")"
expect 0 "$AS_CUSTOMER" tar -xzf "$(basename "$BUNDLE_TGZ")"
expect 0 "$AS_CUSTOMER" mkdir -p public_html
BUNDLE=$CHOME/$(basename "$BUNDLE_TGZ" .tar.gz)
[ -x "$BUNDLE/bin/backstream" ] || fail "no bin/backstream in the bundle"
# The CLI as the customer, for lib.sh's expect_bs.
cat >"$TMP/bs" <<EOF
#!/bin/sh
exec "$AS_CUSTOMER" "$BUNDLE/bin/backstream" "\$@"
EOF
chmod 755 "$TMP/bs"
BACKSTREAM=$TMP/bs

step "setup-site writes public_html and says what to do next"
expect_bs 0 setup-site "$CHOME/public_html"
cp "$OUT" "$TMP/setup-site.out"
cat "$OUT"
for f in .htaccess backstream-sse.fcgi backstream-api.fcgi; do
	[ -f "$CHOME/public_html/$f" ] || fail "setup-site wrote no $f"
done
check_contains "$CHOME/public_html/backstream-sse.fcgi" \
    "BACKSTREAM_CONF='$BUNDLE/etc/backstream.conf'"
DASHBOARD=0
[ ! -f "$CHOME/public_html/index.html" ] || DASHBOARD=1
# A second run replaces its own files; a file of the customer's is kept.
expect_bs 0 setup-site "$CHOME/public_html"
echo "RewriteEngine On" >"$TMP/theirs"
expect 0 "$AS_CUSTOMER" sh -c "cat '$TMP/theirs' >public_html/.htaccess"
expect_bs 1 setup-site "$CHOME/public_html"
check_contains "$ERR" "was not written by setup-site"
expect_bs 0 setup-site --force "$CHOME/public_html"
# The crontab's lines, as printed.
ENGINE_LINE=$(sed -n 's/^ *\* \* \* \* \* *//p' "$TMP/setup-site.out")
case $ENGINE_LINE in
"$BUNDLE/sbin/backstream-engine -q "*) ;;
*) fail "the engine's crontab line" "$BUNDLE/sbin/backstream-engine -q …" \
    "$ENGINE_LINE" ;;
esac
check_contains "$TMP/setup-site.out" "$BUNDLE/sbin/backstream-fetch-certs -c"
check_contains "$TMP/setup-site.out" "selftest"

step "the customer's configuration: streams end before the host's busy timeout"
# Appended to the bundle's etc/backstream.conf, where every key is a
# comment.  The engine runs a job slowly enough (some 33 s) to be watched
# over stream rotations: the page's streams, opened before it, would
# outlive the busy timeout if they did not end themselves.
cat >"$TMP/conf-add" <<EOF
project_id = shared-host-test
stream_lifetime = 15s
stream_jitter = 3s
heartbeat = 2s
retry = 1s
engine_cycle = 1s
engine_bar_rate = 500
log_level = debug
EOF
expect 0 "$AS_CUSTOMER" sh -c "cat '$TMP/conf-add' >>'$BUNDLE/etc/backstream.conf'"
expect_bs 0 init
expect_bs 0 demo-data
expect_bs 0 keygen "$BUNDLE/var/lib/backstream"
expect_bs 0 token --uid customer --ttl 30m
TOKEN=$(cat "$OUT")
[ -n "$TOKEN" ] || fail "backstream token printed no token"
[ ! -f "$BUNDLE/var/lib/backstream/signing-key.pem" ] ||
    chmod 600 "$BUNDLE/var/lib/backstream/signing-key.pem"

# ---- the host ---------------------------------------------------------------------------

ADIR=$TMP/apache
mkdir -p "$ADIR"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
cat >"$ADIR/httpd.conf" <<EOF
ServerRoot "$ADIR"
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile "$ADIR/httpd.pid"
DefaultRuntimeDir "$ADIR"
Mutex file:$ADIR default
$USER_LINE
ErrorLog "$LOGS/error.log"
LogLevel info
LoadModule mpm_event_module $APACHE_MODULES/mod_mpm_event.so
LoadModule authz_core_module $APACHE_MODULES/mod_authz_core.so
LoadModule mime_module $APACHE_MODULES/mod_mime.so
LoadModule dir_module $APACHE_MODULES/mod_dir.so
LoadModule env_module $APACHE_MODULES/mod_env.so
LoadModule setenvif_module $APACHE_MODULES/mod_setenvif.so
LoadModule rewrite_module $APACHE_MODULES/mod_rewrite.so
LoadModule fcgid_module $APACHE_MODULES/mod_fcgid.so
TypesConfig /etc/mime.types
FcgidIPCDir "$RUN/fcgid"
FcgidProcessTableFile "$RUN/fcgid_shm"
# The one thing the customer asked for.
FcgidOutputBufferSize 0
# A short busy timeout in place of the usual 300 s (see the top of the test).
FcgidBusyTimeout 25
FcgidBusyScanInterval 5
<Directory />
	AllowOverride None
	Require all denied
</Directory>
# The customer's site.
DocumentRoot "$CHOME/public_html"
<Directory "$CHOME/public_html">
	AllowOverride All
	Require all granted
</Directory>
LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" combined
LogFormat "%h %l %u %t \"%m %U %H\" %>s %O" pathonly
CustomLog "$LOGS/access.log" combined env=!backstream_api
CustomLog "$LOGS/api-access.log" pathonly env=backstream_api
EOF
expect 0 "$APACHE" -t -f "$ADIR/httpd.conf"

answers() {
	curl -s -o /dev/null --max-time 2 "$URL/"
}
step "start Apache on 127.0.0.1:$PORT, the site as $CUSTOMER's"
start_bg "$APACHE" -f "$ADIR/httpd.conf" -DFOREGROUND
APACHE_PID=$BG_PID
deploy_track "$APACHE_PID"
wait_for 15 answers

# ---- the checks -------------------------------------------------------------------------

if [ "$DASHBOARD" -eq 1 ]; then
	step "the dashboard is served"
	expect 0 curl -sS --max-time 10 -o "$TMP/index.html" -w '%{http_code}' "$URL/"
	check_eq "status of /" 200 "$(cat "$OUT")"
	check_contains "$TMP/index.html" '<div id="root">'
else
	step "no dashboard in this bundle (made without node): not checked"
fi

step "the responders run as the customer, with the customer's configuration"
expect 0 curl -sS --max-time 10 -o "$TMP/r.body" -w '%{http_code}' \
    "$URL/api/sse/backtest/jobs"
check_eq "status without a token" 401 "$(cat "$OUT")"
check_contains "$TMP/r.body" '"error":"unauthorized"'
expect 0 curl -sS --max-time 10 -o "$TMP/r.body" -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" "$URL/api/backtesting/symbols"
check_eq "status of GET /api/backtesting/symbols with Authorization" 200 \
    "$(cat "$OUT")"
check_contains "$TMP/r.body" '"symbol":"ACME"'
n=0
for d in /proc/[0-9]*; do
	[ "$(cat "$d/comm" 2>/dev/null)" = backstream-api ] || continue
	tr '\0' '\n' <"$d/environ" 2>/dev/null |
	    grep -qxF "BACKSTREAM_CONF=$BUNDLE/etc/backstream.conf" || continue
	owner=$(ps -o user= -p "${d#/proc/}")
	check_eq "owner of responder ${d#/proc/}" "$CUSTOMER" "$owner"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "REST responders of this site" "at least one" 0

step "backstream selftest passes, rotation and resume included"
export BACKSTREAM_TOKEN="$TOKEN"
COMMAND_TIMEOUT=$((2 * HANG)) \
    expect_bs 0 selftest "$URL/" --wait "$HANG" --rotation "$HANG"
cat "$OUT"

if [ -x "$CHROMIUM" ] && [ "$DASHBOARD" -eq 1 ] && command -v node >/dev/null &&
    [ -d "$top_builddir/bundle-www/node_modules/playwright-core" ]; then
	step "the dashboard in Chromium: a job's live progress, over stream rotations"
	SPEC='{"symbol":"ACME","interval":"minute","start_date":"2024-01-01","end_date":"2024-02-29","strategy":"sma_crossover","params":{"fast":10,"slow":30}}'
	expect_bs 0 submit --uid customer --json "$SPEC"
	JOB=$(job_id)
	[ -n "$JOB" ] || fail "submit printed no job id" "a job" "$(cat "$OUT")"
	start_bg timeout -k 5 200 env BROWSER_BASE="$URL" \
	    BROWSER_WWW="$top_builddir/bundle-www" BROWSER_TMP="$TMP" \
	    BROWSER_HOLD="$TMP/hold" BROWSER_SHOTS="$BROWSER_SHOTS" \
	    CHROMIUM="$CHROMIUM" BACKSTREAM="$BACKSTREAM" \
	    BACKSTREAM_CONF="$BUNDLE/etc/backstream.conf" \
	    node "$top_srcdir/tests/browser/shared-host.mjs" "$TOKEN" "$JOB" \
	    "$TMP/go"
	NODE_PID=$BG_PID
	tries=600
	while [ ! -f "$TMP/go" ]; do
		kill -0 "$NODE_PID" 2>/dev/null || break
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || fail "the page did not show the job in 60 s"
		sleep 0.1
	done
	if [ -f "$TMP/go" ]; then
		step "cron's minute: the engine's crontab line, as the customer"
		# shellcheck disable=SC2086
		COMMAND_TIMEOUT=150 expect 0 "$AS_CUSTOMER" $ENGINE_LINE
		[ ! -s "$OUT" ] && [ ! -s "$ERR" ] || fail "the engine wrote" \
		    "nothing (cron would mail it)" "$(cat "$OUT" "$ERR")"
	fi
	status=0
	wait "$NODE_PID" || status=$?
	sed 's/^/    /' "$TMP/bg-$NODE_PID.log"
	[ "$status" -eq 0 ] || fail "tests/browser/shared-host.mjs exited $status"
	# selftest's stream and the page's streams, across several lifetimes.
	min_rotations=3
else
	step "no Chromium, node, dashboard or playwright-core: the browser part is skipped"
	# selftest's stream alone (a dist tarball has no dashboard).
	min_rotations=1
fi

step "stop Apache: every process it started ends"
deploy_untrack "$APACHE_PID"
stop_tree "$APACHE_PID" 15 || fail "processes left after Apache stopped"
left=$(customer_pids | tr '\n' ' ')
[ -z "$(echo $left)" ] || fail "the customer's processes after Apache stopped" \
    "none" "$(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)")"

step "a host without FcgidOutputBufferSize 0: selftest says what to ask for"
grep -v '^FcgidOutputBufferSize' "$ADIR/httpd.conf" >"$ADIR/buffering.conf"
start_bg "$APACHE" -f "$ADIR/buffering.conf" -DFOREGROUND
APACHE_PID=$BG_PID
deploy_track "$APACHE_PID"
wait_for 15 answers
COMMAND_TIMEOUT=60 expect_bs 1 selftest "$URL/" --wait 5
cat "$OUT"
grep -q '^FAIL  *events unbuffered .*FcgidOutputBufferSize 0' "$OUT" ||
    fail "selftest against a buffering host" \
    "FAIL events unbuffered … FcgidOutputBufferSize 0" "$(cat "$OUT")"
deploy_untrack "$APACHE_PID"
stop_tree "$APACHE_PID" 15 || fail "processes left after Apache stopped"
left=$(customer_pids | tr '\n' ' ')
[ -z "$(echo $left)" ] || fail "the customer's processes after Apache stopped" \
    "none" "$(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)")"

step "no stream was killed by the busy timeout; no token in any log"
check_not_contains "$LOGS/error.log" "busy timeout"
rotations=$(grep -c "lifetime reached" "$LOGS/error.log" || :)
[ "$rotations" -ge "$min_rotations" ] ||
    fail "streams that ended themselves (\"lifetime reached\")" \
    "$min_rotations or more" "$rotations"
echo "$rotations streams ended themselves; none was killed"
deploy_check_logs "$LOGS/api-access.log" "$LOGS/access.log" "$LOGS/error.log"
for f in $(find "$BUNDLE/var" -name '*.log' -type f); do
	check_not_contains "$f" "$TOKEN"
done
echo "$TEST_NAME: passed"
