# test_kernel_run.sh - `mmtwin run --kernel` runs a scenario on this
# machine's kernel with the log lines of `mmtwin run`; on the corpus in
# scenarios/kernel/ every operation gives the same result on both; what
# cannot run there is skipped (77) with the reason, once.
. tests/cli/tap.sh
echo "1..31"

top=$(pwd)
# The operations and results of a log, without the addresses the two sides
# choose for themselves ("(a = 0x..., N bytes)").
results() {
	grep -E '^  (setup|cpu[0-9]+|final) ' "$1" | sed 's/  (.* = 0x[0-9a-f]*, [0-9]* bytes)$//'
}

# As root, the runs below get the model's THP settings ("madvise", no mTHP)
# whatever the machine's are; as another user they must already be so.
asmodel() {
	if [ "$(id -u)" = 0 ]; then
		"$MMTWIN" kernel-env --thp madvise -- "$@"
	else
		"$@"
	fi
}
status 0 "run --kernel of a scenario" asmodel "$MMTWIN" run --kernel "$top/scenarios/mm/fault_same_page.mmt"
check "... says it ran on the kernel" grep -q "one sequential execution on the kernel (Linux " "$tmp/out"
check "... with a log line per operation" sh -c "[ \$(grep -c '^  cpu[01] ' '$tmp/out') -eq 4 ]"
check "... and the outcome" grep -q "^fault_same_page: every result on the kernel as the file expects" "$tmp/out"

# The corpus: the same results on the model and on the kernel, with the
# machine set as the model is (THP "madvise", no mTHP; zram swap for the one
# that swaps) when root can set it.
root=no
[ "$(id -u)" = 0 ] && root=yes
zram=no
[ $root = yes ] && [ -e /sys/block/zram0/disksize ] && ! grep -q '^/dev/zram0 ' /proc/swaps && zram=yes
for f in anon_faults anon_thp anon_swap; do
	file=$top/scenarios/kernel/$f.mmt
	"$MMTWIN" run "$file" >"$tmp/model" 2>&1
	env="--thp madvise"
	[ $f = anon_swap ] && env="$env --swap"
	skip=""
	[ $root = no ] && skip="needs root to set THP (and swap)"
	[ $f = anon_swap ] && [ $zram = no ] && skip="needs root and a free zram0 for swap"
	if [ -n "$skip" ]; then
		for d in "runs on the kernel" "... with the model's results"; do
			n=$((n + 1))
			echo "ok $n - $f: $d # SKIP $skip"
		done
		continue
	fi
	# shellcheck disable=SC2086
	status 0 "$f: runs on the kernel (kernel-env $env)" \
		"$MMTWIN" kernel-env $env -- "$MMTWIN" run --kernel "$file"
	results "$tmp/out" >"$tmp/k"
	results "$tmp/model" >"$tmp/m"
	check "$f: ... with the model's results, operation by operation ($(wc -l <"$tmp/k") lines)" \
		sh -c "[ -s '$tmp/k' ] && cmp -s '$tmp/k' '$tmp/m'"
done

printf 'scenario wrong\nsetup:\n    a = mmap 1p\n    write a 1\ncpu 0:\n    read a -> 2\n' >"$tmp/wrong.mmt"
status 1 "a result the file does not expect" asmodel "$MMTWIN" run --kernel "$tmp/wrong.mmt"
check "... is named with file:line:col" grep -q "wrong.mmt:6:5: got 1, not what the line expects" "$tmp/out"

status 77 "userfaultfd does not run on the kernel yet: skipped" \
	"$MMTWIN" run --kernel uffd_move_swapcache
check "... saying which line, once" sh -c "[ \$(grep -c 'skipped: not runnable on the kernel: line 32: .uffd = userfaultfd. does not run on the kernel yet' '$tmp/out') -eq 1 ]"
status 77 "an operation only the model has: skipped" "$MMTWIN" run --kernel migrate_vs_write
check "... saying so" grep -q "reaches into the model; user space cannot do it" "$tmp/out"
if grep -q '^/' /proc/swaps; then
	n=$((n + 1)); echo "ok $n - swap not on: skipped # SKIP this machine has swap on"
	n=$((n + 1)); echo "ok $n - ... # SKIP this machine has swap on"
else
	status 77 "a scenario that swaps, without swap on: skipped" \
		"$MMTWIN" run --kernel "$top/scenarios/kernel/anon_swap.mmt"
	check "... naming the command that turns it on" grep -q "run it under .mmtwin kernel-env --swap." "$tmp/out"
fi
status 2 "--revert does not apply to the kernel" \
	"$MMTWIN" run --kernel --revert 13ddaf26be32 swapin_skip_swapcache_race

# mmtwin diff: the same comparison, done by the command.
status 0 "diff --help" "$MMTWIN" diff --help
if [ $zram = yes ]; then
	status 0 "diff of the corpus (under kernel-env --thp madvise --swap)" \
		"$MMTWIN" kernel-env --thp madvise --swap -- "$MMTWIN" diff "$top"/scenarios/kernel/*.mmt
	check "... agrees on every operation of each" \
		sh -c "[ \$(grep -c ': the model and the kernel (Linux .*) agree on all [0-9]* operations' '$tmp/out') -eq $(ls "$top"/scenarios/kernel/*.mmt | wc -l) ]"
else
	for d in "diff of the corpus" "... agrees on every operation of each"; do
		n=$((n + 1))
		echo "ok $n - $d # SKIP needs root and a free zram0"
	done
fi
# A real difference: the model's physical memory is a scenario setting
# (4M here), the kernel's is the machine's; past it the model cannot
# fault a page in.
{
	printf 'scenario small\nmemory 4M\nsetup:\n    a = mmap 8M\n    madvise a nohugepage\ncpu 0:\n'
	i=0
	while [ $i -lt 1100 ]; do
		echo "    write a+${i}p $i -> any"
		i=$((i + 1))
	done
} >"$tmp/small.mmt"
status 1 "diff of a scenario that outgrows the model's memory" asmodel "$MMTWIN" diff "$tmp/small.mmt"
check "... names the first operation that differs" grep -q "^small: the model and the kernel differ at operation 51[0-9] of " "$tmp/out"
check "... shows it, and both sides in two columns" \
	sh -c "grep -q 'write a+5[01][0-9]p 5[01][0-9] -> any' '$tmp/out' && grep -qE '^    model: +kernel:' '$tmp/out' && grep -qE '^    \(stopped before it\) +ok' '$tmp/out'"
check "... and why the model stopped" grep -q "the model stopped: FOUND livelock" "$tmp/out"
status 0 "diff of a scenario that cannot run on the kernel: skipped" "$MMTWIN" diff uffd_move_swapcache
check "... with the reason" grep -q "^uffd_move_swapcache: skipped: not runnable on the kernel: line 32" "$tmp/out"
status 2 "diff of a row with a fix reverted is refused" "$MMTWIN" diff swapin_skip_swapcache_race~13ddaf26be32
check "... saying the kernel runs as it is" grep -q "the kernel runs as it is" "$tmp/err"
status 2 "diff without a scenario" "$MMTWIN" diff
