# test_scenario_docs.sh - every example of docs/SCENARIOS.md, run.  Each
# ```mmt block is a complete scenario file: it must pass `check` and `run`,
# and a short exhaustive `explore`, unless the HTML comment line before it
# says otherwise:
#   <!-- example: check exits 2 -->    a malformed file (the error as file:line:col:)
#   <!-- example: run exits 1 -->      a finding already in the sequential run
#   <!-- example: explore exits 1 -->  run is clean, exploring finds something
# Also: every operation of the tables in src/scenario/ops*.c and every header
# directive appears in at least one example.
. tests/cli/tap.sh

doc=docs/SCENARIOS.md
ops="src/scenario/ops.c src/scenario/ops_uffd.c"
directives="scenario summary cpus memory swap thp uffd_move revert expect"

# ---- extraction: $tmp/exNNN.mmt, its marker (.want) and its line (.line) ----
awk -v dir="$tmp" '
	function name(n) { return sprintf("%s/ex%03d", dir, n) }
	inblk && /^```[ \t]*$/ { inblk = 0; close(file); next }
	inblk { print > file; next }
	/^```mmt[ \t]*$/ {
		n++
		file = name(n) ".mmt"
		printf "%s", marker > (name(n) ".want")
		close(name(n) ".want")
		print NR > (name(n) ".line")
		close(name(n) ".line")
		printf "" > file
		marker = ""
		inblk = 1
		next
	}
	/^<!-- example: .* -->[ \t]*$/ {
		m = $0
		sub(/^<!-- example: /, "", m)
		sub(/ -->[ \t]*$/, "", m)
		marker = marker m ";"
		next
	}
	/^[ \t]*$/ { next }
	{ marker = "" }
	END { if (inblk) { print "unterminated ```mmt block" > "/dev/stderr"; exit 1 } }
' "$doc" 2>"$tmp/extract.err"
extract_rc=$?

# The operations of opdefs[] (the first quoted word of each entry).
sed -n '/^const struct scen_opdef scen_[a-z]*_opdefs\[\] = {/,/^};/p' $ops |
	sed -n 's/^[[:space:]]*{ "\([a-z_]*\)",.*/\1/p' >"$tmp/ops"

# ---- the plan ----------------------------------------------------------------
steps() {
	# steps MARKER: how many TAP lines one example gives
	case $1 in
	"check exits 2;") echo 2 ;;
	"run exits 1;") echo 2 ;;
	*) echo 3 ;;
	esac
}
nex=0
total=1
for f in "$tmp"/ex*.mmt; do
	[ -f "$f" ] || continue
	nex=$((nex + 1))
	total=$((total + $(steps "$(cat "${f%.mmt}.want")")))
done
nops=$(wc -l <"$tmp/ops")
ndir=0
for d in $directives; do ndir=$((ndir + 1)); done
total=$((total + nops + ndir))
echo "1..$total"

has_examples() {
	[ "$extract_rc" -eq 0 ] && [ "$nex" -gt 0 ] && [ "$nops" -gt 0 ]
}
check "$doc: $nex examples, every \`\`\`mmt block closed, $nops operations in $ops" has_examples

# ---- each example --------------------------------------------------------------
st() {
	# st EXPECTED DESCRIPTION COMMAND...: status, and on failure the end of stdout
	before=$fails
	status "$@"
	[ "$fails" -eq "$before" ] || sed 's/^/# /' "$tmp/out" | tail -n 5
}
error_format() {
	# error_format FILE: the first line of stderr is FILE:LINE:COL: message
	case $(head -n 1 "$tmp/err") in
	"$1":[0-9]*:[0-9]*:\ ?*) return 0 ;;
	esac
	return 1
}
for f in "$tmp"/ex*.mmt; do
	[ -f "$f" ] || continue
	want=$(cat "${f%.mmt}.want")
	line=$(cat "${f%.mmt}.line")
	name=$(sed -n 's/^[[:space:]]*scenario[[:space:]]\{1,\}\([A-Za-z0-9_]*\).*/\1/p' "$f" | head -n 1)
	what="example at $doc:$line (${name:-unnamed})"
	case $want in
	"check exits 2;")
		st 2 "$what: check exits 2" "$MMTWIN" check "$f"
		check "$what: the error reads file:line:col: message" error_format "$f"
		;;
	"run exits 1;")
		st 0 "$what: check" "$MMTWIN" check "$f"
		st 1 "$what: run exits 1" "$MMTWIN" run -q "$f"
		;;
	"explore exits 1;")
		st 0 "$what: check" "$MMTWIN" check "$f"
		st 0 "$what: run" "$MMTWIN" run -q "$f"
		st 1 "$what: explore exits 1" "$MMTWIN" explore -s dfs -p 1 -n 2000 \
			--no-save --no-progress -q "$f"
		;;
	"")
		st 0 "$what: check" "$MMTWIN" check "$f"
		st 0 "$what: run" "$MMTWIN" run -q "$f"
		st 0 "$what: explore" "$MMTWIN" explore -s dfs -p 1 -n 2000 \
			--no-save --no-progress -q "$f"
		;;
	*)
		check "$what: unknown marker \"$want\"" false
		check "$what: unknown marker" false
		check "$what: unknown marker" false
		;;
	esac
done

# ---- coverage: every operation, every directive ---------------------------------
# Each example's header directives ("H word") and operations ("O word").
for f in "$tmp"/ex*.mmt; do
	[ -f "$f" ] || continue
	awk '
		{ sub(/#.*/, "") }
		/^[ \t]*$/ { next }
		/^[ \t]*(setup|final)[ \t]*:/ || /^[ \t]*cpu[ \t]+[0-9]+/ { inblk = 1; next }
		!inblk { print "H " $1; next }
		{
			sub(/->.*/, "")
			gsub(/=/, " = ")
			n = split($0, w, /[ \t]+/)
			i = (w[1] == "") ? 2 : 1
			print "O " (w[i + 1] == "=" ? w[i + 2] : w[i])
		}
	' "$f"
done >"$tmp/used"
for op in $(cat "$tmp/ops"); do
	check "operation $op appears in an example" grep -qx "O $op" "$tmp/used"
done
for d in $directives; do
	check "directive $d appears in an example" grep -qx "H $d" "$tmp/used"
done
[ "$fails" -eq 0 ]
