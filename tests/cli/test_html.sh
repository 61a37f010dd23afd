# test_html.sh - --html writes one self-contained page (no script, nothing
# fetched) with the story and the trace as lanes; rendered in headless
# Chromium, the screenshot is not blank and shows the lanes and the failing
# step where the text report puts them (tests/png_probe.py reads it).
. tests/cli/tap.sh
echo "1..24"

top=$(pwd)
prog=uffd_move_swap_wrong~0ea148a79919.folio

"$MMTWIN" explore --expected --no-save --no-progress "$prog" >"$tmp/text" 2>&1
status 0 "explore --html of seed 000 race A" \
	"$MMTWIN" explore --expected --no-save --no-progress --html "$tmp/a.html" "$prog"
# (times differ from run to run, and with them the table's padding and
# where the headline wraps)
tr '\n' ' ' <"$tmp/out" | sed 's/[0-9.]* [mu]\{0,1\}s\b/T/g; s/  */ /g' >"$tmp/out.t"
tr '\n' ' ' <"$tmp/text" | sed 's/[0-9.]* [mu]\{0,1\}s\b/T/g; s/  */ /g' >"$tmp/text.t"
check "... prints the same report as without --html (but the times)" cmp -s "$tmp/out.t" "$tmp/text.t"
check "... writes the page" test -s "$tmp/a.html"
check "... and nothing else in its directory" sh -c "[ \$(ls '$tmp' | grep -c '^a\.html') -eq 1 ]"
check "the page is whole" sh -c "head -c 15 '$tmp/a.html' | grep -q '<!DOCTYPE html>' && tail -n 1 '$tmp/a.html' | grep -q '</html>'"
check "... self-contained: no script, no link, nothing fetched" \
	sh -c "! grep -qiE '<script|<link|<img|src=|href=|url\\(|@import' '$tmp/a.html'"
check "... carries the story on top" grep -q 'story:' "$tmp/a.html"
check "... every event with its full line to hover" \
	grep -q '<title>cpu0: READ_ONCE(src_pte\[0\]) // got swp(S1)' "$tmp/a.html"
check "... user operations as boxes" grep -q '<title>move uffd dst src 1p</title>' "$tmp/a.html"
check "... locks held as bars" grep -q 'class="lock".*<title>holds src_ptl' "$tmp/a.html"

# What the text report says: how many CPUs (its column headings) and which
# CPU failed ("during cpuN").
ncpu=$(grep -m1 -E '^  CPU0 ' "$tmp/text" | grep -oE 'CPU[0-9]+' | wc -l)
fcpu=$(sed -n 's/^  during cpu\([0-9]*\) .*/\1/p' "$tmp/text")
lanes=$(grep -c 'class="lane"' "$tmp/a.html")
check "the page has a lane per CPU of the report ($lanes, $ncpu)" test "$lanes" -eq "$ncpu" -a "$ncpu" -ge 2
check "... and marks the failing step in the lane of the CPU that failed (cpu$fcpu)" \
	grep -q "id=\"violation\"[^>]*data-cpu=\"$fcpu\"" "$tmp/a.html"

# Rendered.
if ! command -v chromium >/dev/null 2>&1; then
	for d in "renders" "not blank" "lanes" "marked lane" "marked position" "last in its lane"; do
		n=$((n + 1))
		echo "ok $n - $d # SKIP chromium is not installed (scripts/deps.sh installs it)"
	done
else
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$tmp/chromium" --window-size=1440,1000 \
		--screenshot="$tmp/shot.png" "file://$tmp/a.html" >"$tmp/chromium.log" 2>&1
	check "headless Chromium renders it" test -s "$tmp/shot.png"
	python3 "$top/tests/png_probe.py" "$tmp/shot.png" >"$tmp/probe" 2>&1
	check "the screenshot is not blank" grep -qx 'blank no' "$tmp/probe"
	check "... shows a lane per CPU" grep -qx "lanes $ncpu" "$tmp/probe"
	check "... the failing step marked red in the lane of cpu$fcpu" \
		grep -qE "^marked $fcpu [0-9]+ [0-9]+$" "$tmp/probe"
	# The page's body margin is 16 pixels; the mark's centre is data-x.
	want=$(sed -n 's/.*id="violation"[^>]*data-x="\([0-9]*\)".*/\1/p' "$tmp/a.html")
	got=$(sed -n 's/^marked [0-9]* \([0-9]*\) .*/\1/p' "$tmp/probe")
	check "... where the page puts it (x $got, want $((want + 16)))" \
		test "${got:-0}" -ge $((want + 14)) -a "${got:-0}" -le $((want + 18))
	right=$(sed -n "s/^rightmost $fcpu //p" "$tmp/probe")
	check "... after every other event of its lane (right end $right)" \
		test "${right:-99999}" -le $((${got:-0} + 6))
fi

# The page of a replay, of a clean run, and errors.
"$MMTWIN" explore --no-save --no-progress -q -o "$tmp/tok" "$prog" >/dev/null 2>&1
"$MMTWIN" explore -q -o "$tmp/tok" -s dfs --delays 2 -n 0 "$prog" >/dev/null 2>&1
status 1 "replay --html" "$MMTWIN" replay -q --html "$tmp/r.html" --file "$tmp/tok/$prog.token"
check "... writes the same picture" grep -q 'id="violation"' "$tmp/r.html"
status 0 "explore --html of a clean program" \
	"$MMTWIN" explore --no-save --no-progress -q --html "$tmp/c.html" lost_update_fixed
check "... says it is clean, with no lanes" \
	sh -c "grep -q 'lost_update_fixed: clean' '$tmp/c.html' && ! grep -q 'class=\"lane\"' '$tmp/c.html'"
status 2 "--html into a directory that does not exist is refused" \
	"$MMTWIN" explore --no-save -q --html "$tmp/nodir/x.html" lost_update
check "... naming the file, leaving nothing" \
	sh -c "grep -q 'nodir/x.html' '$tmp/err' && [ ! -e '$tmp/nodir' ]"
