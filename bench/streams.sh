#!/bin/sh
# streams.sh: runs bench-streams against lighttpd with one stream responder per stream, in a store of its own.
#
# Usage (from the build directory or its bench/, as "make bench" runs it,
# or with top_builddir set):
#
#	bench/streams.sh [-n STREAMS] [-k COMMITS] [-i MS] [-d IDLE_SECONDS]
#	    [-P POINTS] [-z CHUNKS] [-r RUNS] [-m MODES] [-s SIZES] [-o OPENS]
#	    [-t SECONDS]
#
# Its peer: when nginx has the nchan module (libnginx-mod-nchan), it also
# starts nginx with one worker and a configuration of its own, and the
# client compares one user's streams at each size of -s (default STREAMS
# and 300) with as many subscribers of one nchan channel, fed at the same
# pace, and prints the ratio of the p99s; without the module it says so.
#
# Everything it starts (lighttpd, whose responders it stops, nginx and the
# load client) is stopped by pid at exit, and the temporary directory is
# removed (kept with KEEP_TMP=1).  The whole run is bounded by -t seconds
# (default 1200).  Figures go to standard output; see bench-streams.c for
# what each one means.  BENCH_CONF_EXTRA adds lines to backstream.conf
# (for example "poll_interval = 15s"); BENCH_LOG_LEVEL sets log_level
# (default warn), which may be given only once.  Needs lighttpd (BENCH_LIGHTTPD,
# default /usr/sbin/lighttpd); without it, says so and exits 0.  nginx and
# the module are BENCH_NGINX (default /usr/sbin/nginx) and BENCH_NCHAN
# (default /usr/lib/nginx/modules/ngx_nchan_module.so).

set -eu

if [ -z "${top_builddir:-}" ]; then
	if [ -x ./bench-streams ]; then top_builddir=..; else top_builddir=.; fi
fi
if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
fi
bench_name=streams.sh
. "$top_srcdir/bench/bench-lib.sh"
: "${BENCH_LIGHTTPD:=/usr/sbin/lighttpd}"
: "${BENCH_NGINX:=/usr/sbin/nginx}"
: "${BENCH_NCHAN:=/usr/lib/nginx/modules/ngx_nchan_module.so}"
BACKSTREAM=$top_builddir/cli/backstream
SSE=$top_builddir/cgi-bin/backstream-sse
VERIFY=$top_builddir/cgi-bin/backstream-verify
CLIENT=${BENCH_STREAMS:-$top_builddir/bench/bench-streams}

streams=1000
bound=1200
args=
while getopts b:n:k:i:d:P:z:r:m:s:o:t: opt; do
	case $opt in
	n) streams=$OPTARG; args="$args -n $OPTARG" ;;
	t) bound=$OPTARG ;;
	b|k|i|d|P|z|r|m|s|o) args="$args -$opt $OPTARG" ;;
	*) echo "usage: streams.sh [-n N] [-k K] [-i MS] [-d S] [-P POINTS]" \
	    "[-z CHUNKS] [-r RUNS] [-m MODES] [-s SIZES] [-o OPENS]" \
	    "[-t SECONDS]" >&2; exit 2 ;;
	esac
done

bench_built "$BACKSTREAM" "$SSE" "$VERIFY" "$CLIENT"
bench_lighttpd_or_skip
SSE=$(abs "$SSE")
VERIFY=$(abs "$VERIFY")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-streams.XXXXXX")
LIGHTTPD_PID=
NGINX_PID=
CLIENT_PID=

# Stops nginx and lighttpd (which stops its responders) and then any
# responder still there, each by pid; then removes the directory.
cleanup() {
	rc=$?
	[ -z "$NGINX_PID" ] || stop_tree "$NGINX_PID"
	bench_cleanup "$rc" "$CLIENT_PID" "$LIGHTTPD_PID" "$TMP"
}
trap cleanup EXIT
trap 'exit 124' INT TERM

# ---- the store, keys and configuration -------------------------------------

CONF=$TMP/backstream.conf
cat >"$CONF" <<EOF
store_dir = $TMP/store
project_id = bench-project
cert_file = $TMP/keys/certs.json
verify_helper = $VERIFY
max_processes = $((streams + 200 > 2100 ? streams + 200 : 2100))
log_level = ${BENCH_LOG_LEVEL:-warn}
max_user_streams = $((streams + 100))
log_file = $TMP/backstream.log
${BENCH_CONF_EXTRA:-}
EOF
mkdir "$TMP/keys" "$TMP/www"
"$BACKSTREAM" -c "$CONF" init >/dev/null
"$BACKSTREAM" -c "$CONF" keygen "$TMP/keys" >/dev/null

# ---- lighttpd: one responder per stream ------------------------------------

ulimit -n "$(ulimit -Hn)"
bench_lighttpd "$CONF" "$TMP" "$streams"
PORT=$BENCH_PORT
LIGHTTPD_PID=$BENCH_LIGHTTPD_PID
echo "lighttpd $("$BENCH_LIGHTTPD" -v | sed -n '1s/ .*//p') on 127.0.0.1:$PORT" \
    "with $streams responders; $(nproc) cores; $(uname -sr)"

# ---- the peer: nginx with nchan, one worker, one channel --------------------

# The bench's own configuration: nothing of the system's, everything in $TMP.
start_nginx() {
	NGINX_PORT=$(free_port)
	mkdir "$TMP/nginx"
	cat >"$TMP/nginx/nginx.conf" <<EOF
load_module $BENCH_NCHAN;
user $(id -un) $(id -gn);
worker_processes 1;
worker_rlimit_nofile $((streams * 2 + 200));
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx.log warn;
events { worker_connections $((streams + 100)); }
http {
	access_log off;
	client_body_temp_path $TMP/nginx/body;
	proxy_temp_path $TMP/nginx/proxy;
	fastcgi_temp_path $TMP/nginx/fastcgi;
	uwsgi_temp_path $TMP/nginx/uwsgi;
	scgi_temp_path $TMP/nginx/scgi;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		location = /sub { nchan_subscriber eventsource; nchan_channel_id bench; }
		location = /pub { nchan_publisher; nchan_channel_id bench; }
	}
}
EOF
	"$BENCH_NGINX" -e "$TMP/nginx.log" -p "$TMP/nginx" \
	    -c "$TMP/nginx/nginx.conf" >"$TMP/nginx-out.log" 2>&1 &
	NGINX_PID=$!
	tries=100
	until [ -n "$(ss -Htln "sport = :$NGINX_PORT" 2>/dev/null)" ]; do
		kill -0 "$NGINX_PID" 2>/dev/null ||
		    { echo "streams.sh: nginx exited" >&2; exit 1; }
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] ||
		    { echo "streams.sh: nginx did not start" >&2; exit 1; }
		sleep 0.1
	done
	args="$args -q $NGINX_PORT -Q $NGINX_PID"
	echo "peer: $("$BENCH_NGINX" -v 2>&1 | sed 's/.*: //') with nchan" \
	    "$(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null ||
	    echo "($BENCH_NCHAN)") on 127.0.0.1:$NGINX_PORT, 1 worker"
}
if [ -x "$BENCH_NGINX" ] && [ -f "$BENCH_NCHAN" ]; then
	start_nginx
else
	echo "peer: no nginx with the nchan module ($BENCH_NCHAN; Debian's" \
	    "libnginx-mod-nchan); nchan's figures skipped"
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- the measurements ------------------------------------------------------

# shellcheck disable=SC2086
timeout -k 5 "$bound" "$CLIENT" -c "$CONF" -p "$PORT" -w "$LIGHTTPD_PID" \
    $args &
CLIENT_PID=$!
status=0
wait "$CLIENT_PID" || status=$?
CLIENT_PID=
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -s "$TMP/backstream.log" ]; then
	echo "responder log (warnings and errors, first lines):"
	head -n 10 "$TMP/backstream.log" | sed 's/^/  /'
fi
exit "$status"
