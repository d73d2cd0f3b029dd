#!/bin/sh
# repl.sh: what replication costs: commit to event on a replica beside the master's and a single host's, the master's commit, a replica's responders' memory.
#
# Usage (from the build directory or its bench/, as "make bench" runs it,
# or with top_builddir set):
#
#	bench/repl.sh [-n STREAMS] [-k COMMITS] [-i MS] [-t SECONDS]
#
# Makes a replication group of three nodes on 127.0.0.1 (three stores, a
# backstream-repd each) and a store of one host beside it, starts lighttpd
# with STREAMS stream responders (default 100) on the single host, on the
# master and on a replica, and runs bench-streams against each in turn:
# STREAMS streams of one user (mode "same"), K commits (default 300) made
# on the store's master, one every MS (default 100) ms, and the memory of
# the responders (mode "memory").  The writer is the bench's own process,
# as the engine is: on the group it takes part in replication, and its
# commits wait for a quorum's acknowledgement.  Everything it starts is
# stopped by pid at exit; the run is bounded by -t seconds (default 900).
# Needs lighttpd; without it, says so and exits 0.

set -eu

if [ -z "${top_builddir:-}" ]; then
	if [ -x ./bench-streams ]; then top_builddir=..; else top_builddir=.; fi
fi
if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
fi
bench_name=repl.sh
. "$top_srcdir/bench/bench-lib.sh"
: "${BENCH_LIGHTTPD:=/usr/sbin/lighttpd}"
BACKSTREAM=$top_builddir/cli/backstream
REPD=$top_builddir/repd/backstream-repd
SSE=$top_builddir/cgi-bin/backstream-sse
VERIFY=$top_builddir/cgi-bin/backstream-verify
CLIENT=${BENCH_STREAMS:-$top_builddir/bench/bench-streams}

streams=100
commits=300
interval=100
bound=900
while getopts n:k:i:t: opt; do
	case $opt in
	n) streams=$OPTARG ;;
	k) commits=$OPTARG ;;
	i) interval=$OPTARG ;;
	t) bound=$OPTARG ;;
	*) echo "usage: repl.sh [-n N] [-k K] [-i MS] [-t SECONDS]" >&2
	   exit 2 ;;
	esac
done

bench_built "$BACKSTREAM" "$REPD" "$SSE" "$VERIFY" "$CLIENT"
bench_lighttpd_or_skip
SSE=$(abs "$SSE")
VERIFY=$(abs "$VERIFY")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-repl.XXXXXX")
SERVERS=
REPDS=
CLIENT_PID=

cleanup() {
	rc=$?
	for pid in $SERVERS $REPDS; do
		stop_tree "$pid"
	done
	bench_cleanup "$rc" "$CLIENT_PID" "" "$TMP"
}
trap cleanup EXIT
trap 'exit 124' INT TERM
ulimit -n "$(ulimit -Hn)"

# ---- the stores: one host, and a group of three ----------------------------

# conf NAME [LINES]: writes $TMP/NAME.conf, whose store is $TMP/NAME.
conf() {
	cat >"$TMP/$1.conf" <<EOF
store_dir = $TMP/$1
project_id = bench-project
cert_file = $TMP/keys/certs.json
verify_helper = $VERIFY
max_processes = 2100
max_user_streams = $((streams + 100))
log_level = warn
log_file = $TMP/$1.log
${2:-}
EOF
}

conf single
mkdir "$TMP/keys"
"$BACKSTREAM" -c "$TMP/single.conf" init >/dev/null
"$BACKSTREAM" -c "$TMP/single.conf" keygen "$TMP/keys" >/dev/null

for n in a b c; do
	eval "port_$n=$(free_port)"
done
for n in a b c; do
	peers=
	for m in a b c; do
		[ "$m" = "$n" ] || eval "peers=\"\$peers 127.0.0.1:\$port_$m\""
	done
	eval "conf $n \"repl_site = 127.0.0.1:\$port_$n
repl_peers =$peers\""
done
"$BACKSTREAM" -c "$TMP/a.conf" init >/dev/null

# repd NODE: starts its replication process and waits for its store.
repd() {
	"$REPD" -c "$TMP/$1.conf" >"$TMP/repd-$1.log" 2>&1 &
	REPDS="$REPDS $!"
	tries=$((bound * 10))
	until "$BACKSTREAM" -c "$TMP/$1.conf" stats 2>/dev/null |
	    grep -q '^replication: \(master\|replica\), .*[0-9]$'; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] ||
		    { echo "repl.sh: node $1's store did not open" >&2; exit 1; }
		sleep 0.1
	done
}
repd a
repd b
repd c
echo "a group of three on 127.0.0.1: a master and two replicas, quorum" \
    "acknowledgements; $(nproc) cores; $(uname -sr)"

# ---- the three runs --------------------------------------------------------

# run NAME READER_CONF WRITER_CONF: lighttpd on the reader's store, and the
# bench against it.
run() {
	mkdir "$TMP/web-$1"
	bench_lighttpd "$2" "$TMP/web-$1" "$streams"
	SERVERS="$SERVERS $BENCH_LIGHTTPD_PID"
	echo "== $1: $streams streams"
	# shellcheck disable=SC2086
	timeout -k 5 "$bound" "$CLIENT" -c "$2" -W "$3" -p "$BENCH_PORT" \
	    -w "$BENCH_LIGHTTPD_PID" -n "$streams" -k "$commits" \
	    -i "$interval" -m same,memory &
	CLIENT_PID=$!
	wait "$CLIENT_PID"
	CLIENT_PID=
	stop_tree "$BENCH_LIGHTTPD_PID"
	SERVERS=
}
run "one host" "$TMP/single.conf" "$TMP/single.conf"
run master "$TMP/a.conf" "$TMP/a.conf"
run replica "$TMP/b.conf" "$TMP/a.conf"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for f in "$TMP"/*.log; do
	if grep -qE 'warn|error' "$f"; then
		echo "$(basename "$f") (warnings and errors, first lines):"
		grep -E 'warn|error' "$f" | head -n 5 | sed 's/^/  /'
	fi
done
