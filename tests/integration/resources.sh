#!/bin/bash
# SPDX-License-Identifier: MIT
# The knobs of systemd's other simple resource controls (cgfs(5)):
# memory_low_mb, memory_min_mb and memory_zswap_limit_mb (v2 only),
# cpu_period_us, cpu_burst_percent and mems. Written through the mount by
# the tree's owner: the real file holds the converted value, the knob
# reads back what was written, a bad value changes nothing, a knob whose
# file this kernel lacks is absent (and the test says which), and the
# caps of cgfs.conf land at the tree root, root's.
. "$(dirname "$0")/../lib/lib.sh"

cat >"$CONF" <<CFG
[defaults]
memory_low_mb = 64
memory_min_mb = 32
memory_zswap_limit_mb = 128
cpu_percent = 50
cpu_period_us = 50000
cpu_burst_percent = 10
mems = 0
CFG
start_cgfs -o "config=$CONF" || exit 1
assert_op "root creates alice's tree (with the caps)" OK "$XOP" mkdir "$MNT/$ALICE"
G=$ALICE/web
assert_op "alice creates a group" OK as "$ALICE" "$XOP" mkdir "$MNT/$G"
MiB=1048576
MEMV=$(cg_version memory)
CPUV=$(cg_version cpu)
SETV=$(cg_version cpuset)

listed() { ls "$MNT/$G" | grep -qx "$1"; }

# absent KNOB WHY: not listed, and every way to reach it is ENOENT.
absent() {
	local k=$1
	echo "# $k is absent: $2"
	if listed "$k"; then not_ok "$k is listed"; else ok "$k is not listed"; fi
	assert_op "$k: stat" ENOENT "$XOP" stat "$MNT/$G/$k"
	assert_op "$k: read" ENOENT as "$ALICE" "$XOP" read "$MNT/$G/$k"
	assert_op "$k: write" ENOENT as "$ALICE" "$XOP" write "$MNT/$G/$k" 64
	assert_op "$k: create" EPERM as "$ALICE" "$XOP" create "$MNT/$G/$k"
}

# present KNOB: listed, mode 0644, alice's.
present() {
	if listed "$1"; then ok "$1 is listed"; else not_ok "$1 is not listed"; return 1; fi
	assert_eq "$1: mode and owner" "644 $ALICE" "$(stat -c '%a %U' "$MNT/$G/$1")"
}

# set_ok KNOB VALUE CTRL FILE WANT READBACK: alice writes VALUE; the real
# FILE of the group holds WANT (its first line), the knob READBACK.
set_ok() {
	local k=$1 in=$2 ctrl=$3 file=$4 want=$5 back=$6
	assert_op "$k: alice writes '$in'" OK as "$ALICE" "$XOP" write "$MNT/$G/$k" "$in"
	assert_eq "$k '$in': real $file" "$want" "$(head -n 1 "$(real "$ctrl" "$G" "$file")")"
	assert_eq "$k '$in': reads back" "$back" "$(cat "$MNT/$G/$k")"
}

# set_bad KNOB ERRNO VALUE...: each refused with ERRNO, and the knob reads
# what it read; none of them changed anything, in any hierarchy (one
# snapshot around them all: a guest takes a second for each).
NL=$'\n'
set_bad() {
	local k=$1 want=$2 v before was
	shift 2
	before=$(snapshot)
	was=$(cat "$MNT/$G/$k")
	for v in "$@"; do
		assert_op "$k '$v' -> $want" "$want" as "$ALICE" "$XOP" write "$MNT/$G/$k" "$v"
		assert_eq "$k '$v': still reads $was" "$was" "$(cat "$MNT/$G/$k")"
	done
	assert_eq "$k: none of '$*' changed anything" "$before" "$(snapshot)"
}

# ---- memory protection and zswap: v2 files, no v1 equivalent

echo "# kernel $(uname -r); memory controller on v$MEMV, cpu on v$CPUV, cpuset on v$SETV"
for pair in memory_low_mb:memory.low memory_min_mb:memory.min; do
	k=${pair%%:*} f=${pair#*:}
	if [ "$MEMV" = 1 ]; then
		absent "$k" "v1 has no $f and no equivalent"
		continue
	fi
	# Every v2 kernel cgfs runs on (4.18 and later) has both files.
	present "$k" || continue
	assert_eq "$k: a new group is unprotected" 0 "$(cat "$MNT/$G/$k")"
	set_ok "$k" 64 memory "$f" $((64 * MiB)) 64
	set_ok "$k" 1.5G memory "$f" $((1536 * MiB)) 1536
	set_ok "$k" max memory "$f" max max
	set_ok "$k" -1 memory "$f" max max
	set_ok "$k" 0 memory "$f" 0 0
	set_ok "$k" 100M memory "$f" $((100 * MiB)) 100
	set_bad "$k" EINVAL "$NL" abc 64MB "1 2" 1e3 0x10 -5 +5
	set_bad "$k" ERANGE 99999999999T
done

k=memory_zswap_limit_mb
if [ "$MEMV" = 1 ]; then
	absent $k "v1 has no memory.zswap.max"
elif [ ! -e "$(real memory "$G" memory.zswap.max)" ]; then
	absent $k "kernel $(uname -r) has no memory.zswap.max (no CONFIG_ZSWAP, or before 5.19)"
elif present $k; then
	assert_eq "$k: a new group's" max "$(cat "$MNT/$G/$k")"
	set_ok $k 256 memory memory.zswap.max $((256 * MiB)) 256
	set_ok $k 0 memory memory.zswap.max 0 0
	set_ok $k max memory memory.zswap.max max max
	set_bad $k EINVAL "$NL" abc 1GB "1 2"
	set_bad $k ERANGE 99999999999T
fi

# ---- the CFS period: the quota and the burst keep their share

# cfs GROUP: "QUOTA PERIOD BURST" as the kernel holds them (v1 quota -1
# shown as max, no burst file: -).
cfs() {
	local q p b=-
	if [ "$CPUV" = 1 ]; then
		q=$(cat "$(real cpu "$1" cpu.cfs_quota_us)")
		p=$(cat "$(real cpu "$1" cpu.cfs_period_us)")
		[ "$q" = -1 ] && q=max
		[ -e "$(real cpu "$1" cpu.cfs_burst_us)" ] && b=$(cat "$(real cpu "$1" cpu.cfs_burst_us)")
	else
		read -r q p <"$(real cpu "$1" cpu.max)"
		[ -e "$(real cpu "$1" cpu.max.burst)" ] && b=$(cat "$(real cpu "$1" cpu.max.burst)")
	fi
	echo "$q $p $b"
}
BURST=cpu.cfs_burst_us
[ "$CPUV" = 2 ] && BURST=cpu.max.burst
HAS_BURST=
[ -e "$(real cpu "$G" $BURST)" ] && HAS_BURST=1

k=cpu_period_us
present $k
assert_eq "$k: the kernel's default period" 100000 "$(cat "$MNT/$G/$k")"
b0=-
[ -n "$HAS_BURST" ] && b0=0
before=$(snapshot)
assert_op "$k: alice writes 50000" OK as "$ALICE" "$XOP" write "$MNT/$G/$k" 50000
[ "$before" != "$(snapshot)" ] && ok "the snapshot sees the period" || not_ok "the snapshot is blind"
assert_eq "$k 50000: the kernel's bandwidth" "max 50000 $b0" "$(cfs "$G")"
assert_eq "$k 50000: reads back" 50000 "$(cat "$MNT/$G/$k")"
assert_eq "cpu_percent is still max" max "$(cat "$MNT/$G/cpu_percent")"
as "$ALICE" "$XOP" write "$MNT/$G/cpu_percent" 20 >/dev/null
b1=- b2=- b3=-
if [ -n "$HAS_BURST" ]; then
	as "$ALICE" "$XOP" write "$MNT/$G/cpu_burst_percent" 10 >/dev/null
	b1=5000 b2=20000 b3=1000
fi
assert_eq "cpu_percent 20 at 50 ms" "10000 50000 $b1" "$(cfs "$G")"
assert_op "$k: alice writes 200000 (longer)" OK as "$ALICE" "$XOP" write "$MNT/$G/$k" 200000
assert_eq "$k 200000: quota and burst rescaled" "40000 200000 $b2" "$(cfs "$G")"
assert_eq "$k 200000: cpu_percent still reads 20" 20 "$(cat "$MNT/$G/cpu_percent")"
[ -n "$HAS_BURST" ] &&
	assert_eq "$k 200000: cpu_burst_percent still reads 10" 10 "$(cat "$MNT/$G/cpu_burst_percent")"
assert_op "$k: alice writes 10000 (shorter)" OK as "$ALICE" "$XOP" write "$MNT/$G/$k" 10000
assert_eq "$k 10000: quota and burst rescaled" "2000 10000 $b3" "$(cfs "$G")"
assert_eq "$k 10000: reads back" 10000 "$(cat "$MNT/$G/$k")"
assert_eq "$k 10000: cpu_percent still reads 20" 20 "$(cat "$MNT/$G/cpu_percent")"
# 20% of 1 ms is a 200 us quota, below the kernel's 1 ms
set_bad $k ERANGE 999 1000001 1000 0
set_bad $k EINVAL "$NL" max -1 10ms 1e5 abc "1 2" 0x10 +5000 1.5

# A child at its parent's ratio: on v1 the kernel refuses a child ratio
# above the parent's at every write, so the period moves both ways only
# if the quota and the period are written in the right order.
C=$G/child
assert_op "alice creates web/child" OK as "$ALICE" "$XOP" mkdir "$MNT/$C"
as "$ALICE" "$XOP" write "$MNT/$G/$k" 100000 >/dev/null
as "$ALICE" "$XOP" write "$MNT/$C/cpu_percent" 20 >/dev/null
assert_eq "child: 20% like its parent" "20000 100000" "$(cfs "$C" | cut -d' ' -f1-2)"
assert_op "child: period 400000" OK as "$ALICE" "$XOP" write "$MNT/$C/$k" 400000
assert_op "child: period 5000" OK as "$ALICE" "$XOP" write "$MNT/$C/$k" 5000
assert_eq "child: still 20%" "1000 5000" "$(cfs "$C" | cut -d' ' -f1-2)"
assert_eq "child: cpu_percent reads 20" 20 "$(cat "$MNT/$C/cpu_percent")"
if [ "$CPUV" = 1 ]; then
	# and a ratio above the parent's is the kernel's EINVAL, passed on
	G0=$G G=$C
	set_bad cpu_percent EINVAL 30
	G=$G0
fi

# ---- the burst: a percent of one CPU, at most the quota

k=cpu_burst_percent
if [ -z "$HAS_BURST" ]; then
	absent $k "kernel $(uname -r) has no $BURST (before 5.14, or no CONFIG_CFS_BANDWIDTH)"
elif present $k; then
	as "$ALICE" "$XOP" write "$MNT/$G/cpu_period_us" 100000 >/dev/null
	as "$ALICE" "$XOP" write "$MNT/$G/cpu_percent" 50 >/dev/null
	set_ok $k 12.5 cpu $BURST 12500 12.5
	set_ok $k 50 cpu $BURST 50000 50
	set_ok $k 0.01 cpu $BURST 10 0.01
	set_ok $k 0 cpu $BURST 0 0
	set_ok $k 25% cpu $BURST 25000 25
	# above the quota: the kernel's EINVAL, nothing changed
	set_bad $k EINVAL 50.01 100 "$NL" max -1 abc 12.345 "1 2" 1.
	set_bad $k ERANGE 99999999999999999
	# nor can the quota fall below the burst
	set_bad cpu_percent EINVAL 20
	# no quota: any burst
	as "$ALICE" "$XOP" write "$MNT/$G/cpu_percent" max >/dev/null
	set_ok $k 300 cpu $BURST 300000 300
fi

# ---- cpus: a CPU the machine can never have is ERANGE (the kernel's
# own answer on v1 and v2, whatever its compile-time count)

possible=$(cat /sys/devices/system/cpu/possible)
beyond=$((${possible##*[-,]} + 1))
echo "# CPUs possible here: $possible"
set_bad cpus ERANGE "$beyond" "0-$beyond" "0,$beyond"

# ---- mems: the memory nodes, the syntax of cpus

k=mems
present $k
nodes=$(cat "$(cg_mount cpuset)/$BASE/cpuset.mems.effective" 2>/dev/null ||
	cat "$(cg_mount cpuset)/$BASE/cpuset.effective_mems")
first=${nodes%%[-,]*}
echo "# memory nodes here: $nodes"
assert_eq "$k: a new group has its parent's nodes" "$nodes" "$(cat "$MNT/$G/$k")"
set_ok $k "$first" cpuset cpuset.mems "$first" "$first"
set_ok $k "$nodes" cpuset cpuset.mems "$nodes" "$nodes"
# a node this machine does not have: the one after its last
none=$((${nodes##*[-,]} + 1))
set_bad $k EINVAL "$none" "0-$none" "$NL" abc 3-1 0- ,1 1,,2 "1 2" -1 65536
if [ "$SETV" = 1 ]; then
	# v1: a process can join the group (its cpus and mems are filled)
	spawn "$ALICE"
	assert_op "alice moves a process into web/child" OK as "$ALICE" "$XOP" write "$MNT/$C/procs" "$SPAWN"
	assert_eq "the child's leaf has the nodes" "$nodes" \
		"$(cat "$(cg_mount cpuset)/$BASE/$C/.self/cpuset.mems")"
	set_ok $k "$nodes" cpuset cpuset.mems "$nodes" "$nodes"
fi

# A child's nodes only narrow its parent's. The machines this suite runs
# on (the host and the guest) have one memory node, 0: narrowing shows
# there only as the child taking 0 and every node its parent lacks, or
# text that is not a node list, refused with nothing changed.
echo "# memory nodes: possible $(cat /sys/devices/system/node/possible 2>/dev/null)," \
	"online $(cat /sys/devices/system/node/online 2>/dev/null); web has $(cat "$MNT/$G/$k")"
G0=$G G=$C
set_ok $k "$first" cpuset cpuset.mems "$first" "$first"
[ "$SETV" = 1 ] && assert_eq "the child's leaf follows" "$first" \
	"$(cat "$(cg_mount cpuset)/$BASE/$C/.self/cpuset.mems")"
set_bad $k EINVAL "$none" "$first,$none" "$first-$none" "$none-$((none + 7))" 65535 "$NL" abc x0 "$first;$first"
eff=$(real cpuset "$C" cpuset.mems.effective)
[ "$SETV" = 1 ] && eff=$(real cpuset "$C" cpuset.effective_mems)
assert_eq "the child's nodes in effect: still $first" "$first" "$(cat "$eff")"
G=$G0

# ---- the caps: at the tree root, written by cgfs, root's

T=$MNT/$ALICE
cap() {
	local k=$1 want=$2 ctrl=$3 file=$4 real_want=$5
	if [ ! -e "$T/$k" ]; then
		echo "# cap $k not applied: no $k on this host (see above)"
		grep -q "cap $k for /$ALICE not applied" "$LOG" && ok "cap $k: skipped, and logged" ||
			not_ok "cap $k: skipped without a word in the log"
		return
	fi
	assert_eq "cap $k at the tree root" "$want" "$(cat "$T/$k")"
	assert_eq "cap $k: real $file" "$real_want" "$(head -n 1 "$(cg_mount "$ctrl")/$BASE/$ALICE/$file")"
	assert_eq "cap $k: owned by root" "644 root" "$(stat -c '%a %U' "$T/$k")"
	attack "alice writes the cap $k" EACCES as "$ALICE" "$XOP" write "$T/$k" "$want"
	assert_op "root writes the cap $k" OK "$XOP" write "$T/$k" "$want"
}
cap memory_low_mb 64 memory memory.low $((64 * MiB))
cap memory_min_mb 32 memory memory.min $((32 * MiB))
cap memory_zswap_limit_mb 128 memory memory.zswap.max $((128 * MiB))
cap cpu_percent 50 cpu "$([ "$CPUV" = 1 ] && echo cpu.cfs_quota_us || echo cpu.max)" \
	"$([ "$CPUV" = 1 ] && echo 25000 || echo '25000 50000')"
cap cpu_period_us 50000 cpu "$([ "$CPUV" = 1 ] && echo cpu.cfs_period_us || echo cpu.max)" \
	"$([ "$CPUV" = 1 ] && echo 50000 || echo '25000 50000')"
cap cpu_burst_percent 10 cpu $BURST 5000
cap mems 0 cpuset cpuset.mems 0

# Two writers race on a group's period (each write reads the bandwidth,
# then writes up to three files): whatever they leave, the tree root's
# caps are untouched and, where the kernel checks it (v1), the group is
# within them.
R=$ALICE/race
assert_op "alice creates race" OK as "$ALICE" "$XOP" mkdir "$MNT/$R"
as "$ALICE" "$XOP" write "$MNT/$R/cpu_percent" 50 >/dev/null
root_before=$(cfs "$ALICE")
racers=()
for p in 10000 200000; do
	(for i in $(seq 1 40); do
		as "$ALICE" "$XOP" write "$MNT/$R/cpu_period_us" $p >/dev/null
		as "$ALICE" "$XOP" write "$MNT/$R/cpu_period_us" 50000 >/dev/null
	done) &
	racers+=($!)
done
wait "${racers[@]}"
assert_eq "after the race: the tree root's caps" "$root_before" "$(cfs "$ALICE")"
read -r q p _ <<<"$(cfs "$R")"
echo "# after the race: quota $q, period $p ($(cat "$MNT/$R/cpu_percent")%)"
if [ "$CPUV" = 1 ]; then
	[ "$q" != max ] && [ $((q * 100)) -le $((p * 50)) ] && ok "after the race: within the cap" ||
		not_ok "after the race: $q of $p is above the cap of 50%"
fi
assert_op "after the race: alice sets the period" OK as "$ALICE" "$XOP" write "$MNT/$R/cpu_period_us" 100000
assert_op "after the race: and the percent" OK as "$ALICE" "$XOP" write "$MNT/$R/cpu_percent" 50
assert_eq "after the race: both read back" "100000 50" "$(cat "$MNT/$R/cpu_period_us") $(cat "$MNT/$R/cpu_percent")"
