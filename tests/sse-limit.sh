# tests/sse-limit.sh: one user's streams are capped (max_user_streams): one more gets 429 with Retry-After and a JSON body while another user is still served, and a SIGKILLed responder's slot is free again.
. "${top_srcdir:-..}/tests/lib.sh"
LIGHTTPD_SSE_PROCS=6
. "$top_srcdir/tests/lighttpd.sh"

lighttpd_require

conf_set verify_helper "$top_builddir/cgi-bin/backstream-verify"
conf_set heartbeat 1s
conf_set max_user_streams 2
expect_bs 0 init
mkdir "$TMP/keys"
expect_bs 0 keygen "$TMP/keys"
for uid in alice bob; do
	expect_bs 0 token --uid "$uid"
	cp "$OUT" "$TMP/$uid.token"
done
lighttpd_start
step "lighttpd $LIGHTTPD_PID on $LIGHTTPD_URL"

# open NAME UID: opens UID's job list stream in the background (curl's pid
# in $STREAM) and waits for its snapshot.
open() {
	curl -s -N -D "$TMP/$1.head" -o "$TMP/$1.body" --max-time "$HANG" \
	    "$LIGHTTPD_URL/api/sse/backtest/jobs?token=$(cat "$TMP/$2.token")" &
	STREAM=$!
	PIDS="$PIDS $STREAM"
	wait_for "$HANG" grep -q "event: snapshot" "$TMP/$1.body"
}

# refused UID: UID's next stream gets the 429.
refused() {
	code=$(curl -sS --max-time "$HANG" -D "$TMP/429.head" -o "$OUT" \
	    -w '%{http_code}' \
	    "$LIGHTTPD_URL/api/sse/backtest/jobs?token=$(cat "$TMP/$1.token")") ||
	    fail "curl of a third stream"
	check_eq "status of a stream past the limit" 429 "$code"
	check_eq "its body" '{"error":"too_many_requests","message":"2 streams are open for this user, the most allowed; close one"}' "$(cat "$OUT")"
	tr -d '\r' <"$TMP/429.head" | grep -qx 'Retry-After: 30' ||
	    fail "a Retry-After header" "Retry-After: 30" "$(cat "$TMP/429.head")"
}

step "alice holds her two streams; a third is refused 429"
open a1 alice
open a2 alice
refused alice

step "bob is served meanwhile"
open b1 bob

step "a SIGKILLed responder's slot is free again"
# The slot file names each holder: "pid uid", NUL-padded.
victim=$(tr '\0' ' ' <"$STORE/streams.slots" | awk '$2 == "alice" { print $1; exit }')
[ -n "$victim" ] || fail "alice's slots in the slot file" "two" "$(tr '\0' ' ' <"$STORE/streams.slots")"
kill -KILL "$victim"
wait_for "$HANG" eval "! pid_running $victim"
open a3 alice
check_eq "status of alice's stream after the kill" 200 \
    "$(head -1 "$TMP/a3.head" | cut -d' ' -f2)"
refused alice

step "a stream closed and another opened at once: the new one waits for the slot"
# As a page does when a stream's parameters change.  The old responder
# lets its slot go when it notices the closed connection, which may come
# after the new request; the new one waits for it instead of a 429.
stop_pid "$STREAM"
open a4 alice
check_eq "status of the stream opened as another closed" 200 \
    "$(head -1 "$TMP/a4.head" | cut -d' ' -f2)"
refused alice

lighttpd_stop || fail "responders outlived lighttpd"
echo "PASS: $TEST_NAME"
