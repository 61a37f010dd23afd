# test_report.sh - what a finding's report shows (issue 10): the objects
# named (folio A, S1, src_pte[0], src_ptl) and values decoded by type, with
# a legend; no host address or raw entry value in the trace.
. tests/cli/tap.sh
echo "1..10"

status 1 "seed 000 race A, with its fix reverted, is found" \
	"$MMTWIN" explore --no-save --full-trace -s dfs --delays 2 -n 0 \
	uffd_move_swap_wrong~0ea148a79919.folio
cp "$tmp/out" "$tmp/raceA"
check "the swap entry is named and decoded in the PTE" grep -q "READ_ONCE(src_pte\[0\]) // got swp(S1)" "$tmp/raceA"
check "the swap cache slot is named, its folio too" grep -q "swap_cache\[S1\]" "$tmp/raceA"
check "folios are named in order of first mention" grep -q "folio A" "$tmp/raceA"
check "swap counts are decoded" grep -q "1|SWAP_HAS_CACHE" "$tmp/raceA"
check "page-table locks are named after the mapping" grep -q "spin_lock(src_ptl)" "$tmp/raceA"
check "a legend says what the names stand for" grep -q "^  names: .*S1 = swap 0:1.*folio A = pfn" "$tmp/raceA"
# The trace lines (after the column headers, before the replay line) hold
# no host addresses and no raw entry values.
sed -n '/^  ----/,/^  replay:/p' "$tmp/raceA" > "$tmp/trace"
check "no raw number of 2^16 or more in the trace" sh -c "! grep -qE '0x[0-9a-f]{5,}|[^0-9a-zA-Z_][0-9]{5,}' '$tmp/trace'"
status 1 "the JSON events carry the object and the value" \
	"$MMTWIN" explore --json --no-save -s dfs --delays 2 -n 0 uffd_move_swap_wrong~0ea148a79919.folio
check "... e.g. the PTE that holds S1" grep -q "\"object\":\"src_pte\[0\]\",\"value\":\"swp(S1)\"" "$tmp/out"
