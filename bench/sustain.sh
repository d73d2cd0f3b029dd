#!/bin/sh
# sustain.sh: runs bench-sustain (streams of every kind held for minutes while the engine runs jobs) through lighttpd or Apache with mod_fcgid, each configured by its shipped file from apache-conf/.
#
# Usage (from the build directory or its bench/, as "make bench" runs it,
# or with top_builddir and top_srcdir set):
#
#	bench/sustain.sh [-s lighttpd|apache] [-n STREAMS] [-t SECONDS]
#	    [-U USERS] [-L LIFETIME] [-J JITTER] [-T BOUND] [-- BENCH_ARGS]
#
# -s     the web server (default lighttpd)
# -n     streams held (default 1000)
# -t     how long they are held, in seconds, with jobs running (default 120)
# -U     users they belong to (default 100)
# -L -J  stream_lifetime and stream_jitter of backstream.conf (default 5m
#        and 2m: every stream rotates, and resumes, during a long run)
# -T     bound on the whole run, in seconds (default the run plus 30 min)
# after --, options for bench-sustain (see bench-sustain.c): -b, -j, ...
#
# It makes a store of its own (demo bars, signing keys) in a temporary
# directory, the server's files from the shipped templates with
# apache-conf/subst.sh (with that directory's paths, as "make install"
# makes them with the installation's), sized for the streams the way the
# templates' comments say, and starts the server on a free port of
# 127.0.0.1.  As root, the server runs the responders as www-data, and the
# store, the engine and the job process are www-data's too.  Everything it
# started (the server with every process it started, the load client and
# the engine runs it started) is stopped by pid at exit, and the directory
# removed (kept with KEEP_TMP=1).  A server that is not installed is
# skipped (exit 0).  BENCH_CONF_EXTRA adds lines to backstream.conf;
# BENCH_LOG_LEVEL sets its log_level (default info).
#
# Run long runs at a raised priority on a shared machine, e.g.
#	nice -n -10 bench/sustain.sh -s apache -t 600

set -eu

if [ -z "${top_builddir:-}" ]; then
	if [ -x ./bench-sustain ]; then top_builddir=..; else top_builddir=.; fi
fi
if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
fi
bench_name=sustain.sh
. "$top_srcdir/bench/bench-lib.sh"
: "${BENCH_LIGHTTPD:=/usr/sbin/lighttpd}"
: "${BENCH_APACHE:=/usr/sbin/apache2}"
: "${BENCH_APACHE_MODULES:=/usr/lib/apache2/modules}"

server=lighttpd
streams=1000
seconds=120
users=100
lifetime=5m
jitter=2m
bound=
while getopts s:n:t:U:L:J:T: opt; do
	case $opt in
	s) server=$OPTARG ;;
	n) streams=$OPTARG ;;
	t) seconds=$OPTARG ;;
	U) users=$OPTARG ;;
	L) lifetime=$OPTARG ;;
	J) jitter=$OPTARG ;;
	T) bound=$OPTARG ;;
	*) echo "usage: sustain.sh [-s lighttpd|apache] [-n STREAMS]" \
	    "[-t SECONDS] [-U USERS] [-L LIFETIME] [-J JITTER] [-T BOUND]" \
	    "[-- BENCH_ARGS]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
: "${bound:=$((seconds + 1800))}"

bench_built "$top_builddir/cli/backstream" \
    "$top_builddir/cgi-bin/backstream-sse" \
    "$top_builddir/cgi-bin/backstream-verify" \
    "$top_builddir/cgi-bin/backstream-api" \
    "$top_builddir/engine/backstream-engine" \
    "$top_builddir/bench/bench-sustain"
case $server in
lighttpd)
	bench_lighttpd_or_skip ;;
apache)
	if [ ! -x "$BENCH_APACHE" ] ||
	    [ ! -f "$BENCH_APACHE_MODULES/mod_fcgid.so" ]; then
		echo "sustain.sh: no Apache with mod_fcgid at $BENCH_APACHE;" \
		    "skipped" >&2
		exit 0
	fi ;;
*)	echo "sustain.sh: -s lighttpd or -s apache" >&2; exit 2 ;;
esac

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-sustain.XXXXXX")
chmod 755 "$TMP"
INST=$TMP/inst
GEN=$TMP/gen
LOGS=$TMP/logs
RUN=$TMP/run
STORE=$TMP/store
CONF=$TMP/backstream.conf
SERVER_PID=
CLIENT_PID=

if [ "$(id -u)" -eq 0 ] && id www-data >/dev/null 2>&1; then
	RUN_USER=www-data
	RUN_GROUP=$(id -gn www-data)
else
	RUN_USER=$(id -un)
	RUN_GROUP=$(id -gn)
fi

cleanup() {
	bench_cleanup $? "$CLIENT_PID" "$SERVER_PID" "$LOGS"
}
trap cleanup EXIT
trap 'exit 124' INT TERM

# as_owner CMD...: runs CMD as the user that owns the store.
as_owner() {
	if [ "$(id -un)" = "$RUN_USER" ]; then
		"$@"
	else
		setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" \
		    --init-groups -- "$@"
	fi
}

# ---- programs, store, keys, configuration ------------------------------------

mkdir -p "$INST/bin" "$INST/libexec" "$GEN" "$LOGS" "$RUN" "$STORE" \
    "$TMP/keys" "$TMP/www"
cp "$top_builddir/cli/backstream" "$top_builddir/engine/backstream-engine" \
    "$INST/bin/"
cp "$top_builddir/cgi-bin/backstream-sse" \
    "$top_builddir/cgi-bin/backstream-verify" \
    "$top_builddir/cgi-bin/backstream-api" "$INST/libexec/"
chown "$RUN_USER:$RUN_GROUP" "$LOGS" "$RUN" "$STORE" "$TMP/keys"
# The pool: the streams, and room for those that clients left and the
# server has not noticed yet (it notices at its next write).
pool=$((streams + streams / 10))
cat >"$CONF" <<EOF
store_dir = $STORE
project_id = bench-project
cert_file = $TMP/keys/certs.json
verify_helper = $INST/libexec/backstream-verify
max_processes = $((pool + 200 > 2100 ? pool + 200 : 2100))
stream_lifetime = $lifetime
stream_jitter = $jitter
# The load's users hold more streams each than a person's few tabs.
max_user_streams = $streams
engine_workers = 2
engine_bar_rate = 1000
log_level = ${BENCH_LOG_LEVEL:-info}
log_file = $LOGS/backstream.log
${BENCH_CONF_EXTRA:-}
EOF
chmod 644 "$CONF"
as_owner "$INST/bin/backstream" -c "$CONF" init >/dev/null
as_owner "$INST/bin/backstream" -c "$CONF" demo-data >/dev/null
as_owner "$INST/bin/backstream" -c "$CONF" keygen "$TMP/keys" >/dev/null
PORT=$(free_port)

# gen TEMPLATE: the shipped file with this directory's paths.
gen() {
	sh "$top_srcdir/apache-conf/subst.sh" \
	    pkglibexecdir="$INST/libexec" pkgdatadir="$GEN" \
	    sysconfdir="$TMP" localstatedir="$TMP/var" docdir="$TMP/doc" \
	    logdir="$LOGS" rundir="$RUN" port="127.0.0.1:$PORT" \
	    <"$top_srcdir/apache-conf/$1"
}

# size STREAMS: sets each value whose comment line above says "STREAMS"
# or "STREAMS + K" to STREAMS (+ K), as the templates ask.
size() {
	awk -v n="$1" '
		mark != "" { sub(/[0-9]+/, mark) }
		{ print; mark = "" }
		/^[ \t]*# STREAMS$/ { mark = n }
		/^[ \t]*# STREAMS \+ [0-9]+$/ { mark = n + $NF }'
}

ulimit -n "$(ulimit -Hn)"
case $server in
lighttpd)
	gen lighttpd.conf.in | size "$pool" >"$GEN/lighttpd.conf"
	{
		cat <<EOF
server.document-root = "$TMP/www"
server.bind = "127.0.0.1"
server.port = $PORT
server.errorlog = "$LOGS/error.log"
server.max-connections = $((pool + 100))
server.max-fds = $((pool * 4 + 200))
EOF
		if [ "$(id -u)" -eq 0 ]; then
			printf 'server.username = "%s"\nserver.groupname = "%s"\n' \
			    "$RUN_USER" "$RUN_GROUP"
		fi
		echo "include \"$GEN/lighttpd.conf\""
	} >"$TMP/lighttpd.conf"
	"$BENCH_LIGHTTPD" -tt -f "$TMP/lighttpd.conf" >/dev/null
	"$BENCH_LIGHTTPD" -D -f "$TMP/lighttpd.conf" >"$LOGS/server-out.log" 2>&1 &
	SERVER_PID=$!
	version=$("$BENCH_LIGHTTPD" -v | sed -n '1s/ .*//p')
	sizes="min-procs = max-procs = $pool"
	;;
apache)
	mkdir -p "$TMP/apache" "$RUN/fcgid"
	chown "$RUN_USER:$RUN_GROUP" "$RUN/fcgid"
	# Every Apache worker holds a stream: MaxRequestWorkers is marked
	# STREAMS + 200, and ServerLimit x ThreadsPerChild must cover it,
	# twice over for the second generation of a graceful restart.
	# mod_fcgid has room for 1024 processes in all: the stream pool is
	# what the REST pool (20) leaves.
	fcgid=$((pool + 20 > 1024 ? 1024 : pool + 20))
	gen backstream-apache.conf.in | size "$streams" |
	    awk -v limit=$(((streams + 200) * 2 / 25 + 1)) -v all="$fcgid" \
	    -v sse=$((fcgid - 20)) '
		/^[ \t]*ServerLimit[ \t]+[0-9]+$/ && !prefork {
			sub(/[0-9]+/, limit) }
		/^<IfModule mpm_prefork_module>/ { prefork = 1 }
		/^<\/IfModule>/ { prefork = 0 }
		/^FcgidMaxProcesses[ \t]/ { sub(/[0-9]+/, all) }
		/backstream-sse"/ { in_sse = 1 }
		in_sse && /^[ \t]*MaxProcesses [0-9]+/ {
			sub(/[0-9]+/, sse); in_sse = 0 }
		{ print }' >"$GEN/backstream-apache.conf"
	cat >"$TMP/apache/httpd.conf" <<EOF
ServerRoot "$TMP/apache"
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile "$TMP/apache/httpd.pid"
DefaultRuntimeDir "$TMP/apache"
Mutex file:$TMP/apache default
User $RUN_USER
Group $RUN_GROUP
ErrorLog "$LOGS/error.log"
LogLevel warn
LoadModule mpm_event_module $BENCH_APACHE_MODULES/mod_mpm_event.so
LoadModule authz_core_module $BENCH_APACHE_MODULES/mod_authz_core.so
LoadModule alias_module $BENCH_APACHE_MODULES/mod_alias.so
LoadModule env_module $BENCH_APACHE_MODULES/mod_env.so
LoadModule setenvif_module $BENCH_APACHE_MODULES/mod_setenvif.so
LoadModule fcgid_module $BENCH_APACHE_MODULES/mod_fcgid.so
FcgidIPCDir "$RUN/fcgid"
FcgidProcessTableFile "$RUN/fcgid_shm"
DocumentRoot "$TMP/www"
Include "$GEN/backstream-apache.conf"
EOF
	"$BENCH_APACHE" -t -f "$TMP/apache/httpd.conf" >/dev/null 2>&1 ||
	    "$BENCH_APACHE" -t -f "$TMP/apache/httpd.conf"
	"$BENCH_APACHE" -f "$TMP/apache/httpd.conf" -DFOREGROUND \
	    >"$LOGS/server-out.log" 2>&1 &
	SERVER_PID=$!
	version=$("$BENCH_APACHE" -v | sed -n 's/^Server version: //p')
	sizes=$(grep -E '^[[:space:]]*(ServerLimit|MaxRequestWorkers|FcgidMaxProcesses|FcgidSpawnScoreUpLimit|MaxProcesses)[[:space:]]' \
	    "$GEN/backstream-apache.conf" | awk '{ print $1, $2 }' |
	    sort -u | tr '\n' ';' | sed 's/;$//; s/;/; /g')
	;;
esac

# The port open (lighttpd: once every responder is spawned).
tries=600
until [ -n "$(ss -Htln "sport = :$PORT" 2>/dev/null)" ]; do
	kill -0 "$SERVER_PID" 2>/dev/null ||
	    { echo "sustain.sh: $server exited" >&2; exit 1; }
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] ||
	    { echo "sustain.sh: $server did not start" >&2; exit 1; }
	sleep 0.1
done
echo "$version on 127.0.0.1:$PORT, the shipped configuration sized for" \
    "$streams streams ($sizes); responders run as $RUN_USER;" \
    "stream_lifetime $lifetime, stream_jitter $jitter; nice" \
    "$(nice); $(nproc) cores; $(uname -sr)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- the run --------------------------------------------------------------------

window=20
[ "$server" = apache ] && window=50
status=0
timeout -k 10 "$bound" "$top_builddir/bench/bench-sustain" -c "$CONF" \
    -p "$PORT" -w "$SERVER_PID" -N "$server" -n "$streams" -t "$seconds" \
    -U "$users" -e "$INST/bin/backstream-engine" -u "$RUN_USER" \
    -b "$window" "$@" &
CLIENT_PID=$!
wait "$CLIENT_PID" || status=$?
CLIENT_PID=
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# What the responders and the engine logged.
log=$LOGS/backstream.log
if [ -f "$log" ]; then
	echo "the store's log: $(grep -c ' backstream-sse\[[0-9]*\] info: stream' "$log" || :)" \
	    "streams ended ($(grep -c 'lifetime reached' "$log" || :) at their" \
	    "lifetime, $(grep -c 'client gone' "$log" || :) after the client" \
	    "left); $(grep -c ' error: ' "$log" || :) errors," \
	    "$(grep -c ' warn: ' "$log" || :) warnings"
	grep -E ' (error|warn): ' "$log" | cut -d' ' -f2- |
	    sed 's/\[[0-9]*\]//; s/[0-9a-f-]\{36\}/ID/g' | sort | uniq -c |
	    sort -rn | head -n 10 | sed 's/^/  /'
fi
for f in "$LOGS/error.log" "$LOGS/server-out.log"; do
	if [ -s "$f" ]; then
		echo "$server's $(basename "$f"): $(wc -l <"$f") lines; the" \
		    "most frequent:"
		sed 's/^\[[^]]*\] //; s/\[pid [0-9]*[^]]*\] //; s/[0-9]\{3,\}/N/g' \
		    "$f" | sort | uniq -c | sort -rn | head -n 8 | sed 's/^/  /'
	fi
done
exit "$status"
