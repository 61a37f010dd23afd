# test_cli.sh - the mmtwin command as a user meets it: help, errors, exit
# statuses, the explore -> saved token -> replay round trip, JSON, stress.
. tests/cli/tap.sh
echo "1..30"

status 0 "--help exits 0" "$MMTWIN" --help
check "--help lists the commands" grep -q "explore" "$tmp/out"
status 0 "--version exits 0" "$MMTWIN" --version
status 2 "no command is a usage error" "$MMTWIN"
status 2 "an unknown command is a usage error" "$MMTWIN" frobnicate
status 0 "explore --help exits 0" "$MMTWIN" explore --help
check "explore --help documents --preemptions" grep -q -- "--preemptions" "$tmp/out"
status 0 "help replay exits 0" "$MMTWIN" help replay
check "help replay documents --file" grep -q -- "--file" "$tmp/out"
status 2 "an unknown program is a usage error" "$MMTWIN" explore no_such_program
check "the error names the program" grep -q "no_such_program" "$tmp/err"
status 2 "an unknown strategy is a usage error" "$MMTWIN" explore -s sideways lost_update
status 2 "a malformed number is a usage error" "$MMTWIN" explore -n 12x lost_update
status 2 "an unknown option is a usage error" "$MMTWIN" explore --frob lost_update
status 0 "list exits 0" "$MMTWIN" list
check "list shows the classic programs" grep -q "aba_stack_fixed" "$tmp/out"

cd "$tmp" || exit 1
status 1 "explore finds the lost update (exit 1)" "$MMTWIN" explore -s pct lost_update
check "the report shows CPU columns" grep -q "CPU0.*CPU1" "$tmp/out"
check "the report prints a replay command" grep -q "replay: .*mmtwin replay mmt1:lost_update:" "$tmp/out"
check "the token was saved" test -s "$tmp/mmtwin-out/lost_update.token"
status 1 "the saved token replays the finding (exit 1)" "$MMTWIN" replay --file "$tmp/mmtwin-out/lost_update.token"
check "the replay reports the same finding" grep -q "FOUND lost-update" "$tmp/out"
sed 's/:[0-9a-f]\{8\}:/:00000000:/' "$tmp/mmtwin-out/lost_update.token" > "$tmp/stale.token"
status 2 "a token for another program version is refused (exit 2)" "$MMTWIN" replay --file "$tmp/stale.token"
check "the refusal says the program changed" grep -q "another version" "$tmp/err"
status 0 "a fixed program explored exhaustively is clean (exit 0)" "$MMTWIN" explore -s dfs -p 3 --no-save lost_update_fixed
check "the clean run states what was exhausted" grep -q "exhausted: every schedule with at most 3 preemptions" "$tmp/out"
status 1 "explore --json reports the finding" "$MMTWIN" explore --json --no-save -s random missed_wakeup
check "the JSON carries the finding and the trace" grep -q '"found":true,"finding":{"kind":"deadlock"' "$tmp/out"
status 0 "stress of a fixed program is clean" "$MMTWIN" stress -n 50 lost_update_fixed
status 0 "explore --all: every program behaves as expected" "$MMTWIN" explore --all -q --no-save
