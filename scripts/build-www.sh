#!/bin/bash
# scripts/build-www.sh: builds the dashboard (www/) with npm ci && npm run build; run by scripts/demo-web.sh and tests/browser.sh, not by make.
#
# usage: scripts/build-www.sh [WORKDIR]
#
# Builds in www/ itself (node_modules/ and dist/ there, both ignored by
# git), or, given WORKDIR, in a copy of www/'s sources made there: for a
# read-only source tree (make distcheck) or to keep the tree clean.  Prints
# the directory of the built site (…/dist) as its last line.
#
# npm ci runs only when node_modules/ does not match package-lock.json, and
# vite only when a source is newer than the last build, so a second run
# costs nothing.  npm needs the registry the first time; nothing is fetched
# at run time: the built site has every script and style in it.
#
# exit status: 0 built (or up to date); 1 the build failed; 3 node or npm
# is missing or too old (vite 7 needs node 20.19 or later); 4 npm ci
# failed (no registry?).
set -euo pipefail

src=$(cd "$(dirname "$0")/../www" && pwd)
[ -f "$src/package.json" ] || { echo "build-www: no $src/package.json" >&2; exit 1; }

# ---- node and npm --------------------------------------------------------------

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "build-www: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
	exit 3
fi
if ! node -e '
	const [a, b] = process.versions.node.split(".").map(Number);
	process.exit(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19) || a === 21 ? 0 : 1);
'; then
	echo "build-www: node $(node --version) is too old: vite 7 needs 20.19 or later" >&2
	exit 3
fi

# ---- where ----------------------------------------------------------------------

# The files that make the site (node_modules/ and dist/ aside).
SOURCES=(package.json package-lock.json vite.config.js index.html test-hooks.html src)

if [ $# -ge 1 ] && [ -n "$1" ]; then
	work=$(mkdir -p "$1" && cd "$1" && pwd)
	if [ "$work" != "$src" ]; then
		# A fresh copy of the sources, keeping node_modules/ and dist/.
		rm -rf "${SOURCES[@]/#/$work/}"
		for f in "${SOURCES[@]}"; do
			cp -Rp "$src/$f" "$work/"
		done
		chmod -R u+w "${SOURCES[@]/#/$work/}"
	fi
else
	work=$src
fi
cd "$work"

# ---- npm ci, when node_modules does not match the lock -----------------------------

if [ ! -f node_modules/.package-lock.json ] ||
    [ package-lock.json -nt node_modules/.package-lock.json ] ||
    [ package.json -nt node_modules/.package-lock.json ]; then
	echo "build-www: npm ci in $work" >&2
	if ! npm ci --no-audit --no-fund --loglevel=error >&2; then
		echo "build-www: npm ci failed (is the npm registry reachable?)" >&2
		exit 4
	fi
fi

# ---- vite build, when a source is newer than the last one --------------------------

stamp=dist/.built
if [ -f "$stamp" ] && [ -z "$(find "${SOURCES[@]}" -newer "$stamp" -print -quit)" ] &&
    [ ! node_modules/.package-lock.json -nt "$stamp" ]; then
	echo "build-www: dist/ is up to date" >&2
else
	echo "build-www: vite build in $work" >&2
	if ! npm run --silent build >&2; then
		echo "build-www: the build failed" >&2
		exit 1
	fi
	touch "$stamp"
fi
echo "$work/dist"
