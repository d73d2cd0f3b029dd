# tests/sse-lib.sh: what the stream tests share, after lib.sh: a store with demo data and keys, lighttpd with both responders, and the node client.
#
# Usage, at the top of a tests/sse-*.sh:
#
#	. "${top_srcdir:-..}/tests/lib.sh"
#	. "$top_srcdir/tests/sse-lib.sh"
#	conf_set …			# the test's own settings
#	sse_start			# store, keys, lighttpd
#	sse_node events.mjs		# tests/sse/events.mjs, bounded
#	sse_stop			# lighttpd, then the checks of its logs
#
# The node scripts use the npm packages eventsource and typescript (which
# compiles the dashboard's hooks, www/src/hooks/*.ts, for tests/sse/hooks.mjs),
# installed into $top_builddir/tests/node by "make check" (Makefile.am);
# without node, those packages or the hooks' files the test is skipped
# (exit 77).

# One responder per open stream: the tests hold several at once.
: "${LIGHTTPD_SSE_PROCS:=8}"
. "$top_srcdir/tests/lighttpd.sh"

: "${NODE:=$(command -v node || :)}"
: "${ENGINE:=$top_builddir/engine/backstream-engine}"
SSE_NODE_DIR=$top_builddir/tests/node
SLOWCLOCK=$top_builddir/tests/slowclock.so

sse_skip() {
	echo "$TEST_NAME: skipped: $*"
	exit 77
}

[ -n "$NODE" ] || sse_skip "no node"
[ -f "$SSE_NODE_DIR/node_modules/eventsource/package.json" ] ||
    sse_skip "the npm package eventsource is not in $SSE_NODE_DIR (did npm ci fail?)"
[ -f "$SSE_NODE_DIR/node_modules/typescript/package.json" ] ||
    sse_skip "the npm package typescript is not in $SSE_NODE_DIR (did npm ci fail?)"
[ -f "$top_srcdir/www/src/hooks/useBacktestJobsSSE.ts" ] ||
    sse_skip "no www/src/hooks/*.ts in $top_srcdir"
[ -x "$LIGHTTPD" ] || sse_skip "no lighttpd at $LIGHTTPD"
[ -x "$LIGHTTPD_API_BIN" ] || sse_skip "no $LIGHTTPD_API_BIN"
[ -x "$LIGHTTPD_SSE_BIN" ] || sse_skip "no $LIGHTTPD_SSE_BIN"
[ -x "$ENGINE" ] || sse_skip "no engine at $ENGINE"

# A killed responder makes the next process that opens the store recover
# it, and every other process reopen it (lib/store-recover.c): Berkeley DB
# cannot close a panicked environment cleanly, so the old one's memory is
# abandoned, and a sanitizer build's LeakSanitizer would report it at exit.
printf 'leak:libdb-5.3.so\n' >"$TMP/lsan.supp"
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TMP/lsan.supp"
export LSAN_OPTIONS

# What every stream test runs with; a test changes what it needs before
# sse_start.  A 1 s heartbeat makes idle streams talk often enough to watch.
conf_set verify_helper "$top_builddir/cgi-bin/backstream-verify"
conf_set log_level info
conf_set heartbeat 1s
# Events must come by the wake: a poll far past the hang guard cannot
# deliver one in time.  A test whose writers die between commit and wake
# (sse-faults) or whose responders sleep through wakes (sse-resume's
# stopped ones) sets a short one itself.
conf_set poll_interval 10m
conf_set max_queued_jobs 1000

# Makes the store, the demo bars and the signing keys, and starts lighttpd.
sse_start() {
	expect_bs 0 init
	expect_bs 0 demo-data
	mkdir -p "$TMP/keys"
	expect_bs 0 keygen "$TMP/keys"
	lighttpd_start
	step "lighttpd $LIGHTTPD_PID on $LIGHTTPD_URL, $LIGHTTPD_SSE_PROCS stream responders"
}

# sse_node SCRIPT [ARGS]: runs tests/sse/SCRIPT under node with what it
# needs in its environment; fails the test if it fails.
sse_node() {
	script=$1
	shift
	status=0
	# The script bounds itself too (run() in client.mjs), a little sooner.
	timeout -k 5 "${SSE_NODE_TIMEOUT:-660}" env \
	    SSE_BASE="$LIGHTTPD_URL" SSE_NODE_DIR="$SSE_NODE_DIR" \
	    LIGHTTPD_PID="$LIGHTTPD_PID" TMP="$TMP" TEST_NAME="$TEST_NAME" \
	    BACKSTREAM="$BACKSTREAM" ENGINE="$ENGINE" SLOWCLOCK="$SLOWCLOCK" \
	    BACKSTREAM_CONF="$CONF" \
	    "$NODE" "$top_srcdir/tests/sse/$script" "$@" || status=$?
	[ "$status" -eq 0 ] || fail "tests/sse/$script exited $status"
}

# Stops lighttpd; fails if a responder outlived it, if its stderr (the
# responders' log) has a sanitizer report or a crash, or if a token (a JWT:
# "eyJ…") was written to a log.  lighttpd's own error log is left out when
# responders were killed: lighttpd logs the request line, query and all,
# of a response whose backend died.
sse_stop() {
	lighttpd_stop || fail "responders outlived lighttpd"
	logs="$LIGHTTPD_ACCESS_LOG $LIGHTTPD_STDERR"
	[ -n "${SSE_KILLS_EXPECTED:-}" ] || logs="$logs $LIGHTTPD_ERROR_LOG"
	for log in $logs; do
		[ -f "$log" ] || continue
		check_not_contains "$log" "eyJ"
	done
	if grep -qE 'Sanitizer|runtime error:' "$LIGHTTPD_STDERR"; then
		sed 's/^/    /' "$LIGHTTPD_STDERR" | head -60 >&2
		fail "sanitizer report in the responders' log"
	fi
	if grep -qE 'child (signalled|exited)' "$LIGHTTPD_ERROR_LOG" &&
	    [ -z "${SSE_KILLS_EXPECTED:-}" ]; then
		sed 's/^/    /' "$LIGHTTPD_ERROR_LOG" | tail -20 >&2
		fail "a responder died"
	fi
}

# sse_tail_used: fails unless the responders' closing log lines show
# updates read from the tail of the change log (lib/follow.c), without a
# store transaction: every event would be right from the store as well, so
# a tail that always fell back would otherwise pass unnoticed.
sse_tail_used() {
	tail_updates=$(cat "$LIGHTTPD_STDERR" "$LIGHTTPD_ERROR_LOG" 2>/dev/null |
	    sed -n 's/.*updates: \([0-9][0-9]*\) from the tail.*/\1/p' |
	    awk '{ n += $1 } END { print n + 0 }')
	[ "$tail_updates" -gt 0 ] ||
	    fail "no stream update was read from the tail of the change log"
	step "$tail_updates stream updates read from the tail"
	writer_texts=$(cat "$LIGHTTPD_STDERR" "$LIGHTTPD_ERROR_LOG" 2>/dev/null |
	    sed -n 's/.* \([0-9][0-9]*\) events of the writer.s text.*/\1/p' |
	    awk '{ n += $1 } END { print n + 0 }')
	[ "$writer_texts" -gt 0 ] ||
	    fail "no list event was sent with the text its writer made"
	step "$writer_texts list events sent with the writer's text"
}
