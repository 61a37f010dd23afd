# test_kernel_env.sh - `mmtwin kernel-env` turns zram swap and THP modes on
# only for the command it runs, and /proc/swaps, the zram device and every
# THP mode file are as they were afterwards: after success, failure, a
# missing command, SIGTERM, SIGINT and SIGKILL midway (the watchdog).
# Without root or a free zram device the kernel checks report themselves
# skipped, with the reason.
. tests/cli/tap.sh
echo "1..28"

thp=/sys/kernel/mm/transparent_hugepage
state() {
	cat /proc/swaps
	for f in /sys/block/zram0/initstate /sys/block/zram0/disksize "$thp"/enabled \
		"$thp"/defrag "$thp"/hugepages-*/enabled; do
		[ -r "$f" ] && echo "$f: $(cat "$f")"
	done
}
same() {
	state >"$tmp/now"
	cmp -s "$tmp/before" "$tmp/now"
}
# wait_for COMMAND...: up to 10 s for COMMAND to succeed
wait_for() {
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}
zram_swap() {
	grep -q '^/dev/zram0 ' /proc/swaps
}

status 0 "kernel-env --help" "$MMTWIN" kernel-env --help
check "... documents --swap, --thp and --mthp" \
	sh -c "grep -q -- '--swap ' '$tmp/out' && grep -q -- '--thp MODE' '$tmp/out' && grep -q -- '--mthp SIZE=MODE' '$tmp/out'"
status 2 "no command is a usage error" "$MMTWIN" kernel-env --swap
status 2 "--thp of an unknown mode is refused" "$MMTWIN" kernel-env --thp sometimes -- true
check "... naming it" grep -q '"sometimes" is not always, madvise or never' "$tmp/err"
status 2 "--mthp that is not SIZE=MODE is refused" "$MMTWIN" kernel-env --mthp 64K -- true
status 2 "an unknown option is refused" "$MMTWIN" kernel-env --swapp -- true
status 0 "without changes it just runs the command" "$MMTWIN" kernel-env -- true

if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	status 77 "not root: skipped" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$MMTWIN" kernel-env --swap -- true
	check "... with the reason" grep -q 'skipped: not root' "$tmp/err"
else
	for d in "not root: skipped" "... with the reason"; do
		n=$((n + 1))
		echo "ok $n - $d # SKIP needs root and setpriv to drop it"
	done
fi

why=""
[ "$(id -u)" = 0 ] || why="not root"
[ -z "$why" ] && [ ! -e /sys/block/zram0/disksize ] && why="no zram device"
[ -z "$why" ] && { zram_swap || [ "$(cat /sys/block/zram0/initstate)" = 1 ]; } && \
	why="zram0 is in use"
if [ -n "$why" ]; then
	while [ $n -lt 28 ]; do
		n=$((n + 1))
		echo "ok $n - kernel case # SKIP $why"
	done
	exit 0
fi

state >"$tmp/before"
status 0 "swap, THP and mTHP on for the command" "$MMTWIN" kernel-env --swap --swap-size 64 \
	--thp always --mthp 64K=always -- sh -c \
	"grep -q '^/dev/zram0 ' /proc/swaps && grep -q '\[always\]' $thp/enabled && grep -q '\[always\]' $thp/hugepages-64kB/enabled"
check "... and all put back after it" same

status 3 "a failing command's status is kept" "$MMTWIN" kernel-env --swap --thp never -- sh -c 'exit 3'
check "... and all put back" same

status 127 "a missing command" "$MMTWIN" kernel-env --swap -- /nonexistent/cmd
check "... and all put back" same

status 77 "a second run while zram is in use is skipped" \
	"$MMTWIN" kernel-env --swap -- "$MMTWIN" kernel-env --swap -- true
check "... saying why" grep -q 'skipped: zram0 is in use' "$tmp/err"
check "... and all put back" same

# Interrupted midway: SIGTERM, SIGINT (the command gets it too), SIGKILL.
for sig in TERM:15 INT:2; do
	num=${sig#*:}
	sig=${sig%:*}
	"$MMTWIN" kernel-env --swap --thp never -- sleep 30 >/dev/null 2>&1 &
	pid=$!
	check "SIG$sig midway: swap was on" wait_for zram_swap
	kill -$sig $pid
	wait $pid
	got=$?
	want=$((128 + num))
	check "... the run ends with $want ($got)" test "$got" -eq "$want"
	check "... and all is put back" same
done

"$MMTWIN" kernel-env --swap --thp never -- sleep 31 >/dev/null 2>&1 &
pid=$!
check "SIGKILL midway: swap was on" wait_for zram_swap
kill -KILL $pid
wait $pid 2>/dev/null
check "... the watchdog puts all back" wait_for same
pkill -f '^sleep 31$' 2>/dev/null
check "... the zram device is reset" test "$(cat /sys/block/zram0/initstate)" = 0
