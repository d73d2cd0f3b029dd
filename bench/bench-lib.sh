# bench/bench-lib.sh: shell functions the benchmark drivers share (sourced, with $bench_name set to the driver's name for messages).

# free_port: prints a free TCP port of 127.0.0.1, below the kernel's
# ephemeral range so that no client socket holds it.
free_port() {
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
	tries=100
	while [ "$tries" -gt 0 ]; do
		port=$((10000 + $(od -An -N2 -tu2 /dev/urandom) % (low - 10000)))
		if [ -z "$(ss -Htan "sport = :$port" 2>/dev/null)" ]; then
			echo "$port"
			return
		fi
		tries=$((tries - 1))
	done
	echo "$bench_name: found no free port" >&2
	exit 1
}

# bench_built FILE...: ends the run (status 1) unless every FILE is built.
bench_built() {
	for f; do
		[ -x "$f" ] || { echo "$bench_name: $f is not built" >&2; exit 1; }
	done
}

# bench_lighttpd_or_skip: ends the run, skipped (status 0), when there is
# no lighttpd at $BENCH_LIGHTTPD.
bench_lighttpd_or_skip() {
	if [ ! -x "$BENCH_LIGHTTPD" ]; then
		echo "$bench_name: no lighttpd at $BENCH_LIGHTTPD; skipped" >&2
		exit 0
	fi
}

# abs FILE: prints FILE's absolute path (lighttpd starts responders from
# another directory).
abs() {
	(cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")")
}

# bench_lighttpd CONF DIR N: starts lighttpd on a free port of 127.0.0.1
# with N stream responders on CONF's store (files in DIR), and waits until
# every responder is spawned and the port open.  Sets BENCH_PORT and
# BENCH_LIGHTTPD_PID (stop it with stop_tree).  Needs $SSE, $bound and
# $BENCH_LIGHTTPD.
bench_lighttpd() {
	BENCH_PORT=$(free_port)
	mkdir -p "$2/www"
	cat >"$2/lighttpd.conf" <<EOF
server.document-root = "$2/www"
server.port = $BENCH_PORT
server.bind = "127.0.0.1"
server.modules = ("mod_fastcgi")
server.stream-response-body = 2
server.max-connections = $(($3 + 100))
server.max-fds = $(($3 * 4 + 200))
server.errorlog = "$2/lighttpd.log"
fastcgi.server = ( "/api/sse/" => (( "bin-path" => "$SSE",
    "socket" => "$2/sse.sock", "max-procs" => $3,
    "min-procs" => $3, "check-local" => "disable",
    "bin-environment" => ("BACKSTREAM_CONF" => "$1",
    "GLIBC_TUNABLES" => "glibc.malloc.tcache_count=0") )) )
EOF
	"$BENCH_LIGHTTPD" -D -f "$2/lighttpd.conf" >"$2/lighttpd-out.log" 2>&1 &
	BENCH_LIGHTTPD_PID=$!
	tries=$((bound * 10))
	while :; do
		n=$(wc -w <"/proc/$BENCH_LIGHTTPD_PID/task/$BENCH_LIGHTTPD_PID/children" \
		    2>/dev/null || echo 0)
		if [ "$n" -ge "$3" ] &&
		    [ -n "$(ss -Htln "sport = :$BENCH_PORT" 2>/dev/null)" ]; then
			break
		fi
		kill -0 "$BENCH_LIGHTTPD_PID" 2>/dev/null ||
		    { echo "$bench_name: lighttpd exited" >&2; exit 1; }
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] ||
		    { echo "$bench_name: lighttpd did not start" >&2; exit 1; }
		sleep 0.1
	done
}

. "$top_srcdir/tests/proc-tree.sh"	# descendants PID

# stop_tree PID: TERM to PID, KILL after 20 s; then every process it had
# started that is still there is killed, by pid.
stop_tree() {
	tree=$(descendants "$1")
	kill -TERM "$1" 2>/dev/null || :
	tries=200
	while kill -0 "$1" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -KILL "$1" 2>/dev/null || :
	wait "$1" 2>/dev/null || :
	tries=50
	while [ "$tries" -gt 0 ]; do
		left=
		for p in $tree; do
			kill -0 "$p" 2>/dev/null && left="$left $p"
		done
		[ -n "$left" ] || break
		sleep 0.1
		tries=$((tries - 1))
	done
	for p in $tree; do
		kill -KILL "$p" 2>/dev/null || :
	done
}

# bench_cleanup RC CLIENT_PID SERVER_PID LOGDIR: the drivers' exit: stops
# the load client and the server (each by pid, with what it started),
# shows the logs' last lines on failure, removes $TMP (kept with
# KEEP_TMP=1) and exits RC.  A second signal (timeout's, after ours) must
# not cut it short.
bench_cleanup() {
	trap - EXIT
	trap '' INT TERM
	[ -z "$2" ] || stop_tree "$2"
	[ -z "$3" ] || stop_tree "$3"
	if [ "$1" -ne 0 ]; then
		echo "$bench_name: failed; last lines of the logs:" >&2
		tail -n 5 "$4"/*.log >&2 2>/dev/null || :
	fi
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "$bench_name: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
	exit "$1"
}
