# tests/sse-errors.sh: bad input before a stream starts (parameters, ids, paths, methods, tokens) gets a quick 400/401/404/405 with a JSON body naming the problem, and harms no responder.
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
