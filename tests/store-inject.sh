# tests/store-inject.sh: writes and syncs of the store failing at every point of an import and of engine runs (inject-faults.so): a clear failure, and nothing half-written.
#
# An import must leave all of its bars or none; a job must end completed
# with exactly the transactions of an undisturbed run, or be run again;
# the store must verify after each fault.
. "${top_srcdir:-..}/tests/lib.sh"

ENGINE=${ENGINE:-$top_builddir/engine/backstream-engine}
SHIM=$top_builddir/tests/inject-faults.so

[ -f "$SHIM" ] || {
	echo "$TEST_NAME: skipped: no $SHIM"
	exit 77
}
# A sanitizer build wants its runtime first among the libraries.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

conf_set cache_size 1M
conf_set max_processes 16
conf_set max_queued_jobs 1000

# faulty ENV... CMD [ARGS]: runs CMD with the shim, the store's files
# faulty as the INJECT_* settings given say (see inject-faults.c).  A
# failed log write panics Berkeley DB, which then frees neither its log
# buffer nor the handles it can no longer close: a sanitizer build checks
# the memory accesses of such a run, not its leaks.
faulty() {
	run env LD_PRELOAD="$SHIM" INJECT_DIR="$STORE" \
	    ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" "$@"
}

# Calls the last faulty command made (its INJECT_REPORT line).
calls_made() {
	sed -n 's/^inject-faults: \([0-9]*\) calls$/\1/p' "$ERR" | tail -1
}

check_failed_cleanly() {
	case $STATUS in
	0)	;;
	1|3)	grep -qE '^backstream: |error: ' "$ERR" ||
		    fail "$1: a message on stderr" ;;
	*)	fail "$1: exit status" "0, 1 or 3" "$STATUS" ;;
	esac
}

check_verify_clean() {
	expect_bs 0 verify
	check_contains "$OUT" "no problems found"
}

job_ids() {
	bs jobs --uid alice --status "$1" --limit 1000 --json
	[ "$STATUS" -eq 0 ] || fail "jobs --status $1" 0 "$STATUS"
	grep -o '"job_id":"[^"]*"' "$OUT" | cut -d'"' -f4
}

step "a store, bars, and a job run undisturbed"
expect_bs 0 init
bars 20000 1704067200 >"$TMP/swing.csv"
expect_bs 0 import-bars SWING "$TMP/swing.csv"
SPEC='{"symbol":"SWING","interval":"minute","start_date":"2024-01-01","end_date":"2024-01-14","strategy":"sma_crossover","params":{"fast":2,"slow":5}}'
expect_bs 0 submit --uid alice --json "$SPEC"
run "$ENGINE" --once
[ "$STATUS" -eq 0 ] || fail "engine run" 0 "$STATUS"
REF=$(job_ids completed)
expect_bs 0 transactions "$REF" --uid alice --json
TRADES=$(grep -o '"seq":' "$OUT" | wc -l | tr -d ' ')
[ "$TRADES" -gt 100 ] || fail "the reference job trades" "> 100" "$TRADES"
expect_bs 0 bars SWING minute --json
cp "$OUT" "$TMP/swing.json"

# ---- imports --------------------------------------------------------------------------

step "an import counts its writes"
faulty INJECT_AFTER=1000000 INJECT_REPORT=1 "$BACKSTREAM" import-bars \
    COUNT "$TMP/swing.csv"
[ "$STATUS" -eq 0 ] || fail "import with the shim, no faults" 0 "$STATUS"
TOTAL=$(calls_made)
[ -n "$TOTAL" ] && [ "$TOTAL" -gt 0 ] || fail "the shim counted writes"
echo "    $TOTAL writes and syncs"

step "an import whose writes fail from the Nth on, for every N"
n=0
while [ "$n" -le "$TOTAL" ]; do
	faulty INJECT_AFTER=$n "$BACKSTREAM" import-bars "NEW$n" \
	    "$TMP/swing.csv"
	check_failed_cleanly "import failing after $n writes"
	echo "    after $n: exit $STATUS $(grep '^backstream: ' "$ERR" | head -1)"
	check_verify_clean
	# All of it, or nothing.
	bs bars "NEW$n" minute --json
	if [ "$STATUS" -eq 0 ]; then
		check_same "the bars of an import that committed" \
		    "$TMP/swing.json" "$OUT"
	else
		check_eq "bars of an import that failed (exit)" 1 "$STATUS"
		check_contains "$ERR" "no bars stored for NEW$n"
	fi
	n=$((n + 1))
done

# ---- engine runs ------------------------------------------------------------------------

step "an engine run counts its writes"
expect_bs 0 submit --uid alice --json "$SPEC"
faulty INJECT_AFTER=1000000 INJECT_REPORT=1 "$ENGINE" --once
[ "$STATUS" -eq 0 ] || fail "engine with the shim, no faults" 0 "$STATUS"
ENGINE_TOTAL=$(sed -n 's/^inject-faults: \([0-9]*\) calls$/\1/p' "$ERR" |
    sort -n | tail -1)
echo "    up to $ENGINE_TOTAL writes and syncs in one process"

# check_jobs_whole: no job left running; every completed job has the
# reference run's transactions, all of them.
check_jobs_whole() {
	[ -z "$(job_ids running)" ] || fail "no job is left running"
	for id in $(job_ids completed); do
		expect_bs 0 job "$id" --uid alice --json
		check_eq "transaction_count of job $id" "$TRADES" \
		    "$(grep -o '"transaction_count":[0-9]*' "$OUT" | cut -d: -f2)"
		expect_bs 0 transactions "$id" --uid alice --json
		check_eq "transactions of job $id" "$TRADES" \
		    "$(grep -o '"seq":' "$OUT" | wc -l | tr -d ' ')"
	done
}

step "one write of an engine run fails (EIO), at points through the run"
step=$((ENGINE_TOTAL / 6 + 1))
n=1
while [ "$n" -le "$ENGINE_TOTAL" ]; do
	expect_bs 0 submit --uid alice --json "$SPEC"
	faulty INJECT_AFTER=$n INJECT_ONCE=1 INJECT_ERRNO=EIO "$ENGINE" --once
	check_failed_cleanly "engine run with write $n failing"
	echo "    write $n failing: exit $STATUS"
	# What was cut short runs again, undisturbed.
	run "$ENGINE" --once
	[ "$STATUS" -eq 0 ] || fail "engine run after the fault" 0 "$STATUS"
	check_verify_clean
	check_jobs_whole
	[ -z "$(job_ids queued)" ] || fail "every job has run"
	n=$((n + step))
done

step "the disk stays full from the middle of an engine run on"
expect_bs 0 submit --uid alice --json "$SPEC"
faulty INJECT_AFTER=$((ENGINE_TOTAL / 2)) "$ENGINE" --once
check_failed_cleanly "engine run on a disk that stays full"
echo "    exit $STATUS"
run "$ENGINE" --once
[ "$STATUS" -eq 0 ] || fail "engine run after the fault" 0 "$STATUS"
check_verify_clean
check_jobs_whole
[ -z "$(job_ids failed)" ] || fail "no job failed"

echo "PASS: $TEST_NAME"
