#!/bin/sh
# bench/repl-probe.sh: runs repl-probe's scenarios for issue 17: three sites on 127.0.0.1 in a temp dir, each step bounded, every process stopped by pid.
#
# usage: repl-probe.sh [-p PROBE] [SCENARIO...]
# Scenarios: nodelay ckpt token restart init register join freeze (all by
# default).  Each prints the lines of the processes' logs that matter;
# KEEP_TMP=1 keeps the logs.
set -eu
bench_name=repl-probe
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
. "$top_srcdir/bench/bench-lib.sh"

PROBE=./repl-probe
if [ "${1:-}" = -p ]; then
	PROBE=$2
	shift 2
fi
[ -x "$PROBE" ] || { echo "$bench_name: no $PROBE (make bench/repl-probe)" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/repl-probe.XXXXXX")
PIDS=

cleanup() {
	trap - EXIT
	trap '' INT TERM
	for p in $PIDS; do
		kill -KILL "$p" 2>/dev/null || :
	done
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "$bench_name: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# start NAME ARGS...: runs the probe in the background, log in $RUN/NAME.log;
# its pid in $RUN/NAME.pid.
start() {
	name=$1
	shift
	"$PROBE" "$@" >>"$RUN/$name.log" 2>&1 &
	echo $! >"$RUN/$name.pid"
	PIDS="$PIDS $!"
}

pid_of() { cat "$RUN/$1.pid"; }

# stop NAME [SIGNAL]: sends SIGNAL (TERM) and waits up to 20 s, then KILL.
stop() {
	p=$(pid_of "$1")
	kill "-${2:-TERM}" "$p" 2>/dev/null || :
	n=200
	while kill -0 "$p" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	kill -KILL "$p" 2>/dev/null || :
	wait "$p" 2>/dev/null || :
}

# wait_log NAME PATTERN [SECONDS]: until NAME's log has PATTERN (20 s).
wait_log() {
	n=$((${3:-20} * 10))
	while ! grep -q "$2" "$RUN/$1.log" 2>/dev/null; do
		n=$((n - 1))
		if [ $n -le 0 ]; then
			echo "   (timed out waiting for '$2' in $1)"
			return 1
		fi
		sleep 0.1
	done
}

# wait_exit NAME [SECONDS]: until NAME has exited (60 s), then KILL.
wait_exit() {
	p=$(pid_of "$1")
	n=$((${2:-60} * 10))
	while kill -0 "$p" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	stop "$1" KILL
}

# new_run NAME: a fresh directory and three free ports, PA PB PC.
new_run() {
	RUN=$TMP/$1
	mkdir -p "$RUN/a" "$RUN/b" "$RUN/c"
	PA=$(free_port)
	PB=$(free_port)
	PC=$(free_port)
	echo "== $1 (ports $PA $PB $PC)"
}

# group "ARGS_A" "ARGS_B" "ARGS_C": starts A (the group's creator), then B
# and C, which join through A; returns when both are STARTUPDONE.
group() {
	start a site -d "$RUN/a" -l "$PA" -C $1
	wait_log a "event MASTER"
	start b site -d "$RUN/b" -l "$PB" -m "$PA" -p 90 $2
	wait_log b "STARTUPDONE\|INIT_DONE" || :
	start c site -d "$RUN/c" -l "$PC" -m "$PA" -p 80 $3
	wait_log c "STARTUPDONE\|INIT_DONE" || :
}

show() {
	for f in "$@"; do
		[ -f "$RUN/$f.log" ] || continue
		grep -H -E "$PAT" "$RUN/$f.log" | sed "s|^$RUN/||; s|\.log:| |" || :
	done
}

PAT='commit:|writes:|final n|sockets:|reads:|txn_applied|PANIC|panic|checkpoint took|slow commit|FATAL|recovery|RUNRECOVERY|event (MASTER|CLIENT|DUPMASTER|INIT_DONE|ELECTED|NEWMASTER)|env open|removed|Error|error'

# (e) commit latency with and without TCP_NODELAY, both ways of setting it.
scenario_nodelay() {
	for mode in none socket sweep; do
		new_run "nodelay-$mode"
		group "-n $mode -g $RUN/go -w 1000 -r 100 -x 30" "-n $mode -x 30" \
		    "-n $mode -x 30"
		touch "$RUN/go"
		wait_log a "final n" 40 || :
		stop b
		stop c
		wait_exit a
		PAT='commit:|sockets:' show a b c
	done
}

# (e) the master's checkpoint with the default delay (30 s) and with 0.
scenario_ckpt() {
	for delay in -1 0; do
		new_run "ckpt$delay"
		group "-n socket -a -k $delay -g $RUN/go -w 300 -r 100 -x 8" \
		    "-n socket -k $delay -x 8" "-n socket -k $delay -x 8"
		touch "$RUN/go"
		wait_exit a 45
		stop b
		stop c
		PAT='commit:|checkpoint took|final n' show a
	done
}

# (f) the master passes each commit token through a FIFO to a plain
# process on client B, which waits with txn_applied.
scenario_token() {
	new_run token
	mkfifo "$RUN/tokens"
	group "-n socket -f $RUN/tokens -g $RUN/go -w 1000 -r 100 -x 40" \
	    "-n socket -x 40" "-n socket -x 40"
	start app applied -d "$RUN/b" -f "$RUN/tokens"
	sleep 1
	touch "$RUN/go"
	wait_log a "final n" 40 || :
	wait_exit app 10
	stop b
	stop c
	show app
}

# (c) C's replication process stops while A writes 20,000 transactions,
# then comes back, with readers attached to C throughout.  $1: how C
# stops (TERM or KILL); $2: -R to restart with recovery (readers detached
# first, attached again after the open, as through a gate); $3: more
# flags for every site (-H: heartbeats).  V=-v, VA=-v: verbose C (after the
# restart), A.
restart_case() {
	new_run "restart-$1${2:-}$(echo "${3:-}" | tr -d ' ')"
	f="-n socket ${3:-}"
	group "$f -g $RUN/go -w 20000 -r 4000 -x 80 ${VA:-}" "$f -x 80" "$f -x 80"
	start r1 reader -d "$RUN/c" -i 10 -x 100
	start r2 reader -d "$RUN/c" -i 10 -x 100
	sleep 1
	stop c "$1"
	touch "$RUN/go"
	wait_log a "wrote " 60 || :
	if [ -n "${2:-}" ]; then
		stop r1
		stop r2
	fi
	start c2 site -d "$RUN/c" -l "$PC" -m "$PA" -p 80 $f -x 20 ${2:-} ${V:-}
	wait_log c2 "env open" || :
	if [ -n "${2:-}" ]; then
		start r3 reader -d "$RUN/c" -i 10 -x 15
		start r4 reader -d "$RUN/c" -i 10 -x 15
	fi
	wait_exit c2 40
	for p in r1 r2 r3 r4; do
		[ ! -f "$RUN/$p.pid" ] || stop $p
	done
	stop a
	stop b
	show a c c2 r1 r2 r3 r4
}

# RESTART: which cases, SIGNAL[-R][-H][-N][-S]: -R recovery, -H heartbeats,
# -N DB_REP_CONF_NOWAIT, -S DB_TXN_NOSYNC (default: TERM KILL KILL-R
# KILL-R-H KILL-R-N KILL-R-S).
scenario_restart() {
	for c in ${RESTART:-TERM KILL KILL-R KILL-R-H KILL-R-N KILL-R-S}; do
		sig=${c%%-*}
		rec=
		more=
		case $c in *-R*) rec=-R ;; esac
		case $c in *-H*) more="$more -H" ;; esac
		case $c in *-N*) more="$more -N" ;; esac
		case $c in *-S*) more="$more -S" ;; esac
		restart_case "$sig" "$rec" "$more"
	done
}

# (a) internal init: small log files, A checkpoints and removes logs
# every second while C is down, so that C's next log is gone.  C comes
# back with recovery; readers attach right after its open (through the
# gate) and read every 2 ms during the init.  $1: -R or empty (C back
# without recovery, readers attached all along); $2: gate (readers wait
# for INIT_DONE as well).
init_case() {
	new_run "init${1:-none}${2:-}"
	lg="-s 262144 ${INITFLAGS:-}"
	group "-n socket $lg -a -b 1000 -g $RUN/go -w 30000 -r 4000 -x 80" \
	    "-n socket $lg -x 80" "-n socket $lg -x 80"
	if [ -z "${1:-}" ]; then
		start r1 reader -d "$RUN/c" -i 2 -x 100
		start r2 reader -d "$RUN/c" -i 2 -x 100
	fi
	sleep 1
	stop c
	touch "$RUN/go"
	wait_log a "wrote " 60 || :
	# 5.3 held these back (min_log_file still counted C): remove them as
	# an operator's db_archive -d would once the lagging site is excluded.
	old=$(ls "$RUN/a"/log.* | head -n -2)
	echo "   removing $(echo "$old" | wc -l) of A's log files"
	rm -f $old
	start c2 site -d "$RUN/c" -l "$PC" -m "$PA" -p 80 -n socket $lg -x 20 \
	    ${1:-} ${V:-}
	if [ -n "${1:-}" ]; then
		wait_log c2 "env open" || :
		[ -z "${2:-}" ] || wait_log c2 "INIT_DONE\|STARTUPDONE" 30 || :
		start r3 reader -d "$RUN/c" -i 2 -x 15
		start r4 reader -d "$RUN/c" -i 2 -x 15
	fi
	wait_exit c2 40
	for p in r1 r2 r3 r4; do
		[ ! -f "$RUN/$p.pid" ] || stop $p
	done
	# After a PANIC: the replication process starts again, with recovery.
	if grep -q PANIC "$RUN/c2.log"; then
		start c3 site -d "$RUN/c" -l "$PC" -m "$PA" -p 80 -n socket $lg \
		    -x 15 -R
		wait_exit c3 40
	fi
	stop a
	stop b
	PAT="$PAT|INIT|removed" show a c c2 c3 r1 r2 r3 r4
}

# INIT: which cases (default: R R-gate none); INITFLAGS: more flags for
# every site (-N: DB_REP_CONF_NOWAIT).
scenario_init() {
	for c in ${INIT:-R R-gate none}; do
		case $c in
		R) init_case -R ;;
		R-gate) init_case -R gate ;;
		none) init_case ;;
		esac
	done
}

# (b) DB_REGISTER: every process of C registers; a reader dies holding a
# read lock; a new reader opens with DB_REGISTER|DB_RECOVER.  Then the
# same death with failchk in C's replication process instead.
scenario_register() {
	new_run register
	group "-n socket -G -R -w 3000 -r 100 -x 60" "-n socket -G -R -x 60" \
	    "-n socket -G -R -x 60"
	start r1 reader -d "$RUN/c" -G -i 10 -x 50
	start hold reader -d "$RUN/c" -G -K -x 50
	wait_log hold "holding" || :
	sleep 2
	stop hold KILL
	sleep 3
	start r2 reader -d "$RUN/c" -G -R -i 10 -x 15
	sleep 12
	stop r2
	stop r1
	wait_exit a 60
	stop b
	stop c
	PAT="$PAT|holding|attached" show a c r1 hold r2

	new_run failchk
	group "-n socket -F -w 3000 -r 100 -x 60" "-n socket -F -x 60" \
	    "-n socket -F -x 60"
	start r1 reader -d "$RUN/c" -F -i 10 -x 50
	start hold reader -d "$RUN/c" -F -K -x 50
	wait_log hold "holding" || :
	sleep 2
	stop hold KILL
	sleep 10
	stop r1
	wait_exit a 60
	stop b
	stop c
	PAT="$PAT|holding|failchk" show a c r1
}

# A site joins while the master writes 100/s: the master's slowest
# commits, without and with DB_REP_CONF_NOWAIT.  JOIN: more flags for
# every site (-F: failchk every second); JOINWAIT: seconds between the
# master's election and the first join (2).
scenario_join() {
	for nw in "${JOIN:-}" "${JOIN:-} -N"; do
		new_run "join$(echo "$nw" | tr -d ' ')"
		start a site -d "$RUN/a" -l "$PA" -C -n socket $nw -w 1500 -r 100 -x 20
		wait_log a "event MASTER"
		sleep "${JOINWAIT:-2}"
		start b site -d "$RUN/b" -l "$PB" -m "$PA" -p 90 -n socket $nw -x 16
		wait_log b "STARTUPDONE\|INIT_DONE" || :
		sleep 2
		start c site -d "$RUN/c" -l "$PC" -m "$PA" -p 80 -n socket $nw -x 12
		wait_exit a 40
		stop b
		stop c
		PAT='commit:|slow commit|commit failed|SITE_ADDED|writes:' show a
	done
}

# (d) A, master, frozen with SIGSTOP for 4 s while every site writes when
# it is master (heartbeats on); the new master's slow commits are shown.
# FREEZE: extra flags for every site (-N: DB_REP_CONF_NOWAIT).
scenario_freeze() {
	new_run "freeze${FREEZE:-}"
	hb="-n socket -H -w 100000 -r 50 -x 30 ${FREEZE:-}"
	group "$hb" "$hb" "$hb"
	sleep 3
	kill -STOP "$(pid_of a)"
	sleep 4
	kill -CONT "$(pid_of a)"
	wait_exit b 40
	stop a
	stop c
	PAT="$PAT|slow commit|PERM" show a b c
}

for s in ${*:-nodelay ckpt token restart init register join freeze}; do
	"scenario_$s"
done
