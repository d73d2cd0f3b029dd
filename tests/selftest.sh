# tests/selftest.sh: "backstream selftest" against lighttpd: a sound site passes, a buffering one and a bad token fail.
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/lighttpd.sh"

lighttpd_require

conf_set project_id selftest-project
conf_set cert_file "$TMP/keys/certs.json"
conf_set verify_helper "$top_builddir/cgi-bin/backstream-verify"
conf_set heartbeat 1s
conf_set stream_lifetime 4s
conf_set stream_jitter 1s
mkdir -p "$TMP/keys"
expect_bs 0 init
expect_bs 0 keygen "$TMP/keys"
expect_bs 0 token --uid selftest-user
TOKEN=$(cat "$OUT")
cp "$OUT" "$TMP/token"
printf '%sx\n' "$TOKEN" >"$TMP/bad-token"

step "a token on the command line is refused, naming the ways to give one"
expect_bs 2 selftest http://localhost:1 "$TOKEN"
check_contains "$ERR" "visible to every local user"
check_contains "$ERR" "BACKSTREAM_TOKEN"
check_contains "$ERR" "--token-file"
unset BACKSTREAM_TOKEN
expect_bs 2 selftest http://localhost:1
check_contains "$ERR" "no token"
expect_bs 2 selftest http://localhost:1 --token-file "$TMP/none"
printf 'a "token"\n' >"$TMP/quoted-token"
expect_bs 2 selftest http://localhost:1 --token-file "$TMP/quoted-token"
check_contains "$ERR" "characters a token cannot have"

step "a sound site passes every check, rotation included"
LIGHTTPD_SSE_PROCS=4 lighttpd_start
# From the environment, where only its user (and root) can read it.
export BACKSTREAM_TOKEN="$TOKEN"
expect_bs 0 selftest "$LIGHTTPD_URL" --wait "$HANG" --rotation "$HANG"
unset BACKSTREAM_TOKEN
for check in "stream opens" "events unbuffered" "content type" "cache-control" \
    heartbeats "authorization header" rotation; do
	grep -q "^ok  *$check " "$OUT" || fail "selftest check \"$check\" passes" "ok" "$(cat "$OUT")"
done

step "a refused token fails the first check"
expect_bs 1 selftest "$LIGHTTPD_URL" --token-file "$TMP/bad-token" --wait 5
check_contains "$OUT" "HTTP 401"
lighttpd_stop || fail "lighttpd stopped"

step "a buffering server is caught"
LIGHTTPD_EXTRA_CONF='server.stream-response-body := 0' LIGHTTPD_SSE_PROCS=2 lighttpd_start
expect 1 sh -c '"$1" selftest "$2" --token-file - --wait 5 <"$3"' sh \
    "$BACKSTREAM" "$LIGHTTPD_URL" "$TMP/token"
check_contains "$OUT" "a layer buffers the response"
lighttpd_stop || fail "lighttpd stopped"
