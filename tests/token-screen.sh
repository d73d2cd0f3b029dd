# tests/token-screen.sh: tokens that cannot be valid (not a JWS, not RS256, an unknown kid, expired, another project's) are refused 401 by the stream responder without starting the backstream-verify helper; a valid one opens the stream (starting the helper unless the responder checks tokens itself), and a bad signature is refused.
. "${top_srcdir:-..}/tests/lib.sh"
LIGHTTPD_SSE_PROCS=2
. "$top_srcdir/tests/lighttpd.sh"

lighttpd_require

# No clock skew allowed: a token made to last 1 s is refused 2 s on.
conf_set token_leeway 0s
expect_bs 0 init
mkdir "$TMP/keys" "$TMP/other-keys"
expect_bs 0 keygen "$TMP/keys"
expect_bs 0 keygen "$TMP/other-keys"
sed "s|^cert_file = .*|cert_file = $TMP/other-keys/certs.json|" "$CONF" >"$TMP/other.conf"
sed "s|^project_id = .*|project_id = another-project|" "$CONF" >"$TMP/project.conf"

# token NAME [ARGS]: mints a token for alice into $TMP/NAME.token.
token() {
	name=$1
	shift
	expect_bs 0 "$@" token --uid alice
	cp "$OUT" "$TMP/$name.token"
}
token valid
token forged -c "$TMP/other.conf"
token project -c "$TMP/project.conf"
expect_bs 0 token --uid alice --ttl 1
cp "$OUT" "$TMP/expired.token"

# b64url TEXT: TEXT in unpadded base64url.
b64url() {
	printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='
}
VALID=$(cat "$TMP/valid.token")
PAYLOAD=$(echo "$VALID" | cut -d. -f2)
SIG=$(echo "$VALID" | cut -d. -f3)
printf '%s' "a.b.c" >"$TMP/short.token"
printf '%s' "junk" >"$TMP/junk.token"
printf '%s.%s.%s' "$(b64url 'not json')" "$PAYLOAD" "$SIG" >"$TMP/notjson.token"
printf '%s.%s.%s' "$(b64url '{"alg":"HS256","kid":"x","typ":"JWT"}')" \
    "$PAYLOAD" "$SIG" >"$TMP/hs256.token"
printf '%s.%s.%s' "$(b64url '{"alg":"RS256","typ":"JWT"}')" \
    "$PAYLOAD" "$SIG" >"$TMP/nokid.token"
# A header of 1.5 KiB (lighttpd refuses a token over 8 KiB itself).
printf '%s.%s.%s' "$(b64url "{\"alg\":\"RS256\",\"x\":\"$(head -c 1500 /dev/zero | tr '\0' x)\"}")" \
    "$PAYLOAD" "$SIG" >"$TMP/long.token"

# The real helper behind a wrapper that counts its starts.
cat >"$TMP/helper" <<HELPER
#!/bin/sh
echo start >>"$TMP/starts"
exec "$top_builddir/cgi-bin/backstream-verify" "\$@"
HELPER
chmod +x "$TMP/helper"
: >"$TMP/starts"
conf_set verify_helper "$TMP/helper"
conf_set log_level debug
lighttpd_start
step "lighttpd $LIGHTTPD_PID on $LIGHTTPD_URL"

starts() {
	wc -l <"$TMP/starts" | tr -d ' '
}

step "a token that can be told invalid without its signature: 401, no helper"
sleep 2		# the expired token's second
for name in junk short long notjson hs256 nokid forged project expired; do
	code=$(curl -sS --max-time "$HANG" -o "$OUT" -w '%{http_code}' \
	    -H "Authorization: Bearer $(cat "$TMP/$name.token")" \
	    "$LIGHTTPD_URL/api/sse/backtest/jobs") || fail "curl ($name)"
	check_eq "status for the $name token" 401 "$code"
	check_contains "$OUT" '{"error":"unauthorized","message":"the token is invalid or has expired"}'
	check_eq "helper starts after the $name token" 0 "$(starts)"
done

# Built with Nettle, the responder starts no helper at all.
if sse_checks_in_process; then per_check=0; else per_check=1; fi

step "a valid token is checked in full, and its stream opens"
curl -s -N -o "$TMP/valid.body" --max-time "$HANG" \
    "$LIGHTTPD_URL/api/sse/backtest/jobs?token=$VALID" &
stream=$!
PIDS="$PIDS $stream"
wait_for "$HANG" grep -q "event: snapshot" "$TMP/valid.body"
stop_pid "$stream"
check_eq "helper starts" "$per_check" "$(starts)"

step "a token with a bad signature but a plausible shape: the full check refuses it"
# The screen cannot tell: the signature is another key's, of the same size.
code=$(curl -sS --max-time "$HANG" -o "$OUT" -w '%{http_code}' \
    -H "Authorization: Bearer $(cut -d. -f1,2 "$TMP/valid.token").$(cut -d. -f3 "$TMP/forged.token")" \
    "$LIGHTTPD_URL/api/sse/backtest/jobs") || fail "curl (bad signature)"
check_eq "status for a bad signature" 401 "$code"
check_eq "helper starts" "$((per_check * 2))" "$(starts)"

lighttpd_stop || fail "responders outlived lighttpd"
echo "PASS: $TEST_NAME"
