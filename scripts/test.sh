#!/bin/bash
# scripts/test.sh: installs the dependencies, then builds and runs the whole test suite (gcc -Werror with a short check-long, clang with ASan+UBSan, every fuzzer for a while, make distcheck).
#
# Builds out of tree in build/gcc, build/clang-asan and build/clang-fuzz.
# Every stage runs even when an earlier one failed; the summary at the end
# says which failed, and the exit status is non-zero if any did.
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc)

scripts/deps.sh
echo "== autoreconf"
autoreconf -fi

# "make check-long" in a short form: the suite, then the kill test and
# the stream fault loop for a minute or so each (a release runs the
# defaults, minutes each).
: "${KILL_SECONDS:=30}" "${FAULT_SECONDS:=90}" "${FUZZ_SECONDS:=20}"

# Each stage: one build directory, one chain of commands.
stage_gcc() {
	mkdir -p build/gcc && cd build/gcc &&
	    "$top/configure" --enable-werror &&
	    make -j"$jobs" &&
	    make -j"$jobs" check-long KILL_SECONDS="$KILL_SECONDS" \
	        FAULT_SECONDS="$FAULT_SECONDS"
}
stage_clang_asan() {
	mkdir -p build/clang-asan && cd build/clang-asan &&
	    "$top/configure" CC=clang --enable-werror --enable-sanitizers &&
	    make -j"$jobs" && make -j"$jobs" check
}
# libFuzzer needs a tree of its own (coverage in every object).
stage_fuzz() {
	mkdir -p build/clang-fuzz && cd build/clang-fuzz &&
	    "$top/configure" CC=clang --enable-werror --enable-fuzzing &&
	    make -j"$jobs" && make check-fuzz FUZZ_SECONDS="$FUZZ_SECONDS"
}
stage_distcheck() {
	mkdir -p build/gcc && cd build/gcc &&
	    { [ -f Makefile ] || "$top/configure" --enable-werror; } &&
	    make -j"$jobs" distcheck
}

summary=()
failed=0
run_stage() {
	local name=$1 start=$SECONDS status=0
	echo "== $name"
	( "stage_${name//-/_}" ) || status=$?
	if [ "$status" -eq 0 ]; then
		summary+=("PASS  $name ($((SECONDS - start)) s)")
	else
		summary+=("FAIL  $name (exit $status after $((SECONDS - start)) s)")
		failed=$((failed + 1))
	fi
}

run_stage gcc
run_stage clang-asan
run_stage fuzz
run_stage distcheck

# Test counts, from the test-suite logs of the builds that ran tests.
suite_logs() {
	for log in build/*/tests/test-suite.log build/*/tests/test-long.log; do
		[ ! -f "$log" ] || echo "$log"
	done
}
# (A build without a log must not fail the pipeline: pipefail is on.)
count() {
	suite_logs | while read -r log; do cat "$log"; done |
	    sed -n "s/^# $1: *//p" | awk '{ n += $1 } END { print n + 0 }'
}
passed=$(count PASS)
bad=$(( $(count FAIL) + $(count ERROR) + $(count XPASS) ))

echo
echo "== summary"
for line in "${summary[@]}"; do
	echo "  $line"
done
if [ "$bad" -gt 0 ]; then
	for log in $(suite_logs); do
		grep -q '^# \(FAIL\|ERROR\|XPASS\): *[1-9]' "$log" || continue
		echo "== failures in $log"
		cat "$log"
	done
fi
echo "stages: $((${#summary[@]} - failed)) of ${#summary[@]} passed"
echo "tests: $passed passed, $bad failed"
[ "$failed" -eq 0 ] && [ "$bad" -eq 0 ]
