# tests/cli.sh: the backstream command against a real store in a temp dir: every command, exit statuses, and refusals that change nothing.
. "${top_srcdir:-..}/tests/lib.sh"

# A job id that no job has (well-formed, so it reaches the store).
MISSING=00000000-0000-4000-8000-000000000000

# ---- usage and exit statuses ------------------------------------------------

step "usage errors exit 2"
expect_bs 2
check_contains "$ERR" "no command given"
expect_bs 2 frobnicate
check_contains "$ERR" 'unknown command "frobnicate"'
expect_bs 2 --frobnicate
expect_bs 2 bars DEMO
check_contains "$ERR" "missing argument"
check_contains "$ERR" "usage: backstream bars"
expect_bs 2 bars DEMO day extra
check_contains "$ERR" 'unexpected argument "extra"'
expect_bs 2 bars DEMO day --frobnicate
check_contains "$ERR" 'bars: unknown option "--frobnicate"'
expect_bs 2 bars DEMO day --limit
check_contains "$ERR" "needs a value"
expect_bs 2 bars DEMO day --limit 0
check_contains "$ERR" '--limit: "0" is too small'
expect_bs 2 bars DEMO day --json=yes
expect_bs 2 bars 'BAD SYMBOL' day
expect_bs 2 bars DEMO hour
check_contains "$ERR" 'unknown interval "hour"'
expect_bs 2 bars DEMO day --from 2024-02-30
check_contains "$ERR" '--from: "2024-02-30" is not a date'
expect_bs 2 bars DEMO day --from 2024-02-02 --to 2024-02-01
expect_bs 2 jobs
check_contains "$ERR" "--uid is required"
expect_bs 2 jobs --uid alice --status bogus
expect_bs 2 symbols -c "$CONF" -c "$CONF"
expect_bs 2 -c "$CONF" symbols -c "$CONF"
expect_bs 2 token
expect_bs 2 import-bars X

step "--version and --help"
expect_bs 0 --version
check_contains "$OUT" "backstream "
expect_bs 0 --help
check_contains "$OUT" "exit status"
check_contains "$OUT" "3  configuration or store unavailable"
for cmd in init import-bars demo-data bars symbols submit jobs job \
    transactions cancel delete stats checkpoint remove-node verify keygen \
    token help; do
	expect_bs 0 "$cmd" --help
	check_contains "$OUT" "usage: backstream $cmd"
done
expect_bs 0 help import-bars
check_contains "$OUT" "--interval INTERVAL"

step "configuration or store unavailable exits 3"
expect_bs 3 -c "$TMP/no-such.conf" symbols
check_contains "$ERR" "$TMP/no-such.conf: No such file or directory"
printf 'store_dir = %s\nfrobnicate = 1\n' "$STORE" >"$TMP/bad.conf"
expect_bs 3 symbols -c "$TMP/bad.conf"
check_contains "$ERR" "$TMP/bad.conf:2: unknown key"
expect_bs 3 symbols
check_contains "$ERR" "backstream init"
expect_bs 3 stats
expect_bs 3 verify
check_contains "$ERR" "backstream init"
expect_bs 3 jobs --uid alice
: >"$TMP/not-a-dir"
printf 'store_dir = %s\n' "$TMP/not-a-dir" >"$TMP/file.conf"
expect_bs 3 -c "$TMP/file.conf" init
check_contains "$ERR" "not a directory"

# ---- init and maintenance ----------------------------------------------------------

step "init, twice"
expect_bs 0 init
check_contains "$OUT" "$STORE"
expect_bs 0 init
[ -f "$STORE/meta.db" ] || fail "init made no store in $STORE"
# -c after the command, with no BACKSTREAM_CONF to fall back on.
expect 0 env -u BACKSTREAM_CONF "$BACKSTREAM" symbols -c "$CONF"
check_eq "symbols of an empty store" "SYMBOL  STORED  FIRST  LAST  BARS  SERVES" \
    "$(cat "$OUT")"
expect_bs 0 symbols --json
check_eq "symbols --json of an empty store" "[]" "$(cat "$OUT")"

step "stats, checkpoint, verify"
expect_bs 0 stats
check_contains "$OUT" "table bars"
check_contains "$OUT" "transactions"
expect_bs 0 checkpoint
expect_bs 0 verify
check_contains "$OUT" "no problems found"

# ---- bars: import, resampling, refusals ----------------------------------------------

# Two days of minute bars, with gaps, out of order in places and in both
# time notations, for hand-computed candles.
cat >"$TMP/hand.csv" <<'EOF'
time,open,high,low,close,volume
2024-01-02T03:45:00Z,100,101,99.5,100.5,10
2024-01-02T03:46:00Z,100.5,102,100,101.5,20
2024-01-02T03:47:00Z,101.5,101.75,100.25,100.75,30
2024-01-02T03:48:00Z,100.75,103,100.5,102.5,40
2024-01-02T03:53:00Z,101.25,104,101.25,103.75,60
2024-01-02 09:21:00+05:30,102.5,102.5,101,101.25,50
2024-01-03T04:00:00Z,200,201,199,200.5,5
2024-01-03T04:02:00Z,200.5,202,200,201,7
1704254580,201,201.5,198,199,9
EOF

step "import-bars"
expect_bs 0 import-bars HAND "$TMP/hand.csv"
check_contains "$OUT" "imported 9 minute bars of HAND"
expect_bs 0 bars HAND minute --json
check_eq "minute bars" '[{"time":"2024-01-02T03:45:00Z","open":100,"high":101,"low":99.5,"close":100.5,"volume":10},{"time":"2024-01-02T03:46:00Z","open":100.5,"high":102,"low":100,"close":101.5,"volume":20},{"time":"2024-01-02T03:47:00Z","open":101.5,"high":101.75,"low":100.25,"close":100.75,"volume":30},{"time":"2024-01-02T03:48:00Z","open":100.75,"high":103,"low":100.5,"close":102.5,"volume":40},{"time":"2024-01-02T03:51:00Z","open":102.5,"high":102.5,"low":101,"close":101.25,"volume":50},{"time":"2024-01-02T03:53:00Z","open":101.25,"high":104,"low":101.25,"close":103.75,"volume":60},{"time":"2024-01-03T04:00:00Z","open":200,"high":201,"low":199,"close":200.5,"volume":5},{"time":"2024-01-03T04:02:00Z","open":200.5,"high":202,"low":200,"close":201,"volume":7},{"time":"2024-01-03T04:03:00Z","open":201,"high":201.5,"low":198,"close":199,"volume":9}]' \
    "$(cat "$OUT")"

step "bars resampled: 3minute, 5minute, day"
# Buckets start at each day's first minute (03:45, then 04:00).
expect_bs 0 bars HAND 3minute --json
check_eq "3minute bars" '[{"time":"2024-01-02T03:45:00Z","open":100,"high":102,"low":99.5,"close":100.75,"volume":60},{"time":"2024-01-02T03:48:00Z","open":100.75,"high":103,"low":100.5,"close":102.5,"volume":40},{"time":"2024-01-02T03:51:00Z","open":102.5,"high":104,"low":101,"close":103.75,"volume":110},{"time":"2024-01-03T04:00:00Z","open":200,"high":202,"low":199,"close":201,"volume":12},{"time":"2024-01-03T04:03:00Z","open":201,"high":201.5,"low":198,"close":199,"volume":9}]' \
    "$(cat "$OUT")"
# The 03:50 bucket keeps its nominal start though 03:50 itself is missing.
expect_bs 0 bars HAND 5minute --json
check_eq "5minute bars" '[{"time":"2024-01-02T03:45:00Z","open":100,"high":103,"low":99.5,"close":102.5,"volume":100},{"time":"2024-01-02T03:50:00Z","open":102.5,"high":104,"low":101,"close":103.75,"volume":110},{"time":"2024-01-03T04:00:00Z","open":200,"high":202,"low":198,"close":199,"volume":21}]' \
    "$(cat "$OUT")"
expect_bs 0 bars HAND day --json
check_eq "day bars" '[{"time":"2024-01-02T00:00:00Z","open":100,"high":104,"low":99.5,"close":103.75,"volume":210},{"time":"2024-01-03T00:00:00Z","open":200,"high":202,"low":198,"close":199,"volume":21}]' \
    "$(cat "$OUT")"

step "bars: --from, --to, --limit, table"
expect_bs 0 bars HAND 3minute --limit 2 --json
check_eq "the 2 most recent 3minute bars, ascending" '[{"time":"2024-01-03T04:00:00Z","open":200,"high":202,"low":199,"close":201,"volume":12},{"time":"2024-01-03T04:03:00Z","open":201,"high":201.5,"low":198,"close":199,"volume":9}]' \
    "$(cat "$OUT")"
expect_bs 0 bars HAND day --to 2024-01-02 --json
check_eq "--to a date includes that day" '[{"time":"2024-01-02T00:00:00Z","open":100,"high":104,"low":99.5,"close":103.75,"volume":210}]' \
    "$(cat "$OUT")"
expect_bs 0 bars HAND minute --from 2024-01-02T03:53:00Z --to 2024-01-03T04:00:00Z --json
check_eq "--from and --to as times" '[{"time":"2024-01-02T03:53:00Z","open":101.25,"high":104,"low":101.25,"close":103.75,"volume":60},{"time":"2024-01-03T04:00:00Z","open":200,"high":201,"low":199,"close":200.5,"volume":5}]' \
    "$(cat "$OUT")"
expect_bs 0 bars HAND minute --from 2025-01-01 --json
check_eq "an empty range" "[]" "$(cat "$OUT")"
expect_bs 0 bars HAND 5minute
cat >"$TMP/expected" <<'EOF'
TIME                   OPEN  HIGH   LOW   CLOSE  VOLUME
2024-01-02T03:45:00Z    100   103  99.5   102.5     100
2024-01-02T03:50:00Z  102.5   104   101  103.75     110
2024-01-03T04:00:00Z    200   202   198     199      21
EOF
check_same "5minute table" "$TMP/expected" "$OUT"
expect_bs 1 bars NOPE day
check_contains "$ERR" "no bars stored for NOPE"

step "imported day bars take precedence over resampled ones"
cat >"$TMP/day.csv" <<'EOF'
time,open,high,low,close,volume
2024-01-02,99,105,98,104,1000
EOF
expect_bs 0 import-bars HAND "$TMP/day.csv" --interval day
expect_bs 0 bars HAND day --json
check_eq "stored day bars" '[{"time":"2024-01-02T00:00:00Z","open":99,"high":105,"low":98,"close":104,"volume":1000}]' \
    "$(cat "$OUT")"
expect_bs 0 symbols HAND --json
check_eq "symbols HAND --json" '[{"symbol":"HAND","first":"2024-01-02T00:00:00Z","last":"2024-01-03T04:03:00Z","intervals":["minute","3minute","5minute","10minute","15minute","30minute","60minute","day"],"stored":{"minute":{"first":"2024-01-02T03:45:00Z","last":"2024-01-03T04:03:00Z","count":9},"day":{"first":"2024-01-02T00:00:00Z","last":"2024-01-02T00:00:00Z","count":1}}}]' \
    "$(cat "$OUT")"

step "a symbol with day bars only serves day"
expect_bs 0 import-bars DAYONLY "$TMP/day.csv" --interval day
expect_bs 0 symbols DAYONLY --json
check_contains "$OUT" '"intervals":["day"]'
expect_bs 1 bars DAYONLY 5minute
check_contains "$ERR" "DAYONLY has no 5minute bars, and no minute bars"
expect_bs 0 symbols
check_contains "$OUT" "all (from minute bars)"

step "bad imports change nothing"
expect_bs 0 bars HAND minute --json
cp "$OUT" "$TMP/bars-before"
expect_bs 0 symbols --json
cp "$OUT" "$TMP/symbols-before"
# Row 4 is bad; rows before and after it are new bars that must not land.
cat >"$TMP/bad-row.csv" <<'EOF'
time,open,high,low,close,volume
2024-01-04T03:45:00Z,100,101,99,100.5,10
2024-01-04T03:46:00Z,100.5,101,100,100.75,10
2024-01-04T03:47:00Z,100.75,101,100,abc,10
2024-01-04T03:48:00Z,100,101,99,100,10
EOF
expect_bs 1 import-bars HAND "$TMP/bad-row.csv"
check_eq "message of a bad row" \
    "backstream: import-bars: $TMP/bad-row.csv:4: close: \"abc\" is not a number" \
    "$(cat "$ERR")"
printf 'date,open,high,low,close,volume\n2024-01-04,1,1,1,1,1\n' >"$TMP/bad-header.csv"
expect_bs 1 import-bars HAND "$TMP/bad-header.csv"
check_contains "$ERR" "bad-header.csv:1: expected the header"
: >"$TMP/empty.csv"
expect_bs 1 import-bars HAND "$TMP/empty.csv"
check_contains "$ERR" "empty.csv"
printf 'time,open,high,low,close,volume\n' >"$TMP/header-only.csv"
expect_bs 1 import-bars HAND "$TMP/header-only.csv"
expect_bs 1 import-bars HAND "$TMP/no-such.csv"
check_contains "$ERR" "no-such.csv: No such file or directory"
printf 'time,open,high,low,close,volume\n2024-01-04T03:45:30Z,1,1,1,1,1\n' >"$TMP/seconds.csv"
expect_bs 1 import-bars HAND "$TMP/seconds.csv"
check_contains "$ERR" "2024-01-04T03:45:30Z: a minute bar must start on a whole minute"
printf 'time,open,high,low,close,volume\n2024-01-04T03:45:00Z,1,1,1,1,1\n' >"$TMP/not-midnight.csv"
expect_bs 1 import-bars HAND "$TMP/not-midnight.csv" --interval day
check_contains "$ERR" "a day bar's time must be 00:00:00Z"
printf 'time,open,high,low,close,volume\n2024-01-04T03:45:00Z,10,9,8,10,1\n' >"$TMP/insane.csv"
expect_bs 1 import-bars HAND "$TMP/insane.csv"
check_contains "$ERR" "insane.csv:2: low must be the lowest"
expect_bs 0 bars HAND minute --json
check_same "bars after refused imports" "$TMP/bars-before" "$OUT"
expect_bs 0 symbols --json
check_same "symbols after refused imports" "$TMP/symbols-before" "$OUT"

step "import-bars from stdin; re-importing replaces bars"
expect 0 sh -c '"$1" import-bars HAND - <"$2"' sh "$BACKSTREAM" "$TMP/hand.csv"
check_contains "$OUT" "imported 9 minute bars of HAND"
expect_bs 0 bars HAND minute --json
check_same "bars after importing the same file again" "$TMP/bars-before" "$OUT"

step "demo-data, twice"
expect_bs 0 demo-data
check_contains "$OUT" "DEMO: 98250 minute bars"
expect_bs 0 bars DEMO day --json
cp "$OUT" "$TMP/demo-day"
expect_bs 0 symbols DEMO --json
cp "$OUT" "$TMP/demo-symbols"
check_contains "$OUT" '"stored":{"minute":{"first":"2024-01-01T03:45:00Z","last":"2024-12-31T09:59:00Z","count":98250}}'
expect_bs 0 demo-data
expect_bs 0 bars DEMO day --json
check_same "demo day bars after a second demo-data" "$TMP/demo-day" "$OUT"
expect_bs 0 symbols DEMO --json
check_same "demo symbols after a second demo-data" "$TMP/demo-symbols" "$OUT"
expect_bs 0 bars DEMO day --limit 3
check_eq "rows of bars --limit 3 (with the header)" 4 "$(wc -l <"$OUT")"

# ---- jobs ----------------------------------------------------------------------------

SPEC='{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"sma_crossover","params":{"fast":5,"slow":20}}'

# Prints the job_id of the job JSON in $OUT.
job_id() {
	sed -n 's/^{"job_id":"\([0-9a-f-]*\)".*/\1/p' "$OUT"
}

step "submit"
expect_bs 0 submit --uid alice --json "$SPEC"
check_contains "$OUT" '"status":"queued"'
check_contains "$OUT" '"params":{"fast":5,"slow":20}'
JOB=$(job_id)
[ -n "$JOB" ] || fail "submit printed no job_id" "a job" "$(cat "$OUT")"
printf '%s\n' "$SPEC" >"$TMP/spec.json"
expect_bs 0 submit --uid alice --file "$TMP/spec.json"
JOB2=$(job_id)
expect 0 sh -c '"$1" submit --uid alice --file - <"$2"' sh "$BACKSTREAM" "$TMP/spec.json"
JOB3=$(job_id)

step "submit refusals name the field"
submit_refused() {
	expect_bs 1 submit --uid alice --json "$1"
	check_eq "message for $1" "backstream: submit: $2" "$(cat "$ERR")"
}
submit_refused '{"symbol":"DEMO","interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"sma_crossover","params":{"fast":5.5,"slow":20}}' \
    "params.fast: must be a JSON integer"
submit_refused '{"interval":"day","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"buy_and_hold"}' \
    "symbol: is required"
submit_refused '{"symbol":"DEMO","interval":"day","start_date":"2024-06-01","end_date":"2024-01-01","strategy":"buy_and_hold"}' \
    "end_date: must not be before start_date"
expect_bs 1 submit --uid alice --json '{"symbol":"DEMO","colour":"red"}'
check_contains "$ERR" "colour: unknown field"
expect_bs 1 submit --uid alice --json '{"symbol":'
check_contains "$ERR" "JSON"
expect_bs 1 submit --uid alice --file "$TMP/no-such.json"
expect_bs 2 submit --uid alice
expect_bs 2 submit --uid alice --json "$SPEC" --file "$TMP/spec.json"
expect_bs 2 submit --json "$SPEC"
expect_bs 2 submit --uid '' --json "$SPEC"

step "jobs"
expect_bs 0 jobs --uid alice --json
check_contains "$OUT" "\"job_id\":\"$JOB\""
check_contains "$OUT" "\"job_id\":\"$JOB3\""
expect_bs 0 jobs --uid alice --limit 1 --json
check_contains "$OUT" "\"job_id\":\"$JOB3\""
check_not_contains "$OUT" "\"job_id\":\"$JOB\""
expect_bs 0 jobs --uid alice --status completed --json
check_eq "alice's completed jobs" "[]" "$(cat "$OUT")"
expect_bs 0 jobs --uid bob --json
check_eq "bob's jobs" "[]" "$(cat "$OUT")"
expect_bs 0 jobs --uid alice
check_contains "$OUT" "JOB_ID"
check_contains "$OUT" "$JOB2"
expect_bs 0 jobs --any-user --status queued
check_contains "$OUT" "alice"

step "job and transactions"
expect_bs 0 job "$JOB" --uid alice --json
check_contains "$OUT" "{\"job_id\":\"$JOB\",\"status\":\"queued\""
expect_bs 0 job "$JOB" --uid alice
check_contains "$OUT" "params.slow"
expect_bs 0 transactions "$JOB" --uid alice --json
check_eq "transactions of a queued job" "[]" "$(cat "$OUT")"
expect_bs 0 job "$JOB" --any-user --json
check_contains "$OUT" "\"job_id\":\"$JOB\""
expect_bs 2 job "$JOB"
expect_bs 2 job "$JOB" --uid alice --any-user

step "another user's job answers like a missing one"
for cmd in job transactions cancel delete; do
	expect_bs 1 "$cmd" "$MISSING" --uid alice
	sed "s/$MISSING/ID/" "$ERR" >"$TMP/missing.err"
	expect_bs 1 "$cmd" "$JOB" --uid bob
	sed "s/$JOB/ID/" "$ERR" >"$TMP/other.err"
	check_same "$cmd: another user's job and a missing job" \
	    "$TMP/missing.err" "$TMP/other.err"
done
expect_bs 1 job not-an-id --uid alice
check_contains "$ERR" "no job not-an-id"
expect_bs 0 job "$JOB" --uid alice --json
check_contains "$OUT" '"status":"queued"'

step "cancel"
expect_bs 0 cancel "$JOB" --uid alice
check_eq "cancel output" "$JOB cancelled" "$(cat "$OUT")"
expect_bs 1 cancel "$JOB" --uid alice
check_contains "$ERR" "$JOB is already"
expect_bs 0 job "$JOB" --uid alice --json
check_contains "$OUT" '"status":"cancelled"'

step "delete"
expect_bs 0 delete "$JOB" --uid alice
check_eq "delete output" "$JOB deleted" "$(cat "$OUT")"
expect_bs 1 job "$JOB" --uid alice
expect_bs 1 delete "$JOB" --uid alice
expect_bs 0 delete "$JOB2" --any-user
expect_bs 0 jobs --uid alice --json
check_not_contains "$OUT" "$JOB2"
check_contains "$OUT" "$JOB3"

step "the queued-jobs cap"
conf_set max_queued_jobs 2
expect_bs 0 submit --uid carol --json "$SPEC"
expect_bs 0 submit --uid carol --json "$SPEC"
CAROL2=$(job_id)
expect_bs 1 submit --uid carol --json "$SPEC"
check_contains "$ERR" "you have 2 queued jobs"
# The cap is per user, and a cancelled job no longer counts.
expect_bs 0 submit --uid dave --json "$SPEC"
expect_bs 0 cancel "$CAROL2" --uid carol
expect_bs 0 submit --uid carol --json "$SPEC"
conf_unset max_queued_jobs

# ---- a finished job (when the engine is built) ------------------------------------

ENGINE=${ENGINE:-$top_builddir/engine/backstream-engine}
if [ -x "$ENGINE" ]; then
	step "a finished job: transactions, cancel refused, delete"
	expect 0 "$ENGINE" --once
	expect_bs 0 job "$JOB3" --uid alice --json
	check_contains "$OUT" '"status":"completed"'
	expect_bs 0 transactions "$JOB3" --uid alice --json
	check_contains "$OUT" '[{"seq":1,"time":"2024-'
	expect_bs 0 transactions "$JOB3" --uid alice
	check_contains "$OUT" "CASH_AFTER"
	expect_bs 1 transactions "$JOB3" --uid bob
	check_eq "another user's transactions" "backstream: transactions: no job $JOB3" \
	    "$(cat "$ERR")"
	expect_bs 1 cancel "$JOB3" --uid alice
	check_contains "$ERR" "$JOB3 is already completed"
	expect_bs 0 delete "$JOB3" --uid alice
	expect_bs 1 transactions "$JOB3" --uid alice
else
	step "no engine at $ENGINE: finished jobs not tested"
fi

# ---- keys and tokens -------------------------------------------------------------------

step "keygen and token"
expect_bs 3 token --uid alice
check_contains "$ERR" "signing-key.pem"
mkdir "$TMP/keys"
expect_bs 0 keygen "$TMP/keys"
[ -f "$TMP/keys/signing-key.pem" ] && [ -f "$TMP/keys/certs.json" ] ||
    fail "keygen wrote no key and certificates"
check_eq "mode of the signing key" "-rw-------" \
    "$(ls -l "$TMP/keys/signing-key.pem" | cut -c1-10)"
expect_bs 0 token --uid alice --ttl 10m
check_eq "lines of token output" 1 "$(wc -l <"$OUT")"
grep -Eq '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "$OUT" ||
    fail "token output is a JWT" "header.payload.signature" "$(cat "$OUT")"
[ ! -s "$ERR" ] || fail "token wrote to stderr" "" "$(cat "$ERR")"
VERIFY=${VERIFY:-$top_builddir/cgi-bin/backstream-verify}
if [ -x "$VERIFY" ]; then
	cp "$OUT" "$TMP/token"
	expect 0 sh -c '"$1" -c "$2" <"$3"' sh "$VERIFY" "$CONF" "$TMP/token"
	check_contains "$OUT" "ok alice "
fi
expect_bs 2 token --uid alice --ttl 0
expect_bs 1 keygen "$TMP/no-such-dir"

step "keygen keeps an existing certificate set unless --force"
cp "$TMP/keys/certs.json" "$TMP/certs.before"
expect_bs 1 keygen "$TMP/keys"
check_contains "$ERR" "$TMP/keys/certs.json exists"
check_contains "$ERR" "--force"
check_same "certs.json after a refused keygen" "$TMP/certs.before" \
    "$TMP/keys/certs.json"
mkdir "$TMP/key-only"
: >"$TMP/key-only/signing-key.pem"
expect_bs 1 keygen "$TMP/key-only"
check_contains "$ERR" "signing-key.pem exists"
expect_bs 0 keygen --force "$TMP/keys"
cmp -s "$TMP/certs.before" "$TMP/keys/certs.json" &&
    fail "keygen --force kept the old certificate set"
expect_bs 0 token --uid alice --ttl 10m
conf_set project_id ""
expect_bs 3 token --uid alice
check_contains "$ERR" "project_id is not set"
conf_set project_id backstream-test

step "the store is still sound"
expect_bs 0 verify
expect_bs 0 checkpoint

step "verify finds a damaged database"
expect_bs 0 checkpoint
# Overwrite the headers of a few of bars.db's 16 KiB pages.
for page in 1 2 3 4; do
	printf 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ' |
	    dd of="$STORE/bars.db" bs=16384 seek="$page" conv=notrunc 2>/dev/null
done
expect_bs 1 verify
check_contains "$ERR" "backstream: verify: the store is damaged: bars.db:"

# ---- setup-site ----------------------------------------------------------------------

step "setup-site: refusals (tests/shared-host.sh runs it from the bundle)"
expect_bs 1 setup-site "$TMP/nowhere"
check_contains "$ERR" "not a directory"
mkdir -p "$TMP/site"
# The build tree's CLI looks for the responders where make install puts
# them; without an installation there, it writes nothing.
bs setup-site "$TMP/site"
if [ "$STATUS" -eq 1 ]; then
	check_contains "$ERR" "no responders in"
	[ -z "$(ls -A "$TMP/site")" ] || fail "setup-site wrote files" "none" \
	    "$(ls -A "$TMP/site")"
fi

# ---- optional: the import's speed -----------------------------------------------------

# CLI_BENCH_ROWS=1000000 make check TESTS=cli.sh: times the import of that
# many generated minute bars into a fresh store (the log shows the figure).
if [ -n "${CLI_BENCH_ROWS:-}" ]; then
	step "import-bars of $CLI_BENCH_ROWS generated rows"
	awk -v n="$CLI_BENCH_ROWS" 'BEGIN {
		print "time,open,high,low,close,volume"
		p = 100
		for (i = 0; i < n; i++) {
			c = p + ((i * 7919) % 21 - 10) / 100
			if (c < 1)
				c = 50
			printf "%s,%.2f,%.2f,%.2f,%.2f,%d\n",
			    strftime("%Y-%m-%dT%H:%M:%SZ", 1577836800 + 60 * i, 1),
			    p, (p > c ? p : c) + 0.05, (p < c ? p : c) - 0.05, c,
			    (i * 31) % 5000 + 100
			p = c
		}
	}' >"$TMP/bench.csv"
	conf_set store_dir "$TMP/bench-store"
	expect_bs 0 init
	start=$(date +%s.%N)
	expect_bs 0 import-bars BENCH "$TMP/bench.csv"
	end=$(date +%s.%N)
	check_contains "$OUT" "imported $CLI_BENCH_ROWS minute bars of BENCH"
	echo "imported $CLI_BENCH_ROWS rows in $(echo "$start $end" |
	    awk '{ printf "%.2f", $2 - $1 }') s"
fi
