# tests/lighttpd.sh: a real lighttpd on a free loopback port with backstream's responders mounted, for integration tests.
#
# Usage, after tests/lib.sh:
#
#	. "$top_srcdir/tests/lighttpd.sh"
#	LIGHTTPD_SSE_PROCS=4 lighttpd_start
#	curl "$LIGHTTPD_URL/api/backtesting/jobs?token=…"
#	lighttpd_stop || fail "…"
#
# Settings, read by lighttpd_start:
#	LIGHTTPD		the server (default: lighttpd in PATH, else /usr/sbin/lighttpd)
#	LIGHTTPD_API_PROCS	backstream-api processes (default 1)
#	LIGHTTPD_SSE_PROCS	backstream-sse processes: one per open stream (default 4)
#	LIGHTTPD_API_BIN	the REST responder (default: the built one); a
#				wrapper script that execs it under valgrind works too
#	LIGHTTPD_SSE_BIN	the stream responder; mounted only if it exists
#	LIGHTTPD_EXTRA_CONF	lines added to the configuration
# Set by lighttpd_start:
#	LIGHTTPD_PID, LIGHTTPD_PORT, LIGHTTPD_URL (http://127.0.0.1:PORT)
#	LIGHTTPD_ACCESS_LOG, LIGHTTPD_ERROR_LOG
#	LIGHTTPD_STDERR		lighttpd's standard error, which its backends
#				inherit: the responders' log lines and any
#				sanitizer report land here
#
# The responders get BACKSTREAM_CONF=$CONF.  min-procs equals max-procs:
# lighttpd's adaptive spawning never grows the pool for long requests.  The
# access log leaves out the query string, which may hold a token.

: "${LIGHTTPD:=$(command -v lighttpd || echo /usr/sbin/lighttpd)}"
: "${LIGHTTPD_API_PROCS:=1}"
: "${LIGHTTPD_SSE_PROCS:=4}"
: "${LIGHTTPD_API_BIN:=$top_builddir/cgi-bin/backstream-api}"
: "${LIGHTTPD_SSE_BIN:=$top_builddir/cgi-bin/backstream-sse}"
: "${LIGHTTPD_EXTRA_CONF:=}"

LIGHTTPD_PID=
LIGHTTPD_DIR=$TMP/lighttpd
LIGHTTPD_ACCESS_LOG=$LIGHTTPD_DIR/access.log
LIGHTTPD_ERROR_LOG=$LIGHTTPD_DIR/error.log
LIGHTTPD_STDERR=$LIGHTTPD_DIR/stderr.log

# lighttpd_require: ends the test as skipped (77) without lighttpd or curl,
# which every test through lighttpd needs.
lighttpd_require() {
	command -v curl >/dev/null 2>&1 ||
	    { echo "$TEST_NAME: skipped: no curl"; exit 77; }
	[ -x "$LIGHTTPD" ] ||
	    { echo "$TEST_NAME: skipped: no lighttpd"; exit 77; }
}

# lighttpd_mount PREFIX NAME BIN PROCS: one fastcgi.server entry.
lighttpd_mount() {
	cat <<EOF
	"$1" => ((
		"socket" => "$LIGHTTPD_DIR/$2.sock",
		"bin-path" => "$3",
		"bin-environment" => ( "BACKSTREAM_CONF" => "$CONF" ),
		"check-local" => "disable",
		"max-procs" => $4,
		"min-procs" => $4,
	)),
EOF
}

lighttpd_write_conf() {
	cat <<EOF
server.document-root = "$LIGHTTPD_DIR/www"
server.bind = "127.0.0.1"
server.port = $LIGHTTPD_PORT
server.errorlog = "$LIGHTTPD_ERROR_LOG"
# Every event on the wire as soon as it is written (doc/deployment.md).
server.stream-response-body = 2
server.modules = ( "mod_accesslog", "mod_fastcgi" )
accesslog.filename = "$LIGHTTPD_ACCESS_LOG"
# %U: the path without the query string.
accesslog.format = "%h %t \"%m %U %H\" %>s %b"
fastcgi.server = (
EOF
	lighttpd_mount /api/backtesting/ api "$LIGHTTPD_API_BIN" \
	    "$LIGHTTPD_API_PROCS"
	if [ -x "$LIGHTTPD_SSE_BIN" ]; then
		lighttpd_mount /api/sse/ sse "$LIGHTTPD_SSE_BIN" \
		    "$LIGHTTPD_SSE_PROCS"
	fi
	echo ")"
	printf '%s\n' "$LIGHTTPD_EXTRA_CONF"
}

# Whether lighttpd answers HTTP on its port.
lighttpd_answers() {
	curl -s -o /dev/null --max-time 2 "$LIGHTTPD_URL/"
}

lighttpd_start() {
	[ -x "$LIGHTTPD" ] || fail "no lighttpd at $LIGHTTPD"
	[ -x "$LIGHTTPD_API_BIN" ] || fail "no responder at $LIGHTTPD_API_BIN"
	mkdir -p "$LIGHTTPD_DIR/www"
	LIGHTTPD_PORT=$(free_port)
	LIGHTTPD_URL=http://127.0.0.1:$LIGHTTPD_PORT
	lighttpd_write_conf >"$LIGHTTPD_DIR/lighttpd.conf"
	"$LIGHTTPD" -tt -f "$LIGHTTPD_DIR/lighttpd.conf" >"$ERR" 2>&1 ||
	    fail "lighttpd refuses its configuration"
	"$LIGHTTPD" -D -f "$LIGHTTPD_DIR/lighttpd.conf" \
	    >>"$LIGHTTPD_STDERR" 2>&1 &
	LIGHTTPD_PID=$!
	PIDS="$PIDS $LIGHTTPD_PID"
	wait_for "$HANG" lighttpd_answers
}

# lighttpd_backends [NAME]: prints the pids of lighttpd's backends (the
# responders it spawned), or of those whose command is NAME.
lighttpd_backends() {
	ps -o pid=,comm= --ppid "$LIGHTTPD_PID" 2>/dev/null |
	    awk -v name="${1:-}" 'name == "" || $2 == name { print $1 }' || :
}

# Whether pid runs (a zombie left to an init that does not reap is gone).
pid_running() {
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $state in
	Z*|"")	return 1 ;;
	esac
	return 0
}

# Stops lighttpd by pid (TERM, KILL after $HANG s).  Its backends then get
# TERM from it and must exit (bounded by $HANG s): any still running are killed,
# named on stderr, and lighttpd_stop returns 1.
lighttpd_stop() {
	[ -n "$LIGHTTPD_PID" ] || return 0
	backends=$(lighttpd_backends)
	stop_pid "$LIGHTTPD_PID" "$HANG"
	LIGHTTPD_PID=
	left=
	tries=$((HANG * 10))
	for pid in $backends; do
		while pid_running "$pid" && [ "$tries" -gt 0 ]; do
			sleep 0.1
			tries=$((tries - 1))
		done
		if pid_running "$pid"; then
			left="$left $pid"
			kill -KILL "$pid" 2>/dev/null || :
		fi
	done
	if [ -n "$left" ]; then
		echo "lighttpd_stop: backends still running after lighttpd" \
		    "stopped:$left" >&2
		return 1
	fi
	return 0
}
