#!/bin/sh
# tests/fuzz/run.sh: runs each libFuzzer target for a bounded time from its corpus; a crash fails the run and is kept.
#
# Usage: run.sh SECONDS [TARGET ...]   (default: every target)
#
# Run by "make check-fuzz FUZZ_SECONDS=N" in a build configured with
# --enable-fuzzing (FUZZ_BUILDDIR names where the fuzz-* programs are;
# default: the current directory).  Each target starts from the committed
# corpus/NAME and regress/NAME, read-only; what it finds new goes to
# fuzz-out/NAME/corpus, and a crash to fuzz-out/NAME/crash-*.  To keep a
# crash as a regression test, fix the bug, then copy the file into
# regress/NAME/ (named after what it catches): "make check" replays it.
set -eu

if [ $# -lt 1 ] || ! [ "$1" -gt 0 ] 2>/dev/null; then
	echo "usage: $0 SECONDS [TARGET ...]" >&2
	exit 2
fi
seconds=$1
shift
srcdir=$(cd "$(dirname "$0")" && pwd)
builddir=${FUZZ_BUILDDIR:-.}
targets=${*:-query request conf csv spec auth}
out=$builddir/fuzz-out

# Leaks and undefined behaviour are crashes too; a crash's report names
# lines.  The caller's settings come first and win.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0
UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS

failed=
summary=
for t in $targets; do
	bin=$builddir/fuzz-$t
	if ! [ -x "$bin" ]; then
		echo "run.sh: $bin is not built (configure --enable-fuzzing)" >&2
		exit 2
	fi
	mkdir -p "$out/$t/corpus"
	# A crash kept by an earlier run was reported then.
	rm -f "$out/$t"/crash-* "$out/$t"/leak-* "$out/$t"/timeout-* \
	    "$out/$t"/oom-*
	log=$out/$t/fuzz.log
	set -- "$srcdir/corpus/$t"
	[ -d "$srcdir/regress/$t" ] && set -- "$@" "$srcdir/regress/$t"
	echo "=== fuzz-$t for ${seconds}s"
	rc=0
	# -timeout: one input taking 10 s is a hang; -rss_limit_mb bounds a
	# leak; the time bound is libFuzzer's own, plus a margin for the
	# initial corpus and the final report.
	timeout -k 10 $((seconds + 120)) "$bin" \
	    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=8192 -print_final_stats=1 \
	    -artifact_prefix="$out/$t/" \
	    "$out/$t/corpus" "$@" >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
	crashes=$(find "$out/$t" -maxdepth 1 -type f \( -name 'crash-*' \
	    -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) |
	    wc -l)
	line=$(printf '%-8s %10s execs %7s/s  cov %5s  corpus +%s  crashes %s' \
	    "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
	    "$(find "$out/$t/corpus" -type f | wc -l)" "$crashes")
	summary="$summary$line
"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
		failed="$failed $t"
		echo "--- fuzz-$t failed (exit $rc); the end of $log:"
		grep -E 'ERROR|SUMMARY|invariant|runtime error|#[0-9]+ 0x' "$log" |
		    head -40 || :
		find "$out/$t" -maxdepth 1 -type f ! -name fuzz.log |
		    sed 's/^/    kept: /'
	fi
done
echo
echo "fuzzing summary (${seconds}s each):"
printf '%s' "$summary"
if [ -n "$failed" ]; then
	echo "FAILED:$failed (inputs in $out; replay one with" \
	    "\"$builddir/fuzz-NAME FILE\")"
	exit 1
fi
echo "no crashes"
