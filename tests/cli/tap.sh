# tap.sh - a few TAP helpers for the shell tests (sourced, not run).
# Each test script prints a plan and one "ok"/"not ok" line per check.
n=0
fails=0
check() {
	# check DESCRIPTION COMMAND... : ok if COMMAND succeeds
	desc=$1
	shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		fails=$((fails + 1))
	fi
}
# status EXPECTED DESCRIPTION COMMAND... : ok if COMMAND exits with EXPECTED
status() {
	want=$1
	desc=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	n=$((n + 1))
	if [ "$got" -eq "$want" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc (exit $got, expected $want)"
		sed 's/^/# /' "$tmp/err" | head -n 5
		fails=$((fails + 1))
	fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
MMTWIN=${MMTWIN:-build/mmtwin}
case $MMTWIN in /*) ;; *) MMTWIN=$(pwd)/$MMTWIN ;; esac
