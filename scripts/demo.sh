#!/bin/bash
# scripts/demo.sh: installs the dependencies, builds backstream, shows it at work in the terminal, then serves the live dashboard.
#
# Builds in build/demo.  The terminal part's store, keys and configuration
# are made afresh in build/demo-env and stay there to play with.  Then
# scripts/demo-web.sh starts lighttpd on 127.0.0.1:8080 (DEMO_PORT) with
# both responders, the engine and the dashboard, submits backtests and
# prints the URL to open; Ctrl-C stops everything it started.
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)

scripts/deps.sh
echo "== building"
[ -x configure ] || autoreconf -fi
mkdir -p build/demo
# The build's output goes to a log, shown only if the build fails.
(cd build/demo && { [ -f Makefile ] || "$top/configure"; } &&
    make -j"$(nproc)") >build/demo.log 2>&1 ||
    { tail -n 40 build/demo.log; echo "demo: the build failed" >&2; exit 1; }

env=$top/build/demo-env
rm -rf "$env"
mkdir -p "$env/keys"
conf=$env/backstream.conf
cat >"$conf" <<CONF
# The demo's configuration; README.md ("Configuration") lists every key.
store_dir = $env/store
project_id = backstream-demo
cert_file = $env/keys/certs.json
CONF
export BACKSTREAM_CONF=$conf
bs=$top/build/demo/cli/backstream
engine=$top/build/demo/engine/backstream-engine
user=demo-user

show() {
	echo
	echo "\$ backstream $*"
	"$bs" "$@"
}

show init
show demo-data
show keygen "$env/keys"
echo
echo "\$ backstream token --uid $user"
token=$("$bs" token --uid "$user")
echo "${token:0:48}...  (a Firebase-style ID token for the browser)"

for spec in \
    '{"symbol":"DEMO","interval":"minute","start_date":"2024-01-01","end_date":"2024-12-31","strategy":"sma_crossover","params":{"fast":10,"slow":30}}' \
    '{"symbol":"ACME","interval":"15minute","start_date":"2024-01-01","end_date":"2024-06-30","strategy":"ema_crossover"}' \
    '{"symbol":"GLOBEX","interval":"5minute","start_date":"2024-03-01","end_date":"2024-09-30","strategy":"rsi_reversion","params":{"period":14,"lower":25,"upper":75},"commission":0.0005}' \
    '{"symbol":"INITECH","interval":"day","start_date":"2024-01-01","end_date":"2024-12-31","strategy":"buy_and_hold","initial_capital":50000}'
do
	echo
	echo "\$ backstream submit --uid $user --json '$spec'"
	"$bs" submit --uid "$user" --json "$spec" | sed 's/,"message".*/, ...}/'
done

echo
echo "\$ backstream-engine --once"
"$engine" --once

show symbols
show jobs --uid "$user"
job=$("$bs" jobs --uid "$user" --json | grep -o '"job_id":"[^"]*"' | tail -n 1 | cut -d'"' -f4)
show job "$job" --uid "$user"
echo
echo "\$ backstream transactions $job --uid $user | head -n 12"
# Through a file: head closing the pipe early would fail the command.
"$bs" transactions "$job" --uid "$user" >"$env/transactions.txt"
head -n 12 "$env/transactions.txt"
echo "... $(($(wc -l <"$env/transactions.txt") - 1)) transactions"

cat <<DONE

The terminal demo's store is in $env.  To look around:
  export BACKSTREAM_CONF=$conf
  $bs jobs --uid $user
  $bs bars DEMO 60minute --limit 5

== the live dashboard
DONE
unset BACKSTREAM_CONF
DEMO_DIR=$top/build/demo-web exec scripts/demo-web.sh "$top/build/demo"
