# test_json.sh - every kind of JSON the command prints validates against
# docs/report.schema.json (checked by tests/json_check.py), and the checker
# itself refuses what does not.
. tests/cli/tap.sh
echo "1..17"

top=$(pwd)
schema=$top/docs/report.schema.json
valid() {
	python3 "$top/tests/json_check.py" "$schema" "$@"
}

cd "$tmp" || exit 1
status 1 "explore --json of a finding" "$MMTWIN" explore --json --no-save lost_update
cp "$tmp/out" finding.json
check "... validates" valid finding.json
check "... carries schema_version 1" grep -q '"schema_version":1' finding.json
status 0 "explore --json of a clean program" "$MMTWIN" explore --json --no-save -s dfs -p 2 \
	lost_update_fixed
cp "$tmp/out" clean.json
check "... validates" valid clean.json
printf 'scenario wrong_expectation\nexpect finding bug\nsetup:\n    a = mmap 1p\ncpu 0:\n    write a 1\n' \
	> wrongexp.mmt
status 1 "explore --expected --json of rows that hold and one that does not" \
	"$MMTWIN" explore --expected --json --no-save -s dfs -p 1 lost_update_fixed lost_update \
	wrongexp.mmt
cp "$tmp/out" expected.json
check "... validates" valid expected.json
check "... with the verdict of each row" sh -c "grep -q '\"expected\":\"finding\",\"as_expected\":true' expected.json && grep -q '\"program\":\"wrong_expectation\",\"expected\":\"finding\",\"as_expected\":false' expected.json"
status 1 "explore --json of a scenario file's finding" "$MMTWIN" explore --json \
	--revert 13ddaf26be32 "$top/scenarios/swap/swapin_skip_swapcache_race.mmt"
cp "$tmp/out" scenario.json
check "... validates" valid scenario.json
check "... carries the names of its objects" grep -q '"names":"S1 = swap 0:1, folio' scenario.json
check "... and the story, one string per operation" \
	grep -q '"story":\["cpu0 `read p`: p_pte\[0\] == swp(S1)' scenario.json
check "... and marks the events of the slice" sh -c "grep -q '\"object\":\"swap_cache\[S1\]\",\"value\":\"empty\",\"slice\":true' scenario.json && grep -q '\"slice\":false' scenario.json"
status 1 "replay --json" "$MMTWIN" replay --json --file mmtwin-out/swapin_skip_swapcache_race~13ddaf26be32.token
cp "$tmp/out" replay.json
check "... validates" valid replay.json
sed 's/"schema_version":1/"schema_version":7/' replay.json > wrong.json
check "the checker refuses another version" sh -c "! python3 '$top/tests/json_check.py' '$schema' wrong.json"
sed 's/"found":true/"found":"yes"/' replay.json > wrong2.json
check "the checker refuses a wrong type" sh -c "! python3 '$top/tests/json_check.py' '$schema' wrong2.json"
