#!/bin/sh
# run.sh BUILD_DIR - run every test binary and shell test, total the results.
#
# Each cmocka binary prints TAP (ok / not ok lines); each tests/cli/*.sh
# script prints TAP too.  A binary that crashes or prints no plan counts as
# one failure.  The last line is always "N passed, N failed"; the exit
# status is non-zero if anything failed.
set -u
build=${1:-build}
passed=0
failed=0
export CMOCKA_MESSAGE_OUTPUT=TAP
export MMTWIN="$build/mmtwin"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run_one() {
	name=$1
	shift
	"$@" >"$out" 2>&1
	rc=$?
	ok=$(grep -c '^ok ' "$out")
	bad=$(grep -c '^not ok [0-9]' "$out")
	plan=$(grep -c '^1\.\.' "$out")
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$out" | awk '{ s += $1 } END { print s + 0 }')
	if [ "$plan" -eq 0 ] || { [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; }; then
		echo "FAIL $name: exited with status $rc without reporting a failing test"
		sed 's/^/    /' "$out" | tail -n 30
		bad=$((bad + 1))
	elif [ $((ok + bad)) -ne "$planned" ]; then
		echo "FAIL $name: planned $planned tests, reported $((ok + bad))"
		bad=$((bad + 1))
	elif [ "$bad" -ne 0 ]; then
		echo "FAIL $name: $bad failing"
		grep -A12 '^not ok [0-9]' "$out" | sed 's/^/    /'
	else
		echo "ok   $name: $ok passed"
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
for t in tests/cli/test_*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t")" sh "$t"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
