# tests/store-faults.sh: the store on a full disk and on a read-only one: clear errors with the documented exit statuses, nothing committed lost or half-written, and everything working again once the fault is gone.
#
# The store lives on a small tmpfs of the test's own (root only: skipped
# otherwise).  A filler file takes the free space; the faults are met at
# rest, in the middle of an import, and in the middle of an engine run;
# then the filesystem is remounted read-only.  The responders are checked
# through lighttpd when it and curl are there (that part is skipped, with a
# note, otherwise).
. "${top_srcdir:-..}/tests/lib.sh"

ENGINE=${ENGINE:-$top_builddir/engine/backstream-engine}
MNT=$TMP/mnt
MOUNTED=

skip() {
	echo "$TEST_NAME: skipped: $*"
	exit 77
}

# Processes first (they hold files on the mount), then the mount, then
# lib.sh's cleanup with the test's exit status.
faults_cleanup() {
	rc=$?
	set +e
	for pid in $PIDS; do
		stop_pid "$pid"
	done
	PIDS=
	if [ -n "$MOUNTED" ]; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	fi
	(exit "$rc")
	cleanup
}
trap faults_cleanup EXIT

[ "$(id -u)" -eq 0 ] || skip "needs root to mount a filesystem of its own"
[ -x "$ENGINE" ] || skip "no engine at $ENGINE"
mkdir "$MNT"
# 64 MiB: the regions (about 15 MiB with max_processes = 16), a 16 MiB log
# file, the data, and room to fill.
mount -t tmpfs -o size=64m,mode=0755 tmpfs "$MNT" 2>"$ERR" ||
    skip "cannot mount a tmpfs ($(cat "$ERR"))"
MOUNTED=1

conf_set store_dir "$MNT/store"
conf_set cache_size 1M
conf_set max_processes 16
conf_set max_queued_jobs 100
conf_set verify_helper "$top_builddir/cgi-bin/backstream-verify"

# ---- helpers ---------------------------------------------------------------------

# Free space on the mount, in KiB.
avail_kb() {
	df -Pk "$MNT" | awk 'NR == 2 { print $4 }'
}

# fill KB: a filler file leaves about KB KiB free (0: nothing at all).
fill() {
	rm -f "$MNT/filler"
	if [ "$1" -eq 0 ]; then
		dd if=/dev/zero of="$MNT/filler" bs=1M 2>/dev/null || :
		dd if=/dev/zero of="$MNT/filler" bs=4k oflag=append \
		    conv=notrunc 2>/dev/null || :
	else
		dd if=/dev/zero of="$MNT/filler" bs=1k \
		    count=$(($(avail_kb) - $1)) 2>/dev/null ||
		    fail "could not write the filler"
	fi
}

unfill() {
	rm -f "$MNT/filler"
}

# refused WHAT PATTERN: the last command failed as backstream(1) says a
# command fails (exit 1 or 3, never a crash or a hang) with a message on
# stderr that matches PATTERN (an extended regular expression).
refused() {
	case $STATUS in
	1|3)	;;
	*)	fail "$1: exit status (1 or 3)" "1 or 3" "$STATUS" ;;
	esac
	grep -qE -- "$2" "$ERR" ||
	    fail "$1: a clear message" "/$2/" "$(grep -v 'berkeley db' "$ERR" | head -5)"
}

# refused_bs PATTERN ARGS: runs backstream ARGS and checks it was refused.
refused_bs() {
	pattern=$1
	shift
	bs "$@"
	refused "backstream $1" "$pattern"
	grep -qE "^backstream: $1: " "$ERR" ||
	    fail "backstream $1: the message names the command" \
	        "backstream: $1: ..." "$(grep -v 'berkeley db' "$ERR" | head -3)"
}

# attempt PATTERN ARGS: runs backstream ARGS, which may work (a read, or a
# write small enough for the room left in the log's last page) or else
# must be refused as refused_bs checks.
attempt() {
	pattern=$1
	shift
	bs "$@"
	if [ "$STATUS" -eq 0 ]; then
		echo "    backstream $1: worked"
		return
	fi
	refused "backstream $1" "$pattern"
	echo "    backstream $1: refused: $(grep "^backstream: " "$ERR" | head -1)"
}

# Job ids of alice's jobs in a status, one a line.
job_ids() {
	bs jobs --uid alice --status "$1" --limit 1000 --json
	[ "$STATUS" -eq 0 ] || fail "jobs --status $1" 0 "$STATUS"
	grep -o '"job_id":"[^"]*"' "$OUT" | cut -d'"' -f4
}

# snapshot FILE: what must survive every fault: the symbols, and each
# finished job with its transactions.
snapshot() {
	: >"$1"
	expect_bs 0 symbols --json
	cat "$OUT" >>"$1"
	for id in $(job_ids completed); do
		expect_bs 0 job "$id" --uid alice --json
		cat "$OUT" >>"$1"
		expect_bs 0 transactions "$id" --uid alice --json
		cat "$OUT" >>"$1"
	done
}

# Every job is in a final state or queued, none half-run, and each finished
# job has exactly the transactions it counts.
check_jobs_whole() {
	[ -z "$(job_ids running)" ] || fail "no job is left running"
	for id in $(job_ids completed); do
		expect_bs 0 job "$id" --uid alice --json
		count=$(grep -o '"transaction_count":[0-9]*' "$OUT" | cut -d: -f2)
		expect_bs 0 transactions "$id" --uid alice --json
		check_eq "transactions of job $id" "$count" \
		    "$(grep -o '"seq":' "$OUT" | wc -l | tr -d ' ')"
	done
}

check_verify_clean() {
	expect_bs 0 verify
	check_contains "$OUT" "no problems found"
}

SPEC='{"symbol":"SWING","interval":"minute","start_date":"2024-01-01","end_date":"2024-01-20","strategy":"sma_crossover","params":{"fast":2,"slow":5}}'

submit() {
	expect_bs 0 submit --uid alice --json "$SPEC"
}

run_engine() {
	run "$ENGINE" --once
}

# ---- a store with finished jobs -----------------------------------------------------

step "a store on a 64 MiB tmpfs, bars, finished jobs"
mkdir -p "$TMP/keys"
expect_bs 0 keygen "$TMP/keys"
expect_bs 0 init
bars 20000 1704067200 >"$TMP/swing.csv"
bars 30000 1706745600 >"$TMP/more.csv"
expect_bs 0 import-bars SWING "$TMP/swing.csv"
submit
submit
run_engine
[ "$STATUS" -eq 0 ] || fail "engine run" 0 "$STATUS"
check_eq "finished jobs" 2 "$(job_ids completed | wc -l | tr -d ' ')"
check_jobs_whole
[ "$(grep -o '"seq":' "$OUT" | wc -l)" -gt 100 ] ||
    fail "the jobs trade (the test needs transactions to lose)"
snapshot "$TMP/before"

# ---- a full disk at rest --------------------------------------------------------------

FULL='disk holding .* is full|No space left on device'

step "a full disk: each command works or fails with exit 1 or 3 and says why"
fill 0
check_eq "free space" 0 "$(avail_kb)"
attempt "$FULL" symbols
attempt "$FULL" jobs --uid alice
attempt "$FULL" bars SWING day
refused_bs "$FULL" import-bars MORE "$TMP/more.csv"
attempt "$FULL" submit --uid alice --json "$SPEC"
attempt "$FULL" stats
attempt "$FULL" checkpoint
attempt "$FULL" verify
step "a full disk: the engine runs or says why and stops"
run_engine
[ "$STATUS" -eq 0 ] || refused "backstream-engine --once" "$FULL"
echo "    backstream-engine --once: exit $STATUS"

step "space again: nothing lost, the store verifies, everything works"
unfill
check_verify_clean
snapshot "$TMP/after"
check_same "symbols, jobs and transactions after a full disk" \
    "$TMP/before" "$TMP/after"
check_jobs_whole

# ---- a full disk in the middle of an import -----------------------------------------------

step "the disk fills during an import: refused, nothing of it kept"
fill 300
refused_bs "$FULL" import-bars MORE "$TMP/more.csv"
unfill
check_verify_clean
expect_bs 1 bars MORE minute
snapshot "$TMP/after"
check_same "after a failed import" "$TMP/before" "$TMP/after"
expect_bs 0 import-bars MORE "$TMP/more.csv"
check_contains "$OUT" "imported 30000 minute bars of MORE"

# ---- a full disk in the middle of engine runs ------------------------------------------------

step "the disk fills during engine runs: no job half-written"
snapshot "$TMP/before"
for i in 1 2 3 4 5 6; do
	submit
done
# Little room: some writes of progress and transactions fit, then none.
fill 200
run_engine
case $STATUS in
0|1|3)	;;
*)	fail "engine run on a filling disk: exit status" "0, 1 or 3" "$STATUS" ;;
esac
echo "    backstream-engine --once: exit $STATUS"
grep -v 'berkeley db' "$ERR" | sort -u -k3 | head -5 | cut -c1-200 |
    sed 's/^/    /'
unfill
echo "    then: $(job_ids completed | wc -l) jobs completed," \
    "$(job_ids queued | wc -l) queued, $(job_ids running | wc -l) running"
check_verify_clean
# Jobs cut short are queued again (or failed) by the next run.
run_engine
[ "$STATUS" -eq 0 ] || fail "engine run after the disk had space again" 0 "$STATUS"
check_jobs_whole
[ -z "$(job_ids queued)" ] || fail "every job has run"
check_eq "finished jobs" 8 "$(job_ids completed | wc -l | tr -d ' ')"

# ---- the responders ----------------------------------------------------------------------------

RESPONDERS=
if command -v curl >/dev/null 2>&1 && [ -x "${LIGHTTPD:-/usr/sbin/lighttpd}" ] &&
    [ -x "$top_builddir/cgi-bin/backstream-sse" ] &&
    [ -x "$top_builddir/cgi-bin/backstream-api" ]; then
	RESPONDERS=1
	. "$top_srcdir/tests/lighttpd.sh"
	expect_bs 0 token --uid alice
	TOKEN=$(cat "$OUT")
else
	echo "--- no curl, lighttpd or responders: the responders' part is skipped"
fi

# stream_status PATH: the HTTP status of the stream at PATH, once it is
# known: a working stream stays open, so a 200 is read up to the end of its
# headers; any other answer ends by itself and is read whole (its body is
# checked).
stream_status() {
	rm -f "$TMP/status.h"
	: >"$OUT"
	curl -s -o "$OUT" -D "$TMP/status.h" --max-time "$HANG" \
	    "$LIGHTTPD_URL$1?token=$TOKEN" &
	ss_pid=$!
	wait_for "$HANG" stream_answered "$ss_pid"
	kill "$ss_pid" 2>/dev/null || :
	wait "$ss_pid" 2>/dev/null || :
	ss_code=$(head -n 1 "$TMP/status.h" 2>/dev/null | cut -d' ' -f2)
	echo "${ss_code:-000}"
}

# stream_answered PID: curl PID has ended, or has had a 200's headers.
stream_answered() {
	case $(ps -o stat= -p "$1" 2>/dev/null) in
	'' | Z*) return 0 ;;
	esac
	head -n 1 "$TMP/status.h" 2>/dev/null | grep -q '^HTTP/[0-9.]* 200' &&
	    tr -d '\r' <"$TMP/status.h" | grep -qx ''
}

api_status() {
	curl -s -o "$OUT" -w '%{http_code}' --max-time "$HANG" \
	    -H "Authorization: Bearer $TOKEN" "$LIGHTTPD_URL$1" || :
}

# responders_answer SSE API WHY: fresh responders (which open the store at
# their first request) answer the streams with a status in SSE and the REST
# API with one in API (each a pattern: "503", "200|503"); a 503 carries
# the JSON error "unavailable".
responders_answer() {
	lighttpd_start
	code=$(stream_status /api/sse/backtest/jobs)
	echo "    stream responder, $3: $code"
	echo "$code" | grep -qxE "$1" || fail "stream responder, $3" "$1" "$code"
	[ "$code" != 503 ] || check_contains "$OUT" '"error":"unavailable"'
	code=$(api_status /api/backtesting/jobs)
	echo "    REST responder, $3: $code"
	echo "$code" | grep -qxE "$2" || fail "REST responder, $3" "$2" "$code"
	[ "$code" != 503 ] || check_contains "$OUT" '"error":"unavailable"'
	lighttpd_stop || fail "responders outlived lighttpd"
	if grep -qE 'Sanitizer|runtime error:' "$LIGHTTPD_STDERR"; then
		fail "sanitizer report from the responders"
	fi
}

if [ -n "$RESPONDERS" ]; then
	# A read may still find room in the log's last page: 200 or 503.
	step "responders on a full disk: 200 or 503, then 200 with space again"
	fill 0
	responders_answer '200|503' '200|503' "full disk"
	unfill
	responders_answer 200 200 "space again"
fi

# ---- a read-only store ----------------------------------------------------------------------------

RO='Read-only file system'

step "a read-only store: every command fails with exit 3 and says why"
snapshot "$TMP/before"
submit
QUEUED=$(job_ids queued | head -1)
mount -o remount,ro "$MNT" || fail "cannot remount $MNT read-only"
refused_bs "$RO" symbols
check_eq "exit status on a read-only store" 3 "$STATUS"
refused_bs "$RO" jobs --uid alice
refused_bs "$RO" import-bars MORE "$TMP/more.csv"
refused_bs "$RO" submit --uid alice --json "$SPEC"
refused_bs "$RO" cancel "$QUEUED" --uid alice
refused_bs "$RO" checkpoint
refused_bs "$RO" verify
check_eq "verify on a read-only store: unavailable, not damaged" 3 "$STATUS"
run_engine
refused "backstream-engine --once on a read-only store" "$RO"
if [ -n "$RESPONDERS" ]; then
	step "responders on a read-only store: 503"
	responders_answer 503 503 "read-only store"
fi

step "writable again: nothing lost, the store verifies, the queued job runs"
mount -o remount,rw "$MNT" || fail "cannot remount $MNT read-write"
check_verify_clean
snapshot "$TMP/after"
check_same "after a read-only spell" "$TMP/before" "$TMP/after"
run_engine
[ "$STATUS" -eq 0 ] || fail "engine run" 0 "$STATUS"
[ -z "$(job_ids queued)" ] || fail "the queued job has run"
check_jobs_whole
if [ -n "$RESPONDERS" ]; then
	responders_answer 200 200 "writable again"
fi
check_verify_clean

echo "PASS: $TEST_NAME"
