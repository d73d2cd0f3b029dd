#!/bin/bash
# scripts/bundle.sh: makes the shared-host bundle, backstream-VERSION-linux-ARCH.tar.gz, whose programs need nothing on the host but the C library; run by "make bundle".
#
# usage: scripts/bundle.sh SRCDIR VERSION GLIBC_MAX [CC]
#
# Builds the programs a second time, in bundle-build/ of the current
# directory (make's build directory), configured --enable-relocatable under
# a placeholder prefix, and with libfcgi, json-c, Berkeley DB and OpenSSL's
# libcrypto linked from their static archives (Debian's -dev packages ship
# them).  Installs into a staging tree, adds the dashboard (built with
# scripts/build-www.sh when node and npm are there), and checks every
# program:
#   - it needs no shared library but glibc's (readelf -d NEEDED), and has
#     no RPATH or RUNPATH;
#   - the newest glibc symbol version it uses (objdump -T) is GLIBC_MAX or
#     older: GLIBC_MAX is the minimum glibc the documentation promises;
#   - unpacked elsewhere, the CLI finds its configuration beside itself.
# Writes the tarball in the current directory; prints its name last.
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: bundle.sh SRCDIR VERSION GLIBC_MAX [CC]" >&2; exit 2; }
srcdir=$(cd "$1" && pwd)
version=$2
glibc_max=$3
cc=${4:-cc}
top=$(pwd)
arch=$(uname -m)
name=backstream-$version-linux-$arch
# The placeholder prefix (lib/reloc.h): replaced at run time by wherever
# the bundle was unpacked.
placeholder=/backstream-bundle
build=$top/bundle-build
stage=$top/bundle-stage

die() { echo "bundle: $*" >&2; exit 1; }

# ---- the static archives ------------------------------------------------------

# static NAME: the path of libNAME.a as the compiler finds it.
static() {
	local a
	a=$("$cc" -print-file-name="lib$1.a")
	[ -f "$a" ] || die "no static lib$1.a (Debian: the -dev package of $1)"
	echo "$a"
}
libs_fcgi=$(static fcgi)
libs_jsonc=$(static json-c)
libs_bdb="$(static db-5.3) -lpthread"
libs_crypto="$(static crypto) -ldl -lpthread"

# ---- build and install --------------------------------------------------------

# A build of its own: nothing of the calling make's command line (TESTS=,
# DESTDIR=, its jobserver) reaches it.
unset MAKEFLAGS MFLAGS MAKELEVEL
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ]; then
	echo "bundle: configure in $build" >&2
	"$srcdir/configure" --quiet CC="$cc" --prefix="$placeholder" \
	    --enable-relocatable >/dev/null
fi
static_libs=(FCGI_LIBS="$libs_fcgi" JSONC_LIBS="$libs_jsonc"
    BDB_LIBS="$libs_bdb" OPENSSL_LIBS="$libs_crypto")
echo "bundle: build in $build" >&2
make -s -j2 "${static_libs[@]}" all >/dev/null
rm -rf "$stage"
make -s "${static_libs[@]}" install DESTDIR="$stage" >/dev/null
root=$stage/$name
mv "$stage$placeholder" "$root"
cd "$root"

# The server-level web server files name the placeholder and are for hosts
# with root; the shared host needs none of them (backstream setup-site).
rm -rf share/backstream
mkdir -p share/backstream

# ---- relocated paths in the text files ----------------------------------------

# The fetcher is a shell script: its paths become relative to its own place.
sed -i -e "s|$placeholder|\$BUNDLE_ROOT|g" \
    -e '0,/^set -u$/s||set -u\n# Relocated: the bundle is wherever this script lies (sbin/..).\nBUNDLE_ROOT=$(cd "$(dirname "$0")/.." \&\& pwd)|' \
    sbin/backstream-fetch-certs
grep -q '^BUNDLE_ROOT=' sbin/backstream-fetch-certs ||
    die "could not relocate sbin/backstream-fetch-certs"
# The sample configuration and the manual pages show the defaults: say
# where they are.
for f in etc/backstream.conf etc/backstream.conf.sample \
    share/man/man5/backstream.conf.5; do
	sed -i "s|$placeholder|BUNDLE|g" "$f"
done

# ---- the dashboard ----------------------------------------------------------------

www_status=0
dist=$("$srcdir/scripts/build-www.sh" "$top/bundle-www" | tail -n 1) ||
    www_status=$?
if [ "$www_status" -eq 0 ] && [ -f "$dist/index.html" ]; then
	cp -R "$dist" share/backstream/www
	rm -f share/backstream/www/.built
	dashboard="share/backstream/www: the dashboard (backstream setup-site copies it)"
else
	echo "bundle: WARNING: no dashboard in the bundle (scripts/build-www.sh" \
	    "exit $www_status: it needs www/ of the git tree, node 20.19+, and" \
	    "npm with its registry)" >&2
	dashboard="(no dashboard: it could not be built where this bundle was made;
  the API and the streams work without it)"
fi

# ---- checks: glibc only, and which glibc ------------------------------------------

programs=(bin/backstream sbin/backstream-engine libexec/backstream/backstream-sse
    libexec/backstream/backstream-api libexec/backstream/backstream-verify)
# glibc's own libraries; anything else would have to be on the host.
allowed='^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|ld-linux-x86-64\.so\.2)$'
newest=0.0
for p in "${programs[@]}"; do
	[ -x "$p" ] || die "$p was not built"
	needed=$(readelf -d "$p" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
	bad=$(echo "$needed" | grep -Ev "$allowed" || :)
	[ -z "$bad" ] || die "$p needs $(echo $bad) besides glibc"
	! readelf -d "$p" | grep -Eq '\((RPATH|RUNPATH)\)' ||
	    die "$p has an RPATH or RUNPATH"
	v=$(objdump -T "$p" | grep -o 'GLIBC_[0-9][0-9.]*' |
	    sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)
	echo "bundle: $p: needs $(echo $needed), glibc $v or later" >&2
	newest=$(printf '%s\n%s\n' "$newest" "$v" |
	    sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)
done
if [ "$(printf '%s\n%s\n' "$newest" "$glibc_max" |
    sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)" != "$glibc_max" ]; then
	die "the programs need glibc $newest, newer than the $glibc_max" \
	    "promised (BUNDLE_GLIBC in Makefile.am, doc/deployment.md)"
fi

cat >README <<EOF
backstream $version for Linux $arch: the shared-host bundle.

Needs on the host: Linux, glibc $glibc_max or later (this build's newest
symbol version is GLIBC_$newest), Apache with mod_fcgid for the web part.
Every other library (libfcgi, json-c, Berkeley DB, OpenSSL's libcrypto)
is linked in.  Unpack it anywhere in your home directory: the programs
find etc/backstream.conf and var/lib/backstream beside themselves.

  bin/backstream          the command line: store, jobs, keys, setup-site, selftest
  sbin/backstream-engine  the backtest engine, for cron
  sbin/backstream-fetch-certs  keeps Google's token certificates current, for cron
  libexec/backstream/     the FastCGI responders and the token helper
  etc/backstream.conf     your configuration
  var/lib/backstream/     the store
  $dashboard
  share/doc/backstream/deployment.md  "Shared hosting": the steps

Next: bin/backstream setup-site ~/public_html   (then follow what it prints)
EOF

# ---- checks: it runs from another place ---------------------------------------

cd "$stage"
moved=$stage/moved/somewhere
mkdir -p "$moved"
cp -R "$name" "$moved/"
out=$(env -u BACKSTREAM_CONF "$moved/$name/bin/backstream" --help 2>&1) ||
    die "the moved bundle's backstream does not run: $out"
echo "$out" | grep -q "$moved/$name/etc/backstream.conf" ||
    die "the moved bundle's backstream does not find its configuration: $out"
rm -rf "$stage/moved"

tar -C "$stage" -czf "$top/$name.tar.gz" --owner=0 --group=0 "$name"
echo "bundle: glibc $newest or later; $(du -k "$top/$name.tar.gz" | cut -f1) KiB" >&2
echo "$name.tar.gz"
