# tests/lib.sh: what every shell integration test sources: a bounded run, a temp dir, a config, checks and process helpers.
#
# Usage, at the top of a test (run as "sh test.sh" by make check, which
# exports top_builddir, top_srcdir and BACKSTREAM):
#
#	. "${top_srcdir:-..}/tests/lib.sh"
#
# The whole test is then bounded by TEST_TIMEOUT seconds (default 900), runs
# with set -eu in a fresh directory $TMP removed at exit (kept when it fails
# and KEEP_TMP is set), and finds a configuration in $CONF (exported as
# BACKSTREAM_CONF) whose store_dir is $TMP/store.  POSIX sh: dash runs it.
#
# What a test may wait on: a state (a job's status, a line in a log, a
# process gone, a socket there) or an event, never a share of the CPU or a
# wall-clock budget that a loaded machine can miss ("scripts/test.sh
# --stress" runs the suite beside a busy loop per core to show such a
# miss).  A test that needs a slow engine slows it deterministically
# (engine_bar_rate, or slowclock.so's SLOWCLOCK_MS/SLOWCLOCK_HOLD), not
# by nice, CPU pinning or busy loops.  The bound of a wait (wait_for's
# SECONDS, a loop's tries) is a hang guard only: generous (HANG, minutes),
# so that slowness alone never reaches it.  A latency ("within 1 s") is a
# benchmark's claim, not a test's: where a test must show that a wake, not
# a fallback poll, delivered something, it makes the poll far longer than
# the hang guard (engine_poll, poll_interval).  A sleep only lets time pass that the test needs to have
# passed (a token's expiry), never stands in for a state.

set -eu

TEST_NAME=$(basename "$0" .sh)

# Bound the whole test: re-run this script under timeout(1), which sends
# TERM (the EXIT trap below cleans up), then KILL 10 s later.
if [ -z "${LIB_SH_BOUNDED:-}" ]; then
	LIB_SH_BOUNDED=1
	export LIB_SH_BOUNDED
	exec timeout -k 10 "${TEST_TIMEOUT:-900}" "${TEST_SHELL:-/bin/sh}" \
	    "$0" "$@"
fi

: "${top_builddir:=..}"
: "${top_srcdir:=..}"
: "${BACKSTREAM:=$top_builddir/cli/backstream}"
# A hang guard for waits on a state: long enough that no load reaches it.
HANG=120
# Bound of a single command run through run(): a hang guard too.
: "${COMMAND_TIMEOUT:=$HANG}"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/backstream-$TEST_NAME.XXXXXX")
CONF=$TMP/backstream.conf
STORE=$TMP/store
OUT=$TMP/stdout
ERR=$TMP/stderr
STATUS=0
PIDS=

# ---- cleanup ---------------------------------------------------------------

cleanup() {
	rc=$?
	# A second signal (timeout's, after ours) must not cut the cleanup short.
	trap - EXIT
	trap '' INT TERM
	for pid in $PIDS; do
		stop_pid "$pid" || :
	done
	if [ "$rc" -ne 0 ] && [ -n "${KEEP_TMP:-}" ]; then
		echo "$TEST_NAME: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
# A signal (timeout's TERM, ^C) ends the test through the EXIT trap.
trap 'echo "$TEST_NAME: interrupted (time limit ${TEST_TIMEOUT:-900} s?)" >&2; exit 124' INT TERM

# ---- configuration ------------------------------------------------------------

# Sets key = value in $CONF, replacing an earlier value of key.
conf_set() {
	if [ -f "$CONF" ]; then
		grep -v "^$1 = " "$CONF" >"$CONF.new" || :
	else
		: >"$CONF.new"
	fi
	printf '%s = %s\n' "$1" "$2" >>"$CONF.new"
	mv "$CONF.new" "$CONF"
}

# Removes key from $CONF, so that its default applies.
conf_unset() {
	grep -v "^$1 = " "$CONF" >"$CONF.new" || :
	mv "$CONF.new" "$CONF"
}

conf_set store_dir "$STORE"
conf_set project_id backstream-test
conf_set cert_file "$TMP/keys/certs.json"
conf_set log_level warn
BACKSTREAM_CONF=$CONF
export BACKSTREAM_CONF

# ---- checks -----------------------------------------------------------------------

# fail WHAT [EXPECTED ACTUAL]: reports a failed check and ends the test.
fail() {
	echo "FAIL: $TEST_NAME: $1" >&2
	if [ $# -ge 3 ]; then
		printf '  expected: %s\n  actual:   %s\n' "$2" "$3" >&2
	fi
	if [ -s "$ERR" ]; then
		echo "  stderr of the last command:" >&2
		sed 's/^/    /' "$ERR" | head -20 >&2
	fi
	# A test may say more about its state: its on_fail, if it has one.
	if command -v on_fail >/dev/null 2>&1; then
		on_fail >&2 || :
	fi
	exit 1
}

# Prints a step of the test, so that a log shows how far it got.
step() {
	echo "--- $*"
}

# run CMD [ARGS]: runs a command (bounded by COMMAND_TIMEOUT) with stdout
# in $OUT and stderr in $ERR; its exit status is in $STATUS.
run() {
	STATUS=0
	# --foreground: stay in the test's process group, which the bound of
	# the whole test signals.
	timeout --foreground -k 5 "$COMMAND_TIMEOUT" "$@" >"$OUT" 2>"$ERR" ||
	    STATUS=$?
	# A sanitizer's report may come with an exit status a check expects.
	if grep -qE 'Sanitizer|runtime error:' "$ERR"; then
		fail "sanitizer report from: $*"
	fi
}

# bs ARGS: runs backstream ARGS like run().
bs() {
	run "$BACKSTREAM" "$@"
}

# expect STATUS CMD [ARGS]: runs like run() and checks the exit status.
expect() {
	want=$1
	shift
	run "$@"
	[ "$STATUS" -eq "$want" ] ||
	    fail "exit status of: $*" "$want" "$STATUS"
}

# expect_bs STATUS ARGS: expect with backstream.
expect_bs() {
	want=$1
	shift
	expect "$want" "$BACKSTREAM" "$@"
}

check_eq() {
	[ "$2" = "$3" ] || fail "$1" "$2" "$3"
}

# check_contains FILE TEXT: FILE has TEXT (a fixed string) somewhere.
check_contains() {
	grep -qF -- "$2" "$1" ||
	    fail "$(basename "$1") contains the text" "$2" "$(head -c 600 "$1")"
}

check_not_contains() {
	if grep -qF -- "$2" "$1"; then
		fail "$(basename "$1") does not contain the text" "no \"$2\"" \
		    "$(head -c 600 "$1")"
	fi
}

# check_same WHAT FILE1 FILE2: the two files are byte for byte equal.
check_same() {
	cmp -s "$2" "$3" || fail "$1: $2 and $3 differ" \
	    "$(head -c 300 "$2")" "$(head -c 300 "$3")"
}

# sse_checks_in_process: whether backstream-sse checks tokens itself (built
# with Nettle) rather than by starting backstream-verify.
sse_checks_in_process() {
	grep -q '^#define HAVE_NETTLE 1' "$top_builddir/config.h"
}

# ---- data ----------------------------------------------------------------------------------

# bars N T0: N minute bars (CSV) from epoch T0 whose prices swing, so that
# crossover strategies trade often.
bars() {
	awk -v n="$1" -v t0="$2" 'BEGIN {
		print "time,open,high,low,close,volume"
		for (i = 0; i < n; i++) {
			p = 100 + 10 * sin(i / 7) + (i % 13) / 10
			printf "%d,%.2f,%.2f,%.2f,%.2f,%d\n", t0 + 60 * i, p,
			    p + 0.5, p - 0.5, p + 0.1, 10 + i % 50
		}
	}'
}

# ---- time and processes ---------------------------------------------------------------

# wait_for SECONDS CMD [ARGS]: polls CMD every 0.1 s until it succeeds;
# fails the test after SECONDS (a hang guard: $HANG, unless the test
# itself bounds what it waits for).
wait_for() {
	limit=$1
	shift
	tries=$((limit * 10))
	while ! "$@" >/dev/null 2>&1; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || fail "waited ${limit}s for: $*"
		sleep 0.1
	done
}

# Prints a TCP port on 127.0.0.1 that no socket uses now, below the
# kernel's range of source ports (/proc/sys/net/ipv4/ip_local_port_range):
# a port is taken some time after it is chosen, and meanwhile one from
# inside that range could become any outgoing connection's source port.
free_port() {
	_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null) ||
	    _low=32768
	_base=10000
	# A range that starts low leaves nothing below it: take the top.
	if [ "$_low" -le 12000 ]; then
		_base=60000
		_low=65000
	fi
	tries=100
	while [ "$tries" -gt 0 ]; do
		port=$((_base + $(od -An -N2 -tu2 /dev/urandom) % (_low - _base)))
		if [ -z "$(ss -Htan "sport = :$port" 2>/dev/null)" ]; then
			echo "$port"
			return
		fi
		tries=$((tries - 1))
	done
	fail "found no free port"
}

# free_ports N: prints N distinct free ports, for servers that take them
# only later (free_port knows nothing of the ports it chose before).
free_ports() {
	_ports=
	_tries=$(($1 * 10))
	while [ "$(echo $_ports | wc -w)" -lt "$1" ]; do
		[ "$_tries" -gt 0 ] || fail "found no $1 free ports"
		_tries=$((_tries - 1))
		_port=$(free_port)
		case " $_ports " in
		*" $_port "*)	;;
		*)	_ports="$_ports $_port" ;;
		esac
	done
	echo $_ports
}

# start_bg CMD [ARGS]: starts CMD in the background, output in
# $TMP/bg-PID.log; sets BG_PID.  It is stopped at exit if still running.
start_bg() {
	# Opened here, before the fork: were the child to open it by name, the
	# rename below could come first and its output be lost.
	exec 9>"$TMP/bg.log"
	"$@" >&9 2>&1 9>&- &
	BG_PID=$!
	exec 9>&-
	mv "$TMP/bg.log" "$TMP/bg-$BG_PID.log"
	PIDS="$PIDS $BG_PID"
}

# stop_pid PID [SECONDS]: TERM, then KILL if still there after SECONDS
# (default 5); reaps it if it is our child.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || return 0
	tries=$((${2:-5} * 10))
	while kill -0 "$1" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -KILL "$1" 2>/dev/null || :
	wait "$1" 2>/dev/null || :
}
