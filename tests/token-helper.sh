# tests/token-helper.sh: a stream's token check by backstream-verify: a helper slowed by an overloaded host (held by the test for seconds) still lets the stream open; a hung one is killed after 30 s and the client gets 503; the responder then serves the next stream.
. "${top_srcdir:-..}/tests/lib.sh"
LIGHTTPD_SSE_PROCS=2
. "$top_srcdir/tests/lighttpd.sh"

lighttpd_require
if sse_checks_in_process; then
	echo "$TEST_NAME: skipped: backstream-sse checks tokens itself (Nettle)"
	exit 77
fi

expect_bs 0 init
mkdir "$TMP/keys"
expect_bs 0 keygen "$TMP/keys"
for uid in alice bob carol; do
	expect_bs 0 token --uid "$uid"
	cp "$OUT" "$TMP/$uid.token"
done

# The real helper behind a wrapper: slow for alice's token (it says it
# started, then waits while $TMP/alice.hold exists), hung for bob's (its
# pid, which exec keeps, in $TMP/hung.pid), quick for anyone else.
cat >"$TMP/helper" <<HELPER
#!/bin/sh
token=\$(cat)
case \$token in
"\$(cat "$TMP/alice.token")")
	echo \$\$ >"$TMP/alice.started"
	while [ -e "$TMP/alice.hold" ]; do
		sleep 0.1
	done ;;
"\$(cat "$TMP/bob.token")")
	echo \$\$ >"$TMP/hung.pid"
	exec sleep 600 ;;
esac
printf '%s' "\$token" | "$top_builddir/cgi-bin/backstream-verify" "\$@"
HELPER
chmod +x "$TMP/helper"
conf_set verify_helper "$TMP/helper"
conf_set heartbeat 1s
lighttpd_start
step "lighttpd $LIGHTTPD_PID on $LIGHTTPD_URL"

# stream UID: opens UID's job list stream in the background (CURL_PID):
# its headers land in $TMP/UID.head, its body in $TMP/UID.body and, once it
# ends, "status seconds" in $TMP/UID.got.
stream() {
	curl -s -N -D "$TMP/$1.head" -o "$TMP/$1.body" \
	    -w '%{http_code} %{time_total}' --max-time "$HANG" \
	    "$LIGHTTPD_URL/api/sse/backtest/jobs?token=$(cat "$TMP/$1.token")" \
	    >"$TMP/$1.got" &
	CURL_PID=$!
	PIDS="$PIDS $CURL_PID"
}

step "a slow helper, and a hung one, at once"
touch "$TMP/alice.hold"
stream alice
ALICE=$CURL_PID
stream bob
BOB=$CURL_PID
wait_for "$HANG" test -s "$TMP/alice.started"
wait_for "$HANG" test -s "$TMP/hung.pid"
# The slow one is held 3 s more (time that must pass: its slowness), well
# inside the responder's 30 s, which starts before the helper does.
sleep 3
rm "$TMP/alice.hold"

step "the slow one: the stream opened"
wait_for "$HANG" grep -q "event: snapshot" "$TMP/alice.body"
check_eq "the status" 200 "$(head -1 "$TMP/alice.head" | cut -d' ' -f2)"
stop_pid "$ALICE"

step "the hung one: 503 after 30 s, the helper killed"
wait "$BOB" || :
hung=$(cat "$TMP/hung.pid")
PIDS="$PIDS $hung"
check_eq "the status" 503 "$(cut -d' ' -f1 "$TMP/bob.got")"
secs=$(cut -d' ' -f2 "$TMP/bob.got")
[ "${secs%%.*}" -ge 29 ] || fail "the wait for the helper" ">= 30 s" "$secs s"
check_contains "$TMP/bob.body" "authentication is unavailable; try again later"
check_contains "$LIGHTTPD_STDERR" "did not answer within 30 s"
! kill -0 "$hung" 2>/dev/null || fail "the hung helper $hung still runs"

step "the next stream opens"
curl -s -N -D "$TMP/carol.head" -o "$TMP/carol.body" --max-time "$HANG" \
    "$LIGHTTPD_URL/api/sse/backtest/jobs?token=$(cat "$TMP/carol.token")" &
carol=$!
PIDS="$PIDS $carol"
wait_for "$HANG" grep -q "event: snapshot" "$TMP/carol.body"
check_eq "the status" 200 "$(head -1 "$TMP/carol.head" | cut -d' ' -f2)"
stop_pid "$carol"

lighttpd_stop || fail "responders outlived lighttpd"
