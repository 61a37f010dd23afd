# test_report.sh - what a finding's report shows (issue 10): the objects
# named (folio A, S1, src_pte[0], src_ptl) and values decoded by type, with
# a legend; no host address or raw entry value in the trace.
. tests/cli/tap.sh
echo "1..42"

status 1 "seed 000 race A, with its fix reverted, is found" \
	"$MMTWIN" explore --no-save --full-trace -s dfs --delays 2 -n 0 \
	uffd_move_swap_wrong~0ea148a79919.folio
cp "$tmp/out" "$tmp/raceA"
check "the swap entry is named and decoded in the PTE" grep -q "READ_ONCE(src_pte\[0\]) // got swp(S1)" "$tmp/raceA"
check "the swap cache slot is named, its folio too" grep -q "swap_cache\[S1\]" "$tmp/raceA"
check "folios are named in order of first mention" grep -q "folio A" "$tmp/raceA"
check "swap counts are decoded" grep -q "1|SWAP_HAS_CACHE" "$tmp/raceA"
check "page-table locks are named after the mapping" grep -q "spin_lock(src_ptl)" "$tmp/raceA"
check "an anon_vma's lock by the anon_vma's name" grep -qE "down_(read|write)\(&anon_vma [0-9]+->rwsem\)" "$tmp/raceA"
check "the userfaultfd context's lock by its name" grep -qE "down_read\(&uffd [0-9]+->map_changing_lock\)" "$tmp/raceA"
check "a legend says what the names stand for" grep -q "^  names: .*S1 = swap 0:1.*folio A = pfn" "$tmp/raceA"
# The trace lines (after the column headers, before the replay line) hold
# no host addresses and no raw entry values.
sed -n '/^  ----/,/^  replay:/p' "$tmp/raceA" > "$tmp/trace"
check "no raw number of 2^16 or more in the trace" sh -c "! grep -qE '0x[0-9a-f]{5,}|[^0-9a-zA-Z_][0-9]{5,}' '$tmp/trace'"
status 1 "the JSON events carry the object and the value" \
	"$MMTWIN" explore --json --no-save -s dfs --delays 2 -n 0 uffd_move_swap_wrong~0ea148a79919.folio
check "... e.g. the PTE that holds S1" grep -q "\"object\":\"src_pte\[0\]\",\"value\":\"swp(S1)\"" "$tmp/out"

# The default report of each seed finding: the slice, in 120 columns (but
# the replay command, which is pasted whole) and 60 lines, with a story of
# 2 to 8 operations above the columns, and the steps of the seed text's own
# interleaving, by the names the report gives them (seeds/00N_*.txt):
# the entry read, the slot freed and reused, the stale check passing, the
# wrong folio installed or re-homed, the check that broke.
steps_of() {
	case $1 in
	swapin_skip*) echo "p_pte[0] == swp(S1)|swap_cache[S1] == empty|[write p 2]|p_pte[0] = present(folio A, rw)|[madvise p pageout]|p_pte[0] = swp(S1)|swap_map[S1] = 0|p_pte[0] = present(folio B, rw)|folio_unlock(folio B)|^^^ INV-1" ;;
	uffd_move_swapcache*) echo "swap_cache[S1] = folio A|src_pte[0] = swp(S1)|src_pte[0]: swp(S1) -> none|dst_pte[0] = swp(S1)|dst_pte[0] == swp(S1)|swap_cache[S1] == folio A|folio A->mapping == anon_vma|^^^ VM_BUG_ON_FOLIO" ;;
	uffd_move_swap_missed*) echo "src_pte[0] == swp(S1)|swap_cache[S1] == empty|[write src 7]|swap_cache[S1] = folio A|src_pte[0] = present(folio A, rw)|src_pte[0] = swp(S1)|src_pte[0]: swp(S1) -> none|dst_pte[0] = swp(S1)|swap_cache[S1] == folio A|^^^ VM_BUG_ON_FOLIO" ;;
	uffd_move_swap_wrong*) echo "src_pte[0] == swp(S1)|swap_cache[S1] = folio A|src_pte[0] = present(folio A, rw)|swap_cache[S1] = folio B|swap_cache[S1] == folio B|swap_cache[S1] = empty|src_pte[0] = swp(S1)|folio_lock(folio B)|folio B->index = index of dst|dst_pte[0] = swp(S1)|^^^ VM_BUG_ON_FOLIO" ;;
	uffd_move_pmd_migration*) echo "src_pmd: huge(folio A, rw) -> invalidated(folio A)|src_pmd = migration(folio A)|[move uffd dst src 2M]|src_pmd == migration(folio A)|^^^ BUG_ON" ;;
	uffd_move_pmd_split*) echo "src_pmd = migration(folio A)|[move uffd dst src 2p]|src_pmd == migration(folio A)|^^^ general protection fault" ;;
	esac
}
for p in swapin_skip_swapcache_race~13ddaf26be32 uffd_move_swapcache~c50f8e6053b0 \
	uffd_move_swap_missed~0ea148a79919.hascache uffd_move_swap_wrong~0ea148a79919.folio \
	uffd_move_pmd_migration~adef440691ba.pmd uffd_move_pmd_split_migration~aba6faec0103; do
	"$MMTWIN" explore --expected --no-save --no-progress "$p" >"$tmp/seed" 2>&1
	sed -n '/: FOUND/,$p' "$tmp/seed" >"$tmp/report"
	lines=$(wc -l <"$tmp/report")
	most=60
	check "$p: the report fits 120 columns" sh -c "! awk '!/^  replay:/ && length(\$0) > 120 { bad = 1 } END { exit !bad }' '$tmp/report'"
	check "$p: ... and $most lines ($lines)" test "$lines" -gt 5 -a "$lines" -le "$most"
	story=$(sed -n '/^  story:/,/^$/p' "$tmp/report" | grep -c '^    cpu[0-9] `')
	check "$p: ... a story of 2 to 8 operations ($story)" test "$story" -ge 2 -a "$story" -le 8
	case $p in
	uffd_move_swapcache*|uffd_move_pmd*) why="none";;
	*) why="why: cpu0 read [a-z]*_pte\[0\] == swp(S1) before and after cpu1";;
	esac
	if [ "$why" = none ]; then
		check "$p: ... no ABA, no why line" sh -c "! grep -q '^    why:' '$tmp/report'"
	else
		check "$p: ... says why the re-check passed (an ABA on S1)" grep -q "^    $why" "$tmp/report"
	fi
	# the steps, in the columns (after the headings), in this order
	sed -n '/^  ----/,$p' "$tmp/report" >"$tmp/cols"
	missing=$(steps_of "$p" | tr '|' '\n' | awk -v f="$tmp/cols" '
		BEGIN { while ((getline l < f) > 0) lines[++n] = l }
		{ found = 0
		  for (i = at + 1; i <= n; i++) if (index(lines[i], $0)) { at = i; found = 1; break }
		  if (!found) print $0 }')
	check "$p: ... every step of the seed's interleaving, in order${missing:+ (missing: $missing)}" \
		test -z "$missing"
done
