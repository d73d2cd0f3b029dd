# tests/fetch-certs.sh: backstream-fetch-certs against a local HTTP server: a download checked and put in place atomically, Cache-Control max-age honoured, and every bad download refused with the old file kept.
. "${top_srcdir:-..}/tests/lib.sh"

FETCH=$top_builddir/apache-conf/backstream-fetch-certs
BACKSTREAM_VERIFY=$top_builddir/cgi-bin/backstream-verify
export BACKSTREAM_VERIFY
[ -x "$FETCH" ] || fail "no $FETCH: build first"
for cmd in python3 curl; do
	if ! command -v "$cmd" >/dev/null 2>&1; then
		echo "$TEST_NAME: skipped: $cmd is not installed"
		exit 77
	fi
done

# ---- a server whose answer the test sets ------------------------------------------

# GET /certs answers with the file $SRV/body, the status in $SRV/status
# (200 if none) and the Cache-Control in $SRV/cache-control (none if no
# file); each request adds a line to $SRV/requests.
SRV=$TMP/srv
mkdir -p "$SRV"
cat >"$SRV/server.py" <<'EOF'
import http.server, os, sys

port, root = int(sys.argv[1]), sys.argv[2]

def read(name, default=None):
    try:
        with open(os.path.join(root, name), 'rb') as f:
            return f.read()
    except FileNotFoundError:
        return default

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(os.path.join(root, 'requests'), 'a') as f:
            f.write(self.path + '\n')
        body = read('body', b'')
        self.send_response(int(read('status', b'200')))
        self.send_header('Content-Type', 'application/json; charset=UTF-8')
        self.send_header('Content-Length', str(len(body)))
        cc = read('cache-control')
        if cc is not None:
            self.send_header('Cache-Control', cc.decode().strip())
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

http.server.HTTPServer(('127.0.0.1', port), Handler).serve_forever()
EOF
SRV_PORT=$(free_port)
URL=http://127.0.0.1:$SRV_PORT/certs
start_bg python3 "$SRV/server.py" "$SRV_PORT" "$SRV"
: >"$SRV/requests"
wait_for "$HANG" curl -sf -o /dev/null "$URL"
: >"$SRV/requests"

requests() {
	wc -l <"$SRV/requests" | tr -d ' '
}

serve() {	# serve FILE [CACHE_CONTROL [STATUS]]
	cp "$1" "$SRV/body"
	if [ $# -ge 2 ] && [ -n "$2" ]; then
		printf '%s\n' "$2" >"$SRV/cache-control"
	else
		rm -f "$SRV/cache-control"
	fi
	printf '%s\n' "${3:-200}" >"$SRV/status"
}

# Two certificate sets in Google's format, as keygen writes them.
mkdir -p "$TMP/set1" "$TMP/set2"
expect_bs 0 keygen "$TMP/set1"
expect_bs 0 keygen "$TMP/set2"
SET1=$TMP/set1/certs.json
SET2=$TMP/set2/certs.json
cmp -s "$SET1" "$SET2" && fail "two keygen runs made the same set"

# The configuration names the file to keep current.
CERTS=$TMP/out/certs.json
mkdir -p "$TMP/out"
conf_set cert_file "$CERTS"

# No temporary file may be left beside the certificates.
no_leftovers() {
	left=$(find "$TMP/out" -name '.certs*' | head -n 3)
	[ -z "$left" ] || fail "temporary files left in $TMP/out" "none" "$left"
}

# ---- downloads and max-age --------------------------------------------------------------

step "the first run downloads, silently, and stores the expiry"
serve "$SET1" "public, max-age=21350, must-revalidate, no-transform"
before=$(date +%s)
expect 0 "$FETCH" -u "$URL"
[ ! -s "$OUT" ] && [ ! -s "$ERR" ] ||
    fail "a successful run printed something" "nothing" "$(cat "$OUT" "$ERR")"
check_same "the certificate file" "$SET1" "$CERTS"
check_eq "requests" 1 "$(requests)"
expires=$(cat "$CERTS.expires")
[ "$expires" -ge $((before + 21350)) ] &&
    [ "$expires" -le $(($(date +%s) + 21350)) ] ||
    fail "the stored expiry" "now + 21350" "$expires (now $(date +%s))"
check_eq "mode of the certificate file" 644 "$(stat -c %a "$CERTS")"
no_leftovers

step "within max-age a run downloads nothing"
expect 0 "$FETCH" -u "$URL" -v
check_eq "requests" 1 "$(requests)"
check_contains "$OUT" "fresh for"

step "-f downloads anyway; an unchanged set leaves the file alone"
inode=$(stat -c %i "$CERTS")
expect 0 "$FETCH" -u "$URL" -f -v
check_eq "requests" 2 "$(requests)"
check_contains "$OUT" "unchanged"
check_eq "inode of the unchanged file" "$inode" "$(stat -c %i "$CERTS")"

step "a new set replaces the file in one rename"
serve "$SET2" "max-age=60"
expect 0 "$FETCH" -u "$URL" -f -v
check_same "the certificate file" "$SET2" "$CERTS"
check_contains "$OUT" "1 certificate written to $CERTS"
[ "$(stat -c %i "$CERTS")" != "$inode" ] ||
    fail "the new set was written in place, not renamed over the old"
no_leftovers

step "an expired file is downloaded again"
echo $(($(date +%s) - 1)) >"$CERTS.expires"
serve "$SET1" "max-age=3600"
expect 0 "$FETCH" -u "$URL"
check_same "the certificate file" "$SET1" "$CERTS"
check_eq "requests" 4 "$(requests)"

step "without max-age the next run downloads again; a huge one is capped at a day"
serve "$SET1" "no-cache"
before=$(date +%s)
expect 0 "$FETCH" -u "$URL" -f
expires=$(cat "$CERTS.expires")
[ "$expires" -ge "$before" ] && [ "$expires" -le "$(date +%s)" ] ||
    fail "expiry without max-age" "now ($before)" "$expires"
expect 0 "$FETCH" -u "$URL"
check_eq "requests" 6 "$(requests)"
serve "$SET1" "max-age=99999999999"
expect 0 "$FETCH" -u "$URL" -f
[ "$(cat "$CERTS.expires")" -le $(($(date +%s) + 86400)) ] ||
    fail "a max-age over a day" "capped at now + 86400" \
    "$(cat "$CERTS.expires")"

# ---- refusals keep the old file -------------------------------------------------------------

# refused WHAT TEXT: the run fails with status 1, says TEXT, and changes
# neither the file nor its expiry.
refused() {
	cp "$CERTS" "$TMP/before"
	cp "$CERTS.expires" "$TMP/before.expires"
	expect 1 "$FETCH" -u "$URL" -f
	check_contains "$ERR" "$2"
	check_contains "$ERR" "backstream-fetch-certs: "
	check_eq "lines of the message ($1)" 1 "$(wc -l <"$ERR" | tr -d ' ')"
	check_same "the certificate file after $1" "$TMP/before" "$CERTS"
	check_same "the expiry after $1" "$TMP/before.expires" "$CERTS.expires"
	no_leftovers
}

step "an error page with status 200 is refused"
printf '<html><body>Service Unavailable</body></html>\n' >"$TMP/page.html"
serve "$TMP/page.html" "max-age=60"
refused "an HTML page" "not a JSON object"

step "a JSON object that is not a certificate set is refused"
printf '{"error": "quota exceeded"}\n' >"$TMP/notcerts.json"
serve "$TMP/notcerts.json"
refused "a JSON error" "holds no PEM certificate"

step "a certificate that does not parse is refused, with the helper's reason"
printf '{"k1": "-----BEGIN CERTIFICATE-----\\nbm90IGEgY2VydA==\\n-----END CERTIFICATE-----\\n"}\n' \
    >"$TMP/badcert.json"
serve "$TMP/badcert.json"
refused "a broken certificate" "certificate 1"

step "a truncated download is refused"
head -c 700 "$SET1" >"$TMP/truncated.json"
serve "$TMP/truncated.json"
refused "a truncated set" "is not a certificate set"

step "an HTTP error is a failed download"
serve "$SET2" "" 500
refused "HTTP 500" "downloading $URL failed"

step "an empty answer is refused"
: >"$TMP/empty"
serve "$TMP/empty"
refused "an empty body" "it is empty"

step "no server: a failed download"
dead_port=$(free_port)
cp "$CERTS" "$TMP/before"
expect 1 "$FETCH" -u "http://127.0.0.1:$dead_port/certs" -f
check_contains "$ERR" "failed"
check_same "the certificate file with no server" "$TMP/before" "$CERTS"

step "a file long past its expiry: the failure says tokens are refused"
echo $(($(date +%s) - 3 * 86400)) >"$CERTS.expires"
expect 1 "$FETCH" -u "http://127.0.0.1:$dead_port/certs"
check_contains "$ERR" "expired 72 h ago"

# ---- where the file goes, and usage ------------------------------------------------------------

step "-o writes another file, without a configuration"
serve "$SET2" "max-age=60"
expect 0 env BACKSTREAM_CONF="$TMP/no-such.conf" "$FETCH" -u "$URL" \
    -o "$TMP/out/other.json"
check_same "the -o file" "$SET2" "$TMP/out/other.json"

step "local problems exit 3; usage errors 2"
expect 3 "$FETCH" -u "$URL" -c "$TMP/no-such.conf"
check_contains "$ERR" "cannot read the configuration"
expect 3 "$FETCH" -u "$URL" -o "$TMP/no-such-dir/certs.json"
check_contains "$ERR" "not a writable directory"
expect 3 env BACKSTREAM_VERIFY="$TMP/no-such-helper" "$FETCH" -u "$URL" -f
check_contains "$ERR" "no token helper"
expect 2 "$FETCH" -x
expect 2 "$FETCH" extra
no_leftovers
