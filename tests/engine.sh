# tests/engine.sh: backstream-engine on a real store: jobs to their end, clear failures, cancel, crash recovery, overlapping runs and the watching cycle.
. "${top_srcdir:-..}/tests/lib.sh"

ENGINE=${ENGINE:-$top_builddir/engine/backstream-engine}
[ -x "$ENGINE" ] || fail "no engine at $ENGINE"

# Minute bars of the generated long series: the engine runs 2 million in
# about 0.2 s, most of it reading them.  slow_engine_bg holds its jobs to
# SLOW_RATE bars a second (engine_bar_rate: a sleep every 1024 bars,
# outside any transaction), so that the test can act in the middle of the
# bar loop, where a kill holds no lock.  A slowed run of the long job
# lasts 1000 s, longer than the whole test may: it never ends by itself,
# so the test cancels, kills or stops it whenever it gets there, however
# loaded the machine; a job that must finish is run by a full-speed engine.
: "${ENGINE_TEST_BARS:=2000000}"
SLOW_RATE=$((ENGINE_TEST_BARS / 1000 > 0 ? ENGINE_TEST_BARS / 1000 : 1))

conf_set log_level info		# the engine's "job ...: started" lines are read
conf_set stall_timeout 3s	# a process stuck behind a killed one ends soon
conf_set max_queued_jobs 1000
# Far longer than any wait of the test: what an engine does, a wake-up
# (a submission, a worker's exit) made it do, not its fallback poll.
conf_set engine_poll 10m
U=alice				# the user of submit() and the job helpers

# After a kill, the next process to open the store recovers it, and every
# other process reopens it (lib/store-recover.c): Berkeley DB cannot close a
# panicked environment cleanly, so the old one's memory is abandoned, and
# a sanitizer build's LeakSanitizer would report it at exit.
printf 'leak:libdb-5.3.so\n' >"$TMP/lsan.supp"
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TMP/lsan.supp"
export LSAN_OPTIONS

# ---- helpers -----------------------------------------------------------------

now_ms() {
	date +%s%3N
}

# jget FIELD: the first value of FIELD in the JSON in $OUT (a string
# without its quotes).
jget() {
	grep -o "\"$1\":\(\"[^\"]*\"\|[^,}]*\)" "$OUT" | head -n 1 |
	    sed "s/^\"$1\"://; s/^\"\(.*\)\"\$/\1/"
}

# submit SPEC: queues SPEC for $U; JOB is the new job's id.
submit() {
	expect_bs 0 submit --uid "$U" --json "$1"
	JOB=$(jget job_id)
	[ -n "$JOB" ] || fail "submit printed no job id" "a job" "$(cat "$OUT")"
}

# job_json ID: the job's JSON in $OUT.
job_json() {
	expect_bs 0 job "$1" --uid "$U" --json
}

# summary_of ID: prints the job's result_summary.
summary_of() {
	job_json "$1"
	grep -o '"result_summary":[^}]*}\?' "$OUT"
}

# trades ID FILE: the job's transactions into FILE, one JSON object a line.
trades() {
	expect_bs 0 transactions "$1" --uid "$U" --json
	sed 's/^\[//; s/\]$//; s/},{/}\n{/g' "$OUT" | sed '/^$/d' >"$2"
}

# check_seqs FILE N: the transactions in FILE have seqs exactly 1..N.
check_seqs() {
	grep -o '^{"seq":[0-9]*' "$1" | cut -d: -f2 >"$TMP/seqs"
	seq 1 "$2" >"$TMP/seqs.want"
	cmp -s "$TMP/seqs" "$TMP/seqs.want" ||
	    fail "transaction seqs are 1..$2" "1..$2" \
	    "$(tr '\n' ' ' <"$TMP/seqs" | head -c 300)"
}

# job_state ID: sets ST (status, "?" if the command failed: a process
# stuck behind a killed one may give up meanwhile) and NT (transactions).
job_state() {
	ST='?' NT=0
	if "$BACKSTREAM" job "$1" --uid "$U" --json >"$TMP/state" \
	    2>"$TMP/state.err"; then
		ST=$(grep -o '"status":"[a-z]*"' "$TMP/state" | cut -d'"' -f4)
		NT=$(grep -o '"transaction_count":[0-9]*' "$TMP/state" |
		    cut -d: -f2)
	fi
	if grep -qE 'Sanitizer|runtime error:' "$TMP/state.err"; then
		cp "$TMP/state.err" "$ERR"
		fail "sanitizer report from: backstream job"
	fi
}

# wait_state ID SECONDS TEST: polls job ID until the shell test TEST (on
# $ST and $NT) holds; fails at once if the job finished without it.
wait_state() {
	ws_id=$1
	ws_end=$(($(now_ms) + $2 * 1000))
	shift 2
	while :; do
		job_state "$ws_id"
		if eval "$*"; then
			return 0
		fi
		case $ST in
		completed | failed | cancelled)
			fail "job $ws_id finished before: $*" "" \
			    "$ST with $NT transactions" ;;
		esac
		[ "$(now_ms)" -lt "$ws_end" ] ||
		    fail "job $ws_id: waited for: $*" "" "$ST, $NT transactions"
		sleep 0.01
	done
}

# gone PID: whether process PID has ended (a zombie counts).
gone() {
	gone_st=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
	case $gone_st in
	Z*) return 0 ;;
	esac
	return 1
}

# vanished PID: whether process PID is gone for good (not even a zombie).
vanished() {
	! kill -0 "$1" 2>/dev/null
}

forget_pid() {
	PIDS=$(echo " $PIDS " | sed "s/ $1 / /")
}

# check_log FILE: no sanitizer report in FILE.
check_log() {
	if grep -qE 'Sanitizer|runtime error:' "$1"; then
		grep -E -A 30 'Sanitizer|runtime error:' "$1" >"$ERR"
		fail "sanitizer report in $(basename "$1")"
	fi
}

LOGS=
ENGINE_N=0
# engine_bg [ARGS]: starts an engine in the background: ENGINE_PID, its
# log ENGINE_LOG (also added to LOGS).  (Not lib.sh's start_bg: its mv of
# bg.log can run before the child has created the file.)
engine_bg() {
	ENGINE_N=$((ENGINE_N + 1))
	ENGINE_LOG=$TMP/engine-$ENGINE_N.log
	"$ENGINE" "$@" >"$ENGINE_LOG" 2>&1 &
	engine_started
}

# slow_engine_bg [ARGS]: engine_bg with jobs held to SLOW_RATE bars a
# second, through a copy of the configuration made now.
slow_engine_bg() {
	ENGINE_N=$((ENGINE_N + 1))
	ENGINE_LOG=$TMP/engine-$ENGINE_N.log
	{ cat "$CONF"; echo "engine_bar_rate = $SLOW_RATE"; } >"$TMP/slow.conf"
	"$ENGINE" -c "$TMP/slow.conf" "$@" >"$ENGINE_LOG" 2>&1 &
	engine_started
}

engine_started() {
	ENGINE_PID=$!
	PIDS="$PIDS $ENGINE_PID"
	LOGS="$LOGS $ENGINE_LOG"
	eval "LOG_$ENGINE_PID=\$ENGINE_LOG"
}

# engine_reap [PID]: waits for a background engine that has ended (default
# ENGINE_PID) and sets ENGINE_STATUS to its exit status.
engine_reap() {
	er_pid=${1:-$ENGINE_PID}
	ENGINE_STATUS=0
	wait "$er_pid" || ENGINE_STATUS=$?
	forget_pid "$er_pid"
	eval "check_log \"\$LOG_$er_pid\""
}

# engine_wait SECONDS: waits for the background engine to end, then reaps it.
engine_wait() {
	wait_for "$1" gone "$ENGINE_PID"
	engine_reap
}

# new_worker SECONDS: waits for a worker child of the engine that was not
# seen before; WORKER is its pid.  Returns 1 if the engine ends first.
SEEN=
new_worker() {
	nw_end=$(($(now_ms) + $1 * 1000))
	while :; do
		for pid in $(pgrep -P "$ENGINE_PID" 2>/dev/null || :); do
			case " $SEEN " in
			*" $pid "*) continue ;;
			esac
			gone "$pid" && continue
			SEEN="$SEEN $pid"
			WORKER=$pid
			PIDS="$pid $PIDS"
			return 0
		done
		gone "$ENGINE_PID" && return 1
		[ "$(now_ms)" -lt "$nw_end" ] ||
		    fail "waited $1 s for a worker of engine $ENGINE_PID"
		sleep 0.01
	done
}

# kill_worker: SIGKILLs WORKER and waits until it is gone.
kill_worker() {
	kill -KILL "$WORKER" 2>/dev/null || :
	wait_for "$HANG" gone "$WORKER"
	forget_pid "$WORKER"
}

# kill_last_worker: kill_worker, with the engine stopped meanwhile and told
# to end (SIGTERM) before it goes on: it sees the kill, queues the job again
# or fails it, and exits instead of running it again in a slowed worker.
kill_last_worker() {
	kill -STOP "$ENGINE_PID"
	kill_worker
	kill -TERM "$ENGINE_PID"
	kill -CONT "$ENGINE_PID"
	engine_wait "$HANG"
	ENGINE_PID=
}

# started_lines ID: prints the "job ID: started" lines of every engine log.
started_lines() {
	# shellcheck disable=SC2086
	cat $LOGS 2>/dev/null | grep -F "job $1: started" || :
}

# ---- a job runs to its end ---------------------------------------------------------

step "setup: a store with demo data and a hand-made symbol"
expect_bs 0 init
expect_bs 0 demo-data
# Three bars on 2 January, one on 3 January.
cat >"$TMP/hand.csv" <<'EOF'
time,open,high,low,close,volume
2024-01-02T03:45:00Z,100,101,99,100.5,10
2024-01-02T03:46:00Z,100.5,102,100,101.5,20
2024-01-02T03:47:00Z,101.5,102,101,101.8,30
2024-01-03T04:00:00Z,200,201,199,200.5,5
EOF
expect_bs 0 import-bars HAND "$TMP/hand.csv"

step "an empty queue: --once exits at once"
expect 0 "$ENGINE" --once
check_not_contains "$ERR" "started"

step "a job runs to completed, with a summary, a history entry and its transactions"
DEMO_SPEC='{"symbol":"DEMO","interval":"minute","start_date":"2024-01-01","end_date":"2024-12-31","strategy":"sma_crossover","params":{"fast":10,"slow":30}}'
submit "$DEMO_SPEC"
DEMO_JOB=$JOB
expect 0 "$ENGINE" --once
check_contains "$ERR" "job $DEMO_JOB: started (sma_crossover DEMO minute, attempt 1)"
check_contains "$ERR" "job $DEMO_JOB: completed after"
job_json "$DEMO_JOB"
check_eq "status" completed "$(jget status)"
check_eq "progress" 100 "$(jget progress)"
check_eq "total_bars" 98250 "$(jget total_bars)"
check_eq "current_bar" 98250 "$(jget current_bar)"
check_eq "bars_processed" 98250 "$(jget bars_processed)"
check_eq "error_message" null "$(jget error_message)"
check_contains "$OUT" '"result_summary":{"initial_capital":100000,"final_equity":'
[ "$(jget started_at)" != null ] && [ "$(jget finished_at)" != null ] ||
    fail "started_at and finished_at are set" "times" "$(cat "$OUT")"
backtest=$(jget backtest_id)
[ "$backtest" != null ] && [ -n "$backtest" ] ||
    fail "a completed job names its history entry" "an id" "$backtest"
n=$(jget transaction_count)
[ "$n" -gt 100 ] || fail "transactions of the demo job" "over 100" "$n"
trades "$DEMO_JOB" "$TMP/demo.trades"
check_seqs "$TMP/demo.trades" "$n"
expect_bs 0 stats
check_contains "$OUT" "table history                       1 records"

step "the same job again gives the same transactions and summary"
summary_of "$DEMO_JOB" >"$TMP/demo.summary"
submit "$DEMO_SPEC"
expect 0 "$ENGINE" --once
trades "$JOB" "$TMP/demo2.trades"
check_same "transactions of two runs of one spec" "$TMP/demo.trades" \
    "$TMP/demo2.trades"
summary_of "$JOB" >"$TMP/demo2.summary"
check_same "summaries of two runs of one spec" "$TMP/demo.summary" \
    "$TMP/demo2.summary"

step "execution rules on hand-made bars: fill at the next open, end_of_data at the last close"
submit '{"symbol":"HAND","interval":"minute","start_date":"2024-01-02","end_date":"2024-01-02","strategy":"buy_and_hold"}'
expect 0 "$ENGINE" --once
trades "$JOB" "$TMP/hand.trades"
check_eq "hand-made transactions" \
    '{"seq":1,"time":"2024-01-02T03:46:00Z","side":"BUY","price":100.5,"quantity":995,"commission":0,"cash_after":2.5,"reason":"signal"}
{"seq":2,"time":"2024-01-02T03:47:00Z","side":"SELL","price":101.8,"quantity":995,"commission":0,"cash_after":101293.5,"reason":"end_of_data","pnl":1293.5}' \
    "$(cat "$TMP/hand.trades")"
job_json "$JOB"
check_eq "final_equity" 101293.5 "$(jget final_equity)"
check_eq "bars_processed" 3 "$(jget bars_processed)"

step "a range without bars fails with a clear error_message"
submit '{"symbol":"HAND","interval":"minute","start_date":"2024-02-01","end_date":"2024-02-29","strategy":"buy_and_hold"}'
EMPTY_JOB=$JOB
submit '{"symbol":"NOSUCH","interval":"15minute","start_date":"2024-01-01","end_date":"2024-01-31","strategy":"buy_and_hold"}'
NOSYM_JOB=$JOB
submit '{"symbol":"HAND","interval":"minute","start_date":"2024-01-03","end_date":"2024-01-03","strategy":"buy_and_hold"}'
ONE_JOB=$JOB
expect 0 "$ENGINE" --once
job_json "$EMPTY_JOB"
check_eq "status of a job without bars" failed "$(jget status)"
check_eq "error_message of a job without bars" \
    "no minute bars of HAND between 2024-02-01 and 2024-02-29; import them first" \
    "$(jget error_message)"
check_eq "result_summary of a failed job" null "$(jget result_summary)"
check_eq "backtest_id of a failed job" null "$(jget backtest_id)"
[ "$(jget finished_at)" != null ] || fail "a failed job has finished_at"
job_json "$NOSYM_JOB"
check_eq "status of a job of an unknown symbol" failed "$(jget status)"
check_eq "error_message of a job of an unknown symbol" \
    "no 15minute bars of NOSUCH between 2024-01-01 and 2024-01-31; import them first" \
    "$(jget error_message)"

step "a 1-bar range fails"
job_json "$ONE_JOB"
check_eq "status of a 1-bar job" failed "$(jget status)"
check_eq "error_message of a 1-bar job" \
    "a backtest needs at least 2 bars, and HAND has 1 minute bar between 2024-01-03 and 2024-01-03" \
    "$(jget error_message)"
check_eq "total_bars of a 1-bar job" 1 "$(jget total_bars)"
expect_bs 0 transactions "$ONE_JOB" --uid "$U" --json
check_eq "transactions of a failed job" "[]" "$(cat "$OUT")"
expect_bs 0 stats
check_contains "$OUT" "table history                       3 records"

# ---- a long job: the reference run ----------------------------------------------------

step "import $ENGINE_TEST_BARS generated minute bars (symbol LONG)"
# Every minute from 2010-01-01: a mean-reverting random walk around 100,
# from a Park-Miller generator (exact in doubles, so every awk agrees).
awk -v n="$ENGINE_TEST_BARS" 'BEGIN {
	print "time,open,high,low,close,volume"
	p = 100
	s = 42
	for (i = 0; i < n; i++) {
		s = s * 16807 % 2147483647
		c = p * (1 + (s / 2147483647 - 0.5) / 500) + (100 - p) / 5000
		printf "%d,%.2f,%.2f,%.2f,%.2f,%d\n", 1262304000 + 60 * i, p,
		    (p > c ? p : c) + 0.05, (p < c ? p : c) - 0.05, c, s % 5000 + 100
		p = c
	}
}' >"$TMP/long.csv"
expect_bs 0 import-bars LONG "$TMP/long.csv"
rm -f "$TMP/long.csv"
check_contains "$OUT" "imported $ENGINE_TEST_BARS minute bars of LONG"
expect_bs 0 checkpoint

LONG_SPEC='{"symbol":"LONG","interval":"minute","start_date":"2010-01-01","end_date":"2030-12-31","strategy":"sma_crossover","params":{"fast":20,"slow":200}}'
step "a clean run of the long job: the reference"
submit "$LONG_SPEC"
REF_JOB=$JOB
expect 0 "$ENGINE" --once
check_contains "$ERR" "job $REF_JOB: completed"
job_json "$REF_JOB"
check_eq "total_bars of the long job" "$ENGINE_TEST_BARS" "$(jget total_bars)"
REF_N=$(jget transaction_count)
trades "$REF_JOB" "$TMP/ref.trades"
check_seqs "$TMP/ref.trades" "$REF_N"
summary_of "$REF_JOB" >"$TMP/ref.summary"
echo "reference: $REF_N transactions"

# check_like_ref ID: the job completed exactly as the reference run did.
check_like_ref() {
	job_json "$1"
	check_eq "status of $1" completed "$(jget status)"
	check_eq "transaction_count of $1" "$REF_N" "$(jget transaction_count)"
	trades "$1" "$TMP/run.trades"
	check_same "transactions of $1 and of the reference run" \
	    "$TMP/ref.trades" "$TMP/run.trades"
	summary_of "$1" >"$TMP/run.summary"
	check_same "summary of $1 and of the reference run" \
	    "$TMP/ref.summary" "$TMP/run.summary"
}

# check_ref_prefix ID: the job's transactions are the reference run's
# first ones, seqs 1..transaction_count, and there is at least one.
check_ref_prefix() {
	job_json "$1"
	crp_n=$(jget transaction_count)
	[ "$crp_n" -gt 0 ] ||
	    fail "transactions kept by $1" "at least one" "$crp_n"
	trades "$1" "$TMP/run.trades"
	check_seqs "$TMP/run.trades" "$crp_n"
	head -n "$crp_n" "$TMP/ref.trades" >"$TMP/ref.prefix"
	check_same "transactions of $1 and the reference run's first $crp_n" \
	    "$TMP/ref.prefix" "$TMP/run.trades"
}

# ---- cancel -----------------------------------------------------------------------------

step "cancel a running job: it stops soon and keeps its transactions"
submit "$LONG_SPEC"
slow_engine_bg --once
wait_state "$JOB" "$HANG" '[ "$ST" = running ] && [ "$NT" -gt 0 ]'
t0=$(now_ms)
expect_bs 0 cancel "$JOB" --uid "$U"
check_eq "cancel output" "$JOB cancelling: its engine stops it shortly" \
    "$(cat "$OUT")"
wait_state "$JOB" "$HANG" '[ "$ST" = cancelled ]'
latency=$(($(now_ms) - t0))
# Its speed is bench-engine's to measure; that it stopped mid-run, the
# transaction count below shows.
echo "cancel latency (bar loop slowed): $latency ms"
engine_wait "$HANG"
check_eq "exit status of the engine" 0 "$ENGINE_STATUS"
check_contains "$ENGINE_LOG" "job $JOB: cancelled after"
job_json "$JOB"
check_contains "$OUT" '"message":"cancelled at bar '
check_eq "result_summary of a cancelled job" null "$(jget result_summary)"
n=$(jget transaction_count)
[ "$n" -gt 0 ] && [ "$n" -lt "$REF_N" ] ||
    fail "a job cancelled mid-run keeps its transactions" "1..$REF_N" "$n"
trades "$JOB" "$TMP/cancelled.trades"
check_seqs "$TMP/cancelled.trades" "$n"
head -n "$n" "$TMP/ref.trades" >"$TMP/ref.head"
check_same "transactions of the cancelled job: the reference's first $n" \
    "$TMP/ref.head" "$TMP/cancelled.trades"
expect_bs 1 cancel "$JOB" --uid "$U"
check_contains "$ERR" "is already cancelled"

step "cancel at full speed"
# The job may end before the cancel lands; then try again with another.
cancel_try=0
while :; do
	cancel_try=$((cancel_try + 1))
	submit "$LONG_SPEC"
	engine_bg --once
	wait_state "$JOB" "$HANG" '[ "$ST" = running ] || [ "$ST" = completed ]'
	t0=$(now_ms)
	run "$BACKSTREAM" cancel "$JOB" --uid "$U"
	if [ "$STATUS" -eq 0 ]; then
		wait_state "$JOB" "$HANG" '[ "$ST" = cancelled ]'
		latency=$(($(now_ms) - t0))
		engine_wait "$HANG"
		break
	fi
	check_contains "$ERR" "is already completed"
	engine_wait "$HANG"
	[ "$cancel_try" -lt 5 ] || fail "cancel landed before the job ended" \
	    "a cancel in 5 tries" "every job ended first"
done
# Cancelled, not completed: it stopped before its end (bench-engine
# measures how soon).
echo "cancel latency at full speed: $latency ms (try $cancel_try)"

# ---- crashes -----------------------------------------------------------------------------

# crash_attempt [last]: waits for the next worker (starting an engine if
# the last one ended: a process stuck behind a killed one gives up and
# exits), lets it write transactions of the job JOB, then SIGKILLs it; the
# last one with kill_last_worker, so that no slowed run follows.
crash_attempt() {
	ca_starts=0
	while ! new_worker "$HANG"; do
		engine_reap
		ca_starts=$((ca_starts + 1))
		[ "$ca_starts" -le 3 ] ||
		    fail "engines keep ending without running job $JOB"
		slow_engine_bg --once
	done
	wait_state "$JOB" "$HANG" '[ "$ST" = running ] && [ "$NT" -gt 0 ]'
	echo "killing worker $WORKER of engine $ENGINE_PID at $NT transactions"
	if [ "${1:-}" = last ]; then
		kill_last_worker
	else
		kill_worker
	fi
}

# finish_job SECONDS: waits until JOB has finished, starting full-speed
# engines as they end (or if none runs), then waits for the last engine:
# ENGINE_STATUS is the last engine's.
finish_job() {
	fj_end=$(($(now_ms) + $1 * 1000))
	while :; do
		job_state "$JOB"
		case $ST in
		completed | failed | cancelled) break ;;
		esac
		if [ -z "$ENGINE_PID" ] || gone "$ENGINE_PID"; then
			[ -z "$ENGINE_PID" ] || engine_reap
			engine_bg --once
		fi
		[ "$(now_ms)" -lt "$fj_end" ] ||
		    fail "job $JOB did not finish in $1 s" "" "$ST"
		sleep 0.05
	done
	[ -z "$ENGINE_PID" ] || engine_wait "$HANG"
}

conf_set engine_crash_retries 2
step "a worker killed twice mid-run: the job runs again from the start, the same transactions"
submit "$LONG_SPEC"
LOGS=
slow_engine_bg --once
crash_attempt
job_state "$JOB"
echo "after the first kill: $ST, $NT transactions"
crash_attempt last
finish_job "$HANG"
check_eq "exit status of the engine" 0 "$ENGINE_STATUS"
check_like_ref "$JOB"
started_lines "$JOB" >"$TMP/started"
check_eq "runs of the job" 3 "$(wc -l <"$TMP/started")"
check_contains "$TMP/started" "attempt 3)"
# shellcheck disable=SC2086
cat $LOGS >"$TMP/logs"
check_contains "$TMP/logs" "killed by signal 9"

step "a worker killed on every run: the job fails with \"engine crashed\""
conf_set engine_crash_retries 1
submit "$LONG_SPEC"
LOGS=
slow_engine_bg --once
crash_attempt
crash_attempt last
finish_job "$HANG"
check_eq "exit status of the engine" 0 "$ENGINE_STATUS"
job_json "$JOB"
check_eq "status of a job that always crashes" failed "$(jget status)"
check_contains "$OUT" '"error_message":"engine crashed: '
# It keeps what its runs made (streams may have sent them): the
# reference run's first transactions.
check_ref_prefix "$JOB"
started_lines "$JOB" >"$TMP/started"
check_eq "runs of a job with engine_crash_retries = 1" 2 \
    "$(wc -l <"$TMP/started")"
conf_unset engine_crash_retries

step "the whole engine killed mid-run: the next run finds the orphan"
submit "$LONG_SPEC"
LOGS=
slow_engine_bg --once
new_worker "$HANG" || fail "the engine ended without running the job"
wait_state "$JOB" "$HANG" '[ "$ST" = running ] && [ "$NT" -gt 0 ]'
kill -KILL "$ENGINE_PID"
kill_worker
wait_for "$HANG" gone "$ENGINE_PID"
engine_reap
# The worker's new parent, init, must have reaped it: the engine takes a
# zombie for a live process.
wait_for "$HANG" vanished "$WORKER"
job_state "$JOB"
check_eq "status of the orphan" running "$ST"
expect 0 "$ENGINE" --once
check_contains "$ERR" "1 job(s) of a dead engine process queued again or failed"
check_contains "$ERR" "job $JOB: started (sma_crossover LONG minute, attempt 2)"
check_like_ref "$JOB"

step "a worker that dies after a cancel was asked for: the job ends cancelled"
submit "$LONG_SPEC"
slow_engine_bg --once
new_worker "$HANG" || fail "the engine ended without running the job"
wait_state "$JOB" "$HANG" '[ "$ST" = running ] && [ "$NT" -gt 0 ]'
# Stopped first, so that it cannot see the cancel before it dies.
kill -STOP "$WORKER"
expect_bs 0 cancel "$JOB" --uid "$U"
job_state "$JOB"
kept=$NT
kill_worker
engine_wait "$HANG"
expect 0 "$ENGINE" --once
job_json "$JOB"
check_eq "status of a cancelled job whose worker died" cancelled \
    "$(jget status)"
check_eq "the transactions it made, kept" "$kept" "$(jget transaction_count)"

step "an engine stopped by SIGTERM puts its job back in the queue"
submit "$LONG_SPEC"
slow_engine_bg --once
new_worker "$HANG" || fail "the engine ended without running the job"
wait_state "$JOB" "$HANG" '[ "$ST" = running ] && [ "$NT" -gt 0 ]'
# As cron's or systemd's stop would: the whole process group gets it.
kill -TERM "$ENGINE_PID" "$WORKER"
engine_wait "$HANG"
check_eq "exit status of a stopped engine" 0 "$ENGINE_STATUS"
job_json "$JOB"
check_eq "status of a job whose engine was stopped" queued "$(jget status)"
check_contains "$OUT" '"message":"queued again: the engine was stopped"'
# It keeps the transactions it made; the next run makes them again.
check_ref_prefix "$JOB"
expect 0 "$ENGINE" --once
check_contains "$ERR" "job $JOB: started (sma_crossover LONG minute, attempt 1)"
check_like_ref "$JOB"

# ---- overlapping engine runs -----------------------------------------------------------

step "two engines at once, two workers each: every job runs exactly once"
conf_set engine_workers 2
# Every demo symbol, strategy and two intervals: 32 jobs.
: >"$TMP/specs"
for sym in DEMO ACME GLOBEX INITECH; do
	for strategy in buy_and_hold sma_crossover ema_crossover rsi_reversion; do
		for interval in minute 5minute; do
			printf '{"symbol":"%s","interval":"%s","start_date":"2024-01-01","end_date":"2024-12-31","strategy":"%s"}\n' \
			    "$sym" "$interval" "$strategy" >>"$TMP/specs"
		done
	done
done
# The same jobs for two users: "ref" run by one engine, "race" by two.
for who in ref race; do
	U=$who
	: >"$TMP/$who.jobs"
	while read -r spec; do
		submit "$spec"
		echo "$JOB" >>"$TMP/$who.jobs"
	done <"$TMP/specs"
	if [ "$who" = ref ]; then
		expect 0 "$ENGINE" --once
		continue
	fi
	LOGS=
	engine_bg --once
	E1=$ENGINE_PID
	engine_bg --once
	E2=$ENGINE_PID
	wait_for "$HANG" gone "$E1"
	wait_for "$HANG" gone "$E2"
	engine_reap "$E1"
	check_eq "exit status of the first engine" 0 "$ENGINE_STATUS"
	engine_reap "$E2"
	check_eq "exit status of the second engine" 0 "$ENGINE_STATUS"
done
# shellcheck disable=SC2086
cat $LOGS >"$TMP/logs"
paste -d ' ' "$TMP/ref.jobs" "$TMP/race.jobs" >"$TMP/pairs"
ran1=0
while read -r ref race; do
	U=ref
	trades "$ref" "$TMP/a.trades"
	summary_of "$ref" >"$TMP/a.summary"
	U=race
	job_json "$race"
	check_eq "status of $race" completed "$(jget status)"
	n=$(jget transaction_count)
	trades "$race" "$TMP/b.trades"
	check_seqs "$TMP/b.trades" "$n"
	check_same "transactions of $race and of its lone run" \
	    "$TMP/a.trades" "$TMP/b.trades"
	summary_of "$race" >"$TMP/b.summary"
	check_same "summary of $race and of its lone run" \
	    "$TMP/a.summary" "$TMP/b.summary"
	check_eq "runs of $race" 1 "$(grep -cF "job $race: started" "$TMP/logs")"
	grep -qF "job $race: started" "$(echo "$LOGS" | cut -d' ' -f2)" &&
	    ran1=$((ran1 + 1))
done <"$TMP/pairs"
echo "the first engine ran $ran1 of 32 jobs, the second the others"
check_not_contains "$TMP/logs" "dead engine"
U=alice
conf_unset engine_workers

# ---- the watching cycle --------------------------------------------------------------------

step "without --once: a job submitted to an idle engine starts, woken at once"
# With engine_poll far longer than HANG, only the wake-up can have started
# it.  How soon it started is a speed: printed here, not checked.
conf_set engine_cycle 10m
engine_bg -v
wait_for "$HANG" grep -q "idle: waiting up to" "$ENGINE_LOG"
ts=$(now_ms)
submit '{"symbol":"DEMO","interval":"minute","start_date":"2024-01-01","end_date":"2024-03-31","strategy":"ema_crossover"}'
wait_state "$JOB" "$HANG" '[ "$ST" = completed ]'
# The engine's log line has the time it started the job, in milliseconds.
stamp=$(grep -F "job $JOB: started" "$ENGINE_LOG" | cut -d' ' -f1)
[ -n "$stamp" ] || fail "the engine logged the job's start" "a line" \
    "$(cat "$ENGINE_LOG")"
pickup=$(($(date -d "$stamp" +%s%3N) - ts))
echo "from submit to started: $pickup ms"
kill -TERM "$ENGINE_PID"
engine_wait "$HANG"
check_eq "exit status of an engine stopped while idle" 0 "$ENGINE_STATUS"

step "without --once: the engine exits after its cycle, its poll however long"
# Checked from below only, which no load can break.
conf_set engine_cycle 3s
t0=$(now_ms)
engine_bg
engine_wait "$HANG"
elapsed=$(($(now_ms) - t0))
echo "the engine exited after $elapsed ms (engine_cycle 3 s)"
check_eq "exit status of the engine" 0 "$ENGINE_STATUS"
[ "$elapsed" -ge 3000 ] ||
    fail "the engine exits after its cycle" ">= 3000 ms" "$elapsed ms"
conf_unset engine_cycle

step "the store is sound after it all"
expect_bs 0 verify
