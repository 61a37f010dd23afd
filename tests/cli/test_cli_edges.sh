# test_cli_edges.sh - the command's rough edges, each with its check: help
# of every command, options named as written, options for another strategy
# refused, replay lines that paste and carry the options they need, reverted
# fixes in every headline, bounded tokens, --all's table first, progress
# lines that name the program, stress's -t, breakdown and Ctrl-C, explore's
# Ctrl-C.
. tests/cli/tap.sh
echo "1..37"

status 0 "list --help" "$MMTWIN" list --help
check "... says what list shows" grep -q "^Usage: mmtwin list" "$tmp/out"
status 0 "fixes --help" "$MMTWIN" fixes --help
status 0 "help list" "$MMTWIN" help list
check "... is list's help" grep -q "^Usage: mmtwin list" "$tmp/out"

status 2 "an unknown short option in a cluster" "$MMTWIN" explore -qZ lost_update
check "... names itself, alone" grep -q "unknown option -Z$" "$tmp/err"
status 2 "an unknown long option with a value" "$MMTWIN" stress --frob=3 lost_update
check "... is named without its value" grep -q "unknown option --frob$" "$tmp/err"
status 2 "--preemptions with pct is an error" "$MMTWIN" explore -p 2 lost_update
status 2 "--depth with dfs is an error" "$MMTWIN" explore -s dfs -d 3 lost_update
status 2 "--seed with dfs is an error" "$MMTWIN" explore -s dfs --seed 3 lost_update
check "... saying why" grep -q "seed is for random and pct, not dfs" "$tmp/err"

cd "$tmp" || exit 1
status 1 "a step-limited exploration finds the step limit" \
	"$MMTWIN" explore --max-steps 200 uffd_fault_move
check "the replay line starts with the command as invoked" grep -q "replay: $MMTWIN replay" "$tmp/out"
check "... and carries --max-steps" grep -q "replay --max-steps 200 mmt1:" "$tmp/out"
check "the token file carries it too" grep -q "^options: --max-steps 200$" mmtwin-out/uffd_fault_move.token
status 1 "the token file replays without repeating the option" \
	"$MMTWIN" replay -q --file mmtwin-out/uffd_fault_move.token
check "... to the same step limit" grep -q "FOUND step-limit" "$tmp/out"
line=$(grep "replay: " "$tmp/out" | head -n 1 | sed 's/^ *replay: //')
sh -c "$line -q" >"$tmp/pasted" 2>&1
check "the printed replay line, pasted, replays the finding" grep -q "FOUND step-limit" "$tmp/pasted"

status 1 "explore --revert" "$MMTWIN" explore -q --no-save --revert 13ddaf26be32 swapin_skip_swapcache_race
check "... names the reverted fix in the headline" \
	grep -q "^swapin_skip_swapcache_race~13ddaf26be32: FOUND" "$tmp/out"
status 1 "explore --revert --json" "$MMTWIN" explore --json --no-save --revert 13ddaf26be32 \
	swapin_skip_swapcache_race
check "... and in the JSON program field" \
	grep -q '"program":"swapin_skip_swapcache_race~13ddaf26be32"' "$tmp/out"

status 2 "a token asking for 10^11 decisions is refused at once" \
	"$MMTWIN" replay mmt1:lost_update:00000000:00000000:99999999999:AA
check "... saying so" grep -q "decisions, more than a replay takes" "$tmp/err"
truncate -s 70M "$tmp/huge.token"
status 2 "a token file larger than any token is refused" "$MMTWIN" replay --file "$tmp/huge.token"

status 0 "explore --expected of two programs" "$MMTWIN" explore --expected -s dfs -p 1 --no-save \
	lost_update_fixed aba_stack_fixed
table=$(grep -n "^program  *expected" "$tmp/out" | head -n 1 | cut -d: -f1)
report=$(grep -n ": no finding in" "$tmp/out" | head -n 1 | cut -d: -f1)
check "the table comes before the reports" test "${table:-99}" -lt "${report:-0}"

# A terminal for the progress line (script(1) from util-linux gives one).
if command -v script >/dev/null 2>&1; then
	script -qec "$MMTWIN explore -s dfs -p 3 -n 0 -t 1 --no-save uffd_move_swap_wrong" /dev/null \
		>"$tmp/tty" 2>&1
	check "the progress line names the program" grep -q "uffd_move_swap_wrong, dfs" "$tmp/tty"
else
	echo "ok $((n = n + 1)) - the progress line names the program # SKIP no script(1)"
fi

status 0 "stress -t stops at the time" "$MMTWIN" stress -t 0.3 -n 1000000000 lost_update_fixed
check "... before the iterations" grep -q "of [0-9]* stress iterations" "$tmp/out"
status 1 "stress --keep-going" "$MMTWIN" stress -n 200 --keep-going --delay-permille 1000 \
	--delay-us 300 --delay-at swap_read_folio --revert 13ddaf26be32 swapin_skip_swapcache_race
check "... counts the findings by id" grep -q "^ *[0-9][0-9]*  INV-1 (invariant violated)" "$tmp/out"

"$MMTWIN" stress -n 1000000000 --no-progress lost_update_fixed >"$tmp/int" 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
check "stress ends on Ctrl-C with status 130" test $? -eq 130
check "... after printing its summary" grep -q "stress iterations failed.*interrupted" "$tmp/int"
"$MMTWIN" explore -s dfs -p 3 -n 0 --no-save --no-progress uffd_move_swap_wrong >"$tmp/int" 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
check "explore ends on Ctrl-C with status 130, reporting what ran" \
	sh -c "test $? -eq 130 && grep -q 'interrupted after' '$tmp/int'"
