# tests/browser.sh: the dashboard (www/) and the frontend guide's hooks in headless Chromium, against the web demo (scripts/demo-web.sh): submit, watch, cancel, delete; hook state equal to REST; three tabs sharing their streams.
#
# Skipped (77) without Chromium (Debian's chromium, /usr/bin/chromium or
# $CHROMIUM), node 20.19+ with npm, lighttpd or bash, in a tree without www/
# (a dist tarball), or when npm ci cannot reach the registry.  The dashboard
# is built in the test's temp dir (scripts/build-www.sh: npm ci, vite
# build), which also gives playwright-core, which drives Chromium; no
# browser is downloaded.  Scenarios, each a node script in tests/browser/:
#	guide.mjs	the hooks in www/src/hooks are the guide's, unchanged
#			(only when the operator names the guide's markdown
#			file: GUIDE=FILE; it is not part of this tree)
#	dashboard.mjs	(a) the dashboard: a backtest submitted in the form,
#			its progress to 100 %, transactions, summary and chart;
#			the status filter; cancel (queued, running); delete.
#			Its screenshot goes to $BROWSER_SHOTS (default: this
#			directory of the build tree), browser-dashboard.png.
#	hooks.mjs	(b) www/test-hooks.html: the four hooks in React,
#			their state against REST and the CLI through submit,
#			run, fail, cancel and delete.
#	tabs.mjs	(c) three tabs of the dashboard live at once over
#			HTTP/1.1, their streams shared (the server's count
#			checked with ss); one closed, the others live; the
#			hooks page joined late in the state of the first.
# Set BROWSER_VERBOSE=1 to see the pages' console.
: "${TEST_TIMEOUT:=1200}"
. "${top_srcdir:-..}/tests/lib.sh"

skip() {
	echo "$TEST_NAME: skipped: $*"
	exit 77
}

: "${CHROMIUM:=/usr/bin/chromium}"
: "${NODE:=$(command -v node || :)}"
: "${LIGHTTPD:=$(command -v lighttpd || echo /usr/sbin/lighttpd)}"
: "${BROWSER_SHOTS:=$top_builddir/tests}"

[ -f "$top_srcdir/www/package.json" ] && [ -f "$top_srcdir/scripts/demo-web.sh" ] ||
    skip "no www/ or scripts/demo-web.sh in $top_srcdir (a dist tarball?)"
[ -x "$CHROMIUM" ] || skip "no Chromium at $CHROMIUM (Debian: apt-get install chromium)"
[ -n "$NODE" ] && command -v npm >/dev/null 2>&1 || skip "no node or npm"
[ -x "$LIGHTTPD" ] || skip "no lighttpd at $LIGHTTPD"
command -v bash >/dev/null 2>&1 || skip "no bash"
export LIGHTTPD

# ---- the dashboard ------------------------------------------------------------------

step "build the dashboard in $TMP/www"
COMMAND_TIMEOUT=300 run bash "$top_srcdir/scripts/build-www.sh" "$TMP/www"
case $STATUS in
0) ;;
3 | 4) skip "$(tail -n 1 "$ERR")" ;;
*) fail "scripts/build-www.sh exited $STATUS" ;;
esac
WWW_DIST=$(tail -n 1 "$OUT")
[ -f "$WWW_DIST/index.html" ] && [ -f "$WWW_DIST/test-hooks.html" ] ||
    fail "no index.html and test-hooks.html in $WWW_DIST"

# browser_node SCRIPT [ARGS]: runs tests/browser/SCRIPT; fails the test if
# it fails.  The scripts bound themselves too, a little sooner.
browser_node() {
	script=$1
	shift
	status=0
	timeout -k 5 "${BROWSER_NODE_TIMEOUT:-420}" env \
	    BROWSER_BASE="http://127.0.0.1:$PORT" BROWSER_WWW="$TMP/www" \
	    BROWSER_TMP="$TMP" BROWSER_HOLD="$HOLD" BROWSER_SHOTS="$BROWSER_SHOTS" \
	    CHROMIUM="$CHROMIUM" BACKSTREAM="$BACKSTREAM" \
	    BACKSTREAM_CONF="$DEMO/backstream.conf" \
	    "$NODE" "$top_srcdir/tests/browser/$script" "$@" || status=$?
	[ "$status" -eq 0 ] || fail "tests/browser/$script exited $status"
}

step "the hooks are the guide's"
if [ -z "${GUIDE:-}" ]; then
	echo "GUIDE not set: not compared"
elif [ -f "$GUIDE" ]; then
	expect 0 "$NODE" "$top_srcdir/tests/browser/guide.mjs" "$GUIDE" \
	    "$top_srcdir/www/src/hooks"
	cat "$OUT"
else
	fail "GUIDE=$GUIDE: no such file"
fi

# ---- the web demo -----------------------------------------------------------------------

DEMO=$TMP/demo
HOLD=$TMP/hold
PORT=$(free_port)
step "start the web demo on 127.0.0.1:$PORT"
# One job of the demo's own; slow enough (30 ms every 1024 bars: a year of
# minute bars in about 3 s) that progress can be watched and a job held.
start_bg env DEMO_DIR="$DEMO" DEMO_PORT="$PORT" DEMO_WWW="$WWW_DIST" \
    DEMO_JOBS=1 DEMO_BAR_RATE=30000 DEMO_HOLD="$HOLD" DEMO_API_PROCS=2 \
    bash "$top_srcdir/scripts/demo-web.sh" "$top_builddir"
DEMO_PID=$BG_PID
# The demo stops its lighttpd, responders and engine when told; give it
# time to, before lib.sh's cleanup (which would KILL it after 5 s).
trap 'rc=$?; stop_pid "$DEMO_PID" 60; (exit "$rc"); cleanup' EXIT
tries=$((HANG * 10))
while [ ! -s "$DEMO/url" ]; do
	if ! kill -0 "$DEMO_PID" 2>/dev/null; then
		sed 's/^/    /' "$TMP/bg-$DEMO_PID.log" >&2
		fail "scripts/demo-web.sh stopped before it was ready"
	fi
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] || fail "scripts/demo-web.sh not ready after $HANG s"
	sleep 0.1
done
TOKEN=$(cat "$DEMO/token")
bs -c "$DEMO/backstream.conf" token --uid hooks
[ "$STATUS" -eq 0 ] || fail "no token for the user hooks"
HOOKS_TOKEN=$(cat "$OUT")
bs -c "$DEMO/backstream.conf" token --uid tabs
[ "$STATUS" -eq 0 ] || fail "no token for the user tabs"
TABS_TOKEN=$(cat "$OUT")

# ---- the scenarios ---------------------------------------------------------------------

step "(a) the dashboard"
browser_node dashboard.mjs "$TOKEN"
step "(b) the guide's hooks against REST and the CLI"
browser_node hooks.mjs "$HOOKS_TOKEN" hooks
step "(c) three tabs over HTTP/1.1"
browser_node tabs.mjs "$TABS_TOKEN"

# ---- everything stops ----------------------------------------------------------------

# Processes of this test: by a path under $TMP on their command line
# (lighttpd, the engine, Chromium's profile), or the demo's configuration
# in their environment (the responders).
ours() {
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" != $$ ] || continue
		if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$TMP/" ||
		    tr '\0' '\n' 2>/dev/null <"$p/environ" |
		    grep -qxF "BACKSTREAM_CONF=$DEMO/backstream.conf"; then
			echo "$pid $(tr '\0' ' ' 2>/dev/null <"$p/cmdline" | cut -c1-100)"
		fi
	done
}

step "stop the demo"
stop_pid "$DEMO_PID" 60
sed 's/^/    /' "$TMP/bg-$DEMO_PID.log" | tail -n 3
left=$(ours)
[ -z "$left" ] || fail "processes left after the demo stopped" "none" "$left"

step "the logs"
for f in "$DEMO"/*.log "$DEMO/lighttpd.out"; do
	[ -f "$f" ] || continue
	if grep -qE 'Sanitizer|runtime error:' "$f"; then
		sed 's/^/    /' "$f" | grep -E -A20 'Sanitizer|runtime error:' | head -40 >&2
		fail "a sanitizer report in $(basename "$f")"
	fi
done
grep -q ' /api/sse/backtest/' "$DEMO/access.log" ||
    fail "the access log has the streams" "/api/sse/backtest/…" "$(head -3 "$DEMO/access.log")"
check_not_contains "$DEMO/access.log" "token="
echo "$TEST_NAME: passed"
