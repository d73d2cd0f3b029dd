# tests/sse-errors.sh: bad input before a stream starts (parameters, ids, paths, methods, tokens) gets a quick 400/401/404/405 with a JSON body naming the problem, and harms no responder; a configuration that cannot be read gets 503 from both responders.
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/sse-lib.sh"

# No clock skew allowed: a token made to last 1 s is refused 2 s on.
conf_set token_leeway 0s
# Configurations that mint tokens the server must refuse: one with another
# signing key (keys made by the script), one for another project.
mkdir "$TMP/other-keys"
sed "s|^cert_file = .*|cert_file = $TMP/other-keys/certs.json|" "$CONF" >"$TMP/other.conf"
sed "s|^project_id = .*|project_id = another-project|" "$CONF" >"$TMP/project.conf"
sse_start
sse_node errors.mjs
sse_stop

# Both responders, started with -c naming a file they cannot read (their
# BACKSTREAM_CONF names a good one): they stay up, say why once, and
# answer every request 503.
step "a configuration that cannot be read: 503 from both responders, the cause logged once"
printf 'heartbeat = soon\n' >"$TMP/bad.conf"
for prog in api sse; do
	printf '#!/bin/sh\nexec "%s" -c "%s"\n' \
	    "$top_builddir/cgi-bin/backstream-$prog" "$TMP/bad.conf" \
	    >"$TMP/bad-$prog"
	chmod +x "$TMP/bad-$prog"
done
: >"$LIGHTTPD_STDERR"
LIGHTTPD_API_BIN=$TMP/bad-api LIGHTTPD_SSE_BIN=$TMP/bad-sse \
    LIGHTTPD_SSE_PROCS=1 lighttpd_start
for path in /api/sse/backtest/jobs /api/sse/backtest/jobs \
    /api/backtesting/jobs /api/backtesting/jobs; do
	code=$(curl -sS --max-time 10 -o "$TMP/bad.out" -w '%{http_code}' \
	    "$LIGHTTPD_URL$path") || fail "curl $path"
	check_eq "status of $path" 503 "$code"
	check_contains "$TMP/bad.out" '"message":"the server is not configured; its log says why"'
done
sse_stop
for prog in api sse; do
	check_eq "backstream-$prog's lines about bad.conf" 1 \
	    "$(grep -c "backstream-$prog\[.*bad.conf:1: " "$LIGHTTPD_STDERR" || :)"
done
