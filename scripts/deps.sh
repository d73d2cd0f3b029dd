#!/bin/bash
# scripts/deps.sh: installs what backstream needs to build, test and demo on Debian 12 (the one list of packages).
#
# Run as root (or with sudo available).  SKIP_DEPS=1 skips it, for a
# machine that has everything already.
set -euo pipefail

PACKAGES=(
	# build
	build-essential autoconf automake pkg-config
	# libraries
	libfcgi-dev libjson-c-dev libdb5.3-dev libssl-dev
	# the stream responder checks tokens with Nettle (and GMP)
	nettle-dev libgmp-dev
	# the tests read minted tokens back with a second implementation
	libjwt-dev
	# the CI builds: clang with AddressSanitizer and UBSan, and valgrind
	clang valgrind
	# what the test scripts run: web servers, clients, process tools
	lighttpd apache2 libapache2-mod-fcgid nginx spawn-fcgi libfcgi-bin curl
	procps iproute2 python3
	# the streams benchmark's peer: nginx with the nchan pub/sub module
	libnginx-mod-nchan
	# the stream and browser tests: node (with npm) and headless Chromium
	nodejs chromium
)

if [ "${SKIP_DEPS:-}" = 1 ]; then
	echo "deps: SKIP_DEPS=1, not installing packages"
	exit 0
fi
sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null ||
	    { echo "deps: run as root (or install sudo)" >&2; exit 1; }
	sudo=sudo
fi

# Installing a web server must not start it: the tests start their own, on
# free ports.  Docker images already deny service starts this way.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
	$sudo chmod 755 "$policy"
	trap '$sudo rm -f "$policy"' EXIT
fi

echo "deps: installing ${#PACKAGES[@]} packages"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
# Debian's nodejs comes without npm; NodeSource's has it (and conflicts with
# Debian's npm package).
if ! command -v npm >/dev/null; then
	$sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
echo "deps: done"
