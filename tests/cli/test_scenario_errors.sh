# test_scenario_errors.sh - every error message of the scenario parser, as
# `mmtwin check` gives it: one malformed file per message and situation
# (tests/scenarios/bad/*.mmt, whose first line is `# error: LINE:COL: MESSAGE`),
# a file for every entry of scen_errors[] (src/scenario/errors.c), and inputs
# that must be refused cleanly (exit 2, one `file:line:col: message` line),
# never crash or hang: too big, empty, NUL bytes, binary, very long lines and
# more operations, names, CPUs or words than the parser takes.
. tests/cli/tap.sh

bad=tests/scenarios/bad
tab=$(printf '\t')
# A hang is a failure too (coreutils `timeout`, when there is one).
to=
if command -v timeout >/dev/null 2>&1; then
	to="timeout 120"
fi

# slug<TAB>message format, one line per entry of scen_errors[].
awk '
function flush() { if (slug != "") print slug "\t" fmt; slug = ""; fmt = "" }
/scen_errors\[\] = \{/ { on = 1; next }
on && /^};/ { flush(); on = 0; next }
on {
	if ($0 ~ /\[E_[A-Z_]*\]/) { flush(); first = 1 }
	line = $0
	while (match(line, /"[^"]*"/)) {
		s = substr(line, RSTART + 1, RLENGTH - 2)
		if (first) { slug = s; first = 0 } else fmt = fmt s
		line = substr(line, RSTART + RLENGTH)
	}
}' src/scenario/errors.c >"$tmp/slugs"

nfiles=0
for f in "$bad"/*.mmt; do
	[ -f "$f" ] && nfiles=$((nfiles + 1))
done
nslugs=$(grep -c . "$tmp/slugs")
nrobust=14
echo "1..$((nfiles + nslugs + 1 + nrobust))"

pass() {
	n=$((n + 1))
	echo "ok $n - $1"
}
fail() {
	n=$((n + 1))
	echo "not ok $n - $1"
	fails=$((fails + 1))
}

# run_check FILE: `mmtwin check FILE`; its status in $got, stderr in $tmp/err.
run_check() {
	$to "$MMTWIN" check "$1" </dev/null >"$tmp/out" 2>"$tmp/err"
	got=$?
}

# read_err: the lines of stderr in $lines, the last in $err (no subshells:
# this runs a few hundred times).
read_err() {
	lines=0
	err=
	while IFS= read -r l; do
		lines=$((lines + 1))
		err=$l
	done <"$tmp/err"
}

# refused DESC FILE EXPECTED: exit 2 and stderr exactly EXPECTED (one line).
refused() {
	run_check "$2"
	read_err
	if [ "$got" -eq 2 ] && [ "$lines" -eq 1 ] && [ "$err" = "$3" ]; then
		pass "$1"
	else
		fail "$1 (exit $got; expected 2 and the message below)"
		echo "#   expected: $3"
		head -c 2000 "$tmp/err" | head -n 5 | sed 's/^/#   got:      /'
	fi
}

# refused_somehow DESC FILE: exit 2 and one `FILE:LINE:COL: message` line.
refused_somehow() {
	run_check "$2"
	if [ "$got" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -q "^$2:[1-9][0-9]*:[1-9][0-9]*: ." "$tmp/err"; then
		pass "$1: $(cut -c 1-100 "$tmp/err" | sed "s|^$2:||")"
	else
		fail "$1 (exit $got, expected 2 and one file:line:col: message)"
		head -c 2000 "$tmp/err" | head -n 5 | sed 's/^/#   got: /'
	fi
}

# name<TAB>slug<TAB>pattern for each corpus file: its slug is the longest one
# that its name is, or starts with followed by '_'; the pattern is the slug's
# message format with each % conversion as `*` (empty: no such slug).
for f in "$bad"/*.mmt; do
	[ -f "$f" ] && basename "$f" .mmt
done | awk -F "$tab" '
FNR == NR { fmt[$1] = $2; next }
{
	best = ""
	for (s in fmt)
		if (($0 == s || substr($0, 1, length(s) + 1) == s "_") && length(s) > length(best))
			best = s
	pat = fmt[best]
	gsub(/[*?]|\[|\]/, "?", pat)
	gsub(/%ll[du]|%[sdu]/, "*", pat)
	print $0 "\t" best "\t" pat
}' "$tmp/slugs" - >"$tmp/files"

# ---- the corpus: one check per file -------------------------------------------
while IFS="$tab" read -r name slug pat; do
	f=$bad/$name.mmt
	first=
	IFS= read -r first <"$f" || :
	want=${first#\# error: }
	msg=${want#*: }
	if [ "$want" = "$first" ]; then
		fail "$name: the first line is not \`# error: LINE:COL: MESSAGE\`"
		continue
	fi
	if [ -z "$slug" ]; then
		fail "$name: the name starts with no message's slug"
		continue
	fi
	# shellcheck disable=SC2254
	case $msg in
	$pat) ;;
	*)
		fail "$name: the expected message is not the message of slug '$slug'"
		echo "#   message: $msg"
		echo "#   format:  $pat"
		continue
		;;
	esac
	refused "$name: $msg" "$f" "$f:$want"
done <"$tmp/files"

# ---- every message has a file ---------------------------------------------------
while IFS="$tab" read -r s _; do
	if [ "$s" = too_big ]; then
		pass "too_big: generated below (a file over 1 MiB is not committed)"
	else
		k=$(awk -F "$tab" -v s="$s" '$2 == s' "$tmp/files" | wc -l)
		if [ "$k" -gt 0 ]; then
			pass "$s: $k corpus file(s)"
		else
			fail "$s: no corpus file ($bad/$s.mmt or $bad/${s}_*.mmt)"
		fi
	fi
done <"$tmp/slugs"

orphans=$(awk -F "$tab" '$2 == "" { printf " %s", $1 }' "$tmp/files")
if [ -z "$orphans" ]; then
	pass "every corpus file is named after a message's slug"
else
	fail "corpus files named after no slug:$orphans"
fi

# ---- generated inputs ---------------------------------------------------------------
# pad N CHAR: N bytes of CHAR (as tr takes it: a, '\000', '\n').
pad() {
	dd if=/dev/zero bs="$1" count=1 2>/dev/null | tr '\000' "$2"
}
max=1048576	# SCEN_MAX_FILE

# A valid scenario padded with a comment to exactly 1 MiB is taken; one
# byte more is refused before anything is parsed.
top='scenario edge
cpu 0:
#'
{ printf '%s' "$top"; pad $((max - ${#top})) '#'; } >"$tmp/edge.mmt"
run_check "$tmp/edge.mmt"
if [ "$got" -eq 0 ] && [ "$(wc -c <"$tmp/edge.mmt")" -eq "$max" ]; then
	pass "a valid file of exactly 1 MiB is taken"
else
	fail "a valid file of exactly 1 MiB is taken (exit $got)"
	sed 's/^/#   /' "$tmp/err" | head -n 3
fi
{ printf '%s' "$top"; pad $((max + 1 - ${#top})) '#'; } >"$tmp/too_big.mmt"
refused "too_big: one byte over 1 MiB" "$tmp/too_big.mmt" \
	"$tmp/too_big.mmt:1:1: the file is larger than $max bytes"

: >"$tmp/empty.mmt"
refused "an empty file" "$tmp/empty.mmt" \
	"$tmp/empty.mmt:1:1: expected \`scenario NAME\` first, got the end of the file"

pad 4096 '\000' >"$tmp/nul.mmt"
refused "4096 NUL bytes" "$tmp/nul.mmt" "$tmp/nul.mmt:1:1: unexpected character byte 0x00"

# Binary: 4096 bytes of a fixed pseudo-random sequence (every byte value).
binary() {
	awk 'BEGIN { x = 7; for (i = 0; i < 4096; i++) { x = (x * 75 + 74) % 65537; printf "\\%03o", x % 256 } }'
}
esc=$(binary)
# shellcheck disable=SC2059
printf "$esc" >"$tmp/binary.mmt"
refused_somehow "4096 bytes of binary" "$tmp/binary.mmt"
# shellcheck disable=SC2059
{ printf 'scenario binary\nsetup:\n'; printf "$esc"; } >"$tmp/binary2.mmt"
refused_somehow "a header, then binary" "$tmp/binary2.mmt"

{ printf 'scenario '; pad 200000 a; printf '\ncpu 0:\n'; } >"$tmp/longword.mmt"
refused "a 200000-byte word" "$tmp/longword.mmt" \
	"$tmp/longword.mmt:1:10: \`$(pad 57 a)...\` cannot be a name (a letter or '_', then letters, digits or '_'; at most 63)"

{ printf 'scenario longline\n'; pad 500000 ' '; printf '@\n'; } >"$tmp/longline.mmt"
refused "a character after 500000 blanks" "$tmp/longline.mmt" \
	"$tmp/longline.mmt:2:500001: unexpected character '@'"

pad 100000 '\n' >"$tmp/blank.mmt"
refused "100000 blank lines" "$tmp/blank.mmt" \
	"$tmp/blank.mmt:1:1: expected \`scenario NAME\` first, got the end of the file"

# 5000 operations: the 4097th (mmap, then 4096 writes) is refused.
awk 'BEGIN { print "scenario many_ops"; print "setup:"; print "    a = mmap 1p";
	print "cpu 0:"; for (i = 0; i < 5000; i++) print "    write a " i }' >"$tmp/ops.mmt"
refused "5000 operations" "$tmp/ops.mmt" \
	"$tmp/ops.mmt:4100:5: too many operations (at most 4096)"

# 300 names: `main` and 255 more fit.
awk 'BEGIN { print "scenario many_names"; print "setup:";
	for (i = 1; i <= 300; i++) print "    n" i " = mmap 1p"; print "cpu 0:" }' >"$tmp/names.mmt"
refused "300 names" "$tmp/names.mmt" "$tmp/names.mmt:258:5: too many names (at most 256)"

awk 'BEGIN { print "scenario many_cpus"; for (i = 0; i < 17; i++) print "cpu " i ":" }' \
	>"$tmp/cpus.mmt"
refused "17 cpu blocks" "$tmp/cpus.mmt" \
	"$tmp/cpus.mmt:18:5: a CPU number: \`16\` is out of range (0 to 15)"

# 100 words: a = mmap 1p, then 96 times rw; the 65th word is at column 197.
awk 'BEGIN { print "scenario many_words"; print "setup:"; s = "    a = mmap 1p";
	for (i = 0; i < 96; i++) s = s " rw"; print s; print "cpu 0:" }' >"$tmp/words.mmt"
refused "a line of 100 words" "$tmp/words.mmt" \
	"$tmp/words.mmt:3:197: more than 64 words on one line"

# 64 words, the last `->`: the result is missing (the parser looks one token
# past the end of the line there).
awk 'BEGIN { print "scenario full_line"; print "setup:"; print "    a = mmap 1p";
	print "    u = userfaultfd"; s = "    register u a";
	for (i = 0; i < 60; i++) s = s " missing"; print s " ->"; print "cpu 0:" }' >"$tmp/full.mmt"
refused "64 words ending in ->" "$tmp/full.mmt" \
	"$tmp/full.mmt:5:500: expected a result, got the end of the line"

[ "$fails" -eq 0 ]
