# tests/repl.sh: three nodes on loopback, each a store kept by backstream-repd and a lighttpd: streams on a replica, the engine on the master, failover.
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/lighttpd.sh"
. "$top_srcdir/tests/deploy-lib.sh"

: "${REPD:=$top_builddir/repd/backstream-repd}"
: "${ENGINE:=$top_builddir/engine/backstream-engine}"
lighttpd_require
[ -x "$REPD" ] || { echo "$TEST_NAME: skipped: no $REPD"; exit 77; }
[ -x "$LIGHTTPD_SSE_BIN" ] ||
    { echo "$TEST_NAME: skipped: no $LIGHTTPD_SSE_BIN"; exit 77; }

# As in sse-lib.sh: a process killed in the environment leaves Berkeley
# DB's memory to the next one, which LeakSanitizer would report.
printf 'leak:libdb-5.3.so\n' >"$TMP/lsan.supp"
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TMP/lsan.supp"
export LSAN_OPTIONS

NODES="a b c"
SITE_PORTS=$(free_ports 3)
set -- $SITE_PORTS
for n in $NODES; do
	eval "PORT_$n=$1"
	shift
done
# The settings every node shares; each then gets its own store and site.
conf_set verify_helper "$top_builddir/cgi-bin/backstream-verify"
conf_set log_level info
conf_set heartbeat 1s
# Events on a replica must come by its feed's wake, not by a poll.
conf_set poll_interval 10m
conf_set max_queued_jobs 1000
# A process of a killed node stuck on a mutex of the dead gives up after
# this long, once it sees the node's repd gone, so that the next repd can
# recover (lib/store-owner.c).
conf_set stall_timeout 5s
for n in $NODES; do
	peers=
	for m in $NODES; do
		[ "$m" = "$n" ] || eval "peers=\"\$peers 127.0.0.1:\$PORT_$m\""
	done
	sed "s|^store_dir = .*|store_dir = $TMP/$n|" "$CONF" >"$TMP/$n.conf"
	eval "printf 'repl_site = 127.0.0.1:%s\n' \"\$PORT_$n\"" \
	    >>"$TMP/$n.conf"
	printf 'repl_peers =%s\n' "$peers" >>"$TMP/$n.conf"
done

# Every process of a node that replicates runs with partition.so, which
# cuts the node off from the others while $TMP/cut-PORT exists (cut).
SHIM=$top_builddir/tests/partition.so
[ -f "$SHIM" ] || fail "no $SHIM"
# shim NODE: the environment that puts a process of the node under it.
shim() {
	eval "echo LD_PRELOAD=\$SHIM PARTITION_DIR=\$TMP \
	    PARTITION_SELF=\$PORT_$1 \
	    PARTITION_PORTS=$(echo $SITE_PORTS | tr ' ' ,)"
}
# cut NODE on|off: takes the node off the network, or puts it back.
cut() {
	eval "_file=\$TMP/cut-\$PORT_$1"
	case $2 in
	on)	: >"$_file" ;;
	off)	rm -f "$_file" ;;
	esac
}

# repd_start NODE: starts the node's replication process; REPD_n is its pid.
repd_start() {
	start_bg env $(shim "$1") "$REPD" -c "$TMP/$1.conf"
	eval "REPD_$1=$BG_PID"
	eval "REPD_LOG_$1=\$TMP/bg-$BG_PID.log"
}

# repd_says NODE REGEX: whether the node's replication process logged it.
repd_says() {
	eval "grep -qE -- \"\$2\" \"\$REPD_LOG_$1\""
}

# node_bs NODE ARGS: backstream ARGS on the node, like bs.
node_bs() {
	_node=$1
	shift
	# A writing command connects to the other sites as well.
	run env $(shim "$_node") "$BACKSTREAM" -c "$TMP/$_node.conf" "$@"
}

# web_start NODE: a lighttpd with both responders on the node's store;
# WEB_n is its base URL.
web_start() {
	_conf=$CONF
	CONF=$TMP/$1.conf
	LIGHTTPD_DIR=$TMP/web-$1
	LIGHTTPD_ACCESS_LOG=$LIGHTTPD_DIR/access.log
	LIGHTTPD_ERROR_LOG=$LIGHTTPD_DIR/error.log
	LIGHTTPD_STDERR=$LIGHTTPD_DIR/stderr.log
	# Its responders inherit the shim: the REST one forwards writes
	# through the Replication Manager's connections of its own.
	eval "export $(shim "$1")"
	lighttpd_start
	unset LD_PRELOAD PARTITION_DIR PARTITION_SELF PARTITION_PORTS
	CONF=$_conf
	eval "WEB_$1=$LIGHTTPD_URL"
	eval "WEB_PID_$1=$LIGHTTPD_PID"
}

# post_job URL: submits $SPEC through the node at URL, with the token.
# The answer's body goes to $TMP/r.body, its head to $TMP/r.head, and
# its status to POST_STATUS (000 when curl failed).
post_job() {
	POST_STATUS=$(curl -sS --max-time "$HANG" -o "$TMP/r.body" \
	    -D "$TMP/r.head" -w '%{http_code}' \
	    -H "Authorization: Bearer $TOKEN" \
	    -H 'Content-Type: application/json' --data "$SPEC" \
	    "$1/api/backtesting/jobs") || POST_STATUS=000
}

# On a failure, what each node's replication process said last.
on_fail() {
	for _n in $NODES; do
		eval "_log=\${REPD_LOG_$_n:-}"
		[ -n "$_log" ] && [ -f "$_log" ] || continue
		echo "  node $_n's repd, last lines:"
		grep -v ' debug: ' "$_log" | tail -n 12 | sed 's/^/    /'
	done
}

# The master of the group: the node whose replication process said so last.
master_of() {
	for _n in $NODES; do
		eval "_log=\$REPD_LOG_$_n"
		[ -f "$_log" ] || continue
		_last=$(grep -E 'this node is (the master|a replica)' "$_log" |
		    tail -n 1)
		case $_last in
		*"the master"*) echo "$_n" ;;
		esac
	done
}

step "the first node founds the group with the store made by init"
node_bs a init
[ "$STATUS" -eq 0 ] || fail "backstream init on a"
repd_start a
wait_for "$HANG" repd_says a 'the store is open'
repd_says a 'this node is the master' || fail "a is not the master"
node_bs a demo-data
[ "$STATUS" -eq 0 ] || fail "backstream demo-data on a"
mkdir -p "$TMP/keys"
node_bs a keygen "$TMP/keys"
[ "$STATUS" -eq 0 ] || fail "backstream keygen"
node_bs a token --uid alice --ttl 30m
TOKEN=$(cat "$OUT")

step "two empty nodes join and get the store"
repd_start b
repd_start c
wait_for "$HANG" repd_says b 'the store is open'
wait_for "$HANG" repd_says c 'the store is open'
node_bs c symbols
check_contains "$OUT" DEMO
node_bs c stats
check_contains "$OUT" "replication: replica"
node_bs a stats
check_contains "$OUT" "replication: master"

step "a command's write on a replica is carried out on the master"
node_bs b submit --uid alice --json "$SPEC"
check_eq "status of submit on a replica" 0 "$STATUS"
JOB0=$(job_id)
[ -n "$JOB0" ] || fail "submit on a replica printed no job" "a job" "$(cat "$OUT")"
node_bs a job "$JOB0" --uid alice
check_eq "the job on the master" 0 "$STATUS"
node_bs b cancel "$JOB0" --uid alice
check_eq "status of cancel on a replica" 0 "$STATUS"
check_contains "$OUT" cancelled

for n in $NODES; do
	web_start "$n"
done

step "a stream on a replica sees a job submitted through the master's API"
sse_open jobs "$WEB_b/api/sse/backtest/jobs?token=$TOKEN"
sse_wait jobs '^event: snapshot$' "$HANG"
post_job "$WEB_a"
check_eq "status of a submission to the master" 201 "$POST_STATUS"
JOB=$(job_id "$TMP/r.body")
[ -n "$JOB" ] || fail "no job id in the answer" "a job" "$(cat "$TMP/r.body")"
sse_wait jobs '^event: job_added$' "$HANG"
sse_wait jobs "\"job_id\":\"$JOB\"" "$HANG"

step "a submission to a replica's API: done on the master, seen at once"
post_job "$WEB_b"
check_eq "status of a submission to a replica" 201 "$POST_STATUS"
JOB1=$(job_id "$TMP/r.body")
[ -n "$JOB1" ] || fail "no job id in the answer" "a job" "$(cat "$TMP/r.body")"
# Read-your-writes: the same node holds it as soon as it answered.
expect 0 curl -sS --max-time "$HANG" -o "$TMP/r.body" -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" "$WEB_b/api/backtesting/jobs/$JOB1"
check_eq "status of reading the job back on the replica" 200 "$(cat "$OUT")"
expect 0 curl -sS --max-time "$HANG" -o /dev/null -w '%{http_code}' \
    -X DELETE -H "Authorization: Bearer $TOKEN" \
    "$WEB_b/api/backtesting/jobs/$JOB1"
check_eq "status of a deletion through a replica" 200 "$(cat "$OUT")"
sse_wait jobs '^event: job_removed$' "$HANG"

step "the engine does nothing on a replica, and runs the job on the master"
run "$ENGINE" -c "$TMP/b.conf" --once
check_eq "exit status of the engine on a replica" 0 "$STATUS"
node_bs a job "$JOB" --uid alice
check_contains "$OUT" queued
sse_open job "$WEB_b/api/sse/backtest/$JOB?token=$TOKEN"
sse_open list "$WEB_b/api/sse/backtest/jobs?token=$TOKEN"
sse_wait list '^event: snapshot$' "$HANG"
run "$ENGINE" -c "$TMP/a.conf" --once
check_eq "exit status of the engine on the master" 0 "$STATUS"
sse_wait job '^event: completed$' "$HANG"
sse_wait jobs "\"job_id\":\"$JOB\".*\"status\":\"completed\"" "$HANG"
sse_wait list "\"job_id\":\"$JOB\".*\"status\":\"completed\"" "$HANG"
sse_close job
sse_close list
# The replica's feed left each job's record and text in its tail, as a
# writer on the master does, and the list stream sent that text instead
# of making its own.  A stream logs its figures as it ends.
texts_sent() {
	cat "$TMP"/web-b/*.log | grep -qE \
	    "stream jobs \\(alice\\): .* [1-9][0-9]* events of the writer's text"
}
wait_for "$HANG" texts_sent

step "kill -9 of the master while its engine runs a job"
# A year of minute bars (98,250) held to 5,000 a second (the engine
# looks at the clock every 1024 bars): it is still running, about 20 s
# from its end, when its host goes.
for n in $NODES; do
	printf 'engine_bar_rate = 5000\n' >>"$TMP/$n.conf"
done
node_bs a submit --uid alice --json \
    "$(echo "$SPEC" | sed 's/"day"/"minute"/; s/2024-06-30/2024-12-31/')"
JOB3=$(job_id)
[ -n "$JOB3" ] || fail "submit on the master printed no job" "a job" "$(cat "$OUT")"
sse_open job3 "$WEB_b/api/sse/backtest/$JOB3?token=$TOKEN"
start_bg "$ENGINE" -c "$TMP/a.conf" --once
ENGINE_A=$BG_PID
sse_wait job3 '^event: progress$' "$HANG"
# The whole host: its engine (worker first), its replication process.
pkill -KILL -P "$ENGINE_A" || :
killed_at=$(now_ms)
kill -KILL "$ENGINE_A" "$REPD_a"
wait "$ENGINE_A" 2>/dev/null || :
wait "$REPD_a" 2>/dev/null || :
stop_web_a=$WEB_PID_a
# A figure, not a check: submissions through a replica until one is taken
# (503 while there is no master), and the time from the kill to its
# event on the replica's stream.
taken_via() {
	post_job "$1"
	[ "$POST_STATUS" = 201 ]
}
wait_for "$HANG" taken_via "$WEB_b"
JOB4=$(job_id "$TMP/r.body")
sse_wait jobs "\"job_id\":\"$JOB4\"" "$HANG"
echo "failover: the first event on a replica's stream $(($(now_ms) - killed_at))" \
    "ms after the kill (a submission through it, tried every 0.1 s)"
wait_for "$HANG" eval '[ -n "$(master_of | grep -v a)" ]'
NEW=$(master_of | grep -v a)
echo "new master: $NEW"

step "the new master's engine takes the job over and finishes it, once"
run "$ENGINE" -c "$TMP/$NEW.conf" --once
check_eq "exit status of the new master's engine" 0 "$STATUS"
sse_wait job3 '^event: completed$' "$HANG"
check_eq "completions on the stream" 1 "$(grep -c '^event: completed$' "$TMP/job3.body")"
node_bs b job "$JOB3" --uid alice
check_contains "$OUT" completed
sse_close job3
expect 0 curl -sS --max-time "$HANG" -o "$TMP/r.body" -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" \
    "$WEB_b/api/backtesting/history?limit=100"
check_eq "status of the history on a replica" 200 "$(cat "$OUT")"
check_eq "backtests of the job taken over" 1 \
    "$(grep -o "\"job_id\":\"$JOB3\"" "$TMP/r.body" | wc -l)"
node_bs "$NEW" submit --uid alice --json "$SPEC"
check_eq "status of submit on the new master" 0 "$STATUS"
JOB2=$(job_id)
sse_wait jobs "\"job_id\":\"$JOB2\"" "$HANG"
stop_pid "$stop_web_a"

step "the old master, restarted, rejoins as a replica and catches up"
repd_start a
wait_for "$HANG" repd_says a 'the store is open'
wait_for "$HANG" eval 'node_bs a job "$JOB2" --uid alice; [ "$STATUS" -eq 0 ]'
repd_says a 'this node is a replica' || fail "a did not rejoin as a replica"

# submit_many NODE N: N submissions through the node's API; LAST is the
# last one's job id.
submit_many() {
	eval "_url=\$WEB_$1"
	_i=0
	while [ "$_i" -lt "$2" ]; do
		post_job "$_url"
		[ "$POST_STATUS" != 000 ] ||
		    fail "submission $_i of $2 through $1"
		_i=$((_i + 1))
	done
	LAST=$(job_id "$TMP/r.body")
	[ -n "$LAST" ] || fail "the last submission" "a job" "$(cat "$TMP/r.body")"
}

step "a replica whose repd stops while its streams stay open catches up after many writes"
web_start a
sse_open back "$WEB_a/api/sse/backtest/jobs?token=$TOKEN"
sse_wait back '^event: snapshot$' "$HANG"
stop_pid "$REPD_a"
submit_many "$NEW" 200
repd_start a
wait_for "$HANG" repd_says a 'the store is open'
sse_wait back "\"job_id\":\"$LAST\"" "$HANG"
sse_close back

step "a replica cut off while the master's logs are archived: copied anew under its open streams"
sse_open cut "$WEB_a/api/sse/backtest/jobs?token=$TOKEN"
sse_wait cut '^event: snapshot$' "$HANG"
# a_says REGEX: whether node a's repd logged it since the cut.
from=$(wc -l <"$REPD_LOG_a")
a_says() {
	tail -n "+$((from + 1))" "$REPD_LOG_a" | grep -qE -- "$1"
}
# The responders of a panic when its repd restarts with recovery (above),
# and then attach again; none may while a is cut off and copied anew.
panics=$(cat "$TMP"/web-a/*.log | grep -c PANIC || :)
cut a on
cut_at=$(now_ms)
# Writes through it find no master.
wait_for "$HANG" eval 'post_job "$WEB_a"; [ "$POST_STATUS" = 503 ]'
# Three imports of 300,000 bars write some 50 MB of log, three files of
# 16 MB, which the master may then remove: it keeps no log for a site it
# has no connection to, once 30 s have passed since it lost it.
bars 300000 1577836800 >"$TMP/big.csv"
# imported SYMBOL: whether an import of big.csv on the master succeeded.
# One that a quorum did not acknowledge within the ack timeout (an
# import is one transaction, 16 MB for the other replica to apply, on a
# loaded machine) fails with status 3, "it may be undone", and is
# imported again, as an operator would.
imported() {
	node_bs "$NEW" import-bars "$1" "$TMP/big.csv"
	[ "$STATUS" -eq 0 ] && return
	[ "$STATUS" -eq 3 ] || fail "import of $1 on the master" 0 "$STATUS"
	return 1
}
for i in 1 2 3; do
	wait_for "$HANG" imported "BIG$i"
done
rm -f "$TMP/big.csv"
first_log() {
	ls "$TMP/$1" | sed -n 's/^log\.0*//p' | sort -n | head -n 1
}
last_log() {
	ls "$TMP/$1" | sed -n 's/^log\.0*//p' | sort -n | tail -n 1
}
# archived: a write and a checkpoint on the master, and whether the
# master has removed every log file node a has.
archived() {
	eval "post_job \"\$WEB_$NEW\""
	[ "$POST_STATUS" = 201 ] || fail "a submission to the master" 201 "$POST_STATUS"
	node_bs "$NEW" checkpoint
	[ "$STATUS" -eq 0 ] || fail "checkpoint on the master" 0 "$STATUS"
	[ "$(first_log "$NEW")" -gt "$(last_log a)" ] && return
	sleep 1
	return 1
}
wait_for "$HANG" archived
LAST=$(job_id "$TMP/r.body")
echo "cut off: the master removed node a's last log $(($(now_ms) - cut_at)) ms" \
    "after the cut"
cut a off
back_at=$(now_ms)
wait_for "$HANG" a_says 'copied the store from the master'
sse_wait cut "\"job_id\":\"$LAST\"" "$HANG"
echo "cut off: node a's open stream had the last job $(($(now_ms) - back_at))" \
    "ms after it was back (a copy of the store)"
sse_close cut
# Its repd kept the readers out during the copy, and let them in after.
a_says 'catching up with' ||
    fail "node a's repd did not close its gate for the copy"
wait_for "$HANG" a_says 'caught up after'
tail -n "+$((from + 1))" "$REPD_LOG_a" | sed -n \
    's/.*: caught up after \([0-9]*\) ms.*/cut off: readers kept out for \1 ms (sync and copy)/p'
# Its responders stayed attached through the copy, and their handles,
# dead after it, were opened again.
check_eq "panics in node a's responders during the copy" "$panics" \
    "$(cat "$TMP"/web-a/*.log | grep -c PANIC || :)"
node_bs a bars BIG3 minute --limit 1
check_eq "bars imported while node a was cut off, on a" 0 "$STATUS"
eval "kill -0 \$REPD_a" || fail "node a's repd exited after the copy"

step "a master frozen (SIGSTOP): heartbeats replace it; woken, it rejoins and holds every write"
OLD=$(master_of)
for n in $NODES; do
	[ "$n" = "$OLD" ] || WATCH=$n
done
eval "WATCH_URL=\$WEB_$WATCH"
sse_open after "$WATCH_URL/api/sse/backtest/jobs?token=$TOKEN"
sse_wait after '^event: snapshot$' "$HANG"
# The whole host stops: with its repd alone stopped, no election came
# (doc/replication-notes.md).
eval "FROZEN=\"\$REPD_$OLD \$WEB_PID_$OLD \$(pgrep -P \$WEB_PID_$OLD | tr '\n' ' ')\""
frozen_at=$(now_ms)
kill -STOP $FROZEN
# A write through a replica, by a process that has no connection to the
# master yet: the frozen host's kernel takes its connection, but nobody
# sends the master's greeting, which Berkeley DB reads without a timeout.
# It must give up on that master and try again, not wait out the freeze
# (checked below; the figure is the streams').
start_bg timeout -k 5 "$COMMAND_TIMEOUT" env $(shim "$WATCH") "$BACKSTREAM" \
    -c "$TMP/$WATCH.conf" submit --uid alice --json "$SPEC"
SUBMIT=$BG_PID
# The figure, as after the kill, but the submission waits for the
# election: writes sent to a frozen master held its replacement back for
# two minutes in one run (doc/replication-notes.md).
wait_for "$HANG" eval '[ -n "$(master_of | grep -v "$OLD")" ]'
NEW=$(master_of | grep -v "$OLD")
wait_for "$HANG" taken_via "$WATCH_URL"
LAST=$(job_id "$TMP/r.body")
sse_wait after "\"job_id\":\"$LAST\"" "$HANG"
echo "freeze: the first event on a replica's stream $(($(now_ms) - frozen_at))" \
    "ms after the SIGSTOP; frozen: $OLD, new master: $NEW"
STATUS=0
wait "$SUBMIT" || STATUS=$?
case $STATUS in
0|3)	;;	# taken by the new master, or none elected yet
*)	fail "a submission through a replica while the master is frozen" \
	    "0 or 3" "$STATUS" ;;
esac
kill -CONT $FROZEN
# Woken, it meets the new master: both step down and the group elects
# one again, any of the three, for all of them hold every write.
wait_for "$HANG" eval '[ "$(master_of | wc -l)" -eq 1 ]'
wait_for "$HANG" eval 'node_bs "$OLD" job "$LAST" --uid alice; [ "$STATUS" -eq 0 ]'
# Its repd went on through the step-down (its tables opened anew).
eval "kill -0 \$REPD_$OLD" || fail "node $OLD's repd exited after the freeze"
sse_close after

step "every node's store is sound"
for n in $NODES; do
	node_bs "$n" verify
	check_eq "backstream verify on $n" 0 "$STATUS"
done

step "a node alone, with no quorum: 503 with Retry-After, never a silent loss"
for n in a c; do
	eval "kill -KILL \$REPD_$n"
	eval "wait \$REPD_$n 2>/dev/null || :"
done
post_job "$WEB_b"
check_eq "status of a submission without a quorum" 503 "$POST_STATUS"
grep -qi '^retry-after: ' "$TMP/r.head" ||
    fail "Retry-After on the 503" "a Retry-After header" "$(cat "$TMP/r.head")"

step "a node gone for good is removed from the group"
repd_start a
wait_for "$HANG" repd_says a 'the store is open'
wait_for "$HANG" taken_via "$WEB_b"
node_bs b remove-node 127.0.0.1
check_eq "status of remove-node with no port" 2 "$STATUS"
node_bs b remove-node "127.0.0.1:$PORT_c"
check_eq "status of remove-node through node b" 0 "$STATUS"
# Of the two running (c's log still says what it was when killed).
wait_for "$HANG" eval 'repd_says a "site [0-9]* left the group" ||
    repd_says b "site [0-9]* left the group"'
post_job "$WEB_b"
check_eq "status of a submission after the removal" 201 "$POST_STATUS"
stop_pid "$REPD_a"

sse_close jobs
# Through every failover above, the replica's list stream never told of
# a job twice.
twice=$(grep -A1 '^event: job_added$' "$TMP/jobs.body" |
    sed -n 's/^data: {"job":{"job_id":"\([0-9a-f-]*\)".*/\1/p' | sort |
    uniq -d)
[ -z "$twice" ] || fail "jobs added twice on the replica's stream" "none" "$twice"
lighttpd_stop || fail "responders outlived lighttpd"
stop_pid "$REPD_b"
for n in $NODES; do
	eval "_log=\$REPD_LOG_$n"
	if grep -qE 'Sanitizer|runtime error:|PANIC' "$_log"; then
		sed 's/^/    /' "$_log" | head -40 >&2
		fail "node $n's replication process logged a failure"
	fi
done
echo "$TEST_NAME: ok"
