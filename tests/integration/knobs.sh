#!/bin/bash
# SPDX-License-Identifier: MIT
# Every knob, written through the mount as the tree's owner: the real
# interface file holds the converted value, and the knob reads back what
# was written.
. "$(dirname "$0")/../lib/lib.sh"

start_cgfs || exit 1
G=$ALICE/web
assert_op "root creates alice's tree" OK "$XOP" mkdir "$MNT/$ALICE"
assert_op "alice creates a group" OK as "$ALICE" "$XOP" mkdir "$MNT/$G"

# The kernel file behind a knob and the text it must hold after a write.
# This is the one place where v1 and v2 legitimately differ.
# kernel_expect KNOB VALUE -> "CTRL FILE EXPECTED"
MiB=1048576
kernel_expect() {
	local knob=$1 val=$2 v
	case $knob in
	memory_*) v=$(cg_version memory) ;;
	cpu_*) v=$(cg_version cpu) ;;
	cpus) v=$(cg_version cpuset) ;;
	pids_*) v=$(cg_version pids) ;;
	io_*) v=$(cg_version blkio) ;;
	esac
	case $knob:$v in
	memory_limit_mb:1) echo "memory memory.limit_in_bytes $val" ;;
	memory_limit_mb:2) echo "memory memory.max $val" ;;
	memory_high_mb:1) echo "memory memory.soft_limit_in_bytes $val" ;;
	memory_high_mb:2) echo "memory memory.high $val" ;;
	cpu_percent:1) echo "cpu cpu.cfs_quota_us $val" ;;
	cpu_percent:2) echo "cpu cpu.max $val" ;;
	cpu_weight:1) echo "cpu cpu.shares $val" ;;
	cpu_weight:2) echo "cpu cpu.weight $val" ;;
	cpus:*) echo "cpuset cpuset.cpus $val" ;;
	pids_max:*) echo "pids pids.max $val" ;;
	esac
}

# check_knob KNOB WRITTEN READBACK KERNEL_V1 KERNEL_V2
check_knob() {
	local knob=$1 in=$2 back=$3 k1=$4 k2=$5 exp ctrl file want got v
	if [ ! -e "$MNT/$G/$knob" ]; then
		not_ok "$knob is not listed although its controller is mounted"
		return
	fi
	exp=$(kernel_expect "$knob" "$k1")
	ctrl=${exp%% *}
	v=$(cg_version "$ctrl")
	[ "$v" = 2 ] && exp=$(kernel_expect "$knob" "$k2")
	read -r ctrl file want <<<"$exp"
	assert_op "$knob: alice writes '$in'" OK as "$ALICE" "$XOP" write "$MNT/$G/$knob" "$in"
	got=$(head -n 1 "$(real "$ctrl" "$G" "$file")")
	assert_eq "$knob '$in': real $file (v$v)" "$want" "$got"
	assert_eq "$knob '$in': reads back" "$back" "$(cat "$MNT/$G/$knob")"
}

V1MAX=9223372036854771712
check_knob memory_limit_mb 512 512 $((512 * MiB)) $((512 * MiB))
check_knob memory_limit_mb 512M 512 $((512 * MiB)) $((512 * MiB))
check_knob memory_limit_mb 1.5G 1536 $((1536 * MiB)) $((1536 * MiB))
check_knob memory_limit_mb 2G 2048 $((2048 * MiB)) $((2048 * MiB))
check_knob memory_limit_mb max max $V1MAX max
check_knob memory_limit_mb -1 max $V1MAX max
check_knob memory_high_mb 256 256 $((256 * MiB)) $((256 * MiB))
check_knob memory_high_mb max max $V1MAX max
check_knob cpu_percent 12.5 12.5 12500 "12500 100000"
check_knob cpu_percent 200 200 200000 "200000 100000"
check_knob cpu_percent 33.33 33.33 33330 "33330 100000"
check_knob cpu_percent max max -1 "max 100000"
check_knob cpu_weight 100 100 1024 100
check_knob cpu_weight 1 1 2 1
check_knob cpu_weight 10000 10000 262144 10000
# An independent oracle for the v1 curve: the largest shares whose weight
# is w (weight = ceil(10^((l^2 + 125 l)/612 - 7/34)), l = log2(shares)), so
# that 100 maps to the kernel's default 1024.
shares_for() {
	awk -v w="$1" 'function wt(s,  l) { l = log(s) / log(2)
		x = exp(((l * l + 125 * l) / 612 - 7 / 34) * log(10)) - 1e-9
		return (x == int(x)) ? x : int(x) + 1 }
		BEGIN { lo = 2; hi = 262144
		while (lo < hi) { m = int((lo + hi) / 2); if (wt(m) >= w + 1) hi = m; else lo = m + 1 }
		print (wt(lo) > w) ? lo - 1 : lo }'
}
for w in 250 5000 42; do check_knob cpu_weight $w $w "$(shares_for $w)" $w; done
check_knob pids_max 50 50 50 50
check_knob pids_max max max max max
# cgfs keeps the files it read and wrote open: a value changed in the real
# file is still what the next read shows, every time.
pm=$(cg_mount pids)/$BASE/$G/pids.max
for v in 11 max 12; do
	cat "$MNT/$G/pids_max" >/dev/null
	echo "$v" >"$pm"
	assert_eq "pids.max written directly ($v): the knob reads it" "$v" "$(cat "$MNT/$G/pids_max")"
done
ncpu=$(($(nproc) - 1))
check_knob cpus 0 0 0 0
if [ "$ncpu" -ge 1 ]; then check_knob cpus "0-$ncpu" "0-$ncpu" "0-$ncpu" "0-$ncpu"; fi

# Swap on top of memory: v1 keeps memsw = memory + swap, also when the
# memory limit changes afterwards.
if [ -e "$MNT/$G/memory_swap_limit_mb" ]; then
	as "$ALICE" "$XOP" write "$MNT/$G/memory_limit_mb" 512 >/dev/null
	assert_op "memory_swap_limit_mb: write 128" OK as "$ALICE" "$XOP" write "$MNT/$G/memory_swap_limit_mb" 128
	if [ "$(cg_version memory)" = 1 ]; then
		assert_eq "swap 128 on 512: real memsw" $((640 * MiB)) "$(cat "$(real memory "$G" memory.memsw.limit_in_bytes)")"
		as "$ALICE" "$XOP" write "$MNT/$G/memory_limit_mb" 1024 >/dev/null
		assert_eq "memory raised to 1024: memsw follows" $((1152 * MiB)) "$(cat "$(real memory "$G" memory.memsw.limit_in_bytes)")"
		as "$ALICE" "$XOP" write "$MNT/$G/memory_limit_mb" 256 >/dev/null
		assert_eq "memory lowered to 256: memsw follows" $((384 * MiB)) "$(cat "$(real memory "$G" memory.memsw.limit_in_bytes)")"
	else
		assert_eq "swap 128: real memory.swap.max" $((128 * MiB)) "$(cat "$(real memory "$G" memory.swap.max)")"
	fi
	assert_eq "memory_swap_limit_mb reads back" 128 "$(cat "$MNT/$G/memory_swap_limit_mb")"
	assert_op "memory_swap_limit_mb: write max" OK as "$ALICE" "$XOP" write "$MNT/$G/memory_swap_limit_mb" max
	assert_eq "memory_swap_limit_mb max reads back" max "$(cat "$MNT/$G/memory_swap_limit_mb")"
else
	echo "# SKIP memory_swap_limit_mb: this kernel has no swap accounting file (memory.memsw/memory.swap.max)"
fi

# io_weight: v1 blkio has 991 steps for 10000 weights, so only values on
# the v1 grid read back exactly there (documented in cgfs(5)).
if [ -e "$MNT/$G/io_weight" ]; then
	if [ "$(cg_version blkio)" = 1 ]; then
		f=blkio.bfq.weight
		[ -e "$(real blkio "$G" $f)" ] || f=blkio.weight
		for pair in 1:10 10000:1000 102:20 5051:510; do
			w=${pair%%:*} b=${pair##*:}
			assert_op "io_weight: write $w" OK as "$ALICE" "$XOP" write "$MNT/$G/io_weight" $w
			assert_eq "io_weight $w: real $f" "$b" "$(cat "$(real blkio "$G" $f)")"
			assert_eq "io_weight $w reads back" "$w" "$(cat "$MNT/$G/io_weight")"
		done
	else
		f=io.bfq.weight
		[ -e "$(real blkio "$G" $f)" ] || f=io.weight
		assert_op "io_weight: write 300" OK as "$ALICE" "$XOP" write "$MNT/$G/io_weight" 300
		assert_eq "io_weight 300: real $f" "default 300" "$(head -n 1 "$(real blkio "$G" $f)")"
		assert_eq "io_weight reads back" 300 "$(cat "$MNT/$G/io_weight")"
	fi
else
	echo "# SKIP io_weight: no blkio/io weight file on this kernel (no bfq and no blkio.weight)"
fi

# Read-only knobs: well-formed, and they refuse writes.
for k in memory_usage_mb memory_peak_mb pids_current; do
	[ -e "$MNT/$G/$k" ] || { echo "# SKIP $k: not provided by this kernel"; continue; }
	v=$(cat "$MNT/$G/$k")
	if [[ $v =~ ^[0-9]+$ ]]; then ok "$k reads an integer ($v)"; else not_ok "$k reads '$v'"; fi
	assert_op "$k refuses a write by alice" EACCES as "$ALICE" "$XOP" write "$MNT/$G/$k" 1
	assert_op "$k refuses a write by root" EACCES "$XOP" write "$MNT/$G/$k" 1
done
spawn "$ALICE"
as "$ALICE" "$XOP" write "$MNT/$G/procs" "$SPAWN" >/dev/null
assert_eq "pids_current counts the moved process" 1 "$(cat "$MNT/$G/pids_current")"
stat=$(cat "$MNT/$G/stat")
for key in cpu_user_seconds cpu_system_seconds memory_usage_mb memory_peak_mb oom_kills pids_current throttled_seconds populated; do
	if grep -Eq "^$key [0-9]+(\.[0-9]+)?$" <<<"$stat"; then ok "stat has $key"; else not_ok "stat lacks $key: $stat"; fi
done
assert_eq "stat: populated with a live process" "populated 1" "$(grep ^populated <<<"$stat")"
assert_eq "stat: pids_current" "pids_current 1" "$(grep ^pids_current <<<"$stat")"

# oom_kills counts the group's and its subgroups' (v1 counts a kill only
# in the victim's cgroup: the subgroup's .self leaf here).
OG=$G/oomer
assert_op "mkdir oomer" OK as "$ALICE" "$XOP" mkdir "$MNT/$OG"
assert_op "mkdir oomer/inner" OK as "$ALICE" "$XOP" mkdir "$MNT/$OG/inner"
as "$ALICE" "$XOP" write "$MNT/$OG/memory_limit_mb" 32 >/dev/null
[ -e "$MNT/$OG/memory_swap_limit_mb" ] &&
	as "$ALICE" "$XOP" write "$MNT/$OG/memory_swap_limit_mb" 0 >/dev/null
if [ -e "$MNT/$OG/memory_swap_limit_mb" ] ||
	[ "$(awk '/^SwapTotal:/ { print $2 }' /proc/meminfo)" = 0 ]; then
	as "$ALICE" sh -c 'echo $$ > "$1/procs" && exec dd if=/dev/zero of=/dev/null bs=128M count=1' \
		sh "$MNT/$OG/inner" 2>/dev/null
	assert_eq "a process over oomer's limit, in oomer/inner, is OOM-killed" 137 "$?"
	assert_eq "stat of oomer counts it" "oom_kills 1" "$(grep ^oom_kills "$MNT/$OG/stat")"
	assert_eq "stat of oomer/inner counts it" "oom_kills 1" "$(grep ^oom_kills "$MNT/$OG/inner/stat")"
	assert_eq "stat of their parent counts it too" "oom_kills 1" \
		"$(grep ^oom_kills "$MNT/$G/stat")"
else
	echo "# SKIP oom_kills: this machine has swap and no swap limit, so a process over its limit swaps"
	not_ok "oom_kills cannot be tested here"
fi
assert_op "rmdir oomer/inner" OK as "$ALICE" "$XOP" rmdir "$MNT/$OG/inner"
assert_op "rmdir oomer" OK as "$ALICE" "$XOP" rmdir "$MNT/$OG"

# cgfs keeps interface files open between requests (a thread's last few);
# every thread's of a removed group are closed before the rmdir is
# answered, so the kernel can free the group (a memory cgroup stays until
# its files close). Read in parallel, so that several threads keep some.
assert_op "mkdir kept" OK as "$ALICE" "$XOP" mkdir "$MNT/$ALICE/kept"
for i in $(seq 1 30); do cat "$MNT/$ALICE/kept/memory_limit_mb" "$MNT/$ALICE/kept/pids_max" >/dev/null; done
readers=()
for j in 1 2 3 4; do
	for i in $(seq 1 20); do cat "$MNT/$ALICE/kept/memory_limit_mb" "$MNT/$ALICE/kept/pids_max" >/dev/null; done &
	readers+=($!)
done
wait "${readers[@]}"
S=$(server_pid)
open_in() { ls -l "/proc/$S/fd" 2>/dev/null | grep -c "/$BASE/$ALICE/kept/"; }
n=$(open_in)
[ "$n" -gt 0 ] && ok "the server keeps kept's files open ($n)" || not_ok "no file of kept is kept open"
assert_op "rmdir kept" OK as "$ALICE" "$XOP" rmdir "$MNT/$ALICE/kept"
assert_eq "...and closes them once the group is removed" 0 "$(open_in)"
