#!/bin/bash
# scripts/demo-web.sh: the web demo: demo data, a key and a token, lighttpd serving the dashboard and both responders, the engine in a loop, a few backtests; Ctrl-C stops it all.
#
# usage: scripts/demo-web.sh [BUILDDIR]
#
# BUILDDIR is where configure and make ran (default: the current directory
# if it holds cli/backstream, else build/demo, else the source tree).  It
# needs lighttpd, and node 20.19+ with npm to build the dashboard
# (scripts/build-www.sh) unless DEMO_WWW names a built one.  Settings, from
# the environment:
#
#	DEMO_PORT=8080		port on DEMO_HOST (127.0.0.1) for lighttpd
#	DEMO_DIR		the store, keys, configurations and logs (default:
#				a new directory in /tmp, removed at exit; one
#				given is kept, and reused by the next run)
#	DEMO_WWW		a built dashboard to serve (default: www/dist,
#				built by scripts/build-www.sh)
#	DEMO_JOBS=4		backtests to submit at the start (0: none)
#	DEMO_UID=demo		the demo user, DEMO_TTL=12h its token's lifetime
#	DEMO_SSE_PROCS=32	backstream-sse processes: streams open at once.  A
#				stream the browser closed (another job or interval
#				picked) keeps its process until its next write,
#				the heartbeat: lighttpd tells the responder no
#				sooner.  When all are busy, a new stream waits.
#	DEMO_HEARTBEAT=5s	so idle streams write, and free closed ones, often
#	DEMO_API_PROCS=4	backstream-api processes
#	DEMO_ENGINE=1		0: no engine (jobs stay queued)
#	DEMO_BAR_RATE=20000	bars a second a job runs at (engine_bar_rate), so
#				that a year of minute bars takes about 5 s instead
#				of 15 ms and progress can be watched (0: full speed)
#	DEMO_HOLD		for tests: a file; while it exists, the engine
#				waits at its next clock read (tests/slowclock.so's
#				SLOWCLOCK_HOLD, built here if missing)
#
# While it runs, DEMO_DIR holds url (the address to open, written once
# everything answers), token, backstream.conf, lighttpd.conf, pids, and the
# logs: backstream.log, engine.log, lighttpd-error.log, access.log (paths
# without the query, where the streams' token is).
#
# INT, TERM and HUP stop lighttpd (and the responders it started) and the
# engine, by pid, then remove a temporary DEMO_DIR.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

die() {
	echo "demo-web: $*" >&2
	exit 1
}

# ---- settings -----------------------------------------------------------------------

usage() {
	sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
}
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	usage
	exit 0
fi
if [ $# -gt 1 ]; then
	usage >&2
	exit 2
fi
if [ $# -eq 1 ]; then
	builddir=$1
elif [ -x cli/backstream ]; then
	builddir=.
elif [ -x "$top/build/demo/cli/backstream" ]; then
	builddir=$top/build/demo
else
	builddir=$top
fi
builddir=$(cd "$builddir" 2>/dev/null && pwd) || die "no build directory $1"

host=${DEMO_HOST:-127.0.0.1}
port=${DEMO_PORT:-8080}
njobs=${DEMO_JOBS:-4}
uid=${DEMO_UID:-demo}
ttl=${DEMO_TTL:-12h}
sse_procs=${DEMO_SSE_PROCS:-32}
heartbeat=${DEMO_HEARTBEAT:-5s}
api_procs=${DEMO_API_PROCS:-4}
bar_rate=${DEMO_BAR_RATE:-20000}

bs=$builddir/cli/backstream
engine=$builddir/engine/backstream-engine
for prog in "$bs" "$engine" "$builddir/cgi-bin/backstream-sse" \
    "$builddir/cgi-bin/backstream-api" "$builddir/cgi-bin/backstream-verify"; do
	[ -x "$prog" ] || die "$prog is not built: run ./configure && make in $builddir first"
done
lighttpd=${LIGHTTPD:-$(command -v lighttpd || echo /usr/sbin/lighttpd)}
[ -x "$lighttpd" ] || die "lighttpd is needed (Debian: apt-get install lighttpd)"

# ---- the demo's directory --------------------------------------------------------------

temporary=
if [ -n "${DEMO_DIR:-}" ]; then
	mkdir -p "$DEMO_DIR"
	dir=$(cd "$DEMO_DIR" && pwd)
else
	dir=$(mktemp -d /tmp/backstream-demo.XXXXXX)
	temporary=1
fi
conf=$dir/backstream.conf

# ---- stopping -------------------------------------------------------------------------

lighttpd_pid=
loop_pid=

# Children of a process (the responders lighttpd started, the engine's
# workers): their parent field in /proc, the command name skipped whole.
children_of() {
	{ sed -n 's/^\([0-9]*\) (.*) . \([0-9]*\) .*/\1 \2/p' /proc/[0-9]*/stat 2>/dev/null || :; } |
	    awk -v p="$1" '$2 == p { print $1 }'
}

# stop PID SECONDS: TERM, then KILL after SECONDS.
stop() {
	local pid=$1 tries=$(($2 * 10))
	kill -TERM "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -KILL "$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
}

# Stops the engine loop, which stops its engine; then anything left of it.
stop_engine() {
	local epid workers pid
	[ -n "$loop_pid" ] || return 0
	epid=$(cat "$dir/engine.pid" 2>/dev/null || :)
	workers=
	[ -z "$epid" ] || workers=$(children_of "$epid")
	# A worker that is told to stop puts its job back in the queue (the
	# next engine runs it again) and exits; the engine waits for them.
	# shellcheck disable=SC2086 # a list of pids
	[ -z "$workers" ] || kill -TERM $workers 2>/dev/null
	stop "$loop_pid" 15
	for pid in $epid $workers; do
		stop "$pid" 5
	done
	rm -f "$dir/engine.pid"
	loop_pid=
}

stop_lighttpd() {
	local responders pid
	[ -n "$lighttpd_pid" ] || return 0
	responders=$(children_of "$lighttpd_pid")
	stop "$lighttpd_pid" 10
	# lighttpd ends its responders as it exits; any still there go now.
	for pid in $responders; do
		stop "$pid" 5
	done
	lighttpd_pid=
}

cleanup() {
	local rc=$?
	# A second ^C must not cut the cleanup short.
	trap - EXIT
	trap '' INT TERM HUP
	# Whatever fails now, the rest must still be stopped.
	set +e
	[ -z "${started:-}" ] || echo "demo-web: stopping" >&2
	stop_engine
	stop_lighttpd
	rm -f "$dir/url" "$dir/pids"
	if [ -n "$temporary" ]; then
		rm -rf "$dir"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 0' INT TERM HUP

# ---- the store, a key, a token ----------------------------------------------------------

cat >"$conf" <<EOF
# backstream.conf of the web demo (scripts/demo-web.sh); backstream.conf(5)
# describes every key.
store_dir = $dir/store
project_id = backstream-demo
cert_file = $dir/keys/certs.json
verify_helper = $builddir/cgi-bin/backstream-verify
log_file = $dir/backstream.log
log_level = info
engine_workers = 2
engine_cycle = 10m
max_queued_jobs = 100
# Every visitor of the demo is its one demo user, in as many tabs as they like.
max_user_streams = 48
heartbeat = $heartbeat
engine_bar_rate = $bar_rate
EOF
export BACKSTREAM_CONF=$conf

"$bs" init >/dev/null
if [ "$("$bs" symbols --json)" = "[]" ]; then
	echo "demo-web: importing the demo data" >&2
	"$bs" demo-data >/dev/null
fi
if [ ! -f "$dir/keys/certs.json" ]; then
	mkdir -p "$dir/keys"
	"$bs" keygen "$dir/keys" >/dev/null
fi
token=$("$bs" token --uid "$uid" --ttl "$ttl")
(umask 077 && printf '%s\n' "$token" >"$dir/token")

# ---- the dashboard ------------------------------------------------------------------

if [ -n "${DEMO_WWW:-}" ]; then
	www=$(cd "$DEMO_WWW" && pwd)
else
	www=$("$top/scripts/build-www.sh" | tail -n 1) ||
	    die "the dashboard could not be built (scripts/build-www.sh says why above)"
fi
[ -f "$www/index.html" ] || die "no index.html in $www"

# ---- lighttpd ----------------------------------------------------------------------------

cat >"$dir/lighttpd.conf" <<EOF
# lighttpd.conf of the web demo (scripts/demo-web.sh); apache-conf/
# lighttpd.conf.in is the one to deploy, with every setting explained.
server.modules = ( "mod_fastcgi", "mod_accesslog" )
server.document-root = "$www"
server.bind = "$host"
server.port = $port
server.errorlog = "$dir/lighttpd-error.log"
server.tag = "backstream-demo"
index-file.names = ( "index.html" )
mimetype.assign = (
	".html" => "text/html; charset=utf-8",
	".js" => "text/javascript; charset=utf-8",
	".css" => "text/css; charset=utf-8",
	".json" => "application/json",
	".svg" => "image/svg+xml",
	".png" => "image/png",
	".ico" => "image/x-icon",
	".map" => "application/json",
)

# Events go to the browser as they are written (lighttpd would hold the
# whole response otherwise); 2 also applies backpressure.
server.stream-response-body = 2
server.max-write-idle = 600

# The path only: stream URLs carry ?token=.
accesslog.filename = "$dir/access.log"
accesslog.format = "%h %t \"%m %U %H\" %>s %b %D"

# One backstream-sse process per open stream; lighttpd never grows the
# pool for long requests, so min-procs = max-procs.
fastcgi.server = (
	"/api/sse/" => ((
		"socket" => "$dir/sse.sock",
		"bin-path" => "$builddir/cgi-bin/backstream-sse",
		"bin-environment" => ( "BACKSTREAM_CONF" => "$conf" ),
		"min-procs" => $sse_procs,
		"max-procs" => $sse_procs,
		"check-local" => "disable",
	)),
	"/api/backtesting/" => ((
		"socket" => "$dir/api.sock",
		"bin-path" => "$builddir/cgi-bin/backstream-api",
		"bin-environment" => ( "BACKSTREAM_CONF" => "$conf" ),
		"min-procs" => $api_procs,
		"max-procs" => $api_procs,
		"check-local" => "disable",
	)),
)
EOF
"$lighttpd" -tt -f "$dir/lighttpd.conf" >"$dir/lighttpd.out" 2>&1 ||
    die "lighttpd refuses its configuration: $(cat "$dir/lighttpd.out")"

# Own sessions: a ^C in the terminal reaches this script only, which then
# stops the others in order.
started=1
setsid "$lighttpd" -D -f "$dir/lighttpd.conf" >>"$dir/lighttpd.out" 2>&1 </dev/null &
lighttpd_pid=$!

# ---- the engine ------------------------------------------------------------------------

engine_env=()
if [ -n "${DEMO_HOLD:-}" ]; then
	shim=$builddir/tests/slowclock.so
	[ -f "$shim" ] || make -C "$builddir" tests/slowclock.so >/dev/null 2>&1 || :
	[ -f "$shim" ] || die "DEMO_HOLD needs $shim"
	engine_env=(LD_PRELOAD="$shim" SLOWCLOCK_HOLD="$DEMO_HOLD")
fi

# The engine in cron mode watches the queue for engine_cycle, starting a
# job as soon as it is submitted; the loop starts it again at once.
engine_loop() {
	local epid='' stopping=''
	trap 'stopping=1; [ -z "$epid" ] || kill -TERM "$epid" 2>/dev/null || :' TERM
	while [ -z "$stopping" ]; do
		env "${engine_env[@]}" "$engine" -c "$conf" >>"$dir/engine.log" 2>&1 </dev/null &
		epid=$!
		echo "$epid" >"$dir/engine.pid"
		[ -z "$stopping" ] || kill -TERM "$epid" 2>/dev/null || :
		# wait returns early when the trap runs: wait again.
		while kill -0 "$epid" 2>/dev/null; do
			wait "$epid" || :
		done
		epid=
		[ -n "$stopping" ] || sleep 0.2
	done
	rm -f "$dir/engine.pid"
}
if [ "${DEMO_ENGINE:-1}" != 0 ]; then
	setsid bash -c "$(declare -f engine_loop); $(declare -p engine_env engine conf dir); engine_loop" \
	    </dev/null &
	loop_pid=$!
fi
printf 'lighttpd %s\nengine-loop %s\ndemo %s\n' "$lighttpd_pid" "${loop_pid:--}" "$$" >"$dir/pids"

# ---- ready? ----------------------------------------------------------------------------

# A REST call through lighttpd, with bash's /dev/tcp: prints the status.
http_status() {
	local line
	exec 3<>"/dev/tcp/$host/$port" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\nAuthorization: Bearer %s\r\n\r\n' \
	    "$1" "$host" "$port" "$token" >&3
	read -r -t 5 line <&3 || line=
	exec 3<&-
	line=${line#HTTP/1.? }
	echo "${line%% *}"
}
tries=200
until [ "$(http_status /api/backtesting/symbols 2>/dev/null)" = 200 ]; do
	if ! kill -0 "$lighttpd_pid" 2>/dev/null; then
		cat "$dir/lighttpd.out" "$dir/lighttpd-error.log" >&2 2>/dev/null || :
		die "lighttpd stopped (port $port taken? set DEMO_PORT)"
	fi
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] || die "no answer from http://$host:$port/api/backtesting/symbols after 20 s (see $dir/*.log)"
	sleep 0.1
done

# ---- a few backtests -------------------------------------------------------------------

specs=(
	'{"symbol":"DEMO","interval":"minute","start_date":"2024-01-01","end_date":"2024-12-31","strategy":"sma_crossover","params":{"fast":10,"slow":30},"commission":0.0005}'
	'{"symbol":"ACME","interval":"minute","start_date":"2024-01-01","end_date":"2024-12-31","strategy":"ema_crossover","params":{"fast":12,"slow":26}}'
	'{"symbol":"GLOBEX","interval":"3minute","start_date":"2024-01-01","end_date":"2024-12-31","strategy":"rsi_reversion","params":{"period":14,"lower":25,"upper":75},"commission":0.0005}'
	'{"symbol":"INITECH","interval":"minute","start_date":"2024-01-01","end_date":"2024-12-31","strategy":"buy_and_hold","initial_capital":50000}'
	'{"symbol":"DEMO","interval":"5minute","start_date":"2024-04-01","end_date":"2024-09-30","strategy":"ema_crossover","params":{"fast":5,"slow":20}}'
	'{"symbol":"ACME","interval":"minute","start_date":"2024-07-01","end_date":"2024-12-31","strategy":"rsi_reversion","params":{"period":14,"lower":30,"upper":70},"commission":0.001}'
)
for ((i = 0; i < njobs; i++)); do
	"$bs" submit --uid "$uid" --json "${specs[i % ${#specs[@]}]}" >/dev/null
done

# ---- running ------------------------------------------------------------------------------

url="http://$host:$port/#token=$token"
printf '%s\n' "$url" >"$dir/url"
cat <<EOF

backstream's web demo is running.

  Open:  $url

  The token is for user "$uid", for $ttl.  It travels in the URL fragment,
  which the browser never sends; the page keeps it for this tab only.
  Another user: $bs -c $conf token --uid NAME
  Files:  $dir (store, configurations, logs)
  ^C stops lighttpd, its $sse_procs stream and $api_procs REST responders, and the engine.

EOF
[ "${DEMO_ENGINE:-1}" != 0 ] || echo "  (DEMO_ENGINE=0: no engine runs; jobs stay queued)"

while :; do
	sleep 0.5
	if ! kill -0 "$lighttpd_pid" 2>/dev/null; then
		lighttpd_pid=
		die "lighttpd stopped; see $dir/lighttpd-error.log"
	fi
	if [ -n "$loop_pid" ] && ! kill -0 "$loop_pid" 2>/dev/null; then
		loop_pid=
		die "the engine loop stopped; see $dir/engine.log"
	fi
done
