#!/bin/bash
# scripts/test.sh: installs the dependencies, then builds and runs the whole test suite (gcc -Werror with a short check-long, clang with ASan+UBSan, every fuzzer for a while, make distcheck).
#
# Builds out of tree in build/gcc, build/clang-asan and build/clang-fuzz.
# Every stage runs even when an earlier one failed, and the gcc stage runs
# its long tests even when its suite failed; the summary at the end names
# every failed stage and every failed test, and the exit status is non-zero
# if any failed.
#
#	scripts/test.sh [--stress]
#
# --stress runs the same stages beside one busy loop per core, at normal
# priority: a test that waits on a share of the CPU or a wall-clock budget
# instead of a state then fails here, where it can be seen, and not only
# on a loaded CI machine.
set -euo pipefail

stress=
case ${1:-} in
--stress)	stress=1 ;;
"")		;;
*)		echo "usage: $0 [--stress]" >&2; exit 2 ;;
esac

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

# The logs of the suites (distcheck's in its own tree, left there when it
# fails) and of the long tests.
suite_logs() {
	for log in build/*/tests/test-suite.log build/*/tests/test-long.log \
	    build/*/tests/test-kill-long.log \
	    build/*/*/_build/sub/tests/test-suite.log; do
		[ ! -f "$log" ] || echo "$log"
	done
}
# Earlier runs' logs must not count in this one's summary.
suite_logs | while read -r log; do rm -f "$log"; done

# "make check-long" in parts, so that a failed suite does not keep the
# kill test and the fault loop from running.  The kill test's result goes
# to test-kill-long.log, in the form of the suites' logs.
long_tests() {
	local status=0
	if make tests/test-kill >/dev/null &&
	    tests/test-kill "$KILL_SECONDS"; then
		printf '# PASS: 1\n' >tests/test-kill-long.log
	else
		printf '# FAIL: 1\n\nFAIL: test-kill\n===============\n' \
		    >tests/test-kill-long.log
		status=1
	fi
	SSE_FAULT_SECONDS="$FAULT_SECONDS" make check \
	    TESTS=tests/sse-faults.sh TEST_SUITE_LOG=tests/test-long.log ||
	    status=1
	return "$status"
}

# Each stage: one build directory, one chain of commands.
stage_gcc() {
	local status=0
	mkdir -p build/gcc && cd build/gcc &&
	    "$top/configure" --enable-werror &&
	    make -j"$jobs" || return
	make -j"$jobs" check || status=1
	long_tests || status=1
	return "$status"
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

# The busy loops of --stress, one per core, stopped by pid at exit.
hogs=()
stop_hogs() {
	[ "${#hogs[@]}" -eq 0 ] || kill "${hogs[@]}" 2>/dev/null || :
	hogs=()
}
trap stop_hogs EXIT
trap 'exit 130' INT TERM
if [ -n "$stress" ]; then
	echo "== stress: $jobs busy loops beside every stage"
	for _ in $(seq "$jobs"); do
		sh -c 'while :; do :; done' &
		hogs+=("$!")
	done
fi

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

stop_hogs

# Test counts, from the test-suite logs of the builds that ran tests.
# (A build without a log must not fail the pipeline: pipefail is on.)
count() {
	suite_logs | while read -r log; do cat "$log"; done |
	    sed -n "s/^# $1: *//p" | awk '{ n += $1 } END { print n + 0 }'
}
passed=$(count PASS)
bad=$(( $(count FAIL) + $(count ERROR) + $(count XPASS) ))
# A failed test's section in a log: "FAIL: name" over a line of "=".
failed_tests() {
	awk 'prev ~ /^(FAIL|ERROR|XPASS): / && /^=+$/ { print "    " prev }
	    { prev = $0 }' "$1"
}

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
for log in $(suite_logs); do
	[ -z "$(failed_tests "$log")" ] && continue
	echo "  failed in $log:"
	failed_tests "$log"
done
echo "stages: $((${#summary[@]} - failed)) of ${#summary[@]} passed${stress:+ (under stress)}"
echo "tests: $passed passed, $bad failed"
[ "$failed" -eq 0 ] && [ "$bad" -eq 0 ]
