# tests/api.sh: backstream-api through a real lighttpd: every endpoint with its JSON shapes and errors, tokens, per-user isolation, CORS, limits, outages, and a delete in the middle of a run.
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/lighttpd.sh"

ENGINE=${ENGINE:-$top_builddir/engine/backstream-engine}
API_BIN=$top_builddir/cgi-bin/backstream-api

lighttpd_require

# A job id that no job has (well-formed, so it reaches the store).
MISSING=00000000-0000-4000-8000-000000000000
ORIGIN=https://app.example
SPEC='{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"sma_crossover","params":{"fast":5,"slow":20}}'
HDR=$TMP/headers
API_LOG=$TMP/api.log

conf_set log_level info
conf_set log_file "$API_LOG"
conf_set cors_origins "$ORIGIN http://localhost:3000"
conf_set max_queued_jobs 3
# The default clock skew: it is for iat and auth_time, and must not keep a
# token made to last 1 s alive 2 s on.
conf_set token_leeway 30s

# ---- helpers ------------------------------------------------------------------------

# http METHOD PATH [CURL OPTIONS]: one request; the body lands in $OUT, the
# headers in $HDR, the status in $CODE.
http() {
	method=$1
	path=$2
	shift 2
	# A POST without a body still says so: lighttpd answers 411 to a
	# POST without Content-Length, as browsers never send.
	case "$method $*" in
	"POST "*--data*) ;;
	"POST "*)	set -- --data-binary '' "$@" ;;
	esac
	if [ "$method" = HEAD ]; then
		set -- --head "$@"
	else
		set -- -X "$method" "$@"
	fi
	CODE=$(curl -sS --max-time "$HANG" -o "$OUT" -D "$HDR" -w '%{http_code}' \
	    "$@" "$LIGHTTPD_URL$path" 2>"$ERR") ||
	    fail "curl $method $path: $(cat "$ERR")"
}

# expect_http STATUS METHOD PATH [CURL OPTIONS]: http, and checks the status.
expect_http() {
	want=$1
	shift
	http "$@"
	[ "$CODE" = "$want" ] ||
	    fail "status of $1 $2" "$want" "$CODE $(head -c 400 "$OUT")"
}

# as USER STATUS METHOD PATH [CURL OPTIONS]: expect_http with USER's token.
as() {
	who=$1
	shift
	case $who in
	alice)	tok=$ALICE ;;
	bob)	tok=$BOB ;;
	*)	fail "no token for $who" ;;
	esac
	want=$1
	method=$2
	path=$3
	shift 3
	expect_http "$want" "$method" "$path" -H "Authorization: Bearer $tok" "$@"
}

# Submits a job as USER (default alice) with body SPEC; 201 expected.
submit() {
	as "${2:-alice}" 201 POST /api/backtesting/jobs \
	    -H 'Content-Type: application/json' --data-binary "$1"
}

# Prints the job_id of the job JSON in $OUT.
job_id() {
	sed -n 's/^{"job_id":"\([0-9a-f-]*\)".*/\1/p' "$OUT"
}

# check_header NAME: VALUE: a response header, exactly (CR stripped).
check_header() {
	tr -d '\r' <"$HDR" | grep -qixF -- "$1" ||
	    fail "response header" "$1" "$(tr -d '\r' <"$HDR")"
}

check_no_header() {
	if tr -d '\r' <"$HDR" | grep -qi "^$1:"; then
		fail "no $1 header" "none" "$(tr -d '\r' <"$HDR")"
	fi
}

# check_error CODE MESSAGE: the body is exactly that error object.
check_error() {
	check_eq "error body" "{\"error\":\"$1\",\"message\":\"$2\"}" "$(cat "$OUT")"
}

# check_error_starts CODE TEXT: an error whose message begins with TEXT.
check_error_starts() {
	check_contains "$OUT" "{\"error\":\"$1\",\"message\":\"$2"
}

# Lines of FILE containing TEXT (a fixed string).
count_lines() {
	grep -cF -- "$2" "$1" || :
}

# The record count of a table in "backstream stats".
table_count() {
	expect_bs 0 stats
	awk -v t="$1" '$1 == "table" && $2 == t { print $3 }' "$OUT"
}

# ---- keys, tokens, and a server before the store exists ---------------------------------

step "keys and tokens"
mkdir "$TMP/keys" "$TMP/other-keys"
expect_bs 0 keygen "$TMP/keys"
expect_bs 0 keygen "$TMP/other-keys"
expect_bs 0 token --uid alice
ALICE=$(cat "$OUT")
expect_bs 0 token --uid bob
BOB=$(cat "$OUT")
expect_bs 0 token --uid alice --ttl 1
EXPIRED=$(cat "$OUT")
# Signed by a key whose certificate the server does not have.
sed "s|^cert_file = .*|cert_file = $TMP/other-keys/certs.json|" "$CONF" \
    >"$TMP/forged.conf"
expect_bs 0 token --uid alice -c "$TMP/forged.conf"
FORGED=$(cat "$OUT")
# Signed by the right key, but for another Firebase project.
sed "s|^project_id = .*|project_id = another-project|" "$CONF" \
    >"$TMP/project.conf"
expect_bs 0 token --uid alice -c "$TMP/project.conf"
OTHER_PROJECT=$(cat "$OUT")

# API_VALGRIND=1: the responder runs under valgrind, whose reports fail
# the test at the end.
if [ -n "${API_VALGRIND:-}" ]; then
	cat >"$TMP/api-valgrind" <<WRAPPER
#!/bin/sh
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \\
    --log-file="$TMP/valgrind-%p.log" "$API_BIN" "\$@"
WRAPPER
	chmod +x "$TMP/api-valgrind"
	LIGHTTPD_API_BIN=$TMP/api-valgrind
fi
# The responders' command name, as ps shows it.
API_COMM=backstream-api
[ -z "${API_VALGRIND:-}" ] || API_COMM=memcheck-amd64-

lighttpd_start

step "before backstream init: 503, logged once, and the store opened later"
expect_http 401 GET /api/backtesting/jobs
as alice 503 GET /api/backtesting/jobs
check_error unavailable "the store is unavailable; try again later"
as alice 503 GET /api/backtesting/history
check_eq "log lines about the missing store" 1 \
    "$(count_lines "$API_LOG" 'backstream init')"
expect_bs 0 init
expect_bs 0 demo-data
as alice 200 GET /api/backtesting/jobs
check_eq "jobs of a new store" "[]" "$(cat "$OUT")"
check_contains "$API_LOG" "the store: available again"

# ---- routes ----------------------------------------------------------------------------

step "unknown paths: 404"
for path in /api/backtesting/nope /api/backtesting/jobs/$MISSING/nope \
    /api/backtesting/ /api/backtesting/jobs/a/b/c/d/e/f/g; do
	as alice 404 GET "$path"
	check_error not_found "no such endpoint"
	check_header "Content-Type: application/json"
done

step "wrong methods: 405 with Allow"
as alice 405 PUT /api/backtesting/jobs
check_header "Allow: GET, HEAD, POST, OPTIONS"
check_error method_not_allowed "PUT is not allowed here; allowed: GET, HEAD, POST, OPTIONS"
as alice 405 POST /api/backtesting/history
check_header "Allow: GET, HEAD, OPTIONS"
as alice 405 POST /api/backtesting/symbols
as alice 405 POST "/api/backtesting/jobs/$MISSING"
check_header "Allow: GET, HEAD, DELETE, OPTIONS"
as alice 405 GET "/api/backtesting/jobs/$MISSING/cancel"
check_header "Allow: POST, OPTIONS"
as alice 405 DELETE "/api/backtesting/jobs/$MISSING/transactions"
# Before authentication: the methods of a path are no secret.
expect_http 405 PATCH /api/backtesting/jobs

step "HEAD"
as alice 200 HEAD /api/backtesting/symbols
check_header "Content-Type: application/json"
check_header "Cache-Control: no-store"

# ---- authentication ---------------------------------------------------------------------

step "missing, malformed, forged, foreign and expired tokens: the same 401"
expect_http 401 GET /api/backtesting/jobs
check_error unauthorized "a valid token is required"
check_header "WWW-Authenticate: Bearer"
check_header "Cache-Control: no-store"
cp "$OUT" "$TMP/401"
sleep 2		# $EXPIRED is now past its exp
for tok in garbage "a.b.c" "$FORGED" "$OTHER_PROJECT" "$EXPIRED"; do
	expect_http 401 GET /api/backtesting/jobs -H "Authorization: Bearer $tok"
	check_same "401 for a bad token" "$TMP/401" "$OUT"
	expect_http 401 GET "/api/backtesting/jobs?token=$tok"
	check_same "401 for a bad ?token" "$TMP/401" "$OUT"
done
expect_http 401 GET /api/backtesting/jobs -H "Authorization: Basic YTpi"
expect_http 401 GET "/api/backtesting/jobs/$MISSING"
expect_http 401 POST /api/backtesting/jobs -H 'Content-Type: application/json' \
    --data-binary "$SPEC"
step "a token as ?token= or as Authorization: Bearer"
expect_http 200 GET "/api/backtesting/jobs?token=$ALICE"
expect_http 200 GET /api/backtesting/jobs -H "Authorization: Bearer $ALICE"

# ---- submit ---------------------------------------------------------------------------

step "submit: 201 with the job"
submit "$SPEC"
JOB=$(job_id)
[ -n "$JOB" ] || fail "the 201 names no job_id" "a job" "$(cat "$OUT")"
check_header "Location: /api/backtesting/jobs/$JOB"
check_header "Content-Type: application/json"
check_header "Cache-Control: no-store"
for field in '"status":"queued"' '"progress":0' '"symbol":"DEMO"' \
    '"interval":"day"' '"start_date":"2024-01-01"' '"end_date":"2024-06-30"' \
    '"strategy":"sma_crossover"' '"params":{"fast":5,"slow":20}' \
    '"initial_capital":100000' '"commission":0' '"created_at":"'; do
	check_contains "$OUT" "$field"
done
cp "$OUT" "$TMP/submitted"
as alice 200 GET "/api/backtesting/jobs/$JOB"
check_same "the 201's job and GET's" "$TMP/submitted" "$OUT"
expect_bs 0 job "$JOB" --uid alice --json
check_same "GET's job and backstream job --json" "$TMP/submitted" "$OUT"
submit "$(echo "$SPEC" | sed 's/"day"/"60minute"/')"
JOB2=$(job_id)

step "an expired token, within the clock skew: 401 everywhere, nothing changed"
for route in "GET /api/backtesting/jobs" "POST /api/backtesting/jobs" \
    "GET /api/backtesting/jobs/$JOB" "DELETE /api/backtesting/jobs/$JOB" \
    "GET /api/backtesting/jobs/$JOB/transactions" \
    "POST /api/backtesting/jobs/$JOB/cancel" \
    "GET /api/backtesting/history" "GET /api/backtesting/symbols"; do
	set -- -H "Authorization: Bearer $EXPIRED"
	case $route in
	"POST /api/backtesting/jobs")
		set -- "$@" -H 'Content-Type: application/json' \
		    --data-binary "$SPEC" ;;
	esac
	# shellcheck disable=SC2086 # "METHOD PATH" splits on purpose
	expect_http 401 $route "$@"
	check_same "401 for an expired token" "$TMP/401" "$OUT"
done
as alice 200 GET "/api/backtesting/jobs/$JOB"
check_same "the job after the expired token's tries" "$TMP/submitted" "$OUT"

step "submit refusals: 400 naming the field, nothing stored"
expect_bs 0 jobs --uid alice --limit 500 --json
cp "$OUT" "$TMP/jobs-before"
refused() {
	as alice 400 POST /api/backtesting/jobs \
	    -H 'Content-Type: application/json' --data-binary "$1"
	check_error_starts bad_request "$2"
}
refused '{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"sma_crossover","params":{"fast":5.5,"slow":20}}' \
    "params.fast: must be a JSON integer"
refused '{"interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"buy_and_hold"}' \
    "symbol: is required"
refused '{"symbol":"DEMO","interval":"day","start_date":"2024-06-01","end_date":"2024-01-01","strategy":"buy_and_hold"}' \
    "end_date: must not be before start_date"
refused '{"symbol":"DEMO","colour":"red"}' "colour: unknown field"
refused '{"symbol":"DEMO","interval":"hour","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"buy_and_hold"}' \
    "interval: "
refused '{"symbol":"DEMO","interval":"day","start_date":"2024-02-30","end_date":"2024-06-30","strategy":"buy_and_hold"}' \
    "start_date: "
refused '{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"moon_phase"}' \
    "strategy: "
refused '{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"sma_crossover","params":{"fast":30,"slow":20}}' \
    "params"
refused '{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"sma_crossover","params":{"fast":5,"slow":20,"medium":10}}' \
    "params.medium: "
refused '{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"buy_and_hold","initial_capital":0}' \
    "initial_capital: "
refused '{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"buy_and_hold","commission":1}' \
    "commission: "
refused '{"symbol":null,"interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"buy_and_hold"}' \
    "symbol: "
refused '{"symbol":"BAD SYMBOL","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"buy_and_hold"}' \
    "symbol: "
refused '[1,2]' "request: must be a JSON object"
refused '{"symbol":' "unexpected end of JSON text"
refused '{"symbol":"DEMO"} x' "malformed JSON"
refused '' "unexpected end of JSON text"
# null names the body, like any other non-object.
refused 'null' "request: must be a JSON object"
refused ' null ' "request: must be a JSON object"
# A key twice (the messages as JSON escapes them): json-c would keep the
# last, another reader the first.
refused '{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"buy_and_hold","symbol":"AAPL"}' \
    'duplicate key \"symbol\"'
refused '{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"sma_crossover","params":{"fast":5,"slow":20,"fast":50}}' \
    'duplicate key \"fast\"'
refused '{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"buy_and_hold","\u0073ymbol":"AAPL"}' \
    'duplicate key \"\\u0073ymbol\"'

step "submit: 415 for anything but JSON"
as alice 415 POST /api/backtesting/jobs --data-binary "$SPEC"
check_error unsupported_media_type "send the job as JSON, with Content-Type: application/json"
as alice 415 POST /api/backtesting/jobs -H 'Content-Type: text/plain' \
    --data-binary "$SPEC"
as alice 415 POST /api/backtesting/jobs -H 'Content-Type: application/jsonx' \
    --data-binary "$SPEC"

step "submit: 413 over 64 KiB, declared or chunked; 64 KiB exactly is fine"
# The spec padded with blanks to exactly N bytes.
padded() {
	printf '%s' "$SPEC" >"$TMP/body"
	head -c "$(($1 - ${#SPEC}))" /dev/zero | tr '\0' ' ' >>"$TMP/body"
}
padded 65537
as alice 413 POST /api/backtesting/jobs -H 'Content-Type: application/json' \
    --data-binary "@$TMP/body"
check_error payload_too_large "the request body is larger than 65536 bytes"
as alice 413 POST /api/backtesting/jobs -H 'Content-Type: application/json' \
    -H 'Transfer-Encoding: chunked' --data-binary "@$TMP/body"
expect_http 413 DELETE "/api/backtesting/jobs/$MISSING" --data-binary "@$TMP/body"
expect_bs 0 jobs --uid alice --limit 500 --json
check_same "alice's jobs after refused submissions" "$TMP/jobs-before" "$OUT"
padded 65536
submit "@$TMP/body"
JOB3=$(job_id)

step "the queued-jobs cap: 429, per user"
as alice 429 POST /api/backtesting/jobs -H 'Content-Type: application/json' \
    --data-binary "$SPEC"
check_error too_many_requests "you have 3 queued jobs, the most allowed; wait for some to start or cancel them"
# When to try again: the engine's next run, at most a minute away.
check_header "Retry-After: 60"
submit "$SPEC" bob
BOBJOB=$(job_id)
check_header "Location: /api/backtesting/jobs/$BOBJOB"

# ---- one job, and another user's -----------------------------------------------------

step "another user's job answers exactly like a missing one"
for req in "GET /api/backtesting/jobs/ID" \
    "GET /api/backtesting/jobs/ID/transactions" \
    "POST /api/backtesting/jobs/ID/cancel" \
    "DELETE /api/backtesting/jobs/ID"; do
	req_method=${req% *}
	req_path=${req#* }
	as bob 404 "$req_method" "$(echo "$req_path" | sed "s/ID/$MISSING/")"
	sed "s/$MISSING/ID/" "$OUT" >"$TMP/missing.body"
	as bob 404 "$req_method" "$(echo "$req_path" | sed "s/ID/$JOB/")"
	sed "s/$JOB/ID/" "$OUT" >"$TMP/other.body"
	check_same "$req: another user's job and a missing job" \
	    "$TMP/missing.body" "$TMP/other.body"
	check_eq "404 body" '{"error":"not_found","message":"no job ID"}' \
	    "$(cat "$TMP/other.body")"
done
as alice 404 GET /api/backtesting/jobs/not-a-job-id
check_error not_found "no job not-a-job-id"
as alice 404 DELETE /api/backtesting/jobs/NOT-A-UUID
as alice 200 GET "/api/backtesting/jobs/$JOB"
check_same "alice's job after bob's attempts" "$TMP/submitted" "$OUT"
as bob 200 GET "/api/backtesting/jobs/$BOBJOB"

step "transactions of a queued job"
as alice 200 GET "/api/backtesting/jobs/$JOB/transactions"
check_eq "transactions of a queued job" "[]" "$(cat "$OUT")"

step "cancel: 200, then 409"
as alice 200 POST "/api/backtesting/jobs/$JOB2/cancel"
check_contains "$OUT" "{\"job_id\":\"$JOB2\",\"status\":\"cancelled\""
as alice 409 POST "/api/backtesting/jobs/$JOB2/cancel"
check_error conflict "job $JOB2 is already cancelled"
as alice 200 GET "/api/backtesting/jobs/$JOB2"
check_contains "$OUT" '"status":"cancelled"'
# A cancelled job leaves room under the cap.
submit "$SPEC"
JOB4=$(job_id)

# ---- lists ---------------------------------------------------------------------------------

step "jobs: the same list as backstream jobs"
as alice 200 GET /api/backtesting/jobs
expect_bs 0 jobs --uid alice --json
cp "$OUT" "$TMP/cli-jobs"
as alice 200 GET /api/backtesting/jobs
check_same "GET jobs and backstream jobs --json" "$TMP/cli-jobs" "$OUT"
as alice 200 GET "/api/backtesting/jobs?limit=2&status_filter=queued"
cp "$OUT" "$TMP/api-jobs"
expect_bs 0 jobs --uid alice --limit 2 --status queued --json
check_same "a filtered, limited list" "$OUT" "$TMP/api-jobs"
as alice 200 GET "/api/backtesting/jobs?status_filter=cancelled&limit=500"
check_contains "$OUT" "\"job_id\":\"$JOB2\""
check_not_contains "$OUT" "\"job_id\":\"$JOB\""
as bob 200 GET /api/backtesting/jobs
check_contains "$OUT" "\"job_id\":\"$BOBJOB\""
check_not_contains "$OUT" "\"job_id\":\"$JOB\""

step "jobs: limit defaults to 10"
i=0
while [ "$i" -lt 10 ]; do
	submit "$SPEC" bob
	as bob 200 POST "/api/backtesting/jobs/$(job_id)/cancel"
	i=$((i + 1))
done
as bob 200 GET /api/backtesting/jobs
check_eq "jobs in the default list" 10 "$(grep -o '"job_id"' "$OUT" | wc -l)"
as bob 200 GET /api/backtesting/jobs?limit=11
check_eq "jobs in a list of 11" 11 "$(grep -o '"job_id"' "$OUT" | wc -l)"

step "list parameters out of range: 400 naming them"
for q in limit=0 limit=501 limit=abc limit= limit=1.5 limit=-3; do
	as alice 400 GET "/api/backtesting/jobs?$q"
	check_error_starts bad_request "limit: must be a whole number from 1 to 500"
	as alice 400 GET "/api/backtesting/history?$q"
	check_error_starts bad_request "limit: "
done
for q in status_filter=bogus status_filter= status_filter=QUEUED; do
	as alice 400 GET "/api/backtesting/jobs?$q"
	check_error bad_request "status_filter: must be one of queued, running, completed, failed, cancelled"
done
as alice 400 GET "/api/backtesting/jobs?limit=1&limit=2"
check_error_starts bad_request "limit: given more than once"

step "symbols: the same as backstream symbols"
as alice 200 GET /api/backtesting/symbols
cp "$OUT" "$TMP/api-symbols"
expect_bs 0 symbols --json
check_same "GET symbols and backstream symbols --json" "$OUT" "$TMP/api-symbols"

# ---- finished jobs -------------------------------------------------------------------------

if [ -x "$ENGINE" ]; then
	step "finished jobs: result, transactions, history, 409, delete"
	expect 0 "$ENGINE" --once
	as alice 200 GET "/api/backtesting/jobs/$JOB"
	check_contains "$OUT" '"status":"completed"'
	check_contains "$OUT" '"result_summary":{'
	BACKTEST=$(sed -n 's/.*"backtest_id":"\([0-9a-f-]*\)".*/\1/p' "$OUT")
	[ -n "$BACKTEST" ] || fail "a completed job has a backtest_id" "an id" "$(cat "$OUT")"
	cp "$OUT" "$TMP/api-job"
	expect_bs 0 job "$JOB" --uid alice --json
	check_same "a completed job and backstream job --json" "$OUT" "$TMP/api-job"
	as alice 200 GET "/api/backtesting/jobs/$JOB/transactions"
	check_contains "$OUT" '[{"seq":1,"time":"2024-'
	cp "$OUT" "$TMP/api-trades"
	expect_bs 0 transactions "$JOB" --uid alice --json
	check_same "transactions and backstream transactions --json" "$OUT" "$TMP/api-trades"
	as bob 404 GET "/api/backtesting/jobs/$JOB/transactions"

	as alice 200 GET /api/backtesting/history
	check_contains "$OUT" "\"backtest_id\":\"$BACKTEST\""
	check_contains "$OUT" "\"job_id\":\"$JOB\""
	check_contains "$OUT" '"status":"completed"'
	check_contains "$OUT" '"result_summary":{'
	as alice 200 GET /api/backtesting/history?limit=1
	check_eq "entries in a history of limit 1" 1 "$(grep -o '"backtest_id"' "$OUT" | wc -l)"
	as bob 200 GET /api/backtesting/history
	check_not_contains "$OUT" "$BACKTEST"

	as alice 409 POST "/api/backtesting/jobs/$JOB/cancel"
	check_error conflict "job $JOB is already completed"
	as bob 404 DELETE "/api/backtesting/jobs/$JOB"
	as alice 200 DELETE "/api/backtesting/jobs/$JOB"
	check_eq "delete's answer" "{\"job_id\":\"$JOB\",\"deleted\":true}" "$(cat "$OUT")"
	as alice 404 GET "/api/backtesting/jobs/$JOB"
	as alice 404 GET "/api/backtesting/jobs/$JOB/transactions"
	as alice 404 DELETE "/api/backtesting/jobs/$JOB"
	as alice 200 GET /api/backtesting/history?limit=500
	check_not_contains "$OUT" "$BACKTEST"
	check_not_contains "$OUT" "$JOB"
else
	step "no engine at $ENGINE: finished jobs not tested"
fi

# ---- CORS ------------------------------------------------------------------------------------

step "CORS: an allowed origin, another one, preflight"
as alice 200 GET /api/backtesting/symbols -H "Origin: $ORIGIN"
check_header "Access-Control-Allow-Origin: $ORIGIN"
check_header "Vary: Origin"
# Errors carry it too, so that the page can read them.
expect_http 401 GET /api/backtesting/jobs -H "Origin: $ORIGIN"
check_header "Access-Control-Allow-Origin: $ORIGIN"
as alice 200 GET /api/backtesting/symbols -H "Origin: https://evil.example"
check_no_header Access-Control-Allow-Origin
as alice 200 GET /api/backtesting/symbols
check_no_header Access-Control-Allow-Origin
# Preflights come without a token.
expect_http 204 OPTIONS /api/backtesting/jobs -H "Origin: $ORIGIN" \
    -H 'Access-Control-Request-Method: POST' \
    -H 'Access-Control-Request-Headers: authorization, content-type'
check_header "Access-Control-Allow-Origin: $ORIGIN"
check_header "Access-Control-Allow-Methods: GET, HEAD, POST, OPTIONS"
check_header "Access-Control-Allow-Headers: Authorization, Content-Type"
check_header "Access-Control-Max-Age: 600"
expect_http 204 OPTIONS "/api/backtesting/jobs/$MISSING" \
    -H "Origin: http://localhost:3000" -H 'Access-Control-Request-Method: DELETE'
check_header "Access-Control-Allow-Methods: GET, HEAD, DELETE, OPTIONS"
expect_http 403 OPTIONS /api/backtesting/jobs -H "Origin: https://evil.example" \
    -H 'Access-Control-Request-Method: POST'
check_error forbidden "origin not allowed"
check_no_header Access-Control-Allow-Origin
check_no_header Access-Control-Allow-Methods
expect_http 204 OPTIONS /api/backtesting/history
check_header "Allow: GET, HEAD, OPTIONS"
check_no_header Access-Control-Allow-Methods
expect_http 404 OPTIONS /api/backtesting/nope -H "Origin: $ORIGIN"

# ---- the certificate file ---------------------------------------------------------------------

step "certificate file missing: 503, logged once; back: 200"
mv "$TMP/keys/certs.json" "$TMP/keys/certs.json.away"
as alice 503 GET /api/backtesting/jobs
check_error unavailable "authentication is unavailable; try again later"
as alice 503 GET /api/backtesting/symbols
as bob 503 GET /api/backtesting/jobs
check_eq "log lines about the missing certificate file" 1 \
    "$(count_lines "$API_LOG" 'token verification: ')"
# A request without a token still gets its 401.
expect_http 401 GET /api/backtesting/jobs
mv "$TMP/keys/certs.json.away" "$TMP/keys/certs.json"
as alice 200 GET /api/backtesting/jobs
check_contains "$API_LOG" "token verification: available again"
# Missing again: a new outage, logged again.
mv "$TMP/keys/certs.json" "$TMP/keys/certs.json.away"
as alice 503 GET /api/backtesting/jobs
as alice 503 GET /api/backtesting/jobs
mv "$TMP/keys/certs.json.away" "$TMP/keys/certs.json"
check_eq "log lines about the certificate file after two outages" 3 \
    "$(count_lines "$API_LOG" 'token verification: ')"
as alice 200 GET /api/backtesting/jobs

# ---- delete in the middle of a run ---------------------------------------------------------------

if [ -x "$ENGINE" ]; then
	step "delete a running job: nothing left behind"
	# 100 000 minute bars, the engine held to 250 bars a second
	# (engine_bar_rate: sleeps between transactions): a run of 400 s,
	# longer than the two hang guards between its start and the delete
	# (the wait for it to run, the request), so that it cannot end first
	# however slow the machine; it ends at its next write once deleted.
	bars 100000 1577836800 >"$TMP/big.csv"
	expect_bs 0 import-bars BIG "$TMP/big.csv"
	rm -f "$TMP/big.csv"
	# The job below is the engine's only one.
	expect_bs 0 jobs --any-user --limit 10000 --json
	check_not_contains "$OUT" '"status":"queued"'
	TRADES_BEFORE=$(table_count trades)
	JOBS_BEFORE=$(table_count jobs)
	HISTORY_BEFORE=$(table_count history)
	submit '{"symbol":"BIG","interval":"minute","start_date":"2020-01-01","end_date":"2021-12-31","strategy":"rsi_reversion"}'
	BIG=$(job_id)
	{ cat "$CONF"; echo "engine_bar_rate = 250"; } >"$TMP/slow.conf"
	start_bg "$ENGINE" -c "$TMP/slow.conf" --once
	ENGINE_PID=$BG_PID
	job_running() {
		as alice 200 GET "/api/backtesting/jobs/$BIG"
		grep -q '"status":"running"' "$OUT" &&
		    ! grep -q '"current_bar":0,' "$OUT"
	}
	wait_for "$HANG" job_running
	as alice 200 DELETE "/api/backtesting/jobs/$BIG"
	check_eq "delete's answer" "{\"job_id\":\"$BIG\",\"deleted\":true}" "$(cat "$OUT")"
	tries=$((HANG * 10))
	while kill -0 "$ENGINE_PID" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -0 "$ENGINE_PID" 2>/dev/null && fail "the engine did not end after the delete"
	wait "$ENGINE_PID" || fail "the engine's exit status" 0 "$?"
	# The engine logs to log_file too: this line shows the run was cut.
	check_contains "$API_LOG" "job $BIG: deleted or taken over while running"
	as alice 404 GET "/api/backtesting/jobs/$BIG"
	as alice 404 GET "/api/backtesting/jobs/$BIG/transactions"
	as alice 200 GET /api/backtesting/history?limit=500
	check_not_contains "$OUT" "$BIG"
	expect_bs 0 jobs --any-user --limit 10000 --json
	check_not_contains "$OUT" "$BIG"
	check_eq "trades after the delete" "$TRADES_BEFORE" "$(table_count trades)"
	check_eq "jobs after the delete" "$JOBS_BEFORE" "$(table_count jobs)"
	check_eq "history after the delete" "$HISTORY_BEFORE" "$(table_count history)"
	expect_bs 0 verify
	check_contains "$OUT" "no problems found"
fi

# ---- the process -----------------------------------------------------------------------------------

step "SIGTERM to an idle responder: it exits, and lighttpd starts another"
for pid in $(lighttpd_backends "$API_COMM"); do
	kill -TERM "$pid"
	wait_for "$HANG" eval "! pid_running $pid"
done
as alice 200 GET /api/backtesting/symbols

step "SIGTERM during a request: the request is finished, then the process exits"
# lighttpd passing the body on as it arrives, and a client sending it at
# 1000 bytes/s, keep the responder inside the request for 3 s; the TERM
# comes once the responder holds lighttpd's connection, the request's.
lighttpd_stop || fail "lighttpd's backends outlived it"
LIGHTTPD_EXTRA_CONF='server.stream-request-body = 2' lighttpd_start
as bob 200 GET /api/backtesting/symbols
BACKEND=$(lighttpd_backends "$API_COMM")
[ -n "$BACKEND" ] || fail "no backstream-api process under lighttpd"
# Whether the responder has a connection (not its listening socket) open.
backend_connected() {
	[ -n "$(ss -Hxp state connected 2>/dev/null | grep "pid=$BACKEND,")" ]
}
wait_for "$HANG" eval "! backend_connected"
printf '%s' "$SPEC" >"$TMP/slow-body"
head -c 3000 /dev/zero | tr '\0' ' ' >>"$TMP/slow-body"
start_bg curl -sS --max-time "$HANG" --limit-rate 1000 -o "$TMP/slow.out" \
    -w '%{http_code}' -H "Authorization: Bearer $BOB" \
    -H 'Content-Type: application/json' --data-binary "@$TMP/slow-body" \
    "$LIGHTTPD_URL/api/backtesting/jobs"
SLOW=$BG_PID
wait_for "$HANG" backend_connected
kill -TERM "$BACKEND"
wait "$SLOW" || fail "curl of the slow request" 0 "$?"
if [ "$(cat "$TMP/bg-$SLOW.log")" != 201 ]; then
	# Who answered, and why: the responder's log and lighttpd's.
	echo "  the responder's log (pid $BACKEND) and lighttpd's error log:" >&2
	tail -n 20 "$API_LOG" "$LIGHTTPD_ERROR_LOG" 2>/dev/null | sed 's/^/    /' >&2
	cat "$TMP/slow.out" >&2
fi
check_eq "status of the request under way at SIGTERM" 201 "$(cat "$TMP/bg-$SLOW.log")"
check_contains "$TMP/slow.out" '"status":"queued"'
wait_for "$HANG" eval "! pid_running $BACKEND"
# Its access line shows that the request was under way for seconds.
SLOW_MS=$(sed -n "s/.*backstream-api\[$BACKEND\] info: POST \/api\/backtesting\/jobs 201 \([0-9]*\) ms$/\1/p" "$API_LOG")
[ "${SLOW_MS:-0}" -ge 1500 ] ||
    fail "the slow request's time in the access line" ">= 1500 ms" "${SLOW_MS:-none}"

step "logs: one access line per request, without query or token"
check_contains "$API_LOG" "backstream-api["
check_contains "$API_LOG" "info: GET /api/backtesting/jobs 200 "
check_contains "$API_LOG" "info: POST /api/backtesting/jobs 201 "
check_contains "$API_LOG" "info: OPTIONS /api/backtesting/jobs 204 "
check_not_contains "$API_LOG" "token="
check_not_contains "$API_LOG" "?"
lighttpd_stop || fail "lighttpd's backends outlived it"
for log in "$API_LOG" "$LIGHTTPD_ACCESS_LOG" "$LIGHTTPD_ERROR_LOG" \
    "$LIGHTTPD_STDERR"; do
	for tok in "$ALICE" "$BOB" "$EXPIRED" "$FORGED" "$OTHER_PROJECT"; do
		check_not_contains "$log" "$tok"
		# Not even a token's signature alone.
		check_not_contains "$log" "${tok##*.}"
	done
done
check_contains "$LIGHTTPD_ACCESS_LOG" '"GET /api/backtesting/jobs HTTP/1.1" 200'
check_not_contains "$LIGHTTPD_ACCESS_LOG" "token"
for log in "$TMP"/valgrind-*.log; do
	[ ! -s "$log" ] || fail "a valgrind report" "none" "$(head -40 "$log")"
done
if grep -qE 'Sanitizer|runtime error:' "$LIGHTTPD_STDERR"; then
	fail "a sanitizer report from a responder" "none" "$(grep -E -A20 'Sanitizer|runtime error:' "$LIGHTTPD_STDERR" | head -40)"
fi
echo "PASS: $TEST_NAME"
