# tests/sse-lifetime.sh: how streams end: rotation after a short lifetime with nothing lost, a client that leaves and frees its process within a heartbeat, a token that expires mid-stream, and SIGTERM to a responder.
. "${top_srcdir:-..}/tests/lib.sh"
LIGHTTPD_SSE_PROCS=4
. "$top_srcdir/tests/sse-lib.sh"

conf_set retry 300ms
SSE_KILLS_EXPECTED=1
sse_start

step "streams rotating every 3 to 4 s"
conf_set stream_lifetime 4s
conf_set stream_jitter 1s
lighttpd_stop || fail "responders outlived lighttpd"
lighttpd_start
sse_node lifetime.mjs rotation

step "streams with the default lifetime: leaving clients, tokens, SIGTERM"
conf_unset stream_lifetime
conf_unset stream_jitter
# A token is good for 1 s past its exp; the stream must end only then, or
# the browser's reconnect would be let in again.
conf_set token_expiry_leeway 1s
lighttpd_stop || fail "responders outlived lighttpd"
lighttpd_start
sse_node lifetime.mjs ends
sse_stop
