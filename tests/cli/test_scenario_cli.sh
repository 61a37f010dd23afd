# test_scenario_cli.sh - scenario files through the command: check, run,
# explore (and --expected), stress, the saved token replayed with
# --scenario, and the token refused once the scenario changed.
. tests/cli/tap.sh
echo "1..37"

top=$(pwd)
seed002=$top/scenarios/swap/swapin_skip_swapcache_race.mmt

cat > "$tmp/race.mmt" <<'EOF'
# A user's own scenario: the lost write of seed 002, with the fix reverted
# in the file itself.
scenario my_race
summary the seed 002 race, written by a user
revert 13ddaf26be32
expect finding INV-1 by pct
swap sync slots=4 policy=lowest

setup:
    p = mmap 1p
    write p 1
    madvise p pageout

cpu 0:
    read p

cpu 1:
    write p 2
    madvise p pageout
EOF

status 0 "check accepts a well-formed file" "$MMTWIN" check "$tmp/race.mmt"
check "check says what it found" grep -q "ok: scenario my_race, 2 cpus, 6 operations" "$tmp/out"
printf 'scenario bad\ncpu 0:\n    write 1\n' > "$tmp/bad.mmt"
status 2 "check refuses a malformed file (exit 2)" "$MMTWIN" check "$tmp/bad.mmt"
check "the error is file:line:col: message" grep -q "^$tmp/bad.mmt:3:11: " "$tmp/err"
status 2 "check of a missing file is exit 2" "$MMTWIN" check "$tmp/nope.mmt"
status 0 "check --help exits 0" "$MMTWIN" check --help
status 0 "run --help exits 0" "$MMTWIN" run --help

status 0 "run of a bundled scenario file is clean" "$MMTWIN" run "$seed002"
check "run prints each operation with its result" grep -q "cpu1 .* madvise p pageout .* -> ok" "$tmp/out"
check "run prints what a name holds" grep -q "(p = 0x" "$tmp/out"
status 0 "run takes a bundled name too" "$MMTWIN" run -q swapin_skip_swapcache_race
status 2 "run of a C program is a usage error" "$MMTWIN" run lost_update
printf 'scenario wrong\nsetup:\n    a = mmap 1p\ncpu 0:\n    read a -> 5\n' > "$tmp/wrong.mmt"
status 1 "run reports a wrong result as a finding (exit 1)" "$MMTWIN" run "$tmp/wrong.mmt"
check "the finding names file:line:col and the result" \
	grep -q "wrong.mmt:5:5: \`read a -> 5\`: got 0, expected 5" "$tmp/out"

cd "$tmp" || exit 1
status 1 "explore of a user's file finds its race (exit 1)" "$MMTWIN" explore race.mmt
check "the report prints a replay command with the file" \
	grep -q "replay: .*mmtwin replay --scenario race.mmt mmt1:my_race:" "$tmp/out"
check "the token was saved under the scenario's name" test -s "$tmp/mmtwin-out/my_race.token"
status 1 "the saved token replays with --scenario (exit 1)" \
	"$MMTWIN" replay --scenario race.mmt --file mmtwin-out/my_race.token
check "the replay reports the same finding" grep -q "FOUND INV-1" "$tmp/out"
status 2 "without --scenario the token is refused (exit 2)" \
	"$MMTWIN" replay --file mmtwin-out/my_race.token
check "the refusal says to pass the file" grep -q -- "--scenario FILE" "$tmp/err"
sed 's/^# A user.s own/# An edited comment, a/; s/^summary .*/summary another summary/' race.mmt \
	> race2.mmt
status 1 "comments and the summary do not change the scenario" \
	"$MMTWIN" replay --scenario race2.mmt --file mmtwin-out/my_race.token
sed 's/write p 2/write p 3/' race.mmt > race3.mmt
status 2 "a token whose scenario changed is refused (exit 2)" \
	"$MMTWIN" replay --scenario race3.mmt --file mmtwin-out/my_race.token
check "the refusal says the scenario changed" grep -q "race3.mmt changed since the token was made" "$tmp/err"
status 2 "a token for another scenario is refused" \
	"$MMTWIN" replay --scenario "$seed002" --file mmtwin-out/my_race.token
check "the refusal names both scenarios" grep -q 'for scenario "my_race", but' "$tmp/err"

status 0 "explore --expected: the file's own expectation holds (exit 0)" \
	"$MMTWIN" explore --expected -q --no-save race.mmt
status 0 "explore --expected of a seed file checks both of its rows" \
	"$MMTWIN" explore --expected -q --no-save "$seed002"
check "... the fixed row clean and the reverted row found" \
	grep -q "swapin_skip_swapcache_race~13ddaf26be32 .*finding .*found INV-1" "$tmp/out"
sed 's/^expect finding INV-1 by pct/expect clean/' race.mmt > race4.mmt
status 1 "explore --expected: a wrong expectation is not as expected (exit 1)" \
	"$MMTWIN" explore --expected -q --no-save race4.mmt
status 0 "stress of a scenario file with the fix is clean" "$MMTWIN" stress -n 100 "$seed002"
status 1 "stress of the file with the fix reverted finds the lost write in a widened window" \
	"$MMTWIN" stress -n 2000 --delay-permille 1000 --delay-us 500 --delay-at swap_read_folio \
	race.mmt
status 2 "explore of a malformed file is exit 2" "$MMTWIN" explore "$tmp/bad.mmt"

# run is sequential: a CPU keeps running through cond_resched(), so the
# move stops at the hole before cpu 1 fills it; exploring finds the schedule
# in which cpu 1 runs at that cond_resched() and the whole range moves.
cat > "$tmp/seqrun.mmt" <<'EOF'
scenario seqrun
setup:
    src = mmap 4p fixed 1G
    dst = mmap 4p fixed 2G
    madvise src nohugepage
    write src 1
    write src+1p 2
    write src+3p 4
    u = userfaultfd
    api u features move
    register u dst missing
    page src+2p 1p -> none
cpu 0:
    move u dst src 4p -> EAGAIN move=2p
cpu 1:
    write src+2p 3
EOF
status 0 "run: one CPU's block runs through cond_resched()" "$MMTWIN" run seqrun.mmt
status 1 "explore: the whole move when cpu 1 runs at cond_resched()" \
	"$MMTWIN" explore -s dfs -p 1 -q --no-save seqrun.mmt
check "... reported with the pair of result and field" grep -q "got ok move=16384, expected EAGAIN move=2p" "$tmp/out"
sed 's/-> EAGAIN move=2p/-> EAGAIN move=2p | ok move=4p/' seqrun.mmt > seqrun2.mmt
status 0 "each alternative with its own output field: clean" \
	"$MMTWIN" explore -s dfs -p 1 -n 0 -q --no-save seqrun2.mmt
